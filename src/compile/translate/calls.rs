//! Calls: `call` (a direct call to a defined function, or through the
//! import's funcref) and `call_indirect` (bounds check, null check, type
//! check against the engine-wide type id, then a call through the funcref).

use super::{TResult, Translator};
use crate::vm::traps::{TRAP_BAD_SIGNATURE, TRAP_INDIRECT_CALL_TO_NULL, TRAP_UNDEFINED_ELEMENT};
use cranelift_codegen::ir::{condcodes::IntCC, types::*, InstBuilder, MemFlagsData};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a call.
    pub fn translate_call(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match *op {
            Operator::Call { function_index } => {
                let ty = self
                    .env
                    .info
                    .funcs
                    .get(function_index as usize)
                    .map(|t| &self.env.info.types[*t as usize])
                    .ok_or("internal compiler error: call of an unknown function")?;
                let args = self.popn(ty.params().len());
                let call = self
                    .env
                    .call_function(&mut self.builder, function_index, &args);
                let results = self.builder.inst_results(call).to_vec();
                self.pushn(&results);
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = self
                    .env
                    .info
                    .types
                    .get(type_index as usize)
                    .ok_or("internal compiler error: call_indirect of an unknown type")?;
                let nparams = ty.params().len();
                let index = self.pop1();
                let args = self.popn(nparams);
                let addr = self.env.table_elem_addr(
                    &mut self.builder,
                    table_index,
                    index,
                    TRAP_UNDEFINED_ELEMENT,
                );
                let funcref = self.ins().load(I64, MemFlagsData::trusted(), addr, 0);

                // A null element traps; the cold path first records the
                // index so the trap message can name it.
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
                let sig = self.env.type_signature(&mut self.builder, type_index);
                let call = self
                    .env
                    .call_funcref(&mut self.builder, sig, funcref, &args);
                let results = self.builder.inst_results(call).to_vec();
                self.pushn(&results);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
