/* finalize: host info with finalizers on many objects, and when the
 * finalizers run.
 *
 * Objects of a store (instances, functions, foreign objects, ...) live as
 * long as the store: their finalizers run once the store and the last
 * handle to any of its objects are deleted. A module belongs to no store;
 * its finalizer runs when its last reference goes. Every finalizer must
 * run exactly once, with the data it was registered with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (func (export \"f\"))\n"
    "  (func (export \"g\"))\n"
    "  (func (export \"h\")))\n";

enum { STORES = 3, OBJECTS = 100 };

/* One counter per object with host info; the finalizer increments the
 * counter its data points to. */
static int instance_counts[STORES][OBJECTS];
static int foreign_counts[STORES][OBJECTS];
static int env_counts[STORES];
static int module_counts[STORES];
static int finalized = 0;

static void finalize(void *data) {
  ++*(int *)data;
  ++finalized;
}

static void fail(const char *what) {
  fprintf(stderr, "> Error: %s\n", what);
  exit(1);
}

static wasm_module_t *compile_wat(wasm_store_t *store, const char *text) {
  wasm_byte_vec_t binary;
  if (!craneway_wat2wasm(text, strlen(text), &binary)) {
    fprintf(stderr, "> Error: converting WAT: %s\n", binary.data);
    exit(1);
  }
  wasm_message_t error;
  wasm_module_t *module = craneway_module_new_with_error(store, &binary, &error);
  wasm_byte_vec_delete(&binary);
  if (!module) {
    fprintf(stderr, "> Error: compiling module: %s\n", error.data);
    exit(1);
  }
  wasm_byte_vec_delete(&error);
  return module;
}

static wasm_trap_t *nop_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)env;
  (void)args;
  (void)results;
  return NULL;
}

/* Creates the store's objects, each with host info and a finalizer, and
 * deletes every handle to them. Returns a foreign object still alive if
 * `keep_one` is set. */
static wasm_foreign_t *populate(wasm_store_t *store, int s, bool keep_one) {
  wasm_module_t *module = compile_wat(store, wat);
  wasm_module_set_host_info_with_finalizer(module, &module_counts[s], finalize);

  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  for (int i = 0; i < OBJECTS; i++) {
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
    if (!instance) fail("instantiating module");
    wasm_instance_set_host_info_with_finalizer(instance, &instance_counts[s][i], finalize);
    if (wasm_instance_get_host_info(instance) != &instance_counts[s][i]) fail("host info lost");
    wasm_instance_delete(instance);
  }

  wasm_foreign_t *kept = NULL;
  for (int i = 0; i < OBJECTS; i++) {
    wasm_foreign_t *foreign = wasm_foreign_new(store);
    if (!foreign) fail("creating foreign object");
    wasm_foreign_set_host_info_with_finalizer(foreign, &foreign_counts[s][i], finalize);
    if (keep_one && i == OBJECTS - 1)
      kept = foreign;
    else
      wasm_foreign_delete(foreign);
  }

  wasm_functype_t *type = wasm_functype_new_0_0();
  if (!type) fail("creating function type");
  wasm_func_t *func = wasm_func_new_with_env(store, type, nop_callback, &env_counts[s], finalize);
  if (!func) fail("creating host function");
  wasm_functype_delete(type);
  wasm_func_delete(func);

  printf("> finalized before deleting the module: %d\n", finalized);
  wasm_module_delete(module);
  printf("> finalized after deleting the module: %d\n", finalized);
  return kept;
}

/* Checks that every object of store `s` was finalized exactly once. */
static void check_store(int s) {
  int total = env_counts[s] + module_counts[s];
  for (int i = 0; i < OBJECTS; i++) {
    if (instance_counts[s][i] != 1 || foreign_counts[s][i] != 1)
      fail("an object was not finalized exactly once");
    total += instance_counts[s][i] + foreign_counts[s][i];
  }
  if (env_counts[s] != 1 || module_counts[s] != 1)
    fail("the module or the host function environment was not finalized exactly once");
  printf("> store %d: %d finalizers ran, each once\n", s + 1, total);
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");

  for (int s = 0; s < 2; s++) {
    printf("Live objects in store %d...\n", s + 1);
    wasm_store_t *store = wasm_store_new(engine);
    if (!store) fail("creating store");
    finalized = 0;
    populate(store, s, false);
    printf("Deleting store %d...\n", s + 1);
    wasm_store_delete(store);
    printf("> finalized after deleting the store: %d\n", finalized);
    check_store(s);
  }

  int s = 2;
  printf("Live objects in store %d, one foreign object kept...\n", s + 1);
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");
  finalized = 0;
  wasm_foreign_t *kept = populate(store, s, true);
  printf("Deleting store %d...\n", s + 1);
  wasm_store_delete(store);
  printf("> finalized after deleting the store: %d\n", finalized);
  if (wasm_foreign_get_host_info(kept) != &foreign_counts[s][OBJECTS - 1])
    fail("the kept object lost its host info");
  printf("Deleting the kept foreign object...\n");
  wasm_foreign_delete(kept);
  printf("> finalized after deleting it: %d\n", finalized);
  check_store(s);

  printf("Module copies share host info...\n");
  store = wasm_store_new(engine);
  if (!store) fail("creating store");
  static int shared_count = 0;
  finalized = 0;
  wasm_module_t *module = compile_wat(store, wat);
  wasm_module_t *copy = wasm_module_copy(module);
  if (!copy) fail("copying module");
  wasm_module_set_host_info_with_finalizer(copy, &shared_count, finalize);
  printf("> host info through the original: %s\n",
         wasm_module_get_host_info(module) == &shared_count ? "same" : "different");
  wasm_module_delete(module);
  printf("> finalized after deleting the original: %d\n", finalized);
  wasm_module_delete(copy);
  printf("> finalized after deleting the copy: %d\n", finalized);
  if (shared_count != 1) fail("the module's finalizer did not run once");
  wasm_store_delete(store);

  printf("Shutting down...\n");
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
