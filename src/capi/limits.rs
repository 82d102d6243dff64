//! Limits on running wasm, for C: epoch interruption
//! (`Config::epoch_interruption`), fuel (`Config::consume_fuel`) and the
//! store's resource limits (`Store::limiter`).

use super::engine::{wasm_config_t, wasm_engine_t, wasm_store_t};
use super::func::Env;
use std::ffi::c_void;

/// C's `craneway_epoch_callback_t` (declared in the prelude).
pub type craneway_epoch_callback_t =
    Option<unsafe extern "C" fn(env: *mut c_void, ticks: *mut u64) -> bool>;

/// Turns epoch interruption on or off (default off). With it on, compiled
/// code checks at every function entry and loop header whether the
/// engine's epoch (`craneway_engine_increment_epoch`) has reached the
/// store's deadline (`craneway_store_set_epoch_deadline`; none until set),
/// and then asks the store's callback
/// (`craneway_store_epoch_deadline_callback`); without one, the call traps
/// with "interrupted". Modules compiled with it on load only into engines
/// with it on, and the other way round. Returns false for a NULL config.
#[no_mangle]
pub extern "C" fn craneway_config_epoch_interruption(
    config: Option<&mut wasm_config_t>,
    enable: bool,
) -> bool {
    config
        .map(|c| c.config.epoch_interruption(enable))
        .is_some()
}

/// Advances the engine's epoch by one tick. Callable from any thread and
/// from a signal handler (it is one atomic add); does nothing for NULL.
#[no_mangle]
pub extern "C" fn craneway_engine_increment_epoch(engine: Option<&wasm_engine_t>) {
    if let Some(e) = engine {
        e.engine.increment_epoch();
    }
}

/// Sets the store's epoch deadline `ticks` after the engine's current
/// epoch: code running in the store reaches it when the epoch has been
/// incremented `ticks` times (0: at once). Does nothing for NULL.
#[no_mangle]
pub extern "C" fn craneway_store_set_epoch_deadline(store: Option<&wasm_store_t>, ticks: u64) {
    if let Some(s) = store {
        s.store.get().set_epoch_deadline(ticks);
    }
}

/// What a callback setter takes over: the store, the callback and its
/// environment (finalized with the callback). Nothing for a NULL store; for
/// a NULL callback, nothing either, after removing the current one with
/// `clear`.
fn take_callback<F>(
    store: Option<&wasm_store_t>,
    callback: Option<F>,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
    clear: fn(&mut crate::Store),
) -> Option<(&mut crate::Store, F, Env)> {
    let store = store?.store.get();
    let Some(callback) = callback else {
        clear(store);
        return None;
    };
    Some((store, callback, Env { env, finalizer }))
}

/// Sets what happens at the epoch deadline: `callback(env, &ticks)`
/// returns true to go on with the deadline `ticks` after the current
/// epoch, false to stop the call with the trap "interrupted". The callback
/// runs on the thread running the wasm, inside the call, and must not use
/// the store. The store takes over `env`: `finalizer(env)`, if given, runs
/// when the callback is replaced or removed, or the store is deleted. A
/// NULL `callback` removes the current one (the deadline then traps) and
/// takes nothing; so does a NULL store.
#[no_mangle]
pub extern "C" fn craneway_store_epoch_deadline_callback(
    store: Option<&wasm_store_t>,
    callback: craneway_epoch_callback_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) {
    let clear = crate::Store::clear_epoch_deadline_callback;
    let Some((store, callback, env)) = take_callback(store, callback, env, finalizer, clear) else {
        return;
    };
    store.epoch_deadline_callback(move || {
        let mut ticks = 0u64;
        // SAFETY: the embedder's callback with its own environment (kept
        // until finalized) and a valid out-pointer.
        unsafe { callback(env.ptr(), &mut ticks) }.then_some(ticks)
    });
}

/// Turns fuel on or off (default off). With it on, every operator costs
/// fuel (nothing for `nop`, `drop`, block structure and `unreachable`, 1
/// for every other) and code whose store has none left traps with "all
/// fuel consumed by WebAssembly" at the next function entry or loop header
/// (so straight-line code may overrun by its own cost). A store starts
/// with none: give it some with `craneway_store_set_fuel`. Modules compiled
/// with it on load only into engines with it on, and the other way round.
/// Returns false for a NULL config.
#[no_mangle]
pub extern "C" fn craneway_config_consume_fuel(
    config: Option<&mut wasm_config_t>,
    enable: bool,
) -> bool {
    config.map(|c| c.config.consume_fuel(enable)).is_some()
}

