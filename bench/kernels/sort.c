/* sort: quicksort (median of three, insertion sort below 16 elements,
 * recursing into the smaller part) of n LCG numbers (compares, swaps,
 * unpredictable branches, recursion). n capped at SORT_MAX. Checksum:
 * sum of a[i] * (i + 1) mod 2^32, or 0xdeadbeef if the result is unsorted. */
#include "kernel.h"

#define SORT_MAX (1u << 21)
static u32 a[SORT_MAX];

static void insertion(u32 *v, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    u32 x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static inline void swap(u32 *v, int i, int j) {
  u32 t = v[i];
  v[i] = v[j];
  v[j] = t;
}

static void quicksort(u32 *v, int lo, int hi) {
  while (hi - lo >= 16) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    u32 pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) swap(v, i++, j--);
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion(v, lo, hi);
}

u32 kernel_sort(u32 n) {
  if (n > SORT_MAX) n = SORT_MAX;
  if (n == 0) return 0;
  u32 seed = 7;
  for (u32 i = 0; i < n; i++) a[i] = lcg_next(&seed);
  quicksort(a, 0, (int)n - 1);
  u32 sum = 0;
  for (u32 i = 0; i < n; i++) {
    if (i && a[i - 1] > a[i]) return 0xdeadbeefu;
    sum += a[i] * (i + 1);
  }
  return sum;
}
