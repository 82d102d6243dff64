//! Function instances: host functions from C callbacks, and calls.
//!
//! `wasm_func_call` converts the C values straight to raw slots on the
//! stack and calls through the same raw entry as `wasm_func_call_unchecked`;
//! host callbacks get their arguments in stack arrays. Neither allocates
//! per call unless references are passed (each reference is an object).

use super::engine::{wasm_store_t, StoreRef, WeakStore};
use super::refs::{declare_ref, wasm_func_t, wasm_trap_t, RefInner};
use super::trap::{new_trap, store_trap};
use super::types::wasm_functype_t;
use super::unchecked::UncheckedTrap;
use super::val::{
    from_raw, num_c_to_slot, to_raw, wasm_val_t, wasm_val_union, wasm_val_vec_t, NumSig,
};
use crate::runtime::{AsStore, Func, NativeCallback, Trap};
use crate::{FuncType, ValRaw, ValType};
use std::ffi::c_void;
use std::mem::MaybeUninit;

declare_ref!(
    wasm_func_t,
    wasm_func_delete,
    wasm_func_copy,
    wasm_func_same,
    wasm_func_get_host_info,
    wasm_func_set_host_info,
    wasm_func_set_host_info_with_finalizer,
    wasm_func_as_ref,
    wasm_ref_as_func,
    wasm_func_as_ref_const,
    wasm_ref_as_func_const
);

/// A host function: reads `args`, writes `results` (pre-sized, one value of
/// the right kind per result), returns NULL or an owned trap.
pub type wasm_func_callback_t = Option<
    unsafe extern "C" fn(
        args: *const wasm_val_vec_t,
        results: *mut wasm_val_vec_t,
    ) -> Option<Box<wasm_trap_t>>,
>;

/// A host function with an environment pointer.
pub type wasm_func_callback_with_env_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        args: *const wasm_val_vec_t,
        results: *mut wasm_val_vec_t,
    ) -> Option<Box<wasm_trap_t>>,
>;

/// Values passed on the stack; calls with more use the heap.
const INLINE: usize = 16;

impl wasm_func_t {
    pub(crate) fn parts(&self) -> (&StoreRef, Func) {
        match &self.r.inner {
            RefInner::Func(s, f) => (s, *f),
            _ => unreachable!("wasm_func_t always holds a function"),
        }
    }

    /// The function's resolved entry (see `FuncEntry`).
    #[inline]
    pub(crate) fn entry(&self) -> crate::runtime::FuncEntry {
        self.r.entry.expect("a function reference has its entry")
    }
}

/// Calls `f` with C value arrays for a host call: arguments converted from
/// the raw slots, results pre-set to zero values of their kinds.
unsafe fn run_callback(
    store: &WeakStore,
    ty: &FuncType,
    values: *mut ValRaw,
    f: impl FnOnce(*const wasm_val_vec_t, *mut wasm_val_vec_t) -> Option<Box<wasm_trap_t>>,
) -> Result<(), Trap> {
    // The store is needed for references only.
    let has_refs = ty.params().iter().chain(ty.results()).any(|t| t.is_ref());
    let store = if has_refs {
        Some(store.upgrade().ok_or_else(|| Trap::new("store is gone"))?)
    } else {
        None
    };
    let (np, nr) = (ty.params().len(), ty.results().len());
    let mut vals = ValBuf::new(np + nr);
    for (i, t) in ty.params().iter().enumerate() {
        vals.push(raw_to_c(store.as_ref(), *values.add(i), *t));
    }
    for t in ty.results() {
        vals.push(raw_to_c(store.as_ref(), ValRaw::ZERO, *t));
    }
    let (args, results) = vals.as_mut_slice().split_at_mut(np);
    let args_vec = wasm_val_vec_t {
        size: np,
        data: args.as_mut_ptr(),
    };
    let mut results_vec = wasm_val_vec_t {
        size: nr,
        data: results.as_mut_ptr(),
    };
    if let Some(trap) = f(&args_vec, &mut results_vec) {
        return Err(trap.trap().clone());
    }
    for (i, (r, t)) in results.iter().zip(ty.results()).enumerate() {
        let raw = match &store {
            Some(s) => arg_to_raw(s, r, *t),
            None => super::val::num_to_raw(r, *t)
                .ok_or_else(|| format!("a value of kind {} where {t} is expected", r.kind)),
        };
        *values.add(i) = raw.map_err(|e| Trap::new(format!("host function result {i}: {e}")))?;
    }
    Ok(())
}

