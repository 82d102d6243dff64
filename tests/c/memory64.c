/* 64-bit memories and tables from C: types made with the craneway_*64
 * extensions, limits read back (exact and saturated), a host memory imported
 * into a module that addresses it with i64, grown past 4 GiB, and
 * out-of-bounds accesses above 4 GiB and at the top of the address space
 * trapping. */
#include "check.h"

#include <stdint.h>

static wasm_engine_t* engine;
static wasm_store_t* store;

#define GIB4 ((uint64_t)1 << 32)

static wasm_trap_t* call_i64_i32(const wasm_func_t* f, uint64_t addr, int32_t* out) {
  wasm_val_t a[1], r[1];
  wasm_val_vec_t args = {1, a}, results = {1, r};
  a[0].kind = WASM_I64;
  a[0].of.i64 = (int64_t)addr;
  r[0].kind = WASM_I32;
  r[0].of.i32 = 0;
  wasm_trap_t* trap = wasm_func_call(f, &args, &results);
  if (trap == NULL && out != NULL) *out = r[0].of.i32;
  return trap;
}

static wasm_trap_t* call_i64_i64(const wasm_func_t* f, uint64_t arg, int64_t* out) {
  wasm_val_t a[1], r[1];
  wasm_val_vec_t args = {1, a}, results = {1, r};
  a[0].kind = WASM_I64;
  a[0].of.i64 = (int64_t)arg;
  r[0].kind = WASM_I64;
  r[0].of.i64 = 0;
  wasm_trap_t* trap = wasm_func_call(f, &args, &results);
  if (trap == NULL && out != NULL) *out = r[0].of.i64;
  return trap;
}

static wasm_trap_t* store8(const wasm_func_t* f, uint64_t addr, int32_t v) {
  wasm_val_t a[2];
  wasm_val_vec_t args = {2, a}, results = {0, NULL};
  a[0].kind = WASM_I64;
  a[0].of.i64 = (int64_t)addr;
  a[1].kind = WASM_I32;
  a[1].of.i32 = v;
  return wasm_func_call(f, &args, &results);
}

