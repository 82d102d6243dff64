//! Exception tags and exception references: handles into a store.

use super::store::{check_store, AsStore, AsStoreMut, StoreData};
use super::Error;
use crate::types::FuncType;
use crate::vm::vmcontext::VMTag;

/// An exception tag in a store. Two tags are the same tag only if they are
/// the same object: a tag is defined once and shared by import and export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

/// What a store keeps per tag.
pub(crate) struct TagData {
    pub vm: Box<VMTag>,
    pub ty: FuncType,
}

impl Tag {
    /// A new tag whose exceptions carry values of `ty`'s parameter types
    /// (`ty` must have no results).
    pub fn new(mut store: impl AsStoreMut, ty: &FuncType) -> Result<Tag, Error> {
        if !ty.results().is_empty() {
            return Err(Error::Other("a tag's type must have no results".into()));
        }
        let store = store.store_data_mut();
        Ok(store.push_tag(ty.clone()))
    }

    /// The tag's type: its parameters are the exception's values.
    pub fn ty(&self, store: impl AsStore) -> FuncType {
        let store = store.store_data();
        check_store(store, self.store);
        store.tags[self.index as usize].ty.clone()
    }
}

impl StoreData {
    /// A new store-owned tag of type `ty`.
    pub(crate) fn push_tag(&mut self, ty: FuncType) -> Tag {
        let vm = Box::new(VMTag {
            type_id: self.engine.intern(&ty),
            nparams: ty.params().len() as u32,
        });
        self.tags.push(TagData { vm, ty });
        Tag {
            store: self.id,
            index: self.tags.len() as u32 - 1,
        }
    }

    pub(crate) fn tag_ptr(&self, t: Tag) -> *const VMTag {
        check_store(self, t.store);
        &*self.tags[t.index as usize].vm
    }
}

/// A reference to an exception object (`exnref`). Objects live as long as
/// their store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: u64,
    pub(crate) ptr: usize,
}

impl ExnRef {
    /// The exception's tag.
    pub fn tag(&self, store: impl AsStore) -> Option<Tag> {
        let store = store.store_data();
        check_store(store, self.store);
        // SAFETY: `ptr` is an exception object of this store (checked), alive
        // as long as the store.
        let tag = unsafe { (*(self.ptr as *const crate::vm::vmcontext::VMExn)).tag };
        store
            .tags
            .iter()
            .position(|t| std::ptr::eq(&*t.vm, tag))
            .map(|i| Tag {
                store: store.id,
                index: i as u32,
            })
    }
}
