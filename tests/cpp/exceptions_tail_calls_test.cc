// WebAssembly 3.0 through the C++ layer: a wasm exception that reaches the
// host is an Error whose trap says so; it crosses a C++ host function that
// returns it (and is caught by the wasm above), or is swallowed there;
// tail calls reach C++ host functions and run through host frames in
// constant stack.

#include <craneway.hh>

#include <string>

#include "check.hh"

using namespace craneway;

namespace {

const char* kThrower = R"((module
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (result i32) local.get 0 throw $e)
))";

// A store with an instance of kThrower and its "throw" export.
struct Thrower {
  Engine engine;
  Store store{engine};
  Module module = Module::from_wat(store, kThrower).value();
  Instance instance = Instance::create(store, module, {}).value();
  TypedFunc<int32_t(int32_t)> thrower =
      instance.get_func("throw").value().typed<int32_t(int32_t)>(store).value();
};

}  // namespace

TEST(uncaught_wasm_exception_is_an_error_saying_so) {
  Thrower t;
  Result<int32_t> r = t.thrower(5);
  CHECK(!r.ok());
  CHECK(r.error().is_trap());
  CHECK(r.error().is_exception());
  CHECK(r.error().trap().is_exception());
  CHECK_ERR(r, "uncaught wasm exception");
  CHECK(!r.error().frames().empty());
  // A trap the host makes, even with the same words, is not an exception.
  Trap made(t.store, "uncaught wasm exception");
  CHECK(!made.is_exception());
  CHECK(!Trap().is_exception());
  CHECK(!Error("no trap").is_exception());
}

TEST(wasm_exception_crosses_a_cpp_host_function) {
  Thrower t;
  Store& store = t.store;
  auto& thrower = t.thrower;
  int calls = 0;
  // Odd argument: pass the exception on; even: swallow it.
  Func host = Func::wrap(store, [&](int32_t x) -> Result<int32_t> {
    ++calls;
    Result<int32_t> r = thrower(x);
    if (r.ok()) return Error("the thrower returned");
    if (!r.error().is_exception()) return Error("not an exception: " + r.error().message());
    if (x % 2 != 0) return r;
    return -1;
  });
  Module outer_module = Module::from_wat(store, R"((module
    (import "h" "f" (func $f (param i32) (result i32)))
    (tag $other (param i32))
    (func (export "catch_all") (param i32) (result i32)
      (block $h
        (try_table (catch_all $h)
          (return (call $f (local.get 0)))))
      i32.const 1000)
    (func (export "other_only") (param i32) (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $other $h)
          (call $f (local.get 0))))))
  )").value();
  Instance outer = Instance::create(store, outer_module, {host}).value();
  auto catch_all = outer.get_func("catch_all").value().typed<int32_t(int32_t)>(store).value();
  auto other_only = outer.get_func("other_only").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(catch_all(3).value(), 1000);  // passed on, caught above
  CHECK_EQ(catch_all(4).value(), -1);    // swallowed by the host
  Result<int32_t> r = other_only(5);     // passed on, no matching handler
  CHECK(!r.ok() && r.error().is_exception());
  CHECK_ERR(r, "uncaught wasm exception");
  CHECK_EQ(calls, 3);
  // The store is still usable.
  CHECK_EQ(other_only(6).value(), -1);
}

TEST(tail_calls_reach_host_functions_and_run_through_host_frames) {
  Engine engine;
  Store store(engine);
  int seen = 0;
  Func add = Func::wrap(store, [&seen](int32_t a, int32_t b) -> int32_t {
    ++seen;
    return a + b;
  });
  Module module = Module::from_wat(store, R"((module
    (import "h" "add" (func $add (param i32 i32) (result i32)))
    (import "h" "again" (func $again (param i64) (result i64)))
    ;; A tail call to a host function returns its result to our caller.
    (func (export "to_host") (param i32) (result i32)
      (return_call $add (local.get 0) (i32.const 100)))
    ;; Counts n down by mutual tail calls; every 100000 steps it goes
    ;; through the host, which calls back in.
    (func $even (export "even") (param $n i64) (result i64)
      (if (result i64) (i64.eqz (local.get $n))
        (then (i64.const 1))
        (else
          (if (result i64) (i64.eqz (i64.rem_u (local.get $n) (i64.const 100000)))
            (then (return_call $again (i64.sub (local.get $n) (i64.const 1))))
            (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))))))))
    (func $odd (export "odd") (param $n i64) (result i64)
      (if (result i64) (i64.eqz (local.get $n))
        (then (i64.const 0))
        (else (return_call $even (i64.sub (local.get $n) (i64.const 1))))))
  ))").value();
  // `again` continues the count in wasm (at "odd": it consumed one step).
  std::optional<TypedFunc<int64_t(int64_t)>> odd;
  int host_frames = 0;
  Func again = Func::wrap(store, [&](int64_t n) -> Result<int64_t> {
    ++host_frames;
    return (*odd)(n);
  });
  Instance inst = Instance::create(store, module, {add, again}).value();
  odd = inst.get_func("odd").value().typed<int64_t(int64_t)>(store).value();
  auto to_host = inst.get_func("to_host").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(to_host(23).value(), 123);
  CHECK_EQ(seen, 1);
  auto even = inst.get_func("even").value().typed<int64_t(int64_t)>(store).value();
  // Ten million steps in constant wasm stack; host frames nest only once
  // per 100000 steps (100 of them, all on the even count).
  CHECK_EQ(even(10000000).value(), 1);
  CHECK_EQ(even(9999999).value(), 0);
  CHECK_EQ(host_frames, 100);
}

int main() { return check::run_all_tests(); }
