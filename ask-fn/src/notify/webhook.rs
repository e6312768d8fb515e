//! The chat webhook: one JSON POST in the format the receiving service wants.
//!
//! - Microsoft Teams (a Workflows "post to a channel when a webhook request is received" flow, or
//!   a classic incoming webhook): a message with an Adaptive Card attachment.
//! - Slack (incoming webhook): `text` plus Block Kit blocks.
//! - `json`: the notice as a plain object, for Zapier, n8n, Power Automate or a CRM.
//!
//! Visitor-typed text (company, question) is put where the service does not interpret markup
//! (Slack `plain_text`, Adaptive Card `TextRun`), so a question cannot `@channel` the team or
//! disguise a link.

use serde_json::{json, Value};
use url::Url;

use super::message::{one_line, LeadNotice, UNVERIFIED};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    Teams,
    Slack,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookConfigError {
    #[error("TRYFIRST_NOTIFY_WEBHOOK_URL must be an https:// URL (http:// only for localhost)")]
    NotHttps,
    #[error(
        "cannot tell from the webhook's host whether it is Teams or Slack: set TRYFIRST_NOTIFY_WEBHOOK_FORMAT to `teams`, `slack` or `json`"
    )]
    UnknownService,
    #[error(
        "TRYFIRST_NOTIFY_WEBHOOK_FORMAT must be `teams`, `slack`, `json` or `auto`, got `{0}`"
    )]
    UnknownFormat(String),
}

/// The webhook URL. It *is* the credential (anyone holding it can post to the channel), so it
/// never appears in `Debug` output, logs or error messages.
#[derive(Clone)]
pub struct WebhookUrl(Url);

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookUrl(<redacted>)")
    }
}

impl WebhookUrl {
    /// Parsed as reqwest will read it (the `url` crate), so the host checked here is the host
    /// the notice goes to: `http://evil.test\@127.0.0.1/` is evil.test, not this machine.
    pub fn parse(url: &str) -> Result<Self, WebhookConfigError> {
        let url = Url::parse(url.trim()).map_err(|_| WebhookConfigError::NotHttps)?;
        let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        match url.scheme() {
            "https" => Ok(Self(url)),
            "http" if local => Ok(Self(url)),
            _ => Err(WebhookConfigError::NotHttps),
        }
    }

    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Lower-case, IPv6 in brackets; without userinfo and port.
    fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }
}

impl WebhookFormat {
    /// `auto` (or nothing) picks the format from the URL's host.
    pub fn choose(setting: Option<&str>, url: &WebhookUrl) -> Result<Self, WebhookConfigError> {
        match setting.map(str::to_ascii_lowercase).as_deref() {
            Some("teams") => Ok(Self::Teams),
            Some("slack") => Ok(Self::Slack),
            Some("json") => Ok(Self::Json),
            None | Some("auto") => {
                let host = url.host();
                if host == "hooks.slack.com" {
                    Ok(Self::Slack)
                } else if [
                    ".webhook.office.com",
                    ".logic.azure.com",
                    ".powerplatform.com",
                    ".powerautomate.com",
                ]
                .iter()
                .any(|suffix| host.ends_with(suffix))
                {
                    Ok(Self::Teams)
                } else {
                    Err(WebhookConfigError::UnknownService)
                }
            }
            Some(other) => Err(WebhookConfigError::UnknownFormat(other.to_owned())),
        }
    }
}

/// The request body for `format`.
pub fn payload(format: WebhookFormat, notice: &LeadNotice) -> Value {
    match format {
        WebhookFormat::Teams => teams(notice),
        WebhookFormat::Slack => slack(notice),
        WebhookFormat::Json => json!({
            "lead_id": notice.lead_id,
            "asked_at": notice.asked_at,
            "status": notice.status.as_str(),
            "headline": notice.headline,
            "company": notice.company,
            "email": notice.email,
            "identity_verified": false,
            "article_title": notice.article_title,
            "article_url": notice.article_url,
            "question": notice.question,
            "verdict": notice.verdict.map(|v| v.as_str()),
            "follow_up_reason": notice.follow_up_reason,
        }),
    }
}

