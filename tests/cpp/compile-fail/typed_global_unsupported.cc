// expect-error: craneway: unsupported parameter type in a wasm function signature
#include <craneway.hh>
void f(const craneway::Global& global) {
  auto r = global.typed<long double>();
  (void)r;
}
