//! `ask-team leads …` as the team runs it: the real binary against a DynamoDB-compatible server,
//! on leads stored through the same store the function uses.

use crate::support::dynamo;
use std::process::{Command, Output};

use ask_fn::clock::{parse_utc_day, Millis, HOUR};
use ask_fn::email::{pseudonym, Email};
use ask_fn::llm::Verdict;
use ask_fn::quota::Limits;
use ask_fn::store::dynamo::DynamoStore;
use ask_fn::store::{
    AdminStore, Lead, LeadOutcome, LeadStatus, NotifyState, QuotaCheck, RequestStore,
};

const SALT: &str = "cli-test-salt";

struct Tables {
    store: DynamoStore,
    quota: String,
    leads: String,
}

async fn tables() -> Tables {
    let (store, _client, quota, leads) = dynamo::store().await;
    Tables {
        store,
        quota,
        leads,
    }
}

fn day(text: &str) -> Millis {
    parse_utc_day(text).unwrap()
}

impl Tables {
    /// Stores a question as the function would (quota keyed by the salted email, then the
    /// outcome), and returns the lead as stored.
    #[allow(clippy::too_many_arguments)]
    async fn ask(
        &self,
        at: Millis,
        email: &str,
        article: Option<&str>,
        status: LeadStatus,
        verdict: Option<Verdict>,
        notification: NotifyState,
        question: &str,
    ) -> Lead {
        let email = Email::parse(email).unwrap();
        let lead = Lead {
            article: article.map(str::to_owned),
            ..Lead::pending(
                at,
                email.as_str(),
                "Acme, \"the\" BV",
                question,
                at / 1_000 + 365 * 86_400,
            )
        };
        let identity = email.quota_identity();
        let limits = Limits {
            per_hour: 100,
            per_day: 100,
        };
        let checks = [
            QuotaCheck {
                key: format!("email#{}", pseudonym(SALT, "email", &identity)),
                limits,
            },
            QuotaCheck {
                key: format!("ip#ip-of-{}", email.as_str()),
                limits,
            },
        ];
        self.store.admit(&checks, at, &lead).await.unwrap();
        let outcome = LeadOutcome {
            status,
            verdict,
            answer: verdict.map(|_| "Advice.".to_owned()),
            answer_source: None,
            cited: vec![],
            follow_up_reason: (status == LeadStatus::NeedsFollowUp).then(|| "bring_us_in".into()),
            notification,
            notification_error: (notification == NotifyState::Failed)
                .then(|| "webhook: could not connect".into()),
        };
        self.store.finish_lead(&lead.id, &outcome).await.unwrap();
        lead.with_outcome(&outcome)
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_ask-team"))
            .args(args)
            .env("TRYFIRST_QUOTA_TABLE", &self.quota)
            .env("TRYFIRST_LEADS_TABLE", &self.leads)
            .env("TRYFIRST_HASH_SALT", SALT)
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        output
    }

