/* The cost of a try_table that does not throw: a wasm loop calling a small
 * function, once plain and once with each call inside a try_table (with a
 * catch clause, never taken), timed in one run; plus, for scale, a loop
 * that throws and catches every iteration. Prints ns per iteration and the
 * ratio guarded / plain (1.00 means the handler costs nothing).
 *
 *   gcc -O2 -Iinclude bench/exception_bench.c -o target/exception_bench \
 *       -Ltarget/release -lcraneway -Wl,-rpath,$PWD/target/release && target/exception_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm.h"
#include "craneway.h"

static const char* const WAT =
    "(module"
    "  (tag $e (param i32))"
    "  (func $step (param i32) (result i32)"
    "    local.get 0 i32.const 1103515245 i32.mul i32.const 12345 i32.add)"
    "  (func $throw (param i32) (result i32) local.get 0 throw $e)"
    "  (func (export \"plain\") (param $n i32) (result i32) (local $acc i32)"
    "    (loop $l"
    "      local.get $acc call $step local.set $acc"
    "      local.get $n i32.const 1 i32.sub local.tee $n br_if $l)"
    "    local.get $acc)"
    "  (func (export \"guarded\") (param $n i32) (result i32) (local $acc i32)"
    "    (loop $l"
    "      (block $h (result i32)"
    "        (try_table (result i32) (catch $e $h)"
    "          local.get $acc call $step))"
    "      local.set $acc"
    "      local.get $n i32.const 1 i32.sub local.tee $n br_if $l)"
    "    local.get $acc)"
    /* The same with four more values live across each call: without
     handlers they stay in callee-saved registers; a handler must not
     force them onto the stack around every call. */
  "  (func (export \"plain_live\") (param $n i32) (result i32)"
  "    (local $a i32) (local $b i32) (local $c i32) (local $d i32)"
  "    (loop $l"
  "      local.get $a call $step local.set $a"
  "      local.get $b local.get $a i32.add local.set $b"
  "      local.get $c local.get $b i32.xor i32.const 7 i32.rotl local.set $c"
  "      local.get $d local.get $c i32.add i32.const 3 i32.mul local.set $d"
  "      local.get $n i32.const 1 i32.sub local.tee $n br_if $l)"
  "    local.get $a local.get $b i32.add local.get $c i32.add local.get $d i32.add)"
  "  (func (export \"guarded_live\") (param $n i32) (result i32)"
  "    (local $a i32) (local $b i32) (local $c i32) (local $d i32)"
  "    (loop $l"
  "      (block $h (result i32)"
  "        (try_table (result i32) (catch $e $h)"
  "          local.get $a call $step))"
  "      local.set $a"
  "      local.get $b local.get $a i32.add local.set $b"
  "      local.get $c local.get $b i32.xor i32.const 7 i32.rotl local.set $c"
  "      local.get $d local.get $c i32.add i32.const 3 i32.mul local.set $d"
  "      local.get $n i32.const 1 i32.sub local.tee $n br_if $l)"
  "    local.get $a local.get $b i32.add local.get $c i32.add local.get $d i32.add)"
  "  (func (export \"throwing\") (param $n i32) (result i32) (local $acc i32)"
    "    (loop $l"
    "      (block $h (result i32)"
    "        (try_table (result i32) (catch $e $h)"
    "          local.get $acc call $throw))"
    "      i32.const 1 i32.add local.set $acc"
    "      local.get $n i32.const 1 i32.sub local.tee $n br_if $l)"
    "    local.get $acc))";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Best of `rounds` runs of export `f` with `n` iterations: ns/iteration. */
static double time_export(const wasm_func_t* f, int n, int rounds, int* result) {
  double best = 1e30;
  for (int r = 0; r < rounds; r++) {
    wasm_val_t args[1] = {WASM_I32_VAL(n)};
    wasm_val_t res[1] = {WASM_INIT_VAL};
    wasm_val_vec_t a = {1, args}, rv = {1, res};
    double t0 = now();
    wasm_trap_t* trap = wasm_func_call(f, &a, &rv);
    double t = now() - t0;
    if (trap) {
      fprintf(stderr, "exception_bench: the call trapped\n");
      exit(1);
    }
    *result = res[0].of.i32;
    if (t < best) best = t;
  }
  return best * 1e9 / n;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 50000000;
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary;
  if (!craneway_wat2wasm(WAT, strlen(WAT), &binary)) {
    fprintf(stderr, "exception_bench: %.*s\n", (int)binary.size, binary.data);
    return 1;
  }
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  wasm_extern_vec_t none = WASM_EMPTY_VEC, exports;
  wasm_instance_t* instance = module ? wasm_instance_new(store, module, &none, NULL) : NULL;
  if (instance == NULL) {
    fprintf(stderr, "exception_bench: the module does not instantiate\n");
    return 1;
  }
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* plain = wasm_extern_as_func(exports.data[0]);
  const wasm_func_t* guarded = wasm_extern_as_func(exports.data[1]);
  const wasm_func_t* plain_live = wasm_extern_as_func(exports.data[2]);
  const wasm_func_t* guarded_live = wasm_extern_as_func(exports.data[3]);
  const wasm_func_t* throwing = wasm_extern_as_func(exports.data[4]);
  int r1, r2, r3, r4, r5;
  /* Interleaved rounds, so that all see the same machine load. */
  double tp = 1e30, tg = 1e30, tpl = 1e30, tgl = 1e30;
  for (int i = 0; i < 5; i++) {
    double a = time_export(plain, n, 1, &r1), b = time_export(guarded, n, 1, &r2);
    double c = time_export(plain_live, n, 1, &r4), d = time_export(guarded_live, n, 1, &r5);
    if (a < tp) tp = a;
    if (b < tg) tg = b;
    if (c < tpl) tpl = c;
    if (d < tgl) tgl = d;
  }
  if (r1 != r2 || r4 != r5) {
    fprintf(stderr, "exception_bench: results differ (%d, %d; %d, %d)\n", r1, r2, r4, r5);
    return 1;
  }
  int nt = n / 100 > 0 ? n / 100 : 1;
  double tt = time_export(throwing, nt, 3, &r3);
  if (r3 != nt) {
    fprintf(stderr, "exception_bench: %d catches, expected %d\n", r3, nt);
    return 1;
  }
  printf("call in a loop, no try_table:        %7.3f ns/iteration\n", tp);
  printf("call in a loop, inside a try_table:  %7.3f ns/iteration\n", tg);
  printf("ratio try_table / plain:             %7.3f\n", tg / tp);
  printf("four more live values, no try_table: %7.3f ns/iteration\n", tpl);
  printf("four more live values, try_table:    %7.3f ns/iteration\n", tgl);
  printf("ratio try_table / plain:             %7.3f\n", tgl / tpl);
  printf("throw and catch (one frame deep):    %7.1f ns/iteration\n", tt);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
