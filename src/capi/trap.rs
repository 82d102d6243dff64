//! Traps and frames.

use super::engine::wasm_store_t;
use super::refs::{declare_ref, wasm_instance_t, wasm_trap_t, RefInner, Shared};
use super::vec::{declare_vec, wasm_byte_vec_t, WasmVec};
use crate::runtime::{FrameInfo, Trap};
use std::mem::MaybeUninit;

/// A null-terminated message.
pub type wasm_message_t = wasm_byte_vec_t;

declare_ref!(
    wasm_trap_t,
    wasm_trap_delete,
    wasm_trap_copy,
    wasm_trap_same,
    wasm_trap_get_host_info,
    wasm_trap_set_host_info,
    wasm_trap_set_host_info_with_finalizer,
    wasm_trap_as_ref,
    wasm_ref_as_trap,
    wasm_trap_as_ref_const,
    wasm_ref_as_trap_const
);

/// A new C trap object for a runtime trap.
pub(crate) fn new_trap(trap: Trap) -> Box<wasm_trap_t> {
    wasm_trap_t::wrap(RefInner::Trap(Shared::new(trap, None)))
}

/// A new C trap object for a trap raised in `store`.
pub(crate) fn store_trap(store: &super::engine::StoreRef, trap: Trap) -> Box<wasm_trap_t> {
    wasm_trap_t::wrap(RefInner::Trap(Shared::new(trap, Some(store))))
}

impl wasm_trap_t {
    pub(crate) fn trap(&self) -> &Trap {
        match &self.r.inner {
            RefInner::Trap(t) => &t.value,
            _ => unreachable!("wasm_trap_t always holds a trap"),
        }
    }
}

/// A frame of a trap's backtrace.
#[derive(Clone)]
pub struct wasm_frame_t {
    frame: FrameInfo,
    instance: Option<Box<wasm_instance_t>>,
}

super::declare_own!(wasm_frame_t, wasm_frame_delete);
declare_vec!(
    wasm_frame_vec_t,
    Option<Box<wasm_frame_t>>,
    wasm_frame_vec_new_empty,
    wasm_frame_vec_new_uninitialized,
    wasm_frame_vec_new,
    wasm_frame_vec_copy,
    wasm_frame_vec_delete
);

/// Creates a trap with `message` (a null-terminated byte vector; the
/// terminator is optional here). Returns NULL if an argument is NULL.
#[no_mangle]
pub extern "C" fn wasm_trap_new(
    store: Option<&wasm_store_t>,
    message: Option<&wasm_message_t>,
) -> Option<Box<wasm_trap_t>> {
    let (store, message) = (store?, message?);
    let bytes = message.as_slice();
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    let msg = String::from_utf8_lossy(bytes).into_owned();
    Some(store_trap(&store.store, Trap::new(msg)))
}

/// Writes the trap's message, null-terminated, to `out` (owned by the caller).
#[no_mangle]
pub extern "C" fn wasm_trap_message(
    trap: Option<&wasm_trap_t>,
    out: Option<&mut MaybeUninit<wasm_message_t>>,
) {
    let (Some(trap), Some(out)) = (trap, out) else {
        return;
    };
    let mut bytes = trap.trap().message().as_bytes().to_vec();
    bytes.push(0);
    out.write(WasmVec::from_vec(bytes));
}

/// Whether the trap is a wasm exception that no handler caught (its
/// message is `uncaught wasm exception`). A host function that returns
/// such a trap from a call into wasm throws the exception on into its own
/// wasm caller, where a handler may catch it. False for any other trap and
/// for NULL.
#[no_mangle]
pub extern "C" fn craneway_trap_is_exception(trap: Option<&wasm_trap_t>) -> bool {
    trap.is_some_and(|t| t.trap().is_exception())
}

fn frame(trap: &wasm_trap_t, f: &FrameInfo) -> Box<wasm_frame_t> {
    let instance = match (f.instance, trap_store(trap)) {
        (Some(i), Some(store)) => Some(wasm_instance_t::wrap(RefInner::Instance(store, i))),
        _ => None,
    };
    Box::new(wasm_frame_t {
        frame: f.clone(),
        instance,
    })
}

fn trap_store(trap: &wasm_trap_t) -> Option<super::engine::StoreRef> {
    match &trap.r.inner {
        RefInner::Trap(t) => t.store.as_ref().and_then(|w| w.upgrade()),
        _ => None,
    }
}

/// The innermost wasm frame of the trap (owned by the caller), or NULL if
/// it has none (a trap made by the host outside wasm).
#[no_mangle]
pub extern "C" fn wasm_trap_origin(trap: Option<&wasm_trap_t>) -> Option<Box<wasm_frame_t>> {
    let trap = trap?;
    trap.trap().frames().first().map(|f| frame(trap, f))
}

/// Writes the trap's wasm frames, innermost first, to `out`.
#[no_mangle]
pub extern "C" fn wasm_trap_trace(
    trap: Option<&wasm_trap_t>,
    out: Option<&mut MaybeUninit<wasm_frame_vec_t>>,
) {
    let Some(out) = out else { return };
    let Some(trap) = trap else {
        out.write(WasmVec::empty());
        return;
    };
    let frames = trap
        .trap()
        .frames()
        .iter()
        .map(|f| Some(frame(trap, f)))
        .collect();
    out.write(WasmVec::from_vec(frames));
}

/// Returns a copy of the frame.
#[no_mangle]
pub extern "C" fn wasm_frame_copy(frame: Option<&wasm_frame_t>) -> Option<Box<wasm_frame_t>> {
    frame.map(|f| Box::new(f.clone()))
}

/// The instance whose function the frame is in (owned by the frame), or
/// NULL if unknown.
#[no_mangle]
pub extern "C" fn wasm_frame_instance(frame: Option<&wasm_frame_t>) -> Option<&wasm_instance_t> {
    frame?.instance.as_deref()
}

/// The frame's function, as an index in its module's function index space.
#[no_mangle]
pub extern "C" fn wasm_frame_func_index(frame: Option<&wasm_frame_t>) -> u32 {
    frame.map_or(0, |f| f.frame.func_index)
}

/// Offset of the frame's instruction from the start of its function's
/// native code.
#[no_mangle]
pub extern "C" fn wasm_frame_func_offset(frame: Option<&wasm_frame_t>) -> usize {
    frame.map_or(0, |f| f.frame.func_offset)
}

/// Offset of the frame's wasm instruction in the module's bytes.
#[no_mangle]
pub extern "C" fn wasm_frame_module_offset(frame: Option<&wasm_frame_t>) -> usize {
    frame.map_or(0, |f| f.frame.module_offset)
}
