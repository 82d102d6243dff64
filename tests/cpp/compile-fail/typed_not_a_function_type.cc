// expect-error: craneway: TypedFunc<Sig> needs a function type such as int32_t(int32_t, int32_t)
#include <craneway.hh>
void f(craneway::Store& store, const craneway::Func& func) {
  auto r = func.typed<int32_t>(store);
  (void)r;
}
