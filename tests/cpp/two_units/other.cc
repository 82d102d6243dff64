// The second translation unit of the two_units test: includes every part
// of the API on its own, in an unusual order.

#include <craneway/linker.hh>
#include <craneway/caller.hh>
#include <craneway/common.hh>
#include <craneway/error.hh>
#include <craneway/extern.hh>
#include <craneway/func.hh>
#include <craneway/global.hh>
#include <craneway/instance.hh>
#include <craneway/memory.hh>
#include <craneway/module.hh>
#include <craneway/store.hh>
#include <craneway/table.hh>
#include <craneway/types.hh>
#include <craneway/value.hh>
#include <craneway.hh>

using namespace craneway;

int32_t call_add_from_other_unit(Store& store, const Func& add) {
  auto typed = add.typed<int32_t(int32_t, int32_t)>(store);
  if (!typed) return -1;
  return (*typed)(40, 2).value_or(-1);
}

Func make_host_in_other_unit(Store& store) {
  return Func::wrap(store, [](Caller& caller, int32_t a, int32_t b) -> Result<int32_t> {
    (void)caller;
    return a * b;
  });
}
