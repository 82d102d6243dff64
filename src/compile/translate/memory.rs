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
//!
//! 64-bit memories (memory64) are always checked explicitly: a 64-bit
//! address can lie anywhere, so `index + offset + size` is computed with an
//! overflow trap and compared against the current length, with the same
//! Spectre guard on the final address. Bulk operators and `memory.grow`
//! call builtins that take every address, length and delta as u64: i32
//! operands of 32-bit memories are zero-extended first.

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
                let mut pages = self.ins().ushr_imm_u(len, 16);
                if !self.env.memory64(mem) {
                    pages = self.ins().ireduce(I32, pages);
                }
                self.push1(pages);
            }
            W::MemoryGrow { mem } => {
                let delta = self.pop1();
                let delta = self.extend_to_i64(delta);
                let m = self.index_const(mem);
                let mut old = self.call_builtin_value(Builtin::MemoryGrow, &[m, delta])?;
                if !self.env.memory64(mem) {
                    // Old sizes fit 32 bits; failure's u64::MAX becomes -1.
                    old = self.ins().ireduce(I32, old);
                }
                self.push1(old);
            }
            W::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (
                    self.extend_to_i64(dst),
                    self.extend_to_i64(src),
                    self.extend_to_i64(len),
                );
                let dm = self.index_const(dst_mem);
                let sm = self.index_const(src_mem);
                self.checked_builtin(Builtin::MemoryCopy, &[dm, dst, sm, src, len]);
            }
            W::MemoryFill { mem } => {
                let (dst, val, len) = self.pop3();
                let (dst, len) = (self.extend_to_i64(dst), self.extend_to_i64(len));
                let m = self.index_const(mem);
                self.checked_builtin(Builtin::MemoryFill, &[m, dst, val, len]);
            }
            W::MemoryInit { data_index, mem } => {
                let (dst, src, len) = self.pop3();
                let (dst, src, len) = (
                    self.extend_to_i64(dst),
                    self.extend_to_i64(src),
                    self.extend_to_i64(len),
                );
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

    /// An address, length or delta operand as the u64 builtins take it:
    /// i32 operands (32-bit memories and tables) are zero-extended.
    pub fn extend_to_i64(&mut self, v: ir::Value) -> ir::Value {
        if self.builder.func.dfg.value_type(v) == I32 {
            self.ins().uextend(I64, v)
        } else {
            v
        }
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
        let base = self.env.memory_base(&mut self.builder, mem);
        if self.env.memory64(mem) {
            return Ok((
                self.checked_address64(mem, base, index, offset, size),
                heap_flags(),
            ));
        }
        // A 32-bit memory's static offset is below 2^32; the sum cannot wrap.
        let end = offset
            .checked_add(u64::from(size))
            .ok_or("internal compiler error: memory offset overflows")?;
        let index = self.ins().uextend(I64, index);
        let unchecked = self.env.memory_needs_no_checks() && end <= self.env.guard_size;
        let mut addr = self.ins().iadd(base, index);
        if offset != 0 {
            let offset =
                i64::try_from(offset).map_err(|_| "memory offset too large".to_string())?;
            addr = self.ins().iadd_imm_s(addr, offset);
        }
        if !unchecked {
            let len = self.env.memory_length(&mut self.builder, mem);
            let end = i64::try_from(end).map_err(|_| "memory offset too large".to_string())?;
            let last = self.ins().iadd_imm_s(index, end);
            let oob = self.ins().icmp(IntCC::UnsignedGreaterThan, last, len);
            self.ins().trapnz(oob, TrapCode::HEAP_OUT_OF_BOUNDS);
            let null = self.ins().iconst(I64, 0);
            addr = self.ins().select_spectre_guard(oob, null, addr);
        }
        Ok((addr, heap_flags()))
    }

    /// The checked native address of an access of `size` bytes at the i64
    /// `index` plus static `offset` (any u64) in 64-bit memory `mem`: traps
    /// when `index + offset + size` overflows or exceeds the current length.
    fn checked_address64(
        &mut self,
        mem: u32,
        base: ir::Value,
        index: ir::Value,
        offset: u64,
        size: u32,
    ) -> ir::Value {
        let oob_code = TrapCode::HEAP_OUT_OF_BOUNDS;
        // The end of the access, each addition trapping on overflow (if
        // `offset + size` itself overflows, the second addition traps).
        let end = match offset.checked_add(u64::from(size)) {
            Some(end) => {
                let end = self.ins().iconst(I64, end as i64);
                self.ins().uadd_overflow_trap(index, end, oob_code)
            }
            None => {
                let off = self.ins().iconst(I64, offset as i64);
                let last = self.ins().uadd_overflow_trap(index, off, oob_code);
                let size = self.ins().iconst(I64, i64::from(size));
                self.ins().uadd_overflow_trap(last, size, oob_code)
            }
        };
        let len = self.env.memory_length(&mut self.builder, mem);
        let oob = self.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.ins().trapnz(oob, oob_code);
        // index + offset < len here, so the sum does not wrap.
        let addr = self.ins().iadd(base, index);
        let addr = if offset != 0 {
            self.ins().iadd_imm_s(addr, offset as i64)
        } else {
            addr
        };
        // Spectre: a mispredicted check must not reach past the memory.
        let null = self.ins().iconst(I64, 0);
        self.ins().select_spectre_guard(oob, null, addr)
    }
}
