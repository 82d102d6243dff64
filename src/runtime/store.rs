//! Stores: the owner of every instance, function, memory, table, global and
//! external reference created in it. Nothing in a store is freed before the
//! store itself, so handles stay valid for its whole life.

use super::func::{FuncData, HostFunc};
use super::instance::InstanceData;
use super::{Error, ExternRef, Func};
use crate::engine::Engine;
use crate::types::GlobalType;
use crate::vm::memory::{LinearMemory, TableStorage};
use crate::vm::vmcontext::{VMFuncRef, VMGlobal, VMStoreContext};
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) struct GlobalData {
    pub ptr: *mut VMGlobal,
    pub ty: GlobalType,
}

pub(crate) struct ExternRefData {
    pub index: u32,
    pub value: Box<dyn Any + Send + Sync>,
}

/// Everything a store owns. Reached through `Store`, a `Caller`, or the
/// `AsStore`/`AsStoreMut` traits; it has no public methods of its own.
/// The boxes are deliberate: compiled code holds their addresses.
#[allow(clippy::vec_box)]
pub struct StoreData {
    pub(crate) engine: Engine,
    pub(crate) id: u64,
    pub(crate) ctx: Box<VMStoreContext>,
    // Instances first: they point into everything below.
    pub(crate) instances: Vec<InstanceData>,
    pub(crate) funcs: Vec<FuncData>,
    pub(crate) funcs_by_ref: HashMap<usize, u32>,
    pub(crate) host_funcs: Vec<Box<HostFunc>>,
    pub(crate) memories: Vec<Box<LinearMemory>>,
    pub(crate) tables: Vec<Box<TableStorage>>,
    pub(crate) globals: Vec<GlobalData>,
    pub(crate) host_globals: Vec<Box<VMGlobal>>,
    pub(crate) externrefs: Vec<Box<ExternRefData>>,
    pub(crate) tags: Vec<super::tag::TagData>,
    /// Most instances, memories and tables the store may hold.
    pub(crate) counts: StoreLimits,
}

/// Static limits on a store (`None`: no limit). A memory or table that
/// would grow past its bound does not (`memory.grow` and `table.grow` give
/// -1); instantiating past a count fails with an error saying which.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreLimits {
    /// Bytes each linear memory may have.
    pub memory_size: Option<u64>,
    /// Elements each table may have.
    pub table_elements: Option<u64>,
    /// Module instances in the store.
    pub instances: Option<usize>,
    /// Tables in the store (defined by instances or made by the host).
    pub tables: Option<usize>,
    /// Linear memories in the store (defined by instances or made by the
    /// host).
    pub memories: Option<usize>,
}

impl StoreData {
    /// An error if the store already holds as many of `what` as its limit
    /// allows, counting `adding` more.
    pub(crate) fn check_count(
        &self,
        what: &str,
        have: usize,
        adding: usize,
        limit: Option<usize>,
    ) -> Result<(), String> {
        match limit {
            Some(max) if have.saturating_add(adding) > max => Err(format!(
                "the store's limit of {max} {what} would be exceeded"
            )),
            _ => Ok(()),
        }
    }
}

// SAFETY: a store is used by one thread at a time (it is not Sync); the raw
// pointers it holds point into memory it owns, and host closures and
// externref values are Send + Sync.
unsafe impl Send for StoreData {}

/// A store: one unit of isolation and ownership. Not shareable across
/// threads at once, but may move between threads.
pub struct Store {
    data: Box<StoreData>,
}

impl Store {
    pub fn new(engine: &Engine) -> Store {
        let mut data = Box::new(StoreData {
            engine: engine.clone(),
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            ctx: Box::new(VMStoreContext::new(
                engine.config().max_wasm_stack,
                &engine.inner.epoch,
            )),
            instances: Vec::new(),
            funcs: Vec::new(),
            funcs_by_ref: HashMap::new(),
            host_funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            host_globals: Vec::new(),
            externrefs: Vec::new(),
            tags: Vec::new(),
            counts: StoreLimits::default(),
        });
        data.ctx.store = &mut *data as *mut StoreData as *mut u8;
        Store { data }
    }

    pub fn engine(&self) -> &Engine {
        &self.data.engine
    }

