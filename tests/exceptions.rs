//! Exception handling beyond the spec testsuite: exceptions reaching the
//! host, crossing host frames, tags across instances, serialized handler
//! tables, and many throws in one store.

use craneway::*;

fn instantiate(store: &mut Store, wat: &str, imports: &[Extern]) -> Instance {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(store.engine(), &bytes).expect("test module compiles");
    Instance::new(store, &module, imports).expect("test module instantiates")
}

fn call_i32(store: &mut Store, inst: Instance, name: &str, arg: i32) -> Result<i32, Error> {
    let f = inst.get_func(&*store, name).expect("export exists");
    let mut results = [Val::I32(0)];
    f.call(store, &[Val::I32(arg)], &mut results)?;
    match results[0] {
        Val::I32(v) => Ok(v),
        other => panic!("not an i32: {other:?}"),
    }
}

const THROWER: &str = r#"(module
    (tag $e (export "e") (param i32))
    (func $thrower (export "throw") (param i32) (result i32)
        local.get 0 throw $e)
    (func (export "catch") (param i32) (result i32)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                local.get 0 call $thrower))
        i32.const 100 i32.add)
    (func (export "trap-not-caught") (param i32) (result i32)
        (block $h
            (try_table (catch_all $h) unreachable))
        i32.const 7))"#;

#[test]
fn uncaught_exception_is_a_trap_saying_so() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, THROWER, &[]);
    let err = call_i32(&mut store, inst, "throw", 5).unwrap_err();
    let trap = err.trap().expect("a trap");
    assert_eq!(trap.code(), Some(TrapCode::UncaughtException));
    assert!(trap.is_exception());
    assert_eq!(trap.message(), "uncaught wasm exception");
    assert!(
        !trap.frames().is_empty(),
        "the throw site is in the backtrace"
    );
    // The store stays usable, and a caught exception returns normally.
    assert_eq!(call_i32(&mut store, inst, "catch", 5).unwrap(), 105);
    // A trap is never caught by a handler.
    let err = call_i32(&mut store, inst, "trap-not-caught", 0).unwrap_err();
    let trap = err.trap().expect("a trap");
    assert_eq!(trap.code(), Some(TrapCode::Unreachable));
    assert!(!trap.is_exception());
}

/// wasm -> host -> wasm throws -> the host passes the error on -> the outer
/// wasm catches it; or the host swallows it.
#[test]
fn exceptions_cross_host_frames_when_the_host_passes_them_on() {
    let mut store = Store::new(&Engine::default());
    let inner = instantiate(&mut store, THROWER, &[]);
    let tag = inner.get_tag(&store, "e").expect("tag export");
    let throw = inner.get_func(&store, "throw").unwrap();
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let host = Func::new(&mut store, ty, move |mut caller, args, results| {
        let mut r = [Val::I32(0)];
        match throw.call(&mut caller, args, &mut r) {
            Ok(()) => unreachable!("it throws"),
            // An odd argument: pass the exception on; even: swallow it.
            Err(e) => {
                let trap = e.trap().expect("a trap").clone();
                assert!(trap.is_exception());
                let Val::I32(x) = args[0] else { unreachable!() };
                if x % 2 == 1 {
                    return Err(trap);
                }
                results[0] = Val::I32(-1);
                Ok(())
            }
        }
    });
    let outer = instantiate(
        &mut store,
        r#"(module
            (import "h" "f" (func $f (param i32) (result i32)))
            (import "m" "e" (tag $e (param i32)))
            (tag $other (param i32))
            (func (export "outer") (param i32) (result i32)
                (block $h (result i32)
                    (try_table (result i32) (catch $other $h) (catch $e $h)
                        local.get 0 call $f))
                i32.const 1000 i32.add)
            (func (export "no-handler") (param i32) (result i32)
                local.get 0 call $f))"#,
        &[Extern::Func(host), Extern::Tag(tag)],
    );
    assert_eq!(call_i32(&mut store, outer, "outer", 3).unwrap(), 1003);
    assert_eq!(call_i32(&mut store, outer, "outer", 4).unwrap(), -1 + 1000);
    let err = call_i32(&mut store, outer, "no-handler", 5).unwrap_err();
    assert_eq!(
        err.trap().unwrap().code(),
        Some(TrapCode::UncaughtException)
    );
}

/// An instance whose export "f" calls host function `host` inside a
/// `try_table` with a `catch_all` (returning 1 when it catches).
fn catch_all_around(store: &mut Store, host: Func) -> Instance {
    instantiate(
        store,
        r#"(module
            (import "h" "f" (func $f (param i32) (result i32)))
            (func (export "f") (param i32) (result i32)
                (block $h (try_table (catch_all $h) local.get 0 call $f drop))
                i32.const 1))"#,
        &[Extern::Func(host)],
    )
}

