//! Values and their conversion to and from the 16-byte raw slots.

use super::store::AsStore;
use super::store::StoreData;
use super::{Error, ExnRef, ExternRef, Func};
use crate::types::{HeapType, ValType};
use crate::vm::vmcontext::{VMFuncRef, ValRaw};

/// A WebAssembly value. Floats are kept as bits so NaN payloads survive.
///
/// A function reference of any type (`funcref`, `(ref $t)`, ...) is a
/// `FuncRef`; an external reference an `ExternRef`; an exception reference
/// (`exnref`, `(ref exn)`) an `ExnRef`. Whether a value fits a
/// typed reference type is `Val::matches`.
#[derive(Clone, Copy, Debug)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
    /// An exception reference (`exnref` and its subtypes).
    ExnRef(Option<ExnRef>),
}

impl Val {
    /// The type of the value, as far as it is known without a store:
    /// references report the top type of their hierarchy (`funcref`,
    /// `externref`, `exnref`). See `matches` for the precise check.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::ExnRef(_) => ValType::EXNREF,
        }
    }

    /// Does this value belong to type `ty`? A null reference matches every
    /// nullable reference type of its hierarchy; a function matches `func`
    /// and its own function type.
    pub fn matches(&self, store: impl AsStore, ty: ValType) -> bool {
        self.matches_in(store.store_data(), ty)
    }

    pub(crate) fn matches_in(&self, store: &StoreData, ty: ValType) -> bool {
        let r = match ty {
            ValType::Ref(r) => r,
            _ => return self.ty() == ty,
        };
        match self {
            Val::FuncRef(None) => r.nullable && r.heap.is_func(),
            Val::FuncRef(Some(f)) => match r.heap {
                HeapType::Func => true,
                HeapType::ConcreteFunc(id) => store
                    .func_data(*f)
                    // SAFETY: a store's function data points to a live funcref.
                    .is_ok_and(|d| unsafe { (*d.funcref).type_id } == id.index()),
                _ => false,
            },
            Val::ExternRef(None) => r.nullable && r.heap.top() == HeapType::Extern,
            Val::ExternRef(Some(_)) => r.heap == HeapType::Extern,
            Val::ExnRef(None) => r.nullable && r.heap.top() == HeapType::Exn,
            Val::ExnRef(Some(_)) => r.heap == HeapType::Exn,
            _ => false,
        }
    }

    /// The zero value of a type; for every reference type (non-nullable
    /// ones included, which have no default) the null reference.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::Ref(r) if r.heap.top() == HeapType::Extern => Val::ExternRef(None),
            ValType::Ref(r) if r.heap.top() == HeapType::Exn => Val::ExnRef(None),
            ValType::Ref(_) => Val::FuncRef(None),
        }
    }

    pub fn f32(v: f32) -> Val {
        Val::F32(v.to_bits())
    }

    pub fn f64(v: f64) -> Val {
        Val::F64(v.to_bits())
    }

    /// The raw slot for this value; references must belong to `store`.
    pub(crate) fn to_raw(self, store: &StoreData) -> Result<ValRaw, Error> {
        let mut raw = ValRaw::ZERO;
        match self {
            Val::I32(v) => raw.i32 = v,
            Val::I64(v) => raw.i64 = v,
            Val::F32(v) => raw.f32 = v,
            Val::F64(v) => raw.f64 = v,
            Val::V128(v) => raw.v128 = v.to_le_bytes(),
            Val::FuncRef(f) => {
                raw.funcref = match f {
                    Some(f) => store.func_data(f)?.funcref as *mut u8,
                    None => std::ptr::null_mut(),
                }
            }
            Val::ExternRef(e) => {
                raw.externref = match e {
                    Some(e) => store.externref_ptr(e)?,
                    None => std::ptr::null_mut(),
                }
            }
            Val::ExnRef(e) => {
                raw.externref = match e {
                    Some(e) if e.store == store.id => e.ptr as *mut u8,
                    Some(_) => {
                        return Err(Error::Other(
                            "exnref used with a store it does not belong to".into(),
                        ))
                    }
                    None => std::ptr::null_mut(),
                }
            }
        }
        Ok(raw)
    }

    /// The value of a raw slot of type `ty`.
    ///
    /// # Safety
    /// Reference slots must hold null or a reference owned by `store`.
    pub(crate) unsafe fn from_raw(store: &mut StoreData, raw: ValRaw, ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw.i32),
            ValType::I64 => Val::I64(raw.i64),
            ValType::F32 => Val::F32(raw.f32),
            ValType::F64 => Val::F64(raw.f64),
            ValType::V128 => Val::V128(u128::from_le_bytes(raw.v128)),
            ValType::Ref(r) if r.heap.top() == HeapType::Extern => {
                let p = raw.externref;
                Val::ExternRef((!p.is_null()).then(|| store.externref_from_ptr(p)))
            }
            ValType::Ref(r) if r.heap.top() == HeapType::Exn => {
                let p = raw.externref as usize;
                Val::ExnRef((p != 0).then_some(ExnRef {
                    store: store.id,
                    ptr: p,
                }))
            }
            ValType::Ref(_) => {
                let p = raw.funcref as *const VMFuncRef;
                Val::FuncRef((!p.is_null()).then(|| store.func_from_ref(p)))
            }
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::f32(v)
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::f64(v)
    }
}
