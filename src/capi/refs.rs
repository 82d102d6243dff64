//! References: the one object model behind `wasm_ref_t`, every reference
//! type (`wasm_func_t`, `wasm_global_t`, `wasm_table_t`, `wasm_memory_t`,
//! `wasm_extern_t`, `wasm_instance_t`, `wasm_trap_t`, `wasm_foreign_t`,
//! `wasm_module_t`) and their common functions (copy, same, host info,
//! casts), declared once by `declare_ref_base!` and `declare_ref!`.
//!
//! Every reference object has the layout of `wasm_ref_t`, so casts between
//! them (`wasm_func_as_ref`, `wasm_func_as_extern`, ...) are the same
//! pointer, checked by kind where they narrow.

use super::engine::{HostInfo, ObjectKey, StoreRef, WeakStore};
use super::val::NumSig;
use crate::runtime::AsStore;
use crate::runtime::{ExternRef, Func, FuncEntry, Global, Instance, Memory, Module, Table, Trap};
use std::ffi::c_void;
use std::sync::{Arc, Mutex};

/// A trap or a module: values not owned by a store (a trap remembers the
/// store it came from, to name its frames' instances), with host info
/// shared by their copies.
pub(crate) struct Shared<T> {
    pub value: T,
    /// Weak: a trap may be stored in its own store (as an externref).
    pub store: Option<WeakStore>,
    host_info: Mutex<Option<HostInfo>>,
}

impl<T> Shared<T> {
    pub fn new(value: T, store: Option<&StoreRef>) -> Arc<Shared<T>> {
        Arc::new(Shared {
            value,
            store: store.map(StoreRef::weak),
            host_info: Mutex::new(None),
        })
    }
}

#[derive(Clone)]
pub(crate) enum RefInner {
    Func(StoreRef, Func),
    Global(StoreRef, Global),
    Table(StoreRef, Table),
    Memory(StoreRef, Memory),
    Instance(StoreRef, Instance),
    Foreign(StoreRef, u64),
    /// An externref made by Rust code, not by the C API.
    Extern(StoreRef, ExternRef),
    Trap(Arc<Shared<Trap>>),
    Module(Arc<Shared<Module>>),
}

/// A reference to any runtime object.
#[derive(Clone)]
pub struct wasm_ref_t {
    pub(crate) inner: RefInner,
    /// For a function, its entry resolved once, for the call paths.
    pub(crate) entry: Option<FuncEntry>,
    /// For a function of numbers only, its kinds (see `NumSig`).
    pub(crate) num_sig: Option<NumSig>,
}

impl wasm_ref_t {
    pub(crate) fn new(inner: RefInner) -> wasm_ref_t {
        let (entry, num_sig) = match &inner {
            RefInner::Func(s, f) => (
                Some(f.entry(s.get())),
                NumSig::new(f.ty_ref(s.get().store_data())),
            ),
            _ => (None, None),
        };
        wasm_ref_t {
            inner,
            entry,
            num_sig,
        }
    }

    pub(crate) fn store(&self) -> Option<&StoreRef> {
        match &self.inner {
            RefInner::Func(s, _)
            | RefInner::Global(s, _)
            | RefInner::Table(s, _)
            | RefInner::Memory(s, _)
            | RefInner::Instance(s, _)
            | RefInner::Foreign(s, _)
            | RefInner::Extern(s, _) => Some(s),
            RefInner::Trap(_) | RefInner::Module(_) => None,
        }
    }

    /// The reference without its store, to be kept inside the store (as an
    /// externref's data) without keeping the store alive.
    pub(crate) fn detach(&self) -> Detached {
        match &self.inner {
            RefInner::Func(_, f) => Detached::Func(*f),
            RefInner::Global(_, g) => Detached::Global(*g),
            RefInner::Table(_, t) => Detached::Table(*t),
            RefInner::Memory(_, m) => Detached::Memory(*m),
            RefInner::Instance(_, i) => Detached::Instance(*i),
            RefInner::Foreign(_, id) => Detached::Foreign(*id),
            RefInner::Extern(_, e) => Detached::Extern(*e),
            RefInner::Trap(t) => Detached::Trap(t.clone()),
            RefInner::Module(m) => Detached::Module(m.clone()),
        }
    }

