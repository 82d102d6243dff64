//! Runtime behaviours beyond the spec testsuite: traps and their
//! backtraces, stack exhaustion, host functions, nesting, resource release,
//! tail calls.

use craneway::*;

fn instantiate(store: &mut Store, wat: &str, imports: &[Extern]) -> Instance {
    let bytes = wat::parse_str(wat).expect("test module parses");
    let module = Module::new(store.engine(), &bytes).expect("test module compiles");
    Instance::new(store, &module, imports).expect("test module instantiates")
}

fn call(
    store: &mut Store,
    inst: Instance,
    name: &str,
    args: &[Val],
    nres: usize,
) -> Result<Vec<Val>, Error> {
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

fn trap_message(r: Result<Vec<Val>, Error>) -> String {
    match r {
        Err(Error::Trap(t)) => t.message().to_string(),
        Err(e) => panic!("expected a trap, got error {e}"),
        Ok(_) => panic!("expected a trap, call succeeded"),
    }
}

const TRAPS: &str = r#"
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $nop)
  (func $nop)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "unreachable") unreachable)
  (func (export "indirect") (param i32) local.get 0 call_indirect)
  (func (export "badsig") (param i32) (result i32) local.get 0 call_indirect (result i32))
  (func (export "trunc") (param f32) (result i32) local.get 0 i32.trunc_f32_s)
)"#;

#[test]
fn wasm_traps_carry_the_spec_messages() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TRAPS, &[]);
    let cases: &[(&str, Vec<Val>, usize, &str)] = &[
        (
            "div",
            vec![Val::I32(1), Val::I32(0)],
            1,
            "integer divide by zero",
        ),
        (
            "div",
            vec![Val::I32(i32::MIN), Val::I32(-1)],
            1,
            "integer overflow",
        ),
        (
            "load",
            vec![Val::I32(65535)],
            1,
            "out of bounds memory access",
        ),
        ("load", vec![Val::I32(-1)], 1, "out of bounds memory access"),
        ("unreachable", vec![], 0, "unreachable"),
        ("indirect", vec![Val::I32(5)], 0, "undefined element"),
        ("indirect", vec![Val::I32(1)], 0, "uninitialized element 1"),
        (
            "badsig",
            vec![Val::I32(0)],
            1,
            "indirect call type mismatch",
        ),
        (
            "trunc",
            vec![Val::f32(f32::NAN)],
            1,
            "invalid conversion to integer",
        ),
    ];
    for (name, args, nres, want) in cases {
        let msg = trap_message(call(&mut store, inst, name, args, *nres));
        assert_eq!(msg, *want, "calling {name}{args:?}");
    }
    // The store is still usable after every trap.
    let r = call(&mut store, inst, "div", &[Val::I32(7), Val::I32(2)], 1).unwrap();
    assert!(matches!(r[0], Val::I32(3)));
}

#[test]
fn trap_backtrace_names_the_frames() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module
            (func $inner (unreachable))
            (func $middle (call $inner))
            (func (export "outer") (call $middle)))"#,
        &[],
    );
    let f = inst.get_func(&store, "outer").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    let trap = err.trap().expect("a trap");
    let names: Vec<_> = trap.frames().iter().map(|f| f.func_name.clone()).collect();
    assert_eq!(
        names,
        vec![Some("inner".to_string()), Some("middle".to_string()), None],
        "{trap}"
    );
    let indices: Vec<_> = trap.frames().iter().map(|f| f.func_index).collect();
    assert_eq!(indices, vec![0, 1, 2]);
    assert!(trap.frames()[0].module_offset > 0);
}

const RECURSE: &str = r#"
(module
  (func $r (export "recurse") (param i64) (result i64)
    local.get 0 i64.const 1 i64.add call $r)
  (func (export "ok") (result i32) i32.const 7))"#;

fn recursion_exhausts_then_store_works() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, RECURSE, &[]);
    for _ in 0..3 {
        let msg = trap_message(call(&mut store, inst, "recurse", &[Val::I64(0)], 1));
        assert_eq!(msg, "call stack exhausted");
        let r = call(&mut store, inst, "ok", &[], 1).unwrap();
        assert!(matches!(r[0], Val::I32(7)));
    }
}

/// Runs `f` on a new thread with a stack of `stack` bytes, to its end.
fn on_thread(stack: usize, f: fn()) {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn unbounded_recursion_is_stack_exhaustion_on_main_test_thread() {
    recursion_exhausts_then_store_works();
}

#[test]
fn unbounded_recursion_is_stack_exhaustion_on_a_spawned_thread() {
    on_thread(4 << 20, recursion_exhausts_then_store_works);
}

#[test]
fn host_function_trap_and_panic_surface_as_traps() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    let failing = Func::new(&mut store, ty.clone(), |_, args, _| {
        Err(Trap::new(format!("host says no to {:?}", args[0])))
    });
    let panicking = Func::new(&mut store, ty.clone(), |_, _, _| panic!("boom"));
    let doubling = Func::new(&mut store, ty, |_, args, results| {
        let Val::I32(x) = args[0] else { unreachable!() };
        results[0] = Val::I32(x * 2);
        Ok(())
    });
    let wat = r#"(module
        (import "h" "f" (func $f (param i32) (result i32)))
        (func (export "call") (param i32) (result i32) local.get 0 call $f i32.const 1 i32.add))"#;
    for (host, expect) in [
        (failing, Err("host says no to I32(5)")),
        (panicking, Err("host function panicked: boom")),
        (doubling, Ok(11)),
    ] {
        let inst = instantiate(&mut store, wat, &[Extern::Func(host)]);
        let r = call(&mut store, inst, "call", &[Val::I32(5)], 1);
        match expect {
            Ok(v) => assert!(matches!(r.unwrap()[0], Val::I32(x) if x == v)),
            Err(m) => assert_eq!(trap_message(r), m),
        }
    }
}

