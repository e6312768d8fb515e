//! The generator's integration tests: one test binary (the crate and its dependencies linked
//! once, not once per file), a module per area, and one shared [`support`] module.

mod editors_kit;
mod images;
mod search_vectors;
mod serve;
mod site;
mod support;
