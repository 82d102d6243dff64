// Globals: creation, checked get/set, typed access checked once, globals
// of every value type, and exported/imported globals.

#include <craneway.hh>

#include <string>

#include "check.hh"

using namespace craneway;

TEST(global_create_get_set) {
  Engine engine;
  Store store(engine);
  auto g = Global::create(store, GlobalType(ValKind::I32, Mutability::Var), Val(5));
  CHECK_OK(g);
  CHECK(g->type().content() == ValKind::I32);
  CHECK(g->type().mutability() == Mutability::Var);
  CHECK_EQ(g->get().i32(), 5);
  CHECK_OK(g->set(Val(6)));
  CHECK_EQ(g->get().i32(), 6);
  CHECK_ERR(g->set(Val(int64_t{1})), "cannot set a global of type i32 to a value of kind i64");
  CHECK_EQ(g->get().i32(), 6);
}

TEST(global_create_mismatch) {
  Engine engine;
  Store store(engine);
  CHECK_ERR(Global::create(store, GlobalType(ValKind::F64, Mutability::Const), Val(1)),
            "global initial value of kind i32 for a global of type f64");
}

TEST(global_immutable) {
  Engine engine;
  Store store(engine);
  Global g = Global::create(store, GlobalType(ValKind::I64, Mutability::Const), Val(int64_t{3}))
                 .value();
  CHECK_ERR(g.set(Val(int64_t{4})), "immutable");
  auto t = g.typed<int64_t>().value();
  CHECK(!t.is_mutable());
  CHECK_EQ(t.get(), 3);
  CHECK_ERR(t.set(4), "immutable");
  CHECK_EQ(t.get(), 3);
}

TEST(global_typed_every_type) {
  Engine engine;
  Store store(engine);
  auto make = [&store](ValKind k, Val v) {
    return Global::create(store, GlobalType(k, Mutability::Var), v).value();
  };
  auto i32 = make(ValKind::I32, Val(1)).typed<int32_t>().value();
  CHECK_OK(i32.set(-9));
  CHECK_EQ(i32.get(), -9);
  auto u32 = i32.global().typed<uint32_t>().value();
  CHECK_EQ(u32.get(), static_cast<uint32_t>(-9));
  auto u64 = make(ValKind::I64, Val(int64_t{0})).typed<uint64_t>().value();
  CHECK_OK(u64.set(UINT64_MAX));
  CHECK_EQ(u64.get(), UINT64_MAX);
  auto f32 = make(ValKind::F32, Val(0.0f)).typed<float>().value();
  CHECK_OK(f32.set(1.25f));
  CHECK_EQ(f32.get(), 1.25f);
  auto f64 = make(ValKind::F64, Val(0.0)).typed<double>().value();
  CHECK_OK(f64.set(-0.5));
  CHECK_EQ(f64.get(), -0.5);
  auto v = make(ValKind::V128, Val(V128{})).typed<V128>().value();
  CHECK_OK(v.set(V128::from_u64x2(1, 2)));
  CHECK(v.get() == V128::from_u64x2(1, 2));
  Func fn = Func::wrap(store, []() {});
  auto fr = make(ValKind::FuncRef, Val(FuncRef())).typed<FuncRef>().value();
  CHECK(fr.get().is_null());
  CHECK_OK(fr.set(FuncRef(fn.copy())));
  CHECK(fr.get().func()->same(fn));
  CHECK_OK(fr.set(nullptr));
  CHECK(fr.get().is_null());
  auto er = make(ValKind::ExternRef, Val(ExternRef())).typed<ExternRef>().value();
  ExternRef data = ExternRef::make(store, 42);
  CHECK_OK(er.set(data));
  CHECK(er.get().same(data));
  CHECK_EQ(*er.get().data<int>(), 42);
  auto copy = er.copy();
  CHECK(copy.get().same(data));
}

TEST(global_typed_mismatch) {
  Engine engine;
  Store store(engine);
  Global g = Global::create(store, GlobalType(ValKind::F32, Mutability::Var), Val(1.0f)).value();
  CHECK_ERR(g.typed<double>(), "global type mismatch: the C++ type is f64 but the global holds f32");
  CHECK_ERR(g.typed<int32_t>(), "i32");
  CHECK_OK(g.typed<float>());
  CHECK(g);  // typed() on an lvalue copies
  Global empty;
  CHECK_ERR(empty.typed<float>(), "empty");
}

TEST(global_exported_and_imported) {
  Engine engine;
  Store store(engine);
  Global counter =
      Global::create(store, GlobalType(ValKind::I32, Mutability::Var), Val(10)).value();
  Module m = Module::from_wat(store, R"((module
    (import "env" "counter" (global $c (mut i32)))
    (global $own (export "own") (mut i64) (i64.const 7))
    (func (export "bump") global.get $c i32.const 1 i32.add global.set $c
      global.get $own i64.const 2 i64.mul global.set $own)))")
                 .value();
  Instance inst = Instance::create(store, m, {counter}).value();
  auto bump = inst.get_func("bump").value().typed<void()>(store).value();
  auto own = inst.get_global("own").value().typed<int64_t>().value();
  auto c = counter.typed<int32_t>().value();
  CHECK_OK(bump());
  CHECK_OK(bump());
  CHECK_EQ(c.get(), 12);
  CHECK_EQ(own.get(), 28);
  CHECK_OK(own.set(1));
  CHECK_OK(bump());
  CHECK_EQ(own.get(), 2);
  CHECK(own.global().same(inst.get_global("own").value()));
}

int main() { return check::run_all_tests(); }
