//! Linear memories: a 4 GiB reservation plus a guard region, so that compiled
//! code needs no bounds checks for 32-bit addresses; the accessible prefix
//! grows in place with `mprotect`, and the base never moves.

use super::vmcontext::VMMemoryDef;
use crate::types::MemoryType;

pub const WASM_PAGE_SIZE: usize = 65536;
/// Pages a 32-bit memory may have at most.
pub const MAX_PAGES: u32 = 65536;

pub struct LinearMemory {
    /// What compiled code reads; kept in step with the mapping.
    pub def: VMMemoryDef,
    reserved: usize,
    maximum: u32,
    pub ty: MemoryType,
}

// SAFETY: the memory is owned by exactly one store, which is used by one
// thread at a time; the raw pointer is just the mapping's address.
unsafe impl Send for LinearMemory {}

impl LinearMemory {
    /// Reserves `reservation + guard` bytes (`plan`; the reservation is 4 GiB
    /// unless configured smaller) and makes `ty.minimum` pages accessible.
    pub fn new(
        ty: MemoryType,
        (reservation, guard): (usize, usize),
    ) -> Result<Box<LinearMemory>, String> {
        if ty.minimum > MAX_PAGES || ty.maximum.is_some_and(|m| m > MAX_PAGES) {
            return Err("memory size must be at most 65536 pages (4GiB)".into());
        }
        let limit = (reservation / WASM_PAGE_SIZE).min(MAX_PAGES as usize) as u32;
        if ty.minimum > limit {
            return Err(format!(
                "memory minimum of {} pages exceeds the configured reservation of {limit} pages",
                ty.minimum
            ));
        }
        let reserved = limit as usize * WASM_PAGE_SIZE + guard;
        // SAFETY: an anonymous PROT_NONE reservation at no hinted address.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                reserved,
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
            reserved,
            maximum: ty.maximum.unwrap_or(MAX_PAGES).min(limit),
            ty,
        });
        if mem.grow(ty.minimum).is_none() {
            return Err("failed to allocate the initial pages of a linear memory".into());
        }
        Ok(mem)
    }

    pub fn pages(&self) -> u32 {
        (self.def.current_length / WASM_PAGE_SIZE) as u32
    }

    /// Grows by `delta` pages; returns the old size in pages, or `None` when
    /// the maximum would be exceeded or the system refuses.
    pub fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.maximum {
            return None;
        }
        if delta > 0 {
            let old_len = self.def.current_length;
            let new_len = new as usize * WASM_PAGE_SIZE;
            // SAFETY: [old_len, new_len) lies inside our reservation because
            // new <= MAX_PAGES.
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
pub const MAX_TABLE_ELEMENTS: u32 = 10_000_000;

impl TableStorage {
    pub fn new(ty: crate::types::TableType, init: usize) -> Result<Box<TableStorage>, String> {
        if ty.minimum > MAX_TABLE_ELEMENTS {
            return Err(format!(
                "table minimum size {} is above the limit of {MAX_TABLE_ELEMENTS}",
                ty.minimum
            ));
        }
        let mut elements = vec![init; ty.minimum as usize];
        Ok(Box::new(TableStorage {
            def: super::vmcontext::VMTableDef {
                base: elements.as_mut_ptr(),
                current_elements: ty.minimum,
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

    /// Grows by `delta` elements set to `init`; returns the old size.
    pub fn grow(&mut self, delta: u32, init: usize) -> Option<u32> {
        let old = self.size();
        let new = old.checked_add(delta)?;
        let max = self
            .ty
            .maximum
            .unwrap_or(MAX_TABLE_ELEMENTS)
            .min(MAX_TABLE_ELEMENTS);
        if new > max {
            return None;
        }
        self.elements.resize(new as usize, init);
        self.def.base = self.elements.as_mut_ptr();
        self.def.current_elements = new;
        Some(old)
    }
}
