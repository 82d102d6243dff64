// expect-error: craneway: a host function takes its Caller by reference (Caller&)
#include <craneway.hh>
craneway::Func f(craneway::Store& store) {
  return craneway::Func::wrap(store, [](craneway::Caller, int32_t x) { return x; });
}
