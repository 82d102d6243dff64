//! Throwing a wasm exception: the Rust half of the throw stub
//! (`entry::craneway_throw`).
//!
//! No signal is involved. The stub hands over the thrower's pc, sp, fp and
//! callee-saved registers; `craneway_throw_impl` walks the frame-pointer
//! chain from there. For each frame it looks the return address up in its
//! code's handler table (`CodeInfo::find_handler`, built from Cranelift's
//! `try_call` sites). A tag handler matches when the exception's `VMTag`
//! is the one in the catching frame's own vmctx slot (read from the
//! `try_call`'s context stack slot), so tag identity follows imports and
//! instances, not module-local indices; a catch-all matches anything. The
//! first match wins, in table order (innermost handler first). On a match
//! the stub jumps to the handler with the frame's fp, the call site's sp,
//! the object in rax, and rbx and r12-r15 as the catching frame had them
//! at its call: the walk applies the register saves of every frame it
//! leaves, as a return from each would have (a `try_call` made in the
//! System V convention keeps its values in those registers, see
//! `compile::exception_call_signature`). When the walk reaches the entry stub instead, the
//! exception unwinds like a trap (`traps::unwind_to_entry`) and comes back
//! to the host as `TRAP_EXCEPTION`, the object kept in the store context.

use super::code_memory::with_code;
use super::entry::{
    craneway_call_return_nested, craneway_call_return_outer, craneway_call_trapped_nested,
    craneway_call_trapped_outer, STUB_CTX,
};
use super::traps::{restore_saves, unwind_to_entry, Where, TRAP_EXCEPTION};
use super::vmcontext::{VMExn, VMStoreContext, EXN_EXPOSED, MAX_FRAMES};

/// What the throw stub and `craneway_throw_impl` share (on the stub's
/// stack; the offsets are the stub's).
#[repr(C)]
pub struct ThrowRegs {
    /// In: the return address into the throwing code. Out: where to jump.
    pc: usize,
    /// In: the thrower's sp after the return. Out: the sp to jump with.
    sp: usize,
    /// In: the thrower's fp. Out: the fp to jump with.
    fp: usize,
    /// In and out: the exception object (rax at the target).
    payload: usize,
    /// rbx, r12-r15: in, at the throw; out, at the target.
    saved: [usize; 5],
}
const _: () = assert!(std::mem::size_of::<ThrowRegs>() == 72);

/// Finds where exception `exn` goes (see the module doc) and fills in `r`.
///
/// # Safety
/// Called only by the throw stub, from compiled code of the store `exn`
/// belongs to, with `r` as the stub made it.
pub(super) unsafe extern "C" fn craneway_throw_impl(exn: *mut VMExn, r: &mut ThrowRegs) {
    let outer = std::ptr::addr_of!(craneway_call_return_outer) as usize;
    let nested = std::ptr::addr_of!(craneway_call_return_nested) as usize;
    let tag = (*exn).tag;
    let (mut pc, mut fp) = (r.pc, r.fp);
    // The callee-saved registers as the frame at `fp` had them at its call.
    let mut saved = r.saved;
    loop {
        let hit = with_code(pc, |start, code| {
            code.find_handler((pc - start) as u32, fp, &saved, tag)
                .map(|(h, sp)| (start + h as usize, sp))
        });
        match hit {
            Some(Some((handler, sp))) => {
                r.pc = handler;
                r.sp = sp;
                r.fp = fp;
                r.payload = exn as usize;
                r.saved = saved;
                return;
            }
            Some(None) => {}
            // Not compiled code: cannot happen below an entry stub.
            None => break,
        }
        // The frame is stopped at a call, so its prologue's saves are all
        // made: applying them gives the registers as its caller had them.
        if restore_saves(pc - 1, fp, false, &mut saved).is_none() {
            break;
        }
        let ret = *((fp + 8) as *const usize);
        let next_fp = *(fp as *const usize);
        if ret == outer || ret == nested || next_fp <= fp {
            break;
        }
        fp = next_fp;
        pc = ret;
    }
    // Uncaught: back to the entry stub, as a trap.
    let mut trace = [0usize; MAX_FRAMES];
    let Some((n, stub, is_outer)) =
        unwind_to_entry(r.pc - 1, Where::Body, r.fp, r.sp, &mut trace, &mut r.saved)
    else {
        // The frame chain below an entry stub is always ours; this would
        // be a broken stack, where no recovery is possible.
        std::process::abort();
    };
    let ctx = *((stub.sp + STUB_CTX) as *const *mut VMStoreContext);
    let rec = std::ptr::addr_of_mut!((*ctx).trap);
    (*rec).code = Some(TRAP_EXCEPTION);
    (*rec).trace = trace;
    (*rec).trace_len = n;
    // The host gets the object: it is never recycled.
    (*exn).flags |= EXN_EXPOSED;
    (*ctx).pending_exn = exn;
    r.pc = if is_outer {
        std::ptr::addr_of!(craneway_call_trapped_outer) as usize
    } else {
        std::ptr::addr_of!(craneway_call_trapped_nested) as usize
    };
    r.sp = stub.sp;
    r.fp = stub.fp;
    r.payload = 0;
}
