/* Values (wasm_val_t and its vectors, including Craneway's v128) and
 * references: wasm_ref_t's own functions and the casts of every reference
 * kind to and from it. */
#include "check.h"

static const char* const MODULE_WAT =
    "(module"
    "  (func (export \"f\") (result i32) i32.const 1)"
    "  (global (export \"g\") (mut i32) (i32.const 2))"
    "  (table (export \"t\") 1 funcref)"
    "  (memory (export \"m\") 1))";

static void number_values(void) {
  wasm_val_t i32 = WASM_I32_VAL(-5);
  wasm_val_t i64 = WASM_I64_VAL(INT64_MIN);
  wasm_val_t f32 = WASM_F32_VAL(1.5f);
  wasm_val_t f64 = WASM_F64_VAL(-2.25);
  wasm_val_t copy;
  wasm_val_t ptr;
  int target = 0;

  wasm_val_copy(&copy, &i32);
  CHECK_INT(copy.kind, WASM_I32);
  CHECK_INT(copy.of.i32, -5);
  wasm_val_delete(&copy);
  CHECK_INT(copy.kind, WASM_I32); /* a number is left a number */

  wasm_val_copy(&copy, &i64);
  CHECK(copy.kind == WASM_I64 && copy.of.i64 == INT64_MIN);
  wasm_val_copy(&copy, &f32);
  CHECK(copy.kind == WASM_F32 && copy.of.f32 == 1.5f);
  wasm_val_copy(&copy, &f64);
  CHECK(copy.kind == WASM_F64 && copy.of.f64 == -2.25);
  wasm_val_delete(&copy);

  wasm_val_init_ptr(&ptr, &target);
  CHECK(wasm_val_ptr(&ptr) == &target);
  wasm_val_copy(&copy, &ptr);
  CHECK(wasm_val_ptr(&copy) == &target);
}

static void v128_values(void) {
  wasm_val_t v, copy;
  wasm_val_vec_t vec, vcopy;
  int i, same = 1;

  v.kind = WASM_V128;
  for (i = 0; i < 16; i++) v.of.v128[i] = (uint8_t)(0xf0 + i);
  wasm_val_copy(&copy, &v);
  CHECK_INT(copy.kind, WASM_V128);
  CHECK(memcmp(copy.of.v128, v.of.v128, 16) == 0);
  wasm_val_delete(&copy);
  CHECK_INT(copy.kind, WASM_V128);

  wasm_val_vec_new(&vec, 1, &v);
  wasm_val_vec_copy(&vcopy, &vec);
  CHECK(vcopy.size == 1 && vcopy.data[0].kind == WASM_V128);
  if (vcopy.size == 1) {
    for (i = 0; i < 16; i++) same &= vcopy.data[0].of.v128[i] == (uint8_t)(0xf0 + i);
    CHECK(same);
  }
  wasm_val_vec_delete(&vec);
  wasm_val_vec_delete(&vcopy);
}

static void value_vectors(wasm_store_t* store) {
  wasm_val_vec_t empty, zeros, vec, copy;
  wasm_val_t vals[3];
  wasm_foreign_t* foreign = wasm_foreign_new(store);

  wasm_val_vec_new_empty(&empty);
  CHECK_INT(empty.size, 0);
  wasm_val_vec_delete(&empty);

  wasm_val_vec_new_uninitialized(&zeros, 4);
  CHECK_INT(zeros.size, 4);
  CHECK(zeros.data != NULL);
  wasm_val_vec_delete(&zeros);
  CHECK_INT(zeros.size, 0);

  /* A vector owns the references in its values; a copy copies them. */
  vals[0].kind = WASM_I64;
  vals[0].of.i64 = 42;
  vals[1].kind = WASM_EXTERNREF;
  vals[1].of.ref = wasm_foreign_as_ref(wasm_foreign_copy(foreign));
  vals[2].kind = WASM_FUNCREF;
  vals[2].of.ref = NULL;
  wasm_val_vec_new(&vec, 3, vals);
  CHECK_INT(vec.size, 3);
  wasm_val_vec_copy(&copy, &vec);
  CHECK_INT(copy.size, 3);
  if (copy.size == 3 && vec.size == 3) {
    CHECK(copy.data[0].kind == WASM_I64 && copy.data[0].of.i64 == 42);
    CHECK_INT(copy.data[1].kind, WASM_EXTERNREF);
    CHECK(copy.data[1].of.ref != NULL && copy.data[1].of.ref != vec.data[1].of.ref);
    CHECK(wasm_ref_same(copy.data[1].of.ref, wasm_foreign_as_ref(foreign)));
    CHECK(copy.data[2].kind == WASM_FUNCREF && copy.data[2].of.ref == NULL);
  }
  wasm_val_vec_delete(&vec);
  /* The copy's reference lives on after the original's is gone. */
  if (copy.size == 3) {
    CHECK(wasm_ref_as_foreign(copy.data[1].of.ref) != NULL);
  }
  wasm_val_vec_delete(&copy);
  wasm_foreign_delete(foreign);
}

