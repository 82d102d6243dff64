//! Structured control flow: block, loop, if/else, end, br, br_if,
//! br_table, return, unreachable, plus the parametric operators nop, drop
//! and select. Also the one place that handles dead code.
//!
//! Every construct gets a `dest` block whose parameters are its results;
//! a loop also gets a `header` block whose parameters are its parameters,
//! sealed at its `end` when every back edge is known. An `if` branches to a
//! then-block and an else-block; the else arm starts from the parameter
//! values the `if` saw (they dominate both arms). After `br`, `return`,
//! `br_table` and `unreachable` the code is dead until the enclosing
//! frame ends (or its `else`); dead operators are validated but only their
//! nesting is tracked (`translate_unreachable`).

use super::state::{ControlFrame, FrameKind, Translator};
use super::TResult;
use crate::vm::traps::TRAP_UNREACHABLE;
use cranelift_codegen::ir::{BlockCall, InstBuilder, JumpTableData};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a control or parametric operator.
    pub fn translate_control(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match *op {
            Operator::Nop => {}
            Operator::Unreachable => {
                self.ins().trap(TRAP_UNREACHABLE);
                self.reachable = false;
            }
            Operator::Drop => {
                self.pop1();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let (a, b, cond) = self.pop3();
                let v = self.ins().select(cond, a, b);
                self.push1(v);
            }
            Operator::Block { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let dest = self.block_with_params(&results);
                let height = self.stack.len() - params.len();
                self.control.push(ControlFrame {
                    kind: FrameKind::Block,
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            Operator::Loop { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let header = self.block_with_params(&params);
                let args = self.popn(params.len());
                self.ins().jump(header, &Self::block_args(&args));
                self.builder.switch_to_block(header);
                let height = self.stack.len();
                let header_params = self.builder.block_params(header).to_vec();
                self.pushn(&header_params);
                // Every iteration passes here: a loop cannot run past the
                // epoch deadline, nor on without fuel.
                self.epoch_check();
                self.fuel_check();
                let dest = self.block_with_params(&results);
                self.control.push(ControlFrame {
                    kind: FrameKind::Loop { header },
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            Operator::If { blockty } => {
                let (params, results) = self.block_type(blockty)?;
                let cond = self.pop1();
                let then_block = self.builder.create_block();
                let else_block = self.builder.create_block();
                self.ins().brif(cond, then_block, &[], else_block, &[]);
                self.builder.seal_block(then_block);
                self.builder.seal_block(else_block);
                self.builder.switch_to_block(then_block);
                let else_params = self.peekn(params.len()).to_vec();
                let dest = self.block_with_params(&results);
                let height = self.stack.len() - params.len();
                self.control.push(ControlFrame {
                    kind: FrameKind::If {
                        else_block,
                        else_params,
                        else_seen: false,
                    },
                    dest,
                    params,
                    results,
                    height,
                    dest_reached: false,
                });
            }
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::Br { relative_depth } => {
                self.jump_to_frame(relative_depth);
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => {
                let cond = self.pop1();
                let (target, arity) = self.branch_target(relative_depth);
                let args = Self::block_args(self.peekn(arity));
                let next = self.builder.create_block();
                self.ins().brif(cond, target, &args, next, &[]);
                self.builder.seal_block(next);
                self.builder.switch_to_block(next);
            }
            Operator::BrTable { ref targets } => {
                let index = self.pop1();
                let err = |e: wasmparser::BinaryReaderError| e.to_string();
                let mut calls = Vec::with_capacity(targets.len() as usize);
                for depth in targets.targets() {
                    let depth = depth.map_err(err)?;
                    calls.push(self.branch_call(depth));
                }
                let default = self.branch_call(targets.default());
                let jt = self
                    .builder
                    .create_jump_table(JumpTableData::new(default, &calls));
                self.ins().br_table(index, jt);
                self.reachable = false;
            }
            Operator::Return => {
                let n = self.control[0].results.len();
                let results = self.popn(n);
                self.fuel_save();
                self.ins().return_(&results);
                self.reachable = false;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Dead code: only block nesting matters until the frame that became
    /// unreachable ends (or reaches its `else`).
    pub fn translate_unreachable(&mut self, op: &Operator<'_>) -> TResult {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => {
                self.dead_depth += 1;
            }
            Operator::Else if self.dead_depth == 0 => self.translate_else(),
            Operator::End if self.dead_depth == 0 => self.translate_end(),
            Operator::End => self.dead_depth -= 1,
            Operator::Catch { .. } | Operator::CatchAll | Operator::Delegate { .. }
                if self.dead_depth == 0 =>
            {
                self.translate_legacy_clause(op)?;
            }
            Operator::Delegate { .. } => self.dead_depth -= 1,
            _ => {}
        }
        Ok(())
    }

    /// The block a branch `depth` frames out goes to and how many values it
    /// carries; marks the frame's exit as reached.
    pub(super) fn branch_target(&mut self, depth: u32) -> (cranelift_codegen::ir::Block, usize) {
        let i = self.control.len() - 1 - depth as usize;
        let frame = &mut self.control[i];
        if !matches!(frame.kind, FrameKind::Loop { .. }) {
            frame.dest_reached = true;
        }
        frame.branch_target()
    }

    /// A `BlockCall` to the target of a branch `depth` frames out.
    fn branch_call(&mut self, depth: u32) -> BlockCall {
        let (target, arity) = self.branch_target(depth);
        let args = Self::block_args(self.peekn(arity));
        BlockCall::new(target, args, &mut self.builder.func.dfg.value_lists)
    }

    /// An unconditional branch out of `depth` frames.
    fn jump_to_frame(&mut self, depth: u32) {
        let (target, arity) = self.branch_target(depth);
        let args = Self::block_args(self.peekn(arity));
        self.ins().jump(target, &args);
    }

    /// Falls through to the end of the innermost frame: a jump to its
    /// `dest` with its results (for a loop too, unlike a branch).
    pub(super) fn fall_through(&mut self) {
        let frame = self.control.last_mut().expect("validated: inside a frame");
        frame.dest_reached = true;
        let (dest, n) = (frame.dest, frame.results.len());
        let args = Self::block_args(self.peekn(n));
        self.ins().jump(dest, &args);
    }

    /// Leaves the then arm of the innermost `if` and starts its else arm.
    fn translate_else(&mut self) {
        if self.reachable {
            self.fall_through();
        }
        let frame = self.control.last_mut().expect("validated: else inside if");
        let height = frame.height;
        let else_start = match &mut frame.kind {
            FrameKind::If {
                else_block,
                else_params,
                else_seen,
            } => {
                *else_seen = true;
                Some((*else_block, std::mem::take(else_params)))
            }
            _ => None,
        };
        self.stack.truncate(height);
        if let Some((block, params)) = else_start {
            self.builder.switch_to_block(block);
            self.pushn(&params);
            self.reachable = true;
        }
    }

    /// Ends the innermost frame: control continues at its `dest` if
    /// anything reaches it; the function's own frame returns from there.
    pub(super) fn translate_end(&mut self) {
        if self.reachable {
            self.fall_through();
        }
        let mut frame = self.control.pop().expect("validated: end inside a frame");
        self.stack.truncate(frame.height);
        match frame.kind {
            FrameKind::Loop { header } => self.builder.seal_block(header),
            FrameKind::If {
                else_block,
                ref else_params,
                else_seen: false,
            } => {
                // No else arm: the parameters pass through unchanged.
                self.builder.switch_to_block(else_block);
                let args = Self::block_args(else_params);
                self.ins().jump(frame.dest, &args);
                frame.dest_reached = true;
            }
            FrameKind::TryTable { .. } | FrameKind::LegacyTry { .. } => self.end_try(&frame.kind),
            _ => {}
        }
        self.builder.seal_block(frame.dest);
        if !frame.dest_reached {
            // Nothing continues after this construct: the enclosing code
            // stays dead until its own end.
            self.reachable = false;
            return;
        }
        self.builder.switch_to_block(frame.dest);
        let results = self.builder.block_params(frame.dest).to_vec();
        if let FrameKind::Function = frame.kind {
            self.fuel_save();
            self.ins().return_(&results);
            self.reachable = false;
        } else {
            self.pushn(&results);
            self.reachable = true;
        }
    }
}
