//! Typed function references: `call_ref`, `return_call_ref`,
//! `ref.as_non_null`, `br_on_null` and `br_on_non_null`.
//!
//! A reference is a pointer-sized value, 0 for null, whatever its type
//! (`ref.null`, `ref.func`, typed `select` and non-nullable locals need
//! nothing beyond what `table.rs`, `control.rs` and `variables.rs` do). The
//! validator has proven every static type, so `call_ref` checks only for
//! null, never the signature.

use super::{TResult, Translator};
use crate::compile::func_env::FuncEnv;
use crate::vm::traps::{TRAP_NULL_FUNC_REFERENCE, TRAP_NULL_REFERENCE};
use crate::vm::vmcontext as vmc;
use cranelift_codegen::ir::{self, types::*, InstBuilder, MemFlagsData};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a typed-function-reference operator.
    pub fn translate_ref(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match *op {
            Operator::CallRef { type_index } => {
                let (sig, funcref, args) = self.pop_call_ref(type_index)?;
                let call = self
                    .env
                    .call_funcref(&mut self.builder, sig, funcref, &args);
                let results = self.builder.inst_results(call).to_vec();
                self.pushn(&results);
            }
            Operator::ReturnCallRef { type_index } => {
                let (sig, funcref, args) = self.pop_call_ref(type_index)?;
                // A tail call: the callee replaces this frame and returns
                // to our caller (both use the `tail` convention).
                let vmctx = FuncEnv::vmctx(&self.builder);
                let flags = MemFlagsData::trusted().with_readonly();
                let code = self.ins().load(I64, flags, funcref, vmc::FUNCREF_WASM_CALL);
                let callee_vmctx = self.ins().load(I64, flags, funcref, vmc::FUNCREF_VMCTX);
                let mut all = vec![callee_vmctx, vmctx];
                all.extend_from_slice(&args);
                self.ins().return_call_indirect(sig, code, &all);
                self.reachable = false;
            }
            Operator::RefAsNonNull => {
                let r = self.pop1();
                self.ins().trapz(r, TRAP_NULL_REFERENCE);
                self.push1(r);
            }
            Operator::BrOnNull { relative_depth } => {
                // Null: branch with the values below the reference (which
                // is dropped); otherwise continue with it.
                let r = self.pop1();
                let (target, arity) = self.branch_target(relative_depth);
                let args = Self::block_args(self.peekn(arity));
                let next = self.builder.create_block();
                self.ins().brif(r, next, &[], target, &args);
                self.builder.seal_block(next);
                self.builder.switch_to_block(next);
                self.push1(r);
            }
            Operator::BrOnNonNull { relative_depth } => {
                // Non-null: branch with the reference on top of the label's
                // other values; otherwise drop it and continue.
                let (target, arity) = self.branch_target(relative_depth);
                let args = Self::block_args(self.peekn(arity));
                let r = self.pop1();
                let next = self.builder.create_block();
                self.ins().brif(r, target, &args, next, &[]);
                self.builder.seal_block(next);
                self.builder.switch_to_block(next);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Pops a `call_ref`'s reference and arguments and traps on null:
    /// (signature, non-null funcref, arguments).
    fn pop_call_ref(
        &mut self,
        type_index: u32,
    ) -> TResult<(ir::SigRef, ir::Value, Vec<ir::Value>)> {
        let nparams = self
            .env
            .info
            .types
            .get(type_index as usize)
            .ok_or("internal compiler error: call_ref of an unknown type")?
            .params()
            .len();
        let funcref = self.pop1();
        let args = self.popn(nparams);
        self.ins().trapz(funcref, TRAP_NULL_FUNC_REFERENCE);
        let sig = self.env.type_signature(&mut self.builder, type_index);
        Ok((sig, funcref, args))
    }
}
