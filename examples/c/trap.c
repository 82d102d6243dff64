/* trap: traps raised by a host function and by wasm, with their messages
 * and the wasm frames they unwound.
 *
 * Shows: a host callback returning a trap made with wasm_trap_new, which
 * reaches the caller of the export with the same message; wasm traps
 * (unreachable, integer divide by zero) with their spec messages; origins
 * and traces; and a trap made outside wasm, which has no frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

/* Function indices: 0 $callback (imported), 1 "callback", 2 "unreachable",
 * 3 $div, 4 "divide". */
static const char *const wat =
    "(module\n"
    "  (func $callback (import \"\" \"callback\") (result i32))\n"
    "  (func (export \"callback\") (result i32) (call $callback))\n"
    "  (func (export \"unreachable\") (result i32) (unreachable) (i32.const 1))\n"
    "  (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))\n"
    "  (func (export \"divide\") (result i32) (call $div (i32.const 1) (i32.const 0))))\n";

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

/* The host function: fails with a trap of its own (env is the store). */
static wasm_trap_t *fail_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args;
  (void)results;
  printf("Calling back...\n");
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "callback abort");
  wasm_trap_t *trap = wasm_trap_new((wasm_store_t *)env, &message);
  wasm_name_delete(&message);
  return trap;
}

static void print_frame(const wasm_frame_t *frame) {
  printf("func %u @ module offset 0x%zx\n", wasm_frame_func_index(frame),
         wasm_frame_module_offset(frame));
}

/* Prints the trap's message, origin and trace; checks the message and the
 * functions of the trace (innermost first). */
static void print_trap(wasm_trap_t *trap, const wasm_instance_t *instance, const char *expected,
                       size_t nframes, const uint32_t *funcs) {
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("> message: %s\n", message.data);
  if (strcmp(message.data, expected) != 0) fail("unexpected trap message");
  wasm_byte_vec_delete(&message);

  wasm_frame_t *origin = wasm_trap_origin(trap);
  if (nframes == 0) {
    printf("> no origin\n");
    if (origin) fail("a trap made outside wasm has an origin");
  } else {
    if (!origin) fail("the trap has no origin");
    printf("> origin: ");
    print_frame(origin);
    if (wasm_frame_func_index(origin) != funcs[0]) fail("unexpected origin");
    if (instance && !wasm_instance_same(wasm_frame_instance(origin), instance))
      fail("the origin's instance is not the instance");
    wasm_frame_delete(origin);
  }

  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  printf("> trace: %zu frames\n", trace.size);
  for (size_t i = 0; i < trace.size; i++) {
    if (!trace.data[i]) fail("a NULL frame in the trace");
    printf(">   [%zu] ", i);
    print_frame(trace.data[i]);
  }
  if (trace.size != nframes) fail("unexpected number of frames");
  for (size_t i = 0; i < trace.size; i++)
    if (wasm_frame_func_index(trace.data[i]) != funcs[i]) fail("unexpected frame");
  wasm_frame_vec_delete(&trace);
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
  wasm_functype_t *callback_type = wasm_functype_new_0_1(wasm_valtype_new_i32());
  if (!callback_type) fail("creating function type");
  wasm_func_t *callback = wasm_func_new_with_env(store, callback_type, fail_callback, store, NULL);
  if (!callback) fail("creating callback");
  wasm_functype_delete(callback_type);

  printf("Instantiating module...\n");
  wasm_extern_t *externs[] = {wasm_func_as_extern(callback)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(externs);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  if (!instance) fail("instantiating module");
  wasm_module_delete(module);

  printf("Extracting exports...\n");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 3) fail("expected three exports");
  static const char *const names[] = {"callback", "unreachable", "divide"};
  static const char *const messages[] = {"callback abort", "unreachable",
                                         "integer divide by zero"};
  static const size_t nframes[] = {1, 1, 2};
  static const uint32_t funcs[][2] = {{1, 0}, {2, 0}, {3, 4}};

  for (size_t i = 0; i < exports.size; i++) {
    const wasm_func_t *func = wasm_extern_as_func_const(exports.data[i]);
    if (!func) fail("an export is not a function");
    printf("Calling export \"%s\"...\n", names[i]);
    wasm_val_t rs[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_EMPTY_VEC;
    wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
    wasm_trap_t *trap = wasm_func_call(func, &args, &results);
    if (!trap) fail("the call did not trap");
    print_trap(trap, instance, messages[i], nframes[i], funcs[i]);
    wasm_trap_delete(trap);
  }

  printf("Calling the callback directly...\n");
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC;
  wasm_val_vec_t results = WASM_ARRAY_VEC(rs);
  wasm_trap_t *trap = wasm_func_call(callback, &args, &results);
  if (!trap) fail("the call did not trap");
  print_trap(trap, NULL, "callback abort", 0, NULL);
  wasm_trap_delete(trap);

  printf("Creating a trap on the host...\n");
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "made by the host");
  trap = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  if (!trap) fail("creating a trap");
  print_trap(trap, NULL, "made by the host", 0, NULL);
  wasm_trap_t *copy = wasm_trap_copy(trap);
  if (!copy) fail("copying a trap");
  printf("> a copy is the same trap: %s\n", wasm_trap_same(trap, copy) ? "yes" : "no");
  if (!wasm_trap_same(trap, copy)) fail("a trap's copy is not the same trap");
  wasm_trap_delete(copy);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(callback);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
