//! Configuration, engines and stores, and the per-store table of host info
//! that the reference functions (`wasm_*_set_host_info`) attach.

use super::guard;
use crate::runtime::Store;
use crate::{Config, Engine};
use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Engine configuration (see `craneway.h` for the settings).
pub struct wasm_config_t {
    pub(crate) config: Config,
}

/// A compilation environment; shareable between threads.
pub struct wasm_engine_t {
    pub(crate) engine: Engine,
}

/// A store: owns every object created in it. C objects of a store keep it
/// alive, so deleting the store first and its objects later is safe.
pub struct wasm_store_t {
    pub(crate) store: StoreRef,
}

/// Host data attached to an object, with the finalizer to run when the
/// object's life ends.
pub(crate) struct HostInfo {
    pub data: *mut std::ffi::c_void,
    pub finalizer: Option<unsafe extern "C" fn(*mut std::ffi::c_void)>,
}

impl Drop for HostInfo {
    fn drop(&mut self) {
        if let Some(f) = self.finalizer {
            // SAFETY: the embedder registered this finalizer for this data.
            unsafe { f(self.data) };
        }
    }
}

/// What identifies an object for `wasm_*_same` and host info.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ObjectKey {
    Func(u32),
    Global(u32),
    Table(u32),
    Memory(u32),
    Instance(u32),
    Foreign(u64),
}

impl ObjectKey {
    /// A number unique per key within a store.
    pub fn as_u64(self) -> u64 {
        let (tag, v) = match self {
            ObjectKey::Func(i) => (0, u64::from(i)),
            ObjectKey::Global(i) => (1, u64::from(i)),
            ObjectKey::Table(i) => (2, u64::from(i)),
            ObjectKey::Memory(i) => (3, u64::from(i)),
            ObjectKey::Instance(i) => (4, u64::from(i)),
            ObjectKey::Foreign(i) => (5, i),
        };
        (tag << 60) | (v & ((1 << 60) - 1))
    }
}

pub(crate) struct StoreCell {
    store: UnsafeCell<Store>,
    host_info: RefCell<HashMap<ObjectKey, HostInfo>>,
    next_id: Cell<u64>,
    /// The externref standing for each C object passed to wasm, so passing
    /// one object again reuses it (see `val::to_runtime`).
    externrefs: RefCell<HashMap<(u8, u64), crate::runtime::ExternRef>>,
}

impl Drop for StoreCell {
    fn drop(&mut self) {
        // Objects die with the store: run their finalizers, then drop it.
        let infos = std::mem::take(&mut *self.host_info.borrow_mut());
        drop(infos);
    }
}

/// A store reference that does not keep it alive.
pub(crate) struct WeakStore(std::rc::Weak<StoreCell>);

// SAFETY: host closures must be Send + Sync for the runtime, but a store and
// its functions are only used by one thread at a time, so the count is never
// touched concurrently.
unsafe impl Send for WeakStore {}
unsafe impl Sync for WeakStore {}

impl WeakStore {
    pub fn upgrade(&self) -> Option<StoreRef> {
        self.0.upgrade().map(StoreRef)
    }
}

/// A counted reference to a store, held by every object created in it.
#[derive(Clone)]
pub(crate) struct StoreRef(Rc<StoreCell>);

impl StoreRef {
    pub fn new(engine: &Engine) -> StoreRef {
        StoreRef(Rc::new(StoreCell {
            store: UnsafeCell::new(Store::new(engine)),
            host_info: RefCell::new(HashMap::new()),
            next_id: Cell::new(1),
            externrefs: RefCell::new(HashMap::new()),
        }))
    }

    /// The store, for one runtime call.
    ///
    /// The C API is single-threaded per store, and a host callback that
    /// re-enters the store does so while the outer call is suspended in
    /// wasm, as with the Rust API's `Caller`.
    #[allow(clippy::mut_from_ref)]
    pub fn get(&self) -> &mut Store {
        // SAFETY: see above; no reference obtained here outlives the call
        // that obtained it.
        unsafe { &mut *self.0.store.get() }
    }

    /// A reference that does not keep the store alive, for host functions
    /// (which the store owns: a strong one would be a cycle).
    pub fn weak(&self) -> WeakStore {
        WeakStore(Rc::downgrade(&self.0))
    }

    pub fn same(&self, other: &StoreRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// A fresh id for objects with no runtime identity (foreign objects, traps).
    pub fn fresh_id(&self) -> u64 {
        let id = self.0.next_id.get();
        self.0.next_id.set(id + 1);
        id
    }

    /// The externref interned for `identity`, made by `make` the first time.
    pub fn intern_externref(
        &self,
        identity: (u8, u64),
        make: impl FnOnce() -> crate::runtime::ExternRef,
    ) -> crate::runtime::ExternRef {
        if let Some(e) = self.0.externrefs.borrow().get(&identity) {
            return *e;
        }
        let e = make();
        self.0.externrefs.borrow_mut().insert(identity, e);
        e
    }

    pub fn host_info(&self, key: ObjectKey) -> *mut std::ffi::c_void {
        self.0
            .host_info
            .borrow()
            .get(&key)
            .map_or(std::ptr::null_mut(), |h| h.data)
    }

    pub fn set_host_info(&self, key: ObjectKey, info: HostInfo) {
        // Replacing host info finalizes the previous one. The finalizer runs
        // after the table is released, so it may touch the store.
        let old = self.0.host_info.borrow_mut().insert(key, info);
        drop(old);
    }
}

/// Creates a configuration with the defaults (WebAssembly 2.0, optimised
/// for speed). Pass it to `wasm_engine_new_with_config`, which takes it.
#[no_mangle]
pub extern "C" fn wasm_config_new() -> Box<wasm_config_t> {
    Box::new(wasm_config_t {
        config: Config::default(),
    })
}

super::declare_own!(wasm_config_t, wasm_config_delete);

/// Creates an engine with the default configuration. Returns NULL only if
/// this host's CPU is not supported.
#[no_mangle]
pub extern "C" fn wasm_engine_new() -> Option<Box<wasm_engine_t>> {
    guard(None, || {
        Engine::new(&Config::default())
            .ok()
            .map(|engine| Box::new(wasm_engine_t { engine }))
    })
}

/// Creates an engine with `config`, which it takes (and deletes). Returns
/// NULL if `config` is NULL or the configuration cannot be used on this host.
#[no_mangle]
pub extern "C" fn wasm_engine_new_with_config(
    config: Option<Box<wasm_config_t>>,
) -> Option<Box<wasm_engine_t>> {
    let config = config?;
    guard(None, || {
        Engine::new(&config.config)
            .ok()
            .map(|engine| Box::new(wasm_engine_t { engine }))
    })
}

// Modules and stores made with an engine keep what they need of it alive.
super::declare_own!(wasm_engine_t, wasm_engine_delete);

/// Creates a store in `engine`. Returns NULL if `engine` is NULL.
#[no_mangle]
pub extern "C" fn wasm_store_new(engine: Option<&wasm_engine_t>) -> Option<Box<wasm_store_t>> {
    let engine = engine?;
    guard(None, || {
        Some(Box::new(wasm_store_t {
            store: StoreRef::new(&engine.engine),
        }))
    })
}

// Deleting a store handle: the store and its objects live on while any of
// its objects remain; their finalizers run when the last one goes.
super::declare_own!(wasm_store_t, wasm_store_delete);
