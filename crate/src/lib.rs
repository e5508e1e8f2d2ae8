//! # Ô Che — the classification core
//!
//! A Vietnamese-first classifier of page text and URLs for a child-safety
//! browser extension. The same code runs natively (the `oche` CLI) and in
//! WebAssembly (the extension's background).
//!
//! Data flow:
//!
//! ```text
//! lexicon files ─parse─▶ Entry ─▶ Matcher (Aho-Corasick, built once)
//! page blocks ─▶ Normalizer ─▶ exact + folded views ─▶ Matcher ─▶ scores ─▶ Profile ─▶ PageVerdict
//! URL ─▶ url::parse ─▶ host ─▶ DomainTable (zero-copy hashes) ─┐
//!                    └▶ words ─▶ URL Matcher ──────────────────┴▶ Profile ─▶ Verdict
//! ```
//!
//! Offsets everywhere are Unicode scalar values of the original input, end
//! exclusive.

pub mod category;
pub mod classify;
pub mod domains;
pub mod engine;
pub mod lexicon;
pub mod lz;
pub mod model;
pub mod names;
pub mod needles;
pub mod normalize;
pub mod pii;
pub mod profile;
pub mod sort;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use category::{Action, Category};
pub use classify::{
    BlockVerdict, CategoryScore, Classifier, PageState, PageVerdict, Reason, Settings, Span,
    UrlWhy, Verdict,
};
pub use domains::DomainTable;
pub use profile::Age;

/// The learned comment model shipped in `data/model/`.
pub fn builtin_model() -> model::Model {
    model::Model::from_bytes(include_bytes!("../data/model/offensive-vi.bin"))
        .expect("shipped model is valid")
}

/// The new-domain name models shipped in `data/model/names.bin` (empty if
/// the file has not been trained yet).
pub fn builtin_names() -> names::NameModels {
    names::NameModels::from_bytes(include_bytes!("../data/model/names.bin"))
        .expect("shipped name models are valid")
}

/// The domain table compiled from `data/domains/` at build time (native
/// builds only; the extension loads the same bytes from `domains.bin`).
#[cfg(not(target_arch = "wasm32"))]
pub fn builtin_domains() -> DomainTable {
    DomainTable::from_bytes(include_bytes!(concat!(env!("OUT_DIR"), "/domains.bin")).to_vec())
        .expect("build.rs writes a valid table")
}
