//! The question API end to end over real HTTP on 127.0.0.1: the local server (the same router
//! Lambda runs), a real DynamoDB-compatible server, and a fake LLM that speaks the providers'
//! wire formats. Also real Lambda event JSON through `lambda_http`.

use crate::support::{dynamo, fake_llm, receiver};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ask_fn::clock::{ManualClock, HOUR};
use ask_fn::handler::App;
use ask_fn::llm::openai::OpenAiAdvisor;
use ask_fn::llm::retrieval::RetrievalAdvisor;
use ask_fn::llm::{Advisor, ApiKey, HttpLlmSettings};
use ask_fn::notify::email::EmailChannel;
use ask_fn::notify::webhook::{WebhookChannel, WebhookFormat, WebhookUrl};
use ask_fn::notify::{Notifier, Policy};
use ask_fn::quota::Limits;
use ask_fn::settings::Settings;
use ask_fn::store::memory::MemoryStore;
use ask_fn::store::{LeadStatus, NotifyState, Store};
use fake_llm::{answer_json, Behaviour, FakeLlm};
use kb_model::retrieval::SearchIndex;
use kb_model::{Bundle, BundleArticle, Risk, BUNDLE_FORMAT};
use receiver::{Receiver, Reply};
use serde_json::{json, Value};

const BASE_URL: &str = "https://help.example.test";
const T0: i64 = 1_795_961_109_000;

fn article(slug: &str, title: &str, risk: Risk, steps: &[&str]) -> BundleArticle {
    BundleArticle {
        slug: slug.into(),
        language: kb_model::Language::english(),
        url: format!("{BASE_URL}/{slug}/"),
        title: title.into(),
        description: format!("About {title}"),
        category: "devices".into(),
        tags: vec!["printing".into()],
        risk,
        intro: "Intro.".into(),
        steps: steps.iter().map(|s| (*s).to_owned()).collect(),
        escalation: "When more than one person cannot print, call us.".into(),
        see_also: vec![],
        updated: "2026-11-20".into(),
        content_hash: format!("{:016x}", slug.len()),
    }
}

fn bundle() -> Arc<Bundle> {
    Arc::new(Bundle {
        format: BUNDLE_FORMAT,
        site_title: "Help".into(),
        base_url: BASE_URL.into(),
        company_name: "Example IT".into(),
        company_phone: "+31 20 123 4567".into(),
        default_language: kb_model::Language::english(),
        languages: vec![kb_model::Language::english()],
        homes: Default::default(),
        articles: vec![
            article(
                "hardware-key-lost",
                "What if my YubiKey is lost?",
                Risk::High,
                &["Sign in with the backup key.", "Remove the lost key."],
            ),
            article(
                "printer-offline",
                "Why does my printer show as offline?",
                Risk::Low,
                &[
                    "Wake the printer from sleep.",
                    "Check it is on the office Wi-Fi.",
                    "Clear the print queue.",
                ],
            ),
            article(
                "vpn-wont-connect",
                "My VPN won't connect",
                Risk::Medium,
                &["Check your internet connection.", "Restart the VPN client."],
            ),
        ],
    })
}

enum Llm {
    None,
    OpenAi {
        fake: FakeLlm,
        request_timeout: Duration,
    },
}

struct Options {
    dynamo: bool,
    llm: Llm,
    cap: u64,
    email_limits: Limits,
    ip_limits: Limits,
    net_limits: Limits,
    /// Overrides `TRYFIRST_NOTIFY_PER_HOUR`.
    notify_per_hour: Option<u64>,
    unreachable_dynamo: bool,
    notifier: Option<Notifier>,
    /// Record every DynamoDB request in `Harness::requests`.
    log_requests: bool,
    /// Another bundle than [`bundle`].
    bundle: Option<Arc<Bundle>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dynamo: true,
            llm: Llm::None,
            cap: 100,
            email_limits: Limits {
                per_hour: 2,
                per_day: 5,
            },
            ip_limits: Limits {
                per_hour: 2,
                per_day: 5,
            },
            net_limits: Limits {
                per_hour: 0,
                per_day: 0,
            },
            notify_per_hour: None,
            unreachable_dynamo: false,
            notifier: None,
            log_requests: false,
            bundle: None,
        }
    }
}

struct Harness {
    url: String,
    app: Arc<App>,
    store: Arc<dyn Store>,
    llm: Option<FakeLlm>,
    client: reqwest::Client,
    clock: Arc<ManualClock>,
    dynamo: Option<(aws_sdk_dynamodb::Client, String)>,
    requests: Option<dynamo::RequestLog>,
}

fn settings(options: &Options) -> Settings {
    let mut settings = Settings::from_vars(|_| None).unwrap();
    settings.allowed_origin = Some(BASE_URL.into());
    settings.email_limits = options.email_limits;
    settings.ip_limits = options.ip_limits;
    settings.net_limits = options.net_limits;
    if let Some(cap) = options.notify_per_hour {
        settings.notify.per_hour = cap;
    }
    settings.llm_daily_cap = options.cap;
    settings
}

