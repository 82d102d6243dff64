//! Parsing and validation: wasm bytes in, `ModuleInfo` out.
//!
//! Everything the compiler and the instantiator need to know about a module
//! is recorded here, in index spaces that put imports first. Function bodies
//! are kept (with their validators) for the compiler.

use crate::engine::Engine;
use crate::types::{
    EngineTypeId, ExternType, FuncType, GlobalType, MemoryType, TableType, ValType,
};
use std::collections::HashMap;
use wasmparser::{
    ExternalKind, FuncToValidate, FunctionBody, Parser, Payload, TypeRef, ValidPayload, Validator,
    ValidatorResources, WasmFeatures,
};

/// One operator of a constant expression. Numbers are kept as their bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstOp {
    I32Const(i32),
    I64Const(i64),
    /// The bits of an `f32.const`.
    F32Const(u32),
    /// The bits of an `f64.const`.
    F64Const(u64),
    /// A `v128.const`, little-endian.
    V128Const(u128),
    GlobalGet(u32),
    /// `ref.null` of any reference type.
    RefNull,
    RefFunc(u32),
    // The extended-const proposal (off unless enabled).
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A validated constant expression, evaluated at instantiation
/// (`vm::instance::InstanceHandle::eval_const`): its operators in order,
/// without the final `end`. In WebAssembly 2.0 that is one operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstExpr(Vec<ConstOp>);

impl ConstExpr {
    /// An expression of one operator.
    pub fn single(op: ConstOp) -> ConstExpr {
        ConstExpr(vec![op])
    }

    pub fn ops(&self) -> &[ConstOp] {
        &self.0
    }
}

/// What an import provides, by kind.
#[derive(Clone, Debug)]
pub enum ImportKind {
    /// A function of the given type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// An exception tag of the given (function) type index.
    Tag(u32),
}

/// One import.
#[derive(Clone, Debug)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: ImportKind,
}

/// An index into one of the module's index spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

/// How an element segment is applied.
#[derive(Clone, Debug)]
pub enum ElemMode {
    Active { table: u32, offset: ConstExpr },
    Passive,
    Declared,
}

/// An element segment: reference-typed items given as constant expressions.
#[derive(Clone, Debug)]
pub struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

/// A data segment.
#[derive(Clone, Debug)]
pub struct DataSegment {
    /// `Some((memory, offset))` for an active segment, `None` for passive.
    pub active: Option<(u32, ConstExpr)>,
    pub bytes: Vec<u8>,
}

/// Everything known about a validated module, independent of compilation.
#[derive(Debug, Default)]
pub struct ModuleInfo {
    /// The type section (without GC, only function types), with concrete
    /// references as engine-wide ids.
    pub types: Vec<FuncType>,
    /// The engine-wide id of each type in `types`.
    pub type_ids: Vec<EngineTypeId>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub tables: Vec<TableType>,
    /// Initialisers of the defined tables: `None` fills with null.
    pub table_inits: Vec<Option<ConstExpr>>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<GlobalType>,
    /// Initialisers of the defined (non-imported) globals.
    pub global_inits: Vec<ConstExpr>,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    /// Type index of every exception tag, imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    pub exports: Vec<(String, EntityIndex)>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    pub module_name: Option<String>,
    pub func_names: HashMap<u32, String>,
    /// Byte offset of each defined function's body in the module.
    pub func_body_offsets: Vec<usize>,
}

