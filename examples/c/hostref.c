/* hostref: host objects passed to wasm as externref values, through
 * globals, tables and function calls, coming back as the same objects.
 *
 * Shows: wasm_foreign_new, references in wasm_val_t (borrowed in
 * arguments, owned in results), wasm_ref_same and host info surviving the
 * round trip, externref globals and tables read and written from both
 * sides, and the foreign objects' finalizers running once the store is
 * gone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (import \"\" \"f\" (func $fun (param externref) (result externref)))\n"
    "  (global $glob (export \"global\") (mut externref) (ref.null extern))\n"
    "  (table $tab (export \"table\") 10 externref)\n"
    "  (func (export \"global.set\") (param $r externref)\n"
    "    (global.set $glob (local.get $r)))\n"
    "  (func (export \"global.get\") (result externref)\n"
    "    (global.get $glob))\n"
    "  (func (export \"table.set\") (param $i i32) (param $r externref)\n"
    "    (table.set $tab (local.get $i) (local.get $r)))\n"
    "  (func (export \"table.get\") (param $i i32) (result externref)\n"
    "    (table.get $tab (local.get $i)))\n"
    "  (func (export \"func.call\") (param $r externref) (result externref)\n"
    "    (call $fun (local.get $r))))\n";

static int finalized = 0;

static void finalize(void *data) {
  (void)data;
  finalized++;
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

/* Host info is a small number identifying each host object. */
static void print_ref(const wasm_ref_t *ref) {
  if (ref)
    printf("host object %d", (int)(intptr_t)wasm_ref_get_host_info(ref));
  else
    printf("null");
}

/* The host function: prints the reference it gets and returns it. */
static wasm_trap_t *callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  printf("Calling back...\n> f(");
  print_ref(args->data[0].of.ref);
  printf(")\n");
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

/* Checks that `ref` (owned, may be NULL) is `expected` (NULL for null),
 * prints it after "<what> -> " and deletes it. */
static void check(const char *what, wasm_ref_t *ref, const wasm_ref_t *expected) {
  printf("> %s -> ", what);
  print_ref(ref);
  printf("\n");
  if (!expected) {
    if (ref) fail("expected null");
    return;
  }
  if (!ref) fail("expected a reference, got null");
  if (!wasm_ref_same(ref, expected)) fail("a different object came back");
  if (wasm_ref_get_host_info(ref) != wasm_ref_get_host_info(expected))
    fail("the host info did not come back");
  if (!wasm_ref_as_foreign_const(ref)) fail("a foreign object came back as another kind");
  wasm_ref_delete(ref);
}

static void call(const wasm_func_t *func, wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_trap_t *trap = wasm_func_call(func, args, results);
  if (trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    fprintf(stderr, "> trap: %s\n", message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    fail("calling export");
  }
}

/* Calls a function of type () -> externref; returns the owned result. */
static wasm_ref_t *call_v_r(const wasm_func_t *func) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  call(func, &args, &results);
  if (rs[0].kind != WASM_EXTERNREF) fail("the result is not an externref");
  return rs[0].of.ref;
}

