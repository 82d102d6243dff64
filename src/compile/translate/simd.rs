//! Fixed-width SIMD: every v128 operator, its loads and stores included.
//! On the value stack a v128 is always `I8X16`; operators bitcast to the
//! lane type they work on and back.
//!
//! Most operators are one Cranelift instruction whose semantics already are
//! wasm's: shift counts are masked to the lane width (we mask them here as
//! well, so constant counts are in range for every backend), `swizzle` gives
//! 0 for indices past 15, `fmin`/`fmax` propagate NaN and order -0 below +0,
//! `fcvt_to_*_sat` saturate and map NaN to 0. The rest are short sequences:
//! pmin/pmax as a bitselect of one `fcmp`, extmul/extadd/dot as widenings
//! followed by `imul`/`iadd_pairwise`, the `_zero` truncations as a
//! conversion to i64x2 narrowed against a zero vector.
//!
//! Relaxed SIMD gets one deterministic result per operator, the same on
//! every host and on the SSE2-only baseline: where a non-relaxed operator
//! exists, the relaxed one is translated exactly as that operator, so the
//! choice is simply its result.
//!
//! | operator | result | where the allowed results differ |
//! |---|---|---|
//! | `i8x16.relaxed_swizzle` | `i8x16.swizzle` | an index >= 16 gives 0 |
//! | `i32x4.relaxed_trunc_f32x4_s/u`, `_f64x2_s/u_zero` | the `trunc_sat` operators | NaN gives 0, out of range saturates |
//! | `i8x16/i16x8/i32x4/i64x2.relaxed_laneselect` | `v128.bitselect` | every bit of the mask selects, not only each lane's top bit |
//! | `f32x4/f64x2.relaxed_min/max` | `f32x4/f64x2.min/max` | NaN propagates, -0 is below +0 |
//! | `i16x8.relaxed_q15mulr_s` | `i16x8.q15mulr_sat_s` | -32768 * -32768 saturates to 32767 |
//! | `f32x4/f64x2.relaxed_madd` | fused `a * b + c`, rounded once | unfused would round the product too |
//! | `f32x4/f64x2.relaxed_nmadd` | fused `-(a * b) + c`, rounded once | as madd |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s` | both operands signed; each i16 lane the sum of two products, wrapping | a byte of the second operand >= 0x80 is -128..-1, not 128..255; two products of -128 * -128 wrap to -32768 instead of saturating |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s` | the i16x8 result above, its adjacent lanes added as signed i32, plus the third operand (wrapping) | as the i16x8 dot product |
//!
//! madd/nmadd are fused because that is the operator's purpose (fewer
//! roundings, as C's `fma`) and what the hardware has: one `vfmadd`
//! instruction on every x86-64 with the FMA extension (all since 2013) and
//! on aarch64. Only without FMA, as on the SSE2 baseline, Cranelift calls
//! the `FmaF32`/`FmaF64` libcalls per lane (`vm::libcalls`: Rust's
//! correctly rounded `mul_add`), which is slow but gives the same bits.
//! The second operand of the dot products is signed because the operator
//! is meant for 7-bit values there, where signed and unsigned agree, and
//! signed is what `i32x4.dot_i16x8_s` does one size up (the same code).
//!
//! x86-64 without SSSE3 (the baseline feature set) is special in two places:
//! Cranelift lowers a general `shuffle` and `swizzle` there to calls of its
//! `X86Pshufb` libcall (one per operand, every vector register clobbered
//! around them), so both are built from byte loads of a stack slot instead,
//! which is faster and keeps compiled code free of that libcall; and without
//! SSE4.1 the unsigned `i32x4.trunc_sat_f64x2_u_zero` converts its two lanes
//! as scalars rather than through per-lane rounding libcalls.

use super::{TResult, Translator};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, types::*, Endianness, InstBuilder, MemFlagsData, StackSlotData, StackSlotKey,
    StackSlotKind, Type, Value,
};
use cranelift_frontend::FuncInstBuilder;
use wasmparser::{MemArg, Operator};

/// Builds one instruction from one operand.
type Unary = for<'b, 'f> fn(FuncInstBuilder<'b, 'f>, Value) -> Value;
/// Builds one instruction from two operands (the first pushed first).
type Binary = for<'b, 'f> fn(FuncInstBuilder<'b, 'f>, Value, Value) -> Value;

/// How an extracted narrow lane becomes an i32.
#[derive(Clone, Copy)]
enum Extend {
    None,
    Signed,
    Unsigned,
}

/// Flags of a bitcast between vector types: wasm numbers lanes little-endian.
fn lane_order() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// The key of the scratch stack slot of shuffles and swizzles without SSSE3.
const SCRATCH_SLOT_KEY: u64 = u64::from_le_bytes(*b"v128scr\0");

/// Flags of an access to the scratch stack slot: it cannot trap.
fn scratch() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Whether a shuffle mask moves whole 32-bit lanes, lanes 0-1 of the result
/// coming from one operand and lanes 2-3 from one operand. Cranelift lowers
/// those to `pshufd` or `shufps`, which SSE2 has.
fn is_sse2_shuffle(mask: &[u8; 16]) -> bool {
    // The operand (0 or 1) each 32-bit lane of the result comes from.
    let mut from = [0u8; 4];
    for (from, dword) in from.iter_mut().zip(mask.chunks_exact(4)) {
        let first = dword[0];
        if first % 4 != 0 || dword != [first, first + 1, first + 2, first + 3] {
            return false;
        }
        *from = first / 16;
    }
    from[0] == from[1] && from[2] == from[3]
}

