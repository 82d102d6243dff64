//! 64-bit memories at the edges the spec suite does not reach: growth
//! limited by the reservation (not the type), offsets near 2^64, a minimum
//! that cannot be reserved, and a 64-bit memory next to a 32-bit one.

use craneway::*;

fn instance(engine: &Engine, store: &mut Store, wat: &str) -> Result<Instance, Error> {
    let module = Module::new(engine, &wat::parse_str(wat).expect("test module parses"))?;
    Instance::new(store, &module, &[])
}

fn call(store: &mut Store, inst: &Instance, name: &str, args: &[Val]) -> Result<Val, Error> {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut results = [Val::I64(0)];
    f.call(&mut *store, args, &mut results)?;
    Ok(results[0])
}

#[test]
fn memory64_grow_past_the_reservation_returns_minus_one() {
    // A 1 MiB reservation caps a 64-bit memory at 4 MiB (64 pages).
    let mut config = Config::new();
    config
        .memory_reservation(1 << 20)
        .expect("valid reservation");
    let engine = Engine::new(&config).expect("engine");
    let mut store = Store::new(&engine);
    let inst = instance(
        &engine,
        &mut store,
        r#"(module (memory i64 1)
             (func (export "grow") (param i64) (result i64) local.get 0 memory.grow))"#,
    )
    .expect("instantiates");
    let grow = |store: &mut Store, n: i64| call(store, &inst, "grow", &[Val::I64(n)]).unwrap();
    assert!(matches!(grow(&mut store, 63), Val::I64(1)));
    assert!(matches!(grow(&mut store, 1), Val::I64(-1)));
    assert!(matches!(grow(&mut store, i64::MAX), Val::I64(-1)));
    assert!(matches!(grow(&mut store, 0), Val::I64(64)));
}

#[test]
fn memory64_minimum_beyond_the_reservation_is_an_error() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    // 2^32 pages = 256 TiB: valid wasm, but never reserved.
    let err = instance(&engine, &mut store, "(module (memory i64 0x1_0000_0000))").unwrap_err();
    assert!(err.to_string().contains("reservation"), "{err}");
}

#[test]
fn memory64_offsets_near_two_to_the_64_trap() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    let inst = instance(
        &engine,
        &mut store,
        r#"(module (memory i64 1)
             (func (export "hi") (param i64) (result i64)
               local.get 0 i64.load offset=0xffff_ffff_ffff_fff8)
             (func (export "lo") (param i64) (result i64)
               local.get 0 i64.load offset=8))"#,
    )
    .expect("instantiates");
    for addr in [0i64, 8, 16, -8, -16, i64::MAX] {
        let err = call(&mut store, &inst, "hi", &[Val::I64(addr)]).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{addr}: {err}");
    }
    assert!(call(&mut store, &inst, "lo", &[Val::I64(65528 - 8)]).is_ok());
    for addr in [65528 - 7, -8, -9, 1 << 32, i64::MIN] {
        let err = call(&mut store, &inst, "lo", &[Val::I64(addr)]).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{addr}: {err}");
    }
}

#[test]
fn memory64_and_memory32_side_by_side() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    let inst = instance(
        &engine,
        &mut store,
        r#"(module (memory $a 1) (memory $b i64 1)
             (data (memory $b) (i64.const 100) "\2a")
             (func (export "copy") (param i64) (result i64)
               ;; length type is the smaller index type: i32
               (memory.copy $a $b (i32.const 7) (i64.const 100) (i32.const 1))
               (i64.load8_u $a (i32.const 7)))
             (func (export "size") (param i64) (result i64)
               (i64.add (memory.size $b) (i64.extend_i32_u (memory.size $a)))))"#,
    )
    .expect("instantiates");
    assert!(matches!(
        call(&mut store, &inst, "copy", &[Val::I64(0)]).unwrap(),
        Val::I64(42)
    ));
    assert!(matches!(
        call(&mut store, &inst, "size", &[Val::I64(0)]).unwrap(),
        Val::I64(2)
    ));
}
