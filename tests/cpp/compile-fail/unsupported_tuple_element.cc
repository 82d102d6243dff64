// expect-error: craneway: unsupported result type in a wasm function signature
#include <craneway.hh>
#include <tuple>
void f(craneway::Store& store, const craneway::Func& func) {
  auto r = func.typed<std::tuple<int32_t, char>()>(store);
  (void)r;
}
