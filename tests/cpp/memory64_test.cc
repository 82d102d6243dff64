// 64-bit memories and tables through the C++ layer: types with 64-bit
// limits, a host memory imported by a module that addresses it with i64,
// growth past 4 GiB, and out-of-bounds traps above 4 GiB.

#include <craneway.hh>

#include <cstdint>
#include <string>

#include "check.hh"

using namespace craneway;

static constexpr uint64_t gib4 = uint64_t{1} << 32;

TEST(memory64_type_limits) {
  MemoryType t = MemoryType::memory64(Limits64{1, 81920});
  CHECK(t.is64());
  CHECK_EQ(t.limits64().min, 1u);
  CHECK_EQ(t.limits64().max, 81920u);
  CHECK_EQ(t.limits().max, 81920u);
  MemoryType big = MemoryType::memory64(Limits64{0, uint64_t{1} << 40});
  CHECK_EQ(big.limits().max, no_max);  // saturated in wasm.h's view
  CHECK_EQ(big.limits64().max, uint64_t{1} << 40);
  CHECK(!MemoryType(Limits{1, 2}).is64());
  CHECK(MemoryType::memory64(Limits64{}).limits64().max == Limits64::no_max);
  CHECK(t.copy().is64());
}

TEST(memory64_imported_grows_past_4gib) {
  Engine engine;
  Store store(engine);
  Memory mem = Memory::create(store, MemoryType::memory64(Limits64{1, 81920})).value();
  CHECK(mem.type().is64());
  Module m = Module::from_wat(store, R"((module
    (import "env" "memory" (memory i64 1))
    (func (export "load") (param i64) (result i32) local.get 0 i32.load8_u)
    (func (export "store") (param i64 i32) local.get 0 local.get 1 i32.store8)
    (func (export "grow") (param i64) (result i64) local.get 0 memory.grow)))")
                 .value();
  Instance inst = Instance::create(store, m, {mem}).value();
  auto load = inst.get_func("load").value().typed<int32_t(int64_t)>(store).value();
  auto store8 = inst.get_func("store").value().typed<void(int64_t, int32_t)>(store).value();
  auto grow = inst.get_func("grow").value().typed<int64_t(int64_t)>(store).value();

  CHECK_OK(store8(10, 5));
  CHECK_EQ(load(10).value(), 5);
  CHECK_ERR(load(65536), "out of bounds");
  CHECK_ERR(load(static_cast<int64_t>(gib4 + 10)), "out of bounds");
  CHECK_ERR(load(-1), "out of bounds");

  CHECK_EQ(grow(65536).value(), 1);
  CHECK_EQ(mem.pages64(), 65537u);
  CHECK_OK(store8(static_cast<int64_t>(gib4 + 10), 77));
  CHECK_EQ(load(static_cast<int64_t>(gib4 + 10)).value(), 77);
  CHECK_EQ(mem.data()[gib4 + 10], 77);
  CHECK_ERR(load(static_cast<int64_t>(gib4 + 65536)), "out of bounds");
  CHECK_EQ(grow(100000).value(), -1);
  CHECK_EQ(mem.grow64(2).value(), 65537u);
  CHECK_ERR(mem.grow64(uint64_t{1} << 40), "failed");
  CHECK_EQ(mem.pages64(), 65539u);
}

TEST(table64_type_and_import) {
  Engine engine;
  Store store(engine);
  TableType tt = TableType::table64(ValKind::FuncRef, Limits64{2, 10});
  CHECK(tt.is64());
  CHECK_EQ(tt.limits64().min, 2u);
  CHECK_EQ(tt.limits64().max, 10u);
  CHECK(!TableType::table64(ValKind::I32, Limits64{}));
  Table t = Table::create(store, tt).value();
  Module m = Module::from_wat(store, R"((module
    (import "env" "t" (table i64 2 funcref))
    (func (export "size") (result i64) table.size 0)
    (func (export "get_null") (param i64) (result i32) local.get 0 table.get 0 ref.is_null)))")
                 .value();
  Instance inst = Instance::create(store, m, {t}).value();
  auto size = inst.get_func("size").value().typed<int64_t()>(store).value();
  auto get_null = inst.get_func("get_null").value().typed<int32_t(int64_t)>(store).value();
  CHECK_EQ(size().value(), 2);
  CHECK_EQ(get_null(1).value(), 1);
  CHECK_ERR(get_null(static_cast<int64_t>(gib4 + 1)), "out of bounds");
}

int main() { return check::run_all_tests(); }
