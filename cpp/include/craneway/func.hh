// craneway/func.hh: functions (`Func`), function references (`FuncRef`),
// dynamically typed values (`Val`), typed calls (`TypedFunc`), host
// functions from C++ callables (`Func::wrap`), and the mapping between C++
// types and wasm value types that all of them use.
//
// C++ type   wasm type         C++ type          wasm type
// int32_t    i32               float             f32
// uint32_t   i32               double            f64
// int64_t    i64               craneway::V128    v128
// uint64_t   i64               craneway::FuncRef funcref (nullable)
//                              craneway::ExternRef externref (nullable)
// Results: void (none), one of these, or std::tuple<...> of them.

#ifndef CRANEWAY_FUNC_HH
#define CRANEWAY_FUNC_HH

#include <array>
#include <cstring>
#include <optional>
#include <tuple>
#include <vector>
#if CRANEWAY_HAS_EXCEPTIONS
#include <exception>
#endif

#include "error.hh"
#include "store.hh"
#include "types.hh"
#include "value.hh"

namespace craneway {

class Caller;  // craneway/caller.hh
class Val;
template <class Sig>
class TypedFunc;

/// A function: exported by an instance or made by the host (owns a
/// `wasm_func_t`). Move-only; `copy()` makes another reference to the same
/// function.
class Func : public detail::Owner<wasm_func_t, wasm_func_delete> {
 public:
  /// No function (empty).
  Func() noexcept = default;
  /// Adopts an owned `wasm_func_t` (may be NULL).
  explicit Func(wasm_func_t* raw) noexcept : Owner(raw) {}

  /// The function's type.
  FuncType type() const { return FuncType(wasm_func_type(ptr_)); }
  /// The number of parameters.
  size_t param_arity() const noexcept { return wasm_func_param_arity(ptr_); }
  /// The number of results.
  size_t result_arity() const noexcept { return wasm_func_result_arity(ptr_); }

  /// Calls the function with values checked on every call (the standard
  /// `wasm_func_call`); returns its results or the trap. For calls in a
  /// loop, `typed` checks once instead.
  Result<std::vector<Val>> call(Span<const Val> args) const;

  /// A typed handle for calls with C++ values, e.g.
  /// `func.typed<int32_t(int32_t, int32_t)>(store)`: checks once that the
  /// function has that wasm type and belongs to `store`, and returns the
  /// handle (which holds a copy of this function) or an Error saying what
  /// differs. Unsupported C++ types fail to compile.
  template <class Sig>
  Result<TypedFunc<Sig>> typed(Store& store) const&;
  /// As above, moving this function into the handle.
  template <class Sig>
  Result<TypedFunc<Sig>> typed(Store& store) &&;

  /// A host function in `store` that calls `callable` (a lambda, a
  /// function object with one non-template `operator()`, or a function
  /// pointer); its wasm type comes from the callable's signature:
  /// - parameters: any of the value types listed in this header, by value
  ///   or const reference; first, optionally, `Caller&` (or `const
  ///   Caller&`; needs craneway/caller.hh) to reach the calling instance's
  ///   exports, its memory above all;
  /// - return type: void, a value type, a std::tuple of value types, a
  ///   `Result<one of those>` (an Error becomes a trap with its message;
  ///   one holding a Trap passes that trap on), or a `Trap` (no results;
  ///   an empty Trap means success).
  /// The callable is moved (or copied) into the function and destroyed
  /// when the store and its last object are gone. If it throws (with
  /// exceptions enabled), the exception becomes a trap with its what().
  /// Returns an empty Func if `store` is empty.
  template <class F>
  static Func wrap(Store& store, F&& callable);

  /// Whether both denote the same function.
  bool same(const Func& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_func_same(ptr_, other.ptr_);
  }
  /// Another reference to the same function.
  Func copy() const { return Func(ptr_ == nullptr ? nullptr : wasm_func_copy(ptr_)); }
};

/// A nullable reference to a function (wasm `funcref`): a Func or null.
/// Move-only; `copy()` makes another reference.
class FuncRef {
 public:
  /// The null reference.
  FuncRef() noexcept = default;
  /// The null reference.
  FuncRef(std::nullptr_t) noexcept {}
  /// A reference to `func` (null if `func` is empty).
  FuncRef(Func func) noexcept : func_(std::move(func)) {}

  /// Whether this is the null reference.
  bool is_null() const noexcept { return !func_; }
  /// Whether this refers to a function.
  explicit operator bool() const noexcept { return static_cast<bool>(func_); }
  /// The function, or NULL for the null reference.
  const Func* func() const noexcept { return func_ ? &func_ : nullptr; }
  /// The function, or NULL for the null reference.
  Func* func() noexcept { return func_ ? &func_ : nullptr; }
  /// The C function (NULL for the null reference), still owned here.
  wasm_func_t* raw() const noexcept { return func_.raw(); }
  /// Whether both denote the same function (two nulls are the same).
  bool same(const FuncRef& other) const noexcept { return func_.same(other.func_); }
  /// Another reference to the same function (or null).
  FuncRef copy() const { return FuncRef(func_.copy()); }

