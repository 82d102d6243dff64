//! The C API's call paths, driven from Rust: no heap allocation per call on
//! any path (checked and raw, host->wasm and wasm->host), traps and nesting
//! through the raw paths, and many threads calling at once.

use craneway::capi::engine::*;
use craneway::capi::externs::*;
use craneway::capi::func::*;
use craneway::capi::instance::*;
use craneway::capi::module::*;
use craneway::capi::refs::*;
use craneway::capi::trap::*;
use craneway::capi::types::*;
use craneway::capi::unchecked::*;
use craneway::capi::val::*;
use craneway::capi::vec::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::c_void;
use std::mem::MaybeUninit;

/// Counts allocations made by the current thread.
struct Counting;
thread_local!(static ALLOCS: Cell<usize> = const { Cell::new(0) });
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        System.realloc(p, l, n)
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(|c| c.get());
    f();
    ALLOCS.with(|c| c.get()) - before
}

const WAT: &str = r#"(module
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "empty"))
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  ;; calls the import n times, summing its results
  (func (export "call_host") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $host_add (local.get $acc) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    local.get $acc))"#;

struct Fixture {
    _engine: Box<wasm_engine_t>,
    _store: Box<wasm_store_t>,
    exports: wasm_extern_vec_t,
}

impl Fixture {
    fn new(host: impl FnOnce(&wasm_store_t, &wasm_functype_t) -> Box<wasm_func_t>) -> Fixture {
        let engine = wasm_engine_new().unwrap();
        let store = wasm_store_new(Some(&engine)).unwrap();
        let bytes = wat::parse_str(WAT).unwrap();
        let binary = WasmVec::from_vec(bytes);
        let module = wasm_module_new(Some(&store), Some(&binary)).unwrap();
        let ty = i32_i32_to_i32();
        let host = host(&store, &ty);
        let imports = WasmVec::from_vec(vec![
            wasm_func_as_extern_const(Some(&host)).map(|e| Box::new(e.clone()))
        ]);
        let mut trap = None;
        let instance =
            unsafe { wasm_instance_new(Some(&store), Some(&module), Some(&imports), &mut trap) }
                .unwrap_or_else(|| panic!("instantiation failed"));
        let mut exports = MaybeUninit::uninit();
        wasm_instance_exports(Some(&instance), Some(&mut exports));
        Fixture {
            _engine: engine,
            _store: store,
            exports: unsafe { exports.assume_init() },
        }
    }

    fn func(&self, i: usize) -> &wasm_func_t {
        let e = self.exports.as_slice()[i].as_deref().unwrap();
        wasm_extern_as_func_const(Some(e)).unwrap()
    }
}

fn i32_i32_to_i32() -> Box<wasm_functype_t> {
    let mut params = MaybeUninit::uninit();
    let p = [
        Some(wasm_valtype_new(WASM_I32).unwrap()),
        Some(wasm_valtype_new(WASM_I32).unwrap()),
    ];
    unsafe { wasm_valtype_vec_new(Some(&mut params), 2, p.as_ptr()) };
    std::mem::forget(p);
    let mut results = MaybeUninit::uninit();
    let r = [Some(wasm_valtype_new(WASM_I32).unwrap())];
    unsafe { wasm_valtype_vec_new(Some(&mut results), 1, r.as_ptr()) };
    std::mem::forget(r);
    unsafe {
        wasm_functype_new(
            Some(&mut params.assume_init()),
            Some(&mut results.assume_init()),
        )
        .unwrap()
    }
}

unsafe extern "C" fn std_add(
    args: *const wasm_val_vec_t,
    results: *mut wasm_val_vec_t,
) -> Option<Box<wasm_trap_t>> {
    let a = (*args).as_slice();
    let sum = a[0].of.i32.wrapping_add(a[1].of.i32);
    (*results).as_mut_slice()[0].of.i32 = sum;
    None
}

unsafe extern "C" fn raw_add(
    _env: *mut c_void,
    v: *mut wasm_val_raw_t,
    _len: usize,
) -> Option<Box<wasm_trap_t>> {
    (*v).i32 = (*v).i32.wrapping_add((*v.add(1)).i32);
    None
}

unsafe extern "C" fn caller_add(
    _env: *mut c_void,
    caller: *mut craneway_caller_t,
    v: *mut wasm_val_raw_t,
    _len: usize,
) -> Option<Box<wasm_trap_t>> {
    // No memory export: the lookup must fail without allocating.
    let mut data = std::ptr::null_mut();
    let mut size = 0;
    assert!(!craneway_caller_memory(
        caller.as_mut(),
        c"memory".as_ptr(),
        6,
        &mut data,
        &mut size
    ));
    (*v).i32 = (*v).i32.wrapping_add((*v.add(1)).i32);
    None
}

