/* Limits on running wasm through the C API. Epoch interruption: an endless
 * loop stopped from another thread within 100 ms of its deadline, and by
 * a tick from a signal handler; the
 * deadline callback that extends twice and then stops, and its finalizer;
 * the check at function entry. Fuel: an endless loop stopped after exactly
 * the iterations its fuel pays for, the fuel left, engines without fuel.
 * Resource limits: memory growth within the bound, counts, and the limiter
 * callback. NULL arguments. */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

static const char* const WAT =
    "(module"
    "  (func (export \"spin\") (loop $l (br $l)))"
    "  (func (export \"leaf\") (result i32) i32.const 7))";

static wasm_engine_t* engine;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Under valgrind (which preloads its own libraries) everything is many
 * times slower: the bound on how late the loop stops is looser there. */
static double late_bound_ms(void) {
  const char* preload = getenv("LD_PRELOAD");
  return preload != NULL && strstr(preload, "vgpreload") != NULL ? 3000.0 : 100.0;
}

/* One tick after 50 ms, recording when. */
static double ticked_at;
static void* tick_once(void* arg) {
  struct timespec d = {0, 50 * 1000 * 1000};
  (void)arg;
  nanosleep(&d, NULL);
  ticked_at = now_ms();
  craneway_engine_increment_epoch(engine);
  return NULL;
}

/* A tick every 2 ms until `ticking` is cleared. */
static volatile int ticking;
static void* tick_on(void* arg) {
  struct timespec d = {0, 2 * 1000 * 1000};
  (void)arg;
  while (ticking) {
    nanosleep(&d, NULL);
    craneway_engine_increment_epoch(engine);
  }
  return NULL;
}

/* A signal handler may tick the epoch (one atomic add). */
static void tick_from_signal(int sig) {
  (void)sig;
  craneway_engine_increment_epoch(engine);
}

static int callback_calls, finalized;
static bool extend_twice(void* env, uint64_t* ticks) {
  CHECK(env == &callback_calls);
  *ticks = 1;
  return ++callback_calls <= 2;
}
static void finalize(void* env) {
  CHECK(env == &callback_calls);
  finalized++;
}

static void epoch(wasm_store_t* store) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store, WAT, &exports);
  wasm_func_t* spin = export_func(&exports, 0);
  wasm_func_t* leaf = export_func(&exports, 1);
  wasm_val_t r[1] = {WASM_INIT_VAL};
  pthread_t t;
  double stopped;

  /* No deadline yet: nothing stops. */
  CHECK_NO_TRAP(CALL_RESULTS(leaf, r));
  CHECK_INT(r[0].of.i32, 7);

  /* An endless loop, stopped from another thread. */
  craneway_store_set_epoch_deadline(store, 1);
  CHECK(pthread_create(&t, NULL, tick_once, NULL) == 0);
  CHECK_TRAP(CALL0(spin), "interrupted");
  stopped = now_ms();
  pthread_join(t, NULL);
  CHECKF(stopped - ticked_at < late_bound_ms(), "stopped %.1f ms after the deadline",
         stopped - ticked_at);

  /* Ticked from a signal handler (SIGALRM after 20 ms), on the thread
   * that runs the loop. */
  {
    struct sigaction sa, old;
    struct itimerval timer = {{0, 0}, {0, 20 * 1000}};
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tick_from_signal;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(SIGALRM, &sa, &old) == 0);
    craneway_store_set_epoch_deadline(store, 1);
    CHECK(setitimer(ITIMER_REAL, &timer, NULL) == 0);
    CHECK_TRAP(CALL0(spin), "interrupted");
    sigaction(SIGALRM, &old, NULL);
  }

  /* Function entry: the deadline is still reached; a new one lets it run. */
  CHECK_TRAP(CALL_RESULTS(leaf, r), "interrupted");
  craneway_store_set_epoch_deadline(store, 1000000);
  CHECK_NO_TRAP(CALL_RESULTS(leaf, r));
  craneway_store_set_epoch_deadline(store, 0);
  CHECK_TRAP(CALL_RESULTS(leaf, r), "interrupted");

  /* The callback extends the deadline twice, then stops the loop. */
  craneway_store_epoch_deadline_callback(store, extend_twice, &callback_calls, finalize);
  craneway_store_set_epoch_deadline(store, 1);
  ticking = 1;
  CHECK(pthread_create(&t, NULL, tick_on, NULL) == 0);
  CHECK_TRAP(CALL0(spin), "interrupted");
  ticking = 0;
  pthread_join(t, NULL);
  CHECK_INT(callback_calls, 3);
  CHECK_INT(finalized, 0);
  /* Removing it finalizes it (a NULL callback takes over nothing); then
   * the deadline traps at once. */
  craneway_store_epoch_deadline_callback(store, NULL, &callback_calls, finalize);
  CHECK_INT(finalized, 1);
  craneway_store_set_epoch_deadline(store, 0);
  CHECK_TRAP(CALL_RESULTS(leaf, r), "interrupted");
  /* A callback still set when the store goes is finalized then (below). */
  craneway_store_epoch_deadline_callback(store, extend_twice, &callback_calls, finalize);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

