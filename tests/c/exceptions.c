/* Exception handling through the C API: an uncaught wasm exception is a
 * trap with its own message; an exception crosses a C host function that
 * returns the trap of its inner call (wasm -> host -> wasm throws -> the
 * host returns the error -> the outer wasm catches it); tags are left out
 * of imports and exports (wasm.h cannot express them), and a module that
 * imports one cannot be instantiated; exnref values have their own kind,
 * which every exception reference type shares (`(ref exn)`,
 * `(ref null noexn)`), the value type keeping nullability. */
#include "check.h"

static wasm_func_t* thrower; /* the instance's "throw" export, set below */
static int host_calls;

/* Calls "throw" with its argument; returns its trap (passing the exception
 * on) for an odd argument, swallows it (returning -1) for an even one. */
static wasm_trap_t* pass_on_cb(void* env, const wasm_val_vec_t* args,
                               wasm_val_vec_t* results) {
  wasm_val_t a[1] = {WASM_I32_VAL(args->data[0].of.i32)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_trap_t* trap;
  (void)env;
  host_calls++;
  trap = CALL(thrower, a, r);
  CHECK(trap != NULL);
  if (trap == NULL || args->data[0].of.i32 % 2 == 1) return trap;
  wasm_trap_delete(trap);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = -1;
  return NULL;
}

static const char* const WAT =
    "(module"
    "  (import \"\" \"h\" (func $h (param i32) (result i32)))"
    "  (tag $e (export \"e\") (param i32))"
    "  (tag $other (param i32))"
    "  (func (export \"throw\") (param i32) (result i32) local.get 0 throw $e)"
    "  (func (export \"outer\") (param i32) (result i32)"
    "    (block $c (result i32)"
    "      (try_table (result i32) (catch $other $c) (catch $e $c)"
    "        local.get 0 call $h))"
    "    i32.const 100 i32.add)"
    "  (func (export \"no-handler\") (param i32) (result i32) local.get 0 call $h)"
    "  (func (export \"null-exn\") (result exnref) ref.null exn))";

static void exceptions(wasm_store_t* store) {
  wasm_valtype_t* i32[2] = {wasm_valtype_new_i32(), wasm_valtype_new_i32()};
  wasm_valtype_vec_t params, results;
  wasm_functype_t* ft;
  wasm_func_t* host;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_t* imports[1];
  wasm_exporttype_vec_t export_types;
  wasm_extern_vec_t exports;
  wasm_val_t a[1], r[1];
  wasm_trap_t* trap;
  wasm_message_t msg;

  wasm_valtype_vec_new(&params, 1, &i32[0]);
  wasm_valtype_vec_new(&results, 1, &i32[1]);
  ft = wasm_functype_new(&params, &results);
  host = wasm_func_new_with_env(store, ft, pass_on_cb, NULL, NULL);
  wasm_functype_delete(ft);
  module = COMPILE(store, WAT);
  if (module == NULL) {
    wasm_func_delete(host);
    return;
  }
  /* The tag export is left out: four exports, the functions. */
  wasm_module_exports(module, &export_types);
  CHECK_INT(export_types.size, 4);
  wasm_exporttype_vec_delete(&export_types);
  imports[0] = wasm_func_as_extern(host);
  instance = INSTANTIATE(store, module, imports, 1);
  wasm_module_delete(module);
  if (instance == NULL) {
    wasm_func_delete(host);
    return;
  }
  wasm_instance_exports(instance, &exports);
  CHECK_INT(exports.size, 4);
  thrower = export_func(&exports, 0);

  /* Uncaught: a trap that says so, with the throw site in its trace. */
  a[0] = (wasm_val_t)WASM_I32_VAL(5);
  trap = CALL(thrower, a, r);
  CHECK(trap != NULL);
  if (trap != NULL) {
    wasm_frame_vec_t trace;
    wasm_trap_message(trap, &msg);
    CHECK_MSG(&msg, "uncaught wasm exception");
    wasm_byte_vec_delete(&msg);
    CHECK(craneway_trap_is_exception(trap));
    wasm_trap_trace(trap, &trace);
    CHECK(trace.size >= 1);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);
  }

  /* A trap made by the host with the same message is not an exception. */
  {
    wasm_message_t text;
    wasm_name_new_from_string_nt(&text, "uncaught wasm exception");
    trap = wasm_trap_new(store, &text);
    wasm_byte_vec_delete(&text);
    CHECK(trap != NULL && !craneway_trap_is_exception(trap));
    wasm_trap_delete(trap);
    CHECK(!craneway_trap_is_exception(NULL));
  }

  /* Passed on by the host: caught by the outer wasm's handler. */
  a[0] = (wasm_val_t)WASM_I32_VAL(7);
  r[0] = (wasm_val_t)WASM_INIT_VAL;
  CHECK_NO_TRAP(CALL(export_func(&exports, 1), a, r));
  CHECK_INT(r[0].of.i32, 107);
  /* Swallowed by the host: a normal return. */
  a[0] = (wasm_val_t)WASM_I32_VAL(8);
  CHECK_NO_TRAP(CALL(export_func(&exports, 1), a, r));
  CHECK_INT(r[0].of.i32, 99);
  /* Passed on with no handler above: back to C as the same kind of trap. */
  a[0] = (wasm_val_t)WASM_I32_VAL(9);
  CHECK_TRAP(CALL(export_func(&exports, 2), a, r), "uncaught wasm exception");
  CHECK_INT(host_calls, 3);

  /* exnref: its own kind, null only. */
  r[0] = (wasm_val_t)WASM_INIT_VAL;
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 3), r));
  CHECK_INT(r[0].kind, CRANEWAY_EXNREF);
  CHECK(r[0].of.ref == NULL);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(host);
}

