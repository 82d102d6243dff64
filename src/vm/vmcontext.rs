//! The `#[repr(C)]` records that compiled code reads and writes, and the one
//! place where the layout of an instance's vmctx is computed.
//!
//! Both the compiler (`compile`) and the instantiator (`vm::instance`) take
//! every offset from here; the `const` assertions keep the Rust structs and
//! the offsets the compiler uses in step.

use crate::module::ModuleInfo;
use std::mem::{align_of, offset_of, size_of};
use std::sync::atomic::AtomicU64;

/// One 16-byte value slot of the array calling convention (8-byte
/// aligned, as C's `wasm_val_raw_t`).
#[derive(Clone, Copy)]
#[repr(C)]
pub union ValRaw {
    pub i32: i32,
    pub i64: i64,
    pub f32: u32,
    pub f64: u64,
    pub v128: [u8; 16],
    pub funcref: *mut u8,
    pub externref: *mut u8,
}

impl ValRaw {
    pub const ZERO: ValRaw = ValRaw { v128: [0; 16] };
}
impl Default for ValRaw {
    fn default() -> Self {
        ValRaw::ZERO
    }
}
const _: () = assert!(size_of::<ValRaw>() == 16 && align_of::<ValRaw>() == 8);

/// A function reference: what `ref.func`, tables and imports point to.
#[repr(C)]
pub struct VMFuncRef {
    /// Code with the wasm calling convention `(callee_vmctx, caller_vmctx, params...)`.
    pub wasm_call: *const u8,
    /// Array-call trampoline for this function's signature.
    pub array_call: *const u8,
    /// The callee vmctx: an instance's vmctx or a host function's context.
    pub vmctx: *mut u8,
    /// Engine-wide interned id of the function's type.
    pub type_id: u32,
    pub _pad: u32,
}
/// The `array_call` of a function whose code is `wasm_call` and whose
/// type's array-call trampoline is `trampoline`. The entry stub calls it as
/// `(callee_vmctx, caller_vmctx, values, wasm_call)` in the platform C
/// convention; for a type with no parameters and no results that is the
/// wasm convention's call of `wasm_call` itself (the same argument
/// registers, the same callee-saved registers, nothing on the stack), so
/// the trampoline is skipped, unless the function contains a tail call:
/// that may replace its frame by one with stack arguments between its
/// return address and the stub's stack, which the trap handler could not
/// tell apart (it finds the stub's stack right above the return address).
pub fn array_call_code(
    no_params_or_results: bool,
    wasm_call: *const u8,
    trampoline: *const u8,
) -> *const u8 {
    if no_params_or_results {
        wasm_call
    } else {
        trampoline
    }
}
pub const FUNCREF_WASM_CALL: i32 = offset_of!(VMFuncRef, wasm_call) as i32;
pub const FUNCREF_VMCTX: i32 = offset_of!(VMFuncRef, vmctx) as i32;
pub const FUNCREF_TYPE_ID: i32 = offset_of!(VMFuncRef, type_id) as i32;
const _: () = assert!(size_of::<VMFuncRef>() == 32);

/// A linear memory as compiled code sees it. The base never moves.
#[repr(C)]
pub struct VMMemoryDef {
    pub base: *mut u8,
    pub current_length: usize,
}
pub const MEMORY_BASE: i32 = offset_of!(VMMemoryDef, base) as i32;
pub const MEMORY_LENGTH: i32 = offset_of!(VMMemoryDef, current_length) as i32;

/// A table as compiled code sees it: elements are pointer-sized (a
/// `*const VMFuncRef` or an externref pointer; 0 is null).
#[repr(C)]
pub struct VMTableDef {
    pub base: *mut usize,
    pub current_elements: u32,
}
pub const TABLE_BASE: i32 = offset_of!(VMTableDef, base) as i32;
pub const TABLE_LENGTH: i32 = offset_of!(VMTableDef, current_elements) as i32;

/// A global's storage: 16 bytes, the value little-endian at offset 0.
#[derive(Clone, Copy, Default)]
#[repr(C, align(16))]
pub struct VMGlobal {
    pub bytes: [u8; 16],
}