static const char* const FUEL_WAT =
    "(module"
    "  (global $n (mut i64) (i64.const 0))"
    /* Each iteration costs 5: global.get, i64.const, i64.add, global.set, br. */
    "  (func (export \"spin\") (loop $l"
    "    (global.set $n (i64.add (global.get $n) (i64.const 1))) (br $l)))"
    "  (func (export \"count\") (result i64) (global.get $n)))";

static void fuel(void) {
  wasm_config_t* config = wasm_config_new();
  wasm_engine_t* fuel_engine;
  wasm_store_t* store;
  wasm_extern_vec_t exports;
  wasm_instance_t* instance;
  wasm_val_t r[1] = {WASM_INIT_VAL};
  uint64_t left = 12345;

  CHECK(!craneway_config_consume_fuel(NULL, true));
  CHECK(craneway_config_consume_fuel(config, true));
  fuel_engine = wasm_engine_new_with_config(config);
  store = wasm_store_new(fuel_engine);
  instance = INSTANCE(store, FUEL_WAT, &exports);

  /* A new store has none: the call stops at once. */
  CHECK(craneway_store_get_fuel(store, &left));
  CHECK_INT((long long)left, 0);
  CHECK_TRAP(CALL0(export_func(&exports, 0)), "all fuel consumed by WebAssembly");

  /* 51 fuel pays for ceil(51 / 5) = 11 iterations. */
  CHECK(craneway_store_set_fuel(store, 51));
  CHECK_TRAP(CALL0(export_func(&exports, 0)), "all fuel consumed by WebAssembly");
  CHECK(craneway_store_get_fuel(store, &left));
  CHECK_INT((long long)left, 0);
  CHECK(craneway_store_set_fuel(store, 10));
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 1), r));
  CHECK_INT(r[0].of.i64, 11);
  CHECK(craneway_store_get_fuel(store, &left));
  CHECK_INT((long long)left, 9); /* global.get */

  /* NULL arguments. */
  CHECK(!craneway_store_set_fuel(NULL, 1));
  CHECK(!craneway_store_get_fuel(NULL, &left));
  CHECK(!craneway_store_get_fuel(store, NULL));

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_store_delete(store);
  wasm_engine_delete(fuel_engine);

  /* An engine without fuel has none to set or read. */
  fuel_engine = wasm_engine_new();
  store = wasm_store_new(fuel_engine);
  CHECK(!craneway_store_set_fuel(store, 1));
  CHECK(!craneway_store_get_fuel(store, &left));
  wasm_store_delete(store);
  wasm_engine_delete(fuel_engine);
}

static const char* const GROW_WAT =
    "(module"
    "  (memory 1)"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))))";

/* Allows tables, and memories up to 2 pages; logs what it was asked. */
static int limiter_calls, limiter_finalized;
static uint64_t last_desired, last_maximum;
static bool two_pages(void* env, uint32_t resource, uint64_t current, uint64_t desired,
                      uint64_t maximum) {
  CHECK(env == &limiter_calls);
  (void)current;
  limiter_calls++;
  last_desired = desired;
  last_maximum = maximum;
  return resource != CRANEWAY_RESOURCE_MEMORY || desired <= 2 * 65536;
}
static void limiter_finalize(void* env) {
  CHECK(env == &limiter_calls);
  limiter_finalized++;
}

