// traps: how failures come back. Traps in wasm and errors returned by
// host functions arrive as Result errors carrying the trap's message and
// its wasm frames; the store stays usable afterwards. No exceptions.

#include <craneway.hh>

#include <cstdio>
#include <string>

namespace {

// Prints the error's message and, if asked, the wasm functions that were
// running, innermost first (indices in the module's function space).
void report(const char* what, const craneway::Error& error, bool show_frames) {
  std::printf("%s: %s (wasm frames: %zu)\n", what, error.message().c_str(), error.frames().size());
  if (!show_frames) return;
  for (const craneway::Frame& frame : error.frames()) {
    std::printf("  in function %u\n", frame.func_index());
  }
}

}  // namespace

int main() {
  using namespace craneway;

  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (import "env" "check" (func $check (param i32)))
    (func $div (export "div") (param i32 i32) (result i32)
      local.get 0 local.get 1 i32.div_u)
    (func $validate (param i32) local.get 0 call $check)
    (func (export "process") (param i32) (result i32)
      local.get 0 call $validate
      i32.const 100 local.get 0 call $div)
    (func (export "boom") unreachable)))")
                      .value();

  // A host function fails by returning an Error; wasm sees a trap.
  Func check = Func::wrap(store, [](int32_t value) -> Result<void> {
    if (value > 50) return Error("value " + std::to_string(value) + " is too large");
    return {};
  });
  Instance instance = Instance::create(store, module, {check}).value();
  auto process = instance.get_func("process").value().typed<int32_t(int32_t)>(store).value();
  auto boom = instance.get_func("boom").value().typed<void()>(store).value();

  std::printf("process(4) = %d\n", process(4).value());

  Result<int32_t> r = process(0);  // 100 / 0
  if (!r) report("process(0)", r.error(), false);

  r = process(99);  // rejected by the host
  if (!r) report("process(99)", r.error(), true);

  Result<void> b = boom();
  if (!b) report("boom()", b.error(), true);

  // Nothing is broken: the same instance keeps working.
  std::printf("process(20) = %d\n", process(20).value());
  return 0;
}