/// A C value as the raw slot of type `ty`: numbers inline, references
/// (and mismatches) through `val::to_raw`.
#[inline(always)]
fn arg_to_raw(store: &StoreRef, v: &wasm_val_t, ty: ValType) -> Result<ValRaw, String> {
    match super::val::num_to_raw(v, ty) {
        Some(raw) => Ok(raw),
        None => to_raw(store, v, ty),
    }
}

/// A raw slot of type `ty` as a C value; `store` is needed for references.
#[inline]
unsafe fn raw_to_c(store: Option<&StoreRef>, raw: ValRaw, ty: ValType) -> wasm_val_t {
    match (super::val::num_from_raw(raw, ty), store) {
        (Some(v), _) => v,
        (None, Some(s)) => from_raw(s, raw, ty),
        (None, None) => wasm_val_t::i32(0),
    }
}

/// Values of one host call: on the stack for up to `2 * INLINE`, else on
/// the heap. Only the values pushed are initialised (and dropped).
struct ValBuf {
    inline: [MaybeUninit<wasm_val_t>; 2 * INLINE],
    heap: Vec<wasm_val_t>,
    len: usize,
    spill: bool,
}

impl ValBuf {
    fn new(capacity: usize) -> ValBuf {
        let spill = capacity > 2 * INLINE;
        ValBuf {
            inline: [const { MaybeUninit::uninit() }; 2 * INLINE],
            heap: if spill {
                Vec::with_capacity(capacity)
            } else {
                Vec::new()
            },
            len: 0,
            spill,
        }
    }

    fn push(&mut self, v: wasm_val_t) {
        if self.spill {
            self.heap.push(v);
        } else {
            self.inline[self.len].write(v);
            self.len += 1;
        }
    }

    fn as_mut_slice(&mut self) -> &mut [wasm_val_t] {
        if self.spill {
            &mut self.heap
        } else {
            // SAFETY: the first `len` elements were written by `push`.
            unsafe { std::slice::from_raw_parts_mut(self.inline.as_mut_ptr().cast(), self.len) }
        }
    }
}

impl Drop for ValBuf {
    fn drop(&mut self) {
        if !self.spill {
            for v in &mut self.inline[..self.len] {
                // SAFETY: initialised by `push`, dropped once here.
                unsafe { v.assume_init_drop() };
            }
        }
    }
}

/// Runs the finalizer of a host function's environment when the function
/// is dropped (with its store).
pub(crate) struct Env {
    pub env: *mut c_void,
    pub finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
}

// SAFETY: the environment is the embedder's; it is only used on the thread
// that uses the store, as the standard requires.
unsafe impl Send for Env {}
unsafe impl Sync for Env {}
impl Env {
    pub fn ptr(&self) -> *mut c_void {
        self.env
    }
}
impl Drop for Env {
    fn drop(&mut self) {
        if let Some(f) = self.finalizer {
            // SAFETY: the embedder's finalizer for its own environment.
            unsafe { f(self.env) }
        }
    }
}

/// A standard host function's callback, as the runtime's native callback
/// environment.
struct StdHost {
    callback: StdCallback,
    ty: FuncType,
    /// The type's kinds when it has numbers only (the fast path).
    num_sig: Option<NumSig>,
    store: WeakStore,
    /// Finalizes the embedder's environment when the function is dropped.
    _env: Option<Env>,
}

enum StdCallback {
    Plain(
        unsafe extern "C" fn(
            *const wasm_val_vec_t,
            *mut wasm_val_vec_t,
        ) -> Option<Box<wasm_trap_t>>,
    ),
    WithEnv(
        unsafe extern "C" fn(
            *mut c_void,
            *const wasm_val_vec_t,
            *mut wasm_val_vec_t,
        ) -> Option<Box<wasm_trap_t>>,
        *mut c_void,
    ),
}

