/* call_bench.c: the cost of one call across the host/wasm boundary.
 *
 * Built twice from this file by bench/run:
 *   - against Craneway (include/wasm.h, include/craneway.h, libcraneway.so);
 *   - with -DPEER_WASMTIME against Wasmtime's C API (wasm.h, wasmtime.h).
 * Both print the same rows, one per line, tab-separated:
 *   key  median-ns  min-ns  iterations-per-run  label
 * Every number is nanoseconds per call: the median (and the minimum) over
 * several runs of N calls, timed with clock_gettime(CLOCK_MONOTONIC); N is
 * calibrated per row so that one run takes about --ms milliseconds.
 *
 * host->wasm rows call an exported function N times from C: through the
 * standard wasm_func_call (wasm_val_t vectors) and through the raw API
 * (wasm_func_call_unchecked / wasmtime_func_call_unchecked over 16-byte
 * slots). wasm->host rows call one exported wasm loop that calls an imported
 * host function N times; the row is (loop with the call) - (the same loop
 * doing the host function's work inline), per iteration. Host functions are
 * made with the standard wasm_func_new and with the raw API
 * (wasm_func_new_unchecked / wasmtime_func_new_unchecked). The "loop" rows
 * give the subtracted baselines.
 *
 * Craneway runs everything on one store and one instance: the module imports
 * each host shape twice, once made with wasm_func_new and once raw. In
 * Wasmtime wasm.h objects and wasmtime.h objects live in different kinds of
 * store, so the peer instantiates the same module twice: in a wasm_store_t
 * (standard rows) and in a wasmtime_store_t (raw rows).
 *
 * Every row computes a checksum from the results and checks it against the
 * same computation in plain C, so nothing can be optimised away and a wrong
 * result fails the run (exit status 1).
 *
 * Usage: call_bench [--runs R] [--ms T] [--calls N] [--only SUBSTRING]
 *   --calls N fixes the calls per run (no calibration), e.g. for counting
 *   instructions per call under valgrind --tool=callgrind.
 */

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef PEER_WASMTIME
#include <wasm.h>
#include <wasmtime.h>
#define RUNTIME_NAME "wasmtime"
typedef wasmtime_val_raw_t raw_t;
#else
#include "wasm.h"
#include "craneway.h"
#define RUNTIME_NAME "craneway"
typedef wasm_val_raw_t raw_t;
#endif

#define NOINLINE __attribute__((noinline))

_Static_assert(sizeof(raw_t) == 16, "raw slot is 16 bytes");

static void die(const char *what) {
  fprintf(stderr, "call_bench (" RUNTIME_NAME "): %s\n", what);
  exit(1);
}

static void die_trap(const char *what, wasm_trap_t *trap) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  fprintf(stderr, "call_bench (" RUNTIME_NAME "): %s: trap: %.*s\n", what, (int)msg.size,
          msg.data);
  exit(1);
}

/* ------------------------------------------------------------------------
 * The module, encoded here so that both runtimes get the same bytes and
 * neither needs a text parser.
 *
 *   type 0: () -> ()          type 1: (i32 i32) -> i32
 *   type 2: (i32 i64 f32 f64 i32) -> i64                type 3: (i32) -> i64
 *   imports "host": std_empty std_add std_mix raw_empty raw_add raw_mix
 *   exports (in this order, function indices 6..17):
 *     empty add mix                       the host->wasm callees
 *     loop_std_empty loop_std_add loop_std_mix    call imports 0..2 n times
 *     loop_raw_empty loop_raw_add loop_raw_mix    call imports 3..5 n times
 *     base_empty base_add base_mix        the same loops, work inline
 *
 *   mix(a, b, c, d, e) = u64(a) + b + u64(bits(c)) + bits(d) + u64(e)
 *   loop_*_empty(n): i = 0..n-1: call; returns n
 *   loop_*_add(n):   acc:i32 = add(acc, i); returns u64(acc)
 *   loop_*_mix(n):   acc:i64 = mix(i, acc, f32(i), f64(i), n); returns acc
 *   (i unsigned; f32(i), f64(i) are f32/f64.convert_i32_u)
 */

