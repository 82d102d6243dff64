//! Vectors: `wasm_<name>_vec_t` and their five functions, declared once for
//! every element type by `declare_vec!` (the header's `WASM_DECLARE_VEC`).
//!
//! A vector owns `size` elements at `data`, allocated here as a boxed
//! slice. Elements are owned pointers (`Option<Box<T>>`, NULL allowed),
//! bytes, or values whose `Drop` releases what they own.

use std::mem::MaybeUninit;

/// The layout of every `wasm_*_vec_t`.
#[repr(C)]
pub struct WasmVec<T> {
    pub size: usize,
    pub data: *mut T,
}

impl<T> WasmVec<T> {
    pub fn empty() -> Self {
        WasmVec {
            size: 0,
            data: std::ptr::null_mut(),
        }
    }

    pub fn from_vec(v: Vec<T>) -> Self {
        if v.is_empty() {
            return Self::empty();
        }
        let b = v.into_boxed_slice();
        let size = b.len();
        WasmVec {
            size,
            data: Box::into_raw(b) as *mut T,
        }
    }

    /// The elements (an empty slice for a NULL or empty vector).
    pub fn as_slice(&self) -> &[T] {
        if self.data.is_null() || self.size == 0 {
            &[]
        } else {
            // SAFETY: a non-null vector made by us or by the caller holds
            // `size` initialised elements at `data`.
            unsafe { std::slice::from_raw_parts(self.data, self.size) }
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        if self.data.is_null() || self.size == 0 {
            &mut []
        } else {
            // SAFETY: as for `as_slice`, with exclusive access.
            unsafe { std::slice::from_raw_parts_mut(self.data, self.size) }
        }
    }

    /// Takes the elements out, leaving the vector empty.
    ///
    /// # Safety
    /// The vector must have been allocated by `from_vec` (all vectors the
    /// caller owns were, per the standard).
    pub unsafe fn take(&mut self) -> Vec<T> {
        let v = if self.data.is_null() || self.size == 0 {
            Vec::new()
        } else {
            Box::from_raw(std::ptr::slice_from_raw_parts_mut(self.data, self.size)).into_vec()
        };
        self.size = 0;
        self.data = std::ptr::null_mut();
        v
    }
}

impl<T: Default> WasmVec<T> {
    pub fn defaulted(size: usize) -> Self {
        Self::from_vec((0..size).map(|_| T::default()).collect())
    }
}

impl<T: Clone> WasmVec<T> {
    pub fn to_vec(&self) -> Vec<T> {
        self.as_slice().to_vec()
    }
}

/// Writes a new vector of `size` elements moved out of `data` (the standard
/// passes ownership of the elements).
///
/// # Safety
/// `data` must point to `size` valid elements whose ownership is passed.
pub unsafe fn vec_new<T>(out: Option<&mut MaybeUninit<WasmVec<T>>>, size: usize, data: *const T) {
    let v: Vec<T> = if size == 0 || data.is_null() {
        Vec::new()
    } else {
        (0..size).map(|i| std::ptr::read(data.add(i))).collect()
    };
    put_vec(out, WasmVec::from_vec(v));
}

/// Writes `v` to an out-parameter; with a NULL one, drops it instead.
pub fn put<T>(out: Option<&mut MaybeUninit<T>>, v: T) {
    if let Some(out) = out {
        out.write(v);
    }
}

/// `put` for vectors: with a NULL out-parameter the vector is freed.
pub fn put_vec<T>(out: Option<&mut MaybeUninit<WasmVec<T>>>, mut v: WasmVec<T>) {
    match out {
        Some(out) => {
            out.write(v);
        }
        // SAFETY: `v` was made by `from_vec`.
        None => drop(unsafe { v.take() }),
    }
}

/// Declares `wasm_<name>_vec_t` and its functions for one element type.
macro_rules! declare_vec {
    ($vec:ident, $elem:ty, $new_empty:ident, $new_uninit:ident, $new:ident, $copy:ident, $delete:ident) => {
        pub type $vec = $crate::capi::vec::WasmVec<$elem>;

        /// Writes an empty vector to `out`.
        #[no_mangle]
        pub extern "C" fn $new_empty(out: Option<&mut std::mem::MaybeUninit<$vec>>) {
            $crate::capi::vec::put(out, $crate::capi::vec::WasmVec::empty());
        }

        /// Writes a vector of `size` zero or NULL elements to `out`.
        #[no_mangle]
        pub extern "C" fn $new_uninit(out: Option<&mut std::mem::MaybeUninit<$vec>>, size: usize) {
            $crate::capi::vec::put_vec(out, $crate::capi::vec::WasmVec::defaulted(size));
        }

        /// Writes a vector taking ownership of the `size` elements at `data`.
        #[no_mangle]
        pub unsafe extern "C" fn $new(
            out: Option<&mut std::mem::MaybeUninit<$vec>>,
            size: usize,
            data: *const $elem,
        ) {
            $crate::capi::vec::vec_new(out, size, data)
        }

        /// Writes a deep copy of `src` to `out` (an empty vector for NULL).
        #[no_mangle]
        pub extern "C" fn $copy(out: Option<&mut std::mem::MaybeUninit<$vec>>, src: Option<&$vec>) {
            let v = match (&out, src) {
                (Some(_), Some(s)) => s.to_vec(),
                _ => Vec::new(),
            };
            $crate::capi::vec::put(out, $crate::capi::vec::WasmVec::from_vec(v));
        }

        /// Deletes the vector's elements and storage; NULL is ignored.
        #[no_mangle]
        pub unsafe extern "C" fn $delete(v: Option<&mut $vec>) {
            if let Some(v) = v {
                drop(v.take());
            }
        }
    };
}
pub(crate) use declare_vec;

/// A byte.
pub type wasm_byte_t = u8;
declare_vec!(
    wasm_byte_vec_t,
    wasm_byte_t,
    wasm_byte_vec_new_empty,
    wasm_byte_vec_new_uninitialized,
    wasm_byte_vec_new,
    wasm_byte_vec_copy,
    wasm_byte_vec_delete
);
/// Names are byte vectors.
pub type wasm_name_t = wasm_byte_vec_t;

/// A name vector from a Rust string.
pub fn name(s: &str) -> wasm_name_t {
    WasmVec::from_vec(s.as_bytes().to_vec())
}
