// Config, Engine and Store; modules (binary, text, errors, reflection,
// serialization, sharing across threads); wat2wasm; the type objects.

#include <craneway.hh>

#include <string>
#include <thread>

#include "check.hh"

using namespace craneway;

namespace {

const char* kWat = R"((module
  (import "env" "f" (func (param i32) (result i64)))
  (import "env" "m" (memory 1 2))
  (import "env" "g" (global (mut f32)))
  (import "env" "t" (table 1 5 externref))
  (func (export "id") (param i32) (result i32) local.get 0)
  (global (export "c") f64 (f64.const 0))
))";

}  // namespace

TEST(config_settings) {
  Config config;
  CHECK(config);
  CHECK(config.opt_level(OptLevel::None));
  CHECK(config.max_wasm_stack(1 << 20));
  CHECK(!config.max_wasm_stack(10));
  CHECK(config.memory_guard_size(1 << 16));
  CHECK(!config.memory_guard_size(12345));
  CHECK(config.wasm_features(features::extended_const));
  CHECK(!config.wasm_features(0x80000000u));
  Engine engine(std::move(config));
  CHECK(engine);
  CHECK(!config);  // taken by the engine
  Store store(engine);
  CHECK(store);
  auto m = Module::from_wat(store, "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))");
  CHECK_OK(m);
  // The default engine has it (WebAssembly 3.0); exactly 2.0 does not.
  Engine plain;
  Store plain_store(plain);
  CHECK(Module::from_wat(plain_store, "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))").ok());
  CHECK((features::supported() & features::extended_const) != 0);
  Config v2;
  CHECK(v2.wasm_features(features::wasm_2_0));
  Engine v2_engine(std::move(v2));
  Store v2_store(v2_engine);
  CHECK(!Module::from_wat(v2_store, "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))").ok());
}

TEST(engine_and_store_moves) {
  Engine a;
  Engine b = std::move(a);
  CHECK(!a);
  CHECK(b);
  Store s(b);
  Store t = std::move(s);
  CHECK(!s);
  CHECK(t);
  s = std::move(t);
  CHECK(s);
  Store empty_store{Engine(static_cast<wasm_engine_t*>(nullptr))};
  CHECK(!empty_store);
}

TEST(module_from_binary_and_text) {
  Engine engine;
  Store store(engine);
  std::vector<uint8_t> bin = wat2wasm("(module (func (export \"f\")))").value();
  CHECK_EQ(bin[0], 0);
  CHECK_EQ(bin[1], 'a');
  CHECK(Module::validate(store, bin));
  Module m = Module::create(store, bin).value();
  CHECK_EQ(m.exports().size(), size_t{1});
  const uint8_t empty_module[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  CHECK_OK(Module::create(store, empty_module));
  CHECK_OK(Module::create(store, {0, 'a', 's', 'm', 1, 0, 0, 0}));
}

TEST(module_errors) {
  Engine engine;
  Store store(engine);
  CHECK_ERR(wat2wasm("(module (func (export \"f\") (result i32)"), "expected");
  CHECK_ERR(Module::from_wat(store, "(module (func"), "expected");
  const uint8_t garbage[] = {1, 2, 3, 4};
  CHECK(!Module::validate(store, garbage));
  CHECK_ERR(Module::create(store, garbage), "magic");
  CHECK_ERR(Module::from_wat(store, "(module (func (result i32) i64.const 0))"), "type mismatch");
  CHECK_ERR(Module::deserialize(store, garbage), "cannot deserialize");
}

TEST(module_reflection) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, kWat).value();
  std::vector<ImportType> imports = m.imports();
  CHECK_EQ(imports.size(), size_t{4});
  CHECK_EQ(std::string(imports[0].module()), std::string("env"));
  CHECK_EQ(std::string(imports[0].name()), std::string("f"));
  CHECK(imports[0].kind() == ExternKind::Func);
  CHECK_EQ(imports[0].type().func()->to_string(), std::string("(i32) -> (i64)"));
  CHECK(!imports[0].type().memory().has_value());
  MemoryType mt = *imports[1].type().memory();
  CHECK_EQ(mt.limits().min, 1u);
  CHECK_EQ(mt.limits().max, 2u);
  GlobalType gt = *imports[2].type().global();
  CHECK(gt.content() == ValKind::F32);
  CHECK(gt.mutability() == Mutability::Var);
  TableType tt = *imports[3].type().table();
  CHECK(tt.element() == ValKind::ExternRef);
  CHECK_EQ(tt.limits().max, 5u);
  std::vector<ExportType> exports = m.exports();
  CHECK_EQ(exports.size(), size_t{2});
  CHECK_EQ(std::string(exports[0].name()), std::string("id"));
  CHECK(exports[1].kind() == ExternKind::Global);
  CHECK_EQ(std::string(exports[1].copy().name()), std::string("c"));
  CHECK_EQ(std::string(imports[3].copy().name()), std::string("t"));
}

