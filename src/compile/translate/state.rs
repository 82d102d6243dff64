//! The state of one function's translation: the Cranelift builder, the
//! environment (vmctx layout), the wasm value stack as Cranelift values, the
//! control stack, whether the current code is reachable, and the locals.
//!
//! Every family file adds methods to `Translator`; what they share (stack
//! access, block types, locals) is here.

use super::TResult;
use crate::compile::func_env::FuncEnv;
use crate::compile::ir_type;
use crate::types::{FuncType, ValType};
use crate::vm::vmcontext::Builtin;
use cranelift_codegen::ir::{self, types::*, BlockArg, InstBuilder};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, Variable};
use wasmparser::BlockType;

/// What kind of construct a control frame is.
#[derive(Clone, Debug)]
pub enum FrameKind {
    /// The function body itself: branching to it returns.
    Function,
    Block,
    /// A loop: branches go to `header` with the loop's parameters.
    Loop {
        header: ir::Block,
    },
    /// An `if`: until its `else`, the else arm waits in `else_block` with
    /// the parameters the `if` had (`else_params`).
    If {
        else_block: ir::Block,
        else_params: Vec<ir::Value>,
        else_seen: bool,
    },
    /// A `try_table`: its catch clauses are `handlers[ckpt..]`, going to
    /// `catch_blocks` (sealed at its `end`). See `exceptions.rs`.
    TryTable {
        ckpt: usize,
        catch_blocks: Vec<ir::Block>,
    },
    /// A legacy `try`: `landing` (parameter `exn`) catches everything
    /// thrown in its body; its catch clauses test the tag there in turn,
    /// `dispatch` being where the next test goes (None after catch_all).
    LegacyTry {
        ckpt: usize,
        landing: ir::Block,
        exn: ir::Value,
        dispatch: Option<ir::Block>,
        in_catch: bool,
    },
}

/// One entry of the control stack.
#[derive(Clone, Debug)]
pub struct ControlFrame {
    pub kind: FrameKind,
    /// Where control continues after `end`; its parameters are the results.
    pub dest: ir::Block,
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
    /// Height of the value stack below the frame's parameters.
    pub height: usize,
    /// Whether some branch or fall-through reaches `dest`.
    pub dest_reached: bool,
}

impl ControlFrame {
    /// The block a branch to this frame goes to, and how many values it takes.
    pub fn branch_target(&self) -> (ir::Block, usize) {
        match self.kind {
            FrameKind::Loop { header } => (header, self.params.len()),
            _ => (self.dest, self.results.len()),
        }
    }
}

pub struct Translator<'a> {
    pub builder: FunctionBuilder<'a>,
    pub env: FuncEnv<'a>,
    /// The wasm operand stack; v128 values are always `I8X16`.
    pub stack: Vec<ir::Value>,
    pub control: Vec<ControlFrame>,
    /// False after `br`, `return`, `unreachable` and the like, until the
    /// end of the enclosing frame (or the `else` of an `if`).
    pub reachable: bool,
    /// Nesting depth of blocks opened in dead code (see `control.rs`).
    pub dead_depth: u32,
    /// Every local (parameters first) with its wasm type.
    pub locals: Vec<(Variable, ValType)>,
    /// The active exception handlers (see `exceptions.rs`).
    pub handlers: crate::compile::func_env::Handlers,
    /// The store's epoch deadline as this function last read it, when
    /// epoch interruption is on (see `epoch.rs`).
    pub epoch_deadline: Option<Variable>,
    /// The fuel count, when fuel is consumed (see `fuel.rs`), and the cost
    /// of the operators since it was last updated.
    pub fuel: Option<Variable>,
    pub fuel_pending: u64,
}

impl<'a> Translator<'a> {
    /// Starts a function of type `ty`: entry block, parameters as locals, the
    /// stack limit, and the function's own control frame.
    pub fn new(mut builder: FunctionBuilder<'a>, env: FuncEnv<'a>, ty: &FuncType) -> Self {
        let entry = builder.create_block();
        builder.append_block_params_for_function_params(entry);
        builder.switch_to_block(entry);
        builder.seal_block(entry);
        // In the layout now, so the vmctx parameter can be found before the
        // first instruction is emitted.
        builder.ensure_inserted_block();
        env.set_stack_limit(builder.func);
        let params: Vec<ir::Value> = builder.block_params(entry)[2..].to_vec();
        let mut locals = Vec::with_capacity(params.len());
        for (v, t) in params.iter().zip(ty.params()) {
            let var = builder.declare_var(ir_type(*t));
            builder.def_var(var, *v);
            locals.push((var, *t));
        }
        let dest = builder.create_block();
        for t in ty.results() {
            builder.append_block_param(dest, ir_type(*t));
        }
        Translator {
            builder,
            env,
            stack: Vec::new(),
            control: vec![ControlFrame {
                kind: FrameKind::Function,
                dest,
                params: Vec::new(),
                results: ty.results().to_vec(),
                height: 0,
                dest_reached: false,
            }],
            reachable: true,
            dead_depth: 0,
            locals,
            handlers: Vec::new(),
            epoch_deadline: None,
            fuel: None,
            fuel_pending: 0,
        }
    }

