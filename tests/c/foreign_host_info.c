/* Foreign objects, host info and finalizers on every kind of reference,
 * and foreign objects held by wasm as externrefs (in calls, globals and
 * tables): they come back as the same object, and their finalizers run
 * when the store is gone. */
#include "check.h"

static wasm_engine_t* engine;

/* A finalizer that counts its calls per datum. */
struct info {
  int finalized;
};
static void finalize(void* data) { ((struct info*)data)->finalized++; }

static const char* const EXPORTS_WAT =
    "(module"
    "  (func (export \"f\"))"
    "  (global (export \"g\") i32 (i32.const 0))"
    "  (table (export \"t\") 0 funcref)"
    "  (memory (export \"m\") 0))";

static void foreign_objects(void) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_foreign_t* a = wasm_foreign_new(store);
  wasm_foreign_t* b = wasm_foreign_new(store);
  wasm_foreign_t* a2;
  struct info ia = {0}, ib = {0}, ib2 = {0};
  int plain = 0;

  CHECK(a != NULL && b != NULL);
  CHECK(!wasm_foreign_same(a, b));
  a2 = wasm_foreign_copy(a);
  CHECK(a2 != NULL && a2 != a && wasm_foreign_same(a, a2));

  CHECK(wasm_foreign_get_host_info(a) == NULL);
  wasm_foreign_set_host_info_with_finalizer(a, &ia, finalize);
  CHECK(wasm_foreign_get_host_info(a) == &ia);
  CHECK(wasm_foreign_get_host_info(a2) == &ia); /* shared by every reference */
  CHECK(wasm_foreign_get_host_info(b) == NULL);
  wasm_foreign_set_host_info(b, &plain);
  CHECK(wasm_foreign_get_host_info(b) == &plain);
  wasm_foreign_set_host_info_with_finalizer(b, &ib, finalize);
  wasm_foreign_set_host_info_with_finalizer(b, &ib2, finalize); /* replaces ib */
  CHECK(wasm_foreign_get_host_info(b) == &ib2);
  CHECK(ib.finalized <= 1);

  /* Objects of a store are finalized when the store and the last object
   * are gone, not before. */
  wasm_foreign_delete(a);
  wasm_foreign_delete(b);
  CHECK_INT(ia.finalized, 0);
  CHECK_INT(ib2.finalized, 0);
  wasm_store_delete(store);
  CHECK_INT(ia.finalized, 0); /* a2 keeps the store */
  CHECK(wasm_foreign_get_host_info(a2) == &ia);
  wasm_foreign_delete(a2);
  CHECK_INT(ia.finalized, 1);
  CHECK_INT(ib.finalized, 1);
  CHECK_INT(ib2.finalized, 1);
}

