/* Vectors (bytes, names, vectors of type objects) and the type objects:
 * value, function, global, table, memory, extern, import and export
 * types, with their casts and the header's inline constructors. */
#include "check.h"

static void byte_vectors(void) {
  wasm_byte_vec_t empty, zeros, bytes, copy, name, name_nt, none;
  char* data = malloc(3);

  wasm_byte_vec_new_empty(&empty);
  CHECK_INT(empty.size, 0);
  wasm_byte_vec_delete(&empty);

  wasm_byte_vec_new_uninitialized(&zeros, 5);
  CHECK_INT(zeros.size, 5);
  CHECK(zeros.data != NULL);
  if (zeros.data != NULL) {
    size_t i;
    int all_zero = 1;
    for (i = 0; i < zeros.size; i++) all_zero &= zeros.data[i] == 0;
    CHECK(all_zero);
    zeros.data[4] = 'x'; /* writable */
  }

  /* wasm_byte_vec_new copies the bytes into a vector of its own. */
  memcpy(data, "abc", 3);
  wasm_byte_vec_new(&bytes, 3, data);
  free(data);
  CHECK_MSG(&bytes, "abc");

  wasm_byte_vec_copy(&copy, &bytes);
  CHECK_MSG(&copy, "abc");
  CHECK(copy.data != bytes.data);
  copy.data[0] = 'z';
  CHECK_MSG(&bytes, "abc"); /* a deep copy */

  /* Names: macro aliases and the inline constructors. */
  wasm_name_new_from_string(&name, "hello");
  CHECK_INT(name.size, 5);
  CHECK_MSG(&name, "hello");
  wasm_name_new_from_string_nt(&name_nt, "hello");
  CHECK_INT(name_nt.size, 6);
  CHECK(name_nt.size == 6 && name_nt.data[5] == '\0');

  /* A copy of an empty vector is empty; deleting twice is harmless
   * (delete leaves the vector empty). */
  wasm_name_new_empty(&none);
  wasm_name_copy(&empty, &none);
  CHECK_INT(empty.size, 0);
  wasm_name_delete(&empty);
  wasm_name_delete(&empty);
  CHECK_INT(empty.size, 0);
  CHECK(empty.data == NULL);

  wasm_name_delete(&none);
  wasm_name_delete(&name);
  wasm_name_delete(&name_nt);
  wasm_byte_vec_delete(&copy);
  wasm_byte_vec_delete(&bytes);
  wasm_byte_vec_delete(&zeros);
}

static void value_types(void) {
  static const wasm_valkind_t kinds[] = {WASM_I32, WASM_I64,       WASM_F32,    WASM_F64,
                                         WASM_V128, WASM_EXTERNREF, WASM_FUNCREF};
  size_t i;
  wasm_valtype_t* t;
  wasm_valtype_t* c;

  for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
    t = wasm_valtype_new(kinds[i]);
    CHECK(t != NULL);
    CHECK_INT(wasm_valtype_kind(t), kinds[i]);
    c = wasm_valtype_copy(t);
    CHECK(c != NULL && c != t);
    CHECK_INT(wasm_valtype_kind(c), kinds[i]);
    wasm_valtype_delete(t);
    CHECK_INT(wasm_valtype_kind(c), kinds[i]); /* the copy outlives the original */
    wasm_valtype_delete(c);
  }

  /* Kinds that do not exist. */
  CHECK(wasm_valtype_new(5) == NULL);
  CHECK(wasm_valtype_new(127) == NULL);
  CHECK(wasm_valtype_new(131) == NULL);
  CHECK(wasm_valtype_new(255) == NULL);
  /* craneway.h's exnref kind exists. */
  t = wasm_valtype_new(CRANEWAY_EXNREF);
  CHECK(t != NULL && wasm_valtype_kind(t) == CRANEWAY_EXNREF);
  wasm_valtype_delete(t);

  /* The inline helpers. */
  t = wasm_valtype_new_i32();
  CHECK_INT(wasm_valtype_kind(t), WASM_I32);
  CHECK(wasm_valtype_is_num(t));
  CHECK(!wasm_valtype_is_ref(t));
  wasm_valtype_delete(t);
  t = wasm_valtype_new_i64();
  CHECK_INT(wasm_valtype_kind(t), WASM_I64);
  wasm_valtype_delete(t);
  t = wasm_valtype_new_f32();
  CHECK_INT(wasm_valtype_kind(t), WASM_F32);
  wasm_valtype_delete(t);
  t = wasm_valtype_new_f64();
  CHECK_INT(wasm_valtype_kind(t), WASM_F64);
  wasm_valtype_delete(t);
  t = wasm_valtype_new_externref();
  CHECK_INT(wasm_valtype_kind(t), WASM_EXTERNREF);
  CHECK(wasm_valtype_is_ref(t));
  CHECK(!wasm_valtype_is_num(t));
  wasm_valtype_delete(t);
  t = wasm_valtype_new_funcref();
  CHECK_INT(wasm_valtype_kind(t), WASM_FUNCREF);
  CHECK(wasm_valtype_is_ref(t));
  /* The standard's reference types are nullable and not typed references. */
  CHECK(craneway_valtype_is_nullable(t));
  CHECK(!craneway_valtype_is_typed_ref(t));
  wasm_valtype_delete(t);
  t = wasm_valtype_new_i32();
  CHECK(!craneway_valtype_is_nullable(t));
  CHECK(!craneway_valtype_is_typed_ref(t));
  wasm_valtype_delete(t);
  CHECK(wasm_valkind_is_num(WASM_V128));
  CHECK(wasm_valkind_is_ref(WASM_FUNCREF));
}