static void reference_values(wasm_store_t* store) {
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_val_t v = WASM_INIT_VAL;
  wasm_val_t copy;

  CHECK(v.kind == WASM_EXTERNREF && v.of.ref == NULL);
  v.of.ref = wasm_foreign_as_ref(wasm_foreign_copy(foreign));
  wasm_val_copy(&copy, &v);
  CHECK_INT(copy.kind, WASM_EXTERNREF);
  CHECK(copy.of.ref != NULL && copy.of.ref != v.of.ref);
  CHECK(wasm_ref_same(copy.of.ref, v.of.ref));
  wasm_val_delete(&v);
  CHECK(v.kind == WASM_EXTERNREF && v.of.ref == NULL);
  CHECK(wasm_ref_same(copy.of.ref, wasm_foreign_as_ref(foreign)));
  wasm_val_delete(&copy);
  CHECK(copy.of.ref == NULL);
  /* A null reference copies to a null reference. */
  wasm_val_copy(&copy, &v);
  CHECK(copy.kind == WASM_EXTERNREF && copy.of.ref == NULL);
  wasm_foreign_delete(foreign);
}

static void ref_functions(wasm_store_t* store) {
  wasm_foreign_t* a = wasm_foreign_new(store);
  wasm_foreign_t* b = wasm_foreign_new(store);
  wasm_ref_t* ra = wasm_foreign_as_ref(a);
  wasm_ref_t* copy = wasm_ref_copy(ra);
  int info = 7;

  CHECK(ra != NULL);
  CHECK(copy != NULL && copy != ra);
  CHECK(wasm_ref_same(copy, ra));
  CHECK(!wasm_ref_same(copy, wasm_foreign_as_ref(b)));
  CHECK(wasm_ref_as_foreign(copy) != NULL);
  CHECK(wasm_foreign_same(wasm_ref_as_foreign(copy), a));

  /* Host info is the object's, shared by every reference to it. */
  CHECK(wasm_ref_get_host_info(copy) == NULL);
  wasm_ref_set_host_info(copy, &info);
  CHECK(wasm_ref_get_host_info(copy) == &info);
  CHECK(wasm_foreign_get_host_info(a) == &info);
  CHECK(wasm_ref_get_host_info(ra) == &info);
  CHECK(wasm_foreign_get_host_info(b) == NULL);
  wasm_ref_set_host_info_with_finalizer(copy, NULL, NULL);
  CHECK(wasm_foreign_get_host_info(a) == NULL);

  wasm_ref_delete(copy);
  CHECK(wasm_ref_copy(NULL) == NULL);
  wasm_ref_delete(NULL);
  wasm_foreign_delete(a);
  wasm_foreign_delete(b);
}

/* For each kind of reference object: X_as_ref gives the same object,
 * ref_as_X gives it back, and ref_as_Y of another kind gives NULL. */