TEST(module_serialize_and_share) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, "(module (func (export \"seven\") (result i32) i32.const 7))").value();
  std::vector<uint8_t> bytes = m.serialize();
  CHECK(!bytes.empty());
  Module back = Module::deserialize(store, bytes).value();
  Instance inst = Instance::create(store, back, {}).value();
  CHECK_EQ(inst.get_func("seven").value().typed<int32_t()>(store).value()().value(), 7);
  CHECK(m.copy().same(m));
  CHECK(!back.same(m));

  SharedModule shared = m.share();
  CHECK(shared);
  int32_t from_thread = 0;
  std::thread worker([&] {
    Store s(engine);
    Module local = shared.obtain(s).value();
    Instance i = Instance::create(s, local, {}).value();
    from_thread = i.get_func("seven").value().typed<int32_t()>(s).value()().value();
  });
  worker.join();
  CHECK_EQ(from_thread, 7);
}

TEST(type_objects) {
  ValType v(ValKind::F64);
  CHECK(v.kind() == ValKind::F64);
  CHECK(v.copy().kind() == ValKind::F64);
  FuncType f({ValKind::I32, ValKind::V128}, {ValKind::FuncRef});
  CHECK_EQ(f.params().size(), size_t{2});
  CHECK(f.params()[1] == ValKind::V128);
  CHECK(f.results()[0] == ValKind::FuncRef);
  CHECK_EQ(f.copy().to_string(), std::string("(i32, v128) -> (funcref)"));
  CHECK_EQ(FuncType({}, {}).to_string(), std::string("() -> ()"));
  GlobalType g(ValKind::ExternRef, Mutability::Const);
  CHECK(g.copy().content() == ValKind::ExternRef);
  CHECK(g.mutability() == Mutability::Const);
  TableType t(ValKind::FuncRef, Limits{1});
  CHECK_EQ(t.limits().max, no_max);
  CHECK(t.copy().element() == ValKind::FuncRef);
  MemoryType m(Limits{2, 3});
  CHECK_EQ(m.copy().limits().min, 2u);
  ExternType e(std::move(f));
  CHECK(!f);
  CHECK(e.kind() == ExternKind::Func);
  CHECK_EQ(e.func()->to_string(), std::string("(i32, v128) -> (funcref)"));
  CHECK(!e.global().has_value());
  CHECK(ExternType(std::move(g)).kind() == ExternKind::Global);
  CHECK(ExternType(std::move(t)).kind() == ExternKind::Table);
  CHECK(ExternType(std::move(m)).copy().kind() == ExternKind::Memory);
  ImportType imp("mod", "name", ExternType(MemoryType(Limits{1})));
  CHECK_EQ(std::string(imp.module()), std::string("mod"));
  CHECK_EQ(std::string(imp.name()), std::string("name"));
  CHECK(imp.kind() == ExternKind::Memory);
  ExportType exp("out", ExternType(GlobalType(ValKind::I64, Mutability::Var)));
  CHECK_EQ(std::string(exp.name()), std::string("out"));
  CHECK(exp.type().global()->content() == ValKind::I64);
  CHECK_EQ(std::string(to_string(ValKind::ExternRef)), std::string("externref"));
  CHECK_EQ(std::string(to_string(ExternKind::Table)), std::string("table"));
}

int main() { return check::run_all_tests(); }
