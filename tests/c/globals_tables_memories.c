/* Globals, tables and memories: made by the host and by wasm, read and
 * written from both sides, grown, and used wrongly (wrong kinds, indices
 * out of range, limits passed). */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;

static wasm_trap_t* seven_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = 7;
  return NULL;
}

static wasm_global_t* new_global(wasm_valkind_t kind, wasm_mutability_t mut, const wasm_val_t* v) {
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new(kind), mut);
  wasm_global_t* g = wasm_global_new(store, gt, v);
  wasm_globaltype_delete(gt);
  return g;
}

static void host_globals(void) {
  wasm_val_t v, out;
  wasm_global_t* g;
  wasm_global_t* copy;
  wasm_globaltype_t* gt;
  int i;

  v.kind = WASM_I32;
  v.of.i32 = 5;
  g = new_global(WASM_I32, WASM_VAR, &v);
  CHECK(g != NULL);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_I32 && out.of.i32 == 5);
  gt = wasm_global_type(g);
  CHECK(gt != NULL && wasm_globaltype_mutability(gt) == WASM_VAR &&
        wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I32);
  wasm_globaltype_delete(gt);
  v.of.i32 = -9;
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK_INT(out.of.i32, -9);
  /* A value of another kind is ignored. */
  v.kind = WASM_I64;
  v.of.i64 = 1;
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_I32 && out.of.i32 == -9);
  v.kind = WASM_F32;
  v.of.f32 = 2.0f;
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_I32 && out.of.i32 == -9);
  copy = wasm_global_copy(g);
  CHECK(copy != NULL && copy != g && wasm_global_same(copy, g));
  wasm_global_delete(g);
  wasm_global_get(copy, &out);
  CHECK_INT(out.of.i32, -9);
  wasm_global_delete(copy);

  /* Immutable: set does nothing. */
  v.kind = WASM_F64;
  v.of.f64 = 0.25;
  g = new_global(WASM_F64, WASM_CONST, &v);
  CHECK(g != NULL);
  v.of.f64 = 8.0;
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_F64 && out.of.f64 == 0.25);
  gt = wasm_global_type(g);
  CHECK_INT(wasm_globaltype_mutability(gt), WASM_CONST);
  wasm_globaltype_delete(gt);
  wasm_global_delete(g);

  /* i64 and f32. */
  v.kind = WASM_I64;
  v.of.i64 = INT64_MAX;
  g = new_global(WASM_I64, WASM_CONST, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_I64 && out.of.i64 == INT64_MAX);
  wasm_global_delete(g);
  v.kind = WASM_F32;
  v.of.f32 = -3.5f;
  g = new_global(WASM_F32, WASM_VAR, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_F32 && out.of.f32 == -3.5f);
  wasm_global_delete(g);

  /* v128. */
  v.kind = WASM_V128;
  for (i = 0; i < 16; i++) v.of.v128[i] = (uint8_t)(i * 7);
  g = new_global(WASM_V128, WASM_VAR, &v);
  CHECK(g != NULL);
  if (g != NULL) {
    memset(&out, 0, sizeof out);
    wasm_global_get(g, &out);
    CHECK(out.kind == WASM_V128 && memcmp(out.of.v128, v.of.v128, 16) == 0);
    v.of.v128[15] = 0xff;
    wasm_global_set(g, &v);
    wasm_global_get(g, &out);
    CHECK(out.kind == WASM_V128 && out.of.v128[15] == 0xff);
  }
  wasm_global_delete(g);

  /* A value that does not have the global's type: no global. */
  v.kind = WASM_I64;
  v.of.i64 = 1;
  CHECK(new_global(WASM_I32, WASM_VAR, &v) == NULL);
  v.kind = WASM_F32;
  CHECK(new_global(WASM_F64, WASM_CONST, &v) == NULL);
  v.kind = WASM_EXTERNREF;
  v.of.ref = NULL;
  CHECK(new_global(WASM_FUNCREF, WASM_CONST, &v) == NULL);
  v.kind = WASM_I32;
  CHECK(new_global(WASM_EXTERNREF, WASM_CONST, &v) == NULL);
}

