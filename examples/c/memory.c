/* memory: a linear memory exported by wasm, used from both sides.
 *
 * Shows: wasm_memory_data/data_size/size, loads and stores through wasm
 * functions, out-of-bounds accesses trapping, growing from the host and
 * failing past the maximum, and a memory created by the host. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (memory (export \"memory\") 2 3)\n"
    "  (func (export \"size\") (result i32) (memory.size))\n"
    "  (func (export \"load\") (param i32) (result i32) (i32.load8_s (local.get 0)))\n"
    "  (func (export \"store\") (param i32 i32)\n"
    "    (i32.store8 (local.get 0) (local.get 1)))\n"
    "  (data (i32.const 0x1000) \"\\01\\02\\03\\04\"))\n";

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

/* Calls `func` with up to two i32 arguments. Returns the i32 result (0 for
 * none) or, if it trapped, prints the trap and sets *trapped. */
static int32_t call(const wasm_func_t *func, size_t nargs, int32_t a0, int32_t a1,
                    bool *trapped) {
  wasm_val_t as[2] = {WASM_I32_VAL(a0), WASM_I32_VAL(a1)};
  wasm_val_t rs[1] = {WASM_I32_VAL(0)};
  wasm_val_vec_t args = {nargs, as};
  wasm_val_vec_t results = {wasm_func_result_arity(func), rs};
  wasm_trap_t *trap = wasm_func_call(func, &args, &results);
  *trapped = trap != NULL;
  if (trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    printf("trap: %s", message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    return 0;
  }
  return rs[0].of.i32;
}

static void check_load(const wasm_func_t *load, int32_t addr, int32_t expected) {
  bool trapped;
  printf("> load(0x%" PRIx32 ") = ", (uint32_t)addr);
  int32_t v = call(load, 1, addr, 0, &trapped);
  if (!trapped) printf("%" PRId32, v);
  printf("\n");
  if (trapped || v != expected) fail("unexpected load result");
}

static void check_load_traps(const wasm_func_t *load, int32_t addr) {
  bool trapped;
  printf("> load(0x%" PRIx32 ") -> ", (uint32_t)addr);
  call(load, 1, addr, 0, &trapped);
  printf("\n");
  if (!trapped) fail("an out-of-bounds load did not trap");
}

static void check_store(const wasm_func_t *store, int32_t addr, int32_t value, bool traps) {
  bool trapped;
  printf("> store(0x%" PRIx32 ", %" PRId32 ") -> ", (uint32_t)addr, value);
  call(store, 2, addr, value, &trapped);
  if (!trapped) printf("ok");
  printf("\n");
  if (trapped != traps) fail(traps ? "an out-of-bounds store did not trap" : "store trapped");
}

static void check_size(wasm_memory_t *memory, const wasm_func_t *size_func, uint32_t pages) {
  bool trapped;
  int32_t from_wasm = call(size_func, 0, 0, 0, &trapped);
  if (trapped) fail("size trapped");
  printf("> size: %" PRIu32 " pages (wasm says %" PRId32 "), %zu bytes\n", wasm_memory_size(memory),
         from_wasm, wasm_memory_data_size(memory));
  if (wasm_memory_size(memory) != pages || (uint32_t)from_wasm != pages ||
      wasm_memory_data_size(memory) != pages * MEMORY_PAGE_SIZE)
    fail("unexpected memory size");
}

static void check_byte(wasm_memory_t *memory, size_t addr, int8_t expected) {
  const uint8_t *data = wasm_memory_data(memory);
  if (!data || addr >= wasm_memory_data_size(memory)) fail("reading memory");
  int8_t v = (int8_t)data[addr];
  printf("> data[0x%zx] = %d\n", addr, v);
  if (v != expected) fail("unexpected byte in memory");
}

static void check_grow(wasm_memory_t *memory, uint32_t delta, bool expected) {
  bool grown = wasm_memory_grow(memory, delta);
  printf("> grow(%" PRIu32 ") -> %s\n", delta, grown ? "true" : "false");
  if (grown != expected) fail("unexpected grow result");
}

static const wasm_func_t *export_func(const wasm_extern_vec_t *exports, size_t i) {
  if (i >= exports->size) fail("missing export");
  const wasm_func_t *func = wasm_extern_as_func_const(exports->data[i]);
  if (!func) fail("export is not a function");
  return func;
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");

  printf("Compiling module...\n");
  wasm_module_t *module = compile_wat(store, wat);

  printf("Instantiating module...\n");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("instantiating module");
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 4) fail("expected four exports");
  wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
  if (!memory) fail("export 0 is not a memory");
  const wasm_func_t *size_func = export_func(&exports, 1);
  const wasm_func_t *load_func = export_func(&exports, 2);
  const wasm_func_t *store_func = export_func(&exports, 3);

  wasm_memorytype_t *type = wasm_memory_type(memory);
  if (!type) fail("getting memory type");
  const wasm_limits_t *limits = wasm_memorytype_limits(type);
  if (!limits) fail("getting memory limits");
  printf("> type: min %" PRIu32 ", max %" PRIu32 "\n", limits->min, limits->max);
  if (limits->min != 2 || limits->max != 3) fail("unexpected memory limits");
  wasm_memorytype_delete(type);

  printf("Checking memory...\n");
  check_size(memory, size_func, 2);
  check_byte(memory, 0, 0);
  check_byte(memory, 0x1000, 1);
  check_byte(memory, 0x1003, 4);
  check_load(load_func, 0, 0);
  check_load(load_func, 0x1000, 1);
  check_load(load_func, 0x1003, 4);
  check_load(load_func, 0x1ffff, 0);
  check_load_traps(load_func, 0x20000);

  printf("Mutating memory...\n");
  uint8_t *data = wasm_memory_data(memory);
  if (!data) fail("getting memory data");
  data[0x1003] = 5;
  check_store(store_func, 0x1002, 6, false);
  check_store(store_func, 0x20000, 0, true);
  check_byte(memory, 0x1002, 6);
  check_byte(memory, 0x1003, 5);
  check_load(load_func, 0x1002, 6);
  check_load(load_func, 0x1003, 5);

  printf("Growing memory...\n");
  check_grow(memory, 1, true);
  check_size(memory, size_func, 3);
  check_load(load_func, 0x20000, 0);
  check_store(store_func, 0x20000, 0, false);
  check_load_traps(load_func, 0x30000);
  check_store(store_func, 0x30000, 0, true);
  check_grow(memory, 1, false);
  check_grow(memory, 0, true);
  check_size(memory, size_func, 3);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  printf("Creating stand-alone memory...\n");
  wasm_limits_t five = {5, 5};
  wasm_memorytype_t *memorytype = wasm_memorytype_new(&five);
  if (!memorytype) fail("creating memory type");
  wasm_memory_t *memory2 = wasm_memory_new(store, memorytype);
  if (!memory2) fail("creating memory");
  printf("> size: %" PRIu32 " pages, %zu bytes\n", wasm_memory_size(memory2),
         wasm_memory_data_size(memory2));
  if (wasm_memory_size(memory2) != 5) fail("unexpected memory size");
  check_grow(memory2, 1, false);
  check_grow(memory2, 0, true);
  wasm_memorytype_delete(memorytype);
  wasm_memory_delete(memory2);

  wasm_limits_t bad = {3, 2};
  memorytype = wasm_memorytype_new(&bad);
  if (!memorytype) fail("creating memory type");
  memory2 = wasm_memory_new(store, memorytype);
  printf("> memory with min 3 > max 2: %s\n", memory2 ? "created" : "refused");
  if (memory2) fail("a memory with minimum above maximum was created");
  wasm_memorytype_delete(memorytype);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