/// An exception tag. Its identity is its address: the store owns one box
/// per defined tag, and imports share the exporter's.
#[repr(C)]
pub struct VMTag {
    /// Engine-wide interned id of the tag's function type.
    pub type_id: u32,
    /// Number of values an exception of this tag carries.
    pub nparams: u32,
}

/// An exception object: this header, then `nvalues` 16-byte value slots
/// (each value little-endian at the start of its slot, 32-bit values
/// zero-extended to 8 bytes, as in the array calling convention). Owned by
/// its store's `ExnArena`; `exnref` values are its address.
#[repr(C, align(16))]
pub struct VMExn {
    pub tag: *const VMTag,
    /// The store the object belongs to (so a re-throw needs no vmctx).
    pub store_ctx: *mut VMStoreContext,
    pub nvalues: u32,
    /// `EXN_EXPOSED` once the object may be referenced from anywhere but
    /// the handler it is thrown to (an `exnref` value, a legacy catch, a
    /// trap); only objects never exposed are recycled.
    pub flags: u32,
    pub _pad: [u32; 2],
}
pub const EXN_TAG: i32 = offset_of!(VMExn, tag) as i32;
pub const EXN_FLAGS: i32 = offset_of!(VMExn, flags) as i32;
pub const EXN_EXPOSED: u32 = 1;
/// Most bytes of exception objects one store may hold at once: past it,
/// `throw` traps (a module throwing in a loop with `catch_ref` can keep
/// every object reachable; this bounds what that costs the host).
pub const MAX_EXN_BYTES: usize = 256 << 20;
/// Where the value slots start.
pub const EXN_VALUES: i32 = size_of::<VMExn>() as i32;
const _: () = assert!(size_of::<VMExn>() == 32 && EXN_TAG == 0);

/// The exception objects of a store, freed with it: each object is its own
/// 16-aligned allocation that never moves. Objects a plain `catch` received
/// without exposing them are unreachable afterwards and are reused (by
/// number of values) for later throws.
#[derive(Default)]
pub struct ExnArena {
    objects: Vec<Box<[u128]>>,
    free: std::collections::HashMap<u32, Vec<*mut VMExn>>,
    bytes: usize,
}

impl ExnArena {
    /// A new exception object of `tag` with `nvalues` zeroed slots, or
    /// null when the store holds `MAX_EXN_BYTES` of them already.
    pub fn alloc(
        &mut self,
        tag: *const VMTag,
        store_ctx: *mut VMStoreContext,
        nvalues: u32,
    ) -> *mut VMExn {
        let header = VMExn {
            tag,
            store_ctx,
            nvalues,
            flags: 0,
            _pad: [0; 2],
        };
        if let Some(p) = self.free.get_mut(&nvalues).and_then(|v| v.pop()) {
            // SAFETY: a released object of this arena with room for
            // `nvalues` slots after its header; nothing else refers to it.
            unsafe {
                p.write(header);
                std::ptr::write_bytes((p as *mut u128).add(2), 0, nvalues as usize);
            }
            return p;
        }
        let words = 2 + nvalues as usize;
        if self.bytes + 16 * words > MAX_EXN_BYTES {
            return std::ptr::null_mut();
        }
        self.bytes += 16 * words;
        let mut obj = vec![0u128; words].into_boxed_slice();
        let p = obj.as_mut_ptr() as *mut VMExn;
        // SAFETY: the allocation is 16-aligned (u128) and at least 32 bytes.
        unsafe { p.write(header) };
        self.objects.push(obj);
        p
    }

    /// Takes back an object its handler is done with, unless it is exposed.
    ///
    /// # Safety
    /// `p` must be an object of this arena that is not already released.
    pub unsafe fn release(&mut self, p: *mut VMExn) {
        if (*p).flags & EXN_EXPOSED == 0 {
            (*p).flags |= EXN_EXPOSED; // a second release is a no-op
            self.free.entry((*p).nvalues).or_default().push(p);
        }
    }
}

