//! Entering wasm and coming back from a trap.
//!
//! Every host->wasm call goes through `enter`, which runs the funcref's
//! array-call trampoline under the entry stub `craneway_call`
//! (`entry.rs`). A fault in wasm code (SIGSEGV/SIGBUS in a guard region,
//! SIGILL from a `ud2` trap, SIGFPE from a division) reaches
//! `handle_signal`, which checks that the faulting pc is a registered trap
//! site, walks the frame pointers up to the innermost entry stub, records
//! the trap code and the wasm frames in the store context the stub saved,
//! and resumes the stub at its trap exit. Faults that are not ours go to
//! the handler that was installed before us. Between the stub and the wasm
//! frames there are only trampolines and wasm code with nothing to drop, so
//! resuming there skips no destructors.

use super::code_memory::with_code;
use super::entry::{
    craneway_call, craneway_call_return_nested, craneway_call_return_outer,
    craneway_call_trapped_nested, craneway_call_trapped_outer, OnTrap, STUB_CTX,
};
use super::vmcontext::{VMFuncRef, VMStoreContext, ValRaw, MAX_FRAMES};
use cranelift_codegen::ir::TrapCode;
use std::any::Any;
use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::sync::Once;

// Cranelift reserves five trap codes (stack overflow, integer overflow,
// heap out of bounds, division by zero, bad conversion); every other trap
// Craneway raises is one of these user codes. The numbers are stored in
// serialized modules: never renumber one.

/// Trap code of the wasm->host trampoline when a host function failed.
pub const TRAP_HOST: TrapCode = TrapCode::unwrap_user(1);
/// Trap code of `call_indirect` with an index past the end of the table.
pub const TRAP_UNDEFINED_ELEMENT: TrapCode = TrapCode::unwrap_user(2);
/// A table access out of bounds (`table.get`/`set`/`copy`/`fill`/`init`).
pub const TRAP_TABLE_OUT_OF_BOUNDS: TrapCode = TrapCode::unwrap_user(3);
/// `call_indirect` of a null element.
pub const TRAP_INDIRECT_CALL_TO_NULL: TrapCode = TrapCode::unwrap_user(4);
/// `call_indirect` whose element has another type.
pub const TRAP_BAD_SIGNATURE: TrapCode = TrapCode::unwrap_user(5);
/// The `unreachable` instruction.
pub const TRAP_UNREACHABLE: TrapCode = TrapCode::unwrap_user(6);
/// An interruption requested by the host.
pub const TRAP_INTERRUPT: TrapCode = TrapCode::unwrap_user(7);
/// A null reference where a non-null one is required.
pub const TRAP_NULL_REFERENCE: TrapCode = TrapCode::unwrap_user(8);
/// A misaligned atomic access.
pub const TRAP_HEAP_MISALIGNED: TrapCode = TrapCode::unwrap_user(9);
/// `call_ref` or `return_call_ref` of a null function reference.
pub const TRAP_NULL_FUNC_REFERENCE: TrapCode = TrapCode::unwrap_user(10);
/// A wasm exception no handler caught reached the host (recorded by the
/// throw stub, never a code trap site).
pub const TRAP_EXCEPTION: TrapCode = TrapCode::unwrap_user(11);
/// `throw_ref` of a null reference.
pub const TRAP_NULL_EXCEPTION: TrapCode = TrapCode::unwrap_user(12);
/// `throw` when the store holds `MAX_EXN_BYTES` of exception objects.
pub const TRAP_EXN_LIMIT: TrapCode = TrapCode::unwrap_user(13);
/// The store's fuel ran out (`Config::consume_fuel`).
pub const TRAP_OUT_OF_FUEL: TrapCode = TrapCode::unwrap_user(14);

/// Every trap code compiled code may carry: Cranelift's reserved ones and
/// ours (a serialized module with any other code is refused).
pub const TRAP_CODES: [TrapCode; 19] = [
    TrapCode::STACK_OVERFLOW,
    TrapCode::INTEGER_OVERFLOW,
    TrapCode::HEAP_OUT_OF_BOUNDS,
    TrapCode::INTEGER_DIVISION_BY_ZERO,
    TrapCode::BAD_CONVERSION_TO_INTEGER,
    TRAP_HOST,
    TRAP_UNDEFINED_ELEMENT,
    TRAP_TABLE_OUT_OF_BOUNDS,
    TRAP_INDIRECT_CALL_TO_NULL,
    TRAP_BAD_SIGNATURE,
    TRAP_UNREACHABLE,
    TRAP_INTERRUPT,
    TRAP_NULL_REFERENCE,
    TRAP_HEAP_MISALIGNED,
    TRAP_NULL_FUNC_REFERENCE,
    TRAP_EXCEPTION,
    TRAP_NULL_EXCEPTION,
    TRAP_EXN_LIMIT,
    TRAP_OUT_OF_FUEL,
];