async fn harness(options: Options) -> Harness {
    logs(); // capture logs from the start
    let bundle = options.bundle.clone().unwrap_or_else(bundle);
    let settings = settings(&options);
    let mut dynamo_handle = None;
    let mut requests = None;
    let store: Arc<dyn Store> = if options.unreachable_dynamo {
        Arc::new(dynamo::unreachable_store().await)
    } else if options.log_requests {
        let (store, log) = dynamo::logged_store().await;
        requests = Some(log);
        Arc::new(store)
    } else if options.dynamo {
        let (store, client, _quota, leads) = dynamo::store().await;
        dynamo_handle = Some((client, leads));
        Arc::new(store)
    } else {
        Arc::new(MemoryStore::new())
    };
    let index = Arc::new(SearchIndex::new(&bundle));
    let (advisor, fake): (Arc<dyn Advisor>, Option<FakeLlm>) = match options.llm {
        Llm::None => (
            Arc::new(RetrievalAdvisor::new(bundle.clone(), index.clone())),
            None,
        ),
        Llm::OpenAi {
            fake,
            request_timeout,
        } => {
            let http = HttpLlmSettings {
                base_url: fake.base_url_openai(),
                model: "test-model".into(),
                api_key: ApiKey::new("sk-test-key-123"),
                max_tokens: 500,
                connect_timeout: Duration::from_millis(500),
                request_timeout,
                total_budget: request_timeout * 2 + Duration::from_millis(400),
            };
            (
                Arc::new(OpenAiAdvisor::new(http, App::slug_checker(&bundle)).unwrap()),
                Some(fake),
            )
        }
    };
    let clock = Arc::new(ManualClock::new(T0));
    let mut app = App::new(
        settings,
        bundle,
        index,
        store.clone(),
        advisor,
        clock.clone(),
    );
    if let Some(notifier) = options.notifier {
        app = app.with_notifier(notifier);
    }
    let app = Arc::new(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = ask_fn::http::router(app.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Harness {
        url: format!("http://{addr}/ask"),
        app,
        store,
        llm: fake,
        client: ask_fn::tls::client_builder().build().unwrap(),
        clock,
        dynamo: dynamo_handle,
        requests,
    }
}

fn question(email: &str) -> Value {
    json!({
        "article": "printer-offline",
        "content_hash": format!("{:016x}", "printer-offline".len()),
        "question": "The printer still shows offline after I restarted it twice.",
        "email": email,
        "company": "Acme BV",
        "consent": true,
        "confirm_ref": ""
    })
}

impl Harness {
    async fn post_json(&self, body: &Value) -> (u16, HashMap<String, String>, Value) {
        let response = self
            .client
            .post(&self.url)
            .header("origin", BASE_URL)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("JSON expected, got {status}: {text}"));
        (status, headers, value)
    }

    /// Posts `form` as the plain HTML form does without JavaScript (url-encoded).
    async fn post_form(&self, form: &str) -> (u16, String) {
        self.post_raw(
            "application/x-www-form-urlencoded",
            form.as_bytes().to_vec(),
        )
        .await
    }

    async fn post_raw(&self, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let response = self
            .client
            .post(&self.url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    fn llm(&self) -> &FakeLlm {
        self.llm.as_ref().expect("this harness has a fake LLM")
    }

    async fn lead(&self, id: &str) -> ask_fn::store::Lead {
        self.store.lead(id).await.unwrap().expect("lead stored")
    }
}

fn openai(fake: FakeLlm) -> Llm {
    Llm::OpenAi {
        fake,
        request_timeout: Duration::from_millis(800),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn answered_question_grounded_in_the_bundle_with_the_lead_stored_first() {
    let fake = FakeLlm::start().await;
    fake.set_default(Behaviour::Answer(answer_json(
        "Check the printer's IP address on its display, then [see the VPN article](/vpn-wont-connect/).\n\n<script>alert(1)</script>",
        "careful",
        &["vpn-wont-connect", "made-up-article"],
    )));
    let h = harness(Options {
        llm: openai(fake),
        ..Options::default()
    })
    .await;

    // When the LLM is called, the lead must already be readable in DynamoDB.
    let (client, leads_table) = h.dynamo.clone().unwrap();
    let seen_at_llm_call: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = seen_at_llm_call.clone();
    h.llm().on_request(Arc::new(move |_request| {
        let client = client.clone();
        let table = leads_table.clone();
        let seen = seen.clone();
        Box::pin(async move {
            let items = dynamo::scan_leads(&client, &table).await;
            let summary: Vec<Value> = items.iter().map(|i| json!({ "status": i["status"].as_s().unwrap(), "question": i["question"].as_s().unwrap() })).collect();
            seen.lock().unwrap().extend(summary);
        })
    }));

    let mut body = question("Ann@Example.com");
    body["steps"] = json!(["EVIL STEP FROM THE BROWSER"]);
    let (status, headers, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .map(String::as_str),
        Some(BASE_URL)
    );
    assert_eq!(answer["status"], "answered");
    assert_eq!(answer["source"], "ai");
    assert_eq!(answer["verdict"], "careful");
    assert_eq!(answer["verdict_label"], "Be careful");
    let html = answer["answer_html"].as_str().unwrap();
    assert!(
        html.contains(
            "<a href=\"https://help.example.test/vpn-wont-connect/\">see the VPN article</a>"
        ),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert_eq!(
        answer["cited"],
        json!([{ "slug": "vpn-wont-connect", "title": "My VPN won't connect", "url": "https://help.example.test/vpn-wont-connect/" }])
    );
    // The limits only: nothing about earlier questions of this (unverified) address.
    assert_eq!(answer["quota"], json!({ "per_hour": 2, "per_day": 5 }));

    assert_eq!(
        *seen_at_llm_call.lock().unwrap(),
        [
            json!({ "status": "pending", "question": "The printer still shows offline after I restarted it twice." })
        ]
    );

    // The prompt carries the bundle's steps, never the browser's.
    let requests = h.llm().requests();
    assert_eq!(requests.len(), 1);
    let prompt = requests[0].body.to_string();
    assert!(prompt.contains("1. Wake the printer from sleep.\\n2. Check it is on the office Wi-Fi.\\n3. Clear the print queue."), "{prompt}");
    assert!(!prompt.contains("EVIL STEP"));
    assert!(
        !prompt.contains("ann@example.com"),
        "the visitor's email is not sent to the LLM"
    );

    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.status, LeadStatus::Answered);
    assert_eq!(lead.email, "ann@example.com");
    assert_eq!(lead.company, "Acme BV");
    assert_eq!(lead.article.as_deref(), Some("printer-offline"));
    assert!(!lead.stale_page);
    assert_eq!(lead.outcome.cited, ["vpn-wont-connect"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn third_question_in_an_hour_is_refused_with_when() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        ..Options::default()
    })
    .await;
    for _ in 0..2 {
        let (status, _, body) = h.post_json(&question("bob@example.com")).await;
        assert_eq!(status, 200, "{body}");
        h.clock.advance(60_000);
    }
    let (status, headers, body) = h.post_json(&question("BOB+other@example.com")).await;
    assert_eq!(status, 429, "{body}");
    // The first question was at T0; the third is possible at T0 + 60 min, 58 minutes from now.
    assert_eq!(headers["retry-after"], (58 * 60).to_string());
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(body["retry_at"], ask_fn::clock::rfc3339(T0 + HOUR));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("You can ask again at 15:05 UTC (in 58 minutes)"),
        "{body}"
    );
    assert_eq!(
        h.llm().request_count(),
        2,
        "a refused question never reaches the LLM"
    );
    h.clock.set(T0 + HOUR);
    assert_eq!(h.post_json(&question("bob@example.com")).await.0, 200);
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_5xx() {
    let h = harness(Options {
        dynamo: false,
        ..Options::default()
    })
    .await;
    let good = question("carol@example.com");
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        serde_json::to_vec(&body).unwrap()
    };
    // (content type, body, status, error code, field)
    type Case = (
        &'static str,
        Vec<u8>,
        u16,
        &'static str,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "text/plain",
            b"hello".to_vec(),
            415,
            "unsupported_content_type",
            None,
        ),
        (
            "application/json",
            b"{\"question\": ".to_vec(),
            400,
            "bad_json",
            None,
        ),
        (
            "application/json",
            with("article", json!("no-such-article")),
            422,
            "unknown_article",
            Some("article"),
        ),
        (
            "application/json",
            with("email", json!("carol@")),
            422,
            "invalid_email",
            Some("email"),
        ),
        (
            "application/json",
            with("question", json!("help")),
            422,
            "question_too_short",
            Some("question"),
        ),
        (
            "application/json",
            with("question", json!("x".repeat(2_001))),
            422,
            "question_too_long",
            Some("question"),
        ),
        (
            "application/json",
            with("company", json!("")),
            422,
            "company_required",
            Some("company"),
        ),
        (
            "application/json",
            with("consent", json!(false)),
            422,
            "consent_required",
            Some("consent"),
        ),
        (
            "application/json",
            with("confirm_ref", json!("https://spam.example")),
            400,
            "rejected",
            None,
        ),
        (
            "application/json",
            vec![b'{'; 20_000],
            413,
            "too_large",
            Some("question"),
        ),
    ];
    for (content_type, body, status, code, field) in cases {
        let (got, text) = h.post_raw(content_type, body).await;
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (got, value["error"]["code"].as_str().unwrap()),
            (status, code),
            "{text}"
        );
        assert_eq!(value["error"]["field"].as_str(), field, "{text}");
        assert!(!value["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        h.client
            .get(h.url.replace("/ask", "/nope"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(h.client.get(&h.url).send().await.unwrap().status(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn llm_failures_keep_the_lead_and_answer_honestly() {
    let failures = [
        (
            vec![Behaviour::Status(500), Behaviour::Status(500)],
            "llm_failed:status",
            2,
        ),
        (
            vec![Behaviour::Slow(
                Duration::from_millis(1_500),
                answer_json("late", "diy", &[]),
            )],
            "llm_failed:timeout",
            1,
        ),
        (vec![Behaviour::MalformedBody], "llm_failed:malformed", 1),
        (
            vec![Behaviour::Answer(answer_json("Maybe.", "perhaps", &[]))],
            "llm_failed:off_schema",
            1,
        ),
        (
            vec![
                Behaviour::RateLimited {
                    retry_after_secs: None,
                },
                Behaviour::RateLimited {
                    retry_after_secs: None,
                },
            ],
            "llm_failed:rate_limited",
            2,
        ),
    ];
    for (behaviours, reason, calls) in failures {
        let fake = FakeLlm::start().await;
        for behaviour in behaviours {
            fake.push(behaviour);
        }
        let h = harness(Options {
            llm: openai(fake),
            ..Options::default()
        })
        .await;
        let (status, _, body) = h.post_json(&question("dave@example.com")).await;
        assert_eq!(status, 200, "{reason}: {body}");
        assert_eq!(body["status"], "follow_up", "{reason}");
        assert_eq!(body["follow_up"], true);
        assert!(body["answer_html"].is_null());
        assert_eq!(body["message"], "We could not generate advice right now. We have your question and will email you at dave@example.com.");
        let lead = h.lead(body["lead_id"].as_str().unwrap()).await;
        assert_eq!(lead.outcome.status, LeadStatus::LlmFailed, "{reason}");
        assert_eq!(lead.outcome.follow_up_reason.as_deref(), Some(reason));
        assert_eq!(h.llm().request_count(), calls, "{reason}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn bring_us_in_verdict_flags_the_lead_for_follow_up() {
    let fake = FakeLlm::start().await;
    fake.set_default(Behaviour::Answer(answer_json(
        "Do not try this yourself: both keys are gone.",
        "bring_us_in",
        &["hardware-key-lost"],
    )));
    let h = harness(Options {
        llm: openai(fake),
        ..Options::default()
    })
    .await;
    let mut body = question("erin@example.com");
    body["article"] = json!("hardware-key-lost");
    body["content_hash"] = json!("00000000000000ff");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200);
    assert_eq!(answer["verdict"], "bring_us_in");
    assert_eq!(answer["verdict_label"], "Bring us in");
    assert_eq!(answer["follow_up"], true);
    assert_eq!(
        answer["message"],
        "This is one to leave to us. We have your question and will email you at erin@example.com."
    );
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.status, LeadStatus::NeedsFollowUp);
    assert_eq!(
        lead.outcome.follow_up_reason.as_deref(),
        Some("bring_us_in")
    );
    assert!(lead.stale_page, "the page's hash differs from the bundle's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn an_incident_is_bring_us_in_and_phone_first_whatever_the_model_says() {
    let fake = llm_that(Behaviour::Answer(answer_json(
        "Just buy a new laptop, nothing to worry about.",
        "diy",
        &["printer-offline"],
    )))
    .await;
    let h = harness(Options {
        llm: openai(fake),
        ..Options::default()
    })
    .await;
    let mut body = question("gus@example.com");
    body["question"] = json!("Mijn laptop is gisteren gestolen uit de auto, wat nu?");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verdict"], "bring_us_in");
    assert_eq!(answer["phone_first"], true);
    // A Dutch question is answered in Dutch, the message around the advice included.
    assert_eq!(answer["lang"], "nl");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with("Bel ons nu: +31 20 123 4567."),
        "{message}"
    );
    assert!(!message.contains("mailen je"), "{message}");
    let html = answer["answer_html"].as_str().unwrap();
    assert!(
        html.starts_with("<p><strong>Bel ons nu: +31 20 123 4567.</strong>"),
        "{html}"
    );
    // The model was told too, with the number.
    let sent = h.llm.as_ref().unwrap().requests()[0].body.to_string();
    assert!(sent.contains("Phone us now: +31 20 123 4567"), "{sent}");
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.status, LeadStatus::NeedsFollowUp);
    assert_eq!(
        lead.outcome.follow_up_reason.as_deref(),
        Some("policy_floor:incident:stolen_device:model_diy")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn a_high_risk_article_never_comes_back_diy() {
    let fake = llm_that(Behaviour::Answer(answer_json(
        "Sign in with the backup key.",
        "diy",
        &["hardware-key-lost"],
    )))
    .await;
    let h = harness(Options {
        llm: openai(fake),
        ..Options::default()
    })
    .await;
    let mut body = question("hal@example.com");
    body["article"] = json!("hardware-key-lost");
    body["question"] = json!("I still have the backup key, what should I do next?");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verdict"], "careful");
    assert_eq!(answer["verdict_label"], "Be careful");
    assert_eq!(answer["phone_first"], false);
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.verdict, Some(ask_fn::llm::Verdict::Careful));
    assert_eq!(
        lead.outcome.follow_up_reason.as_deref(),
        Some("policy_floor:high_risk_article:model_diy")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn daily_cap_keeps_questions_as_leads_without_calling_the_llm() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        cap: 1,
        ..Options::default()
    })
    .await;
    assert_eq!(
        h.post_json(&question("f1@example.com")).await.2["status"],
        "answered"
    );
    let (status, _, body) = h.post_json(&question("f2@example.com")).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "follow_up");
    assert_eq!(
        body["message"],
        "We have your question and will reply by email to f2@example.com."
    );
    assert_eq!(h.llm().request_count(), 1);
    let lead = h.lead(body["lead_id"].as_str().unwrap()).await;
    assert_eq!(
        (
            lead.outcome.status,
            lead.outcome.follow_up_reason.as_deref()
        ),
        (LeadStatus::NeedsFollowUp, Some("daily_cap"))
    );
}

#[tokio::test]
async fn dynamodb_down_means_503_and_no_llm_call() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        unreachable_dynamo: true,
        ..Options::default()
    })
    .await;
    let (status, headers, body) = h.post_json(&question("gina@example.com")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "temporarily_unavailable");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(h.llm().request_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn without_an_llm_the_answer_comes_from_the_knowledge_base_and_says_so() {
    let h = harness(Options::default()).await;
    let mut body = question("hank@example.com");
    body["article"] = json!("");
    body["question"] = json!("My VPN client will not connect from the hotel.");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["source"], "knowledge_base");
    assert!(
        answer["answer_html"]
            .as_str()
            .unwrap()
            .contains("not written by AI"),
        "{answer}"
    );
    assert_eq!(answer["cited"][0]["slug"], "vpn-wont-connect");
    // The badge is about the article, not a verdict on the visitor's case.
    assert_eq!(answer["verdict_label"], "Article risk: medium");
    assert_eq!(answer["back_url"], "https://help.example.test/");
}

#[tokio::test]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn without_an_llm_an_off_topic_question_gets_no_article_and_the_lead_is_kept() {
    let h = harness(Options::default()).await;
    let mut body = question("ivy@example.com");
    body["article"] = json!("");
    body["question"] = json!("Can you recommend a good restaurant for our team dinner?");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["cited"], json!([]));
    assert_eq!(answer["verdict_label"], Value::Null);
    let html = answer["answer_html"].as_str().unwrap();
    assert!(
        html.contains("matched your question closely enough"),
        "{html}"
    );
    assert!(html.contains("+31 20 123 4567"), "{html}");
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.status, LeadStatus::NeedsFollowUp);
}

#[tokio::test]
async fn the_form_without_javascript_gets_pages_and_keeps_what_was_typed() {
    let h = harness(Options {
        dynamo: false,
        ..Options::default()
    })
    .await;
    let form = "article=printer-offline&question=The+printer+is+offline+since+this+morning&email=ivy%40example.com&company=Acme&consent=on&confirm_ref=";
    let (status, page) = h.post_form(form).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<h1>Our answer</h1>"));
    assert!(page
        .contains("href=\"https://help.example.test/printer-offline/\">Back to the article</a>"));
    assert!(
        page.contains("You can ask up to 2 questions an hour and 5 a day."),
        "{page}"
    );

    let bad = "article=printer-offline&question=My+%3Cb%3Eprinter%3C%2Fb%3E+is+offline+again&email=ivy%40&company=Acme&consent=on";
    let (status, page) = h.post_form(bad).await;
    assert_eq!(status, 422);
    assert!(
        page.contains(">My &lt;b&gt;printer&lt;/b&gt; is offline again</textarea>"),
        "{page}"
    );
    assert!(page.contains("value=\"ivy@\""));
    assert!(page.contains("id=\"email-error\""));
}

#[tokio::test]
async fn cors_allows_only_the_site_origin() {
    let h = harness(Options {
        dynamo: false,
        ..Options::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        h.client
            .request(reqwest::Method::OPTIONS, &h.url)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight(BASE_URL).await.unwrap();
    assert_eq!(ok.status(), 204);
    assert_eq!(ok.headers()["access-control-allow-origin"], BASE_URL);
    assert_eq!(
        ok.headers()["access-control-allow-methods"],
        "POST, OPTIONS"
    );
    assert_eq!(
        preflight("https://evil.example").await.unwrap().status(),
        403
    );
    let response = h
        .client
        .post(&h.url)
        .header("origin", "https://evil.example")
        .json(&question("jo@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(h.store.quota_times("email#x").await.unwrap().is_empty());
}

/// A real Lambda event (`file` in tests/data) carrying `body` from `ip`, parsed by lambda_http.
fn lambda_event(file: &str, ip: &str, body: &Value) -> lambda_http::Request {
    let template =
        std::fs::read_to_string(format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let body = serde_json::to_string(&body.to_string()).unwrap();
    let json = template.replace("SOURCE_IP", ip).replace("\"BODY\"", &body);
    lambda_http::request::from_str(&json).expect("a valid Lambda event")
}

/// Sends a Lambda request through the router, as `lambda_http::run` does.
async fn call_lambda(app: &Arc<App>, request: lambda_http::Request) -> (u16, Value) {
    use tower::ServiceExt;
    let response = ask_fn::http::router(app.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice::<Value>(&bytes).unwrap())
}

/// Real API Gateway HTTP API (v2) and Function URL events, through lambda_http's own parser,
/// into the same router: the client IP comes from the request context.
#[tokio::test]
async fn lambda_events_use_the_request_context_source_ip() {
    let h = harness(Options {
        dynamo: false,
        email_limits: Limits {
            per_hour: 10,
            per_day: 10,
        },
        ip_limits: Limits {
            per_hour: 1,
            per_day: 5,
        },
        ..Options::default()
    })
    .await;
    for (file, ip, other_ip) in [
        ("apigw_http_v2.json", "203.0.113.7", "203.0.113.17"),
        ("function_url.json", "203.0.113.8", "203.0.113.18"),
    ] {
        let (status, body) = call_lambda(
            &h.app,
            lambda_event(file, ip, &question(&format!("k1-{file}@example.com"))),
        )
        .await;
        assert_eq!(status, 200, "{file}: {body}");
        // Same IP, another email: the IP's allowance (1 per hour) refuses it.
        let (status, body) = call_lambda(
            &h.app,
            lambda_event(file, ip, &question(&format!("k2-{file}@example.com"))),
        )
        .await;
        assert_eq!(status, 429, "{file}: {body}");
        // Another IP is a new allowance. (The events' X-Forwarded-For is not trusted.)
        let (status, _) = call_lambda(
            &h.app,
            lambda_event(file, other_ip, &question(&format!("k3-{file}@example.com"))),
        )
        .await;
        assert_eq!(status, 200, "{file}");
    }
}

/// An event whose request context holds no usable source IP (an ALB event, where only the
/// forgeable X-Forwarded-For has one, or API Gateway's console test with
/// `test-invoke-source-ip`) is refused, not answered with the IP limit silently off.
#[tokio::test]
async fn an_event_without_a_source_ip_is_refused() {
    let h = harness(Options {
        dynamo: false,
        ..Options::default()
    })
    .await;
    let (status, body) = call_lambda(
        &h.app,
        lambda_event(
            "apigw_rest.json",
            "203.0.113.7",
            &question("rest@example.com"),
        ),
    )
    .await;
    assert_eq!(status, 200, "a REST API event with an IP is served: {body}");
    let (status, body) = call_lambda(
        &h.app,
        lambda_event(
            "apigw_rest.json",
            "test-invoke-source-ip",
            &question("no-ip@example.com"),
        ),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "no_client_ip", "{body}");
    let mut stored = Vec::new();
    for status in LeadStatus::TRIAGE_ORDER {
        stored.extend(h.store.leads_by_status(status, 0, i64::MAX).await.unwrap());
    }
    assert_eq!(stored.len(), 1, "only the first question was stored");
    assert_eq!(stored[0].email, "rest@example.com");
}

/// Logs carry outcomes and timings, never the visitor's email, IP, question or the API key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_email_ip_question_or_key() {
    let fake = FakeLlm::start().await;
    fake.push(Behaviour::Status(500));
    fake.push(Behaviour::Status(500));
    let h = harness(Options {
        llm: openai(fake),
        dynamo: false,
        ..Options::default()
    })
    .await;
    let mut body = question("secret.person@example.com");
    body["question"] = json!("Unique question text zebra-quartz: printer offline");
    let (status, answer) = call_lambda(
        &h.app,
        lambda_event("function_url.json", "203.0.113.99", &body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "follow_up");
    let captured = logs().lock().unwrap().clone();
    let text = String::from_utf8_lossy(&captured);
    assert!(
        text.contains("question handled") && text.contains("llm_failure"),
        "logging is captured: {text}"
    );
    for secret in [
        "secret.person",
        "zebra-quartz",
        "203.0.113.99",
        "sk-test-key-123",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into logs: {text}");
    }
}

/// A process-wide log capture: every test's log lines land here.
fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: Arc<Mutex<Vec<u8>>> = Arc::default();
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Capture(writer.clone()))
            .try_init();
        buffer
    })
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn secrets_typed_in_never_reach_the_llm_or_the_lead() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        ..Options::default()
    })
    .await;
    let mut body = question("kim@example.com");
    body["question"] = json!("BitLocker asks for a key. I tried 123456-234567-345678-456789-567890-678901-789012-890123 and my password is Hunter2!x but no luck.");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    let prompt = h.llm().requests()[0].body.to_string();
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    for secret in ["123456-234567", "Hunter2!x"] {
        assert!(!prompt.contains(secret), "{secret} sent to the LLM");
        assert!(
            !lead.question.contains(secret),
            "{secret} stored in the lead"
        );
    }
    assert!(lead.question.starts_with("BitLocker asks for a key."));
    assert_eq!(lead.removed_secrets, ["recovery_key", "password"]);
}

// ---------------------------------------------------------------------------------------------
// Notifying the team

fn webhook(url: &str, format: WebhookFormat, timeout: Duration) -> WebhookChannel {
    WebhookChannel::new(WebhookUrl::parse(url).unwrap(), format, timeout).unwrap()
}

fn notifier(
    policy: Policy,
    webhook: Option<WebhookChannel>,
    email: Option<EmailChannel>,
) -> Notifier {
    Notifier::new(policy, Duration::from_millis(600), webhook, email)
}

/// A fake LLM that always answers `behaviour`.
async fn llm_that(behaviour: Behaviour) -> FakeLlm {
    let fake = FakeLlm::start().await;
    fake.set_default(behaviour);
    fake
}

async fn bring_us_in() -> FakeLlm {
    llm_that(Behaviour::Answer(answer_json(
        "Do not try this yourself: both keys are gone.",
        "bring_us_in",
        &["hardware-key-lost"],
    )))
    .await
}

fn key_question(email: &str) -> Value {
    let mut body = question(email);
    body["article"] = json!("hardware-key-lost");
    body["content_hash"] = json!(format!("{:016x}", "hardware-key-lost".len()));
    body["company"] = json!("Acme <b>BV</b>");
    body["question"] =
        json!("Lost my YubiKey and the backup. My password is Winter2026! <!channel>");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn a_follow_up_lead_reaches_teams_with_everything_to_act_on() {
    let hook = Receiver::start(Reply::Accept).await;
    let h = harness(Options {
        llm: openai(bring_us_in().await),
        notifier: Some(notifier(
            Policy::FollowUpOnly,
            Some(webhook(
                &hook.url,
                WebhookFormat::Teams,
                Duration::from_millis(600),
            )),
            None,
        )),
        ..Options::default()
    })
    .await;
    let (status, _, answer) = h.post_json(&key_question("ivy@example.com")).await;
    assert_eq!(status, 200, "{answer}");
    let received = hook.received();
    assert_eq!(received.len(), 1, "one notification");
    let card = &received[0]["attachments"][0]["content"];
    let text = card.to_string();
    assert_eq!(
        card["body"][0]["text"],
        "Too risky to do yourself: please follow up"
    );
    for expected in [
        "Acme <b>BV</b>",
        "ivy@example.com",
        "What if my YubiKey is lost?",
        "Bring us in",
        "<!channel>",
        "https://help.example.test/hardware-key-lost/",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert!(
        !text.contains("Winter2026"),
        "the typed password was scrubbed first"
    );
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.status, LeadStatus::NeedsFollowUp);
    assert_eq!(
        (lead.outcome.notification, lead.outcome.notification_error),
        (NotifyState::Sent, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn answered_leads_are_sent_only_when_every_lead_is_wanted() {
    for (policy, expected_posts, expected_state) in [
        (Policy::FollowUpOnly, 0, NotifyState::NotRequired),
        (Policy::Every, 1, NotifyState::Sent),
    ] {
        let hook = Receiver::start(Reply::Accept).await;
        let h = harness(Options {
            llm: openai(llm_that(Behaviour::Answer(answer_json("Restart it.", "diy", &[]))).await),
            notifier: Some(notifier(
                policy,
                Some(webhook(
                    &hook.url,
                    WebhookFormat::Slack,
                    Duration::from_millis(600),
                )),
                None,
            )),
            ..Options::default()
        })
        .await;
        let (status, _, answer) = h.post_json(&question("jack@example.com")).await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("answered")));
        assert_eq!(hook.received().len(), expected_posts, "{policy:?}");
        let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
        assert_eq!(lead.outcome.notification, expected_state, "{policy:?}");
        if expected_posts == 1 {
            let slack = &hook.received()[0];
            assert!(slack["text"].as_str().unwrap().starts_with("Answered"));
            assert_eq!(slack["blocks"][2]["text"]["type"], "plain_text");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn a_down_failing_or_hanging_webhook_never_fails_the_visitor() {
    let down = Receiver::down().await;
    let failing = Receiver::start(Reply::Fail(404)).await;
    let hanging = Receiver::start(Reply::Hang(Duration::from_secs(5))).await;
    for (url, expected_error) in [
        (down.as_str(), "webhook: could not connect"),
        (failing.url.as_str(), "webhook: HTTP 404: invalid_payload"),
        (hanging.url.as_str(), "webhook: "),
    ] {
        let h = harness(Options {
            llm: openai(bring_us_in().await),
            notifier: Some(notifier(
                Policy::FollowUpOnly,
                Some(webhook(
                    url,
                    WebhookFormat::Json,
                    Duration::from_millis(300),
                )),
                None,
            )),
            ..Options::default()
        })
        .await;
        let (status, _, answer) = h.post_json(&key_question("kim@example.com")).await;
        assert_eq!(status, 200, "{url}: {answer}");
        assert_eq!(answer["verdict"], "bring_us_in");
        let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
        assert_eq!(
            lead.outcome.status,
            LeadStatus::NeedsFollowUp,
            "the lead is kept"
        );
        assert_eq!(lead.outcome.notification, NotifyState::Failed, "{url}");
        let error = lead.outcome.notification_error.unwrap();
        assert!(error.starts_with(expected_error), "{error}");
        assert!(
            !error.contains("secret-token-123"),
            "the webhook URL is a secret: {error}"
        );
    }
    assert_eq!(
        hanging.received().len(),
        1,
        "the hanging receiver was tried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn llm_failure_and_no_channel_are_recorded_too() {
    let hook = Receiver::start(Reply::Accept).await;
    let h = harness(Options {
        llm: openai(llm_that(Behaviour::Status(500)).await),
        notifier: Some(notifier(
            Policy::FollowUpOnly,
            Some(webhook(
                &hook.url,
                WebhookFormat::Json,
                Duration::from_millis(600),
            )),
            None,
        )),
        ..Options::default()
    })
    .await;
    let (status, _, answer) = h.post_json(&key_question("lou@example.com")).await;
    assert_eq!(status, 200);
    let posted = &hook.received()[0];
    assert_eq!(posted["status"], "llm_failed");
    assert_eq!(
        posted["headline"],
        "The AI could not answer: please follow up"
    );
    assert_eq!(posted["company"], "Acme <b>BV</b>");
    assert_eq!(
        posted["article_url"],
        "https://help.example.test/hardware-key-lost/"
    );
    assert_eq!(
        h.lead(answer["lead_id"].as_str().unwrap())
            .await
            .outcome
            .notification,
        NotifyState::Sent
    );

    // Without any channel, a lead that needs a person says nobody was told.
    let h = harness(Options {
        llm: openai(bring_us_in().await),
        ..Options::default()
    })
    .await;
    let (_, _, answer) = h.post_json(&key_question("max@example.com")).await;
    assert_eq!(
        h.lead(answer["lead_id"].as_str().unwrap())
            .await
            .outcome
            .notification,
        NotifyState::NotConfigured
    );
}

/// SES on the same local server as DynamoDB (moto serves every AWS API on one port).
async fn ses() -> (aws_sdk_sesv2::Client, String) {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("AWS_ENDPOINT_URL_DYNAMODB: run with scripts/test");
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(ask_fn::aws::https_client())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    (aws_sdk_sesv2::Client::new(&config), endpoint)
}

/// Messages the local SES accepted from `sender` (moto's inspection API).
async fn sent_by(endpoint: &str, sender: &str) -> Vec<Value> {
    let data: Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m["source"] == sender)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn email_through_ses_and_one_failed_channel_is_still_recorded() {
    let (client, endpoint) = ses().await;
    let sender = format!("help-{}@msp.example.test", std::process::id());
    client
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();
    let h = harness(Options {
        llm: openai(bring_us_in().await),
        notifier: Some(notifier(
            Policy::FollowUpOnly,
            Some(webhook(
                &Receiver::down().await,
                WebhookFormat::Teams,
                Duration::from_millis(300),
            )),
            Some(EmailChannel::new(
                client.clone(),
                sender.clone(),
                vec!["team@msp.example.test".into()],
            )),
        )),
        ..Options::default()
    })
    .await;
    let (status, _, answer) = h.post_json(&key_question("nina@example.com")).await;
    assert_eq!(status, 200);
    let sent = sent_by(&endpoint, &sender).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["destinations"]["ToAddresses"],
        json!(["team@msp.example.test"])
    );
    let subject = sent[0]["subject"].as_str().unwrap();
    assert!(
        subject.starts_with(
            "[Help desk] Too risky to do yourself: please follow up: Acme <b>BV</b> about"
        ),
        "{subject}"
    );
    let body = sent[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Email:    nina@example.com (unverified)\n"),
        "{body}"
    );
    assert!(body.contains("> Lost my YubiKey and the backup."));
    assert!(!body.contains("Winter2026"));
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(
        lead.outcome.notification,
        NotifyState::Sent,
        "email reached the team"
    );
    assert_eq!(
        lead.outcome.notification_error.as_deref(),
        Some("webhook: could not connect"),
        "the failed webhook is still on record"
    );

    // An unverified sender: SES refuses, and the lead says so.
    let h = harness(Options {
        llm: openai(bring_us_in().await),
        notifier: Some(notifier(
            Policy::FollowUpOnly,
            None,
            Some(EmailChannel::new(
                client,
                "unverified@msp.example.test".into(),
                vec!["team@msp.example.test".into()],
            )),
        )),
        ..Options::default()
    })
    .await;
    let (status, _, answer) = h.post_json(&key_question("olga@example.com")).await;
    assert_eq!(status, 200);
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.notification, NotifyState::Failed);
    assert!(
        lead.outcome
            .notification_error
            .as_deref()
            .unwrap()
            .starts_with("email: MessageRejected"),
        "{:?}",
        lead.outcome.notification_error
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn an_accepted_question_costs_two_dynamodb_round_trips() {
    let h = harness(Options {
        llm: openai(llm_that(Behaviour::Answer(answer_json("Restart it.", "diy", &[]))).await),
        log_requests: true,
        ip_limits: Limits {
            per_hour: 20,
            per_day: 60,
        },
        ..Options::default()
    })
    .await;
    let requests = h.requests.as_ref().unwrap();
    // A new visitor: quota, lead and LLM counter in one transaction; the outcome afterwards.
    let (status, _, first) = h.post_json(&question("pat@example.com")).await;
    assert_eq!((status, first["status"].as_str()), (200, Some("answered")));
    assert_eq!(requests.take(), ["TransactWriteItems", "UpdateItem"]);
    // The same visitor again, ten minutes later: still two.
    h.clock.advance(10 * 60 * 1_000);
    let (status, _, second) = h.post_json(&question("pat@example.com")).await;
    assert_eq!(status, 200);
    assert_eq!(
        second["quota"], first["quota"],
        "a 200 tells nothing about the address's earlier questions"
    );
    assert_eq!(requests.take(), ["TransactWriteItems", "UpdateItem"]);
    // Refused: this process knows the allowance is used up; one read confirms it, and the
    // question is kept as a `rate_limited` lead in one more write (no LLM call).
    let (status, _, _) = h.post_json(&question("pat@example.com")).await;
    assert_eq!(status, 429);
    assert_eq!(
        requests.take(),
        ["BatchGetItem", "TransactWriteItems"],
        "refused on this process's known state, confirmed by one read"
    );
    assert_eq!(h.llm().request_count(), 2);
}

/// Office-sized address limits: the email's allowance is what counts.
const LOOSE: Limits = Limits {
    per_hour: 20,
    per_day: 60,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn a_retry_with_the_same_request_id_gets_the_first_result() {
    let h = harness(Options {
        llm: openai(llm_that(Behaviour::Answer(answer_json("Restart it.", "diy", &[]))).await),
        ip_limits: LOOSE,
        ..Options::default()
    })
    .await;
    let mut first = question("retry@example.com");
    first["request_id"] = json!("0123456789abcdef0123456789abcdef");
    let (status, _, answer) = h.post_json(&first).await;
    assert_eq!(status, 200, "{answer}");
    // The page timed out waiting and sends the same question again, a little later.
    h.clock.advance(30_000);
    let (status, _, again) = h.post_json(&first).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["lead_id"], answer["lead_id"], "the first lead");
    assert_eq!(
        again["answer_html"], answer["answer_html"],
        "the first answer"
    );
    assert_eq!(again["status"], "answered");
    assert_eq!(h.llm().request_count(), 1, "no second LLM call");
    assert_eq!(
        h.store
            .leads_by_email("retry@example.com")
            .await
            .unwrap()
            .len(),
        1,
        "no second lead"
    );
    // A new question (a new id) is a new question, and uses the second place of the hour ...
    let mut second = question("retry@example.com");
    second["request_id"] = json!("fedcba9876543210fedcba9876543210");
    let (status, _, other) = h.post_json(&second).await;
    assert_eq!(status, 200);
    assert_ne!(other["lead_id"], answer["lead_id"]);
    // (A 200 does not say what is left: the hour is full, so a third new question is refused.)
    let mut third = question("retry@example.com");
    third["request_id"] = json!("00112233445566778899aabbccddeeff");
    assert_eq!(h.post_json(&third).await.0, 429);
    // ... so a retry of the first, now, is still its first result, not a 429.
    let (status, _, late) = h.post_json(&first).await;
    assert_eq!((status, &late["lead_id"]), (200, &answer["lead_id"]));
    // A malformed id is not something our page sends.
    let mut bad = question("retry@example.com");
    bad["request_id"] = json!("../../etc");
    assert_eq!(h.post_json(&bad).await.0, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn a_question_past_the_email_limit_is_kept_as_a_rate_limited_lead() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        ip_limits: LOOSE,
        ..Options::default()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(h.post_json(&question("keen@example.com")).await.0, 200);
    }
    let held_per_day = Settings::from_vars(|_| None).unwrap().held_per_day;
    for n in 0..held_per_day + 1 {
        h.clock.advance(60_000);
        let (status, _, body) = h.post_json(&question("keen@example.com")).await;
        assert_eq!(status, 429, "{body}");
        let kept = n < held_per_day;
        assert_eq!(body["kept"], kept, "question {n} past the limit: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert_eq!(
            message.contains("We have kept this question"),
            kept,
            "{message}"
        );
    }
    assert_eq!(
        h.llm().request_count(),
        2,
        "no LLM call for a kept question"
    );
    let leads = h.store.leads_by_email("keen@example.com").await.unwrap();
    let held: Vec<_> = leads
        .iter()
        .filter(|l| l.outcome.status == LeadStatus::RateLimited)
        .collect();
    assert_eq!(held.len() as u32, held_per_day, "bounded per email and day");
    assert!(held.iter().all(
        |l| l.outcome.follow_up_reason.as_deref() == Some("rate_limited")
            && l.question.contains("printer")
    ));
    assert_eq!(
        h.store
            .leads_by_status(LeadStatus::RateLimited, T0, T0 + HOUR)
            .await
            .unwrap()
            .len() as u32,
        held_per_day,
        "listed for the team"
    );
}

/// Asks through the handler as if from `ip` (the HTTP tests all come from 127.0.0.1).
async fn ask_from(h: &Harness, ip: &str, email: &str) -> Result<String, u16> {
    let body = question(email).to_string();
    h.app
        .ask(ask_fn::handler::AskInput {
            body: body.as_bytes(),
            encoding: ask_fn::form::Encoding::Json,
            client_ip: Some(ip.parse().unwrap()),
            request_id: "test",
        })
        .await
        .map(|answer| answer.lead_id)
        .map_err(|error| {
            ask_fn::http::refusal(&error, ask_fn::messages::Lang::En)
                .status
                .as_u16()
        })
}

#[tokio::test]
async fn ipv6_clients_are_keyed_by_their_64_and_networks_have_a_limit_of_their_own() {
    let h = harness(Options {
        dynamo: false,
        ip_limits: Limits {
            per_hour: 2,
            per_day: 0,
        },
        net_limits: Limits {
            per_hour: 3,
            per_day: 0,
        },
        ..Options::default()
    })
    .await;
    // Two addresses of one /64 are one client: a new address per question does not help.
    assert!(ask_from(&h, "2001:db8:1:2::1", "a@example.com")
        .await
        .is_ok());
    assert!(ask_from(&h, "2001:db8:1:2::2", "b@example.com")
        .await
        .is_ok());
    assert_eq!(
        ask_from(&h, "2001:db8:1:2:ffff::3", "c@example.com").await,
        Err(429)
    );
    // Another /64 of the same /48 is another client, but the same network (3 per hour).
    assert!(ask_from(&h, "2001:db8:1:3::1", "c@example.com")
        .await
        .is_ok());
    assert_eq!(
        ask_from(&h, "2001:db8:1:4::1", "d@example.com").await,
        Err(429)
    );
    // IPv4: an address pool in one /24 shares the network limit.
    for n in 1..=3 {
        assert!(
            ask_from(&h, &format!("203.0.113.{n}"), &format!("v{n}@example.com"))
                .await
                .is_ok()
        );
    }
    assert_eq!(
        ask_from(&h, "203.0.113.9", "v9@example.com").await,
        Err(429)
    );
    assert!(ask_from(&h, "198.51.100.1", "v9@example.com").await.is_ok());
}

/// A harness whose every answer is "bring us in" (so every lead is to be followed up), that
/// notifies at most `per_hour` leads one by one to a Slack webhook, the receiver returned.
async fn digest_harness(per_hour: u64) -> (Receiver, Harness) {
    let hook = Receiver::start(Reply::Accept).await;
    let h = harness(Options {
        llm: openai(bring_us_in().await),
        ip_limits: LOOSE,
        notify_per_hour: Some(per_hour),
        notifier: Some(notifier(
            Policy::FollowUpOnly,
            Some(webhook(
                &hook.url,
                WebhookFormat::Slack,
                Duration::from_millis(600),
            )),
            None,
        )),
        ..Options::default()
    })
    .await;
    (hook, h)
}

/// `count` visitors (`{prefix}{n}@example.com`) each ask once, all answered: their lead ids.
async fn ask_for_follow_up(h: &Harness, prefix: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..count {
        let (status, _, answer) = h
            .post_json(&key_question(&format!("{prefix}{n}@example.com")))
            .await;
        assert_eq!(status, 200, "{answer}");
        ids.push(answer["lead_id"].as_str().unwrap().to_owned());
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn past_the_hourly_notification_limit_leads_go_out_as_one_digest() {
    let (hook, h) = digest_harness(2).await;
    let ids = ask_for_follow_up(&h, "f", 5).await;
    assert_eq!(
        hook.received().len(),
        2,
        "two notified one by one in the hour"
    );
    for id in &ids[2..] {
        assert_eq!(h.lead(id).await.outcome.notification, NotifyState::Digest);
    }
    // The next hour's first notification brings the digest of the three held back.
    h.clock.advance(HOUR);
    let (status, _, _) = h.post_json(&key_question("later@example.com")).await;
    assert_eq!(status, 200);
    let received = hook.received();
    assert_eq!(
        received.len(),
        4,
        "the digest and the new lead: {received:?}"
    );
    let digest = received[2].to_string();
    assert!(digest.contains("Digest: 3 more lead(s)"), "{digest}");
    for id in &ids[2..] {
        assert!(digest.contains(id.as_str()), "{id} missing from {digest}");
        assert_eq!(h.lead(id).await.outcome.notification, NotifyState::Sent);
    }
    assert!(!digest.contains(ids[0].as_str()), "already notified");
}

/// Held leads reach the team even when no later question comes: the hourly scheduled event
/// (EventBridge → the digest function) sends their digest, once per hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn the_hourly_scheduled_event_sends_the_held_leads_digest() {
    use ask_fn::handler::DigestRun;
    use ask_fn::scheduled::{handle, ScheduledError};
    let (hook, h) = digest_harness(1).await;
    let ids = ask_for_follow_up(&h, "s", 3).await;
    assert_eq!(hook.received().len(), 1, "one notified, two held");
    let scheduled = json!({"task": "digest"});

    // The next hour, no question arrives; the schedule fires, through the Lambda entry point.
    h.clock.advance(HOUR);
    let lambda = |payload: Value| {
        let app = h.app.clone();
        async move {
            ask_fn::scheduled::dispatch(
                &app,
                ask_fn::http::router(app.clone()),
                lambda_http::LambdaEvent::new(payload, lambda_http::Context::default()),
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(
        lambda(scheduled.clone()).await,
        json!({"digest": "sent", "leads": 2, "state": "sent"})
    );
    let received = hook.received();
    assert_eq!(received.len(), 2, "{received:?}");
    let digest = received[1].to_string();
    assert!(digest.contains("Digest: 2 more lead(s)"), "{digest}");
    for id in &ids[1..] {
        assert!(digest.contains(id.as_str()), "{id} missing from {digest}");
        assert_eq!(h.lead(id).await.outcome.notification, NotifyState::Sent);
    }

    // This hour's digest is out: neither a second run nor the hour's first notification
    // sends another, even for a lead held since.
    let (status, _, _) = h.post_json(&key_question("later@example.com")).await;
    assert_eq!(status, 200);
    let (status, _, answer) = h.post_json(&key_question("held@example.com")).await;
    assert_eq!(status, 200);
    let held = answer["lead_id"].as_str().unwrap().to_owned();
    assert_eq!(
        h.lead(&held).await.outcome.notification,
        NotifyState::Digest
    );
    assert_eq!(
        handle(&h.app, &scheduled, "scheduled-2").await.unwrap(),
        DigestRun::AlreadySent
    );
    assert_eq!(
        hook.received().len(),
        3,
        "only the new lead, no second digest"
    );
    // It goes out with the next hour's run.
    h.clock.advance(HOUR);
    assert_eq!(
        handle(&h.app, &scheduled, "scheduled-3").await.unwrap(),
        DigestRun::Sent {
            leads: 1,
            state: NotifyState::Sent
        }
    );
    assert_eq!(
        handle(&h.app, &json!({"task": "reindex"}), "x").await,
        Err(ScheduledError::UnknownTask("reindex".into()))
    );
    // Any other event is an HTTP request for the router, answered as API Gateway expects.
    let http = lambda(json!({
        "version": "2.0",
        "routeKey": "POST /ask",
        "rawPath": "/ask",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": "POST", "path": "/ask", "protocol": "HTTP/1.1",
                     "sourceIp": "198.51.100.7", "userAgent": "test"},
            "requestId": "r1", "routeKey": "POST /ask", "stage": "$default",
            "accountId": "1", "apiId": "a", "domainName": "d", "domainPrefix": "d",
            "time": "04/Dec/2026:22:00:00 +0000", "timeEpoch": 0
        },
        "body": "{\"question\": \"\"}",
        "isBase64Encoded": false
    }))
    .await;
    assert_eq!(http["statusCode"], 422, "{http}");
    assert!(
        http["body"].as_str().unwrap().contains("question_required"),
        "{http}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn an_llm_retry_counts_against_the_daily_cap() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        cap: 2,
        ip_limits: LOOSE,
        ..Options::default()
    })
    .await;
    // The first attempt fails (a retryable 500), the retry answers: two paid calls.
    h.llm().push(Behaviour::Status(500));
    let (status, _, first) = h.post_json(&question("r1@example.com")).await;
    assert_eq!((status, first["status"].as_str()), (200, Some("answered")));
    assert_eq!(h.llm().request_count(), 2);
    // So the cap of 2 is used up: the next question is kept for a person, no LLM call.
    let (status, _, second) = h.post_json(&question("r2@example.com")).await;
    assert_eq!(
        (status, second["status"].as_str()),
        (200, Some("follow_up"))
    );
    assert_eq!(
        h.llm().request_count(),
        2,
        "the cap holds, retries included"
    );
    let lead = h.lead(second["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.follow_up_reason.as_deref(), Some("daily_cap"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn no_llm_retry_past_the_daily_cap() {
    let h = harness(Options {
        llm: openai(FakeLlm::start().await),
        cap: 1,
        ..Options::default()
    })
    .await;
    h.llm().push(Behaviour::Status(500));
    let (status, _, body) = h.post_json(&question("r3@example.com")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("follow_up")));
    assert_eq!(h.llm().request_count(), 1, "the retry would pass the cap");
    let lead = h.lead(body["lead_id"].as_str().unwrap()).await;
    assert_eq!(lead.outcome.status, LeadStatus::LlmFailed);
}

// ---------------------------------------------------------------------------------------------
// Two languages (issue 18): the page's language as posted, the question's when clearly another.

fn nl() -> kb_model::Language {
    kb_model::Language::parse("nl").unwrap()
}

/// [`bundle`] with a Dutch printer article (the VPN and key articles are not translated).
fn bilingual_bundle() -> Arc<Bundle> {
    let mut bundle = (*bundle()).clone();
    let mut printer = article(
        "printer-offline",
        "Waarom staat mijn printer op offline?",
        Risk::Low,
        &[
            "Haal de printer uit de slaapstand.",
            "Controleer of hij op de kantoorwifi zit.",
            "Maak de afdrukwachtrij leeg.",
        ],
    );
    printer.language = nl();
    printer.url = format!("{BASE_URL}/nl/printer-staat-offline/");
    printer.escalation = "Kan meer dan een persoon niet printen, bel ons dan.".into();
    printer.content_hash = "00000000000000aa".into();
    bundle.articles.insert(2, printer);
    bundle.languages.push(nl());
    bundle.homes = [
        ("en", format!("{BASE_URL}/")),
        ("nl", format!("{BASE_URL}/nl/")),
    ]
    .into_iter()
    .map(|(code, home)| (code.to_owned(), home))
    .collect();
    Arc::new(Bundle::from_json(&bundle.to_json()).expect("a valid two-language bundle"))
}

fn dutch_question(email: &str) -> Value {
    let mut body = question(email);
    body["lang"] = json!("nl");
    body["content_hash"] = json!("00000000000000aa");
    body["question"] =
        json!("Mijn printer staat nog steeds offline, ook na een herstart. Wat moet ik doen?");
    body
}

/// The two-language bundle answered from the knowledge base (no LLM), on the in-memory store.
async fn bilingual_without_llm() -> Harness {
    harness(Options {
        dynamo: false,
        bundle: Some(bilingual_bundle()),
        ..Options::default()
    })
    .await
}

async fn bilingual_with_llm(verdict: &str) -> Harness {
    let fake = FakeLlm::start().await;
    fake.set_default(Behaviour::Answer(answer_json(
        "Controleer het IP-adres van de printer.",
        verdict,
        &["printer-offline"],
    )));
    harness(Options {
        dynamo: false,
        llm: openai(fake),
        bundle: Some(bilingual_bundle()),
        // Several questions from 127.0.0.1, each from its own address.
        ip_limits: Limits {
            per_hour: 10,
            per_day: 10,
        },
        ..Options::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dutch_page_grounds_the_model_in_its_dutch_steps_and_answers_in_dutch() {
    let h = bilingual_with_llm("careful").await;
    let (status, _, answer) = h.post_json(&dutch_question("ann@example.com")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lang"], "nl");
    assert_eq!(answer["verdict_label"], "Wees voorzichtig");
    assert_eq!(
        answer["message"],
        "Dit is ons advies. Lost het je probleem niet op, reageer dan op onze e-mail of neem contact met ons op."
    );
    assert_eq!(
        answer["cited"],
        json!([{ "slug": "printer-offline", "title": "Waarom staat mijn printer op offline?", "url": "https://help.example.test/nl/printer-staat-offline/" }])
    );
    assert_eq!(
        answer["back_url"],
        "https://help.example.test/nl/printer-staat-offline/"
    );

    let requests = h.llm().requests();
    let prompt = requests[0].body.to_string();
    assert!(prompt.contains("1. Haal de printer uit de slaapstand.\\n2. Controleer of hij op de kantoorwifi zit.\\n3. Maak de afdrukwachtrij leeg."), "{prompt}");
    assert!(
        prompt.contains("Kan meer dan een persoon niet printen"),
        "{prompt}"
    );
    assert!(
        !prompt.contains("Wake the printer"),
        "not the English steps: {prompt}"
    );
    assert!(prompt.contains("Answer in Dutch."), "{prompt}");
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert_eq!(
        lead.article.as_deref(),
        Some("printer-offline"),
        "the original slug"
    );
    assert!(!lead.stale_page, "the hash is the Dutch record's");

    // An English question on the Dutch page: grounded in what they read, answered in English.
    let mut english = dutch_question("bob@example.com");
    english["question"] = json!("My printer is still offline after a restart, what can I do?");
    let (status, _, answer) = h.post_json(&english).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lang"], "en");
    assert_eq!(answer["verdict_label"], "Be careful");
    assert_eq!(
        answer["cited"][0]["url"],
        "https://help.example.test/printer-offline/"
    );
    let prompt = h.llm().requests()[1].body.to_string();
    assert!(
        prompt.contains("1. Haal de printer uit de slaapstand."),
        "{prompt}"
    );
    assert!(prompt.contains("Answer in English."), "{prompt}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_post_is_answered_as_before_and_an_untranslated_article_falls_back() {
    let h = bilingual_with_llm("careful").await;
    // No `lang` (a page built before it was sent): the default language, English.
    let (status, _, answer) = h.post_json(&question("carl@example.com")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lang"], "en");
    assert_eq!(answer["verdict_label"], "Be careful");
    assert_eq!(
        answer["message"],
        "Here is our advice. If it does not solve it, reply to our email or contact us."
    );
    let prompt = h.llm().requests()[0].body.to_string();
    assert!(prompt.contains("1. Wake the printer from sleep.\\n2. Check it is on the office Wi-Fi.\\n3. Clear the print queue."), "{prompt}");
    assert!(!prompt.contains("slaapstand"), "{prompt}");
    assert!(prompt.contains("Answer in English."), "{prompt}");

    // The VPN article has no Dutch record: a Dutch page gets the English steps, a Dutch answer.
    let mut vpn = dutch_question("dora@example.com");
    vpn["article"] = json!("vpn-wont-connect");
    vpn["content_hash"] = json!(format!("{:016x}", "vpn-wont-connect".len()));
    vpn["question"] = json!("Mijn VPN maakt geen verbinding vanuit het hotel, wat moet ik doen?");
    let (status, _, answer) = h.post_json(&vpn).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["lang"], "nl");
    let prompt = h.llm().requests()[1].body.to_string();
    assert!(
        prompt.contains("1. Check your internet connection.\\n2. Restart the VPN client."),
        "{prompt}"
    );
    assert!(prompt.contains("Answer in Dutch."), "{prompt}");
    assert_eq!(
        answer["back_url"],
        "https://help.example.test/vpn-wont-connect/"
    );
    let lead = h.lead(answer["lead_id"].as_str().unwrap()).await;
    assert!(
        !lead.stale_page,
        "the English record's hash is the one the page had"
    );

    // A language the bundle lacks falls back to the default; one that is no language is a 400.
    let mut german = question("eve@example.com");
    german["lang"] = json!("de");
    let (status, _, answer) = h.post_json(&german).await;
    assert_eq!(
        (status, answer["lang"].as_str()),
        (200, Some("en")),
        "{answer}"
    );
    german["lang"] = json!("<script>");
    let (status, _, answer) = h.post_json(&german).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("bad_form")),
        "{answer}"
    );
}

#[tokio::test]
async fn a_dutch_page_gets_dutch_field_errors_and_a_dutch_limit() {
    let h = harness(Options {
        dynamo: false,
        bundle: Some(bilingual_bundle()),
        email_limits: Limits {
            per_hour: 1,
            per_day: 5,
        },
        ..Options::default()
    })
    .await;
    let mut bad = dutch_question("fay@example.com");
    bad["question"] = json!("kapot");
    bad["email"] = json!("fay@");
    bad["consent"] = json!(false);
    let (status, _, body) = h.post_json(&bad).await;
    assert_eq!(status, 422, "{body}");
    let messages: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "Beschrijf je situatie iets uitgebreider (minstens 10 tekens).",
            "Dat e-mailadres lijkt niet compleet. Controleer het (zoals naam@bedrijf.nl).",
            "Ga akkoord met de privacyverklaring, zodat we je gegevens mogen gebruiken om je te antwoorden.",
        ]
    );
    // The same mistakes from an English page: English, as before.
    bad["lang"] = json!("en");
    let (_, _, body) = h.post_json(&bad).await;
    assert_eq!(
        body["error"]["message"],
        "Please describe your situation in a bit more detail (at least 10 characters)."
    );

    let (status, _, body) = h.post_json(&dutch_question("gus@example.com")).await;
    assert_eq!(status, 200, "{body}");
    let (status, headers, body) = h.post_json(&dutch_question("gus@example.com")).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(headers["retry-after"], (60 * 60).to_string());
    assert_eq!(
        body["error"]["message"],
        "Je hebt de limiet van 1 vraag per uur bereikt. Je kunt om 15:05 UTC (over 60 minuten) weer een vraag stellen. We hebben deze vraag bewaard en iemand antwoordt je per e-mail."
    );
}

#[tokio::test]
async fn the_form_without_javascript_on_a_dutch_page_gets_dutch_pages() {
    let h = bilingual_without_llm().await;
    let form = "lang=nl&article=printer-offline&content_hash=00000000000000aa&question=Mijn+printer+staat+offline+sinds+vanochtend%2C+wat+nu%3F&email=ivy%40example.com&company=Acme&consent=on&confirm_ref=";
    let (status, page) = h.post_form(form).await;
    assert_eq!(status, 200, "{page}");
    for dutch in [
        "<html lang=\"nl\">",
        "<title>Ons antwoord</title>",
        "<h1>Ons antwoord</h1>",
        "Je kunt maximaal 2 vragen per uur en 5 per dag stellen.",
        "href=\"https://help.example.test/nl/printer-staat-offline/\">Terug naar het artikel</a>",
    ] {
        assert!(page.contains(dutch), "{dutch}\n{page}");
    }
    assert!(
        !page.contains("Our answer") && !page.contains("lang=\"en\""),
        "{page}"
    );

    let bad = "lang=nl&article=printer-offline&question=Mijn+printer+is+stuk&email=ivy%40&company=Acme&consent=on";
    let (status, page) = h.post_form(bad).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("<html lang=\"nl\">"), "{page}");
    assert!(page.contains("<h1>Controleer je vraag</h1>"), "{page}");
    assert!(
        page.contains("Dat e-mailadres lijkt niet compleet."),
        "{page}"
    );
    assert!(
        page.contains("<input type=\"hidden\" name=\"lang\" value=\"nl\">"),
        "{page}"
    );
}

/// The general form (no article) on the Dutch home page: its answer page, in Dutch, links back
/// to the Dutch home page, not to the site's (English) one.
#[tokio::test]
async fn the_general_form_on_a_dutch_page_links_back_to_the_dutch_home_page() {
    let h = bilingual_without_llm().await;
    let form = "lang=nl&article=&question=Onze+printer+staat+offline+sinds+vanochtend%2C+wat+nu%3F&email=jo%40example.com&company=Acme&consent=on&confirm_ref=";
    let (status, page) = h.post_form(form).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!(
            "href=\"{BASE_URL}/nl/\">Terug naar de helpsite</a>"
        )),
        "{page}"
    );
}

#[tokio::test]
async fn without_an_llm_a_dutch_page_gets_the_dutch_steps_from_the_knowledge_base() {
    let h = bilingual_without_llm().await;
    let mut body = dutch_question("hank@example.com");
    body["article"] = json!("");
    body["question"] = json!("De printer op kantoor staat offline en de wachtrij loopt vol");
    let (status, _, answer) = h.post_json(&body).await;
    assert_eq!(status, 200, "{answer}");
    let html = answer["answer_html"].as_str().unwrap();
    assert!(
        html.contains("Dit antwoord is niet door AI geschreven"),
        "{html}"
    );
    assert!(
        !html.contains("in het Engels"),
        "the steps are Dutch: {html}"
    );
    assert!(
        html.contains("Haal de printer uit de slaapstand."),
        "{html}"
    );
    assert_eq!(
        answer["cited"][0]["url"],
        "https://help.example.test/nl/printer-staat-offline/"
    );
    assert_eq!(answer["verdict_label"], "Risico volgens het artikel: laag");
    assert_eq!(
        answer["message"],
        "Dit zijn de best passende stappen uit onze kennisbank (niet door AI geschreven)."
    );
}

#[tokio::test]
async fn a_request_without_a_readable_language_is_refused_in_the_default_language() {
    // A Dutch-first site: its refusals of unreadable requests are Dutch.
    let mut dutch_site = (*bundle()).clone();
    for article in &mut dutch_site.articles {
        article.language = nl();
    }
    dutch_site.default_language = nl();
    dutch_site.languages = vec![nl()];
    let h = harness(Options {
        dynamo: false,
        bundle: Some(Arc::new(dutch_site)),
        ..Options::default()
    })
    .await;
    let (status, body) = h.post_raw("text/plain", b"hello".to_vec()).await;
    assert_eq!(status, 415);
    assert!(
        body.contains("Het formulier is verstuurd in een formaat dat we niet accepteren."),
        "{body}"
    );
    let (status, body) = h.post_raw("application/json", b"{not json".to_vec()).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("De gegevens van het formulier konden niet worden gelezen."),
        "{body}"
    );
    // A page language the bundle does not have: the default's words, like its answer.
    let mut english = question("ian@example.com");
    english["lang"] = json!("en");
    english["email"] = json!("ian@");
    let (status, _, body) = h.post_json(&english).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["message"],
        "Dat e-mailadres lijkt niet compleet. Controleer het (zoals naam@bedrijf.nl)."
    );
}