 private:
  Func func_;
};

namespace detail {

/// How a C++ type travels as a wasm value: its kind, how it is passed,
/// and its conversions to and from raw slots and `wasm_val_t`. Only the
/// specialisations below are supported.
template <class T>
struct ValTraits {
  static constexpr bool supported = false;
  static constexpr ValKind kind = ValKind::I32;
  static constexpr bool is_ref = false;
  using arg_type = const T&;
  static bool to_raw(wasm_val_raw_t&, const wasm_store_t*, const T&) noexcept { return false; }
  static T from_raw(const wasm_val_raw_t&, const wasm_store_t*) { fatal("unsupported type"); }
  static wasm_val_t to_val(const T&) noexcept { return wasm_val_t{}; }
  static T from_val(wasm_val_t&) { fatal("unsupported type"); }
};

/// Traits of a number type stored in field `Field` of the slot as `Wasm`.
template <class T, class Wasm, ValKind Kind>
struct NumTraits {
  static constexpr bool supported = true;
  static constexpr ValKind kind = Kind;
  static constexpr bool is_ref = false;
  using arg_type = T;
  static void put(void* p, T v) noexcept {
    Wasm w = static_cast<Wasm>(v);
    std::memcpy(p, &w, sizeof w);
  }
  static T get(const void* p) noexcept {
    Wasm w;
    std::memcpy(&w, p, sizeof w);
    return static_cast<T>(w);
  }
  static bool to_raw(wasm_val_raw_t& slot, const wasm_store_t*, T v) noexcept {
    put(&slot, v);
    return true;
  }
  static T from_raw(const wasm_val_raw_t& slot, const wasm_store_t*) noexcept { return get(&slot); }
  static wasm_val_t to_val(T v) noexcept {
    wasm_val_t val;
    val.kind = static_cast<wasm_valkind_t>(Kind);
    std::memset(&val.of, 0, sizeof val.of);
    put(&val.of, v);
    return val;
  }
  static T from_val(wasm_val_t& val) noexcept { return get(&val.of); }
};

template <>
struct ValTraits<int32_t> : NumTraits<int32_t, int32_t, ValKind::I32> {};
template <>
struct ValTraits<uint32_t> : NumTraits<uint32_t, int32_t, ValKind::I32> {};
template <>
struct ValTraits<int64_t> : NumTraits<int64_t, int64_t, ValKind::I64> {};
template <>
struct ValTraits<uint64_t> : NumTraits<uint64_t, int64_t, ValKind::I64> {};
template <>
struct ValTraits<float> : NumTraits<float, float, ValKind::F32> {};
template <>
struct ValTraits<double> : NumTraits<double, double, ValKind::F64> {};

template <>
struct ValTraits<V128> {
  static constexpr bool supported = true;
  static constexpr ValKind kind = ValKind::V128;
  static constexpr bool is_ref = false;
  using arg_type = const V128&;
  static bool to_raw(wasm_val_raw_t& slot, const wasm_store_t*, const V128& v) noexcept {
    std::memcpy(slot.v128, v.bytes, 16);
    return true;
  }
  static V128 from_raw(const wasm_val_raw_t& slot, const wasm_store_t*) noexcept {
    V128 v;
    std::memcpy(v.bytes, slot.v128, 16);
    return v;
  }
  static wasm_val_t to_val(const V128& v) noexcept {
    wasm_val_t val;
    val.kind = WASM_V128;
    std::memcpy(val.of.v128, v.bytes, 16);
    return val;
  }
  static V128 from_val(wasm_val_t& val) noexcept {
    V128 v;
    std::memcpy(v.bytes, val.of.v128, 16);
    return v;
  }
};

/// Takes the reference a `wasm_val_t` owns (NULL for null or a number).
inline wasm_ref_t* take_ref(wasm_val_t& val) noexcept {
  if (!wasm_valkind_is_ref(val.kind)) return nullptr;
  wasm_ref_t* r = val.of.ref;
  val.of.ref = nullptr;
  return r;
}

/// A FuncRef adopting an owned reference (which must be a function).
inline FuncRef adopt_funcref(wasm_ref_t* ref) noexcept {
  if (ref == nullptr) return FuncRef();
  wasm_func_t* f = wasm_ref_as_func(ref);
  if (f == nullptr) {
    wasm_ref_delete(ref);
    return FuncRef();
  }
  return FuncRef(Func(f));
}

template <>
struct ValTraits<FuncRef> {
  static constexpr bool supported = true;
  static constexpr ValKind kind = ValKind::FuncRef;
  static constexpr bool is_ref = true;
  using arg_type = const FuncRef&;
  static bool to_raw(wasm_val_raw_t& slot, const wasm_store_t* store, const FuncRef& r) noexcept {
    if (r.is_null()) {
      slot.funcref = nullptr;
      return true;
    }
    wasm_val_t val = to_val(r);
    return craneway_val_to_raw(store, &val, &slot);
  }
  static FuncRef from_raw(const wasm_val_raw_t& slot, const wasm_store_t* store) noexcept {
    if (slot.funcref == nullptr) return FuncRef();
    wasm_val_t val;
    if (!craneway_val_from_raw(store, &slot, WASM_FUNCREF, &val)) return FuncRef();
    return from_val(val);
  }
  /// A value borrowing the reference (not to be deleted).
  static wasm_val_t to_val(const FuncRef& r) noexcept {
    wasm_val_t val;
    val.kind = WASM_FUNCREF;
    val.of.ref = r.is_null() ? nullptr : wasm_func_as_ref(r.raw());
    return val;
  }
  static FuncRef from_val(wasm_val_t& val) noexcept { return adopt_funcref(take_ref(val)); }
};

template <>
struct ValTraits<ExternRef> {
  static constexpr bool supported = true;
  static constexpr ValKind kind = ValKind::ExternRef;
  static constexpr bool is_ref = true;
  using arg_type = const ExternRef&;
  static bool to_raw(wasm_val_raw_t& slot, const wasm_store_t* store, const ExternRef& r) noexcept {
    if (r.is_null()) {
      slot.externref = nullptr;
      return true;
    }
    wasm_val_t val = to_val(r);
    return craneway_val_to_raw(store, &val, &slot);
  }
  static ExternRef from_raw(const wasm_val_raw_t& slot, const wasm_store_t* store) noexcept {
    if (slot.externref == nullptr) return ExternRef();
    wasm_val_t val;
    if (!craneway_val_from_raw(store, &slot, WASM_EXTERNREF, &val)) return ExternRef();
    return from_val(val);
  }
  /// A value borrowing the reference (not to be deleted).
  static wasm_val_t to_val(const ExternRef& r) noexcept {
    wasm_val_t val;
    val.kind = WASM_EXTERNREF;
    val.of.ref = r.raw();
    return val;
  }
  static ExternRef from_val(wasm_val_t& val) noexcept { return ExternRef(take_ref(val)); }
};

/// Whether `T` (without cv and reference) is a supported value type.
template <class T>
inline constexpr bool is_val_type_v = ValTraits<remove_cvref_t<T>>::supported;

/// The parameter type for passing a `T` into a typed call.
template <class T>
using arg_t = typename ValTraits<T>::arg_type;

/// The results of a function whose C++ result type is `R`: void, a value
/// type, or a std::tuple of value types.
template <class R>
struct ResultsTraits {
  static constexpr bool supported = ValTraits<R>::supported;
  static constexpr size_t count = 1;
  static constexpr bool has_refs = ValTraits<R>::is_ref;
  static constexpr std::array<ValKind, 1> kinds = {ValTraits<R>::kind};
  static R load(const wasm_val_raw_t* slots, const wasm_store_t* store) {
    return ValTraits<R>::from_raw(slots[0], store);
  }
  static bool put(wasm_val_raw_t* slots, const wasm_store_t* store, const R& r) {
    return ValTraits<R>::to_raw(slots[0], store, r);
  }
};

template <>
struct ResultsTraits<void> {
  static constexpr bool supported = true;
  static constexpr size_t count = 0;
  static constexpr bool has_refs = false;
  static constexpr std::array<ValKind, 0> kinds = {};
};

template <class... Ts>
struct ResultsTraits<std::tuple<Ts...>> {
  static constexpr bool supported = (true && ... && ValTraits<Ts>::supported);
  static constexpr size_t count = sizeof...(Ts);
  static constexpr bool has_refs = (false || ... || ValTraits<Ts>::is_ref);
  static constexpr std::array<ValKind, sizeof...(Ts)> kinds = {ValTraits<Ts>::kind...};
  static std::tuple<Ts...> load(const wasm_val_raw_t* slots, const wasm_store_t* store) {
    return load(slots, store, std::index_sequence_for<Ts...>{});
  }
  static bool put(wasm_val_raw_t* slots, const wasm_store_t* store, const std::tuple<Ts...>& r) {
    return put(slots, store, r, std::index_sequence_for<Ts...>{});
  }

