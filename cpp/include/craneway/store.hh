// craneway/store.hh: configuration, engines and stores.

#ifndef CRANEWAY_STORE_HH
#define CRANEWAY_STORE_HH

#include <atomic>
#include <optional>
#include <type_traits>

#include "common.hh"

namespace craneway {

/// Optimisation level of the compiler (`Config::opt_level`).
enum class OptLevel : uint8_t {
  /// No optimisation: fastest compilation.
  None = CRANEWAY_OPT_NONE,
  /// Optimise for speed (the default).
  Speed = CRANEWAY_OPT_SPEED,
  /// Optimise for speed and code size.
  SpeedAndSize = CRANEWAY_OPT_SPEED_AND_SIZE,
};

/// WebAssembly features beyond 2.0, OR-ed together for
/// `Config::wasm_features`.
namespace features {
/// Exactly WebAssembly 2.0.
inline constexpr uint32_t wasm_2_0 = CRANEWAY_FEATURES_WASM_2_0;
/// No feature beyond WebAssembly 2.0 (the same as `wasm_2_0`).
inline constexpr uint32_t none = CRANEWAY_FEATURES_WASM_2_0;
/// All of WebAssembly 3.0 (accepted once this build implements all of it).
inline constexpr uint32_t wasm_3_0 = CRANEWAY_FEATURES_WASM_3_0;
inline constexpr uint32_t extended_const = CRANEWAY_FEATURE_EXTENDED_CONST;
inline constexpr uint32_t tail_call = CRANEWAY_FEATURE_TAIL_CALL;
inline constexpr uint32_t multi_memory = CRANEWAY_FEATURE_MULTI_MEMORY;
inline constexpr uint32_t memory64 = CRANEWAY_FEATURE_MEMORY64;
inline constexpr uint32_t relaxed_simd = CRANEWAY_FEATURE_RELAXED_SIMD;
inline constexpr uint32_t exceptions = CRANEWAY_FEATURE_EXCEPTIONS;
inline constexpr uint32_t legacy_exceptions = CRANEWAY_FEATURE_LEGACY_EXCEPTIONS;
inline constexpr uint32_t function_references = CRANEWAY_FEATURE_FUNCTION_REFERENCES;
inline constexpr uint32_t gc = CRANEWAY_FEATURE_GC;
/// The features this build implements (what a default `Config` enables).
inline uint32_t supported() noexcept { return craneway_supported_wasm_features(); }
}  // namespace features

/// Compilation settings for an `Engine` (owns a `wasm_config_t`).
/// Move-only; an Engine made from it takes it.
class Config : public detail::Owner<wasm_config_t, wasm_config_delete> {
 public:
  /// The defaults: every WebAssembly 3.0 feature this build implements,
  /// optimised for speed.
  Config() : Owner(wasm_config_new()) {}
  /// Adopts an owned `wasm_config_t` (may be NULL).
  explicit Config(wasm_config_t* raw) noexcept : Owner(raw) {}

  /// Sets the optimisation level. False (changing nothing) if empty.
  [[nodiscard]] bool opt_level(OptLevel level) noexcept {
    return craneway_config_opt_level(ptr_, static_cast<uint8_t>(level));
  }
  /// Sets how much native stack wasm may use before it traps with "call
  /// stack exhausted" (64 KiB to 64 MiB; default 512 KiB). False
  /// (changing nothing) for a value out of range.
  [[nodiscard]] bool max_wasm_stack(size_t bytes) noexcept {
    return craneway_config_max_wasm_stack(ptr_, bytes);
  }
  /// Sets the guard region after each memory's 4 GiB reservation (a
  /// multiple of 64 KiB from 64 KiB to 4 GiB; default 2 GiB). False
  /// (changing nothing) for a bad value.
  [[nodiscard]] bool memory_guard_size(uint64_t bytes) noexcept {
    return craneway_config_memory_guard_size(ptr_, bytes);
  }
  /// Sets exactly the features beyond WebAssembly 2.0 (an OR of
  /// `features::*`; `features::wasm_2_0` is exactly 2.0). False (changing
  /// nothing) for unknown bits or features this build does not implement.
  [[nodiscard]] bool wasm_features(uint32_t features) noexcept {
    return craneway_config_wasm_features(ptr_, features);
  }
  /// Turns epoch interruption on or off (default off): compiled code
  /// checks at every function entry and loop header whether the engine's
  /// epoch (`Engine::increment_epoch`) reached the store's deadline
  /// (`Store::set_epoch_deadline`). False for an empty config.
  [[nodiscard]] bool epoch_interruption(bool on) noexcept {
    return craneway_config_epoch_interruption(ptr_, on);
  }
  /// Turns fuel on or off (default off): every operator costs fuel and
  /// code whose store has none left traps ("all fuel consumed by
  /// WebAssembly"); see `Store::set_fuel`. False for an empty config.
  [[nodiscard]] bool consume_fuel(bool on) noexcept {
    return craneway_config_consume_fuel(ptr_, on);
  }
};

/// A compiler and its settings (owns a `wasm_engine_t`). Shareable across
/// threads; stores and modules made with it keep what they need of it
/// alive, so it may be destroyed before them. Move-only.
class Engine : public detail::Owner<wasm_engine_t, wasm_engine_delete> {
 public:
  /// An engine with the default configuration. Empty (false) only if
  /// this CPU is not supported.
  Engine() : Owner(wasm_engine_new()) {}
  /// An engine with `config`, which it takes (leaving it empty). Empty
  /// (false) if the configuration cannot be used on this host.
  explicit Engine(Config config) : Owner(wasm_engine_new_with_config(config.release())) {}
  /// Adopts an owned `wasm_engine_t` (may be NULL).
  explicit Engine(wasm_engine_t* raw) noexcept : Owner(raw) {}

