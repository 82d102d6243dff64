// craneway/caller.hh: `Caller`, what a host function made by `Func::wrap`
// may take first to reach the instance that called it.

#ifndef CRANEWAY_CALLER_HH
#define CRANEWAY_CALLER_HH

#include "extern.hh"
#include "memory.hh"

namespace craneway {

/// The calling instance of a host function, valid during the call only:
/// take it as the first parameter (`Caller&`) of a callable given to
/// `Func::wrap` to reach the caller's exports, its memory above all.
/// Neither copyable nor movable (it lives on the host call's stack).
class Caller {
 public:
  /// Wraps the C caller handle of a `craneway_func_new_with_caller` callback.
  explicit Caller(craneway_caller_t* raw) noexcept : raw_(raw) {}
  Caller(const Caller&) = delete;
  Caller& operator=(const Caller&) = delete;

  /// A view of the caller's exported memory `name` (by default
  /// "memory"), or an Error if it exports no memory of that name. The view
  /// is valid during the call (and until the memory grows).
  Result<MemoryView> memory(std::string_view name = "memory") const {
    uint8_t* data = nullptr;
    size_t size = 0;
    if (!craneway_caller_memory(raw_, name.data(), name.size(), &data, &size)) {
      return Error("the calling instance exports no memory named \"" + std::string(name) + "\"");
    }
    return MemoryView(data, size);
  }
  /// The caller's export `name` (a new reference), or an Error if it has
  /// none of that name.
  Result<Extern> get_export(std::string_view name) const {
    wasm_extern_t* e = craneway_caller_export(raw_, name.data(), name.size());
    if (e == nullptr) {
      return Error("the calling instance has no export named \"" + std::string(name) + "\"");
    }
    return Extern::adopt(e);
  }
  /// The caller's exported function `name`, or an Error if it exports no
  /// function of that name.
  Result<Func> get_func(std::string_view name) const {
    Result<Extern> e = get_export(name);
    if (!e) return std::move(e).error();
    if (e->func() == nullptr) {
      return Error("the calling instance's export \"" + std::string(name) + "\" is not a function");
    }
    return std::move(*e->func());
  }
  /// The C caller handle.
  craneway_caller_t* raw() const noexcept { return raw_; }

 private:
  craneway_caller_t* raw_;
};

}  // namespace craneway

#endif  // CRANEWAY_CALLER_HH