static void reference_globals(void) {
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* f = wasm_func_new(store, ft, seven_cb);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_val_t v, out;
  wasm_global_t* g;

  /* funcref: null, then a function. */
  v.kind = WASM_FUNCREF;
  v.of.ref = NULL;
  g = new_global(WASM_FUNCREF, WASM_VAR, &v);
  CHECK(g != NULL);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_FUNCREF && out.of.ref == NULL);
  v.of.ref = wasm_func_as_ref(f);
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_FUNCREF && out.of.ref != NULL && out.of.ref != v.of.ref);
  if (out.of.ref != NULL) {
    wasm_val_t r[1];
    CHECK(wasm_func_same(wasm_ref_as_func(out.of.ref), f));
    CHECK_NO_TRAP(call_(wasm_ref_as_func(out.of.ref), NULL, 0, r, 1, __FILE__, __LINE__));
    CHECK_INT(r[0].of.i32, 7);
  }
  wasm_val_delete(&out);
  /* A foreign object is not a function. */
  v.of.ref = wasm_foreign_as_ref(foreign);
  wasm_global_set(g, &v);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_FUNCREF && out.of.ref != NULL &&
        wasm_func_same(wasm_ref_as_func(out.of.ref), f));
  wasm_val_delete(&out);
  wasm_global_delete(g);
  /* Nor can a funcref global start with one. */
  v.kind = WASM_FUNCREF;
  v.of.ref = wasm_foreign_as_ref(foreign);
  CHECK(new_global(WASM_FUNCREF, WASM_CONST, &v) == NULL);

  /* externref: null (foreign objects are in foreign_and_host_info.c). */
  v.kind = WASM_EXTERNREF;
  v.of.ref = NULL;
  g = new_global(WASM_EXTERNREF, WASM_VAR, &v);
  CHECK(g != NULL);
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_EXTERNREF && out.of.ref == NULL);
  wasm_global_delete(g);

  wasm_foreign_delete(foreign);
  wasm_func_delete(f);
  wasm_functype_delete(ft);
}

static void wasm_globals(void) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (global $g (export \"g\") (mut i64) (i64.const 10))"
      "  (global (export \"c\") f32 (f32.const 1.25))"
      "  (global (export \"v\") v128 (v128.const i64x2 -1 2))"
      "  (func (export \"get\") (result i64) global.get $g)"
      "  (func (export \"inc\") global.get $g i64.const 1 i64.add global.set $g))",
      &exports);
  wasm_global_t* g = export_global(&exports, 0);
  wasm_val_t v, r[1];
  static const uint8_t want_v[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     2,    0,    0,    0,    0,    0,    0,    0};

  if (instance == NULL || g == NULL) goto out;
  wasm_global_get(g, &v);
  CHECK(v.kind == WASM_I64 && v.of.i64 == 10);
  CHECK_NO_TRAP(CALL0(export_func(&exports, 4)));
  wasm_global_get(g, &v);
  CHECK_INT(v.of.i64, 11);
  v.of.i64 = 100;
  wasm_global_set(g, &v);
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 3), r));
  CHECK_INT(r[0].of.i64, 100);

  wasm_global_get(export_global(&exports, 1), &v);
  CHECK(v.kind == WASM_F32 && v.of.f32 == 1.25f);
  v.of.f32 = 9.0f;
  wasm_global_set(export_global(&exports, 1), &v); /* immutable: ignored */
  wasm_global_get(export_global(&exports, 1), &v);
  CHECK(v.of.f32 == 1.25f);

  memset(&v, 0, sizeof v);
  wasm_global_get(export_global(&exports, 2), &v);
  CHECK_INT(v.kind, WASM_V128);
  CHECK(memcmp(v.of.v128, want_v, 16) == 0);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

static wasm_table_t* new_table(wasm_valkind_t kind, uint32_t min, uint32_t max,
                               const wasm_ref_t* init) {
  wasm_limits_t limits;
  wasm_tabletype_t* tt;
  wasm_table_t* t;
  limits.min = min;
  limits.max = max;
  tt = wasm_tabletype_new(wasm_valtype_new(kind), &limits);
  t = wasm_table_new(store, tt, init);
  wasm_tabletype_delete(tt);
  return t;
}

