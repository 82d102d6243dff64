/* Modules (compile, validate, errors, identity) and instances (imports,
 * link errors, start traps, exports), with externals and their casts. */
#include "check.h"

static wasm_engine_t* engine;
static wasm_store_t* store;

static wasm_trap_t* answer_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = 42;
  return NULL;
}

static void compile_and_validate(void) {
  wasm_byte_vec_t binary, garbage, error;
  wasm_module_t* module;
  wasm_module_t* copy;
  wasm_module_t* other;
  static const char bad_magic[] = "\0asn\1\0\0\0";
  /* Valid encoding, invalid module: i32.add of an i32 and an i64. */
  static const char* const invalid_wat =
      "(module (func (result i32) i32.const 1 i64.const 2 i32.add))";

  WAT_TO_BINARY("(module (func (export \"f\")))", &binary);
  CHECK(wasm_module_validate(store, &binary));
  module = wasm_module_new(store, &binary);
  CHECK(module != NULL);

  /* Success: craneway_module_new_with_error writes an empty message. */
  error.size = 99;
  other = craneway_module_new_with_error(store, &binary, &error);
  CHECK(other != NULL);
  CHECK_INT(error.size, 0);
  wasm_byte_vec_delete(&error);
  /* error may be NULL. */
  wasm_module_delete(craneway_module_new_with_error(store, &binary, NULL));

  /* Identity: a copy is the same module, another compilation is not. */
  copy = wasm_module_copy(module);
  CHECK(copy != NULL && copy != module);
  CHECK(wasm_module_same(module, copy));
  CHECK(!wasm_module_same(module, other));
  wasm_module_delete(copy);
  wasm_module_delete(other);
  wasm_module_delete(module);
  wasm_byte_vec_delete(&binary);

  /* Bytes that are not a module. */
  wasm_byte_vec_new(&garbage, sizeof(bad_magic) - 1, bad_magic);
  CHECK(!wasm_module_validate(store, &garbage));
  CHECK(wasm_module_new(store, &garbage) == NULL);
  CHECK(craneway_module_new_with_error(store, &garbage, &error) == NULL);
  CHECK(error.size > 1 && error.data[error.size - 1] == '\0');
  if (error.size > 1) CHECK(strstr(error.data, "magic") != NULL);
  wasm_byte_vec_delete(&error);
  /* With error NULL: no module, and nothing allocated for the message
   * (valgrind's leak check sees it). */
  CHECK(craneway_module_new_with_error(store, &garbage, NULL) == NULL);
  wasm_byte_vec_delete(&garbage);

  /* An empty byte vector. */
  wasm_byte_vec_new_empty(&garbage);
  CHECK(!wasm_module_validate(store, &garbage));
  CHECK(wasm_module_new(store, &garbage) == NULL);
  CHECK(craneway_module_new_with_error(store, &garbage, &error) == NULL);
  CHECK(error.size > 1 && error.data[error.size - 1] == '\0');
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&garbage);

  /* A truncated module. */
  WAT_TO_BINARY("(module (func (export \"f\") (result i32) i32.const 7))", &binary);
  binary.size -= 3;
  CHECK(!wasm_module_validate(store, &binary));
  CHECK(wasm_module_new(store, &binary) == NULL);
  binary.size += 3;
  wasm_byte_vec_delete(&binary);

  /* Well-formed but invalid: the message is the validator's. */
  WAT_TO_BINARY(invalid_wat, &binary);
  CHECK(!wasm_module_validate(store, &binary));
  CHECK(wasm_module_new(store, &binary) == NULL);
  CHECK(craneway_module_new_with_error(store, &binary, &error) == NULL);
  CHECK(error.size > 1 && error.data[error.size - 1] == '\0');
  if (error.size > 1) CHECK(strstr(error.data, "type mismatch") != NULL);
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&binary);

  /* Text that does not parse: craneway_wat2wasm says why. */
  {
    static const char* const text = "(module (func (export \"f\") i32.const))";
    CHECK(!craneway_wat2wasm(text, strlen(text), &error));
    CHECK(error.size > 1 && error.data[error.size - 1] == '\0');
    wasm_byte_vec_delete(&error);
  }
  /* The text need not be null-terminated: only `len` bytes are read. */
  {
    static const char text[] = "(module)garbage";
    CHECK(craneway_wat2wasm(text, 8, &binary));
    CHECK(binary.size == 8 && memcmp(binary.data, "\0asm", 4) == 0);
    wasm_byte_vec_delete(&binary);
  }
}