    fn ok(&self, args: &[&str]) -> (String, String) {
        let output = self.run(args);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            output.status.success(),
            "{args:?} failed:\n{stdout}\n{stderr}"
        );
        (stdout, stderr)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn list_puts_what_needs_a_person_first_and_handle_takes_it_off() {
    let t = tables().await;
    let nov = |d: u32| day(&format!("2026-11-{d:02}"));
    let answered = t
        .ask(
            nov(20),
            "a@x.test",
            Some("vpn"),
            LeadStatus::Answered,
            Some(Verdict::Diy),
            NotifyState::NotRequired,
            "vpn drops",
        )
        .await;
    let follow_up = t
        .ask(
            nov(10),
            "b@x.test",
            Some("hardware-key-lost"),
            LeadStatus::NeedsFollowUp,
            Some(Verdict::BringUsIn),
            NotifyState::Failed,
            "lost key",
        )
        .await;
    let failed = t
        .ask(
            nov(15),
            "c@x.test",
            None,
            LeadStatus::LlmFailed,
            None,
            NotifyState::Sent,
            "general",
        )
        .await;
    let _old = t
        .ask(
            day("2026-09-01"),
            "d@x.test",
            None,
            LeadStatus::NeedsFollowUp,
            None,
            NotifyState::Sent,
            "long ago",
        )
        .await;

    let (table, note) = t.ok(&[
        "leads",
        "list",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-29",
    ]);
    let ids: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|line| line.rsplit(' ').next().unwrap())
        .collect();
    assert_eq!(ids, [&follow_up.id, &failed.id, &answered.id], "{table}");
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .contains("needs_follow_up  FAILED"),
        "{table}"
    );
    assert!(note.contains("1 lead(s) could not be notified"), "{note}");

    let (json, _) = t.ok(&[
        "leads",
        "list",
        "--status",
        "llm_failed",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-29",
        "--json",
    ]);
    let listed: Vec<Lead> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(listed, [failed]);

    t.ok(&[
        "leads",
        "handle",
        &follow_up.id,
        "--note",
        "Replaced the key on site",
    ]);
    let (table, _) = t.ok(&[
        "leads",
        "list",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-29",
    ]);
    assert!(
        !table.contains(&follow_up.id),
        "handled leads leave the default list"
    );
    let (details, _) = t.ok(&["leads", "show", &follow_up.id]);
    assert!(details.contains("Status        handled\n"), "{details}");
    assert!(
        details.contains("Note          Replaced the key on site\n"),
        "{details}"
    );
    assert!(
        details.contains("Notified      failed (webhook: could not connect)\n"),
        "{details}"
    );

    let missing = t.run(&["leads", "handle", "0000000000000-nope"]);
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no lead with id `0000000000000-nope`")
    );
    let bad_day = t.run(&["leads", "list", "--since", "1 November"]);
    assert!(!bad_day.status.success());
    assert!(
        String::from_utf8_lossy(&bad_day.stderr).contains("is not a date: write it as YYYY-MM-DD")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn export_writes_the_period_as_csv_oldest_first() {
    let t = tables().await;
    let first = t
        .ask(
            day("2026-11-02") + HOUR,
            "e@x.test",
            Some("vpn"),
            LeadStatus::Answered,
            Some(Verdict::Careful),
            NotifyState::NotRequired,
            "=1+1 and, \"quotes\"\nsecond line",
        )
        .await;
    let second = t
        .ask(
            day("2026-11-03"),
            "f@x.test",
            None,
            LeadStatus::NeedsFollowUp,
            None,
            NotifyState::Sent,
            "help",
        )
        .await;
    t.ask(
        day("2026-11-05"),
        "g@x.test",
        None,
        LeadStatus::Answered,
        None,
        NotifyState::Sent,
        "outside",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let (_, note) = t.ok(&[
        "leads",
        "export",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-04",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(
        note.contains("2 lead(s) from 2026-11-01 to 2026-11-04 exported."),
        "{note}"
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    let records: Vec<&str> = csv.split("\r\n").collect();
    assert!(records[0].starts_with("lead_id,asked_at,status,company,email,"));
    assert!(records[1].starts_with(&format!(
        "{},2026-11-02T01:00:00Z,answered,\"Acme, \"\"the\"\" BV\",e@x.test,vpn,careful,,\"'=1+1 and, \"\"quotes\"\"\nsecond line\",Advice.,not_required",
        first.id
    )), "{}", records[1]);
    assert!(records[2].starts_with(&format!(
        "{},2026-11-03T00:00:00Z,needs_follow_up,",
        second.id
    )));
    assert_eq!(records.len(), 4, "header, two leads, final line end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn erase_shows_first_then_deletes_everything_of_one_address() {
    let t = tables().await;
    let at = day("2026-11-20");
    let one = t
        .ask(
            at,
            "Gone+kb@X.test",
            Some("vpn"),
            LeadStatus::Answered,
            None,
            NotifyState::Sent,
            "one",
        )
        .await;
    let two = t
        .ask(
            at + HOUR,
            "Gone+kb@X.test",
            None,
            LeadStatus::NeedsFollowUp,
            None,
            NotifyState::NotConfigured,
            "two",
        )
        .await;
    let kept = t
        .ask(
            at,
            "stays@x.test",
            None,
            LeadStatus::Answered,
            None,
            NotifyState::Sent,
            "kept",
        )
        .await;
    let email_key = format!("email#{}", pseudonym(SALT, "email", "gone@x.test"));
    assert_eq!(t.store.quota_times(&email_key).await.unwrap().len(), 2);

    let (plan, note) = t.ok(&["leads", "erase", "gone+kb@x.test", "--dry-run"]);
    assert!(
        plan.starts_with("Stored for gone+kb@x.test:\n  2 lead(s)\n"),
        "{plan}"
    );
    assert!(plan.contains(&one.id) && plan.contains(&two.id));
    assert!(
        plan.contains(&format!(
            "{email_key}  2 question time(s), for the address itself"
        )),
        "{plan}"
    );
    assert!(
        !plan.contains("ip#"),
        "leads do not record the network address, so no address item is linked to the person: {plan}"
    );
    assert!(
        plan.contains("1 lead(s) were sent to the team's chat or mailbox"),
        "{plan}"
    );
    assert!(note.contains("Dry run: nothing was deleted."));
    assert!(
        t.store.lead(&one.id).await.unwrap().is_some(),
        "dry run deletes nothing"
    );

    let (again, note) = t.ok(&["leads", "erase", "gone+kb@x.test"]);
    assert_eq!(again, plan, "the real run shows the same plan");
    assert!(
        note.contains("Deleted 2 lead(s) and 1 quota item(s)."),
        "{note}"
    );
    assert!(t.store.lead(&one.id).await.unwrap().is_none());
    assert!(t.store.lead(&two.id).await.unwrap().is_none());
    assert!(t.store.quota_times(&email_key).await.unwrap().is_empty());
    assert!(
        t.store.lead(&kept.id).await.unwrap().is_some(),
        "other people's leads stay"
    );

    let (after, _) = t.ok(&["leads", "erase", "gone+kb@x.test", "--dry-run"]);
    assert!(
        after.contains("nothing (no leads, no quota items)"),
        "{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn gaps_report_counts_questions_per_article_with_titles_from_the_bundle() {
    let t = tables().await;
    let at = day("2026-11-10");
    for (i, verdict) in [
        Some(Verdict::Diy),
        Some(Verdict::Diy),
        None,
        Some(Verdict::BringUsIn),
    ]
    .into_iter()
    .enumerate()
    {
        t.ask(
            at + i as i64 * HOUR,
            &format!("u{i}@x.test"),
            Some("vpn-wont-connect"),
            LeadStatus::Answered,
            verdict,
            NotifyState::NotRequired,
            &format!("vpn question {i}"),
        )
        .await;
    }
    t.ask(
        at,
        "p@x.test",
        Some("printer-offline"),
        LeadStatus::Answered,
        Some(Verdict::Careful),
        NotifyState::NotRequired,
        "printer",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.json");
    let vpn = kb_model::BundleArticle {
        slug: "vpn-wont-connect".into(),
        language: kb_model::Language::english(),
        url: "https://help.example.test/vpn-wont-connect/".into(),
        title: "My VPN won't connect".into(),
        description: "VPN".into(),
        category: "network".into(),
        tags: vec![],
        risk: kb_model::Risk::Low,
        intro: "Intro.".into(),
        steps: vec!["Restart the VPN client.".into()],
        escalation: "Call us.".into(),
        see_also: vec![],
        updated: "2026-11-20".into(),
        content_hash: "0".into(),
    };
    let site = kb_model::Bundle {
        format: kb_model::BUNDLE_FORMAT,
        site_title: "Help".into(),
        base_url: "https://help.example.test".into(),
        company_name: "Example IT".into(),
        company_phone: "+31 20 123 4567".into(),
        default_language: kb_model::Language::english(),
        languages: vec![kb_model::Language::english()],
        homes: Default::default(),
        articles: vec![vpn],
    };
    std::fs::write(&bundle, site.to_json()).unwrap();
    let (md, _) = t.ok(&[
        "leads",
        "gaps",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
        "--bundle",
        bundle.to_str().unwrap(),
    ]);
    assert!(
        md.starts_with(
            "# Questions per article, 2026-11-01 to 2026-11-30\n\n5 question(s) on 2 page(s)."
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| My VPN won't connect (`vpn-wont-connect`) | 4 | 50% | 0% | 25% | 25% | 0 |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| `printer-offline` (no longer published) | 1 | 0% | 100% | 0% | 0% | 0 |\n"),
        "{md}"
    );
    assert!(
        md.contains("- vpn question 3\n- vpn question 2\n- vpn question 1\n"),
        "{md}"
    );
    let (csv, _) = t.ok(&[
        "leads",
        "gaps",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
        "--format",
        "csv",
        "--bundle",
        bundle.to_str().unwrap(),
    ]);
    assert!(
        csv.contains("vpn-wont-connect,My VPN won't connect,4,2,0,1,1,0\r\n"),
        "{csv}"
    );
}

/// The deployed function is the request path only: the team's tools are `ask-team`'s, and the
/// `ask-fn` binary (the Lambda's `bootstrap`) refuses them.
#[test]
fn the_function_binary_does_not_carry_the_team_tools() {
    for tool in ["leads", "eval", "tables"] {
        let output = Command::new(env!("CARGO_BIN_EXE_ask-fn"))
            .args([tool, "--help"])
            .output()
            .unwrap();
        assert!(!output.status.success(), "ask-fn {tool}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("unrecognized subcommand"),
            "ask-fn {tool}"
        );
        let team = Command::new(env!("CARGO_BIN_EXE_ask-team"))
            .args([tool, "--help"])
            .output()
            .unwrap();
        assert!(team.status.success(), "ask-team {tool}");
    }
}