static void host_tables(void) {
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* f = wasm_func_new(store, ft, seven_cb);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_table_t* t = new_table(WASM_FUNCREF, 2, 5, NULL);
  wasm_table_t* copy;
  wasm_tabletype_t* tt;
  wasm_ref_t* r;

  CHECK(t != NULL);
  if (t == NULL) goto out;
  CHECK_INT(wasm_table_size(t), 2);
  CHECK(wasm_table_get(t, 0) == NULL);
  CHECK(wasm_table_get(t, 1) == NULL);

  CHECK(wasm_table_set(t, 1, wasm_func_as_ref(f)));
  r = wasm_table_get(t, 1);
  CHECK(r != NULL && wasm_ref_as_func(r) != NULL && wasm_func_same(wasm_ref_as_func(r), f));
  wasm_ref_delete(r);
  CHECK(wasm_table_set(t, 1, NULL)); /* back to null */
  CHECK(wasm_table_get(t, 1) == NULL);

  /* Out of range. */
  CHECK(wasm_table_get(t, 2) == NULL);
  CHECK(wasm_table_get(t, UINT32_MAX) == NULL);
  CHECK(!wasm_table_set(t, 2, wasm_func_as_ref(f)));
  CHECK(!wasm_table_set(t, UINT32_MAX, NULL));
  CHECK_INT(wasm_table_size(t), 2);

  /* The wrong kind of reference. */
  CHECK(!wasm_table_set(t, 0, wasm_foreign_as_ref(foreign)));
  CHECK(wasm_table_get(t, 0) == NULL);

  /* Growing: new elements hold `init`; not past the maximum. */
  CHECK(wasm_table_grow(t, 0, NULL));
  CHECK_INT(wasm_table_size(t), 2);
  CHECK(wasm_table_grow(t, 2, wasm_func_as_ref(f)));
  CHECK_INT(wasm_table_size(t), 4);
  r = wasm_table_get(t, 3);
  CHECK(r != NULL && wasm_func_same(wasm_ref_as_func(r), f));
  wasm_ref_delete(r);
  CHECK(wasm_table_get(t, 1) == NULL);
  CHECK(!wasm_table_grow(t, 2, NULL));
  CHECK(!wasm_table_grow(t, UINT32_MAX, NULL));
  CHECK(!wasm_table_grow(t, 1, wasm_foreign_as_ref(foreign)));
  CHECK_INT(wasm_table_size(t), 4);
  CHECK(wasm_table_grow(t, 1, NULL));
  CHECK_INT(wasm_table_size(t), 5);

  /* The type has the current size as minimum. */
  tt = wasm_table_type(t);
  CHECK(tt != NULL && wasm_tabletype_limits(tt)->min == 5 && wasm_tabletype_limits(tt)->max == 5 &&
        wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
  wasm_tabletype_delete(tt);

  copy = wasm_table_copy(t);
  CHECK(copy != NULL && copy != t && wasm_table_same(copy, t));
  wasm_table_delete(copy);
  wasm_table_delete(t);

  /* Made with an initial function. */
  t = new_table(WASM_FUNCREF, 3, wasm_limits_max_default, wasm_func_as_ref(f));
  CHECK(t != NULL);
  if (t != NULL) {
    r = wasm_table_get(t, 2);
    CHECK(r != NULL && wasm_func_same(wasm_ref_as_func(r), f));
    wasm_ref_delete(r);
    CHECK(wasm_table_grow(t, 100, NULL));
    CHECK_INT(wasm_table_size(t), 103);
  }
  wasm_table_delete(t);

  /* An externref table holds null. */
  t = new_table(WASM_EXTERNREF, 1, 1, NULL);
  CHECK(t != NULL);
  if (t != NULL) {
    CHECK(wasm_table_get(t, 0) == NULL);
    CHECK(wasm_table_set(t, 0, NULL));
    CHECK(!wasm_table_grow(t, 1, NULL));
  }
  wasm_table_delete(t);

  /* No table: an initial value that does not fit, or bad limits. */
  CHECK(new_table(WASM_FUNCREF, 1, 1, wasm_foreign_as_ref(foreign)) == NULL);
  CHECK(new_table(WASM_FUNCREF, 3, 2, NULL) == NULL);
out:
  wasm_foreign_delete(foreign);
  wasm_func_delete(f);
  wasm_functype_delete(ft);
}

/* A host function put in wasm's table is called by call_indirect. */
static void wasm_tables(void) {
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* f = wasm_func_new(store, ft, seven_cb);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (type $t (func (result i32)))"
      "  (table (export \"t\") 2 funcref)"
      "  (func $one (result i32) i32.const 1)"
      "  (elem (i32.const 0) $one)"
      "  (func (export \"call\") (param i32) (result i32) local.get 0 call_indirect (type $t))"
      "  (func (export \"grow\") (result i32) ref.null func i32.const 3 table.grow 0))",
      &exports);
  wasm_table_t* t = export_table(&exports, 0);
  wasm_val_t a[1], r[1];
  wasm_ref_t* ref;

  if (instance == NULL || t == NULL) goto out;
  a[0].kind = WASM_I32;
  a[0].of.i32 = 0;
  CHECK_NO_TRAP(CALL(export_func(&exports, 1), a, r));
  CHECK_INT(r[0].of.i32, 1);
  a[0].of.i32 = 1;
  CHECK_TRAP(CALL(export_func(&exports, 1), a, r), "uninitialized element");
  CHECK(wasm_table_set(t, 1, wasm_func_as_ref(f)));
  CHECK_NO_TRAP(CALL(export_func(&exports, 1), a, r));
  CHECK_INT(r[0].of.i32, 7);
  a[0].of.i32 = 2;
  CHECK_TRAP(CALL(export_func(&exports, 1), a, r), "undefined element");

  /* Element 0 is wasm's function; it can be called from the host. */
  ref = wasm_table_get(t, 0);
  CHECK(ref != NULL && wasm_ref_as_func(ref) != NULL);
  if (ref != NULL && wasm_ref_as_func(ref) != NULL) {
    CHECK_NO_TRAP(CALL_RESULTS(wasm_ref_as_func(ref), r));
    CHECK_INT(r[0].of.i32, 1);
  }
  wasm_ref_delete(ref);

  /* wasm grows the table; the host sees it. */
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 2), r));
  CHECK_INT(r[0].of.i32, 2);
  CHECK_INT(wasm_table_size(t), 5);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(f);
  wasm_functype_delete(ft);
}