#[test]
fn nested_host_wasm_calls_unwind_only_to_their_own_entry() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    // The host function calls back into the instance's "inner" export; a
    // trap there is caught by the host, which answers -1.
    let host = Func::new(&mut store, ty, |mut caller, args, results| {
        let inner = caller
            .get_export("inner")
            .and_then(Extern::into_func)
            .unwrap();
        let mut r = [Val::I32(0)];
        results[0] = match inner.call(&mut caller, args, &mut r) {
            Ok(()) => r[0],
            Err(e) => {
                assert_eq!(e.trap().unwrap().message(), "integer divide by zero");
                Val::I32(-1)
            }
        };
        Ok(())
    });
    let inst = instantiate(
        &mut store,
        r#"(module
            (import "h" "f" (func $f (param i32) (result i32)))
            (func (export "inner") (param i32) (result i32) i32.const 100 local.get 0 i32.div_u)
            (func (export "outer") (param i32) (result i32) local.get 0 call $f i32.const 1000 i32.add))"#,
        &[Extern::Func(host)],
    );
    let r = call(&mut store, inst, "outer", &[Val::I32(4)], 1).unwrap();
    assert!(matches!(r[0], Val::I32(1025)));
    let r = call(&mut store, inst, "outer", &[Val::I32(0)], 1).unwrap();
    assert!(matches!(r[0], Val::I32(999)));
}

#[test]
fn engine_and_module_are_shareable_and_store_can_move() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send::<Store>();

    let engine = Engine::default();
    let bytes = wat::parse_str(
        r#"(module (global $g (mut i32) (i32.const 0))
            (func (export "bump") (result i32)
              global.get $g i32.const 1 i32.add global.set $g global.get $g))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let module = module.clone();
            std::thread::spawn(move || {
                let mut store = Store::new(module.engine());
                let inst = Instance::new(&mut store, &module, &[]).unwrap();
                let f = inst.get_func(&store, "bump").unwrap();
                let mut r = [Val::I32(0)];
                for _ in 0..1000 {
                    f.call(&mut store, &[], &mut r).unwrap();
                }
                assert!(matches!(r[0], Val::I32(1000)));
                store
            })
        })
        .collect();
    // Stores come back to this thread and keep working here.
    for t in threads {
        let mut store = t.join().unwrap();
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let f = inst.get_func(&store, "bump").unwrap();
        let mut r = [Val::I32(0)];
        f.call(&mut store, &[], &mut r).unwrap();
        assert!(matches!(r[0], Val::I32(1)));
    }
}

#[test]
fn invalid_and_malformed_bytes_are_errors() {
    let engine = Engine::default();
    for bytes in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x01",
        b"not wasm at all",
        &wat::parse_str("(module (func (result i32) i64.const 0))").unwrap(),
    ] {
        match Module::new(&engine, bytes) {
            Err(Error::Invalid(msg)) => assert!(!msg.is_empty()),
            Err(e) => panic!("expected a validation error, got {e}"),
            Ok(_) => panic!("accepted {bytes:?}"),
        }
    }
    // Multiple memories are part of the default (3.0) features, and
    // rejected when exactly WebAssembly 2.0 is selected.
    let multi_memory = wat::parse_str("(module (memory 1) (memory 1))").unwrap();
    assert!(Module::new(&engine, &multi_memory).is_ok());
    let mut wasm2 = Config::new();
    wasm2
        .wasm_features(craneway::WasmFeatures::WASM2)
        .expect("2.0 is supported");
    let engine2 = Engine::new(&wasm2).expect("2.0 engine");
    assert!(matches!(
        Module::new(&engine2, &multi_memory),
        Err(Error::Invalid(_))
    ));
}

/// WebAssembly 3.0 lets a constant expression read any earlier immutable
/// global, defined ones included; 2.0 only imported ones. Without GC in this
/// build, the relaxation must not let GC types or operators in.
#[test]
fn constant_expressions_read_defined_globals_under_3_0_only() {
    let wat = r#"(module
        (global $a i32 (i32.const 40))
        (global $b i32 (i32.add (global.get $a) (i32.const 2)))
        (global (export "b") i32 (global.get $b))
        (memory 1)
        (data (global.get $a) "x")
        (table 41 funcref)
        (elem (offset (global.get $a)) func $seven)
        (func $seven (result i32) (i32.const 7))
        (func (export "ind") (result i32) (call_indirect (result i32) (i32.const 40)))
        (func (export "load") (result i32) (i32.load8_u (i32.const 40))))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let mut store = Store::new(&Engine::default());
    let module = Module::new(store.engine(), &bytes).expect("3.0 accepts it");
    let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
    let b = inst.get_global(&store, "b").expect("exported");
    assert!(matches!(b.get(&mut store), Val::I32(42)));
    let loaded = call(&mut store, inst, "load", &[], 1).unwrap();
    assert_eq!(i32_of(&loaded[0]), i32::from(b'x'));
    let seven = call(&mut store, inst, "ind", &[], 1).unwrap();
    assert_eq!(i32_of(&seven[0]), 7);

    let mut wasm2 = Config::new();
    wasm2
        .wasm_features(craneway::WasmFeatures::WASM2)
        .expect("2.0 is supported");
    match Module::new(&Engine::new(&wasm2).unwrap(), &bytes) {
        Err(Error::Invalid(msg)) => assert!(msg.contains("global.get"), "{msg}"),
        other => panic!("2.0 must refuse it, got {:?}", other.map(|_| ())),
    }

    // A mutable global stays unreadable, and GC constructs stay refused
    // even in a module that needs the relaxation.
    for bad in [
        "(module (global $m (mut i32) (i32.const 1)) (global i32 (global.get $m)))",
        "(module (type (struct)) (global $a i32 (i32.const 1)) (global i32 (global.get $a)))",
        "(module (global $a i32 (i32.const 1)) (global i32 (global.get $a)) \
           (global anyref (ref.null any)))",
        "(module (global $a i32 (i32.const 1)) (global i32 (global.get $a)) \
           (global externref (extern.convert_any (ref.null none))))",
        "(module (global $a i32 (i32.const 1)) (global i32 (global.get $a)) \
           (func (result i32) (i31.get_s (ref.i31 (i32.const 1)))))",
        "(module (global $a i32 (i32.const 1)) (global i32 (global.get $a)) \
           (func (local anyref)))",
    ] {
        let bytes = wat::parse_str(bad).unwrap();
        match Module::new(store.engine(), &bytes) {
            Err(Error::Invalid(msg)) => assert!(!msg.is_empty()),
            Err(e) => panic!("expected a validation error for {bad}, got {e}"),
            Ok(_) => panic!("accepted {bad}"),
        }
    }
}

