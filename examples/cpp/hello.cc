// hello: the smallest embedding. A module imports a host function and
// exports one that calls it; C++ instantiates it and calls the export.
//
// Build (from the repository root, after `cargo build --release`):
//   g++ -std=c++17 -Iinclude -Icpp/include examples/cpp/hello.cc
//       -Ltarget/release -lcraneway -Wl,-rpath,$PWD/target/release

#include <craneway.hh>

#include <cstdio>

int main() {
  using namespace craneway;

  Engine engine;
  Store store(engine);

  Result<Module> module = Module::from_wat(store, R"((module
    (import "" "hello" (func $hello))
    (func (export "run") call $hello)))");
  if (!module) {
    std::fprintf(stderr, "compile error: %s\n", module.error().message().c_str());
    return 1;
  }

  // A host function from a lambda: its wasm type, () -> (), comes from
  // the lambda's signature.
  Func hello = Func::wrap(store, [] { std::printf("Hello, World!\n"); });

  Result<Instance> instance = Instance::create(store, *module, {hello});
  if (!instance) {
    std::fprintf(stderr, "instantiation error: %s\n", instance.error().message().c_str());
    return 1;
  }

  // Check the export's type once, then call it.
  Result<TypedFunc<void()>> run = instance->get_func("run").value().typed<void()>(store);
  if (!run) {
    std::fprintf(stderr, "%s\n", run.error().message().c_str());
    return 1;
  }
  std::printf("Calling export...\n");
  Result<void> called = (*run)();
  if (!called) {
    std::fprintf(stderr, "trap: %s\n", called.error().message().c_str());
    return 1;
  }
  std::printf("Done.\n");
  return 0;
}
