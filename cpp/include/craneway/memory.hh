// craneway/memory.hh: linear memories (`Memory`) and bounds-checked views
// of their bytes (`MemoryView`).

#ifndef CRANEWAY_MEMORY_HH
#define CRANEWAY_MEMORY_HH

#include <cstring>

#include "error.hh"
#include "types.hh"

namespace craneway {

/// The bytes of a linear memory at one moment: a base and a size, with
/// bounds-checked typed reads and writes (little-endian, unaligned
/// allowed). Not an owner. Craneway never moves a memory, so the base
/// stays valid while the memory lives; after the memory grows, take a new
/// view to reach the new bytes.
class MemoryView {
 public:
  /// An empty view.
  MemoryView() noexcept = default;
  /// A view of `size` bytes at `data`.
  MemoryView(uint8_t* data, size_t size) noexcept : data_(data), size_(size) {}

  /// The first byte.
  uint8_t* data() const noexcept { return data_; }
  /// The size in bytes.
  size_t size() const noexcept { return size_; }
  /// All the bytes.
  Span<uint8_t> bytes() const noexcept { return Span<uint8_t>(data_, size_); }
  /// Whether `len` bytes from `offset` are inside the memory.
  bool in_bounds(size_t offset, size_t len) const noexcept {
    return offset <= size_ && len <= size_ - offset;
  }
  /// The `len` bytes from `offset`, or an out-of-bounds Error.
  Result<Span<uint8_t>> slice(size_t offset, size_t len) const {
    if (!in_bounds(offset, len)) return out_of_bounds(offset, len);
    return Span<uint8_t>(data_ + offset, len);
  }
  /// The `len` bytes from `offset` as text, or an out-of-bounds Error.
  Result<std::string_view> string(size_t offset, size_t len) const {
    if (!in_bounds(offset, len)) return out_of_bounds(offset, len);
    return std::string_view(reinterpret_cast<const char*>(data_) + offset, len);
  }
  /// The `T` stored at `offset` (a trivially copyable type, e.g. an
  /// integer or float), or an out-of-bounds Error.
  template <class T>
  Result<T> read(size_t offset) const {
    static_assert(std::is_trivially_copyable_v<T>,
                  "craneway: MemoryView::read needs a trivially copyable type");
    if (!in_bounds(offset, sizeof(T))) return out_of_bounds(offset, sizeof(T));
    T value;
    std::memcpy(static_cast<void*>(&value), data_ + offset, sizeof(T));
    return value;
  }
  /// Stores `value` (a trivially copyable type) at `offset`, or returns
  /// an out-of-bounds Error (writing nothing).
  template <class T>
  Result<void> write(size_t offset, const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>,
                  "craneway: MemoryView::write needs a trivially copyable type");
    if (!in_bounds(offset, sizeof(T))) return out_of_bounds(offset, sizeof(T));
    std::memcpy(data_ + offset, static_cast<const void*>(&value), sizeof(T));
    return Result<void>();
  }
  /// Copies `bytes` to `offset`, or returns an out-of-bounds Error
  /// (writing nothing).
  Result<void> write_bytes(size_t offset, Span<const uint8_t> bytes) const {
    if (!in_bounds(offset, bytes.size())) return out_of_bounds(offset, bytes.size());
    if (!bytes.empty()) std::memcpy(data_ + offset, bytes.data(), bytes.size());
    return Result<void>();
  }
  /// Copies the characters of `text` (no terminator) to `offset`, or
  /// returns an out-of-bounds Error (writing nothing).
  Result<void> write_string(size_t offset, std::string_view text) const {
    return write_bytes(offset, Span<const uint8_t>(
                                   reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

 private:
  __attribute__((noinline, cold)) Error out_of_bounds(size_t offset, size_t len) const {
    return Error("out of bounds memory access: " + std::to_string(len) + " bytes at offset " +
                 std::to_string(offset) + " of a memory of " + std::to_string(size_) +
                 " bytes");
  }

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

/// A linear memory (owns a `wasm_memory_t`). Move-only; `copy()` makes
/// another reference to the same memory.
class Memory : public detail::Owner<wasm_memory_t, wasm_memory_delete> {
 public:
  /// Bytes in a page.
  static constexpr size_t page_size = 0x10000;

  /// No memory (empty).
  Memory() noexcept = default;
  /// Adopts an owned `wasm_memory_t` (may be NULL).
  explicit Memory(wasm_memory_t* raw) noexcept : Owner(raw) {}

  /// A new memory of `type` in `store`, or an Error for invalid limits.
  static Result<Memory> create(const Store& store, const MemoryType& type) {
    wasm_memory_t* m = wasm_memory_new(store.raw(), type.raw());
    if (m == nullptr) {
      return Error("invalid memory type (minimum above maximum or the size limit, or the "
                   "address space cannot be reserved)");
    }
    return Memory(m);
  }

  /// The memory's type, with its current size as minimum.
  MemoryType type() const { return MemoryType(wasm_memory_type(ptr_)); }
  /// The size in pages.
  uint32_t pages() const noexcept { return wasm_memory_size(ptr_); }
  /// The size in bytes.
  size_t data_size() const noexcept { return wasm_memory_data_size(ptr_); }
  /// The first byte.
  uint8_t* data() const noexcept { return wasm_memory_data(ptr_); }
  /// A view of the bytes as they are now.
  MemoryView view() const noexcept { return MemoryView(data(), data_size()); }
  /// Grows the memory by `delta` pages; returns the previous size in
  /// pages, or an Error if that would pass its maximum.
  Result<uint32_t> grow(uint32_t delta) {
    uint32_t old = pages();
    if (!wasm_memory_grow(ptr_, delta)) {
      return Error("memory.grow by " + std::to_string(delta) + " pages failed (at " +
                   std::to_string(old) + " pages)");
    }
    return old;
  }
  /// The size in pages as a 64-bit count (for 64-bit memories).
  uint64_t pages64() const noexcept { return craneway_memory_size64(ptr_); }
  /// Grows the memory by a 64-bit `delta` pages; returns the previous size
  /// in pages, or an Error if that would pass its maximum or reservation.
  Result<uint64_t> grow64(uint64_t delta) {
    uint64_t old = pages64();
    if (!craneway_memory_grow64(ptr_, delta)) {
      return Error("memory.grow by " + std::to_string(delta) + " pages failed (at " +
                   std::to_string(old) + " pages)");
    }
    return old;
  }
  /// The `T` at `offset` (see `MemoryView::read`).
  template <class T>
  Result<T> read(size_t offset) const {
    return view().read<T>(offset);
  }
  /// Stores `value` at `offset` (see `MemoryView::write`).
  template <class T>
  Result<void> write(size_t offset, const T& value) const {
    return view().write<T>(offset, value);
  }

  /// Whether both denote the same memory.
  bool same(const Memory& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_memory_same(ptr_, other.ptr_);
  }
  /// Another reference to the same memory.
  Memory copy() const { return Memory(ptr_ == nullptr ? nullptr : wasm_memory_copy(ptr_)); }
};

}  // namespace craneway

#endif  // CRANEWAY_MEMORY_HH
