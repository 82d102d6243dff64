
#undef own

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRANEWAY_H */
