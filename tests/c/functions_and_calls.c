/* Functions: host functions (with and without environment), their types
 * and arities, and wasm_func_call with every kind of value (v128 too),
 * many arguments, host traps, re-entry, and calls made wrongly. */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;

/* (i32, i64) -> (i64): the sum, after checking what it was given. */
static int add_calls;
static int add_saw_zeroed_result;
static wasm_trap_t* add_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  add_calls++;
  add_saw_zeroed_result = results->size == 1 && results->data[0].kind == WASM_I64 &&
                          results->data[0].of.i64 == 0;
  if (args->size != 2 || args->data[0].kind != WASM_I32 || args->data[1].kind != WASM_I64) {
    return NULL; /* leaves the zero result: the caller's check fails */
  }
  results->data[0].of.i64 = args->data[0].of.i32 + args->data[1].of.i64;
  return NULL;
}

/* () -> (): traps with a message made in the store. */
static wasm_trap_t* trap_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_message_t msg;
  wasm_trap_t* trap;
  (void)args;
  (void)results;
  wasm_name_new_from_string_nt(&msg, "host says no");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  return trap;
}

/* () -> (i32): writes a result of the wrong kind. */
static wasm_trap_t* wrong_result_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_F64;
  results->data[0].of.f64 = 1.0;
  return NULL;
}

/* With environment: (i32) -> (i32), multiplies by *env. */
static int finalized;
static void* finalized_with;
static void count_finalizer(void* env) {
  finalized++;
  finalized_with = env;
}
static wasm_trap_t* scale_cb(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * *(int*)env;
  return NULL;
}

/* 17 i32 parameters -> i32: more than the library keeps on its stack. */
static wasm_trap_t* sum17_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  size_t i;
  int32_t sum = 0;
  for (i = 0; i < args->size; i++) sum += args->data[i].of.i32 * (int32_t)(i + 1);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = sum;
  return NULL;
}

/* v128 -> v128: reverses the bytes. */
static wasm_trap_t* reverse_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int i;
  if (args->data[0].kind != WASM_V128 || results->data[0].kind != WASM_V128) return NULL;
  for (i = 0; i < 16; i++) results->data[0].of.v128[i] = args->data[0].of.v128[15 - i];
  return NULL;
}

/* () -> (i32): calls back into wasm (the function in *env) and adds one. */
static wasm_trap_t* reenter_cb(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_val_t r[1];
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_vec_t rv = WASM_ARRAY_VEC(r);
  wasm_trap_t* trap;
  (void)args;
  trap = wasm_func_call((const wasm_func_t*)env, &none, &rv);
  if (trap != NULL) return trap;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = r[0].of.i32 + 1;
  return NULL;
}

static void host_functions(void) {
  wasm_functype_t* ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                              wasm_valtype_new_i64());
  wasm_func_t* add = wasm_func_new(store, ft, add_cb);
  wasm_func_t* copy;
  wasm_functype_t* got;
  wasm_val_t args[2] = {WASM_I32_VAL(40), WASM_I64_VAL(2)};
  wasm_val_t res[1];

  CHECK(add != NULL);
  CHECK_INT(wasm_func_param_arity(add), 2);
  CHECK_INT(wasm_func_result_arity(add), 1);
  got = wasm_func_type(add);
  CHECK(got != NULL && wasm_functype_params(got)->size == 2 &&
        wasm_valtype_kind(wasm_functype_params(got)->data[1]) == WASM_I64 &&
        wasm_valtype_kind(wasm_functype_results(got)->data[0]) == WASM_I64);
  wasm_functype_delete(got);
  wasm_functype_delete(ft); /* the function keeps its own copy */

  res[0].kind = WASM_F32; /* garbage: overwritten */
  res[0].of.i64 = -1;
  add_calls = 0;
  CHECK_NO_TRAP(CALL(add, args, res));
  CHECK_INT(add_calls, 1);
  CHECK(add_saw_zeroed_result);
  CHECK_INT(res[0].kind, WASM_I64);
  CHECK_INT(res[0].of.i64, 42);

  copy = wasm_func_copy(add);
  CHECK(copy != NULL && copy != add && wasm_func_same(copy, add));
  wasm_func_delete(add);
  /* The copy still works after the original reference is gone. */
  CHECK_NO_TRAP(CALL(copy, args, res));
  CHECK_INT(res[0].of.i64, 42);
  wasm_func_delete(copy);
}

