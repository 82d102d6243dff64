//! Out of memory is an error, never an abort: in a child process whose
//! address space is limited (RLIMIT_AS) to a little more than it uses,
//! instantiating a module whose memory cannot be reserved fails with a
//! message, a table that cannot grow gives -1, and the store and engine
//! stay usable.

use craneway::*;

/// Runs `f` in a forked child with at most `headroom` more bytes of
/// address space than the process has; the child's exit status (0 when
/// `f` returns true; a signal or abort is a failure).
fn in_limited_child(headroom: u64, f: fn() -> bool) -> i32 {
    // SAFETY: fork in a test binary with this one test; the child only
    // runs `f` and exits without returning into the harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: u64 = statm
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        // SAFETY: sysconf and setrlimit with a valid struct.
        let ok = unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE) as u64;
            let limit = pages * page + headroom;
            let rl = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_AS, &rl) == 0
        };
        let code = if ok && f() { 0 } else { 1 };
        // SAFETY: ends the child at once (no harness code runs in it).
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    status
}

fn child() -> bool {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    // Compiled while there is room (a small module).
    let bytes = wat::parse_str(
        r#"(module
            (table 1 funcref)
            (func (export "grow_table") (param i32) (result i32)
                (table.grow (ref.null func) (local.get 0))))"#,
    )
    .unwrap();
    let Ok(module) = Module::new(&engine, &bytes) else {
        eprintln!("child: the small module did not compile");
        return false;
    };
    let Ok(inst) = Instance::new(&mut store, &module, &[]) else {
        eprintln!("child: the module without a memory did not instantiate");
        return false;
    };
    // A memory reserves 6 GiB of address space: refused, with a message.
    let with_memory = wat::parse_str("(module (memory 1))").unwrap();
    let module = Module::new(&engine, &with_memory).unwrap();
    match Instance::new(&mut store, &module, &[]) {
        Err(e) if e.to_string().contains("reserve address space") => {}
        other => {
            eprintln!(
                "child: instantiation: {:?}",
                other.map(|_| ()).map_err(|e| e.to_string())
            );
            return false;
        }
    }
    // 10 million elements (80 MB) do not fit: -1, no abort.
    let grow = inst.get_func(&store, "grow_table").unwrap();
    let mut r = [Val::I32(0)];
    if grow
        .call(&mut store, &[Val::I32(9_999_999)], &mut r)
        .is_err()
        || !matches!(r[0], Val::I32(-1))
    {
        eprintln!("child: table.grow gave {:?}", r[0]);
        return false;
    }
    // Still usable.
    grow.call(&mut store, &[Val::I32(10)], &mut r).is_ok() && matches!(r[0], Val::I32(1))
}

#[test]
fn out_of_address_space_is_an_error_not_an_abort() {
    let status = in_limited_child(64 << 20, child);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed (status {status:#x})"
    );
}
