// craneway/linker.hh: `Linker`, which instantiates modules by resolving
// their imports by module and name from definitions (beyond the standard
// C API, which takes imports by position).

#ifndef CRANEWAY_LINKER_HH
#define CRANEWAY_LINKER_HH

#include <map>
#include <utility>

#include "instance.hh"

namespace craneway {

/// Definitions by (module, name), and instantiation of modules whose
/// imports they satisfy. Holds its own references to what is defined.
/// Not tied to a store, but a module can only be instantiated in the
/// store its definitions belong to. Move-only.
class Linker {
 public:
  /// An empty linker (shadowing not allowed).
  Linker() = default;
  /// Takes the definitions of `other`.
  Linker(Linker&&) noexcept = default;
  /// Takes the definitions of `other`.
  Linker& operator=(Linker&&) noexcept = default;
  Linker(const Linker&) = delete;
  Linker& operator=(const Linker&) = delete;

  /// Whether a second definition of a (module, name) replaces the first
  /// (true) or is an Error (false, the default).
  void allow_shadowing(bool allow) noexcept { shadowing_ = allow; }

  /// Defines `item` (a new reference to it is kept) as `module`.`name`.
  Result<void> define(std::string_view module, std::string_view name, ExternView item) {
    if (item.raw() == nullptr) return Error("define: the item is empty");
    Key key{std::string(module), std::string(name)};
    auto it = items_.find(key);
    if (it != items_.end()) {
      if (!shadowing_) return Error("\"" + key.first + "\" \"" + key.second + "\" is already defined");
      it->second = item.copy();
      return Result<void>();
    }
    items_.emplace(std::move(key), item.copy());
    return Result<void>();
  }
  /// Defines a host function made from `callable` by `Func::wrap(store,
  /// callable)` as `module`.`name`.
  template <class F>
  Result<void> define_func(Store& store, std::string_view module, std::string_view name,
                           F&& callable) {
    Func f = Func::wrap(store, std::forward<F>(callable));
    if (!f) return Error("define_func: cannot create the function (empty store?)");
    return define(module, name, f);
  }
  /// Defines every export of `instance` under `module`.
  Result<void> define_instance(std::string_view module, const Instance& instance) {
    std::vector<Extern> exports = instance.exports();
    const std::vector<std::string>& names = instance.export_names();
    for (size_t i = 0; i < exports.size() && i < names.size(); ++i) {
      Result<void> r = define(module, names[i], exports[i]);
      if (!r) return r;
    }
    return Result<void>();
  }
  /// A new reference to the definition of `module`.`name`, or an Error.
  Result<Extern> get(std::string_view module, std::string_view name) const {
    auto it = items_.find(Key(std::string(module), std::string(name)));
    if (it == items_.end()) return unknown(module, name);
    return it->second.copy();
  }

  /// Instantiates `module` in `store`, each import taken from the
  /// definition of its module and name: the instance, or an Error naming
  /// a missing or mismatched import (or the instantiation's own Error).
  Result<Instance> instantiate(const Store& store, const Module& module) const {
    std::vector<ImportType> imports = module.imports();
    std::vector<ExternView> resolved;
    resolved.reserve(imports.size());
    for (const ImportType& imp : imports) {
      auto it = items_.find(Key(std::string(imp.module()), std::string(imp.name())));
      if (it == items_.end()) return unknown(imp.module(), imp.name());
      if (it->second.kind() != imp.kind()) {
        return Error("import \"" + std::string(imp.module()) + "\" \"" + std::string(imp.name()) +
                     "\" is a " + to_string(imp.kind()) + " but is defined as a " +
                     to_string(it->second.kind()));
      }
      resolved.emplace_back(it->second);
    }
    return Instance::create(store, module, Span<const ExternView>(resolved.data(), resolved.size()));
  }

 private:
  using Key = std::pair<std::string, std::string>;

  static Error unknown(std::string_view module, std::string_view name) {
    return Error("unknown import: \"" + std::string(module) + "\" \"" + std::string(name) +
                 "\" has not been defined");
  }

  std::map<Key, Extern> items_;
  bool shadowing_ = false;
};

}  // namespace craneway

#endif  // CRANEWAY_LINKER_HH
