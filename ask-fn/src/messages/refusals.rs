//! Why a question was refused: field errors, refusals of the request, the limit with its time.
//! `http::refusal` picks which one and the status; these are only the words.

use super::{pick, Lang};

pub fn not_found(lang: Lang) -> &'static str {
    pick(
        lang,
        "There is nothing here. Questions are sent to /ask.",
        "Hier is niets te vinden. Vragen gaan naar /ask.",
    )
}

pub fn origin_not_allowed(lang: Lang) -> &'static str {
    pick(
        lang,
        "Questions can only be sent from our help site.",
        "Vragen kunnen alleen via onze helpsite worden verstuurd.",
    )
}

pub fn no_client_ip(lang: Lang) -> &'static str {
    pick(
        lang,
        "We cannot take questions right now. Please try again later, or contact us directly.",
        "We kunnen op dit moment geen vragen aannemen. Probeer het later opnieuw, of neem rechtstreeks contact met ons op.",
    )
}

pub fn too_large(lang: Lang) -> &'static str {
    pick(
        lang,
        "Your message is too long to send. Please shorten it to the most important details.",
        "Je bericht is te lang om te versturen. Kort het in tot de belangrijkste details.",
    )
}

pub fn unsupported_content_type(lang: Lang) -> &'static str {
    pick(
        lang,
        "The form was sent in a format we do not accept. Please reload the page and try again.",
        "Het formulier is verstuurd in een formaat dat we niet accepteren. Laad de pagina opnieuw en probeer het nog eens.",
    )
}

pub fn unreadable(lang: Lang) -> &'static str {
    pick(
        lang,
        "The form data could not be read. Please reload the page and try again.",
        "De gegevens van het formulier konden niet worden gelezen. Laad de pagina opnieuw en probeer het nog eens.",
    )
}

pub fn rejected(lang: Lang) -> &'static str {
    pick(
        lang,
        "Your question could not be sent. If you are a person, please email us instead.",
        "Je vraag kon niet worden verstuurd. Ben je een mens, mail ons dan.",
    )
}

pub fn unknown_article(lang: Lang) -> &'static str {
    pick(
        lang,
        "This page is no longer in our knowledge base. Please reload the page and ask again.",
        "Deze pagina staat niet meer in onze kennisbank. Laad de pagina opnieuw en stel je vraag nog een keer.",
    )
}

pub fn form_incomplete(lang: Lang) -> &'static str {
    pick(
        lang,
        "The form is incomplete.",
        "Het formulier is niet volledig ingevuld.",
    )
}

pub fn already_asked(lang: Lang) -> &'static str {
    pick(
        lang,
        "We already received this question. Please reload the page to ask another.",
        "Deze vraag hebben we al ontvangen. Laad de pagina opnieuw om een andere vraag te stellen.",
    )
}

pub fn temporarily_unavailable(lang: Lang) -> &'static str {
    pick(
        lang,
        "We cannot take questions for a moment. Your text is still in the form: please try again in a minute.",
        "We kunnen even geen vragen aannemen. Je tekst staat nog in het formulier: probeer het over een minuut opnieuw.",
    )
}

pub fn question_required(lang: Lang) -> &'static str {
    pick(
        lang,
        "Please describe your situation.",
        "Beschrijf je situatie.",
    )
}

pub fn question_too_short(lang: Lang, min: usize) -> String {
    match lang {
        Lang::En => format!(
            "Please describe your situation in a bit more detail (at least {min} characters)."
        ),
        Lang::Nl => format!("Beschrijf je situatie iets uitgebreider (minstens {min} tekens)."),
    }
}

pub fn question_too_long(lang: Lang, max: usize, chars: usize) -> String {
    match lang {
        Lang::En => format!("Please keep it under {max} characters (you wrote {chars}). The most important details are enough."),
        Lang::Nl => format!("Houd het onder de {max} tekens (je schreef er {chars}). De belangrijkste details zijn genoeg."),
    }
}

pub fn email_required(lang: Lang) -> &'static str {
    pick(
        lang,
        "Please enter your email address.",
        "Vul je e-mailadres in.",
    )
}

pub fn email_invalid(lang: Lang) -> &'static str {
    pick(
        lang,
        "That email address looks incomplete. Please check it (like name@company.com).",
        "Dat e-mailadres lijkt niet compleet. Controleer het (zoals naam@bedrijf.nl).",
    )
}

pub fn email_too_long(lang: Lang) -> &'static str {
    pick(
        lang,
        "That email address is too long.",
        "Dat e-mailadres is te lang.",
    )
}

pub fn company_required(lang: Lang) -> &'static str {
    pick(
        lang,
        "Please tell us which company you work for.",
        "Vul in bij welk bedrijf je werkt.",
    )
}

pub fn company_too_long(lang: Lang, max: usize) -> String {
    match lang {
        Lang::En => format!("Please keep the company name under {max} characters."),
        Lang::Nl => format!("Houd de bedrijfsnaam onder de {max} tekens."),
    }
}

pub fn consent_required(lang: Lang) -> &'static str {
    pick(
        lang,
        "Please agree to the privacy statement, so we may use your details to answer you.",
        "Ga akkoord met de privacyverklaring, zodat we je gegevens mogen gebruiken om je te antwoorden.",
    )
}

/// Which allowance a visitor reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Hour,
    Day,
}

/// How long until the next question, as a visitor reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Minutes(i64),
    /// Rounded: said only from 90 minutes on, so always two or more.
    AboutHours(i64),
}

/// The 429's sentence: the limit, when (`clock_time`, `HH:MM` UTC) and in how long, and what
/// happens to the question (`kept`: stored, a person replies).
pub fn rate_limited(
    lang: Lang,
    count: u32,
    window: Window,
    clock_time: &str,
    wait: Wait,
    kept: bool,
) -> String {
    match lang {
        Lang::En => {
            let questions = if count == 1 { "question" } else { "questions" };
            let window = match window {
                Window::Hour => "hour",
                Window::Day => "24 hours",
            };
            let wait = match wait {
                Wait::Minutes(1) => "1 minute".to_owned(),
                Wait::Minutes(minutes) => format!("{minutes} minutes"),
                Wait::AboutHours(hours) => format!("about {hours} hours"),
            };
            let next = if kept {
                "We have kept this question and someone will reply by email."
            } else {
                "For anything urgent, contact us directly."
            };
            format!("You have reached the limit of {count} {questions} per {window}. You can ask again at {clock_time} UTC (in {wait}). {next}")
        }
        Lang::Nl => {
            let questions = if count == 1 { "vraag" } else { "vragen" };
            let window = match window {
                Window::Hour => "uur",
                Window::Day => "24 uur",
            };
            let wait = match wait {
                Wait::Minutes(1) => "1 minuut".to_owned(),
                Wait::Minutes(minutes) => format!("{minutes} minuten"),
                Wait::AboutHours(hours) => format!("ongeveer {hours} uur"),
            };
            let next = if kept {
                "We hebben deze vraag bewaard en iemand antwoordt je per e-mail."
            } else {
                "Is het dringend, neem dan rechtstreeks contact met ons op."
            };
            format!("Je hebt de limiet van {count} {questions} per {window} bereikt. Je kunt om {clock_time} UTC (over {wait}) weer een vraag stellen. {next}")
        }
    }
}
