
/* Calls on the fast path go straight through the GOT instead of a PLT stub
 * in position-independent code: one jump less per call (GCC's noplt; define
 * CRANEWAY_NO_NOPLT before including this header to leave it out). */
#if defined(__ELF__) && defined(__has_attribute) && !defined(CRANEWAY_NO_NOPLT)
#if __has_attribute(noplt)
WASM_API_EXTERN wasm_trap_t *wasm_func_call_unchecked(const wasm_func_t *func,
                                                      wasm_val_raw_t *args_and_results,
                                                      size_t len) __attribute__((noplt));
#endif
#endif

#undef own

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRANEWAY_H */