/// The runtime's native callback for standard host functions: converts the
/// raw slots to C values and back around the embedder's callback.
unsafe extern "C" fn std_host_adapter(
    env: *mut c_void,
    values: *mut ValRaw,
    _len: usize,
) -> *mut c_void {
    let host = &*(env as *const StdHost);
    if let Some(sig) = &host.num_sig {
        return numbers_callback(host, sig, values);
    }
    let result = run_callback(&host.store, &host.ty, values, |a, r| match host.callback {
        StdCallback::Plain(f) => f(a, r),
        StdCallback::WithEnv(f, env) => f(env, a, r),
    });
    match result {
        Ok(()) => std::ptr::null_mut(),
        Err(trap) => Box::into_raw(Box::new(trap)) as *mut c_void,
    }
}

/// A standard host function of numbers only: its C values are built
/// straight from the raw slots on the stack, and its results checked and
/// copied back.
///
/// # Safety
/// `sig` must describe the function's type; `values` holds its slots.
#[inline(always)]
unsafe fn numbers_callback(host: &StdHost, sig: &NumSig, values: *mut ValRaw) -> *mut c_void {
    let (np, nr) = (sig.params().len(), sig.results().len());
    let kinds = sig.kinds();
    // NumSig::MAX bounds np + nr.
    let mut vals = [const { MaybeUninit::<wasm_val_t>::uninit() }; NumSig::MAX];
    let base = vals.as_mut_ptr() as *mut wasm_val_t;
    for i in 0..np {
        sig.write_slot_as_c(values.add(i), *kinds.add(i), base.add(i));
    }
    for i in np..np + nr {
        base.add(i).write(wasm_val_t {
            kind: *kinds.add(i),
            of: wasm_val_union { i64: 0 },
        });
    }
    let args = wasm_val_vec_t {
        size: np,
        data: base,
    };
    let mut results = wasm_val_vec_t {
        size: nr,
        data: base.add(np),
    };
    let trap = match host.callback {
        StdCallback::Plain(f) => f(&args, &mut results),
        StdCallback::WithEnv(f, env) => f(env, &args, &mut results),
    };
    let mut error = trap.map(|t| t.trap().clone());
    if error.is_none() {
        for i in 0..nr {
            let (r, k) = (&*base.add(np + i), *kinds.add(np + i));
            if r.kind != k {
                error = Some(Trap::new(format!(
                    "host function result {i}: a value of kind {} where {} is expected",
                    r.kind,
                    super::types::valtype_from_kind(k).map_or("?".into(), |t| t.to_string())
                )));
                break;
            }
            num_c_to_slot(r, k, values.add(i));
        }
    }
    match error {
        None => std::ptr::null_mut(),
        Some(trap) => {
            // The callback may have left owned references in the results.
            for i in 0..nr {
                std::ptr::drop_in_place(base.add(np + i));
            }
            Box::into_raw(Box::new(trap)) as *mut c_void
        }
    }
}

unsafe fn adapter_trap(p: *mut c_void) -> Trap {
    *Box::from_raw(p as *mut Trap)
}

unsafe extern "C" fn drop_std_host(env: *mut c_void) {
    drop(Box::from_raw(env as *mut StdHost));
}

fn new_host(
    store: &wasm_store_t,
    ty: &wasm_functype_t,
    callback: StdCallback,
    env: Option<Env>,
) -> Box<wasm_func_t> {
    let s = &store.store;
    let host = Box::new(StdHost {
        callback,
        ty: ty.ty().clone(),
        num_sig: NumSig::new(ty.ty()),
        store: s.weak(),
        _env: env,
    });
    let native = NativeCallback {
        callback: std_host_adapter,
        env: Box::into_raw(host) as *mut c_void,
        to_trap: adapter_trap,
        drop_env: Some(drop_std_host),
    };
    // SAFETY: the adapter writes every result slot with a checked value.
    let f = unsafe { Func::new_native(s.get(), ty.ty().clone(), native) };
    wasm_func_t::wrap(RefInner::Func(s.clone(), f))
}

