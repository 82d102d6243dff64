/* global: globals created by the host and imported, and globals defined
 * and exported by wasm, immutable and mutable, read and written from both
 * sides.
 *
 * Shows: wasm_global_new, wasm_global_get/set (and that setting an
 * immutable global does nothing), exported globals, a re-exported import
 * being the same object as the host's global, and wasm functions that read
 * and write the same globals. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (global $f32_import (import \"\" \"const f32\") f32)\n"
    "  (global $i64_import (import \"\" \"const i64\") i64)\n"
    "  (global $mut_f32_import (import \"\" \"var f32\") (mut f32))\n"
    "  (global $mut_i64_import (import \"\" \"var i64\") (mut i64))\n"
    "\n"
    "  (global $f32_export (export \"const f32\") f32 (f32.const 5))\n"
    "  (global $i64_export (export \"const i64\") i64 (i64.const 6))\n"
    "  (global $mut_f32_export (export \"var f32\") (mut f32) (f32.const 7))\n"
    "  (global $mut_i64_export (export \"var i64\") (mut i64) (i64.const 8))\n"
    "  (export \"var i64 reexport\" (global $mut_i64_import))\n"
    "\n"
    "  (func (export \"get const f32 import\") (result f32) (global.get $f32_import))\n"
    "  (func (export \"get const i64 import\") (result i64) (global.get $i64_import))\n"
    "  (func (export \"get var f32 import\") (result f32) (global.get $mut_f32_import))\n"
    "  (func (export \"get var i64 import\") (result i64) (global.get $mut_i64_import))\n"
    "  (func (export \"get const f32 export\") (result f32) (global.get $f32_export))\n"
    "  (func (export \"get const i64 export\") (result i64) (global.get $i64_export))\n"
    "  (func (export \"get var f32 export\") (result f32) (global.get $mut_f32_export))\n"
    "  (func (export \"get var i64 export\") (result i64) (global.get $mut_i64_export))\n"
    "\n"
    "  (func (export \"set var f32 import\") (param f32) (global.set $mut_f32_import (local.get 0)))\n"
    "  (func (export \"set var i64 import\") (param i64) (global.set $mut_i64_import (local.get 0)))\n"
    "  (func (export \"set var f32 export\") (param f32) (global.set $mut_f32_export (local.get 0)))\n"
    "  (func (export \"set var i64 export\") (param i64) (global.set $mut_i64_export (local.get 0))))\n";

/* Export indices, in the module's export order. */
enum {
  CONST_F32_EXPORT,
  CONST_I64_EXPORT,
  VAR_F32_EXPORT,
  VAR_I64_EXPORT,
  VAR_I64_REEXPORT,
  GET_CONST_F32_IMPORT,
  GET_CONST_I64_IMPORT,
  GET_VAR_F32_IMPORT,
  GET_VAR_I64_IMPORT,
  GET_CONST_F32_EXPORT,
  GET_CONST_I64_EXPORT,
  GET_VAR_F32_EXPORT,
  GET_VAR_I64_EXPORT,
  SET_VAR_F32_IMPORT,
  SET_VAR_I64_IMPORT,
  SET_VAR_F32_EXPORT,
  SET_VAR_I64_EXPORT,
  EXPORT_COUNT
};

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

static wasm_global_t *new_global(wasm_store_t *store, wasm_valkind_t kind,
                                 wasm_mutability_t mutability, wasm_val_t value) {
  wasm_globaltype_t *type = wasm_globaltype_new(wasm_valtype_new(kind), mutability);
  if (!type) fail("creating global type");
  wasm_global_t *global = wasm_global_new(store, type, &value);
  if (!global) fail("creating global");
  wasm_globaltype_delete(type);
  return global;
}

static wasm_global_t *export_global(const wasm_extern_vec_t *exports, size_t i) {
  if (i >= exports->size) fail("missing export");
  wasm_global_t *global = wasm_extern_as_global(exports->data[i]);
  if (!global) fail("export is not a global");
  return global;
}

