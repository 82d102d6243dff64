//! Type objects: value, function, global, table, memory and extern types,
//! and the import and export types of modules (the "Type Representations"
//! section of `wasm.h`).
//!
//! The four kinds of extern type share one layout: each of
//! `wasm_functype_t`, `wasm_globaltype_t`, `wasm_tabletype_t` and
//! `wasm_memorytype_t` is a transparent wrapper of `wasm_externtype_t`, whose
//! enum says which kind it holds. The `*_as_*` casts therefore return the
//! very object they are given, with no allocation. Everything an accessor
//! hands out by pointer (parameter and result vectors, a global's content
//! type, limits) lives inside the object, so it stays valid as long as the
//! object does.
//!
//! Every pointer argument may be NULL: a function given NULL returns NULL,
//! 0 or false, and one that takes ownership of several things frees all of
//! them when it fails.

use super::vec::{name, wasm_name_t, WasmVec};
use crate::types::{
    ExportType, ExternType, FuncType, GlobalType, HeapType, ImportType, MemoryType, TableType,
    ValType,
};

// ---------------------------------------------------------------------------
// Constants and limits
// ---------------------------------------------------------------------------

/// The kind of a value type (one of the `WASM_I32` ... constants).
pub type wasm_valkind_t = u8;
/// A global's mutability: `WASM_CONST` or `WASM_VAR`.
pub type wasm_mutability_t = u8;
/// The kind of an extern type (one of the `WASM_EXTERN_*` constants).
pub type wasm_externkind_t = u8;

pub const WASM_I32: wasm_valkind_t = 0;
pub const WASM_I64: wasm_valkind_t = 1;
pub const WASM_F32: wasm_valkind_t = 2;
pub const WASM_F64: wasm_valkind_t = 3;
/// Craneway's extension: the 128-bit vector type.
pub const WASM_V128: wasm_valkind_t = 4;
pub const WASM_EXTERNREF: wasm_valkind_t = 128;
pub const WASM_FUNCREF: wasm_valkind_t = 129;

pub const WASM_CONST: wasm_mutability_t = 0;
pub const WASM_VAR: wasm_mutability_t = 1;

pub const WASM_EXTERN_FUNC: wasm_externkind_t = 0;
pub const WASM_EXTERN_GLOBAL: wasm_externkind_t = 1;
pub const WASM_EXTERN_TABLE: wasm_externkind_t = 2;
pub const WASM_EXTERN_MEMORY: wasm_externkind_t = 3;

/// The `max` of a `wasm_limits_t` that has no maximum.
#[allow(non_upper_case_globals)]
pub const wasm_limits_max_default: u32 = 0xffff_ffff;

/// The size range of a table (in elements) or a memory (in 64 KiB pages).
/// `max == wasm_limits_max_default` means there is no maximum.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct wasm_limits_t {
    pub min: u32,
    pub max: u32,
}

const _: () = {
    assert!(std::mem::size_of::<wasm_limits_t>() == 8);
    assert!(std::mem::align_of::<wasm_limits_t>() == 4);
    assert!(std::mem::offset_of!(wasm_limits_t, min) == 0);
    assert!(std::mem::offset_of!(wasm_limits_t, max) == 4);
};

/// The C limits for a runtime range. Values beyond 32 bits (64-bit memories
/// and tables) saturate to `UINT32_MAX`, which for `max` reads as "no
/// maximum": wasm.h cannot say more, `craneway_*type_limits64` can.
pub(crate) fn limits(min: u64, max: Option<u64>) -> wasm_limits_t {
    let sat = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    wasm_limits_t {
        min: sat(min),
        max: max.map_or(wasm_limits_max_default, sat),
    }
}

/// The runtime range `(min, max)` for C limits (the inverse of `limits`).
pub(crate) fn limits_range(l: &wasm_limits_t) -> (u64, Option<u64>) {
    let max = if l.max == wasm_limits_max_default {
        None
    } else {
        Some(l.max.into())
    };
    (l.min.into(), max)
}

/// The runtime range for 64-bit C limits: `max == UINT64_MAX` is no maximum.
fn limits64_range(min: u64, max: u64) -> (u64, Option<u64>) {
    (min, (max != u64::MAX).then_some(max))
}

/// The C kind of a value type.
///
/// Deviation from the standard: wasm.h knows only `funcref` and
/// `externref`, so every function reference type (typed ones such as
/// `(ref $t)` and `(ref nofunc)`, nullable or not) reports `WASM_FUNCREF`
/// and every external one (`(ref extern)`, `(ref null noextern)`)
/// `WASM_EXTERNREF`. The value type object keeps the precise type, and
/// values crossing the C API are checked against it (a NULL for a
/// non-nullable reference or a function of the wrong type is refused);
/// `craneway_valtype_is_nullable` and `craneway_valtype_is_typed_ref` tell
/// a C user the rest.
/// Exception references (`exnref`, `(ref exn)`, `(ref null noexn)`) have
/// the kind `CRANEWAY_EXNREF` (craneway.h), which wasm.h lacks.
pub(crate) fn valkind(ty: ValType) -> wasm_valkind_t {
    match ty {
        ValType::I32 => WASM_I32,
        ValType::I64 => WASM_I64,
        ValType::F32 => WASM_F32,
        ValType::F64 => WASM_F64,
        ValType::V128 => WASM_V128,
        ValType::Ref(r) if r.heap.is_func() => WASM_FUNCREF,
        ValType::Ref(r) if r.heap.top() == HeapType::Exn => super::craneway::CRANEWAY_EXNREF,
        ValType::Ref(_) => WASM_EXTERNREF,
    }
}

/// The value type of a C kind, or `None` if the kind is unknown.
pub(crate) fn valtype_from_kind(kind: wasm_valkind_t) -> Option<ValType> {
    Some(match kind {
        WASM_I32 => ValType::I32,
        WASM_I64 => ValType::I64,
        WASM_F32 => ValType::F32,
        WASM_F64 => ValType::F64,
        WASM_V128 => ValType::V128,
        WASM_EXTERNREF => ValType::EXTERNREF,
        WASM_FUNCREF => ValType::FUNCREF,
        super::craneway::CRANEWAY_EXNREF => ValType::EXNREF,
        _ => return None,
    })
}

/// A vector owned by a type object and lent to C by pointer. Unlike a bare
/// `WasmVec`, it frees its elements when dropped and copies them when
/// cloned.
struct OwnedVec<T>(WasmVec<T>);

impl<T> OwnedVec<T> {
    fn new(v: Vec<T>) -> Self {
        OwnedVec(WasmVec::from_vec(v))
    }

    /// Takes the contents of a vector the caller owns, leaving it empty.
    ///
    /// # Safety
    /// `v` must have been allocated by this crate (as all vectors are).
    unsafe fn take_from(v: &mut WasmVec<T>) -> Self {
        OwnedVec::new(v.take())
    }
}

impl<T> Drop for OwnedVec<T> {
    fn drop(&mut self) {
        // SAFETY: the vector was made by `WasmVec::from_vec` in `new`.
        drop(unsafe { self.0.take() });
    }
}

impl<T: Clone> Clone for OwnedVec<T> {
    fn clone(&self) -> Self {
        OwnedVec::new(self.0.to_vec())
    }
}

// SAFETY: an `OwnedVec` is the sole owner of its elements, like a `Box<[T]>`;
// C gets only const pointers to it.
unsafe impl<T: Send> Send for OwnedVec<T> {}
unsafe impl<T: Sync> Sync for OwnedVec<T> {}

// ---------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------

/// A value type.
#[derive(Clone)]
pub struct wasm_valtype_t {
    ty: ValType,
}

impl wasm_valtype_t {
    pub(crate) fn new(ty: ValType) -> Box<wasm_valtype_t> {
        Box::new(wasm_valtype_t { ty })
    }

    #[cfg_attr(not(test), allow(dead_code))] // the inverse of `new`; tests use it
    pub(crate) fn ty(&self) -> ValType {
        self.ty
    }
}

super::declare_type!(
    wasm_valtype_t,
    wasm_valtype_delete,
    wasm_valtype_copy,
    wasm_valtype_vec_t,
    wasm_valtype_vec_new_empty,
    wasm_valtype_vec_new_uninitialized,
    wasm_valtype_vec_new,
    wasm_valtype_vec_copy,
    wasm_valtype_vec_delete
);

/// Creates a value type of kind `kind` (a `WASM_I32` ... constant); the
/// caller owns it. Returns NULL if `kind` is not a known kind.
#[no_mangle]
pub extern "C" fn wasm_valtype_new(kind: wasm_valkind_t) -> Option<Box<wasm_valtype_t>> {
    valtype_from_kind(kind).map(wasm_valtype_t::new)
}