/// The labelled facts of a notice; the first two were typed by the visitor (see
/// [`VISITOR_FACTS`]).
fn facts(notice: &LeadNotice) -> Vec<(String, String)> {
    let mut facts = vec![
        (
            format!("Company ({UNVERIFIED})"),
            one_line(&notice.company, 200),
        ),
        (format!("Email ({UNVERIFIED})"), notice.email.clone()),
    ];
    if let Some(title) = &notice.article_title {
        facts.push(("Article".to_owned(), one_line(title, 200)));
    }
    if let Some(verdict) = notice.verdict {
        facts.push(("AI verdict".to_owned(), verdict.label().to_owned()));
    }
    facts.push((
        "Asked".to_owned(),
        notice.asked_at.replace('T', " ").replace('Z', " UTC"),
    ));
    facts
}

fn teams(notice: &LeadNotice) -> Value {
    // Adaptive Card TextBlocks and FactSets render Markdown; TextRuns do not. Everything a
    // visitor typed goes into TextRuns.
    let mut body = vec![json!({
        "type": "TextBlock",
        "text": notice.headline,
        "weight": "Bolder",
        "size": "Medium",
        "wrap": true,
    })];
    for (label, value) in facts(notice) {
        body.push(json!({
            "type": "RichTextBlock",
            "inlines": [
                {"type": "TextRun", "text": format!("{label}: "), "weight": "Bolder"},
                {"type": "TextRun", "text": value},
            ],
        }));
    }
    body.push(json!({
        "type": "RichTextBlock",
        "separator": true,
        "inlines": [{"type": "TextRun", "text": truncate(&notice.question, 4_000)}],
    }));
    let mut actions = vec![json!({
        "type": "Action.OpenUrl",
        "title": "Reply by email",
        "url": mailto(&notice.email),
    })];
    if let Some(url) = &notice.article_url {
        actions.push(json!({"type": "Action.OpenUrl", "title": "Open the article", "url": url}));
    }
    json!({
        "type": "message",
        "summary": format!("{}: {}", notice.headline, notice.who_and_what()),
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": body,
                "actions": actions,
            },
        }],
    })
}

/// How many of [`facts`] come first and were typed by the visitor.
const VISITOR_FACTS: usize = 2;

fn slack(notice: &LeadNotice) -> Value {
    // `verbatim` stops Slack from turning a bare URL or `#channel` in the visitor's company
    // name into a link; the escaping stops `<url|label>` and mentions.
    let fields: Vec<Value> = facts(notice)
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            json!({
                "type": "mrkdwn",
                "text": format!("*{label}*\n{}", slack_escape(&value)),
                "verbatim": i < VISITOR_FACTS,
            })
        })
        .collect();
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": one_line(&notice.headline, 150)}}),
        json!({"type": "section", "fields": fields}),
        // plain_text: no mentions, no links, no formatting from the visitor's words.
        json!({"type": "section", "text": {"type": "plain_text", "text": truncate(&notice.question, 2_900)}}),
    ];
    let mut links = vec![format!("<{}|Reply by email>", mailto(&notice.email))];
    if let Some(url) = &notice.article_url {
        links.push(format!("<{}|Open the article>", slack_escape(url)));
    }
    links.push(format!("lead `{}`", notice.lead_id));
    blocks.push(
        json!({"type": "context", "elements": [{"type": "mrkdwn", "text": links.join(" · ")}]}),
    );
    json!({
        // The notification text (and what clients without blocks show). Top-level text is
        // always auto-linked, so it carries nothing the visitor typed: the article's title is
        // ours, the company is in the (verbatim) fields.
        "text": slack_escape(&match &notice.article_title {
            Some(title) => format!("{}: a question about \u{201c}{}\u{201d}", notice.headline, one_line(title, 100)),
            None => notice.headline.clone(),
        }),
        "blocks": blocks,
    })
}

/// Slack's three control characters in `mrkdwn` text.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A `mailto:` URL; the address is already validated, but `?`, `&`, `%` and friends are legal
/// in its local part and must not start a query.
fn mailto(email: &str) -> String {
    let mut url = String::from("mailto:");
    for byte in email.bytes() {
        if byte.is_ascii_alphanumeric() || b"@.-_~+".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}\u{2026}")
    }
}