fn std_call(f: &wasm_func_t, a: i32, b: i32) -> i32 {
    let mut args = [wasm_val_t::i32(0), wasm_val_t::i32(0)];
    args[0].of.i32 = a;
    args[1].of.i32 = b;
    let args_vec = wasm_val_vec_t {
        size: 2,
        data: args.as_mut_ptr(),
    };
    let mut out = [wasm_val_t::i32(0)];
    let mut out_vec = wasm_val_vec_t {
        size: 1,
        data: out.as_mut_ptr(),
    };
    let trap = wasm_func_call(Some(f), Some(&args_vec), Some(&mut out_vec));
    assert!(trap.is_none());
    unsafe { out[0].of.i32 }
}

fn raw_call(f: &wasm_func_t, a: i32, b: i32) -> i32 {
    let mut v = [wasm_val_raw_t::ZERO; 2];
    v[0].i32 = a;
    v[1].i32 = b;
    let trap = unsafe { wasm_func_call_unchecked(Some(f), v.as_mut_ptr(), 2) };
    assert!(trap.is_none());
    unsafe { v[0].i32 }
}

// Export order: add, empty, div, call_host.
const ADD: usize = 0;
const DIV: usize = 2;
const CALL_HOST: usize = 3;

fn host_paths() -> Vec<(&'static str, Fixture)> {
    vec![
        (
            "wasm_func_new",
            Fixture::new(|s, t| wasm_func_new(Some(s), Some(t), Some(std_add)).unwrap()),
        ),
        (
            "wasm_func_new_unchecked",
            Fixture::new(|s, t| {
                wasm_func_new_unchecked(Some(s), Some(t), Some(raw_add), std::ptr::null_mut(), None)
                    .unwrap()
            }),
        ),
        (
            "craneway_func_new_with_caller",
            Fixture::new(|s, t| {
                craneway_func_new_with_caller(
                    Some(s),
                    Some(t),
                    Some(caller_add),
                    std::ptr::null_mut(),
                    None,
                )
                .unwrap()
            }),
        ),
    ]
}

#[test]
fn no_allocation_per_call_on_any_path() {
    for (name, fx) in host_paths() {
        let add = fx.func(ADD);
        let call_host = fx.func(CALL_HOST);
        // Warm up: lazily made per-thread state.
        assert_eq!(std_call(add, 1, 2), 3);
        assert_eq!(raw_call(add, 1, 2), 3);
        let n = allocations_during(|| {
            for i in 0..1000 {
                assert_eq!(std_call(add, i, 1), i + 1);
            }
        });
        assert_eq!(n, 0, "wasm_func_call allocated {n} times in 1000 calls");
        let n = allocations_during(|| {
            for i in 0..1000 {
                assert_eq!(raw_call(add, i, 1), i + 1);
            }
        });
        assert_eq!(
            n, 0,
            "wasm_func_call_unchecked allocated {n} times in 1000 calls"
        );
        // wasm -> host: one entry, 1000 host calls inside it.
        let mut v = [wasm_val_raw_t::ZERO; 1];
        v[0].i32 = 1;
        assert!(unsafe { wasm_func_call_unchecked(Some(call_host), v.as_mut_ptr(), 1) }.is_none());
        let n = allocations_during(|| {
            v[0].i32 = 1000;
            assert!(
                unsafe { wasm_func_call_unchecked(Some(call_host), v.as_mut_ptr(), 1) }.is_none()
            );
            assert_eq!(unsafe { v[0].i32 }, 1000);
        });
        assert_eq!(
            n, 0,
            "1000 calls to a {name} host function allocated {n} times"
        );
    }
}

#[test]
fn trap_in_raw_call_returns_trap_and_store_stays_usable() {
    let fx = Fixture::new(|s, t| wasm_func_new(Some(s), Some(t), Some(std_add)).unwrap());
    let div = fx.func(DIV);
    let mut v = [wasm_val_raw_t::ZERO; 2];
    v[0].i32 = 1;
    let trap = unsafe { wasm_func_call_unchecked(Some(div), v.as_mut_ptr(), 2) }.expect("a trap");
    let mut msg = MaybeUninit::uninit();
    wasm_trap_message(Some(&trap), Some(&mut msg));
    let mut msg = unsafe { msg.assume_init() };
    assert_eq!(msg.as_slice(), b"integer divide by zero\0");
    unsafe { wasm_byte_vec_delete(Some(&mut msg)) };
    let origin = wasm_trap_origin(Some(&trap)).expect("an origin frame");
    assert_eq!(wasm_frame_func_index(Some(&origin)), 3); // 1 import + add, empty, div
    assert_eq!(raw_call(fx.func(ADD), 40, 2), 42);
}

