//! Handler overhead: everything `App::ask` does except the network — parsing and validating the
//! form, scrubbing, the quota decision and lead write (in-memory store), ranking the catalogue
//! the LLM may cite, and rendering the answer — with an in-process advisor that answers at once.
//! Prints percentiles; asserts nothing about time.
//!
//! Run: `cargo bench -p ask-fn --bench handler` (add `-- 20000` for more iterations).

use std::sync::Arc;
use std::time::{Duration, Instant};

use ask_fn::clock::ManualClock;
use ask_fn::handler::{App, AskInput};
use ask_fn::llm::{Advice, AdviceRequest, AdviceSource, Advisor, LlmError, Verdict};
use ask_fn::settings::Settings;
use ask_fn::store::memory::MemoryStore;
use kb_model::{Bundle, BundleArticle, Risk, BUNDLE_FORMAT};

/// Answers like an LLM would, immediately: the cost of the model is not ours to measure.
struct InstantAdvisor;

#[async_trait::async_trait]
impl Advisor for InstantAdvisor {
    async fn advise(&self, request: &AdviceRequest) -> Result<Advice, LlmError> {
        let cited: Vec<String> = request
            .catalogue
            .iter()
            .take(2)
            .map(|(slug, _)| slug.clone())
            .collect();
        Ok(Advice {
            markdown: format!(
                "1. **Restart** the client.\n2. Check the [related article](/{}/).\n3. If it still fails, call us.",
                cited.first().map(String::as_str).unwrap_or("vpn")
            ),
            verdict: Verdict::Careful,
            cited,
            source: AdviceSource::Ai,
        })
    }

    fn is_llm(&self) -> bool {
        true
    }
}

const WORDS: &[&str] = &[
    "printer",
    "offline",
    "vpn",
    "password",
    "reset",
    "mailbox",
    "teams",
    "outlook",
    "wifi",
    "laptop",
    "bitlocker",
    "recovery",
    "key",
    "yubikey",
    "sharepoint",
    "onedrive",
    "sync",
    "license",
    "update",
    "windows",
    "macos",
    "phone",
    "authenticator",
    "sign",
    "in",
    "account",
    "locked",
    "network",
    "drive",
    "backup",
    "restore",
    "calendar",
    "meeting",
    "camera",
];

/// A knowledge base of `n` articles with realistic text sizes (deterministic).
fn bundle(n: usize) -> Arc<Bundle> {
    let text = |seed: usize, words: usize| {
        (0..words)
            .map(|i| WORDS[(seed * 7 + i * 13) % WORDS.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let articles = (0..n)
        .map(|i| BundleArticle {
            slug: format!("article-{i}"),
            language: kb_model::Language::english(),
            url: format!("https://help.example.test/article-{i}/"),
            title: format!(
                "Why does my {} not {}?",
                WORDS[i % WORDS.len()],
                WORDS[(i / 3) % WORDS.len()]
            ),
            description: text(i, 20),
            category: "devices".into(),
            tags: vec![WORDS[i % 5].into()],
            risk: Risk::Medium,
            intro: text(i + 1, 60),
            steps: (0..5).map(|s| text(i + s, 40)).collect(),
            escalation: text(i + 9, 40),
            see_also: vec![format!("article-{}", (i + 1) % n)],
            updated: "2026-11-20".into(),
            content_hash: format!("{i:016x}"),
        })
        .collect();
    Arc::new(Bundle {
        format: BUNDLE_FORMAT,
        site_title: "Help".into(),
        base_url: "https://help.example.test".into(),
        company_name: "Example IT".into(),
        company_phone: "+31 20 123 4567".into(),
        default_language: kb_model::Language::english(),
        languages: vec![kb_model::Language::english()],
        homes: Default::default(),
        articles,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let iterations: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for articles in [25, 1_000] {
        let bundle = bundle(articles);
        let mut settings = Settings::from_vars(|_| None).unwrap();
        settings.ip_limits.per_hour = 0;
        settings.ip_limits.per_day = 0;
        settings.llm_daily_cap = u64::MAX; // every question goes through the advisor
        let index = Arc::new(kb_model::retrieval::SearchIndex::new(&bundle));
        let app = App::new(
            settings,
            bundle,
            index,
            Arc::new(MemoryStore::new()),
            Arc::new(InstantAdvisor),
            Arc::new(ManualClock::new(1_795_961_109_000)),
        );
        let bodies: Vec<Vec<u8>> = (0..iterations + 200)
            .map(|i| {
                serde_json::json!({
                    "article": format!("article-{}", i % articles),
                    "content_hash": format!("{:016x}", i % articles),
                    "question": "The VPN drops every few minutes since the update, and Outlook then asks for my password again. I restarted twice.",
                    "email": format!("visitor{i}@example.com"),
                    "company": "Acme BV",
                    "consent": true,
                    "website": ""
                })
                .to_string()
                .into_bytes()
            })
            .collect();
        let mut times = Vec::with_capacity(iterations);
        runtime.block_on(async {
            for (i, body) in bodies.iter().enumerate() {
                let started = Instant::now();
                let answer = app
                    .ask(AskInput {
                        body,
                        encoding: ask_fn::form::Encoding::Json,
                        client_ip: Some("203.0.113.7".parse().unwrap()),
                        request_id: "bench",
                    })
                    .await;
                let elapsed = started.elapsed();
                let answer = answer.unwrap_or_else(|e| panic!("{e:?}"));
                assert_eq!(
                    answer.source,
                    Some(AdviceSource::Ai),
                    "the advisor answered"
                );
                if i >= 200 {
                    times.push(elapsed); // the first 200 warm caches and allocators
                }
            }
        });
        times.sort();
        println!(
            "ask-fn handler, {articles} articles, {iterations} questions: p50 {:?}  p90 {:?}  p99 {:?}  max {:?}",
            percentile(&times, 0.50),
            percentile(&times, 0.90),
            percentile(&times, 0.99),
            times.last().unwrap()
        );
    }
}
