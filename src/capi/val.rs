//! Values (`wasm_val_t`) and their conversion to and from the runtime's raw
//! 16-byte slots, used by calls, host functions, globals and tables.

use super::engine::StoreRef;
use super::refs::{wasm_ref_t, Detached, RefInner};
use super::types::{
    WASM_EXTERNREF, WASM_F32, WASM_F64, WASM_FUNCREF, WASM_I32, WASM_I64, WASM_V128,
};
use crate::runtime::{AsStore, AsStoreMut, ExternRef, Val};
use crate::{ValRaw, ValType};
use std::mem::MaybeUninit;

/// The payload of a value, by kind. `v128` is Craneway's extension (kind
/// `WASM_V128`), which makes the union 16 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub union wasm_val_union {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub ref_: *mut wasm_ref_t,
    pub v128: [u8; 16],
}

/// A value: a kind and its payload. A reference payload is owned.
#[repr(C)]
pub struct wasm_val_t {
    pub kind: u8,
    pub of: wasm_val_union,
}
const _: () = assert!(std::mem::size_of::<wasm_val_t>() == 24);
const _: () = assert!(std::mem::offset_of!(wasm_val_t, of) == 8);

impl wasm_val_t {
    pub(crate) fn is_ref(&self) -> bool {
        self.kind == WASM_EXTERNREF || self.kind == WASM_FUNCREF
    }

    /// The reference payload, if this is a non-null reference.
    pub(crate) fn ref_(&self) -> Option<&wasm_ref_t> {
        if !self.is_ref() {
            return None;
        }
        // SAFETY: a reference value's payload is NULL or an owned ref.
        unsafe { self.of.ref_.as_ref() }
    }

    /// An i32 value.
    pub fn i32(v: i32) -> wasm_val_t {
        wasm_val_t {
            kind: WASM_I32,
            of: wasm_val_union { i32: v },
        }
    }
}

impl Default for wasm_val_t {
    fn default() -> Self {
        wasm_val_t::i32(0)
    }
}

impl Drop for wasm_val_t {
    fn drop(&mut self) {
        if self.is_ref() {
            // SAFETY: a reference value owns its non-null payload.
            let r = unsafe { self.of.ref_ };
            if !r.is_null() {
                // SAFETY: allocated as a Box by this API.
                drop(unsafe { Box::from_raw(r) });
            }
            self.of.ref_ = std::ptr::null_mut();
        }
    }
}

impl Clone for wasm_val_t {
    fn clone(&self) -> Self {
        match self.ref_() {
            Some(r) => wasm_val_t {
                kind: self.kind,
                of: wasm_val_union {
                    ref_: Box::into_raw(Box::new(r.clone())),
                },
            },
            None if self.is_ref() => wasm_val_t {
                kind: self.kind,
                of: wasm_val_union {
                    ref_: std::ptr::null_mut(),
                },
            },
            // SAFETY: non-reference payloads are plain bits.
            None => wasm_val_t {
                kind: self.kind,
                of: self.of,
            },
        }
    }
}

/// Releases what the value owns (its reference, if any) and leaves it a
/// null reference or number. NULL is ignored.
#[no_mangle]
pub extern "C" fn wasm_val_delete(v: Option<&mut wasm_val_t>) {
    if let Some(v) = v {
        super::guard((), || {
            let old = std::mem::replace(v, wasm_val_t::i32(0));
            let kind = old.kind;
            drop(old);
            v.kind = kind;
            if v.is_ref() {
                v.of.ref_ = std::ptr::null_mut();
            }
        })
    }
}

/// Writes a copy of `src` to `out` (a reference is copied, not moved).
#[no_mangle]
pub extern "C" fn wasm_val_copy(
    out: Option<&mut MaybeUninit<wasm_val_t>>,
    src: Option<&wasm_val_t>,
) {
    let Some(out) = out else { return };
    out.write(src.map_or(wasm_val_t::i32(0), |s| {
        super::guard(wasm_val_t::i32(0), || s.clone())
    }));
}

super::vec::declare_vec!(
    wasm_val_vec_t,
    wasm_val_t,
    wasm_val_vec_new_empty,
    wasm_val_vec_new_uninitialized,
    wasm_val_vec_new,
    wasm_val_vec_copy,
    wasm_val_vec_delete
);

/// An externref made from a C reference keeps it (without its store, which
/// owns the externref), so the same object comes back out.
pub(crate) struct CRef(pub Detached);
// SAFETY: only touched by the thread using the store; a detached trap or
// module is shared data that is itself thread-safe.
unsafe impl Send for CRef {}
unsafe impl Sync for CRef {}

/// The kind of a value type (every function reference type is
/// `WASM_FUNCREF`; see `types::valkind`).
pub(crate) fn kind_of(ty: ValType) -> u8 {
    super::types::valkind(ty)
}

