//! `tryfirst serve`, the editor's live preview: the HTTP server ([`http`]), the watcher that
//! polls the site's files ([`watch`]), the session that keeps the parsed site between edits
//! and rebuilds only what an edit changed ([`session`]), and how it tells which pages an edit
//! can have changed ([`dirty`]).
//!
//! The session and the dirty tracking need no server: they build without the `serve` feature
//! (`examples/incremental.rs` times them).

mod derived;
pub mod dirty;
#[cfg(feature = "serve")]
mod http;
pub mod session;
#[cfg(feature = "serve")]
mod watch;

#[cfg(feature = "serve")]
pub use http::{serve, ServeError, ServeOptions};
