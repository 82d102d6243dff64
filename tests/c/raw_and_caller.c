/* Craneway's raw fast path: wasm_func_call_unchecked, raw host functions
 * (wasm_func_new_unchecked), host functions that reach their calling
 * instance (craneway_func_new_with_caller, craneway_caller_export,
 * craneway_caller_memory), and conversions between wasm_val_t and raw
 * slots (craneway_val_to_raw, craneway_val_from_raw). */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;

static const char* const WASM_WAT =
    "(module"
    "  (func (export \"add\") (param i32 i64) (result i64)"
    "    local.get 0 i64.extend_i32_s local.get 1 i64.add)"
    "  (func (export \"swap\") (param f32 f64) (result f64 f32) local.get 1 local.get 0)"
    "  (func (export \"v\") (param v128) (result v128) local.get 0 i32x4.neg)"
    "  (func $f (export \"self\") (result funcref) ref.func $f)"
    "  (func (export \"id\") (param funcref) (result funcref) local.get 0)"
    "  (func (export \"boom\") (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)"
    "  (func (export \"three\") (result i32 i32 i32) i32.const 1 i32.const 2 i32.const 3))";

static void raw_calls(void) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store, WASM_WAT, &exports);
  wasm_val_raw_t s[3];
  wasm_trap_t* trap;
  int i;

  if (instance == NULL || exports.size != 7) goto out;

  memset(s, 0, sizeof s);
  s[0].i32 = -2;
  s[1].i64 = 0x100000000LL;
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 0), s, 2));
  CHECK_INT(s[0].i64, 0xfffffffeLL);

  s[0].f32 = 1.5f;
  s[1].f64 = -4.0;
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 1), s, 2));
  CHECK(s[0].f64 == -4.0 && s[1].f32 == 1.5f);

  for (i = 0; i < 16; i++) s[0].v128[i] = 0;
  s[0].v128[0] = 1;  /* lane 0 = 1 */
  s[0].v128[4] = 2;  /* lane 1 = 2 */
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 2), s, 1));
  CHECK(s[0].v128[0] == 0xff && s[0].v128[3] == 0xff && s[0].v128[4] == 0xfe &&
        s[0].v128[8] == 0 && s[0].v128[15] == 0);

  /* More results than parameters: three slots. */
  memset(s, 0, sizeof s);
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 6), s, 3));
  CHECK(s[0].i32 == 1 && s[1].i32 == 2 && s[2].i32 == 3);

  /* A funcref slot: out of one function, into another, and back to a
   * value: the same function. */
  memset(s, 0, sizeof s);
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 3), s, 1));
  CHECK(s[0].funcref != NULL);
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 4), s, 1));
  CHECK(s[0].funcref != NULL);
  {
    wasm_val_t v;
    CHECK(craneway_val_from_raw(store, &s[0], WASM_FUNCREF, &v));
    CHECK(v.kind == WASM_FUNCREF && v.of.ref != NULL &&
          wasm_func_same(wasm_ref_as_func(v.of.ref), export_func(&exports, 3)));
    wasm_val_delete(&v);
  }
  /* A null funcref is a NULL slot. */
  s[0].funcref = NULL;
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 4), s, 1));
  CHECK(s[0].funcref == NULL);

  /* A trap: message, frames, and the store is usable afterwards. */
  s[0].i32 = 5;
  trap = wasm_func_call_unchecked(export_func(&exports, 5), s, 1);
  CHECK(trap != NULL);
  if (trap != NULL) {
    wasm_frame_t* origin = wasm_trap_origin(trap);
    CHECK(origin != NULL && wasm_frame_func_index(origin) == 5);
    wasm_frame_delete(origin);
    CHECK_TRAP(trap, "integer divide by zero");
  }
  s[0].i32 = -1;
  s[1].i64 = 1;
  CHECK_NO_TRAP(wasm_func_call_unchecked(export_func(&exports, 0), s, 2));
  CHECK_INT(s[0].i64, 0);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

