//! WebAssembly spec testsuite runner for Craneway.
//!
//! Runs the `.wast` scripts of a testsuite directory against the runtime
//! under a feature set and compares the failures with a checked-in list of
//! known failures, held exactly. `cargo test` runs three suites, one test
//! each (serialised, so their output does not interleave):
//!
//! | test | directory | features | known failures |
//! |---|---|---|---|
//! | `spec_core_2_0` | `../shared/testsuite/core` | exactly 2.0 | `tests/spec-known-failures/core.txt` |
//! | `spec_3_0_core` | `../shared/testsuite/3.0/core` | 3.0 | `tests/spec-known-failures/3.0-core.txt` |
//! | `spec_3_0_legacy` | `../shared/testsuite/3.0/legacy` | 3.0 | `tests/spec-known-failures/3.0-legacy.txt` |
//!
//! "3.0" is every 3.0 feature this build implements (the default engine's
//! features): a module that needs an unimplemented one is invalid.
//!
//! * `CRANEWAY_SPEC_DIR=<dir>` and/or `CRANEWAY_SPEC_FEATURES=<set>`: run that
//!   directory (default: `core`) under that feature set (default: `3.0`)
//!   instead, in the test `spec_custom`; the standard suites are skipped.
//!   `<set>` is `2.0`, `3.0`, or a comma-separated list of features added to
//!   2.0 (`tail-call`, `extended-const`, `multi-memory`, `memory64`,
//!   `relaxed-simd`, `exceptions`, `legacy-exceptions`,
//!   `function-references`, `gc`). Its known failures are read from
//!   `$CRANEWAY_SPEC_KNOWN` if set (none otherwise).
//! * `CRANEWAY_SPEC_FILTER=<substring>`: only run files whose name contains it.
//! * `CRANEWAY_SPEC_VERBOSE=1`: print every failure (default: the first 50).
//! * `CRANEWAY_SPEC_BLESS=1`: rewrite the known-failures file with the current
//!   failures (only when no filter is set), instead of failing on differences.
//! * `CRANEWAY_SPEC_CPU=baseline`: compile for the x86-64 baseline (SSE2
//!   only) instead of the host's CPU features.
//! * `CRANEWAY_SPEC_THREADS=<n>`: number of worker threads (default 2).
//! * `CRANEWAY_SPEC_STRICT_TEXT=1`: also check the messages of `assert_malformed`
//!   modules that the `wast` text parser rejects (its wording differs from the
//!   reference interpreter's, so by default any text-level rejection counts).
//!
//! Every directive of a script (modules included) is one assertion. A directive
//! that panics counts as a failure; the rest of the script still runs.
//!
//! Output per suite: one line per file, `<file>: <passed> passed, <failed>
//! failed`, in sorted order, then failures, then exactly `spec: <passed>
//! passed, <failed> failed`.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use craneway::{
    Caller, Config, CpuFeatures, Engine, Error, Extern, ExternRef, Func, FuncType, Global,
    GlobalType, Instance, Memory, MemoryType, Module, Store, Table, TableType, Trap, TrapCode, Val,
    ValType, WasmFeatures,
};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{
    QuoteWat, QuoteWatTest, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat,
};

const DEFAULT_PRINTED_FAILURES: usize = 50;
const KNOWN_FAILURES_HEADER: &str = "\
# Spec testsuite directives that are known to fail, one `<file.wast>:<line>` per line
# (the line of the directive in the .wast file). Read by tests/spec.rs; `#` starts a comment.
# The test fails on any failure not listed here, and on any listed entry that now passes.
# Regenerate from the current failures with CRANEWAY_SPEC_BLESS=1 (without a filter).
";

// ---------------------------------------------------------------------------
// Error message equivalences
// ---------------------------------------------------------------------------

/// Accepted equivalences between the message the spec expects (the reference
/// interpreter's wording) and the message wasmparser (binary decoding and
/// validation, as reported by `Module::new`) gives for the same module.
///
/// A row `(spec, accepted)` means: when the expected message contains `spec`,
/// an actual message containing any of `accepted` is a match too. A direct
/// substring match (expected text inside the actual message) is always tried
/// first. Keep this table small and every row justified; a rejection whose
/// message matches neither is reported as a failure showing both messages.
///
/// Most rows exist because wasmparser decodes in a different order or with a
/// different granularity than the reference interpreter, so it reports the
/// same broken bytes under another name.
const MESSAGE_EQUIVALENCES: &[(&str, &[&str])] = &[
    // Truncated input: wasmparser reports running out of bytes, or a body that
    // runs out before its `end` (control frames still open), where the spec
    // names the construct.
    (
        "unexpected end",
        &[
            "unexpected end-of-file",
            "control frames remain at end of function body",
        ],
    ),
    // Two modules concatenated (custom.wast): the second header read as a
    // custom section runs past the end; wasmparser recognises the header.
    (
        "length out of bounds",
        &[
            "unexpected end-of-file",
            "expected section, got wasm magic number",
        ],
    ),
    (
        "section size mismatch",
        &["control frames remain at end of function body"],
    ),
    (
        "END opcode expected",
        &["control frames remain at end of function body"],
    ),
    // wasmparser adds a colon and writes the byte as 0x.. ("illegal opcode:
    // 0xff" where the spec says "illegal opcode ff").
    (
        "illegal opcode",
        &["unexpected end-of-file", "illegal opcode: 0x"],
    ),
    // Import kind byte: wasmparser says "invalid leading byte (0x..) for external kind".
    (
        "malformed import kind",
        &["invalid leading byte", "unexpected end-of-file"],
    ),
    // Limits flags: wasmparser reads the flags as one byte and names the
    // flag (shared memories/tables are flag bits 1) instead of the LEB128 error.
    (
        "integer too large",
        &[
            "unexpected end-of-file",
            "threads must be enabled",
            "shared tables require",
            // An over-long LEB128 cut off by its function body's declared
            // size (binary-leb128.wast): the reference interpreter reads on
            // and finds the integer too large; wasmparser frames the section
            // by its size and finds the bytes after it no section id.
            "malformed section id",
        ],
    ),
    // Over-long LEB128 in places where wasmparser reads a single byte (section
    // ids, limits flags, type forms).
    (
        "integer representation too long",
        &[
            "malformed section id",
            "invalid memory limits flags",
            "invalid table resizable limits flags",
            "invalid leading byte",
            "unexpected end-of-file",
        ],
    ),
    // One of the two sections absent: wasmparser says which.
    (
        "function and code section have inconsistent lengths",
        &[
            "function section has non-zero count but code section is absent",
            "function section is absent but code section has non-zero count",
        ],
    ),
    // Sections after the last allowed one: wasmparser reports the section
    // order, or an error it finds first in an earlier (validated-as-read) section.
    (
        "unexpected content after last section",
        &[
            "section out of order",
            "function and code section have inconsistent lengths",
            "type index out of bounds",
        ],
    ),
    // A second start section: wasmparser's parser rejects any repeated
    // section as out of order before the validator sees it.
    ("multiple start sections", &["section out of order"]),
    // memarg flags with too-large alignment bits: wasmparser decodes an
    // alignment exponent below 64 and its validator rejects it as larger
    // than natural; from bit 6 up it names the reserved flag bits.
    (
        "malformed memop flags",
        &[
            "malformed memop: reserved flags bits set",
            "alignment must not be larger than natural",
        ],
    ),
    // memarg offset >= 2^32 in a text module (the text parser accepts 64-bit
    // offsets): wasmparser reports the LEB128 overflow, or, with memory64
    // decoding enabled, the offset's range.
    (
        "i32 constant",
        &["integer too large", "offset out of range"],
    ),
    // Global mutability byte other than 0/1: wasmparser reads it as a flags
    // byte (bit 1 = shared, from shared-everything-threads).
    (
        "malformed mutability",
        &["malformed global flags", "shared globals require"],
    ),
    // Limits flags other than the defined ones: wasmparser names the table
    // or memory. Flag 0x08 is the custom-page-sizes flag of a later
    // proposal, which wasmparser decodes before it checks the feature, so
    // it first runs out of bytes reading the missing page size.
    (
        "malformed limits flags",
        &[
            "invalid table resizable limits flags",
            "invalid memory limits flags",
            "unexpected end-of-file",
        ],
    ),
    // A data count section without a data section: wasmparser says which
    // one is missing.
    (
        "data count and data section have inconsistent lengths",
        &["data count is non-zero but data section is absent"],
    ),
    // The 3.0 suite spells out operand types ("type mismatch: instruction
    // requires [i32] but stack has []"); wasmparser words the same mismatch
    // its own way ("expected i32 but nothing on stack", "values remaining
    // on stack at end of block"). Both begin "type mismatch".
    ("type mismatch", &["type mismatch"]),
    // Legacy `catch`, `catch_all` and `delegate` outside a `try`: the 3.0
    // text grammar has no such tokens there, but the wast parser also reads
    // the legacy exception syntax and encodes them as instructions, which
    // the validator then rejects outside a legacy `try`.
    ("unexpected token", &["found outside `LegacyTry` block"]),
    // Memory limits: wasmparser states the maximum in hex and names the
    // page size.
    (
        "memory size must be at most 65536 pages",
        &["memory size must be at most 0x10000 65536-byte pages"],
    ),
    // A lane index past the vector's lanes: wasmparser decodes any byte and
    // its validator rejects the index.
    ("invalid lane index", &["SIMD index out of bounds"]),
    // WebAssembly 2.0: a constant expression may only `global.get` imported
    // globals; the spec's context holds only those, hence "unknown global".
    ("unknown global", &["global.get of locally defined global"]),
    // global.set of an immutable global: the 3.0 suite words it "immutable
    // global" (2.0: "global is immutable", which wasmparser's message has).
    ("immutable global", &["global is immutable"]),
];

