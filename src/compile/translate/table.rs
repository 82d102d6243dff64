//! Tables and references: table.get/set/size/grow/copy/fill/init,
//! elem.drop, ref.null, ref.is_null and ref.func. Elements are pointers
//! (a `VMFuncRef` or an externref; 0 is null); get and set are inline with
//! a bounds check, the bulk operators call builtins.

use super::{TResult, Translator};
use crate::vm::traps::TRAP_TABLE_OUT_OF_BOUNDS;
use crate::vm::vmcontext::Builtin;
use cranelift_codegen::ir::{self, condcodes::IntCC, types::*, InstBuilder, MemFlagsData};
use wasmparser::Operator;

impl Translator<'_> {
    /// Translates `op` if it is a table or reference operator.
    pub fn translate_table(&mut self, op: &Operator<'_>) -> TResult<bool> {
        use Operator as W;
        match *op {
            W::TableGet { table } => {
                let index = self.pop1();
                let addr = self.env.table_elem_addr(
                    &mut self.builder,
                    table,
                    index,
                    TRAP_TABLE_OUT_OF_BOUNDS,
                );
                let v = self.ins().load(I64, MemFlagsData::trusted(), addr, 0);
                self.push1(v);
            }
            W::TableSet { table } => {
                let (index, value) = self.pop2();
                let addr = self.env.table_elem_addr(
                    &mut self.builder,
                    table,
                    index,
                    TRAP_TABLE_OUT_OF_BOUNDS,
                );
                self.ins().store(MemFlagsData::trusted(), value, addr, 0);
            }
            W::TableSize { table } => {
                let mut len = self.env.table_length(&mut self.builder, table);
                if self.env.table64(table) {
                    len = self.ins().uextend(I64, len);
                }
                self.push1(len);
            }
            W::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let delta = self.extend_to_i64(delta);
                let t = self.index_const(table);
                let mut old = self.call_builtin_value(Builtin::TableGrow, &[t, delta, init])?;
                if !self.env.table64(table) {
                    // Old sizes fit 32 bits; failure's u64::MAX becomes -1.
                    old = self.ins().ireduce(I32, old);
                }
                self.push1(old);
            }
            W::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (
                    self.extend_to_i64(dst),
                    self.extend_to_i64(src),
                    self.extend_to_i64(len),
                );
                let dt = self.index_const(dst_table);
                let st = self.index_const(src_table);
                self.table_builtin(Builtin::TableCopy, &[dt, st, dst, src, len]);
            }
            W::TableFill { table } => {
                let (dst, value, len) = self.pop3();
                let (dst, len) = (self.extend_to_i64(dst), self.extend_to_i64(len));
                let t = self.index_const(table);
                self.table_builtin(Builtin::TableFill, &[t, dst, value, len]);
            }
            W::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (
                    self.extend_to_i64(dst),
                    self.extend_to_i64(src),
                    self.extend_to_i64(len),
                );
                let t = self.index_const(table);
                let s = self.index_const(elem_index);
                self.table_builtin(Builtin::TableInit, &[t, s, dst, src, len]);
            }
            W::ElemDrop { elem_index } => {
                let s = self.index_const(elem_index);
                self.env
                    .call_builtin(&mut self.builder, Builtin::ElemDrop, &[s]);
            }
            W::RefNull { .. } => {
                let null = self.ins().iconst(I64, 0);
                self.push1(null);
            }
            W::RefIsNull => {
                let r = self.pop1();
                let is_null = self.ins().icmp_imm_s(IntCC::Equal, r, 0);
                let v = self.bool_to_i32(is_null);
                self.push1(v);
            }
            W::RefFunc { function_index } => {
                let r = self.env.func_ref(&mut self.builder, function_index);
                self.push1(r);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A builtin that returns non-zero when the access was out of bounds.
    fn table_builtin(&mut self, which: Builtin, args: &[ir::Value]) {
        self.env
            .call_checked_builtin(&mut self.builder, which, args, TRAP_TABLE_OUT_OF_BOUNDS);
    }
}