#[test]
fn a_host_trap_is_not_an_exception() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let host = Func::new(&mut store, ty, |_, _, _| Err(Trap::new("host says no")));
    let inst = catch_all_around(&mut store, host);
    let err = call_i32(&mut store, inst, "f", 0).unwrap_err();
    assert_eq!(err.trap().unwrap().message(), "host says no");
}

#[test]
fn serialized_modules_keep_their_handler_tables() {
    let engine = Engine::default();
    let bytes = wat::parse_str(THROWER).unwrap();
    let blob = Module::new(&engine, &bytes).unwrap().serialize();
    let module = Module::deserialize(&engine, &blob).unwrap();
    let mut store = Store::new(&engine);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    assert_eq!(call_i32(&mut store, inst, "catch", 1).unwrap(), 101);
}

#[test]
fn tags_link_by_identity_and_type() {
    let mut store = Store::new(&Engine::default());
    let t1 = Tag::new(&mut store, &FuncType::new([ValType::I32], [])).unwrap();
    let t2 = Tag::new(&mut store, &FuncType::new([ValType::I32], [])).unwrap();
    let wat = r#"(module
        (import "m" "a" (tag $a (param i32)))
        (import "m" "b" (tag $b (param i32)))
        (func (export "f") (param i32) (result i32)
            (block $h (result i32)
                (try_table (result i32) (catch $b $h) local.get 0 throw $a))
            i32.const 10 i32.add))"#;
    // Same tag twice: caught through the alias.
    let inst = instantiate(&mut store, wat, &[Extern::Tag(t1), Extern::Tag(t1)]);
    assert_eq!(call_i32(&mut store, inst, "f", 1).unwrap(), 11);
    // Two tags of the same type are still different tags.
    let inst = instantiate(&mut store, wat, &[Extern::Tag(t1), Extern::Tag(t2)]);
    let err = call_i32(&mut store, inst, "f", 1).unwrap_err();
    assert_eq!(
        err.trap().unwrap().code(),
        Some(TrapCode::UncaughtException)
    );
    // A tag of another type does not link.
    let t3 = Tag::new(&mut store, &FuncType::new([ValType::I64], [])).unwrap();
    let bytes = wat::parse_str(wat).unwrap();
    let module = Module::new(store.engine(), &bytes).unwrap();
    let err = Instance::new(&mut store, &module, &[Extern::Tag(t1), Extern::Tag(t3)]).unwrap_err();
    assert!(matches!(&err, Error::Link(m) if m.contains("incompatible import type")));
    assert!(Tag::new(&mut store, &FuncType::new([], [ValType::I32])).is_err());
}

#[test]
fn many_throws_and_deep_unwinds_in_one_store() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module
            (tag $e (param i64 f64 v128))
            (func $deep (param i32)
                local.get 0
                if
                    local.get 0 i32.const 1 i32.sub call $deep
                else
                    i64.const 42 f64.const 1.5 v128.const i32x4 1 2 3 4 throw $e
                end)
            (func (export "loop") (param i32) (result i32) (local i32)
                (loop $l
                    (block $h (result i64 f64 v128)
                        (try_table (catch $e $h) i32.const 50 call $deep)
                        unreachable)
                    i32x4.extract_lane 3 local.get 1 i32.add local.set 1
                    drop drop
                    local.get 0 i32.const 1 i32.sub local.tee 0
                    br_if $l)
                local.get 1))"#,
        &[],
    );
    assert_eq!(call_i32(&mut store, inst, "loop", 10_000).unwrap(), 40_000);
}

/// An exception trap of one store returned by a host function of another
/// (even after the first store is gone) is that host function's failure,
/// never thrown into the second store.
#[test]
fn an_exception_of_another_store_is_not_thrown_on() {
    let engine = Engine::default();
    let trap = {
        let mut other = Store::new(&engine);
        let inst = instantiate(&mut other, THROWER, &[]);
        let err = call_i32(&mut other, inst, "throw", 1).unwrap_err();
        err.trap().unwrap().clone()
    };
    let mut store = Store::new(&engine);
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let host = Func::new(&mut store, ty, move |_, _, _| Err(trap.clone()));
    let inst = catch_all_around(&mut store, host);
    let err = call_i32(&mut store, inst, "f", 0).unwrap_err();
    assert_eq!(err.trap().unwrap().message(), "uncaught wasm exception");
}

