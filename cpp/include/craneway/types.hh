// craneway/types.hh: type objects (value, function, global, table,
// memory, extern, import and export types) and the kinds they are made of.

#ifndef CRANEWAY_TYPES_HH
#define CRANEWAY_TYPES_HH

#include <optional>
#include <vector>

#include "common.hh"

namespace craneway {

/// The kind of a WebAssembly value (`wasm_valkind_t`).
enum class ValKind : uint8_t {
  /// 32-bit integer (C++ int32_t or uint32_t).
  I32 = WASM_I32,
  /// 64-bit integer (C++ int64_t or uint64_t).
  I64 = WASM_I64,
  /// 32-bit float (C++ float).
  F32 = WASM_F32,
  /// 64-bit float (C++ double).
  F64 = WASM_F64,
  /// 128-bit vector (craneway::V128).
  V128 = WASM_V128,
  /// Nullable reference to host data (craneway::ExternRef).
  ExternRef = WASM_EXTERNREF,
  /// Nullable reference to a function (craneway::FuncRef).
  FuncRef = WASM_FUNCREF,
};

/// The text-format name of `kind` ("i32", "funcref", ...), or "unknown".
inline const char* to_string(ValKind kind) noexcept {
  switch (kind) {
    case ValKind::I32: return "i32";
    case ValKind::I64: return "i64";
    case ValKind::F32: return "f32";
    case ValKind::F64: return "f64";
    case ValKind::V128: return "v128";
    case ValKind::ExternRef: return "externref";
    case ValKind::FuncRef: return "funcref";
  }
  return "unknown";
}

/// Whether a global can be set.
enum class Mutability : uint8_t {
  /// Immutable (`WASM_CONST`).
  Const = WASM_CONST,
  /// Mutable (`WASM_VAR`).
  Var = WASM_VAR,
};

/// The kind of an external (an import or export).
enum class ExternKind : uint8_t {
  /// A function.
  Func = WASM_EXTERN_FUNC,
  /// A global.
  Global = WASM_EXTERN_GLOBAL,
  /// A table.
  Table = WASM_EXTERN_TABLE,
  /// A memory.
  Memory = WASM_EXTERN_MEMORY,
};

/// The name of `kind` ("func", "global", "table", "memory"), or "unknown".
inline const char* to_string(ExternKind kind) noexcept {
  switch (kind) {
    case ExternKind::Func: return "func";
    case ExternKind::Global: return "global";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
  }
  return "unknown";
}

/// `Limits::max` of limits without a maximum.
inline constexpr uint32_t no_max = 0xffffffffu;

/// Size range of a memory (in 64 KiB pages) or a table (in elements).
struct Limits {
  /// The minimum (initial) size.
  uint32_t min = 0;
  /// The maximum size, or `no_max`.
  uint32_t max = no_max;
};

/// The size range of a 64-bit memory or table (`craneway_*type_limits64`).
struct Limits64 {
  /// `max` of a range with no maximum.
  static constexpr uint64_t no_max = UINT64_MAX;
  /// The minimum (initial) size.
  uint64_t min = 0;
  /// The maximum size, or `no_max`.
  uint64_t max = no_max;
};

namespace detail {

/// "(i32, i64) -> f32" for parameter and result kinds.
inline std::string signature_string(Span<const ValKind> params, Span<const ValKind> results) {
  std::string s = "(";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) s += ", ";
    s += to_string(params[i]);
  }
  s += ") -> (";
  for (size_t i = 0; i < results.size(); ++i) {
    if (i > 0) s += ", ";
    s += to_string(results[i]);
  }
  s += ")";
  return s;
}

/// The kinds of a C vector of value types.
inline std::vector<ValKind> kinds_of(const wasm_valtype_vec_t* vec) {
  std::vector<ValKind> kinds;
  if (vec == nullptr) return kinds;
  kinds.reserve(vec->size);
  for (size_t i = 0; i < vec->size; ++i) {
    kinds.push_back(static_cast<ValKind>(wasm_valtype_kind(vec->data[i])));
  }
  return kinds;
}

/// An owned C vector of new value types of `kinds`.
inline wasm_valtype_vec_t valtype_vec(Span<const ValKind> kinds) {
  wasm_valtype_vec_t vec;
  wasm_valtype_vec_new_uninitialized(&vec, kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    vec.data[i] = wasm_valtype_new(static_cast<wasm_valkind_t>(kinds[i]));
  }
  return vec;
}

