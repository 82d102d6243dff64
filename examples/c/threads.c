/* threads: one module compiled once and run on several threads, each with
 * its own store.
 *
 * The engine is shared by all threads; the module crosses threads as a
 * wasm_shared_module_t (wasm_module_share) and each thread turns it back
 * into a module of its own store (wasm_module_obtain), instantiates it
 * with its own host function and global, and calls it several times. The
 * threads record what they saw and the main thread prints it, so the
 * output does not depend on scheduling. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (func $message (import \"\" \"hello\") (param i32))\n"
    "  (global $id (import \"\" \"id\") i32)\n"
    "  (func (export \"run\") (call $message (global.get $id))))\n";

enum { THREADS = 8, REPS = 3 };

/* What one thread did; written by that thread only, read after join. */
struct thread_state {
  int id;
  wasm_engine_t *engine;
  const wasm_shared_module_t *shared;
  int calls;          /* callback invocations */
  int wrong_ids;      /* callbacks that saw another thread's id */
  int finalized;      /* finalizer runs of the callback's environment */
  const char *error;  /* the first failure, or NULL */
};

static void fail(const char *what) {
  fprintf(stderr, "> Error: %s\n", what);
  exit(1);
}

static wasm_trap_t *hello_callback(void *env, const wasm_val_vec_t *args,
                                   wasm_val_vec_t *results) {
  (void)results;
  struct thread_state *state = env;
  state->calls++;
  if (args->data[0].kind != WASM_I32 || args->data[0].of.i32 != state->id) state->wrong_ids++;
  return NULL;
}

static void finalize_env(void *env) {
  struct thread_state *state = env;
  state->finalized++;
}

/* Runs the shared module in a store of this thread. Failures are recorded
 * in the state, not fatal: the main thread reports them. */
static void *run_thread(void *arg) {
  struct thread_state *state = arg;
  wasm_store_t *store = wasm_store_new(state->engine);
  if (!store) {
    state->error = "creating store";
    return NULL;
  }
  wasm_module_t *module = wasm_module_obtain(store, state->shared);
  wasm_functype_t *hello_type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_globaltype_t *id_type = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_func_t *hello = NULL;
  wasm_global_t *id = NULL;
  wasm_instance_t *instance = NULL;
  wasm_extern_vec_t exports = WASM_EMPTY_VEC;
  if (!module) {
    state->error = "obtaining the shared module";
    goto done;
  }
  if (!hello_type || !id_type) {
    state->error = "creating types";
    goto done;
  }
  hello = wasm_func_new_with_env(store, hello_type, hello_callback, state, finalize_env);
  wasm_val_t id_value = WASM_I32_VAL(state->id);
  id = wasm_global_new(store, id_type, &id_value);
  if (!hello || !id) {
    state->error = "creating imports";
    goto done;
  }
  wasm_extern_t *externs[] = {wasm_func_as_extern(hello), wasm_global_as_extern(id)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) {
    state->error = "instantiating module";
    goto done;
  }
  wasm_instance_exports(instance, &exports);
  const wasm_func_t *run = exports.size == 1 ? wasm_extern_as_func_const(exports.data[0]) : NULL;
  if (!run) {
    state->error = "finding the export";
    goto done;
  }
  for (int i = 0; i < REPS; i++) {
    wasm_val_vec_t args = WASM_EMPTY_VEC;
    wasm_val_vec_t results = WASM_EMPTY_VEC;
    wasm_trap_t *trap = wasm_func_call(run, &args, &results);
    if (trap) {
      wasm_trap_delete(trap);
      state->error = "calling the export";
      goto done;
    }
  }

done:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_global_delete(id);
  wasm_func_delete(hello);
  wasm_globaltype_delete(id_type);
  wasm_functype_delete(hello_type);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");

  printf("Compiling module...\n");
  wasm_byte_vec_t binary;
  if (!craneway_wat2wasm(wat, strlen(wat), &binary)) {
    fprintf(stderr, "> Error: converting WAT: %s\n", binary.data);
    return 1;
  }
  wasm_module_t *module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) fail("compiling module");

  printf("Sharing module...\n");
  wasm_shared_module_t *shared = wasm_module_share(module);
  if (!shared) fail("sharing module");
  wasm_module_delete(module);
  wasm_store_delete(store);

  printf("Running %d threads...\n", THREADS);
  pthread_t threads[THREADS];
  struct thread_state states[THREADS];
  for (int i = 0; i < THREADS; i++) {
    states[i] = (struct thread_state){.id = i, .engine = engine, .shared = shared};
    if (pthread_create(&threads[i], NULL, run_thread, &states[i]) != 0)
      fail("creating thread");
  }
  for (int i = 0; i < THREADS; i++) {
    if (pthread_join(threads[i], NULL) != 0) fail("joining thread");
  }

  printf("Printing results...\n");
  int failures = 0;
  for (int i = 0; i < THREADS; i++) {
    const struct thread_state *s = &states[i];
    if (s->error) {
      printf("> thread %d: error: %s\n", i, s->error);
      failures++;
      continue;
    }
    printf("> thread %d: %d calls, %d with another thread's id, environment finalized %d time(s)\n",
           i, s->calls, s->wrong_ids, s->finalized);
    if (s->calls != REPS || s->wrong_ids != 0 || s->finalized != 1) failures++;
  }

  printf("Shutting down...\n");
  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  if (failures) fail("some threads did not run as expected");

  printf("Done.\n");
  return 0;
}
