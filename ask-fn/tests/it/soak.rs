//! The soak: two handler instances (two Lambda instances: separate processes' state, one pair
//! of tables) take 200 visitors × 10 questions arriving at once, while the LLM fails at random.
//! Whatever the interleaving: every visitor gets exactly min(asked, 2) accepted in the hour,
//! every accepted question has exactly one lead (finished, never left pending), questions past
//! the limit are kept as `rate_limited` leads up to the daily bound, and no response is a 5xx
//! other than the documented 503.
//!
//! Judged on Amazon DynamoDB Local, which applies requests concurrently like DynamoDB; also run
//! on moto with 20 visitors (moto answers one request at a time, so there it only checks the
//! bookkeeping, and a larger crowd would only take longer).

use crate::support::{dynamo, fake_llm};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ask_fn::clock::ManualClock;
use ask_fn::handler::{App, AskInput};
use ask_fn::llm::openai::OpenAiAdvisor;
use ask_fn::llm::{ApiKey, HttpLlmSettings};
use ask_fn::quota::Limits;
use ask_fn::settings::Settings;
use ask_fn::store::dynamo::DynamoStore;
use ask_fn::store::{LeadStatus, Store};
use dynamo::{Backend, T0};
use fake_llm::{answer_json, Behaviour, FakeLlm};
use kb_model::{Bundle, BundleArticle, Risk, BUNDLE_FORMAT};

const QUESTIONS: usize = 10;
/// Requests in flight at once, across both instances (Lambda's concurrency, in effect).
const IN_FLIGHT: usize = 32;
/// The whole soak must finish within this, or it fails (bounded, for CI).
const DEADLINE: Duration = Duration::from_secs(120);

fn bundle() -> Arc<Bundle> {
    Arc::new(Bundle {
        format: BUNDLE_FORMAT,
        site_title: "Help".into(),
        base_url: "https://help.example.test".into(),
        company_name: "Example IT".into(),
        company_phone: "+31 20 123 4567".into(),
        default_language: kb_model::Language::english(),
        languages: vec![kb_model::Language::english()],
        homes: Default::default(),
        articles: vec![BundleArticle {
            slug: "printer-offline".into(),
            language: kb_model::Language::english(),
            url: "https://help.example.test/printer-offline/".into(),
            title: "Why does my printer show as offline?".into(),
            description: "About printers".into(),
            category: "devices".into(),
            tags: vec![],
            risk: Risk::Low,
            intro: "Intro.".into(),
            steps: vec!["Wake the printer from sleep.".into()],
            escalation: "Call us.".into(),
            see_also: vec![],
            updated: "2026-11-20".into(),
            content_hash: "0000000000000010".into(),
        }],
    })
}

fn app(store: DynamoStore, llm: &FakeLlm, bundle: &Arc<Bundle>, clock: &Arc<ManualClock>) -> App {
    let mut settings = Settings::from_vars(|_| None).unwrap();
    settings.email_limits = Limits {
        per_hour: 2,
        per_day: 5,
    };
    // Every visitor asks from an address of their own; the network limit is not under test.
    settings.net_limits = Limits {
        per_hour: 0,
        per_day: 0,
    };
    settings.llm_daily_cap = 1_000_000;
    let http = HttpLlmSettings {
        base_url: llm.base_url_openai(),
        model: "test-model".into(),
        api_key: ApiKey::new("sk-test-key-123"),
        max_tokens: 500,
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(2_000),
        total_budget: Duration::from_millis(4_500),
    };
    let advisor = OpenAiAdvisor::new(http, App::slug_checker(bundle)).unwrap();
    App::new(
        settings,
        bundle.clone(),
        Arc::new(kb_model::retrieval::SearchIndex::new(bundle)),
        Arc::new(store),
        Arc::new(advisor),
        clock.clone(),
    )
}

/// What one visitor got back.
#[derive(Default)]
struct Outcome {
    accepted: Vec<String>,
    refused: usize,
    kept: usize,
    other: Vec<u16>,
}