/// Converts a C value to the raw slot of a `ty` value in `store`.
pub(crate) fn to_raw(store: &StoreRef, v: &wasm_val_t, ty: ValType) -> Result<ValRaw, String> {
    if let Some(raw) = num_to_raw(v, ty) {
        return Ok(raw);
    }
    if v.kind != kind_of(ty) {
        return Err(format!("a value of kind {} where {ty} is expected", v.kind));
    }
    let val = to_runtime(store, v)?;
    let data = store.get();
    let data = data.store_data();
    // Typed references: a NULL for a non-nullable type, or a function of
    // another type, is refused here, before it reaches wasm.
    if !val.matches_in(data, ty) {
        return Err(match val {
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => {
                format!("a null reference where {ty} is expected")
            }
            _ => format!("a function of another type where {ty} is expected"),
        });
    }
    val.to_raw(data).map_err(|e| e.to_string())
}

/// Converts a C value to a runtime value of `store`.
pub(crate) fn to_runtime(store: &StoreRef, v: &wasm_val_t) -> Result<Val, String> {
    // SAFETY (union reads): each arm reads the field its kind selects.
    Ok(match v.kind {
        WASM_I32 => Val::I32(unsafe { v.of.i32 }),
        WASM_I64 => Val::I64(unsafe { v.of.i64 }),
        WASM_F32 => Val::F32(unsafe { v.of.f32 }.to_bits()),
        WASM_F64 => Val::F64(unsafe { v.of.f64 }.to_bits()),
        WASM_V128 => Val::V128(u128::from_le_bytes(unsafe { v.of.v128 })),
        WASM_FUNCREF => Val::FuncRef(match v.ref_() {
            None => None,
            Some(r) => match &r.inner {
                RefInner::Func(s, f) if s.same(store) => Some(*f),
                RefInner::Func(..) => return Err("a function from another store".into()),
                _ => return Err("a funcref value that is not a function".into()),
            },
        }),
        super::craneway::CRANEWAY_EXNREF => match v.ref_() {
            None => Val::ExnRef(None),
            Some(_) => return Err("C cannot pass a non-null exnref".into()),
        },
        WASM_EXTERNREF => Val::ExternRef(match v.ref_() {
            None => None,
            Some(r) => match &r.inner {
                RefInner::Extern(s, e) if s.same(store) => Some(*e),
                _ if r.store().is_some_and(|s| !s.same(store)) => {
                    return Err("a reference from another store".into())
                }
                _ => Some(store.intern_externref(r.identity(), || {
                    ExternRef::new(store.get(), CRef(r.detach()))
                })),
            },
        }),
        k => return Err(format!("unknown value kind {k}")),
    })
}

/// Converts a runtime value of `store` to a C value (a reference becomes a
/// new owned `wasm_ref_t`).
pub(crate) fn from_runtime(store: &StoreRef, v: Val) -> wasm_val_t {
    let of = match v {
        Val::I32(i) => wasm_val_union { i32: i },
        Val::I64(i) => wasm_val_union { i64: i },
        Val::F32(b) => wasm_val_union {
            f32: f32::from_bits(b),
        },
        Val::F64(b) => wasm_val_union {
            f64: f64::from_bits(b),
        },
        Val::V128(b) => wasm_val_union {
            v128: b.to_le_bytes(),
        },
        Val::FuncRef(f) => wasm_val_union {
            ref_: f.map_or(std::ptr::null_mut(), |f| {
                Box::into_raw(Box::new(wasm_ref_t::new(RefInner::Func(store.clone(), f))))
            }),
        },
        Val::ExternRef(e) => wasm_val_union {
            ref_: e.map_or(std::ptr::null_mut(), |e| {
                Box::into_raw(Box::new(extern_ref(store, e)))
            }),
        },
        // Exception objects are not exposed to C (see `CRANEWAY_EXNREF`).
        Val::ExnRef(_) => wasm_val_union {
            ref_: std::ptr::null_mut(),
        },
    };
    wasm_val_t {
        kind: kind_of(v.ty()),
        of,
    }
}

/// The C reference for an externref: the original C object if C made it.
pub(crate) fn extern_ref(store: &StoreRef, e: ExternRef) -> wasm_ref_t {
    match e.data(store.get()).downcast_ref::<CRef>() {
        Some(c) => c.0.attach(store),
        None => wasm_ref_t::new(RefInner::Extern(store.clone(), e)),
    }
}

/// Converts a raw slot of type `ty` to a C value.
///
/// # Safety
/// The slot must hold a value of type `ty` owned by `store`.
pub(crate) unsafe fn from_raw(store: &StoreRef, raw: ValRaw, ty: ValType) -> wasm_val_t {
    num_from_raw(raw, ty).unwrap_or_else(|| {
        from_runtime(store, Val::from_raw(store.get().store_data_mut(), raw, ty))
    })
}

/// A raw slot of a number (or vector) type as a C value; `None` for a
/// reference type, which needs the store.
///
/// # Safety
/// The slot must hold a value of type `ty`.
#[inline]
pub(crate) unsafe fn num_from_raw(raw: ValRaw, ty: ValType) -> Option<wasm_val_t> {
    let of = match ty {
        ValType::I32 => wasm_val_union { i32: raw.i32 },
        ValType::I64 => wasm_val_union { i64: raw.i64 },
        ValType::F32 => wasm_val_union {
            f32: f32::from_bits(raw.f32),
        },
        ValType::F64 => wasm_val_union {
            f64: f64::from_bits(raw.f64),
        },
        ValType::V128 => wasm_val_union { v128: raw.v128 },
        ValType::Ref(_) => return None,
    };
    Some(wasm_val_t {
        kind: kind_of(ty),
        of,
    })
}

