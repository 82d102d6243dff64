//! Trampolines between the host's array calling convention (16-byte value
//! slots, platform C ABI) and wasm's (`tail` convention, values in registers).
//!
//! - array -> wasm: `(callee_vmctx, caller_vmctx, values, callee)` loads the
//!   parameters from the slots, calls `callee`, stores the results back.
//! - wasm -> array: the code a host function's `VMFuncRef::wasm_call` points
//!   to; spills the parameters to slots on its stack, calls the host context's
//!   callback directly, and if it returned an error hands that to the
//!   context's `failed` and traps with `TRAP_HOST`, or, when the error is a
//!   wasm exception passed on, throws it into the caller; else returns the
//!   results.

use super::{array_signature, finish, ir_type, wasm_signature, CompiledFunc};
use crate::types::FuncType;
use crate::vm::traps::TRAP_HOST;
use crate::vm::vmcontext::{HOST_CTX_CALLBACK, HOST_CTX_ENV, HOST_CTX_FAILED, HOST_CTX_THROW};
use cranelift_codegen::ir::{self, types::*, AbiParam, InstBuilder, MemFlagsData};
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

/// Slots are 8-byte aligned (C's `wasm_val_raw_t`), so v128 accesses must
/// not assume 16-byte alignment.
fn slot_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_notrap()
        .with_endianness(ir::Endianness::Little)
}

/// Stores `v` in slot `i` at least 8 bytes wide: a 32-bit value
/// zero-extended. So a reader may take the low 8 bytes of any number's slot
/// as one load that the processor forwards from this store.
fn store_slot(b: &mut FunctionBuilder, v: ir::Value, values: ir::Value, i: usize) {
    let ty = b.func.dfg.value_type(v);
    let v = match ty {
        I32 => b.ins().uextend(I64, v),
        F32 => {
            let bits = b.ins().bitcast(I32, MemFlagsData::new(), v);
            b.ins().uextend(I64, bits)
        }
        _ => v,
    };
    b.ins().store(slot_flags(), v, values, (i * 16) as i32);
}

pub fn array_to_wasm(isa: &dyn TargetIsa, ty: &FuncType) -> Result<CompiledFunc, String> {
    let mut ctx = Context::new();
    ctx.func.signature = array_signature(isa);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let [callee_vmctx, caller_vmctx, values, callee] = b.block_params(block)[..] else {
        unreachable!("array signature has four parameters")
    };
    let mut args = vec![callee_vmctx, caller_vmctx];
    for (i, t) in ty.params().iter().enumerate() {
        args.push(
            b.ins()
                .load(ir_type(*t), slot_flags(), values, (i * 16) as i32),
        );
    }
    let sig = b.import_signature(wasm_signature(isa, ty));
    let call = b.ins().call_indirect(sig, callee, &args);
    let results = b.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        store_slot(&mut b, r, values, i);
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    finish(&mut ctx, isa)
}

pub fn wasm_to_array(isa: &dyn TargetIsa, ty: &FuncType) -> Result<CompiledFunc, String> {
    let mut ctx = Context::new();
    ctx.func.signature = wasm_signature(isa, ty);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    b.seal_block(block);
    let params = b.block_params(block).to_vec();
    let (host_ctx, caller_vmctx) = (params[0], params[1]);
    // The value slots, then the host context for the failure path (kept in
    // memory rather than in a callee-saved register across the call).
    let ctx_at = (ty.slots() * 16) as i32;
    let slot = b.create_sized_stack_slot(ir::StackSlotData::new(
        ir::StackSlotKind::ExplicitSlot,
        ctx_at as u32 + 8,
        4,
    ));
    let values = b.ins().stack_addr(I64, slot, 0);
    for (i, v) in params[2..].iter().enumerate() {
        store_slot(&mut b, *v, values, i);
    }
    b.ins().stack_store(I64, host_ctx, slot, ctx_at);
    // callback(env, values, len, caller_vmctx) -> NULL or an error
    let mut cb_sig = ir::Signature::new(isa.default_call_conv());
    cb_sig.params.extend([AbiParam::new(I64); 4]);
    cb_sig.returns.push(AbiParam::new(I64));
    let cb_sig = b.import_signature(cb_sig);
    let load_ctx = |b: &mut FunctionBuilder, ctx, offset| {
        b.ins()
            .load(I64, MemFlagsData::trusted().with_readonly(), ctx, offset)
    };
    let callback = load_ctx(&mut b, host_ctx, HOST_CTX_CALLBACK);
    let env = load_ctx(&mut b, host_ctx, HOST_CTX_ENV);
    let len = b.ins().iconst(I64, ty.slots() as i64);
    let call = b
        .ins()
        .call_indirect(cb_sig, callback, &[env, values, len, caller_vmctx]);
    let error = b.inst_results(call)[0];
    let (failed_block, ok_block) = (b.create_block(), b.create_block());
    b.ins().brif(error, failed_block, &[], ok_block, &[]);
    b.seal_block(failed_block);
    b.seal_block(ok_block);
    // exn = failed(host_ctx, error): trap, or throw exn on.
    b.switch_to_block(failed_block);
    b.set_cold_block(failed_block);
    let mut failed_sig = ir::Signature::new(isa.default_call_conv());
    failed_sig.params.extend([AbiParam::new(I64); 2]);
    failed_sig.returns.push(AbiParam::new(I64));
    let failed_sig = b.import_signature(failed_sig);
    let host_ctx = b.ins().stack_load(I64, I64, slot, ctx_at);
    let failed = load_ctx(&mut b, host_ctx, HOST_CTX_FAILED);
    let call = b
        .ins()
        .call_indirect(failed_sig, failed, &[host_ctx, error]);
    let exn = b.inst_results(call)[0];
    let (throw_block, trap_block) = (b.create_block(), b.create_block());
    b.ins().brif(exn, throw_block, &[], trap_block, &[]);
    b.seal_block(throw_block);
    b.seal_block(trap_block);
    b.switch_to_block(throw_block);
    b.set_cold_block(throw_block);
    let host_ctx = b.ins().stack_load(I64, I64, slot, ctx_at);
    let throw = load_ctx(&mut b, host_ctx, HOST_CTX_THROW);
    let throw_sig = b.import_signature(super::throw_signature());
    b.ins().call_indirect(throw_sig, throw, &[exn]);
    b.ins().trap(TRAP_HOST);
    b.switch_to_block(trap_block);
    b.set_cold_block(trap_block);
    b.ins().trap(TRAP_HOST);
    b.switch_to_block(ok_block);
    let mut results = Vec::new();
    for (i, t) in ty.results().iter().enumerate() {
        results.push(
            b.ins()
                .load(ir_type(*t), slot_flags(), values, (i * 16) as i32),
        );
    }
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
    finish(&mut ctx, isa)
}
