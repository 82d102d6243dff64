//! Instances: a compiled module's code plus one vmctx holding everything the
//! code reaches (see `vmcontext::VMOffsets`), and the segment bookkeeping
//! that `memory.init`/`table.init` and the drops need.

use super::code_memory::CodeMemory;
use super::memory::{LinearMemory, TableStorage};
use super::vmcontext::*;
use crate::module::{ConstExpr, ConstOp, ElemMode, ModuleInfo};
use std::alloc::Layout;
use std::sync::Arc;

/// A module's code, mapped and ready to instantiate.
pub struct CompiledModule {
    pub info: ModuleInfo,
    pub offsets: VMOffsets,
    pub code: CodeMemory,
    /// Entry of each defined function (wasm convention).
    pub funcs: Vec<*const u8>,
    /// Array-call trampoline per type index.
    pub array_calls: Vec<*const u8>,
    /// Per defined function: whether it contains a tail call (see
    /// `CodeImage::tail_callers`).
    pub tail_callers: Vec<bool>,
    /// Engine-interned id per type index.
    pub type_ids: Vec<u32>,
}

// SAFETY: the raw pointers point into `code`, which is immutable and lives as
// long as this value.
unsafe impl Send for CompiledModule {}
unsafe impl Sync for CompiledModule {}

/// What an instance imports, in import order per kind.
#[derive(Default)]
pub struct Imports {
    pub funcs: Vec<*const VMFuncRef>,
    pub tables: Vec<*mut TableStorage>,
    pub memories: Vec<*mut LinearMemory>,
    pub globals: Vec<*mut VMGlobal>,
    pub tags: Vec<*const VMTag>,
}

/// A live instance. Owned by its store; memories and tables it uses are
/// owned by the store too and outlive it.
pub struct InstanceHandle {
    vmctx: *mut u8,
    layout: Layout,
    pub module: Arc<CompiledModule>,
    /// All memories (imported first), as pointers into store-owned boxes.
    pub memories: Vec<*mut LinearMemory>,
    pub tables: Vec<*mut TableStorage>,
    /// Evaluated items of each element segment; emptied when dropped.
    pub elems: Vec<Vec<usize>>,
    pub data_dropped: Vec<bool>,
    /// The owner's identifier for this instance (the store's index).
    pub host_data: u32,
}

/// A trap during instantiation (segment initialisation).
pub type InitTrap = cranelift_codegen::ir::TrapCode;

