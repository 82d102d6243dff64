//! Scalar numeric operators: i32/i64/f32/f64 constants, arithmetic,
//! bit operations, comparisons, conversions (trapping and saturating),
//! reinterpretations and sign extensions.
//!
//! Each wasm operator maps onto one or two Cranelift instructions whose
//! semantics already are wasm's:
//! * shifts (`ishl`/`sshr`/`ushr`) mask the count to the bit width, and
//!   rotates are modular by nature;
//! * `udiv`/`urem`/`sdiv`/`srem` trap on a zero divisor
//!   (`INTEGER_DIVISION_BY_ZERO`), `sdiv` on `MIN / -1` (`INTEGER_OVERFLOW`),
//!   while `srem` of `MIN` by `-1` gives 0 (the x64 backend checks for `-1`);
//! * `fcvt_to_sint`/`fcvt_to_uint` trap on NaN (`BAD_CONVERSION_TO_INTEGER`)
//!   and out of range (`INTEGER_OVERFLOW`); the `_sat` forms saturate;
//! * `fmin`/`fmax` propagate NaN and order -0 below +0, as wasm requires;
//! * `fcopysign` is a pure bit operation, also with a load operand.
//!
//! Comparisons yield an `i8` in Cranelift, widened to wasm's i32 0 or 1.

