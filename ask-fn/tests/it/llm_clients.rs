//! The HTTP advisors against a fake provider speaking the real wire formats: request shape,
//! auth, parsing, timeouts, the retry policy and error mapping, for both providers.

use crate::support::fake_llm;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ask_fn::llm::anthropic::AnthropicAdvisor;
use ask_fn::llm::openai::OpenAiAdvisor;
use ask_fn::llm::{
    prompt, AdviceRequest, AdviceSource, Advisor, ApiKey, HttpLlmSettings, LlmError, Verdict,
};
use fake_llm::{answer_json, Behaviour, FakeLlm, RecordedRequest};

const KEY: &str = "sk-test-SECRET-4f1c9a";
const QUESTION: &str = "The printer says offline after the Windows update.";

#[derive(Debug, Clone, Copy)]
enum Provider {
    OpenAi,
    Anthropic,
}

const PROVIDERS: [Provider; 2] = [Provider::OpenAi, Provider::Anthropic];

impl Provider {
    fn base_url(self, fake: &FakeLlm) -> String {
        match self {
            Provider::OpenAi => fake.base_url_openai(),
            Provider::Anthropic => fake.base_url_anthropic(),
        }
    }

    fn advisor(self, settings: HttpLlmSettings) -> Box<dyn Advisor> {
        let known: Arc<dyn Fn(&str) -> bool + Send + Sync> =
            Arc::new(|slug: &str| matches!(slug, "printer-offline" | "reset-password"));
        match self {
            Provider::OpenAi => {
                Box::new(OpenAiAdvisor::new(settings, known).expect("build the OpenAI client"))
            }
            Provider::Anthropic => Box::new(
                AnthropicAdvisor::new(settings, known).expect("build the Anthropic client"),
            ),
        }
    }
}

/// Small timeouts so the suite stays fast: 300 ms per attempt, 1 s for the whole call.
fn settings(base_url: String) -> HttpLlmSettings {
    HttpLlmSettings {
        base_url,
        model: "test-model-1".into(),
        api_key: ApiKey::new(KEY),
        max_tokens: 321,
        connect_timeout: Duration::from_millis(200),
        request_timeout: Duration::from_millis(300),
        total_budget: Duration::from_secs(1),
    }
}

fn request() -> AdviceRequest {
    AdviceRequest {
        article: None,
        question: QUESTION.into(),
        language: kb_model::Language::english(),
        catalogue: vec![("printer-offline".into(), "Printer offline".into())],
        company_name: "Northwind IT".into(),
        company_phone: "+31 20 123 4567".into(),
        phone_first: false,
        retry_permit: None,
    }
}

/// A fake plus an advisor of `provider` pointed at it, with `tweak` applied to the settings.
async fn setup(
    provider: Provider,
    tweak: impl FnOnce(&mut HttpLlmSettings),
) -> (FakeLlm, Box<dyn Advisor>) {
    let fake = FakeLlm::start().await;
    let mut settings = settings(provider.base_url(&fake));
    tweak(&mut settings);
    let advisor = provider.advisor(settings);
    (fake, advisor)
}

fn str_at<'a>(request: &'a RecordedRequest, pointer: &str) -> &'a str {
    request
        .body
        .pointer(pointer)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no string at {pointer}"))
}