/// A C number (or vector) value as the raw slot of type `ty`; `None` if it
/// is of another kind, or a reference (which needs the store).
#[inline]
pub(crate) fn num_to_raw(v: &wasm_val_t, ty: ValType) -> Option<ValRaw> {
    // SAFETY (union reads): each arm reads the field its kind selects.
    unsafe {
        Some(match (ty, v.kind) {
            (ValType::I32, WASM_I32) => ValRaw { i32: v.of.i32 },
            (ValType::I64, WASM_I64) => ValRaw { i64: v.of.i64 },
            (ValType::F32, WASM_F32) => ValRaw {
                f32: v.of.f32.to_bits(),
            },
            (ValType::F64, WASM_F64) => ValRaw {
                f64: v.of.f64.to_bits(),
            },
            (ValType::V128, WASM_V128) => ValRaw { v128: v.of.v128 },
            _ => return None,
        })
    }
}

/// The kinds of a function type made of numbers (and vectors) only, with
/// at most `NumSig::MAX` parameters and results together: what the call
/// paths need to convert values without looking at the type again.
#[derive(Clone, Copy)]
pub(crate) struct NumSig {
    np: u8,
    nr: u8,
    /// No v128: every slot Craneway writes is one 8-byte value.
    narrow: bool,
    kinds: [u8; NumSig::MAX],
}

impl NumSig {
    pub const MAX: usize = 16;

    /// None if `ty` has a reference or too many values.
    pub fn new(ty: &crate::FuncType) -> Option<NumSig> {
        let (p, r) = (ty.params(), ty.results());
        if p.len() + r.len() > Self::MAX || p.iter().chain(r).any(|t| t.is_ref()) {
            return None;
        }
        let mut kinds = [0; Self::MAX];
        for (k, t) in kinds.iter_mut().zip(p.iter().chain(r)) {
            *k = kind_of(*t);
        }
        Some(NumSig {
            np: p.len() as u8,
            nr: r.len() as u8,
            narrow: !p.iter().chain(r).any(|t| *t == crate::ValType::V128),
            kinds,
        })
    }

    /// Writes a slot written by compiled code (the trampolines store every
    /// number at least 8 bytes wide) to `out` as a C value of kind `kind`:
    /// without v128, one 8-byte copy whatever the kind.
    ///
    /// # Safety
    /// `raw` must hold a value of kind `kind` stored by compiled code; `out`
    /// must be valid for a write (its old value is not dropped).
    #[inline(always)]
    pub unsafe fn write_slot_as_c(&self, raw: *const ValRaw, kind: u8, out: *mut wasm_val_t) {
        if self.narrow {
            std::ptr::addr_of_mut!((*out).kind).write(kind);
            std::ptr::addr_of_mut!((*out).of.i64).write((*raw).i64);
        } else {
            out.write(num_slot_to_c(raw, kind));
        }
    }

    /// The parameter kinds, then the result kinds.
    #[inline(always)]
    pub fn kinds(&self) -> *const u8 {
        self.kinds.as_ptr()
    }

    #[inline(always)]
    pub fn params(&self) -> &[u8] {
        &self.kinds[..self.np as usize]
    }

    #[inline(always)]
    pub fn results(&self) -> &[u8] {
        &self.kinds[self.np as usize..(self.np + self.nr) as usize]
    }
}

/// A raw slot holding a number of kind `kind` as a C value. Each kind is
/// read at its own width: a wider read of a value just stored narrower
/// would miss the processor's store forwarding and stall.
///
/// # Safety
/// `raw` must hold a value of kind `kind` (a number or vector kind).
#[inline(always)]
pub(crate) unsafe fn num_slot_to_c(raw: *const ValRaw, kind: u8) -> wasm_val_t {
    let of = match kind {
        WASM_I32 | WASM_F32 => wasm_val_union { i32: (*raw).i32 },
        WASM_I64 | WASM_F64 => wasm_val_union { i64: (*raw).i64 },
        _ => wasm_val_union { v128: (*raw).v128 },
    };
    wasm_val_t { kind, of }
}

/// Writes a C number value of kind `kind` to a raw slot: read at its own
/// width (see `num_slot_to_c`), stored at least 8 bytes wide (a 32-bit
/// value zero-extended, as the trampolines store them).
///
/// # Safety
/// `v.kind` must be `kind`, a number or vector kind; `slot` must be valid
/// for a write.
#[inline(always)]
pub(crate) unsafe fn num_c_to_slot(v: &wasm_val_t, kind: u8, slot: *mut ValRaw) {
    match kind {
        WASM_I32 | WASM_F32 => (*slot).i64 = i64::from(v.of.i32 as u32),
        WASM_I64 | WASM_F64 => (*slot).i64 = v.of.i64,
        _ => (*slot).v128 = v.of.v128,
    }
}