/* A module importing a tag: the import is not listed, and instantiating
 * fails with a message instead of linking something else. */
static void tag_imports(wasm_store_t* store) {
  wasm_module_t* module = COMPILE(store,
                                  "(module (import \"m\" \"t\" (tag (param i32)))"
                                  "  (import \"m\" \"g\" (global i32)))");
  wasm_importtype_vec_t imports;
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  if (module == NULL) return;
  wasm_module_imports(module, &imports);
  CHECK_INT(imports.size, 1);
  wasm_importtype_vec_delete(&imports);
  CHECK(wasm_instance_new(store, module, &none, &trap) == NULL);
  CHECK_TRAP(trap, "imports an exception tag");
  wasm_module_delete(module);
}

/* Typed exception references: one kind, CRANEWAY_EXNREF; a NULL where
 * `(ref exn)` is expected is refused, accepted for `(ref null noexn)`. */
static void typed_exnrefs(wasm_store_t* store) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store,
      "(module"
      "  (func (export \"nonnull\") (param (ref exn)) (result i32) i32.const 1)"
      "  (func (export \"bottom\") (param (ref null noexn)) (result i32) i32.const 2)"
      "  (func (export \"top\") (result exnref) ref.null exn))",
      &exports);
  wasm_functype_t* ft;
  const wasm_valtype_t* vt;
  wasm_val_t a[1], r[1];

  if (instance == NULL) return;
  ft = wasm_func_type(export_func(&exports, 0));
  vt = wasm_functype_params(ft)->data[0];
  CHECK_INT(wasm_valtype_kind(vt), CRANEWAY_EXNREF);
  CHECK(!craneway_valtype_is_nullable(vt));
  CHECK(craneway_valtype_is_typed_ref(vt));
  wasm_functype_delete(ft);
  ft = wasm_func_type(export_func(&exports, 1));
  vt = wasm_functype_params(ft)->data[0];
  CHECK_INT(wasm_valtype_kind(vt), CRANEWAY_EXNREF);
  CHECK(craneway_valtype_is_nullable(vt));
  CHECK(craneway_valtype_is_typed_ref(vt));
  wasm_functype_delete(ft);
  ft = wasm_func_type(export_func(&exports, 2));
  vt = wasm_functype_results(ft)->data[0];
  CHECK_INT(wasm_valtype_kind(vt), CRANEWAY_EXNREF);
  CHECK(craneway_valtype_is_nullable(vt));
  CHECK(!craneway_valtype_is_typed_ref(vt));
  wasm_functype_delete(ft);

  a[0].kind = CRANEWAY_EXNREF;
  a[0].of.ref = NULL;
  r[0] = (wasm_val_t)WASM_INIT_VAL;
  CHECK_TRAP(CALL(export_func(&exports, 0), a, r), "null reference");
  CHECK_NO_TRAP(CALL(export_func(&exports, 1), a, r));
  CHECK_INT(r[0].of.i32, 2);
  /* A null of another kind is not an exception reference. */
  a[0].kind = WASM_EXTERNREF;
  CHECK_TRAP(CALL(export_func(&exports, 1), a, r), "kind");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  exceptions(store);
  tag_imports(store);
  typed_exnrefs(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("exceptions");
}
