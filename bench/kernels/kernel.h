/* kernel.h: shared by the compute kernels in bench/kernels/.
 *
 * Each kernel is one freestanding C file (no libc, no headers but this one)
 * defining a single external function
 *
 *     uint32_t kernel_NAME(uint32_t n)
 *
 * that does work proportional to n and returns a checksum of all of it.
 * Everything else in the file is static. The same file is compiled twice:
 * to wasm32 by clang (bench/kernels/build.sh: NAME.wasm, exporting
 * kernel_NAME), and natively into bench/kernel_bench.c's driver, which
 * checks that the wasm result equals the native one for the same n.
 * Kernels keep their state in static arrays (wasm linear memory) and
 * re-initialise it on every call, so repeated calls do the same work.
 */
#ifndef KERNEL_H
#define KERNEL_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
_Static_assert(sizeof(u32) == 4 && sizeof(u64) == 8, "u32/u64 widths");

/* Numerical Recipes' LCG: deterministic inputs without libc. */
static inline u32 lcg_next(u32 *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

static inline u32 fold64(u64 x) { return (u32)(x ^ (x >> 32)); }

static inline u64 f64_bits(double d) {
  union {
    double d;
    u64 u;
  } v;
  v.d = d;
  return v.u;
}

#endif
