//! Engine and configuration: the target ISA and its flags, the enabled wasm
//! features, function-type interning, and the per-signature trampolines that
//! host functions use.

use crate::compile;
use crate::types::FuncType;
use crate::vm::code_memory::{CodeInfo, CodeMemory};
use crate::vm::libcalls::libcall_address;
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasmparser::WasmFeatures;

/// Cranelift optimisation level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptLevel {
    None,
    Speed,
    SpeedAndSize,
}

/// Which instruction-set extensions compiled code may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CpuFeatures {
    /// Everything the host CPU has (detected when the engine is made).
    #[default]
    Host,
    /// The architecture's baseline only (x86-64: SSE2), as for code that
    /// runs on any CPU of the architecture.
    Baseline,
}

/// The WebAssembly features this build implements: WebAssembly 2.0 plus the
/// parts of 3.0 that have landed. `Config::wasm_features` refuses the rest.
pub const SUPPORTED_FEATURES: WasmFeatures = WasmFeatures::WASM2
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::LEGACY_EXCEPTIONS);

/// WebAssembly 3.0 as Craneway reads it: 2.0 plus tail calls, extended
/// constant expressions, typed function references, garbage collection,
/// multiple memories, 64-bit memories and tables, relaxed SIMD and exception
/// handling, including the legacy exception instructions toolchains still
/// emit. (wasmparser's `WASM3` also names threads, which are not part of
/// the 3.0 specification.)
pub const WASM3_FEATURES: WasmFeatures = WasmFeatures::WASM2
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::GC)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::EXCEPTIONS)
    .union(WasmFeatures::LEGACY_EXCEPTIONS);

/// The features an engine enables by default: all of WebAssembly 3.0 that
/// this build implements.
pub const DEFAULT_FEATURES: WasmFeatures = WASM3_FEATURES.intersection(SUPPORTED_FEATURES);

/// Engine configuration. Every setter checks its value.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) features: WasmFeatures,
    pub(crate) opt_level: OptLevel,
    pub(crate) cpu_features: CpuFeatures,
    pub(crate) max_wasm_stack: usize,
    pub(crate) guard_size: u64,
    pub(crate) memory_reservation: u64,
    pub(crate) epoch_interruption: bool,
    pub(crate) consume_fuel: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            features: DEFAULT_FEATURES,
            opt_level: OptLevel::Speed,
            cpu_features: CpuFeatures::Host,
            max_wasm_stack: 512 * 1024,
            guard_size: 2 << 30,
            memory_reservation: 1 << 32,
            epoch_interruption: false,
            consume_fuel: false,
        }
    }
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// Optimisation level of generated code.
    pub fn opt_level(&mut self, level: OptLevel) -> &mut Self {
        self.opt_level = level;
        self
    }

    /// The CPU features compiled code may use (default: the host's).
    pub fn cpu_features(&mut self, features: CpuFeatures) -> &mut Self {
        self.cpu_features = features;
        self
    }

    /// Most bytes of native stack wasm may use (64 KiB to 64 MiB).
    pub fn max_wasm_stack(&mut self, bytes: usize) -> Result<&mut Self, String> {
        if !(64 * 1024..=64 << 20).contains(&bytes) {
            return Err(format!(
                "max_wasm_stack must be between 64 KiB and 64 MiB, got {bytes}"
            ));
        }
        self.max_wasm_stack = bytes;
        Ok(self)
    }

    /// Size of the inaccessible region after each linear memory's 4 GiB
    /// (64 KiB to 4 GiB, a multiple of 64 KiB). Accesses whose static offset
    /// exceeds it get an explicit bounds check.
    pub fn memory_guard_size(&mut self, bytes: u64) -> Result<&mut Self, String> {
        if !(65536..=1 << 32).contains(&bytes) || !bytes.is_multiple_of(65536) {
            return Err(format!(
                "memory guard size must be a multiple of 64 KiB between 64 KiB and 4 GiB, got {bytes}"
            ));
        }
        self.guard_size = bytes;
        Ok(self)
    }

    /// Address space reserved for each linear memory (a multiple of 64 KiB
    /// from 64 KiB to 4 GiB; default 4 GiB). With 4 GiB, 32-bit accesses
    /// need no bounds checks; with less, compiled code checks every access
    /// against the memory's size, and a memory cannot grow past the
    /// reservation.
    pub fn memory_reservation(&mut self, bytes: u64) -> Result<&mut Self, String> {
        if !(65536..=1 << 32).contains(&bytes) || !bytes.is_multiple_of(65536) {
            return Err(format!(
                "memory reservation must be a multiple of 64 KiB between 64 KiB and 4 GiB, got {bytes}"
            ));
        }
        self.memory_reservation = bytes;
        Ok(self)
    }

    /// Epoch interruption (default off): compiled code checks, at every
    /// function entry and loop header, whether the engine's epoch
    /// (`Engine::increment_epoch`) has reached the store's deadline
    /// (`Store::set_epoch_deadline`); then the store's callback decides
    /// (`Store::epoch_deadline_callback`), and without one the call traps
    /// with `TrapCode::Interrupt`. A check costs two loads and a compare.
    pub fn epoch_interruption(&mut self, on: bool) -> &mut Self {
        self.epoch_interruption = on;
        self
    }

    /// Fuel (default off): every operator costs fuel (nothing for `nop`,
    /// `drop`, block structure and `unreachable`, 1 for every other), and
    /// code whose store has none left traps with "all fuel consumed by
    /// WebAssembly" (`TrapCode::OutOfFuel`) at the next function entry or
    /// loop header. A store starts with none (`Store::set_fuel`).
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.consume_fuel = on;
        self
    }

    /// The checks compiled code makes for this configuration.
    pub(crate) fn checks(&self) -> compile::Checks {
        compile::Checks {
            epoch_interruption: self.epoch_interruption,
            consume_fuel: self.consume_fuel,
        }
    }

    /// The enabled WebAssembly features, exactly: validation accepts what
    /// they allow and nothing else. `WasmFeatures::WASM2` selects exactly
    /// WebAssembly 2.0; the default is `DEFAULT_FEATURES`. Features this
    /// build does not implement (outside `SUPPORTED_FEATURES`) are refused.
    pub fn wasm_features(&mut self, features: WasmFeatures) -> Result<&mut Self, String> {
        if !SUPPORTED_FEATURES.contains(features) {
            return Err(format!(
                "unsupported wasm features requested: {:?}",
                features.difference(SUPPORTED_FEATURES)
            ));
        }
        if !features.contains(WasmFeatures::WASM1) {
            return Err("the WebAssembly 1.0 features cannot be disabled".into());
        }
        self.features = features;
        Ok(self)
    }
}