fn message_matches(expected: &str, actual: &str) -> bool {
    if actual.contains(expected) {
        return true;
    }
    MESSAGE_EQUIVALENCES.iter().any(|(spec, accepted)| {
        expected.contains(spec) && accepted.iter().any(|a| actual.contains(a))
    })
}

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

struct Failure {
    line: usize,
    kind: &'static str,
    reason: String,
}

struct FileResult {
    name: String,
    passed: usize,
    failures: Vec<Failure>,
}

// Panic messages captured by our panic hook, per thread.
thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn take_panic_message() -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "panic (no message)".to_string())
}

// ---------------------------------------------------------------------------
// Line numbers
// ---------------------------------------------------------------------------

struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

// ---------------------------------------------------------------------------
// Per-script execution context
// ---------------------------------------------------------------------------

/// Exports of an instance, by name, plus the handle.
struct InstanceInfo {
    instance: Instance,
    exports: Vec<(String, Extern)>,
}

struct Context {
    store: Store,
    engine: Engine,
    /// Registered instances: registered module name -> (export name -> extern).
    registry: HashMap<String, HashMap<String, Extern>>,
    /// Named instances (`(module $M ...)`, `(module instance $I $M)`).
    instances: HashMap<String, InstanceInfo>,
    /// The most recently instantiated module.
    current: Option<InstanceInfo>,
    /// Modules defined by `(module definition $M ...)`.
    definitions: HashMap<String, Module>,
    /// Host values for `(ref.extern N)`, one per N so identity is stable.
    extern_refs: HashMap<u32, ExternRef>,
    /// Check the messages of text-format `assert_malformed` rejections too.
    strict_text: bool,
}

fn copy_extern(e: &Extern) -> Extern {
    match e {
        Extern::Func(f) => Extern::Func(*f),
        Extern::Global(g) => Extern::Global(*g),
        Extern::Memory(m) => Extern::Memory(*m),
        Extern::Table(t) => Extern::Table(*t),
        Extern::Tag(t) => Extern::Tag(*t),
    }
}

fn copy_info(i: &InstanceInfo) -> InstanceInfo {
    InstanceInfo {
        instance: i.instance,
        exports: i
            .exports
            .iter()
            .map(|(n, e)| (n.clone(), copy_extern(e)))
            .collect(),
    }
}

fn extern_kind(e: &Extern) -> &'static str {
    match e {
        Extern::Func(_) => "func",
        Extern::Global(_) => "global",
        Extern::Memory(_) => "memory",
        Extern::Table(_) => "table",
        Extern::Tag(_) => "tag",
    }
}

/// Why instantiating a module failed.
enum InstError {
    /// An import could not be found in the registry (a link error made by the runner).
    UnknownImport(String),
    /// `Instance::new` failed.
    Runtime(Error),
}

impl InstError {
    fn describe(&self) -> String {
        match self {
            InstError::UnknownImport(m) => format!("link error: {m}"),
            InstError::Runtime(e) => describe_error(e),
        }
    }
}

fn describe_error(e: &Error) -> String {
    match e {
        Error::Trap(t) => format!("trap: {}", t.message()),
        Error::Invalid(m) => format!("invalid module: {m}"),
        Error::Link(m) => format!("link error: {m}"),
        Error::Other(m) => format!("error: {m}"),
        #[allow(unreachable_patterns)]
        _ => format!("error: {e}"),
    }
}

fn spectest_exports(store: &mut Store) -> Result<HashMap<String, Extern>, String> {
    let mut m = HashMap::new();
    let func = |store: &mut Store, name: &str, params: Vec<ValType>| {
        let ty = FuncType::new(params, []);
        let f = Func::new(
            &mut *store,
            ty,
            |_caller: Caller<'_>, _params: &[Val], _results: &mut [Val]| Ok::<(), Trap>(()),
        );
        (name.to_string(), Extern::Func(f))
    };
    let funcs = [
        func(store, "print", vec![]),
        func(store, "print_i32", vec![ValType::I32]),
        func(store, "print_i64", vec![ValType::I64]),
        func(store, "print_f32", vec![ValType::F32]),
        func(store, "print_f64", vec![ValType::F64]),
        func(store, "print_i32_f32", vec![ValType::I32, ValType::F32]),
        func(store, "print_f64_f64", vec![ValType::F64, ValType::F64]),
    ];
    m.extend(funcs);
    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Val::F64(666.6f64.to_bits())),
    ];
    for (name, content, val) in globals {
        let g = Global::new(
            &mut *store,
            GlobalType {
                content,
                mutable: false,
            },
            val,
        )
        .map_err(|e| format!("spectest {name}: {}", describe_error(&e)))?;
        m.insert(name.to_string(), Extern::Global(g));
    }
    // `table64` is the reference interpreter's 64-bit twin of `table`.
    for (name, table64) in [("table", false), ("table64", true)] {
        let table = Table::new(
            &mut *store,
            TableType {
                element: ValType::FUNCREF,
                minimum: 10,
                maximum: Some(20),
                table64,
            },
            Val::FuncRef(None),
        )
        .map_err(|e| format!("spectest {name}: {}", describe_error(&e)))?;
        m.insert(name.to_string(), Extern::Table(table));
    }
    let memory = Memory::new(
        &mut *store,
        MemoryType {
            minimum: 1,
            maximum: Some(2),
            memory64: false,
        },
    )
    .map_err(|e| format!("spectest memory: {}", describe_error(&e)))?;
    m.insert("memory".to_string(), Extern::Memory(memory));
    Ok(m)
}