static void memory_types(void) {
  uint64_t min = 7, max = 7;
  wasm_memorytype_t* mt = craneway_memorytype_new64(1, 81920);
  const wasm_limits_t* l;
  wasm_memorytype_t* copy;
  CHECK(mt != NULL);
  CHECK(craneway_memorytype_is64(mt));
  CHECK(craneway_memorytype_limits64(mt, &min, &max));
  CHECK(min == 1 && max == 81920);
  l = wasm_memorytype_limits(mt);
  CHECK(l != NULL && l->min == 1 && l->max == 81920);
  copy = wasm_memorytype_copy(mt);
  CHECK(craneway_memorytype_is64(copy));
  wasm_memorytype_delete(copy);
  wasm_memorytype_delete(mt);

  /* Limits beyond 32 bits saturate in wasm.h's view, exact in ours. */
  mt = craneway_memorytype_new64((uint64_t)1 << 33, (uint64_t)1 << 40);
  l = wasm_memorytype_limits(mt);
  CHECK(l->min == UINT32_MAX && l->max == UINT32_MAX);
  CHECK(craneway_memorytype_limits64(mt, &min, &max));
  CHECK(min == (uint64_t)1 << 33 && max == (uint64_t)1 << 40);
  /* Far beyond what can be reserved: no memory, no abort. */
  CHECK(wasm_memory_new(store, mt) == NULL);
  wasm_memorytype_delete(mt);
  /* Above the spec's 2^48 pages. */
  mt = craneway_memorytype_new64(0, ((uint64_t)1 << 48) + 1);
  CHECK(wasm_memory_new(store, mt) == NULL);
  wasm_memorytype_delete(mt);

  /* No maximum reads back as UINT64_MAX. */
  mt = craneway_memorytype_new64(0, UINT64_MAX);
  CHECK(craneway_memorytype_limits64(mt, &min, &max) && min == 0 && max == UINT64_MAX);
  CHECK(wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
  wasm_memorytype_delete(mt);

  /* A 32-bit memory type is not 64-bit; NULL is handled. */
  {
    wasm_limits_t lim = {1, 2};
    mt = wasm_memorytype_new(&lim);
    CHECK(!craneway_memorytype_is64(mt));
    CHECK(craneway_memorytype_limits64(mt, &min, &max) && min == 1 && max == 2);
    wasm_memorytype_delete(mt);
  }
  CHECK(!craneway_memorytype_is64(NULL));
  min = max = 5;
  CHECK(!craneway_memorytype_limits64(NULL, &min, &max));
  CHECK(min == 0 && max == UINT64_MAX);
  CHECK(craneway_memory_size64(NULL) == 0);
  CHECK(!craneway_memory_grow64(NULL, 1));
}

static void imported_memory64(void) {
  /* 81920 pages = 5 GiB. */
  wasm_memorytype_t* mt = craneway_memorytype_new64(1, 81920);
  wasm_memory_t* m = wasm_memory_new(store, mt);
  wasm_memorytype_t* back;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_t* imports[1];
  wasm_extern_vec_t exports = {0, NULL};
  const wasm_func_t *load, *store_fn, *size, *grow, *load32, *load_off;
  uint64_t min, max;
  int32_t v = 0;
  int64_t r = 0;
  uint8_t* data;
  wasm_memorytype_delete(mt);
  CHECK(m != NULL);
  if (m == NULL) return;
  back = wasm_memory_type(m);
  CHECK(craneway_memorytype_is64(back));
  CHECK(craneway_memorytype_limits64(back, &min, &max) && min == 1 && max == 81920);
  wasm_memorytype_delete(back);

  module = COMPILE(store,
                   "(module"
                   "  (import \"\" \"m\" (memory i64 1))"
                   "  (func (export \"load\") (param i64) (result i32) local.get 0 i32.load8_u)"
                   "  (func (export \"store\") (param i64 i32) local.get 0 local.get 1 i32.store8)"
                   "  (func (export \"size\") (param i64) (result i64) memory.size)"
                   "  (func (export \"grow\") (param i64) (result i64) local.get 0 memory.grow)"
                   "  (func (export \"load32\") (param i64) (result i32) local.get 0 i32.load)"
                   "  (func (export \"load_off\") (param i64) (result i32)"
                   "    local.get 0 i32.load offset=0xfffffffffffffff0))");
  imports[0] = wasm_memory_as_extern(m);
  instance = INSTANTIATE(store, module, imports, 1);
  if (instance == NULL) goto out;
  wasm_instance_exports(instance, &exports);
  CHECK_INT(exports.size, 6);
  if (exports.size != 6) goto out;
  load = wasm_extern_as_func(exports.data[0]);
  store_fn = wasm_extern_as_func(exports.data[1]);
  size = wasm_extern_as_func(exports.data[2]);
  grow = wasm_extern_as_func(exports.data[3]);
  load32 = wasm_extern_as_func(exports.data[4]);
  load_off = wasm_extern_as_func(exports.data[5]);

  CHECK_NO_TRAP(store8(store_fn, 65535, 42));
  CHECK_NO_TRAP(call_i64_i32(load, 65535, &v));
  CHECK_INT(v, 42);
  CHECK_TRAP(call_i64_i32(load, 65536, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load32, 65533, NULL), "out of bounds");
  /* Above 4 GiB, and addresses that wrap. */
  CHECK_TRAP(call_i64_i32(load, GIB4, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load, GIB4 + 65535, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load, UINT64_MAX, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load32, UINT64_MAX - 1, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load_off, 0, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load_off, 0x20, NULL), "out of bounds");
  CHECK_TRAP(store8(store_fn, GIB4 * 2, 1), "out of bounds");

  /* Grow past 4 GiB: 1 + 65536 pages. */
  CHECK_NO_TRAP(call_i64_i64(grow, 65536, &r));
  CHECK_INT(r, 1);
  CHECK_NO_TRAP(call_i64_i64(size, 0, &r));
  CHECK_INT(r, 65537);
  CHECK(craneway_memory_size64(m) == 65537);
  CHECK_INT(wasm_memory_size(m), 65537);
  CHECK(wasm_memory_data_size(m) == (size_t)65537 * 65536);
  CHECK_NO_TRAP(store8(store_fn, GIB4 + 5, 99));
  CHECK_NO_TRAP(call_i64_i32(load, GIB4 + 5, &v));
  CHECK_INT(v, 99);
  data = wasm_memory_data(m);
  CHECK(data[GIB4 + 5] == 99 && data[65535] == 42);
  CHECK_NO_TRAP(call_i64_i32(load, GIB4 + 65535, &v));
  CHECK_INT(v, 0);
  CHECK_TRAP(call_i64_i32(load, GIB4 + 65536, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load32, GIB4 + 65533, NULL), "out of bounds");
  CHECK_TRAP(call_i64_i32(load, UINT64_MAX, NULL), "out of bounds");

  /* Past the maximum: -1 from wasm, false from the host. */
  CHECK_NO_TRAP(call_i64_i64(grow, 81920, &r));
  CHECK_INT(r, -1);
  CHECK_NO_TRAP(call_i64_i64(grow, UINT64_MAX, &r));
  CHECK_INT(r, -1);
  CHECK(!craneway_memory_grow64(m, (uint64_t)1 << 40));
  CHECK(craneway_memory_grow64(m, 3));
  CHECK(craneway_memory_size64(m) == 65540);
  CHECK(wasm_memory_grow(m, 1));
  CHECK_NO_TRAP(call_i64_i64(size, 0, &r));
  CHECK_INT(r, 65541);

out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_memory_delete(m);
}

/* A 64-bit memory does not satisfy a 32-bit import, nor the reverse. */
static void import_matching(void) {
  wasm_memorytype_t* mt = craneway_memorytype_new64(1, UINT64_MAX);
  wasm_memory_t* m64 = wasm_memory_new(store, mt);
  wasm_limits_t lim = {1, wasm_limits_max_default};
  wasm_memorytype_t* mt32 = wasm_memorytype_new(&lim);
  wasm_memory_t* m32 = wasm_memory_new(store, mt32);
  wasm_module_t* want32 = COMPILE(store, "(module (import \"\" \"m\" (memory 1)))");
  wasm_module_t* want64 = COMPILE(store, "(module (import \"\" \"m\" (memory i64 1)))");
  wasm_extern_t* imports[1];
  wasm_extern_vec_t vec = {1, imports};
  wasm_trap_t* trap = NULL;
  wasm_instance_t* inst;
  wasm_memorytype_delete(mt);
  wasm_memorytype_delete(mt32);

  imports[0] = wasm_memory_as_extern(m64);
  inst = wasm_instance_new(store, want32, &vec, &trap);
  CHECK(inst == NULL);
  wasm_trap_delete(trap);
  trap = NULL;
  imports[0] = wasm_memory_as_extern(m32);
  inst = wasm_instance_new(store, want64, &vec, &trap);
  CHECK(inst == NULL);
  wasm_trap_delete(trap);
  imports[0] = wasm_memory_as_extern(m64);
  inst = INSTANTIATE(store, want64, imports, 1);
  CHECK(inst != NULL);
  wasm_instance_delete(inst);

  wasm_module_delete(want32);
  wasm_module_delete(want64);
  wasm_memory_delete(m32);
  wasm_memory_delete(m64);
}

static void table64(void) {
  wasm_tabletype_t* tt = craneway_tabletype_new64(wasm_valtype_new(WASM_FUNCREF), 2, 10);
  wasm_tabletype_t* back;
  wasm_table_t* t;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_t* imports[1];
  wasm_extern_vec_t exports = {0, NULL};
  uint64_t min = 0, max = 0;
  int64_t r = 0;
  const wasm_limits_t* l;

  CHECK(tt != NULL && craneway_tabletype_is64(tt));
  CHECK(craneway_tabletype_limits64(tt, &min, &max) && min == 2 && max == 10);
  l = wasm_tabletype_limits(tt);
  CHECK(l->min == 2 && l->max == 10);
  /* Element types must be references. */
  CHECK(craneway_tabletype_new64(wasm_valtype_new(WASM_I32), 0, 1) == NULL);
  CHECK(craneway_tabletype_new64(NULL, 0, 1) == NULL);
  CHECK(!craneway_tabletype_is64(NULL));
  CHECK(!craneway_tabletype_limits64(NULL, &min, &max) && min == 0 && max == UINT64_MAX);
  {
    wasm_tabletype_t* big =
        craneway_tabletype_new64(wasm_valtype_new(WASM_EXTERNREF), (uint64_t)1 << 35, UINT64_MAX);
    CHECK(wasm_tabletype_limits(big)->min == UINT32_MAX);
    CHECK(craneway_tabletype_limits64(big, &min, &max) && min == (uint64_t)1 << 35);
    CHECK(wasm_table_new(store, big, NULL) == NULL);
    wasm_tabletype_delete(big);
  }

  t = wasm_table_new(store, tt, NULL);
  wasm_tabletype_delete(tt);
  CHECK(t != NULL);
  if (t == NULL) return;
  back = wasm_table_type(t);
  CHECK(craneway_tabletype_is64(back));
  wasm_tabletype_delete(back);

  module = COMPILE(store,
                   "(module"
                   "  (import \"\" \"t\" (table i64 2 funcref))"
                   "  (type $r (func (result i32)))"
                   "  (func $seven (result i32) i32.const 7)"
                   "  (elem declare func $seven)"
                   "  (func (export \"size\") (param i64) (result i64) table.size 0)"
                   "  (func (export \"grow\") (param i64) (result i64)"
                   "    ref.null func local.get 0 table.grow 0)"
                   "  (func (export \"set\") (param i64) (result i64)"
                   "    local.get 0 ref.func $seven table.set 0 i64.const 0)"
                   "  (func (export \"call\") (param i64) (result i64)"
                   "    local.get 0 call_indirect (type $r) i64.extend_i32_s))");
  imports[0] = wasm_table_as_extern(t);
  instance = INSTANTIATE(store, module, imports, 1);
  if (instance == NULL) goto out;
  wasm_instance_exports(instance, &exports);
  CHECK_INT(exports.size, 4);
  if (exports.size != 4) goto out;
  CHECK_NO_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[0]), 0, &r));
  CHECK_INT(r, 2);
  CHECK_NO_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[1]), 3, &r));
  CHECK_INT(r, 2);
  CHECK_NO_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[1]), 100, &r));
  CHECK_INT(r, -1);
  CHECK_NO_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[1]), UINT64_MAX, &r));
  CHECK_INT(r, -1);
  CHECK_INT(wasm_table_size(t), 5);
  CHECK_NO_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[2]), 4, &r));
  CHECK_NO_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[3]), 4, &r));
  CHECK_INT(r, 7);
  /* Indices with high bits set do not alias small ones. */
  CHECK_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[2]), GIB4 + 4, NULL),
             "out of bounds");
  CHECK_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[3]), GIB4 + 4, NULL),
             "undefined element");
  CHECK_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[3]), UINT64_MAX, NULL),
             "undefined element");
  CHECK_TRAP(call_i64_i64(wasm_extern_as_func(exports.data[3]), 3, NULL), "uninitialized");

out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_table_delete(t);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  memory_types();
  imported_memory64();
  import_matching();
  table64();
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("memory64");
}
