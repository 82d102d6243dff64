// Epoch interruption through the C++ layer: an endless loop stopped from
// another thread; the deadline callback that extends and then stops, its
// destruction with the store, and one that throws.

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

int main() { return check::run_all_tests(); }
