// Host functions from C++ callables (Func::wrap): type deduction, state,
// the Caller and its memory, results and traps of every return shape,
// references, and the callable's destruction.

#include <craneway.hh>

#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>

#include "check.hh"

using namespace craneway;

namespace {

int32_t free_function(int32_t a, int32_t b) { return a * b; }
int32_t free_function_noexcept(int32_t a) noexcept { return a + 1; }

// Counts live copies of itself, to see when the wrapped callable dies.
struct Counted {
  static int live;
  int32_t bias;
  explicit Counted(int32_t b) : bias(b) { ++live; }
  Counted(const Counted& o) : bias(o.bias) { ++live; }
  Counted(Counted&& o) noexcept : bias(o.bias) { ++live; }
  ~Counted() { --live; }
  int32_t operator()(int32_t x) const { return x + bias; }
};
int Counted::live = 0;

// A module importing host functions and calling them from wasm.
const char* kImporter = R"((module
  (import "host" "f" (func $f (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, wasm")
  (func (export "call_f") (param i32) (result i32) local.get 0 call $f)
))";

}  // namespace

TEST(wrap_lambda_called_directly) {
  Engine engine;
  Store store(engine);
  Func f = Func::wrap(store, [](int32_t a, int32_t b) { return a - b; });
  CHECK(f);
  CHECK_EQ(f.type().to_string(), std::string("(i32, i32) -> (i32)"));
  auto typed = f.typed<int32_t(int32_t, int32_t)>(store).value();
  CHECK_EQ(typed(50, 8).value(), 42);
  CHECK_EQ(f.call({Val(1), Val(2)}).value()[0].i32(), -1);
}

TEST(wrap_deduces_every_value_type) {
  Engine engine;
  Store store(engine);
  Func f = Func::wrap(store, [](int32_t, uint32_t, int64_t, uint64_t, float, double, V128,
                                const FuncRef&, ExternRef) {});
  CHECK_EQ(f.type().to_string(),
           std::string("(i32, i32, i64, i64, f32, f64, v128, funcref, externref) -> ()"));
  Func g = Func::wrap(store, []() { return std::tuple<float, double, V128>{}; });
  CHECK_EQ(g.type().to_string(), std::string("() -> (f32, f64, v128)"));
  Func h = Func::wrap(store, []() -> Result<uint64_t> { return uint64_t{1}; });
  CHECK_EQ(h.type().to_string(), std::string("() -> (i64)"));
  Func t = Func::wrap(store, [](Caller&, int32_t) -> Trap { return Trap(); });
  CHECK_EQ(t.type().to_string(), std::string("(i32) -> ()"));
}

TEST(caller_of_a_call_from_the_host_has_no_instance) {
  Engine engine;
  Store store(engine);
  Func f = Func::wrap(store, [](Caller& caller) -> Result<int32_t> {
    Result<MemoryView> mem = caller.memory();
    if (mem) return Error("a memory without a calling instance");
    if (caller.get_export("anything")) return Error("an export without a calling instance");
    return 1;
  });
  CHECK_EQ(f.typed<int32_t()>(store).value()().value(), 1);
}

TEST(wrap_function_pointers_and_function_objects) {
  Engine engine;
  Store store(engine);
  auto mul = Func::wrap(store, free_function).typed<int32_t(int32_t, int32_t)>(store).value();
  CHECK_EQ(mul(6, 7).value(), 42);
  auto inc = Func::wrap(store, &free_function_noexcept).typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(inc(41).value(), 42);
  auto noexcept_lambda = Func::wrap(store, [](int32_t x) noexcept { return x; });
  CHECK_EQ(noexcept_lambda.typed<int32_t(int32_t)>(store).value()(3).value(), 3);
  auto obj = Func::wrap(store, Counted(2)).typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(obj(40).value(), 42);
}

TEST(wrap_mutable_lambda_keeps_state) {
  Engine engine;
  Store store(engine);
  int calls_seen_outside = 0;
  auto counter = Func::wrap(store, [n = 0, &calls_seen_outside]() mutable {
                   ++calls_seen_outside;
                   return ++n;
                 })
                     .typed<int32_t()>(store)
                     .value();
  CHECK_EQ(counter().value(), 1);
  CHECK_EQ(counter().value(), 2);
  CHECK_EQ(counter().value(), 3);
  CHECK_EQ(calls_seen_outside, 3);
}

TEST(host_function_called_from_wasm) {
  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, kImporter).value();
  Func f = Func::wrap(store, [](int32_t x) { return x * 3; });
  Instance inst = Instance::create(store, module, {f}).value();
  auto call_f = inst.get_func("call_f").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(call_f(14).value(), 42);
}

