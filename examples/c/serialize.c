/* serialize: a compiled module written out as bytes and loaded back
 * without compiling again, then run; damaged bytes are refused.
 *
 * Shows: wasm_module_serialize, wasm_module_deserialize (in a fresh store
 * of the same engine), that the loaded module has the same imports and
 * exports and runs, and that truncated or corrupted bytes give NULL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (func $hello (import \"\" \"hello\") (param i32))\n"
    "  (func (export \"run\") (param i32) (result i32)\n"
    "    (call $hello (local.get 0))\n"
    "    (i32.mul (local.get 0) (i32.const 2))))\n";

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

static wasm_trap_t *hello_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)results;
  printf("Calling back...\n");
  printf("> Hello World, %d!\n", args->data[0].of.i32);
  return NULL;
}

/* Prints the module's imports and exports in one line each. */
static void print_interface(const wasm_module_t *module) {
  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  printf("> imports:");
  for (size_t i = 0; i < imports.size; i++) {
    const wasm_name_t *m = wasm_importtype_module(imports.data[i]);
    const wasm_name_t *n = wasm_importtype_name(imports.data[i]);
    if (!m || !n) fail("getting import names");
    printf(" \"%.*s\" \"%.*s\"", (int)m->size, m->data, (int)n->size, n->data);
  }
  printf("\n");
  wasm_importtype_vec_delete(&imports);

  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  printf("> exports:");
  for (size_t i = 0; i < exports.size; i++) {
    const wasm_name_t *n = wasm_exporttype_name(exports.data[i]);
    if (!n) fail("getting export name");
    printf(" \"%.*s\"", (int)n->size, n->data);
  }
  printf("\n");
  wasm_exporttype_vec_delete(&exports);
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");

  printf("Compiling module...\n");
  wasm_module_t *module = compile_wat(store, wat);

  printf("Serializing module...\n");
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  if (serialized.size == 0) fail("serializing module");
  wasm_module_delete(module);
  wasm_store_delete(store);

  printf("Deserializing module in a new store...\n");
  store = wasm_store_new(engine);
  if (!store) fail("creating store");
  wasm_module_t *deserialized = wasm_module_deserialize(store, &serialized);
  if (!deserialized) fail("deserializing module");
  print_interface(deserialized);

  printf("Creating callback...\n");
  wasm_functype_t *hello_type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  if (!hello_type) fail("creating function type");
  wasm_func_t *hello_func = wasm_func_new(store, hello_type, hello_callback);
  if (!hello_func) fail("creating callback");
  wasm_functype_delete(hello_type);

  printf("Instantiating deserialized module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(hello_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, deserialized, &imports, NULL);
  if (!instance) fail("instantiating module");
  wasm_func_delete(hello_func);

  printf("Extracting export...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 1) fail("expected one export");
  const wasm_func_t *run_func = wasm_extern_as_func_const(exports.data[0]);
  if (!run_func) fail("export 0 is not a function");

  printf("Calling export...\n");
  wasm_val_t as[1] = {WASM_I32_VAL(21)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(run_func, &args, &results);
  if (trap) {
    wasm_trap_delete(trap);
    fail("calling export");
  }
  printf("> run(21) = %d\n", rs[0].of.i32);
  if (rs[0].kind != WASM_I32 || rs[0].of.i32 != 42) fail("unexpected result");
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  printf("Serializing the deserialized module...\n");
  wasm_byte_vec_t again;
  wasm_module_serialize(deserialized, &again);
  printf("> same bytes: %s\n",
         again.size == serialized.size && memcmp(again.data, serialized.data, again.size) == 0
             ? "yes"
             : "no");
  wasm_byte_vec_delete(&again);
  wasm_module_delete(deserialized);

  printf("Deserializing damaged bytes...\n");
  wasm_byte_vec_t damaged;
  wasm_byte_vec_new(&damaged, serialized.size / 2, serialized.data);
  wasm_module_t *bad = wasm_module_deserialize(store, &damaged);
  printf("> truncated: %s\n", bad ? "loaded" : "NULL");
  if (bad) fail("truncated bytes were loaded");
  wasm_byte_vec_delete(&damaged);

  wasm_byte_vec_copy(&damaged, &serialized);
  for (size_t i = 0; i < damaged.size; i += 7) damaged.data[i] = (wasm_byte_t)(damaged.data[i] ^ 0x5a);
  bad = wasm_module_deserialize(store, &damaged);
  printf("> corrupted: %s\n", bad ? "loaded" : "NULL");
  if (bad) fail("corrupted bytes were loaded");
  wasm_byte_vec_delete(&damaged);

  wasm_byte_vec_copy(&damaged, &serialized);
  damaged.data[damaged.size - 1] = (wasm_byte_t)(damaged.data[damaged.size - 1] ^ 1);
  bad = wasm_module_deserialize(store, &damaged);
  printf("> last byte flipped: %s\n", bad ? "loaded" : "NULL");
  if (bad) fail("bytes with a flipped bit were loaded");
  wasm_byte_vec_delete(&damaged);

  const char *wasm_magic = "\0asm\1\0\0\0";
  wasm_byte_vec_new(&damaged, 8, wasm_magic);
  bad = wasm_module_deserialize(store, &damaged);
  printf("> a wasm binary: %s\n", bad ? "loaded" : "NULL");
  if (bad) fail("a wasm binary was loaded as a serialized module");
  wasm_byte_vec_delete(&damaged);

  printf("Deserializing with another engine configuration...\n");
  wasm_config_t *config = wasm_config_new();
  if (!config) fail("creating config");
  if (!craneway_config_memory_guard_size(config, 64 * 1024)) fail("setting the guard size");
  wasm_engine_t *other_engine = wasm_engine_new_with_config(config);
  if (!other_engine) fail("creating engine");
  wasm_store_t *other_store = wasm_store_new(other_engine);
  if (!other_store) fail("creating store");
  bad = wasm_module_deserialize(other_store, &serialized);
  printf("> other memory guard size: %s\n", bad ? "loaded" : "NULL");
  if (bad) fail("a module compiled for another configuration was loaded");
  wasm_store_delete(other_store);
  wasm_engine_delete(other_engine);
  wasm_byte_vec_delete(&serialized);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
