/* Bad use: NULL for every pointer parameter (the library should return
 * NULL, false or 0, write an empty result, or do nothing), configuration
 * setters given bad values, damaged and hostile module bytes, objects of
 * another store, and deleting things in an unexpected order.
 *
 * Calls that may crash run in a child process (PROBE), so that each crash
 * is one failed check. Objects the probes need are made beforehand in
 * this process; a child inherits them. */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;
static wasm_module_t* module;
static wasm_instance_t* instance;
static wasm_extern_vec_t exports;
static wasm_func_t* func;     /* (i32) -> (i32) */
static wasm_global_t* global; /* mut i32 */
static wasm_table_t* table;   /* 2 funcref */
static wasm_memory_t* memory; /* 1 page */
static wasm_trap_t* trap;     /* from wasm, with frames */
static wasm_frame_t* frame;

static const char* const MODULE_WAT =
    "(module"
    "  (func (export \"f\") (param i32) (result i32) local.get 0)"
    "  (global (export \"g\") (mut i32) (i32.const 1))"
    "  (table (export \"t\") 2 funcref)"
    "  (memory (export \"m\") 1)"
    "  (func (export \"boom\") unreachable))";

static wasm_trap_t* nop_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  return NULL;
}

static int fin_called;
static void fin(void* p) {
  (void)p;
  fin_called++;
}

static int setup(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  module = COMPILE(store, MODULE_WAT);
  instance = INSTANTIATE(store, module, NULL, 0);
  if (instance == NULL) return 0;
  wasm_instance_exports(instance, &exports);
  if (exports.size != 5) return 0;
  func = export_func(&exports, 0);
  global = export_global(&exports, 1);
  table = export_table(&exports, 2);
  memory = export_memory(&exports, 3);
  trap = CALL0(export_func(&exports, 4));
  if (trap == NULL) return 0;
  frame = wasm_trap_origin(trap);
  return frame != NULL;
}

