//! Compilation: every defined function through our translator
//! (`translate`, with `FuncEnv` for the vmctx layout), plus the trampolines
//! between the host's array calling convention and wasm's, linked into one
//! position-independent image.
//!
//! The image is data (bytes, trap sites, function ranges, libcall
//! relocations); `vm::code_memory` maps it.

mod func_env;
pub mod trampolines;
mod translate;

use crate::module::{FunctionInput, ModuleInfo};
use crate::types::{FuncType, ValType};
use crate::vm::code_memory::{FrameSaves, CONTEXT_IN_REGISTER};
use crate::vm::traps::CALLEE_SAVED;
use crate::vm::vmcontext::{Builtin, VMOffsets};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, types::*, AbiParam, ArgumentPurpose, LibCall, TrapCode};
use cranelift_codegen::isa::unwind::UnwindInst;
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_codegen::{binemit::Reloc, CodegenError, Context, FinalizedRelocTarget};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use translate::{FuncTranslator, TranslateInput};

/// The Cranelift type of a wasm value type (references are pointers).
pub fn ir_type(ty: ValType) -> ir::Type {
    match ty {
        ValType::I32 => I32,
        ValType::I64 => I64,
        ValType::F32 => F32,
        ValType::F64 => F64,
        ValType::V128 => I8X16,
        // Every reference is pointer-sized: a `*const VMFuncRef`, an
        // externref pointer or a `*mut VMExn`, 0 for null.
        ValType::Ref(_) => I64,
    }
}

/// `(callee_vmctx, caller_vmctx, params...) -> results`, `tail` convention.
pub fn wasm_signature(_isa: &dyn TargetIsa, ty: &FuncType) -> ir::Signature {
    let mut sig = ir::Signature::new(CallConv::Tail);
    sig.params
        .push(AbiParam::special(I64, ArgumentPurpose::VMContext));
    sig.params.push(AbiParam::new(I64));
    sig.params
        .extend(ty.params().iter().map(|t| AbiParam::new(ir_type(*t))));
    sig.returns
        .extend(ty.results().iter().map(|t| AbiParam::new(ir_type(*t))));
    sig
}

/// `(callee_vmctx, caller_vmctx, values, callee)`, platform C convention.
/// For a function with no parameters and no results this is the wasm
/// signature plus two ignored arguments, so such a function needs no
/// trampoline (see `vmcontext::array_call_code`).
pub fn array_signature(isa: &dyn TargetIsa) -> ir::Signature {
    let mut sig = ir::Signature::new(isa.default_call_conv());
    sig.params.extend([AbiParam::new(I64); 4]);
    sig
}

/// The signature of the throw stub (`Builtin::Throw`): `(exn)` in the
/// `tail` convention, like every callee of a `try_call`; such a call is
/// made in the System V convention where that is the same contract (see
/// `exception_call_signature`; the stub gives a handler the callee-saved
/// registers its frame had, see `vm::throw`).
pub fn throw_signature() -> ir::Signature {
    let mut sig = ir::Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::new(I64));
    sig
}

