//! The articles: their files ([`source`]), each file's front matter ([`front_matter`]) made
//! into an [`article::ArticleHead`], and its Markdown body ([`markdown`]). Everything here
//! concerns one article at a time; what needs all of them is the library's.

pub mod article;
pub mod front_matter;
pub mod markdown;
pub mod source;
