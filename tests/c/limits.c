/* Limits on running wasm through the C API. Epoch interruption: an endless
 * loop stopped from another thread within 100 ms of its deadline; the
 * deadline callback that extends twice and then stops, and its finalizer;
 * the check at function entry. Fuel: an endless loop stopped after exactly
 * the iterations its fuel pays for, the fuel left, engines without fuel.
 * NULL arguments. */
#include "check.h"

#include <pthread.h>
#include <stdint.h>
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
  return check_done("limits");
}