static void host_functions_with_env(void) {
  wasm_store_t* s = wasm_store_new(engine);
  wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  static int three = 3;
  wasm_func_t* scale = wasm_func_new_with_env(s, ft, scale_cb, &three, count_finalizer);
  wasm_func_t* no_fin = wasm_func_new_with_env(s, ft, scale_cb, &three, NULL);
  wasm_val_t args[1] = {WASM_I32_VAL(14)};
  wasm_val_t res[1];

  finalized = 0;
  finalized_with = NULL;
  CHECK(scale != NULL && no_fin != NULL);
  CHECK_NO_TRAP(CALL(scale, args, res));
  CHECK_INT(res[0].of.i32, 42);
  CHECK_NO_TRAP(CALL(no_fin, args, res));
  CHECK_INT(res[0].of.i32, 42);

  /* The finalizer runs once, when the store and its last object are gone. */
  wasm_func_delete(scale);
  CHECK_INT(finalized, 0);
  wasm_store_delete(s);
  CHECK_INT(finalized, 0); /* no_fin still holds the store */
  CHECK_NO_TRAP(CALL(no_fin, args, res)); /* usable after the store handle is gone */
  CHECK_INT(res[0].of.i32, 42);
  wasm_func_delete(no_fin);
  CHECK_INT(finalized, 1);
  CHECK(finalized_with == &three);

  /* A function that is not created has no finalizer to run: the caller
   * still owns env. */
  finalized = 0;
  s = wasm_store_new(engine);
  CHECK(wasm_func_new_with_env(s, NULL, scale_cb, &three, count_finalizer) == NULL);
  CHECK(wasm_func_new_with_env(s, ft, NULL, &three, count_finalizer) == NULL);
  CHECK(wasm_func_new_with_env(NULL, ft, scale_cb, &three, count_finalizer) == NULL);
  wasm_store_delete(s);
  CHECK_INT(finalized, 0);
  wasm_functype_delete(ft);
}

