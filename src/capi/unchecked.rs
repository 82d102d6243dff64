//! The raw fast path (`craneway.h`): calls and host functions over 16-byte
//! `wasm_val_raw_t` slots, with no per-call checks in release builds, and
//! conversions between raw slots and `wasm_val_t`.
//!
//! The same `wasm_func_t` works with every call path: these functions use
//! the runtime's raw entry (`Func::call_unchecked`) that `wasm_func_call`
//! also ends in.

use super::engine::{wasm_store_t, StoreRef};
use super::func::Env;
use super::refs::{wasm_extern_t, wasm_func_t, wasm_trap_t, RefInner};
use super::trap::store_trap;
use super::types::wasm_functype_t;
use super::val::{from_raw, to_raw, wasm_val_t};
use crate::runtime::{Caller, Extern, Func, FuncEntry, NativeCallback, Trap, TrapResult};
use crate::{ValRaw, ValType};
use std::ffi::c_void;
use std::mem::MaybeUninit;

/// C's `wasm_val_raw_t`: the runtime's raw slot.
pub type wasm_val_raw_t = ValRaw;

/// A raw host function: parameters in `args_and_results[0..params]`,
/// results written to `args_and_results[0..results]`; `len` is
/// max(params, results). Returns NULL or an owned trap.
pub type wasm_func_callback_unchecked_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        args_and_results: *mut wasm_val_raw_t,
        len: usize,
    ) -> Option<Box<wasm_trap_t>>,
>;

/// A raw host function that also receives the calling instance.
pub type craneway_func_callback_caller_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        caller: *mut craneway_caller_t,
        args_and_results: *mut wasm_val_raw_t,
        len: usize,
    ) -> Option<Box<wasm_trap_t>>,
>;

/// Calls `func` with arguments in `args_and_results[0..params]`; results
/// overwrite `args_and_results[0..results]`. `len` must be at least
/// max(params, results) and the arguments must have the function's types
/// (references: NULL or objects of the function's store). Release builds
/// check none of this; debug builds trap with a message. Returns NULL or an
/// owned trap (message and frames); the store stays usable after a trap.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_call_unchecked(
    func: Option<&wasm_func_t>,
    args_and_results: *mut wasm_val_raw_t,
    len: usize,
) -> Option<Box<wasm_trap_t>> {
    let Some(func) = func else {
        return call_error("wasm_func_call_unchecked: NULL function");
    };
    #[cfg(debug_assertions)]
    {
        let (store, f) = func.parts();
        let ty = f.ty_ref(crate::runtime::AsStore::store_data(store.get()));
        if len < ty.slots() || (args_and_results.is_null() && ty.slots() > 0) {
            return Some(super::trap::new_trap(Trap::new(format!(
                "wasm_func_call_unchecked: {len} slots for a function of type {ty}"
            ))));
        }
    }
    let _ = len;
    let Some(entry) = func.r.entry else {
        return call_error("wasm_func_call_unchecked: not a function");
    };
    let arg = func as *const wasm_func_t as *mut u8;
    let result = entry.call_or::<UncheckedTrap>(args_and_results, arg);
    // SAFETY: NULL or a trap made by `UncheckedTrap::on_trap` with `Box::into_raw`.
    std::mem::transmute::<*mut u8, Option<Box<wasm_trap_t>>>(result)
}

/// A trap for a call that could not be made; kept out of line so that the
/// call path needs no stack frame of its own.
#[cold]
#[inline(never)]
fn call_error(message: &'static str) -> Option<Box<wasm_trap_t>> {
    Some(super::trap::new_trap(Trap::new(message)))
}

/// A trap of a call into wasm as the caller's `wasm_trap_t` (`arg` is the
/// called `wasm_func_t`).
pub(crate) struct UncheckedTrap;

impl TrapResult for UncheckedTrap {
    fn entry(arg: *mut u8) -> FuncEntry {
        // SAFETY: `arg` is the `wasm_func_t` being called, alive for the call.
        unsafe { &*(arg as *const wasm_func_t) }.entry()
    }

    fn on_trap(trap: Trap, arg: *mut u8) -> *mut u8 {
        // SAFETY: `arg` is the `wasm_func_t` being called, alive for the call.
        let func = unsafe { &*(arg as *const wasm_func_t) };
        Box::into_raw(store_trap(func.parts().0, trap)) as *mut u8
    }
}

/// Creates a raw host function of type `type`: `callback(env,
/// args_and_results, len)` gets its parameters in slots and writes its
/// results to them. `finalizer` (may be NULL) runs with `env` when the
/// function's store goes away. Returns NULL if `store`, `type` or
/// `callback` is NULL. The callback must write results of the right types.
#[no_mangle]
pub extern "C" fn wasm_func_new_unchecked(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_functype_t>,
    callback: wasm_func_callback_unchecked_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) -> Option<Box<wasm_func_t>> {
    // Only a function that is created takes over `env` (and its finalizer).
    let (store, ty, callback) = (store?, ty?, callback?);
    let env = Env { env, finalizer };
    let s = &store.store;
    let fty = ty.ty().clone();
    // The C function is called directly by the runtime: same ABI, with the
    // trap returned as an opaque pointer.
    // SAFETY: `Option<Box<wasm_trap_t>>` has the layout of a nullable pointer.
    let callback: unsafe extern "C" fn(*mut c_void, *mut ValRaw, usize) -> *mut c_void =
        unsafe { std::mem::transmute(callback) };
    let env = std::mem::ManuallyDrop::new(env);
    let native = NativeCallback {
        callback,
        env: env.env,
        to_trap: trap_from_ptr,
        drop_env: env.finalizer,
    };
    super::guard(None, || {
        // SAFETY: the embedder's callback writes its results (contract).
        let f = unsafe { Func::new_native(s.get(), fty, native) };
        Some(wasm_func_t::wrap(RefInner::Func(s.clone(), f)))
    })
}

