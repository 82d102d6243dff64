//! Regressions of the compiler: code-generation bugs of Cranelift 0.112 that
//! WebAssembly 2.0 reaches on x86-64, each shown with the loaded value in
//! the last bytes of a one-page memory. Every module is compiled for the
//! host's CPU features, for the x86-64 baseline (SSE2 only: some of these
//! bugs showed only without SSSE3 or AVX) and with explicit bounds checks
//! (a small memory reservation), and run under each.

use craneway::*;

/// The engines every case runs under, with a name for messages.
fn engines() -> Vec<(&'static str, Engine)> {
    let mut baseline = Config::new();
    baseline.cpu_features(CpuFeatures::Baseline);
    let mut checked = Config::new();
    checked
        .memory_reservation(1 << 20)
        .expect("1 MiB is a valid reservation");
    vec![
        ("host", Engine::default()),
        (
            "baseline",
            Engine::new(&baseline).expect("baseline x86-64 engine"),
        ),
        (
            "bounds-checked",
            Engine::new(&checked).expect("checked engine"),
        ),
    ]
}

/// Runs export `name` of `wat` with `args` under every engine, then export
/// `read` (no arguments, `nres` results), and returns what `read` returned
/// under each. The functions under test store their result in memory
/// instead of returning it: a result used only by a store is what lets the
/// instruction selector fold the load into the operation, as the bugs need.
fn run_everywhere(wat: &str, name: &str, args: &[Val], read: &str, nres: usize) -> Vec<Vec<Val>> {
    let bytes = wat::parse_str(wat).expect("test module parses");
    engines()
        .into_iter()
        .map(|(what, engine)| {
            let mut store = Store::new(&engine);
            let module = Module::new(&engine, &bytes)
                .unwrap_or_else(|e| panic!("{what}: module does not compile: {e}"));
            let inst = Instance::new(&mut store, &module, &[])
                .unwrap_or_else(|e| panic!("{what}: module does not instantiate: {e}"));
            let f = inst.get_func(&store, name).expect("export exists");
            f.call(&mut store, args, &mut [])
                .unwrap_or_else(|e| panic!("{what}: {name} failed: {e}"));
            let r = inst.get_func(&store, read).expect("reader exists");
            let mut results = vec![Val::I32(0); nres];
            r.call(&mut store, &[], &mut results)
                .unwrap_or_else(|e| panic!("{what}: {read} failed: {e}"));
            results
        })
        .collect()
}

fn f64_of(v: &Val) -> f64 {
    match v {
        Val::F64(bits) => f64::from_bits(*bits),
        other => panic!("expected f64, got {other:?}"),
    }
}

fn f32_of(v: &Val) -> f32 {
    match v {
        Val::F32(bits) => f32::from_bits(*bits),
        other => panic!("expected f32, got {other:?}"),
    }
}

fn i32_of(v: &Val) -> i32 {
    match v {
        Val::I32(x) => *x,
        other => panic!("expected i32, got {other:?}"),
    }
}

fn i64_of(v: &Val) -> i64 {
    match v {
        Val::I64(x) => *x,
        other => panic!("expected i64, got {other:?}"),
    }
}

/// A one-page memory whose last 8 bytes hold -2.5 as an f64 and whose last
/// 4 bytes (of those) hold -1.5 as an f32 at 65532.
const LAST_BYTES: &str = r#"
  (memory 1)
  (data (i32.const 65528) "\00\00\00\00\00\00\04\c0")
  (func $f32_at_end (result f32) (f32.load offset=65532 (i32.const 0)))
  (func (export "read_f64") (result f64) (f64.load (i32.const 0)))
  (func (export "read_f32") (result f32) (f32.load (i32.const 0)))
  (func (export "read_i32") (result i32) (i32.load (i32.const 0)))
  (func (export "read_f64x2") (result f64 f64)
    (f64.load (i32.const 0)) (f64.load (i32.const 8)))
"#;

