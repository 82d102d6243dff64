// Lifetimes: every wrapper may be destroyed in any order (the C library
// keeps a store alive while any of its objects lives). Each test drops a
// set of objects in every order, using what is still alive after each
// drop, and checks that host callables and host data die exactly when the
// last object goes (valgrind runs of this test find leaks and double frees).

#include <craneway.hh>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "check.hh"

using namespace craneway;

namespace {

// Counts live copies, for callables and host data.
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

const char* kWat = R"((module
  (import "host" "f" (func $f (param i32) (result i32)))
  (memory (export "memory") 1)
  (global (export "g") (mut i32) (i32.const 1))
  (table (export "t") 2 externref)
  (func (export "call_f") (param i32) (result i32) local.get 0 call $f)
  (func (export "trap") unreachable)
))";

std::vector<uint8_t>& binary() {
  static std::vector<uint8_t> bin = wat2wasm(kWat).value();
  return bin;
}

// The module compiled once and serialized: deserializing is much cheaper
// than compiling, which matters for 720 orders under valgrind.
std::vector<uint8_t>& compiled() {
  static std::vector<uint8_t> bytes = [] {
    Engine engine;
    Store store(engine);
    return Module::create(store, binary()).value().serialize();
  }();
  return bytes;
}

// Engine, Store, Module, Instance, a typed export and the host function.
struct Core {
  std::optional<Engine> engine;
  std::optional<Store> store;
  std::optional<Module> module;
  std::optional<Func> host;
  std::optional<Instance> instance;
  std::optional<TypedFunc<int32_t(int32_t)>> call_f;

  static constexpr int kCount = 6;

  Core() {
    engine.emplace();
    store.emplace(*engine);
    module.emplace(Module::deserialize(*store, compiled()).value());
    host.emplace(Func::wrap(*store, Counted(100)));
    instance.emplace(Instance::create(*store, *module, {*host}).value());
    call_f.emplace(instance->get_func("call_f").value().typed<int32_t(int32_t)>(*store).value());
  }
  void drop(int which) {
    switch (which) {
      case 0: engine.reset(); break;
      case 1: store.reset(); break;
      case 2: module.reset(); break;
      case 3: host.reset(); break;
      case 4: instance.reset(); break;
      case 5: call_f.reset(); break;
    }
  }
  // Whether an object of the store (which keeps it alive) remains; the
  // engine and module are not store objects.
  bool store_alive() const { return store || host || instance || call_f; }
  // Uses what is alive; false if something misbehaves.
  bool use() {
    if (call_f && (*call_f)(1).value_or(-1) != 101) return false;
    if (host && host->type().to_string() != "(i32) -> (i32)") return false;
    if (instance && !instance->get_memory("memory").ok()) return false;
    if (module && module->exports().size() != 5) return false;
    if (store && engine) {
      // New objects can still be made while both live.
      if (!Module::validate(*store, binary())) return false;
      if (!Memory::create(*store, MemoryType(Limits{1})).ok()) return false;
    }
    return true;
  }
};

// Objects of an instance: memory, typed global and table (holding host
// data), a Val holding a funcref, an Error with frames, and the Store.
struct Parts {
  std::optional<Store> store;
  std::optional<Memory> memory;
  std::optional<TypedGlobal<int32_t>> global;
  std::optional<TypedTable<ExternRef>> table;
  std::optional<Val> funcref;
  std::optional<Error> error;

  static constexpr int kCount = 6;

  Parts(const Engine& engine, const Module& module) {
    store.emplace(engine);
    Func host = Func::wrap(*store, Counted(1));
    Instance inst = Instance::create(*store, module, {host}).value();
    memory.emplace(inst.get_memory("memory").value());
    global.emplace(inst.get_global("g").value().typed<int32_t>().value());
    table.emplace(inst.get_table("t").value().typed<ExternRef>().value());
    (void)table->set(1, ExternRef::make(*store, Counted(2)));
    funcref.emplace(inst.get_func("call_f").value());
    error.emplace(inst.get_func("trap").value().typed<void()>(*store).value()().error());
  }
  void drop(int which) {
    switch (which) {
      case 0: store.reset(); break;
      case 1: memory.reset(); break;
      case 2: global.reset(); break;
      case 3: table.reset(); break;
      case 4: funcref.reset(); break;
      case 5: error.reset(); break;
    }
  }
  bool use() {
    if (memory && !memory->write<int32_t>(0, 5).ok()) return false;
    if (global && (!global->set(global->get() + 1).ok())) return false;
    if (table) {
      Result<ExternRef> e = table->get(1);
      if (!e || e->data<Counted>() == nullptr || e->data<Counted>()->bias != 2) return false;
    }
    if (funcref && funcref->funcref().func()->param_arity() != 1) return false;
    if (error && (error->frames().size() != 1 || error->message() != "unreachable")) return false;
    return true;
  }
};

}  // namespace

