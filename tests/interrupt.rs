//! Epoch interruption: an endless loop stopped from another thread, the
//! deadline callback that extends or stops, the check at function entry,
//! and engines without it.

use craneway::*;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SPIN: &str = r#"(module
    (global $n (mut i64) (i64.const 0))
    ;; Never returns: counts forever, with no store in the loop but the
    ;; global's, and one loop without any store.
    (func (export "spin") (loop $l
        (global.set $n (i64.add (global.get $n) (i64.const 1)))
        (br $l)))
    (func (export "spin_pure") (param i32) (result i32)
        (loop $l (result i32)
            (local.set 0 (i32.add (local.get 0) (i32.const 1)))
            (br $l)))
    (func (export "count") (result i64) (global.get $n))
    (func (export "leaf") (result i32) (i32.const 7)))"#;

fn epoch_engine() -> Engine {
    let mut config = Config::new();
    config.epoch_interruption(true);
    Engine::new(&config).expect("engine")
}

fn instance(store: &mut Store, wat: &str) -> Instance {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(store.engine(), &bytes).expect("compiles");
    Instance::new(store, &module, &[]).expect("instantiates")
}

fn call(
    store: &mut Store,
    inst: Instance,
    name: &str,
    args: &[Val],
    n: usize,
) -> Result<Vec<Val>, Error> {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut results = vec![Val::I32(0); n];
    f.call(store, args, &mut results)?;
    Ok(results)
}

fn assert_interrupted(r: Result<Vec<Val>, Error>) {
    let err = r.expect_err("interrupted");
    let trap = err.trap().expect("a trap");
    assert_eq!(trap.code(), Some(TrapCode::Interrupt));
    assert_eq!(trap.message(), "interrupted");
}

/// Increments the engine's epoch every `period` until `stop` is set.
fn ticker(engine: Engine, period: Duration, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(period);
            engine.increment_epoch();
        }
    })
}

#[test]
fn an_endless_loop_is_interrupted_from_another_thread() {
    let engine = epoch_engine();
    let mut store = Store::new(&engine);
    let inst = instance(&mut store, SPIN);
    for name in ["spin", "spin_pure"] {
        store.set_epoch_deadline(1);
        let (args, n) = if name == "spin" {
            (vec![], 0)
        } else {
            (vec![Val::I32(0)], 1)
        };
        let other = engine.clone();
        let reached = Arc::new(std::sync::Mutex::new(None::<Instant>));
        let at = reached.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            *at.lock().unwrap() = Some(Instant::now());
            other.increment_epoch();
        });
        assert_interrupted(call(&mut store, inst, name, &args, n));
        let stopped = Instant::now();
        t.join().unwrap();
        let deadline = reached.lock().unwrap().expect("the epoch was incremented");
        let late = stopped.saturating_duration_since(deadline);
        assert!(
            late < Duration::from_millis(100),
            "{name}: stopped {late:?} after the deadline"
        );
    }
    // The loop ran, and the store is usable after the trap (with a new
    // deadline: the old one stays reached).
    assert_interrupted(call(&mut store, inst, "count", &[], 1));
    store.set_epoch_deadline(1_000_000);
    let count = call(&mut store, inst, "count", &[], 1).unwrap();
    assert!(matches!(count[0], Val::I64(n) if n > 0));
    assert!(matches!(
        call(&mut store, inst, "leaf", &[], 1).unwrap()[0],
        Val::I32(7)
    ));
}

#[test]
fn the_callback_extends_the_deadline_or_stops() {
    let engine = epoch_engine();
    let mut store = Store::new(&engine);
    let inst = instance(&mut store, SPIN);
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    store.epoch_deadline_callback(move || {
        // Three extensions of one tick, then stop.
        (seen.fetch_add(1, Ordering::Relaxed) < 3).then_some(1)
    });
    store.set_epoch_deadline(1);
    let stop = Arc::new(AtomicBool::new(false));
    let t = ticker(engine.clone(), Duration::from_millis(2), stop.clone());
    assert_interrupted(call(&mut store, inst, "spin", &[], 0));
    stop.store(true, Ordering::Relaxed);
    t.join().unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 4);
}