static void teardown(void) {
  wasm_frame_delete(frame);
  wasm_trap_delete(trap);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* NULL where the header says it is allowed, or where a NULL result is the
 * only sensible answer. */
static void null_objects(void) {
  PROBE("wasm_engine_new_with_config(NULL)", EXPECT(wasm_engine_new_with_config(NULL) == NULL));
  PROBE("wasm_store_new(NULL)", EXPECT(wasm_store_new(NULL) == NULL));
  PROBE("wasm_foreign_new(NULL)", EXPECT(wasm_foreign_new(NULL) == NULL));
  PROBE("wasm_config_delete(NULL) and every other delete(NULL)",
        wasm_config_delete(NULL); wasm_engine_delete(NULL); wasm_store_delete(NULL);
        wasm_frame_delete(NULL); wasm_shared_module_delete(NULL); wasm_ref_delete(NULL);
        wasm_trap_delete(NULL); wasm_foreign_delete(NULL); wasm_module_delete(NULL);
        wasm_func_delete(NULL); wasm_global_delete(NULL); wasm_table_delete(NULL);
        wasm_memory_delete(NULL); wasm_extern_delete(NULL); wasm_instance_delete(NULL);
        wasm_val_delete(NULL); wasm_frame_vec_delete(NULL); wasm_extern_vec_delete(NULL);
        wasm_val_vec_delete(NULL); wasm_functype_vec_delete(NULL));

  /* Modules. */
  {
    wasm_byte_vec_t empty = WASM_EMPTY_VEC;
    PROBE("wasm_module_new(NULL, bytes)", EXPECT(wasm_module_new(NULL, &empty) == NULL));
    PROBE("wasm_module_new(store, NULL)", EXPECT(wasm_module_new(store, NULL) == NULL));
    PROBE("wasm_module_validate(NULL, bytes)", EXPECT(!wasm_module_validate(NULL, &empty)));
    PROBE("wasm_module_validate(store, NULL)", EXPECT(!wasm_module_validate(store, NULL)));
    PROBE("wasm_module_deserialize(NULL, bytes)",
          EXPECT(wasm_module_deserialize(NULL, &empty) == NULL));
    PROBE("wasm_module_deserialize(store, NULL)",
          EXPECT(wasm_module_deserialize(store, NULL) == NULL));
    PROBE("wasm_module_share(NULL)", EXPECT(wasm_module_share(NULL) == NULL));
    PROBE("wasm_module_obtain(store, NULL)", EXPECT(wasm_module_obtain(store, NULL) == NULL));
    PROBE("wasm_module_obtain(NULL, shared)", wasm_shared_module_t* s = wasm_module_share(module);
          EXPECT(wasm_module_obtain(NULL, s) == NULL); wasm_shared_module_delete(s));
    PROBE("craneway_module_new_with_error(NULL, bytes, &error)", wasm_message_t e;
          EXPECT(craneway_module_new_with_error(NULL, &empty, &e) == NULL);
          EXPECT(e.size > 1 && e.data[e.size - 1] == '\0'); wasm_byte_vec_delete(&e));
    PROBE("craneway_module_new_with_error(store, NULL, NULL)",
          EXPECT(craneway_module_new_with_error(store, NULL, NULL) == NULL));
    PROBE("wasm_module_imports(NULL, &out)", wasm_importtype_vec_t v = WASM_EMPTY_VEC;
          wasm_module_imports(NULL, &v); EXPECT(v.size == 0); wasm_importtype_vec_delete(&v));
    PROBE("wasm_module_exports(NULL, &out)", wasm_exporttype_vec_t v = WASM_EMPTY_VEC;
          wasm_module_exports(NULL, &v); EXPECT(v.size == 0); wasm_exporttype_vec_delete(&v));
    PROBE("wasm_module_serialize(NULL, &out)", wasm_byte_vec_t v = WASM_EMPTY_VEC;
          wasm_module_serialize(NULL, &v); EXPECT(v.size == 0); wasm_byte_vec_delete(&v));
  }

  /* Instances. */
  PROBE("wasm_instance_new(NULL, module, NULL, &trap)", wasm_trap_t* t = NULL;
        EXPECT(wasm_instance_new(NULL, module, NULL, &t) == NULL); EXPECT(t != NULL);
        wasm_trap_delete(t));
  PROBE("wasm_instance_new(store, NULL, NULL, &trap)", wasm_trap_t* t = NULL;
        EXPECT(wasm_instance_new(store, NULL, NULL, &t) == NULL); EXPECT(t != NULL);
        wasm_trap_delete(t));
  PROBE("wasm_instance_new(store, NULL, NULL, NULL)",
        EXPECT(wasm_instance_new(store, NULL, NULL, NULL) == NULL));
  PROBE("wasm_instance_exports(NULL, &out)", wasm_extern_vec_t v = WASM_EMPTY_VEC;
        wasm_instance_exports(NULL, &v); EXPECT(v.size == 0); wasm_extern_vec_delete(&v));

  /* Functions. */
  {
    wasm_functype_t* ft = wasm_functype_new_0_0();
    PROBE("wasm_func_new(NULL, type, cb)", EXPECT(wasm_func_new(NULL, ft, nop_cb) == NULL));
    PROBE("wasm_func_new(store, NULL, cb)", EXPECT(wasm_func_new(store, NULL, nop_cb) == NULL));
    PROBE("wasm_func_new(store, type, NULL)", EXPECT(wasm_func_new(store, ft, NULL) == NULL));
    wasm_functype_delete(ft);
  }
  PROBE("wasm_func_type(NULL)", EXPECT(wasm_func_type(NULL) == NULL));
  PROBE("wasm_func_param_arity(NULL)", EXPECT(wasm_func_param_arity(NULL) == 0));
  PROBE("wasm_func_result_arity(NULL)", EXPECT(wasm_func_result_arity(NULL) == 0));
  PROBE("wasm_func_call(NULL, args, results)", wasm_val_vec_t none = WASM_EMPTY_VEC;
        wasm_trap_t* t = wasm_func_call(NULL, &none, &none); EXPECT(t != NULL);
        wasm_trap_delete(t));
  PROBE("wasm_func_call(f, {1, NULL}, {1, NULL})", wasm_val_vec_t a = {1, NULL};
        wasm_val_vec_t r = {1, NULL}; wasm_trap_t* t = wasm_func_call(func, &a, &r);
        EXPECT(t != NULL); wasm_trap_delete(t));

  /* Globals. */
  {
    wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_val_t v = WASM_I32_VAL(3);
    PROBE("wasm_global_new(NULL, type, val)", EXPECT(wasm_global_new(NULL, gt, &v) == NULL));
    PROBE("wasm_global_new(store, NULL, val)", EXPECT(wasm_global_new(store, NULL, &v) == NULL));
    PROBE("wasm_global_new(store, type, NULL)", EXPECT(wasm_global_new(store, gt, NULL) == NULL));
    wasm_globaltype_delete(gt);
    PROBE("wasm_global_type(NULL)", EXPECT(wasm_global_type(NULL) == NULL));
    PROBE("wasm_global_get(NULL, &out)", wasm_val_t out = WASM_I32_VAL(0);
          wasm_global_get(NULL, &out));
    PROBE("wasm_global_set(NULL, val)", wasm_global_set(NULL, &v));
    PROBE("wasm_global_set(global, NULL)", wasm_val_t out; wasm_global_set(global, NULL);
          wasm_global_get(global, &out); EXPECT(out.kind == WASM_I32 && out.of.i32 == 1));
  }

  /* Tables. */
  {
    wasm_limits_t l = {1, 1};
    wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &l);
    PROBE("wasm_table_new(NULL, type, NULL)", EXPECT(wasm_table_new(NULL, tt, NULL) == NULL));
    PROBE("wasm_table_new(store, NULL, NULL)", EXPECT(wasm_table_new(store, NULL, NULL) == NULL));
    wasm_tabletype_delete(tt);
  }
  PROBE("wasm_table_type(NULL)", EXPECT(wasm_table_type(NULL) == NULL));
  PROBE("wasm_table_get(NULL, 0)", EXPECT(wasm_table_get(NULL, 0) == NULL));
  PROBE("wasm_table_set(NULL, 0, NULL)", EXPECT(!wasm_table_set(NULL, 0, NULL)));
  PROBE("wasm_table_size(NULL)", EXPECT(wasm_table_size(NULL) == 0));
  PROBE("wasm_table_grow(NULL, 1, NULL)", EXPECT(!wasm_table_grow(NULL, 1, NULL)));

  /* Memories. */
  PROBE("wasm_memory_new(NULL, type)", wasm_limits_t l = {1, 1};
        wasm_memorytype_t* mt = wasm_memorytype_new(&l);
        EXPECT(wasm_memory_new(NULL, mt) == NULL); wasm_memorytype_delete(mt));
  PROBE("wasm_memory_new(store, NULL)", EXPECT(wasm_memory_new(store, NULL) == NULL));
  PROBE("wasm_memory_type(NULL)", EXPECT(wasm_memory_type(NULL) == NULL));
  PROBE("wasm_memory_data(NULL)", EXPECT(wasm_memory_data(NULL) == NULL));
  PROBE("wasm_memory_data_size(NULL)", EXPECT(wasm_memory_data_size(NULL) == 0));
  PROBE("wasm_memory_size(NULL)", EXPECT(wasm_memory_size(NULL) == 0));
  PROBE("wasm_memory_grow(NULL, 1)", EXPECT(!wasm_memory_grow(NULL, 1)));

  /* Externals. */
  PROBE("wasm_extern_kind(NULL)", (void)wasm_extern_kind(NULL));
  PROBE("wasm_extern_type(NULL)", EXPECT(wasm_extern_type(NULL) == NULL));

  /* Traps and frames. */
  {
    wasm_message_t msg;
    wasm_name_new_from_string_nt(&msg, "m");
    PROBE("wasm_trap_new(NULL, message)", EXPECT(wasm_trap_new(NULL, &msg) == NULL));
    PROBE("wasm_trap_new(store, NULL)", EXPECT(wasm_trap_new(store, NULL) == NULL));
    wasm_byte_vec_delete(&msg);
  }
  PROBE("wasm_trap_message(NULL, &out)", wasm_message_t m = WASM_EMPTY_VEC;
        wasm_trap_message(NULL, &m); EXPECT(m.size == 0); wasm_byte_vec_delete(&m));
  PROBE("wasm_trap_origin(NULL)", EXPECT(wasm_trap_origin(NULL) == NULL));
  PROBE("wasm_trap_trace(NULL, &out)", wasm_frame_vec_t v = WASM_EMPTY_VEC;
        wasm_trap_trace(NULL, &v); EXPECT(v.size == 0); wasm_frame_vec_delete(&v));
  PROBE("wasm_frame_copy(NULL)", EXPECT(wasm_frame_copy(NULL) == NULL));
  PROBE("wasm_frame_instance(NULL)", EXPECT(wasm_frame_instance(NULL) == NULL));
  PROBE("wasm_frame_func_index(NULL)", EXPECT(wasm_frame_func_index(NULL) == 0));
  PROBE("wasm_frame_func_offset(NULL)", EXPECT(wasm_frame_func_offset(NULL) == 0));
  PROBE("wasm_frame_module_offset(NULL)", EXPECT(wasm_frame_module_offset(NULL) == 0));

  /* Values. */
  PROBE("wasm_val_copy(&out, NULL)", wasm_val_t out = WASM_I32_VAL(5);
        wasm_val_copy(&out, NULL));

  /* References: same, host info, copies, casts. */
  PROBE("wasm_func_same(NULL, f)", EXPECT(!wasm_func_same(NULL, func)));
  PROBE("wasm_ref_same(r, NULL)", EXPECT(!wasm_ref_same(wasm_func_as_ref(func), NULL)));
  PROBE("wasm_func_copy(NULL)", EXPECT(wasm_func_copy(NULL) == NULL));
  PROBE("wasm_trap_copy(NULL)", EXPECT(wasm_trap_copy(NULL) == NULL));
  PROBE("wasm_instance_copy(NULL)", EXPECT(wasm_instance_copy(NULL) == NULL));
  PROBE("wasm_module_copy(NULL)", EXPECT(wasm_module_copy(NULL) == NULL));
  PROBE("wasm_extern_copy(NULL)", EXPECT(wasm_extern_copy(NULL) == NULL));
  PROBE("wasm_foreign_copy(NULL)", EXPECT(wasm_foreign_copy(NULL) == NULL));
  PROBE("wasm_memory_get_host_info(NULL)", EXPECT(wasm_memory_get_host_info(NULL) == NULL));
  PROBE("wasm_table_set_host_info_with_finalizer(NULL, p, fin)",
        wasm_table_set_host_info_with_finalizer(NULL, &fin_called, fin);
        EXPECT(fin_called == 0));
  PROBE("wasm_global_set_host_info(NULL, p)", wasm_global_set_host_info(NULL, &fin_called));
  PROBE("wasm_ref_as_trap(NULL)", EXPECT(wasm_ref_as_trap(NULL) == NULL));
  PROBE("wasm_extern_as_table_const(NULL)", EXPECT(wasm_extern_as_table_const(NULL) == NULL));
}

