//! The environment of one function's translation: everything that touches
//! the vmctx layout of `vm::vmcontext` (memories, tables, globals, other
//! functions, builtins, the stack limit), as plain methods on a
//! `FunctionBuilder`. The translator (`translate/`) decides what to emit;
//! this file knows where things are.
//!
//! Wasm functions have the signature `(callee_vmctx, caller_vmctx, params...)
//! -> results` in Cranelift's `tail` convention; host-facing code uses the
//! platform C convention (see `compile::trampolines`).

use super::{builtin_signature, wasm_signature};
use crate::module::ModuleInfo;
use crate::vm::vmcontext::{self as vmc, Builtin, VMOffsets};
use cranelift_codegen::ir::{self, types::*, ArgumentPurpose, InstBuilder, MemFlagsData, TrapCode};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::FunctionBuilder;
use std::collections::HashMap;

/// How a function is called: an ordinary call, or a tail call that
/// replaces the caller's frame (`return_call*`; both sides use the `tail`
/// convention).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallKind {
    Call,
    Tail,
}

/// The active exception handlers, outermost first: the vmctx offset of
/// the tag slot (`None` for a catch-all) and the block a matching
/// exception goes to (with the exception object as its one parameter).
pub type Handlers = Vec<(Option<u32>, ir::Block)>;

/// What a `try_call` calls.
pub enum Callee {
    Direct(ir::FuncRef),
    Indirect(ir::Value),
}

/// Reserved bytes of a 32-bit linear memory that code may address without a
/// bounds check: 4 GiB.
pub const HEAP_BOUND: u64 = 1 << 32;

pub struct FuncEnv<'a> {
    pub isa: &'a dyn TargetIsa,
    pub info: &'a ModuleInfo,
    pub offsets: &'a VMOffsets,
    /// Inaccessible bytes after each memory's reservation.
    pub guard_size: u64,
    /// Address space reserved for each linear memory.
    pub reservation: u64,
    builtin_sigs: HashMap<Builtin, ir::SigRef>,
    type_sigs: HashMap<u32, ir::SigRef>,
    direct_funcs: HashMap<u32, ir::FuncRef>,
    /// The signature (and direct callee) each `try_call` of a signature
    /// (callee) uses (see `compile::exception_call_signature`).
    exn_sigs: HashMap<ir::SigRef, ir::SigRef>,
    exn_funcs: HashMap<ir::FuncRef, ir::FuncRef>,
}