 private:
  template <size_t... I>
  static std::tuple<Ts...> load(const wasm_val_raw_t* slots, const wasm_store_t* store,
                                std::index_sequence<I...>) {
    return std::tuple<Ts...>{ValTraits<Ts>::from_raw(slots[I], store)...};
  }
  template <size_t... I>
  static bool put(wasm_val_raw_t* slots, const wasm_store_t* store, const std::tuple<Ts...>& r,
                  std::index_sequence<I...>) {
    bool ok = true;
    ((ok = ValTraits<Ts>::to_raw(slots[I], store, std::get<I>(r)) && ok), ...);
    return ok;
  }
};

/// The readable failure for an unsupported parameter type.
template <class T>
constexpr bool check_param() {
  static_assert(is_val_type_v<T>,
                "craneway: unsupported parameter type in a wasm function signature; use "
                "int32_t, uint32_t, int64_t, uint64_t, float, double, craneway::V128, "
                "craneway::FuncRef or craneway::ExternRef");
  return true;
}

/// The readable failure for an unsupported result type.
template <class R>
constexpr bool check_results() {
  static_assert(ResultsTraits<R>::supported,
                "craneway: unsupported result type in a wasm function signature; use void, "
                "int32_t, uint32_t, int64_t, uint64_t, float, double, craneway::V128, "
                "craneway::FuncRef, craneway::ExternRef, or a std::tuple of those");
  return true;
}

/// The number of raw slots a call of `np` parameters and `nr` results needs.
constexpr size_t slot_count(size_t np, size_t nr) {
  return np > nr ? np : (nr > 0 ? nr : 1);
}

/// The Error of a trap returned by a call (kept out of line: cold path).
__attribute__((noinline, cold)) inline Error trap_error(wasm_trap_t* trap) {
  return Error(Trap(trap));
}

/// The Error of a call whose Store wrapper is gone (references need it).
__attribute__((noinline, cold)) inline Error store_gone_error() {
  return Error("the function's Store was destroyed; calls with references need it");
}

/// The Error of a reference argument that does not belong to the store.
__attribute__((noinline, cold)) inline Error foreign_ref_error() {
  return Error("a reference argument belongs to another store");
}

/// Checks that `func` has the wasm type of a C++ signature.
inline Result<void> check_func_type(const wasm_func_t* func, Span<const ValKind> params,
                                    Span<const ValKind> results) {
  if (func == nullptr) return Error("typed: the function is empty");
  FuncType actual(wasm_func_type(func));
  std::vector<ValKind> p = actual.params(), r = actual.results();
  bool same = p.size() == params.size() && r.size() == results.size();
  for (size_t i = 0; same && i < p.size(); ++i) same = p[i] == params[i];
  for (size_t i = 0; same && i < r.size(); ++i) same = r[i] == results[i];
  // A typed-reference parameter such as (ref $t) has kind funcref, but a
  // FuncRef argument could be null or a function of another type, and the
  // raw call would not check it: such functions are called untyped.
  const wasm_valtype_vec_t* raw_params = wasm_functype_params(actual.raw());
  for (size_t i = 0; same && raw_params != nullptr && i < raw_params->size; ++i) {
    if (craneway_valtype_is_typed_ref(raw_params->data[i])) {
      return Error("typed: parameter " + std::to_string(i) +
                   " is a typed reference (such as (ref $t)), which a typed call cannot "
                   "check; call the function untyped");
    }
  }
  if (same) return Result<void>();
  return Error("function type mismatch: the C++ signature is " +
               signature_string(params, results) + " but the function's type is " +
               signature_string(p, r));
}

/// Checks that `func` belongs to `store`.
inline Result<void> check_func_store(wasm_func_t* func, const wasm_store_t* store) {
  if (store == nullptr) return Error("typed: the store is empty");
  wasm_val_t val;
  val.kind = WASM_FUNCREF;
  val.of.ref = wasm_func_as_ref(func);
  wasm_val_raw_t raw;
  if (!craneway_val_to_raw(store, &val, &raw)) {
    return Error("typed: the function belongs to another store");
  }
  return Result<void>();
}

/// The signature of a callable: `sig` is `R(Args...)`.
template <class T, class = void>
struct CallableTraits {
  static constexpr bool valid = false;
  using sig = void();
};
template <class R, class... A>
struct CallableTraits<R (*)(A...), void> {
  static constexpr bool valid = true;
  using sig = R(A...);
};
template <class R, class... A>
struct CallableTraits<R (*)(A...) noexcept, void> : CallableTraits<R (*)(A...)> {};

/// The signature of a member `operator()`.
template <class M>
struct MemberCallTraits {
  static constexpr bool valid = false;
  using sig = void();
};
#define CRANEWAY_MEMBER_CALL_TRAITS_(QUALS)         \
  template <class C, class R, class... A>           \
  struct MemberCallTraits<R (C::*)(A...) QUALS> {   \
    static constexpr bool valid = true;             \
    using sig = R(A...);                            \
  };
CRANEWAY_MEMBER_CALL_TRAITS_()
CRANEWAY_MEMBER_CALL_TRAITS_(const)
CRANEWAY_MEMBER_CALL_TRAITS_(&)
CRANEWAY_MEMBER_CALL_TRAITS_(const&)
CRANEWAY_MEMBER_CALL_TRAITS_(noexcept)
CRANEWAY_MEMBER_CALL_TRAITS_(const noexcept)
CRANEWAY_MEMBER_CALL_TRAITS_(& noexcept)
CRANEWAY_MEMBER_CALL_TRAITS_(const& noexcept)
#undef CRANEWAY_MEMBER_CALL_TRAITS_

template <class T>
struct CallableTraits<T, std::void_t<decltype(&T::operator())>>
    : MemberCallTraits<decltype(&T::operator())> {};

/// How a host callable's return type becomes wasm results.
template <class Ret>
struct HostReturn {
  /// The wasm results (void, a value type or a tuple).
  using values = Ret;
  static constexpr bool supported = ResultsTraits<Ret>::supported;
};
template <class X>
struct HostReturn<Result<X>> {
  using values = X;
  static constexpr bool supported = ResultsTraits<X>::supported;
};
template <>
struct HostReturn<Trap> {
  using values = void;
  static constexpr bool supported = true;
};

/// A trap with `message` for a host function's failure.
__attribute__((noinline, cold)) inline wasm_trap_t* host_trap(StoreLink* link,
                                                              std::string_view message) {
  if (link->store == nullptr) {
    fatal("a host function failed after its Store was destroyed, so no trap can be made",
          message);
  }
  wasm_message_t msg = borrowed_bytes(message.data(), message.size());
  return wasm_trap_new(link->store, &msg);
}

/// The trap for an Error returned by a host function: its own trap, or a
/// new one with its message.
__attribute__((noinline, cold)) inline wasm_trap_t* host_error_trap(StoreLink* link, Error& e) {
  if (e.is_trap()) return e.trap().release();
  return host_trap(link, e.message());
}

/// The trap for a reference result of another store.
__attribute__((noinline, cold)) inline wasm_trap_t* host_foreign_ref_trap(StoreLink* link) {
  return host_trap(link, "a host function returned a reference of another store");
}

/// Writes a host callable's return value to the slots; returns NULL or
/// the trap.
template <class Ret>
struct HostPut {
  static wasm_trap_t* put(Ret&& r, wasm_val_raw_t* slots, const wasm_store_t* store,
                          StoreLink* link) {
    if (CRANEWAY_CPP_UNLIKELY(!ResultsTraits<Ret>::put(slots, store, r))) {
      return host_foreign_ref_trap(link);
    }
    return nullptr;
  }
};
template <class X>
struct HostPut<Result<X>> {
  static wasm_trap_t* put(Result<X>&& r, wasm_val_raw_t* slots, const wasm_store_t* store,
                          StoreLink* link) {
    if (CRANEWAY_CPP_UNLIKELY(!r.ok())) return host_error_trap(link, r.error());
    if constexpr (std::is_void_v<X>) {
      (void)slots;
      (void)store;
      return nullptr;
    } else {
      return HostPut<X>::put(std::move(r).value(), slots, store, link);
    }
  }
};
template <>
struct HostPut<Trap> {
  static wasm_trap_t* put(Trap&& r, wasm_val_raw_t*, const wasm_store_t*, StoreLink*) {
    return r.release();
  }
};

/// Stands in for the Caller of a host function that takes none.
struct NoCaller {
  explicit NoCaller(craneway_caller_t*) noexcept {}
};

/// The environment of a host function: its store link and callable, and
/// the callbacks that the C library calls with it.
template <class Fn, class Ret, class CallerT, class... Args>
struct HostFunc {
  static constexpr bool with_caller = !std::is_same_v<CallerT, NoCaller>;
  static constexpr bool has_refs =
      (false || ... || ValTraits<Args>::is_ref) ||
      ResultsTraits<typename HostReturn<Ret>::values>::has_refs;

