/* Traps (made by the host, raised by wasm, raised by a host function that
 * wasm called) and their frames: origin, trace, function indices, module
 * offsets, instances; every wasm trap message. */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;

static wasm_trap_t* host_trap_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_message_t msg;
  wasm_trap_t* trap;
  (void)args;
  (void)results;
  wasm_name_new_from_string_nt(&msg, "from the host");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  return trap;
}

static void host_made_traps(void) {
  wasm_message_t msg, out;
  wasm_trap_t* trap;
  wasm_trap_t* copy;
  wasm_frame_vec_t trace;

  /* With the terminator. */
  wasm_name_new_from_string_nt(&msg, "it went wrong");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  CHECK(trap != NULL);
  wasm_trap_message(trap, &out);
  CHECK_INT(out.size, 14);
  CHECK(out.size == 14 && memcmp(out.data, "it went wrong", 14) == 0);
  wasm_byte_vec_delete(&out);
  /* No frames. */
  CHECK(wasm_trap_origin(trap) == NULL);
  wasm_trap_trace(trap, &trace);
  CHECK_INT(trace.size, 0);
  wasm_frame_vec_delete(&trace);

  copy = wasm_trap_copy(trap);
  CHECK(copy != NULL && copy != trap && wasm_trap_same(copy, trap));
  wasm_trap_delete(trap);
  wasm_trap_message(copy, &out);
  CHECK_MSG(&out, "it went wrong");
  wasm_byte_vec_delete(&out);
  wasm_trap_delete(copy);

  /* Without the terminator: the message gets one. */
  wasm_name_new_from_string(&msg, "no nul");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  wasm_trap_message(trap, &out);
  CHECK(out.size == 7 && memcmp(out.data, "no nul", 7) == 0);
  wasm_byte_vec_delete(&out);
  wasm_trap_delete(trap);

  /* Empty. */
  wasm_name_new_empty(&msg);
  trap = wasm_trap_new(store, &msg);
  CHECK(trap != NULL);
  wasm_trap_message(trap, &out);
  CHECK(out.size == 1 && out.data[0] == '\0');
  wasm_byte_vec_delete(&out);
  wasm_trap_delete(trap);

  /* Two traps with one message are still two traps. */
  wasm_name_new_from_string_nt(&msg, "same");
  trap = wasm_trap_new(store, &msg);
  copy = wasm_trap_new(store, &msg);
  CHECK(!wasm_trap_same(trap, copy));
  wasm_trap_delete(trap);
  wasm_trap_delete(copy);
  wasm_byte_vec_delete(&msg);
}

/* A trap three calls deep. Function indices count the import first. */
static const char* const NESTED_WAT =
    "(module"
    "  (import \"\" \"h\" (func $h))"
    "  (func $outer (export \"outer\") call $middle)"
    "  (func $middle call $inner)"
    "  (func $inner nop unreachable)"
    "  (func (export \"via_host\") nop call $h))";

