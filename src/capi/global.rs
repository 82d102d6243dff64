//! Global instances.

use super::engine::wasm_store_t;
use super::refs::{declare_ref, wasm_global_t, RefInner};
use super::types::wasm_globaltype_t;
use super::val::{from_runtime, to_runtime, wasm_val_t};
use crate::runtime::Global;
use std::mem::MaybeUninit;

declare_ref!(
    wasm_global_t,
    wasm_global_delete,
    wasm_global_copy,
    wasm_global_same,
    wasm_global_get_host_info,
    wasm_global_set_host_info,
    wasm_global_set_host_info_with_finalizer,
    wasm_global_as_ref,
    wasm_ref_as_global,
    wasm_global_as_ref_const,
    wasm_ref_as_global_const
);

impl wasm_global_t {
    fn parts(&self) -> (&super::engine::StoreRef, Global) {
        match &self.r.inner {
            RefInner::Global(s, g) => (s, *g),
            _ => unreachable!("wasm_global_t always holds a global"),
        }
    }
}

/// Creates a global of type `type` holding `val`. Returns NULL if an
/// argument is NULL or `val` does not have the global's type.
#[no_mangle]
pub extern "C" fn wasm_global_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_globaltype_t>,
    val: Option<&wasm_val_t>,
) -> Option<Box<wasm_global_t>> {
    let (store, ty, val) = (store?, ty?, val?);
    let s = &store.store;
    super::guard(None, || {
        let v = to_runtime(s, val).ok()?;
        let g = Global::new(s.get(), ty.ty(), v).ok()?;
        Some(wasm_global_t::wrap(RefInner::Global(s.clone(), g)))
    })
}

/// The global's type (owned by the caller).
#[no_mangle]
pub extern "C" fn wasm_global_type(
    global: Option<&wasm_global_t>,
) -> Option<Box<wasm_globaltype_t>> {
    let (store, g) = global?.parts();
    super::guard(None, || Some(wasm_globaltype_t::new(g.ty(store.get()))))
}

/// Writes the global's value to `out` (a reference is a new owner).
#[no_mangle]
pub extern "C" fn wasm_global_get(
    global: Option<&wasm_global_t>,
    out: Option<&mut MaybeUninit<wasm_val_t>>,
) {
    let (Some(global), Some(out)) = (global, out) else {
        return;
    };
    let (store, g) = global.parts();
    out.write(super::guard(wasm_val_t::i32(0), || {
        from_runtime(store, g.get(store.get()))
    }));
}

/// Sets a mutable global to `val`. Does nothing if the global is immutable
/// or `val` has another type.
#[no_mangle]
pub extern "C" fn wasm_global_set(global: Option<&mut wasm_global_t>, val: Option<&wasm_val_t>) {
    let (Some(global), Some(val)) = (global, val) else {
        return;
    };
    let (store, g) = global.parts();
    super::guard((), || {
        if let Ok(v) = to_runtime(store, val) {
            let _ = g.set(store.get(), v);
        }
    })
}