enum { T_EMPTY, T_ADD, T_MIX, T_LOOP };
enum { SHAPE_EMPTY, SHAPE_ADD, SHAPE_MIX, NSHAPES };
enum { NIMPORTS = 6, FIRST_DEFINED = NIMPORTS };
enum {
  EX_EMPTY, EX_ADD, EX_MIX,
  EX_LOOP_STD, /* + shape */
  EX_LOOP_RAW = EX_LOOP_STD + NSHAPES,
  EX_BASE = EX_LOOP_RAW + NSHAPES,
  NEXPORTS = EX_BASE + NSHAPES
};

static const char *const import_names[NIMPORTS] = {"std_empty", "std_add", "std_mix",
                                                   "raw_empty", "raw_add", "raw_mix"};
static const char *const export_names[NEXPORTS] = {
    "empty",          "add",          "mix",          "loop_std_empty", "loop_std_add",
    "loop_std_mix",   "loop_raw_empty", "loop_raw_add", "loop_raw_mix", "base_empty",
    "base_add",       "base_mix"};

typedef struct {
  uint8_t *p;
  size_t len, cap;
} buf_t;

static void put(buf_t *b, uint8_t byte) {
  if (b->len == b->cap) {
    b->cap = b->cap ? 2 * b->cap : 64;
    b->p = realloc(b->p, b->cap);
    if (!b->p) die("out of memory");
  }
  b->p[b->len++] = byte;
}
static void put_bytes(buf_t *b, const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) put(b, bytes[i]);
}
static void put_u32(buf_t *b, uint32_t v) { /* unsigned LEB128 */
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put(b, byte | (v ? 0x80 : 0));
  } while (v);
}
static void put_name(buf_t *b, const char *s) {
  put_u32(b, (uint32_t)strlen(s));
  put_bytes(b, (const uint8_t *)s, strlen(s));
}
static void put_buf(buf_t *b, buf_t *inner) { /* size-prefixed, frees inner */
  put_u32(b, (uint32_t)inner->len);
  put_bytes(b, inner->p, inner->len);
  free(inner->p);
  *inner = (buf_t){0};
}
#define OPS(b, ...)                                                                  \
  do {                                                                               \
    static const uint8_t ops_[] = {__VA_ARGS__};                                     \
    put_bytes(b, ops_, sizeof ops_);                                                 \
  } while (0)

enum {
  I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, VOID = 0x40,
  BLOCK = 0x02, LOOP = 0x03, END = 0x0b, BR_IF = 0x0d, CALL = 0x10,
  LGET = 0x20, LSET = 0x21, LTEE = 0x22, I32CONST = 0x41,
  I32EQZ = 0x45, I32NE = 0x47, I32ADD = 0x6a, I64ADD = 0x7c,
  I64EXTU = 0xad, F32CVTU = 0xb3, F64CVTU = 0xb8, I32REINTF32 = 0xbc, I64REINTF64 = 0xbd,
};

/* The inline mix over operands (a:i32 b:i64 c:f32 d:f64 e:i32) held in
 * locals a..e: u64(a) + b + u64(bits c) + bits d + u64(e). */
static void put_mix_inline(buf_t *f, int a, int b, int c, int d, int e, int c_is_cvt_of,
                           int d_is_cvt_of) {
  OPS(f, LGET); put_u32(f, a); OPS(f, I64EXTU);
  OPS(f, LGET); put_u32(f, b); OPS(f, I64ADD);
  OPS(f, LGET); put_u32(f, c);
  if (c_is_cvt_of) OPS(f, F32CVTU);
  OPS(f, I32REINTF32, I64EXTU, I64ADD);
  OPS(f, LGET); put_u32(f, d);
  if (d_is_cvt_of) OPS(f, F64CVTU);
  OPS(f, I64REINTF64, I64ADD);
  OPS(f, LGET); put_u32(f, e); OPS(f, I64EXTU, I64ADD);
}

/* loop_<shape>(n: local 0) with i: local 1, acc: local 2; callee < 0 means
 * the baseline (work inline). */