/// FNV-1a, 64-bit: the checksum that ends a serialized module.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn corrupted_serialized_modules_are_refused_or_loaded_never_a_panic() {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat::parse_str(TRAPS).unwrap()).unwrap();
    let blob = module.serialize();
    assert!(Module::deserialize(&engine, &blob).is_ok());
    // Every byte changed in turn, with the checksum made to match, so the
    // reader sees each field (trap codes included) with a wrong value.
    let body = blob.len() - 8;
    let mut refused = 0;
    for i in 0..body {
        let mut bad = blob.clone();
        bad[i] ^= 0xff;
        let sum = fnv1a(&bad[..body]);
        bad[body..].copy_from_slice(&sum.to_le_bytes());
        let load = std::panic::AssertUnwindSafe(|| Module::deserialize(&engine, &bad));
        match std::panic::catch_unwind(load) {
            Ok(Ok(_)) => {}
            Ok(Err(_)) => refused += 1,
            Err(_) => panic!("byte {i}: deserialize panicked"),
        }
    }
    assert!(refused > 0);
}

#[test]
fn imports_are_type_checked_at_instantiation() {
    let mut store = Store::new(&Engine::default());
    let bytes = wat::parse_str(r#"(module (import "m" "f" (func (param i32))))"#).unwrap();
    let module = Module::new(store.engine(), &bytes).unwrap();
    let wrong = Func::new(&mut store, FuncType::new([ValType::I64], []), |_, _, _| {
        Ok(())
    });
    let err = Instance::new(&mut store, &module, &[Extern::Func(wrong)]).unwrap_err();
    assert!(
        matches!(&err, Error::Link(m) if m.contains("incompatible import type")),
        "{err}"
    );
    let err = Instance::new(&mut store, &module, &[]).unwrap_err();
    assert!(matches!(err, Error::Link(_)));
}

#[test]
fn memory_grow_past_max_returns_minus_one() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module (memory (export "m") 1 3)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
        &[],
    );
    let grow = |store: &mut Store, n| call(store, inst, "grow", &[Val::I32(n)], 1).unwrap()[0];
    assert!(matches!(grow(&mut store, 1), Val::I32(1)));
    assert!(matches!(grow(&mut store, 2), Val::I32(-1)));
    assert!(matches!(grow(&mut store, 1), Val::I32(2)));
    let mem = inst.get_memory(&store, "m").unwrap();
    assert_eq!(mem.size(&store), 3);
    assert_eq!(mem.data(&store).len(), 3 * 65536);
}

#[test]
fn unbounded_recursion_on_a_thread_with_a_small_stack() {
    // The thread's stack (256 KiB) is smaller than the wasm stack limit, so
    // the recursion runs into the thread's guard page instead of the limit.
    on_thread(256 << 10, recursion_exhausts_then_store_works);
}