  StoreLink* link;
  Fn fn;

  HostFunc(StoreLink* l, Fn&& f) : link(l), fn(std::move(f)) {}
  HostFunc(StoreLink* l, const Fn& f) : link(l), fn(f) {}
  HostFunc(const HostFunc&) = delete;
  HostFunc& operator=(const HostFunc&) = delete;
  ~HostFunc() { link->release(); }

  static void finalize(void* env) { delete static_cast<HostFunc*>(env); }

  static wasm_trap_t* callback(void* env, wasm_val_raw_t* slots, size_t) {
    NoCaller none(nullptr);
    return static_cast<HostFunc*>(env)->run(none, slots, std::index_sequence_for<Args...>{});
  }

  static wasm_trap_t* callback_with_caller(void* env, craneway_caller_t* caller,
                                           wasm_val_raw_t* slots, size_t) {
    CallerT c(caller);
    return static_cast<HostFunc*>(env)->run(c, slots, std::index_sequence_for<Args...>{});
  }

  template <size_t... I>
  wasm_trap_t* run(CallerT& caller, wasm_val_raw_t* slots, std::index_sequence<I...>) {
#if CRANEWAY_HAS_EXCEPTIONS
    try {
#endif
      const wasm_store_t* store = nullptr;
      if constexpr (has_refs) {
        store = link->store;
        if (store == nullptr) fatal("a host function with references ran after its Store was destroyed");
      }
      if constexpr (std::is_void_v<Ret>) {
        invoke(caller, ValTraits<Args>::from_raw(slots[I], store)...);
        return nullptr;
      } else {
        return HostPut<Ret>::put(invoke(caller, ValTraits<Args>::from_raw(slots[I], store)...),
                                 slots, store, link);
      }
#if CRANEWAY_HAS_EXCEPTIONS
    } catch (const std::exception& e) {
      return host_trap(link, e.what());
    } catch (...) {
      return host_trap(link, "a host function threw an exception");
    }
#endif
  }