static void value_type_vectors(void) {
  wasm_valtype_vec_t empty, nulls, vec, copy;
  wasm_valtype_t* ts[3];

  wasm_valtype_vec_new_empty(&empty);
  CHECK_INT(empty.size, 0);
  wasm_valtype_vec_delete(&empty);

  wasm_valtype_vec_new_uninitialized(&nulls, 3);
  CHECK_INT(nulls.size, 3);
  CHECK(nulls.data != NULL && nulls.data[0] == NULL && nulls.data[2] == NULL);
  /* Elements may be filled in; delete frees them. */
  if (nulls.data != NULL) nulls.data[1] = wasm_valtype_new_f32();
  wasm_valtype_vec_delete(&nulls);

  ts[0] = wasm_valtype_new_i32();
  ts[1] = wasm_valtype_new_funcref();
  ts[2] = wasm_valtype_new(WASM_V128);
  wasm_valtype_vec_new(&vec, 3, ts); /* takes the three types */
  CHECK_INT(vec.size, 3);
  CHECK(vec.data != NULL && vec.data[0] == ts[0] && vec.data[2] == ts[2]);

  wasm_valtype_vec_copy(&copy, &vec);
  CHECK_INT(copy.size, 3);
  if (copy.size == 3) {
    CHECK(copy.data[0] != vec.data[0]); /* deep */
    CHECK_INT(wasm_valtype_kind(copy.data[0]), WASM_I32);
    CHECK_INT(wasm_valtype_kind(copy.data[1]), WASM_FUNCREF);
    CHECK_INT(wasm_valtype_kind(copy.data[2]), WASM_V128);
  }
  wasm_valtype_vec_delete(&vec);
  CHECK_INT(vec.size, 0);
  wasm_valtype_vec_delete(&copy);

  /* A copy of a vector with NULL elements keeps them NULL. */
  wasm_valtype_vec_new_uninitialized(&nulls, 2);
  wasm_valtype_vec_copy(&copy, &nulls);
  CHECK(copy.size == 2 && copy.data[0] == NULL && copy.data[1] == NULL);
  wasm_valtype_vec_delete(&copy);
  wasm_valtype_vec_delete(&nulls);
}