static void all_value_kinds(void) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (func (export \"i32\") (param i32) (result i32) local.get 0 i32.const 1 i32.add)"
      "  (func (export \"i64\") (param i64) (result i64) local.get 0 i64.const 1 i64.add)"
      "  (func (export \"f32\") (param f32) (result f32) local.get 0 f32.const 0.5 f32.add)"
      "  (func (export \"f64\") (param f64) (result f64) local.get 0 f64.const 0.5 f64.add)"
      "  (func (export \"v128\") (result v128) v128.const i32x4 1 2 3 0x80000000)"
      "  (func (export \"lane\") (param v128) (result i64) local.get 0 i64x2.extract_lane 1)"
      "  (func (export \"ref\") (param externref) (result externref) local.get 0)"
      "  (func $f (export \"self\") (result funcref) ref.func $f)"
      "  (func (export \"id\") (param funcref) (result funcref) local.get 0)"
      "  (func (export \"multi\") (param i32 f64) (result f64 i32 i64)"
      "    local.get 1 local.get 0 i64.const -7)"
      "  (func (export \"nan\") (param f32) (result f32) local.get 0))",
      &exports);
  wasm_val_t a[2], r[3];
  int i, ok;
  float nan_in;
  uint32_t nan_bits = 0x7fa00001u, out_bits = 0;

  if (instance == NULL) goto out;
  a[0].kind = WASM_I32;
  a[0].of.i32 = INT32_MAX;
  CHECK_NO_TRAP(call_(export_func(&exports, 0), a, 1, r, 1, __FILE__, __LINE__));
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == INT32_MIN);
  a[0].kind = WASM_I64;
  a[0].of.i64 = 0x100000000LL;
  CHECK_NO_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__));
  CHECK(r[0].kind == WASM_I64 && r[0].of.i64 == 0x100000001LL);
  a[0].kind = WASM_F32;
  a[0].of.f32 = 1.0f;
  CHECK_NO_TRAP(call_(export_func(&exports, 2), a, 1, r, 1, __FILE__, __LINE__));
  CHECK(r[0].kind == WASM_F32 && r[0].of.f32 == 1.5f);
  a[0].kind = WASM_F64;
  a[0].of.f64 = -1.0;
  CHECK_NO_TRAP(call_(export_func(&exports, 3), a, 1, r, 1, __FILE__, __LINE__));
  CHECK(r[0].kind == WASM_F64 && r[0].of.f64 == -0.5);

  /* v128 out: kind WASM_V128, bytes little-endian in of.v128. */
  memset(&r[0], 0xee, sizeof r[0]);
  CHECK_NO_TRAP(call_(export_func(&exports, 4), NULL, 0, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].kind, WASM_V128);
  {
    static const uint8_t want[16] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0x80};
    CHECK(memcmp(r[0].of.v128, want, 16) == 0);
  }
  /* v128 in. */
  a[0].kind = WASM_V128;
  for (i = 0; i < 16; i++) a[0].of.v128[i] = (uint8_t)i;
  CHECK_NO_TRAP(call_(export_func(&exports, 5), a, 1, r, 1, __FILE__, __LINE__));
  CHECK(r[0].kind == WASM_I64 && r[0].of.i64 == 0x0f0e0d0c0b0a0908LL);

  /* A null externref passes through. */
  a[0].kind = WASM_EXTERNREF;
  a[0].of.ref = NULL;
  CHECK_NO_TRAP(call_(export_func(&exports, 6), a, 1, r, 1, __FILE__, __LINE__));
  CHECK(r[0].kind == WASM_EXTERNREF && r[0].of.ref == NULL);

  /* funcref out: the same function, callable. */
  CHECK_NO_TRAP(call_(export_func(&exports, 7), NULL, 0, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].kind, WASM_FUNCREF);
  CHECK(r[0].of.ref != NULL && wasm_ref_as_func(r[0].of.ref) != NULL);
  if (r[0].of.ref != NULL && wasm_ref_as_func(r[0].of.ref) != NULL) {
    wasm_func_t* f = wasm_ref_as_func(r[0].of.ref);
    wasm_val_t r2[1];
    CHECK(wasm_func_same(f, export_func(&exports, 7)));
    CHECK_NO_TRAP(call_(f, NULL, 0, r2, 1, __FILE__, __LINE__));
    CHECK(r2[0].kind == WASM_FUNCREF && r2[0].of.ref != NULL &&
          wasm_ref_same(r2[0].of.ref, r[0].of.ref));
    wasm_val_delete(&r2[0]);
    /* funcref in and back out. */
    a[0].kind = WASM_FUNCREF;
    a[0].of.ref = wasm_func_as_ref(export_func(&exports, 0));
    CHECK_NO_TRAP(call_(export_func(&exports, 8), a, 1, r2, 1, __FILE__, __LINE__));
    CHECK(r2[0].kind == WASM_FUNCREF && r2[0].of.ref != NULL &&
          r2[0].of.ref != a[0].of.ref &&
          wasm_func_same(wasm_ref_as_func(r2[0].of.ref), export_func(&exports, 0)));
    wasm_val_delete(&r2[0]);
  }
  wasm_val_delete(&r[0]);

  /* Several results. */
  a[0].kind = WASM_I32;
  a[0].of.i32 = 5;
  a[1].kind = WASM_F64;
  a[1].of.f64 = 2.5;
  CHECK_NO_TRAP(CALL(export_func(&exports, 9), a, r));
  CHECK(r[0].kind == WASM_F64 && r[0].of.f64 == 2.5);
  CHECK(r[1].kind == WASM_I32 && r[1].of.i32 == 5);
  CHECK(r[2].kind == WASM_I64 && r[2].of.i64 == -7);
  CHECK_INT(wasm_func_param_arity(export_func(&exports, 9)), 2);
  CHECK_INT(wasm_func_result_arity(export_func(&exports, 9)), 3);

  /* A NaN payload goes through unchanged. */
  memcpy(&nan_in, &nan_bits, 4);
  a[0].kind = WASM_F32;
  a[0].of.f32 = nan_in;
  CHECK_NO_TRAP(call_(export_func(&exports, 10), a, 1, r, 1, __FILE__, __LINE__));
  memcpy(&out_bits, &r[0].of.f32, 4);
  CHECK_INT(out_bits, nan_bits);

  /* More result slots than results is fine; the extra ones are untouched. */
  r[1].kind = WASM_I32;
  r[1].of.i32 = 1234;
  a[0].kind = WASM_I32;
  a[0].of.i32 = 1;
  CHECK_NO_TRAP(call_(export_func(&exports, 0), a, 1, r, 2, __FILE__, __LINE__));
  ok = r[0].of.i32 == 2 && r[1].kind == WASM_I32 && r[1].of.i32 == 1234;
  CHECK(ok);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

