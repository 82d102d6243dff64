//! Modules: compile, validate, reflect, serialize, and share across stores
//! and threads.

use super::engine::wasm_store_t;
use super::refs::{declare_ref, wasm_module_t, RefInner, Shared};
use super::trap::wasm_message_t;
use super::types::{
    wasm_exporttype_t, wasm_exporttype_vec_t, wasm_importtype_t, wasm_importtype_vec_t,
};
use super::vec::{wasm_byte_vec_t, WasmVec};
use crate::runtime::Module;
use crate::types::ExternType;
use std::mem::MaybeUninit;

declare_ref!(
    wasm_module_t,
    wasm_module_delete,
    wasm_module_copy,
    wasm_module_same,
    wasm_module_get_host_info,
    wasm_module_set_host_info,
    wasm_module_set_host_info_with_finalizer,
    wasm_module_as_ref,
    wasm_ref_as_module,
    wasm_module_as_ref_const,
    wasm_ref_as_module_const
);

/// A module that can be sent to another thread and obtained in a store
/// there.
pub struct wasm_shared_module_t {
    module: Module,
}
super::declare_own!(wasm_shared_module_t, wasm_shared_module_delete);

impl wasm_module_t {
    pub(crate) fn module(&self) -> &Module {
        match &self.r.inner {
            RefInner::Module(m) => &m.value,
            _ => unreachable!("wasm_module_t always holds a module"),
        }
    }

    fn wrap_module(module: Module) -> Box<wasm_module_t> {
        wasm_module_t::wrap(RefInner::Module(Shared::new(module, None)))
    }
}

fn compile(store: &wasm_store_t, binary: &wasm_byte_vec_t) -> Result<Box<wasm_module_t>, String> {
    let engine = store.store.get().engine().clone();
    super::guard(Err("internal error".to_string()), || {
        Module::new(&engine, binary.as_slice())
            .map(wasm_module_t::wrap_module)
            .map_err(|e| e.to_string())
    })
}

/// Validates and compiles `binary`. Returns NULL if it is not a valid
/// module (or an argument is NULL); `craneway_module_new_with_error` says why.
#[no_mangle]
pub extern "C" fn wasm_module_new(
    store: Option<&wasm_store_t>,
    binary: Option<&wasm_byte_vec_t>,
) -> Option<Box<wasm_module_t>> {
    compile(store?, binary?).ok()
}

/// Like `wasm_module_new`, and on failure writes the validation or
/// compilation error (null-terminated, owned by the caller) to `error`;
/// on success writes an empty vector there. `error` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn craneway_module_new_with_error(
    store: Option<&wasm_store_t>,
    binary: Option<&wasm_byte_vec_t>,
    error: *mut wasm_message_t,
) -> Option<Box<wasm_module_t>> {
    let result = match (store, binary) {
        (Some(s), Some(b)) => compile(s, b),
        _ => Err("NULL store or binary".to_string()),
    };
    let (module, msg) = match result {
        Ok(m) => (Some(m), WasmVec::empty()),
        Err(e) => {
            let mut bytes = e.into_bytes();
            bytes.push(0);
            (None, WasmVec::from_vec(bytes))
        }
    };
    if error.is_null() {
        let mut msg = msg;
        // SAFETY: made by `WasmVec::from_vec` just above.
        drop(unsafe { msg.take() });
    } else {
        error.write(msg);
    }
    module
}

/// Is `binary` a valid module? (Validation only; nothing is compiled.)
#[no_mangle]
pub extern "C" fn wasm_module_validate(
    store: Option<&wasm_store_t>,
    binary: Option<&wasm_byte_vec_t>,
) -> bool {
    let (Some(store), Some(binary)) = (store, binary) else {
        return false;
    };
    super::guard(false, || {
        Module::validate(store.store.get().engine(), binary.as_slice()).is_ok()
    })
}

/// Writes the module's imports to `out`.
#[no_mangle]
pub extern "C" fn wasm_module_imports(
    module: Option<&wasm_module_t>,
    out: Option<&mut MaybeUninit<wasm_importtype_vec_t>>,
) {
    let (Some(module), Some(out)) = (module, out) else {
        return;
    };
    let v = module
        .module()
        .imports()
        .iter()
        // Tags cannot be expressed in wasm.h: left out (see the README).
        .filter(|i| !matches!(i.ty, ExternType::Tag(_)))
        .map(|i| Some(wasm_importtype_t::new(i)))
        .collect();
    out.write(WasmVec::from_vec(v));
}

/// Writes the module's exports to `out`.
#[no_mangle]
pub extern "C" fn wasm_module_exports(
    module: Option<&wasm_module_t>,
    out: Option<&mut MaybeUninit<wasm_exporttype_vec_t>>,
) {
    let (Some(module), Some(out)) = (module, out) else {
        return;
    };
    let v = module
        .module()
        .exports()
        .iter()
        // As for imports; `wasm_instance_exports` leaves them out too.
        .filter(|e| !matches!(e.ty, ExternType::Tag(_)))
        .map(|e| Some(wasm_exporttype_t::new(e)))
        .collect();
    out.write(WasmVec::from_vec(v));
}

/// Writes the compiled module (code and everything needed to run it) to
/// `out`, for `wasm_module_deserialize`.
#[no_mangle]
pub extern "C" fn wasm_module_serialize(
    module: Option<&wasm_module_t>,
    out: Option<&mut MaybeUninit<wasm_byte_vec_t>>,
) {
    let (Some(module), Some(out)) = (module, out) else {
        return;
    };
    let bytes = super::guard(Vec::new(), || module.module().serialize());
    out.write(WasmVec::from_vec(bytes));
}

/// Loads a module written by `wasm_module_serialize` without compiling it
/// again. Returns NULL if the bytes are truncated or corrupted, come from
/// another Craneway version or engine configuration, or need CPU features
/// this host lacks.
#[no_mangle]
pub extern "C" fn wasm_module_deserialize(
    store: Option<&wasm_store_t>,
    bytes: Option<&wasm_byte_vec_t>,
) -> Option<Box<wasm_module_t>> {
    let (store, bytes) = (store?, bytes?);
    let engine = store.store.get().engine().clone();
    super::guard(None, || {
        Module::deserialize(&engine, bytes.as_slice())
            .ok()
            .map(wasm_module_t::wrap_module)
    })
}

/// `wasm_module_share` and `wasm_module_obtain` (declared in the header
/// by `WASM_DECLARE_SHARABLE_REF`).
macro_rules! declare_sharable {
    ($share:ident, $obtain:ident) => {
        /// A shareable handle to the module (owned by the caller).
        #[no_mangle]
        pub extern "C" fn $share(
            module: Option<&wasm_module_t>,
        ) -> Option<Box<wasm_shared_module_t>> {
            module.map(|m| {
                Box::new(wasm_shared_module_t {
                    module: m.module().clone(),
                })
            })
        }

        /// The shared module as a module usable in `store` (owned by the
        /// caller). Returns NULL if an argument is NULL or the store's engine
        /// is not the module's.
        #[no_mangle]
        pub extern "C" fn $obtain(
            store: Option<&wasm_store_t>,
            shared: Option<&wasm_shared_module_t>,
        ) -> Option<Box<wasm_module_t>> {
            let (store, shared) = (store?, shared?);
            let same = crate::Engine::same(store.store.get().engine(), shared.module.engine());
            same.then(|| wasm_module_t::wrap_module(shared.module.clone()))
        }
    };
}
declare_sharable!(wasm_module_share, wasm_module_obtain);
