/* hello: the smallest round trip. A wasm export calls back into a host
 * function, which prints a greeting.
 *
 * Shows: engine, store, compiling WAT, a host function as an import,
 * instantiating, finding an export and calling it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (func $hello (import \"\" \"hello\"))\n"
    "  (func (export \"run\") (call $hello)))\n";

/* Prints the message and exits: examples stop at the first failure. */
static void fail(const char *what) {
  fprintf(stderr, "> Error: %s\n", what);
  exit(1);
}

/* Converts `text` to a binary module and compiles it in `store`. */
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

static wasm_trap_t *hello_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
  printf("Calling back...\n");
  printf("> Hello World!\n");
  return NULL;
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");

  printf("Compiling module...\n");
  wasm_module_t *module = compile_wat(store, wat);

  printf("Creating callback...\n");
  wasm_functype_t *hello_type = wasm_functype_new_0_0();
  if (!hello_type) fail("creating function type");
  wasm_func_t *hello_func = wasm_func_new(store, hello_type, hello_callback);
  if (!hello_func) fail("creating callback");
  wasm_functype_delete(hello_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(hello_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  if (!instance) fail("instantiating module");
  wasm_func_delete(hello_func);

  printf("Extracting export...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 1) fail("expected one export");
  const wasm_func_t *run_func = wasm_extern_as_func_const(exports.data[0]);
  if (!run_func) fail("export 0 is not a function");

  wasm_module_delete(module);
  wasm_instance_delete(instance);

  printf("Calling export...\n");
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  trap = wasm_func_call(run_func, &args, &results);
  if (trap) {
    wasm_trap_delete(trap);
    fail("calling export");
  }
  wasm_extern_vec_delete(&exports);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
