//! Build script: compiles the small C helper that enters wasm under `setjmp`
//! and keeps the per-thread activation pointer in an initial-exec TLS slot.

fn main() {
    println!("cargo:rerun-if-changed=src/vm/entry.c");
    cc::Build::new()
        .file("src/vm/entry.c")
        .opt_level(2)
        .flag_if_supported("-fno-omit-frame-pointer")
        .compile("craneway_entry");
}