/// The signature to make a `try_call` with, for a callee whose signature
/// is `sig` (in the `tail` convention): a System V copy of it where that is
/// the same machine-level contract, `None` where it is not (then `sig`).
///
/// Cranelift assumes that the exceptional edge of a `try_call` to a `tail`
/// callee clobbers every register (Wasmtime's unwinder restores none), so
/// every value live across such a call would go to the stack around it and
/// a `try_table` in a hot loop would slow it down. For a System V callee
/// it assumes the callee-saved registers kept on that edge as on the
/// normal one, which our unwinder provides: it restores the registers each
/// frame it unwinds had saved (`vm::throw`). On x86-64, Cranelift's `tail`
/// and `system_v` conventions save the same registers (rbx, rbp, r12-r15),
/// take arguments in the same registers (rdi, rsi, rdx, rcx, r8, r9 and
/// xmm0-xmm7, each class counted on its own) and return the first integer
/// in rax and the first two float or vector results in xmm0 and xmm1. They
/// differ only in stack arguments (a `tail` callee pops them), in further
/// results and in the return-area pointer, so a signature qualifies when
/// its arguments all fit in registers and its results in the shared ones.
pub fn exception_call_signature(isa: &dyn TargetIsa, sig: &ir::Signature) -> Option<ir::Signature> {
    // "x64" is Cranelift's x86-64 backend; the other backends keep `sig`.
    if isa.name() != "x64" || sig.call_conv != CallConv::Tail {
        return None;
    }
    // (integer, float or vector) values, or None for any other kind.
    let count = |params: &[AbiParam]| {
        let mut n = (0usize, 0usize);
        for p in params {
            if p.purpose != ArgumentPurpose::Normal && p.purpose != ArgumentPurpose::VMContext {
                return None;
            }
            let t = p.value_type;
            if t.is_int() && t.bits() <= 64 {
                n.0 += 1;
            } else if (t.is_float() && t.bits() <= 64) || (t.is_vector() && t.bits() == 128) {
                n.1 += 1;
            } else {
                return None;
            }
        }
        Some(n)
    };
    let (int_args, float_args) = count(&sig.params)?;
    let (int_rets, float_rets) = count(&sig.returns)?;
    if int_args > 6 || float_args > 8 || int_rets > 1 || float_rets > 2 {
        return None;
    }
    let mut sysv = sig.clone();
    sysv.call_conv = CallConv::SystemV;
    Some(sysv)
}

/// The C signature of a builtin (see `vmcontext::Builtin`).
pub fn builtin_signature(isa: &dyn TargetIsa, which: Builtin) -> ir::Signature {
    if which == Builtin::Throw {
        return throw_signature();
    }
    let mut sig = ir::Signature::new(isa.default_call_conv());
    // Indices of memories, tables and segments are i32; addresses, lengths
    // and deltas are i64 (zero-extended from i32 for 32-bit memories and
    // tables); references are pointer-sized.
    let ps = |tys: &[ir::Type]| tys.iter().map(|t| AbiParam::new(*t)).collect::<Vec<_>>();
    sig.params.push(AbiParam::new(I64)); // vmctx
    let (params, ret): (Vec<AbiParam>, Option<ir::Type>) = match which {
        Builtin::MemoryGrow => (ps(&[I32, I64]), Some(I64)),
        Builtin::MemoryCopy => (ps(&[I32, I64, I32, I64, I64]), Some(I32)),
        Builtin::MemoryFill => (ps(&[I32, I64, I32, I64]), Some(I32)),
        Builtin::MemoryInit => (ps(&[I32, I32, I64, I64, I64]), Some(I32)),
        Builtin::DataDrop => (ps(&[I32]), None),
        Builtin::TableGrow => (ps(&[I32, I64, I64]), Some(I64)),
        Builtin::TableCopy => (ps(&[I32, I32, I64, I64, I64]), Some(I32)),
        Builtin::TableFill => (ps(&[I32, I64, I64, I64]), Some(I32)),
        Builtin::TableInit => (ps(&[I32, I32, I64, I64, I64]), Some(I32)),
        Builtin::ElemDrop => (ps(&[I32]), None),
        Builtin::ExnNew => (ps(&[I32]), Some(I64)),
        Builtin::ExnRelease => (ps(&[I64]), None),
        Builtin::Throw => (Vec::new(), None),
        Builtin::EpochDeadline => (Vec::new(), Some(I32)),
    };
    if which == Builtin::EpochDeadline {
        // Its stub keeps every register but the result (see
        // `vm::entry`): a loop's values stay in registers around it.
        sig.call_conv = CallConv::PreserveAll;
    }
    sig.params.extend(params);
    if let Some(r) = ret {
        sig.returns.push(AbiParam::new(r));
    }
    sig
}

/// The checks compiled code makes for the embedder (from the `Config`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Checks {
    /// Epoch deadline checks (`Config::epoch_interruption`).
    pub epoch_interruption: bool,
    /// Fuel accounting (`Config::consume_fuel`).
    pub consume_fuel: bool,
}

/// One compiled function before linking.
pub struct CompiledFunc {
    pub code: Vec<u8>,
    pub relocs: Vec<(u32, Reloc, RelocTo, i64)>,
    pub traps: Vec<(u32, TrapCode)>,
    pub srclocs: Vec<(u32, u32)>,
    pub frame: FrameSaves,
    /// Call sites with exception handlers: (return-address offset, sp to
    /// fp distance, handlers as in `CodeImage::exn_items` with function
    /// offsets).
    pub exn_sites: Vec<ExnSite>,
    /// Whether it contains a tail call (see `CodeImage::tail_callers`).
    pub tail_calls: bool,
}

