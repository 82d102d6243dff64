// Tables: creation, growth, checked get/set of Vals, typed tables of
// funcref and externref, and tables shared with wasm.

#include <craneway.hh>

#include <string>

#include "check.hh"

using namespace craneway;

TEST(table_create_grow_get_set) {
  Engine engine;
  Store store(engine);
  auto t = Table::create(store, TableType(ValKind::FuncRef, Limits{2, 4}));
  CHECK_OK(t);
  CHECK_EQ(t->size(), 2u);
  CHECK(t->element() == ValKind::FuncRef);
  CHECK_EQ(t->type().limits().max, 4u);
  Func f = Func::wrap(store, []() { return 1; });
  CHECK(t->get(0).value().funcref().is_null());
  CHECK_OK(t->set(1, Val(f.copy())));
  CHECK(t->get(1).value().funcref().func()->same(f));
  CHECK_EQ(t->grow(2, Val(f.copy())).value(), 2u);
  CHECK_EQ(t->size(), 4u);
  CHECK(t->get(3).value().funcref().func()->same(f));
  CHECK_ERR(t->grow(1, Val(FuncRef())), "table.grow by 1 elements failed (at 4)");
  CHECK_ERR(t->get(4), "out of bounds table access: index 4 of a table of 4 elements");
  CHECK_ERR(t->set(9, Val(FuncRef())), "out of bounds");
  CHECK_ERR(t->set(0, Val(1)), "must be a reference");
  CHECK_ERR(t->set(0, Val(ExternRef())), "a externref in a table of funcref");
}

TEST(table_create_with_init_and_errors) {
  Engine engine;
  Store store(engine);
  ExternRef e = ExternRef::make(store, std::string("x"));
  Table t = Table::create(store, TableType(ValKind::ExternRef, Limits{3}), Val(e.copy())).value();
  CHECK(t.get(2).value().externref().same(e));
  CHECK_ERR(Table::create(store, TableType(ValKind::ExternRef, Limits{1}), Val(2)),
            "must be a reference");
  TableType bad(ValKind::I32, Limits{1});
  CHECK(!bad);
}

TEST(typed_funcref_table_with_call_indirect) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, R"((module
    (table (export "table") 2 10 funcref)
    (func (export "call") (param i32 i32) (result i32)
      local.get 1 local.get 0 call_indirect (param i32) (result i32))))")
                 .value();
  Instance inst = Instance::create(store, m, {}).value();
  auto table = inst.get_table("table").value().typed<FuncRef>().value();
  auto call = inst.get_func("call").value().typed<int32_t(int32_t, int32_t)>(store).value();
  Func dbl = Func::wrap(store, [](int32_t x) { return 2 * x; });
  Func sq = Func::wrap(store, [](int32_t x) { return x * x; });
  CHECK_OK(table.set(0, FuncRef(dbl.copy())));
  CHECK_OK(table.set(1, FuncRef(sq.copy())));
  CHECK_EQ(call(0, 21).value(), 42);
  CHECK_EQ(call(1, 9).value(), 81);
  CHECK(table.get(1).value().func()->same(sq));
  CHECK_EQ(table.grow(3, FuncRef(dbl.copy())).value(), 2u);
  CHECK_EQ(table.size(), 5u);
  CHECK_EQ(call(4, 5).value(), 10);
  CHECK_OK(table.set(4, nullptr));
  CHECK(table.get(4).value().is_null());
  CHECK_ERR(call(4, 5), "uninitialized element");
  CHECK_ERR(table.get(5), "out of bounds");
  CHECK_ERR(table.set(5, nullptr), "out of bounds");
  CHECK_ERR(table.grow(100), "table.grow by 100 elements failed");
}

TEST(typed_externref_table) {
  Engine engine;
  Store store(engine);
  Table t = Table::create(store, TableType(ValKind::ExternRef, Limits{1})).value();
  auto typed = t.typed<ExternRef>().value();
  CHECK(t);  // typed() on an lvalue copies
  ExternRef a = ExternRef::make(store, 1.5);
  CHECK_OK(typed.set(0, a));
  ExternRef back = typed.get(0).value();
  CHECK(back.same(a));
  CHECK_EQ(*back.data<double>(), 1.5);
  CHECK(typed.copy().table().same(t));
}

TEST(typed_table_mismatch) {
  Engine engine;
  Store store(engine);
  Table t = Table::create(store, TableType(ValKind::ExternRef, Limits{1})).value();
  CHECK_ERR(t.typed<FuncRef>(), "table type mismatch: the C++ type is funcref but the table holds externref");
  Table empty;
  CHECK_ERR(empty.typed<FuncRef>(), "empty");
}

TEST(table_reference_of_another_store) {
  Engine engine;
  Store store(engine);
  Store other(engine);
  auto t = Table::create(store, TableType(ValKind::FuncRef, Limits{1})).value().typed<FuncRef>().value();
  Func foreign = Func::wrap(other, []() {});
  CHECK_ERR(t.set(0, FuncRef(foreign.copy())), "does not fit");
}

int main() { return check::run_all_tests(); }
