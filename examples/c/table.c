/* table: a funcref table exported by wasm, used from both sides.
 *
 * Shows: wasm_table_size/get/set/grow, call_indirect through the table
 * (with wasm and host functions, and its traps), growing past the maximum
 * failing, and a table created by the host. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (table (export \"table\") 2 10 funcref)\n"
    "  (func (export \"call_indirect\") (param i32 i32) (result i32)\n"
    "    (call_indirect (param i32) (result i32) (local.get 0) (local.get 1)))\n"
    "  (func $f (export \"f\") (param i32) (result i32) (local.get 0))\n"
    "  (func (export \"g\") (param i32) (result i32) (i32.const 666))\n"
    "  (func (export \"h\") (result i32) (i32.const 1))\n"
    "  (elem (i32.const 1) $f))\n";

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

/* The host function put into the table: negates its argument. */
static wasm_trap_t *neg_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  printf("Calling back...\n");
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = -args->data[0].of.i32;
  return NULL;
}

static const wasm_func_t *export_func(const wasm_extern_vec_t *exports, size_t i) {
  if (i >= exports->size) fail("missing export");
  const wasm_func_t *func = wasm_extern_as_func_const(exports->data[i]);
  if (!func) fail("export is not a function");
  return func;
}

/* Calls call_indirect(arg, index); prints and checks the result, or the
 * trap when `expected_trap` is not NULL. */
