//! Externals (`wasm_extern_t`): a function, global, table or memory, with
//! casts to and from each (the same object, checked by kind).

use super::refs::{
    declare_ref, wasm_extern_t, wasm_func_t, wasm_global_t, wasm_memory_t, wasm_table_t, RefInner,
};
use super::types::{
    wasm_externkind_t, wasm_externtype_t, WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL, WASM_EXTERN_MEMORY,
    WASM_EXTERN_TABLE,
};
use super::vec::declare_vec;
use crate::runtime::Extern;

declare_ref!(
    wasm_extern_t,
    wasm_extern_delete,
    wasm_extern_copy,
    wasm_extern_same,
    wasm_extern_get_host_info,
    wasm_extern_set_host_info,
    wasm_extern_set_host_info_with_finalizer,
    wasm_extern_as_ref,
    wasm_ref_as_extern,
    wasm_extern_as_ref_const,
    wasm_ref_as_extern_const
);
declare_vec!(
    wasm_extern_vec_t,
    Option<Box<wasm_extern_t>>,
    wasm_extern_vec_new_empty,
    wasm_extern_vec_new_uninitialized,
    wasm_extern_vec_new,
    wasm_extern_vec_copy,
    wasm_extern_vec_delete
);

impl wasm_extern_t {
    /// The runtime extern and the store it lives in.
    pub(crate) fn parts(&self) -> (&super::engine::StoreRef, Extern) {
        match &self.r.inner {
            RefInner::Func(s, f) => (s, Extern::Func(*f)),
            RefInner::Global(s, g) => (s, Extern::Global(*g)),
            RefInner::Table(s, t) => (s, Extern::Table(*t)),
            RefInner::Memory(s, m) => (s, Extern::Memory(*m)),
            _ => unreachable!("wasm_extern_t always holds an extern"),
        }
    }

    /// The C object for an extern; `None` for a tag, which `wasm.h` cannot
    /// express (the C API leaves tags out of imports and exports).
    pub(crate) fn from_extern(
        store: &super::engine::StoreRef,
        e: Extern,
    ) -> Option<Box<wasm_extern_t>> {
        let s = store.clone();
        Some(wasm_extern_t::wrap(match e {
            Extern::Func(f) => RefInner::Func(s, f),
            Extern::Global(g) => RefInner::Global(s, g),
            Extern::Table(t) => RefInner::Table(s, t),
            Extern::Memory(m) => RefInner::Memory(s, m),
            Extern::Tag(_) => return None,
        }))
    }
}

/// The kind of the external (`WASM_EXTERN_FUNC`, ...).
#[no_mangle]
pub extern "C" fn wasm_extern_kind(e: Option<&wasm_extern_t>) -> wasm_externkind_t {
    let Some(e) = e else { return WASM_EXTERN_FUNC };
    match e.parts().1 {
        Extern::Func(_) => WASM_EXTERN_FUNC,
        Extern::Global(_) => WASM_EXTERN_GLOBAL,
        Extern::Table(_) => WASM_EXTERN_TABLE,
        Extern::Memory(_) => WASM_EXTERN_MEMORY,
        Extern::Tag(_) => unreachable!("C never gets a tag"),
    }
}

/// The external's type (owned by the caller).
#[no_mangle]
pub extern "C" fn wasm_extern_type(e: Option<&wasm_extern_t>) -> Option<Box<wasm_externtype_t>> {
    let (store, ext) = e?.parts();
    super::guard(None, || Some(wasm_externtype_t::new(ext.ty(store.get()))))
}

/// Casts between each kind of object and `wasm_extern_t`.
macro_rules! extern_casts {
    ($ty:ident, $as_extern:ident, $extern_as:ident, $as_extern_const:ident, $extern_as_const:ident) => {
        /// The object as an external (the same object; not a new owner).
        #[no_mangle]
        pub extern "C" fn $as_extern(o: Option<&mut $ty>) -> Option<&mut wasm_extern_t> {
            o.and_then(|o| wasm_extern_t::cast_mut(&mut o.r))
        }

        /// The external as this kind of object, or NULL if it is another kind.
        #[no_mangle]
        pub extern "C" fn $extern_as(e: Option<&mut wasm_extern_t>) -> Option<&mut $ty> {
            e.and_then(|e| $ty::cast_mut(&mut e.r))
        }

        /// `const` version of the cast to an external.
        #[no_mangle]
        pub extern "C" fn $as_extern_const(o: Option<&$ty>) -> Option<&wasm_extern_t> {
            o.and_then(|o| wasm_extern_t::cast(&o.r))
        }

        /// `const` version of the cast from an external.
        #[no_mangle]
        pub extern "C" fn $extern_as_const(e: Option<&wasm_extern_t>) -> Option<&$ty> {
            e.and_then(|e| $ty::cast(&e.r))
        }
    };
}

extern_casts!(
    wasm_func_t,
    wasm_func_as_extern,
    wasm_extern_as_func,
    wasm_func_as_extern_const,
    wasm_extern_as_func_const
);
extern_casts!(
    wasm_global_t,
    wasm_global_as_extern,
    wasm_extern_as_global,
    wasm_global_as_extern_const,
    wasm_extern_as_global_const
);
extern_casts!(
    wasm_table_t,
    wasm_table_as_extern,
    wasm_extern_as_table,
    wasm_table_as_extern_const,
    wasm_extern_as_table_const
);
extern_casts!(
    wasm_memory_t,
    wasm_memory_as_extern,
    wasm_extern_as_memory,
    wasm_memory_as_extern_const,
    wasm_extern_as_memory_const
);