  /// Advances the epoch by one tick (see `Config::epoch_interruption`).
  /// Callable from any thread and from a signal handler.
  void increment_epoch() const noexcept { craneway_engine_increment_epoch(ptr_); }
};

namespace detail {

/// Deletes a callable a C callback's environment held (its finalizer).
template <class Fn>
void destroy(void* env) {
  delete static_cast<Fn*>(env);
}

/// `f()`, or `fallback` if it throws (with exceptions enabled): nothing
/// may unwind into the C library.
template <class R, class F>
R call_or(R fallback, F&& f) noexcept {
#if CRANEWAY_HAS_EXCEPTIONS
  try {
    return f();
  } catch (...) {
    return fallback;
  }
#else
  (void)fallback;
  return f();
#endif
}

/// What host functions and typed handles remember of their store: the
/// C store while a `Store` wrapper owns it, NULL after. Counted: the Store
/// holds one reference and every holder another.
struct StoreLink {
  /// The store; NULL once its Store wrapper is gone.
  wasm_store_t* store;
  /// Holders of this link.
  std::atomic<size_t> refs;

  /// Adds a holder; returns this.
  StoreLink* retain() noexcept {
    refs.fetch_add(1, std::memory_order_relaxed);
    return this;
  }
  /// Drops a holder; the last one frees the link.
  void release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

}  // namespace detail

/// Everything instances create lives in a store (owns a `wasm_store_t`).
/// Used by one thread at a time. Move-only.
///
/// The C library keeps a store alive while any of its objects lives, so
/// functions, memories, instances and the rest may outlive this wrapper:
/// destroying them later is safe, and host callables are destroyed when
/// the last object of the store goes. Once the Store wrapper is gone its
/// objects can still be inspected (memory bytes, globals, tables) but
/// should not run wasm: calls made through this API cannot then create a
/// trap for a failing host function, which aborts.
class Store {
 public:
  /// A store in `engine`. Empty (false) if `engine` is empty.
  explicit Store(const Engine& engine) : raw_(wasm_store_new(engine.raw())) {}
  /// Adopts an owned `wasm_store_t` (may be NULL).
  explicit Store(wasm_store_t* raw) noexcept : raw_(raw) {}
  /// Takes the store of `other`, leaving it empty.
  Store(Store&& other) noexcept : raw_(other.raw_), link_(other.link_) {
    other.raw_ = nullptr;
    other.link_ = nullptr;
  }
  /// Releases the current store and takes the one of `other`.
  Store& operator=(Store&& other) noexcept {
    if (this != &other) {
      reset();
      raw_ = other.raw_;
      link_ = other.link_;
      other.raw_ = nullptr;
      other.link_ = nullptr;
    }
    return *this;
  }
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  /// Releases this handle to the store (the store itself lives on while
  /// any of its objects does).
  ~Store() { reset(); }

  /// The C store (NULL if empty); still owned by this wrapper.
  wasm_store_t* raw() const noexcept { return raw_; }
  /// Whether this wrapper holds a store.
  explicit operator bool() const noexcept { return raw_ != nullptr; }