impl ModuleInfo {
    pub fn num_defined_funcs(&self) -> u32 {
        self.funcs.len() as u32 - self.num_imported_funcs
    }

    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.funcs[func as usize] as usize]
    }

    /// A wasmparser value type of this module with its concrete
    /// references resolved; `None` for types this build does not implement.
    pub fn val_type(&self, ty: wasmparser::ValType) -> Option<ValType> {
        ValType::from_wasmparser(ty, &|i| self.type_ids.get(i as usize).copied())
    }

    /// The type of an entity, for import/export reflection.
    pub fn entity_type(&self, index: EntityIndex) -> ExternType {
        match index {
            EntityIndex::Func(i) => ExternType::Func(self.func_type(i).clone()),
            EntityIndex::Table(i) => ExternType::Table(self.tables[i as usize]),
            EntityIndex::Memory(i) => ExternType::Memory(self.memories[i as usize]),
            EntityIndex::Global(i) => ExternType::Global(self.globals[i as usize]),
            EntityIndex::Tag(i) => ExternType::Tag(self.tag_type(i).clone()),
        }
    }

    pub fn import_type(&self, import: &Import) -> ExternType {
        match &import.kind {
            ImportKind::Func(t) => ExternType::Func(self.types[*t as usize].clone()),
            ImportKind::Table(t) => ExternType::Table(*t),
            ImportKind::Memory(m) => ExternType::Memory(*m),
            ImportKind::Global(g) => ExternType::Global(*g),
            ImportKind::Tag(t) => ExternType::Tag(self.types[*t as usize].clone()),
        }
    }

    /// The (function) type of exception tag `tag`.
    pub fn tag_type(&self, tag: u32) -> &FuncType {
        &self.types[self.tags[tag as usize] as usize]
    }
}

/// A parse or validation failure, as the message users see.
pub struct ParseError(pub String);

impl From<wasmparser::BinaryReaderError> for ParseError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        ParseError(e.to_string())
    }
}

/// A function body waiting to be compiled, with the validator that checks it.
pub struct FunctionInput<'data> {
    pub validator: FuncToValidate<ValidatorResources>,
    pub body: FunctionBody<'data>,
}

/// Parses and validates `bytes` with exactly the engine's features, and
/// interns the module's function types in the engine (so a concrete
/// reference type means the same in every module). Function bodies are
/// validated later, while they are translated.
pub fn parse<'data>(
    bytes: &'data [u8],
    engine: &Engine,
) -> Result<(ModuleInfo, Vec<FunctionInput<'data>>), String> {
    let features = engine.config().features;
    match parse_with(bytes, engine, features, features) {
        Err(e) if e.contains(LOCAL_GLOBAL_GET) && const_global_get_relaxed(features) => {
            // WebAssembly 3.0 lets a constant expression read any earlier
            // immutable global, defined ones too. wasmparser ties that rule
            // to its `gc` feature, which this build does not implement: the
            // module is validated again with `gc` on for the module-level
            // sections only. GC types there are still refused (the type
            // section is read with GC types as errors, and GC heap types
            // have no `ValType`), GC operators in constant expressions have
            // no `ConstOp`, and function bodies keep exactly the engine's
            // features.
            parse_with(bytes, engine, features | WasmFeatures::GC, features)
        }
        r => r,
    }
}

/// wasmparser's message for a constant `global.get` of a defined global
/// without its `gc` feature.
const LOCAL_GLOBAL_GET: &str = "constant expression required: global.get of locally defined global";

/// Whether constant expressions may read defined globals: the WebAssembly
/// 3.0 rule, which came with typed references (so it holds whenever
/// function references are enabled, and never under exactly 2.0).
fn const_global_get_relaxed(features: WasmFeatures) -> bool {
    features.contains(WasmFeatures::FUNCTION_REFERENCES) && !features.contains(WasmFeatures::GC)
}

/// `parse`, validating the module-level sections with `module_features`
/// and the function bodies with `body_features`.
fn parse_with<'data>(
    bytes: &'data [u8],
    engine: &Engine,
    module_features: WasmFeatures,
    body_features: WasmFeatures,
) -> Result<(ModuleInfo, Vec<FunctionInput<'data>>), String> {
    let mut validator = Validator::new_with_features(module_features);
    let mut info = ModuleInfo::default();
    let mut bodies = Vec::new();
    let err = |e: wasmparser::BinaryReaderError| e.to_string();

    // The parser decodes with the features the function bodies are
    // validated with (exactly the engine's), so encodings only later
    // proposals allow are malformed here.
    let mut parser = Parser::new(0);
    parser.set_features(body_features);
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(err)?;
        match validator.payload(&payload).map_err(err)? {
            ValidPayload::Func(mut v, body) => {
                v.features = body_features;
                info.func_body_offsets.push(body.range().start as usize);
                bodies.push(FunctionInput { validator: v, body });
                continue;
            }
            ValidPayload::End(_) => break,
            ValidPayload::Ok | ValidPayload::Parser(_) => {}
        }
        record_payload(&mut info, engine, payload).map_err(|e| e.0)?;
    }
    Ok((info, bodies))
}