/// Returns the kind of value type `ty`, or 0 if `ty` is NULL. Every
/// function reference type (`funcref`, `(ref $t)`, `(ref null nofunc)`,
/// ...) is `WASM_FUNCREF`, every external one `WASM_EXTERNREF` and every
/// exception one (`exnref`, `(ref exn)`, ...) `CRANEWAY_EXNREF`; see
/// `craneway_valtype_is_nullable`.
#[no_mangle]
pub extern "C" fn wasm_valtype_kind(ty: Option<&wasm_valtype_t>) -> wasm_valkind_t {
    ty.map_or(0, |t| valkind(t.ty))
}

/// Returns true if `ty` is a reference type that admits NULL (`funcref`,
/// `externref`, `(ref null $t)`); false for a non-nullable reference type
/// such as `(ref $t)` (a NULL value of it is refused wherever a value
/// crosses the C API), for a number or vector type, and if `ty` is NULL.
#[no_mangle]
pub extern "C" fn craneway_valtype_is_nullable(ty: Option<&wasm_valtype_t>) -> bool {
    ty.and_then(|t| t.ty.as_ref()).is_some_and(|r| r.nullable)
}

/// Returns true if `ty` is a typed reference type: a reference type other
/// than `funcref`, `externref` and `exnref` (for example `(ref $t)`,
/// `(ref func)`, `(ref null nofunc)` or `(ref exn)`), whose values are
/// only some of the values of its kind. Values passed where such a type is
/// expected are checked by the checked calls; the unchecked (raw) calls
/// trust the caller to pass values of the exact type. Returns false for
/// every other type and if `ty` is NULL.
#[no_mangle]
pub extern "C" fn craneway_valtype_is_typed_ref(ty: Option<&wasm_valtype_t>) -> bool {
    ty.is_some_and(|t| {
        t.ty.is_ref() && ![ValType::FUNCREF, ValType::EXTERNREF, ValType::EXNREF].contains(&t.ty)
    })
}

// ---------------------------------------------------------------------------
// Extern types and their four kinds
// ---------------------------------------------------------------------------

/// What an extern type holds, with the parts the C accessors lend out.
#[derive(Clone)]
enum ExternTypeInner {
    Func(FuncInner),
    Global(GlobalInner),
    Table(TableInner),
    Memory(MemoryInner),
}

#[derive(Clone)]
struct FuncInner {
    ty: FuncType,
    params: OwnedVec<Option<Box<wasm_valtype_t>>>,
    results: OwnedVec<Option<Box<wasm_valtype_t>>>,
}

#[derive(Clone)]
struct GlobalInner {
    content: wasm_valtype_t,
    mutable: bool,
}

#[derive(Clone)]
struct TableInner {
    element: wasm_valtype_t,
    /// The 32-bit view `wasm_tabletype_limits` lends (saturated).
    limits: wasm_limits_t,
    ty: TableType,
}

#[derive(Clone)]
struct MemoryInner {
    /// The 32-bit view `wasm_memorytype_limits` lends (saturated).
    limits: wasm_limits_t,
    ty: MemoryType,
}

fn valtype_vec(types: &[ValType]) -> OwnedVec<Option<Box<wasm_valtype_t>>> {
    OwnedVec::new(
        types
            .iter()
            .map(|&t| Some(wasm_valtype_t::new(t)))
            .collect(),
    )
}

/// The type of an import or export: a function, global, table or memory
/// type. The four kind-specific type objects share its layout, so the casts
/// between them return the same object.
#[repr(C)]
#[derive(Clone)]
pub struct wasm_externtype_t {
    which: ExternTypeInner,
}

/// A function type (an extern type of kind `WASM_EXTERN_FUNC`).
#[repr(transparent)]
#[derive(Clone)]
pub struct wasm_functype_t {
    ext: wasm_externtype_t,
}

/// A global type (an extern type of kind `WASM_EXTERN_GLOBAL`).
#[repr(transparent)]
#[derive(Clone)]
pub struct wasm_globaltype_t {
    ext: wasm_externtype_t,
}

/// A table type (an extern type of kind `WASM_EXTERN_TABLE`).
#[repr(transparent)]
#[derive(Clone)]
pub struct wasm_tabletype_t {
    ext: wasm_externtype_t,
}

/// A memory type (an extern type of kind `WASM_EXTERN_MEMORY`).
#[repr(transparent)]
#[derive(Clone)]
pub struct wasm_memorytype_t {
    ext: wasm_externtype_t,
}

impl wasm_externtype_t {
    pub(crate) fn new(ty: ExternType) -> Box<wasm_externtype_t> {
        Box::new(Self::from_ty(ty))
    }

    fn from_ty(ty: ExternType) -> wasm_externtype_t {
        let which = match ty {
            ExternType::Func(f) => ExternTypeInner::Func(FuncInner {
                params: valtype_vec(f.params()),
                results: valtype_vec(f.results()),
                ty: f,
            }),
            ExternType::Global(g) => ExternTypeInner::Global(GlobalInner {
                content: wasm_valtype_t { ty: g.content },
                mutable: g.mutable,
            }),
            ExternType::Table(t) => ExternTypeInner::Table(TableInner::new(t)),
            ExternType::Memory(m) => ExternTypeInner::Memory(MemoryInner::new(m)),
            // Never made: the C API leaves tags out (see `module.rs`).
            ExternType::Tag(f) => ExternTypeInner::Func(FuncInner {
                params: valtype_vec(f.params()),
                results: valtype_vec(f.results()),
                ty: f,
            }),
        };
        wasm_externtype_t { which }
    }

    #[cfg_attr(not(test), allow(dead_code))] // the inverse of `new`; tests use it
    pub(crate) fn ty(&self) -> ExternType {
        match &self.which {
            ExternTypeInner::Func(f) => ExternType::Func(f.ty.clone()),
            ExternTypeInner::Global(g) => ExternType::Global(g.ty()),
            ExternTypeInner::Table(t) => ExternType::Table(t.ty()),
            ExternTypeInner::Memory(m) => ExternType::Memory(m.ty()),
        }
    }

    fn kind(&self) -> wasm_externkind_t {
        match self.which {
            ExternTypeInner::Func(_) => WASM_EXTERN_FUNC,
            ExternTypeInner::Global(_) => WASM_EXTERN_GLOBAL,
            ExternTypeInner::Table(_) => WASM_EXTERN_TABLE,
            ExternTypeInner::Memory(_) => WASM_EXTERN_MEMORY,
        }
    }
}

impl GlobalInner {
    fn ty(&self) -> GlobalType {
        GlobalType {
            content: self.content.ty,
            mutable: self.mutable,
        }
    }
}

impl TableInner {
    fn new(ty: TableType) -> TableInner {
        TableInner {
            element: wasm_valtype_t { ty: ty.element },
            limits: limits(ty.minimum, ty.maximum),
            ty,
        }
    }

    fn ty(&self) -> TableType {
        self.ty
    }
}

impl MemoryInner {
    fn new(ty: MemoryType) -> MemoryInner {
        MemoryInner {
            limits: limits(ty.minimum, ty.maximum),
            ty,
        }
    }

    fn ty(&self) -> MemoryType {
        self.ty
    }
}

