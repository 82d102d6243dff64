//! Runtime behaviours beyond the spec testsuite: traps and their
//! backtraces, stack exhaustion, host functions, nesting, resource release.

use craneway::*;

fn instantiate(store: &mut Store, wat: &str, imports: &[Extern]) -> Instance {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(store.engine(), &bytes).expect("test module compiles");
    Instance::new(store, &module, imports).expect("test module instantiates")
}

fn call(store: &mut Store, inst: Instance, name: &str, args: &[Val], nres: usize) -> Result<Vec<Val>, Error> {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut results = vec![Val::I32(0); nres];
    f.call(store, args, &mut results)?;
    Ok(results)
}

#[test]
fn add_returns_sum() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#,
        &[],
    );
    let r = call(&mut store, inst, "add", &[Val::I32(2), Val::I32(40)], 1).unwrap();
    assert!(matches!(r[0], Val::I32(42)));
}
