//! Resource limits of a store: bounds on memory bytes and table elements,
//! counts of instances, memories and tables, and the limiter callback
//! asked at every creation and growth, from wasm and from the host.

use craneway::*;
use std::sync::{Arc, Mutex};

const PAGE: u64 = 65536;

const GROWER: &str = r#"(module
    (memory (export "mem") 1)
    (table (export "tab") 1 funcref)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow_table") (param i32) (result i32)
        (table.grow (ref.null func) (local.get 0))))"#;

fn instance(store: &mut Store, wat: &str) -> Result<Instance, Error> {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(store.engine(), &bytes).expect("compiles");
    Instance::new(store, &module, &[])
}

fn grow(store: &mut Store, inst: Instance, name: &str, by: i32) -> i32 {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut r = [Val::I32(0)];
    f.call(store, &[Val::I32(by)], &mut r).expect("no trap");
    match r[0] {
        Val::I32(v) => v,
        other => panic!("not an i32: {other:?}"),
    }
}

#[test]
fn memory_and_table_growth_stay_within_the_bounds() {
    let mut store = Store::new(&Engine::default());
    store.limiter(StoreLimits {
        memory_size: Some(3 * PAGE),
        table_elements: Some(3),
        ..Default::default()
    });
    let inst = instance(&mut store, GROWER).unwrap();
    assert_eq!(grow(&mut store, inst, "grow", 1), 1);
    assert_eq!(grow(&mut store, inst, "grow", 2), -1);
    assert_eq!(grow(&mut store, inst, "grow", 1), 2);
    assert_eq!(grow(&mut store, inst, "grow", 1), -1);
    assert_eq!(grow(&mut store, inst, "grow", 0), 3);
    assert_eq!(grow(&mut store, inst, "grow_table", 2), 1);
    assert_eq!(grow(&mut store, inst, "grow_table", 1), -1);
    // From the host too.
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert!(mem.grow(&mut store, 1).is_err());
    let tab = inst.get_table(&store, "tab").unwrap();
    assert!(tab.grow(&mut store, 1, Val::FuncRef(None)).is_err());
    // A memory or table that starts beyond them is refused.
    let err = instance(&mut store, "(module (memory 4))").unwrap_err();
    assert!(err.to_string().contains("limits refuse a memory"), "{err}");
    let err = instance(&mut store, "(module (table 4 funcref))").unwrap_err();
    assert!(err.to_string().contains("limits refuse a table"), "{err}");
    let pages = |minimum| MemoryType {
        minimum,
        maximum: None,
        memory64: false,
    };
    assert!(Memory::new(&mut store, pages(4)).is_err());
    assert!(Memory::new(&mut store, pages(3)).is_ok());
}

#[test]
fn counts_of_instances_memories_and_tables() {
    let mut store = Store::new(&Engine::default());
    store.limiter(StoreLimits {
        instances: Some(2),
        memories: Some(2),
        tables: Some(1),
        ..Default::default()
    });
    instance(&mut store, "(module (memory 1))").unwrap();
    let err = instance(&mut store, "(module (memory 1) (memory 1))").unwrap_err();
    assert!(err.to_string().contains("limit of 2 memories"), "{err}");
    let err = instance(&mut store, "(module (table 1 funcref) (table 1 funcref))").unwrap_err();
    assert!(err.to_string().contains("limit of 1 tables"), "{err}");
    instance(&mut store, "(module (table 1 funcref))").unwrap();
    let err = instance(&mut store, "(module)").unwrap_err();
    assert!(err.to_string().contains("limit of 2 instances"), "{err}");
    let ty = TableType {
        element: ValType::FUNCREF,
        minimum: 1,
        maximum: None,
        table64: false,
    };
    assert!(Table::new(&mut store, ty, Val::FuncRef(None)).is_err());
    // No limits: no such errors.
    store.limiter(StoreLimits::default());
    instance(&mut store, "(module (memory 1) (table 1 funcref))").unwrap();
}

#[test]
fn the_limiter_callback_is_asked_at_creation_and_growth() {
    let mut store = Store::new(&Engine::default());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    store.limiter_callback(move |what, current, desired, maximum| {
        log.lock().unwrap().push((what, current, desired, maximum));
        match what {
            Resource::Memory => desired <= 2 * PAGE,
            Resource::Table => desired <= 5,
        }
    });
    let inst = instance(
        &mut store,
        r#"(module
            (memory 1 10)
            (table 2 funcref)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "grow_table") (param i32) (result i32)
                (table.grow (ref.null func) (local.get 0))))"#,
    )
    .unwrap();
    assert_eq!(grow(&mut store, inst, "grow", 1), 1);
    assert_eq!(grow(&mut store, inst, "grow", 1), -1);
    assert_eq!(grow(&mut store, inst, "grow", 0), 2); // no growth: not asked
    assert_eq!(grow(&mut store, inst, "grow", 9), -1); // past its maximum: not asked
    assert_eq!(grow(&mut store, inst, "grow_table", 3), 2);
    assert_eq!(grow(&mut store, inst, "grow_table", 1), -1);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            (Resource::Memory, 0, PAGE, Some(10 * PAGE)),
            (Resource::Table, 0, 2, None),
            (Resource::Memory, PAGE, 2 * PAGE, Some(10 * PAGE)),
            (Resource::Memory, 2 * PAGE, 3 * PAGE, Some(10 * PAGE)),
            (Resource::Table, 2, 5, None),
            (Resource::Table, 5, 6, None),
        ]
    );
    // A limiter that panics refuses.
    store.limiter_callback(|_, _, _, _| panic!("the limiter fails"));
    assert_eq!(grow(&mut store, inst, "grow_table", 0), 5);
    assert_eq!(grow(&mut store, inst, "grow", 0), 2);
    let err = instance(&mut store, "(module (memory 1))").unwrap_err();
    assert!(err.to_string().contains("limits refuse a memory"), "{err}");
    store.clear_limiter_callback();
    instance(&mut store, "(module (memory 1))").unwrap();
}
