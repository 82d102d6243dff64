//! Calls: `call` (a direct call to a defined function, or through the
//! import's funcref) and `call_indirect` (bounds check, null check, type
//! check against the engine-wide type id, then a call through the funcref),
//! and their tail-call forms `return_call` and `return_call_indirect`, which
//! share every step but the last: a Cranelift `return_call*` in the `tail`
//! convention that replaces this function's frame (so mutual recursion
//! through tail calls runs in constant native stack), after which the code
//! is unreachable. Inside a `try_table` (or legacy `try`) an ordinary call
//! is a `try_call` with the active handlers; a tail call never is (its
//! callee's exceptions go to this function's caller, past every handler
//! here).

use super::{TResult, Translator};
use crate::compile::func_env::CallKind;
use crate::types::FuncType;
use crate::vm::traps::{TRAP_BAD_SIGNATURE, TRAP_INDIRECT_CALL_TO_NULL, TRAP_UNDEFINED_ELEMENT};
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder, MemFlagsData};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a call.
    pub fn translate_call(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match *op {
            Operator::Call { function_index } => self.call(function_index, CallKind::Call)?,
            Operator::ReturnCall { function_index } => self.call(function_index, CallKind::Tail)?,
            Operator::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, CallKind::Call)?,
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, CallKind::Tail)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `call` / `return_call` of function `function_index`.
    fn call(&mut self, function_index: u32, kind: CallKind) -> TResult {
        let nparams = self
            .env
            .info
            .funcs
            .get(function_index as usize)
            .map(|t| self.env.info.types[*t as usize].params().len())
            .ok_or("internal compiler error: call of an unknown function")?;
        let args = self.popn(nparams);
        let results = self.env.call_function(
            &mut self.builder,
            function_index,
            &args,
            kind,
            &self.handlers,
        );
        self.end_call(results, kind);
        Ok(())
    }

    /// `call_indirect` / `return_call_indirect` through element `index` (on
    /// top of the stack) of `table_index`, expecting type `type_index`.
    fn call_indirect(&mut self, type_index: u32, table_index: u32, kind: CallKind) -> TResult {
        self.func_type(type_index)?;
        let index = self.pop1();
        let addr = self.env.table_elem_addr(
            &mut self.builder,
            table_index,
            index,
            TRAP_UNDEFINED_ELEMENT,
        );
        let funcref = self.ins().load(I64, MemFlagsData::trusted(), addr, 0);

        // A null element traps; the cold path first records the index so
        // the trap message can name it.
        let null_block = self.builder.create_block();
        let cont = self.builder.create_block();
        self.builder.set_cold_block(null_block);
        self.ins().brif(funcref, cont, &[], null_block, &[]);
        self.builder.seal_block(null_block);
        self.builder.seal_block(cont);
        self.builder.switch_to_block(null_block);
        let index64 = self.extend_to_i64(index);
        self.env.set_trap_arg(&mut self.builder, index64);
        self.ins().trap(TRAP_INDIRECT_CALL_TO_NULL);
        self.builder.switch_to_block(cont);

        let actual = self.ins().load(
            I32,
            MemFlagsData::trusted().with_readonly(),
            funcref,
            crate::vm::vmcontext::FUNCREF_TYPE_ID,
        );
        let expected = self.env.expected_type_id(&mut self.builder, type_index);
        let mismatch = self.ins().icmp(IntCC::NotEqual, actual, expected);
        self.ins().trapnz(mismatch, TRAP_BAD_SIGNATURE);
        self.call_funcref(funcref, type_index, kind)
    }

    /// Calls (or with `CallKind::Tail`, tail-calls) `funcref`, a non-null
    /// `VMFuncRef` pointer whose function is known to have type
    /// `type_index`, with the arguments on top of the stack; pushes the
    /// results, or after a tail call leaves the code unreachable. The last
    /// step of `call_indirect` and of `call_ref` / `return_call_ref` (which
    /// check for null themselves and need no type check).
    pub fn call_funcref(&mut self, funcref: ir::Value, type_index: u32, kind: CallKind) -> TResult {
        let nparams = self.func_type(type_index)?.params().len();
        let args = self.popn(nparams);
        let sig = self.env.type_signature(&mut self.builder, type_index);
        let results =
            self.env
                .call_funcref(&mut self.builder, sig, funcref, &args, kind, &self.handlers);
        self.end_call(results, kind);
        Ok(())
    }

    /// The function type `type_index`.
    fn func_type(&self, type_index: u32) -> TResult<&FuncType> {
        self.env
            .info
            .types
            .get(type_index as usize)
            .ok_or_else(|| "internal compiler error: call of an unknown type".to_string())
    }

    /// After a call: its `results` go on the stack; a tail call ends the
    /// function, so what follows is dead code.
    fn end_call(&mut self, results: Vec<ir::Value>, kind: CallKind) {
        match kind {
            CallKind::Call => self.pushn(&results),
            CallKind::Tail => self.reachable = false,
        }
    }
}
