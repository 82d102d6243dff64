//! Craneway's extensions that are not about calls: the text format,
//! configuration settings.

use super::engine::wasm_config_t;
use super::vec::{wasm_byte_vec_t, WasmVec};
use crate::{OptLevel, WasmFeatures};
use std::mem::MaybeUninit;

/// Converts WebAssembly text (`wat`, `len` bytes, not necessarily
/// null-terminated) to the binary format. On success writes the module
/// bytes to `out` and returns true; on failure writes the parser's message
/// (null-terminated) to `out` and returns false. Either way `out` is owned
/// by the caller. Returns false, converting nothing, if `out` is NULL.
/// Needs the `wat` cargo feature (on by default); without it, always fails
/// with a message saying so.
#[no_mangle]
pub unsafe extern "C" fn craneway_wat2wasm(
    wat: *const std::ffi::c_char,
    len: usize,
    out: Option<&mut MaybeUninit<wasm_byte_vec_t>>,
) -> bool {
    if out.is_none() {
        return false;
    }
    let text: &[u8] = if wat.is_null() {
        &[]
    } else {
        std::slice::from_raw_parts(wat.cast(), len)
    };
    let result = super::guard(Err("internal error".to_string()), || wat2wasm(text));
    let (ok, bytes) = match result {
        Ok(b) => (true, b),
        Err(e) => {
            let mut m = e.into_bytes();
            m.push(0);
            (false, m)
        }
    };
    super::vec::put_vec(out, WasmVec::from_vec(bytes));
    ok
}

#[cfg(feature = "wat")]
fn wat2wasm(text: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(text).map_err(|e| format!("text is not UTF-8: {e}"))?;
    wat::parse_str(text).map_err(|e| e.to_string())
}

#[cfg(not(feature = "wat"))]
fn wat2wasm(_text: &[u8]) -> Result<Vec<u8>, String> {
    Err("craneway was built without the `wat` feature".to_string())
}

/// The value kind of `exnref` (exception handling), which `wasm.h` has
/// none for. Exception objects are not exposed to C: an `exnref` value
/// reaches C as a null reference of this kind, and C can only pass null.
pub const CRANEWAY_EXNREF: u8 = 130;

/// Optimisation levels for `craneway_config_opt_level`.
pub const CRANEWAY_OPT_NONE: u8 = 0;
pub const CRANEWAY_OPT_SPEED: u8 = 1;
pub const CRANEWAY_OPT_SPEED_AND_SIZE: u8 = 2;

/// Sets the optimisation level (`CRANEWAY_OPT_NONE`, `_SPEED` (default) or
/// `_SPEED_AND_SIZE`). Returns false, changing nothing, for another value
/// or a NULL config.
#[no_mangle]
pub extern "C" fn craneway_config_opt_level(config: Option<&mut wasm_config_t>, level: u8) -> bool {
    let level = match level {
        CRANEWAY_OPT_NONE => OptLevel::None,
        CRANEWAY_OPT_SPEED => OptLevel::Speed,
        CRANEWAY_OPT_SPEED_AND_SIZE => OptLevel::SpeedAndSize,
        _ => return false,
    };
    config.map(|c| c.config.opt_level(level)).is_some()
}

/// Sets the most native stack, in bytes, that wasm may use before it traps
/// with "call stack exhausted" (64 KiB to 64 MiB; default 512 KiB).
/// Returns false, changing nothing, for a value out of range or a NULL config.
#[no_mangle]
pub extern "C" fn craneway_config_max_wasm_stack(
    config: Option<&mut wasm_config_t>,
    bytes: usize,
) -> bool {
    config.is_some_and(|c| c.config.max_wasm_stack(bytes).is_ok())
}

/// Sets the size of the inaccessible guard region after each linear
/// memory's 4 GiB reservation (a multiple of 64 KiB from 64 KiB to 4 GiB;
/// default 2 GiB). Smaller guards make accesses with large static offsets
/// bounds-checked. Returns false, changing nothing, for a bad value.
#[no_mangle]
pub extern "C" fn craneway_config_memory_guard_size(
    config: Option<&mut wasm_config_t>,
    bytes: u64,
) -> bool {
    config.is_some_and(|c| c.config.memory_guard_size(bytes).is_ok())
}

/// Sets the address space reserved for each linear memory (a multiple of
/// 64 KiB from 64 KiB to 4 GiB; default 4 GiB). Below 4 GiB every memory
/// access is bounds-checked and memories cannot grow past the reservation.
/// Returns false, changing nothing, for a bad value or a NULL config.
#[no_mangle]
pub extern "C" fn craneway_config_memory_reservation(
    config: Option<&mut wasm_config_t>,
    bytes: u64,
) -> bool {
    config.is_some_and(|c| c.config.memory_reservation(bytes).is_ok())
}

/// The bits of `craneway_config_wasm_features` (the header's
/// `CRANEWAY_FEATURE_*`), in order: bit 0 is the first.
static FEATURE_BITS: &[WasmFeatures] = &[
    WasmFeatures::EXTENDED_CONST,
    WasmFeatures::TAIL_CALL,
    WasmFeatures::MULTI_MEMORY,
    WasmFeatures::MEMORY64,
    WasmFeatures::RELAXED_SIMD,
    WasmFeatures::EXCEPTIONS,
    WasmFeatures::LEGACY_EXCEPTIONS,
    WasmFeatures::FUNCTION_REFERENCES,
    WasmFeatures::GC,
];

/// The C feature bits of a feature set beyond WebAssembly 2.0.
fn feature_bits(features: WasmFeatures) -> u32 {
    let mut bits = 0;
    for (i, f) in FEATURE_BITS.iter().enumerate() {
        if features.contains(*f) {
            bits |= 1 << i;
        }
    }
    bits
}

/// Sets exactly which WebAssembly features beyond 2.0 are enabled (an OR of
/// `CRANEWAY_FEATURE_*`): `CRANEWAY_FEATURES_WASM_2_0` (0) selects exactly
/// WebAssembly 2.0. The default is every 3.0 feature this build implements
/// (`craneway_supported_wasm_features()`). Validation accepts exactly what
/// the enabled set allows. Returns false, changing nothing, for a NULL
/// config, unknown bits, or a feature this build does not implement.
#[no_mangle]
pub extern "C" fn craneway_config_wasm_features(
    config: Option<&mut wasm_config_t>,
    features: u32,
) -> bool {
    if features >> FEATURE_BITS.len() != 0 {
        return false;
    }
    let mut f = WasmFeatures::WASM2;
    for (i, feature) in FEATURE_BITS.iter().enumerate() {
        if features & (1 << i) != 0 {
            f |= *feature;
        }
    }
    config.is_some_and(|c| c.config.wasm_features(f).is_ok())
}

/// The `CRANEWAY_FEATURE_*` bits this build implements (all of them enabled
/// by a default configuration).
#[no_mangle]
pub extern "C" fn craneway_supported_wasm_features() -> u32 {
    feature_bits(crate::engine::SUPPORTED_FEATURES)
}
