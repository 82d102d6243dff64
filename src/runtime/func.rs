//! Functions: calling into wasm (checked and raw), and host functions that
//! wasm can call.
//!
//! Every function, wasm or host, is a `VMFuncRef`. A call from the host goes
//! through the function's array-call trampoline (`vm::traps::enter`); a
//! host function is reached from wasm through the wasm-to-array trampoline
//! of its signature, which calls `host_callback` below.

use super::instance::Instance;
use super::store::{check_store, AsStore, AsStoreMut, StoreData};
use super::{Error, Trap, Val};
use crate::engine::HostTrampolines;
use crate::types::FuncType;
use crate::vm::instance::instance_of;
use crate::vm::traps;
use crate::vm::vmcontext::{
    array_call_code, HostCallback, VMExn, VMFuncRef, VMHostFuncContext, VMStoreContext, ValRaw,
    HOST_CTX_MAGIC,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// A function in a store (a handle; cheap to copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

pub(crate) struct FuncData {
    pub funcref: *const VMFuncRef,
    pub ty: FuncType,
}

/// A host function on raw slots: parameters in, results out (see
/// `Func::new_unchecked`).
type RawHostCallback = dyn Fn(Caller<'_>, *mut ValRaw) -> Result<(), Trap> + Send + Sync;

/// A host function's record; boxed so the addresses below are stable.
pub(crate) struct HostFunc {
    ctx: VMHostFuncContext,
    funcref: VMFuncRef,
    callback: HostImpl,
    store: *mut StoreData,
    _trampolines: Arc<HostTrampolines>,
}

/// How a host function is implemented.
enum HostImpl {
    /// A Rust closure, given a `Caller`.
    Closure(Box<RawHostCallback>),
    /// A C function on raw slots, called directly (see `Func::new_native`).
    Native(NativeCallback),
}

/// A C host function's code (see `NativeCallback`).
pub type NativeFn =
    unsafe extern "C" fn(*mut std::ffi::c_void, *mut ValRaw, usize) -> *mut std::ffi::c_void;

/// A C host function: `callback(env, values, len)` returns NULL, or an
/// error that `to_trap` turns into the trap (and releases); `drop_env`
/// runs when the function is dropped. Compiled code calls `callback`
/// itself, with nothing in between.
pub struct NativeCallback {
    pub callback: NativeFn,
    pub env: *mut std::ffi::c_void,
    pub to_trap: unsafe fn(*mut std::ffi::c_void) -> Trap,
    pub drop_env: Option<unsafe extern "C" fn(*mut std::ffi::c_void)>,
}

impl Drop for NativeCallback {
    fn drop(&mut self) {
        if let Some(f) = self.drop_env {
            // SAFETY: the creator's finalizer for its own environment.
            unsafe { f(self.env) }
        }
    }
}

/// A function's entry, resolved once: calling through it skips the
/// store's lookups. Valid while the store lives.
#[derive(Clone, Copy)]
pub struct FuncEntry {
    ctx: *mut VMStoreContext,
    funcref: *const VMFuncRef,
}

impl FuncEntry {
    /// Calls the function on raw slots, as `Func::call_unchecked`.
    ///
    /// # Safety
    /// As `Func::call_unchecked`; the store must be alive and not borrowed
    /// elsewhere for the call.
    #[inline(always)]
    pub unsafe fn call(self, values: *mut ValRaw) -> Result<(), Trap> {
        if traps::enter(self.ctx, self.funcref, values) {
            Ok(())
        } else {
            Err(trap_of(
                &mut *((*self.ctx).store as *mut StoreData),
                self.funcref,
            ))
        }
    }
}

/// Turns the trap of a call made with `FuncEntry::call_or` into the
/// pointer that call returns (for a C entry point, its trap object).
pub trait TrapResult {
    /// The function that was called; `arg` is the one given to `call_or`.
    fn entry(arg: *mut u8) -> FuncEntry;
    /// The call's result for `trap`.
    fn on_trap(trap: Trap, arg: *mut u8) -> *mut u8;
}

impl FuncEntry {
    /// Calls the function on raw slots: NULL when it returned, else
    /// `H::on_trap(trap, arg)`. The call is the entry stub's own, so a
    /// caller that returns its result adds nothing to a call.
    ///
    /// # Safety
    /// As `call`.
    #[inline(always)]
    pub unsafe fn call_or<H: TrapResult>(self, values: *mut ValRaw, arg: *mut u8) -> *mut u8 {
        traps::enter_or(self.ctx, self.funcref, values, on_trap::<H>, arg)
    }
}

/// The entry stub's trap exit for `FuncEntry::call_or`.
unsafe extern "C" fn on_trap<H: TrapResult>(ctx: *mut VMStoreContext, arg: *mut u8) -> *mut u8 {
    // SAFETY: the stub passes the store context of the call that trapped,
    // whose store is not otherwise borrowed while the stub returns.
    let store = &mut *((*ctx).store as *mut StoreData);
    let trap = catch_unwind(AssertUnwindSafe(|| trap_of(store, H::entry(arg).funcref)))
        .unwrap_or_else(|_| Trap::new("internal error while reporting a trap"));
    catch_unwind(AssertUnwindSafe(|| H::on_trap(trap, arg))).unwrap_or(std::ptr::null_mut())
}

/// What a host function gets: the store, and the instance that called it
/// (when called from wasm).
pub struct Caller<'a> {
    pub(crate) store: &'a mut StoreData,
    pub(crate) instance: Option<Instance>,
}

impl Caller<'_> {
    /// The calling instance, if wasm called this function.
    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }

    /// An export of the calling instance (its memory, above all).
    pub fn get_export(&self, name: &str) -> Option<super::Extern> {
        self.instance?.get_export(&*self.store, name)
    }
}

