//! Fuel (`Config::consume_fuel`): every operator has a cost, and code that
//! has used up its store's fuel traps.
//!
//! The store context holds the fuel consumed as a negative count that rises
//! towards 0 (`VMStoreContext::fuel`: minus the fuel left). A function keeps
//! it in a variable: costs of straight-line operators are summed at compile
//! time and added once before the next operator that branches, calls or
//! returns. The variable goes back to the store context before every call
//! (the callee continues from it), return and throw, and is read again
//! after a call and where a handler catches an exception. At the function's
//! entry and at every loop header, a count that reached 0 traps with "all
//! fuel consumed": a loop cannot run on without fuel, and code between two
//! checks (straight-line, so of bounded size) may overrun by at most its
//! cost. The count after such a trap is 0 or more, so the fuel left reads 0.

use super::Translator;
use crate::vm::traps::TRAP_OUT_OF_FUEL;
use crate::vm::vmcontext as vmc;
use cranelift_codegen::ir::{condcodes::IntCC, types::I64, InstBuilder, MemFlagsData};
use wasmparser::Operator;

/// The fuel an operator costs: nothing for those that do no work of their
/// own (`nop`, `drop`, the structure of blocks and `unreachable`, which
/// ends the call), 1 for every other.
pub fn fuel_cost(op: &Operator<'_>) -> u64 {
    match op {
        Operator::Nop
        | Operator::Drop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Else
        | Operator::End
        | Operator::TryTable { .. }
        | Operator::Try { .. }
        | Operator::Catch { .. }
        | Operator::CatchAll
        | Operator::Delegate { .. }
        | Operator::Unreachable => 0,
        _ => 1,
    }
}

/// Operators that call, so the callee must see the count and this
/// function must read it back after.
fn calls(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
            | Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::Rethrow { .. }
    )
}

/// Operators after which the code goes on straight, in the same block.
fn straight_line(op: &Operator<'_>) -> bool {
    !calls(op)
        && !matches!(
            op,
            Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::Else
                | Operator::End
                | Operator::Br { .. }
                | Operator::BrIf { .. }
                | Operator::BrTable { .. }
                | Operator::BrOnNull { .. }
                | Operator::BrOnNonNull { .. }
                | Operator::Return
                | Operator::TryTable { .. }
                | Operator::Try { .. }
                | Operator::Catch { .. }
                | Operator::CatchAll
                | Operator::Delegate { .. }
        )
}

impl Translator<'_> {
    /// At the function's entry: reads the count and checks it.
    pub fn fuel_start(&mut self) {
        let var = self.builder.declare_var(I64);
        self.fuel = Some(var);
        self.fuel_load();
        self.fuel_check();
    }

    /// Before `op` (reachable): counts its cost, and adds up what is
    /// pending before an operator that leaves the straight line; stores
    /// the count before a call.
    pub fn fuel_before(&mut self, op: &Operator<'_>) {
        if self.fuel.is_none() {
            return;
        }
        self.fuel_pending += fuel_cost(op);
        if !straight_line(op) {
            self.fuel_flush();
        }
        if calls(op) {
            self.fuel_save();
        }
    }

    /// After `op`: a call that returns here reads the count back.
    pub fn fuel_after(&mut self, op: &Operator<'_>) {
        if self.fuel.is_some() && self.reachable && calls(op) {
            self.fuel_load();
        }
    }

    /// Adds the pending cost to the count.
    fn fuel_flush(&mut self) {
        let Some(var) = self.fuel else { return };
        if self.fuel_pending == 0 {
            return;
        }
        let pending = self.fuel_pending as i64;
        self.fuel_pending = 0;
        let count = self.builder.use_var(var);
        let count = self.ins().iadd_imm_s(count, pending);
        self.builder.def_var(var, count);
    }

    /// Writes the count (with what is pending) to the store context: before
    /// calls, returns and throws.
    pub fn fuel_save(&mut self) {
        let Some(var) = self.fuel else { return };
        self.fuel_flush();
        let ctx = self.store_ctx();
        let count = self.builder.use_var(var);
        self.ins()
            .store(MemFlagsData::trusted(), count, ctx, vmc::STORE_CTX_FUEL);
    }

    /// Reads the count from the store context: at entry, after a call, and
    /// where a handler catches an exception (the code that threw consumed
    /// fuel this function's variable does not know of).
    pub fn fuel_load(&mut self) {
        let Some(var) = self.fuel else { return };
        let ctx = self.store_ctx();
        let count = self
            .ins()
            .load(I64, MemFlagsData::trusted(), ctx, vmc::STORE_CTX_FUEL);
        self.builder.def_var(var, count);
    }

    /// Traps as out of fuel if the count reached 0 (at the function's
    /// entry and at loop headers; what is pending is added first).
    pub fn fuel_check(&mut self) {
        let Some(var) = self.fuel else { return };
        self.fuel_flush();
        let count = self.builder.use_var(var);
        let out = self
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, count, 0);
        let slow = self.builder.create_block();
        let cont = self.builder.create_block();
        self.builder.set_cold_block(slow);
        self.ins().brif(out, slow, &[], cont, &[]);
        self.builder.switch_to_block(slow);
        self.builder.seal_block(slow);
        // The store context gets the count, so the fuel left reads 0.
        self.fuel_save();
        self.ins().trap(TRAP_OUT_OF_FUEL);
        self.builder.switch_to_block(cont);
        self.builder.seal_block(cont);
    }

    /// The store context pointer (invariant for the instance).
    pub(super) fn store_ctx(&mut self) -> cranelift_codegen::ir::Value {
        let vmctx = crate::compile::func_env::FuncEnv::vmctx(&self.builder);
        self.ins().load(
            I64,
            MemFlagsData::trusted().with_readonly().with_can_move(),
            vmctx,
            vmc::VMCTX_STORE_CTX,
        )
    }
}
