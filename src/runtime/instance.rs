//! Modules (validated, compiled code) and instances (a module linked to its
//! imports, with its own memories, tables and globals).

use super::externals::{Global, Memory, Table};
use super::func::{call_raw, Func};
use super::store::{check_store, AsStore, AsStoreMut, StoreData};
use super::tag::Tag;
use super::trap::FrameNames;
use super::{Error, Trap};
use crate::compile::CodeImage;
use crate::engine::{map_image, Engine};
use crate::module::{EntityIndex, ImportKind, ModuleInfo};
use crate::types::{limits_match, ExportType, ExternType, ImportType};
use crate::vm::instance::{CompiledModule, Imports, InstanceHandle};
use crate::vm::memory::{LinearMemory, TableStorage};
use crate::vm::vmcontext::{VMOffsets, ValRaw};
use std::collections::HashMap;
use std::sync::Arc;

/// A validated and compiled module. Cheap to clone; shareable across threads.
#[derive(Clone)]
pub struct Module {
    pub(crate) engine: Engine,
    pub(crate) compiled: Arc<CompiledModule>,
    /// What `serialize` writes: the module's bytes and its linked code.
    pub(crate) serial: Arc<SerialParts>,
}

pub(crate) struct SerialParts {
    pub wasm: Box<[u8]>,
    pub image: CodeImage,
    pub starts: Vec<u32>,
}

impl Module {
    /// Validates and compiles `bytes` (the binary format).
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let (info, bodies) = crate::module::parse(bytes, engine).map_err(Error::Invalid)?;
        let isa = engine.isa();
        let c = engine.config();
        let guard = (c.guard_size, c.memory_reservation);
        // A panic in the compiler is a bug of ours or Cranelift's; it must
        // still come back as an error, never take the host down.
        let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::compile::compile_module(isa, &info, bodies, guard, c.checks())
        }))
        .map_err(|p| Error::Other(crate::compile::panic_message(&*p)))?;
        let (image, starts) = compiled.map_err(|e| {
            if e.starts_with(crate::compile::INTERNAL_ERROR) || e.contains("unsupported") {
                Error::Other(e)
            } else {
                Error::Invalid(e)
            }
        })?;
        Module::from_image(engine, info, bytes, image, starts)
    }

    /// Maps a compiled image and builds the module around it.
    pub(crate) fn from_image(
        engine: &Engine,
        info: ModuleInfo,
        wasm: &[u8],
        image: CodeImage,
        starts: Vec<u32>,
    ) -> Result<Module, Error> {
        let code = map_image(&image).map_err(Error::Other)?;
        let base = code.base();
        let ndef = info.num_defined_funcs() as usize;
        if starts.len() != ndef + info.types.len()
            || starts
                .iter()
                .any(|s| *s as usize >= image.bytes.len().max(1))
        {
            return Err(Error::Other("code image does not match its module".into()));
        }
        // SAFETY: every start is an offset inside the mapped image (checked).
        let at = |off: u32| unsafe { base.add(off as usize) };
        let funcs = starts[..ndef].iter().map(|s| at(*s)).collect();
        let array_calls = starts[ndef..].iter().map(|s| at(*s)).collect();
        let mut tail_callers = vec![false; ndef];
        for f in &image.tail_callers {
            let i = f.checked_sub(info.num_imported_funcs).map(|i| i as usize);
            match i.and_then(|i| tail_callers.get_mut(i)) {
                Some(flag) => *flag = true,
                None => return Err(Error::Other("code image does not match its module".into())),
            }
        }
        let type_ids = info.type_ids.iter().map(|t| t.index()).collect();
        Ok(Module {
            engine: engine.clone(),
            compiled: Arc::new(CompiledModule {
                offsets: VMOffsets::new(&info),
                info,
                code,
                funcs,
                array_calls,
                tail_callers,
                type_ids,
            }),
            serial: Arc::new(SerialParts {
                wasm: wasm.into(),
                image,
                starts,
            }),
        })
    }

    /// Checks `bytes` without compiling: `Ok` if they are a valid module.
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<(), Error> {
        let mut v = wasmparser::Validator::new_with_features(engine.config().features);
        v.validate_all(bytes)
            .map(|_| ())
            .map_err(|e| Error::Invalid(e.to_string()))
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn info(&self) -> &ModuleInfo {
        &self.compiled.info
    }

    pub fn imports(&self) -> Vec<ImportType> {
        let info = self.info();
        info.imports
            .iter()
            .map(|i| ImportType {
                module: i.module.clone(),
                name: i.name.clone(),
                ty: info.import_type(i),
            })
            .collect()
    }

    pub fn exports(&self) -> Vec<ExportType> {
        let info = self.info();
        info.exports
            .iter()
            .map(|(name, index)| ExportType {
                name: name.clone(),
                ty: info.entity_type(*index),
            })
            .collect()
    }

    /// The module's name from its name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.info().module_name.as_deref()
    }
}