static void check_call(const wasm_func_t *call_indirect, int32_t arg, int32_t index,
                       int32_t expected, const char *expected_trap) {
  wasm_val_t as[2] = {WASM_I32_VAL(arg), WASM_I32_VAL(index)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(call_indirect, &args, &results);
  printf("> call_indirect(%" PRId32 ", %" PRId32 ") -> ", arg, index);
  if (trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    printf("trap: %s\n", message.data);
    /* The message may go on to name the element. */
    bool ok = expected_trap && strncmp(message.data, expected_trap, strlen(expected_trap)) == 0;
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    if (!ok) fail("unexpected trap");
    return;
  }
  printf("%" PRId32 "\n", rs[0].of.i32);
  if (expected_trap) fail("the call did not trap");
  if (rs[0].kind != WASM_I32 || rs[0].of.i32 != expected) fail("unexpected result");
}

/* Prints what the table holds at `index` and checks it is `expected`
 * (NULL for null). */
static void check_elem(const wasm_table_t *table, wasm_table_size_t index, const char *name,
                       const wasm_func_t *expected) {
  wasm_ref_t *ref = wasm_table_get(table, index);
  printf("> table[%" PRIu32 "] = %s\n", index, ref ? name : "null");
  if (!expected) {
    if (ref) fail("expected a null element");
    return;
  }
  if (!ref) fail("expected a function");
  const wasm_func_t *func = wasm_ref_as_func_const(ref);
  if (!func) fail("a funcref element is not a function");
  if (!wasm_func_same(func, expected)) fail("the element is another function");
  wasm_ref_delete(ref);
}

static void check_set(wasm_table_t *table, wasm_table_size_t index, const char *name,
                      const wasm_func_t *func, bool expected) {
  const wasm_ref_t *ref = func ? wasm_func_as_ref_const(func) : NULL;
  bool ok = wasm_table_set(table, index, ref);
  printf("> set(%" PRIu32 ", %s) -> %s\n", index, name, ok ? "true" : "false");
  if (ok != expected) fail("unexpected set result");
}

static void check_grow(wasm_table_t *table, wasm_table_size_t delta, const char *name,
                       const wasm_func_t *init, bool expected) {
  const wasm_ref_t *ref = init ? wasm_func_as_ref_const(init) : NULL;
  bool ok = wasm_table_grow(table, delta, ref);
  printf("> grow(%" PRIu32 ", %s) -> %s, size %" PRIu32 "\n", delta, name, ok ? "true" : "false",
         wasm_table_size(table));
  if (ok != expected) fail("unexpected grow result");
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
  if (exports.size != 5) fail("expected five exports");
  wasm_table_t *table = wasm_extern_as_table(exports.data[0]);
  if (!table) fail("export 0 is not a table");
  const wasm_func_t *call_indirect = export_func(&exports, 1);
  const wasm_func_t *f = export_func(&exports, 2);
  const wasm_func_t *g = export_func(&exports, 3);
  const wasm_func_t *h = export_func(&exports, 4);

  printf("Creating callback...\n");
  wasm_functype_t *neg_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  if (!neg_type) fail("creating function type");
  wasm_func_t *neg = wasm_func_new(store, neg_type, neg_callback);
  if (!neg) fail("creating callback");
  wasm_functype_delete(neg_type);

  wasm_tabletype_t *type = wasm_table_type(table);
  if (!type) fail("getting table type");
  const wasm_limits_t *limits = wasm_tabletype_limits(type);
  if (!limits) fail("getting table limits");
  printf("> type: min %" PRIu32 ", max %" PRIu32 ", %s\n", limits->min, limits->max,
         wasm_valtype_kind(wasm_tabletype_element(type)) == WASM_FUNCREF ? "funcref" : "?");
  wasm_tabletype_delete(type);

  printf("Checking table...\n");
  printf("> size: %" PRIu32 "\n", wasm_table_size(table));
  if (wasm_table_size(table) != 2) fail("unexpected table size");
  check_elem(table, 0, "", NULL);
  check_elem(table, 1, "f", f);
  check_elem(table, 2, "", NULL);
  check_call(call_indirect, 7, 0, 0, "uninitialized element");
  check_call(call_indirect, 7, 1, 7, NULL);
  check_call(call_indirect, 0, 2, 0, "undefined element");

  printf("Mutating table...\n");
  check_set(table, 0, "g", g, true);
  check_set(table, 1, "null", NULL, true);
  check_set(table, 2, "f", f, false);
  check_elem(table, 0, "g", g);
  check_elem(table, 1, "", NULL);
  check_call(call_indirect, 7, 0, 666, NULL);
  check_call(call_indirect, 7, 1, 0, "uninitialized element");
  check_call(call_indirect, 0, 2, 0, "undefined element");

  printf("Growing table...\n");
  check_grow(table, 3, "null", NULL, true);
  check_set(table, 2, "f", f, true);
  check_set(table, 3, "neg", neg, true);
  check_set(table, 4, "h", h, true);
  check_set(table, 5, "null", NULL, false);
  check_elem(table, 3, "neg", neg);
  check_call(call_indirect, 5, 2, 5, NULL);
  check_call(call_indirect, 6, 3, -6, NULL);
  check_call(call_indirect, 0, 4, 0, "indirect call type mismatch");
  check_call(call_indirect, 0, 5, 0, "undefined element");

  check_grow(table, 2, "f", f, true);
  check_elem(table, 5, "f", f);
  check_elem(table, 6, "f", f);
  check_grow(table, 5, "null", NULL, false);
  check_grow(table, 3, "null", NULL, true);
  check_grow(table, 0, "null", NULL, true);
  check_elem(table, 9, "", NULL);

  wasm_func_delete(neg);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  printf("Creating stand-alone table...\n");
  wasm_limits_t five = {5, 5};
  wasm_tabletype_t *tabletype = wasm_tabletype_new(wasm_valtype_new_funcref(), &five);
  if (!tabletype) fail("creating table type");
  wasm_table_t *table2 = wasm_table_new(store, tabletype, NULL);
  if (!table2) fail("creating table");
  printf("> size: %" PRIu32 "\n", wasm_table_size(table2));
  if (wasm_table_size(table2) != 5) fail("unexpected table size");
  check_grow(table2, 1, "null", NULL, false);
  check_grow(table2, 0, "null", NULL, true);
  wasm_tabletype_delete(tabletype);
  wasm_table_delete(table2);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