type DResult = Result<(), String>;

impl Context {
    fn new(engine: &Engine) -> Result<Context, String> {
        let mut store = Store::new(engine);
        let spectest = spectest_exports(&mut store)?;
        let mut registry = HashMap::new();
        registry.insert("spectest".to_string(), spectest);
        Ok(Context {
            store,
            engine: engine.clone(),
            registry,
            instances: HashMap::new(),
            current: None,
            definitions: HashMap::new(),
            extern_refs: HashMap::new(),
            strict_text: env_flag("CRANEWAY_SPEC_STRICT_TEXT"),
        })
    }

    fn extern_ref(&mut self, n: u32) -> ExternRef {
        if let Some(r) = self.extern_refs.get(&n) {
            return *r;
        }
        let r = ExternRef::new(&mut self.store, n);
        self.extern_refs.insert(n, r);
        r
    }

    // --- modules ---------------------------------------------------------

    fn compile(&self, bytes: &[u8]) -> Result<Module, String> {
        Module::new(&self.engine, bytes).map_err(|e| describe_error(&e))
    }

    fn instantiate(&mut self, module: &Module) -> Result<InstanceInfo, InstError> {
        let mut imports = Vec::new();
        for imp in module.imports() {
            let found = self
                .registry
                .get(&imp.module)
                .and_then(|m| m.get(&imp.name))
                .map(copy_extern);
            match found {
                Some(e) => imports.push(e),
                None => {
                    return Err(InstError::UnknownImport(format!(
                        "unknown import: {:?}::{:?} has not been defined",
                        imp.module, imp.name
                    )))
                }
            }
        }
        let instance =
            Instance::new(&mut self.store, module, &imports).map_err(InstError::Runtime)?;
        let mut exports = Vec::new();
        for exp in module.exports() {
            if let Some(e) = instance.get_export(&self.store, &exp.name) {
                exports.push((exp.name.clone(), e));
            }
        }
        Ok(InstanceInfo { instance, exports })
    }

    fn set_current(&mut self, name: Option<Id<'_>>, info: InstanceInfo) {
        if let Some(name) = name {
            self.instances
                .insert(name.name().to_string(), copy_info(&info));
        }
        self.current = Some(info);
    }

    fn lookup_instance(&self, name: Option<Id<'_>>) -> Result<&InstanceInfo, String> {
        match name {
            Some(id) => self.instances.get(id.name()).ok_or_else(|| {
                format!(
                    "unknown module instance `${}` (not defined, or it failed)",
                    id.name()
                )
            }),
            None => self.current.as_ref().ok_or_else(|| {
                "no current module instance (none defined yet, or the last module failed)"
                    .to_string()
            }),
        }
    }

    fn get_export(&self, module: Option<Id<'_>>, name: &str) -> Result<Extern, String> {
        let info = self.lookup_instance(module)?;
        info.instance
            .get_export(&self.store, name)
            .ok_or_else(|| format!("export {name:?} not found"))
    }

    /// `(module ...)`: compile and instantiate, making it the current instance.
    fn module(&mut self, q: &mut QuoteWat<'_>) -> DResult {
        reject_component(q)?;
        let name = q.name();
        let bytes = encode_quote(q)?;
        let module = self.compile(&bytes)?;
        let info = self.instantiate(&module).map_err(|e| e.describe())?;
        self.set_current(name, info);
        Ok(())
    }

    /// `(module definition $M ...)`: compile only.
    fn module_definition(&mut self, q: &mut QuoteWat<'_>) -> DResult {
        reject_component(q)?;
        let name = q.name();
        let bytes = encode_quote(q)?;
        let module = self.compile(&bytes)?;
        if let Some(name) = name {
            self.definitions.insert(name.name().to_string(), module);
        }
        Ok(())
    }

    /// `(module instance $I $M)`.
    fn module_instance(&mut self, instance: Option<Id<'_>>, module: Option<Id<'_>>) -> DResult {
        let module_name = module.ok_or("`module instance` without a module name")?;
        let module = self
            .definitions
            .remove(module_name.name())
            .ok_or_else(|| format!("unknown module definition `${}`", module_name.name()))?;
        let result = self.instantiate(&module);
        self.definitions
            .insert(module_name.name().to_string(), module);
        let info = result.map_err(|e| e.describe())?;
        self.set_current(instance, info);
        Ok(())
    }

    fn register(&mut self, name: &str, module: Option<Id<'_>>) -> DResult {
        let info = self.lookup_instance(module)?;
        let map = info
            .exports
            .iter()
            .map(|(n, e)| (n.clone(), copy_extern(e)))
            .collect();
        self.registry.insert(name.to_string(), map);
        Ok(())
    }

    // --- execution -------------------------------------------------------