/// Something that can be imported or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Global(Global),
    Memory(Memory),
    Table(Table),
    Tag(Tag),
}

impl Extern {
    pub fn ty(&self, store: impl AsStore) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }

    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
}

pub(crate) struct InstanceData {
    /// Owns the vmctx the instance's code and exports point into.
    pub _handle: Box<InstanceHandle>,
    pub module: Module,
    pub exports: Vec<(String, Extern)>,
    pub export_map: HashMap<String, usize>,
}

/// An instance in a store (a handle; cheap to copy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance {
    store: u64,
    index: u32,
}

impl Instance {
    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    pub(crate) fn from_handle_data(store: &StoreData, index: u32) -> Instance {
        Instance {
            store: store.id,
            index,
        }
    }

    /// Instantiates `module` with `imports` given in the order of
    /// `module.imports()`: links, initialises segments, runs the start
    /// function.
    pub fn new(
        mut store: impl AsStoreMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance, Error> {
        let store = store.store_data_mut();
        if !Engine::same(&store.engine, &module.engine) {
            return Err(Error::Other(
                "module and store belong to different engines".into(),
            ));
        }
        let info = module.info();
        if imports.len() != info.imports.len() {
            return Err(Error::Link(format!(
                "module expects {} imports, {} were given",
                info.imports.len(),
                imports.len()
            )));
        }
        let mut vm_imports = Imports::default();
        let mut memory_ids = Vec::new();
        let mut table_ids = Vec::new();
        let mut global_ids = Vec::new();
        let mut tag_ids = Vec::new();
        for (import, ext) in info.imports.iter().zip(imports) {
            let incompatible = |store: &StoreData| {
                Error::Link(format!(
                    "incompatible import type for `{}::{}`: expected {}, got {}",
                    import.module,
                    import.name,
                    describe(&info.import_type(import)),
                    describe(&ext.ty(store))
                ))
            };
            match (&import.kind, ext) {
                (ImportKind::Func(t), Extern::Func(f)) => {
                    let data = store.func_data(*f)?;
                    // Function types match exactly (without GC there are no
                    // declared subtypes); concrete references inside are
                    // engine-wide ids, so equal types compare equal.
                    if data.ty != info.types[*t as usize] {
                        return Err(incompatible(store));
                    }
                    vm_imports.funcs.push(data.funcref);
                }
                (ImportKind::Global(want), Extern::Global(g)) => {
                    check_store(store, g.store);
                    let data = &store.globals[g.index as usize];
                    // Immutable globals are covariant, mutable ones invariant.
                    let fits = data.ty.mutable == want.mutable
                        && if want.mutable {
                            data.ty.content == want.content
                        } else {
                            data.ty.content.matches(want.content)
                        };
                    if !fits {
                        return Err(incompatible(store));
                    }
                    vm_imports.globals.push(data.ptr);
                    global_ids.push(g.index);
                }
                (ImportKind::Memory(want), Extern::Memory(m)) => {
                    check_store(store, m.store);
                    let mem = &store.memories[m.index as usize];
                    // A 64-bit memory matches only a 64-bit import.
                    if mem.ty.memory64 != want.memory64
                        || !limits_match(mem.pages(), mem.ty.maximum, want.minimum, want.maximum)
                    {
                        return Err(incompatible(store));
                    }
                    let mem = &mut store.memories[m.index as usize];
                    vm_imports.memories.push(&mut **mem as *mut LinearMemory);
                    memory_ids.push(m.index);
                }
                (ImportKind::Table(want), Extern::Table(t)) => {
                    check_store(store, t.store);
                    let table = &store.tables[t.index as usize];
                    // The element type is invariant (tables are mutable).
                    if table.ty.element != want.element
                        || table.ty.table64 != want.table64
                        || !limits_match(
                            table.size().into(),
                            table.ty.maximum,
                            want.minimum,
                            want.maximum,
                        )
                    {
                        return Err(incompatible(store));
                    }
                    let table = &mut store.tables[t.index as usize];
                    vm_imports.tables.push(&mut **table as *mut TableStorage);
                    table_ids.push(t.index);
                }
                (ImportKind::Tag(want), Extern::Tag(t)) => {
                    check_store(store, t.store);
                    // Tag types match exactly (no subtyping).
                    if store.tags[t.index as usize].ty != info.types[*want as usize] {
                        return Err(incompatible(store));
                    }
                    vm_imports.tags.push(store.tag_ptr(*t));
                    tag_ids.push(t.index);
                }
                _ => return Err(incompatible(store)),
            }
        }
        let mut tags = vm_imports.tags.clone();
        for &ty in &info.tags[info.num_imported_tags as usize..] {
            let t = store.push_tag(info.types[ty as usize].clone());
            tags.push(store.tag_ptr(t));
            tag_ids.push(t.index);
        }
        let defined_memories = &info.memories[info.num_imported_memories as usize..];
        let defined_tables = &info.tables[info.num_imported_tables as usize..];
        let counts = store.counts;
        let check = |what, have, adding, limit| {
            store
                .check_count(what, have, adding, limit)
                .map_err(|e| Error::Other(format!("instantiation failed: {e}")))
        };
        check("instances", store.instances.len(), 1, counts.instances)?;
        check(
            "memories",
            store.memories.len(),
            defined_memories.len(),
            counts.memories,
        )?;
        check(
            "tables",
            store.tables.len(),
            defined_tables.len(),
            counts.tables,
        )?;
        let c = store.engine.config();
        let plan = (c.memory_reservation as usize, c.guard_size as usize);
        let mut memories = vm_imports.memories.clone();
        for ty in defined_memories {
            if !LinearMemory::may_create(&mut store.ctx.limits, ty) {
                return Err(Error::Other(format!(
                    "instantiation failed: {}",
                    super::externals::MEMORY_REFUSED
                )));
            }
            let mut mem = LinearMemory::new(*ty, plan).map_err(Error::Other)?;
            memories.push(&mut *mem as *mut LinearMemory);
            memory_ids.push(store.memories.len() as u32);
            store.memories.push(mem);
        }
        let mut tables = vm_imports.tables.clone();
        for ty in defined_tables {
            if !TableStorage::may_create(&mut store.ctx.limits, ty) {
                return Err(Error::Other(format!(
                    "instantiation failed: {}",
                    super::externals::TABLE_REFUSED
                )));
            }
            let mut table = TableStorage::new(*ty, 0).map_err(Error::Other)?;
            tables.push(&mut *table as *mut TableStorage);
            table_ids.push(store.tables.len() as u32);
            store.tables.push(table);
        }
        // SAFETY: every pointer is owned by this store, which outlives the
        // instance, and the store context is this store's.
        let mut handle = unsafe {
            InstanceHandle::new(
                module.compiled.clone(),
                &mut *store.ctx,
                &vm_imports,
                memories,
                tables,
                &tags,
            )
        };
        let index = store.instances.len() as u32;
        handle.host_data = index;
        for g in info.num_imported_globals..info.globals.len() as u32 {
            global_ids.push(store.push_global(handle.global(g), info.globals[g as usize]));
        }
        let mut exports = Vec::with_capacity(info.exports.len());
        let mut export_map = HashMap::new();
        for (name, entity) in &info.exports {
            let ext = match *entity {
                EntityIndex::Func(i) => Extern::Func(store.func_from_ref(handle.funcref(i))),
                EntityIndex::Memory(i) => {
                    Extern::Memory(Memory::from_index(store, memory_ids[i as usize]))
                }
                EntityIndex::Table(i) => {
                    Extern::Table(Table::from_index(store, table_ids[i as usize]))
                }
                EntityIndex::Global(i) => {
                    Extern::Global(Global::from_index(store, global_ids[i as usize]))
                }
                EntityIndex::Tag(i) => Extern::Tag(Tag {
                    store: store.id,
                    index: tag_ids[i as usize],
                }),
            };
            export_map.insert(name.clone(), exports.len());
            exports.push((name.clone(), ext));
        }
        let init = handle.initialize_segments();
        let start = info.start.map(|s| handle.funcref(s));
        store.instances.push(InstanceData {
            _handle: handle,
            module: module.clone(),
            exports,
            export_map,
        });
        if let Err(code) = init {
            // The same code and message as the trap in a call would have.
            let msg = crate::vm::traps::trap_message(code);
            return Err(Error::Trap(Trap::with_code(
                super::trap::map_code(code),
                msg,
            )));
        }
        if let Some(start) = start {
            let mut values = [ValRaw::ZERO; 1];
            // SAFETY: the start function has type [] -> [] and lives in this store.
            unsafe { call_raw(store, start, values.as_mut_ptr()) }?;
        }
        Ok(Instance {
            store: store.id,
            index,
        })
    }

    pub fn get_export(&self, store: impl AsStore, name: &str) -> Option<Extern> {
        let store = store.store_data();
        check_store(store, self.store);
        let data = &store.instances[self.index as usize];
        data.export_map.get(name).map(|i| data.exports[*i].1)
    }

    pub fn get_func(&self, store: impl AsStore, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_memory(&self, store: impl AsStore, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_global(&self, store: impl AsStore, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    pub fn get_table(&self, store: impl AsStore, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    pub fn get_tag(&self, store: impl AsStore, name: &str) -> Option<Tag> {
        self.get_export(store, name)?.into_tag()
    }

    /// All exports in the module's order.
    pub fn exports(&self, store: impl AsStore) -> Vec<(String, Extern)> {
        let store = store.store_data();
        check_store(store, self.store);
        store.instances[self.index as usize].exports.clone()
    }

    pub fn module(&self, store: impl AsStore) -> Module {
        let store = store.store_data();
        check_store(store, self.store);
        store.instances[self.index as usize].module.clone()
    }
}

fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => format!("func {f}"),
        ExternType::Global(g) => {
            format!(
                "global {}{}",
                if g.mutable { "mut " } else { "" },
                g.content
            )
        }
        ExternType::Memory(m) => format!(
            "memory {}{} {:?}",
            if m.memory64 { "i64 " } else { "" },
            m.minimum,
            m.maximum
        ),
        ExternType::Table(t) => format!(
            "table {}{} {} {:?}",
            if t.table64 { "i64 " } else { "" },
            t.element,
            t.minimum,
            t.maximum
        ),
        ExternType::Tag(f) => format!("tag {f}"),
    }
}

impl StoreData {
    /// Names and instance for a frame in code starting at `start`; `entry`
    /// is the instance that was called, preferred when its code matches.
    pub(crate) fn frame_names(&self, start: usize, func: u32, entry: Option<u32>) -> FrameNames {
        let matches = |i: &u32| {
            self.instances
                .get(*i as usize)
                .is_some_and(|d| d.module.compiled.code.base() as usize == start)
        };
        let found = entry
            .filter(matches)
            .or_else(|| (0..self.instances.len() as u32).find(matches));
        match found {
            Some(i) => {
                let info = &self.instances[i as usize].module.compiled.info;
                (
                    info.module_name.clone(),
                    info.func_names.get(&func).cloned(),
                    Some(Instance {
                        store: self.id,
                        index: i,
                    }),
                )
            }
            None => (None, None, None),
        }
    }
}
