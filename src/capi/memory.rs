//! Memory instances.

use super::engine::wasm_store_t;
use super::refs::{declare_ref, wasm_memory_t, RefInner};
use super::types::wasm_memorytype_t;
use crate::runtime::Memory;

declare_ref!(
    wasm_memory_t,
    wasm_memory_delete,
    wasm_memory_copy,
    wasm_memory_same,
    wasm_memory_get_host_info,
    wasm_memory_set_host_info,
    wasm_memory_set_host_info_with_finalizer,
    wasm_memory_as_ref,
    wasm_ref_as_memory,
    wasm_memory_as_ref_const,
    wasm_ref_as_memory_const
);

/// Memory sizes in 64 KiB pages.
pub type wasm_memory_pages_t = u32;

impl wasm_memory_t {
    fn parts(&self) -> (&super::engine::StoreRef, Memory) {
        match &self.r.inner {
            RefInner::Memory(s, m) => (s, *m),
            _ => unreachable!("wasm_memory_t always holds a memory"),
        }
    }
}

/// Creates a memory of type `type`. Returns NULL if an argument is NULL or
/// the limits are invalid (minimum above maximum, or above 65536 pages).
#[no_mangle]
pub extern "C" fn wasm_memory_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_memorytype_t>,
) -> Option<Box<wasm_memory_t>> {
    let (store, ty) = (store?, ty?);
    let s = &store.store;
    super::guard(None, || {
        let m = Memory::new(s.get(), ty.ty()).ok()?;
        Some(wasm_memory_t::wrap(RefInner::Memory(s.clone(), m)))
    })
}

/// The memory's type, with its current size as minimum (owned by the caller).
#[no_mangle]
pub extern "C" fn wasm_memory_type(
    memory: Option<&wasm_memory_t>,
) -> Option<Box<wasm_memorytype_t>> {
    let (store, m) = memory?.parts();
    super::guard(None, || Some(wasm_memorytype_t::new(m.ty(store.get()))))
}

/// The memory's first byte. Craneway never moves a memory, so the pointer
/// stays valid while the store lives; `wasm_memory_data_size` bytes from it
/// are accessible.
#[no_mangle]
pub extern "C" fn wasm_memory_data(memory: Option<&mut wasm_memory_t>) -> *mut u8 {
    let Some(memory) = memory else {
        return std::ptr::null_mut();
    };
    let (store, m) = memory.parts();
    m.data_mut(store.get()).as_mut_ptr()
}

/// The memory's size in bytes.
#[no_mangle]
pub extern "C" fn wasm_memory_data_size(memory: Option<&wasm_memory_t>) -> usize {
    let Some(memory) = memory else { return 0 };
    let (store, m) = memory.parts();
    m.data(store.get()).len()
}

/// The memory's size in pages.
#[no_mangle]
pub extern "C" fn wasm_memory_size(memory: Option<&wasm_memory_t>) -> wasm_memory_pages_t {
    let Some(memory) = memory else { return 0 };
    let (store, m) = memory.parts();
    m.size(store.get())
}

/// Grows the memory by `delta` pages; false if that would pass its maximum.
#[no_mangle]
pub extern "C" fn wasm_memory_grow(
    memory: Option<&mut wasm_memory_t>,
    delta: wasm_memory_pages_t,
) -> bool {
    let Some(memory) = memory else { return false };
    let (store, m) = memory.parts();
    super::guard(false, || m.grow(store.get(), delta).is_ok())
}