/// Posts notices to one webhook.
pub struct WebhookChannel {
    client: reqwest::Client,
    url: WebhookUrl,
    format: WebhookFormat,
}

impl WebhookChannel {
    pub fn new(
        url: WebhookUrl,
        format: WebhookFormat,
        timeout: std::time::Duration,
    ) -> Result<Self, reqwest::Error> {
        let client = crate::tls::client_builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url,
            format,
        })
    }

    /// Sends one notice; the error is safe to store and log (no URL in it).
    pub async fn send(&self, notice: &LeadNotice) -> Result<(), String> {
        let response = self
            .client
            .post(self.url.expose())
            .json(&payload(self.format, notice))
            .send()
            .await
            .map_err(|error| {
                if error.is_timeout() {
                    "timed out".to_owned()
                } else if error.is_connect() {
                    "could not connect".to_owned()
                } else {
                    format!("request failed: {}", error.without_url())
                }
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(format!("HTTP {}: {}", status.as_u16(), one_line(&body, 80)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::lead;
    use crate::store::LeadStatus;

    fn notice() -> LeadNotice {
        LeadNotice::new(
            &lead(LeadStatus::NeedsFollowUp, Some("bring_us_in")),
            Some((
                "Why is my printer offline?",
                "https://help.example.test/printer-offline/",
            )),
        )
    }

    fn url(text: &str) -> WebhookUrl {
        WebhookUrl::parse(text).unwrap()
    }

    #[test]
    fn the_service_is_recognised_from_the_host() {
        let choose = |u: &str| WebhookFormat::choose(None, &url(u));
        assert_eq!(
            choose("https://hooks.slack.com/services/T0/B0/xyz"),
            Ok(WebhookFormat::Slack)
        );
        assert_eq!(
            choose("https://acme.webhook.office.com/webhookb2/abc"),
            Ok(WebhookFormat::Teams)
        );
        assert_eq!(
            choose("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"),
            Ok(WebhookFormat::Teams)
        );
        assert_eq!(
            choose("https://hooks.example.test/x"),
            Err(WebhookConfigError::UnknownService)
        );
        assert_eq!(
            WebhookFormat::choose(Some("Slack"), &url("http://127.0.0.1:9/hook")),
            Ok(WebhookFormat::Slack)
        );
        assert!(WebhookFormat::choose(Some("discord"), &url("http://127.0.0.1:9/")).is_err());
        assert_eq!(
            choose("HTTPS://user:pw@Hooks.Slack.com:443/services/T0/B0/xyz"),
            Ok(WebhookFormat::Slack)
        );
    }

    #[test]
    fn plain_http_only_for_this_machine_and_the_url_never_prints() {
        assert_eq!(
            WebhookUrl::parse("http://hooks.slack.com/services/x").unwrap_err(),
            WebhookConfigError::NotHttps
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:8080/hook").is_ok());
        assert!(WebhookUrl::parse("http://127.0.0.1.evil.test/hook").is_err());
        assert!(WebhookUrl::parse("ftp://x").is_err());
        assert!(WebhookUrl::parse("http://[::1]:9/hook").is_ok());
        // A browser and reqwest read `\` as `/`: this goes to evil.test, in plain text.
        assert_eq!(
            WebhookUrl::parse("http://evil.test\\@127.0.0.1/hook").unwrap_err(),
            WebhookConfigError::NotHttps
        );
        let secret = url("https://hooks.slack.com/services/T0/B0/secret-token");
        assert!(!format!("{secret:?}").contains("secret-token"));
    }

    #[test]
    fn slack_shows_visitor_text_as_plain_text_only() {
        let body = payload(WebhookFormat::Slack, &notice());
        let text = body["text"].as_str().unwrap();
        assert_eq!(
            text,
            "Too risky to do yourself: please follow up: a question about \u{201c}Why is my printer offline?\u{201d}"
        );
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        let question = &blocks[2]["text"];
        assert_eq!(question["type"], "plain_text");
        assert!(question["text"].as_str().unwrap().contains("<!channel>"));
        // Nowhere in mrkdwn can the visitor's `<!channel>` survive unescaped.
        let fields = serde_json::to_string(&blocks[1]).unwrap();
        assert!(fields.contains("*Email (unverified)*\\njo@acme.test"));
        assert!(fields.contains("*AI verdict*\\nBring us in"));
        let context = blocks[3]["elements"][0]["text"].as_str().unwrap();
        assert!(context.contains("<mailto:jo@acme.test|Reply by email>"));
        assert!(context.contains("<https://help.example.test/printer-offline/|Open the article>"));
        let mut elsewhere = body.clone();
        elsewhere["blocks"][2] = Value::Null;
        assert!(!elsewhere.to_string().contains("<!channel>"));
    }

    #[test]
    fn teams_gets_an_adaptive_card_with_visitor_text_in_text_runs() {
        let body = payload(WebhookFormat::Teams, &notice());
        assert_eq!(body["type"], "message");
        let attachment = &body["attachments"][0];
        assert_eq!(
            attachment["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let card = &attachment["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        let blocks = card["body"].as_array().unwrap();
        assert_eq!(
            blocks[0]["text"],
            "Too risky to do yourself: please follow up"
        );
        let question = blocks.last().unwrap();
        assert_eq!(question["type"], "RichTextBlock");
        assert_eq!(question["inlines"][0]["type"], "TextRun");
        assert!(question["inlines"][0]["text"]
            .as_str()
            .unwrap()
            .contains("[offline](https://evil.test)"));
        // Company sits in a TextRun, never in a Markdown TextBlock.
        let company = &blocks[1]["inlines"];
        assert_eq!(company[0]["text"], "Company (unverified): ");
        assert_eq!(company[1]["text"], "Acme Bcc: evil@x.test");
        assert_eq!(card["actions"][0]["url"], "mailto:jo@acme.test");
        assert_eq!(
            card["actions"][1]["url"],
            "https://help.example.test/printer-offline/"
        );
    }

    #[test]
    fn slack_never_links_what_the_visitor_typed() {
        let mut lead = lead(LeadStatus::NeedsFollowUp, Some("bring_us_in"));
        lead.company = "Acme https://evil.example/login #general".into();
        let body = payload(WebhookFormat::Slack, &LeadNotice::new(&lead, None));
        assert!(!body["text"].as_str().unwrap().contains("evil.example"));
        let fields = body["blocks"][1]["fields"].as_array().unwrap();
        let company = fields
            .iter()
            .find(|f| f["text"].as_str().unwrap().contains("evil.example"))
            .expect("the company is shown");
        assert_eq!(company["type"], "mrkdwn");
        assert_eq!(company["verbatim"], true, "no auto-link: {company}");
        assert_eq!(
            fields[1]["verbatim"], true,
            "the email is the visitor's too"
        );
        assert_eq!(
            fields[2]["verbatim"], false,
            "our own facts may be formatted"
        );
    }

    #[test]
    fn notifications_say_the_identity_is_unverified_and_show_punycode() {
        let mut lead = lead(LeadStatus::NeedsFollowUp, Some("bring_us_in"));
        lead.email = "jo@\u{430}cme.com".into();
        let notice = LeadNotice::new(&lead, None);
        assert_eq!(notice.email, "jo@xn--cme-5cd.com");
        let slack = payload(WebhookFormat::Slack, &notice).to_string();
        assert!(slack.contains("*Company (unverified)*"), "{slack}");
        assert!(
            slack.contains("*Email (unverified)*\\njo@xn--cme-5cd.com"),
            "{slack}"
        );
        assert!(!slack.contains('\u{430}'));
        let teams = payload(WebhookFormat::Teams, &notice).to_string();
        assert!(teams.contains("Email (unverified): "), "{teams}");
        assert!(teams.contains("mailto:jo@xn--cme-5cd.com"));
        let json = payload(WebhookFormat::Json, &notice);
        assert_eq!(json["identity_verified"], false);
        assert_eq!(json["email"], "jo@xn--cme-5cd.com");
    }

    #[test]
    fn mailto_cannot_grow_a_query() {
        assert_eq!(mailto("a&b?c%d@x.test"), "mailto:a%26b%3Fc%25d@x.test");
    }
}
