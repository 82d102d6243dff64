// multi_value: functions with several results. Typed calls return them
// as a std::tuple (unpack with structured bindings), and host functions
// return a std::tuple to give wasm several results.

#include <craneway.hh>

#include <algorithm>
#include <cstdio>
#include <tuple>

int main() {
  using namespace craneway;

  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (import "host" "minmax" (func $minmax (param i32 i32 i32) (result i32 i32)))
    (func (export "divmod") (param i32 i32) (result i32 i32)
      local.get 0 local.get 1 i32.div_u local.get 0 local.get 1 i32.rem_u)
    (func (export "stats") (param i32 i32 i32) (result i32 i32 f64)
      local.get 0 local.get 1 local.get 2 call $minmax
      local.get 0 local.get 1 i32.add local.get 2 i32.add f64.convert_i32_s
      f64.const 3 f64.div)))")
                      .value();

  Func minmax = Func::wrap(store, [](int32_t a, int32_t b, int32_t c) {
    int32_t lo = std::min(a, std::min(b, c));
    int32_t hi = std::max(a, std::max(b, c));
    return std::make_tuple(lo, hi);
  });
  Instance instance = Instance::create(store, module, {minmax}).value();

  auto divmod = instance.get_func("divmod").value()
                    .typed<std::tuple<uint32_t, uint32_t>(uint32_t, uint32_t)>(store)
                    .value();
  auto [q, r] = divmod(47, 5).value();
  std::printf("47 divmod 5 = (%u, %u)\n", q, r);

  auto stats = instance.get_func("stats").value()
                   .typed<std::tuple<int32_t, int32_t, double>(int32_t, int32_t, int32_t)>(store)
                   .value();
  auto [lo, hi, mean] = stats(7, -2, 10).value();
  std::printf("stats(7, -2, 10): min %d, max %d, mean %.2f\n", lo, hi, mean);
  return 0;
}