/// The spec's message for a trap code.
pub fn trap_message(code: TrapCode) -> &'static str {
    match code {
        TrapCode::STACK_OVERFLOW => "call stack exhausted",
        TrapCode::HEAP_OUT_OF_BOUNDS => "out of bounds memory access",
        TrapCode::INTEGER_OVERFLOW => "integer overflow",
        TrapCode::INTEGER_DIVISION_BY_ZERO => "integer divide by zero",
        TrapCode::BAD_CONVERSION_TO_INTEGER => "invalid conversion to integer",
        TRAP_HEAP_MISALIGNED => "misaligned memory access",
        TRAP_TABLE_OUT_OF_BOUNDS => "out of bounds table access",
        TRAP_INDIRECT_CALL_TO_NULL => "uninitialized element",
        TRAP_BAD_SIGNATURE => "indirect call type mismatch",
        TRAP_UNREACHABLE => "unreachable",
        TRAP_INTERRUPT => "interrupted",
        TRAP_OUT_OF_FUEL => "all fuel consumed by WebAssembly",
        TRAP_NULL_REFERENCE => "null reference",
        TRAP_NULL_FUNC_REFERENCE => "null function reference",
        TRAP_UNDEFINED_ELEMENT => "undefined element",
        TRAP_EXCEPTION => "uncaught wasm exception",
        TRAP_NULL_EXCEPTION => "null exception reference",
        TRAP_EXN_LIMIT => "too many live exception objects",
        _ => "host function trapped",
    }
}

/// Why a call into wasm did not return normally.
pub struct TrapInfo {
    pub code: TrapCode,
    /// Return addresses (the trapping pc first) of the wasm frames.
    pub pcs: Vec<usize>,
    /// The host function's error for `TRAP_HOST`.
    pub host: Option<Box<dyn Any + Send>>,
    /// The exception object for `TRAP_EXCEPTION` (owned by the store).
    pub exn: *mut super::vmcontext::VMExn,
}

/// Calls `funcref`'s array-call code on `values` with the store context
/// `ctx`; returns false when it trapped (see `take_trap`).
///
/// # Safety
/// `funcref` must be a live funcref whose code expects `ctx`, `values` must
/// hold enough slots for its parameters and results, and `ctx` must be
/// valid and not otherwise used during the call except by host functions.
/// `init` must have run.
#[inline(always)]
pub unsafe fn enter(
    ctx: *mut VMStoreContext,
    funcref: *const VMFuncRef,
    values: *mut ValRaw,
) -> bool {
    craneway_call(funcref, values, ctx, None, std::ptr::null_mut()).is_null()
}

/// As `enter`, but returns NULL when the call returned and
/// `on_trap(ctx, arg)` when it trapped, so that a caller can return the
/// result as it is.
///
/// # Safety
/// As `enter`; `on_trap` must be safe to call with `ctx` and `arg`.
#[inline(always)]
pub unsafe fn enter_or(
    ctx: *mut VMStoreContext,
    funcref: *const VMFuncRef,
    values: *mut ValRaw,
    on_trap: OnTrap,
    arg: *mut u8,
) -> *mut u8 {
    craneway_call(funcref, values, ctx, Some(on_trap), arg)
}

/// The trap of the call through `ctx` that `enter` reported as trapped.
#[cold]
pub fn take_trap(ctx: &mut VMStoreContext) -> Box<TrapInfo> {
    let t = &ctx.trap;
    Box::new(TrapInfo {
        code: t.code.unwrap_or(TRAP_UNREACHABLE),
        pcs: t.trace[..t.trace_len.min(MAX_FRAMES)].to_vec(),
        host: ctx.host_trap.take(),
        exn: std::mem::replace(&mut ctx.pending_exn, std::ptr::null_mut()),
    })
}

/// Records a host function's failure in its store's context, to be
/// returned once the trampoline's trap has reached the entry.
pub fn set_host_trap(ctx: &mut VMStoreContext, payload: Box<dyn Any + Send>) {
    ctx.host_trap = Some(payload);
}

