//! Executable memory for compiled code, and the process-wide registry the
//! signal handler uses to tell wasm code (and its trap sites) from any other.
//!
//! Code is mapped read/write, copied and relocated, then switched to
//! read/execute: never writable and executable at once.

use cranelift_codegen::ir::TrapCode;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// What the trap handler and the backtrace walker know about one code range.
#[derive(Debug, Default)]
pub struct CodeInfo {
    /// Trap sites: (offset from the start of the code, trap code), sorted.
    pub traps: Vec<(u32, TrapCode)>,
    /// Function ranges: (start, end, wasm function index or `u32::MAX` for a
    /// trampoline), sorted by start.
    pub funcs: Vec<(u32, u32, u32)>,
    /// Per function (same order as `funcs`): sorted (code offset, wasm
    /// bytecode offset) pairs for backtraces.
    pub srclocs: Vec<Vec<(u32, u32)>>,
    /// Per function (same order as `funcs`): where it saves callee-saved
    /// registers, for the trap handler.
    pub frames: Vec<FrameSaves>,
    /// Call sites with exception handlers, sorted: (return-address offset,
    /// distance from the call's sp up to the frame pointer, end of the
    /// site's items in `exn_items`).
    pub exn_sites: Vec<(u32, u32, u32)>,
    /// Handlers of the call sites, in match order: (vmctx offset of the
    /// tag's `*const VMTag` slot or `u32::MAX` for a catch-all, sp offset
    /// of the slot holding the frame's vmctx, handler code offset).
    pub exn_items: Vec<(u32, u32, u32)>,
}

/// Where a function's prologue puts the callee-saved registers it uses, so
/// that the trap handler can give them back the values they had when wasm
/// was entered (the entry stub does not save them itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameSaves {
    /// Code offset (in the function) from which the frame pointer is this
    /// function's frame; `u32::MAX` if it never makes one.
    pub frame_at: u32,
    /// (register number as the machine encodes it, code offset from which
    /// it is saved, distance below the frame pointer of its slot).
    pub saves: Vec<(u8, u32, u32)>,
    /// Bytes the prologue adds to the stack arguments above the return
    /// address (moving the return address and saved frame pointer down
    /// that far) for the arguments of a tail call that needs more of them
    /// than the function got; 0 for most functions.
    pub grown_args: u32,
}

impl CodeInfo {
    pub fn trap_at(&self, offset: u32) -> Option<TrapCode> {
        self.traps
            .binary_search_by_key(&offset, |t| t.0)
            .ok()
            .map(|i| self.traps[i].1)
    }

    /// The handler for an exception of `tag` thrown through the call whose
    /// return address is at `offset`, in the frame at `fp` whose
    /// callee-saved registers (`traps::CALLEE_SAVED`) held `saved` at that
    /// call: (handler code offset, sp to run it with).
    ///
    /// # Safety
    /// `fp` must be the frame pointer of the live frame stopped at that
    /// call, `saved` its registers, and `tag` a live tag.
    pub unsafe fn find_handler(
        &self,
        offset: u32,
        fp: usize,
        saved: &[usize; 5],
        tag: *const super::vmcontext::VMTag,
    ) -> Option<(u32, usize)> {
        let i = self.exn_sites.binary_search_by_key(&offset, |s| s.0).ok()?;
        let (_, frame, end) = self.exn_sites[i];
        let begin = if i == 0 { 0 } else { self.exn_sites[i - 1].2 };
        let sp = fp - frame as usize;
        let items = self.exn_items.get(begin as usize..end as usize)?;
        for &(t, ctx, handler) in items {
            if t == u32::MAX {
                return Some((handler, sp));
            }
            if ctx == u32::MAX {
                continue;
            }
            let vmctx = if ctx & CONTEXT_IN_REGISTER != 0 {
                let reg = (ctx & !CONTEXT_IN_REGISTER) as u8;
                let slot = super::traps::CALLEE_SAVED.iter().position(|r| *r == reg)?;
                saved[slot]
            } else {
                *((sp + ctx as usize) as *const usize)
            };
            if *((vmctx + t as usize) as *const *const super::vmcontext::VMTag) == tag {
                return Some((handler, sp));
            }
        }
        None
    }

    /// The function containing `offset`: (index in `funcs`, function start).
    pub fn func_at(&self, offset: u32) -> Option<usize> {
        let i = self.funcs.partition_point(|f| f.0 <= offset);
        if i == 0 {
            return None;
        }
        let f = self.funcs[i - 1];
        (offset < f.1).then_some(i - 1)
    }
}

/// Set in a handler's context location (`CodeInfo::exn_items`) when the
/// context is in the callee-saved register numbered by the low bits, not
/// at an sp offset.
pub const CONTEXT_IN_REGISTER: u32 = 1 << 31;

/// Registered ranges keyed by their end address (exclusive).
type Registry = BTreeMap<usize, (usize, Arc<CodeInfo>)>;
static REGISTRY: RwLock<Registry> = RwLock::new(BTreeMap::new());

/// Runs `f` on the code range containing `pc` (its start and info), if any.
/// Used by the signal handler, so it only reads. A poisoned lock only means
/// another thread panicked while registering; the map is always consistent.
pub fn with_code<R>(pc: usize, f: impl FnOnce(usize, &CodeInfo) -> R) -> Option<R> {
    let map = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let (_, (start, info)) = map.range(pc + 1..).next()?;
    (*start <= pc).then(|| f(*start, info))
}

/// A mapped, read/execute copy of some compiled code, registered while alive.
pub struct CodeMemory {
    ptr: *mut u8,
    mapped: usize,
}

// SAFETY: the mapping is immutable (read/execute) after construction and
// owned by this value; sharing its address across threads is fine.
unsafe impl Send for CodeMemory {}
unsafe impl Sync for CodeMemory {}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

impl CodeMemory {
    /// Maps `image`, lets `patch` apply address-dependent relocations to the
    /// writable copy, then makes it executable and registers it.
    pub fn new(
        image: &[u8],
        info: CodeInfo,
        patch: impl FnOnce(&mut [u8], usize),
    ) -> Result<(CodeMemory, Arc<CodeInfo>), String> {
        let page = page_size();
        let mapped = image.len().max(1).div_ceil(page) * page;
        // SAFETY: anonymous private mapping with no address hint; the result
        // is checked before use.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err("failed to map code memory".into());
        }
        let ptr = ptr as *mut u8;
        // SAFETY: `ptr` is a fresh writable mapping of at least image.len() bytes.
        let code = unsafe { std::slice::from_raw_parts_mut(ptr, image.len()) };
        code.copy_from_slice(image);
        patch(code, ptr as usize);
        // SAFETY: the range is our own mapping; after this it is never written.
        let rc = unsafe { libc::mprotect(ptr.cast(), mapped, libc::PROT_READ | libc::PROT_EXEC) };
        if rc != 0 {
            // SAFETY: unmapping our own mapping.
            unsafe { libc::munmap(ptr.cast(), mapped) };
            return Err("failed to make code memory executable".into());
        }
        let info = Arc::new(info);
        let start = ptr as usize;
        REGISTRY
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(start + mapped, (start, info.clone()));
        Ok((CodeMemory { ptr, mapped }, info))
    }

    pub fn base(&self) -> *const u8 {
        self.ptr
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        let start = self.ptr as usize;
        REGISTRY
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(start + self.mapped));
        // SAFETY: our own mapping; no code in it can be running because the
        // owner (a module or trampoline set) outlives every call into it.
        unsafe { libc::munmap(self.ptr.cast(), self.mapped) };
    }
}
