//! Variables: local.get/set/tee (Cranelift variables, so SSA form comes
//! from the frontend) and global.get/set (storage in or behind the vmctx).

use super::{TResult, Translator};
use crate::compile::ir_type;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a local or global access.
    pub fn translate_variable(&mut self, op: &Operator<'_>) -> TResult<bool> {
        match *op {
            Operator::LocalGet { local_index } => {
                let var = self.local(local_index)?;
                let v = self.builder.use_var(var);
                self.push1(v);
            }
            Operator::LocalSet { local_index } => {
                let var = self.local(local_index)?;
                let v = self.pop1();
                self.builder.def_var(var, v);
            }
            Operator::LocalTee { local_index } => {
                let var = self.local(local_index)?;
                let v = self.peekn(1)[0];
                self.builder.def_var(var, v);
            }
            Operator::GlobalGet { global_index } => {
                let ty = self.global_type(global_index)?;
                let (addr, offset) = self.env.global_addr(&mut self.builder, global_index);
                // An immutable global never changes for an instance.
                // (Storage is 16-byte aligned in `VMGlobal`, but the flags
                // promise only what every access needs: no trap.)
                let flags = if ty.mutable {
                    MemFlagsData::new().with_notrap()
                } else {
                    MemFlagsData::new()
                        .with_notrap()
                        .with_readonly()
                        .with_can_move()
                };
                let v = self.ins().load(ir_type(ty.content), flags, addr, offset);
                self.push1(v);
            }
            Operator::GlobalSet { global_index } => {
                self.global_type(global_index)?;
                let v = self.pop1();
                let (addr, offset) = self.env.global_addr(&mut self.builder, global_index);
                self.ins()
                    .store(MemFlagsData::new().with_notrap(), v, addr, offset);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn local(&self, index: u32) -> TResult<cranelift_frontend::Variable> {
        self.locals
            .get(index as usize)
            .map(|(var, _)| *var)
            .ok_or_else(|| format!("internal compiler error: local {index} out of range"))
    }

    fn global_type(&self, index: u32) -> TResult<crate::types::GlobalType> {
        self.env
            .info
            .globals
            .get(index as usize)
            .copied()
            .ok_or_else(|| format!("internal compiler error: global {index} out of range"))
    }
}