// ---------------------------------------------------------------- signals

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];
static mut PREVIOUS: [MaybeUninit<libc::sigaction>; 4] = [MaybeUninit::uninit(); 4];
static INSTALL: Once = Once::new();

/// Installs the trap handlers once per process.
pub fn init() {
    INSTALL.call_once(|| {
        for (i, &sig) in SIGNALS.iter().enumerate() {
            // SAFETY: a zeroed sigaction is valid; we fill in our handler and
            // keep the previous one (written once, here, before any use).
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = handle_signal as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut sa.sa_mask);
                let prev = std::ptr::addr_of_mut!(PREVIOUS[i]);
                if libc::sigaction(sig, &sa, (*prev).as_mut_ptr()) != 0 {
                    panic!("failed to install the handler for signal {sig}");
                }
            }
        }
    });
}

/// The callee-saved registers wasm code may change (rbx, r12-r15, by
/// their machine encoding), which the trap handler restores.
pub const CALLEE_SAVED: [u8; 5] = [3, 12, 13, 14, 15];

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
const CALLEE_SAVED_GREGS: [libc::c_int; 5] = [
    libc::REG_RBX,
    libc::REG_R12,
    libc::REG_R13,
    libc::REG_R14,
    libc::REG_R15,
];

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
unsafe fn registers(ctx: *mut libc::c_void) -> (usize, usize, usize) {
    let uc = &*(ctx as *const libc::ucontext_t);
    let g = &uc.uc_mcontext.gregs;
    (
        g[libc::REG_RIP as usize] as usize,
        g[libc::REG_RBP as usize] as usize,
        g[libc::REG_RSP as usize] as usize,
    )
}

/// The interrupted values of the `CALLEE_SAVED` registers.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
unsafe fn callee_saved(ctx: *mut libc::c_void) -> [usize; 5] {
    let uc = &*(ctx as *const libc::ucontext_t);
    CALLEE_SAVED_GREGS.map(|r| uc.uc_mcontext.gregs[r as usize] as usize)
}

/// Makes the interrupted thread continue at `pc` with the given frame and
/// stack pointers and callee-saved registers when the handler returns.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
unsafe fn resume_at(ctx: *mut libc::c_void, pc: usize, fp: usize, sp: usize, saved: [usize; 5]) {
    let uc = &mut *(ctx as *mut libc::ucontext_t);
    let g = &mut uc.uc_mcontext.gregs;
    g[libc::REG_RIP as usize] = pc as i64;
    g[libc::REG_RBP as usize] = fp as i64;
    g[libc::REG_RSP as usize] = sp as i64;
    for (r, v) in CALLEE_SAVED_GREGS.iter().zip(saved) {
        g[*r as usize] = v as i64;
    }
}

unsafe extern "C" fn handle_signal(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    let (pc, fp, sp) = registers(ctx);
    let fault_addr = (*info).si_addr() as usize;
    let trap = with_code(pc, |start, code| {
        let offset = (pc - start) as u32;
        code.func_at(offset)?;
        Some(match code.trap_at(offset) {
            // The prologue's stack check jumps to its trap before the
            // function saved any register.
            Some(TrapCode::STACK_OVERFLOW) => (TrapCode::STACK_OVERFLOW, Where::StackCheck),
            Some(c) => (c, Where::Body),
            None if sig == libc::SIGFPE => (TrapCode::INTEGER_DIVISION_BY_ZERO, Where::Body),
            // A push or store into the guard page below the stack: the
            // prologue's saves may be under way.
            None if sig == libc::SIGSEGV && fault_addr.abs_diff(sp) < 1 << 20 => {
                (TrapCode::STACK_OVERFLOW, Where::Exact)
            }
            None if sig == libc::SIGSEGV || sig == libc::SIGBUS => {
                (TrapCode::HEAP_OUT_OF_BOUNDS, Where::Body)
            }
            None => return None,
        })
    })
    .flatten();
    if let Some((code, at)) = trap {
        let mut trace = [0usize; MAX_FRAMES];
        let mut saved = callee_saved(ctx);
        if let Some((n, stub, outer)) = unwind_to_entry(pc, at, fp, sp, &mut trace, &mut saved) {
            // The stub saved the store context on its stack (entry.rs).
            let store_ctx = *((stub.sp + STUB_CTX) as *const *mut VMStoreContext);
            let rec = std::ptr::addr_of_mut!((*store_ctx).trap);
            (*rec).code = Some(code);
            (*rec).trace = trace;
            (*rec).trace_len = n;
            let landing = if outer {
                std::ptr::addr_of!(craneway_call_trapped_outer)
            } else {
                std::ptr::addr_of!(craneway_call_trapped_nested)
            };
            resume_at(ctx, landing as usize, stub.fp, stub.sp, saved);
            return;
        }
    }
    chain(sig, info, ctx);
}