/* NULL where the header's contract names an object: a careless caller's
 * mistake, which should still not crash. */
static void null_out_parameters(void) {
  wasm_byte_vec_t bytes;
  wasm_name_new_from_string(&bytes, "(module)");
  PROBE("wasm_byte_vec_new_empty(NULL)", wasm_byte_vec_new_empty(NULL));
  PROBE("wasm_byte_vec_new_uninitialized(NULL, 4)", wasm_byte_vec_new_uninitialized(NULL, 4));
  PROBE("wasm_byte_vec_new(NULL, 3, data)", wasm_byte_vec_new(NULL, 3, "abc"));
  PROBE("wasm_byte_vec_copy(NULL, src)", wasm_byte_vec_copy(NULL, &bytes));
  PROBE("wasm_val_vec_new_empty(NULL)", wasm_val_vec_new_empty(NULL));
  PROBE("wasm_extern_vec_copy(NULL, src)", wasm_extern_vec_copy(NULL, &exports));
  PROBE("wasm_val_copy(NULL, src)", wasm_val_t v = WASM_I32_VAL(1); wasm_val_copy(NULL, &v));
  PROBE("wasm_global_get(global, NULL)", wasm_global_get(global, NULL));
  PROBE("wasm_instance_exports(instance, NULL)", wasm_instance_exports(instance, NULL));
  PROBE("wasm_module_imports(module, NULL)", wasm_module_imports(module, NULL));
  PROBE("wasm_module_exports(module, NULL)", wasm_module_exports(module, NULL));
  PROBE("wasm_module_serialize(module, NULL)", wasm_module_serialize(module, NULL));
  PROBE("wasm_trap_message(trap, NULL)", wasm_trap_message(trap, NULL));
  PROBE("wasm_trap_trace(trap, NULL)", wasm_trap_trace(trap, NULL));
  PROBE("craneway_wat2wasm(text, len, NULL)",
        EXPECT(!craneway_wat2wasm(bytes.data, bytes.size, NULL)));
  /* NULL text with a length: no bytes to read. */
  PROBE("craneway_wat2wasm(NULL, 5, &out)", wasm_byte_vec_t out;
        (void)craneway_wat2wasm(NULL, 5, &out); wasm_byte_vec_delete(&out));
  wasm_byte_vec_delete(&bytes);

  /* Vectors with NULL data and a size: empty. */
  {
    wasm_byte_vec_t v;
    wasm_extern_vec_t ev;
    wasm_byte_vec_new(&v, 5, NULL);
    CHECK_INT(v.size, 0);
    wasm_byte_vec_delete(&v);
    wasm_extern_vec_new(&ev, 3, NULL);
    CHECK_INT(ev.size, 0);
    wasm_extern_vec_delete(&ev);
  }
  /* An import vector whose size has no data behind it. */
  {
    wasm_extern_vec_t bogus = {1, NULL};
    wasm_trap_t* t = NULL;
    wasm_module_t* plain = COMPILE(store, "(module)");
    wasm_instance_t* i = wasm_instance_new(store, plain, &bogus, &t);
    /* Either it sees no imports (fine for this module) or it refuses. */
    CHECK((i != NULL && t == NULL) || (i == NULL && t != NULL));
    wasm_instance_delete(i);
    wasm_trap_delete(t);
    wasm_module_delete(plain);
  }
}