/* get/set host info through every kind of reference object. */
static void host_info_on_every_kind(void) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store, EXPORTS_WAT, &exports);
  wasm_module_t* module = COMPILE(store, "(module)");
  wasm_message_t msg;
  wasm_trap_t* trap;
  struct info fi = {0}, gi = {0}, ti = {0}, mi = {0}, ii = {0}, ei = {0}, ri = {0};
  struct info modi = {0}, trapi = {0};
  int x = 0;

  wasm_name_new_from_string_nt(&msg, "t");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  if (instance == NULL || exports.size != 4 || module == NULL) {
    CHECK(!"setup");
    goto out;
  }

  {
    wasm_func_t* f = export_func(&exports, 0);
    wasm_func_t* copy = wasm_func_copy(f);
    CHECK(wasm_func_get_host_info(f) == NULL);
    wasm_func_set_host_info(f, &x);
    CHECK(wasm_func_get_host_info(copy) == &x);
    wasm_func_set_host_info_with_finalizer(copy, &fi, finalize);
    CHECK(wasm_func_get_host_info(f) == &fi);
    /* The same function through its external. */
    CHECK(wasm_extern_get_host_info(exports.data[0]) == &fi);
    wasm_func_delete(copy);
  }
  {
    wasm_global_t* g = export_global(&exports, 1);
    wasm_global_t* copy = wasm_global_copy(g);
    CHECK(wasm_global_get_host_info(g) == NULL);
    wasm_global_set_host_info(g, &x);
    CHECK(wasm_global_get_host_info(copy) == &x);
    wasm_global_set_host_info_with_finalizer(g, &gi, finalize);
    CHECK(wasm_global_get_host_info(copy) == &gi);
    wasm_global_delete(copy);
  }
  {
    wasm_table_t* t = export_table(&exports, 2);
    wasm_table_t* copy = wasm_table_copy(t);
    CHECK(wasm_table_get_host_info(t) == NULL);
    wasm_table_set_host_info(t, &x);
    CHECK(wasm_table_get_host_info(copy) == &x);
    wasm_table_set_host_info_with_finalizer(t, &ti, finalize);
    CHECK(wasm_table_get_host_info(copy) == &ti);
    wasm_table_delete(copy);
  }
  {
    wasm_memory_t* m = export_memory(&exports, 3);
    wasm_memory_t* copy = wasm_memory_copy(m);
    CHECK(wasm_memory_get_host_info(m) == NULL);
    wasm_memory_set_host_info(m, &x);
    CHECK(wasm_memory_get_host_info(copy) == &x);
    wasm_memory_set_host_info_with_finalizer(m, &mi, finalize);
    CHECK(wasm_memory_get_host_info(copy) == &mi);
    wasm_memory_delete(copy);
  }
  {
    wasm_instance_t* copy = wasm_instance_copy(instance);
    CHECK(wasm_instance_get_host_info(instance) == NULL);
    wasm_instance_set_host_info(instance, &x);
    CHECK(wasm_instance_get_host_info(copy) == &x);
    wasm_instance_set_host_info_with_finalizer(copy, &ii, finalize);
    CHECK(wasm_instance_get_host_info(instance) == &ii);
    wasm_instance_delete(copy);
  }
  {
    /* Host info set through an external is the object's. */
    wasm_extern_t* copy = wasm_extern_copy(exports.data[3]);
    wasm_extern_set_host_info(copy, &x);
    CHECK(wasm_memory_get_host_info(export_memory(&exports, 3)) == &x);
    wasm_extern_set_host_info_with_finalizer(copy, &ei, finalize);
    CHECK(wasm_extern_get_host_info(exports.data[3]) == &ei);
    CHECK(wasm_memory_get_host_info(export_memory(&exports, 3)) == &ei);
    wasm_extern_delete(copy);
  }
  {
    wasm_foreign_t* foreign = wasm_foreign_new(store);
    wasm_ref_t* r = wasm_ref_copy(wasm_foreign_as_ref(foreign));
    wasm_ref_set_host_info_with_finalizer(r, &ri, finalize);
    CHECK(wasm_foreign_get_host_info(foreign) == &ri);
    wasm_ref_delete(r);
    wasm_foreign_delete(foreign);
  }
  {
    /* Modules are not objects of a store: finalized with their last
     * reference. */
    wasm_module_t* copy = wasm_module_copy(module);
    CHECK(wasm_module_get_host_info(module) == NULL);
    wasm_module_set_host_info(module, &x);
    CHECK(wasm_module_get_host_info(copy) == &x);
    wasm_module_set_host_info_with_finalizer(copy, &modi, finalize);
    CHECK(wasm_module_get_host_info(module) == &modi);
    wasm_module_delete(module);
    module = NULL;
    CHECK_INT(modi.finalized, 0);
    wasm_module_delete(copy);
    CHECK_INT(modi.finalized, 1);
  }
  {
    /* Traps likewise. */
    wasm_trap_t* copy = wasm_trap_copy(trap);
    CHECK(wasm_trap_get_host_info(trap) == NULL);
    wasm_trap_set_host_info(trap, &x);
    CHECK(wasm_trap_get_host_info(copy) == &x);
    wasm_trap_set_host_info_with_finalizer(copy, &trapi, finalize);
    CHECK(wasm_trap_get_host_info(trap) == &trapi);
    wasm_trap_delete(trap);
    trap = NULL;
    CHECK_INT(trapi.finalized, 0);
    wasm_trap_delete(copy);
    CHECK_INT(trapi.finalized, 1);
  }

  /* Nothing of the store is finalized while it lives. */
  CHECK(fi.finalized == 0 && gi.finalized == 0 && ti.finalized == 0 &&
        ii.finalized == 0 && ei.finalized == 0 && ri.finalized == 0);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_trap_delete(trap);
  wasm_store_delete(store);
  /* Now everything is, once. */
  CHECK_INT(fi.finalized, 1);
  CHECK_INT(gi.finalized, 1);
  CHECK_INT(ti.finalized, 1);
  CHECK_INT(mi.finalized, 1); /* replaced by ei (the same memory): still finalized once */
  CHECK_INT(ei.finalized, 1);
  CHECK_INT(ii.finalized, 1);
  CHECK_INT(ri.finalized, 1);
}

/* A foreign object passed to wasm as an externref comes back as the same
 * object, with its host info, and does not keep its store alive. */