/// Where in its function a trap happened, which says which of the
/// function's register saves have been made.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Where {
    /// The prologue's stack check: the frame is made, nothing is saved.
    StackCheck,
    /// Past the prologue (any trap site of the body): everything is saved.
    /// Also right when the pc is imprecise (valgrind reports a block's
    /// start for a division fault).
    Body,
    /// At exactly this pc (a fault of a push or store): what the code
    /// before it did.
    Exact,
}

/// Applies to `saved` the register saves of the function containing `pc`
/// for its frame at `fp`: all of them, or with `upto`, those made by the
/// code before `pc`.
pub(super) unsafe fn restore_saves(
    pc: usize,
    fp: usize,
    upto: bool,
    saved: &mut [usize; 5],
) -> Option<()> {
    with_code(pc, |start, code| {
        let offset = (pc - start) as u32;
        let i = code.func_at(offset)?;
        let off = offset - code.funcs[i].0;
        for &(reg, from, down) in &code.frames.get(i)?.saves {
            if !upto || off >= from {
                let slot = CALLEE_SAVED.iter().position(|r| *r == reg)?;
                saved[slot] = *((fp - down as usize) as *const usize);
            }
        }
        Some(())
    })
    .flatten()
}

/// The offset of `pc` in its function, where that function's frame starts
/// being its own (`FrameSaves::frame_at`) and how far its prologue grows its
/// argument area (`FrameSaves::grown_args`).
fn frame_state(pc: usize) -> Option<(u32, u32, u32)> {
    with_code(pc, |start, code| {
        let offset = (pc - start) as u32;
        let i = code.func_at(offset)?;
        let frame = code.frames.get(i)?;
        Some((offset - code.funcs[i].0, frame.frame_at, frame.grown_args))
    })
    .flatten()
}

/// Where the entry stub resumes: its stack pointer during the call, and the
/// frame pointer of its caller.
pub(super) struct Stub {
    pub sp: usize,
    pub fp: usize,
}

/// Follows the frame-pointer chain from a trap in wasm code up to the entry
/// stub's frame, recording the pc of each wasm frame and giving the
/// callee-saved registers in `saved` the values they had when the stub
/// called into wasm (each function's saves, innermost first, so the
/// outermost save of a register wins). Returns the number of pcs recorded,
/// where the stub resumes and whether its call was the outermost one, or
/// None if the chain leaves wasm code before it reaches a stub (then the
/// fault is not ours).
pub(super) unsafe fn unwind_to_entry(
    pc: usize,
    at: Where,
    mut fp: usize,
    sp: usize,
    out: &mut [usize; MAX_FRAMES],
    saved: &mut [usize; 5],
) -> Option<(usize, Stub, bool)> {
    let outer_return = std::ptr::addr_of!(craneway_call_return_outer) as usize;
    let nested_return = std::ptr::addr_of!(craneway_call_return_nested) as usize;
    let stub =
        |ret: usize| (ret == outer_return || ret == nested_return).then_some(ret == outer_return);
    let in_code = |pc: usize| with_code(pc, |_, _| ()).is_some();
    out[0] = pc;
    let mut n = 1;
    let record = |out: &mut [usize; MAX_FRAMES], n: &mut usize, pc: usize| {
        if *n < MAX_FRAMES {
            out[*n] = pc;
            *n += 1;
        }
    };
    // The function whose frame `fp` is, and which of its saves to apply:
    // all (`Some(false)`), those before its pc (`Some(true)`), or none.
    let mut owner = pc;
    let mut saves = match at {
        Where::StackCheck => None,
        Where::Body => Some(false),
        Where::Exact => Some(true),
    };
    let (offset, frame_at, grown) = frame_state(pc)?;
    if at == Where::Exact && offset < frame_at {
        // Trapped in its prologue before making its frame (a stack
        // overflow at its first push, or where it grows its argument area
        // for a tail call, storing below the return address and pushed
        // frame pointer before it moves them down): nothing saved yet.
        // Before the push the return address is on top of the stack and
        // `fp` is the caller's frame; after it, the return address is
        // above the pushed frame pointer (the caller's frame), both
        // `grown` bytes higher than the stack pointer if the argument area
        // is growing.
        let at_ret = if offset == 0 {
            sp
        } else {
            let at_ret = sp + grown as usize + 8;
            fp = *((at_ret - 8) as *const usize);
            at_ret
        };
        let ret = *(at_ret as *const usize);
        if let Some(outer) = stub(ret) {
            // rbp is still the stub's caller's.
            return Some((n, Stub { sp: at_ret + 8, fp }, outer));
        }
        if !in_code(ret) {
            return None;
        }
        record(out, &mut n, ret - 1);
        owner = ret - 1;
        saves = Some(false);
    }
    loop {
        if fp < sp || !fp.is_multiple_of(8) {
            return None;
        }
        if let Some(upto) = saves {
            restore_saves(owner, fp, upto, saved)?;
        }
        let next_fp = *(fp as *const usize);
        let ret = *((fp + 8) as *const usize);
        if let Some(outer) = stub(ret) {
            // The frame the stub called saved the stub's caller's rbp.
            return Some((
                n,
                Stub {
                    sp: fp + 16,
                    fp: next_fp,
                },
                outer,
            ));
        }
        if !in_code(ret) || next_fp <= fp {
            return None;
        }
        record(out, &mut n, ret - 1);
        // A caller stopped at a call: all its saves are made.
        owner = ret - 1;
        saves = Some(false);
        fp = next_fp;
    }
}

unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let i = SIGNALS.iter().position(|&s| s == sig).unwrap_or(0);
    let prev = (*std::ptr::addr_of!(PREVIOUS[i])).assume_init_ref();
    if prev.sa_flags & libc::SA_SIGINFO != 0 {
        let f: unsafe extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            std::mem::transmute(prev.sa_sigaction);
        f(sig, info, ctx);
    } else if prev.sa_sigaction == libc::SIG_DFL || prev.sa_sigaction == libc::SIG_IGN {
        // Put the previous disposition back and return: the fault happens
        // again and gets the default treatment.
        libc::sigaction(sig, prev, std::ptr::null_mut());
    } else {
        let f: unsafe extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
        f(sig);
    }
}

// ------------------------------------------------------ alternate stacks

const ALT_STACK_SIZE: usize = 64 * 1024;

/// This thread's alternate signal stack, if we had to make one.
struct AltStack {
    base: *mut libc::c_void,
    len: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: disable the alternate stack before unmapping our mapping.
        unsafe {
            let ss = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: 0,
            };
            libc::sigaltstack(&ss, std::ptr::null_mut());
            libc::munmap(self.base, self.len);
        }
    }
}

thread_local! {
    static ALT_STACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
}

/// Called by the entry stub the first time a thread enters wasm: makes sure the
/// thread has an alternate signal stack big enough for our handler.
pub(super) extern "C" fn thread_init() {
    // SAFETY: querying and setting this thread's alternate stack; the new
    // stack is our own mapping, released when the thread exits.
    unsafe {
        let mut old: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(std::ptr::null(), &mut old) == 0
            && old.ss_flags & libc::SS_DISABLE == 0
            && old.ss_size >= ALT_STACK_SIZE
        {
            return;
        }
        let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
        let len = ALT_STACK_SIZE + page;
        let base = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if base == libc::MAP_FAILED {
            return;
        }
        // The lowest page is a guard.
        libc::mprotect(base, page, libc::PROT_NONE);
        let ss = libc::stack_t {
            ss_sp: (base as *mut u8).add(page).cast(),
            ss_flags: 0,
            ss_size: ALT_STACK_SIZE,
        };
        if libc::sigaltstack(&ss, std::ptr::null_mut()) != 0 {
            libc::munmap(base, len);
            return;
        }
        let _ = ALT_STACK.try_with(|s| *s.borrow_mut() = Some(AltStack { base, len }));
    }
}

/// Resolves a trap's pcs after the fact (outside the signal handler).
pub fn describe_pcs(pcs: &[usize]) -> Vec<(usize, u32, u32, u32)> {
    // (code start, func index, code offset in func, wasm offset)
    pcs.iter()
        .filter_map(|&pc| {
            with_code(pc, |start, code| {
                let off = (pc - start) as u32;
                let i = code.func_at(off)?;
                let (fstart, _, index) = code.funcs[i];
                if index == u32::MAX {
                    return None;
                }
                let locs = &code.srclocs[i];
                let j = locs.partition_point(|l| l.0 <= off - fstart);
                let wasm_off = if j == 0 { 0 } else { locs[j - 1].1 };
                Some((start, index, off - fstart, wasm_off))
            })
            .flatten()
        })
        .collect()
}