    fn arg(&mut self, a: &WastArg<'_>) -> Result<Val, String> {
        let a = match a {
            WastArg::Core(a) => a,
            _ => return Err("component-model argument".to_string()),
        };
        Ok(match a {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
            WastArgCore::RefNull(HeapType::Abstract { shared: false, ty }) => match ty {
                AbstractHeapType::Func | AbstractHeapType::NoFunc => Val::FuncRef(None),
                AbstractHeapType::Extern | AbstractHeapType::NoExtern => Val::ExternRef(None),
                AbstractHeapType::Exn | AbstractHeapType::NoExn => Val::ExnRef(None),
                other => return Err(format!("unsupported argument ref.null {other:?}")),
            },
            // A null of a concrete (function) type.
            WastArgCore::RefNull(HeapType::Concrete(_)) => Val::FuncRef(None),
            WastArgCore::RefNull(other) => {
                return Err(format!("unsupported argument ref.null {other:?}"))
            }
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(self.extern_ref(*n))),
            WastArgCore::RefHost(n) => return Err(format!("unsupported argument ref.host {n}")),
        })
    }

    fn invoke(&mut self, call: &WastInvoke<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        let func = match self.get_export(call.module, call.name)? {
            Extern::Func(f) => f,
            other => {
                return Err(format!(
                    "export {:?} is a {}, not a function",
                    call.name,
                    extern_kind(&other)
                ))
            }
        };
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            args.push(self.arg(a)?);
        }
        let n = func.ty(&self.store).results().len();
        let mut results: Vec<Val> = (0..n).map(|_| Val::I32(0)).collect();
        Ok(func
            .call(&mut self.store, &args, &mut results)
            .map(|()| results))
    }

    /// Runs an execute form. The outer `Err` is a runner-level problem (unknown
    /// export, compile error of an inline module, ...); the inner result is the
    /// runtime's answer.
    fn execute(&mut self, exec: &mut WastExecute<'_>) -> Result<Result<Vec<Val>, Error>, String> {
        match exec {
            WastExecute::Invoke(call) => self.invoke(call),
            WastExecute::Get { module, global, .. } => match self.get_export(*module, global)? {
                Extern::Global(g) => Ok(Ok(vec![g.get(&mut self.store)])),
                other => Err(format!(
                    "export {global:?} is a {}, not a global",
                    extern_kind(&other)
                )),
            },
            WastExecute::Wat(wat) => {
                if let Wat::Component(_) = wat {
                    return Err("component-model modules are not supported".to_string());
                }
                let bytes = wat
                    .encode()
                    .map_err(|e| format!("text format error: {}", e.message()))?;
                let module = self.compile(&bytes)?;
                match self.instantiate(&module) {
                    Ok(info) => {
                        self.current = Some(info);
                        Ok(Ok(Vec::new()))
                    }
                    Err(InstError::Runtime(e)) => Ok(Err(e)),
                    Err(e @ InstError::UnknownImport(_)) => Err(e.describe()),
                }
            }
        }
    }

    fn assert_return(&mut self, exec: &mut WastExecute<'_>, expected: &[WastRet<'_>]) -> DResult {
        let actual = match self.execute(exec)? {
            Ok(v) => v,
            Err(e) => return Err(format!("expected a return, got {}", describe_error(&e))),
        };
        if actual.len() != expected.len() {
            return Err(format!(
                "expected {} results, got {}: {}",
                expected.len(),
                actual.len(),
                self.fmt_vals(&actual)
            ));
        }
        let mut bad = Vec::new();
        for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
            let e = match e {
                WastRet::Core(e) => e,
                _ => return Err("component-model result".to_string()),
            };
            match self.matches(a, e) {
                Ok(true) => {}
                Ok(false) => bad.push(format!(
                    "result {i}: expected {}, got {}",
                    fmt_ret(e),
                    self.fmt_val(a)
                )),
                Err(msg) => bad.push(format!("result {i}: {msg}")),
            }
        }
        if bad.is_empty() {
            Ok(())
        } else {
            Err(bad.join("; "))
        }
    }

    fn assert_trap(&mut self, exec: &mut WastExecute<'_>, message: &str) -> DResult {
        match self.execute(exec)? {
            Ok(v) => Err(format!(
                "expected trap \"{message}\", got a return: {}",
                self.fmt_vals(&v)
            )),
            Err(e) => expect_trap(&e, message),
        }
    }

    /// Passes only for an uncaught wasm exception (not a trap, not a return).
    fn assert_exception(&mut self, exec: &mut WastExecute<'_>) -> DResult {
        match self.execute(exec)? {
            Ok(v) => Err(format!(
                "expected an exception, got a return: {}",
                self.fmt_vals(&v)
            )),
            Err(Error::Trap(t)) if t.code() == Some(TrapCode::UncaughtException) => Ok(()),
            Err(e) => Err(format!("expected an exception, got {}", describe_error(&e))),
        }
    }

    fn assert_exhaustion(&mut self, call: &WastInvoke<'_>, message: &str) -> DResult {
        match self.invoke(call)? {
            Ok(v) => Err(format!(
                "expected exhaustion \"{message}\", got a return: {}",
                self.fmt_vals(&v)
            )),
            Err(e) => expect_trap(&e, message),
        }
    }

    fn assert_unlinkable(&mut self, wat: &mut Wat<'_>, message: &str) -> DResult {
        if let Wat::Component(_) = wat {
            return Err("component-model modules are not supported".to_string());
        }
        let bytes = wat
            .encode()
            .map_err(|e| format!("text format error: {}", e.message()))?;
        let module = self
            .compile(&bytes)
            .map_err(|e| format!("module failed to compile (expected a link error): {e}"))?;
        match self.instantiate(&module) {
            Ok(_) => Err(format!(
                "expected link error \"{message}\", instantiation succeeded"
            )),
            Err(InstError::UnknownImport(m)) => {
                if m.contains(message) {
                    Ok(())
                } else {
                    Err(format!(
                        "expected link error \"{message}\", got link error: {m}"
                    ))
                }
            }
            Err(InstError::Runtime(e @ Error::Link(_))) => {
                let shown = e.to_string();
                let inner = match &e {
                    Error::Link(m) => m.as_str(),
                    _ => "",
                };
                if inner.contains(message) || shown.contains(message) {
                    Ok(())
                } else {
                    Err(format!(
                        "expected link error \"{message}\", got link error: {shown}"
                    ))
                }
            }
            Err(InstError::Runtime(e)) => Err(format!(
                "expected link error \"{message}\", got {}",
                describe_error(&e)
            )),
        }
    }

    fn assert_invalid(&mut self, q: &mut QuoteWat<'_>, message: &str) -> DResult {
        reject_component(q)?;
        let bytes = match encode_quote(q) {
            Ok(b) => b,
            // The text parser already rejected it (e.g. a bad symbolic index).
            Err(e) => return check_rejection(message, &e),
        };
        match Module::new(&self.engine, &bytes) {
            Ok(_) => Err(format!(
                "expected invalid module \"{message}\", module was accepted"
            )),
            Err(e) => check_rejection(message, &describe_error(&e)),
        }
    }

    fn assert_malformed(&mut self, q: &mut QuoteWat<'_>, message: &str) -> DResult {
        reject_component(q)?;
        let bytes = match q {
            QuoteWat::QuoteModule(..) => match encode_quote(q) {
                Ok(b) => b,
                // Rejected by the `wast` text parser. The text format is not the
                // runtime's business, and the `wast` crate's wording differs from
                // the reference interpreter's text parser throughout ("expected a
                // float" where the spec says "unknown operator", ...), so any
                // text-level rejection counts, unless CRANEWAY_SPEC_STRICT_TEXT=1.
                // Rejections by `Module::new` below are always message-checked.
                Err(e) if self.strict_text => return check_rejection(message, &e),
                Err(_) => return Ok(()),
            },
            _ => encode_quote(q)?,
        };
        match Module::new(&self.engine, &bytes) {
            Ok(_) => Err(format!(
                "expected malformed module \"{message}\", module was accepted"
            )),
            Err(e) => check_rejection(message, &describe_error(&e)),
        }
    }

    /// `assert_malformed_custom` / `assert_invalid_custom`: a custom section
    /// the module's consumer may reject. The runtime interprets no custom
    /// section (a malformed name section is ignored, as the spec requires),
    /// so the module itself must be accepted.
    fn custom_section(&mut self, q: &mut QuoteWat<'_>) -> DResult {
        reject_component(q)?;
        let bytes = encode_quote(q)?;
        Module::new(&self.engine, &bytes).map(|_| ()).map_err(|e| {
            format!(
                "module with a bad custom section rejected: {}",
                describe_error(&e)
            )
        })
    }

    // --- values ------------------------------------------------------------

    fn matches(&self, actual: &Val, expected: &WastRetCore<'_>) -> Result<bool, String> {
        Ok(match (expected, actual) {
            (WastRetCore::I32(e), Val::I32(a)) => e == a,
            (WastRetCore::I64(e), Val::I64(a)) => e == a,
            (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, *a),
            (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, *a),
            (WastRetCore::V128(e), Val::V128(a)) => v128_matches(e, *a),
            (WastRetCore::RefNull(ty), Val::FuncRef(a)) => a.is_none() && heap_type_is(ty, false),
            (WastRetCore::RefNull(ty), Val::ExternRef(a)) => a.is_none() && heap_type_is(ty, true),
            (WastRetCore::RefNull(ty), Val::ExnRef(a)) => {
                a.is_none()
                    && matches!(
                        ty,
                        None | Some(HeapType::Abstract {
                            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
                            ..
                        })
                    )
            }
            (WastRetCore::RefExtern(n), Val::ExternRef(a)) => match (n, a) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(n), Some(r)) => r.data(&self.store).downcast_ref::<u32>() == Some(n),
            },
            (WastRetCore::RefFunc(_), Val::FuncRef(a)) => a.is_some(),
            (WastRetCore::Either(alts), a) => {
                for alt in alts {
                    if self.matches(a, alt)? {
                        return Ok(true);
                    }
                }
                false
            }
            (
                WastRetCore::RefHost(_)
                | WastRetCore::RefAny
                | WastRetCore::RefEq
                | WastRetCore::RefArray
                | WastRetCore::RefStruct
                | WastRetCore::RefI31
                | WastRetCore::RefI31Shared,
                _,
            ) => return Err(format!("unsupported result pattern {}", fmt_ret(expected))),
            _ => false,
        })
    }

    fn fmt_val(&self, v: &Val) -> String {
        match v {
            Val::I32(x) => format!("i32:{x} (0x{:08x})", *x as u32),
            Val::I64(x) => format!("i64:{x} (0x{:016x})", *x as u64),
            Val::F32(b) => format!("f32:{} (0x{b:08x})", f32::from_bits(*b)),
            Val::F64(b) => format!("f64:{} (0x{b:016x})", f64::from_bits(*b)),
            Val::V128(b) => format!("v128:0x{b:032x}"),
            Val::FuncRef(None) => "ref.null func".to_string(),
            Val::FuncRef(Some(_)) => "funcref (non-null)".to_string(),
            Val::ExternRef(None) => "ref.null extern".to_string(),
            Val::ExternRef(Some(r)) => match r.data(&self.store).downcast_ref::<u32>() {
                Some(n) => format!("ref.extern {n}"),
                None => "externref (non-null, not a u32)".to_string(),
            },
            Val::ExnRef(None) => "ref.null exn".to_string(),
            Val::ExnRef(Some(_)) => "exnref (non-null)".to_string(),
            #[allow(unreachable_patterns)]
            _ => "<unknown value kind>".to_string(),
        }
    }

    fn fmt_vals(&self, vs: &[Val]) -> String {
        let parts: Vec<String> = vs.iter().map(|v| self.fmt_val(v)).collect();
        format!("[{}]", parts.join(", "))
    }
}