static void put_loop_body(buf_t *f, int shape, int callee) {
  /* locals */
  if (shape == SHAPE_EMPTY) {
    OPS(f, 1, 1, I32);
  } else {
    OPS(f, 2, 1, I32, 1);
    put(f, shape == SHAPE_ADD ? I32 : I64);
  }
  OPS(f, BLOCK, VOID, LGET, 0, I32EQZ, BR_IF, 0, LOOP, VOID);
  switch (shape) {
  case SHAPE_EMPTY:
    if (callee >= 0) { OPS(f, CALL); put_u32(f, callee); }
    break;
  case SHAPE_ADD:
    OPS(f, LGET, 2, LGET, 1);
    if (callee >= 0) { OPS(f, CALL); put_u32(f, callee); }
    else OPS(f, I32ADD);
    OPS(f, LSET, 2);
    break;
  case SHAPE_MIX:
    if (callee >= 0) {
      OPS(f, LGET, 1, LGET, 2, LGET, 1, F32CVTU, LGET, 1, F64CVTU, LGET, 0, CALL);
      put_u32(f, callee);
    } else {
      put_mix_inline(f, 1, 2, 1, 1, 0, 1, 1);
    }
    OPS(f, LSET, 2);
    break;
  }
  /* i += 1; continue while i != n */
  OPS(f, LGET, 1, I32CONST, 1, I32ADD, LTEE, 1, LGET, 0, I32NE, BR_IF, 0, END, END);
  if (shape == SHAPE_EMPTY) OPS(f, LGET, 1, I64EXTU);
  else if (shape == SHAPE_ADD) OPS(f, LGET, 2, I64EXTU);
  else OPS(f, LGET, 2);
  OPS(f, END);
}

static buf_t build_module(void) {
  buf_t m = {0}, s = {0}, f = {0};
  OPS(&m, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

  /* types */
  OPS(&s, 4);
  OPS(&s, 0x60, 0, 0);
  OPS(&s, 0x60, 2, I32, I32, 1, I32);
  OPS(&s, 0x60, 5, I32, I64, F32, F64, I32, 1, I64);
  OPS(&s, 0x60, 1, I32, 1, I64);
  OPS(&m, 1); put_buf(&m, &s);

  /* imports */
  put_u32(&s, NIMPORTS);
  for (int i = 0; i < NIMPORTS; i++) {
    put_name(&s, "host");
    put_name(&s, import_names[i]);
    OPS(&s, 0x00); put_u32(&s, i % NSHAPES); /* func of type shape */
  }
  OPS(&m, 2); put_buf(&m, &s);

  /* functions: export i is defined function i */
  put_u32(&s, NEXPORTS);
  for (int i = 0; i < NEXPORTS; i++) put_u32(&s, i < EX_LOOP_STD ? i : T_LOOP);
  OPS(&m, 3); put_buf(&m, &s);

  /* exports */
  put_u32(&s, NEXPORTS);
  for (int i = 0; i < NEXPORTS; i++) {
    put_name(&s, export_names[i]);
    OPS(&s, 0x00); put_u32(&s, FIRST_DEFINED + i);
  }
  OPS(&m, 7); put_buf(&m, &s);

  /* code */
  put_u32(&s, NEXPORTS);
  OPS(&f, 0, END); /* empty */
  put_buf(&s, &f);
  OPS(&f, 0, LGET, 0, LGET, 1, I32ADD, END); /* add */
  put_buf(&s, &f);
  OPS(&f, 0); put_mix_inline(&f, 0, 1, 2, 3, 4, 0, 0); OPS(&f, END); /* mix */
  put_buf(&s, &f);
  for (int shape = 0; shape < NSHAPES; shape++) {
    put_loop_body(&f, shape, shape); /* std import */
    put_buf(&s, &f);
  }
  for (int shape = 0; shape < NSHAPES; shape++) {
    put_loop_body(&f, shape, NSHAPES + shape); /* raw import */
    put_buf(&s, &f);
  }
  for (int shape = 0; shape < NSHAPES; shape++) {
    put_loop_body(&f, shape, -1); /* baseline */
    put_buf(&s, &f);
  }
  OPS(&m, 10); put_buf(&m, &s);
  return m;
}

/* ------------------------------------------------------------------------
 * Reference computations in plain C. */

static uint64_t mix_ref(uint32_t a, uint64_t b, float c, double d, uint32_t e) {
  uint32_t cb;
  uint64_t db;
  memcpy(&cb, &c, 4);
  memcpy(&db, &d, 8);
  return (uint64_t)a + b + cb + db + e;
}

/* What loop_<shape>(n) returns, and what the host->wasm loops accumulate. */
static uint64_t expected(int shape, uint32_t n) {
  if (shape == SHAPE_EMPTY) return n;
  if (shape == SHAPE_ADD) {
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) acc += i;
    return acc;
  }
  uint64_t acc = 0;
  for (uint32_t i = 0; i < n; i++) acc = mix_ref(i, acc, (float)i, (double)i, n);
  return acc;
}

