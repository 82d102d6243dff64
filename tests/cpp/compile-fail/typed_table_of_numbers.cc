// expect-error: craneway: Table::typed<T> needs craneway::FuncRef or craneway::ExternRef
#include <craneway.hh>
void f(const craneway::Table& table) {
  auto r = table.typed<int32_t>();
  (void)r;
}