    /// Declares `count` more locals of type `ty`, each starting at zero.
    pub fn declare_locals(&mut self, count: u32, ty: ValType) -> TResult {
        // Validation has checked the count against its limit already.
        for _ in 0..count {
            let zero = self.zero(ty);
            let var = self.builder.declare_var(ir_type(ty));
            self.builder.def_var(var, zero);
            self.locals.push((var, ty));
        }
        Ok(())
    }

    /// The zero value (or null reference) of a type.
    pub fn zero(&mut self, ty: ValType) -> ir::Value {
        match ty {
            ValType::I32 => self.builder.ins().iconst(I32, 0),
            // A non-nullable local starts as null too: validation proves it
            // is set before it is read.
            ValType::I64 | ValType::Ref(_) => self.builder.ins().iconst(I64, 0),
            ValType::F32 => self.builder.ins().f32const(0.0),
            ValType::F64 => self.builder.ins().f64const(0.0),
            ValType::V128 => {
                let c = self.builder.func.dfg.constants.insert(vec![0u8; 16].into());
                self.builder.ins().vconst(I8X16, c)
            }
        }
    }

    /// Records the module offset of the operator being translated, so
    /// traps and backtraces can name it.
    pub fn set_srcloc(&mut self, offset: u64) {
        self.builder.set_srcloc(ir::SourceLoc::new(
            u32::try_from(offset).unwrap_or(u32::MAX),
        ));
    }

    // ---- the value stack (validation guarantees the operands are there) ----

    pub fn push1(&mut self, v: ir::Value) {
        self.stack.push(v);
    }

    pub fn pushn(&mut self, vs: &[ir::Value]) {
        self.stack.extend_from_slice(vs);
    }

    pub fn pop1(&mut self) -> ir::Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    /// Pops two operands: `(a, b)` where `b` was on top.
    pub fn pop2(&mut self) -> (ir::Value, ir::Value) {
        let b = self.pop1();
        let a = self.pop1();
        (a, b)
    }

    /// Pops three operands, in push order.
    pub fn pop3(&mut self) -> (ir::Value, ir::Value, ir::Value) {
        let c = self.pop1();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    /// Pops `n` operands, in push order.
    pub fn popn(&mut self, n: usize) -> Vec<ir::Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    /// The top `n` operands, in push order.
    pub fn peekn(&self, n: usize) -> &[ir::Value] {
        &self.stack[self.stack.len() - n..]
    }

    /// Shorthand for `self.builder.ins()`.
    pub fn ins(&mut self) -> cranelift_frontend::FuncInstBuilder<'_, 'a> {
        self.builder.ins()
    }

    /// `bool` (an `i8` from `icmp`/`fcmp`) to wasm's i32 0 or 1.
    pub fn bool_to_i32(&mut self, b: ir::Value) -> ir::Value {
        self.builder.ins().uextend(I32, b)
    }

    /// An index immediate (memory, table, segment) as an i32 argument.
    pub fn index_const(&mut self, index: u32) -> ir::Value {
        self.builder.ins().iconst(I32, i64::from(index))
    }

    /// Calls a builtin that returns a value (`memory.grow`, `table.grow`).
    pub fn call_builtin_value(&mut self, which: Builtin, args: &[ir::Value]) -> TResult<ir::Value> {
        self.env
            .call_builtin(&mut self.builder, which, args)
            .ok_or_else(|| format!("internal compiler error: builtin {which:?} returns nothing"))
    }

    /// Parameter and result types of a block type.
    pub fn block_type(&self, bt: BlockType) -> TResult<(Vec<ValType>, Vec<ValType>)> {
        match bt {
            BlockType::Empty => Ok((Vec::new(), Vec::new())),
            BlockType::Type(t) => {
                let t = self
                    .env
                    .info
                    .val_type(t)
                    .ok_or_else(|| format!("unsupported block type {t:?}"))?;
                Ok((Vec::new(), vec![t]))
            }
            BlockType::FuncType(i) => {
                let ty = self
                    .env
                    .info
                    .types
                    .get(i as usize)
                    .ok_or("block type index out of range")?;
                Ok((ty.params().to_vec(), ty.results().to_vec()))
            }
        }
    }

    /// Values as block-call arguments.
    pub fn block_args(vs: &[ir::Value]) -> Vec<BlockArg> {
        vs.iter().map(|v| BlockArg::Value(*v)).collect()
    }

    /// Creates a block with parameters of the given wasm types.
    pub fn block_with_params(&mut self, tys: &[ValType]) -> ir::Block {
        let b = self.builder.create_block();
        for t in tys {
            self.builder.append_block_param(b, ir_type(*t));
        }
        b
    }

    /// Ends the translation: the body's final `end` has been translated.
    pub fn finish(self, isa: &dyn TargetIsa) -> TResult {
        self.builder.finalize(isa.frontend_config());
        Ok(())
    }
}