/* A raw host function: (i32, i64) -> (i64), scaled by *env. */
static size_t raw_len_seen;
static wasm_trap_t* raw_scale_cb(void* env, wasm_val_raw_t* slots, size_t len) {
  raw_len_seen = len;
  slots[0].i64 = ((int64_t)slots[0].i32 + slots[1].i64) * *(int*)env;
  return NULL;
}

/* A raw host function: () -> (), traps. */
static wasm_trap_t* raw_trap_cb(void* env, wasm_val_raw_t* slots, size_t len) {
  wasm_message_t msg;
  wasm_trap_t* trap;
  (void)env;
  (void)slots;
  (void)len;
  wasm_name_new_from_string_nt(&msg, "raw host trap");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  return trap;
}

/* () -> (i32, i32, i32): writes three results into one-slot-per-result. */
static wasm_trap_t* raw_three_cb(void* env, wasm_val_raw_t* slots, size_t len) {
  (void)env;
  raw_len_seen = len;
  slots[0].i32 = 7;
  slots[1].i32 = 8;
  slots[2].i32 = 9;
  return NULL;
}

static int finalized;
static void finalizer(void* env) {
  (void)env;
  finalized++;
}

static void raw_host_functions(void) {
  wasm_store_t* s = wasm_store_new(engine);
  wasm_functype_t* ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                              wasm_valtype_new_i64());
  wasm_functype_t* trap_t = wasm_functype_new_0_0();
  wasm_functype_t* three_t;
  static int ten = 10;
  wasm_func_t* scale = wasm_func_new_unchecked(s, ft, raw_scale_cb, &ten, finalizer);
  wasm_func_t* raw_trap = wasm_func_new_unchecked(s, trap_t, raw_trap_cb, NULL, NULL);
  wasm_func_t* three;
  wasm_extern_t* imports[2];
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
  wasm_val_t a[2] = {WASM_I32_VAL(3), WASM_I64_VAL(4)}, r[3];
  wasm_val_raw_t slots[3];

  {
    wasm_valtype_t* rs[3];
    wasm_valtype_vec_t p, res;
    rs[0] = wasm_valtype_new_i32();
    rs[1] = wasm_valtype_new_i32();
    rs[2] = wasm_valtype_new_i32();
    wasm_valtype_vec_new_empty(&p);
    wasm_valtype_vec_new(&res, 3, rs);
    three_t = wasm_functype_new(&p, &res);
  }
  three = wasm_func_new_unchecked(s, three_t, raw_three_cb, NULL, NULL);

  finalized = 0;
  CHECK(scale != NULL && raw_trap != NULL && three != NULL);
  CHECK_INT(wasm_func_param_arity(scale), 2);
  CHECK_INT(wasm_func_result_arity(scale), 1);

  /* Through the checked call. */
  raw_len_seen = 0;
  CHECK_NO_TRAP(CALL(scale, a, r));
  CHECK(r[0].kind == WASM_I64 && r[0].of.i64 == 70);
  CHECK_INT(raw_len_seen, 2);
  /* Through the raw call. */
  slots[0].i32 = 1;
  slots[1].i64 = 1;
  CHECK_NO_TRAP(wasm_func_call_unchecked(scale, slots, 2));
  CHECK_INT(slots[0].i64, 20);
  /* More results than parameters. */
  raw_len_seen = 0;
  CHECK_NO_TRAP(CALL_RESULTS(three, r));
  CHECK_INT(raw_len_seen, 3);
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 7 && r[2].of.i32 == 9);
  /* A trap from the host. */
  CHECK_TRAP(CALL0(raw_trap), "raw host trap");
  CHECK_TRAP(wasm_func_call_unchecked(raw_trap, NULL, 0), "raw host trap");

  /* From wasm. */
  imports[0] = wasm_func_as_extern(scale);
  imports[1] = wasm_func_as_extern(raw_trap);
  module = COMPILE(s,
      "(module (import \"\" \"scale\" (func $s (param i32 i64) (result i64)))"
      "  (import \"\" \"trap\" (func $t))"
      "  (func (export \"f\") (result i64) i32.const 2 i64.const 5 call $s)"
      "  (func (export \"g\") call $t))");
  instance = INSTANTIATE(s, module, imports, 2);
  if (instance != NULL) {
    wasm_instance_exports(instance, &exports);
    CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 0), r));
    CHECK_INT(r[0].of.i64, 70);
    {
      wasm_trap_t* trap = CALL0(export_func(&exports, 1));
      wasm_frame_t* origin = trap != NULL ? wasm_trap_origin(trap) : NULL;
      CHECK(origin != NULL && wasm_frame_func_index(origin) == 3);
      wasm_frame_delete(origin);
      CHECK_TRAP(trap, "raw host trap");
    }
    wasm_extern_vec_delete(&exports);
  }
  wasm_instance_delete(instance);
  wasm_module_delete(module);

  /* The finalizer runs with the store, once. */
  wasm_func_delete(scale);
  wasm_func_delete(raw_trap);
  wasm_func_delete(three);
  CHECK_INT(finalized, 0);
  wasm_store_delete(s);
  CHECK_INT(finalized, 1);

  /* Not made: NULL, and the caller keeps env (no finalizer call). */
  finalized = 0;
  s = wasm_store_new(engine);
  CHECK(wasm_func_new_unchecked(NULL, ft, raw_scale_cb, &ten, finalizer) == NULL);
  CHECK(wasm_func_new_unchecked(s, NULL, raw_scale_cb, &ten, finalizer) == NULL);
  CHECK(wasm_func_new_unchecked(s, ft, NULL, &ten, finalizer) == NULL);
  wasm_store_delete(s);
  CHECK_INT(finalized, 0);

  wasm_functype_delete(ft);
  wasm_functype_delete(trap_t);
  wasm_functype_delete(three_t);
}