static void imports_and_exports(void) {
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* answer = wasm_func_new(store, ft, answer_cb);
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t gv = WASM_I64_VAL(5);
  wasm_global_t* counter = wasm_global_new(store, gt, &gv);
  wasm_limits_t tl = {2, 10};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &tl);
  wasm_table_t* table = wasm_table_new(store, tt, NULL);
  wasm_limits_t ml = {1, 3};
  wasm_memorytype_t* mt = wasm_memorytype_new(&ml);
  wasm_memory_t* memory = wasm_memory_new(store, mt);
  wasm_module_t* module = COMPILE(store,
      "(module"
      "  (import \"env\" \"answer\" (func $answer (result i32)))"
      "  (import \"env\" \"counter\" (global $c (mut i64)))"
      "  (import \"env\" \"table\" (table 2 funcref))"
      "  (import \"env\" \"memory\" (memory 1))"
      "  (func (export \"plus_one\") (result i32) call $answer i32.const 1 i32.add)"
      "  (func (export \"bump\") (result i64)"
      "    global.get $c i64.const 1 i64.add global.set $c global.get $c)"
      "  (func (export \"load\") (result i32) i32.const 0 i32.load8_u)"
      "  (export \"answer_again\" (func $answer))"
      "  (export \"plus_one_again\" (func 1))"
      "  (export \"counter\" (global $c))"
      "  (export \"table\" (table 0))"
      "  (export \"memory\" (memory 0))"
      "  (data (i32.const 0) \"\\2a\"))");
  wasm_extern_t* imports[4];
  wasm_extern_vec_t exports, copy, empty;
  wasm_instance_t* instance;
  wasm_instance_t* icopy;
  wasm_extern_t* e;
  wasm_externtype_t* et;
  wasm_val_t r[1];
  size_t i;

  imports[0] = wasm_func_as_extern(answer);
  imports[1] = wasm_global_as_extern(counter);
  imports[2] = wasm_table_as_extern(table);
  imports[3] = wasm_memory_as_extern(memory);
  instance = INSTANTIATE(store, module, imports, 4);
  if (instance == NULL) goto out;
  wasm_instance_exports(instance, &exports);
  CHECK_INT(exports.size, 8);
  if (exports.size != 8) goto out_exports;

  /* Export order and kinds. */
  CHECK_INT(wasm_extern_kind(exports.data[0]), WASM_EXTERN_FUNC);
  CHECK_INT(wasm_extern_kind(exports.data[1]), WASM_EXTERN_FUNC);
  CHECK_INT(wasm_extern_kind(exports.data[2]), WASM_EXTERN_FUNC);
  CHECK_INT(wasm_extern_kind(exports.data[3]), WASM_EXTERN_FUNC);
  CHECK_INT(wasm_extern_kind(exports.data[4]), WASM_EXTERN_FUNC);
  CHECK_INT(wasm_extern_kind(exports.data[5]), WASM_EXTERN_GLOBAL);
  CHECK_INT(wasm_extern_kind(exports.data[6]), WASM_EXTERN_TABLE);
  CHECK_INT(wasm_extern_kind(exports.data[7]), WASM_EXTERN_MEMORY);

  /* The imports are used. */
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 0), r));
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 43);
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 1), r));
  CHECK(r[0].kind == WASM_I64 && r[0].of.i64 == 6);
  wasm_global_get(counter, &gv);
  CHECK_INT(gv.of.i64, 6); /* the host sees wasm's write */
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 2), r));
  CHECK_INT(r[0].of.i32, 42);
  CHECK_INT(((unsigned char*)wasm_memory_data(memory))[0], 42); /* the data segment */

  /* Re-exported imports are the same objects. */
  CHECK(wasm_func_same(export_func(&exports, 3), answer));
  CHECK(wasm_global_same(export_global(&exports, 5), counter));
  CHECK(wasm_table_same(export_table(&exports, 6), table));
  CHECK(wasm_memory_same(export_memory(&exports, 7), memory));
  /* Two exports of one function are the same function; others are not. */
  CHECK(wasm_extern_same(exports.data[0], exports.data[4]));
  CHECK(!wasm_extern_same(exports.data[0], exports.data[1]));
  CHECK(!wasm_func_same(export_func(&exports, 0), export_func(&exports, 1)));

  /* Extern types. */
  et = wasm_extern_type(exports.data[0]);
  CHECK(et != NULL && wasm_externtype_kind(et) == WASM_EXTERN_FUNC);
  CHECK(et != NULL && wasm_functype_results(wasm_externtype_as_functype(et))->size == 1);
  wasm_externtype_delete(et);
  et = wasm_extern_type(exports.data[5]);
  CHECK(et != NULL && wasm_externtype_kind(et) == WASM_EXTERN_GLOBAL &&
        wasm_globaltype_mutability(wasm_externtype_as_globaltype(et)) == WASM_VAR &&
        wasm_valtype_kind(wasm_globaltype_content(wasm_externtype_as_globaltype(et))) == WASM_I64);
  wasm_externtype_delete(et);
  et = wasm_extern_type(exports.data[6]);
  CHECK(et != NULL && wasm_externtype_kind(et) == WASM_EXTERN_TABLE &&
        wasm_tabletype_limits(wasm_externtype_as_tabletype(et))->min == 2 &&
        wasm_tabletype_limits(wasm_externtype_as_tabletype(et))->max == 10);
  wasm_externtype_delete(et);
  et = wasm_extern_type(exports.data[7]);
  CHECK(et != NULL && wasm_externtype_kind(et) == WASM_EXTERN_MEMORY &&
        wasm_memorytype_limits(wasm_externtype_as_memorytype(et))->max == 3);
  wasm_externtype_delete(et);

  /* Casts between externals and their kinds: the same object, or NULL. */
  e = exports.data[0];
  CHECK(wasm_extern_as_func(e) != NULL);
  CHECK(wasm_func_as_extern(wasm_extern_as_func(e)) == e);
  CHECK(wasm_extern_as_func_const(e) == wasm_extern_as_func(e));
  CHECK(wasm_func_as_extern_const(wasm_extern_as_func_const(e)) == e);
  CHECK(wasm_extern_as_global(e) == NULL);
  CHECK(wasm_extern_as_table_const(e) == NULL);
  e = exports.data[5];
  CHECK(wasm_extern_as_global(e) != NULL);
  CHECK(wasm_global_as_extern(wasm_extern_as_global(e)) == e);
  CHECK(wasm_extern_as_global_const(e) == wasm_extern_as_global(e));
  CHECK(wasm_global_as_extern_const(wasm_extern_as_global_const(e)) == e);
  CHECK(wasm_extern_as_memory(e) == NULL);
  CHECK(wasm_extern_as_func_const(e) == NULL);
  e = exports.data[6];
  CHECK(wasm_extern_as_table(e) != NULL);
  CHECK(wasm_table_as_extern(wasm_extern_as_table(e)) == e);
  CHECK(wasm_extern_as_table_const(e) == wasm_extern_as_table(e));
  CHECK(wasm_table_as_extern_const(wasm_extern_as_table_const(e)) == e);
  CHECK(wasm_extern_as_func(e) == NULL);
  CHECK(wasm_extern_as_memory_const(e) == NULL);
  e = exports.data[7];
  CHECK(wasm_extern_as_memory(e) != NULL);
  CHECK(wasm_memory_as_extern(wasm_extern_as_memory(e)) == e);
  CHECK(wasm_extern_as_memory_const(e) == wasm_extern_as_memory(e));
  CHECK(wasm_memory_as_extern_const(wasm_extern_as_memory_const(e)) == e);
  CHECK(wasm_extern_as_table(e) == NULL);
  CHECK(wasm_extern_as_global_const(e) == NULL);
  CHECK(wasm_extern_as_func(NULL) == NULL);
  CHECK(wasm_func_as_extern(NULL) == NULL);
  CHECK(wasm_memory_as_extern_const(NULL) == NULL);

  /* Extern copies and vectors. */
  e = wasm_extern_copy(exports.data[7]);
  CHECK(e != NULL && e != exports.data[7]);
  CHECK(wasm_extern_same(e, exports.data[7]));
  CHECK(wasm_memory_same(wasm_extern_as_memory(e), memory));
  wasm_extern_delete(e);
  wasm_extern_vec_copy(&copy, &exports);
  CHECK_INT(copy.size, exports.size);
  for (i = 0; i < copy.size && i < exports.size; i++) {
    CHECK(copy.data[i] != exports.data[i] && wasm_extern_same(copy.data[i], exports.data[i]));
  }
  wasm_extern_vec_delete(&copy);
  wasm_extern_vec_new_empty(&empty);
  CHECK_INT(empty.size, 0);
  wasm_extern_vec_delete(&empty);
  wasm_extern_vec_new_uninitialized(&empty, 2);
  CHECK(empty.size == 2 && empty.data[0] == NULL && empty.data[1] == NULL);
  wasm_extern_vec_delete(&empty);
  {
    wasm_extern_t* two[2];
    two[0] = wasm_extern_copy(exports.data[0]);
    two[1] = wasm_extern_copy(exports.data[5]);
    wasm_extern_vec_new(&copy, 2, two);
    CHECK(copy.size == 2 && copy.data[1] == two[1]);
    wasm_extern_vec_delete(&copy);
  }

  /* Instance identity. */
  icopy = wasm_instance_copy(instance);
  CHECK(icopy != NULL && icopy != instance && wasm_instance_same(icopy, instance));
  wasm_instance_delete(icopy);

  /* Exports outlive the instance handle. */
  wasm_instance_delete(instance);
  instance = NULL;
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 0), r));
  CHECK_INT(r[0].of.i32, 43);

