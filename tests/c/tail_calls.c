/* Tail calls (return_call, return_call_indirect) through host frames: wasm
 * calls a host function that calls back into wasm, which runs long
 * return_call chains (and traps at the end of one); and return_call whose
 * target is an imported host function, which still sees the instance that
 * made the call (craneway_caller_export). */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;

/* Each instance exports "id" (its number), "chain" (n, acc) -> acc + n by
 * n return_calls alternating a direct and an indirect one, "trap_chain"
 * (n) which traps in $end after n return_calls, and "run" (n), which calls
 * the host function "reenter" normally and "tail_host" (n), which
 * return_calls it: both answer what the host returned plus 1 (tail_host
 * only what the host returned). "tail_who" return_calls the imported host
 * function "who". */
static const char* const WAT_FMT =
    "(module"
    "  (import \"\" \"reenter\" (func $reenter (param i32) (result i32)))"
    "  (import \"\" \"who\" (func $who (param i32) (result i32)))"
    "  (type $t (func (param i32 i32) (result i32)))"
    "  (table 1 funcref)"
    "  (elem (i32.const 0) $odd)"
    "  (global (export \"id\") i32 (i32.const %d))"
    "  (func $even (param i32 i32) (result i32)"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))"
    "      (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))"
    "              (i32.add (local.get 1) (i32.const 1)) (i32.const 0)))))"
    "  (func $odd (param i32 i32) (result i32)"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))"
    "      (else (return_call $even (i32.sub (local.get 0) (i32.const 1))"
    "              (i32.add (local.get 1) (i32.const 1))))))"
    "  (func (export \"chain\") (param i32 i32) (result i32)"
    "    (return_call $even (local.get 0) (local.get 1)))"
    "  (func $end (param i32) (result i32) (unreachable))"
    "  (func $step (param i32) (result i32)"
    "    (if (result i32) (i32.eqz (local.get 0)) (then (return_call $end (i32.const 0)))"
    "      (else (return_call $step (i32.sub (local.get 0) (i32.const 1))))))"
    "  (func (export \"trap_chain\") (param i32) (result i32) (return_call $step (local.get 0)))"
    "  (func (export \"run\") (param i32) (result i32)"
    "    (i32.add (call $reenter (local.get 0)) (i32.const 1)))"
    "  (func (export \"tail_host\") (param i32) (result i32) (return_call $reenter (local.get 0)))"
    "  (func (export \"tail_who\") (param i32) (result i32) (return_call $who (local.get 0))))";

/* Export order: id, chain, trap_chain, run, tail_host, tail_who. */
enum { EX_ID, EX_CHAIN, EX_TRAP_CHAIN, EX_RUN, EX_TAIL_HOST, EX_TAIL_WHO, EX_COUNT };

/* What the host saw of the nested trap. */
struct reenter_log {
  int calls;
  int trapped;
  size_t trap_frames;
  uint32_t trap_func;
};

static int32_t caller_id(craneway_caller_t* caller) {
  wasm_extern_t* g = craneway_caller_export(caller, "id", 2);
  int32_t id = -1;
  if (g != NULL && wasm_extern_kind(g) == WASM_EXTERN_GLOBAL) {
    wasm_val_t v;
    wasm_global_get(wasm_extern_as_global(g), &v);
    id = v.of.i32;
  }
  wasm_extern_delete(g);
  return id;
}

/* (n) -> chain(n, 1000 * id) of the calling instance; with n < 0 calls
 * trap_chain(-n) instead and answers -1 after checking its trap. */
static wasm_trap_t* reenter_cb(void* env, craneway_caller_t* caller, wasm_val_raw_t* slots,
                               size_t len) {
  struct reenter_log* log = env;
  int32_t n = slots[0].i32;
  int32_t id = caller_id(caller);
  wasm_extern_t* e = craneway_caller_export(caller, n < 0 ? "trap_chain" : "chain",
                                            n < 0 ? 10 : 5);
  wasm_trap_t* trap;
  (void)len;
  log->calls++;
  if (e == NULL || wasm_extern_kind(e) != WASM_EXTERN_FUNC) {
    wasm_extern_delete(e);
    slots[0].i32 = -2;
    return NULL;
  }
  if (n < 0) {
    wasm_val_t args[1] = {WASM_I32_VAL(-n)}, results[1];
    wasm_val_vec_t a = {1, args}, r = {1, results};
    trap = wasm_func_call(wasm_extern_as_func(e), &a, &r);
    if (trap != NULL) {
      wasm_frame_vec_t frames;
      log->trapped++;
      wasm_trap_trace(trap, &frames);
      log->trap_frames = frames.size;
      log->trap_func = frames.size > 0 ? wasm_frame_func_index(frames.data[0]) : 0;
      wasm_frame_vec_delete(&frames);
      wasm_trap_delete(trap);
    }
    slots[0].i32 = -1;
  } else {
    wasm_val_t args[2] = {WASM_I32_VAL(n), WASM_I32_VAL(1000 * id)}, results[1];
    wasm_val_vec_t a = {2, args}, r = {1, results};
    trap = wasm_func_call(wasm_extern_as_func(e), &a, &r);
    if (trap != NULL) {
      wasm_extern_delete(e);
      return trap;
    }
    slots[0].i32 = results[0].of.i32;
  }
  wasm_extern_delete(e);
  return NULL;
}