/* A host function with its caller: reads and writes the calling
 * instance's memory and global. (i32) -> (i32). */
struct caller_log {
  int calls;
  int memory_found;
  size_t memory_size;
  int global_found;
  int missing_is_null;
  int not_a_memory;
  int bad_name;
  int null_outs;
};

static wasm_trap_t* with_caller_cb(void* env, craneway_caller_t* caller, wasm_val_raw_t* slots,
                                   size_t len) {
  struct caller_log* log = env;
  uint8_t* data = NULL;
  size_t size = 0;
  wasm_extern_t* g;
  (void)len;
  log->calls++;
  log->memory_found = craneway_caller_memory(caller, "mem", 3, &data, &size);
  log->memory_size = size;
  if (log->memory_found && data != NULL && (size_t)slots[0].i32 < size) {
    data[slots[0].i32] = 0x77; /* wasm reads it back */
  }
  /* Only the first `len` bytes of the name count. */
  g = craneway_caller_export(caller, "glob-and-more", 4);
  log->global_found = g != NULL && wasm_extern_kind(g) == WASM_EXTERN_GLOBAL;
  if (log->global_found) {
    wasm_val_t v;
    wasm_global_get(wasm_extern_as_global(g), &v);
    slots[0].i32 = v.of.i32 + 1;
    v.of.i32 = 500;
    wasm_global_set(wasm_extern_as_global(g), &v);
  } else {
    slots[0].i32 = -1;
  }
  wasm_extern_delete(g);
  g = craneway_caller_export(caller, "nope", 4);
  log->missing_is_null = g == NULL;
  wasm_extern_delete(g);
  log->not_a_memory = !craneway_caller_memory(caller, "glob", 4, &data, &size);
  log->bad_name = craneway_caller_export(caller, "\xff", 1) == NULL &&
                  craneway_caller_export(caller, NULL, 3) == NULL;
  log->null_outs = craneway_caller_memory(caller, "mem", 3, NULL, NULL);
  return NULL;
}

