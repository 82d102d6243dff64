// craneway/module.hh: compiled modules (`Module`), modules shared across
// threads (`SharedModule`), and the text-to-binary converter (`wat2wasm`).

#ifndef CRANEWAY_MODULE_HH
#define CRANEWAY_MODULE_HH

#include <vector>

#include "error.hh"
#include "types.hh"

namespace craneway {

/// The binary module of WebAssembly text `wat`, or an Error with the
/// parser's message.
inline Result<std::vector<uint8_t>> wat2wasm(std::string_view wat) {
  detail::ByteVec out;
  if (!craneway_wat2wasm(wat.data(), wat.size(), &out.vec)) return Error(out.str());
  const uint8_t* p = reinterpret_cast<const uint8_t*>(out.vec.data);
  return std::vector<uint8_t>(p, p + out.vec.size);
}

class Module;

/// A module that can cross threads (owns a `wasm_shared_module_t`): made
/// by `Module::share`, turned back into a Module of a store by `obtain`.
/// Move-only.
class SharedModule : public detail::Owner<wasm_shared_module_t, wasm_shared_module_delete> {
 public:
  /// Adopts an owned `wasm_shared_module_t` (may be NULL).
  explicit SharedModule(wasm_shared_module_t* raw) noexcept : Owner(raw) {}
  /// The module, for use in `store`, or an Error.
  Result<Module> obtain(const Store& store) const;
};

/// A validated and compiled module (owns a `wasm_module_t`). Not tied to
/// a store after creation; move-only; `copy()` makes another reference.
class Module : public detail::Owner<wasm_module_t, wasm_module_delete> {
 public:
  /// No module (empty).
  Module() noexcept = default;
  /// Adopts an owned `wasm_module_t` (may be NULL).
  explicit Module(wasm_module_t* raw) noexcept : Owner(raw) {}

  /// Validates and compiles `binary`; an Error with the validation or
  /// compilation message if it is not a valid module.
  static Result<Module> create(const Store& store, Span<const uint8_t> binary) {
    wasm_byte_vec_t bytes = detail::borrowed_bytes(binary.data(), binary.size());
    detail::ByteVec error;
    wasm_module_t* m = craneway_module_new_with_error(store.raw(), &bytes, &error.vec);
    if (m == nullptr) {
      std::string msg = error.str();
      return Error(msg.empty() ? std::string("invalid module") : msg);
    }
    return Module(m);
  }
  /// Converts WebAssembly text to binary and compiles it; an Error with
  /// the parser's or validator's message.
  static Result<Module> from_wat(const Store& store, std::string_view wat) {
    Result<std::vector<uint8_t>> binary = wat2wasm(wat);
    if (!binary) return std::move(binary).error();
    return create(store, *binary);
  }
  /// Whether `binary` is a valid module (validation only).
  static bool validate(const Store& store, Span<const uint8_t> binary) {
    wasm_byte_vec_t bytes = detail::borrowed_bytes(binary.data(), binary.size());
    return wasm_module_validate(store.raw(), &bytes);
  }
  /// Loads bytes written by `serialize` without compiling again; an Error
  /// if they are corrupted or from another version or configuration.
  static Result<Module> deserialize(const Store& store, Span<const uint8_t> bytes) {
    wasm_byte_vec_t v = detail::borrowed_bytes(bytes.data(), bytes.size());
    wasm_module_t* m = wasm_module_deserialize(store.raw(), &v);
    if (m == nullptr) return Error("cannot deserialize the module");
    return Module(m);
  }

  /// The imports, in order (the order `Instance::create` takes them in).
  std::vector<ImportType> imports() const {
    wasm_importtype_vec_t vec;
    wasm_module_imports(ptr_, &vec);
    std::vector<ImportType> out;
    out.reserve(vec.size);
    for (size_t i = 0; i < vec.size; ++i) {
      out.emplace_back(vec.data[i]);
      vec.data[i] = nullptr;
    }
    wasm_importtype_vec_delete(&vec);
    return out;
  }
  /// The exports, in order (the order of `Instance::exports`).
  std::vector<ExportType> exports() const {
    wasm_exporttype_vec_t vec;
    wasm_module_exports(ptr_, &vec);
    std::vector<ExportType> out;
    out.reserve(vec.size);
    for (size_t i = 0; i < vec.size; ++i) {
      out.emplace_back(vec.data[i]);
      vec.data[i] = nullptr;
    }
    wasm_exporttype_vec_delete(&vec);
    return out;
  }
  /// The compiled module as bytes, for `deserialize`.
  std::vector<uint8_t> serialize() const {
    detail::ByteVec out;
    wasm_module_serialize(ptr_, &out.vec);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(out.vec.data);
    return std::vector<uint8_t>(p, p + out.vec.size);
  }
  /// A handle that can be sent to another thread.
  SharedModule share() const { return SharedModule(wasm_module_share(ptr_)); }

  /// Whether both denote the same module.
  bool same(const Module& other) const noexcept {
    if (ptr_ == nullptr || other.ptr_ == nullptr) return ptr_ == other.ptr_;
    return wasm_module_same(ptr_, other.ptr_);
  }
  /// Another reference to the same module.
  Module copy() const { return Module(ptr_ == nullptr ? nullptr : wasm_module_copy(ptr_)); }
};

inline Result<Module> SharedModule::obtain(const Store& store) const {
  wasm_module_t* m = wasm_module_obtain(store.raw(), ptr_);
  if (m == nullptr) return Error("cannot obtain the shared module");
  return Module(m);
}

}  // namespace craneway

#endif  // CRANEWAY_MODULE_HH
