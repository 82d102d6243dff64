//! Memories, tables, globals and external references: handles into a store.

use super::store::{check_store, AsStore, AsStoreMut, ExternRefData, StoreData};
use super::{Error, Val};
use crate::types::{GlobalType, MemoryType, TableType, ValType};
use crate::vm::memory::{LinearMemory, TableStorage};
use crate::vm::vmcontext::{VMGlobal, ValRaw};
use std::any::Any;

macro_rules! handle {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            pub(crate) store: u64,
            pub(crate) index: u32,
        }
        impl $name {
            pub(crate) fn from_index(store: &StoreData, index: u32) -> $name {
                $name { store: store.id, index }
            }
        }
    };
}

handle!(
    /// A linear memory in a store.
    Memory
);
handle!(
    /// A table in a store.
    Table
);
handle!(
    /// A global in a store.
    Global
);
handle!(
    /// A reference to host data, passed through wasm as `externref`.
    ExternRef
);

impl Memory {
    pub fn new(mut store: impl AsStoreMut, ty: MemoryType) -> Result<Memory, Error> {
        let store = store.store_data_mut();
        if ty.maximum.is_some_and(|m| m < ty.minimum) {
            return Err(Error::Other("memory maximum is below its minimum".into()));
        }
        store
            .check_count("memories", store.memories.len(), 1, store.counts.memories)
            .map_err(Error::Other)?;
        if !LinearMemory::may_create(&mut store.ctx.limits, &ty) {
            return Err(Error::Other(MEMORY_REFUSED.into()));
        }
        let c = store.engine.config();
        let plan = (c.memory_reservation as usize, c.guard_size as usize);
        let mem = LinearMemory::new(ty, plan).map_err(Error::Other)?;
        store.memories.push(mem);
        Ok(Memory::from_index(store, store.memories.len() as u32 - 1))
    }

    fn get<'a>(&self, store: &'a StoreData) -> &'a LinearMemory {
        check_store(store, self.store);
        &store.memories[self.index as usize]
    }

    fn get_mut<'a>(&self, store: &'a mut StoreData) -> &'a mut LinearMemory {
        check_store(store, self.store);
        &mut store.memories[self.index as usize]
    }

    /// The type, with the current size as its minimum.
    pub fn ty(&self, store: impl AsStore) -> MemoryType {
        let m = self.get(store.store_data());
        MemoryType {
            minimum: m.pages(),
            ..m.ty
        }
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: impl AsStore) -> u64 {
        self.get(store.store_data()).pages()
    }

    pub fn data<'a>(&self, store: &'a impl AsStore) -> &'a [u8] {
        self.get(store.store_data()).data()
    }

    pub fn data_mut<'a>(&self, store: &'a mut impl AsStoreMut) -> &'a mut [u8] {
        self.get_mut(store.store_data_mut()).data_mut()
    }

    /// Grows by `delta` pages, within the store's limits; returns the
    /// previous size.
    pub fn grow(&self, mut store: impl AsStoreMut, delta: u64) -> Result<u64, Error> {
        let store = store.store_data_mut();
        check_store(store, self.store);
        store.memories[self.index as usize]
            .grow_limited(&mut store.ctx.limits, delta)
            .ok_or_else(|| Error::Other("memory cannot grow by that much".into()))
    }
}

/// Why a memory was not created within the store's limits.
pub(crate) const MEMORY_REFUSED: &str = "the store's limits refuse a memory of that size";
/// Why a table was not created within the store's limits.
pub(crate) const TABLE_REFUSED: &str = "the store's limits refuse a table of that size";

/// A value's kind for error messages: "a null funcref", "an i32 value".
pub(crate) fn describe_val(v: &Val) -> String {
    match v {
        Val::FuncRef(None) => "a null function reference".into(),
        Val::FuncRef(Some(_)) => "a function reference of another type".into(),
        Val::ExternRef(None) => "a null externref".into(),
        Val::ExnRef(None) => "a null exnref".into(),
        v => format!("a value of type {}", v.ty()),
    }
}

/// The raw element of a reference value for a table of `element` type.
fn table_elem(store: &StoreData, element: ValType, v: Val) -> Result<usize, Error> {
    if !v.matches_in(store, element) {
        return Err(Error::Other(format!(
            "{} cannot be stored in a table of {element}",
            describe_val(&v)
        )));
    }
    let raw = v.to_raw(store)?;
    // SAFETY: reading the pointer field of a reference slot.
    Ok(unsafe { raw.funcref } as usize)
}

impl Table {
    pub fn new(mut store: impl AsStoreMut, ty: TableType, init: Val) -> Result<Table, Error> {
        let store = store.store_data_mut();
        if !ty.element.is_ref() {
            return Err(Error::Other("table elements must be references".into()));
        }
        if ty.maximum.is_some_and(|m| m < ty.minimum) {
            return Err(Error::Other("table maximum is below its minimum".into()));
        }
        let raw = table_elem(store, ty.element, init)?;
        store
            .check_count("tables", store.tables.len(), 1, store.counts.tables)
            .map_err(Error::Other)?;
        if !TableStorage::may_create(&mut store.ctx.limits, &ty) {
            return Err(Error::Other(TABLE_REFUSED.into()));
        }
        let table = TableStorage::new(ty, raw).map_err(Error::Other)?;
        store.tables.push(table);
        Ok(Table::from_index(store, store.tables.len() as u32 - 1))
    }

