// Typed calls (Func::typed / TypedFunc) of every supported C++ type, type
// mismatches caught once at `typed`, and the checked untyped calls.

#include <craneway.hh>

#include <cmath>
#include <string>

#include "check.hh"

using namespace craneway;

namespace {

const char* kWat = R"((module
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (func (export "neg") (param i32) (result i32) i32.const 0 local.get 0 i32.sub)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "mulf") (param f32 f32) (result f32) local.get 0 local.get 1 f32.mul)
  (func (export "divd") (param f64 f64) (result f64) local.get 0 local.get 1 f64.div)
  (func (export "vadd") (param v128 v128) (result v128) local.get 0 local.get 1 i32x4.add)
  (func (export "id_funcref") (param funcref) (result funcref) local.get 0)
  (func (export "id_externref") (param externref) (result externref) local.get 0)
  (func (export "is_null") (param externref) (result i32) local.get 0 ref.is_null)
  (func (export "get_add") (result funcref) ref.func $add)
  (elem declare func $add)
  (global $g (mut i32) (i32.const 0))
  (func (export "set_g") (param i32) local.get 0 global.set $g)
  (func (export "get_g") (result i32) global.get $g)
  (func (export "nop"))
  (func (export "sum6") (param i32 i32 i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 2 i32.add
    local.get 3 i32.add local.get 4 i32.add local.get 5 i32.add)
  (func (export "mixed") (param i32 i64 f32 f64) (result f64)
    local.get 0 f64.convert_i32_s local.get 1 f64.convert_i64_s f64.add
    local.get 2 f64.promote_f32 f64.add local.get 3 f64.add)
))";

struct Fixture {
  Engine engine;
  Store store{engine};
  Module module = Module::from_wat(store, kWat).value();
  Instance instance = Instance::create(store, module, {}).value();
  Func func(const char* name) { return instance.get_func(name).value(); }
};

}  // namespace

TEST(typed_i32_add) {
  Fixture f;
  auto add = f.func("add").typed<int32_t(int32_t, int32_t)>(f.store);
  CHECK_OK(add);
  CHECK_EQ(add->call(2, 40).value(), 42);
  CHECK_EQ((*add)(-5, 3).value(), -2);
  CHECK_EQ((*add)(INT32_MAX, 1).value(), INT32_MIN);
}

TEST(typed_u32_wraps) {
  Fixture f;
  auto neg = f.func("neg").typed<uint32_t(uint32_t)>(f.store).value();
  CHECK_EQ(neg(1).value(), 0xffffffffu);
  CHECK_EQ(neg(0x80000000u).value(), 0x80000000u);
}

TEST(typed_i64_and_u64) {
  Fixture f;
  auto add = f.func("add64").typed<int64_t(int64_t, int64_t)>(f.store).value();
  CHECK_EQ(add(INT64_C(1) << 40, 5).value(), (INT64_C(1) << 40) + 5);
  auto uadd = f.func("add64").typed<uint64_t(uint64_t, uint64_t)>(f.store).value();
  CHECK_EQ(uadd(UINT64_MAX, 2).value(), uint64_t{1});
}

TEST(typed_floats) {
  Fixture f;
  auto mulf = f.func("mulf").typed<float(float, float)>(f.store).value();
  CHECK_EQ(mulf(1.5f, 4.0f).value(), 6.0f);
  auto divd = f.func("divd").typed<double(double, double)>(f.store).value();
  CHECK_EQ(divd(1.0, 4.0).value(), 0.25);
  CHECK(std::isinf(divd(1.0, 0.0).value()));
  CHECK(std::isnan(divd(0.0, 0.0).value()));
}

TEST(typed_v128) {
  Fixture f;
  auto vadd = f.func("vadd").typed<V128(V128, V128)>(f.store).value();
  V128 a = V128::from_u32x4(1, 2, 3, 0xffffffffu);
  V128 b = V128::from_u32x4(10, 20, 30, 2);
  V128 r = vadd(a, b).value();
  CHECK(r == V128::from_u32x4(11, 22, 33, 1));
  CHECK_EQ(r.u32(3), 1u);
  CHECK_EQ(V128::from_u64x2(7, 9).u64(1), uint64_t{9});
}

TEST(typed_void_and_no_params) {
  Fixture f;
  auto set_g = f.func("set_g").typed<void(int32_t)>(f.store).value();
  auto get_g = f.func("get_g").typed<int32_t()>(f.store).value();
  auto nop = f.func("nop").typed<void()>(f.store).value();
  CHECK_OK(set_g(77));
  CHECK_OK(nop());
  CHECK_EQ(get_g().value(), 77);
}