/// Stack exhaustion under many handlers is a trap, not an exception, and
/// throwing from close to the stack limit works.
#[test]
fn exhaustion_under_handlers_and_throws_near_the_limit() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module
            (tag $e (param i32))
            (func $rec (export "rec") (param i32) (result i32)
                (block $h (result i32)
                    (try_table (result i32) (catch $e $h)
                        local.get 0 i32.const 1 i32.add call $rec))
                i32.const 1 i32.add)
            (func $down (export "down") (param i32) (result i32)
                local.get 0
                if (result i32)
                    local.get 0 i32.const 1 i32.sub call $down
                else
                    i32.const 9 throw $e
                end)
            (func (export "deep") (param i32) (result i32)
                (block $h (result i32)
                    (try_table (result i32) (catch $e $h)
                        local.get 0 call $down)))
            (func (export "probe") (param i32) (result i32)
                (block $h
                    (try_table (catch_all $h)
                        local.get 0 call $down return))
                i32.const -1))"#,
        &[],
    );
    let err = call_i32(&mut store, inst, "rec", 0).unwrap_err();
    assert_eq!(err.trap().unwrap().code(), Some(TrapCode::StackOverflow));
    // Find a depth close to the limit, then throw from there.
    let mut depth = 1000;
    while call_i32(&mut store, inst, "deep", depth * 2).is_ok() {
        depth *= 2;
    }
    assert_eq!(call_i32(&mut store, inst, "deep", depth).unwrap(), 9);
    assert_eq!(call_i32(&mut store, inst, "probe", depth).unwrap(), -1);
}

/// Objects a plain catch received are reused, so a throwing loop runs in
/// bounded memory; objects kept as exnref values count against a per-store
/// limit, past which `throw` traps.
#[test]
fn exception_objects_are_recycled_or_bounded() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module
            (tag $e (param i32))
            (func $t (param i32) local.get 0 throw $e)
            (func (export "plain") (param $n i32) (result i32) (local $c i32)
                (loop $l
                    (block $h (result i32)
                        (try_table (catch $e $h) local.get $n call $t)
                        unreachable)
                    drop
                    local.get $c i32.const 1 i32.add local.set $c
                    local.get $n i32.const 1 i32.sub local.tee $n br_if $l)
                local.get $c)
            (func (export "kept") (param $n i32) (result i32) (local $c i32)
                (loop $l
                    (block $h (result i32 exnref)
                        (try_table (catch_ref $e $h) local.get $n call $t)
                        unreachable)
                    drop drop
                    local.get $c i32.const 1 i32.add local.set $c
                    local.get $n i32.const 1 i32.sub local.tee $n br_if $l)
                local.get $c))"#,
        &[],
    );
    // More throws than the limit allows live objects (48 bytes each).
    let n = 6_000_000;
    assert_eq!(call_i32(&mut store, inst, "plain", n).unwrap(), n);
    let err = call_i32(&mut store, inst, "kept", n).unwrap_err();
    assert_eq!(
        err.trap().unwrap().message(),
        "too many live exception objects"
    );
    assert!(!err.trap().unwrap().is_exception());
}

/// Tail calls inside a `try_table` leave this function's handlers behind:
/// the callee replaces the frame, so its exception reaches the caller's
/// handlers, not the ones around the tail call. `call_ref` (not a tail
/// call) is caught like `call`.
const TAIL_CALLS: &str = r#"(module
    (tag $e (param i32))
    (type $t (func (param i32) (result i32)))
    (table $tab 1 funcref)
    (elem (table $tab) (i32.const 0) func $thrower)
    (table $tails 3 funcref)
    (elem (table $tails) (i32.const 0) func $rc $rci $rcr)
    (func $thrower (type $t) local.get 0 throw $e)
    (func (export "call_ref") (param i32) (result i32)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                local.get 0 ref.func $thrower call_ref $t))
        i32.const 100 i32.add)
    (func $rc (export "rc") (type $t)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                local.get 0 return_call $thrower))
        i32.const 100 i32.add)
    (func $rci (export "rci") (type $t)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                local.get 0 i32.const 0 return_call_indirect $tab (type $t)))
        i32.const 100 i32.add)
    (func $rcr (export "rcr") (type $t)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                local.get 0 ref.func $thrower return_call_ref $t))
        i32.const 100 i32.add)
    (func (export "outer") (param $which i32) (param $x i32) (result i32)
        (block $h (result i32)
            (try_table (result i32) (catch $e $h)
                local.get $x local.get $which call_indirect $tails (type $t)))
        i32.const 1000 i32.add))"#;