    /// Sets the epoch deadline `ticks` after the engine's current epoch
    /// (see `Config::epoch_interruption`). Until it is set there is none.
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        let now = self.data.engine.current_epoch();
        self.data.ctx.epoch_deadline = now.saturating_add(ticks);
    }

    /// What happens when running code reaches the epoch deadline: the
    /// callback returns `Some(ticks)` to go on with a new deadline that
    /// many ticks after the current epoch, or `None` to trap with
    /// `TrapCode::Interrupt` (also what happens without a callback, and
    /// when the callback panics). It runs on the thread running the wasm,
    /// inside the call, and cannot use the store.
    pub fn epoch_deadline_callback(
        &mut self,
        callback: impl FnMut() -> Option<u64> + Send + 'static,
    ) {
        self.data.ctx.epoch_callback = Some(Box::new(callback));
    }

    /// Sets the fuel left (see `Config::consume_fuel`; at most `i64::MAX`).
    /// An error if the engine does not consume fuel.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), String> {
        if !self.data.engine.config().consume_fuel {
            return Err("fuel is not enabled for this engine (Config::consume_fuel)".into());
        }
        self.data.ctx.fuel = -(fuel.min(i64::MAX as u64) as i64);
        Ok(())
    }

    /// The fuel left: 0 after running out. An error if the engine does not
    /// consume fuel.
    pub fn get_fuel(&self) -> Result<u64, String> {
        if !self.data.engine.config().consume_fuel {
            return Err("fuel is not enabled for this engine (Config::consume_fuel)".into());
        }
        Ok(self.data.ctx.fuel.min(0).unsigned_abs())
    }

    /// Sets the store's static limits (replacing earlier ones; objects
    /// that exist stay as they are).
    pub fn limiter(&mut self, limits: StoreLimits) {
        self.data.counts = limits;
        let l = &mut self.data.ctx.limits;
        l.memory_size = limits.memory_size.unwrap_or(u64::MAX);
        l.table_elements = limits.table_elements.unwrap_or(u64::MAX);
    }

    /// Sets the limiter asked before every memory or table is created or
    /// grows, besides the static limits: `(what, current, desired,
    /// maximum)`, in bytes for memories and elements for tables (`current`
    /// is 0 at creation, `maximum` the object's own if any); false refuses
    /// (growth gives -1, creation fails). It runs inside the call that
    /// grows and cannot use the store; a panic refuses.
    pub fn limiter_callback(
        &mut self,
        limiter: impl FnMut(crate::vm::limits::Resource, u64, u64, Option<u64>) -> bool + Send + 'static,
    ) {
        self.data.ctx.limits.limiter = Some(Box::new(limiter));
    }

    /// Removes the limiter callback.
    pub fn clear_limiter_callback(&mut self) {
        self.data.ctx.limits.limiter = None;
    }

    /// Removes the epoch deadline callback: the deadline then traps.
    pub fn clear_epoch_deadline_callback(&mut self) {
        self.data.ctx.epoch_callback = None;
    }
}

/// Read access to a store (a `Store`, a `Caller`, or a reference to either).
pub trait AsStore {
    fn store_data(&self) -> &StoreData;
}

/// Write access to a store.
pub trait AsStoreMut: AsStore {
    fn store_data_mut(&mut self) -> &mut StoreData;
}

impl AsStore for Store {
    fn store_data(&self) -> &StoreData {
        &self.data
    }
}
impl AsStoreMut for Store {
    fn store_data_mut(&mut self) -> &mut StoreData {
        &mut self.data
    }
}
impl AsStore for StoreData {
    fn store_data(&self) -> &StoreData {
        self
    }
}
impl AsStoreMut for StoreData {
    fn store_data_mut(&mut self) -> &mut StoreData {
        self
    }
}
impl<T: AsStore + ?Sized> AsStore for &T {
    fn store_data(&self) -> &StoreData {
        (**self).store_data()
    }
}
impl<T: AsStore + ?Sized> AsStore for &mut T {
    fn store_data(&self) -> &StoreData {
        (**self).store_data()
    }
}
impl<T: AsStoreMut + ?Sized> AsStoreMut for &mut T {
    fn store_data_mut(&mut self) -> &mut StoreData {
        (**self).store_data_mut()
    }
}

/// Panics unless the handle belongs to this store: using a handle with
/// another store is a programming error, like an out-of-range index.
pub(crate) fn check_store(store: &StoreData, id: u64) {
    assert_eq!(
        store.id, id,
        "object used with a store it does not belong to"
    );
}

impl StoreData {
    pub(crate) fn func_data(&self, f: Func) -> Result<&FuncData, Error> {
        if f.store != self.id {
            return Err(Error::Other(
                "function used with a store it does not belong to".into(),
            ));
        }
        Ok(&self.funcs[f.index as usize])
    }

    /// The `Func` for a function reference owned by this store.
    pub(crate) fn func_from_ref(&mut self, p: *const VMFuncRef) -> Func {
        if let Some(&index) = self.funcs_by_ref.get(&(p as usize)) {
            return Func {
                store: self.id,
                index,
            };
        }
        // SAFETY: `p` is a live funcref of this store (caller's contract).
        let ty = self.engine.func_type(unsafe { (*p).type_id });
        self.push_func(FuncData { funcref: p, ty })
    }

    pub(crate) fn push_func(&mut self, data: FuncData) -> Func {
        let index = self.funcs.len() as u32;
        self.funcs_by_ref.insert(data.funcref as usize, index);
        self.funcs.push(data);
        Func {
            store: self.id,
            index,
        }
    }

    pub(crate) fn externref_ptr(&self, e: ExternRef) -> Result<*mut u8, Error> {
        if e.store != self.id {
            return Err(Error::Other(
                "externref used with a store it does not belong to".into(),
            ));
        }
        Ok(&*self.externrefs[e.index as usize] as *const ExternRefData as *mut u8)
    }

    pub(crate) fn externref_from_ptr(&self, p: *mut u8) -> ExternRef {
        // SAFETY: `p` points to an ExternRefData owned by this store.
        let index = unsafe { (*(p as *const ExternRefData)).index };
        ExternRef {
            store: self.id,
            index,
        }
    }

    /// The store-owned global with `ptr` as storage, registered once.
    pub(crate) fn push_global(&mut self, ptr: *mut VMGlobal, ty: GlobalType) -> u32 {
        self.globals.push(GlobalData { ptr, ty });
        self.globals.len() as u32 - 1
    }
}