impl Translator<'_> {
    /// Translates `op` if it is a SIMD operator.
    pub fn translate_simd(&mut self, op: &Operator<'_>) -> TResult<bool> {
        use ir::Opcode as O;
        use Operator::*;
        match *op {
            // ---- constants, loads and stores ----
            V128Const { value } => {
                let v = self.simd_vconst(I8X16, value.bytes());
                self.push1(v);
            }
            V128Load { memarg } => {
                let (addr, flags) = self.pop_heap_address(&memarg, 16)?;
                let v = self.ins().load(I8X16, flags, addr, 0);
                self.push1(v);
            }
            V128Load8x8S { memarg } => self.simd_load_extend(&memarg, O::Sload8x8)?,
            V128Load8x8U { memarg } => self.simd_load_extend(&memarg, O::Uload8x8)?,
            V128Load16x4S { memarg } => self.simd_load_extend(&memarg, O::Sload16x4)?,
            V128Load16x4U { memarg } => self.simd_load_extend(&memarg, O::Uload16x4)?,
            V128Load32x2S { memarg } => self.simd_load_extend(&memarg, O::Sload32x2)?,
            V128Load32x2U { memarg } => self.simd_load_extend(&memarg, O::Uload32x2)?,
            V128Load8Splat { memarg } => self.simd_load_splat(&memarg, I8X16)?,
            V128Load16Splat { memarg } => self.simd_load_splat(&memarg, I16X8)?,
            V128Load32Splat { memarg } => self.simd_load_splat(&memarg, I32X4)?,
            V128Load64Splat { memarg } => self.simd_load_splat(&memarg, I64X2)?,
            V128Load32Zero { memarg } => self.simd_load_zero(&memarg, I32X4)?,
            V128Load64Zero { memarg } => self.simd_load_zero(&memarg, I64X2)?,
            V128Load8Lane { memarg, lane } => self.simd_load_lane(&memarg, I8X16, lane)?,
            V128Load16Lane { memarg, lane } => self.simd_load_lane(&memarg, I16X8, lane)?,
            V128Load32Lane { memarg, lane } => self.simd_load_lane(&memarg, I32X4, lane)?,
            V128Load64Lane { memarg, lane } => self.simd_load_lane(&memarg, I64X2, lane)?,
            V128Store { memarg } => {
                let v = self.simd_pop(I8X16);
                let (addr, flags) = self.pop_heap_address(&memarg, 16)?;
                self.ins().store(flags, v, addr, 0);
            }
            V128Store8Lane { memarg, lane } => self.simd_store_lane(&memarg, I8X16, lane)?,
            V128Store16Lane { memarg, lane } => self.simd_store_lane(&memarg, I16X8, lane)?,
            V128Store32Lane { memarg, lane } => self.simd_store_lane(&memarg, I32X4, lane)?,
            V128Store64Lane { memarg, lane } => self.simd_store_lane(&memarg, I64X2, lane)?,

            // ---- lanes: splat, extract, replace, shuffle, swizzle ----
            I8x16Splat => self.simd_splat(I8X16),
            I16x8Splat => self.simd_splat(I16X8),
            I32x4Splat => self.simd_splat(I32X4),
            I64x2Splat => self.simd_splat(I64X2),
            F32x4Splat => self.simd_splat(F32X4),
            F64x2Splat => self.simd_splat(F64X2),
            I8x16ExtractLaneS { lane } => self.simd_extract(I8X16, lane, Extend::Signed),
            I8x16ExtractLaneU { lane } => self.simd_extract(I8X16, lane, Extend::Unsigned),
            I16x8ExtractLaneS { lane } => self.simd_extract(I16X8, lane, Extend::Signed),
            I16x8ExtractLaneU { lane } => self.simd_extract(I16X8, lane, Extend::Unsigned),
            I32x4ExtractLane { lane } => self.simd_extract(I32X4, lane, Extend::None),
            I64x2ExtractLane { lane } => self.simd_extract(I64X2, lane, Extend::None),
            F32x4ExtractLane { lane } => self.simd_extract(F32X4, lane, Extend::None),
            F64x2ExtractLane { lane } => self.simd_extract(F64X2, lane, Extend::None),
            I8x16ReplaceLane { lane } => self.simd_replace(I8X16, lane),
            I16x8ReplaceLane { lane } => self.simd_replace(I16X8, lane),
            I32x4ReplaceLane { lane } => self.simd_replace(I32X4, lane),
            I64x2ReplaceLane { lane } => self.simd_replace(I64X2, lane),
            F32x4ReplaceLane { lane } => self.simd_replace(F32X4, lane),
            F64x2ReplaceLane { lane } => self.simd_replace(F64X2, lane),
            I8x16Shuffle { lanes } => {
                let (a, b) = self.pop2();
                let v = self.simd_shuffle(a, b, &lanes);
                self.push1(v);
            }
            I8x16Swizzle | I8x16RelaxedSwizzle => {
                let (a, b) = self.pop2();
                let v = self.simd_swizzle(a, b);
                self.push1(v);
            }

            // ---- bitwise ----
            V128Not => self.simd_unary(I8X16, |b, x| b.bnot(x)),
            V128And => self.simd_binary(I8X16, |b, x, y| b.band(x, y)),
            V128AndNot => self.simd_binary(I8X16, |b, x, y| b.band_not(x, y)),
            V128Or => self.simd_binary(I8X16, |b, x, y| b.bor(x, y)),
            V128Xor => self.simd_binary(I8X16, |b, x, y| b.bxor(x, y)),
            V128Bitselect
            | I8x16RelaxedLaneselect
            | I16x8RelaxedLaneselect
            | I32x4RelaxedLaneselect
            | I64x2RelaxedLaneselect => {
                let (x, y, mask) = self.pop3();
                let v = self.ins().bitselect(mask, x, y);
                self.simd_push(v);
            }

            // ---- reductions to a scalar ----
            V128AnyTrue => {
                let v = self.simd_pop(I8X16);
                let b = self.ins().vany_true(v);
                let r = self.bool_to_i32(b);
                self.push1(r);
            }
            I8x16AllTrue => self.simd_all_true(I8X16),
            I16x8AllTrue => self.simd_all_true(I16X8),
            I32x4AllTrue => self.simd_all_true(I32X4),
            I64x2AllTrue => self.simd_all_true(I64X2),
            I8x16Bitmask => self.simd_bitmask(I8X16),
            I16x8Bitmask => self.simd_bitmask(I16X8),
            I32x4Bitmask => self.simd_bitmask(I32X4),
            I64x2Bitmask => self.simd_bitmask(I64X2),

            // ---- integer comparisons (lane masks) ----
            I8x16Eq | I16x8Eq | I32x4Eq | I64x2Eq => self.simd_icmp(lane_type(op)?, IntCC::Equal),
            I8x16Ne | I16x8Ne | I32x4Ne | I64x2Ne => {
                self.simd_icmp(lane_type(op)?, IntCC::NotEqual)
            }
            I8x16LtS | I16x8LtS | I32x4LtS | I64x2LtS => {
                self.simd_icmp(lane_type(op)?, IntCC::SignedLessThan)
            }
            I8x16LtU | I16x8LtU | I32x4LtU => {
                self.simd_icmp(lane_type(op)?, IntCC::UnsignedLessThan)
            }
            I8x16GtS | I16x8GtS | I32x4GtS | I64x2GtS => {
                self.simd_icmp(lane_type(op)?, IntCC::SignedGreaterThan)
            }
            I8x16GtU | I16x8GtU | I32x4GtU => {
                self.simd_icmp(lane_type(op)?, IntCC::UnsignedGreaterThan)
            }
            I8x16LeS | I16x8LeS | I32x4LeS | I64x2LeS => {
                self.simd_icmp(lane_type(op)?, IntCC::SignedLessThanOrEqual)
            }
            I8x16LeU | I16x8LeU | I32x4LeU => {
                self.simd_icmp(lane_type(op)?, IntCC::UnsignedLessThanOrEqual)
            }
            I8x16GeS | I16x8GeS | I32x4GeS | I64x2GeS => {
                self.simd_icmp(lane_type(op)?, IntCC::SignedGreaterThanOrEqual)
            }
            I8x16GeU | I16x8GeU | I32x4GeU => {
                self.simd_icmp(lane_type(op)?, IntCC::UnsignedGreaterThanOrEqual)
            }

            // ---- float comparisons (only `ne` is true on NaN) ----
            F32x4Eq | F64x2Eq => self.simd_fcmp(lane_type(op)?, FloatCC::Equal),
            F32x4Ne | F64x2Ne => self.simd_fcmp(lane_type(op)?, FloatCC::NotEqual),
            F32x4Lt | F64x2Lt => self.simd_fcmp(lane_type(op)?, FloatCC::LessThan),
            F32x4Gt | F64x2Gt => self.simd_fcmp(lane_type(op)?, FloatCC::GreaterThan),
            F32x4Le | F64x2Le => self.simd_fcmp(lane_type(op)?, FloatCC::LessThanOrEqual),
            F32x4Ge | F64x2Ge => self.simd_fcmp(lane_type(op)?, FloatCC::GreaterThanOrEqual),

            // ---- integer arithmetic ----
            I8x16Add | I16x8Add | I32x4Add | I64x2Add => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.iadd(x, y))
            }
            I8x16Sub | I16x8Sub | I32x4Sub | I64x2Sub => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.isub(x, y))
            }
            I16x8Mul | I32x4Mul | I64x2Mul => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.imul(x, y))
            }
            I8x16Neg | I16x8Neg | I32x4Neg | I64x2Neg => {
                self.simd_unary(lane_type(op)?, |b, x| b.ineg(x))
            }
            I8x16Abs | I16x8Abs | I32x4Abs | I64x2Abs => {
                self.simd_unary(lane_type(op)?, |b, x| b.iabs(x))
            }
            I8x16AddSatS | I16x8AddSatS => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.sadd_sat(x, y))
            }
            I8x16AddSatU | I16x8AddSatU => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.uadd_sat(x, y))
            }
            I8x16SubSatS | I16x8SubSatS => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.ssub_sat(x, y))
            }
            I8x16SubSatU | I16x8SubSatU => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.usub_sat(x, y))
            }
            I8x16MinS | I16x8MinS | I32x4MinS => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.smin(x, y))
            }
            I8x16MinU | I16x8MinU | I32x4MinU => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.umin(x, y))
            }
            I8x16MaxS | I16x8MaxS | I32x4MaxS => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.smax(x, y))
            }
            I8x16MaxU | I16x8MaxU | I32x4MaxU => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.umax(x, y))
            }
            I8x16AvgrU | I16x8AvgrU => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.avg_round(x, y))
            }
            I8x16Popcnt => self.simd_unary(I8X16, |b, x| b.popcnt(x)),
            I16x8Q15MulrSatS | I16x8RelaxedQ15mulrS => {
                self.simd_binary(I16X8, |b, x, y| b.sqmul_round_sat(x, y))
            }

            // ---- shifts (count modulo the lane width) ----
            I8x16Shl | I16x8Shl | I32x4Shl | I64x2Shl => {
                self.simd_shift(lane_type(op)?, |b, x, n| b.ishl(x, n))
            }
            I8x16ShrS | I16x8ShrS | I32x4ShrS | I64x2ShrS => {
                self.simd_shift(lane_type(op)?, |b, x, n| b.sshr(x, n))
            }
            I8x16ShrU | I16x8ShrU | I32x4ShrU | I64x2ShrU => {
                self.simd_shift(lane_type(op)?, |b, x, n| b.ushr(x, n))
            }

            // ---- narrowing (saturating) and widening ----
            I8x16NarrowI16x8S => self.simd_binary(I16X8, |b, x, y| b.snarrow(x, y)),
            I8x16NarrowI16x8U => self.simd_binary(I16X8, |b, x, y| b.unarrow(x, y)),
            I16x8NarrowI32x4S => self.simd_binary(I32X4, |b, x, y| b.snarrow(x, y)),
            I16x8NarrowI32x4U => self.simd_binary(I32X4, |b, x, y| b.unarrow(x, y)),
            I16x8ExtendLowI8x16S => self.simd_unary(I8X16, |b, x| b.swiden_low(x)),
            I16x8ExtendHighI8x16S => self.simd_unary(I8X16, |b, x| b.swiden_high(x)),
            I16x8ExtendLowI8x16U => self.simd_unary(I8X16, |b, x| b.uwiden_low(x)),
            I16x8ExtendHighI8x16U => self.simd_unary(I8X16, |b, x| b.uwiden_high(x)),
            I32x4ExtendLowI16x8S => self.simd_unary(I16X8, |b, x| b.swiden_low(x)),
            I32x4ExtendHighI16x8S => self.simd_unary(I16X8, |b, x| b.swiden_high(x)),
            I32x4ExtendLowI16x8U => self.simd_unary(I16X8, |b, x| b.uwiden_low(x)),
            I32x4ExtendHighI16x8U => self.simd_unary(I16X8, |b, x| b.uwiden_high(x)),
            I64x2ExtendLowI32x4S => self.simd_unary(I32X4, |b, x| b.swiden_low(x)),
            I64x2ExtendHighI32x4S => self.simd_unary(I32X4, |b, x| b.swiden_high(x)),
            I64x2ExtendLowI32x4U => self.simd_unary(I32X4, |b, x| b.uwiden_low(x)),
            I64x2ExtendHighI32x4U => self.simd_unary(I32X4, |b, x| b.uwiden_high(x)),

            // ---- extended multiplication, pairwise addition, dot product ----
            I16x8ExtMulLowI8x16S => self.simd_extmul(I8X16, |b, x| b.swiden_low(x)),
            I16x8ExtMulHighI8x16S => self.simd_extmul(I8X16, |b, x| b.swiden_high(x)),
            I16x8ExtMulLowI8x16U => self.simd_extmul(I8X16, |b, x| b.uwiden_low(x)),
            I16x8ExtMulHighI8x16U => self.simd_extmul(I8X16, |b, x| b.uwiden_high(x)),
            I32x4ExtMulLowI16x8S => self.simd_extmul(I16X8, |b, x| b.swiden_low(x)),
            I32x4ExtMulHighI16x8S => self.simd_extmul(I16X8, |b, x| b.swiden_high(x)),
            I32x4ExtMulLowI16x8U => self.simd_extmul(I16X8, |b, x| b.uwiden_low(x)),
            I32x4ExtMulHighI16x8U => self.simd_extmul(I16X8, |b, x| b.uwiden_high(x)),
            I64x2ExtMulLowI32x4S => self.simd_extmul(I32X4, |b, x| b.swiden_low(x)),
            I64x2ExtMulHighI32x4S => self.simd_extmul(I32X4, |b, x| b.swiden_high(x)),
            I64x2ExtMulLowI32x4U => self.simd_extmul(I32X4, |b, x| b.uwiden_low(x)),
            I64x2ExtMulHighI32x4U => self.simd_extmul(I32X4, |b, x| b.uwiden_high(x)),
            I16x8ExtAddPairwiseI8x16S => self.simd_extadd_pairwise(I8X16, true),
            I16x8ExtAddPairwiseI8x16U => self.simd_extadd_pairwise(I8X16, false),
            I32x4ExtAddPairwiseI16x8S => self.simd_extadd_pairwise(I16X8, true),
            I32x4ExtAddPairwiseI16x8U => self.simd_extadd_pairwise(I16X8, false),
            I32x4DotI16x8S => {
                let (a, b) = self.simd_pop2(I16X8);
                let v = self.simd_dot(a, b);
                self.simd_push(v);
            }
            I16x8RelaxedDotI8x16I7x16S => {
                let (a, b) = self.simd_pop2(I8X16);
                let v = self.simd_dot(a, b);
                self.simd_push(v);
            }
            I32x4RelaxedDotI8x16I7x16AddS => {
                let c = self.simd_pop(I32X4);
                let (a, b) = self.simd_pop2(I8X16);
                let dot = self.simd_dot(a, b);
                let (lo, hi) = (self.ins().swiden_low(dot), self.ins().swiden_high(dot));
                let sums = self.ins().iadd_pairwise(lo, hi);
                let v = self.ins().iadd(sums, c);
                self.simd_push(v);
            }

            // ---- float arithmetic ----
            F32x4Add | F64x2Add => self.simd_binary(lane_type(op)?, |b, x, y| b.fadd(x, y)),
            F32x4Sub | F64x2Sub => self.simd_binary(lane_type(op)?, |b, x, y| b.fsub(x, y)),
            F32x4Mul | F64x2Mul => self.simd_binary(lane_type(op)?, |b, x, y| b.fmul(x, y)),
            F32x4Div | F64x2Div => self.simd_binary(lane_type(op)?, |b, x, y| b.fdiv(x, y)),
            F32x4Min | F64x2Min | F32x4RelaxedMin | F64x2RelaxedMin => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.fmin(x, y))
            }
            F32x4Max | F64x2Max | F32x4RelaxedMax | F64x2RelaxedMax => {
                self.simd_binary(lane_type(op)?, |b, x, y| b.fmax(x, y))
            }
            F32x4RelaxedMadd | F64x2RelaxedMadd => self.simd_madd(lane_type(op)?, false),
            F32x4RelaxedNmadd | F64x2RelaxedNmadd => self.simd_madd(lane_type(op)?, true),
            F32x4PMin | F64x2PMin => self.simd_pminmax(lane_type(op)?, false),
            F32x4PMax | F64x2PMax => self.simd_pminmax(lane_type(op)?, true),
            F32x4Abs | F64x2Abs => self.simd_unary(lane_type(op)?, |b, x| b.fabs(x)),
            F32x4Neg | F64x2Neg => self.simd_unary(lane_type(op)?, |b, x| b.fneg(x)),
            F32x4Sqrt | F64x2Sqrt => self.simd_unary(lane_type(op)?, |b, x| b.sqrt(x)),
            F32x4Ceil | F64x2Ceil => self.simd_unary(lane_type(op)?, |b, x| b.ceil(x)),
            F32x4Floor | F64x2Floor => self.simd_unary(lane_type(op)?, |b, x| b.floor(x)),
            F32x4Trunc | F64x2Trunc => self.simd_unary(lane_type(op)?, |b, x| b.trunc(x)),
            F32x4Nearest | F64x2Nearest => self.simd_unary(lane_type(op)?, |b, x| b.nearest(x)),

            // ---- conversions ----
            I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => {
                self.simd_unary(F32X4, |b, x| b.fcvt_to_sint_sat(I32X4, x))
            }
            I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => {
                self.simd_unary(F32X4, |b, x| b.fcvt_to_uint_sat(I32X4, x))
            }
            I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => {
                // The x64 backend lowers exactly this shape (narrowing
                // against a zero constant) as one conversion.
                let x = self.simd_pop(F64X2);
                let wide = self.ins().fcvt_to_sint_sat(I64X2, x);
                let zero = self.simd_vconst(I64X2, &[0; 16]);
                let v = self.ins().snarrow(wide, zero);
                self.simd_push(v);
            }
            I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => {
                let x = self.simd_pop(F64X2);
                let v = if self.simd_lacks_round() {
                    // The vector form rounds with SSE4.1; convert the two
                    // lanes as scalars instead.
                    let mut v = self.simd_vconst(I32X4, &[0; 16]);
                    for lane in 0..2u8 {
                        let f = self.ins().extractlane(x, lane);
                        let i = self.ins().fcvt_to_uint_sat(I32, f);
                        v = self.ins().insertlane(v, i, lane);
                    }
                    v
                } else {
                    let wide = self.ins().fcvt_to_uint_sat(I64X2, x);
                    let zero = self.simd_vconst(I64X2, &[0; 16]);
                    self.ins().uunarrow(wide, zero)
                };
                self.simd_push(v);
            }
            F32x4ConvertI32x4S => self.simd_unary(I32X4, |b, x| b.fcvt_from_sint(F32X4, x)),
            F32x4ConvertI32x4U => self.simd_unary(I32X4, |b, x| b.fcvt_from_uint(F32X4, x)),
            F64x2ConvertLowI32x4S => {
                let x = self.simd_pop(I32X4);
                let wide = self.ins().swiden_low(x);
                let v = self.ins().fcvt_from_sint(F64X2, wide);
                self.simd_push(v);
            }
            F64x2ConvertLowI32x4U => {
                let x = self.simd_pop(I32X4);
                let wide = self.ins().uwiden_low(x);
                let v = self.ins().fcvt_from_uint(F64X2, wide);
                self.simd_push(v);
            }
            F32x4DemoteF64x2Zero => self.simd_unary(F64X2, |b, x| b.fvdemote(x)),
            F64x2PromoteLowF32x4 => self.simd_unary(F32X4, |b, x| b.fvpromote_low(x)),

            _ => return Ok(false),
        }
        Ok(true)
    }

    // ---- the value stack, v128 as I8X16 ----

    /// `v` as a vector of type `ty` (the same bits).
    fn simd_cast(&mut self, v: Value, ty: Type) -> Value {
        if self.builder.func.dfg.value_type(v) == ty {
            v
        } else {
            self.ins().bitcast(ty, lane_order(), v)
        }
    }

    /// Pops a v128 as a vector of type `ty`.
    fn simd_pop(&mut self, ty: Type) -> Value {
        let v = self.pop1();
        self.simd_cast(v, ty)
    }

    /// Pops two v128 operands as vectors of type `ty`, in push order.
    fn simd_pop2(&mut self, ty: Type) -> (Value, Value) {
        let (a, b) = self.pop2();
        (self.simd_cast(a, ty), self.simd_cast(b, ty))
    }

    /// Pushes a vector of any type as a v128.
    fn simd_push(&mut self, v: Value) {
        let v = self.simd_cast(v, I8X16);
        self.push1(v);
    }

    /// A vector constant of type `ty` from its little-endian bytes.
    fn simd_vconst(&mut self, ty: Type, bytes: &[u8; 16]) -> Value {
        let c = self
            .builder
            .func
            .dfg
            .constants
            .insert(bytes.to_vec().into());
        self.ins().vconst(ty, c)
    }

    // ---- operator shapes ----

    /// Replaces the top v128 `x`, seen as `ty`, with `f(x)`.
    fn simd_unary(&mut self, ty: Type, f: Unary) {
        let x = self.simd_pop(ty);
        let v = f(self.ins(), x);
        self.simd_push(v);
    }

    /// Replaces the top two v128 `x y`, seen as `ty`, with `f(x, y)`.
    fn simd_binary(&mut self, ty: Type, f: Binary) {
        let (x, y) = self.simd_pop2(ty);
        let v = f(self.ins(), x, y);
        self.simd_push(v);
    }

    /// Lane-wise integer comparison at type `ty`: all ones where `cc` holds.
    fn simd_icmp(&mut self, ty: Type, cc: IntCC) {
        let (x, y) = self.simd_pop2(ty);
        let v = self.ins().icmp(cc, x, y);
        self.simd_push(v);
    }

    /// Lane-wise float comparison at type `ty`: all ones where `cc` holds.
    fn simd_fcmp(&mut self, ty: Type, cc: FloatCC) {
        let (x, y) = self.simd_pop2(ty);
        let v = self.ins().fcmp(cc, x, y);
        self.simd_push(v);
    }

    /// A shift of the lanes of a v128 (seen as `ty`) by an i32 count, which
    /// wasm takes modulo the lane width.
    fn simd_shift(&mut self, ty: Type, f: Binary) {
        let count = self.pop1();
        let x = self.simd_pop(ty);
        let bits = i64::from(ty.lane_bits());
        let count = self.ins().band_imm_u(count, bits - 1);
        let v = f(self.ins(), x, count);
        self.simd_push(v);
    }

    /// `splat` of the top scalar into a vector of type `ty`; i8 and i16
    /// lanes take the low bits of an i32.
    fn simd_splat(&mut self, ty: Type) {
        let mut x = self.pop1();
        let lane = ty.lane_type();
        if lane == I8 || lane == I16 {
            x = self.ins().ireduce(lane, x);
        }
        let v = self.ins().splat(ty, x);
        self.simd_push(v);
    }

    /// Lane `lane` of the top v128 seen as `ty`, extended to i32 if narrow.
    fn simd_extract(&mut self, ty: Type, lane: u8, extend: Extend) {
        let v = self.simd_pop(ty);
        let x = self.ins().extractlane(v, lane);
        let x = match extend {
            Extend::None => x,
            Extend::Signed => self.ins().sextend(I32, x),
            Extend::Unsigned => self.ins().uextend(I32, x),
        };
        self.push1(x);
    }

    /// Replaces lane `lane` of a v128 seen as `ty` by the scalar on top.
    fn simd_replace(&mut self, ty: Type, lane: u8) {
        let mut x = self.pop1();
        let v = self.simd_pop(ty);
        let lane_ty = ty.lane_type();
        if lane_ty == I8 || lane_ty == I16 {
            x = self.ins().ireduce(lane_ty, x);
        }
        let v = self.ins().insertlane(v, x, lane);
        self.simd_push(v);
    }

    /// `all_true` of the lanes of the top v128 seen as `ty`.
    fn simd_all_true(&mut self, ty: Type) {
        let v = self.simd_pop(ty);
        let b = self.ins().vall_true(v);
        let r = self.bool_to_i32(b);
        self.push1(r);
    }

    /// The top bits of the lanes of the top v128 seen as `ty`, as an i32.
    fn simd_bitmask(&mut self, ty: Type) {
        let v = self.simd_pop(ty);
        let r = self.ins().vhigh_bits(I32, v);
        self.push1(r);
    }

    /// Pseudo-minimum and -maximum: `pmin(a, b) = b < a ? b : a` and
    /// `pmax(a, b) = a < b ? b : a`, lane-wise, NaN and zeros included.
    fn simd_pminmax(&mut self, ty: Type, max: bool) {
        let (a, b) = self.simd_pop2(ty);
        let take_b = if max {
            self.ins().fcmp(FloatCC::LessThan, a, b)
        } else {
            self.ins().fcmp(FloatCC::LessThan, b, a)
        };
        let take_b = self.simd_cast(take_b, ty);
        let v = self.ins().bitselect(take_b, b, a);
        self.simd_push(v);
    }

    /// The products of the halves of two v128 (seen as `ty`) that `widen`
    /// selects and extends.
    fn simd_extmul(&mut self, ty: Type, widen: Unary) {
        let (x, y) = self.simd_pop2(ty);
        let x = widen(self.ins(), x);
        let y = widen(self.ins(), y);
        let v = self.ins().imul(x, y);
        self.simd_push(v);
    }

    /// Sums of adjacent lanes of the top v128 seen as `ty`, extended to
    /// twice the width.
    /// `relaxed_madd` (`a * b + c`) or, `negate`d, `relaxed_nmadd`
    /// (`-(a * b) + c`), both fused: one rounding (see the module's table).
    fn simd_madd(&mut self, ty: Type, negate: bool) {
        let c = self.simd_pop(ty);
        let (a, b) = self.simd_pop2(ty);
        let a = if negate { self.ins().fneg(a) } else { a };
        let v = self.ins().fma(a, b, c);
        self.simd_push(v);
    }

    /// The dot product of two vectors of signed lanes into lanes twice as
    /// wide: the products of the low and of the high half of the lanes,
    /// widened, then the (wrapping) sums of adjacent products. For i16x8
    /// that is `i32x4.dot_i16x8_s`, for i8x16 the relaxed i8 dot product
    /// (see the module's table).
    fn simd_dot(&mut self, a: Value, b: Value) -> Value {
        let (a_lo, b_lo) = (self.ins().swiden_low(a), self.ins().swiden_low(b));
        let lo = self.ins().imul(a_lo, b_lo);
        let (a_hi, b_hi) = (self.ins().swiden_high(a), self.ins().swiden_high(b));
        let hi = self.ins().imul(a_hi, b_hi);
        self.ins().iadd_pairwise(lo, hi)
    }

    fn simd_extadd_pairwise(&mut self, ty: Type, signed: bool) {
        let x = self.simd_pop(ty);
        let (lo, hi) = if signed {
            (self.ins().swiden_low(x), self.ins().swiden_high(x))
        } else {
            (self.ins().uwiden_low(x), self.ins().uwiden_high(x))
        };
        let v = self.ins().iadd_pairwise(lo, hi);
        self.simd_push(v);
    }

    // ---- memory ----

    /// A 64-bit load extended lane-wise to a full vector by `opcode`.
    fn simd_load_extend(&mut self, memarg: &MemArg, opcode: ir::Opcode) -> TResult {
        let (addr, flags) = self.pop_heap_address(memarg, 8)?;
        let v = match opcode {
            ir::Opcode::Sload8x8 => self.ins().sload8x8(flags, addr, 0),
            ir::Opcode::Uload8x8 => self.ins().uload8x8(flags, addr, 0),
            ir::Opcode::Sload16x4 => self.ins().sload16x4(flags, addr, 0),
            ir::Opcode::Uload16x4 => self.ins().uload16x4(flags, addr, 0),
            ir::Opcode::Sload32x2 => self.ins().sload32x2(flags, addr, 0),
            ir::Opcode::Uload32x2 => self.ins().uload32x2(flags, addr, 0),
            other => return Err(format!("internal compiler error: vector load as {other}")),
        };
        self.simd_push(v);
        Ok(())
    }

    /// A load of one lane of `ty`, splatted to every lane.
    fn simd_load_splat(&mut self, memarg: &MemArg, ty: Type) -> TResult {
        let lane = ty.lane_type();
        let (addr, flags) = self.pop_heap_address(memarg, lane.bytes())?;
        let x = self.ins().load(lane, flags, addr, 0);
        let v = self.ins().splat(ty, x);
        self.simd_push(v);
        Ok(())
    }

    /// A load of one lane of `ty` into lane 0, the other lanes zero.
    fn simd_load_zero(&mut self, memarg: &MemArg, ty: Type) -> TResult {
        let lane = ty.lane_type();
        let (addr, flags) = self.pop_heap_address(memarg, lane.bytes())?;
        let x = self.ins().load(lane, flags, addr, 0);
        let v = self.ins().scalar_to_vector(ty, x);
        self.simd_push(v);
        Ok(())
    }

    /// A load into lane `lane` of the v128 on top (seen as `ty`), whose
    /// address is below it.
    fn simd_load_lane(&mut self, memarg: &MemArg, ty: Type, lane: u8) -> TResult {
        let v = self.simd_pop(ty);
        let lane_ty = ty.lane_type();
        let (addr, flags) = self.pop_heap_address(memarg, lane_ty.bytes())?;
        let x = self.ins().load(lane_ty, flags, addr, 0);
        let v = self.ins().insertlane(v, x, lane);
        self.simd_push(v);
        Ok(())
    }

    /// A store of lane `lane` of the v128 on top (seen as `ty`), whose
    /// address is below it.
    fn simd_store_lane(&mut self, memarg: &MemArg, ty: Type, lane: u8) -> TResult {
        let v = self.simd_pop(ty);
        let (addr, flags) = self.pop_heap_address(memarg, ty.lane_type().bytes())?;
        let x = self.ins().extractlane(v, lane);
        self.ins().store(flags, x, addr, 0);
        Ok(())
    }

    // ---- shuffle and swizzle ----

    /// Whether the target is x86-64 without SSSE3: there Cranelift lowers
    /// a general shuffle or swizzle to its `X86Pshufb` libcall.
    fn simd_lacks_pshufb(&self) -> bool {
        self.env.isa.name() == "x64" && !self.env.isa.has_x86_pshufb_lowering()
    }

    /// Whether the target is x86-64 without SSE4.1's rounding instructions.
    fn simd_lacks_round(&self) -> bool {
        self.env.isa.name() == "x64" && !self.env.isa.has_round()
    }

    /// `i8x16.shuffle`: byte `i` of the result is byte `mask[i]` of the
    /// 32 bytes of `a` then `b` (validation keeps the indices below 32).
    fn simd_shuffle(&mut self, a: Value, b: Value, mask: &[u8; 16]) -> Value {
        let a = self.simd_cast(a, I8X16);
        let b = self.simd_cast(b, I8X16);
        if !self.simd_lacks_pshufb() || is_sse2_shuffle(mask) {
            let imm = self.builder.func.dfg.immediates.push(mask.to_vec().into());
            return self.ins().shuffle(a, b, imm);
        }
        // Without SSSE3: `a` and `b` to a stack slot, then the result's
        // bytes loaded from it at the (constant) indices.
        let base = self.simd_scratch_slot();
        self.ins().store(scratch(), a, base, 0);
        self.ins().store(scratch(), b, base, 16);
        let bytes: Vec<Value> = mask
            .iter()
            .map(|&index| self.ins().uload8(I64, scratch(), base, i32::from(index)))
            .collect();
        self.simd_from_bytes(&bytes)
    }

    /// `i8x16.swizzle`: byte `i` of the result is byte `s[i]` of `x`, or 0
    /// when `s[i]` is 16 or more.
    fn simd_swizzle(&mut self, x: Value, s: Value) -> Value {
        let x = self.simd_cast(x, I8X16);
        let s = self.simd_cast(s, I8X16);
        if !self.simd_lacks_pshufb() {
            return self.ins().swizzle(x, s);
        }
        // Without SSSE3: a stack slot holds `x` then 16 zero bytes; the
        // indices, clamped to 16 (a zero byte), select bytes of it.
        let base = self.simd_scratch_slot();
        let zero = self.simd_vconst(I8X16, &[0; 16]);
        self.ins().store(scratch(), x, base, 0);
        self.ins().store(scratch(), zero, base, 16);
        let sixteens = self.simd_vconst(I8X16, &[16; 16]);
        let s = self.ins().umin(s, sixteens);
        let s = self.simd_cast(s, I64X2);
        let mut bytes = Vec::with_capacity(16);
        for half in 0..2u8 {
            let indices = self.ins().extractlane(s, half);
            for k in 0..8i64 {
                let index = self.ins().ushr_imm_u(indices, 8 * k);
                let index = self.ins().band_imm_u(index, 0xff);
                let addr = self.ins().iadd(base, index);
                bytes.push(self.ins().uload8(I64, scratch(), addr, 0));
            }
        }
        self.simd_from_bytes(&bytes)
    }

    /// The address of the function's 32-byte scratch stack slot (made on
    /// first use, found again by its key). Each use stores and reloads
    /// within one operator, so they can all share it.
    fn simd_scratch_slot(&mut self) -> Value {
        let key = StackSlotKey::new(SCRATCH_SLOT_KEY);
        let func = &self.builder.func;
        let slot = match func
            .sized_stack_slots
            .iter()
            .find(|(_, d)| d.key == Some(key))
        {
            Some((slot, _)) => slot,
            None => self
                .builder
                .create_sized_stack_slot(StackSlotData::new_with_key(
                    StackSlotKind::ExplicitSlot,
                    32,
                    4,
                    key,
                )),
        };
        let ptr = self.env.isa.pointer_type();
        self.ins().stack_addr(ptr, slot, 0)
    }

    /// The v128 whose byte `i` is `bytes[i]`, 16 i64 values below 256.
    fn simd_from_bytes(&mut self, bytes: &[Value]) -> Value {
        let (lo, hi) = bytes.split_at(bytes.len().min(8));
        let lo = self.simd_pack_bytes(lo);
        let hi = self.simd_pack_bytes(hi);
        let v = self.ins().scalar_to_vector(I64X2, lo);
        let v = self.ins().insertlane(v, hi, 1);
        self.simd_cast(v, I8X16)
    }

    /// The i64 whose byte `k` is `bytes[k]` (at most 8 values below 256).
    fn simd_pack_bytes(&mut self, bytes: &[Value]) -> Value {
        let mut parts: Vec<Value> = (0i64..)
            .zip(bytes)
            .map(|(k, &byte)| self.ins().ishl_imm_u(byte, 8 * k))
            .collect();
        // Ored pairwise, a tree rather than a chain.
        while parts.len() > 1 {
            parts = parts
                .chunks(2)
                .map(|pair| match *pair {
                    [a, b] => self.ins().bor(a, b),
                    _ => pair[0],
                })
                .collect();
        }
        match parts.first() {
            Some(&v) => v,
            None => self.ins().iconst(I64, 0),
        }
    }
}

