//! Compiles the domain lists in `data/domains/` into the binary table that
//! the native CLI embeds (the extension build writes the same bytes to
//! `domains.bin` with `oche compile-domains`).

#[path = "src/domains.rs"]
#[allow(dead_code)]
mod domains;

fn main() {
    println!("cargo:rerun-if-changed=data/domains");
    for e in std::fs::read_dir("data/domains")
        .expect("data/domains")
        .flatten()
    {
        println!("cargo:rerun-if-changed={}", e.path().display());
    }
    let (bytes, _) = domains::compile_dir(std::path::Path::new("data/domains"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("domains.bin");
    std::fs::write(out, bytes).unwrap();
}
