// craneway/error.hh: traps, their frames, errors, and Result<T>, the way
// every fallible operation of this API reports failure (no exceptions).

#ifndef CRANEWAY_ERROR_HH
#define CRANEWAY_ERROR_HH

#include <new>
#include <optional>
#include <vector>

#include "store.hh"

namespace craneway {

/// One wasm frame of a trap's backtrace (owns a `wasm_frame_t`).
/// Move-only; `copy()` duplicates it.
class Frame : public detail::Owner<wasm_frame_t, wasm_frame_delete> {
 public:
  /// Adopts an owned `wasm_frame_t` (may be NULL).
  explicit Frame(wasm_frame_t* raw) noexcept : Owner(raw) {}
  /// The frame's function, as an index in its module's function space.
  uint32_t func_index() const noexcept { return wasm_frame_func_index(ptr_); }
  /// Offset of the instruction from the start of the function's native code.
  size_t func_offset() const noexcept { return wasm_frame_func_offset(ptr_); }
  /// Offset of the wasm instruction in the module's bytes.
  size_t module_offset() const noexcept { return wasm_frame_module_offset(ptr_); }
  /// The instance the function belongs to (borrowed from the frame), or
  /// NULL if unknown.
  const wasm_instance_t* instance() const noexcept { return wasm_frame_instance(ptr_); }
  /// A new frame equal to this one.
  Frame copy() const { return Frame(wasm_frame_copy(ptr_)); }
};

/// A trap: a message and the wasm frames that were running (owns a
/// `wasm_trap_t`). Move-only; `copy()` makes another reference. An empty
/// Trap (default, or moved from) is no trap; host functions may return one
/// to mean success.
class Trap : public detail::Owner<wasm_trap_t, wasm_trap_delete> {
 public:
  /// No trap.
  Trap() noexcept = default;
  /// Adopts an owned `wasm_trap_t` (may be NULL).
  explicit Trap(wasm_trap_t* raw) noexcept : Owner(raw) {}
  /// A new trap in `store` with `message`, for a host function to return.
  Trap(const Store& store, std::string_view message) {
    wasm_message_t msg = detail::borrowed_bytes(message.data(), message.size());
    ptr_ = wasm_trap_new(store.raw(), &msg);
  }

  /// The trap's message (empty for no trap).
  std::string message() const {
    if (ptr_ == nullptr) return std::string();
    detail::ByteVec msg;
    wasm_trap_message(ptr_, &msg.vec);
    return msg.str();
  }
  /// The innermost wasm frame, if the trap has one.
  std::optional<Frame> origin() const {
    wasm_frame_t* f = ptr_ == nullptr ? nullptr : wasm_trap_origin(ptr_);
    if (f == nullptr) return std::nullopt;
    return Frame(f);
  }
  /// The wasm frames, innermost first (empty for a trap made by the host).
  std::vector<Frame> trace() const {
    std::vector<Frame> frames;
    if (ptr_ == nullptr) return frames;
    wasm_frame_vec_t vec;
    wasm_trap_trace(ptr_, &vec);
    frames.reserve(vec.size);
    for (size_t i = 0; i < vec.size; ++i) {
      frames.emplace_back(vec.data[i]);
      vec.data[i] = nullptr;
    }
    wasm_frame_vec_delete(&vec);
    return frames;
  }
  /// Whether the trap is a wasm exception that no handler caught (message
  /// "uncaught wasm exception"). A host function that returns it (as its
  /// Error) throws the exception on into its wasm caller.
  bool is_exception() const noexcept {
    return ptr_ != nullptr && craneway_trap_is_exception(ptr_);
  }
  /// Another reference to the same trap.
  Trap copy() const { return Trap(ptr_ == nullptr ? nullptr : wasm_trap_copy(ptr_)); }
};

/// Why an operation failed: a message, and the trap when the failure is
/// a trap (whose frames say where wasm was). Move-only.
class Error {
 public:
  /// An error with `message` and no trap.
  explicit Error(std::string message) noexcept : message_(std::move(message)) {}
  /// An error with `message` and no trap.
  explicit Error(const char* message) : message_(message) {}
  /// The error of `trap`, with its message.
  Error(Trap trap) : message_(trap.message()), trap_(std::move(trap)) {}
  /// Takes the error of `other`.
  Error(Error&&) noexcept = default;
  /// Takes the error of `other`.
  Error& operator=(Error&&) noexcept = default;
  Error(const Error&) = delete;
  Error& operator=(const Error&) = delete;

