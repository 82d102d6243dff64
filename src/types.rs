//! Wasm types as the runtime and its users see them: value, function, global,
//! memory, table and extern types. Plain data, shared by every layer.

use std::fmt;

/// A WebAssembly value type: a number, a vector, or a reference.
///
/// The common reference types have constants: `ValType::FUNCREF` is
/// `(ref null func)` and `ValType::EXTERNREF` is `(ref null extern)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

/// The engine-wide identity of a defined type (today: a function type).
///
/// Equal types (by the structural, iso-recursive equivalence of the spec)
/// have equal ids within one engine; ids of different engines are
/// unrelated. Modules, host functions and the C API all speak these, never
/// module-local type indices. They come from the types modules and
/// functions report (`Module::imports`, `Func::ty`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EngineTypeId(pub(crate) u32);

impl EngineTypeId {
    /// The id as a number (what `VMFuncRef::type_id` holds).
    pub fn index(self) -> u32 {
        self.0
    }
}

/// The heap type a reference points to.
///
/// Function references: `func` (any function), a concrete function type,
/// and `nofunc` (the bottom type: only null). Likewise `extern`/`noextern`
/// and, for exceptions, `exn`/`noexn`. Garbage collection adds its own
/// hierarchy (`any`, `eq`, `i31`, `struct`, `array`, `none`, concrete
/// struct and array types) as further variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    Func,
    NoFunc,
    Extern,
    NoExtern,
    Exn,
    NoExn,
    /// A function of exactly this type.
    ConcreteFunc(EngineTypeId),
}

impl HeapType {
    /// The top of this type's hierarchy (`func`, `extern` or `exn`).
    pub fn top(self) -> HeapType {
        match self {
            HeapType::Func | HeapType::NoFunc | HeapType::ConcreteFunc(_) => HeapType::Func,
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Exn | HeapType::NoExn => HeapType::Exn,
        }
    }

    /// The bottom of this type's hierarchy (`nofunc`, `noextern`, `noexn`).
    pub fn bottom(self) -> HeapType {
        match self.top() {
            HeapType::Func => HeapType::NoFunc,
            HeapType::Extern => HeapType::NoExtern,
            _ => HeapType::NoExn,
        }
    }

    /// Is this a function heap type (`func`, `nofunc` or concrete)?
    pub fn is_func(self) -> bool {
        self.top() == HeapType::Func
    }

