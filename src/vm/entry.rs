//! The host -> wasm entry stub, and where a trap comes back to.
//!
//! `craneway_call(funcref, values, store_ctx, on_trap, on_trap_arg)` is the
//! one way into wasm. It keeps the store context and the trap arguments on
//! its stack and calls the funcref's array-call code as
//! `array_call(callee_vmctx, NULL, values, wasm_call)`. The outermost call
//! into a store (its stack limit is 0) first sets the limit to the stack
//! pointer less the store's maximum wasm stack, and puts 0 back after; a
//! nested call leaves it alone. The two kinds of call go through two call
//! sites, so neither needs to remember which it was. The stub returns NULL
//! when the call returned. When it trapped, it returns `on_trap(store_ctx,
//! on_trap_arg)` (the trap is in `store_ctx.trap`), or `store_ctx` when
//! `on_trap` is NULL. So a C entry point can jump to it and return its
//! result as it is.
//!
//! There is no `setjmp`, the stub saves no registers and makes no frame of
//! its own: the code it calls keeps the callee-saved registers and rbp, as
//! the C convention wants. On a trap the signal handler (`traps.rs`) walks
//! the frame pointers from the trapping wasm frame up to the frame whose
//! return address is one of the stub's (`craneway_call_return_outer` /
//! `_nested`), takes the callee-saved registers back from where the
//! prologues of the frames in between saved them (their unwind
//! information) and rbp from the outermost of them, records the trap in the
//! store context, and resumes at the matching `craneway_call_trapped_outer`
//! / `_nested` with the stub's stack pointer.
//!
//! The stub's stack at the call (`STUB_CTX` below, used by the handler):
//! ```text
//!   +24  return address
//!   +16  store context
//!    +8  on_trap
//!    +0  on_trap_arg    <- rsp (16-byte aligned)
//! ```
//! The store context and funcref fields are read at the offsets asserted in
//! `vmcontext.rs`. The first call on a thread runs `thread_init` (its
//! alternate signal stack); a one-byte initial-exec thread-local says
//! whether it ran, so the check is one load even in the shared library.

use super::vmcontext::{VMFuncRef, VMStoreContext, ValRaw};

/// Offset above the stub's stack pointer (during its call) of the saved
/// store context.
pub const STUB_CTX: usize = 16;

// The thread-local flag; local to the library (hidden).
std::arch::global_asm!(
    ".pushsection .tbss,\"awT\",@nobits",
    ".hidden craneway_thread_ready",
    ".type craneway_thread_ready, @object",
    "craneway_thread_ready:",
    ".zero 1",
    ".size craneway_thread_ready, 1",
    ".popsection",
);

extern "C" {
    /// The stub's return addresses from the outermost and nested calls.
    pub static craneway_call_return_outer: u8;
    pub static craneway_call_return_nested: u8;
    /// Where the stub resumes after a trap in either.
    pub static craneway_call_trapped_outer: u8;
    pub static craneway_call_trapped_nested: u8;
}

/// What a trapped call returns: `on_trap(store_ctx, on_trap_arg)`.
pub type OnTrap = unsafe extern "C" fn(*mut VMStoreContext, *mut u8) -> *mut u8;

