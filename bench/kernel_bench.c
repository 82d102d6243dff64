/* kernel_bench.c: compiled code quality and compile speed, through the
 * standard C API (wasm.h) only, so the same source builds against any
 * Craneway (or any wasm-c-api implementation).
 *
 * Compute kernels: bench/kernels/NAME.c, compiled to NAME.wasm by
 * bench/kernels/build.sh (clang --target=wasm32, freestanding). Each exports
 * kernel_NAME : (i32 n) -> i32 checksum. The same C files are linked into
 * this program natively, so every wasm result is checked against the native
 * result for the same n (and, at the default sizes, against the constants
 * below, printed once by --print-native). Per kernel: wasm_module_new,
 * wasm_instance_new, one untimed call (checked), then R timed calls
 * (each checked) of wasm_func_call; two rows give the median and min in ms
 * of wall time (run.NAME) and of the thread's CPU time (runcpu.NAME: the
 * kernel runs on the calling thread, and CPU time leaves out the time it
 * was preempted, the main noise on a shared machine). Unless --no-native,
 * the native build of the kernel is timed the same way as a reference
 * (native.NAME, nativecpu.NAME). --scale S sizes every kernel for about S
 * times its default work (fib: n + log(S)/log(phi); matmul: n * cbrt(S)).
 *
 * Compile throughput: --compile FILE.wasm (repeatable) times
 * wasm_module_new + wasm_module_delete on that file K times (--compile-runs)
 * in a fresh store; the row is the median wall time in ms, with MB/s
 * (10^6 bytes per second of wall time) and the CPU time of the process
 * (all threads: compilation may be parallel) in the label.
 *
 * Output: tab-separated rows, comments start with '#':
 *   key  median  min  unit  n  samples(comma-separated)  label
 * key is run.NAME / runcpu.NAME (wasm), native.NAME / nativecpu.NAME, or
 * compile.FILENAME (n = bytes; samples are wall ms; the process CPU ms
 * follow in a compilecpu.FILENAME row). bench/compare-compiler collects these rows from two builds of this
 * program.
 *
 * Usage: kernel_bench [--dir DIR] [--runs R] [--scale S] [--only SUBSTRING]
 *                     [--no-native] [--compile FILE.wasm]... [--compile-runs K]
 *                     [--no-kernels] [--print-native]
 * Exit status 1 on any wrong checksum, trap or failed compile.
 */

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "wasm.h"

#ifndef KERNEL_DIR
#define KERNEL_DIR "bench/target/kernels"
#endif

typedef uint32_t (*native_fn)(uint32_t);
uint32_t kernel_fib(uint32_t);
uint32_t kernel_sieve(uint32_t);
uint32_t kernel_matmul(uint32_t);
uint32_t kernel_sha256(uint32_t);
uint32_t kernel_sort(uint32_t);
uint32_t kernel_nbody(uint32_t);

/* How the work grows with n, for --scale. */
enum { COST_LINEAR, COST_CUBIC, COST_FIB };

typedef struct {
  const char *name;
  native_fn native;
  uint32_t n;        /* default size */
  uint32_t expected; /* checksum at the default size */
  int cost;
  const char *what;
} kernel_t;

/* Default sizes: each call takes about 20-70 ms natively on one x86-64 core.
 * The expected values were printed by --print-native (gcc 12 and clang 14,
 * -O2, agree; the SHA-256 is checked against Python's hashlib) and the wasm
 * builds give the same. */
static const kernel_t kernels[] = {
    {"fib", kernel_fib, 32, 2178309u, COST_FIB, "recursive fib(n)"},
    {"sieve", kernel_sieve, 4000000, 2696752847u, COST_LINEAR, "Eratosthenes sieve up to n"},
    {"matmul", kernel_matmul, 256, 3326732499u, COST_CUBIC, "f64 n x n matrix multiply"},
    {"sha256", kernel_sha256, 64, 1469237682u, COST_LINEAR, "SHA-256 of 64 KiB, n times"},
    {"sort", kernel_sort, 250000, 2009113449u, COST_LINEAR, "quicksort of n LCG u32"},
    {"nbody", kernel_nbody, 300000, 615731088u, COST_LINEAR, "n-body, n steps (f64, sqrt)"},
};
enum { NKERNELS = sizeof kernels / sizeof kernels[0] };