/* ------------------------------------------------------------------------
 * Host functions. The empty ones count their calls. */

static uint64_t std_empty_calls; /* wasm_func_new callbacks get no env */

static wasm_trap_t *std_empty(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  (void)args, (void)results;
  std_empty_calls++;
  return NULL;
}
static wasm_trap_t *std_add(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = (int32_t)((uint32_t)args->data[0].of.i32 + (uint32_t)args->data[1].of.i32);
  return NULL;
}
static wasm_trap_t *std_mix(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  const wasm_val_t *a = args->data;
  results->data[0].kind = WASM_I64;
  results->data[0].of.i64 = (int64_t)mix_ref((uint32_t)a[0].of.i32, (uint64_t)a[1].of.i64,
                                             a[2].of.f32, a[3].of.f64, (uint32_t)a[4].of.i32);
  return NULL;
}

#ifdef PEER_WASMTIME
#define RAW_CALLBACK(name)                                                           \
  static wasm_trap_t *name(void *env, wasmtime_caller_t *caller, raw_t *s, size_t len)
#define UNUSED_CALLER (void)caller
#else
#define RAW_CALLBACK(name) static wasm_trap_t *name(void *env, raw_t *s, size_t len)
#define UNUSED_CALLER
#endif

RAW_CALLBACK(raw_empty) {
  UNUSED_CALLER;
  (void)s, (void)len;
  ++*(uint64_t *)env;
  return NULL;
}
RAW_CALLBACK(raw_add) {
  UNUSED_CALLER;
  (void)env, (void)len;
  s[0].i32 = (int32_t)((uint32_t)s[0].i32 + (uint32_t)s[1].i32);
  return NULL;
}
RAW_CALLBACK(raw_mix) {
  UNUSED_CALLER;
  (void)env, (void)len;
  s[0].i64 = (int64_t)mix_ref((uint32_t)s[0].i32, (uint64_t)s[1].i64, s[2].f32, s[3].f64,
                              (uint32_t)s[4].i32);
  return NULL;
}

static uint64_t raw_empty_calls;

/* ------------------------------------------------------------------------
 * The runtime: one engine; the standard (wasm.h) instance; the raw handles. */

static wasm_engine_t *engine;
static wasm_store_t *store;
static wasm_module_t *module;
static wasm_instance_t *instance;
static const wasm_func_t *std_funcs[NEXPORTS]; /* exports, for wasm_func_call */

#ifdef PEER_WASMTIME
static wasmtime_store_t *wt_store;
static wasmtime_context_t *wt_ctx;
static wasmtime_func_t raw_funcs[NEXPORTS]; /* the second instance's exports */

static void die_error(const char *what, wasmtime_error_t *err) {
  wasm_message_t msg;
  wasmtime_error_message(err, &msg);
  fprintf(stderr, "call_bench (wasmtime): %s: %.*s\n", what, (int)msg.size, msg.data);
  exit(1);
}

static inline wasm_trap_t *raw_call(int ex, raw_t *s, size_t len) {
  wasm_trap_t *trap = NULL;
  wasmtime_error_t *err = wasmtime_func_call_unchecked(wt_ctx, &raw_funcs[ex], s, len, &trap);
  if (__builtin_expect(err != NULL, 0)) die_error("wasmtime_func_call_unchecked", err);
  return trap;
}
#else
static inline wasm_trap_t *raw_call(int ex, raw_t *s, size_t len) {
  return wasm_func_call_unchecked(std_funcs[ex], s, len);
}
#endif