static void function_types(void) {
  wasm_valtype_vec_t params, results, vec, copy;
  wasm_valtype_t* ps[2];
  wasm_valtype_t* rs[1];
  wasm_functype_t* ft;
  wasm_functype_t* fc;
  wasm_functype_t* fts[2];
  const wasm_valtype_vec_t* p;
  const wasm_valtype_vec_t* r;
  wasm_functype_vec_t fvec, fcopy;

  ps[0] = wasm_valtype_new_i32();
  ps[1] = wasm_valtype_new_f64();
  rs[0] = wasm_valtype_new_externref();
  wasm_valtype_vec_new(&params, 2, ps);
  wasm_valtype_vec_new(&results, 1, rs);
  ft = wasm_functype_new(&params, &results);
  CHECK(ft != NULL);
  /* The vectors' contents were moved in. */
  CHECK_INT(params.size, 0);
  CHECK_INT(results.size, 0);
  p = wasm_functype_params(ft);
  r = wasm_functype_results(ft);
  CHECK(p != NULL && p->size == 2);
  CHECK(r != NULL && r->size == 1);
  if (p != NULL && p->size == 2) {
    CHECK_INT(wasm_valtype_kind(p->data[0]), WASM_I32);
    CHECK_INT(wasm_valtype_kind(p->data[1]), WASM_F64);
  }
  if (r != NULL && r->size == 1) CHECK_INT(wasm_valtype_kind(r->data[0]), WASM_EXTERNREF);
  /* Borrowed vectors are stable: the same pointer each time. */
  CHECK(wasm_functype_params(ft) == p);

  fc = wasm_functype_copy(ft);
  CHECK(fc != NULL && fc != ft);
  wasm_functype_delete(ft);
  p = wasm_functype_params(fc);
  CHECK(p != NULL && p->size == 2 && wasm_valtype_kind(p->data[1]) == WASM_F64);
  wasm_functype_delete(fc);

  /* Inline constructors, one of each shape. */
  ft = wasm_functype_new_0_0();
  CHECK(ft != NULL && wasm_functype_params(ft)->size == 0 && wasm_functype_results(ft)->size == 0);
  fts[0] = ft;
  ft = wasm_functype_new_1_0(wasm_valtype_new_i32());
  CHECK(wasm_functype_params(ft)->size == 1 && wasm_functype_results(ft)->size == 0);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i64());
  CHECK(wasm_functype_params(ft)->size == 2);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_3_0(wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_f32());
  CHECK(wasm_functype_params(ft)->size == 3 &&
        wasm_valtype_kind(wasm_functype_params(ft)->data[2]) == WASM_F32);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_0_1(wasm_valtype_new_i64());
  CHECK(wasm_functype_results(ft)->size == 1 &&
        wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_I64);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  CHECK(wasm_functype_params(ft)->size == 1 && wasm_functype_results(ft)->size == 1);
  fts[1] = ft;
  ft = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_f64());
  CHECK(wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 1);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_3_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                             wasm_valtype_new_i32());
  CHECK(wasm_functype_params(ft)->size == 3 && wasm_functype_results(ft)->size == 1);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_0_2(wasm_valtype_new_i32(), wasm_valtype_new_f32());
  CHECK(wasm_functype_params(ft)->size == 0 && wasm_functype_results(ft)->size == 2);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_1_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_f32());
  CHECK(wasm_functype_params(ft)->size == 1 && wasm_functype_results(ft)->size == 2);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_2_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                             wasm_valtype_new_f32());
  CHECK(wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 2);
  wasm_functype_delete(ft);
  ft = wasm_functype_new_3_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                             wasm_valtype_new_i32(), wasm_valtype_new_funcref());
  CHECK(wasm_functype_params(ft)->size == 3 && wasm_functype_results(ft)->size == 2 &&
        wasm_valtype_kind(wasm_functype_results(ft)->data[1]) == WASM_FUNCREF);
  wasm_functype_delete(ft);

  /* Vectors of function types. */
  wasm_functype_vec_new(&fvec, 2, fts);
  CHECK_INT(fvec.size, 2);
  wasm_functype_vec_copy(&fcopy, &fvec);
  CHECK(fcopy.size == 2 && fcopy.data[1] != fvec.data[1] &&
        wasm_functype_params(fcopy.data[1])->size == 1);
  wasm_functype_vec_delete(&fvec);
  wasm_functype_vec_delete(&fcopy);
  wasm_functype_vec_new_empty(&fvec);
  CHECK_INT(fvec.size, 0);
  wasm_functype_vec_delete(&fvec);
  wasm_functype_vec_new_uninitialized(&fvec, 2);
  CHECK(fvec.size == 2 && fvec.data[0] == NULL);
  wasm_functype_vec_delete(&fvec);

  /* A NULL element fails, and the types passed are freed (valgrind checks). */
  ps[0] = wasm_valtype_new_i32();
  ps[1] = NULL;
  wasm_valtype_vec_new(&params, 2, ps);
  wasm_valtype_vec_new_empty(&results);
  CHECK(wasm_functype_new(&params, &results) == NULL);
  wasm_valtype_vec_delete(&params);
  wasm_valtype_vec_delete(&results);

  /* A NULL vector fails too, freeing the other one. */
  ps[0] = wasm_valtype_new_i64();
  wasm_valtype_vec_new(&params, 1, ps);
  CHECK(wasm_functype_new(&params, NULL) == NULL);
  wasm_valtype_vec_delete(&params);
  rs[0] = wasm_valtype_new_i64();
  wasm_valtype_vec_new(&results, 1, rs);
  CHECK(wasm_functype_new(NULL, &results) == NULL);
  wasm_valtype_vec_delete(&results);

  /* Copies of vectors made with the vector functions are independent. */
  ps[0] = wasm_valtype_new_i32();
  wasm_valtype_vec_new(&vec, 1, ps);
  wasm_valtype_vec_copy(&copy, &vec);
  wasm_valtype_vec_new_empty(&results);
  ft = wasm_functype_new(&vec, &results);
  CHECK(ft != NULL && copy.size == 1 && wasm_valtype_kind(copy.data[0]) == WASM_I32);
  wasm_functype_delete(ft);
  wasm_valtype_vec_delete(&copy);
  wasm_valtype_vec_delete(&vec);
  wasm_valtype_vec_delete(&results);
}