/// Per-store state that compiled code reads through every vmctx, and that
/// the entry stub (`entry.rs`) and the trap handler use.
#[repr(C)]
pub struct VMStoreContext {
    /// Lowest stack address wasm may use; 0 when no wasm is running.
    pub stack_limit: usize,
    /// The owning store, opaque to the VM.
    pub store: *mut u8,
    /// Detail of the last trap, written by compiled code just before it
    /// traps (the table index of an uninitialised element).
    pub trap_arg: u64,
    /// How much stack one outermost call into wasm may use.
    pub max_wasm_stack: usize,
    /// The last trap, written by the signal handler.
    pub trap: TrapRecord,
    /// A host function's failure, waiting for the trap it caused to reach
    /// its entry.
    pub host_trap: Option<Box<dyn std::any::Any + Send>>,
    /// The exception of the last trap when it was an uncaught exception.
    pub pending_exn: *mut VMExn,
    /// Every exception object thrown in this store.
    pub exns: ExnArena,
    /// The engine's epoch (see `Config::epoch_interruption`), which
    /// compiled code compares with `epoch_deadline`.
    pub epoch: *const AtomicU64,
    /// The epoch at which compiled code calls `Builtin::EpochDeadline`.
    pub epoch_deadline: u64,
    /// Decides at the deadline: `Some(ticks)` continues with the deadline
    /// that many ticks after the current epoch, `None` traps.
    pub epoch_callback: Option<EpochCallback>,
    /// Minus the fuel left (`Config::consume_fuel`): compiled code adds
    /// what it consumes and traps once this is 0 or more.
    pub fuel: i64,
    /// Bounds on memories and tables, and the embedder's limiter.
    pub limits: super::limits::Limits,
}
/// See `VMStoreContext::epoch_callback`.
pub type EpochCallback = Box<dyn FnMut() -> Option<u64> + Send>;
pub const STORE_CTX_STACK_LIMIT: i32 = offset_of!(VMStoreContext, stack_limit) as i32;
pub const STORE_CTX_EPOCH: i32 = offset_of!(VMStoreContext, epoch) as i32;
pub const STORE_CTX_EPOCH_DEADLINE: i32 = offset_of!(VMStoreContext, epoch_deadline) as i32;
pub const STORE_CTX_FUEL: i32 = offset_of!(VMStoreContext, fuel) as i32;
pub const STORE_CTX_TRAP_ARG: i32 = offset_of!(VMStoreContext, trap_arg) as i32;
// The entry stub (entry.rs) reads these at fixed offsets.
const _: () = assert!(offset_of!(VMStoreContext, stack_limit) == 0);
const _: () = assert!(offset_of!(VMStoreContext, max_wasm_stack) == 24);
const _: () = assert!(offset_of!(VMFuncRef, wasm_call) == 0);
const _: () = assert!(offset_of!(VMFuncRef, array_call) == 8);
const _: () = assert!(offset_of!(VMFuncRef, vmctx) == 16);

/// Most frames a trap's backtrace records.
pub const MAX_FRAMES: usize = 64;

/// What the signal handler records about a trap.
#[repr(C)]
pub struct TrapRecord {
    pub code: Option<cranelift_codegen::ir::TrapCode>,
    pub trace_len: usize,
    /// Return addresses (the trapping pc first) of the wasm frames.
    pub trace: [usize; MAX_FRAMES],
}

impl VMStoreContext {
    /// A store context whose compiled code reads `epoch`; no epoch
    /// deadline until one is set.
    pub fn new(max_wasm_stack: usize, epoch: *const AtomicU64) -> VMStoreContext {
        VMStoreContext {
            stack_limit: 0,
            store: std::ptr::null_mut(),
            trap_arg: 0,
            max_wasm_stack,
            trap: TrapRecord {
                code: None,
                trace_len: 0,
                trace: [0; MAX_FRAMES],
            },
            host_trap: None,
            pending_exn: std::ptr::null_mut(),
            exns: ExnArena::default(),
            epoch,
            epoch_deadline: u64::MAX,
            epoch_callback: None,
            fuel: 0,
            limits: super::limits::Limits::default(),
        }
    }
}