/// Sets the fuel the store's code may consume (at most INT64_MAX; more
/// means that much). Returns false, changing nothing, for a NULL store or
/// an engine without fuel.
#[no_mangle]
pub extern "C" fn craneway_store_set_fuel(store: Option<&wasm_store_t>, fuel: u64) -> bool {
    store.is_some_and(|s| s.store.get().set_fuel(fuel).is_ok())
}

/// Writes the fuel left to `*fuel` (0 after code ran out of it). Returns
/// false, writing nothing, for a NULL argument or an engine without fuel.
#[no_mangle]
pub extern "C" fn craneway_store_get_fuel(
    store: Option<&wasm_store_t>,
    fuel: Option<&mut u64>,
) -> bool {
    let (Some(s), Some(out)) = (store, fuel) else {
        return false;
    };
    match s.store.get().get_fuel() {
        Ok(left) => {
            *out = left;
            true
        }
        Err(_) => false,
    }
}

/// C's `craneway_limiter_callback_t` (declared in the prelude).
pub type craneway_limiter_callback_t = Option<
    unsafe extern "C" fn(
        env: *mut c_void,
        resource: u32,
        current: u64,
        desired: u64,
        maximum: u64,
    ) -> bool,
>;

/// Sets the store's limits; a negative value means no limit.
/// `memory_size`: bytes each linear memory may have; `table_elements`:
/// elements each table may have (past these, `memory.grow` and
/// `table.grow` give -1, and creating one fails); `instances`, `tables`,
/// `memories`: how many the store may hold (past these, instantiation
/// fails with a trap saying which limit). Replaces earlier limits; does
/// nothing for NULL.
#[no_mangle]
pub extern "C" fn craneway_store_limiter(
    store: Option<&wasm_store_t>,
    memory_size: i64,
    table_elements: i64,
    instances: i64,
    tables: i64,
    memories: i64,
) {
    let Some(s) = store else {
        return;
    };
    let bound = |v: i64| u64::try_from(v).ok();
    let count = |v: i64| usize::try_from(v).ok();
    s.store.get().limiter(crate::StoreLimits {
        memory_size: bound(memory_size),
        table_elements: bound(table_elements),
        instances: count(instances),
        tables: count(tables),
        memories: count(memories),
    });
}

/// Sets the limiter asked, besides the limits, before every memory or table
/// of the store is created or grows: `callback(env, resource, current,
/// desired, maximum)` (`CRANEWAY_RESOURCE_MEMORY` in bytes or
/// `CRANEWAY_RESOURCE_TABLE` in elements; `current` 0 at creation;
/// `maximum` the object's own or UINT64_MAX) returns true to allow it. It
/// runs inside the call that grows and must not use the store. The store
/// takes over `env`: `finalizer(env)`, if given, runs when the callback is
/// replaced or removed, or the store is deleted. A NULL `callback` removes
/// the current one and takes nothing; so does a NULL store.
#[no_mangle]
pub extern "C" fn craneway_store_limiter_callback(
    store: Option<&wasm_store_t>,
    callback: craneway_limiter_callback_t,
    env: *mut c_void,
    finalizer: Option<unsafe extern "C" fn(*mut c_void)>,
) {
    let clear = crate::Store::clear_limiter_callback;
    let Some((store, callback, env)) = take_callback(store, callback, env, finalizer, clear) else {
        return;
    };
    store.limiter_callback(move |what, current, desired, maximum| {
        let resource = match what {
            crate::Resource::Memory => CRANEWAY_RESOURCE_MEMORY,
            crate::Resource::Table => CRANEWAY_RESOURCE_TABLE,
        };
        // SAFETY: the embedder's callback with its own environment
        // (kept until finalized).
        unsafe {
            callback(
                env.ptr(),
                resource,
                current,
                desired,
                maximum.unwrap_or(u64::MAX),
            )
        }
    });
}

/// `CRANEWAY_RESOURCE_MEMORY` (the prelude defines it for C).
const CRANEWAY_RESOURCE_MEMORY: u32 = 0;
/// `CRANEWAY_RESOURCE_TABLE` (the prelude defines it for C).
const CRANEWAY_RESOURCE_TABLE: u32 = 1;
