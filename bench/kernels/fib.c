/* fib: naive doubly recursive Fibonacci (calls, branches, small frames).
 * kernel_fib(n) = fib(n) mod 2^32. */
#include "kernel.h"

static __attribute__((noinline)) u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

u32 kernel_fib(u32 n) { return fib(n); }