static void global_types(void) {
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
  wasm_globaltype_t* gc;
  wasm_globaltype_t* gts[2];
  wasm_globaltype_vec_t vec, copy;

  CHECK(gt != NULL);
  CHECK_INT(wasm_valtype_kind(wasm_globaltype_content(gt)), WASM_F32);
  CHECK_INT(wasm_globaltype_mutability(gt), WASM_VAR);
  gc = wasm_globaltype_copy(gt);
  CHECK(gc != NULL && gc != gt);
  CHECK_INT(wasm_globaltype_mutability(gc), WASM_VAR);
  CHECK_INT(wasm_valtype_kind(wasm_globaltype_content(gc)), WASM_F32);

  gts[0] = gt;
  gts[1] = wasm_globaltype_new(wasm_valtype_new_externref(), WASM_CONST);
  CHECK_INT(wasm_globaltype_mutability(gts[1]), WASM_CONST);
  CHECK_INT(wasm_valtype_kind(wasm_globaltype_content(gts[1])), WASM_EXTERNREF);
  wasm_globaltype_vec_new(&vec, 2, gts);
  wasm_globaltype_vec_copy(&copy, &vec);
  CHECK(copy.size == 2 && wasm_globaltype_mutability(copy.data[1]) == WASM_CONST &&
        copy.data[1] != vec.data[1]);
  wasm_globaltype_vec_delete(&vec);
  wasm_globaltype_vec_delete(&copy);
  wasm_globaltype_vec_new_empty(&vec);
  CHECK_INT(vec.size, 0);
  wasm_globaltype_vec_delete(&vec);
  wasm_globaltype_vec_new_uninitialized(&vec, 1);
  CHECK(vec.size == 1 && vec.data[0] == NULL);
  wasm_globaltype_vec_delete(&vec);
  wasm_globaltype_delete(gc);

  /* A mutability that is neither: NULL, and the content type is freed. */
  CHECK(wasm_globaltype_new(wasm_valtype_new_i32(), 2) == NULL);
  CHECK(wasm_globaltype_new(NULL, WASM_CONST) == NULL);
}

