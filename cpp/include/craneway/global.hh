// craneway/global.hh: globals (`Global`) and typed access to them
// (`TypedGlobal<T>`).

#ifndef CRANEWAY_GLOBAL_HH
#define CRANEWAY_GLOBAL_HH

#include "func.hh"

namespace craneway {

template <class T>
class TypedGlobal;

/// A global (owns a `wasm_global_t`). Move-only; `copy()` makes another
/// reference to the same global.
class Global : public detail::Owner<wasm_global_t, wasm_global_delete> {
 public:
  /// No global (empty).
  Global() noexcept = default;
  /// Adopts an owned `wasm_global_t` (may be NULL).
  explicit Global(wasm_global_t* raw) noexcept : Owner(raw) {}

  /// A new global of `type` in `store` holding `init`, or an Error if
  /// `init` does not have the type's content kind.
  static Result<Global> create(const Store& store, const GlobalType& type, const Val& init) {
    wasm_global_t* g = wasm_global_new(store.raw(), type.raw(), &init.raw());
    if (g == nullptr) {
      return Error(std::string("global initial value of kind ") + to_string(init.kind()) +
                   " for a global of type " + to_string(type.content()));
    }
    return Global(g);
  }

  /// The global's type.
  GlobalType type() const { return GlobalType(wasm_global_type(ptr_)); }
  /// The current value.
  Val get() const {
    wasm_val_t v;
    wasm_global_get(ptr_, &v);
    return Val::adopt(v);
  }
  /// Sets the value; an Error if the global is immutable or `value` has
  /// another kind (checked on every call; `typed` checks once).
  Result<void> set(const Val& value) {
    GlobalType ty = type();
    if (ty.mutability() != Mutability::Var) return Error("cannot set an immutable global");
    if (ty.content() != value.kind()) {
      return Error(std::string("cannot set a global of type ") + to_string(ty.content()) +
                   " to a value of kind " + to_string(value.kind()));
    }
    wasm_global_set(ptr_, &value.raw());
    return Result<void>();
  }

  /// A handle that gets and sets the value as a `T` (a value type of
  /// craneway/func.hh): checks once that the global holds `T`'s kind, and
  /// returns the handle (holding a copy of this global) or an Error.
  template <class T>
  Result<TypedGlobal<T>> typed() const& {
    return copy().typed<T>();
  }
  /// As above, moving this global into the handle.
  template <class T>
  Result<TypedGlobal<T>> typed() &&;

  /// Whether both denote the same global.
  bool same(const Global& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_global_same(ptr_, other.ptr_);
  }
  /// Another reference to the same global.
  Global copy() const { return Global(ptr_ == nullptr ? nullptr : wasm_global_copy(ptr_)); }
};

/// A global whose content kind was checked against `T` once (by
/// `Global::typed`). Move-only; `copy()` duplicates the handle.
template <class T>
class TypedGlobal {
  static_assert(detail::check_param<T>());

 public:
  /// The C++ type of the value.
  using value_type = T;

  /// The current value.
  T get() const {
    wasm_val_t v;
    wasm_global_get(global_.raw(), &v);
    return detail::ValTraits<T>::from_val(v);
  }
  /// Sets the value; an Error if the global is immutable (known since
  /// `typed`).
  Result<void> set(detail::arg_t<T> value) {
    if (!mutable_) return Error("cannot set an immutable global");
    wasm_val_t v = detail::ValTraits<T>::to_val(value);
    wasm_global_set(global_.raw(), &v);
    return Result<void>();
  }
  /// Whether the global can be set.
  bool is_mutable() const noexcept { return mutable_; }
  /// The global.
  const Global& global() const noexcept { return global_; }
  /// Another handle to the same global.
  TypedGlobal copy() const { return TypedGlobal(global_.copy(), mutable_); }

 private:
  friend class Global;
  TypedGlobal(Global g, bool is_mutable) noexcept : global_(std::move(g)), mutable_(is_mutable) {}

  Global global_;
  bool mutable_;
};

template <class T>
Result<TypedGlobal<T>> Global::typed() && {
  if (ptr_ == nullptr) return Error("typed: the global is empty");
  GlobalType ty = type();
  if (ty.content() != detail::ValTraits<T>::kind) {
    return Error(std::string("global type mismatch: the C++ type is ") +
                 to_string(detail::ValTraits<T>::kind) + " but the global holds " +
                 to_string(ty.content()));
  }
  return TypedGlobal<T>(std::move(*this), ty.mutability() == Mutability::Var);
}

}  // namespace craneway

#endif  // CRANEWAY_GLOBAL_HH