static const wasm_func_t *export_func(const wasm_extern_vec_t *exports, size_t i) {
  if (i >= exports->size) fail("missing export");
  const wasm_func_t *func = wasm_extern_as_func_const(exports->data[i]);
  if (!func) fail("export is not a function");
  return func;
}

static void print_value(const wasm_val_t *val) {
  switch (val->kind) {
    case WASM_I32: printf("i32 %" PRId32, val->of.i32); break;
    case WASM_I64: printf("i64 %" PRId64, val->of.i64); break;
    case WASM_F32: printf("f32 %g", (double)val->of.f32); break;
    case WASM_F64: printf("f64 %g", val->of.f64); break;
    default: printf("<kind %d>", val->kind); break;
  }
}

/* The value as a double, for comparisons; exits on a reference. */
static double number(const wasm_val_t *val) {
  switch (val->kind) {
    case WASM_I32: return val->of.i32;
    case WASM_I64: return (double)val->of.i64;
    case WASM_F32: return val->of.f32;
    case WASM_F64: return val->of.f64;
    default: fail("not a number"); return 0;
  }
}

/* Reads `global` from the host and prints it as `name`; checks it. */
static void check_global(const char *name, const wasm_global_t *global, wasm_valkind_t kind,
                         double expected) {
  wasm_val_t val;
  wasm_global_get(global, &val);
  printf("> %-22s = ", name);
  print_value(&val);
  printf("\n");
  if (val.kind != kind || number(&val) != expected) fail("unexpected global value");
}

/* Calls the getter `func` (no parameters, one result) and checks it. */
static void check_call(const char *name, const wasm_func_t *func, wasm_valkind_t kind,
                       double expected) {
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(func, &args, &results);
  if (trap) {
    wasm_trap_delete(trap);
    fail("calling getter");
  }
  printf("> %-22s = ", name);
  print_value(&rs[0]);
  printf("\n");
  if (rs[0].kind != kind || number(&rs[0]) != expected) fail("unexpected getter result");
}

/* Calls the setter `func` with `val`. */
static void call_set(const wasm_func_t *func, wasm_val_t val) {
  wasm_val_t as[1] = {val};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_EMPTY_VEC;
  wasm_trap_t *trap = wasm_func_call(func, &args, &results);
  if (trap) {
    wasm_trap_delete(trap);
    fail("calling setter");
  }
}

