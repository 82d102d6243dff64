// time_limit: a host that runs an untrusted plugin with limits. The plugin
// gets a wall-clock budget (epoch interruption: a timer thread ticks the
// engine's epoch every 10 ms and the store's deadline is 5 ticks away),
// an exact operation budget (fuel), and a memory bound (the store's
// limiter). A plugin that loops forever is stopped; one that is well
// behaved runs; the store stays usable.

#include <craneway.hh>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

int main() {
  using namespace craneway;

  Config config;
  if (!config.epoch_interruption(true) || !config.consume_fuel(true)) return 1;
  Engine engine(std::move(config));
  Store store(engine);
  store.limiter(16 * 65536, -1, -1, -1, -1);  // each memory at most 1 MiB

  Module plugin = Module::from_wat(store, R"((module
    (memory 1)
    (func (export "sum") (param $n i32) (result i32) (local $acc i32)
      (block $done (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
      (local.get $acc))
    (func (export "hang") (loop $l (br $l)))
    (func (export "hog") (result i32) (memory.grow (i32.const 100)))
  ))").value();
  Instance instance = Instance::create(store, plugin, {}).value();
  auto sum = instance.get_func("sum").value().typed<int32_t(int32_t)>(store).value();
  auto hang = instance.get_func("hang").value().typed<void()>(store).value();
  auto hog = instance.get_func("hog").value().typed<int32_t()>(store).value();

  // The timer: one tick every 10 ms while the host runs plugins.
  std::atomic<bool> running{true};
  std::thread timer([&] {
    while (running) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      engine.increment_epoch();
    }
  });

  // Each call gets 50 ms and `fuel` units of fuel.
  auto budget = [&](uint64_t fuel) {
    store.set_epoch_deadline(5);
    return store.set_fuel(fuel);
  };

  if (!budget(1000000)) return 1;
  Result<int32_t> r = sum(1000);
  std::printf("sum(1000) = %d\n", r.ok() ? r.value() : -1);

  // Endless, with fuel for far longer than 50 ms: time stops it.
  if (!budget(UINT64_MAX)) return 1;
  Result<void> stopped = hang();
  std::printf("hang: %s\n", stopped.ok() ? "returned" : stopped.error().message().c_str());

  // Twelve operations per iteration: a million units stop it first.
  if (!budget(1000000)) return 1;
  Result<int32_t> big = sum(1000000);
  std::printf("sum(1000000): %s\n", big.ok() ? "finished" : big.error().message().c_str());

  if (!budget(1000000)) return 1;
  Result<int32_t> grown = hog();
  std::printf("memory.grow past the limit: %d\n", grown.ok() ? grown.value() : -2);

  // The store is still usable.
  if (!budget(1000000)) return 1;
  Result<int32_t> again = sum(10);
  std::printf("sum(10) = %d\n", again.ok() ? again.value() : -1);

  running = false;
  timer.join();
  return 0;
}