// The stub. Its place in the cache lines is fixed here (32 bytes into a
// 64-byte line) rather than left to wherever the code around it ends:
// measured, the call's speed depends on it by up to a nanosecond.
std::arch::global_asm!(
    ".pushsection .text.craneway_call,\"ax\",@progbits",
    ".p2align 6",
    ".skip 32, 0xcc",
    ".globl craneway_call",
    ".hidden craneway_call",
    ".type craneway_call, @function",
    "craneway_call:",
        "push rdx",                     // store context
        "push rcx",                     // on_trap
        "push r8",                      // on_trap_arg
        "mov r8, qword ptr [rip + craneway_thread_ready@GOTTPOFF]",
        "cmp byte ptr fs:[r8], 0",
        "je 3f",
        "1:",
        "mov rcx, qword ptr [rdi]",     // wasm-call code
        "mov rax, qword ptr [rdi + 8]", // array-call code
        "cmp qword ptr [rdx], 0",       // outermost call into this store?
        "jne 2f",
        "mov r8, rsp",
        "sub r8, qword ptr [rdx + 24]", // sp - max wasm stack
        "jb 4f",
        "mov qword ptr [rdx], r8",
        "6:",
        "mov rdx, rsi",                 // values
        "xor esi, esi",                 // no caller vmctx
        "mov rdi, qword ptr [rdi + 16]", // callee vmctx
        "call rax",
        ".globl craneway_call_return_outer",
        ".hidden craneway_call_return_outer",
        "craneway_call_return_outer:",
        "mov rdx, qword ptr [rsp + 16]", // no wasm of this store runs now
        "mov qword ptr [rdx], 0",
        "xor eax, eax",
        "add rsp, 24",
        "ret",
        "2:",                           // nested: the limit stays
        "mov rdx, rsi",
        "xor esi, esi",
        "mov rdi, qword ptr [rdi + 16]",
        "call rax",
        ".globl craneway_call_return_nested",
        ".hidden craneway_call_return_nested",
        "craneway_call_return_nested:",
        "xor eax, eax",
        "add rsp, 24",
        "ret",
        "4:",                           // the stack is smaller than the budget
        "mov qword ptr [rdx], 1",
        "jmp 6b",
        // The handler resumes at one of these with rsp, rbp and the
        // callee-saved registers as they were at the call.
        ".globl craneway_call_trapped_outer",
        ".hidden craneway_call_trapped_outer",
        "craneway_call_trapped_outer:",
        "mov rdx, qword ptr [rsp + 16]",
        "mov qword ptr [rdx], 0",
        ".globl craneway_call_trapped_nested",
        ".hidden craneway_call_trapped_nested",
        "craneway_call_trapped_nested:",
        "mov rdi, qword ptr [rsp + 16]", // the trap is in the store context
        "mov rax, rdi",
        "mov rcx, qword ptr [rsp + 8]",
        "test rcx, rcx",
        "je 5f",
        "mov rsi, qword ptr [rsp]",
        "call rcx",
        "5:",
        "add rsp, 24",
        "ret",
        "3:",                           // first call on this thread
        "push rdi",
        "push rsi",
        "push rdx",
        "sub rsp, 8",
        "call {init}",
        "mov r8, qword ptr [rip + craneway_thread_ready@GOTTPOFF]",
        "mov byte ptr fs:[r8], 1",
        "add rsp, 8",
        "pop rdx",
        "pop rsi",
        "pop rdi",
        "jmp 1b",
    ".size craneway_call, . - craneway_call",
    ".popsection",
    init = sym super::traps::thread_init,
);

// The throw stub, called by compiled code in the `tail` convention with
// the exception object in rdi: `[rsp]` is the return address into the
// throwing code and rbp its frame pointer. It makes a frame (so the chain
// stays walkable), records in a `throw::ThrowRegs` on its stack the
// thrower's pc, sp and fp and the callee-saved registers, and lets
// `throw::craneway_throw_impl` find where the exception goes: a handler
// (then rax = the object, and rbx and r12-r15 hold the values the catching
// frame had at its call, which a `try_call` in the System V convention
// relies on) or the entry stub's trap landing (then rbx and r12-r15 hold
// the values the unwinder restored). It never returns.
std::arch::global_asm!(
    ".pushsection .text.craneway_throw,\"ax\",@progbits",
    ".p2align 4",
    ".globl craneway_throw",
    ".hidden craneway_throw",
    ".type craneway_throw, @function",
    "craneway_throw:",
        "push rbp",
        "mov rbp, rsp",
        "sub rsp, 80",
        "mov rax, qword ptr [rbp + 8]",
        "mov qword ptr [rsp], rax",       // pc
        "lea rax, [rbp + 16]",
        "mov qword ptr [rsp + 8], rax",   // sp
        "mov rax, qword ptr [rbp]",
        "mov qword ptr [rsp + 16], rax",  // fp
        "mov qword ptr [rsp + 24], rdi",  // payload
        "mov qword ptr [rsp + 32], rbx",
        "mov qword ptr [rsp + 40], r12",
        "mov qword ptr [rsp + 48], r13",
        "mov qword ptr [rsp + 56], r14",
        "mov qword ptr [rsp + 64], r15",
        "mov rsi, rsp",
        "call {imp}",
        "mov rbx, qword ptr [rsp + 32]",
        "mov r12, qword ptr [rsp + 40]",
        "mov r13, qword ptr [rsp + 48]",
        "mov r14, qword ptr [rsp + 56]",
        "mov r15, qword ptr [rsp + 64]",
        "mov rax, qword ptr [rsp + 24]",
        "xor edx, edx",
        "mov rcx, qword ptr [rsp]",
        "mov rbp, qword ptr [rsp + 16]",
        "mov rsp, qword ptr [rsp + 8]",
        "jmp rcx",
    ".size craneway_throw, . - craneway_throw",
    ".popsection",
    imp = sym super::throw::craneway_throw_impl,
);