static void caller_functions(void) {
  wasm_store_t* s = wasm_store_new(engine);
  wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  struct caller_log log;
  wasm_func_t* f = craneway_func_new_with_caller(s, ft, with_caller_cb, &log, finalizer);
  wasm_extern_t* imports[1];
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
  wasm_val_t a[1] = {WASM_I32_VAL(16)}, r[1];

  memset(&log, 0, sizeof log);
  finalized = 0;
  CHECK(f != NULL);
  imports[0] = wasm_func_as_extern(f);
  module = COMPILE(s,
      "(module (import \"\" \"host\" (func $h (param i32) (result i32)))"
      "  (memory (export \"mem\") 2)"
      "  (global $g (export \"glob\") (mut i32) (i32.const 41))"
      "  (func (export \"run\") (param i32) (result i32)"
      "    local.get 0 call $h local.get 0 i32.load8_u i32.add)"
      "  (func (export \"g\") (result i32) global.get $g))");
  instance = INSTANTIATE(s, module, imports, 1);
  if (instance != NULL) {
    wasm_instance_exports(instance, &exports);
    CHECK_NO_TRAP(CALL(export_func(&exports, 2), a, r));
    CHECK_INT(log.calls, 1);
    CHECK(log.memory_found);
    CHECK_INT(log.memory_size, 2 * 65536);
    CHECK(log.global_found);
    CHECK(log.missing_is_null);
    CHECK(log.not_a_memory);
    CHECK(log.bad_name);
    CHECK(log.null_outs);
    CHECK_INT(r[0].of.i32, 42 + 0x77);
    CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 3), r));
    CHECK_INT(r[0].of.i32, 500);
    wasm_extern_vec_delete(&exports);
  }

  /* Called by the host, there is no calling instance. */
  memset(&log, 0, sizeof log);
  CHECK_NO_TRAP(CALL(f, a, r));
  CHECK_INT(log.calls, 1);
  CHECK(!log.memory_found);
  CHECK(!log.global_found);
  CHECK_INT(r[0].of.i32, -1);

  /* NULL caller: nothing. */
  CHECK(craneway_caller_export(NULL, "mem", 3) == NULL);
  CHECK(!craneway_caller_memory(NULL, "mem", 3, NULL, NULL));

  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(f);
  wasm_store_delete(s);
  CHECK_INT(finalized, 1);

  /* Not made: NULL, and no finalizer call. */
  finalized = 0;
  s = wasm_store_new(engine);
  CHECK(craneway_func_new_with_caller(s, NULL, with_caller_cb, &log, finalizer) == NULL);
  CHECK(craneway_func_new_with_caller(s, ft, NULL, &log, finalizer) == NULL);
  wasm_store_delete(s);
  CHECK_INT(finalized, 0);
  wasm_functype_delete(ft);
}

