//! Our `FuncEnvironment`: how cranelift-wasm's translation of one function
//! reaches memories, tables, globals, other functions and builtins through
//! the vmctx layout of `vm::vmcontext`.
//!
//! Wasm functions have the signature `(callee_vmctx, caller_vmctx, params...)
//! -> results` in Cranelift's `tail` convention; host-facing code uses the
//! platform C convention (see `compile::trampolines`).

use super::{builtin_signature, ir_type, wasm_signature};
use crate::module::ModuleInfo;
use crate::vm::traps::TRAP_UNDEFINED_ELEMENT;
use crate::vm::vmcontext::{self as vmc, Builtin, VMOffsets};
use cranelift_codegen::cursor::FuncCursor;
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types::*, ArgumentPurpose, InstBuilder, MemFlags, TrapCode,
};
use cranelift_codegen::isa::{TargetFrontendConfig, TargetIsa};
use cranelift_entity::PrimaryMap;
use cranelift_frontend::FunctionBuilder;
use cranelift_wasm::{
    wasm_unsupported, FuncIndex, FuncTranslationState, GlobalIndex, GlobalVariable, Heap, HeapData,
    HeapStyle, MemoryIndex, TableIndex, TargetEnvironment, TypeConvert, TypeIndex, WasmHeapType,
    WasmResult,
};
use std::collections::HashMap;

/// Reserved bytes of a 32-bit linear memory that code may address without a
/// bounds check: 4 GiB.
pub const HEAP_BOUND: u64 = 1 << 32;

pub struct FuncEnv<'a> {
    isa: &'a dyn TargetIsa,
    info: &'a ModuleInfo,
    offsets: &'a VMOffsets,
    guard_size: u64,
    reservation: u64,
    heaps: PrimaryMap<Heap, HeapData>,
    vmctx: Option<ir::GlobalValue>,
    builtin_sigs: HashMap<Builtin, ir::SigRef>,
}

impl<'a> FuncEnv<'a> {
    pub fn new(
        isa: &'a dyn TargetIsa,
        info: &'a ModuleInfo,
        offsets: &'a VMOffsets,
        (guard_size, reservation): (u64, u64),
    ) -> Self {
        FuncEnv {
            isa,
            info,
            offsets,
            guard_size,
            reservation,
            heaps: PrimaryMap::new(),
            vmctx: None,
            builtin_sigs: HashMap::new(),
        }
    }

    fn vmctx_gv(&mut self, func: &mut ir::Function) -> ir::GlobalValue {
        *self
            .vmctx
            .get_or_insert_with(|| func.create_global_value(ir::GlobalValueData::VMContext))
    }

    /// A global value loading a pointer that never changes for an instance.
    fn load_gv(
        &mut self,
        func: &mut ir::Function,
        base: ir::GlobalValue,
        offset: i32,
    ) -> ir::GlobalValue {
        func.create_global_value(ir::GlobalValueData::Load {
            base,
            offset: offset.into(),
            global_type: I64,
            flags: MemFlags::trusted().with_readonly(),
        })
    }

    fn vmctx_val(func: &ir::Function) -> ir::Value {
        func.special_param(ArgumentPurpose::VMContext)
            .expect("wasm functions have a vmctx parameter")
    }

    /// Calls a builtin through the vmctx's builtin table.
    fn call_builtin(
        &mut self,
        pos: &mut FuncCursor,
        which: Builtin,
        args: &[ir::Value],
    ) -> Option<ir::Value> {
        let sig = match self.builtin_sigs.get(&which) {
            Some(s) => *s,
            None => {
                let s = pos
                    .func
                    .import_signature(builtin_signature(self.isa, which));
                self.builtin_sigs.insert(which, s);
                s
            }
        };
        let vmctx = Self::vmctx_val(pos.func);
        let flags = MemFlags::trusted().with_readonly();
        let table = pos.ins().load(I64, flags, vmctx, vmc::VMCTX_BUILTINS);
        let f = pos.ins().load(I64, flags, table, (which as i32) * 8);
        let mut all = vec![vmctx];
        all.extend_from_slice(args);
        let call = pos.ins().call_indirect(sig, f, &all);
        pos.func.dfg.inst_results(call).first().copied()
    }

