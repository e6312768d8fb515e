//! tryfirst's generator: Markdown articles with TOML front matter → a static help site.
//!
//! Data flows one way: [`build::load`] reads and parses every front matter (in parallel),
//! [`library::Library`] cross-checks and indexes, [`render`] turns each body and page into HTML
//! (in parallel, one chunk of articles at a time, see [`build`]), and
//! [`output`] is the only module that writes. Every stage reports problems as
//! [`diagnostics::Diagnostic`]s with file, line and column.

pub mod article;
pub mod build;
pub mod config;
pub mod diagnostics;
pub mod feeds;
pub mod front_matter;
pub mod images;
pub mod init;
pub mod library;
pub mod markdown;
pub mod minify;
pub mod new;
pub mod output;
pub mod render;
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod session;
pub mod source;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod theme;
pub mod theme_ids;
mod toml_errors;
pub mod urls;
