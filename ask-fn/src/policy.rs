//! The safety floor the server puts under every verdict, whatever the model said.
//!
//! Why: the prompt asks a model to be careful, but a model can be wrong or talked round by the
//! visitor's text. What the visitor is told about risk must not rest on that, so after advice
//! comes back two rules are applied in code:
//!
//! - an article whose `risk` is `high` never yields `diy` (at least `careful`);
//! - a question that carries an incident signal (a ransom note, "hacked", a stolen laptop, a
//!   password typed into a fake page, MFA prompts nobody asked for, … in English or Dutch)
//!   always yields `bring_us_in`, and the answer opens with the company's phone number.
//!
//! Verdict definitions (also in the prompt and docs/ask-api.md): the verdict is the riskiest
//! action the advice asks the visitor to take. `diy` = only reversible actions a non-admin takes
//! on their own device or account; `careful` = reversible but can disrupt work or data;
//! `bring_us_in` = anything irreversible, admin-level, a possible security incident, data at
//! risk, or unclear.
//!
//! Pure: text and levels in, a decision out.

use kb_model::Risk;

use crate::llm::Verdict;

/// One kind of incident the question can signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incident {
    Ransomware,
    Hacked,
    StolenDevice,
    PhishedCredentials,
    UnexpectedMfaPrompts,
    SuspiciousSignIn,
    Malware,
    RemoteAccessScam,
    Fraud,
    PaymentFraud,
    MisdirectedEmail,
}

impl Incident {
    pub fn as_str(self) -> &'static str {
        match self {
            Incident::Ransomware => "ransomware",
            Incident::Hacked => "hacked",
            Incident::StolenDevice => "stolen_device",
            Incident::PhishedCredentials => "phished_credentials",
            Incident::UnexpectedMfaPrompts => "unexpected_mfa_prompts",
            Incident::SuspiciousSignIn => "suspicious_sign_in",
            Incident::Malware => "malware",
            Incident::RemoteAccessScam => "remote_access_scam",
            Incident::Fraud => "fraud",
            Incident::PaymentFraud => "payment_fraud",
            Incident::MisdirectedEmail => "misdirected_email",
        }
    }
}

