// expect-error: craneway: Func::wrap needs a function pointer or a callable with exactly one non-template operator()
#include <craneway.hh>
craneway::Func f(craneway::Store& store) {
  return craneway::Func::wrap(store, [](auto x) { return x; });
}
