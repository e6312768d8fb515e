//! The secret scrubber: never panics, is idempotent as documented, names each kind once, and
//! leaves text without a find untouched.
#![no_main]

use ask_fn::scrub::scrub;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let once = scrub(text);
    for (i, kind) in once.removed.iter().enumerate() {
        assert!(!once.removed[..i].contains(kind), "{kind:?} listed twice");
    }
    if once.removed.is_empty() {
        assert_eq!(once.text, text, "nothing found, yet the text changed");
    }
    let twice = scrub(&once.text);
    assert_eq!(twice.text, once.text, "scrub is not idempotent");
});
