// craneway/extern.hh: externals, the things a module imports and exports:
// `Extern` owns one of a function, global, table or memory; `ExternView`
// borrows one, to pass imports.

#ifndef CRANEWAY_EXTERN_HH
#define CRANEWAY_EXTERN_HH

#include <variant>

#include "func.hh"
#include "global.hh"
#include "memory.hh"
#include "table.hh"

namespace craneway {

/// One function, global, table or memory, owned (or nothing, when empty).
/// Move-only; `copy()` makes another reference to the same object.
class Extern {
 public:
  /// Nothing (empty).
  Extern() noexcept = default;
  /// A function (taking it).
  Extern(Func f) noexcept : item_(std::move(f)) {}
  /// A global (taking it).
  Extern(Global g) noexcept : item_(std::move(g)) {}
  /// A table (taking it).
  Extern(Table t) noexcept : item_(std::move(t)) {}
  /// A memory (taking it).
  Extern(Memory m) noexcept : item_(std::move(m)) {}

  /// Adopts an owned `wasm_extern_t` (NULL gives an empty Extern).
  static Extern adopt(wasm_extern_t* raw) noexcept {
    if (raw == nullptr) return Extern();
    switch (static_cast<ExternKind>(wasm_extern_kind(raw))) {
      case ExternKind::Func: return Func(wasm_extern_as_func(raw));
      case ExternKind::Global: return Global(wasm_extern_as_global(raw));
      case ExternKind::Table: return Table(wasm_extern_as_table(raw));
      case ExternKind::Memory: return Memory(wasm_extern_as_memory(raw));
    }
    wasm_extern_delete(raw);
    return Extern();
  }

  /// Whether this holds an object.
  explicit operator bool() const noexcept { return raw() != nullptr; }
  /// The kind of the object (meaningless when empty).
  ExternKind kind() const noexcept {
    switch (item_.index()) {
      case 2: return ExternKind::Global;
      case 3: return ExternKind::Table;
      case 4: return ExternKind::Memory;
      default: return ExternKind::Func;
    }
  }
  /// The function, or NULL if this is not one.
  Func* func() noexcept { return std::get_if<Func>(&item_); }
  /// The function, or NULL if this is not one.
  const Func* func() const noexcept { return std::get_if<Func>(&item_); }
  /// The global, or NULL if this is not one.
  Global* global() noexcept { return std::get_if<Global>(&item_); }
  /// The global, or NULL if this is not one.
  const Global* global() const noexcept { return std::get_if<Global>(&item_); }
  /// The table, or NULL if this is not one.
  Table* table() noexcept { return std::get_if<Table>(&item_); }
  /// The table, or NULL if this is not one.
  const Table* table() const noexcept { return std::get_if<Table>(&item_); }
  /// The memory, or NULL if this is not one.
  Memory* memory() noexcept { return std::get_if<Memory>(&item_); }
  /// The memory, or NULL if this is not one.
  const Memory* memory() const noexcept { return std::get_if<Memory>(&item_); }

  /// The C external (the same object, still owned here), or NULL.
  const wasm_extern_t* raw() const noexcept {
    if (const Func* f = func()) return *f ? wasm_func_as_extern_const(f->raw()) : nullptr;
    if (const Global* g = global()) return *g ? wasm_global_as_extern_const(g->raw()) : nullptr;
    if (const Table* t = table()) return *t ? wasm_table_as_extern_const(t->raw()) : nullptr;
    if (const Memory* m = memory()) return *m ? wasm_memory_as_extern_const(m->raw()) : nullptr;
    return nullptr;
  }
  /// The object's type.
  ExternType type() const { return ExternType(wasm_extern_type(raw())); }
  /// Another reference to the same object.
  Extern copy() const {
    const wasm_extern_t* r = raw();
    return r == nullptr ? Extern() : adopt(wasm_extern_copy(r));
  }

 private:
  std::variant<std::monostate, Func, Global, Table, Memory> item_;
};

/// A borrowed function, global, table or memory, for passing imports
/// (`Instance::create(store, module, {func, memory})`). It does not own the
/// object, which must outlive the call it is passed to.
class ExternView {
 public:
  /// A view of a function.
  ExternView(const Func& f) noexcept : raw_(f ? wasm_func_as_extern_const(f.raw()) : nullptr) {}
  /// A view of a global.
  ExternView(const Global& g) noexcept
      : raw_(g ? wasm_global_as_extern_const(g.raw()) : nullptr) {}
  /// A view of a table.
  ExternView(const Table& t) noexcept : raw_(t ? wasm_table_as_extern_const(t.raw()) : nullptr) {}
  /// A view of a memory.
  ExternView(const Memory& m) noexcept
      : raw_(m ? wasm_memory_as_extern_const(m.raw()) : nullptr) {}
  /// A view of an Extern's object.
  ExternView(const Extern& e) noexcept : raw_(e.raw()) {}
  /// A view of a C external (borrowed).
  explicit ExternView(const wasm_extern_t* raw) noexcept : raw_(raw) {}

  /// The C external (NULL for an empty object).
  const wasm_extern_t* raw() const noexcept { return raw_; }
  /// The kind of the object.
  ExternKind kind() const noexcept { return static_cast<ExternKind>(wasm_extern_kind(raw_)); }
  /// A new owning reference to the object.
  Extern copy() const { return raw_ == nullptr ? Extern() : Extern::adopt(wasm_extern_copy(raw_)); }

 private:
  const wasm_extern_t* raw_;
};

}  // namespace craneway

#endif  // CRANEWAY_EXTERN_HH