/// A string of `name`'s bytes.
inline std::string_view name_view(const wasm_name_t* name) noexcept {
  if (name == nullptr || name->data == nullptr) return std::string_view();
  return std::string_view(name->data, name->size);
}

}  // namespace detail

/// The type of a value (owns a `wasm_valtype_t`). Move-only; `copy()`
/// duplicates it.
class ValType : public detail::Owner<wasm_valtype_t, wasm_valtype_delete> {
 public:
  /// A value type of `kind`.
  explicit ValType(ValKind kind) : Owner(wasm_valtype_new(static_cast<wasm_valkind_t>(kind))) {}
  /// Adopts an owned `wasm_valtype_t` (may be NULL).
  explicit ValType(wasm_valtype_t* raw) noexcept : Owner(raw) {}
  /// Its kind.
  ValKind kind() const noexcept { return static_cast<ValKind>(wasm_valtype_kind(ptr_)); }
  /// A new value type equal to this one.
  ValType copy() const { return ValType(wasm_valtype_copy(ptr_)); }
};

/// The type of a function: parameter and result kinds (owns a
/// `wasm_functype_t`). Move-only; `copy()` duplicates it.
class FuncType : public detail::Owner<wasm_functype_t, wasm_functype_delete> {
 public:
  /// A function type with `params` and `results`, e.g.
  /// `FuncType({ValKind::I32, ValKind::I32}, {ValKind::I32})`.
  FuncType(Span<const ValKind> params, Span<const ValKind> results) {
    wasm_valtype_vec_t p = detail::valtype_vec(params);
    wasm_valtype_vec_t r = detail::valtype_vec(results);
    ptr_ = wasm_functype_new(&p, &r);
    wasm_valtype_vec_delete(&p);
    wasm_valtype_vec_delete(&r);
  }
  /// Adopts an owned `wasm_functype_t` (may be NULL).
  explicit FuncType(wasm_functype_t* raw) noexcept : Owner(raw) {}
  /// The parameter kinds.
  std::vector<ValKind> params() const { return detail::kinds_of(wasm_functype_params(ptr_)); }
  /// The result kinds.
  std::vector<ValKind> results() const { return detail::kinds_of(wasm_functype_results(ptr_)); }
  /// The type as text: "(i32, i32) -> (i32)".
  std::string to_string() const { return detail::signature_string(params(), results()); }
  /// A new function type equal to this one.
  FuncType copy() const { return FuncType(wasm_functype_copy(ptr_)); }
};

/// The type of a global: its content kind and mutability (owns a
/// `wasm_globaltype_t`). Move-only; `copy()` duplicates it.
class GlobalType : public detail::Owner<wasm_globaltype_t, wasm_globaltype_delete> {
 public:
  /// A global type holding `content` values with `mutability`.
  GlobalType(ValKind content, Mutability mutability)
      : Owner(wasm_globaltype_new(wasm_valtype_new(static_cast<wasm_valkind_t>(content)),
                                  static_cast<wasm_mutability_t>(mutability))) {}
  /// Adopts an owned `wasm_globaltype_t` (may be NULL).
  explicit GlobalType(wasm_globaltype_t* raw) noexcept : Owner(raw) {}
  /// The kind of the values.
  ValKind content() const noexcept {
    return static_cast<ValKind>(wasm_valtype_kind(wasm_globaltype_content(ptr_)));
  }
  /// Whether the global can be set.
  Mutability mutability() const noexcept {
    return static_cast<Mutability>(wasm_globaltype_mutability(ptr_));
  }
  /// A new global type equal to this one.
  GlobalType copy() const { return GlobalType(wasm_globaltype_copy(ptr_)); }
};

