/* Host -> wasm entry, and where a trap comes back to.
 *
 * craneway_call(funcref, values, store_ctx) is the one way into wasm. It
 * saves the callee-saved registers, records the store context, the store's
 * previous stack limit and the funcref in its own frame, sets the stack
 * limit if no wasm of this store is running yet, and calls the funcref's
 * array-call trampoline. It returns NULL when the call returned, and the
 * store context when it trapped.
 *
 * There is no setjmp: the signal handler (src/vm/traps.rs) walks the frame
 * pointers from the trapping wasm frame up to the frame whose return
 * address is craneway_call_return, which is this stub's, records the trap
 * in the store context, and resumes at craneway_call_trapped with this
 * frame's rbp and rsp. Only memory is trusted there; the saved registers
 * are restored from the stack like on the normal way out.
 *
 * Frame (rbp-relative; the offsets are shared with traps.rs):
 *    -8 .. -40  rbx, r12, r13, r14, r15
 *   -48         store context
 *   -56         the store's stack limit before this call
 *   -64         funcref
 * rsp is rbp-64 (16-byte aligned) at the call.
 *
 * The stack limit, the maximum wasm stack and the funcref fields are read at
 * the offsets asserted in src/vm/vmcontext.rs. The first call on a thread
 * runs craneway_thread_init_fn (the thread's alternate signal stack). */

/* Internal to the library: hidden, so calls from Rust are direct and
 * nothing here is exported. */
#define INTERNAL __attribute__((visibility("hidden")))

/* Set to 1 once this thread ran craneway_thread_init_fn. Initial-exec, so
 * the check costs one load from the shared library too. */
INTERNAL __thread char craneway_thread_ready
    __attribute__((tls_model("initial-exec")));

/* Set by the runtime before any call (vm::traps::init). */
INTERNAL void (*craneway_thread_init_fn)(void);

__asm__(
    "    .text\n"
    "    .p2align 4\n"
    "    .globl craneway_call\n"
    "    .hidden craneway_call\n"
    "    .type craneway_call, @function\n"
    "craneway_call:\n"
    "    .cfi_startproc\n"
    "    push %rbp\n"
    "    .cfi_def_cfa_offset 16\n"
    "    .cfi_offset %rbp, -16\n"
    "    mov %rsp, %rbp\n"
    "    .cfi_def_cfa_register %rbp\n"
    "    push %rbx\n"
    "    push %r12\n"
    "    push %r13\n"
    "    push %r14\n"
    "    push %r15\n"
    "    .cfi_offset %rbx, -24\n"
    "    .cfi_offset %r12, -32\n"
    "    .cfi_offset %r13, -40\n"
    "    .cfi_offset %r14, -48\n"
    "    .cfi_offset %r15, -56\n"
    "    push %rdx\n"                       /* store context */
    "    mov (%rdx), %rax\n"                /* its stack limit */
    "    push %rax\n"
    "    push %rdi\n"                       /* funcref */
    "    movq craneway_thread_ready@gottpoff(%rip), %r8\n"
    "    cmpb $0, %fs:(%r8)\n"
    "    je 3f\n"
    "1:  test %rax, %rax\n"                 /* outermost call of this store? */
    "    jne 2f\n"
    "    mov %rsp, %rax\n"
    "    sub 24(%rdx), %rax\n"              /* sp - max wasm stack */
    "    jae 4f\n"
    "    xor %eax, %eax\n"
    "4:  mov %rax, (%rdx)\n"
    "2:  mov %rsi, %rcx\n"                  /* values */
    "    mov 16(%rdi), %rsi\n"              /* callee vmctx */
    "    xor %edx, %edx\n"                  /* no caller vmctx */
    "    mov 8(%rdi), %rax\n"               /* array-call trampoline */
    "    mov (%rdi), %rdi\n"                /* wasm-call code */
    "    call *%rax\n"
    "    .globl craneway_call_return\n"
    "    .hidden craneway_call_return\n"
    "craneway_call_return:\n"
    "    xor %eax, %eax\n"
    "5:  mov -48(%rbp), %rdx\n"             /* restore the stack limit */
    "    mov -56(%rbp), %rcx\n"
    "    mov %rcx, (%rdx)\n"
    "    lea -40(%rbp), %rsp\n"
    "    pop %r15\n"
    "    pop %r14\n"
    "    pop %r13\n"
    "    pop %r12\n"
    "    pop %rbx\n"
    "    pop %rbp\n"
    "    .cfi_def_cfa %rsp, 8\n"
    "    ret\n"
    "    .cfi_def_cfa %rbp, 16\n"
    "    .globl craneway_call_trapped\n"
    "    .hidden craneway_call_trapped\n"
    "craneway_call_trapped:\n"
    "    mov -48(%rbp), %rax\n"             /* the trap is in the store context */
    "    jmp 5b\n"
    "3:  push %rsi\n"                       /* first call on this thread */
    "    push %rdx\n"
    "    call *craneway_thread_init_fn(%rip)\n"
    "    movq craneway_thread_ready@gottpoff(%rip), %r8\n"
    "    movb $1, %fs:(%r8)\n"
    "    pop %rdx\n"
    "    pop %rsi\n"
    "    mov -64(%rbp), %rdi\n"
    "    mov -56(%rbp), %rax\n"
    "    jmp 1b\n"
    "    .cfi_endproc\n"
    "    .size craneway_call, .-craneway_call\n");