out_exports:
  wasm_extern_vec_delete(&exports);
out:
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(answer);
  wasm_global_delete(counter);
  wasm_table_delete(table);
  wasm_memory_delete(memory);
  wasm_functype_delete(ft);
  wasm_globaltype_delete(gt);
  wasm_tabletype_delete(tt);
  wasm_memorytype_delete(mt);
}

/* Two instances of one module have their own state. */
static void separate_instances(void) {
  wasm_module_t* module = COMPILE(store,
      "(module (global $g (mut i32) (i32.const 0))"
      "  (func (export \"next\") (result i32)"
      "    global.get $g i32.const 1 i32.add global.set $g global.get $g))");
  wasm_instance_t* a = INSTANTIATE(store, module, NULL, 0);
  wasm_instance_t* b = INSTANTIATE(store, module, NULL, 0);
  wasm_extern_vec_t ea, eb;
  wasm_val_t r[1];

  if (a == NULL || b == NULL) goto out;
  CHECK(!wasm_instance_same(a, b));
  wasm_instance_exports(a, &ea);
  wasm_instance_exports(b, &eb);
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&ea, 0), r));
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&ea, 0), r));
  CHECK_INT(r[0].of.i32, 2);
  CHECK_NO_TRAP(CALL_RESULTS(export_func(&eb, 0), r));
  CHECK_INT(r[0].of.i32, 1);
  CHECK(!wasm_extern_same(ea.data[0], eb.data[0]));
  wasm_extern_vec_delete(&ea);
  wasm_extern_vec_delete(&eb);