/// The binary of a `(module ...)`, `(module binary ...)` or `(module quote ...)`.
fn encode_quote(q: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
    match q.to_test() {
        Ok(QuoteWatTest::Binary(b)) => Ok(b),
        Ok(QuoteWatTest::Text(text)) => {
            let text = std::str::from_utf8(&text)
                .map_err(|_| "text format error: malformed UTF-8 encoding".to_string())?;
            parse_and_encode(text).map_err(|e| format!("text format error: {e}"))
        }
        Err(e) => Err(format!("text format error: {}", e.message())),
    }
}

fn reject_component(q: &QuoteWat<'_>) -> DResult {
    match q {
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..) => {
            Err("component-model modules are not supported".to_string())
        }
        _ => Ok(()),
    }
}

/// A parse buffer over `text`. The suite has identifiers with bidi control
/// characters (names.wast), which the `wast` lexer rejects unless allowed.
fn parse_buffer(text: &str) -> Result<ParseBuffer<'_>, wast::Error> {
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer)
}

fn parse_and_encode(text: &str) -> Result<Vec<u8>, String> {
    let buf = parse_buffer(text).map_err(|e| e.message())?;
    let mut wat = parser::parse::<Wat<'_>>(&buf).map_err(|e| e.message())?;
    wat.encode().map_err(|e| e.message())
}

fn expect_trap(e: &Error, message: &str) -> DResult {
    match e {
        // An uncaught exception is not a trap (assert_exception).
        Error::Trap(t) if t.code() == Some(TrapCode::UncaughtException) => Err(format!(
            "expected trap \"{message}\", got an uncaught exception"
        )),
        Error::Trap(t) => {
            if t.message().contains(message) || t.to_string().contains(message) {
                Ok(())
            } else {
                Err(format!(
                    "expected trap \"{message}\", got trap \"{}\"",
                    t.message()
                ))
            }
        }
        other => Err(format!(
            "expected trap \"{message}\", got {}",
            describe_error(other)
        )),
    }
}

/// A module was rejected; check that the reason fits the expected message.
fn check_rejection(expected: &str, actual: &str) -> DResult {
    if message_matches(expected, actual) {
        Ok(())
    } else {
        Err(format!(
            "rejected with an unexpected message: expected \"{expected}\", got \"{actual}\""
        ))
    }
}

/// `ty` is the optional heap type of an expected `ref.null`.
fn heap_type_is(ty: &Option<HeapType<'_>>, is_extern: bool) -> bool {
    match ty {
        None => true,
        Some(HeapType::Abstract { ty, .. }) => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => !is_extern,
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => is_extern,
            _ => false,
        },
        Some(HeapType::Concrete(_) | HeapType::Exact(_)) => !is_extern,
    }
}

fn f32_matches(e: &NanPattern<wast::token::F32>, a: u32) -> bool {
    match e {
        NanPattern::Value(v) => v.bits == a,
        NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => a & 0x7fc0_0000 == 0x7fc0_0000,
    }
}

fn f64_matches(e: &NanPattern<wast::token::F64>, a: u64) -> bool {
    match e {
        NanPattern::Value(v) => v.bits == a,
        NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => a & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
    }
}

fn v128_matches(e: &V128Pattern, a: u128) -> bool {
    let b = a.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut x = 0u64;
        for k in 0..n {
            x |= (b[i * n + k] as u64) << (8 * k);
        }
        x
    };
    match e {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| *v as u8 as u64 == lane(i, 1)),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| *v as u16 as u64 == lane(i, 2)),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| *v as u32 as u64 == lane(i, 4)),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, v)| *v as u64 == lane(i, 8)),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| f32_matches(v, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| f64_matches(v, lane(i, 8))),
    }
}

fn fmt_nan32(p: &NanPattern<wast::token::F32>) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => format!("{} (0x{:08x})", f32::from_bits(v.bits), v.bits),
    }
}

fn fmt_nan64(p: &NanPattern<wast::token::F64>) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => format!("{} (0x{:016x})", f64::from_bits(v.bits), v.bits),
    }
}

fn fmt_lanes<T>(name: &str, lanes: &[T], f: impl Fn(&T) -> String) -> String {
    let parts: Vec<String> = lanes.iter().map(f).collect();
    format!("v128:{name}[{}]", parts.join(" "))
}

