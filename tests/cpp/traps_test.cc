// Traps from wasm (each kind, with message and frames) and from host
// functions, through typed and untyped calls and instantiation; Trap,
// Frame and Error themselves.

#include <craneway.hh>

#include <string>

#include "check.hh"

using namespace craneway;

namespace {

const char* kWat = R"((module
  (import "host" "fail" (func $fail (param i32)))
  (type $v_v (func))
  (table 2 funcref)
  (elem (i32.const 0) $unreachable)
  (memory 1)
  (func $unreachable (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func $rec (export "recurse") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $rec)
  (func (export "bad_indirect") (param i32) (result i32) local.get 0 call_indirect (result i32))
  (func $inner (param i32) local.get 0 call $fail)
  (func (export "outer") (param i32) local.get 0 call $inner)
))";

struct Fixture {
  Engine engine;
  Store store{engine};
  Module module = Module::from_wat(store, kWat).value();
  Func fail = Func::wrap(store, [](int32_t code) -> Result<void> {
    if (code != 0) return Error("host failure " + std::to_string(code));
    return {};
  });
  Instance instance = Instance::create(store, module, {fail}).value();
  Func func(const char* name) { return instance.get_func(name).value(); }
};

}  // namespace

TEST(trap_unreachable_has_message_and_frames) {
  Fixture f;
  auto r = f.func("unreachable").typed<void()>(f.store).value()();
  CHECK(!r.ok());
  const Error& e = r.error();
  CHECK(e.is_trap());
  CHECK_ERR(r, "unreachable");
  std::vector<Frame> frames = e.frames();
  CHECK_EQ(frames.size(), size_t{1});
  CHECK_EQ(frames[0].func_index(), 1u);  // after the one import
  CHECK(frames[0].module_offset() > 0);
  std::optional<Frame> origin = e.trap().origin();
  CHECK(origin.has_value());
  CHECK_EQ(origin->func_index(), 1u);
  CHECK_EQ(origin->copy().module_offset(), origin->module_offset());
}

TEST(trap_integer_divide_by_zero_and_overflow) {
  Fixture f;
  auto div = f.func("div").typed<int32_t(int32_t, int32_t)>(f.store).value();
  CHECK_EQ(div(7, 2).value(), 3);
  CHECK_ERR(div(1, 0), "integer divide by zero");
  CHECK_ERR(div(INT32_MIN, -1), "integer overflow");
  CHECK_EQ(div(9, 3).value(), 3);
}

TEST(trap_out_of_bounds_memory) {
  Fixture f;
  auto load = f.func("load").typed<int32_t(int32_t)>(f.store).value();
  CHECK_EQ(load(0).value(), 0);
  CHECK_ERR(load(65536), "out of bounds memory access");
  CHECK_ERR(load(-1), "out of bounds memory access");
}

TEST(trap_stack_exhausted) {
  Fixture f;
  auto recurse = f.func("recurse").typed<int32_t(int32_t)>(f.store).value();
  auto r = recurse(0);
  CHECK_ERR(r, "call stack exhausted");
  CHECK(r.error().frames().size() > 1);
}

TEST(trap_indirect_call_errors) {
  Fixture f;
  auto bad = f.func("bad_indirect").typed<int32_t(int32_t)>(f.store).value();
  CHECK_ERR(bad(0), "indirect call type mismatch");
  CHECK_ERR(bad(1), "uninitialized element");
  CHECK_ERR(bad(5), "undefined element");
}

TEST(host_trap_through_wasm_frames) {
  Fixture f;
  auto outer = f.func("outer").typed<void(int32_t)>(f.store).value();
  CHECK_OK(outer(0));
  auto r = outer(7);
  CHECK_ERR(r, "host failure 7");
  CHECK(r.error().is_trap());
  std::vector<Frame> frames = r.error().frames();
  // inner (func 6) then outer (func 7), innermost first.
  CHECK_EQ(frames.size(), size_t{2});
  CHECK_EQ(frames[0].func_index(), 6u);
  CHECK_EQ(frames[1].func_index(), 7u);
}

TEST(untyped_call_traps) {
  Fixture f;
  auto r = f.func("div").call({Val(1), Val(0)});
  CHECK_ERR(r, "integer divide by zero");
  CHECK(r.error().is_trap());
  CHECK_EQ(r.error().frames().size(), size_t{1});
}

TEST(trap_in_start_function_fails_instantiation) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, "(module (func $s unreachable) (start $s))").value();
  auto inst = Instance::create(store, m, {});
  CHECK_ERR(inst, "unreachable");
  CHECK(inst.error().is_trap());
  CHECK_EQ(inst.error().frames().size(), size_t{1});
}

TEST(trap_object) {
  Engine engine;
  Store store(engine);
  Trap t(store, "made by the host");
  CHECK(t);
  CHECK_EQ(t.message(), std::string("made by the host"));
  CHECK(t.trace().empty());
  CHECK(!t.origin().has_value());
  Trap c = t.copy();
  CHECK_EQ(c.message(), t.message());
  Trap empty;
  CHECK(!empty);
  CHECK_EQ(empty.message(), std::string());
  CHECK(empty.trace().empty());
  Error e(std::move(t));
  CHECK(!t);
  CHECK(e.is_trap());
  CHECK_EQ(e.message(), std::string("made by the host"));
  Trap taken = std::move(e.trap());
  CHECK(taken);
  CHECK(!e.is_trap());
  CHECK_EQ(e.message(), std::string("made by the host"));
  Error plain("no trap");
  CHECK(!plain.is_trap());
  CHECK(plain.frames().empty());
}

TEST(result_accessors) {
  Result<int> ok = 5;
  CHECK(ok.ok());
  CHECK(static_cast<bool>(ok));
  CHECK_EQ(*ok, 5);
  CHECK_EQ(ok.value_or(7), 5);
  Result<int> bad = Error("nope");
  CHECK(!bad);
  CHECK_EQ(bad.value_or(7), 7);
  CHECK_EQ(bad.error().message(), std::string("nope"));
  Result<std::string> s = std::string("text");
  CHECK_EQ(s->size(), size_t{4});
  Result<std::string> moved = std::move(s);
  CHECK_EQ(*moved, std::string("text"));
  moved = Error("replaced");
  CHECK(!moved);
  Result<void> v;
  CHECK(v.ok());
  v.value();
  Result<void> verr = Error("void error");
  CHECK_EQ(std::move(verr).error().message(), std::string("void error"));
}

int main() { return check::run_all_tests(); }
