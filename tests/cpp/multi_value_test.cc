// Multiple results: typed calls returning std::tuple, host functions
// returning tuples to wasm, more results than parameters, and the untyped
// path.

#include <craneway.hh>

#include <string>
#include <tuple>

#include "check.hh"

using namespace craneway;

namespace {

const char* kWat = R"((module
  (import "host" "divmod" (func $divmod (param i32 i32) (result i32 i32)))
  (import "host" "spread" (func $spread (param i64) (result i32 i32 i32 i32 i32)))
  (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (elem declare func $add)
  (func (export "swap") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
  (func (export "three") (result i32 i64 f64) i32.const 1 i64.const -2 f64.const 3.5)
  (func (export "mixed") (param f32) (result f32 v128 funcref externref i64)
    local.get 0 v128.const i32x4 1 2 3 4 ref.func $add ref.null extern i64.const 9)
  (func (export "wasm_divmod") (param i32 i32) (result i32 i32)
    local.get 0 local.get 1 call $divmod)
  (func (export "sum_spread") (param i64) (result i32)
    local.get 0 call $spread i32.add i32.add i32.add i32.add)
))";

struct Fixture {
  Engine engine;
  Store store{engine};
  Module module = Module::from_wat(store, kWat).value();
  Func divmod = Func::wrap(store, [](int32_t a, int32_t b) -> Result<std::tuple<int32_t, int32_t>> {
    if (b == 0) return Error("divmod by zero");
    return std::make_tuple(a / b, a % b);
  });
  Func spread = Func::wrap(store, [](int64_t x) {
    int32_t v = static_cast<int32_t>(x);
    return std::make_tuple(v, v + 1, v + 2, v + 3, v + 4);
  });
  Instance instance = Instance::create(store, module, {divmod, spread}).value();
  Func func(const char* name) { return instance.get_func(name).value(); }
};

}  // namespace

TEST(typed_two_results) {
  Fixture f;
  auto swap = f.func("swap").typed<std::tuple<int64_t, int32_t>(int32_t, int64_t)>(f.store).value();
  auto [a, b] = swap(1, 2).value();
  CHECK_EQ(a, 2);
  CHECK_EQ(b, 1);
}

TEST(typed_results_without_params) {
  Fixture f;
  auto three = f.func("three").typed<std::tuple<int32_t, int64_t, double>()>(f.store).value();
  auto r = three().value();
  CHECK_EQ(std::get<0>(r), 1);
  CHECK_EQ(std::get<1>(r), -2);
  CHECK_EQ(std::get<2>(r), 3.5);
  // Unsigned views of the same results.
  auto u = f.func("three").typed<std::tuple<uint32_t, uint64_t, double>()>(f.store).value();
  CHECK_EQ(std::get<1>(u().value()), static_cast<uint64_t>(-2));
}

TEST(typed_mixed_results_with_references) {
  Fixture f;
  auto mixed = f.func("mixed")
                   .typed<std::tuple<float, V128, FuncRef, ExternRef, int64_t>(float)>(f.store)
                   .value();
  auto [x, v, fr, er, i] = mixed(0.5f).value();
  CHECK_EQ(x, 0.5f);
  CHECK(v == V128::from_u32x4(1, 2, 3, 4));
  CHECK(fr.func()->same(f.func("add")));
  CHECK(er.is_null());
  CHECK_EQ(i, 9);
}

TEST(typed_result_count_mismatch) {
  Fixture f;
  CHECK_ERR((f.func("three").typed<std::tuple<int32_t, int64_t>()>(f.store)),
            "() -> (i32, i64) but the function's type is () -> (i32, i64, f64)");
  CHECK_ERR(f.func("three").typed<int32_t()>(f.store), "mismatch");
  CHECK_ERR((f.func("swap").typed<std::tuple<int32_t, int64_t>(int32_t, int64_t)>(f.store)),
            "-> (i32, i64) but");
}

TEST(host_tuple_results_to_wasm) {
  Fixture f;
  auto divmod = f.func("wasm_divmod").typed<std::tuple<int32_t, int32_t>(int32_t, int32_t)>(f.store).value();
  auto [q, r] = divmod(17, 5).value();
  CHECK_EQ(q, 3);
  CHECK_EQ(r, 2);
  CHECK_ERR(divmod(1, 0), "divmod by zero");
  // Five results from a host function with one parameter.
  auto sum = f.func("sum_spread").typed<int32_t(int64_t)>(f.store).value();
  CHECK_EQ(sum(10).value(), 60);
}

TEST(host_tuple_called_directly) {
  Fixture f;
  auto spread = f.spread.typed<std::tuple<int32_t, int32_t, int32_t, int32_t, int32_t>(int64_t)>(f.store).value();
  auto t = spread(1).value();
  CHECK_EQ(std::get<4>(t), 5);
  CHECK_EQ(f.spread.type().to_string(), std::string("(i64) -> (i32, i32, i32, i32, i32)"));
}

TEST(untyped_multi_value) {
  Fixture f;
  auto r = f.func("three").call({});
  CHECK_OK(r);
  CHECK_EQ(r->size(), size_t{3});
  CHECK_EQ((*r)[0].i32(), 1);
  CHECK_EQ((*r)[1].i64(), -2);
  CHECK_EQ((*r)[2].f64(), 3.5);
  auto d = f.func("wasm_divmod").call({Val(9), Val(4)});
  CHECK_EQ(d.value()[0].i32(), 2);
  CHECK_EQ(d.value()[1].i32(), 1);
}

int main() { return check::run_all_tests(); }
