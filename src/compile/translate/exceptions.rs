//! Exception handling: `throw`, `throw_ref`, `try_table` and the legacy
//! `try` / `catch` / `catch_all` / `rethrow` / `delegate`.
//!
//! Handlers cost nothing until something throws. `self.handlers` is the
//! stack of active handlers; while it is not empty, every call to wasm
//! code (and every throw) is a Cranelift `try_call` whose exception table
//! is the function's vmctx (the context the unwinder reads tags through)
//! followed by the handlers, innermost first (`FuncEnv::try_call`). A
//! handler's tag is the vmctx offset of the tag's `*const VMTag` slot, or
//! none for a catch-all. Entering or leaving a `try_table` emits no code.
//!
//! - `try_table`: one cold catch block per clause (parameter: the exception
//!   object), which loads the tag's values from the object and branches to
//!   the clause's label. The clauses are pushed in reverse, so that the
//!   innermost-first order of the table tries them left to right.
//! - `throw t`: allocates the object (`Builtin::ExnNew`), stores the
//!   operands into it, and calls the throw stub (`vm::throw`).
//! - Objects: a plain `catch`/`catch_all` clause gives the object back to
//!   the store's arena after reading its values (`Builtin::ExnRelease`);
//!   `catch_ref`, a legacy catch and an uncaught exception mark it exposed
//!   (an `exnref` or `rethrow` may still reach it), which keeps it for the
//!   store's life.
//! - Legacy `try`: one catch-all landing block; its `catch` clauses compare
//!   the object's tag there in turn, and when none matches the object is
//!   thrown again under the enclosing handlers. `delegate l` throws it
//!   again under the handlers active inside label `l`; `rethrow l` throws
//!   the object the catch clause `l` caught.

use super::state::{FrameKind, Translator};
use super::TResult;
use crate::compile::func_env::FuncEnv;
use crate::compile::ir_type;
use crate::vm::traps::{TRAP_EXN_LIMIT, TRAP_NULL_EXCEPTION};
use crate::vm::vmcontext::{Builtin, EXN_EXPOSED, EXN_FLAGS, EXN_TAG, EXN_VALUES};
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder, MemFlagsData};
use wasmparser::{Catch, Operator};