/* Calls a function of type (externref) -> (); `ref` is borrowed. */
static void call_r_v(const char *name, const wasm_func_t *func, wasm_ref_t *ref) {
  printf("> %s(", name);
  print_ref(ref);
  printf(")\n");
  wasm_val_t as[1] = {WASM_REF_VAL(ref)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  call(func, &args, &results);
}

/* Calls a function of type (externref) -> externref. */
static wasm_ref_t *call_r_r(const wasm_func_t *func, wasm_ref_t *ref) {
  wasm_val_t as[1] = {WASM_REF_VAL(ref)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  call(func, &args, &results);
  if (rs[0].kind != WASM_EXTERNREF) fail("the result is not an externref");
  return rs[0].of.ref;
}

/* Calls a function of type (i32, externref) -> (). */
static void call_ir_v(const char *name, const wasm_func_t *func, int32_t i, wasm_ref_t *ref) {
  printf("> %s(%d, ", name, (int)i);
  print_ref(ref);
  printf(")\n");
  wasm_val_t as[2] = {WASM_I32_VAL(i), WASM_REF_VAL(ref)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  call(func, &args, &results);
}

/* Calls a function of type (i32) -> externref. */
static wasm_ref_t *call_i_r(const wasm_func_t *func, int32_t i) {
  wasm_val_t as[1] = {WASM_I32_VAL(i)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  call(func, &args, &results);
  if (rs[0].kind != WASM_EXTERNREF) fail("the result is not an externref");
  return rs[0].of.ref;
}

static const wasm_func_t *export_func(const wasm_extern_vec_t *exports, size_t i) {
  if (i >= exports->size) fail("missing export");
  const wasm_func_t *func = wasm_extern_as_func_const(exports->data[i]);
  if (!func) fail("export is not a function");
  return func;
}

static wasm_ref_t *global_get(const wasm_global_t *global) {
  wasm_val_t val;
  wasm_global_get(global, &val);
  if (val.kind != WASM_EXTERNREF) fail("the global does not hold an externref");
  return val.of.ref;
}

static void global_set(wasm_global_t *global, wasm_ref_t *ref) {
  printf("> wasm_global_set(");
  print_ref(ref);
  printf(")\n");
  wasm_val_t val = WASM_REF_VAL(ref);
  wasm_global_set(global, &val);
}

static void table_set(wasm_table_t *table, wasm_table_size_t i, wasm_ref_t *ref) {
  printf("> wasm_table_set(%d, ", (int)i);
  print_ref(ref);
  printf(")\n");
  if (!wasm_table_set(table, i, ref)) fail("wasm_table_set failed");
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
  wasm_functype_t *callback_type =
      wasm_functype_new_1_1(wasm_valtype_new_externref(), wasm_valtype_new_externref());
  if (!callback_type) fail("creating function type");
  wasm_func_t *callback_func = wasm_func_new(store, callback_type, callback);
  if (!callback_func) fail("creating callback");
  wasm_functype_delete(callback_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(callback_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("instantiating module");
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 7) fail("expected seven exports");
  wasm_global_t *global = wasm_extern_as_global(exports.data[0]);
  wasm_table_t *table = wasm_extern_as_table(exports.data[1]);
  if (!global || !table) fail("unexpected export kinds");
  const wasm_func_t *global_set_func = export_func(&exports, 2);
  const wasm_func_t *global_get_func = export_func(&exports, 3);
  const wasm_func_t *table_set_func = export_func(&exports, 4);
  const wasm_func_t *table_get_func = export_func(&exports, 5);
  const wasm_func_t *func_call_func = export_func(&exports, 6);

  printf("Creating host references...\n");
  wasm_foreign_t *host1 = wasm_foreign_new(store);
  wasm_foreign_t *host2 = wasm_foreign_new(store);
  if (!host1 || !host2) fail("creating foreign objects");
  wasm_foreign_set_host_info_with_finalizer(host1, (void *)1, finalize);
  wasm_foreign_set_host_info_with_finalizer(host2, (void *)2, finalize);
  wasm_ref_t *host1_ref = wasm_foreign_as_ref(host1);
  wasm_ref_t *host2_ref = wasm_foreign_as_ref(host2);
  if (!host1_ref || !host2_ref) fail("converting foreign objects to references");
  printf("> host object 1 and 2 are the same: %s\n",
         wasm_foreign_same(host1, host2) ? "yes" : "no");
  if (wasm_foreign_same(host1, host2)) fail("distinct foreign objects compare the same");

  wasm_ref_t *copy = wasm_ref_copy(host1_ref);
  if (!copy) fail("copying a reference");
  printf("> a copy of host object 1 is the same: %s\n",
         wasm_ref_same(copy, host1_ref) ? "yes" : "no");
  check("wasm_ref_copy", copy, host1_ref);

  printf("Accessing global...\n");
  check("global.get()", call_v_r(global_get_func), NULL);
  call_r_v("global.set", global_set_func, host1_ref);
  check("global.get()", call_v_r(global_get_func), host1_ref);
  call_r_v("global.set", global_set_func, host2_ref);
  check("global.get()", call_v_r(global_get_func), host2_ref);
  call_r_v("global.set", global_set_func, NULL);
  check("global.get()", call_v_r(global_get_func), NULL);

  check("wasm_global_get", global_get(global), NULL);
  global_set(global, host2_ref);
  check("global.get()", call_v_r(global_get_func), host2_ref);
  check("wasm_global_get", global_get(global), host2_ref);
  global_set(global, NULL);
  check("global.get()", call_v_r(global_get_func), NULL);
  check("wasm_global_get", global_get(global), NULL);

  printf("Accessing table...\n");
  check("table.get(0)", call_i_r(table_get_func, 0), NULL);
  check("table.get(1)", call_i_r(table_get_func, 1), NULL);
  call_ir_v("table.set", table_set_func, 0, host1_ref);
  call_ir_v("table.set", table_set_func, 1, host2_ref);
  check("table.get(0)", call_i_r(table_get_func, 0), host1_ref);
  check("table.get(1)", call_i_r(table_get_func, 1), host2_ref);
  call_ir_v("table.set", table_set_func, 0, NULL);
  check("table.get(0)", call_i_r(table_get_func, 0), NULL);

  check("wasm_table_get(2)", wasm_table_get(table, 2), NULL);
  table_set(table, 2, host1_ref);
  check("table.get(2)", call_i_r(table_get_func, 2), host1_ref);
  check("wasm_table_get(2)", wasm_table_get(table, 2), host1_ref);
  check("wasm_table_get(1)", wasm_table_get(table, 1), host2_ref);
  table_set(table, 2, NULL);
  check("table.get(2)", call_i_r(table_get_func, 2), NULL);
  check("wasm_table_get(2)", wasm_table_get(table, 2), NULL);

  printf("Accessing function...\n");
  check("func.call(null)", call_r_r(func_call_func, NULL), NULL);
  check("func.call(host object 1)", call_r_r(func_call_func, host1_ref), host1_ref);
  check("func.call(host object 2)", call_r_r(func_call_func, host2_ref), host2_ref);

  printf("Host info set on a returned reference...\n");
  wasm_ref_t *back = call_r_r(func_call_func, host1_ref);
  if (!back) fail("expected a reference, got null");
  wasm_ref_set_host_info_with_finalizer(back, (void *)3, finalize);
  wasm_ref_delete(back);
  printf("> host object 1 now has host info %d\n", (int)(intptr_t)wasm_foreign_get_host_info(host1));
  if (wasm_foreign_get_host_info(host1) != (void *)3) fail("the host info was not shared");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(callback_func);
  wasm_foreign_delete(host1);
  wasm_foreign_delete(host2);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("> finalized: %d\n", finalized);
  if (finalized != 3) fail("the host objects' finalizers did not all run");

  printf("Done.\n");
  return 0;
}