/* Typed function references: the C kinds are WASM_FUNCREF, nullability
 * is a Craneway query, and NULL or a function of another type is refused
 * wherever a value of a non-nullable or concrete reference type crosses. */
static void typed_references(void) {
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* seven = wasm_func_new(store, ft, seven_cb);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (type $t (func (param i64)))"
      "  (func $f (type $t))"
      "  (table (export \"t\") 1 (ref $t) (ref.func $f))"
      "  (global (export \"g\") (mut (ref null $t)) (ref.null $t))"
      "  (func (export \"call\") (param (ref $t)) i64.const 1 local.get 0 call_ref $t))",
      &exports);
  wasm_table_t* t = export_table(&exports, 0);
  wasm_global_t* g = export_global(&exports, 1);
  wasm_func_t* call = export_func(&exports, 2);
  wasm_tabletype_t* tt;
  wasm_globaltype_t* gt;
  wasm_functype_t* ct;
  wasm_ref_t* f;
  wasm_val_t v, args[1];

  if (instance == NULL || t == NULL || g == NULL || call == NULL) goto out;
  tt = wasm_table_type(t);
  CHECK_INT(wasm_valtype_kind(wasm_tabletype_element(tt)), WASM_FUNCREF);
  CHECK(!craneway_valtype_is_nullable(wasm_tabletype_element(tt)));
  wasm_tabletype_delete(tt);
  gt = wasm_global_type(g);
  CHECK_INT(wasm_valtype_kind(wasm_globaltype_content(gt)), WASM_FUNCREF);
  CHECK(craneway_valtype_is_nullable(wasm_globaltype_content(gt)));
  CHECK(craneway_valtype_is_typed_ref(wasm_globaltype_content(gt)));
  wasm_globaltype_delete(gt);
  ct = wasm_func_type(call);
  CHECK(!craneway_valtype_is_nullable(wasm_functype_params(ct)->data[0]));
  CHECK(craneway_valtype_is_typed_ref(wasm_functype_params(ct)->data[0]));
  wasm_functype_delete(ct);
  CHECK(!craneway_valtype_is_nullable(NULL));
  CHECK(!craneway_valtype_is_typed_ref(NULL));

  /* The table refuses NULL and a function of another type. */
  CHECK(!wasm_table_set(t, 0, NULL));
  CHECK(!wasm_table_set(t, 0, wasm_func_as_ref(seven)));
  CHECK(!wasm_table_grow(t, 1, NULL));
  f = wasm_table_get(t, 0);
  CHECK(f != NULL);
  CHECK(wasm_table_set(t, 0, f));

  /* The global takes NULL (it is nullable) but not another type. */
  v.kind = WASM_FUNCREF;
  v.of.ref = wasm_func_as_ref(seven);
  wasm_global_set(g, &v);
  wasm_global_get(g, &v);
  CHECK(v.kind == WASM_FUNCREF && v.of.ref == NULL);
  v.of.ref = f;
  wasm_global_set(g, &v);
  wasm_global_get(g, &v);
  CHECK(v.of.ref != NULL);
  wasm_ref_delete(v.of.ref);

  /* A (ref $t) parameter: NULL and another type are errors, not calls. */
  args[0].kind = WASM_FUNCREF;
  args[0].of.ref = NULL;
  CHECK_TRAP(CALL_ARGS(call, args), "null reference");
  args[0].of.ref = wasm_func_as_ref(seven);
  CHECK_TRAP(CALL_ARGS(call, args), "another type");
  args[0].of.ref = f;
  CHECK_NO_TRAP(CALL_ARGS(call, args));
  wasm_ref_delete(f);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(seven);
  wasm_functype_delete(ft);
}