/// Takes the trap a native host callback returned.
unsafe fn trap_from_ptr(p: *mut c_void) -> Trap {
    let trap = Box::from_raw(p as *mut wasm_trap_t);
    trap.trap().clone()
}

/// The calling instance of a host function made by
/// `craneway_func_new_with_caller`, valid during the call only.
pub struct craneway_caller_t {
    caller: *mut c_void,
    store: StoreRef,
}

impl craneway_caller_t {
    fn export(&mut self, name: *const std::ffi::c_char, len: usize) -> Option<Extern> {
        if name.is_null() {
            return None;
        }
        // SAFETY: the embedder passes `len` bytes at `name`.
        let name = unsafe { std::slice::from_raw_parts(name.cast::<u8>(), len) };
        let name = std::str::from_utf8(name).ok()?;
        // SAFETY: `caller` points to the live `Caller` of the current call.
        let caller = unsafe { &*(self.caller as *const Caller<'_>) };
        caller.get_export(name)
    }
}

/// Like `wasm_func_new_unchecked`, and the callback also gets a caller
/// handle to reach the calling instance's exports (its memory above all)
/// during the call.
#[no_mangle]
pub extern "C" fn craneway_func_new_with_caller(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_functype_t>,
    callback: craneway_func_callback_caller_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) -> Option<Box<wasm_func_t>> {
    // Only a function that is created takes over `env` (and its finalizer).
    let (store, ty, callback) = (store?, ty?, callback?);
    let env = Env { env, finalizer };
    let s = &store.store;
    let weak = s.weak();
    let fty = ty.ty().clone();
    let len = fty.slots();
    super::guard(None, || {
        // SAFETY: as in wasm_func_new_unchecked.
        let f = unsafe {
            Func::new_unchecked(s.get(), fty, move |mut caller, values| {
                let store = weak.upgrade().ok_or_else(|| Trap::new("store is gone"))?;
                let mut handle = craneway_caller_t {
                    caller: &mut caller as *mut Caller<'_> as *mut c_void,
                    store,
                };
                match callback(env.ptr(), &mut handle, values, len) {
                    None => Ok(()),
                    Some(t) => Err(t.trap().clone()),
                }
            })
        };
        Some(wasm_func_t::wrap(RefInner::Func(s.clone(), f)))
    })
}

/// The calling instance's export `name` (`len` bytes), owned by the caller,
/// or NULL if there is none (or no calling instance).
#[no_mangle]
pub extern "C" fn craneway_caller_export(
    caller: Option<&mut craneway_caller_t>,
    name: *const std::ffi::c_char,
    len: usize,
) -> Option<Box<wasm_extern_t>> {
    let caller = caller?;
    let e = caller.export(name, len)?;
    wasm_extern_t::from_extern(&caller.store, e)
}

/// The calling instance's exported memory `name` (`len` bytes): writes its
/// base to `*data` and its size in bytes to `*size` and returns true, or
/// returns false if there is no such memory. Valid during the call.
#[no_mangle]
pub unsafe extern "C" fn craneway_caller_memory(
    caller: Option<&mut craneway_caller_t>,
    name: *const std::ffi::c_char,
    len: usize,
    data: *mut *mut u8,
    size: *mut usize,
) -> bool {
    let Some(caller) = caller else { return false };
    let Some(Extern::Memory(m)) = caller.export(name, len) else {
        return false;
    };
    // SAFETY: `caller` points to the live `Caller` of the current call.
    let c = &mut *(caller.caller as *mut Caller<'_>);
    let bytes = m.data_mut(c);
    if !data.is_null() {
        *data = bytes.as_mut_ptr();
    }
    if !size.is_null() {
        *size = bytes.len();
    }
    true
}

/// Converts a value to a raw slot (of the value's own kind; references must
/// belong to `store`). Returns false, writing a zero slot, for an unknown
/// kind, a reference of another store, or a NULL argument.
#[no_mangle]
pub extern "C" fn craneway_val_to_raw(
    store: Option<&wasm_store_t>,
    val: Option<&wasm_val_t>,
    out: Option<&mut MaybeUninit<wasm_val_raw_t>>,
) -> bool {
    let Some(out) = out else { return false };
    let (Some(store), Some(val)) = (store, val) else {
        out.write(ValRaw::ZERO);
        return false;
    };
    let Some(ty) = super::types::valtype_from_kind(val.kind) else {
        out.write(ValRaw::ZERO);
        return false;
    };
    let r = super::guard(Err(String::new()), || to_raw(&store.store, val, ty));
    out.write(r.as_ref().copied().unwrap_or(ValRaw::ZERO));
    r.is_ok()
}

/// Converts a raw slot holding a value of kind `kind` (of `store`) to a
/// value; a reference becomes a new owned `wasm_ref_t`. Returns false
/// (writing an i32 zero) for an unknown kind.
#[no_mangle]
pub unsafe extern "C" fn craneway_val_from_raw(
    store: Option<&wasm_store_t>,
    raw: Option<&wasm_val_raw_t>,
    kind: super::types::wasm_valkind_t,
    out: Option<&mut MaybeUninit<wasm_val_t>>,
) -> bool {
    let Some(out) = out else { return false };
    let (Some(store), Some(raw)) = (store, raw) else {
        out.write(wasm_val_t::i32(0));
        return false;
    };
    let Some(ty) = super::types::valtype_from_kind(kind) else {
        out.write(wasm_val_t::i32(0));
        return false;
    };
    let ty: ValType = ty;
    out.write(super::guard(wasm_val_t::i32(0), || {
        from_raw(&store.store, *raw, ty)
    }));
    true
}
