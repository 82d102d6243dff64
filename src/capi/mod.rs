//! The standard wasm-c-api (`include/wasm.h`) and Craneway's extensions
//! (`include/craneway.h`), one file per object kind.
//!
//! Every function here is a thin layer over the safe runtime: convert the
//! arguments, call `crate::runtime`, convert the result. Nothing here
//! reaches into `crate::vm`. No function may unwind into C: those that can
//! reach user code or the runtime run under `guard`, and a panic becomes the
//! function's error value.
//!
//! Ownership follows the standard's comments, in the Rust types: `Box<T>`
//! for `own T*`, `Option<Box<T>>` for a result that may be NULL, `&T` for a
//! borrowed pointer the standard says is never NULL, `Option<&T>` where NULL
//! is allowed, `&mut MaybeUninit<T>` for an out-parameter.

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod craneway;
pub mod engine;
pub mod externs;
pub mod foreign;
pub mod func;
pub mod global;
pub mod instance;
pub mod limits;
pub mod memory;
pub mod module;
pub mod refs;
pub mod table;
pub mod trap;
pub mod types;
pub mod unchecked;
pub mod val;
pub mod vec;

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into `fallback` (and a message on stderr, since
/// the caller has no other way to learn of it).
pub(crate) fn guard<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    guard_with(|| fallback, f)
}

/// `guard` with a fallback made only when needed (for costly ones, on hot
/// paths).
pub(crate) fn guard_with<T>(fallback: impl FnOnce() -> T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("craneway: internal error: {msg}");
            fallback()
        }
    }
}

/// Declares the delete function of an owned object
/// (the header's `WASM_DECLARE_OWN`).
macro_rules! declare_own {
    ($ty:ty, $delete:ident) => {
        /// Deletes the object; NULL is ignored.
        #[no_mangle]
        pub extern "C" fn $delete(object: Option<Box<$ty>>) {
            $crate::capi::guard((), || drop(object))
        }
    };
}
pub(crate) use declare_own;

/// Declares delete, copy and the vector of a type object
/// (the header's `WASM_DECLARE_TYPE`). The type must be `Clone`.
macro_rules! declare_type {
    ($ty:ident, $delete:ident, $copy:ident,
     $vec:ident, $vnew_empty:ident, $vnew_uninit:ident, $vnew:ident, $vcopy:ident, $vdelete:ident) => {
        $crate::capi::declare_own!($ty, $delete);

        /// Returns a copy of the object (NULL for NULL).
        #[no_mangle]
        pub extern "C" fn $copy(object: Option<&$ty>) -> Option<Box<$ty>> {
            object.map(|o| Box::new(o.clone()))
        }

        $crate::capi::vec::declare_vec!(
            $vec,
            Option<Box<$ty>>,
            $vnew_empty,
            $vnew_uninit,
            $vnew,
            $vcopy,
            $vdelete
        );
    };
}
pub(crate) use declare_type;