static wasm_functype_t *shape_type(int shape) {
  wasm_valtype_vec_t params, results;
  switch (shape) {
  case SHAPE_EMPTY:
    wasm_valtype_vec_new_empty(&params);
    wasm_valtype_vec_new_empty(&results);
    break;
  case SHAPE_ADD: {
    wasm_valtype_t *p[2] = {wasm_valtype_new(WASM_I32), wasm_valtype_new(WASM_I32)};
    wasm_valtype_t *r[1] = {wasm_valtype_new(WASM_I32)};
    wasm_valtype_vec_new(&params, 2, p);
    wasm_valtype_vec_new(&results, 1, r);
    break;
  }
  default: {
    wasm_valtype_t *p[5] = {wasm_valtype_new(WASM_I32), wasm_valtype_new(WASM_I64),
                            wasm_valtype_new(WASM_F32), wasm_valtype_new(WASM_F64),
                            wasm_valtype_new(WASM_I32)};
    wasm_valtype_t *r[1] = {wasm_valtype_new(WASM_I64)};
    wasm_valtype_vec_new(&params, 5, p);
    wasm_valtype_vec_new(&results, 1, r);
    break;
  }
  }
  return wasm_functype_new(&params, &results);
}

static wasm_func_callback_t const std_callbacks[NSHAPES] = {std_empty, std_add, std_mix};

static void setup(void) {
  buf_t bin = build_module();
  wasm_byte_vec_t binary = {bin.len, (wasm_byte_t *)bin.p};
  wasm_functype_t *types[NSHAPES];
  for (int i = 0; i < NSHAPES; i++) types[i] = shape_type(i);

  engine = wasm_engine_new();
  if (!engine) die("wasm_engine_new failed");
  store = wasm_store_new(engine);
  if (!store) die("wasm_store_new failed");
  module = wasm_module_new(store, &binary);
  if (!module) die("wasm_module_new failed (invalid benchmark module?)");

  /* The standard instance: imports 0..2 from wasm_func_new; 3..5 raw in
   * Craneway (same store), wasm_func_new again in Wasmtime (unused there). */
  wasm_extern_t *imports[NIMPORTS];
  for (int i = 0; i < NIMPORTS; i++) {
    int shape = i % NSHAPES;
    wasm_func_t *f;
#ifdef PEER_WASMTIME
    f = wasm_func_new(store, types[shape], std_callbacks[shape]);
#else
    if (i < NSHAPES) {
      f = wasm_func_new(store, types[shape], std_callbacks[shape]);
    } else {
      static wasm_func_callback_unchecked_t const raw_callbacks[NSHAPES] = {raw_empty, raw_add,
                                                                          raw_mix};
      f = wasm_func_new_unchecked(store, types[shape], raw_callbacks[shape],
                                  shape == SHAPE_EMPTY ? &raw_empty_calls : NULL, NULL);
    }
#endif
    if (!f) die("creating a host function failed");
    imports[i] = wasm_func_as_extern(f);
  }
  wasm_extern_vec_t import_vec = {NIMPORTS, imports};
  wasm_trap_t *trap = NULL;
  instance = wasm_instance_new(store, module, &import_vec, &trap);
  if (trap) die_trap("wasm_instance_new", trap);
  if (!instance) die("wasm_instance_new failed");
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  if (exports.size != NEXPORTS) die("unexpected number of exports");
  for (int i = 0; i < NEXPORTS; i++) {
    std_funcs[i] = wasm_extern_as_func(exports.data[i]);
    if (!std_funcs[i]) die("an export is not a function");
  }
  /* `exports` and the imports stay alive to the end of the process. */

#ifdef PEER_WASMTIME
  wasmtime_module_t *wt_module = NULL;
  wasmtime_error_t *err = wasmtime_module_new(engine, bin.p, bin.len, &wt_module);
  if (err) die_error("wasmtime_module_new", err);
  wt_store = wasmtime_store_new(engine, NULL, NULL);
  wt_ctx = wasmtime_store_context(wt_store);
  static wasmtime_func_unchecked_callback_t const raw_callbacks[NSHAPES] = {raw_empty, raw_add,
                                                                            raw_mix};
  wasmtime_extern_t wt_imports[NIMPORTS];
  for (int i = 0; i < NIMPORTS; i++) {
    int shape = i % NSHAPES;
    wt_imports[i].kind = WASMTIME_EXTERN_FUNC;
    wasmtime_func_new_unchecked(wt_ctx, types[shape], raw_callbacks[shape],
                                shape == SHAPE_EMPTY ? &raw_empty_calls : NULL, NULL,
                                &wt_imports[i].of.func);
  }
  wasmtime_instance_t wt_instance;
  err = wasmtime_instance_new(wt_ctx, wt_module, wt_imports, NIMPORTS, &wt_instance, &trap);
  if (err) die_error("wasmtime_instance_new", err);
  if (trap) die_trap("wasmtime_instance_new", trap);
  for (int i = 0; i < NEXPORTS; i++) {
    wasmtime_extern_t item;
    if (!wasmtime_instance_export_get(wt_ctx, &wt_instance, export_names[i],
                                      strlen(export_names[i]), &item) ||
        item.kind != WASMTIME_EXTERN_FUNC)
      die("missing export in the wasmtime instance");
    raw_funcs[i] = item.of.func;
  }
#endif
  for (int i = 0; i < NSHAPES; i++) wasm_functype_delete(types[i]);
  free(bin.p);
}