impl AsStore for Caller<'_> {
    fn store_data(&self) -> &StoreData {
        self.store
    }
}
impl AsStoreMut for Caller<'_> {
    fn store_data_mut(&mut self) -> &mut StoreData {
        self.store
    }
}

/// Stack space for values of calls with few parameters; more spill to the heap.
const INLINE_VALUES: usize = 16;

impl Func {
    /// A host function of type `ty`. The callback gets the arguments and
    /// one result slot per result (pre-set to zero values of the result
    /// types), and returns `Err` to trap.
    pub fn new(
        store: impl AsStoreMut,
        ty: FuncType,
        callback: impl Fn(Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        let sig = ty.clone();
        let raw = move |mut caller: Caller<'_>, values: *mut ValRaw| {
            // SAFETY: the trampoline passes one slot per parameter and result.
            unsafe { call_typed(&mut caller, &sig, values, &callback) }
        };
        // SAFETY: `raw` reads and writes exactly the slots of `ty`.
        unsafe { Func::new_unchecked(store, ty, raw) }
    }

    /// A host function of type `ty` on raw slots: the callback reads its
    /// parameters from `values[0..params]` and writes its results to
    /// `values[0..results]`.
    ///
    /// # Safety
    /// The callback must write a value of the right type to every result
    /// slot, references included (null or owned by this store).
    pub unsafe fn new_unchecked(
        mut store: impl AsStoreMut,
        ty: FuncType,
        callback: impl Fn(Caller<'_>, *mut ValRaw) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        Self::make_host(
            store.store_data_mut(),
            ty,
            HostImpl::Closure(Box::new(callback)),
        )
    }

    /// A host function of type `ty` implemented by a C function on raw
    /// slots, called with no Rust closure or caller lookup in between.
    ///
    /// # Safety
    /// The callback must write a value of the right type to every result
    /// slot, references included (null or owned by this store).
    pub unsafe fn new_native(
        mut store: impl AsStoreMut,
        ty: FuncType,
        native: NativeCallback,
    ) -> Func {
        Self::make_host(store.store_data_mut(), ty, HostImpl::Native(native))
    }

    fn make_host(store: &mut StoreData, ty: FuncType, callback: HostImpl) -> Func {
        let type_id = store.engine.intern(&ty);
        let tramps = store
            .engine
            .host_trampolines(type_id)
            .expect("host trampolines compile for every function type");
        let (code, env, failed): (HostCallback, *mut u8, _) = match &callback {
            // SAFETY: the trampoline passes a fourth argument (the caller's
            // vmctx) that a three-argument C function ignores: on the
            // platform C convention it is one more register, which the
            // callee neither reads nor owes to preserve.
            HostImpl::Native(n) => (
                unsafe { std::mem::transmute::<NativeFn, HostCallback>(n.callback) },
                n.env.cast(),
                native_failed
                    as unsafe extern "C" fn(*mut VMHostFuncContext, *mut u8) -> *mut VMExn,
            ),
            HostImpl::Closure(_) => (closure_callback, std::ptr::null_mut(), closure_failed),
        };
        let mut hf = Box::new(HostFunc {
            ctx: VMHostFuncContext {
                magic: HOST_CTX_MAGIC,
                _pad: 0,
                callback: code,
                env,
                failed,
                data: std::ptr::null_mut(),
                throw: crate::vm::entry::craneway_throw,
            },
            funcref: VMFuncRef {
                wasm_call: tramps.wasm_call,
                array_call: array_call_code(
                    ty.params().is_empty() && ty.results().is_empty(),
                    tramps.wasm_call,
                    tramps.array_call,
                ),
                vmctx: std::ptr::null_mut(),
                type_id,
                _pad: 0,
            },
            callback,
            store: store as *mut StoreData,
            _trampolines: tramps,
        });
        if let HostImpl::Closure(_) = hf.callback {
            hf.ctx.env = &mut *hf as *mut HostFunc as *mut u8;
        }
        hf.ctx.data = &mut *hf as *mut HostFunc as *mut u8;
        hf.funcref.vmctx = &mut hf.ctx as *mut VMHostFuncContext as *mut u8;
        let funcref = &hf.funcref as *const VMFuncRef;
        store.host_funcs.push(hf);
        store.push_func(FuncData { funcref, ty })
    }