#[test]
fn small_memory_reservation_bounds_checks_and_limits_growth() {
    let mut config = Config::new();
    config.memory_reservation(16 * 65536).unwrap();
    config.memory_guard_size(65536).unwrap();
    assert!(config.memory_reservation(1000).is_err());
    let mut store = Store::new(&Engine::new(&config).unwrap());
    let inst = instantiate(
        &mut store,
        r#"(module (memory (export "m") 1)
            (func (export "load") (param i32) (result i32) local.get 0 i32.load)
            (func (export "load_far") (param i32) (result i32) local.get 0 i32.load offset=100000)
            (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
        &[],
    );
    let load = |store: &mut Store, name, addr| call(store, inst, name, &[Val::I32(addr)], 1);
    assert!(matches!(
        load(&mut store, "load", 65532).unwrap()[0],
        Val::I32(0)
    ));
    assert_eq!(
        trap_message(load(&mut store, "load", 65533)),
        "out of bounds memory access"
    );
    assert_eq!(
        trap_message(load(&mut store, "load_far", 0)),
        "out of bounds memory access"
    );
    let grow = |store: &mut Store, n| call(store, inst, "grow", &[Val::I32(n)], 1).unwrap()[0];
    assert!(matches!(grow(&mut store, 15), Val::I32(1)));
    assert!(matches!(grow(&mut store, 1), Val::I32(-1)));
    assert!(matches!(
        load(&mut store, "load_far", 0).unwrap()[0],
        Val::I32(0)
    ));
    // A module whose memory needs more than the reservation cannot be instantiated.
    let big = wat::parse_str("(module (memory 17))").unwrap();
    let module = Module::new(store.engine(), &big).unwrap();
    assert!(Instance::new(&mut store, &module, &[]).is_err());
}

/// Runs `f` with rbx and r12-r15 (the callee-saved registers wasm code may
/// use) holding known values, and returns what they hold afterwards.
#[cfg(target_arch = "x86_64")]
fn registers_after(f: &mut dyn FnMut()) -> [u64; 5] {
    extern "C" fn run(f: *mut &mut dyn FnMut()) {
        // SAFETY: `f` points to the closure reference below, alive here.
        unsafe { (*f)() }
    }
    let mut f = f;
    let mut out = [0u64; 5];
    // SAFETY: the block saves and restores every register it sets and the
    // stack pointer, calls `run` with a 16-byte aligned stack, and writes
    // only `out`.
    unsafe {
        std::arch::asm!(
            "mov rax, rsp",
            "and rsp, -16",
            "push rax",
            "push r11",
            "push rbx",
            "push r12",
            "push r13",
            "push r14",
            "push r15",
            "sub rsp, 8",
            "mov rbx, 0x1111111111111111",
            "mov r12, 0x2222222222222222",
            "mov r13, 0x3333333333333333",
            "mov r14, 0x4444444444444444",
            "mov r15, 0x5555555555555555",
            "call r10",
            "add rsp, 8",
            "mov rax, qword ptr [rsp + 40]",
            "mov qword ptr [rax], rbx",
            "mov qword ptr [rax + 8], r12",
            "mov qword ptr [rax + 16], r13",
            "mov qword ptr [rax + 24], r14",
            "mov qword ptr [rax + 32], r15",
            "pop r15",
            "pop r14",
            "pop r13",
            "pop r12",
            "pop rbx",
            "add rsp, 8",
            "pop rsp",
            in("r10") run as extern "C" fn(*mut &mut dyn FnMut()),
            in("r11") out.as_mut_ptr(),
            in("rdi") &mut f as *mut &mut dyn FnMut(),
            clobber_abi("C"),
        );
    }
    out
}

#[test]
#[cfg(target_arch = "x86_64")]
fn traps_give_the_host_back_its_callee_saved_registers() {
    host_registers_survive_traps();
}

#[test]
#[cfg(target_arch = "x86_64")]
fn traps_give_back_registers_on_a_thread_with_a_small_stack() {
    // The recursions run into the thread's guard page (a fault at a push or
    // store) instead of a stack check.
    on_thread(256 << 10, host_registers_survive_traps);
}

#[cfg(target_arch = "x86_64")]
fn host_registers_survive_traps() {
    // Each export keeps seven values live across a call that traps, so the
    // compiled code holds them in callee-saved registers when it traps.
    let wat = r#"(module
      (import "host" "fail" (func $fail))
      (memory 1)
      (func $unreachable unreachable)
      (func $oob (drop (i32.load (i32.const 70000))))
      (func $deep (param i64) (result i64)
        (i64.add (local.get 0) (call $deep (i64.add (local.get 0) (i64.const 1)))))
      (func $keep (param $p i64) (param $which i32) (result i64)
        (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64) (local $f i64)
        (local.set $a (i64.mul (local.get $p) (i64.const 3)))
        (local.set $b (i64.mul (local.get $p) (i64.const 5)))
        (local.set $c (i64.mul (local.get $p) (i64.const 7)))
        (local.set $d (i64.mul (local.get $p) (i64.const 11)))
        (local.set $e (i64.mul (local.get $p) (i64.const 13)))
        (local.set $f (i64.mul (local.get $p) (i64.const 17)))
        (block $done
          (block $d3 (block $d2 (block $d1 (block $d0
            (br_table $d0 $d1 $d2 $d3 $done (local.get $which)))
            (call $unreachable) (br $done))
            (call $oob) (br $done))
            (drop (call $deep (local.get $p))) (br $done))
            (call $fail))
        (i64.add (local.get $a) (i64.add (local.get $b) (i64.add (local.get $c)
          (i64.add (local.get $d) (i64.add (local.get $e) (local.get $f)))))))
      (func (export "keep") (param i64 i32) (result i64)
        (call $keep (local.get 0) (local.get 1)))
      ;; $dive recurses keeping nothing; $saver keeps six values across a
      ;; call, so it saves callee-saved registers, and its frame is the
      ;; bigger one: its prologue's stack check is what fails, before its
      ;; saves, with no frame above it that saved those registers.
      (global $g (mut i64) (i64.const 3))
      (func $nothing)
      (func $saver (result i64)
        (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64) (local $f i64)
        (local.set $a (i64.mul (global.get $g) (i64.const 3)))
        (local.set $b (i64.mul (global.get $g) (i64.const 5)))
        (local.set $c (i64.mul (global.get $g) (i64.const 7)))
        (local.set $d (i64.mul (global.get $g) (i64.const 11)))
        (local.set $e (i64.mul (global.get $g) (i64.const 13)))
        (local.set $f (i64.mul (global.get $g) (i64.const 17)))
        (call $nothing)
        (i64.add (local.get $a) (i64.add (local.get $b) (i64.add (local.get $c)
          (i64.add (local.get $d) (i64.add (local.get $e) (local.get $f)))))))
      (func $dive (global.set $g (call $saver)) (call $dive))
      (func (export "dive") (call $dive)))"#;
    let mut store = Store::new(&Engine::default());
    let fail = Func::new(&mut store, FuncType::new([], []), |_, _, _| {
        Err(Trap::new("host says no"))
    });
    let inst = instantiate(&mut store, wat, &[Extern::Func(fail)]);
    let keep = inst.get_func(&store, "keep").unwrap();
    let expected = [
        0x1111111111111111u64,
        0x2222222222222222,
        0x3333333333333333,
        0x4444444444444444,
        0x5555555555555555,
    ];
    for (which, message) in [
        (0, "unreachable"),
        (1, "out of bounds memory access"),
        (2, "call stack exhausted"),
        (3, "host says no"),
    ] {
        let mut got = String::new();
        let regs = registers_after(&mut || {
            let mut r = [Val::I64(0)];
            let e = keep
                .call(
                    &mut store,
                    &[Val::I64(0x0123_4567), Val::I32(which)],
                    &mut r,
                )
                .unwrap_err();
            got = e.to_string();
        });
        assert!(got.contains(message), "case {which}: {got}");
        assert_eq!(regs, expected, "case {which}: registers after the trap");
        // The store still works.
        let mut r = [Val::I64(0)];
        let e = keep.call(&mut store, &[Val::I64(1), Val::I32(9)], &mut r);
        assert!(e.is_ok() && matches!(r[0], Val::I64(56)), "case {which}");
    }
    let dive = inst.get_func(&store, "dive").unwrap();
    let mut got = String::new();
    let regs = registers_after(&mut || {
        got = dive.call(&mut store, &[], &mut []).unwrap_err().to_string();
    });
    assert!(got.contains("call stack exhausted"), "{got}");
    assert_eq!(regs, expected, "registers after a failed stack check");
}

// ---- tail calls (`return_call`, `return_call_indirect`): constant native
// stack in deep mutual recursion, stack arguments, traps and backtraces
// after tail calls, tail calls to imported host and wasm functions ----

fn i32_of(v: &Val) -> i32 {
    match v {
        Val::I32(x) => *x,
        other => panic!("expected an i32, got {other:?}"),
    }
}