/* (x) -> 100 * x + the calling instance's id. */
static wasm_trap_t* who_cb(void* env, craneway_caller_t* caller, wasm_val_raw_t* slots,
                           size_t len) {
  (void)env;
  (void)len;
  slots[0].i32 = 100 * slots[0].i32 + caller_id(caller);
  return NULL;
}

static void through_host_frames(void) {
  wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  struct reenter_log log;
  wasm_func_t* reenter = craneway_func_new_with_caller(store, ft, reenter_cb, &log, NULL);
  wasm_func_t* who = craneway_func_new_with_caller(store, ft, who_cb, NULL, NULL);
  wasm_extern_t* imports[2];
  wasm_module_t* modules[2] = {NULL, NULL};
  wasm_instance_t* instances[2] = {NULL, NULL};
  wasm_extern_vec_t exports[2];
  char wat[4096];
  int i;

  memset(&log, 0, sizeof log);
  CHECK(reenter != NULL && who != NULL);
  imports[0] = wasm_func_as_extern(reenter);
  imports[1] = wasm_func_as_extern(who);
  for (i = 0; i < 2; i++) {
    snprintf(wat, sizeof wat, WAT_FMT, i + 1);
    modules[i] = COMPILE(store, wat);
    instances[i] = INSTANTIATE(store, modules[i], imports, 2);
    if (instances[i] == NULL) goto out;
    wasm_instance_exports(instances[i], &exports[i]);
    CHECK_INT(exports[i].size, EX_COUNT);
  }
  for (i = 0; i < 2; i++) {
    int32_t id = i + 1;
    wasm_val_t a[1], r[1];
    wasm_val_t a2[2] = {WASM_I32_VAL(3000000), WASM_I32_VAL(5)};

    /* Directly: three million tail calls in the default 512 KiB stack. */
    CHECK_NO_TRAP(CALL(export_func(&exports[i], EX_CHAIN), a2, r));
    CHECK_INT(r[0].of.i32, 3000005);

    /* wasm -> host -> wasm tail-call chain, back through the host. */
    a[0] = (wasm_val_t)WASM_I32_VAL(1000000);
    CHECK_NO_TRAP(CALL(export_func(&exports[i], EX_RUN), a, r));
    CHECK_INT(r[0].of.i32, 1000 * id + 1000000 + 1);

    /* The same, the host function reached by a return_call. */
    a[0] = (wasm_val_t)WASM_I32_VAL(777);
    CHECK_NO_TRAP(CALL(export_func(&exports[i], EX_TAIL_HOST), a, r));
    CHECK_INT(r[0].of.i32, 1000 * id + 777);

    /* A trap at the end of a chain inside the host's call: caught there,
     * with one frame (every other one was replaced): $end, function 5. */
    log.trapped = 0;
    a[0] = (wasm_val_t)WASM_I32_VAL(-50000);
    CHECK_NO_TRAP(CALL(export_func(&exports[i], EX_RUN), a, r));
    CHECK_INT(r[0].of.i32, 0);
    CHECK_INT(log.trapped, 1);
    CHECK_INT(log.trap_frames, 1);
    CHECK_INT(log.trap_func, 5);

    /* A host function reached by return_call knows its calling instance. */
    a[0] = (wasm_val_t)WASM_I32_VAL(4);
    CHECK_NO_TRAP(CALL(export_func(&exports[i], EX_TAIL_WHO), a, r));
    CHECK_INT(r[0].of.i32, 400 + id);

    /* A trap after tail calls, straight to the host: message and frames. */
    {
      wasm_val_t ta[1] = {WASM_I32_VAL(1000)}, tr[1];
      wasm_val_vec_t av = {1, ta}, rv = {1, tr};
      wasm_trap_t* trap = wasm_func_call(export_func(&exports[i], EX_TRAP_CHAIN), &av, &rv);
      wasm_frame_vec_t frames;
      CHECK(trap != NULL);
      if (trap != NULL) {
        wasm_trap_trace(trap, &frames);
        CHECK_INT(frames.size, 1);
        if (frames.size == 1) CHECK_INT(wasm_frame_func_index(frames.data[0]), 5);
        wasm_frame_vec_delete(&frames);
      }
      CHECK_TRAP(trap, "unreachable");
    }
  }
  CHECK_INT(log.calls, 6);

out:
  for (i = 0; i < 2; i++) {
    if (instances[i] != NULL) wasm_extern_vec_delete(&exports[i]);
    wasm_instance_delete(instances[i]);
    wasm_module_delete(modules[i]);
  }
  wasm_func_delete(reenter);
  wasm_func_delete(who);
  wasm_functype_delete(ft);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  through_host_frames();
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("tail_calls");
}