TEST(caller_memory_read_and_write) {
  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, kImporter).value();
  std::string seen;
  Func f = Func::wrap(store, [&seen](Caller& caller, int32_t len) -> Result<int32_t> {
    Result<MemoryView> mem = caller.memory();
    if (!mem) return std::move(mem).error();
    Result<std::string_view> text = mem->string(16, static_cast<size_t>(len));
    if (!text) return std::move(text).error();
    seen = std::string(*text);
    Result<void> w = mem->write<uint32_t>(0, 0xdeadbeef);
    if (!w) return std::move(w).error();
    return static_cast<int32_t>(mem->size() / Memory::page_size);
  });
  Instance inst = Instance::create(store, module, {f}).value();
  auto call_f = inst.get_func("call_f").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(call_f(11).value(), 1);
  CHECK_EQ(seen, std::string("hello, wasm"));
  Memory memory = inst.get_memory("memory").value();
  CHECK_EQ(memory.read<uint32_t>(0).value(), 0xdeadbeefu);
  // Out of bounds inside the host function: its Error becomes the trap.
  auto r = call_f(70000);
  CHECK_ERR(r, "out of bounds memory access");
  CHECK(r.error().is_trap());
}

TEST(caller_exports) {
  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (import "host" "f" (func $f (param i32) (result i32)))
    (func (export "double") (param i32) (result i32) local.get 0 local.get 0 i32.add)
    (global (export "g") i32 (i32.const 5))
    (func (export "call_f") (param i32) (result i32) local.get 0 call $f)))")
                      .value();
  Func f = Func::wrap(store, [&store](const Caller& caller, int32_t x) -> Result<int32_t> {
    if (caller.memory().ok()) return Error("unexpected memory");
    if (caller.get_export("nope").ok()) return Error("unexpected export");
    if (caller.get_func("g").ok()) return Error("a global is not a function");
    Result<Extern> g = caller.get_export("g");
    if (!g || g->global() == nullptr) return Error("no global g");
    Result<Func> dbl = caller.get_func("double");
    if (!dbl) return std::move(dbl).error();
    auto typed = std::move(*dbl).typed<int32_t(int32_t)>(store);
    if (!typed) return std::move(typed).error();
    Result<int32_t> r = (*typed)(x);
    if (!r) return r;
    return *r + g->global()->get().i32();
  });
  Instance inst = Instance::create(store, module, {f}).value();
  auto call_f = inst.get_func("call_f").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(call_f(10).value(), 25);
}

TEST(host_result_error_becomes_trap) {
  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, kImporter).value();
  Func f = Func::wrap(store, [](int32_t x) -> Result<int32_t> {
    if (x < 0) return Error("negative input: " + std::to_string(x));
    return x;
  });
  Instance inst = Instance::create(store, module, {f}).value();
  auto call_f = inst.get_func("call_f").value().typed<int32_t(int32_t)>(store).value();
  CHECK_EQ(call_f(5).value(), 5);
  auto r = call_f(-3);
  CHECK_ERR(r, "negative input: -3");
  CHECK(r.error().is_trap());
  // The store stays usable.
  CHECK_EQ(call_f(6).value(), 6);
}

TEST(host_errors_after_the_store_wrapper_moved) {
  Engine engine;
  Store first(engine);
  Func f = Func::wrap(first, [](int32_t x) -> Result<int32_t> {
    if (x < 0) return Error("negative");
    return x;
  });
  Store second = std::move(first);
  auto typed = f.typed<int32_t(int32_t)>(second).value();
  CHECK_EQ(typed(3).value(), 3);
  CHECK_ERR(typed(-3), "negative");
  std::optional<Store> third(std::move(second));
  CHECK_ERR(typed(-4), "negative");
}

TEST(host_returns_trap) {
  Engine engine;
  Store store(engine);
  Func ok = Func::wrap(store, []() { return Trap(); });
  CHECK_OK(ok.typed<void()>(store).value()());
  Func bad = Func::wrap(store, [&store](int32_t code) {
    return Trap(store, "exit with code " + std::to_string(code));
  });
  auto r = bad.typed<void(int32_t)>(store).value()(3);
  CHECK_ERR(r, "exit with code 3");
  // A Result holding a Trap passes that trap on.
  Func via_result = Func::wrap(store, [&store]() -> Result<void> { return Trap(store, "via"); });
  CHECK_ERR(via_result.typed<void()>(store).value()(), "via");
}

