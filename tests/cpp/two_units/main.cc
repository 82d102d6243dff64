// Two translation units of one program include the headers and
// instantiate the same templates (typed calls, Func::wrap, Result): it
// links only if the headers define nothing that is not inline. This unit
// includes the umbrella header; other.cc includes each part separately.

#include <craneway.hh>

#include "../check.hh"

using namespace craneway;

// Defined in other.cc.
int32_t call_add_from_other_unit(Store& store, const Func& add);
Func make_host_in_other_unit(Store& store);

TEST(templates_instantiated_in_both_units) {
  Engine engine;
  Store store(engine);
  Module m = Module::from_wat(store, R"((module
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)))")
                 .value();
  Instance inst = Instance::create(store, m, {}).value();
  Func add = inst.get_func("add").value();
  auto typed = add.typed<int32_t(int32_t, int32_t)>(store).value();
  CHECK_EQ(typed(1, 2).value(), 3);
  CHECK_EQ(call_add_from_other_unit(store, add), 42);
  Func host = make_host_in_other_unit(store);
  auto h = host.typed<int32_t(int32_t, int32_t)>(store).value();
  CHECK_EQ(h(6, 7).value(), 42);
  // The same lambda type shape wrapped here too.
  Func local = Func::wrap(store, [](int32_t a, int32_t b) { return a * b; });
  CHECK_EQ(local.typed<int32_t(int32_t, int32_t)>(store).value()(2, 3).value(), 6);
  // Host data made in one unit is read by type in the other.
  ExternRef e = ExternRef::make(store, std::string("shared tag"));
  CHECK(e.data<std::string>() != nullptr);
}

int main() { return check::run_all_tests(); }