#[tokio::test]
async fn success_parses_advice_and_sends_the_right_request() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::Answer(answer_json(
            "1. Restart the spooler.",
            "diy",
            &["printer-offline", "made-up", "printer-offline"],
        )));
        assert!(advisor.is_llm());

        let advice = advisor
            .advise(&request())
            .await
            .unwrap_or_else(|e| panic!("{provider:?}: {e}"));
        assert_eq!(advice.markdown, "1. Restart the spooler.", "{provider:?}");
        assert_eq!(advice.verdict, Verdict::Diy, "{provider:?}");
        assert_eq!(advice.cited, ["printer-offline"], "{provider:?}");
        assert_eq!(advice.source, AdviceSource::Ai, "{provider:?}");

        let requests = fake.requests();
        assert_eq!(requests.len(), 1, "{provider:?}");
        let sent = &requests[0];
        let system = prompt::system_prompt("Northwind IT", "+31 20 123 4567");
        let sent_user = sent.body.to_string();
        let at = sent_user.find("BEGIN VISITOR MESSAGE ").unwrap() + 22;
        let marker = &sent_user[at..at + 16];
        let user = prompt::user_message(&request(), marker);
        assert!(user.contains(&format!(
            "BEGIN VISITOR MESSAGE {marker}\n{}\nEND VISITOR MESSAGE {marker}",
            serde_json::to_string(QUESTION).unwrap()
        )));
        assert_eq!(sent.body["model"], "test-model-1", "{provider:?}");
        assert_eq!(sent.body["max_tokens"], 321, "{provider:?}");
        assert_eq!(sent.body["temperature"], 0.2, "{provider:?}");
        assert_eq!(
            sent.headers.get("content-type").map(String::as_str),
            Some("application/json")
        );
        match provider {
            Provider::OpenAi => {
                assert_eq!(sent.path, "/v1/chat/completions");
                assert_eq!(
                    sent.headers.get("authorization"),
                    Some(&format!("Bearer {KEY}"))
                );
                assert_eq!(str_at(sent, "/messages/0/role"), "system");
                assert_eq!(str_at(sent, "/messages/0/content"), system);
                assert_eq!(str_at(sent, "/messages/1/role"), "user");
                assert_eq!(str_at(sent, "/messages/1/content"), user);
                assert_eq!(str_at(sent, "/response_format/type"), "json_schema");
                assert_eq!(sent.body["response_format"]["json_schema"]["strict"], true);
            }
            Provider::Anthropic => {
                assert_eq!(sent.path, "/v1/messages");
                assert_eq!(sent.headers.get("x-api-key").map(String::as_str), Some(KEY));
                assert_eq!(
                    sent.headers.get("anthropic-version").map(String::as_str),
                    Some("2023-06-01")
                );
                assert!(!sent.headers.contains_key("authorization"));
                assert_eq!(str_at(sent, "/system"), system);
                assert_eq!(str_at(sent, "/messages/0/role"), "user");
                assert_eq!(str_at(sent, "/messages/0/content"), user);
                assert_eq!(str_at(sent, "/tool_choice/name"), "give_advice");
            }
        }
        assert!(
            !sent.body.to_string().contains(KEY),
            "{provider:?}: key leaked into the body"
        );
    }
}

