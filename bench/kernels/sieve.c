/* sieve: sieve of Eratosthenes over a byte array (byte loads/stores,
 * strided loops). kernel_sieve(n): primes <= n (n capped at SIEVE_MAX);
 * checksum = count * 2654435761 + sum of the primes (mod 2^32). */
#include "kernel.h"

#define SIEVE_MAX (1u << 24)
static u8 composite[SIEVE_MAX + 1];

u32 kernel_sieve(u32 n) {
  if (n > SIEVE_MAX) n = SIEVE_MAX;
  for (u32 i = 0; i <= n; i++) composite[i] = 0;
  for (u32 i = 2; (u64)i * i <= n; i++)
    if (!composite[i])
      for (u32 j = i * i; j <= n; j += i) composite[j] = 1;
  u32 count = 0, sum = 0;
  for (u32 i = 2; i <= n; i++)
    if (!composite[i]) {
      count++;
      sum += i;
    }
  return count * 2654435761u + sum;
}