#[test]
fn a_panicking_callback_stops_the_call() {
    let engine = epoch_engine();
    let mut store = Store::new(&engine);
    let inst = instance(&mut store, SPIN);
    store.epoch_deadline_callback(|| panic!("the callback fails"));
    store.set_epoch_deadline(0);
    assert_interrupted(call(&mut store, inst, "spin", &[], 0));
}

#[test]
fn function_entries_check_the_deadline() {
    let engine = epoch_engine();
    let mut store = Store::new(&engine);
    let inst = instance(&mut store, SPIN);
    // No deadline yet: nothing stops.
    assert!(matches!(
        call(&mut store, inst, "leaf", &[], 1).unwrap()[0],
        Val::I32(7)
    ));
    // Deadline now: a function without loops stops at its entry.
    store.set_epoch_deadline(0);
    assert_interrupted(call(&mut store, inst, "leaf", &[], 1));
    engine.increment_epoch();
    assert_interrupted(call(&mut store, inst, "leaf", &[], 1));
    store.set_epoch_deadline(2);
    engine.increment_epoch();
    assert!(matches!(
        call(&mut store, inst, "leaf", &[], 1).unwrap()[0],
        Val::I32(7)
    ));
    engine.increment_epoch();
    assert_interrupted(call(&mut store, inst, "leaf", &[], 1));
}

#[test]
fn without_epoch_interruption_deadlines_do_nothing() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    let inst = instance(&mut store, SPIN);
    store.set_epoch_deadline(0);
    engine.increment_epoch();
    assert!(matches!(
        call(&mut store, inst, "leaf", &[], 1).unwrap()[0],
        Val::I32(7)
    ));
    // Code compiled with the checks is not loaded into an engine without
    // them, nor the other way round.
    let bytes = wat::parse_str(SPIN).unwrap();
    let with = Module::new(&epoch_engine(), &bytes).unwrap().serialize();
    let without = Module::new(&engine, &bytes).unwrap().serialize();
    assert!(Module::deserialize(&engine, &with).is_err());
    assert!(Module::deserialize(&epoch_engine(), &without).is_err());
    assert!(Module::deserialize(&engine, &without).is_ok());
}

/// The deadline builtin keeps every register (its stub saves them): a
/// loop whose every header check calls it (a callback that extends by 0
/// ticks) computes what it computes without epoch interruption, with
/// integer, float and vector values live across the calls.
#[test]
fn values_survive_the_deadline_builtin() {
    const WAT: &str = r#"(module
        (func (export "mix") (param $n i32) (result i64)
            (local $a i32) (local $b i64) (local $x f64) (local $y f32) (local $v v128)
            (local $i i32)
            (local.set $a (i32.const 7))
            (local.set $b (i64.const 11))
            (local.set $x (f64.const 1.5))
            (local.set $y (f32.const 2.25))
            (local.set $v (v128.const i32x4 1 2 3 4))
            (loop $l
                (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 31)) (local.get $i)))
                (local.set $b (i64.xor (i64.rotl (local.get $b) (i64.const 5)) (i64.extend_i32_u (local.get $a))))
                (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 1.0001)) (f64.const 0.5)))
                (local.set $y (f32.sub (local.get $y) (f32.const 0.125)))
                (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $a))))
                (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                    (local.get $n))))
            (i64.add (local.get $b)
                (i64.add (i64.trunc_sat_f64_s (local.get $x))
                    (i64.add (i64.trunc_sat_f32_s (local.get $y))
                        (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $v))))))))"#;
    let run = |engine: &Engine, every_check: bool| {
        let mut store = Store::new(engine);
        let calls = Arc::new(AtomicU32::new(0));
        if every_check {
            let seen = calls.clone();
            store.epoch_deadline_callback(move || {
                seen.fetch_add(1, Ordering::Relaxed);
                Some(0)
            });
            store.set_epoch_deadline(0);
        }
        let inst = instance(&mut store, WAT);
        let r = call(&mut store, inst, "mix", &[Val::I32(5000)], 1).expect("no trap");
        (r[0], calls.load(Ordering::Relaxed))
    };
    let (expected, _) = run(&Engine::default(), false);
    let (got, calls) = run(&epoch_engine(), true);
    assert!(calls > 5000, "the builtin ran at every check ({calls})");
    assert!(
        matches!((expected, got), (Val::I64(a), Val::I64(b)) if a == b),
        "{expected:?} {got:?}"
    );
}