  template <class... A>
  Ret invoke(CallerT& caller, A&&... args) {
    if constexpr (with_caller) {
      return fn(caller, std::forward<A>(args)...);
    } else {
      (void)caller;
      return fn(std::forward<A>(args)...);
    }
  }
};

/// Checks a host callable's signature and registers it: `CallerParam`
/// is the declared Caller parameter (void if none), `Params` the wasm
/// parameters as declared.
template <class Fn, class DeclRet, class CallerParam, class... Params>
struct Wrap {
  using Ret = remove_cvref_t<DeclRet>;
  using Values = typename HostReturn<Ret>::values;
  using CallerT = std::conditional_t<std::is_void_v<CallerParam>, NoCaller,
                                     remove_cvref_t<CallerParam>>;

  static_assert((true && ... && check_param<remove_cvref_t<Params>>()));
  static_assert((true && ... && !(std::is_lvalue_reference_v<Params> &&
                                  !std::is_const_v<std::remove_reference_t<Params>>)),
                "craneway: host function parameters must be taken by value or const reference");
  static_assert(HostReturn<Ret>::supported,
                "craneway: unsupported host function return type; use void, a value type "
                "(int32_t, uint32_t, int64_t, uint64_t, float, double, craneway::V128, "
                "craneway::FuncRef, craneway::ExternRef), a std::tuple of those, "
                "craneway::Result<one of those>, or craneway::Trap");
  static_assert(std::is_void_v<CallerParam> || std::is_lvalue_reference_v<CallerParam>,
                "craneway: a host function takes its Caller by reference (Caller&)");
  static_assert(std::is_void_v<CallerParam> || is_complete<CallerT>::value,
                "craneway: a host function taking a Caller needs #include <craneway/caller.hh> "
                "(or <craneway.hh>)");