    /// The function's type, borrowed from the store.
    /// The function's entry, for repeated raw calls (see `FuncEntry`).
    pub fn entry(&self, mut store: impl AsStoreMut) -> FuncEntry {
        let store = store.store_data_mut();
        check_store(store, self.store);
        FuncEntry {
            funcref: store.funcs[self.index as usize].funcref,
            ctx: &mut *store.ctx,
        }
    }

    pub(crate) fn ty_ref<'a>(&self, store: &'a StoreData) -> &'a FuncType {
        check_store(store, self.store);
        &store.funcs[self.index as usize].ty
    }

    pub fn ty(&self, store: impl AsStore) -> FuncType {
        let store = store.store_data();
        check_store(store, self.store);
        store.funcs[self.index as usize].ty.clone()
    }

    /// Calls the function with checked arguments; `results` must have one
    /// slot per result.
    pub fn call(
        &self,
        mut store: impl AsStoreMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        let store = store.store_data_mut();
        let data = store.func_data(*self)?;
        let ty = &data.ty;
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(Error::Other(format!(
                "function of type {ty} called with {} arguments and {} result slots",
                params.len(),
                results.len()
            )));
        }
        let mut inline = [ValRaw::ZERO; INLINE_VALUES];
        let mut heap = Vec::new();
        let slots = ty.slots();
        let values: &mut [ValRaw] = if slots <= INLINE_VALUES {
            &mut inline[..slots]
        } else {
            heap.resize(slots, ValRaw::ZERO);
            &mut heap
        };
        for (i, (p, want)) in params.iter().zip(ty.params()).enumerate() {
            if !p.matches_in(store, *want) {
                return Err(Error::Other(format!(
                    "argument {i} is {}, the function expects {want}",
                    super::externals::describe_val(p)
                )));
            }
            values[i] = p.to_raw(store)?;
        }
        let funcref = data.funcref;
        // SAFETY: the funcref is live in this store and `values` has a slot
        // for every parameter and result of its type.
        unsafe { call_raw(store, funcref, values.as_mut_ptr()) }?;
        let data = &store.funcs[self.index as usize];
        let n = data.ty.results().len();
        for i in 0..n {
            let ty = store.funcs[self.index as usize].ty.results()[i];
            // SAFETY: the callee wrote a value of type `ty` into slot i.
            results[i] = unsafe { Val::from_raw(store, values[i], ty) };
        }
        Ok(())
    }

    /// Calls the function on raw slots with no checks.
    ///
    /// # Safety
    /// `values` must have `max(params, results)` slots holding arguments of
    /// the function's parameter types, references owned by this store.
    pub unsafe fn call_unchecked(
        &self,
        mut store: impl AsStoreMut,
        values: *mut ValRaw,
    ) -> Result<(), Trap> {
        let store = store.store_data_mut();
        let funcref = store.funcs[self.index as usize].funcref;
        call_raw(store, funcref, values)
    }
}

/// Enters wasm: calls `funcref`'s array-call trampoline on `values` (the
/// entry stub sets the store's stack limit if no wasm of this store is
/// running yet).
///
/// # Safety
/// As `Func::call_unchecked`.
#[inline(always)]
pub(crate) unsafe fn call_raw(
    store: &mut StoreData,
    funcref: *const VMFuncRef,
    values: *mut ValRaw,
) -> Result<(), Trap> {
    FuncEntry {
        ctx: &mut *store.ctx,
        funcref,
    }
    .call(values)
}

/// The trap of the last call into `store` (see `call_raw`).
#[cold]
#[inline(never)]
fn trap_of(store: &mut StoreData, funcref: *const VMFuncRef) -> Trap {
    let info = traps::take_trap(&mut store.ctx);
    let store: &StoreData = store;
    // SAFETY: the entered funcref is live in this store.
    let entry = unsafe { entry_instance(&*funcref) };
    let mut trap = Trap::from_info(*info, store.id, |start, index| {
        store.frame_names(start, index, entry)
    });
    if trap.code() == Some(super::TrapCode::UninitializedElement) {
        trap.set_message(format!("uninitialized element {}", store.ctx.trap_arg));
    }
    trap
}