/// A host function's code: `callback(env, values, len, caller_vmctx)` with
/// the parameters in `values[0..params]`, writing the results to
/// `values[0..results]`; `len` is max(params, results). It returns NULL, or
/// an error that the context's `failed` records before the call traps.
pub type HostCallback = unsafe extern "C" fn(*mut u8, *mut ValRaw, usize, *mut u8) -> *mut u8;

/// The context a host function's `VMFuncRef::vmctx` points to. The
/// wasm-to-host trampoline calls `callback(env, values, len, caller_vmctx)`
/// directly, and when it returns an error `failed(self, error)`, then traps
/// with `TRAP_HOST` (or throws the exception `failed` returned).
#[repr(C)]
pub struct VMHostFuncContext {
    pub magic: u32,
    pub _pad: u32,
    pub callback: HostCallback,
    pub env: *mut u8,
    /// Records the failure and returns NULL, or returns the exception
    /// object to throw on into the caller when the failure is an uncaught
    /// wasm exception of this store that the host function passed on.
    pub failed: unsafe extern "C" fn(*mut VMHostFuncContext, *mut u8) -> *mut VMExn,
    /// Owner-defined data (the runtime's host function record).
    pub data: *mut u8,
    /// The throw stub (`entry::craneway_throw`), for that re-throw.
    pub throw: unsafe extern "C" fn(),
}
pub const HOST_CTX_MAGIC: u32 = u32::from_le_bytes(*b"host");
pub const HOST_CTX_CALLBACK: i32 = offset_of!(VMHostFuncContext, callback) as i32;
pub const HOST_CTX_ENV: i32 = offset_of!(VMHostFuncContext, env) as i32;
pub const HOST_CTX_FAILED: i32 = offset_of!(VMHostFuncContext, failed) as i32;
pub const HOST_CTX_THROW: i32 = offset_of!(VMHostFuncContext, throw) as i32;

/// Magic at the start of every instance vmctx.
pub const VMCTX_MAGIC: u32 = u32::from_le_bytes(*b"core");

/// Fixed header of every instance vmctx.
pub const VMCTX_STORE_CTX: i32 = 8;
pub const VMCTX_BUILTINS: i32 = 16;
pub const VMCTX_INSTANCE: i32 = 24;
const VMCTX_HEADER_SIZE: u32 = 32;

const _: () = assert!(align_of::<VMGlobal>() == 16);

/// Offsets of the variable part of one module's vmctx.
///
/// Layout after the header: interned type ids (u32 each), imported function
/// pointers (`*const VMFuncRef`), memory pointers (`*mut VMMemoryDef`, all
/// memories), table pointers (`*mut VMTableDef`, all tables), global pointers
/// (`*mut VMGlobal`, all globals), tag pointers (`*const VMTag`, all tags),
/// defined globals (`VMGlobal` each), defined function references
/// (`VMFuncRef` each).
#[derive(Clone, Debug)]
pub struct VMOffsets {
    num_imported_funcs: u32,
    num_imported_globals: u32,
    type_ids: u32,
    imported_funcs: u32,
    memories: u32,
    tables: u32,
    globals: u32,
    tags: u32,
    defined_globals: u32,
    defined_funcrefs: u32,
    size: u32,
}

fn align(n: u32, to: u32) -> u32 {
    n.div_ceil(to) * to
}

impl VMOffsets {
    pub fn new(info: &ModuleInfo) -> VMOffsets {
        let ptr = size_of::<usize>() as u32;
        let type_ids = VMCTX_HEADER_SIZE;
        let imported_funcs = align(type_ids + 4 * info.types.len() as u32, ptr);
        let memories = imported_funcs + ptr * info.num_imported_funcs;
        let tables = memories + ptr * info.memories.len() as u32;
        let globals = tables + ptr * info.tables.len() as u32;
        let tags = globals + ptr * info.globals.len() as u32;
        let defined_globals = align(tags + ptr * info.tags.len() as u32, 16);
        let num_defined_globals = info.globals.len() as u32 - info.num_imported_globals;
        let defined_funcrefs = defined_globals + 16 * num_defined_globals;
        let size = defined_funcrefs + 32 * info.num_defined_funcs();
        VMOffsets {
            num_imported_funcs: info.num_imported_funcs,
            num_imported_globals: info.num_imported_globals,
            type_ids,
            imported_funcs,
            memories,
            tables,
            globals,
            tags,
            defined_globals,
            defined_funcrefs,
            size,
        }
    }