    /// Subtyping: is every reference to `self` also one to `other`?
    /// (Without GC a concrete type has no declared supertypes.)
    pub fn matches(self, other: HeapType) -> bool {
        self == other
            || (self.top() == other.top() && (self == self.bottom() || other == other.top()))
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::NoFunc => f.write_str("nofunc"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::NoExtern => f.write_str("noextern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::ConcreteFunc(id) => write!(f, "$type{}", id.0),
        }
    }
}

/// A reference type: nullability and heap type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    /// `funcref` = `(ref null func)`.
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `externref` = `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `exnref` = `(ref null exn)`.
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);

    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// Subtyping: `(ref $t)` <: `(ref null $t)` <: `funcref`, `nofunc`
    /// below every function type, and so on.
    pub fn matches(self, other: RefType) -> bool {
        (!self.nullable || other.nullable) && self.heap.matches(other.heap)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, h) => write!(f, "(ref null {h})"),
            (false, h) => write!(f, "(ref {h})"),
        }
    }
}

impl ValType {
    /// `funcref` = `(ref null func)`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref` = `(ref null extern)`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref` = `(ref null exn)`.
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

    /// Is this a reference type?
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// The reference type, if this is one.
    pub fn as_ref(self) -> Option<RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Is this a function reference type (of any nullability and heap
    /// type below `func`)?
    pub fn is_func_ref(self) -> bool {
        matches!(self, ValType::Ref(r) if r.heap.is_func())
    }

    /// Is this an external reference type (`extern` or `noextern`)?
    pub fn is_extern_ref(self) -> bool {
        matches!(self, ValType::Ref(r) if r.heap.top() == HeapType::Extern)
    }

    /// Subtyping: can a value of type `self` be used where `other` is
    /// expected? Numbers and vectors match only themselves.
    pub fn matches(self, other: ValType) -> bool {
        match (self, other) {
            (ValType::Ref(a), ValType::Ref(b)) => a.matches(b),
            _ => self == other,
        }
    }

    /// Converts a wasmparser type; `type_id` maps a module-local type
    /// index to its engine-wide id. `None` for types this build does not
    /// implement (garbage collection's).
    pub(crate) fn from_wasmparser(
        ty: wasmparser::ValType,
        type_id: &dyn Fn(u32) -> Option<EngineTypeId>,
    ) -> Option<ValType> {
        use wasmparser::ValType as W;
        Some(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => ValType::Ref(RefType::from_wasmparser(r, type_id)?),
        })
    }
}

impl RefType {
    /// Converts a wasmparser reference type (see `ValType::from_wasmparser`).
    pub(crate) fn from_wasmparser(
        r: wasmparser::RefType,
        type_id: &dyn Fn(u32) -> Option<EngineTypeId>,
    ) -> Option<RefType> {
        use wasmparser::{AbstractHeapType as A, HeapType as W};
        let heap = match r.heap_type() {
            W::Abstract { shared: false, ty } => match ty {
                A::Func => HeapType::Func,
                A::NoFunc => HeapType::NoFunc,
                A::Extern => HeapType::Extern,
                A::NoExtern => HeapType::NoExtern,
                A::Exn => HeapType::Exn,
                A::NoExn => HeapType::NoExn,
                _ => return None,
            },
            W::Concrete(i) => HeapType::ConcreteFunc(type_id(i.as_module_index()?)?),
            W::Exact(_) | W::Abstract { shared: true, .. } => return None,
        };
        Some(RefType::new(r.is_nullable(), heap))
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(r) => r.fmt(f),
        }
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
    /// Always a `ValType::Ref`.
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
    /// An exception tag; the function type gives its parameters (its
    /// results are always empty).
    Tag(FuncType),
}

impl ExternType {
    /// A short name for the kind: "func", "global", "memory", "table" or "tag".
    pub fn kind_name(&self) -> &'static str {
        match self {
            ExternType::Tag(_) => "tag",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_subtyping_follows_the_spec() {
        let t = HeapType::ConcreteFunc(EngineTypeId(3));
        let u = HeapType::ConcreteFunc(EngineTypeId(4));
        let r = |nullable, heap| ValType::Ref(RefType::new(nullable, heap));
        // (ref $t) <: (ref null $t) <: (ref null func) = funcref.
        assert!(r(false, t).matches(r(true, t)));
        assert!(r(true, t).matches(ValType::FUNCREF));
        assert!(r(false, t).matches(r(false, HeapType::Func)));
        assert!(!r(true, t).matches(r(false, t)));
        assert!(!ValType::FUNCREF.matches(r(true, t)));
        // Distinct concrete types are unrelated; nofunc is below both.
        assert!(!r(false, t).matches(r(false, u)));
        assert!(r(false, HeapType::NoFunc).matches(r(false, u)));
        assert!(r(true, HeapType::NoFunc).matches(r(true, t)));
        // The hierarchies are disjoint.
        assert!(!r(true, HeapType::NoExtern).matches(ValType::FUNCREF));
        assert!(r(true, HeapType::NoExtern).matches(ValType::EXTERNREF));
        assert!(!ValType::EXTERNREF.matches(ValType::FUNCREF));
        assert!(r(true, HeapType::NoExn).matches(ValType::EXNREF));
        assert!(!ValType::I32.matches(ValType::I64));
    }

    #[test]
    fn reference_types_print_in_the_text_format() {
        assert_eq!(ValType::FUNCREF.to_string(), "funcref");
        assert_eq!(ValType::EXTERNREF.to_string(), "externref");
        let t = RefType::new(false, HeapType::ConcreteFunc(EngineTypeId(7)));
        assert_eq!(t.to_string(), "(ref $type7)");
        assert_eq!(
            RefType::new(true, HeapType::NoFunc).to_string(),
            "(ref null nofunc)"
        );
        assert_eq!(
            RefType::new(false, HeapType::Func).to_string(),
            "(ref func)"
        );
    }
}