#[tokio::test]
async fn slow_answer_times_out_without_a_retry() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.set_default(Behaviour::Slow(
            Duration::from_secs(5),
            answer_json("late", "diy", &[]),
        ));

        let started = Instant::now();
        let result = advisor.advise(&request()).await;
        assert!(
            matches!(result, Err(LlmError::Timeout(limit)) if limit == Duration::from_millis(300)),
            "{provider:?}: {result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{provider:?}: waited {:?}",
            started.elapsed()
        );
        assert_eq!(fake.request_count(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn attempt_timeout_never_exceeds_the_total_budget() {
    for provider in PROVIDERS {
        let (fake, advisor) =
            setup(provider, |s| s.total_budget = Duration::from_millis(150)).await;
        fake.set_default(Behaviour::Slow(
            Duration::from_secs(5),
            answer_json("late", "diy", &[]),
        ));

        let result = advisor.advise(&request()).await;
        assert!(
            matches!(result, Err(LlmError::Timeout(limit)) if limit == Duration::from_millis(150)),
            "{provider:?}: {result:?}"
        );
        assert_eq!(fake.request_count(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn rate_limited_then_success_retries_once_after_a_pause() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::RateLimited {
            retry_after_secs: None,
        });

        let advice = advisor
            .advise(&request())
            .await
            .unwrap_or_else(|e| panic!("{provider:?}: {e}"));
        assert_eq!(advice.verdict, Verdict::Careful, "{provider:?}");
        let requests = fake.requests();
        assert_eq!(requests.len(), 2, "{provider:?}");
        let pause = requests[1].received_at - requests[0].received_at;
        assert!(
            pause >= Duration::from_millis(250),
            "{provider:?}: retried after {pause:?}"
        );
        assert_eq!(
            requests[0].body, requests[1].body,
            "{provider:?}: the retry sends the same body"
        );
    }
}

#[tokio::test]
async fn retry_after_is_honoured_when_it_fits_the_budget() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |s| s.total_budget = Duration::from_secs(2)).await;
        fake.push(Behaviour::RateLimited {
            retry_after_secs: Some(1),
        });

        advisor
            .advise(&request())
            .await
            .unwrap_or_else(|e| panic!("{provider:?}: {e}"));
        let requests = fake.requests();
        assert_eq!(requests.len(), 2, "{provider:?}");
        let pause = requests[1].received_at - requests[0].received_at;
        assert!(
            pause >= Duration::from_secs(1),
            "{provider:?}: retried after {pause:?}"
        );
    }
}