static void table_and_memory_types(void) {
  wasm_limits_t limits = {1, 10};
  wasm_limits_t open = {0, wasm_limits_max_default};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_tabletype_t* tc;
  wasm_tabletype_t* tts[1];
  wasm_tabletype_vec_t tvec, tcopy;
  wasm_memorytype_t* mt;
  wasm_memorytype_t* mc;
  wasm_memorytype_t* mts[1];
  wasm_memorytype_vec_t mvec, mcopy;

  CHECK(tt != NULL);
  limits.min = 99; /* copied: changing ours does not change the type's */
  CHECK(wasm_tabletype_limits(tt) != NULL);
  CHECK_INT(wasm_tabletype_limits(tt)->min, 1);
  CHECK_INT(wasm_tabletype_limits(tt)->max, 10);
  CHECK_INT(wasm_valtype_kind(wasm_tabletype_element(tt)), WASM_FUNCREF);
  tc = wasm_tabletype_copy(tt);
  CHECK(tc != NULL && wasm_tabletype_limits(tc)->max == 10);
  wasm_tabletype_delete(tt);
  tts[0] = tc;
  wasm_tabletype_vec_new(&tvec, 1, tts);
  wasm_tabletype_vec_copy(&tcopy, &tvec);
  CHECK(tcopy.size == 1 && tcopy.data[0] != tc &&
        wasm_valtype_kind(wasm_tabletype_element(tcopy.data[0])) == WASM_FUNCREF);
  wasm_tabletype_vec_delete(&tvec);
  wasm_tabletype_vec_delete(&tcopy);
  wasm_tabletype_vec_new_empty(&tvec);
  CHECK_INT(tvec.size, 0);
  wasm_tabletype_vec_delete(&tvec);
  wasm_tabletype_vec_new_uninitialized(&tvec, 2);
  CHECK(tvec.size == 2 && tvec.data[1] == NULL);
  wasm_tabletype_vec_delete(&tvec);

  tt = wasm_tabletype_new(wasm_valtype_new_externref(), &open);
  CHECK(tt != NULL && wasm_tabletype_limits(tt)->max == wasm_limits_max_default);
  CHECK_INT(wasm_valtype_kind(wasm_tabletype_element(tt)), WASM_EXTERNREF);
  wasm_tabletype_delete(tt);

  /* Elements must be references; the element type is freed on failure. */
  CHECK(wasm_tabletype_new(wasm_valtype_new_i32(), &open) == NULL);
  CHECK(wasm_tabletype_new(wasm_valtype_new(WASM_V128), &open) == NULL);
  CHECK(wasm_tabletype_new(wasm_valtype_new_funcref(), NULL) == NULL);
  CHECK(wasm_tabletype_new(NULL, &open) == NULL);

  limits.min = 2;
  limits.max = 3;
  mt = wasm_memorytype_new(&limits);
  CHECK(mt != NULL);
  limits.max = 77;
  CHECK(wasm_memorytype_limits(mt) != NULL);
  CHECK_INT(wasm_memorytype_limits(mt)->min, 2);
  CHECK_INT(wasm_memorytype_limits(mt)->max, 3);
  mc = wasm_memorytype_copy(mt);
  CHECK(mc != NULL && mc != mt && wasm_memorytype_limits(mc)->min == 2);
  wasm_memorytype_delete(mt);
  mts[0] = mc;
  wasm_memorytype_vec_new(&mvec, 1, mts);
  wasm_memorytype_vec_copy(&mcopy, &mvec);
  CHECK(mcopy.size == 1 && mcopy.data[0] != mc && wasm_memorytype_limits(mcopy.data[0])->max == 3);
  wasm_memorytype_vec_delete(&mvec);
  wasm_memorytype_vec_delete(&mcopy);
  wasm_memorytype_vec_new_empty(&mvec);
  CHECK_INT(mvec.size, 0);
  wasm_memorytype_vec_delete(&mvec);
  wasm_memorytype_vec_new_uninitialized(&mvec, 1);
  CHECK(mvec.size == 1 && mvec.data[0] == NULL);
  wasm_memorytype_vec_delete(&mvec);
  CHECK(wasm_memorytype_new(NULL) == NULL);
}

static void extern_types(void) {
  wasm_limits_t limits = {1, 2};
  wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_i64(), wasm_valtype_new_i64());
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_memorytype_t* mt = wasm_memorytype_new(&limits);
  wasm_externtype_t* fe = wasm_functype_as_externtype(ft);
  wasm_externtype_t* ge = wasm_globaltype_as_externtype(gt);
  wasm_externtype_t* te = wasm_tabletype_as_externtype(tt);
  wasm_externtype_t* me = wasm_memorytype_as_externtype(mt);
  wasm_externtype_t* copy;
  wasm_externtype_t* ets[2];
  wasm_externtype_vec_t vec, vcopy;

  /* The casts give the same object. */
  CHECK(fe != NULL && (void*)fe == (void*)ft);
  CHECK(ge != NULL && (void*)ge == (void*)gt);
  CHECK(te != NULL && (void*)te == (void*)tt);
  CHECK(me != NULL && (void*)me == (void*)mt);
  CHECK((const void*)wasm_functype_as_externtype_const(ft) == (void*)fe);
  CHECK((const void*)wasm_globaltype_as_externtype_const(gt) == (void*)ge);
  CHECK((const void*)wasm_tabletype_as_externtype_const(tt) == (void*)te);
  CHECK((const void*)wasm_memorytype_as_externtype_const(mt) == (void*)me);

  CHECK_INT(wasm_externtype_kind(fe), WASM_EXTERN_FUNC);
  CHECK_INT(wasm_externtype_kind(ge), WASM_EXTERN_GLOBAL);
  CHECK_INT(wasm_externtype_kind(te), WASM_EXTERN_TABLE);
  CHECK_INT(wasm_externtype_kind(me), WASM_EXTERN_MEMORY);

  /* Back: the same object for the right kind, NULL for another. */
  CHECK(wasm_externtype_as_functype(fe) == ft);
  CHECK(wasm_externtype_as_globaltype(ge) == gt);
  CHECK(wasm_externtype_as_tabletype(te) == tt);
  CHECK(wasm_externtype_as_memorytype(me) == mt);
  CHECK(wasm_externtype_as_functype_const(fe) == ft);
  CHECK(wasm_externtype_as_globaltype_const(ge) == gt);
  CHECK(wasm_externtype_as_tabletype_const(te) == tt);
  CHECK(wasm_externtype_as_memorytype_const(me) == mt);
  CHECK(wasm_externtype_as_functype(ge) == NULL);
  CHECK(wasm_externtype_as_globaltype(te) == NULL);
  CHECK(wasm_externtype_as_tabletype(me) == NULL);
  CHECK(wasm_externtype_as_memorytype(fe) == NULL);
  CHECK(wasm_externtype_as_functype_const(me) == NULL);
  CHECK(wasm_externtype_as_globaltype_const(fe) == NULL);
  CHECK(wasm_externtype_as_tabletype_const(ge) == NULL);
  CHECK(wasm_externtype_as_memorytype_const(te) == NULL);

  /* A copy of an extern type keeps its kind and contents. */
  copy = wasm_externtype_copy(fe);
  CHECK(copy != NULL && copy != fe);
  CHECK_INT(wasm_externtype_kind(copy), WASM_EXTERN_FUNC);
  CHECK(wasm_externtype_as_functype(copy) != NULL &&
        wasm_functype_results(wasm_externtype_as_functype(copy))->size == 1);
  ets[0] = copy;
  ets[1] = wasm_externtype_copy(me);
  wasm_externtype_vec_new(&vec, 2, ets);
  wasm_externtype_vec_copy(&vcopy, &vec);
  CHECK(vcopy.size == 2 && vcopy.data[1] != vec.data[1] &&
        wasm_externtype_kind(vcopy.data[1]) == WASM_EXTERN_MEMORY &&
        wasm_memorytype_limits(wasm_externtype_as_memorytype(vcopy.data[1]))->max == 2);
  wasm_externtype_vec_delete(&vec);
  wasm_externtype_vec_delete(&vcopy);
  wasm_externtype_vec_new_empty(&vec);
  CHECK_INT(vec.size, 0);
  wasm_externtype_vec_delete(&vec);
  wasm_externtype_vec_new_uninitialized(&vec, 3);
  CHECK(vec.size == 3 && vec.data[2] == NULL);
  wasm_externtype_vec_delete(&vec);

  /* An extern type is deleted by either delete function. */
  wasm_externtype_delete(fe);
  wasm_externtype_delete(ge);
  wasm_tabletype_delete(tt);
  wasm_memorytype_delete(mt);
}

