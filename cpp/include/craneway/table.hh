// craneway/table.hh: tables (`Table`) and typed access to tables of
// funcref or externref (`TypedTable<T>`).

#ifndef CRANEWAY_TABLE_HH
#define CRANEWAY_TABLE_HH

#include "func.hh"

namespace craneway {

template <class T>
class TypedTable;

namespace detail {

/// The `wasm_ref_t` of a reference Val (borrowed; NULL for null), or an
/// Error if `v` holds a number.
inline Result<const wasm_ref_t*> ref_of(const Val& v) {
  if (v.kind() != ValKind::FuncRef && v.kind() != ValKind::ExternRef) {
    return Error(std::string("a table element must be a reference, not ") + to_string(v.kind()));
  }
  return static_cast<const wasm_ref_t*>(v.raw().of.ref);
}

/// The borrowed `wasm_ref_t` of a typed reference (NULL for null).
inline const wasm_ref_t* ref_of(const FuncRef& r) noexcept {
  return r.is_null() ? nullptr : wasm_func_as_ref_const(r.raw());
}
/// The borrowed `wasm_ref_t` of a typed reference (NULL for null).
inline const wasm_ref_t* ref_of(const ExternRef& r) noexcept { return r.raw(); }

/// A typed reference adopting an owned `wasm_ref_t`.
template <class T>
T adopt_ref(wasm_ref_t* r) noexcept;
template <>
inline FuncRef adopt_ref<FuncRef>(wasm_ref_t* r) noexcept {
  return adopt_funcref(r);
}
template <>
inline ExternRef adopt_ref<ExternRef>(wasm_ref_t* r) noexcept {
  return ExternRef(r);
}

}  // namespace detail

/// A table of references (owns a `wasm_table_t`). Move-only; `copy()`
/// makes another reference to the same table.
class Table : public detail::Owner<wasm_table_t, wasm_table_delete> {
 public:
  /// No table (empty).
  Table() noexcept = default;
  /// Adopts an owned `wasm_table_t` (may be NULL).
  explicit Table(wasm_table_t* raw) noexcept : Owner(raw) {}

  /// A new table of `type` in `store` with every element set to `init`
  /// (a FuncRef or ExternRef Val; null by default), or an Error.
  static Result<Table> create(const Store& store, const TableType& type, const Val& init) {
    Result<const wasm_ref_t*> r = detail::ref_of(init);
    if (!r) return std::move(r).error();
    wasm_table_t* t = wasm_table_new(store.raw(), type.raw(), *r);
    if (t == nullptr) return Error("invalid table type or initial element");
    return Table(t);
  }
  /// A new table of `type` in `store` with null elements, or an Error.
  static Result<Table> create(const Store& store, const TableType& type) {
    wasm_table_t* t = wasm_table_new(store.raw(), type.raw(), nullptr);
    if (t == nullptr) return Error("invalid table type");
    return Table(t);
  }

  /// The table's type, with its current size as minimum.
  TableType type() const { return TableType(wasm_table_type(ptr_)); }
  /// The kind of the elements (FuncRef or ExternRef).
  ValKind element() const { return type().element(); }
  /// The size in elements.
  uint32_t size() const noexcept { return wasm_table_size(ptr_); }
  /// Element `index` as a Val of the element kind, or an out-of-bounds Error.
  Result<Val> get(uint32_t index) const {
    if (index >= size()) return out_of_bounds(index);
    wasm_val_t v;
    v.kind = static_cast<wasm_valkind_t>(element());
    v.of.ref = wasm_table_get(ptr_, index);
    return Val::adopt(v);
  }
  /// Sets element `index` to `value` (a reference Val of the element
  /// kind, from this store), or returns an Error.
  Result<void> set(uint32_t index, const Val& value) {
    Result<const wasm_ref_t*> r = detail::ref_of(value);
    if (!r) return std::move(r).error();
    if (value.kind() != element()) return kind_mismatch(value.kind());
    if (index >= size()) return out_of_bounds(index);
    if (!wasm_table_set(ptr_, index, *r)) return Error("table.set: the reference does not fit");
    return Result<void>();
  }
  /// Grows the table by `delta` elements set to `init` (a reference Val of
  /// the element kind); returns the previous size, or an Error if that
  /// would pass the maximum.
  Result<uint32_t> grow(uint32_t delta, const Val& init) {
    Result<const wasm_ref_t*> r = detail::ref_of(init);
    if (!r) return std::move(r).error();
    if (init.kind() != element()) return kind_mismatch(init.kind());
    uint32_t old = size();
    if (!wasm_table_grow(ptr_, delta, *r)) {
      return Error("table.grow by " + std::to_string(delta) + " elements failed (at " +
                   std::to_string(old) + ")");
    }
    return old;
  }