/// A `try_call` site: (return-address offset, sp to fp distance, handlers
/// as (tag slot offset or `u32::MAX`, where the context is, handler
/// offset)). The context is the catching frame's vmctx: at an sp offset,
/// or with `CONTEXT_IN_REGISTER` set, in that callee-saved register.
pub type ExnSite = (u32, u32, Vec<(u32, u32, u32)>);

#[derive(Clone, Copy, Debug)]
pub enum RelocTo {
    /// A defined function, by function index.
    Func(u32),
    LibCall(LibCall),
    /// An offset in the same function.
    Local(u32),
}

/// A linked, relocatable code image.
#[derive(Default)]
pub struct CodeImage {
    pub bytes: Vec<u8>,
    /// Per item: (start, end, wasm function index or u32::MAX).
    pub funcs: Vec<(u32, u32, u32)>,
    pub traps: Vec<(u32, TrapCode)>,
    pub srclocs: Vec<Vec<(u32, u32)>>,
    /// Per item: where it saves callee-saved registers.
    pub frames: Vec<FrameSaves>,
    /// Absolute relocations to host functions, applied when mapped.
    pub libcalls: Vec<(u32, LibCall, i64)>,
    /// Exception handler tables (see `vm::code_memory::CodeInfo`).
    pub exn_sites: Vec<(u32, u32, u32)>,
    pub exn_items: Vec<(u32, u32, u32)>,
    /// The functions (by index, ascending) that contain a tail call. The
    /// entry stub may call a function with no parameters and no results
    /// directly, without its array-call trampoline, only if it is not one
    /// of these: a tail call may replace its frame with one that has stack
    /// arguments above its return address, where the trap handler expects
    /// the stub's stack (see `vmcontext::array_call_code`).
    pub tail_callers: Vec<u32>,
}

/// Finishes a Cranelift function into a `CompiledFunc`.
pub fn finish(ctx: &mut Context, isa: &dyn TargetIsa) -> Result<CompiledFunc, String> {
    let names = ctx.func.params.user_named_funcs().clone();
    let compiled = ctx
        .compile(isa, &mut ControlPlane::default())
        .map_err(|e| codegen_error(&e.inner))?;
    let buffer = &compiled.buffer;
    let mut relocs = Vec::new();
    for r in buffer.relocs() {
        let to = match &r.target {
            FinalizedRelocTarget::Func(off) => RelocTo::Local(*off),
            FinalizedRelocTarget::ExternalName(ir::ExternalName::User(name)) => {
                let n = &names[*name];
                RelocTo::Func(n.index)
            }
            FinalizedRelocTarget::ExternalName(ir::ExternalName::LibCall(lc)) => {
                RelocTo::LibCall(*lc)
            }
            other => return Err(format!("unsupported relocation target {other:?}")),
        };
        relocs.push((r.offset, r.kind, to, r.addend));
    }
    let traps = buffer.traps().iter().map(|t| (t.offset, t.code)).collect();
    let srclocs = buffer
        .get_srclocs_sorted()
        .iter()
        .filter(|l| !l.loc.is_default())
        .map(|l| (l.start, l.loc.bits()))
        .collect();
    Ok(CompiledFunc {
        code: buffer.data().to_vec(),
        relocs,
        traps,
        srclocs,
        frame: frame_saves(&buffer.unwind_info)?,
        exn_sites: exception_sites(buffer)?,
        tail_calls: false,
    })
}