static void import_and_export_types(void) {
  wasm_name_t module, name, ename;
  wasm_importtype_t* it;
  wasm_importtype_t* ic;
  wasm_importtype_t* its[1];
  wasm_importtype_vec_t ivec, icopy;
  wasm_exporttype_t* et;
  wasm_exporttype_t* ec;
  wasm_exporttype_t* ets[1];
  wasm_exporttype_vec_t evec, ecopy;
  wasm_globaltype_t* gt;
  wasm_limits_t limits = {0, 1};

  wasm_name_new_from_string(&module, "env");
  wasm_name_new_from_string(&name, "counter");
  gt = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  it = wasm_importtype_new(&module, &name, wasm_globaltype_as_externtype(gt));
  CHECK(it != NULL);
  /* The names' contents were moved in. */
  CHECK_INT(module.size, 0);
  CHECK_INT(name.size, 0);
  CHECK_MSG(wasm_importtype_module(it), "env");
  CHECK_MSG(wasm_importtype_name(it), "counter");
  CHECK_INT(wasm_externtype_kind(wasm_importtype_type(it)), WASM_EXTERN_GLOBAL);
  CHECK_INT(wasm_globaltype_mutability(
                wasm_externtype_as_globaltype_const(wasm_importtype_type(it))),
            WASM_VAR);
  ic = wasm_importtype_copy(it);
  CHECK(ic != NULL && ic != it);
  wasm_importtype_delete(it);
  CHECK_MSG(wasm_importtype_module(ic), "env");
  CHECK_MSG(wasm_importtype_name(ic), "counter");
  its[0] = ic;
  wasm_importtype_vec_new(&ivec, 1, its);
  wasm_importtype_vec_copy(&icopy, &ivec);
  CHECK(icopy.size == 1 && icopy.data[0] != ic);
  if (icopy.size == 1) CHECK_MSG(wasm_importtype_name(icopy.data[0]), "counter");
  wasm_importtype_vec_delete(&ivec);
  wasm_importtype_vec_delete(&icopy);
  wasm_importtype_vec_new_empty(&ivec);
  CHECK_INT(ivec.size, 0);
  wasm_importtype_vec_delete(&ivec);
  wasm_importtype_vec_new_uninitialized(&ivec, 1);
  CHECK(ivec.size == 1 && ivec.data[0] == NULL);
  wasm_importtype_vec_delete(&ivec);

  /* Missing parts: NULL, and what was passed is freed. */
  wasm_name_new_from_string(&module, "m");
  CHECK(wasm_importtype_new(&module, NULL, NULL) == NULL);
  wasm_name_delete(&module);
  wasm_name_new_from_string(&module, "m");
  wasm_name_new_from_string(&name, "n");
  CHECK(wasm_importtype_new(&module, &name, NULL) == NULL);
  wasm_name_delete(&module);
  wasm_name_delete(&name);
  wasm_name_new_from_string(&name, "n");
  CHECK(wasm_importtype_new(NULL, &name,
                            wasm_memorytype_as_externtype(wasm_memorytype_new(&limits))) == NULL);
  wasm_name_delete(&name);

  wasm_name_new_from_string(&ename, "mem");
  et = wasm_exporttype_new(&ename, wasm_memorytype_as_externtype(wasm_memorytype_new(&limits)));
  CHECK(et != NULL);
  CHECK_INT(ename.size, 0);
  CHECK_MSG(wasm_exporttype_name(et), "mem");
  CHECK_INT(wasm_externtype_kind(wasm_exporttype_type(et)), WASM_EXTERN_MEMORY);
  ec = wasm_exporttype_copy(et);
  CHECK(ec != NULL && ec != et);
  wasm_exporttype_delete(et);
  CHECK_MSG(wasm_exporttype_name(ec), "mem");
  CHECK_INT(wasm_memorytype_limits(wasm_externtype_as_memorytype_const(wasm_exporttype_type(ec)))->max, 1);
  ets[0] = ec;
  wasm_exporttype_vec_new(&evec, 1, ets);
  wasm_exporttype_vec_copy(&ecopy, &evec);
  CHECK(ecopy.size == 1 && ecopy.data[0] != ec);
  if (ecopy.size == 1) CHECK_MSG(wasm_exporttype_name(ecopy.data[0]), "mem");
  wasm_exporttype_vec_delete(&evec);
  wasm_exporttype_vec_delete(&ecopy);
  wasm_exporttype_vec_new_empty(&evec);
  CHECK_INT(evec.size, 0);
  wasm_exporttype_vec_delete(&evec);
  wasm_exporttype_vec_new_uninitialized(&evec, 2);
  CHECK(evec.size == 2 && evec.data[0] == NULL);
  wasm_exporttype_vec_delete(&evec);

  wasm_name_new_from_string(&ename, "x");
  CHECK(wasm_exporttype_new(&ename, NULL) == NULL);
  wasm_name_delete(&ename);
  CHECK(wasm_exporttype_new(NULL, wasm_functype_as_externtype(wasm_functype_new_0_0())) == NULL);
}

