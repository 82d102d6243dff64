// expect-error: craneway: unsupported parameter type in a wasm function signature
// `long long` is not int64_t (which is `long`) on LP64 Linux.
#include <craneway.hh>
craneway::Func f(craneway::Store& store) {
  return craneway::Func::wrap(store, [](long long x) { return static_cast<int64_t>(x); });
}
