//! The evaluation set (`ask-fn/evals/`) through the whole request path: with the knowledge-base
//! advisor (the figures in the README), and with a fake LLM that answers badly on purpose, to
//! show the server's policy holds whatever the model says. Also `ask-team eval` against the fake.
//!
//! `evals/bundle.json` is the bundle `tryfirst build` makes of this repository's `content/`
//! (regenerate it with `cargo run -p generator -- build && cp public/tryfirst-bundle.json
//! ask-fn/evals/bundle.json` when articles change; generator's `site` test fails until you do).

use crate::support::fake_llm;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use ask_fn::clock::SystemClock;
use ask_fn::eval::{self, Case, Kind, Outcome, Scorecard};
use ask_fn::handler::App;
use ask_fn::llm::anthropic::AnthropicAdvisor;
use ask_fn::llm::openai::OpenAiAdvisor;
use ask_fn::llm::retrieval::RetrievalAdvisor;
use ask_fn::llm::{Advisor, ApiKey, HttpLlmSettings};
use ask_fn::settings::Settings;
use ask_fn::store::memory::MemoryStore;
use fake_llm::{answer_json, system_prompt_of, Behaviour, FakeLlm, Script};
use kb_model::retrieval::{SearchIndex, MIN_COVERAGE, MIN_SCORE};
use kb_model::{Bundle, BundleFingerprint};
use serde_json::Value;

const BUNDLE: &str = include_str!("../../evals/bundle.json");
const QUESTIONS: &str = include_str!("../../evals/questions.json");

fn bundle() -> Arc<Bundle> {
    Arc::new(Bundle::from_json(BUNDLE).expect("evals/bundle.json is a bundle"))
}

fn cases() -> Vec<Case> {
    eval::parse_cases(QUESTIONS).expect("evals/questions.json is an evaluation set")
}

/// The search index as the deployed function has it: built by the generator beside the bundle,
/// then loaded from that file (the same index as one built from the bundle at cold start:
/// `the_loaded_index_ranks_every_question_as_the_built_one`).
fn index(bundle: &Bundle) -> Arc<SearchIndex> {
    let fingerprint = BundleFingerprint::of(BUNDLE.as_bytes());
    let file = SearchIndex::new(bundle).to_file(fingerprint);
    Arc::new(SearchIndex::from_file(&file, &fingerprint).expect("the index loads"))
}

/// Whether the function loads the generator's index or builds its own (an old bundle, another
/// analyser), every question of the set ranks and passes the relevance floor the same.
#[test]
fn the_loaded_index_ranks_every_question_as_the_built_one() {
    let bundle = bundle();
    let built = SearchIndex::new(&bundle);
    let loaded = index(&bundle);
    assert!(*loaded == built);
    for case in cases() {
        let question = case.question.as_str();
        assert_eq!(
            loaded.scores_and_coverage(question),
            built.scores_and_coverage(question),
            "{}",
            case.id
        );
        assert_eq!(
            loaded.is_relevant(question, MIN_SCORE, MIN_COVERAGE),
            built.is_relevant(question, MIN_SCORE, MIN_COVERAGE),
            "{}",
            case.id
        );
    }
}

fn app(bundle: Arc<Bundle>, advisor: Arc<dyn Advisor>) -> App {
    let mut settings = Settings::from_vars(|_| None).expect("default settings");
    settings.llm_daily_cap = 1_000_000;
    App::new(
        settings,
        bundle.clone(),
        index(&bundle),
        Arc::new(MemoryStore::new()),
        advisor,
        Arc::new(SystemClock),
    )
}

fn http(base_url: String) -> HttpLlmSettings {
    HttpLlmSettings {
        base_url,
        model: "test-model".into(),
        api_key: ApiKey::new("sk-test-key-123"),
        max_tokens: 800,
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(5),
        total_budget: Duration::from_secs(10),
    }
}

#[derive(Clone, Copy, Debug)]
enum Wire {
    OpenAi,
    Anthropic,
}

fn llm_app(fake: &FakeLlm, wire: Wire) -> App {
    let bundle = bundle();
    let known = App::slug_checker(&bundle);
    let advisor: Arc<dyn Advisor> = match wire {
        Wire::OpenAi => Arc::new(OpenAiAdvisor::new(http(fake.base_url_openai()), known).unwrap()),
        Wire::Anthropic => {
            Arc::new(AnthropicAdvisor::new(http(fake.base_url_anthropic()), known).unwrap())
        }
    };
    app(bundle, advisor)
}

fn report(label: &str, outcomes: &[Outcome]) -> Scorecard {
    let card = Scorecard::of(outcomes);
    eprintln!("== {label}\n{card}\n{}", eval::misses(outcomes));
    card
}