fn i64_of(v: &Val) -> i64 {
    match v {
        Val::I64(x) => *x,
        other => panic!("expected an i64, got {other:?}"),
    }
}

/// `even`/`odd` by mutual recursion, directly and through a table; each
/// step also carries an accumulator, so the calls are not all alike.
const EVEN_ODD: &str = r#"
(module
  (type $t (func (param i64 i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $even_i $odd_i)
  (func $even (export "even") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))
                              (i64.add (local.get $acc) (i64.const 2))))))
  (func $odd (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.sub (i64.const 0) (local.get $acc)))
      (else (return_call $even (i64.sub (local.get $n) (i64.const 1))
                               (i64.sub (local.get $acc) (i64.const 1))))))
  (func $even_i (export "even_indirect") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get $n) (i64.const 1))
              (i64.add (local.get $acc) (i64.const 2))
              (i32.const 1)))))
  (func $odd_i (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.sub (i64.const 0) (local.get $acc)))
      (else (return_call_indirect (type $t)
              (i64.sub (local.get $n) (i64.const 1))
              (i64.sub (local.get $acc) (i64.const 1))
              (i32.const 0))))))
"#;

/// What `even`/`even_indirect` of `EVEN_ODD` return for `n`.
fn even_odd_expected(n: i64) -> i64 {
    // Pairs of steps add 2 then subtract 1.
    let acc = (n / 2) + if n % 2 == 1 { 2 } else { 0 };
    if n % 2 == 0 {
        acc
    } else {
        -acc
    }
}

#[test]
fn ten_million_mutual_tail_calls_run_in_constant_stack() {
    // The default engine: a 512 KiB wasm stack, far less than ten million
    // frames would need.
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, EVEN_ODD, &[]);
    for name in ["even", "even_indirect"] {
        for n in [0i64, 1, 7, 10_000_000, 10_000_001] {
            let r = call(&mut store, inst, name, &[Val::I64(n), Val::I64(0)], 1)
                .unwrap_or_else(|e| panic!("{name}({n}): {e}"));
            assert_eq!(i64_of(&r[0]), even_odd_expected(n), "{name}({n})");
        }
    }
}

/// Tail calls between functions with many parameters (more than the
/// argument registers, so some are on the stack) and with none, starting
/// from an export without parameters and results, which the host may call
/// without a trampoline. The chain ends in a trap or a result.
const STACK_ARGS: &str = r#"
(module
  (type $many (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $many)
  (global $left (mut i64) (i64.const 0))
  (global $out (mut i64) (i64.const 0))
  (func $many (type $many)
    (if (i64.eqz (global.get $left))
      (then (return (i64.add (local.get 0) (i64.add (local.get 9) (local.get 19))))))
    (global.set $left (i64.sub (global.get $left) (i64.const 1)))
    (if (i64.eq (global.get $left) (i64.const 1000))
      (then (return_call $none)))
    (return_call_indirect (type $many)
      (i64.add (local.get 19) (i64.const 1)) (local.get 0) (local.get 1) (local.get 2)
      (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7) (local.get 8)
      (local.get 9) (local.get 10) (local.get 11) (local.get 12) (local.get 13)
      (local.get 14) (local.get 15) (local.get 16) (local.get 17) (local.get 18)
      (i32.const 0)))
  (func $none (result i64)
    (return_call $many
      (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
      (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10)
      (i64.const 11) (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15)
      (i64.const 16) (i64.const 17) (i64.const 18) (i64.const 19) (i64.const 20)))
  (func $trap_at_end (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (if (i64.eqz (global.get $left)) (then unreachable))
    (global.set $left (i64.sub (global.get $left) (i64.const 1)))
    (return_call $trap_at_end
      (local.get 21) (local.get 0) (local.get 1) (local.get 2) (local.get 3)
      (local.get 4) (local.get 5) (local.get 6) (local.get 7) (local.get 8)
      (local.get 9) (local.get 10) (local.get 11) (local.get 12) (local.get 13)
      (local.get 14) (local.get 15) (local.get 16) (local.get 17) (local.get 18)
      (local.get 19) (local.get 20)))
  (func (export "run") (param i64)
    (global.set $left (local.get 0))
    (global.set $out (call $none)))
  (func (export "start")
    (global.set $left (i64.const 100000))
    (return_call $none_to_out))
  (func $none_to_out
    (global.set $out (call $none)))
  (func (export "trap") (param i64)
    (global.set $left (local.get 0))
    (return_call $trap_at_end
      (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
      (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10)
      (i64.const 11) (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15)
      (i64.const 16) (i64.const 17) (i64.const 18) (i64.const 19) (i64.const 20)
      (i64.const 21) (i64.const 22)))
  (func (export "trap_no_params")
    (global.set $left (i64.const 50000))
    (return_call $trap_at_end
      (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
      (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10)
      (i64.const 11) (i64.const 12) (i64.const 13) (i64.const 14) (i64.const 15)
      (i64.const 16) (i64.const 17) (i64.const 18) (i64.const 19) (i64.const 20)
      (i64.const 21) (i64.const 22)))
  (func (export "out") (result i64) (global.get $out)))
"#;

/// What `$many` returns after `steps` tail calls that rotate its 20
/// arguments (1..=20 at first), adding 1 to the one that moves to the front.
fn many_expected(steps: u64, detour_at: Option<u64>) -> i64 {
    let mut args: Vec<i64> = (1..=20).collect();
    let mut left = steps;
    while left > 0 {
        left -= 1;
        if Some(left) == detour_at {
            args = (1..=20).collect();
            continue;
        }
        let last = args[19];
        args.rotate_right(1);
        args[0] = last + 1;
    }
    args[0] + args[9] + args[19]
}

#[test]
fn tail_calls_with_stack_arguments_keep_their_values() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, STACK_ARGS, &[]);
    for steps in [0u64, 1, 5, 999, 1001, 200_000] {
        call(&mut store, inst, "run", &[Val::I64(steps as i64)], 0).unwrap();
        let r = call(&mut store, inst, "out", &[], 1).unwrap();
        let detour = (steps > 1000).then_some(1000);
        assert_eq!(i64_of(&r[0]), many_expected(steps, detour), "{steps} steps");
    }
    // "start" has no parameters and no results and replaces its own frame
    // by one with stack arguments.
    call(&mut store, inst, "start", &[], 0).unwrap();
    let r = call(&mut store, inst, "out", &[], 1).unwrap();
    assert_eq!(i64_of(&r[0]), many_expected(100_000, Some(1000)));
}

#[test]
fn a_trap_after_tail_calls_with_stack_arguments_returns_to_the_host() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, STACK_ARGS, &[]);
    for _ in 0..3 {
        let msg = trap_message(call(&mut store, inst, "trap", &[Val::I64(1000)], 0));
        assert_eq!(msg, "unreachable");
        // The export without parameters or results that tail-calls: its
        // frame is replaced by ones with stack arguments, right below the
        // host's entry.
        let msg = trap_message(call(&mut store, inst, "trap_no_params", &[], 0));
        assert_eq!(msg, "unreachable");
        call(&mut store, inst, "run", &[Val::I64(3)], 0).unwrap();
        let r = call(&mut store, inst, "out", &[], 1).unwrap();
        assert_eq!(i64_of(&r[0]), many_expected(3, None));
    }
    // The same module, serialized and loaded again, still knows which
    // functions tail-call.
    let engine = store.engine().clone();
    let module = Module::new(&engine, &wat::parse_str(STACK_ARGS).unwrap()).unwrap();
    let loaded = Module::deserialize(&engine, &module.serialize()).unwrap();
    let mut store = Store::new(&engine);
    let inst = Instance::new(&mut store, &loaded, &[]).unwrap();
    let msg = trap_message(call(&mut store, inst, "trap_no_params", &[], 0));
    assert_eq!(msg, "unreachable");
}

#[test]
fn backtrace_after_tail_calls_omits_the_replaced_frames() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(
        &mut store,
        r#"(module
            (type $t (func (param i32)))
            (table 1 funcref)
            (elem (i32.const 0) $last)
            (func $last (param i32) (drop (i32.div_u (i32.const 1) (local.get 0))))
            (func $second (param i32) (return_call_indirect (type $t) (local.get 0) (i32.const 0)))
            (func $first (param i32) (return_call $second (local.get 0)))
            (func $caller (param i32) (call $first (local.get 0)) (nop))
            (func (export "outer") (param i32) (call $caller (local.get 0))))"#,
        &[],
    );
    let f = inst.get_func(&store, "outer").unwrap();
    let err = f.call(&mut store, &[Val::I32(0)], &mut []).unwrap_err();
    let trap = err.trap().expect("a trap");
    assert_eq!(trap.message(), "integer divide by zero");
    let names: Vec<_> = trap.frames().iter().map(|f| f.func_name.clone()).collect();
    assert_eq!(
        names,
        vec![Some("last".to_string()), Some("caller".to_string()), None],
        "{trap}"
    );
    let indices: Vec<_> = trap.frames().iter().map(|f| f.func_index).collect();
    assert_eq!(indices, vec![0, 3, 4]);
    // And it still works afterwards.
    f.call(&mut store, &[Val::I32(1)], &mut []).unwrap();
}