/* The types a module reports for its imports and exports. */
static void module_types(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = COMPILE(store,
      "(module"
      "  (import \"host\" \"f\" (func (param i32 i64) (result f32)))"
      "  (import \"host\" \"g\" (global (mut f64)))"
      "  (import \"host\" \"t\" (table 2 8 externref))"
      "  (import \"host\" \"m\" (memory 1))"
      "  (func (export \"v\") (param v128) (result v128) local.get 0)"
      "  (global (export \"c\") i32 (i32.const 7))"
      "  (table (export \"tab\") 3 funcref)"
      "  (export \"mem\" (memory 0)))");
  wasm_importtype_vec_t imports;
  wasm_exporttype_vec_t exports;
  const wasm_functype_t* ft;
  const wasm_tabletype_t* tt;
  const wasm_memorytype_t* mt;

  if (module == NULL) goto out;
  wasm_module_imports(module, &imports);
  CHECK_INT(imports.size, 4);
  if (imports.size == 4) {
    CHECK_MSG(wasm_importtype_module(imports.data[0]), "host");
    CHECK_MSG(wasm_importtype_name(imports.data[0]), "f");
    ft = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
    CHECK(ft != NULL);
    if (ft != NULL) {
      CHECK_INT(wasm_functype_params(ft)->size, 2);
      CHECK_INT(wasm_valtype_kind(wasm_functype_params(ft)->data[1]), WASM_I64);
      CHECK_INT(wasm_valtype_kind(wasm_functype_results(ft)->data[0]), WASM_F32);
    }
    CHECK_MSG(wasm_importtype_name(imports.data[1]), "g");
    CHECK_INT(wasm_globaltype_mutability(
                  wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[1]))),
              WASM_VAR);
    tt = wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[2]));
    CHECK(tt != NULL && wasm_tabletype_limits(tt)->min == 2 && wasm_tabletype_limits(tt)->max == 8 &&
          wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_EXTERNREF);
    mt = wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[3]));
    CHECK(mt != NULL && wasm_memorytype_limits(mt)->min == 1 &&
          wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
  }
  wasm_importtype_vec_delete(&imports);

  wasm_module_exports(module, &exports);
  CHECK_INT(exports.size, 4);
  if (exports.size == 4) {
    CHECK_MSG(wasm_exporttype_name(exports.data[0]), "v");
    ft = wasm_externtype_as_functype_const(wasm_exporttype_type(exports.data[0]));
    CHECK(ft != NULL && wasm_valtype_kind(wasm_functype_params(ft)->data[0]) == WASM_V128 &&
          wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_V128);
    CHECK_MSG(wasm_exporttype_name(exports.data[1]), "c");
    CHECK_INT(wasm_externtype_kind(wasm_exporttype_type(exports.data[1])), WASM_EXTERN_GLOBAL);
    CHECK_INT(wasm_globaltype_mutability(
                  wasm_externtype_as_globaltype_const(wasm_exporttype_type(exports.data[1]))),
              WASM_CONST);
    CHECK_MSG(wasm_exporttype_name(exports.data[2]), "tab");
    tt = wasm_externtype_as_tabletype_const(wasm_exporttype_type(exports.data[2]));
    CHECK(tt != NULL && wasm_tabletype_limits(tt)->min == 3 &&
          wasm_tabletype_limits(tt)->max == wasm_limits_max_default &&
          wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
    CHECK_MSG(wasm_exporttype_name(exports.data[3]), "mem");
    mt = wasm_externtype_as_memorytype_const(wasm_exporttype_type(exports.data[3]));
    CHECK(mt != NULL && wasm_memorytype_limits(mt)->min == 1 &&
          wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
  }
  wasm_exporttype_vec_delete(&exports);
  wasm_module_delete(module);
out:
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

/* The type accessors accept NULL (documented: NULL, 0 or nothing). */
static void null_types(void) {
  wasm_valtype_vec_t vec;
  CHECK_INT(wasm_valtype_kind(NULL), 0);
  CHECK_INT(wasm_externtype_kind(NULL), 0);
  CHECK(wasm_functype_params(NULL) == NULL);
  CHECK(wasm_functype_results(NULL) == NULL);
  CHECK(wasm_globaltype_content(NULL) == NULL);
  CHECK_INT(wasm_globaltype_mutability(NULL), 0);
  CHECK(wasm_tabletype_element(NULL) == NULL);
  CHECK(wasm_tabletype_limits(NULL) == NULL);
  CHECK(wasm_memorytype_limits(NULL) == NULL);
  CHECK(wasm_importtype_module(NULL) == NULL);
  CHECK(wasm_importtype_name(NULL) == NULL);
  CHECK(wasm_importtype_type(NULL) == NULL);
  CHECK(wasm_exporttype_name(NULL) == NULL);
  CHECK(wasm_exporttype_type(NULL) == NULL);
  CHECK(wasm_valtype_copy(NULL) == NULL);
  CHECK(wasm_functype_copy(NULL) == NULL);
  CHECK(wasm_globaltype_copy(NULL) == NULL);
  CHECK(wasm_tabletype_copy(NULL) == NULL);
  CHECK(wasm_memorytype_copy(NULL) == NULL);
  CHECK(wasm_externtype_copy(NULL) == NULL);
  CHECK(wasm_importtype_copy(NULL) == NULL);
  CHECK(wasm_exporttype_copy(NULL) == NULL);
  CHECK(wasm_functype_as_externtype(NULL) == NULL);
  CHECK(wasm_externtype_as_functype(NULL) == NULL);
  CHECK(wasm_externtype_as_memorytype_const(NULL) == NULL);
  /* Deleting NULL does nothing. */
  wasm_valtype_delete(NULL);
  wasm_functype_delete(NULL);
  wasm_globaltype_delete(NULL);
  wasm_tabletype_delete(NULL);
  wasm_memorytype_delete(NULL);
  wasm_externtype_delete(NULL);
  wasm_importtype_delete(NULL);
  wasm_exporttype_delete(NULL);
  wasm_valtype_vec_delete(NULL);
  wasm_byte_vec_delete(NULL);
  /* A copy of a NULL vector is empty. */
  wasm_valtype_vec_copy(&vec, NULL);
  CHECK_INT(vec.size, 0);
  wasm_valtype_vec_delete(&vec);
}

int main(void) {
  byte_vectors();
  value_types();
  value_type_vectors();
  function_types();
  global_types();
  table_and_memory_types();
  extern_types();
  import_and_export_types();
  module_types();
  null_types();
  return check_done("vectors_and_types");
}
