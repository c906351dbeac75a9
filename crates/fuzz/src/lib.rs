//! The fuzz targets, each a function of one input that panics on a finding: a panic, a 5xx
//! answer, a forged token, signature or SRP proof accepted. libFuzzer drives them from
//! `fuzz/` (nightly toolchain); the tests replay the saved corpus (`fuzz/corpus/<target>`) on
//! stable, so a regression shows in CI. `cargo run -p ironpool-fuzz -- seeds` writes the seed
//! inputs, generated from the API model's shapes.

pub mod filter;
pub mod import_csv;
pub mod jwt;
pub mod request;
pub mod seeds;
pub mod sigv4;
pub mod srp;

/// A fuzz target: its name (its corpus directory and libFuzzer binary) and its function.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    pub seeds: fn() -> Vec<(String, Vec<u8>)>,
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "request",
        run: request::run,
        seeds: seeds::request,
    },
    Target {
        name: "jwt",
        run: jwt::run,
        seeds: jwt::seeds,
    },
    Target {
        name: "srp",
        run: srp::run,
        seeds: srp::seeds,
    },
    Target {
        name: "sigv4",
        run: sigv4::run,
        seeds: sigv4::seeds,
    },
    Target {
        name: "filter",
        run: filter::run,
        seeds: filter::seeds,
    },
    Target {
        name: "import_csv",
        run: import_csv::run,
        seeds: import_csv::seeds,
    },
];

/// The repository's `fuzz/` directory.
pub fn fuzz_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}