/// For each kind-specific type: the conversions between it and
/// `wasm_externtype_t` (in Rust and in C), and the accessor of its part of
/// the inner enum. Only this module builds these types, always with the
/// matching variant, which is what makes the pointer casts sound.
macro_rules! extern_subtype {
    ($sub:ident, $variant:ident, $inner:ident, $what:literal,
     $to_ext:ident, $to_ext_const:ident, $from_ext:ident, $from_ext_const:ident) => {
        impl $sub {
            fn inner(&self) -> &$inner {
                match &self.ext.which {
                    ExternTypeInner::$variant(i) => i,
                    _ => unreachable!(concat!("a ", $what, " type of another kind")),
                }
            }

            fn wrap(which: $inner) -> Box<$sub> {
                Box::new($sub { ext: wasm_externtype_t { which: ExternTypeInner::$variant(which) } })
            }

            fn cast(ext: &wasm_externtype_t) -> Option<&$sub> {
                match ext.which {
                    // SAFETY: `$sub` is a transparent wrapper of
                    // `wasm_externtype_t`, and the variant is the right one.
                    ExternTypeInner::$variant(_) => {
                        Some(unsafe { &*(ext as *const wasm_externtype_t as *const $sub) })
                    }
                    _ => None,
                }
            }

            fn cast_mut(ext: &mut wasm_externtype_t) -> Option<&mut $sub> {
                match ext.which {
                    // SAFETY: as for `cast`.
                    ExternTypeInner::$variant(_) => {
                        Some(unsafe { &mut *(ext as *mut wasm_externtype_t as *mut $sub) })
                    }
                    _ => None,
                }
            }
        }

        #[doc = concat!("Returns `ty` (a ", $what, " type) as an extern type: the same object, not a")]
        /// copy, still owned by the caller and deleted by either delete
        /// function. Returns NULL if `ty` is NULL.
        #[no_mangle]
        pub extern "C" fn $to_ext(ty: Option<&mut $sub>) -> Option<&mut wasm_externtype_t> {
            ty.map(|t| &mut t.ext)
        }

        #[doc = concat!("Returns `ty` (a const ", $what, " type) as a const extern type: the same")]
        /// object, not a copy. Returns NULL if `ty` is NULL.
        #[no_mangle]
        pub extern "C" fn $to_ext_const(ty: Option<&$sub>) -> Option<&wasm_externtype_t> {
            ty.map(|t| &t.ext)
        }

        #[doc = concat!("Returns extern type `ty` as a ", $what, " type: the same object, not a copy,")]
        /// still owned by the caller. Returns NULL if `ty` is NULL or of
        /// another kind.
        #[no_mangle]
        pub extern "C" fn $from_ext(ty: Option<&mut wasm_externtype_t>) -> Option<&mut $sub> {
            ty.and_then($sub::cast_mut)
        }

        #[doc = concat!("Returns const extern type `ty` as a const ", $what, " type: the same object,")]
        /// not a copy. Returns NULL if `ty` is NULL or of another kind.
        #[no_mangle]
        pub extern "C" fn $from_ext_const(ty: Option<&wasm_externtype_t>) -> Option<&$sub> {
            ty.and_then($sub::cast)
        }
    };
}

extern_subtype!(
    wasm_functype_t,
    Func,
    FuncInner,
    "function",
    wasm_functype_as_externtype,
    wasm_functype_as_externtype_const,
    wasm_externtype_as_functype,
    wasm_externtype_as_functype_const
);
extern_subtype!(
    wasm_globaltype_t,
    Global,
    GlobalInner,
    "global",
    wasm_globaltype_as_externtype,
    wasm_globaltype_as_externtype_const,
    wasm_externtype_as_globaltype,
    wasm_externtype_as_globaltype_const
);
extern_subtype!(
    wasm_tabletype_t,
    Table,
    TableInner,
    "table",
    wasm_tabletype_as_externtype,
    wasm_tabletype_as_externtype_const,
    wasm_externtype_as_tabletype,
    wasm_externtype_as_tabletype_const
);
extern_subtype!(
    wasm_memorytype_t,
    Memory,
    MemoryInner,
    "memory",
    wasm_memorytype_as_externtype,
    wasm_memorytype_as_externtype_const,
    wasm_externtype_as_memorytype,
    wasm_externtype_as_memorytype_const
);

super::declare_type!(
    wasm_externtype_t,
    wasm_externtype_delete,
    wasm_externtype_copy,
    wasm_externtype_vec_t,
    wasm_externtype_vec_new_empty,
    wasm_externtype_vec_new_uninitialized,
    wasm_externtype_vec_new,
    wasm_externtype_vec_copy,
    wasm_externtype_vec_delete
);

/// Returns the kind of extern type `ty` (a `WASM_EXTERN_*` constant), or 0
/// if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_externtype_kind(ty: Option<&wasm_externtype_t>) -> wasm_externkind_t {
    ty.map_or(0, |t| t.kind())
}

// ---------------------------------------------------------------------------
// Function types
// ---------------------------------------------------------------------------

impl wasm_functype_t {
    pub(crate) fn new(ty: FuncType) -> Box<wasm_functype_t> {
        Self::wrap(FuncInner {
            params: valtype_vec(ty.params()),
            results: valtype_vec(ty.results()),
            ty,
        })
    }

    pub(crate) fn ty(&self) -> &FuncType {
        &self.inner().ty
    }
}

super::declare_type!(
    wasm_functype_t,
    wasm_functype_delete,
    wasm_functype_copy,
    wasm_functype_vec_t,
    wasm_functype_vec_new_empty,
    wasm_functype_vec_new_uninitialized,
    wasm_functype_vec_new,
    wasm_functype_vec_copy,
    wasm_functype_vec_delete
);

/// Creates a function type; the caller owns it. Takes the contents of
/// `params` and `results` (the types are moved in and both vectors are left
/// empty). Returns NULL if either vector is NULL or holds a NULL element;
/// the types passed are freed then too.
#[no_mangle]
pub unsafe extern "C" fn wasm_functype_new(
    params: Option<&mut wasm_valtype_vec_t>,
    results: Option<&mut wasm_valtype_vec_t>,
) -> Option<Box<wasm_functype_t>> {
    // Take both first, so that everything passed is freed on failure.
    let params = params.map(|v| OwnedVec::take_from(v));
    let results = results.map(|v| OwnedVec::take_from(v));
    let (params, results) = (params?, results?);
    let kinds = |v: &OwnedVec<Option<Box<wasm_valtype_t>>>| -> Option<Vec<ValType>> {
        v.0.as_slice()
            .iter()
            .map(|t| t.as_ref().map(|t| t.ty))
            .collect()
    };
    let ty = FuncType::new(kinds(&params)?, kinds(&results)?);
    Some(wasm_functype_t::wrap(FuncInner {
        ty,
        params,
        results,
    }))
}

/// Returns the parameter types of `ty`, borrowed from it (valid while `ty`
/// lives). Returns NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_functype_params(
    ty: Option<&wasm_functype_t>,
) -> Option<&wasm_valtype_vec_t> {
    ty.map(|t| &t.inner().params.0)
}

/// Returns the result types of `ty`, borrowed from it (valid while `ty`
/// lives). Returns NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_functype_results(
    ty: Option<&wasm_functype_t>,
) -> Option<&wasm_valtype_vec_t> {
    ty.map(|t| &t.inner().results.0)
}

// ---------------------------------------------------------------------------
// Global types
// ---------------------------------------------------------------------------

impl wasm_globaltype_t {
    pub(crate) fn new(ty: GlobalType) -> Box<wasm_globaltype_t> {
        Self::wrap(GlobalInner {
            content: wasm_valtype_t { ty: ty.content },
            mutable: ty.mutable,
        })
    }

    pub(crate) fn ty(&self) -> GlobalType {
        self.inner().ty()
    }
}

super::declare_type!(
    wasm_globaltype_t,
    wasm_globaltype_delete,
    wasm_globaltype_copy,
    wasm_globaltype_vec_t,
    wasm_globaltype_vec_new_empty,
    wasm_globaltype_vec_new_uninitialized,
    wasm_globaltype_vec_new,
    wasm_globaltype_vec_copy,
    wasm_globaltype_vec_delete
);

/// Creates a global type holding values of type `content` (which it takes)
/// with mutability `mutability` (`WASM_CONST` or `WASM_VAR`); the caller
/// owns it. Returns NULL if `content` is NULL or `mutability` is neither
/// (`content` is freed then).
#[no_mangle]
pub extern "C" fn wasm_globaltype_new(
    content: Option<Box<wasm_valtype_t>>,
    mutability: wasm_mutability_t,
) -> Option<Box<wasm_globaltype_t>> {
    let content = content?;
    let mutable = match mutability {
        WASM_CONST => false,
        WASM_VAR => true,
        _ => return None,
    };
    Some(wasm_globaltype_t::new(GlobalType {
        content: content.ty,
        mutable,
    }))
}

/// Returns the type of the values of global type `ty`, borrowed from it.
/// Returns NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_globaltype_content(
    ty: Option<&wasm_globaltype_t>,
) -> Option<&wasm_valtype_t> {
    ty.map(|t| &t.inner().content)
}

/// Returns the mutability of global type `ty` (`WASM_CONST` or `WASM_VAR`),
/// or 0 if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_globaltype_mutability(ty: Option<&wasm_globaltype_t>) -> wasm_mutability_t {
    match ty {
        Some(t) if t.inner().mutable => WASM_VAR,
        _ => WASM_CONST,
    }
}

// ---------------------------------------------------------------------------
// Table types
// ---------------------------------------------------------------------------

impl wasm_tabletype_t {
    pub(crate) fn new(ty: TableType) -> Box<wasm_tabletype_t> {
        Self::wrap(TableInner::new(ty))
    }

