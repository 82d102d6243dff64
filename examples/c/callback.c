/* callback: host functions called from wasm, with values going both ways.
 *
 * `print` receives a value from wasm and hands it back as its result;
 * `closure` reads its environment (given to wasm_func_new_with_env), and
 * the environment's finalizer runs when the store goes away. `run`
 * combines both and returns the sum to the host. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (func $print (import \"\" \"print\") (param i32) (result i32))\n"
    "  (func $closure (import \"\" \"closure\") (result i32))\n"
    "  (func (export \"run\") (param $x i32) (param $y i32) (result i32)\n"
    "    (i32.add\n"
    "      (call $print (i32.add (local.get $x) (local.get $y)))\n"
    "      (call $closure))))\n";

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

static void print_value(const wasm_val_t *val) {
  switch (val->kind) {
    case WASM_I32: printf("%" PRId32, val->of.i32); break;
    case WASM_I64: printf("%" PRId64, val->of.i64); break;
    case WASM_F32: printf("%g", (double)val->of.f32); break;
    case WASM_F64: printf("%g", val->of.f64); break;
    case WASM_EXTERNREF:
    case WASM_FUNCREF: printf(val->of.ref ? "ref" : "null"); break;
    default: printf("<kind %d>", val->kind); break;
  }
}

/* Prints its argument and returns it unchanged. */
static wasm_trap_t *print_callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  printf("Calling back...\n> ");
  print_value(&args->data[0]);
  printf("\n");
  wasm_val_copy(&results->data[0], &args->data[0]);
  return NULL;
}

/* Returns the int its environment points to. */
static wasm_trap_t *closure_callback(void *env, const wasm_val_vec_t *args,
                                     wasm_val_vec_t *results) {
  (void)args;
  int value = *(const int *)env;
  printf("Calling back closure...\n");
  printf("> %d\n", value);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = (int32_t)value;
  return NULL;
}

static int closure_finalized = 0;

static void closure_finalizer(void *env) {
  (void)env;
  closure_finalized++;
}

int main(void) {
  printf("Initializing...\n");
  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) fail("creating engine");
  wasm_store_t *store = wasm_store_new(engine);
  if (!store) fail("creating store");

  printf("Compiling module...\n");
  wasm_module_t *module = compile_wat(store, wat);

  printf("Creating callbacks...\n");
  wasm_functype_t *print_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  if (!print_type) fail("creating print type");
  wasm_func_t *print_func = wasm_func_new(store, print_type, print_callback);
  if (!print_func) fail("creating print");

  static int closure_env = 42;
  wasm_functype_t *closure_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  if (!closure_type) fail("creating closure type");
  wasm_func_t *closure_func = wasm_func_new_with_env(store, closure_type, closure_callback,
                                                     &closure_env, closure_finalizer);
  if (!closure_func) fail("creating closure");

  printf("> print: %zu param(s), %zu result(s)\n", wasm_func_param_arity(print_func),
         wasm_func_result_arity(print_func));
  printf("> closure: %zu param(s), %zu result(s)\n", wasm_func_param_arity(closure_func),
         wasm_func_result_arity(closure_func));
  wasm_functype_delete(print_type);
  wasm_functype_delete(closure_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(print_func), wasm_func_as_extern(closure_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  if (!instance) fail("instantiating module");

  printf("Extracting export...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 1) fail("expected one export");
  const wasm_func_t *run_func = wasm_extern_as_func_const(exports.data[0]);
  if (!run_func) fail("export 0 is not a function");

  printf("Calling export...\n");
  wasm_val_t as[2] = {WASM_I32_VAL(3), WASM_I32_VAL(4)};
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(as);
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  trap = wasm_func_call(run_func, &args, &results);
  if (trap) {
    wasm_trap_delete(trap);
    fail("calling export");
  }

  printf("Printing result...\n> ");
  print_value(&rs[0]);
  printf("\n");
  if (rs[0].kind != WASM_I32 || rs[0].of.i32 != 49) fail("unexpected result");

  printf("Calling the host functions directly...\n");
  wasm_val_t print_args[1] = {WASM_I32_VAL(-5)};
  wasm_val_t print_results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t pa = WASM_ARRAY_VEC(print_args);
  wasm_val_vec_t pr = WASM_ARRAY_VEC(print_results);
  trap = wasm_func_call(print_func, &pa, &pr);
  if (trap) {
    wasm_trap_delete(trap);
    fail("calling print");
  }
  printf("> print returned ");
  print_value(&print_results[0]);
  printf("\n");
  if (print_results[0].kind != WASM_I32 || print_results[0].of.i32 != -5) fail("wrong result");

  printf("Calling with a wrong argument...\n");
  wasm_val_t bad_args[2] = {WASM_I32_VAL(1), WASM_I64_VAL(2)};
  wasm_val_vec_t bad = WASM_ARRAY_VEC(bad_args);
  trap = wasm_func_call(run_func, &bad, &results);
  if (!trap) fail("a call with an i64 for an i32 parameter succeeded");
  printf("> refused\n");
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(print_func);
  wasm_func_delete(closure_func);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("> closure environment finalized %d time(s)\n", closure_finalized);
  if (closure_finalized != 1) fail("the closure environment was not finalized once");

  printf("Done.\n");
  return 0;
}