    fn get_storage<'a>(&self, store: &'a StoreData) -> &'a TableStorage {
        check_store(store, self.store);
        &store.tables[self.index as usize]
    }

    pub fn ty(&self, store: impl AsStore) -> TableType {
        let t = self.get_storage(store.store_data());
        TableType {
            minimum: t.size().into(),
            ..t.ty
        }
    }

    pub fn size(&self, store: impl AsStore) -> u32 {
        self.get_storage(store.store_data()).size()
    }

    /// The element at `index`, or `None` if out of bounds.
    pub fn get(&self, mut store: impl AsStoreMut, index: u32) -> Option<Val> {
        let store = store.store_data_mut();
        let t = self.get_storage(store);
        let raw = *t.elements().get(index as usize)?;
        let ty = t.ty.element;
        let mut slot = ValRaw::ZERO;
        slot.funcref = raw as *mut u8;
        // SAFETY: table elements are null or references owned by this store.
        Some(unsafe { Val::from_raw(store, slot, ty) })
    }

    pub fn set(&self, mut store: impl AsStoreMut, index: u32, v: Val) -> Result<(), Error> {
        let store = store.store_data_mut();
        let element = self.get_storage(store).ty.element;
        let raw = table_elem(store, element, v)?;
        let t = &mut store.tables[self.index as usize];
        let slot = t
            .elements_mut()
            .get_mut(index as usize)
            .ok_or_else(|| Error::Other("table index out of bounds".into()))?;
        *slot = raw;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the previous size.
    pub fn grow(&self, mut store: impl AsStoreMut, delta: u32, init: Val) -> Result<u32, Error> {
        let store = store.store_data_mut();
        let element = self.get_storage(store).ty.element;
        let raw = table_elem(store, element, init)?;
        store.tables[self.index as usize]
            .grow_limited(&mut store.ctx.limits, delta.into(), raw)
            .ok_or_else(|| Error::Other("table cannot grow by that much".into()))
    }
}

impl Global {
    pub fn new(mut store: impl AsStoreMut, ty: GlobalType, init: Val) -> Result<Global, Error> {
        let store = store.store_data_mut();
        if !init.matches_in(store, ty.content) {
            return Err(Error::Other(format!(
                "{} cannot initialise a global of type {}",
                describe_val(&init),
                ty.content
            )));
        }
        let raw = init.to_raw(store)?;
        // SAFETY: every ValRaw is 16 initialised bytes.
        let bytes = unsafe { raw.v128 };
        let mut slot = Box::new(VMGlobal { bytes });
        let ptr = &mut *slot as *mut VMGlobal;
        store.host_globals.push(slot);
        let index = store.push_global(ptr, ty);
        Ok(Global::from_index(store, index))
    }

    pub fn ty(&self, store: impl AsStore) -> GlobalType {
        let store = store.store_data();
        check_store(store, self.store);
        store.globals[self.index as usize].ty
    }

    pub fn get(&self, mut store: impl AsStoreMut) -> Val {
        let store = store.store_data_mut();
        check_store(store, self.store);
        let g = &store.globals[self.index as usize];
        let ty = g.ty.content;
        // SAFETY: the storage is valid for the store's life.
        let raw = ValRaw {
            v128: unsafe { (*g.ptr).bytes },
        };
        // SAFETY: the global holds a value of its type owned by this store.
        unsafe { Val::from_raw(store, raw, ty) }
    }

    pub fn set(&self, mut store: impl AsStoreMut, v: Val) -> Result<(), Error> {
        let store = store.store_data_mut();
        check_store(store, self.store);
        let g = &store.globals[self.index as usize];
        if !g.ty.mutable {
            return Err(Error::Other("cannot set an immutable global".into()));
        }
        if !v.matches_in(store, g.ty.content) {
            return Err(Error::Other(format!(
                "{} cannot be stored in a global of type {}",
                describe_val(&v),
                g.ty.content
            )));
        }
        let ptr = g.ptr;
        let raw = v.to_raw(store)?;
        // SAFETY: valid storage; the store is borrowed mutably.
        unsafe { (*ptr).bytes = raw.v128 };
        Ok(())
    }
}

impl ExternRef {
    /// A new reference to `value`, owned by the store.
    pub fn new(mut store: impl AsStoreMut, value: impl Any + Send + Sync) -> ExternRef {
        let store = store.store_data_mut();
        let index = store.externrefs.len() as u32;
        store.externrefs.push(Box::new(ExternRefData {
            index,
            value: Box::new(value),
        }));
        ExternRef::from_index(store, index)
    }

    pub fn data<'a>(&self, store: &'a impl AsStore) -> &'a (dyn Any + Send + Sync) {
        let store = store.store_data();
        check_store(store, self.store);
        &*store.externrefs[self.index as usize].value
    }
}