/// A rule: the incident is signalled when, for every group, one of its phrases starts a word of
/// the normalised question ("ransom" matches "ransomware"; "gehack" matches "gehackt").
struct Rule {
    incident: Incident,
    all_of: &'static [&'static [&'static str]],
}

const ACTION: &[&str] = &[
    "clicked",
    "click on",
    "klikte",
    "geklikt",
    "aangeklikt",
    "opened",
    "geopend",
    "typed",
    "entered",
    "filled in",
    "ingevuld",
    "ingetypt",
    "ingevoerd",
    "gave my",
    "gegeven",
    "scanned",
    "gescand",
];

const RULES: &[Rule] = &[
    Rule {
        incident: Incident::Ransomware,
        all_of: &[&[
            "ransom",
            "losgeld",
            "gijzelsoftware",
            "cryptolocker",
            "files are encrypted",
            "files encrypted",
            "files have been encrypted",
            "bestanden zijn versleuteld",
            "bestanden versleuteld",
            "decryptor",
            "bitcoin",
        ]],
    },
    Rule {
        incident: Incident::Hacked,
        all_of: &[&[
            "hacked",
            "hacker",
            "gehack",
            "compromised",
            "gecompromitteerd",
            "account takeover",
            "overgenomen",
            "someone else logged",
            "iemand anders ingelogd",
            "iemand anders is ingelogd",
            "sent from my account",
            "verstuurd vanaf mijn account",
        ]],
    },
    Rule {
        incident: Incident::StolenDevice,
        all_of: &[&[
            "stolen",
            "stole ",
            "gestolen",
            "theft",
            "diefstal",
            "robbed",
            "beroofd",
            "ingebroken",
            "broken into",
            "lost my laptop",
            "laptop is lost",
            "laptop lost",
            "laptop kwijt",
            "laptop verloren",
            "laptop is kwijt",
            "left my laptop",
            "laptop laten liggen",
        ]],
    },
    Rule {
        incident: Incident::PhishedCredentials,
        all_of: &[
            ACTION,
            &[
                "link",
                "attachment",
                "bijlage",
                "qr",
                "fake",
                "nep",
                "phishing",
                "suspicious",
                "verdacht",
                "scam",
                "oplicht",
            ],
        ],
    },
    Rule {
        incident: Incident::UnexpectedMfaPrompts,
        all_of: &[
            &[
                "mfa",
                "authenticator",
                "approve",
                "approval",
                "goedkeur",
                "push",
                "sign in request",
                "sign-in request",
                "inlogverzoek",
                "aanmeldverzoek",
                "2fa",
            ],
            &[
                "not me",
                "niet ik",
                "didn t",
                "did not",
                "didnt",
                "unknown",
                "onbekend",
                "unexpected",
                "onverwacht",
                "keep getting",
                "keeps popping",
                "blijf",
                "steeds",
                "random",
                "niet zelf",
                "niet aangevraagd",
                "not requested",
                "never asked",
                "nobody",
                "niemand",
                "middle of the night",
                "midden in de nacht",
                "dozens",
                "tientallen",
            ],
        ],
    },
    Rule {
        incident: Incident::SuspiciousSignIn,
        all_of: &[&[
            "suspicious sign",
            "suspicious login",
            "suspicious log in",
            "suspicious activity",
            "unusual sign",
            "unusual activity",
            "verdachte aanmelding",
            "verdachte inlog",
            "verdachte activiteit",
            "ongebruikelijke aanmelding",
            "ongebruikelijke activiteit",
            "impossible travel",
        ]],
    },
    Rule {
        incident: Incident::Malware,
        all_of: &[&[
            "virus",
            "malware",
            "trojan",
            "spyware",
            "keylogger",
            "besmet",
            "infected",
            "geinfecteerd",
            "geïnfecteerd",
        ]],
    },
    Rule {
        incident: Incident::RemoteAccessScam,
        all_of: &[&[
            "anydesk",
            "teamviewer",
            "remote access",
            "toegang op afstand",
            "overname op afstand",
            "microsoft called",
            "called from microsoft",
            "called me from microsoft",
            "microsoft phoned",
            "phoned from microsoft",
            "microsoft support called",
            "claimed to be from microsoft",
            "said he was from microsoft",
            "said she was from microsoft",
            "belde namens microsoft",
            "gebeld door microsoft",
            "gebeld namens microsoft",
            "microsoft belde",
            "microsoft heeft gebeld",
            "namens microsoft gebeld",
        ]],
    },
    Rule {
        incident: Incident::Fraud,
        all_of: &[&[
            "data breach",
            "datalek",
            "fraud",
            "fraude",
            "scammed",
            "opgelicht",
            "oplichting",
            "gave my code",
            "code gegeven",
            "code doorgegeven",
        ]],
    },
    // Changed bank details or an urgent payment: invoice and CEO fraud, before or after paying.
    Rule {
        incident: Incident::PaymentFraud,
        all_of: &[
            &[
                "bank details",
                "bank account",
                "account number",
                "iban",
                "rekeningnummer",
                "bankrekening",
                "bankgegevens",
            ],
            &[
                "changed",
                "new",
                "different",
                "urgent",
                "gewijzigd",
                "veranderd",
                "nieuw",
                "ander",
                "dringend",
                "spoed",
            ],
        ],
    },
    Rule {
        incident: Incident::PaymentFraud,
        all_of: &[&[
            "urgent payment",
            "invoice fraud",
            "ceo fraud",
            "fake invoice",
            "spoedbetaling",
            "dringende betaling",
            "factuurfraude",
            "valse factuur",
            "nepfactuur",
            "spookfactuur",
        ]],
    },
    // Personal data sent to the wrong person: a possible data breach with a 72-hour clock.
    Rule {
        incident: Incident::MisdirectedEmail,
        all_of: &[&[
            "wrong person",
            "wrong recipient",
            "wrong people",
            "wrong customer",
            "wrong client",
            "wrong email address",
            "verkeerde persoon",
            "verkeerde ontvanger",
            "verkeerde klant",
            "verkeerde e mailadres",
            "verkeerde mailadres",
            "verkeerd e mailadres",
            "verkeerd mailadres",
        ]],
    },
];

/// The incidents the question signals, in rule order, without repeats.
pub fn incidents(question: &str) -> Vec<Incident> {
    let text = normalise(question);
    RULES
        .iter()
        .filter(|rule| {
            rule.all_of
                .iter()
                .all(|group| group.iter().any(|phrase| starts_a_word(&text, phrase)))
        })
        .map(|rule| rule.incident)
        .fold(Vec::new(), |mut seen, incident| {
            if !seen.contains(&incident) {
                seen.push(incident);
            }
            seen
        })
}

/// Lower case, every run of non-alphanumerics one space, with a space at both ends.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn starts_a_word(text: &str, phrase: &str) -> bool {
    let phrase = normalise(phrase);
    // `phrase` is " words " after normalising: match its start at a word start, any ending
    // (so a phrase may be a word's beginning), unless the phrase itself ends in a space.
    let needle = phrase.trim_end();
    let needle = if phrase.ends_with("  ") {
        phrase.as_str()
    } else {
        needle
    };
    text.contains(needle)
}

