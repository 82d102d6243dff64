// Consumer test (C++): the header-only C++ layer over an installed Craneway.
#include <craneway.hh>

#include <cstdio>

int main() {
  using namespace craneway;
  Engine engine;
  Store store(engine);
  auto module = Module::from_wat(store,
                                 "(module (func (export \"add\") (param i32 i32) (result i32)"
                                 " local.get 0 local.get 1 i32.add))");
  if (!module) return 1;
  auto instance = Instance::create(store, module.value(), {});
  if (!instance) return 1;
  auto func = instance.value().get_func("add");
  if (!func) return 1;
  auto add = func.value().typed<int32_t(int32_t, int32_t)>(store);
  if (!add) return 1;
  auto result = add.value()(40, 2);
  if (!result) return 1;
  std::printf("result: %d\n", result.value());
  return 0;
}
