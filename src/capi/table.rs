//! Table instances.

use super::engine::wasm_store_t;
use super::refs::{declare_ref, wasm_ref_t, wasm_table_t, RefInner};
use super::types::wasm_tabletype_t;
use super::val::{from_runtime, kind_of, to_runtime, wasm_val_t};
use crate::runtime::{Table, Val};

declare_ref!(
    wasm_table_t,
    wasm_table_delete,
    wasm_table_copy,
    wasm_table_same,
    wasm_table_get_host_info,
    wasm_table_set_host_info,
    wasm_table_set_host_info_with_finalizer,
    wasm_table_as_ref,
    wasm_ref_as_table,
    wasm_table_as_ref_const,
    wasm_ref_as_table_const
);

/// Table sizes and indices.
pub type wasm_table_size_t = u32;

impl wasm_table_t {
    fn parts(&self) -> (&super::engine::StoreRef, Table) {
        match &self.r.inner {
            RefInner::Table(s, t) => (s, *t),
            _ => unreachable!("wasm_table_t always holds a table"),
        }
    }
}

/// The runtime value for a reference `r` (NULL is null) stored in a table
/// of `table`'s element type.
fn elem(store: &super::engine::StoreRef, table: Table, r: Option<&wasm_ref_t>) -> Option<Val> {
    let ty = table.ty(store.get()).element;
    let v = wasm_val_t {
        kind: kind_of(ty),
        of: super::val::wasm_val_union {
            ref_: r.map_or(std::ptr::null_mut(), |r| Box::into_raw(Box::new(r.clone()))),
        },
    };
    to_runtime(store, &v).ok()
}

/// Creates a table of type `type` with every element set to `init` (NULL
/// for null). Returns NULL if `store` or `type` is NULL, or `init` does not
/// fit the element type.
#[no_mangle]
pub extern "C" fn wasm_table_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_tabletype_t>,
    init: Option<&wasm_ref_t>,
) -> Option<Box<wasm_table_t>> {
    let (store, ty) = (store?, ty?);
    let s = &store.store;
    super::guard(None, || {
        let tt = ty.ty();
        let v = wasm_val_t {
            kind: kind_of(tt.element),
            of: super::val::wasm_val_union {
                ref_: init.map_or(std::ptr::null_mut(), |r| Box::into_raw(Box::new(r.clone()))),
            },
        };
        let init = to_runtime(s, &v).ok()?;
        let t = Table::new(s.get(), tt, init).ok()?;
        Some(wasm_table_t::wrap(RefInner::Table(s.clone(), t)))
    })
}

/// The table's type, with its current size as minimum (owned by the caller).
#[no_mangle]
pub extern "C" fn wasm_table_type(table: Option<&wasm_table_t>) -> Option<Box<wasm_tabletype_t>> {
    let (store, t) = table?.parts();
    super::guard(None, || Some(wasm_tabletype_t::new(t.ty(store.get()))))
}

/// The element at `index` (owned by the caller), or NULL if it is null or
/// `index` is out of bounds.
#[no_mangle]
pub extern "C" fn wasm_table_get(
    table: Option<&wasm_table_t>,
    index: wasm_table_size_t,
) -> Option<Box<wasm_ref_t>> {
    let (store, t) = table?.parts();
    super::guard(None, || {
        let v = from_runtime(store, t.get(store.get(), index)?);
        v.ref_().map(|r| Box::new(r.clone()))
    })
}

/// Sets the element at `index` to `r` (NULL for null). False if `index` is
/// out of bounds or `r` does not fit the element type.
#[no_mangle]
pub extern "C" fn wasm_table_set(
    table: Option<&mut wasm_table_t>,
    index: wasm_table_size_t,
    r: Option<&wasm_ref_t>,
) -> bool {
    let Some(table) = table else { return false };
    let (store, t) = table.parts();
    super::guard(false, || match elem(store, t, r) {
        Some(v) => t.set(store.get(), index, v).is_ok(),
        None => false,
    })
}

/// The table's size in elements.
#[no_mangle]
pub extern "C" fn wasm_table_size(table: Option<&wasm_table_t>) -> wasm_table_size_t {
    let Some(table) = table else { return 0 };
    let (store, t) = table.parts();
    t.size(store.get())
}

/// Grows the table by `delta` elements set to `init` (NULL for null);
/// false if that would pass its maximum or `init` does not fit.
#[no_mangle]
pub extern "C" fn wasm_table_grow(
    table: Option<&mut wasm_table_t>,
    delta: wasm_table_size_t,
    init: Option<&wasm_ref_t>,
) -> bool {
    let Some(table) = table else { return false };
    let (store, t) = table.parts();
    super::guard(false, || match elem(store, t, init) {
        Some(v) => t.grow(store.get(), delta, v).is_ok(),
        None => false,
    })
}
