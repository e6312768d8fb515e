//! The generator's integration tests: one test binary (the crate and its dependencies linked
//! once, not once per file), a module per area, and one shared [`support`] module.
//!
//! `markdown` and `pages` compare against snapshots in `snapshots/`: a missing or changed one
//! fails the test (in CI and locally; locally insta also writes the new output beside it as
//! `.snap.new`). Review with `cargo insta review`, or accept every change with
//! `INSTA_UPDATE=always cargo test -p generator` and read the diff before committing.

mod editors_kit;
mod i18n;
mod images;
mod languages;
mod markdown;
mod pages;
mod search;
mod search_vectors;
mod serve;
mod site;
mod support;
