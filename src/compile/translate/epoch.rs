//! Epoch interruption (`Config::epoch_interruption`): at the function's
//! entry and at every loop header, the engine's epoch is compared with the
//! store's deadline; once it has reached it, a builtin asks the store's
//! callback, which moves the deadline or makes the code trap as
//! interrupted.
//!
//! The deadline is read into a variable at the entry and again after the
//! builtin, so a check is one load (of the epoch, which other threads
//! advance) and a compare. A deadline moved while this function was
//! suspended in a call (by a callee's callback or the host) is seen at the
//! next check that reaches the old one: the builtin finds the epoch below
//! the new deadline and returns, and the variable is read anew.

use super::Translator;
use crate::vm::traps::TRAP_INTERRUPT;
use crate::vm::vmcontext::{self as vmc, Builtin};
use cranelift_codegen::ir::{condcodes::IntCC, types::I64, InstBuilder, MemFlagsData};

impl Translator<'_> {
    /// At the function's entry: reads the deadline and checks it.
    pub fn epoch_start(&mut self) {
        let var = self.builder.declare_var(I64);
        self.epoch_deadline = Some(var);
        self.epoch_load_deadline();
        self.epoch_check();
    }

    /// Reads the store's deadline into the variable.
    fn epoch_load_deadline(&mut self) {
        let Some(var) = self.epoch_deadline else {
            return;
        };
        let ctx = self.store_ctx();
        let deadline = self.ins().load(
            I64,
            MemFlagsData::trusted(),
            ctx,
            vmc::STORE_CTX_EPOCH_DEADLINE,
        );
        self.builder.def_var(var, deadline);
    }

    /// Calls the builtin if the epoch has reached the deadline (nothing
    /// when epoch interruption is off). The slow path's call also keeps
    /// Cranelift from reusing an earlier load of the epoch.
    pub fn epoch_check(&mut self) {
        let Some(var) = self.epoch_deadline else {
            return;
        };
        let ctx = self.store_ctx();
        let invariant = MemFlagsData::trusted().with_readonly().with_can_move();
        let epoch = self.ins().load(I64, invariant, ctx, vmc::STORE_CTX_EPOCH);
        let now = self.ins().load(I64, MemFlagsData::trusted(), epoch, 0);
        let deadline = self.builder.use_var(var);
        let reached = self
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, now, deadline);
        let slow = self.builder.create_block();
        let cont = self.builder.create_block();
        self.builder.set_cold_block(slow);
        self.ins().brif(reached, slow, &[], cont, &[]);
        self.builder.switch_to_block(slow);
        self.builder.seal_block(slow);
        self.env.call_checked_builtin(
            &mut self.builder,
            Builtin::EpochDeadline,
            &[],
            TRAP_INTERRUPT,
        );
        self.epoch_load_deadline();
        self.ins().jump(cont, &[]);
        self.builder.switch_to_block(cont);
        self.builder.seal_block(cont);
    }
}