#[test]
fn copysign_of_a_load_at_the_end_of_memory_reads_only_its_bytes() {
    let wat = format!(
        r#"(module {LAST_BYTES}
  (func (export "f64_mag")
    (f64.store (i32.const 0) (f64.copysign (f64.load offset=65528 (i32.const 0)) (f64.const 0))))
  (func (export "f64_sign") (param f64)
    (f64.store (i32.const 0) (f64.copysign (local.get 0) (f64.load offset=65528 (i32.const 0)))))
  (func (export "f32_mag")
    (f32.store (i32.const 0) (f32.copysign (f32.load offset=65532 (i32.const 0)) (f32.const 0))))
  (func (export "f32_sign") (param f32)
    (f32.store (i32.const 0) (f32.copysign (local.get 0) (f32.load offset=65532 (i32.const 0))))))"#
    );
    for r in run_everywhere(&wat, "f64_mag", &[], "read_f64", 1) {
        assert_eq!(f64_of(&r[0]), 2.5);
    }
    for r in run_everywhere(&wat, "f64_sign", &[Val::F64(1f64.to_bits())], "read_f64", 1) {
        assert_eq!(f64_of(&r[0]), -1.0);
    }
    // The f32 at 65532 is the high half of -2.5: 0xc0040000 = -2.0625.
    for r in run_everywhere(&wat, "f32_mag", &[], "read_f32", 1) {
        assert_eq!(f32_of(&r[0]), 2.0625);
    }
    for r in run_everywhere(&wat, "f32_sign", &[Val::F32(3f32.to_bits())], "read_f32", 1) {
        assert_eq!(f32_of(&r[0]), -3.0);
    }
}

#[test]
fn f64x2_splat_of_a_load_at_the_end_of_memory_reads_only_its_bytes() {
    let wat = format!(
        r#"(module {LAST_BYTES}
  (func (export "splat")
    (v128.store (i32.const 0) (f64x2.splat (f64.load offset=65528 (i32.const 0))))))"#
    );
    for r in run_everywhere(&wat, "splat", &[], "read_f64x2", 2) {
        assert_eq!((f64_of(&r[0]), f64_of(&r[1])), (-2.5, -2.5));
    }
}

#[test]
fn f64x2_replace_lane_of_a_load_at_the_end_of_memory_reads_only_its_bytes() {
    let wat = format!(
        r#"(module {LAST_BYTES}
  (func (export "replace") (param v128)
    (v128.store (i32.const 0)
      (f64x2.replace_lane 1 (local.get 0) (f64.load offset=65528 (i32.const 0))))))"#
    );
    let seven = 7f64.to_bits() as u128;
    let arg = Val::V128(seven | (seven << 64));
    for r in run_everywhere(&wat, "replace", &[arg], "read_f64x2", 2) {
        assert_eq!((f64_of(&r[0]), f64_of(&r[1])), (7.0, -2.5));
    }
}

#[test]
fn float_comparisons_of_a_load_at_the_end_of_memory_read_only_its_bytes() {
    // Each comparison with the load on either side, as a value (not a branch).
    let mut funcs = String::new();
    for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
        funcs.push_str(&format!(
            r#"
  (func (export "f64.{op}.l") (param f64)
    (i32.store (i32.const 0) (f64.{op} (f64.load offset=65528 (i32.const 0)) (local.get 0))))
  (func (export "f64.{op}.r") (param f64)
    (i32.store (i32.const 0) (f64.{op} (local.get 0) (f64.load offset=65528 (i32.const 0)))))
  (func (export "f32.{op}.l") (param f32)
    (i32.store (i32.const 0) (f32.{op} (f32.load offset=65532 (i32.const 0)) (local.get 0))))
  (func (export "f32.{op}.r") (param f32)
    (i32.store (i32.const 0) (f32.{op} (local.get 0) (f32.load offset=65532 (i32.const 0)))))"#
        ));
    }
    let wat = format!("(module {LAST_BYTES} {funcs})");
    let expect = |op: &str, a: f64, b: f64| -> i32 {
        i32::from(match op {
            "eq" => a == b,
            "ne" => a != b,
            "lt" => a < b,
            "gt" => a > b,
            "le" => a <= b,
            _ => a >= b,
        })
    };
    for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
        for x in [-3.0f64, -2.5, 0.0, f64::NAN] {
            let arg = [Val::F64(x.to_bits())];
            for r in run_everywhere(&wat, &format!("f64.{op}.l"), &arg, "read_i32", 1) {
                assert_eq!(i32_of(&r[0]), expect(op, -2.5, x), "f64.{op} load, {x}");
            }
            for r in run_everywhere(&wat, &format!("f64.{op}.r"), &arg, "read_i32", 1) {
                assert_eq!(i32_of(&r[0]), expect(op, x, -2.5), "f64.{op} {x}, load");
            }
        }
        for x in [-3.0f32, -2.0625, 0.0, f32::NAN] {
            let arg = [Val::F32(x.to_bits())];
            let m = -2.0625f64;
            for r in run_everywhere(&wat, &format!("f32.{op}.l"), &arg, "read_i32", 1) {
                assert_eq!(
                    i32_of(&r[0]),
                    expect(op, m, f64::from(x)),
                    "f32.{op} load, {x}"
                );
            }
            for r in run_everywhere(&wat, &format!("f32.{op}.r"), &arg, "read_i32", 1) {
                assert_eq!(
                    i32_of(&r[0]),
                    expect(op, f64::from(x), m),
                    "f32.{op} {x}, load"
                );
            }
        }
    }
}