/// A GC type, which this build does not implement yet.
fn gc_type() -> ParseError {
    ParseError("garbage collection types are not supported".into())
}

fn table_type(info: &ModuleInfo, t: &wasmparser::TableType) -> Result<TableType, ParseError> {
    let element = info
        .val_type(wasmparser::ValType::Ref(t.element_type))
        .ok_or_else(gc_type)?;
    Ok(TableType {
        element,
        minimum: t.initial,
        maximum: t.maximum,
        table64: t.table64,
    })
}

fn memory_type(m: &wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        minimum: m.initial,
        maximum: m.maximum,
        memory64: m.memory64,
    }
}

fn global_type(info: &ModuleInfo, g: &wasmparser::GlobalType) -> Result<GlobalType, ParseError> {
    Ok(GlobalType {
        content: info.val_type(g.content_type).ok_or_else(gc_type)?,
        mutable: g.mutable,
    })
}

fn const_expr(e: wasmparser::ConstExpr<'_>) -> Result<ConstExpr, ParseError> {
    use wasmparser::Operator as O;
    let mut ops = e.get_operators_reader();
    let mut out = Vec::with_capacity(1);
    loop {
        out.push(match ops.read()? {
            O::I32Const { value } => ConstOp::I32Const(value),
            O::I64Const { value } => ConstOp::I64Const(value),
            O::F32Const { value } => ConstOp::F32Const(value.bits()),
            O::F64Const { value } => ConstOp::F64Const(value.bits()),
            O::V128Const { value } => ConstOp::V128Const(u128::from_le_bytes(*value.bytes())),
            O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            O::RefNull { .. } => ConstOp::RefNull,
            O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
            O::I32Add => ConstOp::I32Add,
            O::I32Sub => ConstOp::I32Sub,
            O::I32Mul => ConstOp::I32Mul,
            O::I64Add => ConstOp::I64Add,
            O::I64Sub => ConstOp::I64Sub,
            O::I64Mul => ConstOp::I64Mul,
            O::End if ops.eof() => return Ok(ConstExpr(out)),
            other => {
                return Err(ParseError(format!(
                    "unsupported operator in a constant expression: {other:?}"
                )))
            }
        });
    }
}