static void print_type(const char *name, const wasm_global_t *global) {
  wasm_globaltype_t *type = wasm_global_type(global);
  if (!type) fail("getting global type");
  const wasm_valtype_t *content = wasm_globaltype_content(type);
  if (!content) fail("getting global content type");
  static const char *const kinds[] = {"i32", "i64", "f32", "f64"};
  wasm_valkind_t kind = wasm_valtype_kind(content);
  printf("> %-22s : %s %s\n", name,
         wasm_globaltype_mutability(type) == WASM_VAR ? "var" : "const",
         kind <= WASM_F64 ? kinds[kind] : "ref");
  wasm_globaltype_delete(type);
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");

  printf("Compiling module...\n");
  wasm_module_t *module = compile_wat(store, wat);

  printf("Creating host globals...\n");
  wasm_global_t *const_f32_import = new_global(store, WASM_F32, WASM_CONST, (wasm_val_t)WASM_F32_VAL(1));
  wasm_global_t *const_i64_import = new_global(store, WASM_I64, WASM_CONST, (wasm_val_t)WASM_I64_VAL(2));
  wasm_global_t *var_f32_import = new_global(store, WASM_F32, WASM_VAR, (wasm_val_t)WASM_F32_VAL(3));
  wasm_global_t *var_i64_import = new_global(store, WASM_I64, WASM_VAR, (wasm_val_t)WASM_I64_VAL(4));

  wasm_globaltype_t *i32_type = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  if (!i32_type) fail("creating global type");
  wasm_val_t wrong = WASM_I64_VAL(1);
  wasm_global_t *mistyped = wasm_global_new(store, i32_type, &wrong);
  printf("> an i32 global from an i64 value: %s\n", mistyped ? "created" : "refused");
  if (mistyped) fail("a global was created with a value of the wrong type");
  wasm_globaltype_delete(i32_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {
      wasm_global_as_extern(const_f32_import), wasm_global_as_extern(const_i64_import),
      wasm_global_as_extern(var_f32_import), wasm_global_as_extern(var_i64_import)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("instantiating module");
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != EXPORT_COUNT) fail("unexpected number of exports");
  wasm_global_t *const_f32_export = export_global(&exports, CONST_F32_EXPORT);
  wasm_global_t *const_i64_export = export_global(&exports, CONST_I64_EXPORT);
  wasm_global_t *var_f32_export = export_global(&exports, VAR_F32_EXPORT);
  wasm_global_t *var_i64_export = export_global(&exports, VAR_I64_EXPORT);
  wasm_global_t *var_i64_reexport = export_global(&exports, VAR_I64_REEXPORT);
  const wasm_func_t *get_const_f32_import = export_func(&exports, GET_CONST_F32_IMPORT);
  const wasm_func_t *get_const_i64_import = export_func(&exports, GET_CONST_I64_IMPORT);
  const wasm_func_t *get_var_f32_import = export_func(&exports, GET_VAR_F32_IMPORT);
  const wasm_func_t *get_var_i64_import = export_func(&exports, GET_VAR_I64_IMPORT);
  const wasm_func_t *get_const_f32_export = export_func(&exports, GET_CONST_F32_EXPORT);
  const wasm_func_t *get_const_i64_export = export_func(&exports, GET_CONST_I64_EXPORT);
  const wasm_func_t *get_var_f32_export = export_func(&exports, GET_VAR_F32_EXPORT);
  const wasm_func_t *get_var_i64_export = export_func(&exports, GET_VAR_I64_EXPORT);
  const wasm_func_t *set_var_f32_import = export_func(&exports, SET_VAR_F32_IMPORT);
  const wasm_func_t *set_var_i64_import = export_func(&exports, SET_VAR_I64_IMPORT);
  const wasm_func_t *set_var_f32_export = export_func(&exports, SET_VAR_F32_EXPORT);
  const wasm_func_t *set_var_i64_export = export_func(&exports, SET_VAR_I64_EXPORT);

  printf("Global types...\n");
  print_type("const f32 import", const_f32_import);
  print_type("var i64 import", var_i64_import);
  print_type("const f32 export", const_f32_export);
  print_type("var i64 export", var_i64_export);

  printf("Re-exported import...\n");
  bool same = wasm_global_same(var_i64_reexport, var_i64_import);
  printf("> \"var i64 reexport\" is the host's \"var i64\": %s\n", same ? "yes" : "no");
  if (!same) fail("a re-exported import is not the same global");
  same = wasm_global_same(var_i64_export, var_i64_import);
  printf("> \"var i64\" export is the host's \"var i64\": %s\n", same ? "yes" : "no");
  if (same) fail("distinct globals compare the same");

  printf("Reading initial values...\n");
  check_global("const f32 import", const_f32_import, WASM_F32, 1);
  check_global("const i64 import", const_i64_import, WASM_I64, 2);
  check_global("var f32 import", var_f32_import, WASM_F32, 3);
  check_global("var i64 import", var_i64_import, WASM_I64, 4);
  check_global("const f32 export", const_f32_export, WASM_F32, 5);
  check_global("const i64 export", const_i64_export, WASM_I64, 6);
  check_global("var f32 export", var_f32_export, WASM_F32, 7);
  check_global("var i64 export", var_i64_export, WASM_I64, 8);

  check_call("get const f32 import", get_const_f32_import, WASM_F32, 1);
  check_call("get const i64 import", get_const_i64_import, WASM_I64, 2);
  check_call("get var f32 import", get_var_f32_import, WASM_F32, 3);
  check_call("get var i64 import", get_var_i64_import, WASM_I64, 4);
  check_call("get const f32 export", get_const_f32_export, WASM_F32, 5);
  check_call("get const i64 export", get_const_i64_export, WASM_I64, 6);
  check_call("get var f32 export", get_var_f32_export, WASM_F32, 7);
  check_call("get var i64 export", get_var_i64_export, WASM_I64, 8);

  printf("Setting from the host...\n");
  wasm_val_t val = WASM_F32_VAL(33);
  wasm_global_set(var_f32_import, &val);
  val = (wasm_val_t)WASM_I64_VAL(34);
  wasm_global_set(var_i64_import, &val);
  val = (wasm_val_t)WASM_F32_VAL(37);
  wasm_global_set(var_f32_export, &val);
  val = (wasm_val_t)WASM_I64_VAL(38);
  wasm_global_set(var_i64_export, &val);
  check_global("var f32 import", var_f32_import, WASM_F32, 33);
  check_global("var i64 import", var_i64_import, WASM_I64, 34);
  check_global("var i64 reexport", var_i64_reexport, WASM_I64, 34);
  check_global("var f32 export", var_f32_export, WASM_F32, 37);
  check_global("var i64 export", var_i64_export, WASM_I64, 38);
  check_call("get var f32 import", get_var_f32_import, WASM_F32, 33);
  check_call("get var i64 import", get_var_i64_import, WASM_I64, 34);
  check_call("get var f32 export", get_var_f32_export, WASM_F32, 37);
  check_call("get var i64 export", get_var_i64_export, WASM_I64, 38);

  printf("Setting immutable globals and with wrong types (ignored)...\n");
  val = (wasm_val_t)WASM_F32_VAL(11);
  wasm_global_set(const_f32_import, &val);
  val = (wasm_val_t)WASM_I64_VAL(16);
  wasm_global_set(const_i64_export, &val);
  val = (wasm_val_t)WASM_I32_VAL(99);
  wasm_global_set(var_i64_export, &val);
  check_global("const f32 import", const_f32_import, WASM_F32, 1);
  check_global("const i64 export", const_i64_export, WASM_I64, 6);
  check_global("var i64 export", var_i64_export, WASM_I64, 38);
  check_call("get const f32 import", get_const_f32_import, WASM_F32, 1);
  check_call("get const i64 export", get_const_i64_export, WASM_I64, 6);

  printf("Setting from wasm...\n");
  call_set(set_var_f32_import, (wasm_val_t)WASM_F32_VAL(73));
  call_set(set_var_i64_import, (wasm_val_t)WASM_I64_VAL(74));
  call_set(set_var_f32_export, (wasm_val_t)WASM_F32_VAL(77));
  call_set(set_var_i64_export, (wasm_val_t)WASM_I64_VAL(78));
  check_global("var f32 import", var_f32_import, WASM_F32, 73);
  check_global("var i64 import", var_i64_import, WASM_I64, 74);
  check_global("var i64 reexport", var_i64_reexport, WASM_I64, 74);
  check_global("var f32 export", var_f32_export, WASM_F32, 77);
  check_global("var i64 export", var_i64_export, WASM_I64, 78);
  check_call("get var f32 import", get_var_f32_import, WASM_F32, 73);
  check_call("get var i64 import", get_var_i64_import, WASM_I64, 74);
  check_call("get var f32 export", get_var_f32_export, WASM_F32, 77);
  check_call("get var i64 export", get_var_i64_export, WASM_I64, 78);

  wasm_global_delete(const_f32_import);
  wasm_global_delete(const_i64_import);
  wasm_global_delete(var_f32_import);
  wasm_global_delete(var_i64_import);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
