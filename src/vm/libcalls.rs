//! Builtins: the operations too big to inline, called by compiled code
//! through the table at `VMCTX_BUILTINS` with the caller's vmctx first.
//! Those that can fail return non-zero and the caller traps (the trap code
//! is chosen by the compiled code), so nothing here unwinds.
//!
//! Also the Rust implementations of the few math libcalls Cranelift may
//! emit on hosts without SSE4.1.

use super::instance::{instance_of, range};
use super::vmcontext::{VMExn, VMStoreContext, VMTag, NUM_BUILTINS, VMCTX_STORE_CTX};
use cranelift_codegen::ir::LibCall;

type Op5 = unsafe extern "C" fn(*mut u8, u32, u32, u64, u64, u64) -> u32;
type Drop1 = unsafe extern "C" fn(*mut u8, u32);

/// The builtin table, in `vmcontext::Builtin` order.
#[repr(C)]
pub struct Builtins {
    memory_grow: unsafe extern "C" fn(*mut u8, u32, u64) -> u64,
    memory_copy: unsafe extern "C" fn(*mut u8, u32, u64, u32, u64, u64) -> u32,
    memory_fill: unsafe extern "C" fn(*mut u8, u32, u64, u32, u64) -> u32,
    memory_init: Op5,
    data_drop: Drop1,
    table_grow: unsafe extern "C" fn(*mut u8, u32, u64, usize) -> u64,
    table_copy: Op5,
    table_fill: unsafe extern "C" fn(*mut u8, u32, u64, usize, u64) -> u32,
    table_init: Op5,
    elem_drop: Drop1,
    exn_new: unsafe extern "C" fn(*mut u8, u32) -> *mut VMExn,
    exn_release: unsafe extern "C" fn(*mut u8, *mut VMExn),
    /// Not a C function: the `tail`-convention throw stub.
    throw: unsafe extern "C" fn(),
    epoch_deadline: unsafe extern "C" fn(*mut u8) -> u32,
}
const _: () = assert!(std::mem::size_of::<Builtins>() == NUM_BUILTINS * 8);

pub static BUILTINS: Builtins = Builtins {
    memory_grow,
    memory_copy,
    memory_fill,
    memory_init,
    data_drop,
    table_grow,
    table_copy,
    table_fill,
    table_init,
    elem_drop,
    exn_new,
    exn_release,
    throw: super::entry::craneway_throw,
    epoch_deadline: super::entry::craneway_epoch_deadline,
};

const OK: u32 = 0;
const TRAP: u32 = 1;

// SAFETY (all builtins below): compiled code passes its own live vmctx, and
// the instance's memories and tables are owned by its store, which is
// borrowed by the call that entered wasm on this thread; no other reference
// to them is live while the builtin runs.
//
// Every index argument is looked up with a check (`memory`, `table`, segment
// lookups return `None` or empty when out of range), and every address,
// length and delta is a full u64 checked by `range` or `grow` with overflow
// checks, so any value compiled code passes is handled. For 32-bit memories
// and tables the caller zero-extends its i32 operands; a 32-bit memory's
// `memory.grow` result is truncated by the caller (u64::MAX becomes -1).

unsafe extern "C" fn memory_grow(vmctx: *mut u8, mem: u32, delta: u64) -> u64 {
    let ctx = store_ctx(vmctx);
    let inst = instance_of(vmctx);
    inst.memory(mem)
        .and_then(|m| m.grow_limited(&mut ctx.limits, delta))
        .unwrap_or(u64::MAX)
}

/// The store context of the instance whose vmctx this is.
unsafe fn store_ctx_ptr(vmctx: *mut u8) -> *mut VMStoreContext {
    *(vmctx.add(VMCTX_STORE_CTX as usize) as *const *mut VMStoreContext)
}

/// `store_ctx_ptr`, borrowed (a distinct object from the instance, its
/// memories and tables).
unsafe fn store_ctx<'a>(vmctx: *mut u8) -> &'a mut VMStoreContext {
    &mut *store_ctx_ptr(vmctx)
}