impl InstanceHandle {
    /// Builds the vmctx: header, type ids, imports, memory/table/global
    /// pointers, defined globals (initialised) and function references.
    /// `memories`, `tables` and `tags` hold the imported ones first, then
    /// the defined ones the caller created.
    ///
    /// # Safety
    /// All pointers must be valid and outlive the instance; `store_ctx` must
    /// be the owning store's context.
    pub unsafe fn new(
        module: Arc<CompiledModule>,
        store_ctx: *mut VMStoreContext,
        imports: &Imports,
        memories: Vec<*mut LinearMemory>,
        tables: Vec<*mut TableStorage>,
        tags: &[*const VMTag],
    ) -> Box<InstanceHandle> {
        let offsets = &module.offsets;
        let layout = Layout::from_size_align(offsets.size().max(16), 16).expect("vmctx layout");
        // SAFETY: non-zero size; zeroed so unset slots read as null.
        let vmctx = std::alloc::alloc_zeroed(layout);
        if vmctx.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        let mut inst = Box::new(InstanceHandle {
            vmctx,
            layout,
            module: module.clone(),
            memories,
            tables,
            elems: Vec::new(),
            data_dropped: vec![false; module.info.datas.len()],
            host_data: 0,
        });
        let info = &module.info;
        let w = |off: i32, v: usize| (vmctx.add(off as usize) as *mut usize).write(v);
        (vmctx as *mut u32).write(VMCTX_MAGIC);
        w(VMCTX_STORE_CTX, store_ctx as usize);
        w(
            VMCTX_BUILTINS,
            &super::libcalls::BUILTINS as *const _ as usize,
        );
        w(VMCTX_INSTANCE, &mut *inst as *mut InstanceHandle as usize);
        for (i, id) in module.type_ids.iter().enumerate() {
            (vmctx.add(offsets.type_id(i as u32) as usize) as *mut u32).write(*id);
        }
        for (i, f) in imports.funcs.iter().enumerate() {
            w(offsets.imported_func(i as u32), *f as usize);
        }
        for (i, m) in inst.memories.iter().enumerate() {
            w(
                offsets.memory(i as u32),
                std::ptr::addr_of_mut!((**m).def) as usize,
            );
        }
        for (i, t) in inst.tables.iter().enumerate() {
            w(
                offsets.table(i as u32),
                std::ptr::addr_of_mut!((**t).def) as usize,
            );
        }
        for (i, f) in module.funcs.iter().enumerate() {
            let index = info.num_imported_funcs + i as u32;
            let r = vmctx.add(offsets.defined_funcref(index) as usize) as *mut VMFuncRef;
            let ty = info.funcs[index as usize] as usize;
            let sig = &info.types[ty];
            r.write(VMFuncRef {
                wasm_call: *f,
                array_call: array_call_code(
                    sig.params().is_empty() && sig.results().is_empty() && !module.tail_callers[i],
                    *f,
                    module.array_calls[ty],
                ),
                vmctx,
                type_id: module.type_ids[info.funcs[index as usize] as usize],
                _pad: 0,
            });
        }
        for (i, t) in tags.iter().enumerate() {
            w(offsets.tag(i as u32), *t as usize);
        }
        for (i, g) in imports.globals.iter().enumerate() {
            w(offsets.global_ptr(i as u32), *g as usize);
        }
        for (i, init) in info.global_inits.iter().enumerate() {
            let index = info.num_imported_globals + i as u32;
            let slot = vmctx.add(offsets.defined_global(index) as usize) as *mut VMGlobal;
            let value = inst.eval_const(init);
            slot.write(VMGlobal {
                bytes: value.to_le_bytes(),
            });
            w(offsets.global_ptr(index), slot as usize);
        }
        // Defined tables with an initialiser expression start filled with
        // its value (evaluated once: a constant expression has no effects).
        for (i, init) in info.table_inits.iter().enumerate() {
            if let Some(init) = init {
                let value = inst.eval_const(init) as usize;
                let index = info.num_imported_tables as usize + i;
                if let Some(t) = inst.tables.get(index) {
                    (**t).elements_mut().fill(value);
                }
            }
        }
        let elems = info
            .elems
            .iter()
            .map(|seg| {
                seg.items
                    .iter()
                    .map(|e| inst.eval_const(e) as usize)
                    .collect()
            })
            .collect();
        inst.elems = elems;
        inst
    }

    /// The `VMFuncRef` of any function in the index space.
    pub fn funcref(&self, index: u32) -> *const VMFuncRef {
        let o = &self.module.offsets;
        // SAFETY: offsets are in bounds of the vmctx for this module.
        unsafe {
            if o.is_imported_func(index) {
                *(self.vmctx.add(o.imported_func(index) as usize) as *const *const VMFuncRef)
            } else {
                self.vmctx.add(o.defined_funcref(index) as usize) as *const VMFuncRef
            }
        }
    }

    /// The storage of any global in the index space.
    pub fn global(&self, index: u32) -> *mut VMGlobal {
        let o = &self.module.offsets;
        // SAFETY: the pointer slot was written in `new`.
        unsafe { *(self.vmctx.add(o.global_ptr(index) as usize) as *const *mut VMGlobal) }
    }

