//! A small bundle for tests, here once for kb-model's own tests and ask-fn's (which enable the
//! `fixtures` feature as a dev-dependency), so the two crates rank the same articles.

use crate::{Bundle, BundleArticle, Language, Risk, BUNDLE_FORMAT};

/// An article with the fields ranking reads; the rest are fixed.
pub fn article(
    slug: &str,
    title: &str,
    description: &str,
    tags: &[&str],
    risk: Risk,
    steps: &[&str],
) -> BundleArticle {
    BundleArticle {
        slug: slug.into(),
        language: Language::english(),
        url: format!("https://help.example.com/{slug}/"),
        title: title.into(),
        description: description.into(),
        category: "general".into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        risk,
        intro: String::new(),
        steps: steps.iter().map(|s| (*s).to_owned()).collect(),
        escalation: "Call us if it still fails.".into(),
        see_also: vec![],
        updated: "2026-01-01".into(),
        content_hash: "h".into(),
    }
}

/// A bundle of `articles` for help.example.com.
pub fn bundle(articles: Vec<BundleArticle>) -> Bundle {
    Bundle {
        format: BUNDLE_FORMAT,
        site_title: "Help".into(),
        base_url: "https://help.example.com".into(),
        company_name: "Acme IT".into(),
        company_phone: "+31 20 123 4567".into(),
        default_language: Language::english(),
        languages: vec![Language::english()],
        homes: Default::default(),
        articles,
    }
}

/// Five articles, English and Dutch, one of each risk at least: what the retrieval tests of
/// kb-model and ask-fn rank against.
pub fn sample() -> Bundle {
    bundle(vec![
        article(
            "printer-offline",
            "Printer shows as offline",
            "Your printer is offline or stopped printing.",
            &["printer", "printing"],
            Risk::Low,
            &["Turn the printer off and on.", "Check the cable."],
        ),
        article(
            "bitlocker-recovery",
            "BitLocker asks for a recovery key",
            "The laptop starts with a blue BitLocker screen.",
            &["bitlocker", "encryption"],
            Risk::High,
            &["Do not guess the key.", "Note the key ID shown."],
        ),
        article(
            "wifi-connect",
            "Laptop cannot connect to Wi-Fi",
            "The laptop will not connect to the wireless network.",
            &["wifi", "network"],
            Risk::Low,
            &[
                "Switch Wi-Fi off and on.",
                "Forget the network and reconnect.",
            ],
        ),
        article(
            "wachtwoord-vergeten",
            "Wachtwoord vergeten",
            "Je wachtwoord opnieuw instellen via de portal.",
            &["wachtwoord", "account"],
            Risk::Medium,
            &["Ga naar de portal.", "Kies 'wachtwoord vergeten'."],
        ),
        article(
            "vpn-verbinding",
            "VPN-verbinding valt steeds weg",
            "De VPN-verbinding verbreekt na een paar minuten.",
            &["vpn", "verbinding"],
            Risk::Medium,
            &["Herstart de VPN-app.", "Controleer de internetverbinding."],
        ),
    ])
}
