// craneway/common.hh: what every other C++ header of Craneway builds on:
// the C headers, a few compiler helpers, a minimal Span, a fatal-error
// path for broken preconditions, and a movable owner of C objects.
//
// Part of the header-only C++17 layer over the C API (include/wasm.h and
// include/craneway.h). It needs no exceptions and defines nothing that is
// not inline, so any number of translation units may include it.

#ifndef CRANEWAY_COMMON_HH
#define CRANEWAY_COMMON_HH

#include <craneway.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

/// Marks a condition as expected to hold (a branch hint, no check).
#define CRANEWAY_CPP_LIKELY(x) __builtin_expect(!!(x), 1)
/// Marks a condition as expected not to hold (a branch hint, no check).
#define CRANEWAY_CPP_UNLIKELY(x) __builtin_expect(!!(x), 0)

/// Whether this translation unit is compiled with C++ exceptions (1) or
/// with `-fno-exceptions` (0). Host functions catch exceptions only when 1.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define CRANEWAY_HAS_EXCEPTIONS 1
#else
#define CRANEWAY_HAS_EXCEPTIONS 0
#endif

/// The C++ API of Craneway. Everything public lives here; `detail` holds
/// implementation helpers that may change without notice.
namespace craneway {

namespace detail {

/// Prints `what` (and `detail`, if not empty) to stderr and aborts: the
/// response to a broken precondition (such as reading the value of a
/// Result that holds an error), since this API throws no exceptions.
[[noreturn]] __attribute__((noinline, cold)) inline void fatal(const char* what,
                                                               std::string_view detail = {}) {
  if (detail.empty()) {
    std::fprintf(stderr, "craneway: fatal: %s\n", what);
  } else {
    std::fprintf(stderr, "craneway: fatal: %s: %.*s\n", what, static_cast<int>(detail.size()),
                 detail.data());
  }
  std::fflush(stderr);
  std::abort();
}

/// `T` without reference and cv-qualifiers (C++20's std::remove_cvref_t).
template <class T>
using remove_cvref_t = std::remove_cv_t<std::remove_reference_t<T>>;

/// Whether `T` is a complete type at the point of first use.
template <class T, class = void>
struct is_complete : std::false_type {};
template <class T>
struct is_complete<T, std::void_t<decltype(sizeof(T))>> : std::true_type {};

/// A `false` that depends on `T`, for static_asserts in templates.
template <class T>
inline constexpr bool dependent_false = false;

/// Owns a C object released by `Delete`. Move-only: a move leaves the
/// source empty (NULL). Base of every owning wrapper.
template <class T, void (*Delete)(T*)>
class Owner {
 public:
  /// An empty owner (holding NULL).
  Owner() noexcept = default;
  /// Takes ownership of `raw` (may be NULL).
  explicit Owner(T* raw) noexcept : ptr_(raw) {}
  /// Takes the object of `other`, leaving it empty.
  Owner(Owner&& other) noexcept : ptr_(other.ptr_) { other.ptr_ = nullptr; }
  /// Releases the current object and takes the one of `other`.
  Owner& operator=(Owner&& other) noexcept {
    if (this != &other) {
      reset();
      ptr_ = other.ptr_;
      other.ptr_ = nullptr;
    }
    return *this;
  }
  Owner(const Owner&) = delete;
  Owner& operator=(const Owner&) = delete;
  /// Releases the object, if any.
  ~Owner() { reset(); }

  /// The C object (NULL if empty); still owned by this wrapper.
  T* raw() const noexcept { return ptr_; }
  /// Gives up ownership: returns the C object (the caller now owns it)
  /// and leaves this wrapper empty.
  T* release() noexcept {
    T* p = ptr_;
    ptr_ = nullptr;
    return p;
  }
  /// Whether this wrapper holds an object (false after a move or a
  /// failed creation).
  explicit operator bool() const noexcept { return ptr_ != nullptr; }

 protected:
  /// Releases the object now, leaving the wrapper empty.
  void reset() noexcept {
    if (ptr_ != nullptr) Delete(ptr_);
    ptr_ = nullptr;
  }
  /// The owned object.
  T* ptr_ = nullptr;
};

/// A `wasm_byte_vec_t` (or message/name) released on scope exit.
class ByteVec {
 public:
  /// An empty vector, to be written by a C function.
  ByteVec() noexcept { vec.size = 0, vec.data = nullptr; }
  ByteVec(const ByteVec&) = delete;
  ByteVec& operator=(const ByteVec&) = delete;
  ~ByteVec() { wasm_byte_vec_delete(&vec); }
  /// The contents as a string, without a trailing NUL if there is one.
  std::string str() const {
    size_t n = vec.size;
    if (n > 0 && vec.data[n - 1] == '\0') --n;
    return std::string(vec.data == nullptr ? "" : vec.data, n);
  }
  /// The C vector.
  wasm_byte_vec_t vec;
};

/// A borrowed `wasm_byte_vec_t` over `size` bytes at `data` (never freed).
inline wasm_byte_vec_t borrowed_bytes(const void* data, size_t size) noexcept {
  wasm_byte_vec_t v;
  v.size = size;
  v.data = static_cast<wasm_byte_t*>(const_cast<void*>(data));
  return v;
}

}  // namespace detail

/// A non-owning view of `size()` contiguous `T`s (C++20's std::span, in
/// the small part needed here). Const views (`Span<const T>`) convert from
/// containers with `data()` and `size()` (vectors, strings, arrays) and
/// from braced lists, which live until the end of the full expression.
template <class T>
class Span {
 public:
  /// The element type.
  using element_type = T;

  /// An empty span.
  constexpr Span() noexcept = default;
  /// A span over `size` elements at `data`.
  constexpr Span(T* data, size_t size) noexcept : data_(data), size_(size) {}
  /// A span over an array.
  template <size_t N>
  constexpr Span(T (&array)[N]) noexcept : data_(array), size_(N) {}
  /// A span over a container with contiguous `data()` and `size()`.
  template <class C, class = std::enable_if_t<
                         !std::is_same_v<detail::remove_cvref_t<C>, Span> &&
                         std::is_convertible_v<decltype(std::declval<C&>().data()), T*>>>
  constexpr Span(C&& container) noexcept : data_(container.data()), size_(container.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  /// A span over a braced list (only for `Span<const T>`, as a parameter:
  /// the list lives until the end of the full expression).
  template <class U = T, class = std::enable_if_t<std::is_const_v<U>>>
  constexpr Span(std::initializer_list<std::remove_const_t<U>> list) noexcept
      : data_(list.begin()), size_(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

  /// The first element (NULL when empty, possibly).
  constexpr T* data() const noexcept { return data_; }
  /// The number of elements.
  constexpr size_t size() const noexcept { return size_; }
  /// Whether there are no elements.
  constexpr bool empty() const noexcept { return size_ == 0; }
  /// Element `i` (unchecked; `i < size()`).
  constexpr T& operator[](size_t i) const noexcept { return data_[i]; }
  /// Iteration start.
  constexpr T* begin() const noexcept { return data_; }
  /// Iteration end.
  constexpr T* end() const noexcept { return data_ + size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace craneway

#endif  // CRANEWAY_COMMON_HH
