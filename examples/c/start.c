/* start: a module whose start function traps, so instantiation fails with
 * that trap.
 *
 * Shows: wasm_instance_new returning NULL with the trap, the trap's
 * message, its origin frame and its trace (innermost first). Offsets are
 * offsets in the module's bytes, so they depend only on the WAT below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "craneway.h"
#include "wasm.h"

/* $start (function 1) calls $fail (function 0), which traps. */
static const char *const wat =
    "(module\n"
    "  (func $fail (unreachable))\n"
    "  (func $start (nop) (call $fail))\n"
    "  (start $start))\n";

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

static void print_frame(const wasm_frame_t *frame) {
  printf("func %u @ module offset 0x%zx\n", wasm_frame_func_index(frame),
         wasm_frame_module_offset(frame));
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
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  if (instance) fail("instantiation succeeded despite the trapping start function");
  if (!trap) fail("instantiation failed without a trap");
  wasm_module_delete(module);

  printf("Printing message...\n");
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  if (message.size == 0 || message.data[message.size - 1] != '\0')
    fail("the message is not null-terminated");
  printf("> %s\n", message.data);
  if (strcmp(message.data, "unreachable") != 0) fail("unexpected trap message");
  wasm_byte_vec_delete(&message);

  printf("Printing origin...\n");
  wasm_frame_t *origin = wasm_trap_origin(trap);
  if (!origin) fail("the trap has no origin");
  printf("> ");
  print_frame(origin);
  if (wasm_frame_func_index(origin) != 0) fail("the origin is not $fail");
  wasm_frame_t *copy = wasm_frame_copy(origin);
  if (!copy) fail("copying a frame");
  if (wasm_frame_func_index(copy) != wasm_frame_func_index(origin) ||
      wasm_frame_module_offset(copy) != wasm_frame_module_offset(origin))
    fail("a frame's copy differs");
  wasm_frame_delete(copy);
  wasm_frame_delete(origin);

  printf("Printing trace...\n");
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  printf("> %zu frames\n", trace.size);
  for (size_t i = 0; i < trace.size; i++) {
    if (!trace.data[i]) fail("a NULL frame in the trace");
    printf("> [%zu] ", i);
    print_frame(trace.data[i]);
  }
  if (trace.size != 2 || wasm_frame_func_index(trace.data[0]) != 0 ||
      wasm_frame_func_index(trace.data[1]) != 1)
    fail("the trace is not $fail, $start");
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  printf("Shutting down...\n");
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  printf("Done.\n");
  return 0;
}
