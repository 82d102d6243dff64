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
/// the limits are invalid (minimum above maximum, or above 65536 pages for
/// a 32-bit memory, 2^48 for a 64-bit one) or cannot be reserved (a 64-bit
/// memory reserves its maximum, at most 4 times the configured memory
/// reservation, 16 GiB by default).
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

/// The memory's size in pages. Works for 64-bit memories too; a size
/// beyond 32 bits (which Craneway's reservations never reach) would saturate
/// to `UINT32_MAX`: `craneway_memory_size64` is exact.
#[no_mangle]
pub extern "C" fn wasm_memory_size(memory: Option<&wasm_memory_t>) -> wasm_memory_pages_t {
    u32::try_from(craneway_memory_size64(memory)).unwrap_or(u32::MAX)
}

/// Grows the memory (32- or 64-bit) by `delta` pages; false if that would
/// pass its maximum or what Craneway reserved for it.
#[no_mangle]
pub extern "C" fn wasm_memory_grow(
    memory: Option<&mut wasm_memory_t>,
    delta: wasm_memory_pages_t,
) -> bool {
    craneway_memory_grow64(memory, delta.into())
}

/// The memory's size in pages as a 64-bit count (for 64-bit memories);
/// 0 if `memory` is NULL.
#[no_mangle]
pub extern "C" fn craneway_memory_size64(memory: Option<&wasm_memory_t>) -> u64 {
    let Some(memory) = memory else { return 0 };
    let (store, m) = memory.parts();
    m.size(store.get())
}

/// Grows the memory by a 64-bit `delta` pages; false if `memory` is NULL or
/// the growth would pass its maximum or what Craneway reserved for it (the
/// memory is unchanged then).
#[no_mangle]
pub extern "C" fn craneway_memory_grow64(memory: Option<&mut wasm_memory_t>, delta: u64) -> bool {
    let Some(memory) = memory else { return false };
    let (store, m) = memory.parts();
    super::guard(false, || m.grow(store.get(), delta).is_ok())
}