/* Host functions called from wasm, with every kind and many arguments. */
static void host_calls_from_wasm(void) {
  wasm_functype_t* add_t = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                                 wasm_valtype_new_i64());
  wasm_functype_t* v_t = wasm_functype_new_1_1(wasm_valtype_new(WASM_V128),
                                               wasm_valtype_new(WASM_V128));
  wasm_functype_t* trap_t = wasm_functype_new_0_0();
  wasm_functype_t* wrong_t = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_valtype_vec_t p17, r1;
  wasm_valtype_t* ps[17];
  wasm_valtype_t* rs[1];
  wasm_functype_t* sum_t;
  wasm_func_t* imports_f[5];
  wasm_extern_t* imports[5];
  wasm_module_t* module;
  wasm_instance_t* instance = NULL;
  wasm_extern_vec_t exports;
  wasm_val_t a[17], r[1];
  int i;
  int32_t want = 0;

  for (i = 0; i < 17; i++) ps[i] = wasm_valtype_new_i32();
  rs[0] = wasm_valtype_new_i32();
  wasm_valtype_vec_new(&p17, 17, ps);
  wasm_valtype_vec_new(&r1, 1, rs);
  sum_t = wasm_functype_new(&p17, &r1);

  imports_f[0] = wasm_func_new(store, add_t, add_cb);
  imports_f[1] = wasm_func_new(store, v_t, reverse_cb);
  imports_f[2] = wasm_func_new(store, trap_t, trap_cb);
  imports_f[3] = wasm_func_new(store, wrong_t, wrong_result_cb);
  imports_f[4] = wasm_func_new(store, sum_t, sum17_cb);
  for (i = 0; i < 5; i++) imports[i] = wasm_func_as_extern(imports_f[i]);
  module = COMPILE(store,
      "(module"
      "  (type $s17 (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32"
      "                          i32 i32) (result i32)))"
      "  (import \"\" \"add\" (func $add (param i32 i64) (result i64)))"
      "  (import \"\" \"rev\" (func $rev (param v128) (result v128)))"
      "  (import \"\" \"trap\" (func $trap))"
      "  (import \"\" \"wrong\" (func $wrong (result i32)))"
      "  (import \"\" \"sum17\" (func $sum17 (type $s17)))"
      "  (func (export \"add\") (result i64) i32.const 40 i64.const 2 call $add)"
      "  (func (export \"rev\") (result i64)"
      "    v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 call $rev"
      "    i64x2.extract_lane 0)"
      "  (func (export \"trap\") call $trap)"
      "  (func (export \"wrong\") (result i32) call $wrong)"
      "  (func (export \"sum17\") (type $s17)"
      "    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 local.get 5"
      "    local.get 6 local.get 7 local.get 8 local.get 9 local.get 10 local.get 11"
      "    local.get 12 local.get 13 local.get 14 local.get 15 local.get 16 call $sum17))");
  instance = INSTANTIATE(store, module, imports, 5);
  if (instance == NULL) goto out;
  wasm_instance_exports(instance, &exports);

  add_calls = 0;
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 0), r));
  CHECK_INT(add_calls, 1);
  CHECK(r[0].kind == WASM_I64 && r[0].of.i64 == 42);

  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 1), r));
  CHECK(r[0].kind == WASM_I64 && (uint64_t)r[0].of.i64 == 0x08090a0b0c0d0e0fULL);

  /* A host trap reaches the caller with the host's message. */
  CHECK_TRAP(CALL0(export_func(&exports, 2)), "host says no");
  /* Called directly too. */
  CHECK_TRAP(CALL0(imports_f[2]), "host says no");

  /* A host result of the wrong kind is a trap, not garbage. */
  CHECK_TRAP(CALL_RESULTS(export_func(&exports, 3), r), "host function result 0");

  /* 17 arguments, through wasm to the host and back. */
  for (i = 0; i < 17; i++) {
    a[i].kind = WASM_I32;
    a[i].of.i32 = i * 3 + 1;
    want += (i * 3 + 1) * (i + 1);
  }
  CHECK_NO_TRAP(CALL(export_func(&exports, 4), a, r));
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == want);
  CHECK_NO_TRAP(CALL(imports_f[4], a, r));
  CHECK_INT(r[0].of.i32, want);

  /* The store is usable after traps. */
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 0), r));
  CHECK_INT(r[0].of.i64, 42);
  wasm_extern_vec_delete(&exports);