    pub(crate) fn ty(&self) -> TableType {
        self.inner().ty()
    }
}

super::declare_type!(
    wasm_tabletype_t,
    wasm_tabletype_delete,
    wasm_tabletype_copy,
    wasm_tabletype_vec_t,
    wasm_tabletype_vec_new_empty,
    wasm_tabletype_vec_new_uninitialized,
    wasm_tabletype_vec_new,
    wasm_tabletype_vec_copy,
    wasm_tabletype_vec_delete
);

/// Creates a table type with elements of type `element` (which it takes)
/// and size range `limits` (which it copies); the caller owns it. Returns
/// NULL if either is NULL or `element` is not a reference type
/// (`WASM_FUNCREF` or `WASM_EXTERNREF`); `element` is freed then.
#[no_mangle]
pub extern "C" fn wasm_tabletype_new(
    element: Option<Box<wasm_valtype_t>>,
    limits: Option<&wasm_limits_t>,
) -> Option<Box<wasm_tabletype_t>> {
    let (element, limits) = (element?, limits?);
    if !element.ty.is_ref() {
        return None;
    }
    let (minimum, maximum) = limits_range(limits);
    Some(wasm_tabletype_t::new(TableType {
        element: element.ty,
        minimum,
        maximum,
        table64: false,
    }))
}

/// Creates a 64-bit table type (a `table64`, indexed by i64) with elements
/// of type `element` (which it takes) and size range `min` to `max`
/// elements, `max == UINT64_MAX` meaning no maximum; the caller owns it.
/// Returns NULL if `element` is NULL or not a reference type (it is freed
/// then). Whether the limits can be met is checked by `wasm_table_new`.
#[no_mangle]
pub extern "C" fn craneway_tabletype_new64(
    element: Option<Box<wasm_valtype_t>>,
    min: u64,
    max: u64,
) -> Option<Box<wasm_tabletype_t>> {
    let element = element?;
    if !element.ty.is_ref() {
        return None;
    }
    let (minimum, maximum) = limits64_range(min, max);
    Some(wasm_tabletype_t::new(TableType {
        element: element.ty,
        minimum,
        maximum,
        table64: true,
    }))
}

/// Whether table type `ty` is a 64-bit table (indexed by i64). False if
/// `ty` is NULL.
#[no_mangle]
pub extern "C" fn craneway_tabletype_is64(ty: Option<&wasm_tabletype_t>) -> bool {
    ty.is_some_and(|t| t.inner().ty.table64)
}

/// Writes the full 64-bit size range of table type `ty` to `*min` and
/// `*max` (`UINT64_MAX` when there is no maximum) and returns true; for a
/// NULL `ty` writes 0 and `UINT64_MAX` and returns false.
/// (`wasm_tabletype_limits` saturates values beyond 32 bits.)
#[no_mangle]
pub extern "C" fn craneway_tabletype_limits64(
    ty: Option<&wasm_tabletype_t>,
    min: &mut std::mem::MaybeUninit<u64>,
    max: &mut std::mem::MaybeUninit<u64>,
) -> bool {
    let range = ty.map(|t| (t.inner().ty.minimum, t.inner().ty.maximum));
    write_limits64(range, min, max)
}

/// Writes `range` (or 0 and no maximum) to the out-parameters; whether
/// there was a range.
fn write_limits64(
    range: Option<(u64, Option<u64>)>,
    min: &mut std::mem::MaybeUninit<u64>,
    max: &mut std::mem::MaybeUninit<u64>,
) -> bool {
    let (lo, hi) = range.unwrap_or((0, None));
    min.write(lo);
    max.write(hi.unwrap_or(u64::MAX));
    range.is_some()
}

/// Returns the element type of table type `ty`, borrowed from it. Returns
/// NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_tabletype_element(ty: Option<&wasm_tabletype_t>) -> Option<&wasm_valtype_t> {
    ty.map(|t| &t.inner().element)
}

/// Returns the size range of table type `ty` in elements, borrowed from it.
/// Returns NULL if `ty` is NULL. Deviation for 64-bit tables: a limit
/// beyond 32 bits saturates to `UINT32_MAX` (for `max`, the same as "no
/// maximum"); `craneway_tabletype_limits64` gives the exact values.
#[no_mangle]
pub extern "C" fn wasm_tabletype_limits(ty: Option<&wasm_tabletype_t>) -> Option<&wasm_limits_t> {
    ty.map(|t| &t.inner().limits)
}

// ---------------------------------------------------------------------------
// Memory types
// ---------------------------------------------------------------------------

impl wasm_memorytype_t {
    pub(crate) fn new(ty: MemoryType) -> Box<wasm_memorytype_t> {
        Self::wrap(MemoryInner::new(ty))
    }

    pub(crate) fn ty(&self) -> MemoryType {
        self.inner().ty()
    }
}

super::declare_type!(
    wasm_memorytype_t,
    wasm_memorytype_delete,
    wasm_memorytype_copy,
    wasm_memorytype_vec_t,
    wasm_memorytype_vec_new_empty,
    wasm_memorytype_vec_new_uninitialized,
    wasm_memorytype_vec_new,
    wasm_memorytype_vec_copy,
    wasm_memorytype_vec_delete
);

/// Creates a memory type with size range `limits` in 64 KiB pages (which it
/// copies); the caller owns it. Returns NULL if `limits` is NULL.
#[no_mangle]
pub extern "C" fn wasm_memorytype_new(
    limits: Option<&wasm_limits_t>,
) -> Option<Box<wasm_memorytype_t>> {
    let (minimum, maximum) = limits_range(limits?);
    Some(wasm_memorytype_t::new(MemoryType {
        minimum,
        maximum,
        memory64: false,
    }))
}

/// Returns the size range of memory type `ty` in pages, borrowed from it.
/// Returns NULL if `ty` is NULL. Deviation for 64-bit memories: a limit
/// beyond 32 bits saturates to `UINT32_MAX` (for `max`, the same as "no
/// maximum"); `craneway_memorytype_limits64` gives the exact values.
#[no_mangle]
pub extern "C" fn wasm_memorytype_limits(ty: Option<&wasm_memorytype_t>) -> Option<&wasm_limits_t> {
    ty.map(|t| &t.inner().limits)
}

/// Creates a 64-bit memory type (a `memory64`, addressed by i64) with size
/// range `min` to `max` pages of 64 KiB, `max == UINT64_MAX` meaning no
/// maximum; the caller owns it. Never NULL. Whether the limits can be met
/// (at most 2^48 pages, and within what Craneway reserves for a 64-bit
/// memory) is checked by `wasm_memory_new`.
#[no_mangle]
pub extern "C" fn craneway_memorytype_new64(min: u64, max: u64) -> Box<wasm_memorytype_t> {
    let (minimum, maximum) = limits64_range(min, max);
    wasm_memorytype_t::new(MemoryType {
        minimum,
        maximum,
        memory64: true,
    })
}

/// Whether memory type `ty` is a 64-bit memory (addressed by i64). False
/// if `ty` is NULL.
#[no_mangle]
pub extern "C" fn craneway_memorytype_is64(ty: Option<&wasm_memorytype_t>) -> bool {
    ty.is_some_and(|t| t.inner().ty.memory64)
}

/// Writes the full 64-bit size range of memory type `ty` in pages to `*min`
/// and `*max` (`UINT64_MAX` when there is no maximum) and returns true; for
/// a NULL `ty` writes 0 and `UINT64_MAX` and returns false.
#[no_mangle]
pub extern "C" fn craneway_memorytype_limits64(
    ty: Option<&wasm_memorytype_t>,
    min: &mut std::mem::MaybeUninit<u64>,
    max: &mut std::mem::MaybeUninit<u64>,
) -> bool {
    let range = ty.map(|t| (t.inner().ty.minimum, t.inner().ty.maximum));
    write_limits64(range, min, max)
}

// ---------------------------------------------------------------------------
// Import and export types
// ---------------------------------------------------------------------------

/// An import of a module: module name, name and type.
#[derive(Clone)]
pub struct wasm_importtype_t {
    module: OwnedVec<u8>,
    name: OwnedVec<u8>,
    ty: wasm_externtype_t,
}

impl wasm_importtype_t {
    pub(crate) fn new(import: &ImportType) -> Box<wasm_importtype_t> {
        Box::new(wasm_importtype_t {
            module: OwnedVec(name(&import.module)),
            name: OwnedVec(name(&import.name)),
            ty: wasm_externtype_t::from_ty(import.ty.clone()),
        })
    }
}

