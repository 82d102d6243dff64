//! Fuel: exact accounting (a loop stops after exactly the iterations its
//! fuel pays for), across calls and caught exceptions, the check at entry,
//! and engines without fuel.

use craneway::*;

const WAT: &str = r#"(module
    (tag $e (param i32))
    (global $n (mut i64) (i64.const 0))
    ;; Each iteration costs 5: global.get, i64.const, i64.add, global.set, br.
    (func (export "spin") (loop $l
        (global.set $n (i64.add (global.get $n) (i64.const 1)))
        (br $l)))
    (func (export "count") (result i64) (global.get $n))
    (func $leaf (export "leaf") (result i32) (i32.const 7))
    (func (export "caller") (result i32) (call $leaf))
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func (export "catch") (result i32)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                (call $thrower (i32.const 5))
                (unreachable))))
    (func (export "legacy_catch") (result i32)
        try (result i32)
            i32.const 5 call $thrower unreachable
        catch $e
        end))"#;

fn fuel_store() -> (Store, Instance) {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config).expect("engine");
    let mut store = Store::new(&engine);
    let bytes = wat::parse_str(WAT).expect("parses");
    let module = Module::new(&engine, &bytes).expect("compiles");
    let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
    (store, inst)
}

fn call(store: &mut Store, inst: Instance, name: &str, n: usize) -> Result<Vec<Val>, Error> {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut results = vec![Val::I32(0); n];
    f.call(store, &[], &mut results)?;
    Ok(results)
}

fn assert_out_of_fuel(r: Result<Vec<Val>, Error>) {
    let err = r.expect_err("out of fuel");
    let trap = err.trap().expect("a trap");
    assert_eq!(trap.code(), Some(TrapCode::OutOfFuel));
    assert_eq!(trap.message(), "all fuel consumed by WebAssembly");
}

#[test]
fn a_loop_stops_after_exactly_the_iterations_its_fuel_pays_for() {
    for fuel in [1u64, 4, 5, 6, 50, 51, 12_345] {
        let (mut store, inst) = fuel_store();
        store.set_fuel(fuel).unwrap();
        assert_out_of_fuel(call(&mut store, inst, "spin", 0));
        assert_eq!(store.get_fuel().unwrap(), 0, "fuel {fuel}");
        store.set_fuel(100).unwrap();
        let count = call(&mut store, inst, "count", 1).unwrap();
        // A check at the loop header stops it once the count reaches the
        // fuel: ceil(fuel / 5) iterations ran.
        assert!(
            matches!(count[0], Val::I64(n) if n as u64 == fuel.div_ceil(5)),
            "fuel {fuel}: {:?}",
            count[0]
        );
    }
}

#[test]
fn calls_and_caught_exceptions_are_counted() {
    let (mut store, inst) = fuel_store();
    store.set_fuel(100).unwrap();
    assert!(matches!(
        call(&mut store, inst, "leaf", 1).unwrap()[0],
        Val::I32(7)
    ));
    assert_eq!(store.get_fuel().unwrap(), 99); // i32.const
    assert!(matches!(
        call(&mut store, inst, "caller", 1).unwrap()[0],
        Val::I32(7)
    ));
    assert_eq!(store.get_fuel().unwrap(), 97); // call, i32.const
                                               // i32.const, call; in the thrower local.get, throw: the handler knows
                                               // what the thrower consumed.
    assert!(matches!(
        call(&mut store, inst, "catch", 1).unwrap()[0],
        Val::I32(5)
    ));
    assert_eq!(store.get_fuel().unwrap(), 93);
    assert!(matches!(
        call(&mut store, inst, "legacy_catch", 1).unwrap()[0],
        Val::I32(5)
    ));
    assert_eq!(store.get_fuel().unwrap(), 89);
}

#[test]
fn no_fuel_left_stops_at_the_entry() {
    let (mut store, inst) = fuel_store();
    // A new store has none.
    assert_eq!(store.get_fuel().unwrap(), 0);
    assert_out_of_fuel(call(&mut store, inst, "leaf", 1));
    store.set_fuel(1).unwrap();
    assert!(matches!(
        call(&mut store, inst, "leaf", 1).unwrap()[0],
        Val::I32(7)
    ));
    assert_eq!(store.get_fuel().unwrap(), 0);
    assert_out_of_fuel(call(&mut store, inst, "leaf", 1));
    // More than i64::MAX is as much as there can be.
    store.set_fuel(u64::MAX).unwrap();
    assert_eq!(store.get_fuel().unwrap(), i64::MAX as u64);
}

#[test]
fn without_fuel_there_is_none_to_set() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    assert!(store.set_fuel(10).is_err());
    assert!(store.get_fuel().is_err());
    // And modules compiled with fuel do not load into such an engine.
    let bytes = wat::parse_str(WAT).unwrap();
    let (fueled, _) = fuel_store();
    let blob = Module::new(fueled.engine(), &bytes).unwrap().serialize();
    assert!(Module::deserialize(&engine, &blob).is_err());
    assert!(Module::deserialize(fueled.engine(), &blob).is_ok());
}