static int32_t grow_by(wasm_func_t* grow, int32_t pages) {
  wasm_val_t a[1] = {WASM_I32_VAL(pages)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  CHECK_NO_TRAP(CALL(grow, a, r));
  return r[0].of.i32;
}

static void resource_limits(void) {
  wasm_engine_t* e = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(e);
  wasm_extern_vec_t exports, more;
  wasm_instance_t* instance;
  wasm_module_t* module;
  wasm_trap_t* trap = NULL;

  /* Memories up to 3 pages, one instance. */
  craneway_store_limiter(store, 3 * 65536, -1, 1, -1, -1);
  instance = INSTANCE(store, GROW_WAT, &exports);
  CHECK_INT(grow_by(export_func(&exports, 0), 1), 1);
  CHECK_INT(grow_by(export_func(&exports, 0), 2), -1);
  CHECK_INT(grow_by(export_func(&exports, 0), 1), 2);
  CHECK_INT(grow_by(export_func(&exports, 0), 1), -1);
  /* A second instance is past the count: a trap says so. */
  module = COMPILE(store, "(module)");
  CHECK(wasm_instance_new(store, module, NULL, &trap) == NULL);
  CHECK_TRAP(trap, "limit of 1 instances");
  wasm_module_delete(module);

  /* No limits, and a callback: asked at creation and growth. */
  craneway_store_limiter(store, -1, -1, -1, -1, -1);
  craneway_store_limiter_callback(store, two_pages, &limiter_calls, limiter_finalize);
  wasm_instance_t* second = INSTANCE(store, "(module (memory 1 5)"
                                            "  (func (export \"grow\") (param i32) (result i32)"
                                            "    (memory.grow (local.get 0))))", &more);
  CHECK_INT(limiter_calls, 1); /* the memory's creation */
  CHECK(last_desired == 65536 && last_maximum == 5 * 65536);
  CHECK_INT(grow_by(export_func(&more, 0), 1), 1);
  CHECK_INT(grow_by(export_func(&more, 0), 1), -1);
  CHECK_INT(limiter_calls, 3);
  CHECK(last_desired == 3 * 65536);
  /* The first memory (no maximum) is asked too. */
  craneway_store_limiter_callback(store, two_pages, &limiter_calls, limiter_finalize);
  CHECK_INT(limiter_finalized, 1); /* the replaced one */
  CHECK_INT(grow_by(export_func(&exports, 0), 1), -1);
  CHECK(last_maximum == UINT64_MAX);
  craneway_store_limiter_callback(store, NULL, NULL, NULL);
  CHECK_INT(limiter_finalized, 2);
  CHECK_INT(grow_by(export_func(&exports, 0), 1), 3);

  craneway_store_limiter(NULL, 1, 1, 1, 1, 1);
  craneway_store_limiter_callback(NULL, two_pages, &limiter_calls, limiter_finalize);
  CHECK_INT(limiter_finalized, 2);

  wasm_extern_vec_delete(&more);
  wasm_instance_delete(second);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_store_delete(store);
  wasm_engine_delete(e);
}

int main(void) {
  wasm_config_t* config = wasm_config_new();
  wasm_store_t* store;

  /* NULL arguments do nothing (and take nothing over). */
  CHECK(!craneway_config_epoch_interruption(NULL, true));
  craneway_engine_increment_epoch(NULL);
  craneway_store_set_epoch_deadline(NULL, 1);
  craneway_store_epoch_deadline_callback(NULL, extend_twice, &callback_calls, finalize);
  CHECK_INT(finalized, 0);

  CHECK(craneway_config_epoch_interruption(config, true));
  engine = wasm_engine_new_with_config(config);
  store = wasm_store_new(engine);
  epoch(store);
  wasm_store_delete(store);
  CHECK_INT(finalized, 2);
  wasm_engine_delete(engine);
  fuel();
  resource_limits();
  return check_done("limits");
}