    /// Calls a builtin that returns non-zero on failure, trapping with `code`.
    fn call_checked_builtin(
        &mut self,
        pos: &mut FuncCursor,
        which: Builtin,
        args: &[ir::Value],
        code: TrapCode,
    ) {
        let status = self
            .call_builtin(pos, which, args)
            .expect("checked builtins return a status");
        pos.ins().trapnz(status, code);
    }

    /// The `VMTableDef` pointer of a table.
    fn table_def(&self, pos: &mut FuncCursor, table: TableIndex) -> ir::Value {
        let vmctx = Self::vmctx_val(pos.func);
        pos.ins().load(
            I64,
            MemFlags::trusted().with_readonly(),
            vmctx,
            self.offsets.table(table.as_u32()),
        )
    }

    /// Address of element `index` of `table` after a bounds check trapping with `code`.
    fn table_elem_addr(
        &self,
        pos: &mut FuncCursor,
        table: TableIndex,
        index: ir::Value,
        code: TrapCode,
    ) -> ir::Value {
        let def = self.table_def(pos, table);
        let len = pos
            .ins()
            .load(I32, MemFlags::trusted(), def, vmc::TABLE_LENGTH);
        let oob = pos
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        pos.ins().trapnz(oob, code);
        let base = pos
            .ins()
            .load(I64, MemFlags::trusted(), def, vmc::TABLE_BASE);
        let index = pos.ins().uextend(I64, index);
        let offset = pos.ins().ishl_imm(index, 3);
        pos.ins().iadd(base, offset)
    }

    fn i32_const(pos: &mut FuncCursor, v: u32) -> ir::Value {
        pos.ins().iconst(I32, i64::from(v))
    }
}

impl TypeConvert for FuncEnv<'_> {
    fn lookup_heap_type(&self, _index: wasmparser::UnpackedIndex) -> WasmHeapType {
        // Concrete heap types need the typed function references proposal,
        // which validation rejects; funcref is the only sensible answer.
        WasmHeapType::Func
    }

    fn lookup_type_index(
        &self,
        index: wasmparser::UnpackedIndex,
    ) -> cranelift_wasm::EngineOrModuleTypeIndex {
        let i = index.as_module_index().unwrap_or(0);
        cranelift_wasm::EngineOrModuleTypeIndex::Module(
            cranelift_wasm::ModuleInternedTypeIndex::from_u32(i),
        )
    }
}

impl TargetEnvironment for FuncEnv<'_> {
    fn target_config(&self) -> TargetFrontendConfig {
        self.isa.frontend_config()
    }
    fn heap_access_spectre_mitigation(&self) -> bool {
        false
    }
    fn proof_carrying_code(&self) -> bool {
        false
    }
    fn reference_type(&self, _ty: WasmHeapType) -> (ir::Type, bool) {
        (I64, false)
    }
}

