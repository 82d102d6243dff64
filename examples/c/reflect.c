/* reflect: a module's imports and exports with their types, and the types
 * of an instance's exports.
 *
 * Shows: wasm_module_imports/exports, import and export types, the
 * conversions between extern types and function/global/table/memory
 * types, and wasm_extern_kind/wasm_extern_type on an instance's exports. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (import \"env\" \"log\" (func $log (param i32)))\n"
    "  (import \"env\" \"counter\" (global $counter (mut i64)))\n"
    "  (import \"env\" \"refs\" (table $refs 2 externref))\n"
    "  (import \"env\" \"memory\" (memory $memory 1 2))\n"
    "  (func (export \"func\") (param i32 f64 f32) (result i32) (unreachable))\n"
    "  (func (export \"pair\") (param i64) (result i64 i32) (unreachable))\n"
    "  (global (export \"global\") f64 (f64.const 0))\n"
    "  (table (export \"table\") 0 50 funcref)\n"
    "  (export \"memory\" (memory $memory))\n"
    "  (export \"log\" (func $log))\n"
    "  (export \"counter\" (global $counter)))\n";

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

static void print_valtype(const wasm_valtype_t *type) {
  if (!type) fail("a NULL value type");
  switch (wasm_valtype_kind(type)) {
    case WASM_I32: printf("i32"); break;
    case WASM_I64: printf("i64"); break;
    case WASM_F32: printf("f32"); break;
    case WASM_F64: printf("f64"); break;
    case WASM_V128: printf("v128"); break;
    case WASM_EXTERNREF: printf("externref"); break;
    case WASM_FUNCREF: printf("funcref"); break;
    default: printf("<kind %d>", wasm_valtype_kind(type)); break;
  }
}

static void print_valtypes(const wasm_valtype_vec_t *types) {
  if (!types) fail("a NULL list of value types");
  printf("(");
  for (size_t i = 0; i < types->size; i++) {
    if (i > 0) printf(" ");
    print_valtype(types->data[i]);
  }
  printf(")");
}

static void print_limits(const wasm_limits_t *limits) {
  if (!limits) fail("NULL limits");
  printf("%" PRIu32 "..", limits->min);
  if (limits->max != wasm_limits_max_default) printf("%" PRIu32, limits->max);
}

static void print_externtype(const wasm_externtype_t *type) {
  if (!type) fail("a NULL extern type");
  switch (wasm_externtype_kind(type)) {
    case WASM_EXTERN_FUNC: {
      const wasm_functype_t *f = wasm_externtype_as_functype_const(type);
      if (!f) fail("a function extern type is not a function type");
      printf("func ");
      print_valtypes(wasm_functype_params(f));
      printf(" -> ");
      print_valtypes(wasm_functype_results(f));
      break;
    }
    case WASM_EXTERN_GLOBAL: {
      const wasm_globaltype_t *g = wasm_externtype_as_globaltype_const(type);
      if (!g) fail("a global extern type is not a global type");
      printf("global %s ", wasm_globaltype_mutability(g) == WASM_VAR ? "var" : "const");
      print_valtype(wasm_globaltype_content(g));
      break;
    }
    case WASM_EXTERN_TABLE: {
      const wasm_tabletype_t *t = wasm_externtype_as_tabletype_const(type);
      if (!t) fail("a table extern type is not a table type");
      printf("table ");
      print_limits(wasm_tabletype_limits(t));
      printf(" ");
      print_valtype(wasm_tabletype_element(t));
      break;
    }
    case WASM_EXTERN_MEMORY: {
      const wasm_memorytype_t *m = wasm_externtype_as_memorytype_const(type);
      if (!m) fail("a memory extern type is not a memory type");
      printf("memory ");
      print_limits(wasm_memorytype_limits(m));
      break;
    }
    default: printf("<extern kind %d>", wasm_externtype_kind(type)); break;
  }
}

static void print_name(const wasm_name_t *name) {
  if (!name) fail("a NULL name");
  printf("\"%.*s\"", (int)name->size, name->data);
}

/* The host objects for the module's imports. */
static wasm_trap_t *log_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
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

  printf("Module imports...\n");
  wasm_importtype_vec_t import_types;
  wasm_module_imports(module, &import_types);
  for (size_t i = 0; i < import_types.size; i++) {
    const wasm_importtype_t *import = import_types.data[i];
    printf("> import %zu ", i);
    print_name(wasm_importtype_module(import));
    printf(" ");
    print_name(wasm_importtype_name(import));
    printf(": ");
    print_externtype(wasm_importtype_type(import));
    printf("\n");
  }

  printf("Module exports...\n");
  wasm_exporttype_vec_t export_types;
  wasm_module_exports(module, &export_types);
  for (size_t i = 0; i < export_types.size; i++) {
    const wasm_exporttype_t *export = export_types.data[i];
    printf("> export %zu ", i);
    print_name(wasm_exporttype_name(export));
    printf(": ");
    print_externtype(wasm_exporttype_type(export));
    printf("\n");
  }

  printf("Creating imports...\n");
  wasm_functype_t *log_type = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_globaltype_t *counter_type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_limits_t refs_limits = {2, wasm_limits_max_default};
  wasm_tabletype_t *refs_type = wasm_tabletype_new(wasm_valtype_new_externref(), &refs_limits);
  wasm_limits_t memory_limits = {1, 2};
  wasm_memorytype_t *memory_type = wasm_memorytype_new(&memory_limits);
  if (!log_type || !counter_type || !refs_type || !memory_type) fail("creating types");
  wasm_func_t *log_func = wasm_func_new(store, log_type, log_callback);
  wasm_val_t zero = WASM_I64_VAL(0);
  wasm_global_t *counter = wasm_global_new(store, counter_type, &zero);
  wasm_table_t *refs = wasm_table_new(store, refs_type, NULL);
  wasm_memory_t *memory = wasm_memory_new(store, memory_type);
  if (!log_func || !counter || !refs || !memory) fail("creating imports");

  /* Each host object's type, back through the extern type conversions. */
  wasm_externtype_t *host_types[] = {
      wasm_functype_as_externtype(log_type), wasm_globaltype_as_externtype(counter_type),
      wasm_tabletype_as_externtype(refs_type), wasm_memorytype_as_externtype(memory_type)};
  for (size_t i = 0; i < 4; i++) {
    if (!host_types[i]) fail("converting to an extern type");
    printf("> host import %zu: ", i);
    print_externtype(host_types[i]);
    printf("\n");
  }
  if (wasm_externtype_as_functype(host_types[1]) || wasm_externtype_as_memorytype(host_types[0]))
    fail("an extern type converted to the wrong kind");
  wasm_functype_delete(log_type);
  wasm_globaltype_delete(counter_type);
  wasm_tabletype_delete(refs_type);
  wasm_memorytype_delete(memory_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(log_func), wasm_global_as_extern(counter),
                              wasm_table_as_extern(refs), wasm_memory_as_extern(memory)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("instantiating module");

  printf("Instance exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != export_types.size) fail("instance and module export counts differ");
  static const char *const kinds[] = {"func", "global", "table", "memory"};
  for (size_t i = 0; i < exports.size; i++) {
    const wasm_extern_t *e = exports.data[i];
    wasm_externkind_t kind = wasm_extern_kind(e);
    wasm_externtype_t *type = wasm_extern_type(e);
    if (!type) fail("getting an extern's type");
    if (kind > WASM_EXTERN_MEMORY || wasm_externtype_kind(type) != kind) fail("kinds disagree");
    printf("> extern %zu ", i);
    print_name(wasm_exporttype_name(export_types.data[i]));
    printf(" (%s): ", kinds[kind]);
    print_externtype(type);
    if (kind == WASM_EXTERN_FUNC) {
      const wasm_func_t *func = wasm_extern_as_func_const(e);
      if (!func) fail("a function extern is not a function");
      printf(", arity %zu -> %zu", wasm_func_param_arity(func), wasm_func_result_arity(func));
    }
    printf("\n");
    wasm_externtype_delete(type);
  }

  printf("Re-exported imports are the host's objects...\n");
  bool same_log = wasm_func_same(wasm_extern_as_func_const(exports.data[5]), log_func);
  bool same_counter = wasm_global_same(wasm_extern_as_global_const(exports.data[6]), counter);
  bool same_memory = wasm_memory_same(wasm_extern_as_memory_const(exports.data[4]), memory);
  printf("> log: %s, counter: %s, memory: %s\n", same_log ? "yes" : "no",
         same_counter ? "yes" : "no", same_memory ? "yes" : "no");
  if (!same_log || !same_counter || !same_memory) fail("a re-exported import is another object");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(log_func);
  wasm_global_delete(counter);
  wasm_table_delete(refs);
  wasm_memory_delete(memory);
  wasm_importtype_vec_delete(&import_types);
  wasm_exporttype_vec_delete(&export_types);
  wasm_module_delete(module);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
