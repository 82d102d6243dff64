//! Creating and dropping many instances releases their memory. Alone in
//! its own test binary, so no other test's allocations move the numbers.

use craneway::*;

fn proc_status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn ten_thousand_instances_release_their_memory() {
    let engine = Engine::default();
    let bytes = wat::parse_str(
        r#"(module (memory (export "m") 1) (data (i32.const 0) "hi")
            (func (export "f") (result i32) i32.const 0 i32.load8_u))"#,
    )
    .unwrap();
    let module = Module::new(&engine, &bytes).unwrap();
    let run = |n: usize| {
        for _ in 0..n {
            let mut store = Store::new(&engine);
            let inst = Instance::new(&mut store, &module, &[]).unwrap();
            let f = inst.get_func(&store, "f").unwrap();
            let mut r = [Val::I32(0)];
            f.call(&mut store, &[], &mut r).unwrap();
            assert!(matches!(r[0], Val::I32(104)));
        }
    };
    run(100); // warm up allocator pools and lazily made thread state
    let (vm0, rss0) = (proc_status_kib("VmSize:"), proc_status_kib("VmRSS:"));
    run(10_000);
    let (vm1, rss1) = (proc_status_kib("VmSize:"), proc_status_kib("VmRSS:"));
    let limit = 64 * 1024;
    assert!(
        vm1 < vm0 + limit,
        "virtual size grew from {vm0} KiB to {vm1} KiB"
    );
    assert!(
        rss1 < rss0 + limit,
        "resident size grew from {rss0} KiB to {rss1} KiB"
    );
}