static void conversions(void) {
  wasm_val_t v, out;
  wasm_val_raw_t raw;
  int i;
  wasm_functype_t* ft = wasm_functype_new_0_0();
  wasm_func_t* f = wasm_func_new_unchecked(store, ft, raw_trap_cb, NULL, NULL);
  wasm_store_t* other = wasm_store_new(engine);
  wasm_func_t* stranger = wasm_func_new_unchecked(other, ft, raw_trap_cb, NULL, NULL);

  v.kind = WASM_I32;
  v.of.i32 = -77;
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK_INT(raw.i32, -77);
  CHECK(craneway_val_from_raw(store, &raw, WASM_I32, &out));
  CHECK(out.kind == WASM_I32 && out.of.i32 == -77);

  v.kind = WASM_I64;
  v.of.i64 = INT64_MIN + 5;
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.i64 == INT64_MIN + 5);
  CHECK(craneway_val_from_raw(store, &raw, WASM_I64, &out));
  CHECK(out.kind == WASM_I64 && out.of.i64 == INT64_MIN + 5);

  v.kind = WASM_F32;
  v.of.f32 = 0.125f;
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.f32 == 0.125f);
  CHECK(craneway_val_from_raw(store, &raw, WASM_F32, &out));
  CHECK(out.kind == WASM_F32 && out.of.f32 == 0.125f);

  v.kind = WASM_F64;
  v.of.f64 = 1e300;
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.f64 == 1e300);
  CHECK(craneway_val_from_raw(store, &raw, WASM_F64, &out));
  CHECK(out.kind == WASM_F64 && out.of.f64 == 1e300);

  v.kind = WASM_V128;
  for (i = 0; i < 16; i++) v.of.v128[i] = (uint8_t)(100 + i);
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(memcmp(raw.v128, v.of.v128, 16) == 0);
  CHECK(craneway_val_from_raw(store, &raw, WASM_V128, &out));
  CHECK(out.kind == WASM_V128 && memcmp(out.of.v128, v.of.v128, 16) == 0);

  /* References: null, a function of this store, one of another. */
  v.kind = WASM_FUNCREF;
  v.of.ref = NULL;
  raw.i64 = -1;
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.funcref == NULL);
  CHECK(craneway_val_from_raw(store, &raw, WASM_FUNCREF, &out));
  CHECK(out.kind == WASM_FUNCREF && out.of.ref == NULL);
  v.kind = WASM_EXTERNREF;
  raw.i64 = -1;
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.externref == NULL);
  CHECK(craneway_val_from_raw(store, &raw, WASM_EXTERNREF, &out));
  CHECK(out.kind == WASM_EXTERNREF && out.of.ref == NULL);

  v.kind = WASM_FUNCREF;
  v.of.ref = wasm_func_as_ref(f);
  CHECK(craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.funcref != NULL);
  CHECK(craneway_val_from_raw(store, &raw, WASM_FUNCREF, &out));
  CHECK(out.kind == WASM_FUNCREF && out.of.ref != NULL &&
        wasm_func_same(wasm_ref_as_func(out.of.ref), f));
  wasm_val_delete(&out);

  v.of.ref = wasm_func_as_ref(stranger);
  raw.i64 = -1;
  CHECK(!craneway_val_to_raw(store, &v, &raw));
  CHECK(raw.i64 == 0 && raw.funcref == NULL);

  /* Unknown kinds. */
  v.kind = 9;
  raw.i64 = -1;
  CHECK(!craneway_val_to_raw(store, &v, &raw));
  CHECK_INT(raw.i64, 0);
  raw.i32 = 5;
  out.kind = WASM_F64;
  CHECK(!craneway_val_from_raw(store, &raw, 9, &out));
  CHECK(out.kind == WASM_I32 && out.of.i32 == 0);

  wasm_func_delete(f);
  wasm_func_delete(stranger);
  wasm_functype_delete(ft);
  wasm_store_delete(other);
}

/* NULL arguments. */
static void null_arguments(void) {
  wasm_val_t v = WASM_I32_VAL(1);
  wasm_val_raw_t raw;
  wasm_functype_t* ft = wasm_functype_new_0_0();
  CHECK(wasm_func_new_unchecked(store, ft, NULL, NULL, NULL) == NULL);
  CHECK(craneway_func_new_with_caller(NULL, ft, with_caller_cb, NULL, NULL) == NULL);
  wasm_functype_delete(ft);
  raw.i64 = 0;
  PROBE("wasm_func_call_unchecked(NULL, slots, 0)",
        wasm_trap_t* t = wasm_func_call_unchecked(NULL, &raw, 0); EXPECT(t != NULL);
        wasm_trap_delete(t));
  PROBE("craneway_val_to_raw(NULL, val, &raw)", EXPECT(!craneway_val_to_raw(NULL, &v, &raw)));
  PROBE("craneway_val_to_raw(store, NULL, &raw)", EXPECT(!craneway_val_to_raw(store, NULL, &raw)));
  PROBE("craneway_val_to_raw(store, val, NULL)", EXPECT(!craneway_val_to_raw(store, &v, NULL)));
  PROBE("craneway_val_from_raw(NULL, raw, WASM_I32, &v)", wasm_val_t o;
        EXPECT(!craneway_val_from_raw(NULL, &raw, WASM_I32, &o)));
  PROBE("craneway_val_from_raw(store, NULL, WASM_I32, &v)", wasm_val_t o;
        EXPECT(!craneway_val_from_raw(store, NULL, WASM_I32, &o)));
  PROBE("craneway_val_from_raw(store, raw, WASM_I32, NULL)",
        EXPECT(!craneway_val_from_raw(store, &raw, WASM_I32, NULL)));
}

static void cleanup(void) {
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  check_probe_cleanup = cleanup;
  raw_calls();
  raw_host_functions();
  caller_functions();
  conversions();
  null_arguments();
  cleanup();
  return check_done("raw_and_caller");
}