fn record_payload(
    info: &mut ModuleInfo,
    engine: &Engine,
    payload: Payload<'_>,
) -> Result<(), ParseError> {
    match payload {
        Payload::TypeSection(reader) => {
            // Without GC a type refers only to earlier types (validation
            // checked), so each is interned with its references resolved.
            for ty in reader.into_iter_err_on_gc_types() {
                let ty = ty?;
                let conv = |t: &wasmparser::ValType| info.val_type(*t).ok_or_else(gc_type);
                let params = ty
                    .params()
                    .iter()
                    .map(conv)
                    .collect::<Result<Vec<_>, _>>()?;
                let results = ty
                    .results()
                    .iter()
                    .map(conv)
                    .collect::<Result<Vec<_>, _>>()?;
                let ty = FuncType::new(params, results);
                info.type_ids.push(EngineTypeId(engine.intern(&ty)));
                info.types.push(ty);
            }
        }
        Payload::ImportSection(reader) => {
            for import in reader.into_imports() {
                let import = import?;
                let kind = match import.ty {
                    TypeRef::Func(t) => {
                        info.funcs.push(t);
                        info.num_imported_funcs += 1;
                        ImportKind::Func(t)
                    }
                    TypeRef::Table(t) => {
                        let t = table_type(info, &t)?;
                        info.tables.push(t);
                        info.num_imported_tables += 1;
                        ImportKind::Table(t)
                    }
                    TypeRef::Memory(m) => {
                        let m = memory_type(&m);
                        info.memories.push(m);
                        info.num_imported_memories += 1;
                        ImportKind::Memory(m)
                    }
                    TypeRef::Global(g) => {
                        let g = global_type(info, &g)?;
                        info.globals.push(g);
                        info.num_imported_globals += 1;
                        ImportKind::Global(g)
                    }
                    TypeRef::Tag(t) => {
                        info.tags.push(t.func_type_idx);
                        info.num_imported_tags += 1;
                        ImportKind::Tag(t.func_type_idx)
                    }
                    TypeRef::FuncExact(_) => return unsupported("exact function imports"),
                };
                info.imports.push(Import {
                    module: import.module.to_string(),
                    name: import.name.to_string(),
                    kind,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for t in reader {
                info.funcs.push(t?);
            }
        }
        Payload::TableSection(reader) => {
            for table in reader {
                let table = table?;
                info.tables.push(table_type(info, &table.ty)?);
                info.table_inits.push(match table.init {
                    wasmparser::TableInit::RefNull => None,
                    wasmparser::TableInit::Expr(e) => Some(const_expr(e)?),
                });
            }
        }
        Payload::MemorySection(reader) => {
            for m in reader {
                info.memories.push(memory_type(&m?));
            }
        }
        Payload::GlobalSection(reader) => {
            for g in reader {
                let g = g?;
                info.globals.push(global_type(info, &g.ty)?);
                info.global_inits.push(const_expr(g.init_expr)?);
            }
        }
        Payload::ExportSection(reader) => {
            for e in reader {
                let e = e?;
                let index = match e.kind {
                    ExternalKind::Func => EntityIndex::Func(e.index),
                    ExternalKind::Table => EntityIndex::Table(e.index),
                    ExternalKind::Memory => EntityIndex::Memory(e.index),
                    ExternalKind::Global => EntityIndex::Global(e.index),
                    ExternalKind::Tag => EntityIndex::Tag(e.index),
                    ExternalKind::FuncExact => return unsupported("exact function exports"),
                };
                info.exports.push((e.name.to_string(), index));
            }
        }
        Payload::TagSection(reader) => {
            for t in reader {
                info.tags.push(t?.func_type_idx);
            }
        }
        Payload::StartSection { func, .. } => info.start = Some(func),
        Payload::ElementSection(reader) => {
            for elem in reader {
                let elem = elem?;
                let mode = match elem.kind {
                    wasmparser::ElementKind::Active {
                        table_index,
                        offset_expr,
                    } => ElemMode::Active {
                        table: table_index.unwrap_or(0),
                        offset: const_expr(offset_expr)?,
                    },
                    wasmparser::ElementKind::Passive => ElemMode::Passive,
                    wasmparser::ElementKind::Declared => ElemMode::Declared,
                };
                let mut items = Vec::new();
                match elem.items {
                    wasmparser::ElementItems::Functions(r) => {
                        for f in r {
                            items.push(ConstExpr::single(ConstOp::RefFunc(f?)));
                        }
                    }
                    wasmparser::ElementItems::Expressions(_, r) => {
                        for e in r {
                            items.push(const_expr(e?)?);
                        }
                    }
                }
                info.elems.push(ElemSegment { mode, items });
            }
        }
        Payload::DataSection(reader) => {
            for d in reader {
                let d = d?;
                let active = match d.kind {
                    wasmparser::DataKind::Active {
                        memory_index,
                        offset_expr,
                    } => Some((memory_index, const_expr(offset_expr)?)),
                    wasmparser::DataKind::Passive => None,
                };
                info.datas.push(DataSegment {
                    active,
                    bytes: d.data.to_vec(),
                });
            }
        }
        Payload::CustomSection(reader) if reader.name() == "name" => {
            // A malformed name section is ignored, as the spec requires.
            let names = wasmparser::NameSectionReader::new(wasmparser::BinaryReader::new(
                reader.data(),
                reader.data_offset(),
            ));
            let _ = record_names(info, names);
        }
        _ => {}
    }
    Ok(())
}

fn record_names(
    info: &mut ModuleInfo,
    names: wasmparser::NameSectionReader<'_>,
) -> wasmparser::Result<()> {
    for name in names {
        match name? {
            wasmparser::Name::Module { name, .. } => info.module_name = Some(name.to_string()),
            wasmparser::Name::Function(map) => {
                for naming in map {
                    let naming = naming?;
                    info.func_names
                        .insert(naming.index, naming.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn unsupported(what: &str) -> Result<(), ParseError> {
    Err(ParseError(format!("{what} are not supported")))
}
