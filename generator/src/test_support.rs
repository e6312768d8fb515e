//! Helpers for the unit tests of several modules.

use std::path::Path;

/// A copy of the valid fixture site (`tests/fixtures/sites/valid`) in a temporary folder, for
/// tests that edit files or build into it.
pub fn copy_of_valid_site() -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sites/valid");
    let dir = tempfile::tempdir().unwrap();
    for entry in walkdir::WalkDir::new(&fixture) {
        let entry = entry.unwrap();
        let to = dir
            .path()
            .join(entry.path().strip_prefix(&fixture).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}