/// The vector type an operator works on, from its name's prefix.
fn lane_type(op: &Operator<'_>) -> TResult<Type> {
    use Operator::*;
    Ok(match op {
        I8x16Add | I8x16Sub | I8x16Neg | I8x16Abs | I8x16AddSatS | I8x16AddSatU | I8x16SubSatS
        | I8x16SubSatU | I8x16MinS | I8x16MinU | I8x16MaxS | I8x16MaxU | I8x16AvgrU | I8x16Shl
        | I8x16ShrS | I8x16ShrU | I8x16Eq | I8x16Ne | I8x16LtS | I8x16LtU | I8x16GtS | I8x16GtU
        | I8x16LeS | I8x16LeU | I8x16GeS | I8x16GeU => I8X16,
        I16x8Add | I16x8Sub | I16x8Mul | I16x8Neg | I16x8Abs | I16x8AddSatS | I16x8AddSatU
        | I16x8SubSatS | I16x8SubSatU | I16x8MinS | I16x8MinU | I16x8MaxS | I16x8MaxU
        | I16x8AvgrU | I16x8Shl | I16x8ShrS | I16x8ShrU | I16x8Eq | I16x8Ne | I16x8LtS
        | I16x8LtU | I16x8GtS | I16x8GtU | I16x8LeS | I16x8LeU | I16x8GeS | I16x8GeU => I16X8,
        I32x4Add | I32x4Sub | I32x4Mul | I32x4Neg | I32x4Abs | I32x4MinS | I32x4MinU
        | I32x4MaxS | I32x4MaxU | I32x4Shl | I32x4ShrS | I32x4ShrU | I32x4Eq | I32x4Ne
        | I32x4LtS | I32x4LtU | I32x4GtS | I32x4GtU | I32x4LeS | I32x4LeU | I32x4GeS | I32x4GeU => {
            I32X4
        }
        I64x2Add | I64x2Sub | I64x2Mul | I64x2Neg | I64x2Abs | I64x2Shl | I64x2ShrS | I64x2ShrU
        | I64x2Eq | I64x2Ne | I64x2LtS | I64x2GtS | I64x2LeS | I64x2GeS => I64X2,
        F32x4Add | F32x4Sub | F32x4Mul | F32x4Div | F32x4Min | F32x4Max | F32x4PMin | F32x4PMax
        | F32x4RelaxedMin | F32x4RelaxedMax | F32x4RelaxedMadd | F32x4RelaxedNmadd | F32x4Abs
        | F32x4Neg | F32x4Sqrt | F32x4Ceil | F32x4Floor | F32x4Trunc | F32x4Nearest | F32x4Eq
        | F32x4Ne | F32x4Lt | F32x4Gt | F32x4Le | F32x4Ge => F32X4,
        F64x2Add | F64x2Sub | F64x2Mul | F64x2Div | F64x2Min | F64x2Max | F64x2PMin | F64x2PMax
        | F64x2RelaxedMin | F64x2RelaxedMax | F64x2RelaxedMadd | F64x2RelaxedNmadd | F64x2Abs
        | F64x2Neg | F64x2Sqrt | F64x2Ceil | F64x2Floor | F64x2Trunc | F64x2Nearest | F64x2Eq
        | F64x2Ne | F64x2Lt | F64x2Gt | F64x2Le | F64x2Ge => F64X2,
        other => {
            return Err(format!(
                "internal compiler error: no lane type for {other:?}"
            ))
        }
    })
}