TEST(host_result_tuple_and_void) {
  Engine engine;
  Store store(engine);
  Func pair = Func::wrap(store, [](int32_t x) -> Result<std::tuple<int32_t, int64_t>> {
    if (x == 0) return Error("zero");
    return std::make_tuple(x, int64_t{x} * 1000000000);
  });
  auto typed = pair.typed<std::tuple<int32_t, int64_t>(int32_t)>(store).value();
  auto [a, b] = typed(3).value();
  CHECK_EQ(a, 3);
  CHECK_EQ(b, 3000000000);
  CHECK_ERR(typed(0), "zero");
  int hits = 0;
  Func v = Func::wrap(store, [&hits]() -> Result<void> {
    ++hits;
    return {};
  });
  CHECK_OK(v.typed<void()>(store).value()());
  CHECK_EQ(hits, 1);
}

TEST(host_references) {
  Engine engine;
  Store store(engine);
  Func target = Func::wrap(store, []() { return 7; });
  Func pass = Func::wrap(store, [](FuncRef f, const ExternRef& e) {
    return std::make_tuple(std::move(f), e.copy());
  });
  auto typed = pass.typed<std::tuple<FuncRef, ExternRef>(FuncRef, ExternRef)>(store).value();
  ExternRef data = ExternRef::make(store, std::string("payload"));
  auto [f, e] = typed(FuncRef(target.copy()), data).value();
  CHECK(f.func()->same(target));
  CHECK(e.same(data));
  CHECK_EQ(*e.data<std::string>(), std::string("payload"));
  auto [nf, ne] = typed(nullptr, nullptr).value();
  CHECK(nf.is_null());
  CHECK(ne.is_null());
}

TEST(host_reference_of_another_store_traps) {
  Engine engine;
  Store store(engine);
  Store other(engine);
  Func foreign = Func::wrap(other, []() {});
  Func leak = Func::wrap(store, [&foreign]() { return FuncRef(foreign.copy()); });
  CHECK_ERR(leak.typed<FuncRef()>(store).value()(), "another store");
}

TEST(host_reenters_wasm) {
  Engine engine;
  Store store(engine);
  Module module = Module::from_wat(store, R"((module
    (import "host" "f" (func $f (param i32) (result i32)))
    (func $fact (export "fact") (param i32) (result i32)
      local.get 0 i32.eqz
      if (result i32) i32.const 1
      else local.get 0 local.get 0 i32.const 1 i32.sub call $f i32.mul end)))")
                      .value();
  // f(n) calls back into fact(n): mutual recursion through the host.
  std::optional<TypedFunc<int32_t(int32_t)>> fact;
  Func f = Func::wrap(store, [&fact](int32_t n) { return (*fact)(n); });
  Instance inst = Instance::create(store, module, {f}).value();
  fact.emplace(inst.get_func("fact").value().typed<int32_t(int32_t)>(store).value());
  CHECK_EQ((*fact)(10).value(), 3628800);
}

TEST(callable_destroyed_when_store_and_objects_are_gone) {
  Counted::live = 0;
  {
    Engine engine;
    std::optional<Func> survivor;
    {
      Store store(engine);
      Func f = Func::wrap(store, Counted(1));
      CHECK_EQ(Counted::live, 1);
      Func g = Func::wrap(store, Counted(2));
      CHECK_EQ(Counted::live, 2);
      survivor.emplace(f.copy());
    }
    // The Store wrapper is gone but a function of the store lives on, so
    // the store and its callables do too.
    CHECK_EQ(Counted::live, 2);
    survivor.reset();
    CHECK_EQ(Counted::live, 0);
  }
  CHECK_EQ(Counted::live, 0);
}

TEST(wrap_on_empty_store_gives_empty_func) {
  Engine engine;
  Store store(engine);
  Store moved = std::move(store);
  Counted::live = 0;
  Func f = Func::wrap(store, Counted(1));
  CHECK(!f);
  CHECK_EQ(Counted::live, 0);
}

#if CRANEWAY_HAS_EXCEPTIONS
TEST(host_exception_becomes_trap) {
  Engine engine;
  Store store(engine);
  Func f = Func::wrap(store, [](int32_t x) -> int32_t {
    if (x > 0) throw std::runtime_error("too big");
    if (x < 0) throw 42;
    return 0;
  });
  auto typed = f.typed<int32_t(int32_t)>(store).value();
  CHECK_ERR(typed(1), "too big");
  CHECK_ERR(typed(-1), "threw an exception");
  CHECK_EQ(typed(0).value(), 0);
}
#endif

int main() { return check::run_all_tests(); }