#[test]
fn tail_call_to_an_imported_host_function_reports_the_calling_instance() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I32], [ValType::I32]);
    // The host function reads global "id" of the instance that called it.
    let host = Func::new(&mut store, ty, |mut caller, args, results| {
        let id = caller
            .get_export("id")
            .and_then(Extern::into_global)
            .expect("the caller exports its id");
        let Val::I32(id) = id.get(&mut caller) else {
            unreachable!("id is an i32")
        };
        results[0] = Val::I32(i32_of(&args[0]) * 1000 + id);
        Ok(())
    });
    let wat = |id: i32| {
        format!(
            r#"(module
              (import "h" "f" (func $f (param i32) (result i32)))
              (global (export "id") i32 (i32.const {id}))
              (func $step (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                  (then (return_call $f (i32.const 7)))
                  (else (return_call $step (i32.sub (local.get 0) (i32.const 1))))))
              (func (export "run") (param i32) (result i32) (return_call $step (local.get 0)))
              (func (export "direct") (result i32) (return_call $f (i32.const 8))))"#
        )
    };
    let a = instantiate(&mut store, &wat(1), &[Extern::Func(host)]);
    let b = instantiate(&mut store, &wat(2), &[Extern::Func(host)]);
    for (inst, id) in [(a, 1), (b, 2)] {
        let r = call(&mut store, inst, "run", &[Val::I32(100_000)], 1).unwrap();
        assert_eq!(i32_of(&r[0]), 7000 + id);
        let r = call(&mut store, inst, "direct", &[], 1).unwrap();
        assert_eq!(i32_of(&r[0]), 8000 + id);
    }
}

#[test]
fn tail_call_to_a_host_function_that_fails_is_a_trap() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I32], []);
    let host = Func::new(&mut store, ty, |_, args, _| {
        Err(Trap::new(format!("no to {}", i32_of(&args[0]))))
    });
    let inst = instantiate(
        &mut store,
        r#"(module
          (import "h" "f" (func $f (param i32)))
          (func (export "run") (param i32) (return_call $f (local.get 0))))"#,
        &[Extern::Func(host)],
    );
    let msg = trap_message(call(&mut store, inst, "run", &[Val::I32(3)], 0));
    assert_eq!(msg, "no to 3");
}