impl Translator<'_> {
    /// Translates `op` if it is an exception-handling operator.
    pub fn translate_exception(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match op {
            Operator::Throw { tag_index } => {
                let n = self.tag_params(*tag_index)?.len();
                let args = self.popn(n);
                let tag = self.index_const(*tag_index);
                let exn = self.call_builtin_value(Builtin::ExnNew, &[tag])?;
                self.ins().trapz(exn, TRAP_EXN_LIMIT);
                for (i, v) in args.into_iter().enumerate() {
                    self.ins()
                        .store(MemFlagsData::trusted(), v, exn, EXN_VALUES + 16 * i as i32);
                }
                self.env.throw(&mut self.builder, exn, &self.handlers);
                self.reachable = false;
            }
            Operator::ThrowRef => {
                let exn = self.pop1();
                self.ins().trapz(exn, TRAP_NULL_EXCEPTION);
                self.env.throw(&mut self.builder, exn, &self.handlers);
                self.reachable = false;
            }
            Operator::TryTable { try_table } => {
                let (params, results) = self.block_type(try_table.ty)?;
                let dest = self.block_with_params(&results);
                let height = self.stack.len() - params.len();
                let body = self.builder.create_block();
                self.ins().jump(body, &[]);
                self.builder.seal_block(body);
                let ckpt = self.handlers.len();
                let mut catch_blocks = Vec::with_capacity(try_table.catches.len());
                for catch in try_table.catches.iter().rev() {
                    let (tag, label, with_ref) = match *catch {
                        Catch::One { tag, label } => (Some(tag), label, false),
                        Catch::OneRef { tag, label } => (Some(tag), label, true),
                        Catch::All { label } => (None, label, false),
                        Catch::AllRef { label } => (None, label, true),
                    };
                    let block = self.builder.create_block();
                    let exn = self.builder.append_block_param(block, I64);
                    self.builder.set_cold_block(block);
                    self.builder.switch_to_block(block);
                    self.fuel_load();
                    let mut args = match tag {
                        Some(t) => self.unbox(exn, t)?,
                        None => Vec::new(),
                    };
                    if with_ref {
                        self.mark_exposed(exn);
                        args.push(exn);
                    } else {
                        // Nothing refers to the object any more.
                        self.env
                            .call_builtin(&mut self.builder, Builtin::ExnRelease, &[exn]);
                    }
                    // The label counts from the frame around the try_table
                    // (not pushed yet).
                    let (target, _) = self.branch_target(label);
                    self.ins().jump(target, &Self::block_args(&args));
                    let slot = tag.map(|t| self.env.tag_slot(t));
                    self.handlers.push((slot, block));
                    catch_blocks.push(block);
                }
                self.builder.switch_to_block(body);
                self.control.push(super::state::ControlFrame {
                    kind: FrameKind::TryTable { ckpt, catch_blocks },
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            Operator::Try { blockty } => {
                let (params, results) = self.block_type(*blockty)?;
                let dest = self.block_with_params(&results);
                let height = self.stack.len() - params.len();
                let ckpt = self.handlers.len();
                let landing = self.builder.create_block();
                let exn = self.builder.append_block_param(landing, I64);
                self.builder.set_cold_block(landing);
                self.handlers.push((None, landing));
                self.control.push(super::state::ControlFrame {
                    kind: FrameKind::LegacyTry {
                        ckpt,
                        landing,
                        exn,
                        dispatch: Some(landing),
                        in_catch: false,
                    },
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            Operator::Catch { .. } | Operator::CatchAll | Operator::Delegate { .. } => {
                self.translate_legacy_clause(op)?;
            }
            Operator::Rethrow { relative_depth } => {
                let i = self.control.len() - 1 - *relative_depth as usize;
                let FrameKind::LegacyTry { exn, .. } = self.control[i].kind else {
                    return Err("internal compiler error: rethrow outside a catch".into());
                };
                self.env.throw(&mut self.builder, exn, &self.handlers);
                self.reachable = false;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Marks exception object `exn` as exposed (never recycled): it becomes
    /// an `exnref` value or stays reachable for a legacy `rethrow`.
    fn mark_exposed(&mut self, exn: ir::Value) {
        let flags = self
            .ins()
            .load(I32, MemFlagsData::trusted(), exn, EXN_FLAGS);
        let flags = self.ins().bor_imm_u(flags, i64::from(EXN_EXPOSED));
        self.ins()
            .store(MemFlagsData::trusted(), flags, exn, EXN_FLAGS);
    }

    /// The parameter types of tag `tag`.
    fn tag_params(&self, tag: u32) -> TResult<Vec<crate::types::ValType>> {
        let info = self.env.info;
        let ty = info
            .tags
            .get(tag as usize)
            .and_then(|t| info.types.get(*t as usize))
            .ok_or("internal compiler error: unknown tag")?;
        Ok(ty.params().to_vec())
    }

    /// The values an exception object of tag `tag` carries.
    fn unbox(&mut self, exn: ir::Value, tag: u32) -> TResult<Vec<ir::Value>> {
        let params = self.tag_params(tag)?;
        Ok(params
            .iter()
            .enumerate()
            .map(|(i, t)| {
                self.ins().load(
                    ir_type(*t),
                    MemFlagsData::trusted(),
                    exn,
                    EXN_VALUES + 16 * i as i32,
                )
            })
            .collect())
    }

    /// How many handlers are active inside control frame `index`.
    fn handlers_inside(&self, index: usize) -> usize {
        for frame in self.control[..=index].iter().rev() {
            match &frame.kind {
                FrameKind::TryTable { ckpt, catch_blocks } => return ckpt + catch_blocks.len(),
                FrameKind::LegacyTry { ckpt, in_catch, .. } => {
                    return if *in_catch { *ckpt } else { ckpt + 1 }
                }
                _ => {}
            }
        }
        0
    }

    /// The body of the innermost legacy `try` is over: its handler is no
    /// longer active, and its landing block has all its predecessors.
    fn leave_try_body(&mut self) {
        let i = self.control.len() - 1;
        if let FrameKind::LegacyTry {
            ckpt,
            landing,
            ref mut in_catch,
            ..
        } = self.control[i].kind
        {
            if !*in_catch {
                *in_catch = true;
                self.handlers.truncate(ckpt);
                self.builder.seal_block(landing);
            }
        }
    }

    /// `catch`, `catch_all` and `delegate` of the innermost legacy `try`
    /// (reachable or not).
    pub(super) fn translate_legacy_clause(&mut self, op: &Operator<'_>) -> TResult {
        if self.reachable {
            self.fall_through();
        }
        let height = self.control.last().map_or(0, |f| f.height);
        self.stack.truncate(height);
        self.leave_try_body();
        let i = self.control.len() - 1;
        let FrameKind::LegacyTry {
            exn,
            dispatch,
            landing,
            ..
        } = self.control[i].kind
        else {
            return Err("internal compiler error: catch outside a try".into());
        };
        match *op {
            Operator::Delegate { relative_depth } => {
                // The label counts from outside the try.
                let target = i
                    .checked_sub(1 + relative_depth as usize)
                    .ok_or("internal compiler error: delegate label out of range")?;
                let n = self.handlers_inside(target);
                if let Some(d) = dispatch {
                    self.enter_dispatch(d, landing);
                    self.mark_exposed(exn);
                    let handlers = self.handlers[..n].to_vec();
                    self.env.throw(&mut self.builder, exn, &handlers);
                }
                if let FrameKind::LegacyTry { dispatch, .. } = &mut self.control[i].kind {
                    *dispatch = None;
                }
                self.reachable = false;
                self.translate_end();
                return Ok(());
            }
            Operator::Catch { tag_index } => {
                let d = dispatch.ok_or("internal compiler error: catch after catch_all")?;
                self.enter_dispatch(d, landing);
                self.mark_exposed(exn);
                let vmctx = FuncEnv::vmctx(&self.builder);
                let flags = MemFlagsData::trusted().with_readonly();
                let actual = self.ins().load(I64, flags, exn, EXN_TAG);
                let slot = self.env.tag_slot(tag_index) as i32;
                let expected = self.ins().load(I64, flags, vmctx, slot);
                let same = self.ins().icmp(IntCC::Equal, actual, expected);
                let body = self.builder.create_block();
                let next = self.builder.create_block();
                self.builder.set_cold_block(body);
                self.builder.set_cold_block(next);
                self.ins().brif(same, body, &[], next, &[]);
                self.builder.seal_block(body);
                self.builder.seal_block(next);
                self.builder.switch_to_block(body);
                let values = self.unbox(exn, tag_index)?;
                self.pushn(&values);
                if let FrameKind::LegacyTry { dispatch, .. } = &mut self.control[i].kind {
                    *dispatch = Some(next);
                }
            }
            Operator::CatchAll => {
                let d = dispatch.ok_or("internal compiler error: catch_all after catch_all")?;
                self.enter_dispatch(d, landing);
                self.mark_exposed(exn);
                if let FrameKind::LegacyTry { dispatch, .. } = &mut self.control[i].kind {
                    *dispatch = None;
                }
            }
            _ => {
                return Err(format!(
                    "internal compiler error: not a catch clause: {op:?}"
                ))
            }
        }
        self.reachable = true;
        Ok(())
    }

    /// Continues in dispatch block `d` of a legacy `try` whose landing is
    /// `landing`; arriving at the landing, from code that threw, the fuel
    /// count is read back (see `fuel.rs`).
    fn enter_dispatch(&mut self, d: ir::Block, landing: ir::Block) {
        self.builder.switch_to_block(d);
        if d == landing {
            self.fuel_load();
        }
    }

    /// The `end` of a `try_table` or legacy `try` (called by
    /// `translate_end` with the popped frame's kind).
    pub(super) fn end_try(&mut self, kind: &FrameKind) {
        match *kind {
            FrameKind::TryTable {
                ckpt,
                ref catch_blocks,
            } => {
                self.handlers.truncate(ckpt);
                for b in catch_blocks {
                    self.builder.seal_block(*b);
                }
            }
            FrameKind::LegacyTry {
                ckpt,
                landing,
                exn,
                dispatch,
                in_catch,
            } => {
                if !in_catch {
                    self.handlers.truncate(ckpt);
                    self.builder.seal_block(landing);
                }
                // No clause matched: on to the enclosing handlers.
                if let Some(d) = dispatch {
                    self.enter_dispatch(d, landing);
                    self.mark_exposed(exn);
                    self.env.throw(&mut self.builder, exn, &self.handlers);
                }
            }
            _ => {}
        }
    }
}
