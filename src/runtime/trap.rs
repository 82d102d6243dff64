//! Traps: why wasm stopped, with the spec's message and a backtrace.

use crate::vm::traps::{
    describe_pcs, trap_message, TrapInfo, TRAP_BAD_SIGNATURE, TRAP_EXCEPTION, TRAP_HEAP_MISALIGNED,
    TRAP_HOST, TRAP_INDIRECT_CALL_TO_NULL, TRAP_INTERRUPT, TRAP_NULL_EXCEPTION, TRAP_OUT_OF_FUEL,
    TRAP_TABLE_OUT_OF_BOUNDS, TRAP_UNDEFINED_ELEMENT, TRAP_UNREACHABLE,
};
use crate::vm::vmcontext::VMExn;
use cranelift_codegen::ir::TrapCode as ClifTrap;
use std::fmt;

/// The kind of a trap raised by wasm code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapCode {
    StackOverflow,
    MemoryOutOfBounds,
    TableOutOfBounds,
    UndefinedElement,
    UninitializedElement,
    BadSignature,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    Unreachable,
    /// A wasm exception that no handler caught.
    UncaughtException,
    /// `throw_ref` of a null reference.
    NullException,
    /// The epoch deadline was reached (see `Config::epoch_interruption`).
    Interrupt,
    /// The store's fuel ran out (see `Config::consume_fuel`).
    OutOfFuel,
    Other,
}

/// What a store knows of a frame: module name, function name, instance.
pub(crate) type FrameNames = (Option<String>, Option<String>, Option<super::Instance>);

/// One wasm frame of a trap's backtrace, innermost first.
#[derive(Clone, Debug)]
pub struct FrameInfo {
    pub func_index: u32,
    pub func_name: Option<String>,
    pub module_name: Option<String>,
    /// Offset of the instruction in the function's native code.
    pub func_offset: usize,
    /// Offset of the wasm instruction in the module's bytes.
    pub module_offset: usize,
    /// The instance the frame's function belongs to. Frames hold code
    /// addresses only, so with several instances of one module in a store
    /// this is the instance that was called, if it is one of them, else the
    /// first of them.
    pub instance: Option<super::Instance>,
}

#[derive(Clone)]
struct TrapInner {
    message: String,
    code: Option<TrapCode>,
    frames: Vec<FrameInfo>,
    /// For an uncaught exception: the id of the store that owns the object
    /// and the object's address (an address, so that a trap stays `Send`;
    /// only used while that store is alive, see `exception_of`).
    exn: Option<(u64, usize)>,
}

/// A trap: a message, maybe a code, and the wasm frames it unwound.
#[derive(Clone)]
pub struct Trap {
    inner: Box<TrapInner>,
}

impl Trap {
    /// A trap with a message, as raised by host code.
    pub fn new(message: impl Into<String>) -> Trap {
        Trap {
            inner: Box::new(TrapInner {
                message: message.into(),
                code: None,
                frames: Vec::new(),
                exn: None,
            }),
        }
    }

    pub(crate) fn with_code(code: TrapCode, message: &str) -> Trap {
        let mut t = Trap::new(message);
        t.inner.code = Some(code);
        t
    }

    pub(crate) fn set_message(&mut self, message: String) {
        self.inner.message = message;
    }

    pub fn message(&self) -> &str {
        &self.inner.message
    }

    pub fn code(&self) -> Option<TrapCode> {
        self.inner.code
    }

    /// Is this an uncaught wasm exception? A host function that returns
    /// such a trap throws the exception on into the wasm code that called
    /// it (in the same store), where a handler may catch it.
    pub fn is_exception(&self) -> bool {
        self.inner.code == Some(TrapCode::UncaughtException)
    }

    /// The exception object of an uncaught exception of the store with id
    /// `store` (null for anything else, such as a trap kept from a store
    /// that is gone).
    pub(crate) fn exception_of(&self, store: u64) -> *mut VMExn {
        match self.inner.exn {
            Some((id, p)) if id == store => p as *mut VMExn,
            _ => std::ptr::null_mut(),
        }
    }

    /// The wasm frames, innermost first (empty for a trap made by the host
    /// outside wasm).
    pub fn frames(&self) -> &[FrameInfo] {
        &self.inner.frames
    }

    pub(crate) fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Trap {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        Trap::new(format!("host function panicked: {msg}"))
    }

    /// Builds the trap a failed call returns; `modules` resolves code
    /// addresses to names.
    /// `store` is the id of the store the call ran in.
    pub(crate) fn from_info(
        info: TrapInfo,
        store: u64,
        names: impl Fn(usize, u32) -> FrameNames,
    ) -> Trap {
        let mut trap = match info.code {
            TRAP_HOST => match info.host.and_then(|h| h.downcast::<Trap>().ok()) {
                Some(t) => *t,
                None => Trap::new("host function failed"),
            },
            code => {
                let mut t = Trap::with_code(map_code(code), trap_message(code));
                if code == TRAP_EXCEPTION {
                    t.inner.exn = (!info.exn.is_null()).then_some((store, info.exn as usize));
                }
                t
            }
        };
        if trap.inner.frames.is_empty() {
            trap.inner.frames = describe_pcs(&info.pcs)
                .into_iter()
                .map(|(start, index, func_offset, wasm_offset)| {
                    let (module_name, func_name, instance) = names(start, index);
                    FrameInfo {
                        func_index: index,
                        func_name,
                        module_name,
                        instance,
                        func_offset: func_offset as usize,
                        module_offset: wasm_offset as usize,
                    }
                })
                .collect();
        }
        trap
    }
}

/// Our trap code for one compiled code (or the VM) carries.
pub(crate) fn map_code(code: ClifTrap) -> TrapCode {
    match code {
        ClifTrap::STACK_OVERFLOW => TrapCode::StackOverflow,
        ClifTrap::HEAP_OUT_OF_BOUNDS | TRAP_HEAP_MISALIGNED => TrapCode::MemoryOutOfBounds,
        TRAP_TABLE_OUT_OF_BOUNDS => TrapCode::TableOutOfBounds,
        TRAP_UNDEFINED_ELEMENT => TrapCode::UndefinedElement,
        TRAP_INDIRECT_CALL_TO_NULL => TrapCode::UninitializedElement,
        TRAP_BAD_SIGNATURE => TrapCode::BadSignature,
        ClifTrap::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ClifTrap::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
        ClifTrap::BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
        TRAP_UNREACHABLE => TrapCode::Unreachable,
        TRAP_EXCEPTION => TrapCode::UncaughtException,
        TRAP_NULL_EXCEPTION => TrapCode::NullException,
        TRAP_INTERRUPT => TrapCode::Interrupt,
        TRAP_OUT_OF_FUEL => TrapCode::OutOfFuel,
        _ => TrapCode::Other,
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if !self.inner.frames.is_empty() {
            write!(f, "\nwasm backtrace:")?;
            for (i, fr) in self.inner.frames.iter().enumerate() {
                write!(f, "\n  {i}: {:#x} - ", fr.module_offset)?;
                if let Some(m) = &fr.module_name {
                    write!(f, "{m}!")?;
                }
                match &fr.func_name {
                    Some(n) => write!(f, "{n}")?,
                    None => write!(f, "<wasm function {}>", fr.func_index)?,
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Trap({:?})", self.inner.message)
    }
}

impl std::error::Error for Trap {}