  using Host = HostFunc<Fn, Ret, CallerT, remove_cvref_t<Params>...>;

  template <class F>
  static Func wrap(Store& store, F&& f) {
    if (!store) return Func();
    static constexpr std::array<ValKind, sizeof...(Params)> params = {
        ValTraits<remove_cvref_t<Params>>::kind...};
    FuncType type(Span<const ValKind>(params.data(), params.size()),
                  Span<const ValKind>(ResultsTraits<Values>::kinds.data(),
                                      ResultsTraits<Values>::kinds.size()));
    if (!type) return Func();
    // Store, type and callback are not NULL, so the C library takes `env`:
    // the finalizer frees it when the store goes, or at once if creating
    // the function fails inside the library (so never delete it here).
    auto* env = new Host(store.link(), std::forward<F>(f));
    wasm_func_t* func;
    if constexpr (Host::with_caller) {
      func = craneway_func_new_with_caller(store.raw(), type.raw(), &Host::callback_with_caller,
                                           env, &Host::finalize);
    } else {
      func = wasm_func_new_unchecked(store.raw(), type.raw(), &Host::callback, env,
                                     &Host::finalize);
    }
    return Func(func);
  }
};

/// Picks the Wrap for signature `Sig`, with or without a Caller first.
template <class Fn, class Sig>
struct WrapFor;
template <class Fn, class R>
struct WrapFor<Fn, R()> {
  using type = Wrap<Fn, R, void>;
};
template <class Fn, class R, class P0, class... P>
struct WrapFor<Fn, R(P0, P...)> {
  using type = std::conditional_t<std::is_same_v<remove_cvref_t<P0>, Caller>,
                                  Wrap<Fn, R, P0, P...>, Wrap<Fn, R, void, P0, P...>>;
};

}  // namespace detail

/// A value of any wasm type, tagged with its kind (wraps a `wasm_val_t`,
/// owning its reference if it holds one). For the checked standard calls
/// (`Func::call`), globals and tables. Move-only; `copy()` duplicates it.
class Val {
 public:
  /// The i32 zero.
  Val() noexcept { clear(); }
  /// An i32.
  Val(int32_t v) noexcept : val_(detail::ValTraits<int32_t>::to_val(v)) {}
  /// An i32 with the bits of `v`.
  Val(uint32_t v) noexcept : val_(detail::ValTraits<uint32_t>::to_val(v)) {}
  /// An i64.
  Val(int64_t v) noexcept : val_(detail::ValTraits<int64_t>::to_val(v)) {}
  /// An i64 with the bits of `v`.
  Val(uint64_t v) noexcept : val_(detail::ValTraits<uint64_t>::to_val(v)) {}
  /// An f32.
  Val(float v) noexcept : val_(detail::ValTraits<float>::to_val(v)) {}
  /// An f64.
  Val(double v) noexcept : val_(detail::ValTraits<double>::to_val(v)) {}
  /// A v128.
  Val(const V128& v) noexcept : val_(detail::ValTraits<V128>::to_val(v)) {}
  /// A funcref (taking the reference).
  Val(FuncRef r) noexcept {
    clear();
    val_.kind = WASM_FUNCREF;
    val_.of.ref = r.is_null() ? nullptr : wasm_func_as_ref(r.func()->release());
  }
  /// A funcref to `f` (taking it).
  Val(Func f) noexcept : Val(FuncRef(std::move(f))) {}
  /// An externref (taking the reference).
  Val(ExternRef r) noexcept {
    clear();
    val_.kind = WASM_EXTERNREF;
    val_.of.ref = r.release();
  }
  /// Adopts a `wasm_val_t` (taking its reference, if any).
  static Val adopt(const wasm_val_t& raw) noexcept {
    Val v;
    v.val_ = raw;
    return v;
  }
  /// Takes the value of `other`, leaving it the i32 zero.
  Val(Val&& other) noexcept : val_(other.val_) { other.clear(); }
  /// Releases the current value and takes that of `other`.
  Val& operator=(Val&& other) noexcept {
    if (this != &other) {
      drop();
      val_ = other.val_;
      other.clear();
    }
    return *this;
  }
  Val(const Val&) = delete;
  Val& operator=(const Val&) = delete;
  /// Releases the reference, if any.
  ~Val() { drop(); }

