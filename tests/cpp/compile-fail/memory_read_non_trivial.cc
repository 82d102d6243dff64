// expect-error: craneway: MemoryView::read needs a trivially copyable type
#include <craneway.hh>
#include <string>
void f(const craneway::Memory& memory) {
  auto r = memory.read<std::string>(0);
  (void)r;
}