static int opt_runs = 7, opt_compile_runs = 3, opt_native = 1, opt_kernels = 1;
static double opt_scale = 1.0;
static const char *opt_dir = KERNEL_DIR, *opt_only = NULL;
static const char *compile_files[16];
static int ncompile = 0;
static int failures = 0;

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "kernel_bench: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n");
  exit(1);
}

static double now_ms(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *v, int n, double *min) {
  double *s = malloc(sizeof(double) * (size_t)n);
  if (!s) die("%s", "out of memory");
  memcpy(s, v, sizeof(double) * (size_t)n);
  qsort(s, (size_t)n, sizeof(double), cmp_double);
  double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  *min = s[0];
  free(s);
  return m;
}

static void row(const char *key, const double *samples, int n, const char *unit, uint64_t size,
                const char *label) {
  double min, med = median(samples, n, &min);
  printf("%s\t%.3f\t%.3f\t%s\t%llu\t", key, med, min, unit, (unsigned long long)size);
  for (int i = 0; i < n; i++) printf(i ? ",%.3f" : "%.3f", samples[i]);
  printf("\t%s\n", label);
  fflush(stdout);
}

static int read_file(const char *path, wasm_byte_vec_t *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)len);
  size_t got = fread(out->data, 1, (size_t)len, f);
  fclose(f);
  if (got != (size_t)len) {
    wasm_byte_vec_delete(out);
    return 0;
  }
  return 1;
}

static const char *trap_text(wasm_trap_t *trap, char *buf, size_t len) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  snprintf(buf, len, "%.*s", (int)msg.size, msg.data);
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
  return buf;
}

static int selected(const char *name) { return !opt_only || strstr(name, opt_only); }

/* The size that makes about opt_scale times the default work. */
static uint32_t scaled_n(const kernel_t *k) {
  double n = k->n;
  switch (k->cost) {
    case COST_LINEAR: n *= opt_scale; break;
    case COST_CUBIC: n *= cbrt(opt_scale); break;
    case COST_FIB: n += log(opt_scale) / log(1.6180339887498949); break; /* calls ~ phi^n */
  }
  return n < 1 ? 1 : (uint32_t)(n + 0.5);
}

/* One timed call: wall and thread CPU time (the kernel runs on this thread;
 * CPU time leaves out time the thread was not running, which is most of the
 * noise on a shared machine). */
typedef struct {
  double wall, cpu;
} stamp_t;
static stamp_t stamp(void) {
  return (stamp_t){now_ms(CLOCK_MONOTONIC), now_ms(CLOCK_THREAD_CPUTIME_ID)};
}