/// Creates a host function of type `type` calling `callback`. Returns NULL
/// if an argument is NULL.
#[no_mangle]
pub extern "C" fn wasm_func_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_functype_t>,
    callback: wasm_func_callback_t,
) -> Option<Box<wasm_func_t>> {
    let (store, ty, callback) = (store?, ty?, callback?);
    super::guard(None, || {
        Some(new_host(store, ty, StdCallback::Plain(callback), None))
    })
}

/// Creates a host function calling `callback(env, ...)`. `finalizer` (may
/// be NULL) is called with `env` when the function's store goes away.
/// Returns NULL if `store`, `type` or `callback` is NULL.
#[no_mangle]
pub extern "C" fn wasm_func_new_with_env(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_functype_t>,
    callback: wasm_func_callback_with_env_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) -> Option<Box<wasm_func_t>> {
    // Only a function that is created takes over `env` (and its finalizer).
    let (store, ty, callback) = (store?, ty?, callback?);
    let fin = Env { env, finalizer };
    super::guard(None, || {
        Some(new_host(
            store,
            ty,
            StdCallback::WithEnv(callback, env),
            Some(fin),
        ))
    })
}

/// The function's type (owned by the caller), or NULL for NULL.
#[no_mangle]
pub extern "C" fn wasm_func_type(func: Option<&wasm_func_t>) -> Option<Box<wasm_functype_t>> {
    let (store, f) = func?.parts();
    super::guard(None, || Some(wasm_functype_t::new(f.ty(store.get()))))
}

/// Number of parameters (0 for NULL).
#[no_mangle]
pub extern "C" fn wasm_func_param_arity(func: Option<&wasm_func_t>) -> usize {
    func.map_or(0, |func| {
        let (store, f) = func.parts();
        f.ty_ref(store.get().store_data()).params().len()
    })
}

/// Number of results (0 for NULL).
#[no_mangle]
pub extern "C" fn wasm_func_result_arity(func: Option<&wasm_func_t>) -> usize {
    func.map_or(0, |func| {
        let (store, f) = func.parts();
        f.ty_ref(store.get().store_data()).results().len()
    })
}

/// Calls `func` with `args`, writing its results into `results`, which
/// must hold at least one value per result (existing contents are
/// overwritten, not deleted). Returns NULL on success, or an owned trap: a
/// trap in wasm or a host function, or a message for a wrong number or kind
/// of arguments. Allocates nothing unless references are passed.
#[no_mangle]
pub extern "C" fn wasm_func_call(
    func: Option<&wasm_func_t>,
    args: Option<&wasm_val_vec_t>,
    results: Option<&mut wasm_val_vec_t>,
) -> Option<Box<wasm_trap_t>> {
    if let Some(f) = func {
        if let Some(sig) = &f.r.num_sig {
            // SAFETY: `f` is a live function whose type `sig` describes;
            // the vectors are the caller's, valid for the call.
            if let Some(result) = unsafe { call_numbers(f, sig, args, results.as_deref()) } {
                return result;
            }
        }
    }
    call_general(
        func,
        args.map(|a| a.as_slice()),
        results.map(|r| r.as_mut_slice()),
    )
}

/// `wasm_func_call` of any function, and its errors; out of line, so that
/// the numbers-only path keeps a small frame.
#[inline(never)]
fn call_general(
    func: Option<&wasm_func_t>,
    args: Option<&[wasm_val_t]>,
    results: Option<&mut [wasm_val_t]>,
) -> Option<Box<wasm_trap_t>> {
    let Some(func) = func else {
        return Some(new_trap(Trap::new("wasm_func_call: NULL function")));
    };
    let args = args.unwrap_or(&[]);
    let results = results.unwrap_or(&mut []);
    let internal = || Some(new_trap(Trap::new("wasm_func_call: internal error")));
    super::guard_with(internal, || {
        call(func, args, results)
            .err()
            .map(|t| store_trap(func.parts().0, t))
    })
}