/* Configuration setters: bad values are refused and change nothing. */
static void config_values(void) {
  wasm_config_t* c = wasm_config_new();
  CHECK(c != NULL);

  CHECK(craneway_config_opt_level(c, CRANEWAY_OPT_NONE));
  CHECK(craneway_config_opt_level(c, CRANEWAY_OPT_SPEED_AND_SIZE));
  CHECK(craneway_config_opt_level(c, CRANEWAY_OPT_SPEED));
  CHECK(!craneway_config_opt_level(c, 3));
  CHECK(!craneway_config_opt_level(c, 255));

  CHECK(craneway_config_max_wasm_stack(c, 64 * 1024));
  CHECK(craneway_config_max_wasm_stack(c, 64 * 1024 * 1024));
  CHECK(craneway_config_max_wasm_stack(c, 512 * 1024));
  CHECK(!craneway_config_max_wasm_stack(c, 0));
  CHECK(!craneway_config_max_wasm_stack(c, 64 * 1024 - 1));
  CHECK(!craneway_config_max_wasm_stack(c, 64 * 1024 * 1024 + 1));
  CHECK(!craneway_config_max_wasm_stack(c, SIZE_MAX));

  CHECK(craneway_config_memory_guard_size(c, 65536));
  CHECK(craneway_config_memory_guard_size(c, 4294967296ULL));
  CHECK(craneway_config_memory_guard_size(c, 2147483648ULL));
  CHECK(!craneway_config_memory_guard_size(c, 0));
  CHECK(!craneway_config_memory_guard_size(c, 65535));
  CHECK(!craneway_config_memory_guard_size(c, 65536 + 4096));
  CHECK(!craneway_config_memory_guard_size(c, 4294967296ULL + 65536));
  CHECK(!craneway_config_memory_guard_size(c, UINT64_MAX));

  CHECK(craneway_config_memory_reservation(c, 65536));
  CHECK(craneway_config_memory_reservation(c, 4294967296ULL));
  CHECK(!craneway_config_memory_reservation(c, 0));
  CHECK(!craneway_config_memory_reservation(c, 65536 + 1));
  CHECK(!craneway_config_memory_reservation(c, 4294967296ULL + 65536));
  CHECK(!craneway_config_memory_reservation(NULL, 65536));

  {
    /* Only 3.0 bits exist; every supported set is accepted, any other refused. */
    uint32_t supported = craneway_supported_wasm_features();
    CHECK((supported & ~CRANEWAY_FEATURES_WASM_3_0) == 0);
    CHECK((supported & CRANEWAY_FEATURE_EXTENDED_CONST) != 0);
    CHECK(craneway_config_wasm_features(c, CRANEWAY_FEATURES_WASM_2_0));
    CHECK(craneway_config_wasm_features(c, CRANEWAY_FEATURE_EXTENDED_CONST));
    CHECK(craneway_config_wasm_features(c, supported));
    CHECK(!craneway_config_wasm_features(c, CRANEWAY_FEATURES_WASM_3_0 + 1));
    CHECK(!craneway_config_wasm_features(c, 0x80000000u));
    CHECK(!craneway_config_wasm_features(c, 0xffffffffu));
    if (supported != CRANEWAY_FEATURES_WASM_3_0) {
      CHECK(!craneway_config_wasm_features(c, CRANEWAY_FEATURES_WASM_3_0));
    }
  }

  CHECK(!craneway_config_opt_level(NULL, CRANEWAY_OPT_SPEED));
  CHECK(!craneway_config_max_wasm_stack(NULL, 512 * 1024));
  CHECK(!craneway_config_memory_guard_size(NULL, 65536));
  CHECK(!craneway_config_wasm_features(NULL, 0));
  wasm_config_delete(c);

  /* A config given only refused values is the default: its engine's
   * serialized modules load in a default engine, and the other way. */
  {
    wasm_engine_t* plain = wasm_engine_new();
    wasm_store_t* sp = wasm_store_new(plain);
    wasm_engine_t* refused;
    wasm_store_t* sr;
    wasm_module_t* m;
    wasm_module_t* loaded;
    wasm_byte_vec_t blob;

    c = wasm_config_new();
    CHECK(!craneway_config_opt_level(c, 9));
    CHECK(!craneway_config_memory_guard_size(c, 3));
    CHECK(!craneway_config_wasm_features(c, CRANEWAY_FEATURES_WASM_3_0 + 1));
    CHECK(!craneway_config_max_wasm_stack(c, 1));
    refused = wasm_engine_new_with_config(c);
    CHECK(refused != NULL);
    sr = wasm_store_new(refused);
    m = COMPILE(sr, "(module (func (export \"f\") (result i32) i32.const 1))");
    if (m != NULL) {
      wasm_module_serialize(m, &blob);
      loaded = wasm_module_deserialize(sp, &blob);
      CHECK(loaded != NULL);
      wasm_module_delete(loaded);
      wasm_byte_vec_delete(&blob);
    }
    wasm_module_delete(m);
    /* The features stay the default's (3.0: extended constants on). */
    {
      wasm_byte_vec_t binary;
      WAT_TO_BINARY("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))", &binary);
      CHECK(wasm_module_validate(sr, &binary));
      wasm_byte_vec_delete(&binary);
    }
    wasm_store_delete(sr);
    wasm_engine_delete(refused);
    wasm_store_delete(sp);
    wasm_engine_delete(plain);
  }

  /* A refused stack size keeps the one set before. */
  {
    wasm_engine_t* e;
    wasm_store_t* s;
    wasm_extern_vec_t ex;
    wasm_instance_t* i;
    wasm_val_t a[1] = {WASM_I32_VAL(10000)}, r[1];
    c = wasm_config_new();
    CHECK(craneway_config_max_wasm_stack(c, 64 * 1024));
    CHECK(!craneway_config_max_wasm_stack(c, 1));
    e = wasm_engine_new_with_config(c);
    s = wasm_store_new(e);
    i = INSTANCE(s,
                 "(module (func $r (export \"r\") (param i32) (result i32)"
                 "  local.get 0 i32.eqz if (result i32) i32.const 0 else"
                 "  local.get 0 i32.const 1 i32.sub call $r i32.const 1 i32.add end))",
                 &ex);
    CHECK_TRAP(CALL(export_func(&ex, 0), a, r), "call stack exhausted");
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(i);
    wasm_store_delete(s);
    wasm_engine_delete(e);
  }
}