fn fmt_ret(r: &WastRetCore<'_>) -> String {
    match r {
        WastRetCore::I32(x) => format!("i32:{x} (0x{:08x})", *x as u32),
        WastRetCore::I64(x) => format!("i64:{x} (0x{:016x})", *x as u64),
        WastRetCore::F32(p) => format!("f32:{}", fmt_nan32(p)),
        WastRetCore::F64(p) => format!("f64:{}", fmt_nan64(p)),
        WastRetCore::V128(p) => match p {
            V128Pattern::I8x16(l) => fmt_lanes("i8x16", l, |v| v.to_string()),
            V128Pattern::I16x8(l) => fmt_lanes("i16x8", l, |v| v.to_string()),
            V128Pattern::I32x4(l) => fmt_lanes("i32x4", l, |v| v.to_string()),
            V128Pattern::I64x2(l) => fmt_lanes("i64x2", l, |v| v.to_string()),
            V128Pattern::F32x4(l) => fmt_lanes("f32x4", l, fmt_nan32),
            V128Pattern::F64x2(l) => fmt_lanes("f64x2", l, fmt_nan64),
        },
        WastRetCore::RefNull(None) => "ref.null".to_string(),
        WastRetCore::RefNull(Some(HeapType::Abstract { ty, .. })) => {
            format!("ref.null {}", format!("{ty:?}").to_lowercase())
        }
        WastRetCore::RefNull(Some(HeapType::Concrete(_) | HeapType::Exact(_))) => {
            "ref.null <concrete>".to_string()
        }
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern (any)".to_string(),
        WastRetCore::RefHost(n) => format!("ref.host {n}"),
        WastRetCore::RefFunc(_) => "ref.func (any non-null)".to_string(),
        WastRetCore::Either(alts) => {
            let parts: Vec<String> = alts.iter().map(fmt_ret).collect();
            format!("either({})", parts.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

fn directive_kind(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

impl Context {
    fn run_directive(&mut self, d: &mut WastDirective<'_>) -> DResult {
        match d {
            WastDirective::Module(q) => {
                let name = q.name().map(|id| id.name().to_string());
                let r = self.module(q);
                if r.is_err() {
                    // Later directives must not silently run against an older instance.
                    self.current = None;
                    if let Some(name) = name {
                        self.instances.remove(&name);
                    }
                }
                r
            }
            WastDirective::ModuleDefinition(q) => self.module_definition(q),
            WastDirective::ModuleInstance {
                instance, module, ..
            } => self.module_instance(*instance, *module),
            WastDirective::Register { name, module, .. } => self.register(name, *module),
            WastDirective::Invoke(call) => match self.invoke(call)? {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("invoke failed: {}", describe_error(&e))),
            },
            WastDirective::AssertReturn { exec, results, .. } => self.assert_return(exec, results),
            WastDirective::AssertTrap { exec, message, .. } => self.assert_trap(exec, message),
            WastDirective::AssertExhaustion { call, message, .. } => {
                self.assert_exhaustion(call, message)
            }
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.assert_unlinkable(module, message),
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.assert_invalid(module, message),
            WastDirective::AssertMalformed {
                module, message, ..
            } => self.assert_malformed(module, message),
            WastDirective::AssertMalformedCustom { module, .. }
            | WastDirective::AssertInvalidCustom { module, .. } => self.custom_section(module),
            WastDirective::AssertException { exec, .. } => self.assert_exception(exec),
            WastDirective::AssertSuspension { .. } => {
                Err("unsupported directive: assert_suspension (stack switching)".to_string())
            }
            WastDirective::Thread(_) => Err("unsupported directive: thread".to_string()),
            WastDirective::Wait { .. } => Err("unsupported directive: wait".to_string()),
        }
    }
}

// ---------------------------------------------------------------------------
// Running a file
// ---------------------------------------------------------------------------

/// Shared progress: what each worker is doing right now (for hang reports).
type Progress = Arc<Mutex<Vec<String>>>;

fn set_progress(progress: &Progress, worker: usize, what: String) {
    if let Ok(mut p) = progress.lock() {
        p[worker] = what;
    }
}

fn run_file(engine: &Engine, path: &Path, progress: &Progress, worker: usize) -> FileResult {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut result = FileResult {
        name: name.clone(),
        passed: 0,
        failures: Vec::new(),
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            result.failures.push(Failure {
                line: 0,
                kind: "file",
                reason: format!("cannot read: {e}"),
            });
            return result;
        }
    };
    // The wast lexer works on &str.
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            result.failures.push(Failure {
                line: 0,
                kind: "file",
                reason: format!("not UTF-8: {e}"),
            });
            return result;
        }
    };
    let text = unfold_legacy_try(&text);
    let lines = LineIndex::new(&text);
    let fail_parse = |e: wast::Error, result: &mut FileResult| {
        result.failures.push(Failure {
            line: lines.line(e.span().offset()),
            kind: "parse",
            reason: format!("script parse error: {}", e.message()),
        });
    };
    let buf = match parse_buffer(&text) {
        Ok(b) => b,
        Err(e) => {
            fail_parse(e, &mut result);
            return result;
        }
    };
    let script = match parser::parse::<Wast<'_>>(&buf) {
        Ok(s) => s,
        Err(e) => {
            fail_parse(e, &mut result);
            return result;
        }
    };

    let mut cx = match panic::catch_unwind(AssertUnwindSafe(|| Context::new(engine))) {
        Ok(Ok(cx)) => cx,
        Ok(Err(e)) => {
            result.failures.push(Failure {
                line: 0,
                kind: "spectest",
                reason: e,
            });
            return result;
        }
        Err(_) => {
            result.failures.push(Failure {
                line: 0,
                kind: "spectest",
                reason: format!(
                    "panic while creating the spectest module: {}",
                    take_panic_message()
                ),
            });
            return result;
        }
    };

    for mut d in script.directives {
        let line = lines.line(d.span().offset());
        let kind = directive_kind(&d);
        set_progress(progress, worker, format!("{name}:{line} ({kind})"));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| cx.run_directive(&mut d)));
        match outcome {
            Ok(Ok(())) => result.passed += 1,
            Ok(Err(reason)) => result.failures.push(Failure { line, kind, reason }),
            Err(_) => result.failures.push(Failure {
                line,
                kind,
                reason: format!("panicked: {}", take_panic_message()),
            }),
        }
    }
    // Dropping the store may panic too if the runtime is in a bad state.
    if panic::catch_unwind(AssertUnwindSafe(move || drop(cx))).is_err() {
        result.failures.push(Failure {
            line: 0,
            kind: "store drop",
            reason: format!("panicked: {}", take_panic_message()),
        });
    }
    set_progress(progress, worker, String::new());
    result
}

// ---------------------------------------------------------------------------
// Legacy exception syntax
// ---------------------------------------------------------------------------

