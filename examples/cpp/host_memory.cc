// host_memory: host functions that reach the calling instance's memory.
// The module keeps a string in its memory and asks the host to print it
// and to fill a buffer; the host reads and writes through bounds-checked
// views, and a bad pointer from wasm becomes a trap, not a crash.

#include <craneway.hh>

#include <cstdio>
#include <string>

int main() {
  using namespace craneway;

  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (import "env" "print" (func $print (param i32 i32)))
    (import "env" "fill" (func $fill (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 8) "Hello from wasm memory")
    (func (export "greet") i32.const 8 i32.const 22 call $print)
    (func (export "sum_filled") (param i32) (result i32)
      (local $i i32) (local $sum i32)
      i32.const 100 local.get 0 call $fill drop
      (block $done
        (loop $next
          local.get $i local.get 0 i32.ge_u br_if $done
          local.get $sum i32.const 100 local.get $i i32.add i32.load8_u i32.add local.set $sum
          local.get $i i32.const 1 i32.add local.set $i
          br $next))
      local.get $sum)
    (func (export "print_bad") i32.const 65530 i32.const 100 call $print)))")
                      .value();

  // The Caller, taken first, reaches the calling instance's exports.
  Func print = Func::wrap(store, [](Caller& caller, int32_t ptr, int32_t len) -> Result<void> {
    Result<MemoryView> memory = caller.memory("memory");
    if (!memory) return std::move(memory).error();
    Result<std::string_view> text = memory->string(static_cast<uint32_t>(ptr), static_cast<uint32_t>(len));
    if (!text) return std::move(text).error();
    std::printf("wasm says: %.*s\n", static_cast<int>(text->size()), text->data());
    return {};
  });
  Func fill = Func::wrap(store, [](Caller& caller, int32_t ptr, int32_t len) -> Result<int32_t> {
    Result<MemoryView> memory = caller.memory();
    if (!memory) return std::move(memory).error();
    for (int32_t i = 0; i < len; ++i) {
      Result<void> w = memory->write<uint8_t>(static_cast<uint32_t>(ptr + i), static_cast<uint8_t>(i + 1));
      if (!w) return std::move(w).error();
    }
    return len;
  });

  Instance instance = Instance::create(store, module, {print, fill}).value();
  auto greet = instance.get_func("greet").value().typed<void()>(store).value();
  auto sum_filled = instance.get_func("sum_filled").value().typed<int32_t(int32_t)>(store).value();
  auto print_bad = instance.get_func("print_bad").value().typed<void()>(store).value();

  (void)greet();
  std::printf("sum of 1..10 filled by the host: %d\n", sum_filled(10).value());

  // The host can also read the memory directly.
  Memory memory = instance.get_memory("memory").value();
  std::printf("memory: %u page(s), byte 100 = %u\n", memory.pages(), memory.read<uint8_t>(100).value());

  Result<void> bad = print_bad();
  std::printf("print_bad: %s\n", bad.error().message().c_str());
  return 0;
}