/// The handler tables of a function's `try_call` sites (see
/// `CompiledFunc::exn_sites`). Tags are the vmctx offsets of tag slots
/// (`translate/exceptions.rs` makes them so).
fn exception_sites(
    buffer: &cranelift_codegen::MachBufferFinalized<cranelift_codegen::Final>,
) -> Result<Vec<ExnSite>, String> {
    use cranelift_codegen::{ExceptionContextLoc, FinalizedMachExceptionHandler as H};
    let mut sites = Vec::new();
    for cs in buffer.call_sites() {
        if cs.exception_handlers.is_empty() {
            continue;
        }
        let frame = cs
            .frame_offset
            .ok_or_else(|| format!("{INTERNAL_ERROR}: try_call without a frame offset"))?;
        let mut ctx = u32::MAX;
        let mut items = Vec::new();
        for h in cs.exception_handlers {
            match *h {
                H::Context(ExceptionContextLoc::SPOffset(o)) => ctx = o,
                // A `try_call` in the System V convention may keep it in a
                // callee-saved register, which the unwinder knows per frame.
                H::Context(ExceptionContextLoc::GPR(r)) if CALLEE_SAVED.contains(&r) => {
                    ctx = CONTEXT_IN_REGISTER | u32::from(r)
                }
                H::Context(ExceptionContextLoc::GPR(r)) => {
                    return Err(format!(
                        "{INTERNAL_ERROR}: exception context in caller-saved register {r}"
                    ))
                }
                H::Tag(t, off) => items.push((t.as_u32(), ctx, off)),
                H::Default(off) => items.push((u32::MAX, ctx, off)),
            }
        }
        sites.push((cs.ret_addr, frame, items));
    }
    Ok(sites)
}

/// How every error that is our bug (or Cranelift's) on a valid module
/// begins: a panic or a verifier error during compilation.
pub const INTERNAL_ERROR: &str = "internal compiler error";

/// A Cranelift error on IR we made: a verifier error (our bug) or a limit.
fn codegen_error(e: &CodegenError) -> String {
    match e {
        CodegenError::Verifier(errors) => {
            let shown: Vec<String> = errors.0.iter().take(5).map(|e| e.to_string()).collect();
            let more = errors.0.len().saturating_sub(shown.len());
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            format!(
                "{INTERNAL_ERROR}: verifier errors: {}{more}",
                shown.join("; ")
            )
        }
        other => format!("{INTERNAL_ERROR}: {other}"),
    }
}

/// The error for a panic in the compiler.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    format!("{INTERNAL_ERROR}: {msg}")
}

/// The register saves of a function's prologue, from Cranelift's unwind
/// instructions (a save of `reg` at `clobber_offset` is at
/// `FP - offset_downward_to_clobbers + clobber_offset`).
fn frame_saves(unwind: &[(u32, UnwindInst)]) -> Result<FrameSaves, String> {
    let mut frame = FrameSaves {
        frame_at: u32::MAX,
        saves: Vec::new(),
        grown_args: 0,
    };
    let mut clobbers = None;
    // Above the frame pointer: the saved frame pointer and return address,
    // and with a grown argument area, that much more (`DefineNewFrame`).
    let mut setup_area = None;
    for (offset, inst) in unwind {
        match inst {
            UnwindInst::PushFrameRegs {
                offset_upward_to_caller_sp,
            } => setup_area = Some(*offset_upward_to_caller_sp),
            UnwindInst::DefineNewFrame {
                offset_downward_to_clobbers,
                offset_upward_to_caller_sp,
            } => {
                frame.frame_at = *offset;
                clobbers = Some(*offset_downward_to_clobbers);
                frame.grown_args = setup_area
                    .and_then(|s| offset_upward_to_caller_sp.checked_sub(s))
                    .ok_or("frame defined before its frame pointer was pushed")?;
            }
            UnwindInst::SaveReg {
                clobber_offset,
                reg,
            } => {
                let down = clobbers
                    .and_then(|c| c.checked_sub(*clobber_offset))
                    .ok_or("register saved outside a frame")?;
                frame.saves.push((reg.hw_enc(), *offset, down));
            }
            _ => {}
        }
    }
    Ok(frame)
}

