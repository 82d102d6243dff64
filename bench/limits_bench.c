/* The cost of the limits on running code: compute kernels timed, in one
 * run, with a plain engine, with epoch interruption, with fuel, and with
 * both, printing ns per call and the ratios to the plain engine (1.00
 * means the checks cost nothing). The kernels are written in WAT here:
 * recursive fib (calls: a check at every function entry), a sieve over
 * linear memory (loops with loads and stores), and a nested arithmetic
 * loop (a tight loop: a check every iteration).
 *
 *   gcc -O2 -Iinclude bench/limits_bench.c -o target/limits_bench \
 *       -Ltarget/release -lcraneway -Wl,-rpath,$PWD/target/release && target/limits_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm.h"
#include "craneway.h"

static const char* const WAT =
    "(module"
    "  (memory 32)"
    "  (func $fib (export \"fib\") (param $n i32) (result i32)"
    "    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))"
    "      (then (local.get $n))"
    "      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))"
    "                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))"
    "  (func (export \"sieve\") (param $n i32) (result i32)"
    "    (local $i i32) (local $j i32) (local $count i32)"
    "    (memory.fill (i32.const 0) (i32.const 1) (local.get $n))"
    "    (local.set $i (i32.const 2))"
    "    (block $done (loop $outer"
    "      (br_if $done (i32.ge_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))"
    "      (if (i32.load8_u (local.get $i))"
    "        (then"
    "          (local.set $j (i32.mul (local.get $i) (local.get $i)))"
    "          (block $d2 (loop $inner"
    "            (br_if $d2 (i32.ge_u (local.get $j) (local.get $n)))"
    "            (i32.store8 (local.get $j) (i32.const 0))"
    "            (local.set $j (i32.add (local.get $j) (local.get $i)))"
    "            (br $inner)))))"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br $outer)))"
    "    (local.set $i (i32.const 2))"
    "    (block $d3 (loop $count_loop"
    "      (br_if $d3 (i32.ge_u (local.get $i) (local.get $n)))"
    "      (local.set $count (i32.add (local.get $count) (i32.load8_u (local.get $i))))"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))"
    "      (br $count_loop)))"
    "    (local.get $count))"
    "  (func (export \"mix\") (param $n i32) (result i32) (local $x i32) (local $i i32)"
    "    (local.set $x (i32.const 12345))"
    "    (loop $l"
    "      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))"
    "      (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 7))))"
    "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))"
    "    (local.get $x)))";

static const char* const KERNELS[] = {"fib", "sieve", "mix"};
static const int ARGS[] = {27, 2000000, 5000000};
enum { NKERNELS = 3, NCONFIGS = 4 };
static const char* const CONFIGS[NCONFIGS] = {"plain", "epoch", "fuel", "epoch+fuel"};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct setup {
  wasm_engine_t* engine;
  wasm_store_t* store;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
};

static int make(struct setup* s, int which, const wasm_byte_vec_t* binary) {
  wasm_config_t* config = wasm_config_new();
  if (which & 1) craneway_config_epoch_interruption(config, true);
  if (which & 2) craneway_config_consume_fuel(config, true);
  s->engine = wasm_engine_new_with_config(config);
  s->store = wasm_store_new(s->engine);
  /* Deadlines and fuel that never run out during the benchmark. */
  craneway_store_set_epoch_deadline(s->store, UINT64_MAX / 2);
  if (which & 2) craneway_store_set_fuel(s->store, UINT64_MAX);
  s->module = wasm_module_new(s->store, binary);
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  s->instance = s->module ? wasm_instance_new(s->store, s->module, &none, NULL) : NULL;
  if (s->instance == NULL) return 0;
  wasm_instance_exports(s->instance, &s->exports);
  return 1;
}

/* ns per call of export `k`, one call; its result in *out. */
static double time_call(struct setup* s, int k, int32_t* out) {
  wasm_val_t args[1] = {WASM_I32_VAL(ARGS[k])};
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t a = {1, args}, r = {1, res};
  double t0 = now();
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(s->exports.data[k]), &a, &r);
  double t = now() - t0;
  if (trap) {
    fprintf(stderr, "limits_bench: %s trapped\n", KERNELS[k]);
    exit(1);
  }
  *out = res[0].of.i32;
  return t * 1e9;
}

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 7;
  wasm_byte_vec_t binary;
  struct setup setups[NCONFIGS];
  double best[NKERNELS][NCONFIGS];
  int32_t results[NKERNELS][NCONFIGS];
  if (!craneway_wat2wasm(WAT, strlen(WAT), &binary)) {
    fprintf(stderr, "limits_bench: %.*s\n", (int)binary.size, binary.data);
    return 1;
  }
  for (int c = 0; c < NCONFIGS; c++) {
    if (!make(&setups[c], c, &binary)) {
      fprintf(stderr, "limits_bench: the %s module does not instantiate\n", CONFIGS[c]);
      return 1;
    }
  }
  wasm_byte_vec_delete(&binary);
  for (int k = 0; k < NKERNELS; k++)
    for (int c = 0; c < NCONFIGS; c++) best[k][c] = 1e300;
  /* Interleaved rounds, the order of the configurations rotating, so that
   * all see the same machine load; the best of the rounds counts. */
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < NKERNELS; k++) {
      for (int i = 0; i < NCONFIGS; i++) {
        int c = (i + r) % NCONFIGS;
        double t = time_call(&setups[c], k, &results[k][c]);
        if (t < best[k][c]) best[k][c] = t;
      }
    }
  }
  printf("%-8s", "kernel");
  for (int c = 0; c < NCONFIGS; c++) printf(" | %12s ms", CONFIGS[c]);
  for (int c = 1; c < NCONFIGS; c++) printf(" | %10s/plain", CONFIGS[c]);
  printf("\n");
  for (int k = 0; k < NKERNELS; k++) {
    for (int c = 1; c < NCONFIGS; c++) {
      if (results[k][c] != results[k][0]) {
        fprintf(stderr, "limits_bench: %s gives %d with %s, %d plain\n", KERNELS[k],
                results[k][c], CONFIGS[c], results[k][0]);
        return 1;
      }
    }
    printf("%-8s", KERNELS[k]);
    for (int c = 0; c < NCONFIGS; c++) printf(" | %15.3f", best[k][c] / 1e6);
    for (int c = 1; c < NCONFIGS; c++) printf(" | %16.3f", best[k][c] / best[k][0]);
    printf("\n");
  }
  for (int c = 0; c < NCONFIGS; c++) {
    wasm_extern_vec_delete(&setups[c].exports);
    wasm_instance_delete(setups[c].instance);
    wasm_module_delete(setups[c].module);
    wasm_store_delete(setups[c].store);
    wasm_engine_delete(setups[c].engine);
  }
  return 0;
}