/* Bytes that are not a module, made by damaging a valid one: never a
 * crash, and the module, when one is made, is valid. */
static void hostile_bytes(void) {
  wasm_byte_vec_t good;
  WAT_TO_BINARY(
      "(module (type (func (param i32) (result i32)))"
      "  (import \"a\" \"b\" (func (type 0)))"
      "  (memory 1 2) (table 1 funcref) (global (mut i32) (i32.const 0))"
      "  (func (export \"f\") (type 0) local.get 0 call 0 global.get 0 i32.add)"
      "  (elem (i32.const 0) 1) (data (i32.const 0) \"abc\"))",
      &good);
  PROBE("wasm_module_new on 400 damaged modules",
        uint32_t seed = 12345;
        int i;
        for (i = 0; i < 400; i++) {
          wasm_byte_vec_t bad;
          wasm_module_t* m;
          wasm_message_t err;
          int j, edits = 1 + i % 4;
          wasm_byte_vec_copy(&bad, &good);
          for (j = 0; j < edits; j++) {
            seed = seed * 1103515245u + 12345u;
            bad.data[8 + (seed >> 8) % (bad.size - 8)] = (char)(seed >> 24);
          }
          if (i % 5 == 4) bad.size -= (seed >> 4) % (bad.size - 8);
          m = craneway_module_new_with_error(store, &bad, &err);
          EXPECT(m != NULL || (err.size > 1 && err.data[err.size - 1] == '\0'));
          EXPECT((m != NULL) == wasm_module_validate(store, &bad));
          wasm_module_delete(m);
          wasm_byte_vec_delete(&err);
          wasm_byte_vec_delete(&bad);
        });
  wasm_byte_vec_delete(&good);

  /* Text that is not UTF-8. */
  {
    static const char text[] = "(module \xff\xfe)";
    wasm_byte_vec_t out;
    CHECK(!craneway_wat2wasm(text, sizeof text - 1, &out));
    CHECK(out.size > 1 && out.data[out.size - 1] == '\0');
    wasm_byte_vec_delete(&out);
  }
  /* A trap message that is not UTF-8 is kept, lossily. */
  {
    wasm_message_t msg, out;
    wasm_trap_t* t;
    wasm_name_new_from_string_nt(&msg, "bad \xff byte");
    t = wasm_trap_new(store, &msg);
    CHECK(t != NULL);
    wasm_trap_message(t, &out);
    CHECK(out.size > 4 && memcmp(out.data, "bad ", 4) == 0 && out.data[out.size - 1] == '\0');
    wasm_byte_vec_delete(&out);
    wasm_trap_delete(t);
    wasm_byte_vec_delete(&msg);
  }
}