unsafe extern "C" fn memory_copy(
    vmctx: *mut u8,
    dst_mem: u32,
    dst: u64,
    src_mem: u32,
    src: u64,
    len: u64,
) -> u32 {
    let inst = instance_of(vmctx);
    let Some((dbase, dlen)) = inst
        .memory(dst_mem)
        .map(|m| (m.def.base, m.def.current_length))
    else {
        return TRAP;
    };
    let Some((sbase, slen)) = inst
        .memory(src_mem)
        .map(|m| (m.def.base, m.def.current_length))
    else {
        return TRAP;
    };
    match (range(dst, len, dlen), range(src, len, slen)) {
        (Some(dr), Some(sr)) => {
            // Possibly overlapping ranges in mapped memory: memmove.
            std::ptr::copy(sbase.add(sr.start), dbase.add(dr.start), dr.len());
            OK
        }
        _ => TRAP,
    }
}

unsafe extern "C" fn memory_fill(vmctx: *mut u8, mem: u32, dst: u64, val: u32, len: u64) -> u32 {
    let inst = instance_of(vmctx);
    let Some(m) = inst.memory(mem) else {
        return TRAP;
    };
    match range(dst, len, m.def.current_length) {
        Some(r) => {
            m.data_mut()[r].fill(val as u8);
            OK
        }
        None => TRAP,
    }
}

unsafe extern "C" fn memory_init(
    vmctx: *mut u8,
    mem: u32,
    seg: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    match instance_of(vmctx).memory_init(mem, seg, dst, src, len) {
        Ok(()) => OK,
        Err(_) => TRAP,
    }
}

/// The epoch reached the store's deadline: its callback moves the
/// deadline (go on) or there is none or it says stop (trap). A panicking
/// callback stops too: it must not unwind through compiled code. Reached
/// through the register-preserving stub `entry::craneway_epoch_deadline`.
pub(super) unsafe extern "C" fn epoch_deadline(vmctx: *mut u8) -> u32 {
    let ctx = store_ctx(vmctx);
    let now = (*ctx.epoch).load(std::sync::atomic::Ordering::Relaxed);
    if now < ctx.epoch_deadline {
        // The deadline moved since the check (a host call set another).
        return OK;
    }
    let Some(callback) = ctx.epoch_callback.as_mut() else {
        return TRAP;
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(callback)) {
        Ok(Some(ticks)) => {
            ctx.epoch_deadline = now.saturating_add(ticks);
            OK
        }
        Ok(None) | Err(_) => TRAP,
    }
}

unsafe extern "C" fn data_drop(vmctx: *mut u8, seg: u32) {
    if let Some(d) = instance_of(vmctx).data_dropped.get_mut(seg as usize) {
        *d = true;
    }
}

unsafe extern "C" fn table_grow(vmctx: *mut u8, table: u32, delta: u64, init: usize) -> u64 {
    let ctx = store_ctx(vmctx);
    let inst = instance_of(vmctx);
    inst.table(table)
        .and_then(|t| t.grow_limited(&mut ctx.limits, delta, init))
        .map_or(u64::MAX, u64::from)
}

unsafe extern "C" fn table_copy(
    vmctx: *mut u8,
    dst_t: u32,
    src_t: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    let inst = instance_of(vmctx);
    let def =
        |t: &mut crate::vm::memory::TableStorage| (t.def.base, t.def.current_elements as usize);
    let Some((dbase, dlen)) = inst.table(dst_t).map(def) else {
        return TRAP;
    };
    let Some((sbase, slen)) = inst.table(src_t).map(def) else {
        return TRAP;
    };
    match (range(dst, len, dlen), range(src, len, slen)) {
        (Some(dr), Some(sr)) => {
            std::ptr::copy(sbase.add(sr.start), dbase.add(dr.start), dr.len());
            OK
        }
        _ => TRAP,
    }
}

unsafe extern "C" fn table_fill(vmctx: *mut u8, table: u32, dst: u64, val: usize, len: u64) -> u32 {
    let inst = instance_of(vmctx);
    let Some(t) = inst.table(table) else {
        return TRAP;
    };
    let elems = t.elements_mut();
    match range(dst, len, elems.len()) {
        Some(r) => {
            elems[r].fill(val);
            OK
        }
        None => TRAP,
    }
}

unsafe extern "C" fn table_init(
    vmctx: *mut u8,
    table: u32,
    seg: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    match instance_of(vmctx).table_init(table, seg, dst, src, len) {
        Ok(()) => OK,
        Err(_) => TRAP,
    }
}