out:
  wasm_instance_delete(a);
  wasm_instance_delete(b);
  wasm_module_delete(module);
}

/* A module compiles once and instantiates in any store of its engine. */
static void module_in_two_stores(void) {
  wasm_store_t* other = wasm_store_new(engine);
  wasm_module_t* module = COMPILE(store, "(module (func (export \"f\") (result i32) i32.const 9))");
  wasm_instance_t* instance = INSTANTIATE(other, module, NULL, 0);
  wasm_extern_vec_t exports;
  wasm_val_t r[1];
  if (instance != NULL) {
    wasm_instance_exports(instance, &exports);
    CHECK_NO_TRAP(CALL_RESULTS(export_func(&exports, 0), r));
    CHECK_INT(r[0].of.i32, 9);
    wasm_extern_vec_delete(&exports);
  }
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(other);
}

static void link_errors(void) {
  wasm_module_t* module = COMPILE(store,
      "(module (import \"env\" \"f\" (func (param i32))))");
  wasm_functype_t* right = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_functype_t* wrong = wasm_functype_new_1_0(wasm_valtype_new_i64());
  wasm_func_t* fwrong = wasm_func_new(store, wrong, answer_cb);
  wasm_store_t* other = wasm_store_new(engine);
  wasm_func_t* foreign_store = wasm_func_new(other, right, answer_cb);
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t gv = WASM_I32_VAL(1);
  wasm_global_t* global = wasm_global_new(store, gt, &gv);
  wasm_extern_t* imports[2];
  wasm_extern_vec_t vec;
  wasm_trap_t* trap;

  if (module == NULL) goto out;

  /* No imports for a module that needs one. */
  trap = NULL;
  CHECK(wasm_instance_new(store, module, NULL, &trap) == NULL);
  CHECK_TRAP(trap, "module expects 1 imports, 0 were given");
  vec.size = 0;
  vec.data = NULL;
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &vec, &trap) == NULL);
  CHECK_TRAP(trap, "expects 1 imports");

  /* Too many. */
  imports[0] = wasm_func_as_extern(fwrong);
  imports[1] = wasm_func_as_extern(fwrong);
  vec.size = 2;
  vec.data = imports;
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &vec, &trap) == NULL);
  CHECK_TRAP(trap, "module expects 1 imports, 2 were given");

  /* A function of the wrong type. */
  vec.size = 1;
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &vec, &trap) == NULL);
  CHECK_TRAP(trap, "incompatible import type for `env::f`");

  /* A global where a function is expected. */
  imports[0] = wasm_global_as_extern(global);
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &vec, &trap) == NULL);
  CHECK_TRAP(trap, "incompatible import type");

  /* A NULL import. */
  imports[0] = NULL;
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &vec, &trap) == NULL);
  CHECK_TRAP(trap, "import 0 is NULL");

  /* An import from another store. */
  imports[0] = wasm_func_as_extern(foreign_store);
  trap = NULL;
  CHECK(wasm_instance_new(store, module, &vec, &trap) == NULL);
  CHECK_TRAP(trap, "another store");

  /* A NULL trap pointer: still NULL, no crash. */
  CHECK(wasm_instance_new(store, module, NULL, NULL) == NULL);

  /* A store of another engine. */
  {
    wasm_engine_t* e2 = wasm_engine_new();
    wasm_store_t* s2 = wasm_store_new(e2);
    wasm_module_t* plain = COMPILE(store, "(module)");
    trap = NULL;
    CHECK(wasm_instance_new(s2, plain, NULL, &trap) == NULL);
    CHECK_TRAP(trap, "different engines");
    wasm_module_delete(plain);
    wasm_store_delete(s2);
    wasm_engine_delete(e2);
  }