out:
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  for (i = 0; i < 5; i++) wasm_func_delete(imports_f[i]);
  wasm_functype_delete(add_t);
  wasm_functype_delete(v_t);
  wasm_functype_delete(trap_t);
  wasm_functype_delete(wrong_t);
  wasm_functype_delete(sum_t);
}

/* A host function that calls back into wasm while wasm is calling it. */
static void reentry(void) {
  wasm_module_t* module = COMPILE(store,
      "(module (import \"\" \"host\" (func $h (result i32)))"
      "  (func (export \"inner\") (result i32) i32.const 41)"
      "  (func (export \"outer\") (result i32) call $h i32.const 100 i32.add))");
  wasm_module_t* inner_module = COMPILE(store,
      "(module (func (export \"inner\") (result i32) i32.const 41))");
  wasm_instance_t* inner_instance = INSTANTIATE(store, inner_module, NULL, 0);
  wasm_extern_vec_t inner_exports;
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* host;
  wasm_instance_t* instance;
  wasm_extern_t* imports[1];
  wasm_extern_vec_t exports;
  wasm_val_t r[1];

  if (inner_instance == NULL) {
    wasm_module_delete(module);
    wasm_module_delete(inner_module);
    wasm_functype_delete(ft);
    return;
  }
  wasm_instance_exports(inner_instance, &inner_exports);
  host = wasm_func_new_with_env(store, ft, reenter_cb, export_func(&inner_exports, 0), NULL);
  imports[0] = wasm_func_as_extern(host);
  instance = INSTANTIATE(store, module, imports, 1);
  if (instance != NULL) {
    wasm_instance_exports(instance, &exports);
    CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 1), r));
    CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 142);
    wasm_extern_vec_delete(&exports);
  }
  wasm_instance_delete(instance);
  wasm_func_delete(host);
  wasm_extern_vec_delete(&inner_exports);
  wasm_instance_delete(inner_instance);
  wasm_module_delete(inner_module);
  wasm_module_delete(module);
  wasm_functype_delete(ft);
}

