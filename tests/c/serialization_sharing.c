/* Serialized modules (round trip, damaged blobs, blobs of another engine
 * configuration), modules shared between stores and threads, and engines
 * made with configurations (their settings take effect). */
#include "check.h"

#include <pthread.h>

static const char* const MODULE_WAT =
    "(module"
    "  (import \"env\" \"base\" (global $base i32))"
    "  (memory (export \"mem\") 1)"
    "  (func (export \"f\") (param i32) (result i32) local.get 0 global.get $base i32.add)"
    "  (func (export \"boom\") unreachable)"
    "  (data (i32.const 0) \"hi\"))";

/* Instantiates MODULE_WAT's module with base = 100 and checks f(1) = 101,
 * the data segment and (if `trap_too`) that boom traps. Returns whether
 * it did. (Threads do not trap: valgrind mistakes the longjmp from the
 * signal stack back to a thread's stack for a stack allocation over the
 * thread's TLS, and then reports glibc's use of it.) */
static int works_in_(wasm_store_t* store, const wasm_module_t* module, int trap_too) {
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t v = WASM_I32_VAL(100);
  wasm_global_t* base = wasm_global_new(store, gt, &v);
  wasm_extern_t* imports[1];
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
  wasm_val_t a[1] = {WASM_I32_VAL(1)}, r[1];
  wasm_trap_t* trap;
  int ok = 0;

  imports[0] = wasm_global_as_extern(base);
  instance = INSTANTIATE(store, module, imports, 1);
  if (instance != NULL) {
    wasm_instance_exports(instance, &exports);
    if (exports.size == 3) {
      trap = CALL(export_func(&exports, 1), a, r);
      ok = trap == NULL && r[0].of.i32 == 101 &&
           memcmp(wasm_memory_data(export_memory(&exports, 0)), "hi", 2) == 0;
      wasm_trap_delete(trap);
      if (trap_too) {
        trap = CALL0(export_func(&exports, 2));
        ok = ok && trap != NULL;
        wasm_trap_delete(trap);
      }
    }
    wasm_extern_vec_delete(&exports);
  }
  wasm_instance_delete(instance);
  wasm_global_delete(base);
  wasm_globaltype_delete(gt);
  return ok;
}

static int works_in(wasm_store_t* store, const wasm_module_t* module) {
  return works_in_(store, module, 1);
}