async fn soak(backend: Backend, visitors: usize) {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let (first_store, client, quota, leads) = backend.store().await;
    let second_store = DynamoStore::new(backend.client().await, &quota, &leads);
    let llm = FakeLlm::start().await;
    llm.set_default(Behaviour::Flaky {
        fail_percent: 25,
        text: answer_json("Wake the printer, then print a test page.", "diy", &[]),
    });
    let bundle = bundle();
    let clock = Arc::new(ManualClock::new(T0));
    let instances = [
        Arc::new(app(first_store, &llm, &bundle, &clock)),
        Arc::new(app(second_store, &llm, &bundle, &clock)),
    ];
    let gate = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(visitors * QUESTIONS);
    // Question by question across all visitors, so each visitor's ten overlap one another.
    for question in 0..QUESTIONS {
        for visitor in 0..visitors {
            let app = instances[(visitor + question) % 2].clone();
            let gate = gate.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.unwrap();
                let body = serde_json::json!({
                    "article": "printer-offline",
                    "question": format!("Question {question}: the printer is offline again."),
                    "email": format!("visitor{visitor}@example.com"),
                    "company": "Acme",
                    "consent": true,
                    "request_id": format!("soak-{visitor:04}-{question:02}-000000"),
                })
                .to_string();
                let ip = format!("10.{}.{}.1", visitor / 256, visitor % 256);
                let result = app
                    .ask(AskInput {
                        body: body.as_bytes(),
                        encoding: ask_fn::form::Encoding::Json,
                        client_ip: Some(ip.parse().unwrap()),
                        request_id: "soak",
                    })
                    .await;
                (
                    visitor,
                    result.map(|answer| answer.lead_id).map_err(|error| {
                        let refused = ask_fn::http::refusal(&error, ask_fn::messages::Lang::En);
                        (refused.status.as_u16(), refused.body()["kept"] == true)
                    }),
                )
            }));
        }
    }
    let mut outcomes: HashMap<usize, Outcome> = HashMap::new();
    for task in tasks {
        let (visitor, result) = tokio::time::timeout_at(deadline, task)
            .await
            .expect("the soak finishes in time")
            .unwrap();
        let outcome = outcomes.entry(visitor).or_default();
        match result {
            Ok(lead_id) => outcome.accepted.push(lead_id),
            Err((429, kept)) => {
                outcome.refused += 1;
                outcome.kept += usize::from(kept);
            }
            Err((status, _)) => outcome.other.push(status),
        }
    }
    let asked_in = started.elapsed();

    let store: &dyn Store = &DynamoStore::new(client, &quota, &leads);
    let held_per_day = Settings::from_vars(|_| None).unwrap().held_per_day as usize;
    let (mut accepted, mut stored, mut unavailable, mut failed_llm) = (0, 0, 0, 0);
    for visitor in 0..visitors {
        let outcome = &outcomes[&visitor];
        let server_errors: Vec<u16> = outcome
            .other
            .iter()
            .copied()
            .filter(|&s| s != 503)
            .collect();
        assert!(
            server_errors.is_empty(),
            "visitor {visitor}: unexpected statuses {server_errors:?}"
        );
        unavailable += outcome.other.len();
        assert_eq!(
            outcome.accepted.len(),
            QUESTIONS.min(2),
            "visitor {visitor}: exactly min(asked, 2) accepted in the hour (leads {:?})",
            outcome.accepted
        );
        let leads = store
            .leads_by_email(&format!("visitor{visitor}@example.com"))
            .await
            .unwrap();
        let answered: HashSet<&str> = leads
            .iter()
            .filter(|l| l.outcome.status != LeadStatus::RateLimited)
            .map(|l| l.id.as_str())
            .collect();
        let expected: HashSet<&str> = outcome.accepted.iter().map(String::as_str).collect();
        assert_eq!(
            answered, expected,
            "visitor {visitor}: every accepted question has exactly one lead, and no other"
        );
        for lead in leads.iter().filter(|l| expected.contains(l.id.as_str())) {
            assert!(
                matches!(
                    lead.outcome.status,
                    LeadStatus::Answered | LeadStatus::LlmFailed
                ),
                "visitor {visitor}: lead {} left {:?}",
                lead.id,
                lead.outcome.status
            );
            failed_llm += usize::from(lead.outcome.status == LeadStatus::LlmFailed);
        }
        let held = leads
            .iter()
            .filter(|l| l.outcome.status == LeadStatus::RateLimited)
            .count();
        assert_eq!(held, outcome.kept, "visitor {visitor}: kept means stored");
        assert_eq!(
            held,
            held_per_day.min(QUESTIONS - 2),
            "visitor {visitor}: questions past the limit kept up to the daily bound"
        );
        accepted += outcome.accepted.len();
        stored += leads.len();
    }
    eprintln!(
        "soak on {backend:?}: {} questions from {visitors} visitors on 2 instances in {:.1} s \
         ({:.1} s with the checks); {accepted} accepted ({failed_llm} with the LLM failing), \
         {stored} leads stored (incl. rate_limited), {unavailable} × 503, {} LLM requests",
        visitors * QUESTIONS,
        asked_in.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        llm.request_count(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs DynamoDB Local: run scripts/test"]
async fn soak_on_dynamodb_local() {
    soak(Backend::Local, 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn soak_on_moto() {
    // moto answers one request at a time: a smaller crowd checks the same bookkeeping.
    soak(Backend::Moto, 20).await;
}