    /// Evaluates a constant expression to its 128-bit little-endian value.
    pub fn eval_const(&self, expr: &ConstExpr) -> u128 {
        let mut stack: Vec<u128> = Vec::with_capacity(2);
        for op in expr.ops() {
            let v = match *op {
                ConstOp::I32Const(v) => v as u32 as u128,
                ConstOp::I64Const(v) => v as u64 as u128,
                ConstOp::F32Const(bits) => bits.into(),
                ConstOp::F64Const(bits) => bits.into(),
                ConstOp::V128Const(v) => v,
                // SAFETY: the global pointer is valid for the instance's life.
                ConstOp::GlobalGet(g) => u128::from_le_bytes(unsafe { (*self.global(g)).bytes }),
                ConstOp::RefNull => 0,
                ConstOp::RefFunc(f) => self.funcref(f) as usize as u128,
                ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                    let b = stack.pop().unwrap_or(0) as u32;
                    let a = stack.pop().unwrap_or(0) as u32;
                    (match *op {
                        ConstOp::I32Add => a.wrapping_add(b),
                        ConstOp::I32Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }) as u128
                }
                ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                    let b = stack.pop().unwrap_or(0) as u64;
                    let a = stack.pop().unwrap_or(0) as u64;
                    (match *op {
                        ConstOp::I64Add => a.wrapping_add(b),
                        ConstOp::I64Sub => a.wrapping_sub(b),
                        _ => a.wrapping_mul(b),
                    }) as u128
                }
            };
            stack.push(v);
        }
        stack.pop().unwrap_or(0)
    }

    /// Applies active element and data segments in order, then drops the
    /// active and declared ones, as instantiation requires. Stops at the
    /// first out-of-bounds segment (earlier writes stay).
    pub fn initialize_segments(&mut self) -> Result<(), InitTrap> {
        let module = self.module.clone();
        let info: &ModuleInfo = &module.info;
        for (i, seg) in info.elems.iter().enumerate() {
            match &seg.mode {
                ElemMode::Active { table, offset } => {
                    // i32 offsets are zero-extended, i64 ones kept whole.
                    let dst = self.eval_const(offset) as u64;
                    let len = seg.items.len() as u64;
                    self.table_init(*table, i as u32, dst, 0, len)?;
                    self.elems[i] = Vec::new();
                }
                ElemMode::Declared => self.elems[i] = Vec::new(),
                ElemMode::Passive => {}
            }
        }
        for (i, seg) in info.datas.iter().enumerate() {
            if let Some((mem, offset)) = &seg.active {
                let dst = self.eval_const(offset) as u64;
                self.memory_init(*mem, i as u32, dst, 0, seg.bytes.len() as u64)?;
                self.data_dropped[i] = true;
            }
        }
        Ok(())
    }

    pub fn memory(&mut self, index: u32) -> Option<&mut LinearMemory> {
        // SAFETY: the store owns the memory and outlives the instance; the
        // store is used by one thread at a time, so no other reference is live
        // while a builtin or the instantiator runs.
        self.memories
            .get(index as usize)
            .map(|m| unsafe { &mut **m })
    }

    pub fn table(&mut self, index: u32) -> Option<&mut TableStorage> {
        // SAFETY: as for `memory`.
        self.tables.get(index as usize).map(|t| unsafe { &mut **t })
    }

    pub fn memory_init(
        &mut self,
        mem: u32,
        seg: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Result<(), InitTrap> {
        let oob = cranelift_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS;
        let module = self.module.clone();
        let data: &[u8] = match module.info.datas.get(seg as usize) {
            Some(d) if !self.data_dropped[seg as usize] => &d.bytes,
            _ => &[],
        };
        let memory = self.memory(mem).ok_or(oob)?.data_mut();
        let src = range(src, len, data.len()).ok_or(oob)?;
        let dst = range(dst, len, memory.len()).ok_or(oob)?;
        memory[dst].copy_from_slice(&data[src]);
        Ok(())
    }

    pub fn table_init(
        &mut self,
        table: u32,
        seg: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Result<(), InitTrap> {
        let oob = super::traps::TRAP_TABLE_OUT_OF_BOUNDS;
        let items = std::mem::take(self.elems.get_mut(seg as usize).ok_or(oob)?);
        let result = (|| {
            let t = self.table(table).ok_or(oob)?.elements_mut();
            let src = range(src, len, items.len()).ok_or(oob)?;
            let dst = range(dst, len, t.len()).ok_or(oob)?;
            t[dst].copy_from_slice(&items[src]);
            Ok(())
        })();
        self.elems[seg as usize] = items;
        result
    }
}

/// `start..start+len` if it lies within `0..size` (any 64-bit values).
pub fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

impl Drop for InstanceHandle {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.vmctx, self.layout) };
    }
}

/// The instance a vmctx belongs to.
///
/// # Safety
/// `vmctx` must be a live instance's vmctx.
pub unsafe fn instance_of<'a>(vmctx: *mut u8) -> &'a mut InstanceHandle {
    &mut **(vmctx.add(VMCTX_INSTANCE as usize) as *mut *mut InstanceHandle)
}

/// Is `vmctx` an instance's (rather than a host function's context)?
///
/// # Safety
/// `vmctx` must be the vmctx of a live function reference.
pub unsafe fn is_instance_vmctx(vmctx: *mut u8) -> bool {
    (vmctx as *const u32).read() == VMCTX_MAGIC
}