#[test]
fn tail_calls_in_a_try_table_are_not_caught_there() {
    let engine = Engine::default();
    let bytes = wat::parse_str(TAIL_CALLS).unwrap();
    let fresh = Module::new(&engine, &bytes).unwrap();
    // The same through a serialized module (tail callers and handler
    // tables both survive).
    let reloaded = Module::deserialize(&engine, &fresh.serialize()).unwrap();
    for module in [fresh, reloaded] {
        let mut store = Store::new(&engine);
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        assert_eq!(call_i32(&mut store, inst, "call_ref", 5).unwrap(), 105);
        for (which, name) in ["rc", "rci", "rcr"].into_iter().enumerate() {
            let err = call_i32(&mut store, inst, name, 5).unwrap_err();
            assert_eq!(
                err.trap().unwrap().code(),
                Some(TrapCode::UncaughtException),
                "{name}"
            );
            let outer = inst.get_func(&store, "outer").unwrap();
            let mut r = [Val::I32(0)];
            outer
                .call(&mut store, &[Val::I32(which as i32), Val::I32(7)], &mut r)
                .unwrap();
            assert!(matches!(r[0], Val::I32(1007)), "{name}: {:?}", r[0]);
        }
    }
}

/// `(ref exn)`, `exnref` and `(ref null noexn)`: exception references in
/// the typed-reference design, checked where values cross the API.
#[test]
fn exception_references_are_typed() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module
            (tag $e (param i32))
            (func (export "catch") (param i32) (result (ref exn))
                (local $x exnref)
                (block $h (result i32 exnref)
                    (try_table (catch_ref $e $h) local.get 0 throw $e)
                    unreachable)
                local.set $x drop local.get $x ref.as_non_null)
            (func (export "rethrow") (param (ref exn)) (result i32)
                (block $h (result i32)
                    (try_table (catch $e $h) local.get 0 throw_ref)
                    unreachable))
            (func (export "bottom") (result (ref null noexn)) ref.null noexn))"#,
        &[],
    );
    let non_null = ValType::Ref(RefType::new(false, HeapType::Exn));
    let catch = inst.get_func(&store, "catch").unwrap();
    assert_eq!(catch.ty(&store).results(), &[non_null]);
    let mut r = [Val::I32(0)];
    catch.call(&mut store, &[Val::I32(9)], &mut r).unwrap();
    let exn = r[0];
    assert!(matches!(exn, Val::ExnRef(Some(_))));
    assert_eq!(exn.ty(), ValType::EXNREF);
    assert!(exn.matches(&store, non_null));
    assert!(exn.matches(&store, ValType::EXNREF));
    assert!(!exn.matches(&store, ValType::FUNCREF));
    assert!(!exn.matches(&store, ValType::EXTERNREF));
    let noexn = ValType::Ref(RefType::new(true, HeapType::NoExn));
    assert!(!exn.matches(&store, noexn));
    let null = Val::ExnRef(None);
    assert!(null.matches(&store, ValType::EXNREF));
    assert!(null.matches(&store, noexn));
    assert!(!null.matches(&store, non_null));
    assert!(!null.matches(&store, ValType::FUNCREF));
    assert!(!Val::FuncRef(None).matches(&store, ValType::EXNREF));

    // The exception comes back through a `(ref exn)` parameter; a null
    // there is refused before wasm runs.
    let rethrow = inst.get_func(&store, "rethrow").unwrap();
    rethrow.call(&mut store, &[exn], &mut r).unwrap();
    assert!(matches!(r[0], Val::I32(9)));
    assert!(rethrow.call(&mut store, &[null], &mut r).is_err());
    assert!(rethrow
        .call(&mut store, &[Val::FuncRef(None)], &mut r)
        .is_err());

    let bottom = inst.get_func(&store, "bottom").unwrap();
    assert_eq!(bottom.ty(&store).results(), &[noexn]);
    bottom.call(&mut store, &[], &mut r).unwrap();
    assert!(matches!(r[0], Val::ExnRef(None)));
    assert_eq!(noexn.to_string(), "(ref null noexn)");
    assert_eq!(non_null.to_string(), "(ref exn)");
}

