// Instances (imports by position, exports by name) and the Linker
// (imports by module and name).

#include <craneway.hh>

#include <string>

#include "check.hh"

using namespace craneway;

namespace {

const char* kImports = R"((module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "memory" (memory 1))
  (import "env" "g" (global $g i32))
  (import "env" "table" (table 1 funcref))
  (func (export "run") (param i32) (result i32)
    local.get 0 global.get $g call $add)
  (func (export "peek") (param i32) (result i32) local.get 0 i32.load)
  (global (export "answer") i32 (i32.const 42))
))";

}  // namespace

TEST(instance_with_imports_by_position) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, kImports).value();
  Func add = Func::wrap(store, [](int32_t a, int32_t b) { return a + b; });
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  Global g = Global::create(store, GlobalType(ValKind::I32, Mutability::Const), Val(100)).value();
  Table t = Table::create(store, TableType(ValKind::FuncRef, Limits{1})).value();
  Instance inst = Instance::create(store, m, {add, mem, g, t}).value();
  CHECK_EQ(inst.get_func("run").value().typed<int32_t(int32_t)>(store).value()(5).value(), 105);
  CHECK_OK(mem.write<int32_t>(4, 77));
  CHECK_EQ(inst.get_func("peek").value().typed<int32_t(int32_t)>(store).value()(4).value(), 77);
  CHECK_EQ(inst.get_global("answer").value().get().i32(), 42);
}

TEST(instance_link_errors) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, kImports).value();
  Func add = Func::wrap(store, [](int32_t a, int32_t b) { return a + b; });
  Func wrong = Func::wrap(store, [](int32_t a) { return a; });
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  Global g = Global::create(store, GlobalType(ValKind::I32, Mutability::Const), Val(1)).value();
  Table t = Table::create(store, TableType(ValKind::FuncRef, Limits{1})).value();
  auto too_few = Instance::create(store, m, {add});
  CHECK(!too_few.ok());
  CHECK(!too_few.error().message().empty());
  auto mistyped = Instance::create(store, m, {wrong, mem, g, t});
  CHECK(!mistyped.ok());
  auto wrong_kind = Instance::create(store, m, {mem, add, g, t});
  CHECK(!wrong_kind.ok());
  Store other(engine);
  Func foreign = Func::wrap(other, [](int32_t a, int32_t b) { return a + b; });
  CHECK_ERR(Instance::create(store, m, {foreign, mem, g, t}), "another store");
  Func empty;
  CHECK(!Instance::create(store, m, {empty, mem, g, t}).ok());
}

TEST(instance_exports) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, R"((module
    (func (export "f"))
    (memory (export "m") 1)
    (global (export "g") (mut f64) (f64.const 1.5))
    (table (export "t") 3 externref)))")
                 .value();
  Instance inst = Instance::create(store, m, {}).value();
  const std::vector<std::string>& names = inst.export_names();
  CHECK_EQ(names.size(), size_t{4});
  CHECK_EQ(names[0], std::string("f"));
  CHECK_EQ(names[3], std::string("t"));
  std::vector<Extern> exports = inst.exports();
  CHECK_EQ(exports.size(), size_t{4});
  CHECK(exports[0].kind() == ExternKind::Func && exports[0].func() != nullptr);
  CHECK(exports[1].kind() == ExternKind::Memory && exports[1].memory() != nullptr);
  CHECK(exports[2].kind() == ExternKind::Global && exports[2].global() != nullptr);
  CHECK(exports[3].kind() == ExternKind::Table && exports[3].table() != nullptr);
  CHECK(exports[3].type().kind() == ExternKind::Table);
  CHECK_EQ(exports[2].global()->get().f64(), 1.5);
  CHECK_EQ(inst.get_table("t").value().size(), 3u);
  CHECK_ERR(inst.get_export("nope"), "no export named \"nope\"");
  CHECK_ERR(inst.get_func("m"), "export \"m\" is a memory, not a function");
  CHECK_ERR(inst.get_memory("f"), "is a func, not a memory");
  CHECK_ERR(inst.get_global("t"), "not a global");
  CHECK_ERR(inst.get_table("g"), "not a table");
  Instance c = inst.copy();
  CHECK(c.same(inst));
  CHECK_EQ(c.export_names().size(), size_t{4});
  Extern e = exports[0].copy();
  CHECK(e.func()->same(*exports[0].func()));
  CHECK(!Extern());
}

