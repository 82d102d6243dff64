//! Build script:
//! - generates include/wasm.h and include/craneway.h: hand-written parts in
//!   src/capi/header/ around the function declarations cbindgen extracts
//!   from src/capi/. The headers go to $OUT_DIR/include; with
//!   CRANEWAY_BLESS_HEADERS=1 they are also written to include/ (see
//!   scripts/gen-headers). A test compares the two.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src/capi");
    println!("cargo:rerun-if-env-changed=CRANEWAY_BLESS_HEADERS");
    // A versioned soname, so installed programs bind to the ABI version; and
    // beside the library in the build directory (OUT_DIR is
    // <profile>/build/<pkg>/out) a link of that name, so programs linked
    // there run in place.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcraneway.so.0");
        let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
        if let Some(profile_dir) = out.ancestors().nth(3) {
            let link = profile_dir.join("libcraneway.so.0");
            if std::fs::symlink_metadata(&link).is_err() {
                let _ = std::os::unix::fs::symlink("libcraneway.so", &link);
            }
        }
    }

    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("include");
    std::fs::create_dir_all(&out).unwrap();
    let (wasm_fns, craneway_fns) = function_declarations(&root);
    let header = |name: &str, fns: &str| {
        let dir = root.join("src/capi/header");
        let prelude = std::fs::read_to_string(dir.join(format!("{name}_prelude.h"))).unwrap();
        let trailer = std::fs::read_to_string(dir.join(format!("{name}_trailer.h"))).unwrap();
        format!("{prelude}{fns}{trailer}")
    };
    let headers = [
        ("wasm.h", header("wasm", &wasm_fns)),
        ("craneway.h", header("craneway", &craneway_fns)),
    ];
    for (name, text) in &headers {
        std::fs::write(out.join(name), text).unwrap();
        if std::env::var("CRANEWAY_BLESS_HEADERS").as_deref() == Ok("1") {
            std::fs::create_dir_all(root.join("include")).unwrap();
            std::fs::write(root.join("include").join(name), text).unwrap();
        }
    }
    println!(
        "cargo:rustc-env=CRANEWAY_GENERATED_INCLUDE={}",
        out.display()
    );
}

/// The `extern "C"` functions of src/capi with their doc comments, split
/// into the standard's (listed in src/capi/header/standard-functions.txt)
/// and Craneway's (everything else).
/// Functions made by the capi macros are declared by the matching C macros
/// in the preludes instead.
fn function_declarations(root: &Path) -> (String, String) {
    let config = cbindgen::Config {
        language: cbindgen::Language::C,
        no_includes: true,
        usize_is_size_t: true,
        documentation: true,
        documentation_style: cbindgen::DocumentationStyle::C99,
        style: cbindgen::Style::Type,
        export: cbindgen::ExportConfig {
            item_types: vec![cbindgen::ItemType::Functions],
            ..Default::default()
        },
        function: cbindgen::FunctionConfig {
            prefix: Some("WASM_API_EXTERN".to_string()),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut text = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/capi/mod.rs"))
        .generate()
        .expect("cbindgen parses src/capi")
        .write(&mut text);
    let text = String::from_utf8(text).unwrap();
    let standard =
        std::fs::read_to_string(root.join("src/capi/header/standard-functions.txt")).unwrap();
    let standard: std::collections::HashSet<&str> = standard
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();

    // Split into items: each is its doc comment lines plus the declaration
    // up to its `;`.
    let (mut wasm, mut craneway) = (String::new(), String::new());
    let mut item = String::new();
    for line in text.lines() {
        if line.trim().is_empty() && item.is_empty() {
            continue;
        }
        item.push_str(line);
        item.push('\n');
        if !line.trim_start().starts_with("//") && line.trim_end().ends_with(';') {
            let decl: String = item
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            let name = decl
                .split('(')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .last()
                .unwrap_or("");
            let name = name.trim_start_matches('*');
            if standard.contains(name) {
                wasm.push_str(&item);
                wasm.push('\n');
            } else {
                craneway.push_str(&item);
                craneway.push('\n');
            }
            item.clear();
        }
    }
    (wasm, craneway)
}
