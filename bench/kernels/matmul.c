/* matmul: C = A * B for n x n f64 matrices, i-k-j loop order (f64 loads,
 * multiply-add, address arithmetic). n capped at MAT_MAX. Checksum: the xor
 * of every element's bit pattern, folded to 32 bits, so the result must be
 * bit-exact (no fused multiply-add: natively built with -ffp-contract=off). */
#include "kernel.h"

#define MAT_MAX 384
static double A[MAT_MAX * MAT_MAX], B[MAT_MAX * MAT_MAX], C[MAT_MAX * MAT_MAX];

u32 kernel_matmul(u32 n) {
  if (n > MAT_MAX) n = MAT_MAX;
  u32 seed = 12345;
  for (u32 i = 0; i < n * n; i++) {
    A[i] = (double)(lcg_next(&seed) >> 16) / 65536.0 - 0.5;
    B[i] = (double)(lcg_next(&seed) >> 16) / 65536.0 - 0.5;
    C[i] = 0.0;
  }
  for (u32 i = 0; i < n; i++)
    for (u32 k = 0; k < n; k++) {
      double a = A[i * n + k];
      double *c = &C[i * n];
      const double *b = &B[k * n];
      for (u32 j = 0; j < n; j++) c[j] += a * b[j];
    }
  u64 x = 0;
  for (u32 i = 0; i < n * n; i++) x ^= f64_bits(C[i]) + i;
  return fold64(x);
}