TEST(linker_resolves_by_name) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, kImports).value();
  Linker linker;
  CHECK_OK(linker.define_func(store, "env", "add", [](int32_t a, int32_t b) { return a * b; }));
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  Global g = Global::create(store, GlobalType(ValKind::I32, Mutability::Const), Val(3)).value();
  Table t = Table::create(store, TableType(ValKind::FuncRef, Limits{1})).value();
  // Defined in another order than the imports.
  CHECK_OK(linker.define("env", "table", t));
  CHECK_OK(linker.define("env", "g", g));
  CHECK_OK(linker.define("env", "memory", mem));
  Instance inst = linker.instantiate(store, m).value();
  CHECK_EQ(inst.get_func("run").value().typed<int32_t(int32_t)>(store).value()(7).value(), 21);
  CHECK(linker.get("env", "memory").value().memory()->same(mem));
  CHECK_ERR(linker.get("env", "nope"), "unknown import: \"env\" \"nope\"");
}

TEST(linker_errors) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, kImports).value();
  Linker linker;
  CHECK_ERR(linker.instantiate(store, m), "unknown import: \"env\" \"add\" has not been defined");
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  CHECK_OK(linker.define("env", "add", mem));
  CHECK_ERR(linker.instantiate(store, m), "import \"env\" \"add\" is a func but is defined as a memory");
  CHECK_ERR(linker.define("env", "add", mem), "already defined");
  linker.allow_shadowing(true);
  CHECK_OK(linker.define_func(store, "env", "add", [](int32_t a, int32_t) { return a; }));
  CHECK_ERR(linker.instantiate(store, m), "unknown import: \"env\" \"memory\"");
  Func empty;
  CHECK_ERR(linker.define("env", "x", empty), "empty");
}

TEST(linker_instances_link_to_each_other) {
  Engine engine;
  Store store(engine);
  Module lib = Module::from_wat(store, R"((module
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 0))
    (func (export "alloc") (param i32) (result i32)
      global.get $next global.get $next local.get 0 i32.add global.set $next)))")
                   .value();
  Module app = Module::from_wat(store, R"((module
    (import "lib" "alloc" (func $alloc (param i32) (result i32)))
    (import "lib" "memory" (memory 1))
    (export "memory" (memory 0))
    (import "host" "log" (func $log (param i32 i32)))
    (func (export "main") (result i32)
      (local $p i32)
      i32.const 4 call $alloc drop
      i32.const 5 call $alloc local.set $p
      local.get $p i32.const 0x6c6c6568 i32.store
      local.get $p i32.const 111 i32.store8 offset=4
      local.get $p i32.const 5 call $log
      local.get $p)))")
                   .value();
  Linker linker;
  std::string logged;
  CHECK_OK(linker.define_func(store, "host", "log",
                              [&logged](Caller& caller, int32_t ptr, int32_t len) -> Result<void> {
                                Result<MemoryView> mem = caller.memory();
                                if (!mem) return std::move(mem).error();
                                Result<std::string_view> s = mem->string(ptr, len);
                                if (!s) return std::move(s).error();
                                logged = std::string(*s);
                                return {};
                              }));
  Instance lib_inst = linker.instantiate(store, lib).value();
  CHECK_OK(linker.define_instance("lib", lib_inst));
  Instance app_inst = linker.instantiate(store, app).value();
  auto main_fn = app_inst.get_func("main").value().typed<int32_t()>(store).value();
  CHECK_EQ(main_fn().value(), 4);
  CHECK_EQ(logged, std::string("hello"));
  Linker moved = std::move(linker);
  CHECK_OK(moved.get("lib", "alloc"));
}

int main() { return check::run_all_tests(); }