  /// The kind.
  ValKind kind() const noexcept { return static_cast<ValKind>(val_.kind); }
  /// The value as a `T` (a reference is copied), or nullopt if the kind is
  /// not `T`'s.
  template <class T>
  std::optional<T> get() const {
    static_assert(detail::check_param<T>());
    if (val_.kind != static_cast<wasm_valkind_t>(detail::ValTraits<T>::kind)) return std::nullopt;
    wasm_val_t c;
    wasm_val_copy(&c, &val_);
    return detail::ValTraits<T>::from_val(c);
  }
  /// The i32 (aborts for another kind).
  int32_t i32() const noexcept { return expect(ValKind::I32).of.i32; }
  /// The i64 (aborts for another kind).
  int64_t i64() const noexcept { return expect(ValKind::I64).of.i64; }
  /// The f32 (aborts for another kind).
  float f32() const noexcept { return expect(ValKind::F32).of.f32; }
  /// The f64 (aborts for another kind).
  double f64() const noexcept { return expect(ValKind::F64).of.f64; }
  /// The v128 (aborts for another kind).
  V128 v128() const noexcept {
    wasm_val_t v = expect(ValKind::V128);
    return detail::ValTraits<V128>::from_val(v);
  }
  /// A copy of the funcref (aborts for another kind).
  FuncRef funcref() const {
    expect(ValKind::FuncRef);
    return *get<FuncRef>();
  }
  /// A copy of the externref (aborts for another kind).
  ExternRef externref() const {
    expect(ValKind::ExternRef);
    return *get<ExternRef>();
  }

  /// The C value (its reference still owned here).
  const wasm_val_t& raw() const noexcept { return val_; }
  /// Gives up the value: returns it (the caller owns its reference) and
  /// leaves this the i32 zero.
  wasm_val_t release() noexcept {
    wasm_val_t v = val_;
    clear();
    return v;
  }
  /// A copy (a reference is copied).
  Val copy() const {
    wasm_val_t c;
    wasm_val_copy(&c, &val_);
    return adopt(c);
  }

 private:
  void clear() noexcept {
    std::memset(static_cast<void*>(&val_), 0, sizeof val_);
    val_.kind = WASM_I32;
  }
  void drop() noexcept {
    if (wasm_valkind_is_ref(val_.kind) && val_.of.ref != nullptr) wasm_val_delete(&val_);
  }
  const wasm_val_t& expect(ValKind k) const noexcept {
    if (CRANEWAY_CPP_UNLIKELY(kind() != k)) detail::fatal("Val holds another kind than asked for", to_string(kind()));
    return val_;
  }

  wasm_val_t val_;
};

static_assert(sizeof(Val) == sizeof(wasm_val_t) && std::is_standard_layout_v<Val>,
              "Val is laid out as wasm_val_t");

/// The wasm function type of a C++ signature such as
/// `int32_t(int32_t, int32_t)` or `std::tuple<int32_t, double>(float)`.
template <class Sig>
struct SignatureTraits {
  static_assert(detail::dependent_false<Sig>,
                "craneway: a wasm signature is a function type such as int32_t(int32_t, int32_t)");
  /// No parameter kinds (not a signature).
  static constexpr std::array<ValKind, 0> params = {};
  /// No result kinds (not a signature).
  static constexpr std::array<ValKind, 0> results = {};
};
/// The parts of signature `R(Args...)`.
template <class R, class... Args>
struct SignatureTraits<R(Args...)> {
  /// The parameter kinds.
  static constexpr std::array<ValKind, sizeof...(Args)> params = {
      detail::ValTraits<detail::remove_cvref_t<Args>>::kind...};
  /// The result kinds.
  static constexpr auto results = detail::ResultsTraits<R>::kinds;
};

/// The FuncType of C++ signature `Sig`, e.g.
/// `func_type<int32_t(int32_t, int32_t)>()`.
template <class Sig>
FuncType func_type() {
  using T = SignatureTraits<Sig>;
  return FuncType(Span<const ValKind>(T::params.data(), T::params.size()),
                  Span<const ValKind>(T::results.data(), T::results.size()));
}

/// A function with its wasm type checked against `Sig` once (by
/// `Func::typed`), so calls pass C++ values in raw slots with no check:
/// `TypedFunc<int32_t(int32_t, int32_t)>`, `TypedFunc<void()>`,
/// `TypedFunc<std::tuple<int32_t, int64_t>(double)>`. Move-only; `copy()`
/// duplicates the handle.
template <class Sig>
class TypedFunc {
  static_assert(detail::dependent_false<Sig>,
                "craneway: TypedFunc<Sig> needs a function type such as int32_t(int32_t, int32_t)");
};

/// A function of C++ signature `R(Args...)`; see `TypedFunc`.
template <class R, class... Args>
class TypedFunc<R(Args...)> {
  static_assert((true && ... && detail::check_param<Args>()));
  static_assert(detail::check_results<R>());
  static_assert((true && ... && std::is_same_v<Args, detail::remove_cvref_t<Args>>),
                "craneway: write the parameters of a typed signature as plain value types "
                "(int32_t, craneway::FuncRef, ...), without references");