/// A `try_call` keeps values live across it in callee-saved registers (see
/// `compile::exception_call_signature`); after a catch they must hold what
/// the catching frame had, not what the frames in between or the thrower
/// put there. `run` catches a throw from `depth` frames down (every frame
/// keeping five values of its own live across its call), directly or
/// through a host function; `reference` computes the same without any
/// exception.
#[test]
fn values_live_across_a_call_survive_a_deep_throw_and_catch() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let passes_on = std::sync::Arc::new(std::sync::OnceLock::<Func>::new());
    let cell = passes_on.clone();
    let host = Func::new(&mut store, ty, move |mut caller, args, results| {
        // Calls the wasm `deep` again below this host frame, which throws;
        // passes the exception on to the wasm caller.
        let mut r = [Val::I32(0)];
        let deep = cell.get().expect("set before any call");
        match deep.call(&mut caller, args, &mut r) {
            Ok(()) => {
                results[0] = r[0];
                Ok(())
            }
            Err(e) => Err(e.trap().expect("a trap").clone()),
        }
    });
    let inst = instantiate(
        &mut store,
        r#"(module
            (import "h" "f" (func $host (param i32) (result i32)))
            (tag $e (param i32))
            ;; n > 0: recurse, keeping five values live across the call;
            ;; n = 0: throw 1000; n < 0: go through the host with -n - 1.
            (func $deep (export "deep") (param $n i32) (result i32)
                (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32)
                (if (i32.eqz (local.get $n)) (then (throw $e (i32.const 1000))))
                (if (i32.lt_s (local.get $n) (i32.const 0))
                    (then (return (call $host (i32.sub (i32.const -1) (local.get $n))))))
                (local.set $a (i32.mul (local.get $n) (i32.const 3)))
                (local.set $b (i32.xor (local.get $n) (i32.const 0x5a5a)))
                (local.set $c (i32.add (local.get $a) (local.get $b)))
                (local.set $d (i32.rotl (local.get $c) (i32.const 7)))
                (local.set $e (i32.mul (local.get $d) (local.get $n)))
                (call $deep (i32.sub (local.get $n) (i32.const 1)))
                (i32.add (local.get $a)) (i32.add (local.get $b)) (i32.add (local.get $c))
                (i32.add (local.get $d)) (i32.add (local.get $e)))
            (func $body (param $x i32) (param $depth i32) (param $throw i32) (result i32)
                (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32)
                (local $i i32) (local $sum i32)
                (local.set $a (i32.add (local.get $x) (i32.const 11)))
                (local.set $b (i32.mul (local.get $x) (i32.const 13)))
                (local.set $c (i32.xor (local.get $x) (i32.const 0x1234)))
                (local.set $d (i32.rotl (local.get $x) (i32.const 9)))
                (local.set $e (i32.sub (i32.const 77) (local.get $x)))
                (loop $l
                    (if (result i32) (local.get $throw)
                        (then
                            (block $h (result i32)
                                (try_table (result i32) (catch $e $h)
                                    (call $deep (local.get $depth)))))
                        (else (i32.const 1000)))
                    (local.set $sum (i32.add (local.get $sum)))
                    (local.set $a (i32.add (local.get $a) (local.get $e)))
                    (local.set $b (i32.xor (local.get $b) (local.get $a)))
                    (local.set $c (i32.add (local.get $c) (local.get $b)))
                    (local.set $d (i32.mul (local.get $d) (i32.const 3)))
                    (local.set $e (i32.add (local.get $e) (local.get $d)))
                    (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                        (i32.const 10))))
                (i32.add (local.get $sum) (local.get $a))
                (i32.add (local.get $b)) (i32.add (local.get $c))
                (i32.add (local.get $d)) (i32.add (local.get $e)))
            (func (export "run") (param i32 i32) (result i32)
                (call $body (local.get 0) (local.get 1) (i32.const 1)))
            (func (export "reference") (param i32 i32) (result i32)
                (call $body (local.get 0) (local.get 1) (i32.const 0))))"#,
        &[Extern::Func(host)],
    );
    passes_on
        .set(inst.get_func(&store, "deep").unwrap())
        .unwrap_or_else(|_| unreachable!());
    let call2 = |store: &mut Store, name: &str, x: i32, depth: i32| {
        let f = inst.get_func(&*store, name).unwrap();
        let mut r = [Val::I32(0)];
        f.call(store, &[Val::I32(x), Val::I32(depth)], &mut r)
            .expect("caught");
        match r[0] {
            Val::I32(v) => v,
            other => panic!("not an i32: {other:?}"),
        }
    };
    // Negative depths throw from below a host frame: -1 - depth frames of
    // wasm under the host function.
    for depth in [0, 1, 2, 5, 40, -1, -2, -6] {
        for x in [0, 1, -7, 123_456] {
            assert_eq!(
                call2(&mut store, "run", x, depth),
                call2(&mut store, "reference", x, depth),
                "x = {x}, depth = {depth}"
            );
        }
    }
}