  /// The message (a trap's is the spec's text, e.g. "unreachable").
  const std::string& message() const noexcept { return message_; }
  /// Whether this error is a trap.
  bool is_trap() const noexcept { return static_cast<bool>(trap_); }
  /// Whether this error is an uncaught wasm exception (see Trap).
  bool is_exception() const noexcept { return trap_.is_exception(); }
  /// The trap (empty if this error is not one).
  const Trap& trap() const noexcept { return trap_; }
  /// The trap, for moving it out (then the error keeps its message only).
  Trap& trap() noexcept { return trap_; }
  /// The trap's wasm frames, innermost first (empty if there are none).
  std::vector<Frame> frames() const { return trap_.trace(); }

 private:
  std::string message_;
  Trap trap_;
};

namespace detail {

/// The fatal error for reading a value out of a failed Result.
[[noreturn]] __attribute__((noinline, cold)) inline void bad_result_access(const Error& e) {
  fatal("Result::value() called on an error", e.message());
}

/// The fatal error for reading the error out of a successful Result.
[[noreturn]] __attribute__((noinline, cold)) inline void bad_error_access() {
  fatal("Result::error() called on a success");
}

}  // namespace detail

/// A value of type `T` or the `Error` that prevented it. Move-only.
/// Test it with `ok()` or `if (result)`; `value()` (or `*`, `->`) reads the
/// value and aborts with the error's message if there is none, so check
/// first unless a failure is a bug. Works without exceptions.
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "craneway: Result<T> holds values, not references");

 public:
  /// The type of the value.
  using value_type = T;

  /// A success holding `value` (anything `T` can be made from).
  template <class U = T,
            class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                     !std::is_same_v<detail::remove_cvref_t<U>, Result> &&
                                     !std::is_same_v<detail::remove_cvref_t<U>, Error> &&
                                     !std::is_same_v<detail::remove_cvref_t<U>, Trap>>>
  Result(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) : ok_(true) {
    new (&value_) T(std::forward<U>(value));
  }
  /// A failure with `error`.
  Result(Error error) noexcept : ok_(false) { new (&error_) Error(std::move(error)); }
  /// A failure with `trap` as its error.
  Result(Trap trap) : ok_(false) { new (&error_) Error(std::move(trap)); }
  /// Takes the value or error of `other` (which keeps a moved-from one).
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(other.ok_) {
    if (ok_) {
      new (&value_) T(std::move(other.value_));
    } else {
      new (&error_) Error(std::move(other.error_));
    }
  }
  /// Replaces the contents with those of `other`.
  Result& operator=(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      destroy();
      ok_ = other.ok_;
      if (ok_) {
        new (&value_) T(std::move(other.value_));
      } else {
        new (&error_) Error(std::move(other.error_));
      }
    }
    return *this;
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  /// Destroys the value or the error.
  ~Result() { destroy(); }

  /// Whether this holds a value.
  bool ok() const noexcept { return ok_; }
  /// Whether this holds a value.
  explicit operator bool() const noexcept { return ok_; }

  /// The value; aborts with the error's message if there is none.
  T& value() & {
    if (CRANEWAY_CPP_UNLIKELY(!ok_)) detail::bad_result_access(error_);
    return value_;
  }
  /// The value; aborts with the error's message if there is none.
  const T& value() const& {
    if (CRANEWAY_CPP_UNLIKELY(!ok_)) detail::bad_result_access(error_);
    return value_;
  }
  /// The value, moved out (returned by value, so binding the result of
  /// a temporary's `value()` to a reference is safe); aborts with the
  /// error's message if there is none.
  T value() && {
    if (CRANEWAY_CPP_UNLIKELY(!ok_)) detail::bad_result_access(error_);
    return std::move(value_);
  }
  /// The value, or `fallback` if there is none.
  template <class U>
  T value_or(U&& fallback) && {
    return ok_ ? std::move(value_) : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value, or `fallback` if there is none.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok_ ? value_ : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value (as `value()`).
  T& operator*() & { return value(); }
  /// The value (as `value()`).
  const T& operator*() const& { return value(); }
  /// The value, moved out (as `value()`).
  T operator*() && { return std::move(*this).value(); }
  /// Member access on the value (as `value()`).
  T* operator->() { return &value(); }
  /// Member access on the value (as `value()`).
  const T* operator->() const { return &value(); }

  /// The error; aborts if this is a success.
  Error& error() & {
    if (CRANEWAY_CPP_UNLIKELY(ok_)) detail::bad_error_access();
    return error_;
  }
  /// The error; aborts if this is a success.
  const Error& error() const& {
    if (CRANEWAY_CPP_UNLIKELY(ok_)) detail::bad_error_access();
    return error_;
  }
  /// The error, moved out (to return it from a function that returns
  /// another Result); aborts if this is a success.
  Error error() && {
    if (CRANEWAY_CPP_UNLIKELY(ok_)) detail::bad_error_access();
    return std::move(error_);
  }

 private:
  void destroy() noexcept {
    if (ok_) {
      value_.~T();
    } else {
      error_.~Error();
    }
  }

  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

/// A success with no value, or the `Error` of a failure. Move-only.
template <>
class [[nodiscard]] Result<void> {
 public:
  /// The type of the value.
  using value_type = void;

  /// A success.
  Result() noexcept : ok_(true) {}
  /// A failure with `error`.
  Result(Error error) noexcept : ok_(false) { new (&error_) Error(std::move(error)); }
  /// A failure with `trap` as its error.
  Result(Trap trap) : ok_(false) { new (&error_) Error(std::move(trap)); }
  /// Takes the state of `other`.
  Result(Result&& other) noexcept : ok_(other.ok_) {
    if (!ok_) new (&error_) Error(std::move(other.error_));
  }
  /// Replaces the state with that of `other`.
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      if (!ok_) error_.~Error();
      ok_ = other.ok_;
      if (!ok_) new (&error_) Error(std::move(other.error_));
    }
    return *this;
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  /// Destroys the error, if any.
  ~Result() {
    if (!ok_) error_.~Error();
  }

  /// Whether this is a success.
  bool ok() const noexcept { return ok_; }
  /// Whether this is a success.
  explicit operator bool() const noexcept { return ok_; }
  /// Nothing; aborts with the error's message if this is a failure.
  void value() const {
    if (CRANEWAY_CPP_UNLIKELY(!ok_)) detail::bad_result_access(error_);
  }

  /// The error; aborts if this is a success.
  Error& error() & {
    if (CRANEWAY_CPP_UNLIKELY(ok_)) detail::bad_error_access();
    return error_;
  }
  /// The error; aborts if this is a success.
  const Error& error() const& {
    if (CRANEWAY_CPP_UNLIKELY(ok_)) detail::bad_error_access();
    return error_;
  }
  /// The error, moved out; aborts if this is a success.
  Error error() && {
    if (CRANEWAY_CPP_UNLIKELY(ok_)) detail::bad_error_access();
    return std::move(error_);
  }

 private:
  bool ok_;
  union {
    Error error_;
  };
};

}  // namespace craneway

#endif  // CRANEWAY_ERROR_HH
