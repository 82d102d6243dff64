//! Typed function references: `call_ref`, `return_call_ref`,
//! `ref.as_non_null`, `br_on_null` and `br_on_non_null`.
//!
//! A reference is a pointer-sized value, 0 for null, whatever its type
//! (`ref.null`, `ref.func`, typed `select` and non-nullable locals need
//! nothing beyond what `table.rs`, `control.rs` and `variables.rs` do). The
//! validator has proven every static type, so `call_ref` checks only for
//! null, never the signature.

use super::{TResult, Translator};
use crate::compile::func_env::CallKind;
use crate::vm::traps::{TRAP_NULL_FUNC_REFERENCE, TRAP_NULL_REFERENCE};
use cranelift_codegen::ir::{self, InstBuilder};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a typed-function-reference operator.
    pub fn translate_ref(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match *op {
            Operator::CallRef { type_index } => {
                let funcref = self.pop_non_null_funcref();
                self.call_funcref(funcref, type_index, CallKind::Call)?;
            }
            Operator::ReturnCallRef { type_index } => {
                // A tail call: the callee replaces this frame and returns
                // to our caller (both use the `tail` convention).
                let funcref = self.pop_non_null_funcref();
                self.call_funcref(funcref, type_index, CallKind::Tail)?;
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

    /// Pops a `call_ref`'s reference, trapping if it is null (the
    /// arguments stay on the stack for `call_funcref`).
    fn pop_non_null_funcref(&mut self) -> ir::Value {
        let funcref = self.pop1();
        self.ins().trapz(funcref, TRAP_NULL_FUNC_REFERENCE);
        funcref
    }
}
