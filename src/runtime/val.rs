//! Values and their conversion to and from the 16-byte raw slots.

use super::store::StoreData;
use super::{Error, ExnRef, ExternRef, Func};
use crate::types::ValType;
use crate::vm::vmcontext::{VMFuncRef, ValRaw};

/// A WebAssembly value. Floats are kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
    /// EXNREF: an exception reference.
    ExnRef(Option<ExnRef>),
}

impl Val {
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// The zero (or null) value of a type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::ExnRef => Val::ExnRef(None),
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
            ValType::FuncRef => {
                let p = raw.funcref as *const VMFuncRef;
                Val::FuncRef((!p.is_null()).then(|| store.func_from_ref(p)))
            }
            ValType::ExternRef => {
                let p = raw.externref;
                Val::ExternRef((!p.is_null()).then(|| store.externref_from_ptr(p)))
            }
            ValType::ExnRef => {
                let p = raw.externref as usize;
                Val::ExnRef((p != 0).then_some(ExnRef {
                    store: store.id,
                    ptr: p,
                }))
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
