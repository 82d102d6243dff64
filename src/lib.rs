//! Craneway: a WebAssembly runtime for C and C++ programs.
//!
//! wasmparser validates, Cranelift compiles to native code, and a small VM
//! (`vm`) runs it. The safe Rust API (`runtime`) is what the C API and the
//! tests use.

pub mod capi;
mod compile;
mod engine;
mod module;
mod runtime;
mod types;
mod vm;

pub use engine::{
    Config, CpuFeatures, Engine, OptLevel, DEFAULT_FEATURES, SUPPORTED_FEATURES, WASM3_FEATURES,
};
pub use runtime::*;
pub use types::{
    EngineTypeId, ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, MemoryType,
    RefType, TableType, ValType,
};
pub use vm::vmcontext::ValRaw;
pub use wasmparser::WasmFeatures;