  /// Sets the epoch deadline `ticks` after the engine's current epoch
  /// (see `Config::epoch_interruption`); there is none until it is set.
  void set_epoch_deadline(uint64_t ticks) noexcept {
    craneway_store_set_epoch_deadline(raw_, ticks);
  }

  /// What happens at the epoch deadline: `callback()` returns the ticks
  /// until the next deadline to go on, or `std::nullopt` to stop the call
  /// with the trap "interrupted" (as without a callback, and when it
  /// throws). It runs on the thread running the wasm and must not use the
  /// store. The store keeps it until it is replaced or the store goes.
  template <class F>
  void epoch_deadline_callback(F callback) {
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_r_v<std::optional<uint64_t>, Fn&>,
                  "craneway: the epoch callback returns std::optional<uint64_t>");
    auto* held = new Fn(std::move(callback));
    craneway_store_epoch_deadline_callback(
        raw_,
        [](void* env, uint64_t* ticks) -> bool {
          return detail::call_or(false, [&] {
            std::optional<uint64_t> next = (*static_cast<Fn*>(env))();
            if (next) *ticks = *next;
            return next.has_value();
          });
        },
        held, &detail::destroy<Fn>);
    if (raw_ == nullptr) delete held;  // not taken over
  }

  /// Sets the fuel the store's code may consume (see
  /// `Config::consume_fuel`; a store starts with none). False if the
  /// engine has no fuel.
  [[nodiscard]] bool set_fuel(uint64_t fuel) noexcept {
    return craneway_store_set_fuel(raw_, fuel);
  }
  /// The fuel left (0 after running out); nothing if the engine has no
  /// fuel.
  std::optional<uint64_t> get_fuel() const noexcept {
    uint64_t left = 0;
    if (!craneway_store_get_fuel(raw_, &left)) return std::nullopt;
    return left;
  }

  /// Sets the store's limits (-1: no limit): bytes per memory, elements
  /// per table (past these `memory.grow` / `table.grow` give -1 and
  /// creation fails), and how many instances, tables and memories the
  /// store may hold (past these instantiation fails).
  void limiter(int64_t memory_size, int64_t table_elements, int64_t instances, int64_t tables,
               int64_t memories) noexcept {
    craneway_store_limiter(raw_, memory_size, table_elements, instances, tables, memories);
  }

  /// Sets the limiter asked before every memory or table is created or
  /// grows: `callback(resource, current, desired, maximum)` with
  /// `CRANEWAY_RESOURCE_MEMORY` (bytes) or `CRANEWAY_RESOURCE_TABLE`
  /// (elements), `current` 0 at creation and `maximum` UINT64_MAX for none;
  /// true allows it (a throwing callback refuses). It must not use the
  /// store; the store keeps it until it is replaced or the store goes.
  template <class F>
  void limiter_callback(F callback) {
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_r_v<bool, Fn&, uint32_t, uint64_t, uint64_t, uint64_t>,
                  "craneway: the limiter takes (resource, current, desired, maximum)");
    auto* held = new Fn(std::move(callback));
    craneway_store_limiter_callback(
        raw_,
        [](void* env, uint32_t resource, uint64_t current, uint64_t desired,
           uint64_t maximum) -> bool {
          return detail::call_or(false, [&] {
            return static_cast<bool>(
                (*static_cast<Fn*>(env))(resource, current, desired, maximum));
          });
        },
        held, &detail::destroy<Fn>);
    if (raw_ == nullptr) delete held;  // not taken over
  }

  /// Removes the limiter callback.
  void clear_limiter_callback() noexcept {
    craneway_store_limiter_callback(raw_, nullptr, nullptr, nullptr);
  }

  /// Removes the epoch deadline callback (the deadline then traps).
  void clear_epoch_deadline_callback() noexcept {
    craneway_store_epoch_deadline_callback(raw_, nullptr, nullptr, nullptr);
  }

  /// The link that host functions and typed handles hold, with a new
  /// reference for the caller (made on first use).
  detail::StoreLink* link() {
    if (link_ == nullptr) link_ = new detail::StoreLink{raw_, {1}};
    return link_->retain();
  }

 private:
  void reset() noexcept {
    if (link_ != nullptr) {
      link_->store = nullptr;
      link_->release();
      link_ = nullptr;
    }
    if (raw_ != nullptr) wasm_store_delete(raw_);
    raw_ = nullptr;
  }

  wasm_store_t* raw_ = nullptr;
  detail::StoreLink* link_ = nullptr;
};

}  // namespace craneway

#endif  // CRANEWAY_STORE_HH