#[test]
fn vector_shifts_by_constants_compile_and_wrap_the_count() {
    let wat = r#"(module
  (memory 1)
  (func (export "read_i64") (result i64) (i64.load (i32.const 0)))
  (func (export "read_i32") (result i32) (i32.load (i32.const 0)))
  (func (export "i64x2") (param v128)
    (v128.store (i32.const 0)
      (i64x2.shr_s (i64x2.shl (local.get 0) (i32.const 96)) (i32.const 96))))
  (func (export "i64x2u") (param v128)
    (v128.store (i32.const 0)
      (i64x2.shr_u (i64x2.shl (local.get 0) (i32.const 96)) (i32.const 96))))
  (func (export "i32x4") (param v128)
    (v128.store (i32.const 0)
      (i32x4.shr_s (i32x4.shl (local.get 0) (i32.const 48)) (i32.const 48))))
  (func (export "i16x8") (param v128)
    (i32.store (i32.const 0) (i16x8.extract_lane_s 5
      (i16x8.shr_s (i16x8.shl (local.get 0) (i32.const 24)) (i32.const 24))))))"#;
    // Counts wrap modulo the lane width: 96 is 32 for i64, 48 is 16 for
    // i32, 24 is 8 for i16.
    // Every lane holds the same value.
    let splat =
        |lane: u128, bits: u32| (0..128 / bits).fold(0u128, |v, i| v | (lane << (i * bits)));
    let x: i64 = 0x1234_5678_9abc_def0;
    let vx = Val::V128(splat(x as u64 as u128, 64));
    for r in run_everywhere(wat, "i64x2", std::slice::from_ref(&vx), "read_i64", 1) {
        assert_eq!(i64_of(&r[0]), (x << 32) >> 32);
    }
    for r in run_everywhere(wat, "i64x2u", std::slice::from_ref(&vx), "read_i64", 1) {
        assert_eq!(i64_of(&r[0]), ((x << 32) as u64 >> 32) as i64);
    }
    let y: i32 = 0x1234_9abc;
    let vy = Val::V128(splat(y as u32 as u128, 32));
    for r in run_everywhere(wat, "i32x4", &[vy], "read_i32", 1) {
        assert_eq!(i32_of(&r[0]), (y << 16) >> 16);
    }
    for r in run_everywhere(wat, "i16x8", &[Val::V128(splat(0x12f3, 16))], "read_i32", 1) {
        assert_eq!(i32_of(&r[0]), i32::from(((0x12f3i16) << 8) >> 8));
    }
}

#[test]
fn operators_after_the_final_end_are_a_validation_error() {
    // (func) whose body is `end drop end`: one type, one function, one
    // body. A translator that ran ahead of validation would pop an empty
    // stack at the `drop`.
    let bytes: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: [] -> []
        0x03, 0x02, 0x01, 0x00, // function section
        0x0a, 0x06, 0x01, 0x04, 0x00, 0x0b, 0x1a, 0x0b, // code: end drop end
    ];
    for (what, engine) in engines() {
        match Module::new(&engine, bytes) {
            Ok(_) => panic!("{what}: a body with operators after its end compiled"),
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("operators remaining after end"),
                    "{what}: unexpected message {msg:?}"
                );
            }
        }
    }
}