#[tokio::test]
async fn rate_limited_without_budget_for_a_retry_gives_up_after_one_request() {
    for provider in PROVIDERS {
        // 250 ms pause + a 300 ms attempt does not fit in 400 ms.
        let (fake, advisor) =
            setup(provider, |s| s.total_budget = Duration::from_millis(400)).await;
        fake.push(Behaviour::RateLimited {
            retry_after_secs: None,
        });

        let result = advisor.advise(&request()).await;
        assert!(
            matches!(result, Err(LlmError::RateLimited)),
            "{provider:?}: {result:?}"
        );
        assert_eq!(fake.request_count(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn retry_after_that_does_not_fit_the_budget_is_not_waited_for() {
    for provider in PROVIDERS {
        // The default budget (1 s) cannot hold a 1 s wait plus a 300 ms attempt.
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::RateLimited {
            retry_after_secs: Some(1),
        });

        let started = Instant::now();
        let result = advisor.advise(&request()).await;
        assert!(
            matches!(result, Err(LlmError::RateLimited)),
            "{provider:?}: {result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{provider:?}: waited {:?}",
            started.elapsed()
        );
        assert_eq!(fake.request_count(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn server_errors_are_retried_exactly_once() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::Status(500));
        fake.push(Behaviour::Status(500));
        // A third request would succeed: the result proves there was none.

        let result = advisor.advise(&request()).await;
        assert!(
            matches!(result, Err(LlmError::Status { status: 500 })),
            "{provider:?}: {result:?}"
        );
        assert_eq!(fake.request_count(), 2, "{provider:?}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::Status(401));

        let result = advisor.advise(&request()).await;
        assert!(
            matches!(result, Err(LlmError::Status { status: 401 })),
            "{provider:?}: {result:?}"
        );
        assert_eq!(fake.request_count(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn anthropic_overloaded_529_is_retried() {
    let (fake, advisor) = setup(Provider::Anthropic, |_| {}).await;
    fake.push(Behaviour::Status(529));

    let advice = advisor
        .advise(&request())
        .await
        .expect("the retry succeeds");
    assert_eq!(advice.markdown, "Try restarting.");
    assert_eq!(fake.request_count(), 2);

    fake.push(Behaviour::Status(529));
    fake.push(Behaviour::Status(529));
    let result = advisor.advise(&request()).await;
    assert!(
        matches!(result, Err(LlmError::Status { status: 529 })),
        "{result:?}"
    );
    assert_eq!(fake.request_count(), 4);
}

#[tokio::test]
async fn malformed_body_is_not_retried() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::MalformedBody);

        let result = advisor.advise(&request()).await;
        match result {
            Err(LlmError::Malformed(reason)) => assert!(!reason.contains("upstream"), "{reason}"),
            other => panic!("{provider:?}: expected Malformed, got {other:?}"),
        }
        assert_eq!(fake.request_count(), 1, "{provider:?}");
    }
}

#[tokio::test]
async fn off_schema_answers_are_rejected() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |_| {}).await;
        fake.push(Behaviour::Answer(answer_json(
            "Maybe restart?",
            "maybe",
            &[],
        )));
        fake.push(Behaviour::Answer(r#"{"verdict":"diy"}"#.into()));
        fake.push(Behaviour::Answer("I'd rather not answer in JSON.".into()));

        let first = advisor.advise(&request()).await;
        assert!(
            matches!(first, Err(LlmError::OffSchema(_))),
            "{provider:?}: {first:?}"
        );
        let second = advisor.advise(&request()).await;
        assert!(
            matches!(second, Err(LlmError::OffSchema(_))),
            "{provider:?}: {second:?}"
        );
        let third = advisor.advise(&request()).await;
        assert!(
            matches!(third, Err(LlmError::Malformed(_))),
            "{provider:?}: {third:?}"
        );
        assert_eq!(
            fake.request_count(),
            3,
            "{provider:?}: none of them retried"
        );
    }
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_without_secrets() {
    for provider in PROVIDERS {
        let base = fake_llm::closed_base_url().await;
        let base = match provider {
            Provider::OpenAi => format!("{base}/v1"),
            Provider::Anthropic => base,
        };
        let advisor = provider.advisor(settings(base));

        let result = advisor.advise(&request()).await;
        match result {
            Err(LlmError::Connect(message)) => {
                assert!(!message.contains(KEY), "{provider:?}: {message}");
                assert!(!message.contains("http://"), "{provider:?}: {message}");
                assert!(!message.contains(QUESTION), "{provider:?}: {message}");
            }
            other => panic!("{provider:?}: expected Connect, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_key_that_cannot_be_a_header_fails_without_a_request() {
    for provider in PROVIDERS {
        let (fake, advisor) = setup(provider, |s| s.api_key = ApiKey::new("sk-bad\nkey")).await;

        let result = advisor.advise(&request()).await;
        match result {
            Err(LlmError::Connect(message)) => assert!(!message.contains("sk-bad"), "{message}"),
            other => panic!("{provider:?}: expected Connect, got {other:?}"),
        }
        assert_eq!(fake.request_count(), 0, "{provider:?}");
    }
}

#[tokio::test]
async fn the_request_hook_runs_before_the_answer() {
    let (fake, advisor) = setup(Provider::OpenAi, |_| {}).await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    fake.on_request(Arc::new(move |request: RecordedRequest| {
        let sink = Arc::clone(&sink);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            sink.lock().expect("hook sink").push(request.path);
        })
    }));

    advisor.advise(&request()).await.expect("advice");
    assert_eq!(*seen.lock().expect("hook sink"), ["/v1/chat/completions"]);
}

#[test]
fn settings_debug_does_not_show_the_key() {
    let printed = format!("{:?}", settings("http://127.0.0.1:9".into()));
    assert!(!printed.contains(KEY), "{printed}");
    assert!(printed.contains("test-model-1"));
}

#[tokio::test]
async fn advisor_debug_does_not_show_the_key() {
    let openai = OpenAiAdvisor::new(
        settings("http://127.0.0.1:9/v1".into()),
        Arc::new(|_: &str| true),
    )
    .expect("client");
    let anthropic = AnthropicAdvisor::new(
        settings("http://127.0.0.1:9".into()),
        Arc::new(|_: &str| true),
    )
    .expect("client");
    for printed in [format!("{openai:?}"), format!("{anthropic:?}")] {
        assert!(!printed.contains(KEY), "{printed}");
    }
}