/// `wasm_func_call` of a function of numbers only: the values are copied
/// to and from raw slots on the stack, and a trap comes back from the entry
/// stub as the caller's `wasm_trap_t`. None (nothing called) if the
/// arguments do not match the type: the general path reports that.
///
/// # Safety
/// `sig` must describe `func`'s type.
#[inline(always)]
unsafe fn call_numbers(
    func: &wasm_func_t,
    sig: &NumSig,
    args: Option<&wasm_val_vec_t>,
    results: Option<&wasm_val_vec_t>,
) -> Option<Option<Box<wasm_trap_t>>> {
    let (np, nr) = (sig.params().len(), sig.results().len());
    let (args, nargs) = args.map_or((std::ptr::null(), 0), |v| {
        (v.data as *const wasm_val_t, v.size)
    });
    let (results, nresults) = results.map_or((std::ptr::null_mut(), 0), |v| (v.data, v.size));
    if nargs != np || nresults < nr || (np > 0 && args.is_null()) || (nr > 0 && results.is_null()) {
        return None;
    }
    let kinds = sig.kinds();
    // NumSig::MAX bounds both np and nr.
    let mut raw = [const { MaybeUninit::<ValRaw>::uninit() }; NumSig::MAX];
    let slots = raw.as_mut_ptr() as *mut ValRaw;
    for i in 0..np {
        let (a, k) = (&*args.add(i), *kinds.add(i));
        if a.kind != k {
            return None;
        }
        num_c_to_slot(a, k, slots.add(i));
    }
    let entry = func.r.entry?;
    let arg = func as *const wasm_func_t as *mut u8;
    let trap = entry.call_or::<UncheckedTrap>(slots, arg);
    if !trap.is_null() {
        // SAFETY: made by `UncheckedTrap::on_trap` with `Box::into_raw`.
        return Some(Some(Box::from_raw(trap.cast())));
    }
    for i in 0..nr {
        // The slot holds a result of this kind (the callee wrote it). The
        // result place may hold garbage (the standard lets callers pass
        // uninitialised arrays): overwrite without dropping.
        sig.write_slot_as_c(slots.add(i), *kinds.add(np + i), results.add(i));
    }
    Some(None)
}

fn call(func: &wasm_func_t, args: &[wasm_val_t], results: &mut [wasm_val_t]) -> Result<(), Trap> {
    let (store, f) = func.parts();
    let ty: *const FuncType = f.ty_ref(crate::runtime::AsStore::store_data(store.get()));
    // SAFETY: the type lives in the store's function list, which nothing
    // changes before the call below (converting arguments adds externrefs
    // at most); after the call it is looked up again.
    let ty = unsafe { &*ty };
    let (np, nr) = (ty.params().len(), ty.results().len());
    if args.len() != np || results.len() < nr {
        return Err(Trap::new(format!(
            "wasm_func_call: function of type {ty} called with {} arguments and {} result slots",
            args.len(),
            results.len()
        )));
    }
    let slots = np.max(nr);
    let mut inline = [const { MaybeUninit::<ValRaw>::uninit() }; INLINE];
    let mut heap = Vec::new();
    let raw: *mut ValRaw = if slots <= INLINE {
        inline.as_mut_ptr().cast()
    } else {
        heap.resize(slots, ValRaw::ZERO);
        heap.as_mut_ptr()
    };
    for (i, (a, t)) in args.iter().zip(ty.params()).enumerate() {
        let v = arg_to_raw(store, a, *t)
            .map_err(|e| Trap::new(format!("wasm_func_call: argument {i}: {e}")))?;
        // SAFETY: `raw` has `slots` >= np slots.
        unsafe { raw.add(i).write(v) };
    }
    // SAFETY: the slots hold checked arguments of the function's type and
    // have room for its results.
    unsafe { func.entry().call(raw) }?;
    for (i, r) in results.iter_mut().enumerate().take(nr) {
        let t = f
            .ty_ref(crate::runtime::AsStore::store_data(store.get()))
            .results()[i];
        // SAFETY: the callee wrote a value of type `t` into slot i.
        let v = unsafe { from_raw(store, *raw.add(i), t) };
        // The slot may hold garbage (the standard lets callers pass
        // uninitialised result arrays): overwrite without dropping.
        // SAFETY: `r` is a valid place for a value.
        unsafe { std::ptr::write(r, v) };
    }
    Ok(())
}
