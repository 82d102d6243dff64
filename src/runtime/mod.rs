//! The safe Rust API: `Engine`, `Store`, `Module`, `Instance`, `Func`,
//! `Memory`, `Table`, `Global`, `Val`, `Trap`. The C API is built on this,
//! and so are the Rust tests.
//!
//! Objects live in a `Store`; the handles (`Func`, `Memory`, ...) are small
//! `Copy` indices checked against the store they are used with.

mod externals;
mod func;
mod instance;
mod serialize;
mod store;
mod tag;
mod trap;
mod val;

pub use crate::vm::limits::Resource;
pub use externals::{ExternRef, Global, Memory, Table};
pub use func::{Caller, Func, FuncEntry, NativeCallback, TrapResult};
pub use instance::{Extern, Instance, Module};
pub use store::{AsStore, AsStoreMut, Store, StoreData, StoreLimits};
pub use tag::{ExnRef, Tag};
pub use trap::{FrameInfo, Trap, TrapCode};
pub use val::Val;

use std::fmt;

/// Why an operation failed.
#[derive(Debug)]
pub enum Error {
    /// Wasm (or a host function) trapped.
    Trap(Trap),
    /// The bytes are not a valid module (malformed or invalid).
    Invalid(String),
    /// Instantiation could not link the given imports.
    Link(String),
    /// Anything else: wrong arguments, resource limits, unsupported features.
    Other(String),
}

impl Error {
    /// The trap, if this error is one.
    pub fn trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Trap(t) => write!(f, "{t}"),
            Error::Invalid(m) | Error::Link(m) | Error::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<Trap> for Error {
    fn from(t: Trap) -> Self {
        Error::Trap(t)
    }
}
