//! The VM: memory layouts compiled code relies on, executable memory, linear
//! memories and tables, instances, builtins, and trap handling.
//!
//! Everything `unsafe` about running compiled code lives here. The VM knows
//! nothing of the C API; the safe runtime (`crate::runtime`) drives it.

pub mod code_memory;
pub mod entry;
pub mod instance;
pub mod libcalls;
pub mod limits;
pub mod memory;
pub mod throw;
pub mod traps;
pub mod vmcontext;