/// The type of a table: its element kind and size limits (owns a
/// `wasm_tabletype_t`). Move-only; `copy()` duplicates it.
class TableType : public detail::Owner<wasm_tabletype_t, wasm_tabletype_delete> {
 public:
  /// A table type of `element` references (FuncRef or ExternRef) with
  /// `limits`. Empty (false) for another element kind.
  TableType(ValKind element, Limits limits) {
    wasm_limits_t l{limits.min, limits.max};
    ptr_ = wasm_tabletype_new(wasm_valtype_new(static_cast<wasm_valkind_t>(element)), &l);
  }
  /// Adopts an owned `wasm_tabletype_t` (may be NULL).
  explicit TableType(wasm_tabletype_t* raw) noexcept : Owner(raw) {}
  /// A 64-bit table type (indexed by i64) of `element` references with
  /// `limits`. Empty (false) for another element kind.
  static TableType table64(ValKind element, Limits64 limits) {
    return TableType(craneway_tabletype_new64(
        wasm_valtype_new(static_cast<wasm_valkind_t>(element)), limits.min, limits.max));
  }
  /// Whether this is a 64-bit table.
  bool is64() const noexcept { return craneway_tabletype_is64(ptr_); }
  /// The exact size limits in elements (`limits()` saturates at 32 bits).
  Limits64 limits64() const noexcept {
    Limits64 l;
    craneway_tabletype_limits64(ptr_, &l.min, &l.max);
    return l;
  }
  /// The kind of the elements.
  ValKind element() const noexcept {
    return static_cast<ValKind>(wasm_valtype_kind(wasm_tabletype_element(ptr_)));
  }
  /// The size limits in elements.
  Limits limits() const noexcept {
    const wasm_limits_t* l = wasm_tabletype_limits(ptr_);
    return l == nullptr ? Limits{} : Limits{l->min, l->max};
  }
  /// A new table type equal to this one.
  TableType copy() const { return TableType(wasm_tabletype_copy(ptr_)); }
};

/// The type of a memory: its size limits in 64 KiB pages (owns a
/// `wasm_memorytype_t`). Move-only; `copy()` duplicates it.
class MemoryType : public detail::Owner<wasm_memorytype_t, wasm_memorytype_delete> {
 public:
  /// A memory type with `limits` (in pages).
  explicit MemoryType(Limits limits) {
    wasm_limits_t l{limits.min, limits.max};
    ptr_ = wasm_memorytype_new(&l);
  }
  /// Adopts an owned `wasm_memorytype_t` (may be NULL).
  explicit MemoryType(wasm_memorytype_t* raw) noexcept : Owner(raw) {}
  /// A 64-bit memory type (addressed by i64) with `limits` in pages.
  static MemoryType memory64(Limits64 limits) {
    return MemoryType(craneway_memorytype_new64(limits.min, limits.max));
  }
  /// Whether this is a 64-bit memory.
  bool is64() const noexcept { return craneway_memorytype_is64(ptr_); }
  /// The exact size limits in pages (`limits()` saturates at 32 bits).
  Limits64 limits64() const noexcept {
    Limits64 l;
    craneway_memorytype_limits64(ptr_, &l.min, &l.max);
    return l;
  }
  /// The size limits in pages.
  Limits limits() const noexcept {
    const wasm_limits_t* l = wasm_memorytype_limits(ptr_);
    return l == nullptr ? Limits{} : Limits{l->min, l->max};
  }
  /// A new memory type equal to this one.
  MemoryType copy() const { return MemoryType(wasm_memorytype_copy(ptr_)); }
};

/// The type of an external: one of a function, global, table or memory
/// type (owns a `wasm_externtype_t`). Move-only; `copy()` duplicates it.
class ExternType : public detail::Owner<wasm_externtype_t, wasm_externtype_delete> {
 public:
  /// Adopts an owned `wasm_externtype_t` (may be NULL).
  explicit ExternType(wasm_externtype_t* raw) noexcept : Owner(raw) {}
  /// The extern type of a function type (which it takes).
  ExternType(FuncType ty) : Owner(wasm_functype_as_externtype(ty.release())) {}
  /// The extern type of a global type (which it takes).
  ExternType(GlobalType ty) : Owner(wasm_globaltype_as_externtype(ty.release())) {}
  /// The extern type of a table type (which it takes).
  ExternType(TableType ty) : Owner(wasm_tabletype_as_externtype(ty.release())) {}
  /// The extern type of a memory type (which it takes).
  ExternType(MemoryType ty) : Owner(wasm_memorytype_as_externtype(ty.release())) {}