/// The store index of the instance a function reference belongs to, if it
/// is a wasm function.
unsafe fn entry_instance(f: &VMFuncRef) -> Option<u32> {
    crate::vm::instance::is_instance_vmctx(f.vmctx).then(|| instance_of(f.vmctx).host_data)
}

/// The code of a host function made from a Rust closure: `env` is its
/// `HostFunc`. Returns NULL, or a boxed `Trap` for `closure_failed`.
unsafe extern "C" fn closure_callback(
    env: *mut u8,
    values: *mut ValRaw,
    _len: usize,
    caller_vmctx: *mut u8,
) -> *mut u8 {
    let hf = &*(env as *const HostFunc);
    let HostImpl::Closure(callback) = &hf.callback else {
        return Box::into_raw(Box::new(Trap::new("host function has no closure"))).cast();
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY (caller): the store is borrowed by the call that entered
        // wasm further up this stack and is not used by it until we return.
        let store = &mut *hf.store;
        let instance = if caller_vmctx.is_null() {
            None
        } else {
            Some(Instance::from_handle_data(
                store,
                instance_of(caller_vmctx).host_data,
            ))
        };
        callback(Caller { store, instance }, values)
    }));
    match result {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(trap)) => Box::into_raw(Box::new(trap)).cast(),
        Err(panic) => Box::into_raw(Box::new(Trap::from_panic(panic))).cast(),
    }
}

/// Records the failure of a closure host function (a boxed `Trap`).
unsafe extern "C" fn closure_failed(ctx: *mut VMHostFuncContext, error: *mut u8) -> *mut VMExn {
    record_failure(ctx, *Box::from_raw(error as *mut Trap))
}

/// Records the failure of a C host function: its error, made a `Trap` by
/// the function's `to_trap`.
unsafe extern "C" fn native_failed(ctx: *mut VMHostFuncContext, error: *mut u8) -> *mut VMExn {
    let hf = &*((*ctx).data as *const HostFunc);
    let trap = match &hf.callback {
        HostImpl::Native(n) => {
            let to_trap = n.to_trap;
            catch_unwind(AssertUnwindSafe(|| to_trap(error.cast())))
                .unwrap_or_else(Trap::from_panic)
        }
        HostImpl::Closure(_) => Trap::new("host function failed"),
    };
    record_failure(ctx, trap)
}

/// Keeps a host function's failure in its store's context until the trap
/// that follows reaches the entry; or, if the failure is an uncaught wasm
/// exception of this store (the host passed on the error of a call into
/// wasm), returns the exception object, which the trampoline throws on
/// into its wasm caller.
unsafe fn record_failure(ctx: *mut VMHostFuncContext, trap: Trap) -> *mut VMExn {
    let hf = &*((*ctx).data as *const HostFunc);
    let store = &mut *hf.store;
    let exn = trap.exception_of(store.id);
    if !exn.is_null() {
        return exn;
    }
    traps::set_host_trap(&mut store.ctx, Box::new(trap));
    std::ptr::null_mut()
}

/// Runs a typed host callback on raw slots: converts the parameters to
/// `Val`s (on the stack for up to `INLINE_VALUES` values), and the results
/// back after checking their types.
unsafe fn call_typed(
    caller: &mut Caller<'_>,
    ty: &FuncType,
    values: *mut ValRaw,
    callback: &(impl Fn(Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap> + ?Sized),
) -> Result<(), Trap> {
    let (np, nr) = (ty.params().len(), ty.results().len());
    let mut inline = [Val::I32(0); INLINE_VALUES];
    let mut heap = Vec::new();
    let vals: &mut [Val] = if np + nr <= INLINE_VALUES {
        &mut inline[..np + nr]
    } else {
        heap.resize(np + nr, Val::I32(0));
        &mut heap
    };
    let (params, results) = vals.split_at_mut(np);
    for (i, t) in ty.params().iter().enumerate() {
        params[i] = Val::from_raw(caller.store, *values.add(i), *t);
    }
    for (r, t) in results.iter_mut().zip(ty.results()) {
        *r = Val::default_for(*t);
    }
    let instance = caller.instance;
    callback(
        Caller {
            store: &mut *caller.store,
            instance,
        },
        params,
        results,
    )?;
    for (i, (r, t)) in results.iter().zip(ty.results()).enumerate() {
        if !r.matches_in(caller.store, *t) {
            return Err(Trap::new(format!(
                "host function returned {} where its type says {t}",
                super::externals::describe_val(r)
            )));
        }
        *values.add(i) = r
            .to_raw(caller.store)
            .map_err(|e| Trap::new(e.to_string()))?;
    }
    Ok(())
}