/// Why the floor holds at the level it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorRule {
    /// The article being read is `high` risk: never `diy`.
    HighRiskArticle,
    /// The question signals an incident: `bring_us_in`, phone first.
    Incident(Incident),
}

impl FloorRule {
    /// For logs and the lead record.
    pub fn as_str(self) -> String {
        match self {
            FloorRule::HighRiskArticle => "high_risk_article".to_owned(),
            FloorRule::Incident(incident) => format!("incident:{}", incident.as_str()),
        }
    }
}

/// The lowest verdict the server allows for one question, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floor {
    pub verdict: Verdict,
    pub rule: FloorRule,
}

/// The floor for a question asked on an article of `article_risk` (none: the general form).
/// An incident outranks a high-risk article.
pub fn floor(article_risk: Option<Risk>, question: &str) -> Option<Floor> {
    if let Some(incident) = incidents(question).first() {
        return Some(Floor {
            verdict: Verdict::BringUsIn,
            rule: FloorRule::Incident(*incident),
        });
    }
    (article_risk == Some(Risk::High)).then_some(Floor {
        verdict: Verdict::Careful,
        rule: FloorRule::HighRiskArticle,
    })
}

/// The verdict the visitor gets, and what the floor changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    /// The model's (or knowledge base's) verdict, when the floor raised it.
    pub raised_from: Option<Verdict>,
    /// The rule that holds the floor (set even when it did not change the verdict).
    pub rule: Option<FloorRule>,
    /// Whether the answer must open with the phone number.
    pub phone_first: bool,
}

/// Applies `floor` to `proposed`: the stricter of the two wins.
pub fn decide(proposed: Verdict, floor: Option<Floor>) -> Decision {
    let Some(floor) = floor else {
        return Decision {
            verdict: proposed,
            raised_from: None,
            rule: None,
            phone_first: false,
        };
    };
    let verdict = proposed.max(floor.verdict);
    Decision {
        verdict,
        raised_from: (verdict != proposed).then_some(proposed),
        rule: Some(floor.rule),
        phone_first: matches!(floor.rule, FloorRule::Incident(_)),
    }
}

