//! Linear memories: a reservation plus a guard region; the accessible prefix
//! grows in place with `mprotect`, and the base never moves.
//!
//! 32-bit memories reserve 4 GiB (unless configured smaller) so that compiled
//! code needs no bounds checks for 32-bit addresses.
//!
//! 64-bit memories (memory64) use the same static design: a 64-bit memory
//! reserves its maximum size, capped at `MEMORY64_RESERVATION_FACTOR` times
//! the configured reservation (16 GiB by default), plus the guard, once, and
//! never moves. Growth past the reservation fails (`memory.grow` returns -1)
//! even where the type's maximum (up to 2^48 pages) would allow it; a failed
//! reservation is an instantiation error, never an abort. Because the base
//! never moves, compiled code may keep treating it as invariant. Compiled
//! code always bounds-checks 64-bit accesses explicitly (a 64-bit effective
//! address can lie far beyond any reservation): `index + offset + size` is
//! computed with an overflow trap and compared against the current length,
//! with a Spectre guard on the address.

use super::limits::{Limits, Resource};
use super::vmcontext::VMMemoryDef;
use crate::types::MemoryType;

pub const WASM_PAGE_SIZE: usize = 65536;
/// Pages a 32-bit memory may have at most.
pub const MAX_PAGES: u64 = 65536;
/// Pages a 64-bit memory may have at most (the specification's limit: 2^64
/// bytes less than a page size).
pub const MAX_PAGES64: u64 = 1 << 48;
/// A 64-bit memory reserves at most this many times the configured
/// (32-bit) reservation.
pub const MEMORY64_RESERVATION_FACTOR: u64 = 4;

pub struct LinearMemory {
    /// What compiled code reads; kept in step with the mapping.
    pub def: VMMemoryDef,
    reserved: usize,
    /// Pages this memory may grow to: its maximum, capped by the reservation.
    maximum: u64,
    pub ty: MemoryType,
}

// SAFETY: the memory is owned by exactly one store, which is used by one
// thread at a time; the raw pointer is just the mapping's address.
unsafe impl Send for LinearMemory {}

