//! Everything the site is made of, from the library and the articles' bodies: the pages
//! ([`pages`], through the [`theme`]'s templates, with [`json_ld`]), the feeds and the bundle
//! ([`feeds`]) and the search index ([`search`]). Pure functions: [`crate::output`] writes.

pub mod feeds;
pub mod i18n;
pub mod json_ld;
pub mod pages;
pub mod search;
pub mod theme;
pub mod theme_ids;

pub use pages::{jobs, PageJob, Renderer, Views, HOME_CATEGORY_ARTICLES};