static void bench_kernel(wasm_engine_t *engine, const kernel_t *k) {
  uint32_t n = scaled_n(k);
  char path[4096], key[64], label[160], err[512];
  snprintf(path, sizeof path, "%s/%s.wasm", opt_dir, k->name);
  wasm_byte_vec_t binary;
  if (!read_file(path, &binary))
    die("cannot read %s (build it with bash bench/kernels/build.sh)", path);

  uint32_t want = k->native(n);
  if (n == k->n && k->expected && want != k->expected) {
    fprintf(stderr, "kernel_bench: native %s(%u) = %u, expected %u (native build broken?)\n",
            k->name, n, want, k->expected);
    failures++;
  }

  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) die("wasm_module_new failed for %s", path);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  if (!instance) die("wasm_instance_new failed for %s", path);

  /* Find export kernel_NAME by name. */
  char export_name[64];
  snprintf(export_name, sizeof export_name, "kernel_%s", k->name);
  wasm_exporttype_vec_t etypes;
  wasm_module_exports(module, &etypes);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t *func = NULL;
  for (size_t i = 0; i < etypes.size && i < exports.size; i++) {
    const wasm_name_t *nm = wasm_exporttype_name(etypes.data[i]);
    if (nm->size == strlen(export_name) && !memcmp(nm->data, export_name, nm->size))
      func = wasm_extern_as_func(exports.data[i]);
  }
  if (!func) die("no function export kernel_%s", k->name);

  double *samples = malloc(sizeof(double) * (size_t)opt_runs);
  double *cpu = malloc(sizeof(double) * (size_t)opt_runs);
  if (!samples || !cpu) die("%s", "out of memory");
  for (int r = -1; r < opt_runs; r++) { /* r = -1: untimed warm-up */
    wasm_val_t args_v[1] = {WASM_I32_VAL((int32_t)n)};
    wasm_val_t res_v[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(args_v), results = WASM_ARRAY_VEC(res_v);
    stamp_t t0 = stamp();
    trap = wasm_func_call(func, &args, &results);
    stamp_t t1 = stamp();
    if (trap) die("trap: %s", trap_text(trap, err, sizeof err));
    if (res_v[0].kind != WASM_I32 || (uint32_t)res_v[0].of.i32 != want) {
      fprintf(stderr, "kernel_bench: wasm %s(%u) = %u, native gives %u\n", k->name, n,
              (uint32_t)res_v[0].of.i32, want);
      failures++;
      free(samples);
      free(cpu);
      return;
    }
    if (r >= 0) samples[r] = t1.wall - t0.wall, cpu[r] = t1.cpu - t0.cpu;
  }
  snprintf(key, sizeof key, "run.%s", k->name);
  snprintf(label, sizeof label, "%s, n=%u (wasm_func_call), wall", k->what, n);
  row(key, samples, opt_runs, "ms", n, label);
  snprintf(key, sizeof key, "runcpu.%s", k->name);
  snprintf(label, sizeof label, "%s, n=%u (wasm_func_call), thread cpu", k->what, n);
  row(key, cpu, opt_runs, "ms", n, label);

  wasm_extern_vec_delete(&exports);
  wasm_exporttype_vec_delete(&etypes);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);

  if (opt_native) {
    volatile native_fn fn = k->native; /* no inlining or hoisting across runs */
    for (int r = -1; r < opt_runs; r++) {
      stamp_t t0 = stamp();
      uint32_t got = fn(n);
      stamp_t t1 = stamp();
      if (got != want) die("native %s is not deterministic", k->name);
      if (r >= 0) samples[r] = t1.wall - t0.wall, cpu[r] = t1.cpu - t0.cpu;
    }
    snprintf(key, sizeof key, "native.%s", k->name);
    snprintf(label, sizeof label, "%s, n=%u (native, same C), wall", k->what, n);
    row(key, samples, opt_runs, "ms", n, label);
    snprintf(key, sizeof key, "nativecpu.%s", k->name);
    snprintf(label, sizeof label, "%s, n=%u (native, same C), thread cpu", k->what, n);
    row(key, cpu, opt_runs, "ms", n, label);
  }
  free(samples);
  free(cpu);
}

