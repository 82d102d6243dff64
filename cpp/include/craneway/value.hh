// craneway/value.hh: V128, the 128-bit vector value, and ExternRef, the
// nullable reference to host data.

#ifndef CRANEWAY_VALUE_HH
#define CRANEWAY_VALUE_HH

#include <cstring>

#include "store.hh"

namespace craneway {

/// A 128-bit vector value (wasm `v128`): 16 bytes, lane 0 first
/// (little-endian, as wasm stores it).
struct V128 {
  /// The bytes, lowest lane first.
  uint8_t bytes[16] = {};

  /// A vector of two 64-bit lanes: `lo` in bytes 0..7, `hi` in 8..15.
  static V128 from_u64x2(uint64_t lo, uint64_t hi) noexcept {
    V128 v;
    std::memcpy(v.bytes, &lo, 8);
    std::memcpy(v.bytes + 8, &hi, 8);
    return v;
  }
  /// A vector of four 32-bit lanes, lane 0 first.
  static V128 from_u32x4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) noexcept {
    V128 v;
    const uint32_t lanes[4] = {a, b, c, d};
    std::memcpy(v.bytes, lanes, 16);
    return v;
  }
  /// 64-bit lane `i` (0 or 1).
  uint64_t u64(size_t i) const noexcept {
    uint64_t x;
    std::memcpy(&x, bytes + 8 * i, 8);
    return x;
  }
  /// 32-bit lane `i` (0 to 3).
  uint32_t u32(size_t i) const noexcept {
    uint32_t x;
    std::memcpy(&x, bytes + 4 * i, 4);
    return x;
  }
  /// Whether both vectors have the same bytes.
  friend bool operator==(const V128& a, const V128& b) noexcept {
    return std::memcmp(a.bytes, b.bytes, 16) == 0;
  }
  /// Whether the vectors differ in any byte.
  friend bool operator!=(const V128& a, const V128& b) noexcept { return !(a == b); }
};

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "craneway: the C++ API assumes a little-endian host, as wasm is");

namespace detail {

/// A type's identity for checked host data: one address per type,
/// the same in every translation unit (an inline variable).
template <class T>
inline const char type_tag = 0;

/// What every host data of `ExternRef::make` starts with: the tag of
/// its value's type.
struct HostDataHeader {
  const void* tag;
};

/// The host data of an ExternRef made by `ExternRef::make`: the value
/// after the tag of its type. The C host info points at the header.
template <class T>
struct HostData : HostDataHeader {
  HostData(T v) : HostDataHeader{&type_tag<T>}, value(std::move(v)) {}
  T value;
  static void finalize(void* p) {
    delete static_cast<HostData*>(static_cast<HostDataHeader*>(p));
  }
};

}  // namespace detail

/// A nullable reference to host data (wasm `externref`; owns a
/// `wasm_ref_t`, NULL for the null reference). Move-only; `copy()` makes
/// another reference to the same object.
class ExternRef : public detail::Owner<wasm_ref_t, wasm_ref_delete> {
 public:
  /// The null reference.
  ExternRef() noexcept = default;
  /// The null reference.
  ExternRef(std::nullptr_t) noexcept {}
  /// Adopts an owned `wasm_ref_t` (NULL for the null reference).
  explicit ExternRef(wasm_ref_t* raw) noexcept : Owner(raw) {}

  /// A new reference in `store` to a host object holding `value`. The
  /// value lives until the store and its last object are gone (every
  /// reference to the object shares it); read it with `data<T>()`.
  template <class T>
  static ExternRef make(const Store& store, T value) {
    using D = detail::HostData<std::decay_t<T>>;
    wasm_foreign_t* foreign = wasm_foreign_new(store.raw());
    if (foreign == nullptr) return ExternRef();
    detail::HostDataHeader* data = new D(std::move(value));
    wasm_foreign_set_host_info_with_finalizer(foreign, data, &D::finalize);
    return ExternRef(wasm_foreign_as_ref(foreign));
  }

  /// Whether this is the null reference.
  bool is_null() const noexcept { return ptr_ == nullptr; }
  /// The value given to `make<T>`, or NULL if this is the null reference,
  /// has no host info, or holds another type than `T`. (Host info set
  /// through the C API by other means must not be read this way.)
  template <class T>
  T* data() const noexcept {
    auto* header = static_cast<detail::HostDataHeader*>(host_info());
    if (header == nullptr || header->tag != &detail::type_tag<T>) return nullptr;
    return &static_cast<detail::HostData<T>*>(header)->value;
  }
  /// The object's host info (any data set through the C API), or NULL.
  void* host_info() const noexcept {
    return ptr_ == nullptr ? nullptr : wasm_ref_get_host_info(ptr_);
  }
  /// Whether both denote the same object (two nulls are the same).
  bool same(const ExternRef& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_ref_same(ptr_, other.ptr_);
  }
  /// Another reference to the same object (or null).
  ExternRef copy() const { return ExternRef(ptr_ == nullptr ? nullptr : wasm_ref_copy(ptr_)); }
};

}  // namespace craneway

#endif  // CRANEWAY_VALUE_HH