/// Lays out `items` (each tagged with its function index or u32::MAX) and
/// resolves the relocations that do not depend on where the image is mapped.
/// Returns the image and each item's start offset.
pub fn link(
    isa: &dyn TargetIsa,
    items: Vec<(u32, CompiledFunc)>,
    func_start: impl Fn(&[u32], u32) -> Option<u32>,
) -> Result<(CodeImage, Vec<u32>), String> {
    let align = isa.function_alignment().preferred.max(16) as usize;
    let mut image = CodeImage::default();
    let mut starts = Vec::with_capacity(items.len());
    for (index, f) in &items {
        let start = image.bytes.len().div_ceil(align) * align;
        image.bytes.resize(start, 0xcc);
        image.bytes.extend_from_slice(&f.code);
        starts.push(start as u32);
        image
            .funcs
            .push((start as u32, image.bytes.len() as u32, *index));
        image
            .traps
            .extend(f.traps.iter().map(|(o, c)| (start as u32 + o, *c)));
        image.srclocs.push(f.srclocs.clone());
        image.frames.push(f.frame.clone());
        for (ret, frame, handlers) in &f.exn_sites {
            image.exn_items.extend(
                handlers
                    .iter()
                    .map(|&(tag, ctx, h)| (tag, ctx, start as u32 + h)),
            );
            let end = image.exn_items.len() as u32;
            image.exn_sites.push((start as u32 + ret, *frame, end));
        }
        if f.tail_calls {
            image.tail_callers.push(*index);
        }
    }
    for (i, (_, f)) in items.iter().enumerate() {
        let start = starts[i];
        for &(off, kind, to, addend) in &f.relocs {
            let site = start + off;
            let target = match to {
                RelocTo::Func(index) => func_start(&starts, index)
                    .ok_or_else(|| format!("call to unknown function {index}"))?,
                RelocTo::Local(o) => start + o,
                RelocTo::LibCall(lc) => {
                    if kind != Reloc::Abs8 {
                        return Err(format!("unsupported libcall relocation {kind:?}"));
                    }
                    image.libcalls.push((site, lc, addend));
                    continue;
                }
            };
            match kind {
                Reloc::X86CallPCRel4 | Reloc::X86PCRel4 => {
                    let v = i64::from(target) + addend - i64::from(site);
                    let v = i32::try_from(v).map_err(|_| "relocation out of range".to_string())?;
                    image.bytes[site as usize..site as usize + 4].copy_from_slice(&v.to_le_bytes());
                }
                other => return Err(format!("unsupported relocation {other:?}")),
            }
        }
    }
    image.traps.sort_by_key(|t| t.0);
    Ok((image, starts))
}

/// Stack size of a compiler thread. Cranelift's instruction lowering
/// recurses through large frames (past 256 KiB in a debug build), more than
/// a host thread calling us may have left, so nothing is compiled on the
/// caller's stack.
const COMPILER_STACK: usize = 8 << 20;

fn compiler_thread() -> std::thread::Builder {
    std::thread::Builder::new()
        .name("craneway-compiler".into())
        .stack_size(COMPILER_STACK)
}

/// The result of a compiler thread; its panic is an internal compiler error.
fn join<T>(
    thread: std::io::Result<std::thread::ScopedJoinHandle<'_, Result<T, String>>>,
) -> Result<T, String> {
    thread
        .map_err(|e| format!("cannot start a compiler thread: {e}"))?
        .join()
        .unwrap_or_else(|payload| Err(panic_message(&*payload)))
}

/// Runs `f` on a compiler thread (see `COMPILER_STACK`).
pub fn on_compiler_thread<T: Send>(
    f: impl FnOnce() -> Result<T, String> + Send,
) -> Result<T, String> {
    std::thread::scope(|s| join(compiler_thread().spawn_scoped(s, f)))
}

