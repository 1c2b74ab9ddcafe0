//! Link the `tipdex` binary as a position-dependent executable on Linux (glibc).
//!
//! Why: every `tipdex search` is a fresh process, and a position-independent build of this
//! binary carries ~72k relative relocations that the dynamic loader applies at every start,
//! copying ~390 pages of `.data.rel.ro` on write (about 1.3 ms of a 15 ms search; BENCHMARKS.md,
//! issue 21). A non-PIE executable has those addresses fixed at link time. The cost is that the
//! executable's own code is not placed at a random address (shared libraries still are).
//! Only the final link of the binaries changes (`rustc-link-arg-bins`), so no dependency is
//! rebuilt, and tests, benches and the library are linked as before.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