    /// What identifies the object in its store, for interning externrefs.
    pub(crate) fn identity(&self) -> (u8, u64) {
        match (&self.inner, self.key()) {
            (RefInner::Trap(t), _) => (1, Arc::as_ptr(t) as u64),
            (RefInner::Module(m), _) => (2, Arc::as_ptr(m) as u64),
            (_, Some(k)) => (0, k.as_u64()),
            (_, None) => (3, 0),
        }
    }

    fn key(&self) -> Option<ObjectKey> {
        Some(match &self.inner {
            RefInner::Func(_, f) => ObjectKey::Func(f.index),
            RefInner::Global(_, g) => ObjectKey::Global(g.index),
            RefInner::Table(_, t) => ObjectKey::Table(t.index),
            RefInner::Memory(_, m) => ObjectKey::Memory(m.index),
            RefInner::Instance(_, i) => ObjectKey::Instance(i.index()),
            RefInner::Foreign(_, id) => ObjectKey::Foreign(*id),
            RefInner::Extern(_, e) => ObjectKey::Foreign(u64::MAX - u64::from(e.index)),
            RefInner::Trap(_) | RefInner::Module(_) => return None,
        })
    }

    /// Do both refer to the same object?
    pub(crate) fn same(&self, other: &wasm_ref_t) -> bool {
        match (&self.inner, &other.inner) {
            (RefInner::Trap(a), RefInner::Trap(b)) => Arc::ptr_eq(a, b),
            (RefInner::Module(a), RefInner::Module(b)) => Arc::ptr_eq(a, b),
            _ => match (self.store(), other.store()) {
                (Some(a), Some(b)) => a.same(b) && self.key() == other.key(),
                _ => false,
            },
        }
    }

    fn shared_info(&self) -> Option<&Mutex<Option<HostInfo>>> {
        match &self.inner {
            RefInner::Trap(t) => Some(&t.host_info),
            RefInner::Module(m) => Some(&m.host_info),
            _ => None,
        }
    }

    pub(crate) fn host_info(&self) -> *mut c_void {
        if let Some(info) = self.shared_info() {
            let info = info.lock().unwrap_or_else(|e| e.into_inner());
            return info.as_ref().map_or(std::ptr::null_mut(), |h| h.data);
        }
        match (self.store(), self.key()) {
            (Some(s), Some(k)) => s.host_info(k),
            _ => std::ptr::null_mut(),
        }
    }

    pub(crate) fn set_host_info(&self, info: HostInfo) {
        if let Some(slot) = self.shared_info() {
            let old = slot.lock().unwrap_or_else(|e| e.into_inner()).replace(info);
            drop(old);
            return;
        }
        if let (Some(s), Some(k)) = (self.store(), self.key()) {
            s.set_host_info(k, info);
        }
    }
}

/// A reference without its store (see `wasm_ref_t::detach`).
#[derive(Clone)]
pub(crate) enum Detached {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Instance(Instance),
    Foreign(u64),
    Extern(ExternRef),
    Trap(Arc<Shared<Trap>>),
    Module(Arc<Shared<Module>>),
}

impl Detached {
    /// The reference again, in `store`.
    pub(crate) fn attach(&self, store: &StoreRef) -> wasm_ref_t {
        let s = store.clone();
        wasm_ref_t::new(match self {
            Detached::Func(f) => RefInner::Func(s, *f),
            Detached::Global(g) => RefInner::Global(s, *g),
            Detached::Table(t) => RefInner::Table(s, *t),
            Detached::Memory(m) => RefInner::Memory(s, *m),
            Detached::Instance(i) => RefInner::Instance(s, *i),
            Detached::Foreign(id) => RefInner::Foreign(s, *id),
            Detached::Extern(e) => RefInner::Extern(s, *e),
            Detached::Trap(t) => RefInner::Trap(t.clone()),
            Detached::Module(m) => RefInner::Module(m.clone()),
        })
    }
}

