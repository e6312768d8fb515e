//! An article (front matter + Markdown → HTML + diagnostics): whatever the file, parsing never
//! panics and every diagnostic points inside the file, at the line it quotes.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use generator::content::article::{parse, SourceFile};
use generator::images::{ImageSettings, Images};
use generator::config::SiteConfig;
use libfuzzer_sys::fuzz_target;
use tryfirst_fuzz::check_diagnostics;

/// The generator's unit-test `site.toml`: two categories, everything required set.
const SITE: &str = include_str!("../../tests/fixtures/unit-site.toml");

fn config() -> &'static SiteConfig {
    static CONFIG: OnceLock<SiteConfig> = OnceLock::new();
    CONFIG.get_or_init(|| SiteConfig::parse(Path::new("site.toml"), SITE).expect("valid site"))
}

/// Check-only images (no cache folder): a referenced image is looked up and reported, never
/// encoded, as in `tryfirst check`.
fn images() -> &'static Images {
    static IMAGES: OnceLock<Images> = OnceLock::new();
    IMAGES.get_or_init(|| {
        Images::new(
            Path::new("/nonexistent-site"),
            "default",
            ImageSettings::default(),
            None,
        )
    })
}

fuzz_target!(|text: &str| {
    let path = PathBuf::from("content/devices/printer-offline.md");
    let source = SourceFile {
        path: path.clone(),
        text: text.to_owned(),
    };
    let callouts = generator::content::markdown::CalloutLabels::default();
    let (_article, diagnostics) = parse(&source, config(), &callouts, images());
    check_diagnostics(&diagnostics, &path, text);
});