static void round_trip(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = COMPILE(store, MODULE_WAT);
  wasm_module_t* loaded;
  wasm_byte_vec_t blob, again;
  wasm_importtype_vec_t imports;
  wasm_exporttype_vec_t exports;

  if (module == NULL) goto out;
  wasm_module_serialize(module, &blob);
  CHECK(blob.size > 0);
  loaded = wasm_module_deserialize(store, &blob);
  CHECK(loaded != NULL);
  if (loaded != NULL) {
    CHECK(!wasm_module_same(loaded, module));
    CHECK(works_in(store, loaded));
    wasm_module_imports(loaded, &imports);
    CHECK(imports.size == 1);
    if (imports.size == 1) {
      CHECK_MSG(wasm_importtype_module(imports.data[0]), "env");
      CHECK_MSG(wasm_importtype_name(imports.data[0]), "base");
    }
    wasm_importtype_vec_delete(&imports);
    wasm_module_exports(loaded, &exports);
    CHECK(exports.size == 3);
    if (exports.size == 3) CHECK_MSG(wasm_exporttype_name(exports.data[2]), "boom");
    wasm_exporttype_vec_delete(&exports);
    /* A loaded module serializes to a blob that loads too. */
    wasm_module_serialize(loaded, &again);
    CHECK(again.size > 0);
    wasm_module_delete(loaded);
    loaded = wasm_module_deserialize(store, &again);
    CHECK(loaded != NULL && works_in(store, loaded));
    wasm_module_delete(loaded);
    wasm_byte_vec_delete(&again);
  }

  /* Another engine with the same (default) configuration loads it. */
  {
    wasm_engine_t* e2 = wasm_engine_new_with_config(wasm_config_new());
    wasm_store_t* s2 = wasm_store_new(e2);
    loaded = wasm_module_deserialize(s2, &blob);
    CHECK(loaded != NULL);
    if (loaded != NULL) CHECK(works_in(s2, loaded));
    wasm_module_delete(loaded);
    wasm_store_delete(s2);
    wasm_engine_delete(e2);
  }
  wasm_byte_vec_delete(&blob);
out:
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void damaged_blobs(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = COMPILE(store, MODULE_WAT);
  wasm_byte_vec_t blob, bad, binary;
  size_t i;

  if (module == NULL) goto out;
  wasm_module_serialize(module, &blob);

  /* Truncated, at several lengths. */
  for (i = 0; i < 6; i++) {
    size_t len = i == 0 ? 0 : i == 1 ? 4 : i == 2 ? 8 : i == 3 ? blob.size / 2
               : i == 4 ? blob.size - 16 : blob.size - 1;
    wasm_module_t* loaded;
    wasm_byte_vec_new(&bad, len, blob.data);
    loaded = wasm_module_deserialize(store, &bad);
    CHECKF(loaded == NULL, "blob truncated to %zu of %zu bytes", len, blob.size);
    wasm_module_delete(loaded);
    wasm_byte_vec_delete(&bad);
  }

  /* One byte changed, anywhere: header, middle, end. */
  for (i = 0; i < 5; i++) {
    size_t at = i == 0 ? 0 : i == 1 ? 9 : i == 2 ? blob.size / 3 : i == 3 ? blob.size / 2
              : blob.size - 1;
    wasm_module_t* loaded;
    wasm_byte_vec_copy(&bad, &blob);
    bad.data[at] ^= 0x20;
    loaded = wasm_module_deserialize(store, &bad);
    CHECKF(loaded == NULL, "blob with byte %zu of %zu flipped", at, blob.size);
    wasm_module_delete(loaded);
    wasm_byte_vec_delete(&bad);
  }

  /* Extra bytes at the end. */
  wasm_byte_vec_new_uninitialized(&bad, blob.size + 8);
  memcpy(bad.data, blob.data, blob.size);
  {
    wasm_module_t* loaded = wasm_module_deserialize(store, &bad);
    CHECK(loaded == NULL);
    wasm_module_delete(loaded);
  }
  wasm_byte_vec_delete(&bad);

  /* A wasm binary is not a serialized module. */
  WAT_TO_BINARY(MODULE_WAT, &binary);
  CHECK(wasm_module_deserialize(store, &binary) == NULL);
  /* Nor is a serialized module a wasm binary. */
  CHECK(wasm_module_new(store, &blob) == NULL);
  CHECK(!wasm_module_validate(store, &blob));
  wasm_byte_vec_delete(&binary);

  /* The undamaged blob still loads. */
  {
    wasm_module_t* loaded = wasm_module_deserialize(store, &blob);
    CHECK(loaded != NULL);
    wasm_module_delete(loaded);
  }
  wasm_byte_vec_delete(&blob);
out:
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* A blob from one configuration does not load in an engine of another. */
static wasm_engine_t* engine_with(int setting) {
  wasm_config_t* config = wasm_config_new();
  int ok = 1;
  switch (setting) {
    case 1: ok = craneway_config_opt_level(config, CRANEWAY_OPT_NONE); break;
    case 2: ok = craneway_config_memory_guard_size(config, 65536); break;
    case 3: ok = craneway_config_wasm_features(config, CRANEWAY_FEATURES_WASM_2_0); break;
    case 4: ok = craneway_config_opt_level(config, CRANEWAY_OPT_SPEED_AND_SIZE); break;
    default: break;
  }
  CHECK(ok);
  return wasm_engine_new_with_config(config);
}

static void other_configurations(void) {
  wasm_engine_t* engines[5];
  wasm_store_t* stores[5];
  wasm_byte_vec_t blobs[5];
  int i, j;

  for (i = 0; i < 5; i++) {
    wasm_module_t* m;
    engines[i] = engine_with(i);
    stores[i] = wasm_store_new(engines[i]);
    m = COMPILE(stores[i], MODULE_WAT);
    wasm_byte_vec_new_empty(&blobs[i]);
    if (m != NULL) {
      CHECK(works_in(stores[i], m)); /* every configuration runs the module */
      wasm_byte_vec_delete(&blobs[i]);
      wasm_module_serialize(m, &blobs[i]);
    }
    wasm_module_delete(m);
  }
  for (i = 0; i < 5; i++) {
    for (j = 0; j < 5; j++) {
      wasm_module_t* loaded = wasm_module_deserialize(stores[j], &blobs[i]);
      if (i == j) {
        CHECKF(loaded != NULL && works_in(stores[j], loaded), "configuration %d", i);
      } else {
        CHECKF(loaded == NULL, "blob of configuration %d loaded by configuration %d", i, j);
      }
      wasm_module_delete(loaded);
    }
  }
  for (i = 0; i < 5; i++) {
    wasm_byte_vec_delete(&blobs[i]);
    wasm_store_delete(stores[i]);
    wasm_engine_delete(engines[i]);
  }
}

/* Settings take effect. */
static void configurations(void) {
  /* Extended constant expressions: valid by default (WebAssembly 3.0),
   * invalid with exactly 2.0. */
  static const char* const extended =
      "(module (global (export \"g\") i32 (i32.add (i32.const 1) (i32.const 2))))";
  wasm_byte_vec_t binary;
  wasm_engine_t* plain = engine_with(3);
  wasm_engine_t* ext = wasm_engine_new();
  wasm_store_t* sp = wasm_store_new(plain);
  wasm_store_t* se = wasm_store_new(ext);
  wasm_module_t* m;

  WAT_TO_BINARY(extended, &binary);
  CHECK(!wasm_module_validate(sp, &binary));
  CHECK(wasm_module_new(sp, &binary) == NULL);
  CHECK(wasm_module_validate(se, &binary));
  m = wasm_module_new(se, &binary);
  CHECK(m != NULL);
  if (m != NULL) {
    wasm_instance_t* i = INSTANTIATE(se, m, NULL, 0);
    wasm_extern_vec_t exports;
    wasm_val_t v;
    if (i != NULL) {
      wasm_instance_exports(i, &exports);
      wasm_global_get(export_global(&exports, 0), &v);
      CHECK(v.kind == WASM_I32 && v.of.i32 == 3);
      wasm_extern_vec_delete(&exports);
    }
    wasm_instance_delete(i);
  }
  wasm_module_delete(m);
  wasm_byte_vec_delete(&binary);
  wasm_store_delete(sp);
  wasm_store_delete(se);
  wasm_engine_delete(plain);
  wasm_engine_delete(ext);

  /* The wasm stack limit: a recursion 10000 deep fits in the default
   * stack (512 KiB) but exhausts a 64 KiB one. */
  {
    static const char* const recurse =
        "(module (func $r (export \"r\") (param i32) (result i32)"
        "  (local i64 i64 i64 i64)"
        "  local.get 0 i32.eqz if (result i32) i32.const 0 else"
        "  local.get 0 i32.const 1 i32.sub call $r i32.const 1 i32.add end))";
    wasm_config_t* config = wasm_config_new();
    wasm_engine_t* small;
    wasm_engine_t* normal = wasm_engine_new();
    wasm_store_t* ss;
    wasm_store_t* sn = wasm_store_new(normal);
    wasm_extern_vec_t es, en;
    wasm_instance_t* is;
    wasm_instance_t* in;
    wasm_val_t a[1] = {WASM_I32_VAL(10000)}, r[1];

    CHECK(craneway_config_max_wasm_stack(config, 64 * 1024));
    small = wasm_engine_new_with_config(config);
    CHECK(small != NULL);
    ss = wasm_store_new(small);
    is = INSTANCE(ss, recurse, &es);
    in = INSTANCE(sn, recurse, &en);
    CHECK_TRAP(CALL(export_func(&es, 0), a, r), "call stack exhausted");
    CHECK_NO_TRAP(CALL(export_func(&en, 0), a, r));
    CHECK_INT(r[0].of.i32, 10000);
    /* Shallow recursion fits either way. */
    a[0].of.i32 = 50;
    CHECK_NO_TRAP(CALL(export_func(&es, 0), a, r));
    CHECK_INT(r[0].of.i32, 50);
    wasm_extern_vec_delete(&es);
    wasm_extern_vec_delete(&en);
    wasm_instance_delete(is);
    wasm_instance_delete(in);
    wasm_store_delete(ss);
    wasm_store_delete(sn);
    wasm_engine_delete(small);
    wasm_engine_delete(normal);
  }

  /* A small guard region: accesses with large static offsets are checked
   * (and trap) instead of relying on the guard. */
  {
    static const char* const far =
        "(module (memory 1)"
        "  (func (export \"far\") (result i32) i32.const 0 i32.load offset=0x7ffffff0)"
        "  (func (export \"near\") (result i32) i32.const 0 i32.load offset=16))";
    wasm_engine_t* small = engine_with(2);
    wasm_store_t* s = wasm_store_new(small);
    wasm_extern_vec_t exports;
    wasm_instance_t* i = INSTANCE(s, far, &exports);
    wasm_val_t r[1];
    CHECK_TRAP(CALL_RESULTS(export_func(&exports, 0), r), "out of bounds memory access");
    CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 1), r));
    CHECK_INT(r[0].of.i32, 0);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(i);
    wasm_store_delete(s);
    wasm_engine_delete(small);
  }

  /* A config that is never used is deleted. */
  wasm_config_delete(wasm_config_new());
  wasm_config_delete(NULL);
}

