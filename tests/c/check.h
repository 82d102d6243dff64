/* check.h: the little test harness shared by the C API tests.
 *
 * Each test file is a program: it runs its checks, prints one line per
 * failed check ("file:line: what failed"), and returns check_done(), which
 * prints a summary line and is 0 only if every check passed.
 *
 *   CHECK(cond)              cond holds
 *   CHECKF(cond, fmt, ...)   cond holds; the failure line adds a printf
 *                            formatted context
 *   CHECK_INT(a, b)          two integers are equal (prints both)
 *   CHECK_MSG(msg, s)        a wasm_message_t / wasm_name_t equals s
 *                            (terminator included if msg has one)
 *   CHECK_TRAP(trap, s)      trap is non-NULL, its message contains s;
 *                            deletes the trap
 *   CHECK_NO_TRAP(trap)      trap is NULL (else prints and deletes it)
 *   PROBE(desc, ...)         runs the statements in a child process, so a
 *                            crash fails one check instead of the program;
 *                            the statements use EXPECT(cond) to fail
 *
 * Include it before anything else: it defines _POSIX_C_SOURCE (for fork).
 * Helpers compile WebAssembly text (craneway_wat2wasm) into modules and
 * pick exports. Everything a test creates, it deletes: the tests run under
 * valgrind's leak checker.
 */
#ifndef CRANEWAY_TESTS_CHECK_H
#define CRANEWAY_TESTS_CHECK_H

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wasm.h"
#include "craneway.h"

/* ------------------------------------------------------------------------
 * Checks */

static int check_passed_;
static int check_failed_;

static inline void check_result_(int ok, const char* file, int line, const char* what) {
  if (ok) {
    check_passed_++;
  } else {
    check_failed_++;
    printf("%s:%d: CHECK failed: %s\n", file, line, what);
    fflush(stdout);
  }
}

#define CHECK(cond) check_result_((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

static inline void check_resultf_(int ok, const char* file, int line, const char* what,
                                  const char* fmt, ...) {
  va_list ap;
  if (ok) {
    check_passed_++;
    return;
  }
  check_failed_++;
  printf("%s:%d: CHECK failed: %s (", file, line, what);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf(")\n");
  fflush(stdout);
}

#define CHECKF(cond, ...) check_resultf_((cond) ? 1 : 0, __FILE__, __LINE__, #cond, __VA_ARGS__)

static inline void check_int_(long long a, long long b, const char* file, int line,
                              const char* as, const char* bs) {
  if (a == b) {
    check_passed_++;
  } else {
    check_failed_++;
    printf("%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", file, line, as, bs, a, b);
    fflush(stdout);
  }
}