// The epoch deadline stub (`Builtin::EpochDeadline`), called by compiled
// code in Cranelift's `preserve_all` convention with the vmctx in rdi: it
// keeps every register but rax (its result), so the rare call at a loop
// header forces no value of the loop out of its register. It saves the
// other caller-saved registers and xmm0-xmm15, calls
// `libcalls::epoch_deadline(vmctx)` (which cannot unwind) and restores them.
std::arch::global_asm!(
    ".pushsection .text.craneway_epoch_deadline,\"ax\",@progbits",
    ".p2align 4",
    ".globl craneway_epoch_deadline",
    ".hidden craneway_epoch_deadline",
    ".type craneway_epoch_deadline, @function",
    "craneway_epoch_deadline:",
        "push rbp",
        "mov rbp, rsp",
        "push rcx",
        "push rdx",
        "push rsi",
        "push rdi",
        "push r8",
        "push r9",
        "push r10",
        "push r11",
        // rsp is 16-byte aligned here: 16 slots of 16 bytes for xmm0-15.
        "sub rsp, 256",
        "movdqu [rsp], xmm0",
        "movdqu [rsp + 16], xmm1",
        "movdqu [rsp + 32], xmm2",
        "movdqu [rsp + 48], xmm3",
        "movdqu [rsp + 64], xmm4",
        "movdqu [rsp + 80], xmm5",
        "movdqu [rsp + 96], xmm6",
        "movdqu [rsp + 112], xmm7",
        "movdqu [rsp + 128], xmm8",
        "movdqu [rsp + 144], xmm9",
        "movdqu [rsp + 160], xmm10",
        "movdqu [rsp + 176], xmm11",
        "movdqu [rsp + 192], xmm12",
        "movdqu [rsp + 208], xmm13",
        "movdqu [rsp + 224], xmm14",
        "movdqu [rsp + 240], xmm15",
        "call {imp}",
        "movdqu xmm0, [rsp]",
        "movdqu xmm1, [rsp + 16]",
        "movdqu xmm2, [rsp + 32]",
        "movdqu xmm3, [rsp + 48]",
        "movdqu xmm4, [rsp + 64]",
        "movdqu xmm5, [rsp + 80]",
        "movdqu xmm6, [rsp + 96]",
        "movdqu xmm7, [rsp + 112]",
        "movdqu xmm8, [rsp + 128]",
        "movdqu xmm9, [rsp + 144]",
        "movdqu xmm10, [rsp + 160]",
        "movdqu xmm11, [rsp + 176]",
        "movdqu xmm12, [rsp + 192]",
        "movdqu xmm13, [rsp + 208]",
        "movdqu xmm14, [rsp + 224]",
        "movdqu xmm15, [rsp + 240]",
        "add rsp, 256",
        "pop r11",
        "pop r10",
        "pop r9",
        "pop r8",
        "pop rdi",
        "pop rsi",
        "pop rdx",
        "pop rcx",
        "pop rbp",
        "ret",
    ".size craneway_epoch_deadline, . - craneway_epoch_deadline",
    ".popsection",
    imp = sym super::libcalls::epoch_deadline,
);

extern "C" {
    /// The epoch deadline stub (see above); in the builtin table only.
    pub fn craneway_epoch_deadline(vmctx: *mut u8) -> u32;

    /// The throw stub (see above). Declared as a C function only so that
    /// its address can go into the builtin table; never call it from Rust.
    pub fn craneway_throw();
}

// The stub reads only the leading words of the store context (offsets
// asserted in vmcontext.rs); the rest of it is opaque to it.
#[allow(improper_ctypes)]
extern "C" {
    /// Calls `funcref` on `values` with the store context `ctx`: NULL when
    /// it returned; when it trapped (the trap is in `ctx.trap`),
    /// `on_trap(ctx, on_trap_arg)`, or `ctx` if `on_trap` is None.
    ///
    /// # Safety
    /// `funcref` must be a live funcref whose code expects `ctx`, `values`
    /// must hold enough slots for its parameters and results, `ctx` must be
    /// valid, and `traps::init` must have run.
    pub fn craneway_call(
        funcref: *const VMFuncRef,
        values: *mut ValRaw,
        ctx: *mut VMStoreContext,
        on_trap: Option<OnTrap>,
        on_trap_arg: *mut u8,
    ) -> *mut u8;
}
