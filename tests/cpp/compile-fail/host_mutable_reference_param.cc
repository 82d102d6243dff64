// expect-error: craneway: host function parameters must be taken by value or const reference
#include <craneway.hh>
craneway::Func f(craneway::Store& store) {
  return craneway::Func::wrap(store, [](int32_t& x) { return x; });
}