TEST(core_objects_dropped_in_every_order) {
  std::array<int, Core::kCount> order = {0, 1, 2, 3, 4, 5};
  int orders = 0;
  do {
    Counted::live = 0;
    {
      Core core;
      CHECK(core.use());
      for (int which : order) {
        core.drop(which);
        CHECK(core.use());
        CHECK_EQ(Counted::live, core.store_alive() ? 1 : 0);
      }
    }
    CHECK_EQ(Counted::live, 0);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK_EQ(orders, 720);
}

TEST(instance_parts_dropped_in_every_order) {
  Engine engine;
  Store store(engine);
  Module module = Module::create(store, binary()).value();
  std::array<int, Parts::kCount> order = {0, 1, 2, 3, 4, 5};
  int orders = 0;
  do {
    Counted::live = 0;
    {
      Parts parts(engine, module);
      CHECK_EQ(Counted::live, 2);
      CHECK(parts.use());
      for (int which : order) {
        parts.drop(which);
        CHECK(parts.use());
      }
    }
    CHECK_EQ(Counted::live, 0);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK_EQ(orders, 720);
}

TEST(objects_outlive_their_store_wrapper) {
  Counted::live = 0;
  std::optional<Extern> ext;
  std::optional<Frame> frame;
  std::optional<Trap> trap;
  std::optional<ExternRef> ref;
  std::optional<Linker> linker;
  std::optional<SharedModule> shared;
  Engine engine;
  {
    Store store(engine);
    Module module = Module::create(store, binary()).value();
    shared.emplace(module.share());
    linker.emplace();
    CHECK_OK(linker->define_func(store, "host", "f", Counted(7)));
    Instance inst = linker->instantiate(store, module).value();
    ext.emplace(inst.get_export("call_f").value());
    Error e = inst.get_func("trap").value().typed<void()>(store).value()().error();
    trap.emplace(std::move(e.trap()));
    frame.emplace(trap->trace().at(0).copy());
    ref.emplace(ExternRef::make(store, Counted(8)));
  }
  CHECK_EQ(Counted::live, 2);
  CHECK(ext->func() != nullptr);
  CHECK_EQ(ext->func()->call({Val(1)}).value()[0].i32(), 8);
  CHECK_EQ(trap->message(), std::string("unreachable"));
  CHECK(frame->instance() != nullptr);
  CHECK_EQ(ref->data<Counted>()->bias, 8);
  ext.reset();
  trap.reset();
  CHECK_EQ(Counted::live, 2);
  linker.reset();
  frame.reset();
  CHECK_EQ(Counted::live, 2);  // the ExternRef still holds the store
  ref.reset();
  CHECK_EQ(Counted::live, 0);
  // A shared module outlives the store it came from.
  Store store2(engine);
  CHECK_OK(shared->obtain(store2));
  shared.reset();
}

TEST(typed_calls_after_the_store_wrapper_is_gone) {
  Engine engine;
  std::optional<TypedFunc<int32_t(int32_t)>> numbers;
  std::optional<TypedFunc<ExternRef(ExternRef)>> refs;
  {
    Store store(engine);
    Module m = Module::from_wat(store, R"((module
      (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func (export "id") (param externref) (result externref) local.get 0)))")
                   .value();
    Instance inst = Instance::create(store, m, {}).value();
    numbers.emplace(inst.get_func("inc").value().typed<int32_t(int32_t)>(store).value());
    refs.emplace(inst.get_func("id").value().typed<ExternRef(ExternRef)>(store).value());
    CHECK(refs->call(nullptr).value().is_null());
  }
  // Numbers need no store; references do, and say so instead of crashing.
  CHECK_EQ((*numbers)(41).value(), 42);
  CHECK_ERR((*refs)(nullptr), "Store was destroyed");
}

TEST(moves_and_self_assignment_do_not_double_free) {
  Engine engine;
  Store store(engine);
  Func f = Func::wrap(store, [](int32_t x) { return x; });
  Func g = std::move(f);
  Func& alias = g;
  g = std::move(alias);
  CHECK(g);
  f = g.copy();
  g = std::move(f);
  CHECK(g && !f);
  Val v(FuncRef(g.copy()));
  Val& valias = v;
  v = std::move(valias);
  CHECK(v.kind() == ValKind::FuncRef);
  Result<int> r = 3;
  Result<int>& ralias = r;
  r = std::move(ralias);
  CHECK_EQ(*r, 3);
}

int main() { return check::run_all_tests(); }