/// A new exception object of tag `tag` (an index into the caller's tags),
/// in the store's arena; compiled code then stores the values into it.
/// Null (compiled code traps) when the store holds too many.
unsafe extern "C" fn exn_new(vmctx: *mut u8, tag: u32) -> *mut VMExn {
    let inst = instance_of(vmctx);
    let slot = inst.module.offsets.tag(tag) as usize;
    let tag = *(vmctx.add(slot) as *const *const VMTag);
    let ctx = store_ctx_ptr(vmctx);
    (*ctx).exns.alloc(tag, ctx, (*tag).nparams)
}

/// A plain catch handler is done with `exn` (see `ExnArena::release`).
unsafe extern "C" fn exn_release(vmctx: *mut u8, exn: *mut VMExn) {
    store_ctx(vmctx).exns.release(exn);
}

unsafe extern "C" fn elem_drop(vmctx: *mut u8, seg: u32) {
    if let Some(e) = instance_of(vmctx).elems.get_mut(seg as usize) {
        *e = Vec::new();
    }
}

/// A NaN result is quiet, as wasm's rounding operators require (Rust's
/// rounding may hand a signalling NaN back unchanged).
fn quiet_f32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}
fn quiet_f64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

extern "C" fn ceil_f32(x: f32) -> f32 {
    quiet_f32(x.ceil())
}
extern "C" fn ceil_f64(x: f64) -> f64 {
    quiet_f64(x.ceil())
}
extern "C" fn floor_f32(x: f32) -> f32 {
    quiet_f32(x.floor())
}
extern "C" fn floor_f64(x: f64) -> f64 {
    quiet_f64(x.floor())
}
extern "C" fn trunc_f32(x: f32) -> f32 {
    quiet_f32(x.trunc())
}
extern "C" fn trunc_f64(x: f64) -> f64 {
    quiet_f64(x.trunc())
}
extern "C" fn nearest_f32(x: f32) -> f32 {
    quiet_f32(x.round_ties_even())
}
extern "C" fn nearest_f64(x: f64) -> f64 {
    quiet_f64(x.round_ties_even())
}
extern "C" fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}
extern "C" fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// `pshufb` for x86-64 processors without SSSE3, which Cranelift calls for
/// `i8x16.swizzle` and shuffles there: byte `i` of the result is byte
/// `b[i] & 15` of `a`, or 0 when `b[i]` has its top bit set.
// `__m128i` travels in an xmm register in the C convention, as Cranelift's
// call passes it; Rust only lacks a C name for the type.
#[cfg(target_arch = "x86_64")]
#[allow(improper_ctypes_definitions)]
extern "C" fn x86_pshufb(
    a: std::arch::x86_64::__m128i,
    b: std::arch::x86_64::__m128i,
) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::__m128i;
    // SAFETY: `__m128i` and `[u8; 16]` have the same size, and every bit
    // pattern is valid for both.
    let (a, b) = unsafe {
        (
            std::mem::transmute::<__m128i, [u8; 16]>(a),
            std::mem::transmute::<__m128i, [u8; 16]>(b),
        )
    };
    let mut r = [0u8; 16];
    for (out, &sel) in r.iter_mut().zip(&b) {
        if sel & 0x80 == 0 {
            *out = a[usize::from(sel & 15)];
        }
    }
    // SAFETY: as above.
    unsafe { std::mem::transmute::<[u8; 16], __m128i>(r) }
}

/// The address of a libcall's implementation, if we have one.
pub fn libcall_address(lc: LibCall) -> Option<usize> {
    Some(match lc {
        LibCall::CeilF32 => ceil_f32 as *const () as usize,
        LibCall::CeilF64 => ceil_f64 as *const () as usize,
        LibCall::FloorF32 => floor_f32 as *const () as usize,
        LibCall::FloorF64 => floor_f64 as *const () as usize,
        LibCall::TruncF32 => trunc_f32 as *const () as usize,
        LibCall::TruncF64 => trunc_f64 as *const () as usize,
        LibCall::NearestF32 => nearest_f32 as *const () as usize,
        LibCall::NearestF64 => nearest_f64 as *const () as usize,
        LibCall::FmaF32 => fma_f32 as *const () as usize,
        LibCall::FmaF64 => fma_f64 as *const () as usize,
        #[cfg(target_arch = "x86_64")]
        LibCall::X86Pshufb => x86_pshufb as *const () as usize,
        _ => return None,
    })
}