/* Calls made wrongly: a trap with a message, never a crash. */
static void bad_calls(void) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module (func (export \"f\") (param i32 i64) (result i32) local.get 0)"
      "  (func (export \"div\") (param i32) (result i32) i32.const 1 local.get 0 i32.div_s))",
      &exports);
  wasm_func_t* f = export_func(&exports, 0);
  wasm_val_t a[3], r[1];
  wasm_val_vec_t av, rv;

  if (instance == NULL) goto out;
  a[0].kind = WASM_I32;
  a[0].of.i32 = 1;
  a[1].kind = WASM_I64;
  a[1].of.i64 = 2;
  a[2].kind = WASM_I32;
  a[2].of.i32 = 3;

  /* Too few and too many arguments. */
  CHECK_TRAP(call_(f, a, 1, r, 1, __FILE__, __LINE__), "called with 1 arguments");
  CHECK_TRAP(call_(f, a, 3, r, 1, __FILE__, __LINE__), "called with 3 arguments");
  CHECK_TRAP(call_(f, NULL, 0, r, 1, __FILE__, __LINE__), "called with 0 arguments");
  /* No room for the result. */
  CHECK_TRAP(call_(f, a, 2, r, 0, __FILE__, __LINE__), "0 result slots");
  /* NULL vectors count as empty. */
  av.size = 2;
  av.data = a;
  CHECK_TRAP(wasm_func_call(f, &av, NULL), "0 result slots");
  rv.size = 1;
  rv.data = r;
  CHECK_TRAP(wasm_func_call(f, NULL, &rv), "called with 0 arguments");
  /* Arguments of the wrong kind. */
  a[1].kind = WASM_I32;
  CHECK_TRAP(call_(f, a, 2, r, 1, __FILE__, __LINE__), "argument 1");
  a[1].kind = WASM_I64;
  a[0].kind = WASM_F32;
  CHECK_TRAP(call_(f, a, 2, r, 1, __FILE__, __LINE__), "argument 0");
  a[0].kind = WASM_EXTERNREF;
  a[0].of.ref = NULL;
  CHECK_TRAP(call_(f, a, 2, r, 1, __FILE__, __LINE__), "argument 0");
  a[0].kind = 77; /* no such kind */
  CHECK_TRAP(call_(f, a, 2, r, 1, __FILE__, __LINE__), "argument 0");
  /* A correct call still works afterwards. */
  a[0].kind = WASM_I32;
  a[0].of.i32 = 9;
  CHECK_NO_TRAP(call_(f, a, 2, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, 9);

  /* A wasm trap, then the store is still usable. */
  a[0].of.i32 = 0;
  CHECK_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__),
             "integer divide by zero");
  a[0].of.i32 = 1;
  CHECK_NO_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, 1);

  /* A function of another store passed as a funcref argument. */
  {
    wasm_store_t* other = wasm_store_new(engine);
    wasm_functype_t* ft = wasm_functype_new_0_0();
    wasm_func_t* stranger = wasm_func_new(other, ft, trap_cb);
    wasm_extern_vec_t e2;
    wasm_instance_t* i2 = INSTANCE(store,
        "(module (func (export \"id\") (param funcref) (result funcref) local.get 0))", &e2);
    wasm_val_t fa[1], fr[1];
    fa[0].kind = WASM_FUNCREF;
    fa[0].of.ref = wasm_func_as_ref(stranger);
    fr[0].kind = WASM_I32;
    CHECK_TRAP(CALL(export_func(&e2, 0), fa, fr), "another store");
    wasm_extern_vec_delete(&e2);
    wasm_instance_delete(i2);
    wasm_func_delete(stranger);
    wasm_functype_delete(ft);
    wasm_store_delete(other);
  }
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  host_functions();
  host_functions_with_env();
  all_value_kinds();
  host_calls_from_wasm();
  reentry();
  bad_calls();
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("functions_and_calls");
}