/* Objects of one store used with another. */
static void cross_store(void) {
  wasm_store_t* other = wasm_store_new(engine);
  wasm_functype_t* ft = wasm_functype_new_0_0();
  wasm_func_t* stranger = wasm_func_new(other, ft, nop_cb);
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_funcref(), WASM_VAR);
  wasm_val_t v, out;
  wasm_global_t* g;

  /* A table of this store does not take a function of another. */
  CHECK(!wasm_table_set(table, 0, wasm_func_as_ref(stranger)));
  CHECK(wasm_table_get(table, 0) == NULL);
  CHECK(!wasm_table_grow(table, 1, wasm_func_as_ref(stranger)));
  CHECK_INT(wasm_table_size(table), 2);
  /* Nor a global. */
  v.kind = WASM_FUNCREF;
  v.of.ref = wasm_func_as_ref(stranger);
  CHECK(wasm_global_new(store, gt, &v) == NULL);
  v.of.ref = NULL;
  g = wasm_global_new(store, gt, &v);
  CHECK(g != NULL);
  v.of.ref = wasm_func_as_ref(stranger);
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_FUNCREF && out.of.ref == NULL);
  wasm_val_delete(&out);
  wasm_global_delete(g);
  /* A foreign object of another store is not an externref here. */
  {
    wasm_foreign_t* f = wasm_foreign_new(other);
    wasm_limits_t l = {1, 1};
    wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_externref(), &l);
    wasm_table_t* t = wasm_table_new(store, tt, NULL);
    CHECK(t != NULL && !wasm_table_set(t, 0, wasm_foreign_as_ref(f)));
    CHECK(wasm_table_new(store, tt, wasm_foreign_as_ref(f)) == NULL);
    wasm_table_delete(t);
    wasm_tabletype_delete(tt);
    wasm_foreign_delete(f);
  }
  wasm_globaltype_delete(gt);
  wasm_func_delete(stranger);
  wasm_functype_delete(ft);
  wasm_store_delete(other);
}