/// Rewrites the folded form of the legacy `try` instruction, which the `wast`
/// crate no longer parses, into its flat form, which it does:
///
/// ```text
/// (try $l (result i32) (do A) (catch $e B) (catch_all C))  =>  try $l (result i32) A catch $e B catch_all C end
/// (try (do A) (delegate $l))                              =>  try A delegate $l
/// ```
///
/// Only parentheses become spaces and a closing `)` becomes `end`, so every
/// directive keeps its line number. Strings and comments are skipped.
fn unfold_legacy_try(text: &str) -> String {
    let b = text.as_bytes();
    // Matching `)` of every `(`, skipping strings and comments.
    let mut close = vec![usize::MAX; b.len()];
    let mut open = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b';' if b.get(i + 1) == Some(&b';') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' if b.get(i + 1) == Some(&b';') => {
                let mut depth = 1;
                i += 2;
                while i < b.len() && depth > 0 {
                    if b[i] == b'(' && b.get(i + 1) == Some(&b';') {
                        depth += 1;
                        i += 1;
                    } else if b[i] == b';' && b.get(i + 1) == Some(&b')') {
                        depth -= 1;
                        i += 1;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' => open.push(i),
            b')' => {
                if let Some(o) = open.pop() {
                    close[o] = i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // The keyword right after `(` at `at`, if the form is a keyword form.
    let head = |at: usize| -> &str {
        let start = at + 1;
        let end = b[start..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'(' || *c == b')')
            .map_or(b.len(), |n| start + n);
        &text[start..end]
    };
    // Edits: position -> replacement of the one byte there.
    let mut edits: Vec<(usize, &str)> = Vec::new();
    for at in 0..b.len() {
        if b[at] != b'(' || close[at] == usize::MAX || head(at) != "try" {
            continue;
        }
        let end = close[at];
        edits.push((at, " "));
        // Walk the direct children of the `try` form.
        let mut j = at + 4;
        let mut delegated = false;
        while j < end {
            if b[j] == b'(' && close[j] != usize::MAX {
                let child_end = close[j];
                match head(j) {
                    "do" | "catch" | "catch_all" => {
                        edits.push((j, " "));
                        // `do` itself is no instruction.
                        if head(j) == "do" {
                            edits.push((j + 1, " "));
                            edits.push((j + 2, " "));
                        }
                        edits.push((child_end, " "));
                    }
                    "delegate" => {
                        edits.push((j, " "));
                        edits.push((child_end, " "));
                        delegated = true;
                    }
                    _ => {}
                }
                j = child_end + 1;
            } else {
                j += 1;
            }
        }
        edits.push((end, if delegated { " " } else { " end " }));
    }
    if edits.is_empty() {
        return text.to_string();
    }
    edits.sort();
    let mut out = String::with_capacity(text.len() + 4 * edits.len());
    let mut last = 0;
    for (pos, with) in edits {
        out.push_str(&text[last..pos]);
        out.push_str(with);
        last = pos + 1;
    }
    out.push_str(&text[last..]);
    out
}

#[test]
fn legacy_try_unfolds_keeping_lines() {
    let src = "(func (try $l (result i32)\n (do (i32.const 1)) (catch $e (i32.const 2)) (catch_all (i32.const 3))))\n\
               (func (try (do (nop)) (delegate 0))) (; (try ;) \"(try\"";
    let out = unfold_legacy_try(src);
    assert_eq!(
        out,
        "(func  try $l (result i32)\n     (i32.const 1)   catch $e (i32.const 2)   catch_all (i32.const 3)  end )\n\
         (func  try     (nop)   delegate 0  ) (; (try ;) \"(try\""
    );
    assert_eq!(src.lines().count(), out.lines().count());
}

// ---------------------------------------------------------------------------
// Known failures
// ---------------------------------------------------------------------------

/// Parses the known-failures file into (file, line) entries.
fn read_known_failures(path: &Path) -> Result<BTreeSet<(String, usize)>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut set = BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let entry = raw.split('#').next().unwrap().trim();
        if entry.is_empty() {
            continue;
        }
        let parsed = entry.rsplit_once(':').and_then(|(f, l)| {
            l.trim()
                .parse::<usize>()
                .ok()
                .map(|l| (f.trim().to_string(), l))
        });
        match parsed {
            Some(e) => {
                set.insert(e);
            }
            None => {
                return Err(format!(
                    "{}:{}: bad entry `{entry}` (expected `<file.wast>:<line>`)",
                    path.display(),
                    i + 1
                ))
            }
        }
    }
    Ok(set)
}

fn write_known_failures(path: &Path, results: &[FileResult]) -> std::io::Result<()> {
    let mut out = String::new();
    out.push_str(KNOWN_FAILURES_HEADER);
    for r in results {
        let lines: BTreeSet<usize> = r.failures.iter().map(|f| f.line).collect();
        for l in lines {
            let _ = writeln!(out, "{}:{}", r.name, l);
        }
    }
    std::fs::write(path, out)
}

// ---------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------

/// Makes a failure line safe to print: the suite's names include control and
/// bidi characters.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let odd = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
        if c.is_control() || odd {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn env_flag(name: &str) -> bool {
    matches!(std::env::var(name).as_deref(), Ok(v) if !v.is_empty() && v != "0" && v != "false")
}

/// One run of the runner: a directory under a feature set.
struct Suite {
    dir: PathBuf,
    /// `2.0`, `3.0` or a list of feature names (see the module doc).
    features: String,
    /// The known-failures file, relative to the manifest, if any.
    known: Option<PathBuf>,
}

/// The WebAssembly features a `CRANEWAY_SPEC_FEATURES` value names.
fn parse_features(set: &str) -> Result<WasmFeatures, String> {
    match set.trim() {
        "2.0" => return Ok(WasmFeatures::WASM2),
        "3.0" => return Ok(craneway::DEFAULT_FEATURES),
        _ => {}
    }
    let mut features = WasmFeatures::WASM2;
    for name in set.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        features |= match name.replace('_', "-").as_str() {
            "tail-call" => WasmFeatures::TAIL_CALL,
            "extended-const" => WasmFeatures::EXTENDED_CONST,
            "multi-memory" => WasmFeatures::MULTI_MEMORY,
            "memory64" => WasmFeatures::MEMORY64,
            "relaxed-simd" => WasmFeatures::RELAXED_SIMD,
            "exceptions" => WasmFeatures::EXCEPTIONS,
            "legacy-exceptions" => WasmFeatures::LEGACY_EXCEPTIONS,
            "function-references" => WasmFeatures::FUNCTION_REFERENCES,
            "gc" => WasmFeatures::GC,
            other => return Err(format!("unknown feature name {other:?} in {set:?}")),
        };
    }
    Ok(features)
}

/// The standard suites run one at a time: each already uses the machine's
/// cores, and their output must not interleave.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs a standard suite, unless a custom run was asked for.
fn standard_suite(dir: &str, features: &str, known: &str) {
    if std::env::var_os("CRANEWAY_SPEC_DIR").is_some()
        || std::env::var_os("CRANEWAY_SPEC_FEATURES").is_some()
    {
        println!("skipped: CRANEWAY_SPEC_DIR/CRANEWAY_SPEC_FEATURES select the custom run");
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    run_suite(Suite {
        dir: manifest.join("../shared/testsuite").join(dir),
        features: features.to_string(),
        known: Some(PathBuf::from("tests/spec-known-failures").join(known)),
    });
}

/// WebAssembly 2.0 core suite, exactly 2.0 features.
#[test]
fn spec_core_2_0() {
    standard_suite("core", "2.0", "core.txt");
}

/// WebAssembly 3.0 core suite, 3.0 features.
#[test]
fn spec_3_0_core() {
    standard_suite("3.0/core", "3.0", "3.0-core.txt");
}

/// The legacy exception instructions, 3.0 features.
#[test]
fn spec_3_0_legacy() {
    standard_suite("3.0/legacy", "3.0", "3.0-legacy.txt");
}

/// `CRANEWAY_SPEC_DIR` / `CRANEWAY_SPEC_FEATURES`: any directory under any
/// feature set.
#[test]
fn spec_custom() {
    let dir = std::env::var_os("CRANEWAY_SPEC_DIR");
    let features = std::env::var("CRANEWAY_SPEC_FEATURES").ok();
    if dir.is_none() && features.is_none() {
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    run_suite(Suite {
        dir: dir
            .map(PathBuf::from)
            .unwrap_or_else(|| manifest.join("../shared/testsuite/core")),
        features: features.unwrap_or_else(|| "3.0".to_string()),
        known: std::env::var_os("CRANEWAY_SPEC_KNOWN").map(PathBuf::from),
    });
}

fn run_suite(suite: Suite) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = suite.dir;
    let features = parse_features(&suite.features).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "spec suite {} with features {} ({:?})",
        dir.display(),
        suite.features,
        features
    );
    if !dir.is_dir() {
        let msg = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! spec testsuite directory not found: {}\n\
             !!! set CRANEWAY_SPEC_DIR to the testsuite's `core` directory.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
            dir.display()
        );
        // Straight to the process's stderr: libtest's output capture only
        // intercepts the print macros, and this must be seen even when the test passes.
        {
            use std::io::Write as _;
            let _ = std::io::stderr().write_all(msg.as_bytes());
        }
        println!("{msg}");
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("spec testsuite directory missing (CI=true)");
        }
        println!("WARNING: skipping the spec testsuite");
        return;
    }

    let filter = std::env::var("CRANEWAY_SPEC_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let verbose = env_flag("CRANEWAY_SPEC_VERBOSE");
    let bless = env_flag("CRANEWAY_SPEC_BLESS");
    let threads = std::env::var("CRANEWAY_SPEC_THREADS")
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|&t| t > 0)
        .unwrap_or(2);

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wast") && p.is_file())
        .filter(|p| match &filter {
            Some(f) => p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .contains(f.as_str()),
            None => true,
        })
        .collect();
    files.sort();
    if files.is_empty() {
        panic!("no .wast files in {} (filter: {:?})", dir.display(), filter);
    }

    let known_path = suite.known.as_ref().map(|k| manifest.join(k));
    let known = match &known_path {
        Some(p) => read_known_failures(p).unwrap_or_else(|e| panic!("{e}")),
        None => BTreeSet::new(),
    };
    let known_name = known_path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the known failures (none: set CRANEWAY_SPEC_KNOWN)".to_string());

    // Capture panic messages per thread instead of printing them.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = if let Some(s) = payload.downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "<non-string panic payload>".to_string()
        };
        let loc = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{loc}")));
    }));

    // CRANEWAY_SPEC_CPU=baseline compiles for the x86-64 baseline (SSE2)
    // instead of the host's features: other instruction selections, the
    // same results.
    let mut config = Config::new();
    config
        .wasm_features(features)
        .unwrap_or_else(|e| panic!("features {}: {e}", suite.features));
    if std::env::var("CRANEWAY_SPEC_CPU").as_deref() == Ok("baseline") {
        config.cpu_features(CpuFeatures::Baseline);
    }
    let engine = Engine::new(&config).expect("an engine");
    let files = Arc::new(files);
    let next = Arc::new(AtomicUsize::new(0));
    let threads = threads.min(files.len());
    let progress: Progress = Arc::new(Mutex::new(vec![String::new(); threads]));
    let (tx, rx) = mpsc::channel::<(usize, FileResult)>();
    let mut handles = Vec::new();
    for worker in 0..threads {
        let (files, next, tx, engine, progress) = (
            files.clone(),
            next.clone(),
            tx.clone(),
            engine.clone(),
            progress.clone(),
        );
        let h = std::thread::Builder::new()
            .name(format!("spec-{worker}"))
            .stack_size(32 << 20)
            .spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= files.len() {
                    break;
                }
                let path = &files[i];
                let r = panic::catch_unwind(AssertUnwindSafe(|| {
                    run_file(&engine, path, &progress, worker)
                }))
                .unwrap_or_else(|_| FileResult {
                    name: path.file_name().unwrap().to_string_lossy().into_owned(),
                    passed: 0,
                    failures: vec![Failure {
                        line: 0,
                        kind: "file",
                        reason: format!("runner panicked: {}", take_panic_message()),
                    }],
                });
                if tx.send((i, r)).is_err() {
                    break;
                }
            })
            .expect("spawn worker");
        handles.push(h);
    }
    drop(tx);

    // Print per-file lines in sorted order as results come in.
    let started = Instant::now();
    let mut slots: Vec<Option<FileResult>> = (0..files.len()).map(|_| None).collect();
    let mut printed = 0;
    let mut last_event = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok((i, r)) => {
                slots[i] = Some(r);
                last_event = Instant::now();
                while printed < slots.len() {
                    match &slots[printed] {
                        Some(r) => {
                            println!(
                                "{}: {} passed, {} failed",
                                r.name,
                                r.passed,
                                r.failures.len()
                            );
                            printed += 1;
                        }
                        None => break,
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let busy: Vec<String> = progress
                    .lock()
                    .map(|p| p.iter().filter(|s| !s.is_empty()).cloned().collect())
                    .unwrap_or_default();
                eprintln!(
                    "spec: no file finished in {}s; running: {}",
                    last_event.elapsed().as_secs(),
                    busy.join(", ")
                );
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    for h in handles {
        let _ = h.join();
    }
    panic::set_hook(default_hook);

    let results: Vec<FileResult> = slots
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| FileResult {
                name: files[i].file_name().unwrap().to_string_lossy().into_owned(),
                passed: 0,
                failures: vec![Failure {
                    line: 0,
                    kind: "file",
                    reason: "worker died".to_string(),
                }],
            })
        })
        .collect();
    // Files whose result line was never printed (worker died).
    for r in results.iter().skip(printed) {
        println!(
            "{}: {} passed, {} failed",
            r.name,
            r.passed,
            r.failures.len()
        );
    }

    // Failures for developers.
    let total_failures: usize = results.iter().map(|r| r.failures.len()).sum();
    if total_failures > 0 {
        let limit = if verbose {
            usize::MAX
        } else {
            DEFAULT_PRINTED_FAILURES
        };
        println!();
        if verbose || total_failures <= limit {
            println!("failures ({total_failures}):");
        } else {
            println!(
                "first {limit} of {total_failures} failures (CRANEWAY_SPEC_VERBOSE=1 for all):"
            );
        }
        for (r, f) in results
            .iter()
            .flat_map(|r| r.failures.iter().map(move |f| (r, f)))
            .take(limit)
        {
            println!("{}:{}: {}: {}", r.name, f.line, f.kind, clean(&f.reason));
        }
    }

    // Compare with the known failures.
    let ran: BTreeSet<&str> = results.iter().map(|r| r.name.as_str()).collect();
    let mut failing: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut new_failures = Vec::new();
    for r in &results {
        for f in &r.failures {
            let key = (r.name.clone(), f.line);
            if !known.contains(&key) {
                new_failures.push(format!(
                    "{}:{}: {}: {}",
                    r.name,
                    f.line,
                    f.kind,
                    clean(&f.reason)
                ));
            }
            failing.insert(key);
        }
    }
    let fixed: Vec<String> = known
        .iter()
        .filter(|(file, _)| filter.is_none() || ran.contains(file.as_str()))
        .filter(|k| !failing.contains(*k))
        .map(|(file, line)| format!("{file}:{line}"))
        .collect();

    let passed: usize = results.iter().map(|r| r.passed).sum();
    let mut problems = 0;
    if bless {
        if filter.is_some() {
            println!("\nCRANEWAY_SPEC_BLESS ignored: a filter is set");
        } else if let Some(known_path) = &known_path {
            write_known_failures(known_path, &results)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", known_path.display()));
            println!(
                "\nwrote {} ({} entries)",
                known_path.display(),
                failing.len()
            );
        } else {
            println!("\nCRANEWAY_SPEC_BLESS ignored: no known-failures file (CRANEWAY_SPEC_KNOWN)");
        }
    }
    if !(bless && filter.is_none()) {
        if !new_failures.is_empty() {
            println!(
                "\n{} new failure(s), not in {known_name}:",
                new_failures.len()
            );
            for f in &new_failures {
                println!("  new failure: {f}");
            }
            problems += new_failures.len();
        }
        if !fixed.is_empty() {
            println!("\n{} known failure(s) now pass:", fixed.len());
            for f in &fixed {
                println!("  fixed, remove from the list: {f}");
            }
            problems += fixed.len();
        }
    }
    println!("\n(spec run took {:.1}s)", started.elapsed().as_secs_f64());
    println!("spec: {passed} passed, {total_failures} failed");
    assert!(
        problems == 0,
        "spec testsuite: {} new failure(s), {} fixed entr(y/ies) to remove from {known_name}",
        if bless { 0 } else { new_failures.len() },
        if bless { 0 } else { fixed.len() }
    );
}