super::declare_type!(
    wasm_importtype_t,
    wasm_importtype_delete,
    wasm_importtype_copy,
    wasm_importtype_vec_t,
    wasm_importtype_vec_new_empty,
    wasm_importtype_vec_new_uninitialized,
    wasm_importtype_vec_new,
    wasm_importtype_vec_copy,
    wasm_importtype_vec_delete
);

/// Creates an import type; the caller owns it. Takes the contents of the
/// names `module` and `name` (leaving them empty) and the extern type `ty`.
/// Returns NULL if any of the three is NULL; what was passed is freed then.
#[no_mangle]
pub unsafe extern "C" fn wasm_importtype_new(
    module: Option<&mut wasm_name_t>,
    name: Option<&mut wasm_name_t>,
    ty: Option<Box<wasm_externtype_t>>,
) -> Option<Box<wasm_importtype_t>> {
    let module = module.map(|v| OwnedVec::take_from(v));
    let name = name.map(|v| OwnedVec::take_from(v));
    Some(Box::new(wasm_importtype_t {
        module: module?,
        name: name?,
        ty: *ty?,
    }))
}

/// Returns the module name of import type `ty`, borrowed from it. Returns
/// NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_importtype_module(ty: Option<&wasm_importtype_t>) -> Option<&wasm_name_t> {
    ty.map(|t| &t.module.0)
}

/// Returns the name of import type `ty`, borrowed from it. Returns NULL if
/// `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_importtype_name(ty: Option<&wasm_importtype_t>) -> Option<&wasm_name_t> {
    ty.map(|t| &t.name.0)
}

/// Returns the extern type of import type `ty`, borrowed from it. Returns
/// NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_importtype_type(
    ty: Option<&wasm_importtype_t>,
) -> Option<&wasm_externtype_t> {
    ty.map(|t| &t.ty)
}

/// An export of a module: name and type.
#[derive(Clone)]
pub struct wasm_exporttype_t {
    name: OwnedVec<u8>,
    ty: wasm_externtype_t,
}

impl wasm_exporttype_t {
    pub(crate) fn new(export: &ExportType) -> Box<wasm_exporttype_t> {
        Box::new(wasm_exporttype_t {
            name: OwnedVec(name(&export.name)),
            ty: wasm_externtype_t::from_ty(export.ty.clone()),
        })
    }
}

super::declare_type!(
    wasm_exporttype_t,
    wasm_exporttype_delete,
    wasm_exporttype_copy,
    wasm_exporttype_vec_t,
    wasm_exporttype_vec_new_empty,
    wasm_exporttype_vec_new_uninitialized,
    wasm_exporttype_vec_new,
    wasm_exporttype_vec_copy,
    wasm_exporttype_vec_delete
);

/// Creates an export type; the caller owns it. Takes the contents of the
/// name `name` (leaving it empty) and the extern type `ty`. Returns NULL if
/// either is NULL; what was passed is freed then.
#[no_mangle]
pub unsafe extern "C" fn wasm_exporttype_new(
    name: Option<&mut wasm_name_t>,
    ty: Option<Box<wasm_externtype_t>>,
) -> Option<Box<wasm_exporttype_t>> {
    let name = name.map(|v| OwnedVec::take_from(v));
    Some(Box::new(wasm_exporttype_t {
        name: name?,
        ty: *ty?,
    }))
}

/// Returns the name of export type `ty`, borrowed from it. Returns NULL if
/// `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_exporttype_name(ty: Option<&wasm_exporttype_t>) -> Option<&wasm_name_t> {
    ty.map(|t| &t.name.0)
}