static void wasm_traps_and_frames(void) {
  wasm_byte_vec_t binary;
  wasm_module_t* module;
  wasm_functype_t* ft = wasm_functype_new_0_0();
  wasm_func_t* h = wasm_func_new(store, ft, host_trap_cb);
  wasm_extern_t* imports[1];
  wasm_instance_t* instance = NULL;
  wasm_extern_vec_t exports;
  wasm_trap_t* trap;
  wasm_frame_t* origin;
  wasm_frame_t* fcopy;
  wasm_frame_vec_t trace, tcopy, empty;
  size_t i;

  WAT_TO_BINARY(NESTED_WAT, &binary);
  module = wasm_module_new(store, &binary);
  CHECK(module != NULL);
  imports[0] = wasm_func_as_extern(h);
  instance = INSTANTIATE(store, module, imports, 1);
  if (instance == NULL) goto out;
  wasm_instance_exports(instance, &exports);

  trap = CALL0(export_func(&exports, 0));
  CHECK(trap != NULL);
  if (trap == NULL) goto out_exports;

  wasm_trap_trace(trap, &trace);
  CHECK_INT(trace.size, 3);
  if (trace.size == 3) {
    /* Innermost first: $inner (3), $middle (2), $outer (1). */
    CHECK_INT(wasm_frame_func_index(trace.data[0]), 3);
    CHECK_INT(wasm_frame_func_index(trace.data[1]), 2);
    CHECK_INT(wasm_frame_func_index(trace.data[2]), 1);
    /* Module offsets point at the instructions: unreachable, then calls. */
    for (i = 0; i < 3; i++) CHECK(wasm_frame_module_offset(trace.data[i]) < binary.size);
    if (wasm_frame_module_offset(trace.data[0]) < binary.size) {
      CHECK_INT((uint8_t)binary.data[wasm_frame_module_offset(trace.data[0])], 0x00);
      CHECK_INT((uint8_t)binary.data[wasm_frame_module_offset(trace.data[0]) - 1], 0x01); /* nop */
    }
    if (wasm_frame_module_offset(trace.data[1]) < binary.size)
      CHECK_INT((uint8_t)binary.data[wasm_frame_module_offset(trace.data[1])], 0x10);
    if (wasm_frame_module_offset(trace.data[2]) < binary.size)
      CHECK_INT((uint8_t)binary.data[wasm_frame_module_offset(trace.data[2])], 0x10);
    /* The frames know their instance. */
    for (i = 0; i < 3; i++) {
      const wasm_instance_t* fi = wasm_frame_instance(trace.data[i]);
      CHECK(fi != NULL && wasm_instance_same(fi, instance));
    }

    /* The origin is the innermost frame. */
    origin = wasm_trap_origin(trap);
    CHECK(origin != NULL);
    if (origin != NULL) {
      CHECK_INT(wasm_frame_func_index(origin), 3);
      CHECK_INT(wasm_frame_module_offset(origin), wasm_frame_module_offset(trace.data[0]));
      CHECK_INT(wasm_frame_func_offset(origin), wasm_frame_func_offset(trace.data[0]));
      fcopy = wasm_frame_copy(origin);
      wasm_frame_delete(origin);
      CHECK(fcopy != NULL);
      CHECK_INT(wasm_frame_func_index(fcopy), 3);
      CHECK_INT(wasm_frame_module_offset(fcopy), wasm_frame_module_offset(trace.data[0]));
      CHECK_INT(wasm_frame_func_offset(fcopy), wasm_frame_func_offset(trace.data[0]));
      CHECK(wasm_frame_instance(fcopy) != NULL &&
            wasm_instance_same(wasm_frame_instance(fcopy), instance));
      wasm_frame_delete(fcopy);
    }
    /* Native offsets: the callers' calls come after their function entry. */
    CHECK(wasm_frame_func_offset(trace.data[1]) > 0);
    CHECK(wasm_frame_func_offset(trace.data[2]) > 0);

    /* Frame vectors. */
    wasm_frame_vec_copy(&tcopy, &trace);
    CHECK_INT(tcopy.size, 3);
    if (tcopy.size == 3) {
      CHECK(tcopy.data[1] != trace.data[1]);
      CHECK_INT(wasm_frame_func_index(tcopy.data[1]), 2);
      CHECK_INT(wasm_frame_module_offset(tcopy.data[2]), wasm_frame_module_offset(trace.data[2]));
    }
    wasm_frame_vec_delete(&tcopy);
    {
      wasm_frame_t* two[2];
      two[0] = wasm_frame_copy(trace.data[0]);
      two[1] = wasm_frame_copy(trace.data[2]);
      wasm_frame_vec_new(&tcopy, 2, two);
      CHECK(tcopy.size == 2 && tcopy.data[1] == two[1]);
      wasm_frame_vec_delete(&tcopy);
    }
  }
  wasm_frame_vec_delete(&trace);
  /* Frames outlive their trap, and the trap its message. */
  wasm_frame_vec_new_empty(&empty);
  CHECK_INT(empty.size, 0);
  wasm_frame_vec_delete(&empty);
  wasm_frame_vec_new_uninitialized(&empty, 2);
  CHECK(empty.size == 2 && empty.data[0] == NULL);
  wasm_frame_vec_delete(&empty);
  CHECK_TRAP(trap, "unreachable");

  /* A trap from a host function that wasm called: the host's message, and
   * the wasm frame that made the call. */
  trap = CALL0(export_func(&exports, 1));
  CHECK(trap != NULL);
  if (trap != NULL) {
    origin = wasm_trap_origin(trap);
    CHECK(origin != NULL);
    if (origin != NULL) {
      CHECK_INT(wasm_frame_func_index(origin), 4);
      CHECK(wasm_frame_module_offset(origin) < binary.size &&
            (uint8_t)binary.data[wasm_frame_module_offset(origin)] == 0x10);
      wasm_frame_delete(origin);
    }
    wasm_trap_trace(trap, &trace);
    CHECK_INT(trace.size, 1);
    wasm_frame_vec_delete(&trace);
    CHECK_TRAP(trap, "from the host");
  }

out_exports:
  wasm_extern_vec_delete(&exports);
out:
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&binary);
  wasm_func_delete(h);
  wasm_functype_delete(ft);
}

/* The message of each kind of wasm trap. */
static void trap_messages(void) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (type $v (func))"
      "  (memory 1)"
      "  (table 2 funcref)"
      "  (func $other (param i32))"
      "  (elem (i32.const 0) $other)"
      "  (func (export \"unreachable\") unreachable)"
      "  (func (export \"div0\") i32.const 1 i32.const 0 i32.div_u drop)"
      "  (func (export \"overflow\") i32.const 0x80000000 i32.const -1 i32.div_s drop)"
      "  (func (export \"conversion\") f32.const nan i32.trunc_f32_s drop)"
      "  (func (export \"memory\") i32.const 65536 i32.load8_u drop)"
      "  (func (export \"table\") i32.const 2 table.get 0 drop)"
      "  (func (export \"signature\") i32.const 0 call_indirect (type $v))"
      "  (func (export \"null\") i32.const 1 call_indirect (type $v))"
      "  (func $r (export \"recurse\") call $r))",
      &exports);
  static const char* const want[] = {
      "unreachable",
      "integer divide by zero",
      "integer overflow",
      "invalid conversion to integer",
      "out of bounds memory access",
      "out of bounds table access",
      "indirect call type mismatch",
      "uninitialized element",
      "call stack exhausted",
  };
  size_t i;

  if (instance == NULL) goto out;
  for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
    wasm_trap_t* trap = CALL0(export_func(&exports, i));
    CHECKF(trap != NULL, "export %zu should trap with \"%s\"", i, want[i]);
    if (trap == NULL) continue;
    {
      wasm_frame_t* origin = wasm_trap_origin(trap);
      CHECK(origin != NULL); /* raised in wasm */
      wasm_frame_delete(origin);
    }
    CHECK_TRAP(trap, want[i]);
  }
  /* After a stack overflow, calls work again. */
  CHECK_TRAP(CALL0(export_func(&exports, 0)), "unreachable");
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  host_made_traps();
  wasm_traps_and_frames();
  trap_messages();
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("traps_and_frames");
}