static wasm_memory_t* new_memory(uint32_t min, uint32_t max) {
  wasm_limits_t limits;
  wasm_memorytype_t* mt;
  wasm_memory_t* m;
  limits.min = min;
  limits.max = max;
  mt = wasm_memorytype_new(&limits);
  m = wasm_memory_new(store, mt);
  wasm_memorytype_delete(mt);
  return m;
}

static void host_memories(void) {
  wasm_memory_t* m = new_memory(1, 3);
  wasm_memory_t* copy;
  wasm_memorytype_t* mt;
  uint8_t* data;
  size_t i;
  int zero = 1;

  CHECK(m != NULL);
  if (m == NULL) return;
  CHECK_INT(wasm_memory_size(m), 1);
  CHECK_INT(wasm_memory_data_size(m), 65536);
  CHECK_INT(MEMORY_PAGE_SIZE, 65536);
  data = (uint8_t*)wasm_memory_data(m);
  CHECK(data != NULL);
  for (i = 0; i < 65536; i += 4096) zero &= data[i] == 0;
  CHECK(zero && data[65535] == 0);
  data[65535] = 0x5a;

  CHECK(wasm_memory_grow(m, 0));
  CHECK(wasm_memory_grow(m, 2));
  CHECK_INT(wasm_memory_size(m), 3);
  CHECK_INT(wasm_memory_data_size(m), 3 * 65536);
  /* The memory does not move, keeps its contents, and the new pages are zero. */
  CHECK((uint8_t*)wasm_memory_data(m) == data);
  CHECK(data[65535] == 0x5a);
  CHECK(data[3 * 65536 - 1] == 0);
  data[3 * 65536 - 1] = 1;
  CHECK(!wasm_memory_grow(m, 1));
  CHECK(!wasm_memory_grow(m, UINT32_MAX));
  CHECK_INT(wasm_memory_size(m), 3);

  mt = wasm_memory_type(m);
  CHECK(mt != NULL && wasm_memorytype_limits(mt)->min == 3 && wasm_memorytype_limits(mt)->max == 3);
  wasm_memorytype_delete(mt);

  copy = wasm_memory_copy(m);
  CHECK(copy != NULL && copy != m && wasm_memory_same(copy, m));
  CHECK((uint8_t*)wasm_memory_data(copy) == data);
  wasm_memory_delete(copy);
  wasm_memory_delete(m);

  /* Without a maximum: grows to the 4 GiB limit, not past it. */
  m = new_memory(0, wasm_limits_max_default);
  CHECK(m != NULL);
  if (m != NULL) {
    CHECK_INT(wasm_memory_size(m), 0);
    CHECK_INT(wasm_memory_data_size(m), 0);
    CHECK(wasm_memory_grow(m, 16));
    CHECK_INT(wasm_memory_size(m), 16);
    CHECK(!wasm_memory_grow(m, 65536));
    CHECK_INT(wasm_memory_size(m), 16);
    mt = wasm_memory_type(m);
    CHECK(mt != NULL && wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
    wasm_memorytype_delete(mt);
  }
  wasm_memory_delete(m);

  /* Invalid limits: no memory. */
  CHECK(new_memory(2, 1) == NULL);
  CHECK(new_memory(65537, wasm_limits_max_default) == NULL);
  CHECK(new_memory(0, 65537) == NULL);
  m = new_memory(65536, 65536); /* the largest is allowed (and reserved lazily) */
  CHECK(m != NULL);
  wasm_memory_delete(m);
}

static void wasm_memories(void) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (memory (export \"m\") 1 4)"
      "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load)"
      "  (func (export \"store\") (param i32 i32) local.get 0 local.get 1 i32.store)"
      "  (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)"
      "  (data (i32.const 8) \"\\01\\02\\03\\04\"))",
      &exports);
  wasm_memory_t* m = export_memory(&exports, 0);
  wasm_val_t a[2], r[1];
  uint8_t* data;

  if (instance == NULL || m == NULL) goto out;
  data = (uint8_t*)wasm_memory_data(m);
  CHECK(data[8] == 1 && data[11] == 4);
  a[0].kind = WASM_I32;
  a[0].of.i32 = 8;
  CHECK_NO_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, 0x04030201);
  /* The host writes, wasm reads. */
  data[100] = 0x78;
  data[101] = 0x56;
  data[102] = 0x34;
  data[103] = 0x12;
  a[0].of.i32 = 100;
  CHECK_NO_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, 0x12345678);
  /* wasm writes, the host reads. */
  a[0].of.i32 = 200;
  a[1].kind = WASM_I32;
  a[1].of.i32 = -1;
  CHECK_NO_TRAP(call_(export_func(&exports, 2), a, 2, NULL, 0, __FILE__, __LINE__));
  CHECK(data[200] == 0xff && data[203] == 0xff && data[204] == 0);

  /* Out of bounds: a trap. */
  a[0].of.i32 = 65533;
  CHECK_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__),
             "out of bounds memory access");
  /* wasm grows the memory; the host sees it, and the access is in bounds. */
  a[0].of.i32 = 1;
  CHECK_NO_TRAP(call_(export_func(&exports, 3), a, 1, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, 1);
  CHECK_INT(wasm_memory_size(m), 2);
  CHECK_INT(wasm_memory_data_size(m), 2 * 65536);
  a[0].of.i32 = 65533;
  CHECK_NO_TRAP(call_(export_func(&exports, 1), a, 1, r, 1, __FILE__, __LINE__));
  /* The host grows it; wasm sees it. */
  CHECK(wasm_memory_grow(m, 2));
  a[0].of.i32 = 0;
  CHECK_NO_TRAP(call_(export_func(&exports, 3), a, 1, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, 4);
  a[0].of.i32 = 1;
  CHECK_NO_TRAP(call_(export_func(&exports, 3), a, 1, r, 1, __FILE__, __LINE__));
  CHECK_INT(r[0].of.i32, -1);
  CHECK((uint8_t*)wasm_memory_data(m) == data);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  host_globals();
  reference_globals();
  wasm_globals();
  host_tables();
  wasm_tables();
  typed_references();
  host_memories();
  wasm_memories();
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("globals_tables_memories");
}
