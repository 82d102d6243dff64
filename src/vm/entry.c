/* Host -> wasm entry and the way back out on a trap.
 *
 * This file owns exactly two things: the setjmp point every call into wasm
 * passes through, and the thread-local pointer to the innermost activation.
 * The thread-local uses the initial-exec model so reading it from the shared
 * library costs one load instead of a call to __tls_get_addr.
 *
 * Everything else (trap decoding, backtraces, stack limits) is Rust's. */
#include <stddef.h>

struct craneway_activation {
    void *jmp_buf[5];                   /* __builtin_setjmp buffer */
    struct craneway_activation *prev;  /* enclosing activation on this thread */
};

typedef void (*craneway_array_call_t)(void *callee, void *callee_vmctx,
                                      void *caller_vmctx, void *values);

static __thread struct craneway_activation *current
    __attribute__((tls_model("initial-exec")));
static __thread int thread_ready __attribute__((tls_model("initial-exec")));

/* Internal to the library: hidden, so calls from Rust are direct. */
#define INTERNAL __attribute__((visibility("hidden")))

/* Runs `tramp(callee, callee_vmctx, caller_vmctx, values)` with `act` as the
 * innermost activation, after `thread_init()` the first time this thread
 * enters. Returns 1 when the call returned normally and 0 when it was
 * unwound by craneway_unwind (a trap). */
INTERNAL int craneway_enter(craneway_array_call_t tramp, void *callee,
                            void *callee_vmctx, void *caller_vmctx, void *values,
                            struct craneway_activation *act,
                            void (*thread_init)(void)) {
    if (__builtin_expect(!thread_ready, 0)) {
        thread_init();
        thread_ready = 1;
    }
    /* After a longjmp only memory is trustworthy, so keep `act` in a
     * volatile stack slot for the return path. */
    struct craneway_activation *volatile saved = act;
    act->prev = current;
    if (__builtin_setjmp(act->jmp_buf)) {
        current = saved->prev;
        return 0;
    }
    current = act;
    tramp(callee, callee_vmctx, caller_vmctx, values);
    current = act->prev;
    return 1;
}

/* Jumps back to the craneway_enter that created `act`. Never returns. */
INTERNAL void craneway_unwind(struct craneway_activation *act) {
    __builtin_longjmp(act->jmp_buf, 1);
}

/* The innermost activation on this thread, or NULL outside wasm. */
INTERNAL struct craneway_activation *craneway_current_activation(void) {
    return current;
}