    /// Total size of the vmctx in bytes (16-byte aligned allocation).
    pub fn size(&self) -> usize {
        self.size as usize
    }
    pub fn type_id(&self, type_index: u32) -> i32 {
        (self.type_ids + 4 * type_index) as i32
    }
    pub fn imported_func(&self, func: u32) -> i32 {
        debug_assert!(func < self.num_imported_funcs);
        (self.imported_funcs + 8 * func) as i32
    }
    pub fn memory(&self, memory: u32) -> i32 {
        (self.memories + 8 * memory) as i32
    }
    pub fn table(&self, table: u32) -> i32 {
        (self.tables + 8 * table) as i32
    }
    pub fn global_ptr(&self, global: u32) -> i32 {
        (self.globals + 8 * global) as i32
    }
    /// The `*const VMTag` slot of exception tag `tag`.
    pub fn tag(&self, tag: u32) -> i32 {
        (self.tags + 8 * tag) as i32
    }
    /// Storage of a defined global, by its index in the global index space.
    pub fn defined_global(&self, global: u32) -> i32 {
        (self.defined_globals + 16 * (global - self.num_imported_globals)) as i32
    }
    /// The `VMFuncRef` of a defined function, by its index in the function index space.
    pub fn defined_funcref(&self, func: u32) -> i32 {
        (self.defined_funcrefs + 32 * (func - self.num_imported_funcs)) as i32
    }
    pub fn is_imported_func(&self, func: u32) -> bool {
        func < self.num_imported_funcs
    }
    pub fn is_imported_global(&self, global: u32) -> bool {
        global < self.num_imported_globals
    }
}

/// Builtin functions compiled code calls through the table at `VMCTX_BUILTINS`.
/// Each takes the caller's vmctx first; the order here is the table's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Builtin {
    /// (vmctx, memory, delta_pages: u64) -> old pages or u64::MAX
    MemoryGrow,
    /// (vmctx, dst_mem, dst: u64, src_mem, src: u64, len: u64) -> 0 or 1 (trap)
    MemoryCopy,
    /// (vmctx, mem, dst: u64, byte, len: u64) -> 0 or 1
    MemoryFill,
    /// (vmctx, mem, data, dst: u64, src: u64, len: u64) -> 0 or 1
    MemoryInit,
    /// (vmctx, data)
    DataDrop,
    /// (vmctx, table, delta: u64, init) -> old size or u64::MAX
    TableGrow,
    /// (vmctx, dst_table, src_table, dst: u64, src: u64, len: u64) -> 0 or 1
    TableCopy,
    /// (vmctx, table, dst: u64, value, len: u64) -> 0 or 1
    TableFill,
    /// (vmctx, table, elem, dst: u64, src: u64, len: u64) -> 0 or 1
    TableInit,
    /// (vmctx, elem)
    ElemDrop,
    /// (vmctx, tag) -> a new exception object of tag `tag` (an index)
    ExnNew,
    /// (vmctx, exn): a plain catch is done with exception object `exn`
    ExnRelease,
    /// The throw stub `entry::craneway_throw(exn)`: `tail` convention,
    /// never returns (not a C function; see `throw.rs`).
    Throw,
    /// (vmctx) -> 0 (go on, deadline moved) or 1 (trap: interrupted), when
    /// the epoch has reached the deadline
    EpochDeadline,
}
pub const NUM_BUILTINS: usize = 14;

impl Builtin {
    /// Whether compiled code calls it only on a rare path (then it loads
    /// the builtin's address there, not once before a loop).
    pub fn is_cold(self) -> bool {
        matches!(self, Builtin::EpochDeadline)
    }
}