out:
  wasm_module_delete(module);
  wasm_func_delete(fwrong);
  wasm_func_delete(foreign_store);
  wasm_global_delete(global);
  wasm_globaltype_delete(gt);
  wasm_functype_delete(right);
  wasm_functype_delete(wrong);
  wasm_store_delete(other);
}

static void instantiation_traps(void) {
  wasm_module_t* start = COMPILE(store,
      "(module (func $s unreachable) (start $s))");
  wasm_module_t* data = COMPILE(store,
      "(module (memory 1) (data (i32.const 65535) \"ab\"))");
  wasm_module_t* elem = COMPILE(store,
      "(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))");
  wasm_module_t* ok = COMPILE(store,
      "(module (global $g (export \"g\") (mut i32) (i32.const 0))"
      "  (func $s i32.const 5 global.set $g) (start $s))");
  wasm_trap_t* trap;
  wasm_instance_t* instance;

  trap = NULL;
  CHECK(wasm_instance_new(store, start, NULL, &trap) == NULL);
  CHECK_TRAP(trap, "unreachable");
  trap = NULL;
  CHECK(wasm_instance_new(store, data, NULL, &trap) == NULL);
  CHECK_TRAP(trap, "out of bounds memory access");
  trap = NULL;
  CHECK(wasm_instance_new(store, elem, NULL, &trap) == NULL);
  CHECK_TRAP(trap, "out of bounds table access");

  /* Success sets *trap to NULL, and the start function has run. */
  trap = (wasm_trap_t*)1;
  instance = wasm_instance_new(store, ok, NULL, &trap);
  CHECK(instance != NULL);
  CHECK(trap == NULL);
  if (instance != NULL) {
    wasm_extern_vec_t exports;
    wasm_val_t v;
    wasm_instance_exports(instance, &exports);
    wasm_global_get(export_global(&exports, 0), &v);
    CHECK(v.kind == WASM_I32 && v.of.i32 == 5);
    wasm_extern_vec_delete(&exports);
  }
  wasm_instance_delete(instance);
  wasm_module_delete(start);
  wasm_module_delete(data);
  wasm_module_delete(elem);
  wasm_module_delete(ok);
}

int main(void) {
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  CHECK(engine != NULL);
  CHECK(store != NULL);
  compile_and_validate();
  imports_and_exports();
  separate_instances();
  module_in_two_stores();
  link_errors();
  instantiation_traps();
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return check_done("modules_and_instances");
}