/* ------------------------------------------------------------------------
 * The timed loops. Each makes n calls and returns its checksum. */

typedef uint64_t (*bench_fn)(uint32_t n);

static NOINLINE uint64_t h2w_empty_std(uint32_t n) {
  const wasm_func_t *f = std_funcs[EX_EMPTY];
  wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_EMPTY_VEC;
  uint64_t ok = 0;
  for (uint32_t i = 0; i < n; i++) {
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    if (__builtin_expect(trap != NULL, 0)) die_trap("empty", trap);
    ok++;
  }
  return ok;
}
static NOINLINE uint64_t h2w_empty_raw(uint32_t n) {
  uint64_t ok = 0;
  for (uint32_t i = 0; i < n; i++) {
    raw_t s[1];
    wasm_trap_t *trap = raw_call(EX_EMPTY, s, 0);
    if (__builtin_expect(trap != NULL, 0)) die_trap("empty", trap);
    ok++;
  }
  return ok;
}
static NOINLINE uint64_t h2w_add_std(uint32_t n) {
  const wasm_func_t *f = std_funcs[EX_ADD];
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; i++) {
    wasm_val_t a[2] = {WASM_I32_VAL((int32_t)acc), WASM_I32_VAL((int32_t)i)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    if (__builtin_expect(trap != NULL, 0)) die_trap("add", trap);
    acc = (uint32_t)r[0].of.i32;
  }
  return acc;
}
static NOINLINE uint64_t h2w_add_raw(uint32_t n) {
  uint32_t acc = 0;
  for (uint32_t i = 0; i < n; i++) {
    raw_t s[2];
    s[0].i32 = (int32_t)acc;
    s[1].i32 = (int32_t)i;
    wasm_trap_t *trap = raw_call(EX_ADD, s, 2);
    if (__builtin_expect(trap != NULL, 0)) die_trap("add", trap);
    acc = (uint32_t)s[0].i32;
  }
  return acc;
}
static NOINLINE uint64_t h2w_mix_std(uint32_t n) {
  const wasm_func_t *f = std_funcs[EX_MIX];
  uint64_t acc = 0;
  for (uint32_t i = 0; i < n; i++) {
    wasm_val_t a[5] = {WASM_I32_VAL((int32_t)i), WASM_I64_VAL((int64_t)acc),
                       WASM_F32_VAL((float)i), WASM_F64_VAL((double)i),
                       WASM_I32_VAL((int32_t)n)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    if (__builtin_expect(trap != NULL, 0)) die_trap("mix", trap);
    acc = (uint64_t)r[0].of.i64;
  }
  return acc;
}
static NOINLINE uint64_t h2w_mix_raw(uint32_t n) {
  uint64_t acc = 0;
  for (uint32_t i = 0; i < n; i++) {
    raw_t s[5];
    s[0].i32 = (int32_t)i;
    s[1].i64 = (int64_t)acc;
    s[2].f32 = (float)i;
    s[3].f64 = (double)i;
    s[4].i32 = (int32_t)n;
    wasm_trap_t *trap = raw_call(EX_MIX, s, 5);
    if (__builtin_expect(trap != NULL, 0)) die_trap("mix", trap);
    acc = (uint64_t)s[0].i64;
  }
  return acc;
}

/* One call of a wasm loop export: through wasm_func_call for the loops over
 * standard host functions (in Wasmtime those live in the wasm.h store), raw
 * otherwise. One call per run, so its own cost does not matter. */
static uint64_t run_loop(int ex, uint32_t n) {
  wasm_trap_t *trap;
  uint64_t result;
  if (ex >= EX_LOOP_STD && ex < EX_LOOP_RAW) {
    wasm_val_t a[1] = {WASM_I32_VAL((int32_t)n)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
    trap = wasm_func_call(std_funcs[ex], &args, &results);
    result = (uint64_t)r[0].of.i64;
  } else {
    raw_t s[1];
    s[0].i32 = (int32_t)n;
    trap = raw_call(ex, s, 1);
    result = (uint64_t)s[0].i64;
  }
  if (trap) die_trap(export_names[ex], trap);
  return result;
}

static NOINLINE uint64_t w2h_empty_std(uint32_t n) {
  std_empty_calls = 0;
  uint64_t r = run_loop(EX_LOOP_STD + SHAPE_EMPTY, n);
  return std_empty_calls == n ? r : ~r;
}
static NOINLINE uint64_t w2h_add_std(uint32_t n) { return run_loop(EX_LOOP_STD + SHAPE_ADD, n); }
static NOINLINE uint64_t w2h_mix_std(uint32_t n) { return run_loop(EX_LOOP_STD + SHAPE_MIX, n); }
static NOINLINE uint64_t w2h_empty_raw(uint32_t n) {
  raw_empty_calls = 0;
  uint64_t r = run_loop(EX_LOOP_RAW + SHAPE_EMPTY, n);
  return raw_empty_calls == n ? r : ~r;
}
static NOINLINE uint64_t w2h_add_raw(uint32_t n) { return run_loop(EX_LOOP_RAW + SHAPE_ADD, n); }
static NOINLINE uint64_t w2h_mix_raw(uint32_t n) { return run_loop(EX_LOOP_RAW + SHAPE_MIX, n); }
static NOINLINE uint64_t base_empty(uint32_t n) { return run_loop(EX_BASE + SHAPE_EMPTY, n); }
static NOINLINE uint64_t base_add(uint32_t n) { return run_loop(EX_BASE + SHAPE_ADD, n); }
static NOINLINE uint64_t base_mix(uint32_t n) { return run_loop(EX_BASE + SHAPE_MIX, n); }

/* ------------------------------------------------------------------------
 * Timing. */

static int opt_runs = 7;
static double opt_ms = 20.0;
static const char *opt_only;
static uint32_t opt_calls; /* 0: calibrate */
static int failures;

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct {
  double median, min;
  uint32_t n;
} timing_t;

/* One run of n calls: ns per call; checks the checksum. */
static double run_once(const char *key, bench_fn fn, int shape, uint32_t n) {
  double t0 = now_ns();
  uint64_t sum = fn(n);
  double t1 = now_ns();
  uint64_t want = expected(shape, n);
  if (sum != want) {
    fprintf(stderr, "call_bench (" RUNTIME_NAME "): %s: checksum %llu, expected %llu (n=%u)\n",
            key, (unsigned long long)sum, (unsigned long long)want, n);
    failures++;
  }
  return (t1 - t0) / n;
}

/* Calibrates n (unless given) so that a run takes about opt_ms, then times
 * opt_runs runs. */
static timing_t measure(const char *key, bench_fn fn, int shape, uint32_t n) {
  if (opt_calls) n = opt_calls;
  if (n == 0) {
    n = 1000;
    for (;;) {
      double ns = run_once(key, fn, shape, n);
      if (ns * n >= opt_ms * 1e6 * 0.5 || n >= (1u << 30)) {
        double want = opt_ms * 1e6 / ns;
        n = want > (double)(1u << 30) ? (1u << 30) : want < 1000 ? 1000 : (uint32_t)want;
        break;
      }
      n *= 4;
    }
  }
  double t[64];
  int runs = opt_runs < 1 ? 1 : opt_runs > 64 ? 64 : opt_runs;
  for (int r = 0; r < runs; r++) t[r] = run_once(key, fn, shape, n);
  qsort(t, runs, sizeof t[0], cmp_double);
  timing_t out = {runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2, t[0], n};
  return out;
}

static void row(const char *key, const char *label, double median, double min, uint32_t n) {
  printf("%s\t%.2f\t%.2f\t%u\t%s\n", key, median, min, n, label);
  fflush(stdout);
}

static int selected(const char *key) { return !opt_only || strstr(key, opt_only); }

static const char *const shape_label[NSHAPES] = {"() -> ()", "(i32,i32) -> i32",
                                                 "(i32,i64,f32,f64,i32) -> i64"};

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) opt_runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--ms") && i + 1 < argc) opt_ms = atof(argv[++i]);
    else if (!strcmp(argv[i], "--only") && i + 1 < argc) opt_only = argv[++i];
    else if (!strcmp(argv[i], "--calls") && i + 1 < argc) opt_calls = (uint32_t)atol(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [--runs R] [--ms T] [--calls N] [--only SUBSTRING]\n", argv[0]);
      return 2;
    }
  }
  setup();
  printf("# call_bench " RUNTIME_NAME ": ns per call, median and min of %d runs of ~%g ms\n",
         opt_runs, opt_ms);
  printf("# key\tmedian\tmin\tcalls/run\tlabel\n");

  static const bench_fn h2w[NSHAPES][2] = {{h2w_empty_std, h2w_empty_raw},
                                           {h2w_add_std, h2w_add_raw},
                                           {h2w_mix_std, h2w_mix_raw}};
  static const char *const h2w_keys[NSHAPES][2] = {{"h2w.empty.std", "h2w.empty.raw"},
                                                   {"h2w.add.std", "h2w.add.raw"},
                                                   {"h2w.mix.std", "h2w.mix.raw"}};
  for (int shape = 0; shape < NSHAPES; shape++) {
    for (int kind = 0; kind < 2; kind++) {
      const char *key = h2w_keys[shape][kind];
      if (!selected(key)) continue;
      char label[96];
      snprintf(label, sizeof label, "host->wasm %s %s", shape_label[shape],
               kind ? "raw call_unchecked" : "wasm_func_call");
      timing_t t = measure(key, h2w[shape][kind], shape, 0);
      row(key, label, t.median, t.min, t.n);
    }
  }

  static const bench_fn w2h[NSHAPES][3] = {{base_empty, w2h_empty_std, w2h_empty_raw},
                                           {base_add, w2h_add_std, w2h_add_raw},
                                           {base_mix, w2h_mix_std, w2h_mix_raw}};
  static const char *const w2h_keys[NSHAPES][3] = {
      {"w2h.empty.loop", "w2h.empty.std", "w2h.empty.raw"},
      {"w2h.add.loop", "w2h.add.std", "w2h.add.raw"},
      {"w2h.mix.loop", "w2h.mix.std", "w2h.mix.raw"}};
  for (int shape = 0; shape < NSHAPES; shape++) {
    int want_std = selected(w2h_keys[shape][1]), want_raw = selected(w2h_keys[shape][2]);
    if (!want_std && !want_raw && !selected(w2h_keys[shape][0])) continue;
    /* n from the raw-call loop; the baseline uses the same n. */
    timing_t calib = measure(w2h_keys[shape][2], w2h[shape][2], shape, 0);
    uint32_t n = calib.n;
    timing_t base = measure(w2h_keys[shape][0], w2h[shape][0], shape, n);
    char label[96];
    snprintf(label, sizeof label, "wasm loop, no call (subtracted) %s", shape_label[shape]);
    row(w2h_keys[shape][0], label, base.median, base.min, n);
    for (int kind = 1; kind <= 2; kind++) {
      const char *key = w2h_keys[shape][kind];
      if (!selected(key)) continue;
      timing_t t = measure(key, w2h[shape][kind], shape, n);
      snprintf(label, sizeof label, "wasm->host %s %s", shape_label[shape],
               kind == 1 ? "wasm_func_new" : "raw func_new_unchecked");
      row(key, label, t.median - base.median, t.min - base.min, n);
    }
  }

  if (failures) {
    fprintf(stderr, "call_bench (" RUNTIME_NAME "): %d checksum failures\n", failures);
    return 1;
  }
  printf("# checksums ok\n");
  return 0;
}
