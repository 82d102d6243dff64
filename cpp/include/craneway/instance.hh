// craneway/instance.hh: instances of modules (`Instance`), made with
// imports given in the module's import order.

#ifndef CRANEWAY_INSTANCE_HH
#define CRANEWAY_INSTANCE_HH

#include <vector>

#include "extern.hh"
#include "module.hh"

namespace craneway {

/// An instance of a module (owns a `wasm_instance_t`, and remembers its
/// module's export names, which the C instance does not know). Move-only;
/// `copy()` makes another reference to the same instance.
class Instance : public detail::Owner<wasm_instance_t, wasm_instance_delete> {
 public:
  /// No instance (empty).
  Instance() noexcept = default;
  /// Adopts an owned `wasm_instance_t` of a module with exports `names`.
  Instance(wasm_instance_t* raw, std::vector<std::string> names) noexcept
      : Owner(raw), names_(std::move(names)) {}

  /// Instantiates `module` in `store` with `imports` in the module's
  /// import order (`module.imports()`), running its start function: the
  /// instance, or an Error (a link error's message, or the trap raised
  /// while initialising).
  static Result<Instance> create(const Store& store, const Module& module,
                                 Span<const ExternView> imports) {
    std::vector<wasm_extern_t*> raw(imports.size());
    for (size_t i = 0; i < imports.size(); ++i) {
      raw[i] = const_cast<wasm_extern_t*>(imports[i].raw());
    }
    wasm_extern_vec_t vec;
    vec.size = raw.size();
    vec.data = raw.data();
    wasm_trap_t* trap = nullptr;
    wasm_instance_t* inst = wasm_instance_new(store.raw(), module.raw(), &vec, &trap);
    if (inst == nullptr) {
      if (trap != nullptr) return Trap(trap);
      return Error("instantiation failed");
    }
    std::vector<std::string> names;
    for (const ExportType& e : module.exports()) names.emplace_back(e.name());
    return Instance(inst, std::move(names));
  }
  /// The exports, in the module's export order (new references).
  std::vector<Extern> exports() const {
    wasm_extern_vec_t vec;
    wasm_instance_exports(ptr_, &vec);
    std::vector<Extern> out;
    out.reserve(vec.size);
    for (size_t i = 0; i < vec.size; ++i) {
      out.push_back(Extern::adopt(vec.data[i]));
      vec.data[i] = nullptr;
    }
    wasm_extern_vec_delete(&vec);
    return out;
  }
  /// The export names, in the module's export order.
  const std::vector<std::string>& export_names() const noexcept { return names_; }

  /// The export `name` (a new reference), or an Error if there is none.
  Result<Extern> get_export(std::string_view name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] != name) continue;
      wasm_extern_vec_t vec;
      wasm_instance_exports(ptr_, &vec);
      Extern e;
      if (i < vec.size) {
        e = Extern::adopt(vec.data[i]);
        vec.data[i] = nullptr;
      }
      wasm_extern_vec_delete(&vec);
      if (e) return e;
      break;
    }
    return Error("the instance has no export named \"" + std::string(name) + "\"");
  }
  /// The exported function `name`, or an Error if there is no function of
  /// that name.
  Result<Func> get_func(std::string_view name) const { return get_as<Func>(name, "function"); }
  /// The exported global `name`, or an Error.
  Result<Global> get_global(std::string_view name) const { return get_as<Global>(name, "global"); }
  /// The exported table `name`, or an Error.
  Result<Table> get_table(std::string_view name) const { return get_as<Table>(name, "table"); }
  /// The exported memory `name`, or an Error.
  Result<Memory> get_memory(std::string_view name) const { return get_as<Memory>(name, "memory"); }

  /// Whether both denote the same instance.
  bool same(const Instance& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_instance_same(ptr_, other.ptr_);
  }
  /// Another reference to the same instance.
  Instance copy() const {
    return Instance(ptr_ == nullptr ? nullptr : wasm_instance_copy(ptr_), names_);
  }

 private:
  template <class T>
  Result<T> get_as(std::string_view name, const char* what) const {
    Result<Extern> e = get_export(name);
    if (!e) return std::move(e).error();
    T* item = nullptr;
    if constexpr (std::is_same_v<T, Func>) item = e->func();
    if constexpr (std::is_same_v<T, Global>) item = e->global();
    if constexpr (std::is_same_v<T, Table>) item = e->table();
    if constexpr (std::is_same_v<T, Memory>) item = e->memory();
    if (item == nullptr) {
      return Error("the instance's export \"" + std::string(name) + "\" is a " +
                   to_string(e->kind()) + ", not a " + what);
    }
    return std::move(*item);
  }

  std::vector<std::string> names_;
};

}  // namespace craneway

#endif  // CRANEWAY_INSTANCE_HH