TEST(typed_many_and_mixed_params) {
  Fixture f;
  auto sum6 = f.func("sum6").typed<int32_t(int32_t, int32_t, int32_t, int32_t, int32_t, int32_t)>(
      f.store);
  CHECK_OK(sum6);
  CHECK_EQ((*sum6)(1, 2, 3, 4, 5, 6).value(), 21);
  auto mixed = f.func("mixed").typed<double(int32_t, int64_t, float, double)>(f.store).value();
  CHECK_EQ(mixed(1, 2, 0.5f, 0.25).value(), 3.75);
}

TEST(typed_funcref_round_trip) {
  Fixture f;
  auto id = f.func("id_funcref").typed<FuncRef(FuncRef)>(f.store).value();
  Func add = f.func("add");
  FuncRef back = id(FuncRef(add.copy())).value();
  CHECK(!back.is_null());
  CHECK(back.func()->same(add));
  // The reference that came back is callable.
  auto add2 = back.func()->typed<int32_t(int32_t, int32_t)>(f.store).value();
  CHECK_EQ(add2(20, 22).value(), 42);
  // Null stays null.
  CHECK(id(FuncRef()).value().is_null());
  CHECK(id(nullptr).value().is_null());
}

TEST(typed_funcref_result_from_ref_func) {
  Fixture f;
  auto get_add = f.func("get_add").typed<FuncRef()>(f.store).value();
  FuncRef r = get_add().value();
  CHECK(r);
  CHECK(r.func()->same(f.func("add")));
}

TEST(typed_externref_round_trip) {
  Fixture f;
  auto id = f.func("id_externref").typed<ExternRef(ExternRef)>(f.store).value();
  auto is_null = f.func("is_null").typed<int32_t(ExternRef)>(f.store).value();
  ExternRef hello = ExternRef::make(f.store, std::string("hello"));
  CHECK(!hello.is_null());
  CHECK_EQ(*hello.data<std::string>(), std::string("hello"));
  CHECK(hello.data<int>() == nullptr);
  ExternRef back = id(hello).value();
  CHECK(back.same(hello));
  CHECK(back.data<std::string>() != nullptr);
  CHECK_EQ(*back.data<std::string>(), std::string("hello"));
  CHECK_EQ(is_null(hello).value(), 0);
  CHECK_EQ(is_null(ExternRef()).value(), 1);
  CHECK(id(nullptr).value().is_null());
}

TEST(typed_mismatch_param_kind) {
  Fixture f;
  auto r = f.func("add").typed<int32_t(int64_t, int32_t)>(f.store);
  CHECK_ERR(r, "function type mismatch: the C++ signature is (i64, i32) -> (i32) but the "
               "function's type is (i32, i32) -> (i32)");
}

TEST(typed_mismatch_param_count) {
  Fixture f;
  CHECK_ERR(f.func("add").typed<int32_t(int32_t)>(f.store), "(i32) -> (i32) but");
  CHECK_ERR(f.func("add").typed<int32_t(int32_t, int32_t, int32_t)>(f.store), "mismatch");
}

TEST(typed_mismatch_results) {
  Fixture f;
  CHECK_ERR(f.func("add").typed<void(int32_t, int32_t)>(f.store), "-> ()");
  CHECK_ERR(f.func("add").typed<float(int32_t, int32_t)>(f.store), "-> (f32)");
  CHECK_ERR((f.func("add").typed<std::tuple<int32_t, int32_t>(int32_t, int32_t)>(f.store)),
            "-> (i32, i32) but");
  CHECK_ERR(f.func("id_funcref").typed<ExternRef(ExternRef)>(f.store), "(externref)");
  CHECK_ERR(f.func("vadd").typed<int64_t(V128, V128)>(f.store), "(v128, v128) -> (i64)");
}

TEST(typed_empty_func_is_an_error) {
  Fixture f;
  Func empty;
  CHECK_ERR(empty.typed<void()>(f.store), "empty");
}

TEST(typed_func_of_another_store_is_an_error) {
  Fixture f;
  Store other(f.engine);
  CHECK_ERR(f.func("add").typed<int32_t(int32_t, int32_t)>(other), "another store");
}

TEST(typed_ref_argument_of_another_store_is_an_error) {
  Fixture f;
  Fixture g;
  auto id = f.func("id_funcref").typed<FuncRef(FuncRef)>(f.store).value();
  CHECK_ERR(id(FuncRef(g.func("add"))), "another store");
  auto idx = f.func("id_externref").typed<ExternRef(ExternRef)>(f.store).value();
  CHECK_ERR(idx(ExternRef::make(g.store, 5)), "another store");
}

TEST(typed_handle_move_and_copy) {
  Fixture f;
  auto add = f.func("add").typed<int32_t(int32_t, int32_t)>(f.store).value();
  TypedFunc<int32_t(int32_t, int32_t)> moved = std::move(add);
  CHECK(!add.func());
  CHECK_EQ(moved(1, 1).value(), 2);
  auto copied = moved.copy();
  CHECK(copied.func().same(moved.func()));
  moved = copied.copy();
  CHECK_EQ(copied(2, 2).value(), 4);
  CHECK_EQ(moved(3, 3).value(), 6);
  // typed from an lvalue Func keeps the Func usable.
  Func fn = f.func("add");
  auto t = fn.typed<int32_t(int32_t, int32_t)>(f.store).value();
  CHECK(fn);
  CHECK(t.func().same(fn));
}