#define CHECK_INT(a, b) \
  check_int_((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)

/* Does `vec` hold exactly the bytes of `s`, optionally followed by one
 * terminating NUL? (Messages carry the terminator, names do not.) */
static inline int check_vec_is_(const wasm_byte_vec_t* vec, const char* s) {
  size_t n = strlen(s);
  if (vec == NULL) return 0;
  if (vec->size == n) return n == 0 || memcmp(vec->data, s, n) == 0;
  if (vec->size == n + 1) return memcmp(vec->data, s, n) == 0 && vec->data[n] == '\0';
  return 0;
}

static inline void check_msg_(const wasm_byte_vec_t* vec, const char* s, const char* file,
                              int line, const char* what) {
  if (check_vec_is_(vec, s)) {
    check_passed_++;
  } else {
    check_failed_++;
    if (vec == NULL) {
      printf("%s:%d: CHECK failed: %s is NULL, expected \"%s\"\n", file, line, what, s);
    } else {
      printf("%s:%d: CHECK failed: %s is \"%.*s\" (%zu bytes), expected \"%s\"\n", file,
             line, what, (int)vec->size, vec->size ? vec->data : "", vec->size, s);
    }
    fflush(stdout);
  }
}

#define CHECK_MSG(vec, s) check_msg_((vec), (s), __FILE__, __LINE__, #vec)

/* Is the message (a null-terminated byte vector) one containing `part`? */
static inline int check_message_contains_(const wasm_message_t* msg, const char* part) {
  if (msg->size == 0 || msg->data[msg->size - 1] != '\0') return 0;
  return strstr(msg->data, part) != NULL;
}

static inline void check_trap_(wasm_trap_t* trap, const char* part, const char* file, int line,
                               const char* what) {
  wasm_message_t msg;
  if (trap == NULL) {
    check_failed_++;
    printf("%s:%d: CHECK failed: %s gave no trap, expected one saying \"%s\"\n", file, line,
           what, part);
    fflush(stdout);
    return;
  }
  wasm_trap_message(trap, &msg);
  if (check_message_contains_(&msg, part)) {
    check_passed_++;
  } else {
    check_failed_++;
    printf("%s:%d: CHECK failed: %s trapped with \"%.*s\", expected \"%s\" in it\n", file,
           line, what, (int)msg.size, msg.size ? msg.data : "", part);
    fflush(stdout);
  }
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
}

#define CHECK_TRAP(trap, part) check_trap_((trap), (part), __FILE__, __LINE__, #trap)

static inline void check_no_trap_(wasm_trap_t* trap, const char* file, int line,
                                  const char* what) {
  wasm_message_t msg;
  if (trap == NULL) {
    check_passed_++;
    return;
  }
  check_failed_++;
  wasm_trap_message(trap, &msg);
  printf("%s:%d: CHECK failed: %s trapped: \"%.*s\"\n", file, line, what, (int)msg.size,
         msg.size ? msg.data : "");
  fflush(stdout);
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
}

#define CHECK_NO_TRAP(trap) check_no_trap_((trap), __FILE__, __LINE__, #trap)

/* Runs statements in a child process. They signal a wrong result with
 * EXPECT(cond); a crash (signal) or a wrong result fails the check. The
 * statements free what they allocate, and the child then calls
 * check_probe_cleanup (if set) to free what it inherited, because under
 * valgrind the child's exit is leak-checked too. */
static void (*check_probe_cleanup)(void);

static inline void check_child_(pid_t pid, const char* desc, const char* file, int line) {
  int status = 0;
  if (pid < 0) {
    check_failed_++;
    printf("%s:%d: PROBE %s: fork failed\n", file, line, desc);
  } else if (waitpid(pid, &status, 0) != pid) {
    check_failed_++;
    printf("%s:%d: PROBE %s: waitpid failed\n", file, line, desc);
  } else if (WIFSIGNALED(status)) {
    check_failed_++;
    printf("%s:%d: PROBE %s: crashed with signal %d\n", file, line, desc, WTERMSIG(status));
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    check_failed_++;
    printf("%s:%d: PROBE %s: wrong result (child exit status %d)\n", file, line, desc,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  } else {
    check_passed_++;
  }
  fflush(stdout);
}

#define EXPECT(cond) \
  do {               \
    if (!(cond)) {   \
      probe_ok_ = 0; \
    }                \
  } while (0)

#define PROBE(desc, ...)                            \
  do {                                              \
    pid_t probe_pid_;                               \
    fflush(stdout);                                 \
    fflush(stderr);                                 \
    probe_pid_ = fork();                            \
    if (probe_pid_ == 0) {                          \
      int probe_ok_ = 1;                            \
      __VA_ARGS__;                                  \
      if (check_probe_cleanup) check_probe_cleanup(); \
      _exit(probe_ok_ ? 0 : 1);                     \
    }                                               \
    check_child_(probe_pid_, desc, __FILE__, __LINE__); \
  } while (0)

/* Prints the summary line; the exit status of the test program. */
static inline int check_done(const char* name) {
  (void)check_probe_cleanup;
  printf("%s: %d passed, %d failed\n", name, check_passed_, check_failed_);
  return check_failed_ == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------------
 * Helpers */

/* Converts WebAssembly text to a binary (owned by the caller; a failure
 * counts as a failed check and gives an empty vector). */
static inline void wat_to_binary_(const char* wat, wasm_byte_vec_t* out, const char* file,
                                  int line) {
  if (!craneway_wat2wasm(wat, strlen(wat), out)) {
    check_failed_++;
    printf("%s:%d: craneway_wat2wasm failed: %.*s\n", file, line, (int)out->size,
           out->size ? out->data : "");
    fflush(stdout);
    wasm_byte_vec_delete(out);
    wasm_byte_vec_new_empty(out);
  }
}

#define WAT_TO_BINARY(wat, out) wat_to_binary_((wat), (out), __FILE__, __LINE__)

/* Compiles WebAssembly text into a module of `store` (NULL, and a failed
 * check, if it does not compile). */
static inline wasm_module_t* compile_wat_(wasm_store_t* store, const char* wat,
                                          const char* file, int line) {
  wasm_byte_vec_t binary;
  wasm_message_t error;
  wasm_module_t* module;
  wat_to_binary_(wat, &binary, file, line);
  module = craneway_module_new_with_error(store, &binary, &error);
  if (module == NULL) {
    check_failed_++;
    printf("%s:%d: module does not compile: %.*s\n", file, line, (int)error.size,
           error.size ? error.data : "");
    fflush(stdout);
  }
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&binary);
  return module;
}

#define COMPILE(store, wat) compile_wat_((store), (wat), __FILE__, __LINE__)

/* Instantiates `module` with `n` imports (NULL, and a failed check, if it
 * traps or does not link). */
static inline wasm_instance_t* instantiate_(wasm_store_t* store, const wasm_module_t* module,
                                            wasm_extern_t* const* imports, size_t n,
                                            const char* file, int line) {
  wasm_extern_vec_t vec = {n, (wasm_extern_t**)imports};
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance;
  if (module == NULL) return NULL;
  instance = wasm_instance_new(store, module, &vec, &trap);
  if (instance == NULL) {
    wasm_message_t msg;
    check_failed_++;
    msg.size = 0;
    msg.data = NULL;
    if (trap != NULL) wasm_trap_message(trap, &msg);
    printf("%s:%d: instantiation failed: %.*s\n", file, line, (int)msg.size,
           msg.size ? msg.data : "(no trap)");
    fflush(stdout);
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
  }
  return instance;
}

#define INSTANTIATE(store, module, imports, n) \
  instantiate_((store), (module), (imports), (n), __FILE__, __LINE__)

/* Compiles and instantiates a module without imports; writes its exports
 * to `exports` (an empty vector on failure). Returns the instance. */
static inline wasm_instance_t* instance_of_(wasm_store_t* store, const char* wat,
                                            wasm_extern_vec_t* exports, const char* file,
                                            int line) {
  wasm_module_t* module = compile_wat_(store, wat, file, line);
  wasm_instance_t* instance = instantiate_(store, module, NULL, 0, file, line);
  wasm_module_delete(module);
  if (instance != NULL) {
    wasm_instance_exports(instance, exports);
  } else {
    wasm_extern_vec_new_empty(exports);
  }
  return instance;
}

#define INSTANCE(store, wat, exports) instance_of_((store), (wat), (exports), __FILE__, __LINE__)

/* Export `i` of an export vector as a function / global / table / memory
 * (borrowed from the vector), or NULL if there is no such export. */
static inline wasm_func_t* export_func(const wasm_extern_vec_t* exports, size_t i) {
  return i < exports->size ? wasm_extern_as_func(exports->data[i]) : NULL;
}
static inline wasm_global_t* export_global(const wasm_extern_vec_t* exports, size_t i) {
  return i < exports->size ? wasm_extern_as_global(exports->data[i]) : NULL;
}
static inline wasm_table_t* export_table(const wasm_extern_vec_t* exports, size_t i) {
  return i < exports->size ? wasm_extern_as_table(exports->data[i]) : NULL;
}
static inline wasm_memory_t* export_memory(const wasm_extern_vec_t* exports, size_t i) {
  return i < exports->size ? wasm_extern_as_memory(exports->data[i]) : NULL;
}

/* Calls `func` with `nargs` arguments, writing `nresults` results. A NULL
 * function (a missing export) fails a check and returns NULL without
 * reaching the library. */
static inline wasm_trap_t* call_(const wasm_func_t* func, wasm_val_t* args, size_t nargs,
                                 wasm_val_t* results, size_t nresults, const char* file,
                                 int line) {
  wasm_val_vec_t a = {nargs, args};
  wasm_val_vec_t r = {nresults, results};
  if (func == NULL) {
    check_failed_++;
    printf("%s:%d: call of a NULL function (missing export?)\n", file, line);
    fflush(stdout);
    return NULL;
  }
  return wasm_func_call(func, &a, &r);
}

#define CALL(func, args, results)                                                     \
  call_((func), (args), sizeof(args) / sizeof(*(args)), (results),                  \
        sizeof(results) / sizeof(*(results)), __FILE__, __LINE__)
#define CALL_ARGS(func, args) \
  call_((func), (args), sizeof(args) / sizeof(*(args)), NULL, 0, __FILE__, __LINE__)
#define CALL_RESULTS(func, results) \
  call_((func), NULL, 0, (results), sizeof(results) / sizeof(*(results)), __FILE__, __LINE__)
#define CALL0(func) call_((func), NULL, 0, NULL, 0, __FILE__, __LINE__)

#endif /* CRANEWAY_TESTS_CHECK_H */