thread_local!(static NESTED: Cell<*const wasm_func_t> = const { Cell::new(std::ptr::null()) });

/// Host function `(a, b) -> a / (b - 1)`: calls the instance's `div`
/// through the raw path, answering -1 if it trapped.
unsafe extern "C" fn nested(
    _env: *mut c_void,
    v: *mut wasm_val_raw_t,
    _len: usize,
) -> Option<Box<wasm_trap_t>> {
    let div = &*NESTED.with(|c| c.get());
    let mut inner = [*v, *v.add(1)];
    inner[1].i32 -= 1;
    match wasm_func_call_unchecked(Some(div), inner.as_mut_ptr(), 2) {
        None => (*v).i32 = inner[0].i32,
        Some(_trap) => (*v).i32 = -1,
    }
    None
}

#[test]
fn nested_raw_calls_unwind_only_to_their_own_entry() {
    let fx = Fixture::new(|s, t| {
        wasm_func_new_unchecked(Some(s), Some(t), Some(nested), std::ptr::null_mut(), None).unwrap()
    });
    NESTED.with(|c| c.set(fx.func(DIV)));
    // raw call -> wasm `call_host(3)` -> host `nested(acc, 1)` three times
    // -> raw call -> wasm `div(acc, 0)`, which traps: each inner trap ends
    // at the inner entry, the host answers -1, and the outer call goes on.
    let call_host = fx.func(CALL_HOST);
    let mut v = [wasm_val_raw_t::ZERO; 1];
    v[0].i32 = 3;
    assert!(unsafe { wasm_func_call_unchecked(Some(call_host), v.as_mut_ptr(), 1) }.is_none());
    assert_eq!(unsafe { v[0].i32 }, -1);
    assert_eq!(raw_call(fx.func(ADD), 1, 1), 2);
}

#[test]
fn eight_threads_call_concurrently_with_checked_results() {
    let engine = wasm_engine_new().unwrap();
    let store = wasm_store_new(Some(&engine)).unwrap();
    let binary = WasmVec::from_vec(wat::parse_str(WAT).unwrap());
    let module = wasm_module_new(Some(&store), Some(&binary)).unwrap();
    let shared = wasm_module_share(Some(&module)).unwrap();
    let shared = &*shared as *const wasm_shared_module_t as usize;
    let engine_ptr = &*engine as *const wasm_engine_t as usize;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                // SAFETY (test): engine and shared module outlive the threads.
                let engine = unsafe { &*(engine_ptr as *const wasm_engine_t) };
                let shared = unsafe { &*(shared as *const wasm_shared_module_t) };
                let store = wasm_store_new(Some(engine)).unwrap();
                let module = wasm_module_obtain(Some(&store), Some(shared)).unwrap();
                let ty = i32_i32_to_i32();
                let host = wasm_func_new_unchecked(
                    Some(&store),
                    Some(&ty),
                    Some(raw_add),
                    std::ptr::null_mut(),
                    None,
                )
                .unwrap();
                let imports = WasmVec::from_vec(vec![
                    wasm_func_as_extern_const(Some(&host)).map(|e| Box::new(e.clone()))
                ]);
                let instance = unsafe {
                    wasm_instance_new(
                        Some(&store),
                        Some(&module),
                        Some(&imports),
                        std::ptr::null_mut(),
                    )
                }
                .unwrap();
                let mut exports = MaybeUninit::uninit();
                wasm_instance_exports(Some(&instance), Some(&mut exports));
                let exports = unsafe { exports.assume_init() };
                let e =
                    |i: usize| wasm_extern_as_func_const(exports.as_slice()[i].as_deref()).unwrap();
                let mut calls = 0u64;
                let mut i = t;
                while std::time::Instant::now() < deadline {
                    for _ in 0..1000 {
                        assert_eq!(raw_call(e(ADD), i, 7), i + 7);
                        assert_eq!(std_call(e(ADD), i, -7), i - 7);
                        i = i.wrapping_add(1);
                    }
                    let mut v = [wasm_val_raw_t::ZERO; 1];
                    v[0].i32 = 100;
                    assert!(unsafe {
                        wasm_func_call_unchecked(Some(e(CALL_HOST)), v.as_mut_ptr(), 1)
                    }
                    .is_none());
                    assert_eq!(unsafe { v[0].i32 }, 100);
                    calls += 2000;
                }
                calls
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(total >= 8 * 2000);
}
