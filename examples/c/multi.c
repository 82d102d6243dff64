/* multi: functions with several results (multi-value), in wasm and on the
 * host.
 *
 * `g` passes its four arguments, reordered, to the host callback `f`,
 * which returns them reversed; `swap` is pure wasm and returns its two
 * arguments of different types swapped, through a multi-value block. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

static const char *const wat =
    "(module\n"
    "  (func $f (import \"\" \"f\") (param i32 i64 i64 i32) (result i32 i64 i64 i32))\n"
    "  (func $g (export \"g\") (param i32 i64 i64 i32) (result i32 i64 i64 i32)\n"
    "    (call $f (local.get 0) (local.get 2) (local.get 1) (local.get 3)))\n"
    "  (func (export \"swap\") (param f32 f64) (result f64 f32)\n"
    "    (block (result f64 f32)\n"
    "      (local.get 1) (local.get 0))))\n";

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

static void print_values(const wasm_val_vec_t *vals) {
  for (size_t i = 0; i < vals->size; i++) {
    const wasm_val_t *val = &vals->data[i];
    printf(i == 0 ? "" : " ");
    switch (val->kind) {
      case WASM_I32: printf("%" PRId32, val->of.i32); break;
      case WASM_I64: printf("%" PRId64, val->of.i64); break;
      case WASM_F32: printf("%g", (double)val->of.f32); break;
      case WASM_F64: printf("%g", val->of.f64); break;
      default: printf("<kind %d>", val->kind); break;
    }
  }
}

/* Returns its arguments in reverse order. */
static wasm_trap_t *callback(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  printf("Calling back...\n> ");
  print_values(args);
  printf("\n");
  for (size_t i = 0; i < 4; i++) wasm_val_copy(&results->data[i], &args->data[3 - i]);
  return NULL;
}

static void call_and_print(const wasm_func_t *func, wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_trap_t *trap = wasm_func_call(func, args, results);
  if (trap) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    fprintf(stderr, "> trap: %s\n", message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    fail("calling export");
  }
  printf("Printing result...\n> ");
  print_values(results);
  printf("\n");
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
  wasm_valtype_t *params[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                               wasm_valtype_new_i64(), wasm_valtype_new_i32()};
  wasm_valtype_t *results_types[4] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                      wasm_valtype_new_i64(), wasm_valtype_new_i32()};
  wasm_valtype_vec_t param_vec, result_vec;
  wasm_valtype_vec_new(&param_vec, 4, params);
  wasm_valtype_vec_new(&result_vec, 4, results_types);
  wasm_functype_t *f_type = wasm_functype_new(&param_vec, &result_vec);
  if (!f_type) fail("creating function type");
  wasm_func_t *f = wasm_func_new(store, f_type, callback);
  if (!f) fail("creating callback");
  wasm_functype_delete(f_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("instantiating module");
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 2) fail("expected two exports");
  const wasm_func_t *g = wasm_extern_as_func_const(exports.data[0]);
  const wasm_func_t *swap = wasm_extern_as_func_const(exports.data[1]);
  if (!g || !swap) fail("exports are not functions");
  printf("> g: %zu params, %zu results\n", wasm_func_param_arity(g), wasm_func_result_arity(g));
  printf("> swap: %zu params, %zu results\n", wasm_func_param_arity(swap),
         wasm_func_result_arity(swap));

  printf("Calling g...\n");
  wasm_val_t g_as[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3), WASM_I32_VAL(4)};
  wasm_val_t g_rs[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t g_args = WASM_ARRAY_VEC(g_as);
  wasm_val_vec_t g_results = WASM_ARRAY_VEC(g_rs);
  call_and_print(g, &g_args, &g_results);
  if (g_rs[0].kind != WASM_I32 || g_rs[0].of.i32 != 4 || g_rs[1].kind != WASM_I64 ||
      g_rs[1].of.i64 != 2 || g_rs[2].kind != WASM_I64 || g_rs[2].of.i64 != 3 ||
      g_rs[3].kind != WASM_I32 || g_rs[3].of.i32 != 1)
    fail("unexpected results from g");

  printf("Calling f directly...\n");
  wasm_val_t f_as[4] = {WASM_I32_VAL(10), WASM_I64_VAL(-20), WASM_I64_VAL(30),
                        WASM_I32_VAL(-40)};
  wasm_val_t f_rs[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t f_args = WASM_ARRAY_VEC(f_as);
  wasm_val_vec_t f_results = WASM_ARRAY_VEC(f_rs);
  call_and_print(f, &f_args, &f_results);
  if (f_rs[0].of.i32 != -40 || f_rs[1].of.i64 != 30 || f_rs[2].of.i64 != -20 ||
      f_rs[3].of.i32 != 10)
    fail("unexpected results from f");

  printf("Calling swap...\n");
  wasm_val_t s_as[2] = {WASM_F32_VAL(1.5f), WASM_F64_VAL(-2.25)};
  wasm_val_t s_rs[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t s_args = WASM_ARRAY_VEC(s_as);
  wasm_val_vec_t s_results = WASM_ARRAY_VEC(s_rs);
  call_and_print(swap, &s_args, &s_results);
  if (s_rs[0].kind != WASM_F64 || s_rs[0].of.f64 != -2.25 || s_rs[1].kind != WASM_F32 ||
      s_rs[1].of.f32 != 1.5f)
    fail("unexpected results from swap");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(f);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