  /// Which kind of external this is the type of.
  ExternKind kind() const noexcept { return static_cast<ExternKind>(wasm_externtype_kind(ptr_)); }
  /// A copy of the function type, if this is one.
  std::optional<FuncType> func() const {
    const wasm_functype_t* t = wasm_externtype_as_functype_const(ptr_);
    if (t == nullptr) return std::nullopt;
    return FuncType(wasm_functype_copy(t));
  }
  /// A copy of the global type, if this is one.
  std::optional<GlobalType> global() const {
    const wasm_globaltype_t* t = wasm_externtype_as_globaltype_const(ptr_);
    if (t == nullptr) return std::nullopt;
    return GlobalType(wasm_globaltype_copy(t));
  }
  /// A copy of the table type, if this is one.
  std::optional<TableType> table() const {
    const wasm_tabletype_t* t = wasm_externtype_as_tabletype_const(ptr_);
    if (t == nullptr) return std::nullopt;
    return TableType(wasm_tabletype_copy(t));
  }
  /// A copy of the memory type, if this is one.
  std::optional<MemoryType> memory() const {
    const wasm_memorytype_t* t = wasm_externtype_as_memorytype_const(ptr_);
    if (t == nullptr) return std::nullopt;
    return MemoryType(wasm_memorytype_copy(t));
  }
  /// A new extern type equal to this one.
  ExternType copy() const { return ExternType(wasm_externtype_copy(ptr_)); }
};

/// An import of a module: module name, name and type (owns a
/// `wasm_importtype_t`). Move-only; `copy()` duplicates it.
class ImportType : public detail::Owner<wasm_importtype_t, wasm_importtype_delete> {
 public:
  /// An import of `name` from `module` with type `type` (which it takes).
  ImportType(std::string_view module, std::string_view name, ExternType type) {
    wasm_name_t m, n;
    wasm_name_new(&m, module.size(), module.data());
    wasm_name_new(&n, name.size(), name.data());
    ptr_ = wasm_importtype_new(&m, &n, type.release());
    wasm_name_delete(&m);
    wasm_name_delete(&n);
  }
  /// Adopts an owned `wasm_importtype_t` (may be NULL).
  explicit ImportType(wasm_importtype_t* raw) noexcept : Owner(raw) {}
  /// The module name (borrowed from this object).
  std::string_view module() const noexcept { return detail::name_view(wasm_importtype_module(ptr_)); }
  /// The import's name (borrowed from this object).
  std::string_view name() const noexcept { return detail::name_view(wasm_importtype_name(ptr_)); }
  /// The kind of the imported external.
  ExternKind kind() const noexcept {
    return static_cast<ExternKind>(wasm_externtype_kind(wasm_importtype_type(ptr_)));
  }
  /// A copy of the import's type.
  ExternType type() const { return ExternType(wasm_externtype_copy(wasm_importtype_type(ptr_))); }
  /// A new import type equal to this one.
  ImportType copy() const { return ImportType(wasm_importtype_copy(ptr_)); }
};

/// An export of a module: name and type (owns a `wasm_exporttype_t`).
/// Move-only; `copy()` duplicates it.
class ExportType : public detail::Owner<wasm_exporttype_t, wasm_exporttype_delete> {
 public:
  /// An export named `name` with type `type` (which it takes).
  ExportType(std::string_view name, ExternType type) {
    wasm_name_t n;
    wasm_name_new(&n, name.size(), name.data());
    ptr_ = wasm_exporttype_new(&n, type.release());
    wasm_name_delete(&n);
  }
  /// Adopts an owned `wasm_exporttype_t` (may be NULL).
  explicit ExportType(wasm_exporttype_t* raw) noexcept : Owner(raw) {}
  /// The export's name (borrowed from this object).
  std::string_view name() const noexcept { return detail::name_view(wasm_exporttype_name(ptr_)); }
  /// The kind of the exported external.
  ExternKind kind() const noexcept {
    return static_cast<ExternKind>(wasm_externtype_kind(wasm_exporttype_type(ptr_)));
  }
  /// A copy of the export's type.
  ExternType type() const { return ExternType(wasm_externtype_copy(wasm_exporttype_type(ptr_))); }
  /// A new export type equal to this one.
  ExportType copy() const { return ExportType(wasm_exporttype_copy(ptr_)); }
};

}  // namespace craneway

#endif  // CRANEWAY_TYPES_HH
