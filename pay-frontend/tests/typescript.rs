//! `src/types.d.ts` (the TypeScript declarations wasm-bindgen puts into the package) is what
//! the generator writes from the Rust types today. A native test: run it with
//! `cargo test -p pay-frontend --test typescript`; `PAY_UPDATE_TYPES=1` rewrites the file.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../examples/typescript.rs"]
mod generator;

#[test]
fn types_d_ts_is_generated_from_the_rust_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/types.d.ts");
    let generated = generator::generate();
    if std::env::var_os("PAY_UPDATE_TYPES").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "src/types.d.ts is stale: run `PAY_UPDATE_TYPES=1 cargo test -p pay-frontend --test typescript`"
    );
    for name in [
        "PaymentOptions",
        "PaymentResult",
        "PayConfig",
        "CurrencyInfo",
        "TransactionStatus",
    ] {
        assert!(generated.contains(name), "{name}");
    }
}