use super::{TResult, Translator};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee32, Ieee64};
use cranelift_codegen::ir::{types::*, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FuncInstBuilder;
use wasmparser::Operator;

/// Builds one instruction from one operand.
type Unary = for<'b, 'f> fn(FuncInstBuilder<'b, 'f>, Value) -> Value;
/// Builds one instruction from two operands (the first pushed first).
type Binary = for<'b, 'f> fn(FuncInstBuilder<'b, 'f>, Value, Value) -> Value;

impl Translator<'_> {
    /// Translates `op` if it is a scalar numeric operator.
    pub fn translate_numeric(&mut self, op: &Operator<'_>) -> TResult<bool> {
        use Operator::*;
        match *op {
            // ---- constants (bit patterns kept exactly, NaN payloads too) ----
            I32Const { value } => {
                // Narrow `iconst` immediates are zero-extended in Cranelift.
                let v = self.ins().iconst(I32, i64::from(value as u32));
                self.push1(v);
            }
            I64Const { value } => {
                let v = self.ins().iconst(I64, value);
                self.push1(v);
            }
            F32Const { value } => {
                let v = self.ins().f32const(Ieee32::with_bits(value.bits()));
                self.push1(v);
            }
            F64Const { value } => {
                let v = self.ins().f64const(Ieee64::with_bits(value.bits()));
                self.push1(v);
            }

            // ---- integer comparisons ----
            I32Eqz | I64Eqz => {
                let a = self.pop1();
                let b = self.ins().icmp_imm_u(IntCC::Equal, a, 0);
                let v = self.bool_to_i32(b);
                self.push1(v);
            }
            I32Eq | I64Eq => self.icmp(IntCC::Equal),
            I32Ne | I64Ne => self.icmp(IntCC::NotEqual),
            I32LtS | I64LtS => self.icmp(IntCC::SignedLessThan),
            I32LtU | I64LtU => self.icmp(IntCC::UnsignedLessThan),
            I32GtS | I64GtS => self.icmp(IntCC::SignedGreaterThan),
            I32GtU | I64GtU => self.icmp(IntCC::UnsignedGreaterThan),
            I32LeS | I64LeS => self.icmp(IntCC::SignedLessThanOrEqual),
            I32LeU | I64LeU => self.icmp(IntCC::UnsignedLessThanOrEqual),
            I32GeS | I64GeS => self.icmp(IntCC::SignedGreaterThanOrEqual),
            I32GeU | I64GeU => self.icmp(IntCC::UnsignedGreaterThanOrEqual),

            // ---- float comparisons (only `ne` is true on NaN) ----
            F32Eq | F64Eq => self.fcmp(FloatCC::Equal),
            F32Ne | F64Ne => self.fcmp(FloatCC::NotEqual),
            F32Lt | F64Lt => self.fcmp(FloatCC::LessThan),
            F32Gt | F64Gt => self.fcmp(FloatCC::GreaterThan),
            F32Le | F64Le => self.fcmp(FloatCC::LessThanOrEqual),
            F32Ge | F64Ge => self.fcmp(FloatCC::GreaterThanOrEqual),

            // ---- integer arithmetic and bit operations ----
            I32Clz | I64Clz => self.unop(|b, x| b.clz(x)),
            I32Ctz | I64Ctz => self.unop(|b, x| b.ctz(x)),
            I32Popcnt | I64Popcnt => self.unop(|b, x| b.popcnt(x)),
            I32Add | I64Add => self.binop(|b, x, y| b.iadd(x, y)),
            I32Sub | I64Sub => self.binop(|b, x, y| b.isub(x, y)),
            I32Mul | I64Mul => self.binop(|b, x, y| b.imul(x, y)),
            I32DivS | I64DivS => self.binop(|b, x, y| b.sdiv(x, y)),
            I32DivU | I64DivU => self.binop(|b, x, y| b.udiv(x, y)),
            I32RemS | I64RemS => self.binop(|b, x, y| b.srem(x, y)),
            I32RemU | I64RemU => self.binop(|b, x, y| b.urem(x, y)),
            I32And | I64And => self.binop(|b, x, y| b.band(x, y)),
            I32Or | I64Or => self.binop(|b, x, y| b.bor(x, y)),
            I32Xor | I64Xor => self.binop(|b, x, y| b.bxor(x, y)),
            I32Shl | I64Shl => self.binop(|b, x, y| b.ishl(x, y)),
            I32ShrS | I64ShrS => self.binop(|b, x, y| b.sshr(x, y)),
            I32ShrU | I64ShrU => self.binop(|b, x, y| b.ushr(x, y)),
            I32Rotl | I64Rotl => self.binop(|b, x, y| b.rotl(x, y)),
            I32Rotr | I64Rotr => self.binop(|b, x, y| b.rotr(x, y)),

            // ---- float arithmetic ----
            F32Abs | F64Abs => self.unop(|b, x| b.fabs(x)),
            F32Neg | F64Neg => self.unop(|b, x| b.fneg(x)),
            F32Ceil | F64Ceil => self.unop(|b, x| b.ceil(x)),
            F32Floor | F64Floor => self.unop(|b, x| b.floor(x)),
            F32Trunc | F64Trunc => self.unop(|b, x| b.trunc(x)),
            F32Nearest | F64Nearest => self.unop(|b, x| b.nearest(x)),
            F32Sqrt | F64Sqrt => self.unop(|b, x| b.sqrt(x)),
            F32Add | F64Add => self.binop(|b, x, y| b.fadd(x, y)),
            F32Sub | F64Sub => self.binop(|b, x, y| b.fsub(x, y)),
            F32Mul | F64Mul => self.binop(|b, x, y| b.fmul(x, y)),
            F32Div | F64Div => self.binop(|b, x, y| b.fdiv(x, y)),
            F32Min | F64Min => self.binop(|b, x, y| b.fmin(x, y)),
            F32Max | F64Max => self.binop(|b, x, y| b.fmax(x, y)),
            F32Copysign | F64Copysign => self.binop(|b, x, y| b.fcopysign(x, y)),

            // ---- integer width changes ----
            I32WrapI64 => self.unop(|b, x| b.ireduce(I32, x)),
            I64ExtendI32S => self.unop(|b, x| b.sextend(I64, x)),
            I64ExtendI32U => self.unop(|b, x| b.uextend(I64, x)),
            I32Extend8S => self.sign_extend(I8, I32),
            I32Extend16S => self.sign_extend(I16, I32),
            I64Extend8S => self.sign_extend(I8, I64),
            I64Extend16S => self.sign_extend(I16, I64),
            I64Extend32S => self.sign_extend(I32, I64),

            // ---- float to integer, trapping ----
            I32TruncF32S | I32TruncF64S => self.unop(|b, x| b.fcvt_to_sint(I32, x)),
            I32TruncF32U | I32TruncF64U => self.unop(|b, x| b.fcvt_to_uint(I32, x)),
            I64TruncF32S | I64TruncF64S => self.unop(|b, x| b.fcvt_to_sint(I64, x)),
            I64TruncF32U | I64TruncF64U => self.unop(|b, x| b.fcvt_to_uint(I64, x)),

            // ---- float to integer, saturating (NaN gives 0) ----
            I32TruncSatF32S | I32TruncSatF64S => self.unop(|b, x| b.fcvt_to_sint_sat(I32, x)),
            I32TruncSatF32U | I32TruncSatF64U => self.unop(|b, x| b.fcvt_to_uint_sat(I32, x)),
            I64TruncSatF32S | I64TruncSatF64S => self.unop(|b, x| b.fcvt_to_sint_sat(I64, x)),
            I64TruncSatF32U | I64TruncSatF64U => self.unop(|b, x| b.fcvt_to_uint_sat(I64, x)),

            // ---- integer to float, and float widths ----
            F32ConvertI32S | F32ConvertI64S => self.unop(|b, x| b.fcvt_from_sint(F32, x)),
            F32ConvertI32U | F32ConvertI64U => self.unop(|b, x| b.fcvt_from_uint(F32, x)),
            F64ConvertI32S | F64ConvertI64S => self.unop(|b, x| b.fcvt_from_sint(F64, x)),
            F64ConvertI32U | F64ConvertI64U => self.unop(|b, x| b.fcvt_from_uint(F64, x)),
            F32DemoteF64 => self.unop(|b, x| b.fdemote(F32, x)),
            F64PromoteF32 => self.unop(|b, x| b.fpromote(F64, x)),

            // ---- reinterpretations: the same bits, another type ----
            I32ReinterpretF32 => self.reinterpret(I32),
            I64ReinterpretF64 => self.reinterpret(I64),
            F32ReinterpretI32 => self.reinterpret(F32),
            F64ReinterpretI64 => self.reinterpret(F64),

            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Replaces the top operand `x` with `f(x)`.
    fn unop(&mut self, f: Unary) {
        let x = self.pop1();
        let v = f(self.ins(), x);
        self.push1(v);
    }

    /// Replaces the top two operands `x y` with `f(x, y)`.
    fn binop(&mut self, f: Binary) {
        let (x, y) = self.pop2();
        let v = f(self.ins(), x, y);
        self.push1(v);
    }

    /// Integer comparison of the top two operands, as an i32 0 or 1.
    fn icmp(&mut self, cc: IntCC) {
        let (x, y) = self.pop2();
        let b = self.ins().icmp(cc, x, y);
        let v = self.bool_to_i32(b);
        self.push1(v);
    }

    /// Float comparison of the top two operands, as an i32 0 or 1.
    fn fcmp(&mut self, cc: FloatCC) {
        let (x, y) = self.pop2();
        let b = self.ins().fcmp(cc, x, y);
        let v = self.bool_to_i32(b);
        self.push1(v);
    }

    /// Sign-extends the low `from` bits of the top operand to `to`.
    fn sign_extend(&mut self, from: Type, to: Type) {
        let x = self.pop1();
        let low = self.ins().ireduce(from, x);
        let v = self.ins().sextend(to, low);
        self.push1(v);
    }

    /// Reinterprets the bits of the top operand as type `to`.
    fn reinterpret(&mut self, to: Type) {
        let x = self.pop1();
        let v = self.ins().bitcast(to, MemFlagsData::new(), x);
        self.push1(v);
    }
}
