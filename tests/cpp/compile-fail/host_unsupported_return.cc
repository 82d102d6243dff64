// expect-error: craneway: unsupported host function return type
#include <craneway.hh>
craneway::Func f(craneway::Store& store) {
  return craneway::Func::wrap(store, [](int32_t x) { return static_cast<short>(x); });
}
