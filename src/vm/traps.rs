//! Entering wasm and coming back from a trap.
//!
//! Every host->wasm call goes through `enter`, which runs the array-call
//! trampoline under `craneway_enter` (src/vm/entry.c, a `setjmp` point). A
//! fault in wasm code (SIGSEGV/SIGBUS in a guard region, SIGILL from a `ud2`
//! trap, SIGFPE from a division) reaches `handle_signal`, which checks that
//! the faulting pc is a registered trap site, records the trap code and a
//! frame-pointer backtrace in the innermost `Activation`, and jumps back to
//! its entry. Faults that are not ours go to the handler that was installed
//! before us. Between the entry and the wasm frames there are only
//! trampolines and C frames with nothing to drop, so the jump skips no
//! destructors.

use super::code_memory::with_code;
use super::vmcontext::ValRaw;
use cranelift_codegen::ir::TrapCode;
use std::any::Any;
use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::sync::Once;

/// Trap code of the wasm->host trampoline when a host function failed.
pub const TRAP_HOST: TrapCode = TrapCode::User(0);
/// Trap code of `call_indirect` with an index past the end of the table.
pub const TRAP_UNDEFINED_ELEMENT: TrapCode = TrapCode::User(1);

/// The spec's message for a trap code.
pub fn trap_message(code: TrapCode) -> &'static str {
    match code {
        TrapCode::StackOverflow => "call stack exhausted",
        TrapCode::HeapOutOfBounds => "out of bounds memory access",
        TrapCode::HeapMisaligned => "misaligned memory access",
        TrapCode::TableOutOfBounds => "out of bounds table access",
        TrapCode::IndirectCallToNull => "uninitialized element",
        TrapCode::BadSignature => "indirect call type mismatch",
        TrapCode::IntegerOverflow => "integer overflow",
        TrapCode::IntegerDivisionByZero => "integer divide by zero",
        TrapCode::BadConversionToInteger => "invalid conversion to integer",
        TrapCode::UnreachableCodeReached => "unreachable",
        TrapCode::Interrupt => "interrupted",
        TrapCode::NullReference | TrapCode::NullI31Ref => "null reference",
        TRAP_UNDEFINED_ELEMENT => "undefined element",
        TrapCode::User(_) => "host function trapped",
    }
}

/// Most frames a backtrace records.
pub const MAX_FRAMES: usize = 64;

/// One host->wasm entry, on the entering thread's stack. The first two
/// fields are shared with entry.c.
///
/// Entering wasm initialises only the few words it must: the trace buffer
/// (last, so nothing forces it to be cleared) is written by the signal
/// handler alone.
#[repr(C)]
pub struct Activation {
    jmp_buf: MaybeUninit<[usize; 5]>,
    prev: *mut Activation,
    trap_code: Option<TrapCode>,
    trace_len: usize,
    /// A host function's failure, waiting to be returned by `enter`.
    pub host_trap: Option<Box<dyn Any + Send>>,
    trace: MaybeUninit<[usize; MAX_FRAMES]>,
}

// entry.c reads only the leading `jmp_buf` and `prev` fields of an
// Activation, which are C-compatible; the rest is opaque to it.
#[allow(improper_ctypes)]
extern "C" {
    fn craneway_enter(
        tramp: *const u8,
        callee: *const u8,
        callee_vmctx: *mut u8,
        caller_vmctx: *mut u8,
        values: *mut ValRaw,
        act: *mut Activation,
        thread_init: extern "C" fn(),
    ) -> i32;
    fn craneway_unwind(act: *mut Activation) -> !;
    fn craneway_current_activation() -> *mut Activation;
}

/// Why a call into wasm did not return normally.
pub struct TrapInfo {
    pub code: TrapCode,
    /// Return addresses (the trapping pc first) of the wasm frames.
    pub pcs: Vec<usize>,
    /// The host function's error for `TRAP_HOST`.
    pub host: Option<Box<dyn Any + Send>>,
}

