// Limits through the C++ layer. Epoch interruption: an endless loop
// stopped from another thread; the deadline callback that extends and then
// stops, its destruction with the store, and one that throws. Fuel: a loop
// stopped after exactly what its fuel pays for.

#include <craneway.hh>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "check.hh"

using namespace craneway;

namespace {

const char* kWat = R"((module
  (func (export "spin") (loop $l (br $l)))
  (func (export "leaf") (result i32) i32.const 7)
))";

// An engine with epoch interruption (empty if the setting failed, which
// the fixture's first use then reports).
Engine epoch_engine() {
  Config config;
  if (!config.epoch_interruption(true)) return Engine(nullptr);
  return Engine(std::move(config));
}

struct Fixture {
  Engine engine = epoch_engine();
  Store store{engine};
  Module module = Module::from_wat(store, kWat).value();
  Instance instance = Instance::create(store, module, {}).value();
  TypedFunc<void()> spin = instance.get_func("spin").value().typed<void()>(store).value();
  TypedFunc<int32_t()> leaf = instance.get_func("leaf").value().typed<int32_t()>(store).value();
};

}  // namespace

TEST(an_endless_loop_stops_at_the_deadline) {
  Fixture f;
  CHECK_EQ(f.leaf().value(), 7);  // no deadline yet
  f.store.set_epoch_deadline(1);
  std::thread ticker([&f] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    f.engine.increment_epoch();
  });
  CHECK_ERR(f.spin(), "interrupted");
  ticker.join();
  CHECK_ERR(f.leaf(), "interrupted");  // still past the deadline
  f.store.set_epoch_deadline(10);
  CHECK_EQ(f.leaf().value(), 7);
}

TEST(the_callback_extends_then_stops_and_goes_with_the_store) {
  auto calls = std::make_shared<int>(0);
  std::weak_ptr<int> alive = calls;
  {
    Fixture f;
    f.store.epoch_deadline_callback([calls]() -> std::optional<uint64_t> {
      if (++*calls <= 2) return uint64_t{1};
      return std::nullopt;
    });
    f.store.set_epoch_deadline(1);
    std::atomic<bool> ticking{true};
    std::thread ticker([&] {
      while (ticking) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        f.engine.increment_epoch();
      }
    });
    CHECK_ERR(f.spin(), "interrupted");
    ticking = false;
    ticker.join();
    CHECK_EQ(*calls, 3);
    calls.reset();
    CHECK(!alive.expired());  // the store holds the callback
    f.store.clear_epoch_deadline_callback();
    CHECK(alive.expired());
    CHECK_ERR(f.leaf(), "interrupted");
    f.store.epoch_deadline_callback([]() -> std::optional<uint64_t> { return uint64_t{5}; });
    CHECK_EQ(f.leaf().value(), 7);  // extended at the entry check
  }
}

#if CRANEWAY_HAS_EXCEPTIONS
TEST(a_throwing_callback_stops_the_call) {
  Fixture f;
  f.store.epoch_deadline_callback([]() -> std::optional<uint64_t> { throw 1; });
  f.store.set_epoch_deadline(0);
  CHECK_ERR(f.leaf(), "interrupted");
}
#endif

TEST(fuel_stops_a_loop_exactly) {
  Config config;
  CHECK(config.consume_fuel(true));
  Engine engine(std::move(config));
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (global $n (mut i32) (i32.const 0))
    (func (export "spin") (loop $l
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (br $l)))
    (func (export "count") (result i32) (global.get $n))
  ))").value();
  Instance instance = Instance::create(store, module, {}).value();
  auto spin = instance.get_func("spin").value().typed<void()>(store).value();
  auto count = instance.get_func("count").value().typed<int32_t()>(store).value();
  CHECK_EQ(store.get_fuel().value(), uint64_t{0});
  CHECK(store.set_fuel(100));
  CHECK_ERR(spin(), "all fuel consumed by WebAssembly");  // 5 per iteration
  CHECK_EQ(store.get_fuel().value(), uint64_t{0});
  CHECK(store.set_fuel(1));
  CHECK_EQ(count().value(), 20);
  CHECK_EQ(store.get_fuel().value(), uint64_t{0});
  // Without fuel there is none to set or read.
  Engine plain;
  Store other(plain);
  CHECK(!other.set_fuel(1));
  CHECK(!other.get_fuel().has_value());
}

TEST(memory_growth_stays_within_the_store_limits) {
  Engine engine;
  Store store(engine);
  store.limiter(3 * 65536, -1, -1, -1, -1);
  int asked = 0;
  store.limiter_callback([&asked](uint32_t resource, uint64_t, uint64_t desired, uint64_t) {
    ++asked;
    return resource == CRANEWAY_RESOURCE_MEMORY && desired <= 2 * 65536;
  });
  Module module = Module::from_wat(store, R"((module
    (memory 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  ))").value();
  Instance instance = Instance::create(store, module, {}).value();
  auto grow = instance.get_func("grow").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(grow(1).value(), 1);
  CHECK_EQ(grow(1).value(), -1);  // the callback says 2 pages
  store.clear_limiter_callback();
  CHECK_EQ(grow(1).value(), 2);
  CHECK_EQ(grow(1).value(), -1);  // the limit says 3 pages
  CHECK_EQ(asked, 3);
}

int main() { return check::run_all_tests(); }
