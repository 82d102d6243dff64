//! Foreign objects: opaque host objects with identity and host info, which
//! wasm can hold as `externref` values.

use super::engine::wasm_store_t;
use super::refs::{declare_ref, wasm_foreign_t, RefInner};

declare_ref!(
    wasm_foreign_t,
    wasm_foreign_delete,
    wasm_foreign_copy,
    wasm_foreign_same,
    wasm_foreign_get_host_info,
    wasm_foreign_set_host_info,
    wasm_foreign_set_host_info_with_finalizer,
    wasm_foreign_as_ref,
    wasm_ref_as_foreign,
    wasm_foreign_as_ref_const,
    wasm_ref_as_foreign_const
);

/// Creates a new foreign object in `store` (NULL if `store` is NULL).
#[no_mangle]
pub extern "C" fn wasm_foreign_new(store: Option<&wasm_store_t>) -> Option<Box<wasm_foreign_t>> {
    let s = &store?.store;
    Some(wasm_foreign_t::wrap(RefInner::Foreign(
        s.clone(),
        s.fresh_id(),
    )))
}