/// The reference objects: each has exactly `wasm_ref_t`'s layout.
macro_rules! ref_object {
    ($(#[$m:meta])* $name:ident, $($kind:ident)|+) => {
        $(#[$m])*
        #[derive(Clone)]
        #[repr(transparent)]
        pub struct $name {
            pub(crate) r: wasm_ref_t,
        }

        impl $name {
            /// Does this reference have this object's kind?
            pub(crate) fn is(r: &wasm_ref_t) -> bool {
                matches!(r.inner, $(RefInner::$kind(..))|+)
            }

            /// Wraps a reference of this kind.
            pub(crate) fn wrap(inner: RefInner) -> Box<$name> {
                debug_assert!(matches!(inner, $(RefInner::$kind(..))|+));
                Box::new($name { r: wasm_ref_t::new(inner) })
            }

            /// Views a reference of this kind as this object.
            pub(crate) fn cast(r: &wasm_ref_t) -> Option<&$name> {
                // SAFETY: repr(transparent) over wasm_ref_t, kind checked.
                Self::is(r).then(|| unsafe { &*(r as *const wasm_ref_t as *const $name) })
            }

            pub(crate) fn cast_mut(r: &mut wasm_ref_t) -> Option<&mut $name> {
                // SAFETY: as for `cast`.
                Self::is(r).then(|| unsafe { &mut *(r as *mut wasm_ref_t as *mut $name) })
            }
        }
    };
}

ref_object!(
    /// A function instance.
    wasm_func_t, Func
);
ref_object!(
    /// A global instance.
    wasm_global_t, Global
);
ref_object!(
    /// A table instance.
    wasm_table_t, Table
);
ref_object!(
    /// A linear memory instance.
    wasm_memory_t, Memory
);
ref_object!(
    /// A function, global, table or memory.
    wasm_extern_t, Func | Global | Table | Memory
);
ref_object!(
    /// A module instance.
    wasm_instance_t, Instance
);
ref_object!(
    /// A trap: a message and the frames it unwound.
    wasm_trap_t, Trap
);
ref_object!(
    /// An opaque host object, passed to wasm as an `externref`.
    wasm_foreign_t, Foreign | Extern
);
ref_object!(
    /// A compiled module.
    wasm_module_t, Module
);

/// Views any reference object as its `wasm_ref_t`.
pub(crate) trait AsRefObject {
    fn as_ref_object(&self) -> &wasm_ref_t;
}
impl AsRefObject for wasm_ref_t {
    fn as_ref_object(&self) -> &wasm_ref_t {
        self
    }
}
macro_rules! as_ref_object {
    ($($t:ty),*) => {$(
        impl AsRefObject for $t {
            fn as_ref_object(&self) -> &wasm_ref_t {
                &self.r
            }
        }
    )*};
}
as_ref_object!(
    wasm_func_t,
    wasm_global_t,
    wasm_table_t,
    wasm_memory_t,
    wasm_extern_t,
    wasm_instance_t,
    wasm_trap_t,
    wasm_foreign_t,
    wasm_module_t
);

/// Declares delete, copy, same and the host-info functions of a reference
/// object (the header's `WASM_DECLARE_REF_BASE`).
macro_rules! declare_ref_base {
    ($ty:ident, $delete:ident, $copy:ident, $same:ident,
     $get_info:ident, $set_info:ident, $set_info_fin:ident) => {
        $crate::capi::declare_own!($ty, $delete);

        /// Returns a new reference to the same object.
        #[no_mangle]
        pub extern "C" fn $copy(object: Option<&$ty>) -> Option<Box<$ty>> {
            object.map(|o| Box::new(o.clone()))
        }

        /// Do the two references denote the same object? (Two NULLs do.)
        #[no_mangle]
        pub extern "C" fn $same(a: Option<&$ty>, b: Option<&$ty>) -> bool {
            use $crate::capi::refs::AsRefObject;
            match (a, b) {
                (Some(a), Some(b)) => a.as_ref_object().same(b.as_ref_object()),
                (None, None) => true,
                _ => false,
            }
        }

        /// The host info attached to the object (shared by every reference
        /// to it), or NULL.
        #[no_mangle]
        pub extern "C" fn $get_info(object: Option<&$ty>) -> *mut std::ffi::c_void {
            use $crate::capi::refs::AsRefObject;
            object.map_or(std::ptr::null_mut(), |o| o.as_ref_object().host_info())
        }

        /// Attaches host info to the object, replacing (and finalizing) any
        /// previous one. NULL objects are ignored.
        #[no_mangle]
        pub extern "C" fn $set_info(object: Option<&mut $ty>, info: *mut std::ffi::c_void) {
            $set_info_fin(object, info, None)
        }

        /// Attaches host info with a finalizer, called with `info` when the
        /// object's life ends (for store objects, when the store goes).
        #[no_mangle]
        pub extern "C" fn $set_info_fin(
            object: Option<&mut $ty>,
            info: *mut std::ffi::c_void,
            finalizer: Option<unsafe extern "C" fn(*mut std::ffi::c_void)>,
        ) {
            use $crate::capi::refs::AsRefObject;
            if let Some(o) = object {
                $crate::capi::guard((), || {
                    o.as_ref_object()
                        .set_host_info($crate::capi::engine::HostInfo {
                            data: info,
                            finalizer,
                        })
                })
            }
        }
    };
}
pub(crate) use declare_ref_base;

/// Declares a reference object's common functions plus its casts to and
/// from `wasm_ref_t` (the header's `WASM_DECLARE_REF`).
macro_rules! declare_ref {
    ($ty:ident, $delete:ident, $copy:ident, $same:ident,
     $get_info:ident, $set_info:ident, $set_info_fin:ident,
     $as_ref:ident, $ref_as:ident, $as_ref_const:ident, $ref_as_const:ident) => {
        $crate::capi::refs::declare_ref_base!(
            $ty,
            $delete,
            $copy,
            $same,
            $get_info,
            $set_info,
            $set_info_fin
        );

        /// The object as a `wasm_ref_t` (the same object; not a new owner).
        #[no_mangle]
        pub extern "C" fn $as_ref(
            o: Option<&mut $ty>,
        ) -> Option<&mut $crate::capi::refs::wasm_ref_t> {
            o.map(|o| &mut o.r)
        }

        /// The reference as this kind of object, or NULL if it is another kind.
        #[no_mangle]
        pub extern "C" fn $ref_as(
            r: Option<&mut $crate::capi::refs::wasm_ref_t>,
        ) -> Option<&mut $ty> {
            r.and_then(|r| $ty::cast_mut(r))
        }

        /// `const` version of the cast to `wasm_ref_t`.
        #[no_mangle]
        pub extern "C" fn $as_ref_const(
            o: Option<&$ty>,
        ) -> Option<&$crate::capi::refs::wasm_ref_t> {
            o.map(|o| &o.r)
        }

        /// `const` version of the cast from `wasm_ref_t`.
        #[no_mangle]
        pub extern "C" fn $ref_as_const(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> Option<&$ty> {
            r.and_then(|r| $ty::cast(r))
        }
    };
}
pub(crate) use declare_ref;

declare_ref_base!(
    wasm_ref_t,
    wasm_ref_delete,
    wasm_ref_copy,
    wasm_ref_same,
    wasm_ref_get_host_info,
    wasm_ref_set_host_info,
    wasm_ref_set_host_info_with_finalizer
);