  static constexpr size_t kParams = sizeof...(Args);
  static constexpr size_t kResults = detail::ResultsTraits<R>::count;
  static constexpr size_t kSlots = detail::slot_count(kParams, kResults);
  static constexpr bool kHasRefs =
      (false || ... || detail::ValTraits<Args>::is_ref) || detail::ResultsTraits<R>::has_refs;

 public:
  /// The C++ signature.
  using signature = R(Args...);
  /// What a call returns: `Result<R>`.
  using result_type = Result<R>;

  /// Takes the handle of `other`, leaving it empty.
  TypedFunc(TypedFunc&& other) noexcept : func_(std::move(other.func_)), link_(other.link_) {
    other.link_ = nullptr;
  }
  /// Releases this handle and takes that of `other`.
  TypedFunc& operator=(TypedFunc&& other) noexcept {
    if (this != &other) {
      if (link_ != nullptr) link_->release();
      func_ = std::move(other.func_);
      link_ = other.link_;
      other.link_ = nullptr;
    }
    return *this;
  }
  TypedFunc(const TypedFunc&) = delete;
  TypedFunc& operator=(const TypedFunc&) = delete;
  /// Releases the handle.
  ~TypedFunc() {
    if (link_ != nullptr) link_->release();
  }

  /// Calls the function: the arguments go into a stack array of raw
  /// slots for `wasm_func_call_unchecked`; returns the results (void, a
  /// value or a tuple) or the trap. Signatures with references convert
  /// them through the store, so they need the Store wrapper given to
  /// `typed` (or the one it was moved to) to be alive; without it the
  /// call returns an Error. Must not be called on an empty (moved-from)
  /// handle.
  Result<R> call(detail::arg_t<Args>... args) const {
    wasm_val_raw_t slots[kSlots];
    const wasm_store_t* store = nullptr;
    if constexpr (kHasRefs) {
      store = link_->store;
      if (CRANEWAY_CPP_UNLIKELY(store == nullptr)) return detail::store_gone_error();
    }
    if (CRANEWAY_CPP_UNLIKELY(!pack(slots, store, std::index_sequence_for<Args...>{}, args...))) {
      return detail::foreign_ref_error();
    }
    wasm_trap_t* trap = wasm_func_call_unchecked(func_.raw(), slots, kSlots);
    if (CRANEWAY_CPP_UNLIKELY(trap != nullptr)) return detail::trap_error(trap);
    if constexpr (std::is_void_v<R>) {
      return Result<void>();
    } else {
      return detail::ResultsTraits<R>::load(slots, store);
    }
  }
  /// Calls the function (as `call`).
  Result<R> operator()(detail::arg_t<Args>... args) const { return call(args...); }

  /// The function.
  const Func& func() const noexcept { return func_; }
  /// Another handle to the same function.
  TypedFunc copy() const { return TypedFunc(func_.copy(), link_->retain()); }

 private:
  friend class Func;
  TypedFunc(Func func, detail::StoreLink* link) noexcept : func_(std::move(func)), link_(link) {}

  template <size_t... I>
  static bool pack(wasm_val_raw_t* slots, const wasm_store_t* store, std::index_sequence<I...>,
                   detail::arg_t<Args>... args) {
    (void)slots;
    (void)store;
    bool ok = true;
    ((ok = detail::ValTraits<Args>::to_raw(slots[I], store, args) && ok), ...);
    return ok;
  }

  Func func_;
  detail::StoreLink* link_;
};

template <class Sig>
Result<TypedFunc<Sig>> Func::typed(Store& store) const& {
  return copy().typed<Sig>(store);
}

template <class Sig>
Result<TypedFunc<Sig>> Func::typed(Store& store) && {
  using T = SignatureTraits<Sig>;
  Result<void> ty = detail::check_func_type(
      ptr_, Span<const ValKind>(T::params.data(), T::params.size()),
      Span<const ValKind>(T::results.data(), T::results.size()));
  if (!ty) return std::move(ty).error();
  Result<void> owner = detail::check_func_store(ptr_, store.raw());
  if (!owner) return std::move(owner).error();
  return TypedFunc<Sig>(std::move(*this), store.link());
}

template <class F>
Func Func::wrap(Store& store, F&& callable) {
  using Fn = std::decay_t<F>;
  static_assert(detail::CallableTraits<Fn>::valid,
                "craneway: Func::wrap needs a function pointer or a callable with exactly one "
                "non-template operator() (a lambda without auto parameters)");
  using W = typename detail::WrapFor<Fn, typename detail::CallableTraits<Fn>::sig>::type;
  return W::wrap(store, std::forward<F>(callable));
}

inline Result<std::vector<Val>> Func::call(Span<const Val> args) const {
  std::vector<Val> results(result_arity());
  wasm_val_vec_t a;
  a.size = args.size();
  a.data = const_cast<wasm_val_t*>(reinterpret_cast<const wasm_val_t*>(args.data()));
  wasm_val_vec_t r;
  r.size = results.size();
  r.data = reinterpret_cast<wasm_val_t*>(results.data());
  wasm_trap_t* trap = wasm_func_call(ptr_, &a, &r);
  if (trap != nullptr) return Trap(trap);
  return results;
}

}  // namespace craneway

#endif  // CRANEWAY_FUNC_HH