/// Returns the extern type of export type `ty`, borrowed from it. Returns
/// NULL if `ty` is NULL.
#[no_mangle]
pub extern "C" fn wasm_exporttype_type(
    ty: Option<&wasm_exporttype_t>,
) -> Option<&wasm_externtype_t> {
    ty.map(|t| &t.ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;

    const ALL_KINDS: [wasm_valkind_t; 8] = [
        WASM_I32,
        WASM_I64,
        WASM_F32,
        WASM_F64,
        WASM_V128,
        WASM_EXTERNREF,
        WASM_FUNCREF,
        super::super::craneway::CRANEWAY_EXNREF,
    ];

    fn vt(kind: wasm_valkind_t) -> Box<wasm_valtype_t> {
        wasm_valtype_new(kind).unwrap()
    }

    /// A vector of owned valtypes made through the C function.
    fn vt_vec(kinds: &[wasm_valkind_t]) -> wasm_valtype_vec_t {
        let mut elems: Vec<Option<Box<wasm_valtype_t>>> =
            kinds.iter().map(|&k| Some(vt(k))).collect();
        let mut out = MaybeUninit::uninit();
        unsafe {
            wasm_valtype_vec_new(Some(&mut out), elems.len(), elems.as_ptr());
            // The elements were moved into the vector: free only the buffer.
            elems.set_len(0);
            out.assume_init()
        }
    }

    fn kinds(v: &wasm_valtype_vec_t) -> Vec<wasm_valkind_t> {
        v.as_slice()
            .iter()
            .map(|t| wasm_valtype_kind(t.as_deref()))
            .collect()
    }

    fn is_emptied<T>(v: &WasmVec<T>) -> bool {
        v.size == 0 && v.data.is_null()
    }

    fn func(params: &[wasm_valkind_t], results: &[wasm_valkind_t]) -> Box<wasm_functype_t> {
        let (mut p, mut r) = (vt_vec(params), vt_vec(results));
        unsafe { wasm_functype_new(Some(&mut p), Some(&mut r)) }.unwrap()
    }

    fn lim(min: u32, max: u32) -> wasm_limits_t {
        wasm_limits_t { min, max }
    }

    fn addr<T, U>(a: &T, b: &U) -> bool {
        std::ptr::addr_eq(a as *const T, b as *const U)
    }

    #[test]
    fn valtype_round_trips() {
        for k in ALL_KINDS {
            let t = vt(k);
            assert_eq!(wasm_valtype_kind(Some(&t)), k);
            assert_eq!(valkind(t.ty()), k);
            assert_eq!(valtype_from_kind(k), Some(t.ty()));
            let c = wasm_valtype_copy(Some(&t)).unwrap();
            assert!(!addr(&*c, &*t));
            wasm_valtype_delete(Some(t));
            assert_eq!(wasm_valtype_kind(Some(&c)), k);
            wasm_valtype_delete(Some(c));
        }
        for k in [5, 127, 131, 255] {
            assert!(wasm_valtype_new(k).is_none());
            assert_eq!(valtype_from_kind(k), None);
        }
        for t in [
            ValType::I32,
            ValType::V128,
            ValType::FUNCREF,
            ValType::EXTERNREF,
            ValType::EXNREF,
        ] {
            assert_eq!(wasm_valtype_t::new(t).ty(), t);
            assert_eq!(valtype_from_kind(valkind(t)), Some(t));
        }
        assert_eq!(valkind(ValType::FUNCREF), 129);
        assert_eq!(valkind(ValType::EXTERNREF), 128);
        assert_eq!(valkind(ValType::EXNREF), 130);
        // Every exception reference type has the exnref kind.
        for (nullable, heap) in [(false, HeapType::Exn), (true, HeapType::NoExn)] {
            let t = ValType::Ref(crate::types::RefType::new(nullable, heap));
            assert_eq!(valkind(t), 130);
            let c = wasm_valtype_t::new(t);
            assert_eq!(craneway_valtype_is_nullable(Some(&*c)), nullable);
            assert!(craneway_valtype_is_typed_ref(Some(&*c)));
        }
        let exnref = wasm_valtype_t::new(ValType::EXNREF);
        assert!(!craneway_valtype_is_typed_ref(Some(&*exnref)));
        assert_eq!(wasm_valtype_kind(None), 0);
        wasm_valtype_delete(None);
    }

    #[test]
    fn limits_convert_both_ways() {
        assert_eq!(limits(1, None), lim(1, 0xffff_ffff));
        assert_eq!(limits(1, Some(7)), lim(1, 7));
        assert_eq!(limits_range(&lim(2, wasm_limits_max_default)), (2, None));
        assert_eq!(limits_range(&lim(2, 9)), (2, Some(9)));
        assert_eq!(limits_range(&limits(0, Some(0))), (0, Some(0)));
    }

    #[test]
    fn functype_takes_vectors_and_lends_them() {
        let mut p = vt_vec(&[WASM_I32, WASM_F64]);
        let mut r = vt_vec(&[WASM_FUNCREF]);
        let p_first = p.as_slice()[0].as_deref().unwrap() as *const wasm_valtype_t;
        let f = unsafe { wasm_functype_new(Some(&mut p), Some(&mut r)) }.unwrap();
        assert!(is_emptied(&p) && is_emptied(&r));

        let params = wasm_functype_params(Some(&f)).unwrap();
        let results = wasm_functype_results(Some(&f)).unwrap();
        assert_eq!(kinds(params), [WASM_I32, WASM_F64]);
        assert_eq!(kinds(results), [WASM_FUNCREF]);
        // The elements passed in are the ones lent out, and the vectors are
        // the same on every call.
        assert!(addr(params.as_slice()[0].as_deref().unwrap(), unsafe {
            &*p_first
        }));
        assert!(addr(params, wasm_functype_params(Some(&f)).unwrap()));
        assert_eq!(
            *f.ty(),
            FuncType::new([ValType::I32, ValType::F64], [ValType::FUNCREF])
        );
        wasm_functype_delete(Some(f));

        let empty = func(&[], &[]);
        assert_eq!(wasm_functype_params(Some(&empty)).unwrap().size, 0);
        assert_eq!(wasm_functype_results(Some(&empty)).unwrap().size, 0);
        assert_eq!(*empty.ty(), FuncType::new([], []));
    }

    #[test]
    fn functype_from_runtime_type() {
        let ty = FuncType::new(
            [ValType::V128, ValType::EXTERNREF],
            [ValType::I64, ValType::F32],
        );
        let f = wasm_functype_t::new(ty.clone());
        assert_eq!(*f.ty(), ty);
        assert_eq!(
            kinds(wasm_functype_params(Some(&f)).unwrap()),
            [WASM_V128, WASM_EXTERNREF]
        );
        assert_eq!(
            kinds(wasm_functype_results(Some(&f)).unwrap()),
            [WASM_I64, WASM_F32]
        );
    }

    #[test]
    fn functype_new_rejects_null_and_frees_everything() {
        unsafe {
            let mut r = vt_vec(&[WASM_I32]);
            assert!(wasm_functype_new(None, Some(&mut r)).is_none());
            assert!(is_emptied(&r));

            let mut p = vt_vec(&[WASM_I32]);
            assert!(wasm_functype_new(Some(&mut p), None).is_none());
            assert!(is_emptied(&p));

            assert!(wasm_functype_new(None, None).is_none());

            // A NULL element.
            let mut p = MaybeUninit::uninit();
            wasm_valtype_vec_new_uninitialized(Some(&mut p), 2);
            let mut p = p.assume_init();
            p.as_mut_slice()[0] = Some(vt(WASM_I64));
            let mut r = vt_vec(&[WASM_F32]);
            assert!(wasm_functype_new(Some(&mut p), Some(&mut r)).is_none());
            assert!(is_emptied(&p) && is_emptied(&r));

            let mut p = vt_vec(&[]);
            let mut r = MaybeUninit::uninit();
            wasm_valtype_vec_new_uninitialized(Some(&mut r), 1);
            let mut r = r.assume_init();
            assert!(wasm_functype_new(Some(&mut p), Some(&mut r)).is_none());
            assert!(is_emptied(&r));
        }
    }

    #[test]
    fn functype_copy_is_deep() {
        let f = func(&[WASM_I32, WASM_I64], &[WASM_F32]);
        let c = wasm_functype_copy(Some(&f)).unwrap();
        let (fp, cp) = (
            wasm_functype_params(Some(&f)).unwrap(),
            wasm_functype_params(Some(&c)).unwrap(),
        );
        assert!(!addr(fp, cp));
        assert_ne!(fp.data, cp.data);
        assert!(!addr(
            fp.as_slice()[0].as_deref().unwrap(),
            cp.as_slice()[0].as_deref().unwrap()
        ));
        wasm_functype_delete(Some(f));
        assert_eq!(
            kinds(wasm_functype_params(Some(&c)).unwrap()),
            [WASM_I32, WASM_I64]
        );
        assert_eq!(kinds(wasm_functype_results(Some(&c)).unwrap()), [WASM_F32]);
        assert_eq!(
            *c.ty(),
            FuncType::new([ValType::I32, ValType::I64], [ValType::F32])
        );
        wasm_functype_delete(Some(c));
    }

    #[test]
    fn globaltype_round_trips() {
        let g = wasm_globaltype_new(Some(vt(WASM_I64)), WASM_VAR).unwrap();
        assert_eq!(
            wasm_valtype_kind(wasm_globaltype_content(Some(&g))),
            WASM_I64
        );
        assert_eq!(wasm_globaltype_mutability(Some(&g)), WASM_VAR);
        assert_eq!(
            g.ty(),
            GlobalType {
                content: ValType::I64,
                mutable: true
            }
        );
        assert!(addr(
            wasm_globaltype_content(Some(&g)).unwrap(),
            wasm_globaltype_content(Some(&g)).unwrap()
        ));

        let c = wasm_globaltype_new(Some(vt(WASM_FUNCREF)), WASM_CONST).unwrap();
        assert_eq!(wasm_globaltype_mutability(Some(&c)), WASM_CONST);
        assert_eq!(
            c.ty(),
            GlobalType {
                content: ValType::FUNCREF,
                mutable: false
            }
        );

        let copy = wasm_globaltype_copy(Some(&g)).unwrap();
        assert!(!addr(
            wasm_globaltype_content(Some(&g)).unwrap(),
            wasm_globaltype_content(Some(&copy)).unwrap()
        ));
        wasm_globaltype_delete(Some(g));
        assert_eq!(
            copy.ty(),
            GlobalType {
                content: ValType::I64,
                mutable: true
            }
        );

        let ty = GlobalType {
            content: ValType::V128,
            mutable: false,
        };
        assert_eq!(wasm_globaltype_t::new(ty).ty(), ty);

        assert!(wasm_globaltype_new(Some(vt(WASM_I32)), 2).is_none());
        assert!(wasm_globaltype_new(Some(vt(WASM_I32)), 255).is_none());
        assert!(wasm_globaltype_new(None, WASM_CONST).is_none());
        assert!(wasm_globaltype_content(None).is_none());
        assert_eq!(wasm_globaltype_mutability(None), 0);
    }

    #[test]
    fn tabletype_round_trips() {
        let t = wasm_tabletype_new(Some(vt(WASM_FUNCREF)), Some(&lim(1, 10))).unwrap();
        assert_eq!(
            wasm_valtype_kind(wasm_tabletype_element(Some(&t))),
            WASM_FUNCREF
        );
        assert_eq!(*wasm_tabletype_limits(Some(&t)).unwrap(), lim(1, 10));
        assert_eq!(
            t.ty(),
            TableType {
                element: ValType::FUNCREF,
                minimum: 1,
                maximum: Some(10),
                table64: false
            }
        );

        let u = wasm_tabletype_new(
            Some(vt(WASM_EXTERNREF)),
            Some(&lim(0, wasm_limits_max_default)),
        )
        .unwrap();
        assert_eq!(
            u.ty(),
            TableType {
                element: ValType::EXTERNREF,
                minimum: 0,
                maximum: None,
                table64: false
            }
        );

        let ty = TableType {
            element: ValType::EXTERNREF,
            minimum: 3,
            maximum: None,
            table64: false,
        };
        let n = wasm_tabletype_t::new(ty);
        assert_eq!(n.ty(), ty);
        assert_eq!(
            *wasm_tabletype_limits(Some(&n)).unwrap(),
            lim(3, wasm_limits_max_default)
        );

        let c = wasm_tabletype_copy(Some(&t)).unwrap();
        assert!(!addr(
            wasm_tabletype_limits(Some(&t)).unwrap(),
            wasm_tabletype_limits(Some(&c)).unwrap()
        ));
        wasm_tabletype_delete(Some(t));
        assert_eq!(*wasm_tabletype_limits(Some(&c)).unwrap(), lim(1, 10));

        for k in [WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_V128] {
            assert!(wasm_tabletype_new(Some(vt(k)), Some(&lim(0, 1))).is_none());
        }
        assert!(wasm_tabletype_new(None, Some(&lim(0, 1))).is_none());
        assert!(wasm_tabletype_new(Some(vt(WASM_FUNCREF)), None).is_none());
        assert!(wasm_tabletype_element(None).is_none());
        assert!(wasm_tabletype_limits(None).is_none());
    }

    #[test]
    fn memorytype_round_trips() {
        let m = wasm_memorytype_new(Some(&lim(1, 2))).unwrap();
        assert_eq!(*wasm_memorytype_limits(Some(&m)).unwrap(), lim(1, 2));
        assert_eq!(
            m.ty(),
            MemoryType {
                minimum: 1,
                maximum: Some(2),
                memory64: false
            }
        );
        let c = wasm_memorytype_copy(Some(&m)).unwrap();
        wasm_memorytype_delete(Some(m));
        assert_eq!(
            c.ty(),
            MemoryType {
                minimum: 1,
                maximum: Some(2),
                memory64: false
            }
        );

        let ty = MemoryType {
            minimum: 5,
            maximum: None,
            memory64: false,
        };
        let n = wasm_memorytype_t::new(ty);
        assert_eq!(n.ty(), ty);
        assert_eq!(
            *wasm_memorytype_limits(Some(&n)).unwrap(),
            lim(5, 0xffff_ffff)
        );

        assert!(wasm_memorytype_new(None).is_none());
        assert!(wasm_memorytype_limits(None).is_none());
    }

    #[test]
    fn casts_return_the_same_object() {
        let mut f = func(&[WASM_I32], &[]);
        let mut g = wasm_globaltype_new(Some(vt(WASM_F32)), WASM_CONST).unwrap();
        let mut t = wasm_tabletype_new(Some(vt(WASM_FUNCREF)), Some(&lim(0, 1))).unwrap();
        let mut m = wasm_memorytype_new(Some(&lim(0, 1))).unwrap();

        let fp = &*f as *const wasm_functype_t as usize;
        let e = wasm_functype_as_externtype(Some(&mut f)).unwrap();
        assert_eq!(e as *const _ as usize, fp);
        assert_eq!(wasm_externtype_kind(Some(e)), WASM_EXTERN_FUNC);
        assert!(wasm_externtype_as_globaltype(Some(e)).is_none());
        assert!(wasm_externtype_as_tabletype(Some(e)).is_none());
        assert!(wasm_externtype_as_memorytype(Some(e)).is_none());
        let back = wasm_externtype_as_functype(Some(e)).unwrap();
        assert_eq!(back as *const _ as usize, fp);
        assert_eq!(kinds(wasm_functype_params(Some(back)).unwrap()), [WASM_I32]);

        let gp = &*g as *const wasm_globaltype_t as usize;
        let e = wasm_globaltype_as_externtype(Some(&mut g)).unwrap();
        assert_eq!(e as *const _ as usize, gp);
        assert_eq!(wasm_externtype_kind(Some(e)), WASM_EXTERN_GLOBAL);
        assert!(wasm_externtype_as_functype(Some(e)).is_none());
        assert!(wasm_externtype_as_tabletype(Some(e)).is_none());
        assert!(wasm_externtype_as_memorytype(Some(e)).is_none());
        assert_eq!(
            wasm_externtype_as_globaltype(Some(e)).unwrap() as *const _ as usize,
            gp
        );

        let tp = &*t as *const wasm_tabletype_t as usize;
        let e = wasm_tabletype_as_externtype(Some(&mut t)).unwrap();
        assert_eq!(e as *const _ as usize, tp);
        assert_eq!(wasm_externtype_kind(Some(e)), WASM_EXTERN_TABLE);
        assert!(wasm_externtype_as_functype(Some(e)).is_none());
        assert!(wasm_externtype_as_globaltype(Some(e)).is_none());
        assert!(wasm_externtype_as_memorytype(Some(e)).is_none());
        assert_eq!(
            wasm_externtype_as_tabletype(Some(e)).unwrap() as *const _ as usize,
            tp
        );

        let mp = &*m as *const wasm_memorytype_t as usize;
        let e = wasm_memorytype_as_externtype(Some(&mut m)).unwrap();
        assert_eq!(e as *const _ as usize, mp);
        assert_eq!(wasm_externtype_kind(Some(e)), WASM_EXTERN_MEMORY);
        assert!(wasm_externtype_as_functype(Some(e)).is_none());
        assert!(wasm_externtype_as_globaltype(Some(e)).is_none());
        assert!(wasm_externtype_as_tabletype(Some(e)).is_none());
        assert_eq!(
            wasm_externtype_as_memorytype(Some(e)).unwrap() as *const _ as usize,
            mp
        );

        // The const versions.
        let e = wasm_functype_as_externtype_const(Some(&f)).unwrap();
        assert!(addr(e, &*f));
        assert!(addr(
            wasm_externtype_as_functype_const(Some(e)).unwrap(),
            &*f
        ));
        assert!(wasm_externtype_as_globaltype_const(Some(e)).is_none());
        assert!(wasm_externtype_as_tabletype_const(Some(e)).is_none());
        assert!(wasm_externtype_as_memorytype_const(Some(e)).is_none());

        let e = wasm_globaltype_as_externtype_const(Some(&g)).unwrap();
        assert!(addr(e, &*g));
        assert!(addr(
            wasm_externtype_as_globaltype_const(Some(e)).unwrap(),
            &*g
        ));
        assert!(wasm_externtype_as_functype_const(Some(e)).is_none());

        let e = wasm_tabletype_as_externtype_const(Some(&t)).unwrap();
        assert!(addr(e, &*t));
        assert!(addr(
            wasm_externtype_as_tabletype_const(Some(e)).unwrap(),
            &*t
        ));
        assert!(wasm_externtype_as_memorytype_const(Some(e)).is_none());

        let e = wasm_memorytype_as_externtype_const(Some(&m)).unwrap();
        assert!(addr(e, &*m));
        assert!(addr(
            wasm_externtype_as_memorytype_const(Some(e)).unwrap(),
            &*m
        ));
        assert!(wasm_externtype_as_tabletype_const(Some(e)).is_none());

        // NULL in, NULL out.
        assert!(wasm_functype_as_externtype(None).is_none());
        assert!(wasm_globaltype_as_externtype(None).is_none());
        assert!(wasm_tabletype_as_externtype(None).is_none());
        assert!(wasm_memorytype_as_externtype(None).is_none());
        assert!(wasm_functype_as_externtype_const(None).is_none());
        assert!(wasm_globaltype_as_externtype_const(None).is_none());
        assert!(wasm_tabletype_as_externtype_const(None).is_none());
        assert!(wasm_memorytype_as_externtype_const(None).is_none());
        assert!(wasm_externtype_as_functype(None).is_none());
        assert!(wasm_externtype_as_globaltype(None).is_none());
        assert!(wasm_externtype_as_tabletype(None).is_none());
        assert!(wasm_externtype_as_memorytype(None).is_none());
        assert!(wasm_externtype_as_functype_const(None).is_none());
        assert!(wasm_externtype_as_globaltype_const(None).is_none());
        assert!(wasm_externtype_as_tabletype_const(None).is_none());
        assert!(wasm_externtype_as_memorytype_const(None).is_none());
        assert_eq!(wasm_externtype_kind(None), 0);

        // An object may be deleted through its extern type.
        let raw = Box::into_raw(f);
        let e = wasm_functype_as_externtype(Some(unsafe { &mut *raw })).unwrap();
        wasm_externtype_delete(Some(unsafe { Box::from_raw(e as *mut wasm_externtype_t) }));
    }

    #[test]
    fn externtype_round_trips_and_copies() {
        let tys = [
            ExternType::Func(FuncType::new([ValType::I32], [ValType::I64, ValType::V128])),
            ExternType::Global(GlobalType {
                content: ValType::F64,
                mutable: true,
            }),
            ExternType::Table(TableType {
                element: ValType::FUNCREF,
                minimum: 2,
                maximum: Some(4),
                table64: false,
            }),
            ExternType::Memory(MemoryType {
                minimum: 1,
                maximum: None,
                memory64: false,
            }),
        ];
        let expected_kinds = [
            WASM_EXTERN_FUNC,
            WASM_EXTERN_GLOBAL,
            WASM_EXTERN_TABLE,
            WASM_EXTERN_MEMORY,
        ];
        for (ty, kind) in tys.into_iter().zip(expected_kinds) {
            let e = wasm_externtype_t::new(ty.clone());
            assert_eq!(e.ty(), ty);
            assert_eq!(wasm_externtype_kind(Some(&e)), kind);
            let c = wasm_externtype_copy(Some(&e)).unwrap();
            assert!(!addr(&*c, &*e));
            wasm_externtype_delete(Some(e));
            assert_eq!(c.ty(), ty);
            assert_eq!(wasm_externtype_kind(Some(&c)), kind);
        }

        // A function type reached through a copied extern type has its own
        // vectors.
        let f = wasm_functype_t::new(FuncType::new([ValType::I32], []));
        let e = wasm_externtype_copy(wasm_functype_as_externtype_const(Some(&f))).unwrap();
        let cf = wasm_externtype_as_functype_const(Some(&e)).unwrap();
        assert_ne!(
            wasm_functype_params(Some(&f)).unwrap().data,
            wasm_functype_params(Some(cf)).unwrap().data
        );
        assert_eq!(cf.ty(), f.ty());
    }

    #[test]
    fn importtype_round_trips() {
        let mut module = name("env");
        let mut field = name("mem");
        let ty = wasm_memorytype_t::new(MemoryType {
            minimum: 1,
            maximum: Some(3),
            memory64: false,
        });
        let ty = Box::new(
            wasm_memorytype_as_externtype_const(Some(&ty))
                .unwrap()
                .clone(),
        );
        let i =
            unsafe { wasm_importtype_new(Some(&mut module), Some(&mut field), Some(ty)) }.unwrap();
        assert!(is_emptied(&module) && is_emptied(&field));
        assert_eq!(wasm_importtype_module(Some(&i)).unwrap().as_slice(), b"env");
        assert_eq!(wasm_importtype_name(Some(&i)).unwrap().as_slice(), b"mem");
        let t = wasm_importtype_type(Some(&i)).unwrap();
        assert!(addr(t, wasm_importtype_type(Some(&i)).unwrap()));
        assert_eq!(wasm_externtype_kind(Some(t)), WASM_EXTERN_MEMORY);
        assert_eq!(
            t.ty(),
            ExternType::Memory(MemoryType {
                minimum: 1,
                maximum: Some(3),
                memory64: false
            })
        );

        let c = wasm_importtype_copy(Some(&i)).unwrap();
        assert_ne!(
            wasm_importtype_module(Some(&i)).unwrap().data,
            wasm_importtype_module(Some(&c)).unwrap().data
        );
        assert!(!addr(
            wasm_importtype_type(Some(&i)).unwrap(),
            wasm_importtype_type(Some(&c)).unwrap()
        ));
        wasm_importtype_delete(Some(i));
        assert_eq!(wasm_importtype_module(Some(&c)).unwrap().as_slice(), b"env");
        assert_eq!(wasm_importtype_name(Some(&c)).unwrap().as_slice(), b"mem");
        wasm_importtype_delete(Some(c));

        let rt = ImportType {
            module: "m".into(),
            name: "f".into(),
            ty: ExternType::Func(FuncType::new([ValType::F32], [])),
        };
        let i = wasm_importtype_t::new(&rt);
        assert_eq!(wasm_importtype_module(Some(&i)).unwrap().as_slice(), b"m");
        assert_eq!(wasm_importtype_name(Some(&i)).unwrap().as_slice(), b"f");
        assert_eq!(wasm_importtype_type(Some(&i)).unwrap().ty(), rt.ty);

        // Empty names are allowed.
        let (mut a, mut b) = (name(""), name(""));
        let e = wasm_externtype_t::new(rt.ty.clone());
        let i = unsafe { wasm_importtype_new(Some(&mut a), Some(&mut b), Some(e)) }.unwrap();
        assert_eq!(wasm_importtype_name(Some(&i)).unwrap().size, 0);

        unsafe {
            let mut field = name("x");
            let e = wasm_externtype_t::new(rt.ty.clone());
            assert!(wasm_importtype_new(None, Some(&mut field), Some(e)).is_none());
            assert!(is_emptied(&field));
            let mut module = name("x");
            let e = wasm_externtype_t::new(rt.ty.clone());
            assert!(wasm_importtype_new(Some(&mut module), None, Some(e)).is_none());
            assert!(is_emptied(&module));
            let (mut module, mut field) = (name("x"), name("y"));
            assert!(wasm_importtype_new(Some(&mut module), Some(&mut field), None).is_none());
            assert!(is_emptied(&module) && is_emptied(&field));
        }
        assert!(wasm_importtype_module(None).is_none());
        assert!(wasm_importtype_name(None).is_none());
        assert!(wasm_importtype_type(None).is_none());
    }

    #[test]
    fn exporttype_round_trips() {
        let mut field = name("run");
        let ty = wasm_externtype_t::new(ExternType::Func(FuncType::new([], [ValType::I32])));
        let x = unsafe { wasm_exporttype_new(Some(&mut field), Some(ty)) }.unwrap();
        assert!(is_emptied(&field));
        assert_eq!(wasm_exporttype_name(Some(&x)).unwrap().as_slice(), b"run");
        let t = wasm_exporttype_type(Some(&x)).unwrap();
        let f = wasm_externtype_as_functype_const(Some(t)).unwrap();
        assert_eq!(kinds(wasm_functype_results(Some(f)).unwrap()), [WASM_I32]);

        let c = wasm_exporttype_copy(Some(&x)).unwrap();
        wasm_exporttype_delete(Some(x));
        assert_eq!(wasm_exporttype_name(Some(&c)).unwrap().as_slice(), b"run");
        assert_eq!(
            wasm_exporttype_type(Some(&c)).unwrap().ty(),
            ExternType::Func(FuncType::new([], [ValType::I32]))
        );

        let rt = ExportType {
            name: "g".into(),
            ty: ExternType::Global(GlobalType {
                content: ValType::I32,
                mutable: false,
            }),
        };
        let x = wasm_exporttype_t::new(&rt);
        assert_eq!(wasm_exporttype_name(Some(&x)).unwrap().as_slice(), b"g");
        assert_eq!(wasm_exporttype_type(Some(&x)).unwrap().ty(), rt.ty);

        unsafe {
            let e = wasm_externtype_t::new(rt.ty.clone());
            assert!(wasm_exporttype_new(None, Some(e)).is_none());
            let mut field = name("x");
            assert!(wasm_exporttype_new(Some(&mut field), None).is_none());
            assert!(is_emptied(&field));
        }
        assert!(wasm_exporttype_name(None).is_none());
        assert!(wasm_exporttype_type(None).is_none());
    }

    #[test]
    fn type_vectors_own_their_elements() {
        unsafe {
            let mut elems = vec![
                Some(func(&[WASM_I32], &[])),
                None,
                Some(func(&[], &[WASM_F64])),
            ];
            let mut v = MaybeUninit::uninit();
            wasm_functype_vec_new(Some(&mut v), elems.len(), elems.as_ptr());
            elems.set_len(0);
            let mut v = v.assume_init();
            assert_eq!(v.size, 3);

            let mut c = MaybeUninit::uninit();
            wasm_functype_vec_copy(Some(&mut c), Some(&v));
            let mut c = c.assume_init();
            assert_eq!(c.size, 3);
            assert!(c.as_slice()[1].is_none());
            let (orig, copy) = (
                v.as_slice()[0].as_deref().unwrap(),
                c.as_slice()[0].as_deref().unwrap(),
            );
            assert!(!addr(orig, copy));
            wasm_functype_vec_delete(Some(&mut v));
            assert!(is_emptied(&v));
            let f = c.as_slice()[2].as_deref().unwrap();
            assert_eq!(*f.ty(), FuncType::new([], [ValType::F64]));
            wasm_functype_vec_delete(Some(&mut c));

            let mut u = MaybeUninit::uninit();
            wasm_externtype_vec_new_uninitialized(Some(&mut u), 4);
            let mut u = u.assume_init();
            assert_eq!(u.size, 4);
            assert!(u.as_slice().iter().all(|e| e.is_none()));
            wasm_externtype_vec_delete(Some(&mut u));

            let mut e = MaybeUninit::uninit();
            wasm_importtype_vec_new_empty(Some(&mut e));
            let mut e = e.assume_init();
            assert_eq!(e.size, 0);
            wasm_importtype_vec_delete(Some(&mut e));

            wasm_valtype_vec_delete(None);
            wasm_exporttype_vec_delete(None);
            wasm_globaltype_vec_delete(None);
            wasm_tabletype_vec_delete(None);
            wasm_memorytype_vec_delete(None);
        }
    }

    #[test]
    fn null_deletes_are_ignored() {
        wasm_functype_delete(None);
        wasm_globaltype_delete(None);
        wasm_tabletype_delete(None);
        wasm_memorytype_delete(None);
        wasm_externtype_delete(None);
        wasm_importtype_delete(None);
        wasm_exporttype_delete(None);
        assert!(wasm_functype_params(None).is_none());
        assert!(wasm_functype_results(None).is_none());
    }

    #[test]
    fn type_objects_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<wasm_functype_t>();
        check::<wasm_externtype_t>();
        check::<wasm_importtype_t>();
        check::<wasm_exporttype_t>();
    }
}
