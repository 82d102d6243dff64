//! Wasm types as the runtime and its users see them: value, function, global,
//! memory, table and extern types. Plain data, shared by every layer.

use std::fmt;

/// A WebAssembly value type (WebAssembly 2.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

impl ValType {
    /// Is this a reference type (`funcref` or `externref`)?
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Option<ValType> {
        use wasmparser::ValType as W;
        Some(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => Self::from_ref_type(r)?,
        })
    }

    pub(crate) fn from_ref_type(r: wasmparser::RefType) -> Option<ValType> {
        if r == wasmparser::RefType::FUNCREF {
            Some(ValType::FuncRef)
        } else if r == wasmparser::RefType::EXTERNREF {
            Some(ValType::ExternRef)
        } else {
            None
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A function type: parameter and result types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    params: Box<[ValType]>,
    results: Box<[ValType]>,
}

impl FuncType {
    /// A function type with the given parameters and results.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }

    /// The parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    /// The result types.
    pub fn results(&self) -> &[ValType] {
        &self.results
    }

    /// Number of 16-byte slots the array calling convention needs.
    pub fn slots(&self) -> usize {
        self.params.len().max(self.results.len())
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(func")?;
        for (kw, list) in [("param", &self.params), ("result", &self.results)] {
            if !list.is_empty() {
                write!(f, " ({kw}")?;
                for t in list.iter() {
                    write!(f, " {t}")?;
                }
                write!(f, ")")?;
            }
        }
        write!(f, ")")
    }
}

/// A global's type: content type and mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// A linear memory's type, in 64 KiB pages. `memory64` memories take i64
/// addresses; their limits may exceed 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub minimum: u64,
    pub maximum: Option<u64>,
    pub memory64: bool,
}

/// A table's type: element type (a reference type) and limits in elements.
/// `table64` tables take i64 indices; their limits may exceed 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    pub element: ValType,
    pub minimum: u64,
    pub maximum: Option<u64>,
    pub table64: bool,
}

/// The type of something that can be imported or exported.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExternType {
    Func(FuncType),
    Global(GlobalType),
    Memory(MemoryType),
    Table(TableType),
}

impl ExternType {
    /// A short name for the kind: "func", "global", "memory" or "table".
    pub fn kind_name(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "func",
            ExternType::Global(_) => "global",
            ExternType::Memory(_) => "memory",
            ExternType::Table(_) => "table",
        }
    }
}

/// An import of a module: module name, field name and expected type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportType {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

/// An export of a module: name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportType {
    pub name: String,
    pub ty: ExternType,
}

/// Does a provided limit range `(min, max)` satisfy a required `(min, max)`?
/// (Import subtyping of memories and tables.)
pub(crate) fn limits_match(
    actual_min: u64,
    actual_max: Option<u64>,
    want_min: u64,
    want_max: Option<u64>,
) -> bool {
    actual_min >= want_min
        && match (actual_max, want_max) {
            (_, None) => true,
            (Some(a), Some(w)) => a <= w,
            (None, Some(_)) => false,
        }
}
