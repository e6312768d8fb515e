//! site.toml parsing: every problem points at a real place in the file.
#![no_main]

use std::path::Path;

use generator::config::SiteConfig;
use libfuzzer_sys::fuzz_target;
use tryfirst_fuzz::check_diagnostics;

fuzz_target!(|text: &str| {
    match SiteConfig::parse(Path::new("site.toml"), text) {
        Ok(config) => {
            assert!(
                !config.base_url.ends_with('/'),
                "base_url keeps no trailing slash"
            );
            assert!(
                config.base_url.starts_with("https://") || config.base_url.starts_with("http://")
            );
            assert!(!config.categories.is_empty());
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "a refusal says why");
            check_diagnostics(&problems, Path::new("site.toml"), text);
        }
    }
});
