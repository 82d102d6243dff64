//! Runtime behaviours beyond the spec testsuite: traps and their
//! backtraces, stack exhaustion, host functions, nesting, resource release.

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
    // Proposals beyond WebAssembly 2.0 are rejected by default.
    let multi_memory = wat::parse_str("(module (memory 1) (memory 1))").unwrap();
    assert!(matches!(
        Module::new(&engine, &multi_memory),
        Err(Error::Invalid(_))
    ));
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