/* Deleting in an unexpected order is safe: objects keep what they need. */
static void deletion_order(void) {
  wasm_engine_t* e = wasm_engine_new();
  wasm_store_t* s = wasm_store_new(e);
  wasm_module_t* m = COMPILE(s, MODULE_WAT);
  wasm_instance_t* i;
  wasm_extern_vec_t ex;
  wasm_val_t a[1] = {WASM_I32_VAL(6)}, r[1];

  /* The engine goes first: the store still compiles and runs. */
  wasm_engine_delete(e);
  wasm_module_delete(m);
  m = COMPILE(s, MODULE_WAT);
  i = INSTANTIATE(s, m, NULL, 0);
  wasm_module_delete(m);
  if (i == NULL) {
    wasm_store_delete(s);
    return;
  }
  wasm_instance_exports(i, &ex);
  /* Then the store and the instance: the exports still work. */
  wasm_store_delete(s);
  wasm_instance_delete(i);
  CHECK_NO_TRAP(CALL(export_func(&ex, 0), a, r));
  CHECK_INT(r[0].of.i32, 6);
  CHECK(wasm_memory_grow(export_memory(&ex, 3), 1));
  CHECK_INT(wasm_memory_size(export_memory(&ex, 3)), 2);
  CHECK_TRAP(CALL0(export_func(&ex, 4)), "unreachable");
  wasm_extern_vec_delete(&ex);

  /* Values: deleting twice, deleting numbers. */
  {
    wasm_val_t v = WASM_I64_VAL(3);
    wasm_val_delete(&v);
    CHECK(v.kind == WASM_I64);
    v.kind = WASM_FUNCREF;
    v.of.ref = wasm_func_as_ref(wasm_func_copy(func));
    wasm_val_delete(&v);
    wasm_val_delete(&v);
    CHECK(v.kind == WASM_FUNCREF && v.of.ref == NULL);
  }
}

int main(void) {
  check_probe_cleanup = teardown;
  if (!setup()) {
    CHECK(!"setup");
    teardown();
    return check_done("bad_use");
  }
  null_objects();
  null_out_parameters();
  config_values();
  hostile_bytes();
  cross_store();
  deletion_order();
  teardown();
  return check_done("bad_use");
}