/// Trampolines for host functions of one signature.
pub(crate) struct HostTrampolines {
    _code: CodeMemory,
    pub array_call: *const u8,
    pub wasm_call: *const u8,
}
// SAFETY: pointers into immutable code owned by `_code`.
unsafe impl Send for HostTrampolines {}
unsafe impl Sync for HostTrampolines {}

pub(crate) struct EngineInner {
    pub isa: OwnedTargetIsa,
    pub config: Config,
    types: Mutex<TypeRegistry>,
    host_trampolines: Mutex<HashMap<u32, Arc<HostTrampolines>>>,
    /// The epoch (see `Config::epoch_interruption`); compiled code reads it
    /// through each store context's pointer to it.
    pub epoch: AtomicU64,
}

#[derive(Default)]
struct TypeRegistry {
    ids: HashMap<FuncType, u32>,
    types: Vec<FuncType>,
}

/// A compilation environment, shared by modules and stores. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(&Config::default()).expect("the host supports the default configuration")
    }
}

impl Engine {
    pub fn new(config: &Config) -> Result<Engine, String> {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| format!("cranelift setting {k}={v}: {e}"))
        };
        set(
            &mut flags,
            "opt_level",
            match config.opt_level {
                OptLevel::None => "none",
                OptLevel::Speed => "speed",
                OptLevel::SpeedAndSize => "speed_and_size",
            },
        )?;
        set(&mut flags, "preserve_frame_pointers", "true")?;
        // The trap handler restores callee-saved registers from what the
        // unwind instructions say (see `compile::frame_saves`).
        set(&mut flags, "unwind_info", "true")?;
        set(
            &mut flags,
            "enable_verifier",
            if cfg!(debug_assertions) {
                "true"
            } else {
                "false"
            },
        )?;
        set(&mut flags, "enable_probestack", "false")?;
        // Functions may return more values than the convention has
        // registers for: the rest go to a return area the caller passes.
        set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
        let isa_builder =
            cranelift_native::builder_with_options(config.cpu_features == CpuFeatures::Host)
                .map_err(|e| format!("unsupported host: {e}"))?;
        let isa = isa_builder
            .finish(settings::Flags::new(flags))
            .map_err(|e| format!("cannot build the target ISA: {e}"))?;
        crate::vm::traps::init();
        Ok(Engine {
            inner: Arc::new(EngineInner {
                isa,
                config: config.clone(),
                types: Mutex::default(),
                host_trampolines: Mutex::default(),
                epoch: AtomicU64::new(0),
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn isa(&self) -> &dyn TargetIsa {
        &*self.inner.isa
    }

    /// Advances the epoch by one tick (see `Config::epoch_interruption`).
    /// Callable from any thread, and from a signal handler: it is one
    /// atomic add.
    pub fn increment_epoch(&self) {
        self.inner.epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// The current epoch.
    pub fn current_epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::Relaxed)
    }

    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The engine-wide id of a function type (equal types, equal ids).
    pub(crate) fn intern(&self, ty: &FuncType) -> u32 {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = reg.ids.get(ty) {
            return *id;
        }
        let id = reg.types.len() as u32;
        reg.types.push(ty.clone());
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// The function type with the given id.
    pub(crate) fn func_type(&self, id: u32) -> FuncType {
        let reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        reg.types[id as usize].clone()
    }

    /// Host-function trampolines for the type with id `id`, compiled once.
    pub(crate) fn host_trampolines(&self, id: u32) -> Result<Arc<HostTrampolines>, String> {
        let mut map = self
            .inner
            .host_trampolines
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(t) = map.get(&id) {
            return Ok(t.clone());
        }
        let ty = self.func_type(id);
        let isa = self.isa();
        let items = compile::on_compiler_thread(|| {
            Ok(vec![
                (u32::MAX, compile::trampolines::array_to_wasm(isa, &ty)?),
                (u32::MAX, compile::trampolines::wasm_to_array(isa, &ty)?),
            ])
        })?;
        let (image, starts) = compile::link(isa, items, |_, _| None)?;
        let code = map_image(&image)?;
        let base = code.base();
        // SAFETY: the starts are offsets inside the mapped image.
        let t = Arc::new(unsafe {
            HostTrampolines {
                array_call: base.add(starts[0] as usize),
                wasm_call: base.add(starts[1] as usize),
                _code: code,
            }
        });
        map.insert(id, t.clone());
        Ok(t)
    }
}

/// Maps a linked image, resolving its libcall relocations.
pub(crate) fn map_image(image: &compile::CodeImage) -> Result<CodeMemory, String> {
    let info = CodeInfo {
        traps: image.traps.clone(),
        funcs: image.funcs.clone(),
        srclocs: image.srclocs.clone(),
        frames: image.frames.clone(),
        exn_sites: image.exn_sites.clone(),
        exn_items: image.exn_items.clone(),
    };
    let mut missing = None;
    let (code, _) = CodeMemory::new(&image.bytes, info, |bytes, _base| {
        for &(site, lc, addend) in &image.libcalls {
            match libcall_address(lc) {
                Some(addr) => {
                    let v = (addr as i64 + addend) as u64;
                    bytes[site as usize..site as usize + 8].copy_from_slice(&v.to_le_bytes());
                }
                None => missing = Some(lc),
            }
        }
    })?;
    match missing {
        Some(lc) => Err(format!("compiled code needs an unsupported libcall {lc:?}")),
        None => Ok(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webassembly_2_is_what_the_spec_names() {
        // `floats` and `gc_types` are not proposals: wasmparser gates float
        // operators and externref (with reference types) on them.
        let expected = WasmFeatures::MUTABLE_GLOBAL
            | WasmFeatures::SATURATING_FLOAT_TO_INT
            | WasmFeatures::SIGN_EXTENSION
            | WasmFeatures::MULTI_VALUE
            | WasmFeatures::BULK_MEMORY
            | WasmFeatures::REFERENCE_TYPES
            | WasmFeatures::SIMD
            | WasmFeatures::FLOATS
            | WasmFeatures::GC_TYPES;
        assert_eq!(WasmFeatures::WASM2, expected);
        let mut c = Config::new();
        c.wasm_features(WasmFeatures::WASM2).unwrap();
        assert_eq!(c.features, expected);
    }

    #[test]
    fn default_features_are_the_implemented_part_of_webassembly_3() {
        let d = Config::default().features;
        assert_eq!(d, DEFAULT_FEATURES);
        assert!(d.contains(WasmFeatures::WASM2));
        assert!(WASM3_FEATURES.contains(d));
        assert!(!d.contains(WasmFeatures::THREADS));
        // Everything implemented that belongs to 3.0 is on.
        assert_eq!(d, SUPPORTED_FEATURES & WASM3_FEATURES);
    }

    #[test]
    fn unimplemented_features_are_refused() {
        let mut c = Config::new();
        assert!(c
            .wasm_features(WasmFeatures::WASM2 | WasmFeatures::THREADS)
            .is_err());
        assert!(c.wasm_features(WasmFeatures::MUTABLE_GLOBAL).is_err());
        assert_eq!(c.features, DEFAULT_FEATURES);
    }
}