/// Calls `array_call(callee, callee_vmctx, caller_vmctx, values)`.
///
/// # Safety
/// `array_call` must be an array-call trampoline matching `callee`'s
/// signature, `values` must hold enough slots for its parameters and results,
/// and the vmctx pointers must be what the code expects; the caller must have
/// set up the store's stack limit.
#[inline]
pub unsafe fn enter(
    array_call: *const u8,
    callee: *const u8,
    callee_vmctx: *mut u8,
    caller_vmctx: *mut u8,
    values: *mut ValRaw,
) -> Result<(), Box<TrapInfo>> {
    let mut act = Activation {
        jmp_buf: MaybeUninit::uninit(),
        prev: std::ptr::null_mut(),
        trap_code: None,
        trace_len: 0,
        trace: MaybeUninit::uninit(),
        host_trap: None,
    };
    if craneway_enter(
        array_call,
        callee,
        callee_vmctx,
        caller_vmctx,
        values,
        &mut act,
        thread_init,
    ) != 0
    {
        return Ok(());
    }
    Err(act.take_trap())
}

impl Activation {
    #[cold]
    fn take_trap(&mut self) -> Box<TrapInfo> {
        // SAFETY: the handler initialised the first trace_len entries.
        let pcs = unsafe { self.trace.assume_init_ref()[..self.trace_len].to_vec() };
        Box::new(TrapInfo {
            code: self.trap_code.unwrap_or(TrapCode::UnreachableCodeReached),
            pcs,
            host: self.host_trap.take(),
        })
    }
}

/// Records a host function's failure in the innermost activation, to be
/// returned once the trampoline's trap has unwound to the entry. Returns
/// false when no wasm is running on this thread.
pub fn set_host_trap(payload: Box<dyn Any + Send>) -> bool {
    // SAFETY: the pointer is this thread's innermost live activation or null.
    let act = unsafe { craneway_current_activation() };
    if act.is_null() {
        return false;
    }
    // SAFETY: the activation lives in `enter`'s frame further up this stack.
    unsafe { (*act).host_trap = Some(payload) };
    true
}

/// The stack pointer, roughly (the address of a local).
#[inline(always)]
pub fn approximate_sp() -> usize {
    let x = 0u8;
    std::hint::black_box(&x) as *const u8 as usize
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

unsafe extern "C" fn handle_signal(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut libc::c_void,
) {
    let act = craneway_current_activation();
    if !act.is_null() {
        let (pc, fp, sp) = registers(ctx);
        let fault_addr = (*info).si_addr() as usize;
        let code = with_code(pc, |start, code| {
            let offset = (pc - start) as u32;
            code.func_at(offset)?;
            Some(match code.trap_at(offset) {
                Some(c) => c,
                None if sig == libc::SIGFPE => TrapCode::IntegerDivisionByZero,
                None if sig == libc::SIGSEGV && fault_addr.abs_diff(sp) < 1 << 20 => {
                    TrapCode::StackOverflow
                }
                None if sig == libc::SIGSEGV || sig == libc::SIGBUS => TrapCode::HeapOutOfBounds,
                None => return None,
            })
        })
        .flatten();
        if let Some(code) = code {
            let a = &mut *act;
            a.trap_code = Some(code);
            a.trace_len = walk_frames(pc, fp, sp, act as usize, a.trace.as_mut_ptr().cast());
            craneway_unwind(act);
        }
    }
    chain(sig, info, ctx);
}

/// Follows the frame-pointer chain from a trap, recording the pc of each
/// wasm frame. Only frames between the trapping stack pointer and the
/// activation (which sits above every frame it entered) are read.
unsafe fn walk_frames(pc: usize, mut fp: usize, sp: usize, top: usize, out: *mut usize) -> usize {
    let mut n = 0;
    let in_code = |pc: usize| with_code(pc, |_, _| ()).is_some();
    let mut pc = pc;
    loop {
        if in_code(pc) && n < MAX_FRAMES {
            *out.add(n) = pc;
            n += 1;
        }
        if n >= MAX_FRAMES || fp < sp || fp >= top || !fp.is_multiple_of(8) {
            break;
        }
        let next_fp = *(fp as *const usize);
        let ret = *((fp + 8) as *const usize);
        if !in_code(ret) {
            break;
        }
        pc = ret - 1;
        if next_fp <= fp {
            break;
        }
        fp = next_fp;
    }
    n
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

/// Called by entry.c the first time a thread enters wasm: makes sure the
/// thread has an alternate signal stack big enough for our handler.
extern "C" fn thread_init() {
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