impl LinearMemory {
    /// Reserves `reservation + guard` bytes (`plan`; the reservation is 4 GiB
    /// unless configured smaller, and a 64-bit memory's is its maximum capped
    /// at `MEMORY64_RESERVATION_FACTOR` times that) and makes `ty.minimum`
    /// pages accessible.
    pub fn new(
        ty: MemoryType,
        (reservation, guard): (usize, usize),
    ) -> Result<Box<LinearMemory>, String> {
        let spec_max = if ty.memory64 { MAX_PAGES64 } else { MAX_PAGES };
        if ty.minimum > spec_max || ty.maximum.is_some_and(|m| m > spec_max) {
            return Err(if ty.memory64 {
                "memory size must be at most 2^48 pages".into()
            } else {
                "memory size must be at most 65536 pages (4GiB)".into()
            });
        }
        let limit = if ty.memory64 {
            let cap = reservation as u64 * MEMORY64_RESERVATION_FACTOR / WASM_PAGE_SIZE as u64;
            ty.maximum.unwrap_or(spec_max).min(cap)
        } else {
            (reservation / WASM_PAGE_SIZE).min(MAX_PAGES as usize) as u64
        };
        if ty.minimum > limit {
            return Err(format!(
                "memory minimum of {} pages exceeds the configured reservation of {limit} pages",
                ty.minimum
            ));
        }
        let reserved = usize::try_from(limit)
            .ok()
            .and_then(|l| l.checked_mul(WASM_PAGE_SIZE))
            .and_then(|b| b.checked_add(guard))
            .ok_or("memory reservation does not fit the address space")?;
        // SAFETY: an anonymous PROT_NONE reservation at no hinted address.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved.max(1),
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err("failed to reserve address space for a linear memory".into());
        }
        let mut mem = Box::new(LinearMemory {
            def: VMMemoryDef {
                base: base as *mut u8,
                current_length: 0,
            },
            reserved: reserved.max(1),
            maximum: ty.maximum.unwrap_or(spec_max).min(limit),
            ty,
        });
        if mem.grow(ty.minimum).is_none() {
            return Err("failed to allocate the initial pages of a linear memory".into());
        }
        Ok(mem)
    }

    pub fn pages(&self) -> u64 {
        (self.def.current_length / WASM_PAGE_SIZE) as u64
    }

    /// `grow`, if the store's `limits` allow it (asked only for a growth
    /// the memory itself allows).
    pub fn grow_limited(&mut self, limits: &mut Limits, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if delta == 0 || new > self.maximum {
            return self.grow(delta);
        }
        let bytes = |pages: u64| pages.saturating_mul(WASM_PAGE_SIZE as u64);
        let maximum = self.ty.maximum.map(bytes);
        if !limits.allow(Resource::Memory, bytes(old), bytes(new), maximum) {
            return None;
        }
        self.grow(delta)
    }

    /// Whether `limits` allow creating a memory of type `ty` (asked with
    /// its initial bytes).
    pub fn may_create(limits: &mut Limits, ty: &MemoryType) -> bool {
        let bytes = |pages: u64| pages.saturating_mul(WASM_PAGE_SIZE as u64);
        limits.allow(
            Resource::Memory,
            0,
            bytes(ty.minimum),
            ty.maximum.map(bytes),
        )
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` when
    /// the maximum (or the reservation) would be exceeded or the system
    /// refuses.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.maximum {
            return None;
        }
        if delta > 0 {
            let old_len = self.def.current_length;
            let new_len = usize::try_from(new).ok()?.checked_mul(WASM_PAGE_SIZE)?;
            // SAFETY: [old_len, new_len) lies inside our reservation because
            // new <= self.maximum, which is at most the reserved pages.
            let rc = unsafe {
                libc::mprotect(
                    self.def.base.add(old_len).cast(),
                    new_len - old_len,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            if rc != 0 {
                return None;
            }
            self.def.current_length = new_len;
        }
        Some(old)
    }

    pub fn data(&self) -> &[u8] {
        // SAFETY: the first current_length bytes are mapped read/write and
        // owned by this memory.
        unsafe { std::slice::from_raw_parts(self.def.base, self.def.current_length) }
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `data`, and `&mut self` gives exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.def.base, self.def.current_length) }
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly our own reservation.
        unsafe { libc::munmap(self.def.base.cast(), self.reserved) };
    }
}

/// A table: pointer-sized elements (funcref record or externref pointer; 0 is
/// null) with the record compiled code reads.
pub struct TableStorage {
    pub def: super::vmcontext::VMTableDef,
    elements: Vec<usize>,
    pub ty: crate::types::TableType,
}

// SAFETY: as for LinearMemory: owned by one store, used by one thread at a time.
unsafe impl Send for TableStorage {}

/// Elements a table may have at most (a limit of ours, far above the spec tests').
pub const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

impl TableStorage {
    pub fn new(ty: crate::types::TableType, init: usize) -> Result<Box<TableStorage>, String> {
        if ty.minimum > MAX_TABLE_ELEMENTS {
            return Err(format!(
                "table minimum size {} is above the limit of {MAX_TABLE_ELEMENTS}",
                ty.minimum
            ));
        }
        // Out of memory is an error here, not an abort.
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(ty.minimum as usize)
            .map_err(|_| "out of memory for the table's elements".to_string())?;
        elements.resize(ty.minimum as usize, init);
        Ok(Box::new(TableStorage {
            def: super::vmcontext::VMTableDef {
                base: elements.as_mut_ptr(),
                // At most MAX_TABLE_ELEMENTS, so it fits.
                current_elements: ty.minimum as u32,
            },
            elements,
            ty,
        }))
    }

    pub fn size(&self) -> u32 {
        self.elements.len() as u32
    }

    pub fn elements(&self) -> &[usize] {
        &self.elements
    }

    pub fn elements_mut(&mut self) -> &mut [usize] {
        &mut self.elements
    }

    /// `grow`, if the store's `limits` allow it (asked only for a growth
    /// the table itself allows).
    pub fn grow_limited(&mut self, limits: &mut Limits, delta: u64, init: usize) -> Option<u32> {
        let old = u64::from(self.size());
        let new = old.checked_add(delta)?;
        if delta > 0
            && new
                <= self
                    .ty
                    .maximum
                    .unwrap_or(MAX_TABLE_ELEMENTS)
                    .min(MAX_TABLE_ELEMENTS)
            && !limits.allow(Resource::Table, old, new, self.ty.maximum)
        {
            return None;
        }
        self.grow(delta, init)
    }

    /// Whether `limits` allow creating a table of type `ty`.
    pub fn may_create(limits: &mut Limits, ty: &crate::types::TableType) -> bool {
        limits.allow(Resource::Table, 0, ty.minimum, ty.maximum)
    }

    /// Grows by `delta` elements set to `init`; returns the old size.
    pub fn grow(&mut self, delta: u64, init: usize) -> Option<u32> {
        let old = self.size();
        let new = u64::from(old).checked_add(delta)?;
        let max = self
            .ty
            .maximum
            .unwrap_or(MAX_TABLE_ELEMENTS)
            .min(MAX_TABLE_ELEMENTS);
        if new > max {
            return None;
        }
        // Out of memory: the growth fails (-1), nothing aborts.
        self.elements.try_reserve(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        self.def.base = self.elements.as_mut_ptr();
        // new <= MAX_TABLE_ELEMENTS
        self.def.current_elements = new as u32;
        Some(old)
    }
}