static void bench_compile(wasm_engine_t *engine, const char *path) {
  wasm_byte_vec_t binary;
  if (!read_file(path, &binary)) die("cannot read %s (bash bench/kernels/build.sh fetches it)", path);
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  double *wall = malloc(sizeof(double) * (size_t)opt_compile_runs);
  double *cpu = malloc(sizeof(double) * (size_t)opt_compile_runs);
  if (!wall || !cpu) die("%s", "out of memory");
  for (int r = 0; r < opt_compile_runs; r++) {
    wasm_store_t *store = wasm_store_new(engine);
    double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ms(CLOCK_MONOTONIC);
    wasm_module_t *module = wasm_module_new(store, &binary);
    if (!module) {
      fprintf(stderr, "kernel_bench: wasm_module_new failed for %s\n", path);
      failures++;
      wasm_store_delete(store);
      free(wall);
      free(cpu);
      wasm_byte_vec_delete(&binary);
      return;
    }
    wasm_module_delete(module);
    double t1 = now_ms(CLOCK_MONOTONIC), c1 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    wasm_store_delete(store);
    wall[r] = t1 - t0;
    cpu[r] = c1 - c0;
  }
  double min, med = median(wall, opt_compile_runs, &min), cmin, cmed = median(cpu, opt_compile_runs, &cmin);
  char key[300], label[400];
  snprintf(key, sizeof key, "compile.%s", base);
  snprintf(label, sizeof label, "wasm_module_new %s (%.2f MB): %.2f MB/s wall, %.0f ms cpu", base,
           (double)binary.size / 1e6, (double)binary.size / 1e3 / med, cmed);
  row(key, wall, opt_compile_runs, "ms", binary.size, label);
  snprintf(key, sizeof key, "compilecpu.%s", base);
  snprintf(label, sizeof label, "cpu time of wasm_module_new %s, all threads", base);
  row(key, cpu, opt_compile_runs, "ms", binary.size, label);
  free(wall);
  free(cpu);
  wasm_byte_vec_delete(&binary);
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s [--dir DIR] [--runs R] [--scale S] [--only SUBSTRING] [--no-native]\n"
          "          [--compile FILE.wasm]... [--compile-runs K] [--no-kernels] [--print-native]\n",
          argv0);
  exit(2);
}

int main(int argc, char **argv) {
  int print_native = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has = i + 1 < argc;
    if (!strcmp(a, "--dir") && has) opt_dir = argv[++i];
    else if (!strcmp(a, "--runs") && has) opt_runs = atoi(argv[++i]);
    else if (!strcmp(a, "--scale") && has) opt_scale = atof(argv[++i]);
    else if (!strcmp(a, "--only") && has) opt_only = argv[++i];
    else if (!strcmp(a, "--compile") && has) {
      if (ncompile == (int)(sizeof compile_files / sizeof compile_files[0])) usage(argv[0]);
      compile_files[ncompile++] = argv[++i];
    } else if (!strcmp(a, "--compile-runs") && has) opt_compile_runs = atoi(argv[++i]);
    else if (!strcmp(a, "--no-native")) opt_native = 0;
    else if (!strcmp(a, "--no-kernels")) opt_kernels = 0;
    else if (!strcmp(a, "--print-native")) print_native = 1;
    else usage(argv[0]);
  }
  if (opt_runs < 1 || opt_compile_runs < 1 || !(opt_scale > 0)) usage(argv[0]);

  if (print_native) { /* the expected[] constants; no wasm involved */
    for (int i = 0; i < NKERNELS; i++)
      printf("%s\t%u\t%uu\n", kernels[i].name, kernels[i].n, kernels[i].native(kernels[i].n));
    return 0;
  }

  wasm_engine_t *engine = wasm_engine_new();
  if (!engine) die("%s", "wasm_engine_new failed");
  printf("# kernel_bench: median and min of %d runs (kernels, scale %g) and %d runs (compile)\n",
         opt_runs, opt_scale, opt_compile_runs);
  printf("# key\tmedian\tmin\tunit\tn\tsamples\tlabel\n");
  if (opt_kernels)
    for (int i = 0; i < NKERNELS; i++)
      if (selected(kernels[i].name)) bench_kernel(engine, &kernels[i]);
  for (int i = 0; i < ncompile; i++) bench_compile(engine, compile_files[i]);
  wasm_engine_delete(engine);

  if (failures) {
    fprintf(stderr, "kernel_bench: %d failures\n", failures);
    return 1;
  }
  printf("# checksums ok\n");
  return 0;
}