  /// A handle that gets and sets elements as `T` (FuncRef or ExternRef):
  /// checks once that the table holds `T`'s kind, and returns the handle
  /// (holding a copy of this table) or an Error.
  template <class T>
  Result<TypedTable<T>> typed() const& {
    return copy().typed<T>();
  }
  /// As above, moving this table into the handle.
  template <class T>
  Result<TypedTable<T>> typed() &&;

  /// Whether both denote the same table.
  bool same(const Table& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_table_same(ptr_, other.ptr_);
  }
  /// Another reference to the same table.
  Table copy() const { return Table(ptr_ == nullptr ? nullptr : wasm_table_copy(ptr_)); }

 private:
  template <class T>
  friend class TypedTable;

  __attribute__((noinline, cold)) Error out_of_bounds(uint32_t index) const {
    return Error("out of bounds table access: index " + std::to_string(index) +
                 " of a table of " + std::to_string(size()) + " elements");
  }
  __attribute__((noinline, cold)) Error kind_mismatch(ValKind kind) const {
    return Error(std::string("a ") + to_string(kind) + " in a table of " + to_string(element()));
  }
};

/// A table whose element kind was checked against `T` (FuncRef or
/// ExternRef) once (by `Table::typed`). Move-only; `copy()` duplicates the
/// handle.
template <class T>
class TypedTable {
  static_assert(std::is_same_v<T, FuncRef> || std::is_same_v<T, ExternRef>,
                "craneway: TypedTable<T> needs craneway::FuncRef or craneway::ExternRef");

 public:
  /// The C++ type of the elements.
  using value_type = T;

  /// The size in elements.
  uint32_t size() const noexcept { return table_.size(); }
  /// Element `index`, or an out-of-bounds Error.
  Result<T> get(uint32_t index) const {
    if (index >= size()) return table_.out_of_bounds(index);
    return detail::adopt_ref<T>(wasm_table_get(table_.raw(), index));
  }
  /// Sets element `index` to `value` (from this store), or returns an
  /// Error.
  Result<void> set(uint32_t index, const T& value) {
    if (index >= size()) return table_.out_of_bounds(index);
    if (!wasm_table_set(table_.raw(), index, detail::ref_of(value))) {
      return Error("table.set: the reference does not fit (another store?)");
    }
    return Result<void>();
  }
  /// Grows the table by `delta` elements set to `init`; returns the
  /// previous size, or an Error if that would pass the maximum.
  Result<uint32_t> grow(uint32_t delta, const T& init = T()) {
    uint32_t old = size();
    if (!wasm_table_grow(table_.raw(), delta, detail::ref_of(init))) {
      return Error("table.grow by " + std::to_string(delta) + " elements failed (at " +
                   std::to_string(old) + ")");
    }
    return old;
  }
  /// The table.
  const Table& table() const noexcept { return table_; }
  /// Another handle to the same table.
  TypedTable copy() const { return TypedTable(table_.copy()); }

 private:
  friend class Table;
  explicit TypedTable(Table t) noexcept : table_(std::move(t)) {}

  Table table_;
};

template <class T>
Result<TypedTable<T>> Table::typed() && {
  static_assert(std::is_same_v<T, FuncRef> || std::is_same_v<T, ExternRef>,
                "craneway: Table::typed<T> needs craneway::FuncRef or craneway::ExternRef");
  if (ptr_ == nullptr) return Error("typed: the table is empty");
  ValKind kind = element();
  if (kind != detail::ValTraits<T>::kind) {
    return Error(std::string("table type mismatch: the C++ type is ") +
                 to_string(detail::ValTraits<T>::kind) + " but the table holds " +
                 to_string(kind));
  }
  return TypedTable<T>(std::move(*this));
}

}  // namespace craneway

#endif  // CRANEWAY_TABLE_HH