#[test]
fn tail_calls_across_instances_run_in_constant_stack() {
    let mut store = Store::new(&Engine::default());
    // Two instances that tail-call each other through imports and a
    // shared table.
    let ping = instantiate(
        &mut store,
        r#"(module
          (type $t (func (param i32 i64) (result i64)))
          (table (export "table") 2 funcref)
          (func $ping (export "ping") (param i32 i64) (result i64)
            (if (result i64) (i32.eqz (local.get 0))
              (then (local.get 1))
              (else (return_call_indirect (type $t)
                      (i32.sub (local.get 0) (i32.const 1))
                      (i64.add (local.get 1) (i64.const 1))
                      (i32.const 1))))))"#,
        &[],
    );
    let table = ping
        .get_export(&store, "table")
        .and_then(Extern::into_table)
        .unwrap();
    let ping_f = ping.get_func(&store, "ping").unwrap();
    let pong = instantiate(
        &mut store,
        r#"(module
          (import "a" "ping" (func $ping (param i32 i64) (result i64)))
          (func $pong (export "pong") (param i32 i64) (result i64)
            (return_call $ping (local.get 0) (i64.mul (local.get 1) (i64.const 1)))))"#,
        &[Extern::Func(ping_f)],
    );
    let pong_f = pong.get_func(&store, "pong").unwrap();
    table
        .set(&mut store, 1, Val::FuncRef(Some(pong_f)))
        .unwrap();
    let r = call(
        &mut store,
        pong,
        "pong",
        &[Val::I32(5_000_000), Val::I64(0)],
        1,
    )
    .unwrap();
    assert_eq!(i64_of(&r[0]), 5_000_000);
}

/// A module whose `$f` recurses without end by ordinary calls, with
/// `extra` more i64 parameters, while its (never taken) `return_call` to a
/// function with `targs` i64 parameters makes its prologue grow its
/// argument area.
fn growing_recursion(extra: usize, targs: usize) -> String {
    let params = " i64".repeat(extra);
    let consts = " (i64.const 1)".repeat(extra);
    let targets = " i64".repeat(targs);
    let tconsts = " (i64.const 2)".repeat(targs);
    format!(
        r#"(module
          (func $target (param{targets}))
          (func $f (param i32{params})
            (if (i32.eqz (local.get 0)) (then (return_call $target{tconsts})))
            (call $f (i32.add (local.get 0) (i32.const 1)){consts}))
          (func (export "run") (call $f (i32.const 1){consts})))"#
    )
}

#[test]
fn overflow_in_prologues_that_grow_their_arguments_is_stack_exhaustion() {
    // A thread stack smaller than the wasm stack budget: the recursion runs
    // into the guard page, at whichever store of a prologue or call reaches
    // it first (the growing of the argument area among them, depending on
    // the frame sizes).
    on_thread(256 << 10, || {
        let mut store = Store::new(&Engine::default());
        for extra in [0, 1, 4, 9] {
            for targs in [8, 9, 12, 13, 16, 17, 24, 25, 40, 41] {
                let inst = instantiate(&mut store, &growing_recursion(extra, targs), &[]);
                let msg = trap_message(call(&mut store, inst, "run", &[], 0));
                assert_eq!(msg, "call stack exhausted", "{extra} {targs}");
            }
        }
    });
}

#[test]
fn tail_call_to_a_host_function_with_stack_arguments() {
    let mut store = Store::new(&Engine::default());
    let ty = FuncType::new([ValType::I64; 20], [ValType::I64]);
    // Weighs each argument by its position, so order matters.
    let host = Func::new(&mut store, ty, |_, args, results| {
        let sum = args
            .iter()
            .enumerate()
            .map(|(i, a)| (i as i64 + 1) * i64_of(a))
            .sum();
        results[0] = Val::I64(sum);
        Ok(())
    });
    let args: String = (0..20)
        .map(|i| format!(" (i64.add (local.get 0) (i64.const {i}))"))
        .collect();
    let inst = instantiate(
        &mut store,
        &format!(
            r#"(module
              (import "h" "f" (func $f (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                                             i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)))
              (func (export "run") (param i64) (result i64) (return_call $f{args})))"#
        ),
        &[Extern::Func(host)],
    );
    for x in [0i64, 5, -1000] {
        let r = call(&mut store, inst, "run", &[Val::I64(x)], 1).unwrap();
        let want: i64 = (0..20).map(|i| (i + 1) * (x + i)).sum();
        assert_eq!(i64_of(&r[0]), want);
    }
}

const TYPED_REFS: &str = r#"
(module
  (type $ii (func (param i32) (result i32)))
  (func $inc (type $ii) local.get 0 i32.const 1 i32.add)
  (func $other (param i64))
  (table $t (export "table") 2 (ref $ii) (ref.func $inc))
  (global $g (export "g") (ref $ii) (ref.func $inc))
  (global $gm (export "gm") (mut (ref null $ii)) (ref.null $ii))
  (elem declare func $other)
  (func (export "call") (param (ref null $ii)) (param i32) (result i32)
    local.get 1 local.get 0 call_ref $ii)
  (func (export "first") (param i32) (result i32)
    local.get 0 i32.const 0 table.get $t call_ref $ii)
  (func (export "other") (result funcref) ref.func $other)
)"#;

#[test]
fn call_ref_of_null_traps_with_null_function_reference() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TYPED_REFS, &[]);
    let r = call(
        &mut store,
        inst,
        "call",
        &[Val::FuncRef(None), Val::I32(1)],
        1,
    );
    assert_eq!(trap_message(r), "null function reference");
}

#[test]
fn typed_table_starts_filled_with_its_initialiser() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TYPED_REFS, &[]);
    let r = call(&mut store, inst, "first", &[Val::I32(41)], 1).unwrap();
    assert!(matches!(r[0], Val::I32(42)));
}

#[test]
fn typed_tables_and_globals_refuse_null_and_functions_of_other_types() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TYPED_REFS, &[]);
    let table = inst.get_table(&store, "table").unwrap();
    let other = call(&mut store, inst, "other", &[], 1).unwrap()[0];
    let inc = table.get(&mut store, 0).unwrap();
    assert!(table.set(&mut store, 1, Val::FuncRef(None)).is_err());
    assert!(table.set(&mut store, 1, other).is_err());
    table.set(&mut store, 1, inc).unwrap();
    let gm = inst.get_global(&store, "gm").unwrap();
    assert!(gm.set(&mut store, other).is_err());
    gm.set(&mut store, inc).unwrap();
    gm.set(&mut store, Val::FuncRef(None)).unwrap();
    // Calling with a function of another type is refused before the call.
    let f = inst.get_func(&store, "call").unwrap();
    let mut out = [Val::I32(0)];
    assert!(f.call(&mut store, &[other, Val::I32(1)], &mut out).is_err());
    f.call(&mut store, &[inc, Val::I32(1)], &mut out).unwrap();
    assert!(matches!(out[0], Val::I32(2)));
}

