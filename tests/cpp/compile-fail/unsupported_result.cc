// expect-error: craneway: unsupported result type in a wasm function signature
#include <craneway.hh>
#include <string>
void f(craneway::Store& store, const craneway::Func& func) {
  auto r = func.typed<std::string(int32_t)>(store);
  (void)r;
}
