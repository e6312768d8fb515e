//! Email addresses: parsed once at the edge into a type that cannot hold an invalid value.

use sha2::{Digest, Sha256};

/// A syntactically plausible address, trimmed and lower-cased.
///
/// We do not try to implement RFC 5322: the form needs an address a person can be emailed at,
/// and a reply is the real test. We refuse what is certainly wrong and keep the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Please enter your email address.")]
    Empty,
    #[error("That email address looks incomplete. Please check it (like name@company.com).")]
    Invalid,
    #[error("That email address is too long.")]
    TooLong,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let address = raw.trim().to_lowercase();
        if address.is_empty() {
            return Err(EmailError::Empty);
        }
        if address.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = address.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if local_ok && domain_ok {
            Ok(Self(address))
        } else {
            Err(EmailError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity the quota counts: `+tags` removed, so `ann+1@x.com` and `ann+2@x.com` share
    /// one allowance. (Dots in Gmail addresses are left alone: that rule is Gmail's, not email's.)
    pub fn quota_identity(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let local = local.split('+').next().unwrap_or(local);
        format!("{local}@{domain}")
    }
}

/// `address` as the team should see it: the domain in ASCII (punycode, `xn--…`), so a
/// look-alike such as `аcme.com` (Cyrillic `а`) cannot pass for `acme.com` in a notification.
/// A domain IDNA refuses is shown as `[invalid domain]`. The visitor typed the address and
/// nobody has verified it: display it as a claim, not an identity.
pub fn display_address(address: &str) -> String {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address.to_owned();
    };
    match idna::domain_to_ascii(domain) {
        Ok(ascii) if !ascii.is_empty() => format!("{local}@{ascii}"),
        _ => format!("{local}@[invalid domain]"),
    }
}

/// `address` in the form mail systems accept in headers (SES's Reply-To among them): the
/// domain in punycode. `None` when the part before `@` is not ASCII: that needs SMTPUTF8,
/// which SES does not offer, so such an address cannot be a Reply-To at all.
pub fn ascii_address(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    if !local.is_ascii() {
        return None;
    }
    let domain = idna::domain_to_ascii(domain).ok()?;
    (!domain.is_empty()).then(|| format!("{local}@{domain}"))
}

/// A salted SHA-256, hex: how emails and IPs appear in keys and logs. The salt (from the
/// environment) keeps the hashes from being reversed by hashing guesses.
pub fn pseudonym(salt: &str, kind: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update([0]);
    hasher.update(kind.as_bytes());
    hasher.update([0]);
    hasher.update(value.as_bytes());
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse("  Ann.Smith@Example.COM ").unwrap().as_str(),
            "ann.smith@example.com"
        );
        assert_eq!(
            Email::parse("a+b@sub.example.nl").unwrap().as_str(),
            "a+b@sub.example.nl"
        );
        assert_eq!(
            Email::parse("jürgen@müller.de").unwrap().as_str(),
            "jürgen@müller.de"
        );
    }

    #[test]
    fn domains_are_shown_in_punycode() {
        // `аcme.com` with a Cyrillic `а` looks like acme.com; punycode shows it is not.
        assert_eq!(display_address("jo@\u{430}cme.com"), "jo@xn--cme-5cd.com");
        assert_eq!(
            display_address("jürgen@müller.de"),
            "jürgen@xn--mller-kva.de"
        );
        assert_eq!(display_address("ann@example.com"), "ann@example.com");
        assert_eq!(
            ascii_address("ann@müller.de").as_deref(),
            Some("ann@xn--mller-kva.de")
        );
        assert_eq!(
            ascii_address("jürgen@example.com"),
            None,
            "SES has no SMTPUTF8"
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "ann@exa mple.com",
            ".ann@example.com",
            "an..n@example.com",
            "ann@-x.com",
            "ann@example.123",
            "a<b>@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(250))),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn plus_tags_share_one_quota_identity() {
        let a = Email::parse("ann+1@example.com").unwrap();
        let b = Email::parse("ANN+xyz@example.com").unwrap();
        assert_eq!(a.quota_identity(), "ann@example.com");
        assert_eq!(a.quota_identity(), b.quota_identity());
    }

    #[test]
    fn pseudonyms_depend_on_salt_and_kind() {
        let a = pseudonym("salt", "email", "ann@example.com");
        assert_eq!(a.len(), 32);
        assert_eq!(a, pseudonym("salt", "email", "ann@example.com"));
        assert_ne!(a, pseudonym("other", "email", "ann@example.com"));
        assert_ne!(a, pseudonym("salt", "ip", "ann@example.com"));
        assert!(!a.contains("ann"));
    }
}
