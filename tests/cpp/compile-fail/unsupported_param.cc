// expect-error: craneway: unsupported parameter type in a wasm function signature
// A typed signature with a C++ type that has no wasm equivalent.
#include <craneway.hh>
void f(craneway::Store& store, const craneway::Func& func) {
  auto r = func.typed<int32_t(bool)>(store);
  (void)r;
}