TEST(func_type_of_signature) {
  CHECK_EQ(func_type<int32_t(int32_t, int64_t)>().to_string(), std::string("(i32, i64) -> (i32)"));
  CHECK_EQ((func_type<std::tuple<float, double, V128>(FuncRef, ExternRef)>().to_string()),
           std::string("(funcref, externref) -> (f32, f64, v128)"));
  CHECK_EQ(func_type<void()>().to_string(), std::string("() -> ()"));
}

TEST(untyped_call_with_vals) {
  Fixture f;
  Func add = f.func("add");
  CHECK_EQ(add.param_arity(), size_t{2});
  CHECK_EQ(add.result_arity(), size_t{1});
  CHECK_EQ(add.type().to_string(), std::string("(i32, i32) -> (i32)"));
  auto r = add.call({Val(40), Val(2)});
  CHECK_OK(r);
  CHECK_EQ(r->size(), size_t{1});
  CHECK(r->at(0).kind() == ValKind::I32);
  CHECK_EQ(r->at(0).i32(), 42);
  std::vector<Val> args;
  args.emplace_back(int32_t{1});
  args.emplace_back(int32_t{2});
  CHECK_EQ(add.call(args).value()[0].i32(), 3);
}

TEST(untyped_call_checks_arguments) {
  Fixture f;
  Func add = f.func("add");
  CHECK(!add.call({Val(1)}).ok());
  CHECK(!add.call({Val(int64_t{1}), Val(2)}).ok());
  auto mixed = f.func("mixed").call({Val(1), Val(int64_t{2}), Val(0.5f), Val(0.25)});
  CHECK_EQ(mixed.value()[0].f64(), 3.75);
}

TEST(untyped_call_with_refs) {
  Fixture f;
  Func id = f.func("id_externref");
  ExternRef e = ExternRef::make(f.store, 123);
  auto r = id.call({Val(e.copy())});
  CHECK_OK(r);
  CHECK(r->at(0).kind() == ValKind::ExternRef);
  ExternRef back = r->at(0).externref();
  CHECK(back.same(e));
  CHECK_EQ(*back.data<int>(), 123);
  auto rf = f.func("id_funcref").call({Val(f.func("add"))});
  CHECK_OK(rf);
  CHECK(rf->at(0).funcref().func()->same(f.func("add")));
}

TEST(val_kinds_and_copies) {
  CHECK(Val().kind() == ValKind::I32);
  CHECK_EQ(Val(5u).i32(), 5);
  CHECK_EQ(Val(uint64_t{7}).i64(), 7);
  CHECK_EQ(Val(1.5f).f32(), 1.5f);
  CHECK_EQ(Val(2.5).f64(), 2.5);
  CHECK(Val(V128::from_u64x2(1, 2)).v128() == V128::from_u64x2(1, 2));
  CHECK(Val(FuncRef()).kind() == ValKind::FuncRef);
  CHECK(Val(FuncRef()).funcref().is_null());
  CHECK(Val(ExternRef()).externref().is_null());
  CHECK(Val(3).get<int32_t>() == std::optional<int32_t>(3));
  CHECK(!Val(3).get<int64_t>().has_value());
  Val a(9);
  Val b = a.copy();
  Val c = std::move(a);
  CHECK_EQ(b.i32(), 9);
  CHECK_EQ(c.i32(), 9);
  CHECK_EQ(a.i32(), 0);
}

TEST(typed_refuses_typed_reference_parameters) {
  // (ref $t) has kind funcref, but a FuncRef argument could be null or of
  // another type, unchecked on the raw path: typed() refuses; a typed
  // reference result is fine (every such value is a FuncRef).
  Engine engine;
  Store store{engine};
  Module module = Module::from_wat(store, R"((module
    (type $t (func (result i32)))
    (func $seven (type $t) i32.const 7)
    (elem declare func $seven)
    (func (export "call") (param (ref $t)) (result i32) local.get 0 call_ref $t)
    (func (export "get") (result (ref $t)) ref.func $seven)))").value();
  Instance instance = Instance::create(store, module, {}).value();
  CHECK_ERR(instance.get_func("call").value().typed<int32_t(FuncRef)>(store),
            "parameter 0 is a typed reference");
  auto get = instance.get_func("get").value().typed<FuncRef()>(store);
  CHECK_OK(get);
  FuncRef seven = (*get)().value();
  CHECK(seven);
}

int main() { return check::run_all_tests(); }
