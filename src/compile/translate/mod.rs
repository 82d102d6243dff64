//! Our translator from wasm operators to Cranelift IR.
//!
//! `FuncTranslator::translate` runs the loop: read an operator, validate it
//! with the function's `FuncValidator`, then translate it. Nothing reaches a
//! translation routine before wasmparser has accepted it, so the routines may
//! rely on the operand stack having the types validation checked.
//!
//! The state of one translation (value stack, control stack, reachability,
//! locals) lives in `Translator` (`state.rs`). The operators are split into
//! families, one file each, and each family's entry point returns
//! `Ok(false)` for an operator it does not own:
//!
//! | file | owns |
//! |---|---|
//! | `control.rs` | block, loop, if/else, end, br, br_if, br_table, return, unreachable, nop, drop, select, and dead code |
//! | `variables.rs` | local.get/set/tee, global.get/set |
//! | `numeric.rs` | scalar i32/i64/f32/f64 constants, arithmetic, comparisons, conversions |
//! | `memory.rs` | scalar loads and stores, bounds checks, memory.size/grow/copy/fill/init, data.drop |
//! | `table.rs` | table.get/set/size/grow/copy/fill/init, elem.drop, ref.null/is_null/func |
//! | `calls.rs` | call, call_indirect, return_call, return_call_indirect |
//! | `exceptions.rs` | throw, throw_ref, try_table, legacy try/catch/catch_all/rethrow/delegate |
//! | `refs.rs` | call_ref, return_call_ref, ref.as_non_null, br_on_null, br_on_non_null |
//! | `simd.rs` | every v128 operator, its loads and stores included |
//!
//! Reachability is decided in one place: while the current code is dead,
//! `control::translate_unreachable` sees every operator and only tracks
//! block nesting.

mod calls;
mod control;
mod epoch;
mod exceptions;
mod fuel;
mod memory;
mod numeric;
mod refs;
mod simd;
mod state;
mod table;
mod variables;

pub use state::Translator;

use super::func_env::FuncEnv;
use crate::module::ModuleInfo;
use crate::vm::vmcontext::VMOffsets;
use cranelift_codegen::ir;
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmparser::{FuncValidator, FunctionBody, Operator, ValidatorResources};

/// The result of a translation routine; errors are messages users see.
pub type TResult<T = ()> = Result<T, String>;

/// Reusable allocations for translating many functions on one thread.
#[derive(Default)]
pub struct FuncTranslator {
    builder_ctx: FunctionBuilderContext,
}

/// What a function translation needs to know about its module and engine.
pub struct TranslateInput<'a> {
    pub isa: &'a dyn TargetIsa,
    pub info: &'a ModuleInfo,
    pub offsets: &'a VMOffsets,
    /// (guard size, reservation) of linear memories.
    pub memory: (u64, u64),
    /// Index of the function in the module's function index space.
    pub index: u32,
    /// Epoch deadline checks and fuel accounting.
    pub checks: crate::compile::Checks,
}

impl FuncTranslator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Translates one function body into `func` (whose signature and name
    /// are already set), validating every operator before it is translated.
    pub fn translate(
        &mut self,
        input: &TranslateInput<'_>,
        validator: &mut FuncValidator<ValidatorResources>,
        body: &FunctionBody<'_>,
        func: &mut ir::Function,
    ) -> TResult {
        let err = |e: wasmparser::BinaryReaderError| e.to_string();
        let builder = FunctionBuilder::new(func, &mut self.builder_ctx);
        let env = FuncEnv::new(input.isa, input.info, input.offsets, input.memory);
        let ty = input.info.func_type(input.index);
        let mut t = Translator::new(builder, env, ty);

        // Locals: validated and declared, zero-initialised after the params.
        let mut locals = body.get_locals_reader().map_err(err)?;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, ty) = locals.read().map_err(err)?;
            validator.define_locals(offset, count, ty).map_err(err)?;
            let ty = input
                .info
                .val_type(ty)
                .ok_or_else(|| format!("unsupported local type {ty:?}"))?;
            t.declare_locals(count, ty)?;
        }

        let mut ops = body.get_operators_reader().map_err(err)?;
        // The entry checks stand at the first operator: Cranelift may fold
        // a trap right after a check into the check's branch, which then
        // gives the trap its location.
        t.set_srcloc(ops.original_position());
        if input.checks.epoch_interruption {
            t.epoch_start();
        }
        if input.checks.consume_fuel {
            t.fuel_start();
        }
        while !ops.eof() {
            let (op, offset) = ops.read_with_offset().map_err(err)?;
            validator.op(offset, &op).map_err(err)?;
            t.set_srcloc(offset);
            t.translate_operator(&op)?;
        }
        // The reader tracks block nesting itself: this fails a body that
        // does not end with the `end` of the function's block.
        ops.finish().map_err(err)?;
        t.finish(input.isa)
    }
}

impl Translator<'_> {
    /// Translates one validated operator.
    fn translate_operator(&mut self, op: &Operator<'_>) -> TResult {
        if !self.reachable {
            return self.translate_unreachable(op);
        }
        self.fuel_before(op);
        let handled = self.translate_control(op)?
            || self.translate_variable(op)?
            || self.translate_numeric(op)?
            || self.translate_memory(op)?
            || self.translate_table(op)?
            || self.translate_call(op)?
            || self.translate_exception(op)?
            || self.translate_ref(op)?
            || self.translate_simd(op)?;
        if handled {
            self.fuel_after(op);
            Ok(())
        } else {
            Err(format!(
                "internal compiler error: no translation for {op:?}"
            ))
        }
    }
}
