// Memories: creation, growth, views with bounds-checked typed reads and
// writes, and sharing bytes with wasm.

#include <craneway.hh>

#include <string>

#include "check.hh"

using namespace craneway;

TEST(memory_create_and_grow) {
  Engine engine;
  Store store(engine);
  auto mem = Memory::create(store, MemoryType(Limits{1, 3}));
  CHECK_OK(mem);
  CHECK_EQ(mem->pages(), 1u);
  CHECK_EQ(mem->data_size(), Memory::page_size);
  CHECK_EQ(mem->type().limits().min, 1u);
  CHECK_EQ(mem->type().limits().max, 3u);
  CHECK_EQ(mem->grow(2).value(), 1u);
  CHECK_EQ(mem->pages(), 3u);
  CHECK_ERR(mem->grow(1), "memory.grow by 1 pages failed (at 3 pages)");
  CHECK_EQ(mem->pages(), 3u);
  CHECK_ERR(Memory::create(store, MemoryType(Limits{2, 1})), "invalid memory type");
}

TEST(memory_typed_reads_and_writes) {
  Engine engine;
  Store store(engine);
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  CHECK_OK(mem.write<int32_t>(0, -2));
  CHECK_OK(mem.write<uint64_t>(5, 0x0102030405060708ull));  // unaligned
  CHECK_OK(mem.write<double>(100, 2.5));
  CHECK_EQ(mem.read<int32_t>(0).value(), -2);
  CHECK_EQ(mem.read<uint8_t>(5).value(), 0x08);  // little-endian
  CHECK_EQ(mem.read<uint64_t>(5).value(), 0x0102030405060708ull);
  CHECK_EQ(mem.read<double>(100).value(), 2.5);
  struct Pair {
    int32_t a;
    float b;
  };
  CHECK_OK(mem.write(200, Pair{7, 1.5f}));
  Pair p = mem.read<Pair>(200).value();
  CHECK_EQ(p.a, 7);
  CHECK_EQ(p.b, 1.5f);
}

TEST(memory_bounds_checks) {
  Engine engine;
  Store store(engine);
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  MemoryView view = mem.view();
  CHECK_EQ(view.size(), size_t{65536});
  CHECK_OK(view.write<uint32_t>(65532, 1));
  CHECK_ERR(view.write<uint32_t>(65533, 1), "4 bytes at offset 65533 of a memory of 65536 bytes");
  CHECK_ERR(view.read<uint64_t>(65535), "out of bounds");
  CHECK_ERR(view.read<uint8_t>(65536), "out of bounds");
  CHECK_ERR(view.read<uint8_t>(SIZE_MAX), "out of bounds");
  CHECK_ERR(view.slice(SIZE_MAX - 1, 4), "out of bounds");
  CHECK_OK(view.slice(65536, 0));
  CHECK_ERR(view.write_string(65530, "too long!"), "out of bounds");
  // A failed write writes nothing.
  CHECK_EQ(view.read<uint8_t>(65530).value(), 0);
  CHECK(!view.in_bounds(1, SIZE_MAX));
}

TEST(memory_bytes_and_strings) {
  Engine engine;
  Store store(engine);
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  MemoryView view = mem.view();
  CHECK_OK(view.write_string(10, "craneway"));
  CHECK_EQ(std::string(view.string(10, 8).value()), std::string("craneway"));
  CHECK_OK(view.write_bytes(20, {1, 2, 3}));
  Span<uint8_t> s = view.slice(20, 3).value();
  CHECK_EQ(s[0] + s[1] + s[2], 6);
  s[1] = 9;
  CHECK_EQ(view.bytes()[21], 9);
  CHECK(view.data() == mem.data());
}

TEST(memory_shared_with_wasm) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, R"((module
    (memory (export "memory") 1 2)
    (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
    (func (export "load") (param i32) (result i32) local.get 0 i32.load)
    (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)))")
                 .value();
  Instance inst = Instance::create(store, m, {}).value();
  Memory mem = inst.get_memory("memory").value();
  auto st = inst.get_func("store").value().typed<void(int32_t, int32_t)>(store).value();
  auto ld = inst.get_func("load").value().typed<int32_t(int32_t)>(store).value();
  auto grow = inst.get_func("grow").value().typed<int32_t(int32_t)>(store).value();
  CHECK_OK(st(64, 12345));
  CHECK_EQ(mem.read<int32_t>(64).value(), 12345);
  CHECK_OK(mem.write<int32_t>(128, -7));
  CHECK_EQ(ld(128).value(), -7);
  MemoryView before = mem.view();
  CHECK_EQ(grow(1).value(), 1);
  CHECK_EQ(grow(1).value(), -1);
  CHECK_EQ(mem.pages(), 2u);
  // The old view keeps its size; a new one sees the grown memory, at the
  // same base.
  CHECK_ERR(before.read<int32_t>(70000), "out of bounds");
  CHECK_OK(mem.view().write<int32_t>(70000, 5));
  CHECK_EQ(ld(70000).value(), 5);
  CHECK(mem.view().data() == before.data());
  CHECK(mem.same(inst.get_memory("memory").value()));
  Memory c = mem.copy();
  CHECK(c.same(mem));
}

TEST(memory_imported) {
  Engine engine;
  Store store(engine);
  Memory mem = Memory::create(store, MemoryType(Limits{1})).value();
  CHECK_OK(mem.write<int32_t>(8, 99));
  Module m = Module::from_wat(store, R"((module
    (import "env" "memory" (memory 1))
    (func (export "load") (param i32) (result i32) local.get 0 i32.load)))")
                 .value();
  Instance inst = Instance::create(store, m, {mem}).value();
  CHECK_EQ(inst.get_func("load").value().typed<int32_t(int32_t)>(store).value()(8).value(), 99);
}

int main() { return check::run_all_tests(); }