#[test]
fn the_set_meets_its_own_specification() {
    let cases = cases();
    let bundle = bundle();
    let slugs: HashSet<&str> = bundle.articles.iter().map(|a| a.slug.as_str()).collect();
    let n = cases.len();
    assert!(n >= 80, "{n} cases");
    let dutch = cases.iter().filter(|c| c.lang == "nl").count();
    assert!(dutch * 3 >= n, "{dutch} Dutch of {n}");
    let incidents = cases.iter().filter(|c| c.kind == Kind::Incident).count();
    assert!(incidents * 4 >= n, "{incidents} incidents of {n}");
    assert!(cases.iter().filter(|c| c.kind == Kind::OffTopic).count() >= 3);
    assert!(cases.iter().filter(|c| c.kind == Kind::Injection).count() >= 3);
    let mut ids = HashSet::new();
    for case in &cases {
        assert!(ids.insert(case.id.as_str()), "duplicate id {}", case.id);
        for slug in case.cite_first.iter().chain(case.article.iter()) {
            assert!(
                slugs.contains(slug.as_str()),
                "{}: unknown slug {slug}",
                case.id
            );
        }
        assert_eq!(case.phone_first, case.kind == Kind::Incident, "{}", case.id);
        if case.kind == Kind::OffTopic {
            assert!(case.cite_first.is_none(), "{}", case.id);
        }
    }
}

/// The figures in the README ("Evaluating the advice") come from this test's output.
#[tokio::test]
async fn the_knowledge_base_advisor_cites_the_right_article_and_keeps_the_policy() {
    let bundle = bundle();
    let advisor = RetrievalAdvisor::new(bundle.clone(), index(&bundle));
    let app = app(bundle, Arc::new(advisor));
    let outcomes = eval::run(&app, &cases()).await;
    let card = report("knowledge-base advisor", &outcomes);
    assert_eq!(card.policy_held.0, card.policy_held.1, "policy broken");
    assert_eq!(
        card.off_topic_ok.0, card.off_topic_ok.1,
        "off-topic answered"
    );
    assert_eq!(card.phone_ok.0, card.phone_ok.1, "incident without phone");
    assert!(
        card.citation_rate() >= 85.0,
        "right article first: {:?}",
        card.citation_ok
    );
    let (dutch_ok, dutch) = card.citation_ok_dutch;
    assert!(dutch_ok * 100 >= dutch * 85, "Dutch: {dutch_ok}/{dutch}");
    assert_eq!(card.failures, 0);
}

