//! Module instances.

use super::engine::wasm_store_t;
use super::externs::wasm_extern_vec_t;
use super::refs::{
    declare_ref, wasm_extern_t, wasm_instance_t, wasm_module_t, wasm_trap_t, RefInner,
};
use super::trap::store_trap;
use super::vec::WasmVec;
use crate::runtime::{Error, Extern, Instance, Trap};
use crate::types::ExternType;
use std::mem::MaybeUninit;

declare_ref!(
    wasm_instance_t,
    wasm_instance_delete,
    wasm_instance_copy,
    wasm_instance_same,
    wasm_instance_get_host_info,
    wasm_instance_set_host_info,
    wasm_instance_set_host_info_with_finalizer,
    wasm_instance_as_ref,
    wasm_ref_as_instance,
    wasm_instance_as_ref_const,
    wasm_ref_as_instance_const
);

/// Instantiates `module` with `imports` (in the order of
/// `wasm_module_imports`). On failure returns NULL and, if `trap` is not
/// NULL, stores an owned trap saying why in `*trap`: a trap raised while
/// initialising or in the start function, or a message for a link error
/// (missing or mistyped import) or a resource failure. `*trap` is set to
/// NULL on success.
#[no_mangle]
pub unsafe extern "C" fn wasm_instance_new(
    store: Option<&wasm_store_t>,
    module: Option<&wasm_module_t>,
    imports: Option<&wasm_extern_vec_t>,
    trap: *mut Option<Box<wasm_trap_t>>,
) -> Option<Box<wasm_instance_t>> {
    if !trap.is_null() {
        trap.write(None);
    }
    let fail = |t: Trap| {
        if !trap.is_null() {
            // SAFETY: checked non-null; the caller gave us the slot.
            unsafe { trap.write(Some(super::trap::new_trap(t))) };
        }
        None
    };
    let (Some(store), Some(module)) = (store, module) else {
        return fail(Trap::new("wasm_instance_new: NULL store or module"));
    };
    let s = &store.store;
    let no_imports = wasm_extern_vec_t::empty();
    let imports = imports.unwrap_or(&no_imports).as_slice();
    if module
        .module()
        .imports()
        .iter()
        .any(|i| matches!(i.ty, ExternType::Tag(_)))
    {
        return fail(Trap::new(
            "wasm_instance_new: the module imports an exception tag, which the C API cannot provide",
        ));
    }
    let mut externs = Vec::with_capacity(imports.len());
    for (i, e) in imports.iter().enumerate() {
        match e {
            Some(e) => {
                let (es, ext) = e.parts();
                if !es.same(s) {
                    return fail(Trap::new(format!("import {i} belongs to another store")));
                }
                externs.push(ext);
            }
            None => return fail(Trap::new(format!("import {i} is NULL"))),
        }
    }
    let result = super::guard(Err(Error::Other("internal error".into())), || {
        Instance::new(s.get(), module.module(), &externs)
    });
    match result {
        Ok(i) => Some(wasm_instance_t::wrap(RefInner::Instance(s.clone(), i))),
        Err(Error::Trap(t)) => {
            if !trap.is_null() {
                trap.write(Some(store_trap(s, t)));
            }
            None
        }
        Err(e) => fail(Trap::new(e.to_string())),
    }
}

/// Writes the instance's exports, in the module's export order, to `out`.
#[no_mangle]
pub extern "C" fn wasm_instance_exports(
    instance: Option<&wasm_instance_t>,
    out: Option<&mut MaybeUninit<wasm_extern_vec_t>>,
) {
    let Some(out) = out else { return };
    let Some(RefInner::Instance(store, inst)) = instance.map(|i| &i.r.inner) else {
        out.write(WasmVec::empty());
        return;
    };
    let exports = super::guard(Vec::new(), || {
        inst.exports(store.get())
            .into_iter()
            // Tags are left out, as in `wasm_module_exports`.
            .filter_map(|(_, e): (String, Extern)| wasm_extern_t::from_extern(store, e))
            .map(Some)
            .collect()
    });
    out.write(WasmVec::from_vec(exports));
}