/// The first line of an incident answer: "Phone us now" in the visitor's language.
pub fn phone_first_line(phone: &str, dutch: bool) -> String {
    match (phone.trim().is_empty(), dutch) {
        (false, false) => format!(
            "**Phone us now: {}.** This may be a security incident: call before you do anything else.",
            phone.trim()
        ),
        (false, true) => format!(
            "**Bel ons nu: {}.** Dit kan een beveiligingsincident zijn: bel voordat je iets anders doet.",
            phone.trim()
        ),
        (true, false) => "**Contact us now by phone.** This may be a security incident: call before you do anything else.".to_owned(),
        (true, true) => "**Bel ons nu.** Dit kan een beveiligingsincident zijn: bel voordat je iets anders doet.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(question: &str) -> Option<Incident> {
        incidents(question).first().copied()
    }

    #[test]
    fn english_incidents_are_recognised() {
        for (question, expected) in [
            ("There is a ransom note on my screen", Incident::Ransomware),
            (
                "All my files are encrypted and renamed",
                Incident::Ransomware,
            ),
            ("I think my account was hacked", Incident::Hacked),
            ("My laptop was stolen from the car", Incident::StolenDevice),
            ("I lost my laptop on the train", Incident::StolenDevice),
            (
                "I clicked a link in an email and typed my password",
                Incident::PhishedCredentials,
            ),
            (
                "I keep getting MFA prompts I didn't request",
                Incident::UnexpectedMfaPrompts,
            ),
            (
                "Got an unusual sign-in activity alert",
                Incident::SuspiciousSignIn,
            ),
            ("A pop-up says I have a virus", Incident::Malware),
            (
                "Someone from Microsoft called and I installed AnyDesk",
                Incident::RemoteAccessScam,
            ),
            (
                "A man who said he was from Microsoft phoned about my PC",
                Incident::RemoteAccessScam,
            ),
            (
                "The supplier's bank details have changed, we paid the new account",
                Incident::PaymentFraud,
            ),
            (
                "The director asks for an urgent payment by WhatsApp",
                Incident::PaymentFraud,
            ),
            (
                "I sent the payroll file to the wrong person",
                Incident::MisdirectedEmail,
            ),
        ] {
            assert_eq!(incident(question), Some(expected), "{question}");
        }
    }

    #[test]
    fn dutch_incidents_are_recognised() {
        for (question, expected) in [
            (
                "Er staat een losgeldbericht op mijn scherm",
                Incident::Ransomware,
            ),
            ("Mijn account is gehackt", Incident::Hacked),
            ("Mijn laptop is gestolen", Incident::StolenDevice),
            (
                "Ik heb op een link geklikt en mijn wachtwoord ingevuld",
                Incident::PhishedCredentials,
            ),
            (
                "Ik krijg steeds goedkeuringsverzoeken in Authenticator",
                Incident::UnexpectedMfaPrompts,
            ),
            (
                "Melding over een verdachte aanmelding",
                Incident::SuspiciousSignIn,
            ),
            (
                "Ik ben gebeld door Microsoft over mijn computer",
                Incident::RemoteAccessScam,
            ),
            (
                "Het rekeningnummer van de leverancier is gewijzigd",
                Incident::PaymentFraud,
            ),
            (
                "Ik heb klantgegevens naar de verkeerde ontvanger gestuurd",
                Incident::MisdirectedEmail,
            ),
        ] {
            assert_eq!(incident(question), Some(expected), "{question}");
        }
    }

    #[test]
    fn ordinary_questions_are_not_incidents() {
        for question in [
            "My password has expired, how do I change it?",
            "How do I recognise a phishing email?",
            "The printer shows as offline",
            "Mijn wachtwoord is verlopen",
            "Outlook keeps asking for my password",
            "I set up a new phone with Authenticator",
            "Can you recommend accounting software?",
            "Where do I find our bank account number for an invoice?",
            "I emailed the right person but got no answer",
        ] {
            assert_eq!(incidents(question), vec![], "{question}");
        }
    }

    #[test]
    fn a_high_risk_article_never_yields_diy() {
        let floor = floor(Some(Risk::High), "where is the key?");
        let decision = decide(Verdict::Diy, floor);
        assert_eq!(decision.verdict, Verdict::Careful);
        assert_eq!(decision.raised_from, Some(Verdict::Diy));
        assert_eq!(decision.rule, Some(FloorRule::HighRiskArticle));
        assert!(!decision.phone_first);
        // A stricter model verdict stands, and nothing was raised.
        let decision = decide(Verdict::BringUsIn, floor);
        assert_eq!(decision.verdict, Verdict::BringUsIn);
        assert_eq!(decision.raised_from, None);
    }

    #[test]
    fn an_incident_always_yields_bring_us_in_phone_first() {
        for risk in [None, Some(Risk::Low), Some(Risk::Medium), Some(Risk::High)] {
            for proposed in [Verdict::Diy, Verdict::Careful, Verdict::BringUsIn] {
                let decision = decide(proposed, floor(risk, "my laptop was stolen"));
                assert_eq!(decision.verdict, Verdict::BringUsIn);
                assert!(decision.phone_first);
                assert_eq!(
                    decision.rule,
                    Some(FloorRule::Incident(Incident::StolenDevice))
                );
            }
        }
    }

    #[test]
    fn no_floor_keeps_the_verdict() {
        for risk in [None, Some(Risk::Low), Some(Risk::Medium)] {
            let decision = decide(Verdict::Diy, floor(risk, "printer offline"));
            assert_eq!(decision.verdict, Verdict::Diy);
            assert_eq!(decision.rule, None);
            assert_eq!(decision.raised_from, None);
        }
    }

    #[test]
    fn the_phone_line_carries_the_number() {
        assert!(phone_first_line("+31 20 123 4567", false)
            .starts_with("**Phone us now: +31 20 123 4567.**"));
        assert!(phone_first_line("+31 20 123 4567", true)
            .starts_with("**Bel ons nu: +31 20 123 4567.**"));
        assert!(phone_first_line(" ", false).contains("by phone"));
    }
}
