//! Re-exports Wasmtime's C API (`wasmtime-c-api-impl`) so that this crate's
//! cdylib/staticlib carries all of its `#[no_mangle]` functions, the way
//! Wasmtime's own C API artifact is built.
pub use wasmtime_c_api::*;