static void sharing_between_stores(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_engine_t* other_engine = wasm_engine_new();
  wasm_store_t* s1 = wasm_store_new(engine);
  wasm_store_t* s2 = wasm_store_new(engine);
  wasm_store_t* s3 = wasm_store_new(other_engine);
  wasm_module_t* module = COMPILE(s1, MODULE_WAT);
  wasm_shared_module_t* shared;
  wasm_module_t* obtained;

  if (module == NULL) goto out;
  shared = wasm_module_share(module);
  CHECK(shared != NULL);
  wasm_module_delete(module); /* the shared module lives on */
  module = NULL;
  obtained = wasm_module_obtain(s2, shared);
  CHECK(obtained != NULL);
  if (obtained != NULL) CHECK(works_in(s2, obtained));
  wasm_module_delete(obtained);
  obtained = wasm_module_obtain(s1, shared); /* more than once */
  CHECK(obtained != NULL);
  wasm_module_delete(obtained);
  /* Not in a store of another engine. */
  CHECK(wasm_module_obtain(s3, shared) == NULL);
  wasm_shared_module_delete(shared);
out:
  wasm_module_delete(module);
  wasm_store_delete(s1);
  wasm_store_delete(s2);
  wasm_store_delete(s3);
  wasm_engine_delete(engine);
  wasm_engine_delete(other_engine);
}

