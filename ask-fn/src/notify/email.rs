//! The email channel: one plain-text message through Amazon SES (v2 `SendEmail`), with the
//! visitor as Reply-To so answering the notification answers the visitor.

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use super::message::{one_line, LeadNotice, UNVERIFIED};

/// Subject and body of the notification email.
pub fn compose(notice: &LeadNotice) -> (String, String) {
    let subject = one_line(
        &format!("[Help desk] {}: {}", notice.headline, notice.who_and_what()),
        200,
    );
    let mut body = format!("{}\n\n", notice.headline);
    body.push_str(&format!(
        "Company:  {} ({UNVERIFIED})\n",
        one_line(&notice.company, 200)
    ));
    body.push_str(&format!("Email:    {} ({UNVERIFIED})\n", notice.email));
    if let (Some(title), Some(url)) = (&notice.article_title, &notice.article_url) {
        body.push_str(&format!("Article:  {} <{url}>\n", one_line(title, 200)));
    }
    if let Some(verdict) = notice.verdict {
        body.push_str(&format!("Verdict:  {}\n", verdict.label()));
    }
    if let Some(reason) = &notice.follow_up_reason {
        body.push_str(&format!("Reason:   {reason}\n"));
    }
    body.push_str(&format!("Asked:    {}\n", notice.asked_at));
    body.push_str(&format!("Lead:     {}\n\n", notice.lead_id));
    body.push_str("Their question (secrets removed):\n\n");
    for line in notice.question.lines() {
        body.push_str("> ");
        body.push_str(line);
        body.push('\n');
    }
    body.push_str(match reply_to(notice) {
        Some(_) => "\nReply to this email to answer them. Mark it handled with: ask-team leads handle ",
        // A digest stands for many visitors and has no address of its own.
        None if notice.email.is_empty() => "\nMark it handled with: ask-team leads handle ",
        None => "\nTheir address has non-ASCII characters before the @, which cannot be a Reply-To: write to it yourself. Mark it handled with: ask-team leads handle ",
    });
    body.push_str(&notice.lead_id);
    body.push('\n');
    (subject, body)
}

/// The visitor's address as a Reply-To SES accepts (domain in punycode), or `None` when it
/// cannot be one: SES rejects the whole message over a non-ASCII address, and the team must
/// still hear about the lead.
pub fn reply_to(notice: &LeadNotice) -> Option<String> {
    crate::email::ascii_address(&notice.email)
}

/// Sends notices from a verified SES identity to the team's addresses.
pub struct EmailChannel {
    client: aws_sdk_sesv2::Client,
    from: String,
    to: Vec<String>,
}

impl EmailChannel {
    pub fn new(client: aws_sdk_sesv2::Client, from: String, to: Vec<String>) -> Self {
        Self { client, from, to }
    }

    pub async fn send(&self, notice: &LeadNotice) -> Result<(), String> {
        let (subject, body) = compose(notice);
        let content = |text: String| {
            Content::builder()
                .data(text)
                .charset("UTF-8")
                .build()
                .map_err(|e| e.to_string())
        };
        let message = Message::builder()
            .subject(content(subject)?)
            .body(Body::builder().text(content(body)?).build())
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(self.to.clone()))
                    .build(),
            )
            .set_reply_to_addresses(reply_to(notice).map(|address| vec![address]))
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|error| {
                use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
                match &error {
                    SdkError::ServiceError(service) => format!(
                        "{}: {}",
                        service.err().code().unwrap_or("SES error"),
                        one_line(service.err().message().unwrap_or_default(), 120)
                    ),
                    SdkError::DispatchFailure(_) => "could not connect to SES".to_owned(),
                    SdkError::TimeoutError(_) => "SES timed out".to_owned(),
                    other => one_line(&other.to_string(), 120),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::lead;
    use crate::store::LeadStatus;

    #[test]
    fn the_email_has_everything_to_act_on_and_no_header_injection() {
        let notice = LeadNotice::new(
            &lead(LeadStatus::LlmFailed, Some("llm_failed:timeout")),
            Some((
                "Why is my printer offline?",
                "https://help.example.test/printer-offline/",
            )),
        );
        let (subject, body) = compose(&notice);
        assert!(!subject.contains('\n') && !subject.contains('\r'));
        assert!(subject.starts_with(
            "[Help desk] The AI could not answer: please follow up: Acme Bcc: evil@x.test about"
        ));
        assert!(body.contains("Email:    jo@acme.test (unverified)\n"));
        assert!(body.contains("Company:  Acme Bcc: evil@x.test (unverified)\n"));
        assert_eq!(reply_to(&notice).as_deref(), Some("jo@acme.test"));
        assert!(body.contains(
            "Article:  Why is my printer offline? <https://help.example.test/printer-offline/>\n"
        ));
        assert!(body.contains("Reason:   llm_failed:timeout\n"));
        assert!(body.contains("> The <!channel> printer"));
        assert!(body.ends_with("ask-team leads handle 1795961109000-00000000000000ab\n"));
    }

    #[test]
    fn a_unicode_address_is_punycoded_or_left_out_of_reply_to() {
        let mut unicode = lead(LeadStatus::NeedsFollowUp, Some("bring_us_in"));
        unicode.email = "ann@müller.de".into();
        let notice = LeadNotice::new(&unicode, None);
        assert_eq!(reply_to(&notice).as_deref(), Some("ann@xn--mller-kva.de"));
        unicode.email = "jürgen@example.com".into();
        let notice = LeadNotice::new(&unicode, None);
        assert_eq!(
            reply_to(&notice),
            None,
            "SES would refuse the whole message"
        );
        let (_, body) = compose(&notice);
        assert!(body.contains("Email:    jürgen@example.com (unverified)\n"));
        assert!(body.contains("cannot be a Reply-To: write to it yourself"));
    }
}