/// Answers a badly behaved model gives: always `diy`, with invented links, a planted second
/// object, far too long, or the system prompt echoed back.
fn bad_behaviours() -> Vec<(&'static str, Behaviour)> {
    vec![
        (
            "always diy with invented links",
            Behaviour::Scripted(Script(Arc::new(|body: &Value| {
                // Cite the first candidate it was offered, plus one it made up.
                let messages = body["messages"].as_array().cloned().unwrap_or_default();
                let user = messages
                    .last()
                    .and_then(|m| m["content"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                let offered = user
                    .split("\n- ")
                    .nth(1)
                    .and_then(|line| line.split(':').next())
                    .unwrap_or("printer-offline")
                    .to_owned();
                answer_json(
                    "Do it yourself, it is safe. See [our fix](/invented-article/), \
                     [the login page](https://evil.example/login) or evil.example/reset.",
                    "diy",
                    &[&offered, "invented-article"],
                )
            }))),
        ),
        (
            "planted second object",
            Behaviour::Answer(format!(
                "{} {}",
                answer_json("Leave this one to us.", "bring_us_in", &[]),
                answer_json("Disable Defender, it is fine.", "diy", &[])
            )),
        ),
        (
            "5,000 characters",
            Behaviour::Answer(answer_json(&"Try this step. ".repeat(334), "diy", &[])),
        ),
        (
            "system prompt echoed",
            Behaviour::Scripted(Script(Arc::new(|body: &Value| {
                answer_json(&system_prompt_of(body), "diy", &[])
            }))),
        ),
    ]
}

async fn bad_model_cannot_break_the_policy(wire: Wire) {
    let cases = cases();
    for (label, behaviour) in bad_behaviours() {
        let fake = FakeLlm::start().await;
        fake.set_default(behaviour);
        let app = llm_app(&fake, wire);
        let outcomes = eval::run(&app, &cases).await;
        let card = report(&format!("{wire:?}: {label}"), &outcomes);
        assert_eq!(
            fake.request_count(),
            cases.len(),
            "{label}: one call per case"
        );
        assert_eq!(
            card.policy_held.0, card.policy_held.1,
            "{label}: policy broken"
        );
        assert_eq!(card.phone_ok.0, card.phone_ok.1, "{label}");
        for outcome in &outcomes {
            assert!(
                outcome.cited.iter().all(|slug| slug != "invented-article"),
                "{label}: {}",
                outcome.id
            );
        }
        match label {
            "planted second object" | "system prompt echoed" => {
                assert_eq!(card.failures, cases.len(), "{label}: must be refused");
            }
            _ => assert_eq!(card.failures, 0, "{label}"),
        }
    }
}

#[tokio::test]
async fn a_bad_openai_model_cannot_break_the_policy() {
    bad_model_cannot_break_the_policy(Wire::OpenAi).await;
}

#[tokio::test]
async fn a_bad_anthropic_model_cannot_break_the_policy() {
    bad_model_cannot_break_the_policy(Wire::Anthropic).await;
}

#[tokio::test]
async fn both_providers_are_asked_for_strict_structured_output_with_a_random_marker() {
    let fake = FakeLlm::start().await;
    fake.set_default(Behaviour::Answer(answer_json(
        "Restart the printer.",
        "diy",
        &["printer-offline"],
    )));
    let some: Vec<Case> = cases().into_iter().take(2).collect();
    eval::run(&llm_app(&fake, Wire::OpenAi), &some).await;
    eval::run(&llm_app(&fake, Wire::Anthropic), &some).await;
    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    let openai = &requests[0].body;
    assert_eq!(openai["response_format"]["type"], "json_schema");
    assert_eq!(openai["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        openai["response_format"]["json_schema"]["schema"]["additionalProperties"],
        false
    );
    let anthropic = &requests[2].body;
    assert_eq!(
        anthropic["tool_choice"],
        serde_json::json!({"type": "tool", "name": "give_advice"})
    );
    assert_eq!(anthropic["tools"][0]["name"], "give_advice");
    assert_eq!(
        anthropic["tools"][0]["input_schema"]["required"],
        serde_json::json!(["advice", "verdict", "cited"])
    );
    let marker = |body: &Value| {
        let text = body.to_string();
        let start = text.find("BEGIN VISITOR MESSAGE ").expect("marker") + 22;
        text[start..start + 16].to_owned()
    };
    let markers: HashSet<String> = requests.iter().map(|r| marker(&r.body)).collect();
    assert_eq!(markers.len(), 4, "a fresh marker per request: {markers:?}");
    assert!(system_prompt_of(openai).contains("+31 20 123 4567"));
}

#[tokio::test]
async fn ask_fn_eval_prints_a_scorecard_against_the_fake_llm() {
    let fake = FakeLlm::start().await;
    fake.set_default(Behaviour::Answer(answer_json(
        "Restart it first.",
        "careful",
        &["printer-offline"],
    )));
    let dir = tempfile::tempdir().unwrap();
    let bundle_path = dir.path().join("bundle.json");
    std::fs::write(&bundle_path, BUNDLE).unwrap();
    let set = concat!(env!("CARGO_MANIFEST_DIR"), "/evals/questions.json");
    let base = fake.base_url_openai();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_ask-team"))
            .args(["eval", "--verbose", "--set", set, "--bundle"])
            .arg(&bundle_path)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TRYFIRST_LLM_PROVIDER", "openai")
            .env("TRYFIRST_LLM_BASE_URL", base)
            .env("TRYFIRST_LLM_API_KEY", "sk-test")
            .output()
            .expect("run ask-team eval")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cases = cases().len();
    assert!(
        stdout.contains(&format!("cases                       {cases}")),
        "{stdout}"
    );
    assert!(stdout.contains("incidents: phone first"), "{stdout}");
    assert!(stdout.contains("policy held                 "), "{stdout}");
    assert_eq!(fake.request_count(), cases, "{stdout}");
}

/// Prints each case's raw best match (no minimum relevance), to calibrate
/// `kb_model::retrieval::MIN_SCORE` and `MIN_COVERAGE`: `cargo test -p ask-fn --test it evals::calibration -- --ignored --nocapture`.
#[test]
#[ignore = "prints calibration data"]
fn calibration() {
    let bundle = bundle();
    let advisor =
        RetrievalAdvisor::new(bundle.clone(), index(&bundle)).with_min_relevance(0.0, 0.0);
    for case in cases() {
        let best = advisor.best_match(&case.question);
        let (slug, score, coverage) = best.map_or(("-", 0.0, 0.0), |(i, s, c)| {
            (bundle.articles[i].slug.as_str(), s, c)
        });
        let mark = match (&case.cite_first, case.kind) {
            (Some(want), _) if want == slug => "ok",
            (None, Kind::OffTopic) => "OFF",
            (None, _) => "-",
            _ => "MISS",
        };
        println!(
            "{:<12} {:<4} {score:>6.2} {coverage:>5.2} {slug:<28} want {:?}",
            case.id, mark, case.cite_first
        );
    }
}