static void foreign_through_calls(void) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  struct info info = {0};
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module (func (export \"id\") (param externref) (result externref) local.get 0)"
      "  (func (export \"is_null\") (param externref) (result i32) local.get 0 ref.is_null))",
      &exports);
  wasm_val_t a[1], r[1];

  wasm_foreign_set_host_info_with_finalizer(foreign, &info, finalize);
  if (instance == NULL) goto out;
  a[0].kind = WASM_EXTERNREF;
  a[0].of.ref = wasm_foreign_as_ref(foreign);
  CHECK_NO_TRAP(CALL(export_func(&exports, 0), a, r));
  CHECK_INT(r[0].kind, WASM_EXTERNREF);
  CHECK(r[0].of.ref != NULL && r[0].of.ref != a[0].of.ref);
  if (r[0].of.ref != NULL) {
    CHECK(wasm_ref_same(r[0].of.ref, wasm_foreign_as_ref(foreign)));
    CHECK(wasm_ref_as_foreign(r[0].of.ref) != NULL);
    CHECK(wasm_ref_get_host_info(r[0].of.ref) == &info);
  }
  wasm_val_delete(&r[0]);
  CHECK_NO_TRAP(CALL(export_func(&exports, 1), a, r));
  CHECK_INT(r[0].of.i32, 0);
out:
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_foreign_delete(foreign);
  wasm_store_delete(store);
  CHECK_INT(info.finalized, 1);
}

/* The same through an externref global, set by the host and by wasm. */
static void foreign_in_globals(void) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  struct info info = {0};
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_externref(), WASM_VAR);
  wasm_val_t v, out;
  wasm_global_t* g;

  wasm_foreign_set_host_info_with_finalizer(foreign, &info, finalize);
  v.kind = WASM_EXTERNREF;
  v.of.ref = wasm_foreign_as_ref(foreign);
  g = wasm_global_new(store, gt, &v);
  CHECK(g != NULL);
  if (g != NULL) {
    wasm_global_get(g, &out);
    CHECK(out.kind == WASM_EXTERNREF && out.of.ref != NULL &&
          wasm_ref_same(out.of.ref, wasm_foreign_as_ref(foreign)));
    wasm_val_delete(&out);
    v.of.ref = NULL;
    wasm_global_set(g, &v);
    wasm_global_get(g, &out);
    CHECK(out.kind == WASM_EXTERNREF && out.of.ref == NULL);
    v.of.ref = wasm_foreign_as_ref(foreign);
    wasm_global_set(g, &v);
    wasm_global_get(g, &out);
    CHECK(out.of.ref != NULL && wasm_ref_get_host_info(out.of.ref) == &info);
    wasm_val_delete(&out);
  }
  wasm_global_delete(g);
  wasm_globaltype_delete(gt);
  wasm_foreign_delete(foreign);
  wasm_store_delete(store);
  CHECK_INT(info.finalized, 1);
}

/* The same through an externref table. */
static void foreign_in_tables(void) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  struct info info = {0};
  wasm_limits_t limits = {1, 4};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_externref(), &limits);
  wasm_table_t* t = wasm_table_new(store, tt, NULL);
  wasm_ref_t* r;

  wasm_foreign_set_host_info_with_finalizer(foreign, &info, finalize);
  CHECK(t != NULL);
  if (t != NULL) {
    CHECK(wasm_table_set(t, 0, wasm_foreign_as_ref(foreign)));
    r = wasm_table_get(t, 0);
    CHECK(r != NULL && wasm_ref_same(r, wasm_foreign_as_ref(foreign)) &&
          wasm_ref_as_foreign(r) != NULL);
    wasm_ref_delete(r);
    CHECK(wasm_table_grow(t, 2, wasm_foreign_as_ref(foreign)));
    r = wasm_table_get(t, 2);
    CHECK(r != NULL && wasm_ref_get_host_info(r) == &info);
    wasm_ref_delete(r);
  }
  wasm_table_delete(t);
  wasm_tabletype_delete(tt);
  wasm_foreign_delete(foreign);
  wasm_store_delete(store);
  CHECK_INT(info.finalized, 1);
}

/* Host info and finalizers of objects in a store with instances and
 * host functions: the finalizers run when the store goes, each once. */
static int env_finalized;
static void env_finalizer(void* env) {
  (void)env;
  env_finalized++;
}
static wasm_trap_t* nop_cb(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)env;
  (void)args;
  (void)results;
  return NULL;
}

static void finalizers_with_store(void) {
  wasm_store_t* store = wasm_store_new(engine);
  wasm_functype_t* ft = wasm_functype_new_0_0();
  wasm_func_t* f = wasm_func_new_with_env(store, ft, nop_cb, NULL, env_finalizer);
  struct info info = {0};

  env_finalized = 0;
  wasm_func_set_host_info_with_finalizer(f, &info, finalize);
  CHECK_NO_TRAP(CALL0(f));
  wasm_func_delete(f);
  wasm_functype_delete(ft);
  CHECK_INT(env_finalized, 0);
  CHECK_INT(info.finalized, 0);
  wasm_store_delete(store);
  CHECK_INT(env_finalized, 1);
  CHECK_INT(info.finalized, 1);
}

int main(void) {
  engine = wasm_engine_new();
  foreign_objects();
  host_info_on_every_kind();
  foreign_through_calls();
  foreign_in_globals();
  foreign_in_tables();
  finalizers_with_store();
  wasm_engine_delete(engine);
  return check_done("foreign_host_info");
}