/// Flags of a load from the vmctx (or a record it points to) whose value
/// never changes for an instance: Cranelift may merge and hoist such loads.
fn invariant() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
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
            builtin_sigs: HashMap::new(),
            type_sigs: HashMap::new(),
            direct_funcs: HashMap::new(),
            exn_sigs: HashMap::new(),
            exn_funcs: HashMap::new(),
        }
    }

    /// The stack limit lives in the store context the vmctx points to;
    /// Cranelift checks it in every function's prologue.
    pub fn set_stack_limit(&self, func: &mut ir::Function) {
        let readonly = func
            .dfg
            .mem_flags
            .insert_unchecked(MemFlagsData::trusted().with_readonly());
        let trusted = func.dfg.mem_flags.insert_unchecked(MemFlagsData::trusted());
        let vmctx = func.create_global_value(ir::GlobalValueData::VMContext);
        let store_ctx = func.create_global_value(ir::GlobalValueData::Load {
            base: vmctx,
            offset: vmc::VMCTX_STORE_CTX.into(),
            global_type: I64,
            flags: readonly,
        });
        let limit = func.create_global_value(ir::GlobalValueData::Load {
            base: store_ctx,
            offset: vmc::STORE_CTX_STACK_LIMIT.into(),
            global_type: I64,
            flags: trusted,
        });
        func.stack_limit = Some(limit);
    }

    /// The function's own vmctx parameter.
    pub fn vmctx(b: &FunctionBuilder) -> ir::Value {
        b.func
            .special_param(ArgumentPurpose::VMContext)
            .expect("wasm functions have a vmctx parameter")
    }

    // ---- memories ----

    /// The `VMMemoryDef` pointer of a memory.
    fn memory_def(&self, b: &mut FunctionBuilder, memory: u32) -> ir::Value {
        let vmctx = Self::vmctx(b);
        b.ins()
            .load(I64, invariant(), vmctx, self.offsets.memory(memory))
    }

    /// A memory's base address (it never moves).
    pub fn memory_base(&self, b: &mut FunctionBuilder, memory: u32) -> ir::Value {
        let def = self.memory_def(b, memory);
        b.ins().load(I64, invariant(), def, vmc::MEMORY_BASE)
    }

    /// A memory's current length in bytes.
    pub fn memory_length(&self, b: &mut FunctionBuilder, memory: u32) -> ir::Value {
        let def = self.memory_def(b, memory);
        b.ins()
            .load(I64, MemFlagsData::trusted(), def, vmc::MEMORY_LENGTH)
    }

    /// Does `memory` take i64 addresses (memory64)?
    pub fn memory64(&self, memory: u32) -> bool {
        self.info
            .memories
            .get(memory as usize)
            .is_some_and(|m| m.memory64)
    }

    /// Does `table` take i64 indices (table64)?
    pub fn table64(&self, table: u32) -> bool {
        self.info
            .tables
            .get(table as usize)
            .is_some_and(|t| t.table64)
    }

    /// Whether accesses to 32-bit memories are safe without a bounds check
    /// when the static offset plus access size fits the guard region.
    pub fn memory_needs_no_checks(&self) -> bool {
        self.reservation >= HEAP_BOUND
    }

    // ---- globals ----

    /// Address of a global's storage (imported globals live elsewhere).
    pub fn global_addr(&self, b: &mut FunctionBuilder, global: u32) -> (ir::Value, i32) {
        let vmctx = Self::vmctx(b);
        if self.offsets.is_imported_global(global) {
            let ptr = b
                .ins()
                .load(I64, invariant(), vmctx, self.offsets.global_ptr(global));
            (ptr, 0)
        } else {
            (vmctx, self.offsets.defined_global(global))
        }
    }

    // ---- builtins ----

    /// Calls a builtin through the vmctx's builtin table.
    pub fn call_builtin(
        &mut self,
        b: &mut FunctionBuilder,
        which: Builtin,
        args: &[ir::Value],
    ) -> Option<ir::Value> {
        let sig = match self.builtin_sigs.get(&which) {
            Some(s) => *s,
            None => {
                let s = b.import_signature(builtin_signature(self.isa, which));
                self.builtin_sigs.insert(which, s);
                s
            }
        };
        let vmctx = Self::vmctx(b);
        // A builtin called on a rare path (`Builtin::is_cold`) loads its
        // address there: hoisted out of a loop, it would hold a register
        // through the loop for nothing.
        let flags = if which.is_cold() {
            MemFlagsData::trusted().with_readonly()
        } else {
            invariant()
        };
        let table = b.ins().load(I64, flags, vmctx, vmc::VMCTX_BUILTINS);
        let f = b.ins().load(I64, flags, table, (which as i32) * 8);
        let mut all = vec![vmctx];
        all.extend_from_slice(args);
        let call = b.ins().call_indirect(sig, f, &all);
        b.inst_results(call).first().copied()
    }

    /// Calls a builtin that returns non-zero on failure, trapping with `code`.
    pub fn call_checked_builtin(
        &mut self,
        b: &mut FunctionBuilder,
        which: Builtin,
        args: &[ir::Value],
        code: TrapCode,
    ) {
        if let Some(status) = self.call_builtin(b, which, args) {
            b.ins().trapnz(status, code);
        }
    }

    // ---- tables ----

    /// The `VMTableDef` pointer of a table.
    pub fn table_def(&self, b: &mut FunctionBuilder, table: u32) -> ir::Value {
        let vmctx = Self::vmctx(b);
        b.ins()
            .load(I64, invariant(), vmctx, self.offsets.table(table))
    }

    /// A table's current length (elements, i32).
    pub fn table_length(&self, b: &mut FunctionBuilder, table: u32) -> ir::Value {
        let def = self.table_def(b, table);
        b.ins()
            .load(I32, MemFlagsData::trusted(), def, vmc::TABLE_LENGTH)
    }

    /// Address of element `index` (i32, or i64 for a 64-bit table) of
    /// `table` after a bounds check trapping with `code`.
    pub fn table_elem_addr(
        &self,
        b: &mut FunctionBuilder,
        table: u32,
        index: ir::Value,
        code: TrapCode,
    ) -> ir::Value {
        use ir::condcodes::IntCC;
        let def = self.table_def(b, table);
        let len = b
            .ins()
            .load(I32, MemFlagsData::trusted(), def, vmc::TABLE_LENGTH);
        // Compare in 64 bits, so that every i64 index is checked whole.
        let index = if b.func.dfg.value_type(index) == I32 {
            b.ins().uextend(I64, index)
        } else {
            index
        };
        let len = b.ins().uextend(I64, len);
        let oob = b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        b.ins().trapnz(oob, code);
        let base = b
            .ins()
            .load(I64, MemFlagsData::trusted(), def, vmc::TABLE_BASE);
        let offset = b.ins().ishl_imm_u(index, 3);
        let addr = b.ins().iadd(base, offset);
        // Spectre: a mispredicted check must not reach past the table.
        let null = b.ins().iconst(I64, 0);
        b.ins().select_spectre_guard(oob, null, addr)
    }

    // ---- functions ----

    /// The signature of wasm functions of type `type_index`, imported once.
    pub fn type_signature(&mut self, b: &mut FunctionBuilder, type_index: u32) -> ir::SigRef {
        if let Some(s) = self.type_sigs.get(&type_index) {
            return *s;
        }
        let ty = &self.info.types[type_index as usize];
        let s = b.import_signature(wasm_signature(self.isa, ty));
        self.type_sigs.insert(type_index, s);
        s
    }

    /// A direct reference to a defined function, for `call`.
    fn direct_func(&mut self, b: &mut FunctionBuilder, index: u32) -> ir::FuncRef {
        if let Some(f) = self.direct_funcs.get(&index) {
            return *f;
        }
        let signature = self.type_signature(b, self.info.funcs[index as usize]);
        let name = b.func.declare_imported_user_function(ir::UserExternalName {
            namespace: 0,
            index,
        });
        let f = b.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(name),
            signature,
            colocated: true,
            patchable: false,
        });
        self.direct_funcs.insert(index, f);
        f
    }

    /// Calls function `index` with `args`; returns its results. An
    /// ordinary call (`CallKind::Call`) runs under the active exception
    /// `handlers` (see `Handlers`); a tail call (`CallKind::Tail`) never
    /// does (the callee replaces this frame, so an exception it throws
    /// goes to this function's caller), returns no results and leaves the
    /// code after it unreachable.
    pub fn call_function(
        &mut self,
        b: &mut FunctionBuilder,
        index: u32,
        args: &[ir::Value],
        kind: CallKind,
        handlers: &Handlers,
    ) -> Vec<ir::Value> {
        let vmctx = Self::vmctx(b);
        if !self.offsets.is_imported_func(index) {
            let callee = self.direct_func(b, index);
            let mut all = vec![vmctx, vmctx];
            all.extend_from_slice(args);
            return match kind {
                CallKind::Tail => {
                    b.ins().return_call(callee, &all);
                    Vec::new()
                }
                CallKind::Call if handlers.is_empty() => {
                    let call = b.ins().call(callee, &all);
                    b.inst_results(call).to_vec()
                }
                CallKind::Call => {
                    let sig = b.func.dfg.ext_funcs[callee].signature;
                    self.try_call(b, sig, Callee::Direct(callee), &all, handlers)
                }
            };
        }
        let funcref = b
            .ins()
            .load(I64, invariant(), vmctx, self.offsets.imported_func(index));
        let sig = self.type_signature(b, self.info.funcs[index as usize]);
        self.call_funcref(b, sig, funcref, args, kind, handlers)
    }

    /// Calls through a non-null `VMFuncRef` pointer, like `call_function`
    /// (handlers only for `CallKind::Call`). The caller's vmctx argument is
    /// this function's own vmctx, also on a tail call: a host function
    /// reached by one sees the instance that made the call.
    pub fn call_funcref(
        &mut self,
        b: &mut FunctionBuilder,
        sig: ir::SigRef,
        funcref: ir::Value,
        args: &[ir::Value],
        kind: CallKind,
        handlers: &Handlers,
    ) -> Vec<ir::Value> {
        let vmctx = Self::vmctx(b);
        let flags = MemFlagsData::trusted().with_readonly();
        let code = b.ins().load(I64, flags, funcref, vmc::FUNCREF_WASM_CALL);
        let callee_vmctx = b.ins().load(I64, flags, funcref, vmc::FUNCREF_VMCTX);
        let mut all = vec![callee_vmctx, vmctx];
        all.extend_from_slice(args);
        match kind {
            CallKind::Tail => {
                b.ins().return_call_indirect(sig, code, &all);
                Vec::new()
            }
            CallKind::Call if handlers.is_empty() => {
                let call = b.ins().call_indirect(sig, code, &all);
                b.inst_results(call).to_vec()
            }
            CallKind::Call => self.try_call(b, sig, Callee::Indirect(code), &all, handlers),
        }
    }

    /// A `try_call` (or `try_call_indirect`) whose exception table is the
    /// function's own vmctx as context, then `handlers` innermost first;
    /// continues in a new block and returns the call's results. The callee
    /// must use the `tail` convention (see `throw_signature`); the call is
    /// made in the System V one where that is the same contract and keeps
    /// the callee-saved registers on the exceptional edge
    /// (`compile::exception_call_signature`).
    pub fn try_call(
        &mut self,
        b: &mut FunctionBuilder,
        sig: ir::SigRef,
        callee: Callee,
        args: &[ir::Value],
        handlers: &Handlers,
    ) -> Vec<ir::Value> {
        use ir::{BlockArg, ExceptionTableData, ExceptionTableItem, ExceptionTag};
        let (sig, callee) = self.exception_call(b, sig, callee);
        let cont = b.create_block();
        let returns: Vec<ir::Type> = b.func.dfg.signatures[sig]
            .returns
            .iter()
            .map(|r| r.value_type)
            .collect();
        let mut rets = Vec::with_capacity(returns.len());
        for (i, ty) in returns.into_iter().enumerate() {
            b.append_block_param(cont, ty);
            rets.push(BlockArg::TryCallRet(i as u32));
        }
        let normal = b.func.dfg.block_call(cont, &rets);
        let mut items = vec![ExceptionTableItem::Context(Self::vmctx(b))];
        for &(tag, block) in handlers.iter().rev() {
            let call = b.func.dfg.block_call(block, &[BlockArg::TryCallExn(0)]);
            items.push(match tag {
                Some(t) => ExceptionTableItem::Tag(ExceptionTag::from_u32(t), call),
                None => ExceptionTableItem::Default(call),
            });
        }
        let table = b
            .func
            .dfg
            .exception_tables
            .push(ExceptionTableData::new(sig, normal, items));
        match callee {
            Callee::Direct(f) => b.ins().try_call(f, args, table),
            Callee::Indirect(code) => b.ins().try_call_indirect(code, args, table),
        };
        b.switch_to_block(cont);
        b.seal_block(cont);
        b.block_params(cont).to_vec()
    }

    /// The signature and callee a `try_call` of `sig` and `callee` uses
    /// (see `try_call`).
    fn exception_call(
        &mut self,
        b: &mut FunctionBuilder,
        sig: ir::SigRef,
        callee: Callee,
    ) -> (ir::SigRef, Callee) {
        let exn_sig = match self.exn_sigs.get(&sig) {
            Some(s) => *s,
            None => {
                let s = match super::exception_call_signature(self.isa, &b.func.dfg.signatures[sig])
                {
                    Some(sysv) => b.import_signature(sysv),
                    None => sig,
                };
                self.exn_sigs.insert(sig, s);
                s
            }
        };
        if exn_sig == sig {
            return (sig, callee);
        }
        let callee = match callee {
            Callee::Indirect(code) => Callee::Indirect(code),
            Callee::Direct(f) => Callee::Direct(*self.exn_funcs.entry(f).or_insert_with(|| {
                let data = ir::ExtFuncData {
                    signature: exn_sig,
                    ..b.func.dfg.ext_funcs[f].clone()
                };
                b.import_function(data)
            })),
        };
        (exn_sig, callee)
    }

    /// Throws exception object `exn` through the throw stub, under
    /// `handlers`. The code after it is unreachable (and traps).
    pub fn throw(&mut self, b: &mut FunctionBuilder, exn: ir::Value, handlers: &Handlers) {
        let sig = match self.builtin_sigs.get(&Builtin::Throw) {
            Some(s) => *s,
            None => {
                let s = b.import_signature(super::throw_signature());
                self.builtin_sigs.insert(Builtin::Throw, s);
                s
            }
        };
        let vmctx = Self::vmctx(b);
        let table = b.ins().load(I64, invariant(), vmctx, vmc::VMCTX_BUILTINS);
        let stub = b
            .ins()
            .load(I64, invariant(), table, (Builtin::Throw as i32) * 8);
        if handlers.is_empty() {
            b.ins().call_indirect(sig, stub, &[exn]);
        } else {
            self.try_call(b, sig, Callee::Indirect(stub), &[exn], handlers);
        }
        b.ins().trap(crate::vm::traps::TRAP_UNREACHABLE);
    }

    /// The vmctx offset of tag `tag`'s `*const VMTag` slot.
    pub fn tag_slot(&self, tag: u32) -> u32 {
        self.offsets.tag(tag) as u32
    }

    /// The engine-wide type id a funcref of type `type_index` carries.
    pub fn expected_type_id(&self, b: &mut FunctionBuilder, type_index: u32) -> ir::Value {
        let vmctx = Self::vmctx(b);
        b.ins()
            .load(I32, invariant(), vmctx, self.offsets.type_id(type_index))
    }

    /// `ref.func`: the `VMFuncRef` pointer of function `index`.
    pub fn func_ref(&self, b: &mut FunctionBuilder, index: u32) -> ir::Value {
        let vmctx = Self::vmctx(b);
        if self.offsets.is_imported_func(index) {
            b.ins()
                .load(I64, invariant(), vmctx, self.offsets.imported_func(index))
        } else {
            b.ins()
                .iadd_imm_s(vmctx, i64::from(self.offsets.defined_funcref(index)))
        }
    }

    /// Records a detail of the trap about to happen (see
    /// `VMStoreContext::trap_arg`).
    pub fn set_trap_arg(&self, b: &mut FunctionBuilder, value: ir::Value) {
        let vmctx = Self::vmctx(b);
        let store_ctx = b.ins().load(
            I64,
            MemFlagsData::trusted().with_readonly(),
            vmctx,
            vmc::VMCTX_STORE_CTX,
        );
        b.ins().store(
            MemFlagsData::trusted(),
            value,
            store_ctx,
            vmc::STORE_CTX_TRAP_ARG,
        );
    }
}
