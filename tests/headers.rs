//! The committed headers are exactly what build.rs generates now.

#[test]
fn committed_headers_match_generated() {
    let generated = std::path::Path::new(env!("CRANEWAY_GENERATED_INCLUDE"));
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    for name in ["wasm.h", "craneway.h"] {
        let fresh = std::fs::read_to_string(generated.join(name)).unwrap();
        let ours = std::fs::read_to_string(committed.join(name))
            .unwrap_or_else(|e| panic!("include/{name}: {e}"));
        assert!(
            fresh == ours,
            "include/{name} differs from the generated header; run `bash scripts/gen-headers` and commit"
        );
    }
}