static void casts(wasm_store_t* store) {
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = INSTANCE(store, MODULE_WAT, &exports);
  wasm_module_t* module = COMPILE(store, "(module)");
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_message_t msg;
  wasm_trap_t* trap;
  wasm_func_t* func = export_func(&exports, 0);
  wasm_global_t* global = export_global(&exports, 1);
  wasm_table_t* table = export_table(&exports, 2);
  wasm_memory_t* memory = export_memory(&exports, 3);
  wasm_ref_t* r;
  const wasm_ref_t* cr;

  wasm_name_new_from_string_nt(&msg, "boom");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  if (instance == NULL || module == NULL || trap == NULL || func == NULL || global == NULL ||
      table == NULL || memory == NULL) {
    CHECK(!"setup");
    goto out;
  }

  r = wasm_func_as_ref(func);
  cr = wasm_func_as_ref_const(func);
  CHECK(r != NULL && r == cr);
  CHECK(wasm_ref_as_func(r) == func);
  CHECK(wasm_ref_as_func_const(cr) == func);
  CHECK(wasm_ref_as_extern(r) != NULL); /* a function is an external */
  CHECK(wasm_ref_as_extern_const(cr) != NULL);
  CHECK(wasm_ref_as_global(r) == NULL);
  CHECK(wasm_ref_as_foreign(r) == NULL);
  CHECK(wasm_ref_as_trap(r) == NULL);

  r = wasm_global_as_ref(global);
  CHECK(r != NULL && r == wasm_global_as_ref_const(global));
  CHECK(wasm_ref_as_global(r) == global);
  CHECK(wasm_ref_as_global_const(r) == global);
  CHECK(wasm_ref_as_table(r) == NULL);
  CHECK(wasm_ref_as_func_const(r) == NULL);

  r = wasm_table_as_ref(table);
  CHECK(r != NULL && r == wasm_table_as_ref_const(table));
  CHECK(wasm_ref_as_table(r) == table);
  CHECK(wasm_ref_as_table_const(r) == table);
  CHECK(wasm_ref_as_memory(r) == NULL);
  CHECK(wasm_ref_as_global_const(r) == NULL);

  r = wasm_memory_as_ref(memory);
  CHECK(r != NULL && r == wasm_memory_as_ref_const(memory));
  CHECK(wasm_ref_as_memory(r) == memory);
  CHECK(wasm_ref_as_memory_const(r) == memory);
  CHECK(wasm_ref_as_instance(r) == NULL);
  CHECK(wasm_ref_as_table_const(r) == NULL);

  r = wasm_extern_as_ref(exports.data[3]);
  CHECK(r != NULL && r == wasm_extern_as_ref_const(exports.data[3]));
  CHECK(wasm_ref_as_extern(r) == exports.data[3]);
  CHECK(wasm_ref_as_memory(r) == memory);
  CHECK(wasm_ref_as_module(r) == NULL);

  r = wasm_instance_as_ref(instance);
  CHECK(r != NULL && r == wasm_instance_as_ref_const(instance));
  CHECK(wasm_ref_as_instance(r) == instance);
  CHECK(wasm_ref_as_instance_const(r) == instance);
  CHECK(wasm_ref_as_extern(r) == NULL);
  CHECK(wasm_ref_as_memory_const(r) == NULL);

  r = wasm_module_as_ref(module);
  CHECK(r != NULL && r == wasm_module_as_ref_const(module));
  CHECK(wasm_ref_as_module(r) == module);
  CHECK(wasm_ref_as_module_const(r) == module);
  CHECK(wasm_ref_as_instance_const(r) == NULL);
  CHECK(wasm_ref_as_foreign_const(r) == NULL);

  r = wasm_trap_as_ref(trap);
  CHECK(r != NULL && r == wasm_trap_as_ref_const(trap));
  CHECK(wasm_ref_as_trap(r) == trap);
  CHECK(wasm_ref_as_trap_const(r) == trap);
  CHECK(wasm_ref_as_module_const(r) == NULL);
  CHECK(wasm_ref_as_extern_const(r) == NULL);

  r = wasm_foreign_as_ref(foreign);
  CHECK(r != NULL && r == wasm_foreign_as_ref_const(foreign));
  CHECK(wasm_ref_as_foreign(r) == foreign);
  CHECK(wasm_ref_as_foreign_const(r) == foreign);
  CHECK(wasm_ref_as_trap_const(r) == NULL);
  CHECK(wasm_ref_as_instance(r) == NULL);

  /* NULL casts to NULL. */
  CHECK(wasm_func_as_ref(NULL) == NULL);
  CHECK(wasm_ref_as_func(NULL) == NULL);
  CHECK(wasm_ref_as_module_const(NULL) == NULL);

  /* A copied wasm_ref_t keeps its kind: a copy of a function's ref is a
   * function, callable, and the same function. */
  r = wasm_ref_copy(wasm_func_as_ref(func));
  CHECK(r != NULL && wasm_ref_as_func(r) != NULL);
  if (r != NULL && wasm_ref_as_func(r) != NULL) {
    wasm_val_t res[1] = {WASM_I32_VAL(0)};
    CHECK_NO_TRAP(CALL_RESULTS(wasm_ref_as_func(r), res));
    CHECK_INT(res[0].of.i32, 1);
    CHECK(wasm_func_same(wasm_ref_as_func(r), func));
  }
  wasm_ref_delete(r);

out:
  wasm_trap_delete(trap);
  wasm_foreign_delete(foreign);
  wasm_module_delete(module);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  number_values();
  v128_values();
  value_vectors(store);
  reference_values(store);
  ref_functions(store);
  casts(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("values_and_refs");
}
