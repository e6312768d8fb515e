//! tryfirst's generator: Markdown articles with TOML front matter → a static help site.
//!
//! The folders are the pipeline's stages, in the order data flows through them:
//! - [`config`]: `site.toml`, read and checked;
//! - [`content`]: the article files ([`content::source`] is the only module that reads them),
//!   each parsed into an [`content::article::ArticleHead`] (front matter) and, when needed, a
//!   [`content::markdown::Body`];
//! - [`library`]: every head, cross-checked and indexed (lists, tags, See also, redirects);
//! - [`render`]: pages from the theme's templates, feeds, search index, bundle, JSON-LD;
//! - [`build`]: the two passes over the articles that run the stages above, and [`output`],
//!   the only module that writes;
//! - [`serve`]: the editor's preview, which keeps the parsed site between edits.
//!
//! Every stage reports problems as [`diagnostics::Diagnostic`]s with file, line and column.

pub mod build;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod editions;
pub mod images;
pub mod init;
pub mod library;
pub mod minify;
pub mod new;
pub mod output;
pub mod render;
pub mod serve;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod urls;