impl cranelift_wasm::FuncEnvironment for FuncEnv<'_> {
    fn is_wasm_parameter(&self, _signature: &ir::Signature, index: usize) -> bool {
        index >= 2
    }
    fn param_needs_stack_map(&self, _signature: &ir::Signature, _index: usize) -> bool {
        false
    }
    fn sig_ref_result_needs_stack_map(&self, _sig_ref: ir::SigRef, _index: usize) -> bool {
        false
    }
    fn func_ref_result_needs_stack_map(
        &self,
        _func: &ir::Function,
        _func_ref: ir::FuncRef,
        _index: usize,
    ) -> bool {
        false
    }

    fn before_translate_function(
        &mut self,
        builder: &mut FunctionBuilder,
        _state: &FuncTranslationState,
    ) -> WasmResult<()> {
        // The stack limit lives in the store context the vmctx points to.
        let vmctx = self.vmctx_gv(builder.func);
        let store_ctx = self.load_gv(builder.func, vmctx, vmc::VMCTX_STORE_CTX);
        let limit = builder.func.create_global_value(ir::GlobalValueData::Load {
            base: store_ctx,
            offset: vmc::STORE_CTX_STACK_LIMIT.into(),
            global_type: I64,
            flags: MemFlags::trusted(),
        });
        builder.func.stack_limit = Some(limit);
        Ok(())
    }

    fn make_global(
        &mut self,
        func: &mut ir::Function,
        index: GlobalIndex,
    ) -> WasmResult<GlobalVariable> {
        let i = index.as_u32();
        let ty = ir_type(self.info.globals[i as usize].content);
        let vmctx = self.vmctx_gv(func);
        if self.offsets.is_imported_global(i) {
            let gv = self.load_gv(func, vmctx, self.offsets.global_ptr(i));
            Ok(GlobalVariable::Memory {
                gv,
                offset: 0.into(),
                ty,
            })
        } else {
            Ok(GlobalVariable::Memory {
                gv: vmctx,
                offset: self.offsets.defined_global(i).into(),
                ty,
            })
        }
    }

    fn heaps(&self) -> &PrimaryMap<Heap, HeapData> {
        &self.heaps
    }

    fn make_heap(&mut self, func: &mut ir::Function, index: MemoryIndex) -> WasmResult<Heap> {
        let i = index.as_u32();
        let vmctx = self.vmctx_gv(func);
        let def = self.load_gv(func, vmctx, self.offsets.memory(i));
        let base = self.load_gv(func, def, vmc::MEMORY_BASE);
        let ty = self.info.memories[i as usize];
        // A full 4 GiB reservation needs no bounds checks; a smaller one is
        // checked against the current length (the base never moves).
        let style = if self.reservation >= HEAP_BOUND {
            HeapStyle::Static { bound: HEAP_BOUND }
        } else {
            let bound_gv = func.create_global_value(ir::GlobalValueData::Load {
                base: def,
                offset: vmc::MEMORY_LENGTH.into(),
                global_type: I64,
                flags: MemFlags::trusted(),
            });
            HeapStyle::Dynamic { bound_gv }
        };
        Ok(self.heaps.push(HeapData {
            base,
            min_size: u64::from(ty.minimum) << 16,
            max_size: Some(u64::from(ty.maximum.unwrap_or(65536)) << 16),
            offset_guard_size: self.guard_size,
            style,
            index_type: I32,
            memory_type: None,
            page_size_log2: 16,
        }))
    }

    fn make_indirect_sig(
        &mut self,
        func: &mut ir::Function,
        index: TypeIndex,
    ) -> WasmResult<ir::SigRef> {
        let ty = &self.info.types[index.as_u32() as usize];
        Ok(func.import_signature(wasm_signature(self.isa, ty)))
    }

    fn make_direct_func(
        &mut self,
        func: &mut ir::Function,
        index: FuncIndex,
    ) -> WasmResult<ir::FuncRef> {
        let ty = self.info.func_type(index.as_u32());
        let signature = func.import_signature(wasm_signature(self.isa, ty));
        let name = func.declare_imported_user_function(ir::UserExternalName {
            namespace: 0,
            index: index.as_u32(),
        });
        Ok(func.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(name),
            signature,
            colocated: true,
        }))
    }

    fn translate_call(
        &mut self,
        builder: &mut FunctionBuilder,
        callee_index: FuncIndex,
        callee: ir::FuncRef,
        call_args: &[ir::Value],
    ) -> WasmResult<ir::Inst> {
        let i = callee_index.as_u32();
        let vmctx = Self::vmctx_val(builder.func);
        if !self.offsets.is_imported_func(i) {
            let mut args = vec![vmctx, vmctx];
            args.extend_from_slice(call_args);
            return Ok(builder.ins().call(callee, &args));
        }
        let flags = MemFlags::trusted().with_readonly();
        let funcref = builder
            .ins()
            .load(I64, flags, vmctx, self.offsets.imported_func(i));
        let code = builder
            .ins()
            .load(I64, flags, funcref, vmc::FUNCREF_WASM_CALL);
        let callee_vmctx = builder.ins().load(I64, flags, funcref, vmc::FUNCREF_VMCTX);
        let sig = builder.func.dfg.ext_funcs[callee].signature;
        let mut args = vec![callee_vmctx, vmctx];
        args.extend_from_slice(call_args);
        Ok(builder.ins().call_indirect(sig, code, &args))
    }

    fn translate_call_indirect(
        &mut self,
        builder: &mut FunctionBuilder,
        table_index: TableIndex,
        sig_index: TypeIndex,
        sig_ref: ir::SigRef,
        callee: ir::Value,
        call_args: &[ir::Value],
    ) -> WasmResult<Option<ir::Inst>> {
        let mut pos = builder.cursor();
        let addr = self.table_elem_addr(&mut pos, table_index, callee, TRAP_UNDEFINED_ELEMENT);
        let funcref = builder.ins().load(I64, MemFlags::trusted(), addr, 0);
        let vmctx = Self::vmctx_val(builder.func);

        // A null element traps; the cold path first records the index in
        // the store context so the trap message can name it.
        let null_block = builder.create_block();
        let cont = builder.create_block();
        builder.set_cold_block(null_block);
        builder.ins().brif(funcref, cont, &[], null_block, &[]);
        builder.switch_to_block(null_block);
        builder.seal_block(null_block);
        let store_ctx = builder.ins().load(
            I64,
            MemFlags::trusted().with_readonly(),
            vmctx,
            vmc::VMCTX_STORE_CTX,
        );
        let index = builder.ins().uextend(I64, callee);
        builder.ins().store(
            MemFlags::trusted(),
            index,
            store_ctx,
            vmc::STORE_CTX_TRAP_ARG,
        );
        builder.ins().trap(TrapCode::IndirectCallToNull);
        builder.switch_to_block(cont);
        builder.seal_block(cont);

        let flags = MemFlags::trusted().with_readonly();
        let actual = builder
            .ins()
            .load(I32, flags, funcref, vmc::FUNCREF_TYPE_ID);
        let expected =
            builder
                .ins()
                .load(I32, flags, vmctx, self.offsets.type_id(sig_index.as_u32()));
        let mismatch = builder.ins().icmp(IntCC::NotEqual, actual, expected);
        builder.ins().trapnz(mismatch, TrapCode::BadSignature);
        let code = builder
            .ins()
            .load(I64, flags, funcref, vmc::FUNCREF_WASM_CALL);
        let callee_vmctx = builder.ins().load(I64, flags, funcref, vmc::FUNCREF_VMCTX);
        let mut args = vec![callee_vmctx, vmctx];
        args.extend_from_slice(call_args);
        Ok(Some(builder.ins().call_indirect(sig_ref, code, &args)))
    }

    fn translate_return_call_indirect(
        &mut self,
        _builder: &mut FunctionBuilder,
        _table_index: TableIndex,
        _sig_index: TypeIndex,
        _sig_ref: ir::SigRef,
        _callee: ir::Value,
        _call_args: &[ir::Value],
    ) -> WasmResult<()> {
        Err(wasm_unsupported!("tail calls"))
    }

    fn translate_return_call_ref(
        &mut self,
        _builder: &mut FunctionBuilder,
        _sig_ref: ir::SigRef,
        _callee: ir::Value,
        _call_args: &[ir::Value],
    ) -> WasmResult<()> {
        Err(wasm_unsupported!("tail calls"))
    }

    fn translate_return_call(
        &mut self,
        _builder: &mut FunctionBuilder,
        _callee_index: FuncIndex,
        _callee: ir::FuncRef,
        _call_args: &[ir::Value],
    ) -> WasmResult<()> {
        Err(wasm_unsupported!("tail calls"))
    }

    fn translate_call_ref(
        &mut self,
        _builder: &mut FunctionBuilder,
        _sig_ref: ir::SigRef,
        _callee: ir::Value,
        _call_args: &[ir::Value],
    ) -> WasmResult<ir::Inst> {
        Err(wasm_unsupported!("typed function references"))
    }

    fn translate_memory_grow(
        &mut self,
        mut pos: FuncCursor,
        index: MemoryIndex,
        _heap: Heap,
        val: ir::Value,
    ) -> WasmResult<ir::Value> {
        let mem = Self::i32_const(&mut pos, index.as_u32());
        Ok(self
            .call_builtin(&mut pos, Builtin::MemoryGrow, &[mem, val])
            .unwrap())
    }

    fn translate_memory_size(
        &mut self,
        mut pos: FuncCursor,
        index: MemoryIndex,
        _heap: Heap,
    ) -> WasmResult<ir::Value> {
        let vmctx = Self::vmctx_val(pos.func);
        let def = pos.ins().load(
            I64,
            MemFlags::trusted().with_readonly(),
            vmctx,
            self.offsets.memory(index.as_u32()),
        );
        let len = pos
            .ins()
            .load(I64, MemFlags::trusted(), def, vmc::MEMORY_LENGTH);
        let pages = pos.ins().ushr_imm(len, 16);
        Ok(pos.ins().ireduce(I32, pages))
    }

    fn translate_memory_copy(
        &mut self,
        mut pos: FuncCursor,
        src_index: MemoryIndex,
        _src_heap: Heap,
        dst_index: MemoryIndex,
        _dst_heap: Heap,
        dst: ir::Value,
        src: ir::Value,
        len: ir::Value,
    ) -> WasmResult<()> {
        let dm = Self::i32_const(&mut pos, dst_index.as_u32());
        let sm = Self::i32_const(&mut pos, src_index.as_u32());
        self.call_checked_builtin(
            &mut pos,
            Builtin::MemoryCopy,
            &[dm, dst, sm, src, len],
            TrapCode::HeapOutOfBounds,
        );
        Ok(())
    }

    fn translate_memory_fill(
        &mut self,
        mut pos: FuncCursor,
        index: MemoryIndex,
        _heap: Heap,
        dst: ir::Value,
        val: ir::Value,
        len: ir::Value,
    ) -> WasmResult<()> {
        let m = Self::i32_const(&mut pos, index.as_u32());
        self.call_checked_builtin(
            &mut pos,
            Builtin::MemoryFill,
            &[m, dst, val, len],
            TrapCode::HeapOutOfBounds,
        );
        Ok(())
    }

    fn translate_memory_init(
        &mut self,
        mut pos: FuncCursor,
        index: MemoryIndex,
        _heap: Heap,
        seg_index: u32,
        dst: ir::Value,
        src: ir::Value,
        len: ir::Value,
    ) -> WasmResult<()> {
        let m = Self::i32_const(&mut pos, index.as_u32());
        let s = Self::i32_const(&mut pos, seg_index);
        self.call_checked_builtin(
            &mut pos,
            Builtin::MemoryInit,
            &[m, s, dst, src, len],
            TrapCode::HeapOutOfBounds,
        );
        Ok(())
    }

    fn translate_data_drop(&mut self, mut pos: FuncCursor, seg_index: u32) -> WasmResult<()> {
        let s = Self::i32_const(&mut pos, seg_index);
        self.call_builtin(&mut pos, Builtin::DataDrop, &[s]);
        Ok(())
    }

    fn translate_table_size(
        &mut self,
        mut pos: FuncCursor,
        index: TableIndex,
    ) -> WasmResult<ir::Value> {
        let def = self.table_def(&mut pos, index);
        Ok(pos
            .ins()
            .load(I32, MemFlags::trusted(), def, vmc::TABLE_LENGTH))
    }

    fn translate_table_grow(
        &mut self,
        mut pos: FuncCursor,
        table_index: TableIndex,
        delta: ir::Value,
        init_value: ir::Value,
    ) -> WasmResult<ir::Value> {
        let t = Self::i32_const(&mut pos, table_index.as_u32());
        Ok(self
            .call_builtin(&mut pos, Builtin::TableGrow, &[t, delta, init_value])
            .unwrap())
    }

    fn translate_table_get(
        &mut self,
        builder: &mut FunctionBuilder,
        table_index: TableIndex,
        index: ir::Value,
    ) -> WasmResult<ir::Value> {
        let mut pos = builder.cursor();
        let addr = self.table_elem_addr(&mut pos, table_index, index, TrapCode::TableOutOfBounds);
        Ok(pos.ins().load(I64, MemFlags::trusted(), addr, 0))
    }

    fn translate_table_set(
        &mut self,
        builder: &mut FunctionBuilder,
        table_index: TableIndex,
        value: ir::Value,
        index: ir::Value,
    ) -> WasmResult<()> {
        let mut pos = builder.cursor();
        let addr = self.table_elem_addr(&mut pos, table_index, index, TrapCode::TableOutOfBounds);
        pos.ins().store(MemFlags::trusted(), value, addr, 0);
        Ok(())
    }

    fn translate_table_copy(
        &mut self,
        mut pos: FuncCursor,
        dst_table_index: TableIndex,
        src_table_index: TableIndex,
        dst: ir::Value,
        src: ir::Value,
        len: ir::Value,
    ) -> WasmResult<()> {
        let dt = Self::i32_const(&mut pos, dst_table_index.as_u32());
        let st = Self::i32_const(&mut pos, src_table_index.as_u32());
        self.call_checked_builtin(
            &mut pos,
            Builtin::TableCopy,
            &[dt, st, dst, src, len],
            TrapCode::TableOutOfBounds,
        );
        Ok(())
    }

    fn translate_table_fill(
        &mut self,
        mut pos: FuncCursor,
        table_index: TableIndex,
        dst: ir::Value,
        val: ir::Value,
        len: ir::Value,
    ) -> WasmResult<()> {
        let t = Self::i32_const(&mut pos, table_index.as_u32());
        self.call_checked_builtin(
            &mut pos,
            Builtin::TableFill,
            &[t, dst, val, len],
            TrapCode::TableOutOfBounds,
        );
        Ok(())
    }

    fn translate_table_init(
        &mut self,
        mut pos: FuncCursor,
        seg_index: u32,
        table_index: TableIndex,
        dst: ir::Value,
        src: ir::Value,
        len: ir::Value,
    ) -> WasmResult<()> {
        let t = Self::i32_const(&mut pos, table_index.as_u32());
        let s = Self::i32_const(&mut pos, seg_index);
        self.call_checked_builtin(
            &mut pos,
            Builtin::TableInit,
            &[t, s, dst, src, len],
            TrapCode::TableOutOfBounds,
        );
        Ok(())
    }

    fn translate_elem_drop(&mut self, mut pos: FuncCursor, seg_index: u32) -> WasmResult<()> {
        let s = Self::i32_const(&mut pos, seg_index);
        self.call_builtin(&mut pos, Builtin::ElemDrop, &[s]);
        Ok(())
    }

    fn translate_ref_null(
        &mut self,
        mut pos: FuncCursor,
        _ty: WasmHeapType,
    ) -> WasmResult<ir::Value> {
        Ok(pos.ins().iconst(I64, 0))
    }

    fn translate_ref_is_null(
        &mut self,
        mut pos: FuncCursor,
        value: ir::Value,
    ) -> WasmResult<ir::Value> {
        let is_null = pos.ins().icmp_imm(IntCC::Equal, value, 0);
        Ok(pos.ins().uextend(I32, is_null))
    }

    fn translate_ref_func(
        &mut self,
        mut pos: FuncCursor,
        func_index: FuncIndex,
    ) -> WasmResult<ir::Value> {
        let i = func_index.as_u32();
        let vmctx = Self::vmctx_val(pos.func);
        if self.offsets.is_imported_func(i) {
            Ok(pos.ins().load(
                I64,
                MemFlags::trusted().with_readonly(),
                vmctx,
                self.offsets.imported_func(i),
            ))
        } else {
            Ok(pos
                .ins()
                .iadd_imm(vmctx, i64::from(self.offsets.defined_funcref(i))))
        }
    }

    fn translate_custom_global_get(
        &mut self,
        _builder: &mut FunctionBuilder,
        _global_index: GlobalIndex,
    ) -> WasmResult<ir::Value> {
        Err(wasm_unsupported!("custom globals"))
    }

    fn translate_custom_global_set(
        &mut self,
        _builder: &mut FunctionBuilder,
        _global_index: GlobalIndex,
        _val: ir::Value,
    ) -> WasmResult<()> {
        Err(wasm_unsupported!("custom globals"))
    }

    fn translate_atomic_wait(
        &mut self,
        _pos: FuncCursor,
        _index: MemoryIndex,
        _heap: Heap,
        _addr: ir::Value,
        _expected: ir::Value,
        _timeout: ir::Value,
    ) -> WasmResult<ir::Value> {
        Err(wasm_unsupported!("threads"))
    }

    fn translate_atomic_notify(
        &mut self,
        _pos: FuncCursor,
        _index: MemoryIndex,
        _heap: Heap,
        _addr: ir::Value,
        _count: ir::Value,
    ) -> WasmResult<ir::Value> {
        Err(wasm_unsupported!("threads"))
    }

    fn translate_ref_i31(&mut self, _pos: FuncCursor, _val: ir::Value) -> WasmResult<ir::Value> {
        Err(wasm_unsupported!("gc"))
    }

    fn translate_i31_get_s(
        &mut self,
        _pos: FuncCursor,
        _i31ref: ir::Value,
    ) -> WasmResult<ir::Value> {
        Err(wasm_unsupported!("gc"))
    }

    fn translate_i31_get_u(
        &mut self,
        _pos: FuncCursor,
        _i31ref: ir::Value,
    ) -> WasmResult<ir::Value> {
        Err(wasm_unsupported!("gc"))
    }
}
