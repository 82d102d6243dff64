// typed: calling wasm functions with C++ types. `typed<Sig>` checks the
// function's wasm type against the C++ signature once; each call then
// passes raw values straight to the engine, with no per-call checks.

#include <craneway.hh>

#include <cstdio>

int main() {
  using namespace craneway;

  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (func (export "gcd") (param i64 i64) (result i64)
      (local $t i64)
      (block $done
        (loop $next
          local.get 1 i64.eqz br_if $done
          local.get 0 local.get 1 i64.rem_u local.set $t
          local.get 1 local.set 0
          local.get $t local.set 1
          br $next))
      local.get 0)
    (func (export "hypot") (param f64 f64) (result f64)
      local.get 0 local.get 0 f64.mul local.get 1 local.get 1 f64.mul f64.add f64.sqrt)
    (func (export "lanes") (param v128) (result i32)
      local.get 0 i32x4.extract_lane 0 local.get 0 i32x4.extract_lane 3 i32.add)))")
                      .value();
  Instance instance = Instance::create(store, module, {}).value();

  auto gcd = instance.get_func("gcd").value().typed<uint64_t(uint64_t, uint64_t)>(store).value();
  auto hypot = instance.get_func("hypot").value().typed<double(double, double)>(store).value();
  auto lanes = instance.get_func("lanes").value().typed<int32_t(V128)>(store).value();

  std::printf("gcd(1071, 462) = %llu\n", static_cast<unsigned long long>(gcd(1071, 462).value()));
  std::printf("hypot(3, 4) = %.1f\n", hypot(3.0, 4.0).value());
  std::printf("lanes(1, 2, 3, 4) = %d\n", lanes(V128::from_u32x4(1, 2, 3, 4)).value());

  // A signature that does not match is caught once, when the handle is made.
  Result<TypedFunc<int32_t(int32_t)>> wrong = instance.get_func("gcd").value().typed<int32_t(int32_t)>(store);
  std::printf("wrong signature: %s\n", wrong.error().message().c_str());
  return 0;
}