/* Threads: each makes its own store in the shared engine and obtains the
 * shared module there. */
struct thread_arg {
  wasm_engine_t* engine;
  const wasm_shared_module_t* shared;
  int ok;
};

static void* thread_main(void* p) {
  struct thread_arg* arg = p;
  wasm_store_t* store = wasm_store_new(arg->engine);
  wasm_module_t* module = wasm_module_obtain(store, arg->shared);
  int i;
  arg->ok = module != NULL;
  for (i = 0; i < 3 && arg->ok; i++) arg->ok = works_in_(store, module, 0);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

static void sharing_between_threads(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = COMPILE(store, MODULE_WAT);
  wasm_shared_module_t* shared;
  pthread_t threads[4];
  struct thread_arg args[4];
  int i, started[4];

  if (module == NULL) goto out;
  shared = wasm_module_share(module);
  for (i = 0; i < 4; i++) {
    args[i].engine = engine;
    args[i].shared = shared;
    args[i].ok = 0;
    started[i] = pthread_create(&threads[i], NULL, thread_main, &args[i]) == 0;
    CHECK(started[i]);
  }
  for (i = 0; i < 4; i++) {
    if (started[i]) {
      pthread_join(threads[i], NULL);
      CHECK(args[i].ok);
    }
  }
  wasm_shared_module_delete(shared);
  /* The original store still works. */
  CHECK(works_in(store, module));
out:
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

int main(void) {
  round_trip();
  damaged_blobs();
  other_configurations();
  configurations();
  sharing_between_stores();
  sharing_between_threads();
  return check_done("serialization_sharing");
}