#[test]
fn typed_reference_imports_use_subtyping_with_the_right_variance() {
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TYPED_REFS, &[]);
    let g = Extern::Global(inst.get_global(&store, "g").unwrap());
    let gm = Extern::Global(inst.get_global(&store, "gm").unwrap());
    let table = Extern::Table(inst.get_table(&store, "table").unwrap());
    let engine = store.engine().clone();
    let link = |store: &mut Store, wat: &str, ext: Extern| {
        let module = Module::new(&engine, &wat::parse_str(wat).unwrap()).unwrap();
        Instance::new(store, &module, &[ext]).map(|_| ())
    };
    let ty = "(type $ii (func (param i32) (result i32)))";
    // Immutable globals are covariant: (ref $ii) <: (ref null $ii) <: funcref.
    for want in ["(ref $ii)", "(ref null $ii)", "funcref", "(ref func)"] {
        let wat = format!("(module {ty} (import \"m\" \"g\" (global {want})))");
        link(&mut store, &wat, g).unwrap_or_else(|e| panic!("{want}: {e}"));
    }
    let wat = format!("(module {ty} (import \"m\" \"g\" (global externref)))");
    assert!(link(&mut store, &wat, g).is_err());
    // Mutable globals are invariant.
    let wat = format!("(module {ty} (import \"m\" \"g\" (global (mut (ref null $ii)))))");
    link(&mut store, &wat, gm).unwrap();
    let wat = format!("(module {ty} (import \"m\" \"g\" (global (mut funcref))))");
    assert!(link(&mut store, &wat, gm).is_err());
    // Tables are invariant in their element type.
    let wat = format!("(module {ty} (import \"m\" \"t\" (table 2 (ref $ii))))");
    link(&mut store, &wat, table).unwrap();
    let wat = format!("(module {ty} (import \"m\" \"t\" (table 2 funcref)))");
    assert!(link(&mut store, &wat, table).is_err());
}

#[test]
fn concrete_reference_types_are_engine_wide() {
    // The same function type in two modules has one identity, so a
    // function of one module matches the other's `(ref $t)`.
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TYPED_REFS, &[]);
    let module = Module::new(
        store.engine(),
        &wat::parse_str(
            r#"(module (type $f (func (param i32) (result i32)))
                 (func (export "call") (param (ref $f)) (result i32)
                   i32.const 1 local.get 0 call_ref $f))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let other = Instance::new(&mut store, &module, &[]).unwrap();
    let inc = call(&mut store, inst, "first", &[Val::I32(0)], 1).unwrap();
    assert!(matches!(inc[0], Val::I32(1)));
    let table = inst.get_table(&store, "table").unwrap();
    let f = table.get(&mut store, 0).unwrap();
    let r = call(&mut store, other, "call", &[f], 1).unwrap();
    assert!(matches!(r[0], Val::I32(2)));
    let param = other.get_func(&store, "call").unwrap().ty(&store).params()[0];
    assert_eq!(param.as_ref().map(|r| r.nullable), Some(false));
    assert!(param.is_func_ref());
    assert!(param.matches(ValType::FUNCREF));
    assert!(!ValType::FUNCREF.matches(param));
}

#[test]
fn typed_host_functions_are_called_and_tail_called_through_references() {
    // A host function whose type has a (ref $t) parameter, reached by
    // call_ref and return_call_ref; its argument arrives as a function.
    let mut store = Store::new(&Engine::default());
    let inst = instantiate(&mut store, TYPED_REFS, &[]);
    let table = inst.get_table(&store, "table").unwrap();
    let elem_ty = table.ty(&store).element;
    let ty = FuncType::new([elem_ty], [ValType::I32]);
    let host = Func::new(&mut store, ty, move |mut caller, args, results| {
        let Val::FuncRef(Some(f)) = args[0] else {
            return Err(Trap::new("expected a function"));
        };
        let mut out = [Val::I32(0)];
        f.call(&mut caller, &[Val::I32(9)], &mut out)
            .map_err(|e| Trap::new(e.to_string()))?;
        results[0] = out[0];
        Ok(())
    });
    let wat = r#"(module
        (type $ii (func (param i32) (result i32)))
        (type $h (func (param (ref $ii)) (result i32)))
        (import "m" "h" (func $h (type $h)))
        (import "m" "t" (table 2 (ref $ii)))
        (elem declare func $h)
        (func (export "call") (result i32)
          i32.const 0 table.get 0 ref.func $h call_ref $h)
        (func (export "tail") (result i32)
          i32.const 0 table.get 0 ref.func $h return_call_ref $h))"#;
    let user = instantiate(&mut store, wat, &[Extern::Func(host), Extern::Table(table)]);
    for name in ["call", "tail"] {
        let r = call(&mut store, user, name, &[], 1).unwrap();
        assert!(matches!(r[0], Val::I32(10)), "{name}");
    }
}

/// A trap while instantiating (an active segment out of bounds) carries
/// the code and message the same trap has in a call.
#[test]
fn instantiation_traps_carry_their_codes() {
    let mut store = Store::new(&Engine::default());
    for (wat, code, message) in [
        (
            r#"(module (memory 1) (data (i32.const 65536) "x"))"#,
            TrapCode::MemoryOutOfBounds,
            "out of bounds memory access",
        ),
        (
            "(module (table 1 funcref) (func $f) (elem (i32.const 1) func $f))",
            TrapCode::TableOutOfBounds,
            "out of bounds table access",
        ),
    ] {
        let bytes = wat::parse_str(wat).unwrap();
        let module = Module::new(store.engine(), &bytes).unwrap();
        let err = Instance::new(&mut store, &module, &[]).unwrap_err();
        let trap = err.trap().expect("a trap");
        assert_eq!(trap.code(), Some(code), "{wat}");
        assert_eq!(trap.message(), message, "{wat}");
    }
}