/// Compiles every defined function of a module and one array-call trampoline
/// per type. Items are: defined functions in order, then the trampolines
/// (tagged u32::MAX) in type order.
pub fn compile_module(
    isa: &dyn TargetIsa,
    info: &ModuleInfo,
    bodies: Vec<FunctionInput<'_>>,
    memory: (u64, u64),
    checks: Checks,
) -> Result<(CodeImage, Vec<u32>), String> {
    let offsets = VMOffsets::new(info);
    let first = info.num_imported_funcs;
    let n = bodies.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let workers = if n < 16 { 1 } else { workers };
    let mut results: Vec<Option<Result<CompiledFunc, String>>> = (0..n).map(|_| None).collect();
    // Workers take the next function in index order when they are free, so
    // a few large functions do not leave the others idle. After a failure
    // no worker takes another one: every function before the first failing
    // one (in index order) was taken earlier and still completes, so the
    // error reported is the first one.
    let queue = Mutex::new(bodies.into_iter().enumerate());
    let failed = AtomicBool::new(false);
    let compile_worker = || {
        let mut translator = FuncTranslator::new();
        // One Cranelift context per worker, cleared between functions, so
        // its allocations are reused.
        let mut ctx = Context::new();
        let mut out = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let next = queue.lock().ok().and_then(|mut q| q.next());
            let Some((i, body)) = next else { break };
            let index = first + i as u32;
            let input = TranslateInput {
                isa,
                info,
                offsets: &offsets,
                memory,
                index,
                checks,
            };
            // A panic in Cranelift (or in our translator) on a valid module
            // is our bug: it fails this module, with its message, and
            // nothing else.
            let r = catch_unwind(AssertUnwindSafe(|| {
                compile_function(&input, &mut translator, &mut ctx, body)
            }))
            .unwrap_or_else(|payload| Err(panic_message(&*payload)))
            .map_err(|e| {
                if e.starts_with(INTERNAL_ERROR) {
                    format!("{e} (function {index})")
                } else {
                    e
                }
            });
            // A failed translation leaves the translator mid-function, and
            // the module is rejected anyway: this worker stops here.
            if r.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            out.push((i, r));
        }
        out
    };
    // Every function is compiled on a compiler thread (see
    // `COMPILER_STACK`), and the array-call trampolines on one more, beside
    // them.
    let (done, array_calls) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..workers)
            .map(|_| compiler_thread().spawn_scoped(s, compile_worker))
            .collect();
        let array_calls = compiler_thread().spawn_scoped(s, || {
            info.types
                .iter()
                .map(|ty| trampolines::array_to_wasm(isa, ty))
                .collect::<Result<Vec<_>, String>>()
        });
        // A worker that could not start leaves its functions without a
        // result (reported below).
        let done: Vec<Vec<(usize, Result<CompiledFunc, String>)>> = workers
            .into_iter()
            .map(|w| w.ok().and_then(|h| h.join().ok()).unwrap_or_default())
            .collect();
        (done, join(array_calls))
    });
    for (i, r) in done.into_iter().flatten() {
        results[i] = Some(r);
    }
    if let Some(Some(Err(e))) = results.iter().find(|r| matches!(r, Some(Err(_)))) {
        return Err(e.clone());
    }
    let mut items = Vec::with_capacity(n + info.types.len());
    for (i, r) in results.into_iter().enumerate() {
        let f = r.ok_or_else(|| "a compiler thread failed".to_string())??;
        items.push((first + i as u32, f));
    }
    items.extend(array_calls?.into_iter().map(|f| (u32::MAX, f)));
    link(isa, items, |starts, index| {
        index
            .checked_sub(first)
            .and_then(|i| starts.get(i as usize).copied())
    })
}

fn compile_function(
    input: &TranslateInput<'_>,
    translator: &mut FuncTranslator,
    ctx: &mut Context,
    body: FunctionInput<'_>,
) -> Result<CompiledFunc, String> {
    let mut validator = body.validator.into_validator(Default::default());
    ctx.clear();
    ctx.func.signature = wasm_signature(input.isa, input.info.func_type(input.index));
    ctx.func.name = ir::UserFuncName::user(0, input.index);
    translator.translate(input, &mut validator, &body.body, &mut ctx.func)?;
    let tail_calls = has_tail_calls(&ctx.func);
    Ok(CompiledFunc {
        tail_calls,
        ..finish(ctx, input.isa)?
    })
}

/// Whether `func` contains a `return_call` or `return_call_indirect` (block
/// terminators, so only the last instruction of each block is looked at).
fn has_tail_calls(func: &ir::Function) -> bool {
    func.layout.blocks().any(|block| {
        func.layout.last_inst(block).is_some_and(|inst| {
            matches!(
                func.dfg.insts[inst].opcode(),
                ir::Opcode::ReturnCall | ir::Opcode::ReturnCallIndirect
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_on_a_compiler_thread_is_an_internal_compiler_error() {
        let r: Result<(), String> = on_compiler_thread(|| panic!("boom"));
        assert_eq!(r.unwrap_err(), "internal compiler error: boom");
        let r: Result<(), String> = on_compiler_thread(|| panic!("{}", String::from("bang")));
        assert_eq!(r.unwrap_err(), "internal compiler error: bang");
    }
}
