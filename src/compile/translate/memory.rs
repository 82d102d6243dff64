//! Linear memory: scalar loads and stores, the bounds-check strategy,
//! memory.size/grow/copy/fill/init and data.drop.
//!
//! Bounds checks: with a full 4 GiB reservation a 32-bit memory needs no
//! check when the static offset plus the access size fits the guard region
//! after it (any 32-bit index then lands in reserved, inaccessible or
//! mapped memory, and a fault there is a trap). Otherwise, and always with
//! a smaller reservation, `index + offset + size` is compared against the
//! current length, the access traps with `HEAP_OUT_OF_BOUNDS`, and the
//! address is forced to null under a mispredicted check (Spectre).

use super::{TResult, Translator};
use crate::vm::vmcontext::Builtin;
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types::*, Endianness, InstBuilder, MemFlagsData, TrapCode,
};
use wasmparser::{MemArg, MemArgTarget, Operator};

/// Flags of a wasm memory access: little-endian, may trap (out of bounds).
pub fn heap_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_endianness(Endianness::Little)
        .with_trap_code(Some(TrapCode::HEAP_OUT_OF_BOUNDS))
}

impl Translator<'_> {
    /// Translates `op` if it is a scalar memory operator.
    pub fn translate_memory(&mut self, op: &Operator<'_>) -> TResult<bool> {
        use ir::Opcode as O;
        use Operator as W;
        match *op {
            W::I32Load { memarg } => self.load(&memarg, O::Load, I32, 4)?,
            W::I64Load { memarg } => self.load(&memarg, O::Load, I64, 8)?,
            W::F32Load { memarg } => self.load(&memarg, O::Load, F32, 4)?,
            W::F64Load { memarg } => self.load(&memarg, O::Load, F64, 8)?,
            W::I32Load8S { memarg } => self.load(&memarg, O::Sload8, I32, 1)?,
            W::I32Load8U { memarg } => self.load(&memarg, O::Uload8, I32, 1)?,
            W::I32Load16S { memarg } => self.load(&memarg, O::Sload16, I32, 2)?,
            W::I32Load16U { memarg } => self.load(&memarg, O::Uload16, I32, 2)?,
            W::I64Load8S { memarg } => self.load(&memarg, O::Sload8, I64, 1)?,
            W::I64Load8U { memarg } => self.load(&memarg, O::Uload8, I64, 1)?,
            W::I64Load16S { memarg } => self.load(&memarg, O::Sload16, I64, 2)?,
            W::I64Load16U { memarg } => self.load(&memarg, O::Uload16, I64, 2)?,
            W::I64Load32S { memarg } => self.load(&memarg, O::Sload32, I64, 4)?,
            W::I64Load32U { memarg } => self.load(&memarg, O::Uload32, I64, 4)?,
            W::I32Store { memarg } | W::F32Store { memarg } => self.store(&memarg, O::Store, 4)?,
            W::I64Store { memarg } | W::F64Store { memarg } => self.store(&memarg, O::Store, 8)?,
            W::I32Store8 { memarg } | W::I64Store8 { memarg } => {
                self.store(&memarg, O::Istore8, 1)?
            }
            W::I32Store16 { memarg } | W::I64Store16 { memarg } => {
                self.store(&memarg, O::Istore16, 2)?
            }
            W::I64Store32 { memarg } => self.store(&memarg, O::Istore32, 4)?,
            W::MemorySize { mem } => {
                let len = self.env.memory_length(&mut self.builder, mem);
                let pages = self.ins().ushr_imm_u(len, 16);
                let pages = self.ins().ireduce(I32, pages);
                self.push1(pages);
            }
            W::MemoryGrow { mem } => {
                let delta = self.pop1();
                let m = self.index_const(mem);
                let old = self.call_builtin_value(Builtin::MemoryGrow, &[m, delta])?;
                self.push1(old);
            }
            W::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src, len) = self.pop3();
                let dm = self.index_const(dst_mem);
                let sm = self.index_const(src_mem);
                self.checked_builtin(Builtin::MemoryCopy, &[dm, dst, sm, src, len]);
            }
            W::MemoryFill { mem } => {
                let (dst, val, len) = self.pop3();
                let m = self.index_const(mem);
                self.checked_builtin(Builtin::MemoryFill, &[m, dst, val, len]);
            }
            W::MemoryInit { data_index, mem } => {
                let (dst, src, len) = self.pop3();
                let m = self.index_const(mem);
                let s = self.index_const(data_index);
                self.checked_builtin(Builtin::MemoryInit, &[m, s, dst, src, len]);
            }
            W::DataDrop { data_index } => {
                let s = self.index_const(data_index);
                self.env
                    .call_builtin(&mut self.builder, Builtin::DataDrop, &[s]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A builtin that returns non-zero when the access was out of bounds.
    fn checked_builtin(&mut self, which: Builtin, args: &[ir::Value]) {
        self.env
            .call_checked_builtin(&mut self.builder, which, args, TrapCode::HEAP_OUT_OF_BOUNDS);
    }

    /// A load of `size` bytes as `ty` by `opcode` (load or an extending load).
    fn load(&mut self, memarg: &MemArg, opcode: ir::Opcode, ty: ir::Type, size: u32) -> TResult {
        let (addr, flags) = self.pop_heap_address(memarg, size)?;
        let v = match opcode {
            ir::Opcode::Load => self.ins().load(ty, flags, addr, 0),
            ir::Opcode::Sload8 => self.ins().sload8(ty, flags, addr, 0),
            ir::Opcode::Uload8 => self.ins().uload8(ty, flags, addr, 0),
            ir::Opcode::Sload16 => self.ins().sload16(ty, flags, addr, 0),
            ir::Opcode::Uload16 => self.ins().uload16(ty, flags, addr, 0),
            ir::Opcode::Sload32 => self.ins().sload32(flags, addr, 0),
            ir::Opcode::Uload32 => self.ins().uload32(flags, addr, 0),
            other => return Err(format!("internal compiler error: load as {other}")),
        };
        self.push1(v);
        Ok(())
    }

    /// A store of the low `size` bytes of the top value by `opcode`.
    fn store(&mut self, memarg: &MemArg, opcode: ir::Opcode, size: u32) -> TResult {
        let value = self.pop1();
        let (addr, flags) = self.pop_heap_address(memarg, size)?;
        match opcode {
            ir::Opcode::Store => self.ins().store(flags, value, addr, 0),
            ir::Opcode::Istore8 => self.ins().istore8(flags, value, addr, 0),
            ir::Opcode::Istore16 => self.ins().istore16(flags, value, addr, 0),
            ir::Opcode::Istore32 => self.ins().istore32(flags, value, addr, 0),
            other => return Err(format!("internal compiler error: store as {other}")),
        };
        Ok(())
    }

    /// Pops the address operand of an access of `size` bytes described by
    /// `memarg`, checks it as the memory's strategy requires, and returns
    /// the native address (static offset included) and the flags to access
    /// it with (little-endian, trapping as out of bounds).
    pub fn pop_heap_address(
        &mut self,
        memarg: &MemArg,
        size: u32,
    ) -> TResult<(ir::Value, MemFlagsData)> {
        let index = self.pop1();
        let mem = match memarg.target {
            MemArgTarget::Memory(m) => m,
            MemArgTarget::Array(_) => {
                return Err("internal compiler error: array access as memory".into())
            }
        };
        let offset = memarg.offset;
        // A 32-bit memory's static offset is below 2^32; the sum cannot wrap.
        let end = offset
            .checked_add(u64::from(size))
            .ok_or("internal compiler error: memory offset overflows")?;
        let base = self.env.memory_base(&mut self.builder, mem);
        let index = self.ins().uextend(I64, index);
        let unchecked = self.env.memory_needs_no_checks() && end <= self.env.guard_size;
        let mut addr = self.ins().iadd(base, index);
        if !unchecked {
            let len = self.env.memory_length(&mut self.builder, mem);
            let end = i64::try_from(end).map_err(|_| "memory offset too large".to_string())?;
            let last = self.ins().iadd_imm_s(index, end);
            let oob = self.ins().icmp(IntCC::UnsignedGreaterThan, last, len);
            self.ins().trapnz(oob, TrapCode::HEAP_OUT_OF_BOUNDS);
            let null = self.ins().iconst(I64, 0);
            addr = self.ins().select_spectre_guard(oob, null, addr);
        }
        if offset != 0 {
            let offset =
                i64::try_from(offset).map_err(|_| "memory offset too large".to_string())?;
            addr = self.ins().iadd_imm_s(addr, offset);
        }
        Ok((addr, heap_flags()))
    }
}
