//! One behaviour, three stores: every test here runs against the in-memory store and against two
//! DynamoDB servers (started by scripts/test), through the same `Store` trait: moto, and Amazon
//! DynamoDB Local, which runs requests concurrently and so judges the concurrency tests.

use crate::support::dynamo;
use dynamo::{Backend, T0};

use std::sync::Arc;

use ask_fn::clock::{Millis, DAY, HOUR, MINUTE};
use ask_fn::llm::{AdviceSource, Verdict};
use ask_fn::quota::Limits;
use ask_fn::store::memory::MemoryStore;
use ask_fn::store::{
    AdminStore, Admission, Ask, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck,
    RequestStore, Store, StoreError,
};

const LIMITS: Limits = Limits {
    per_hour: 2,
    per_day: 5,
};

fn lead(now: Millis, email: &str) -> Lead {
    Lead {
        removed_secrets: vec!["one_time_code".into()],
        article: Some("printer-offline".into()),
        content_hash: Some("e3f7cadf764f36ab".into()),
        ..Lead::pending(
            now,
            email,
            "Acme",
            "The printer is offline again",
            now / 1_000 + 365 * 86_400,
        )
    }
}

fn check(key: &str) -> QuotaCheck {
    QuotaCheck {
        key: key.to_owned(),
        limits: LIMITS,
    }
}

/// Runs one async test body against every store.
macro_rules! conformance {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn memory() {
                let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
                ($body)(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[ignore = "needs the moto emulator: run scripts/test"]
            async fn dynamodb() {
                let (store, ..) = Backend::Moto.store().await;
                let store: Arc<dyn Store> = Arc::new(store);
                ($body)(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[ignore = "needs DynamoDB Local: run scripts/test"]
            async fn dynamodb_local() {
                let (store, ..) = Backend::Local.store().await;
                let store: Arc<dyn Store> = Arc::new(store);
                ($body)(store).await;
            }
        }
    };
}

conformance!(
    accepts_two_per_hour_and_writes_nothing_when_refused,
    |store: Arc<dyn Store>| async move {
        let checks = [check("email#a")];
        let first = lead(T0, "a@x.test");
        let Admission::Accepted { remaining, .. } = store.admit(&checks, T0, &first).await.unwrap()
        else {
            panic!("first accepted")
        };
        assert_eq!((remaining[0].hour, remaining[0].day), (Some(1), Some(4)));
        assert!(matches!(
            store
                .admit(
                    &checks,
                    T0 + 10 * MINUTE,
                    &lead(T0 + 10 * MINUTE, "a@x.test")
                )
                .await
                .unwrap(),
            Admission::Accepted { .. }
        ));
        let refused_lead = lead(T0 + 20 * MINUTE, "a@x.test");
        assert_eq!(
            store
                .admit(&checks, T0 + 20 * MINUTE, &refused_lead)
                .await
                .unwrap(),
            Admission::Refused {
                retry_at: T0 + HOUR,
                check: 0
            }
        );
        assert_eq!(
            store.lead(&refused_lead.id).await.unwrap(),
            None,
            "a refused question stores no lead"
        );
        assert_eq!(
            store.quota_times("email#a").await.unwrap(),
            [T0, T0 + 10 * MINUTE],
            "nor uses up the allowance"
        );
        assert_eq!(store.lead(&first.id).await.unwrap(), Some(first.clone()));
        // Exactly 60 minutes after the first accepted question, the third is accepted.
        assert!(matches!(
            store
                .admit(&checks, T0 + HOUR, &lead(T0 + HOUR, "a@x.test"))
                .await
                .unwrap(),
            Admission::Accepted { .. }
        ));
    }
);

conformance!(the_day_window_rolls, |store: Arc<dyn Store>| async move {
    let checks = [check("email#d")];
    for offset in [0, 1, 60, 61, 120] {
        let at = T0 + offset * MINUTE;
        assert!(
            matches!(
                store
                    .admit(&checks, at, &lead(at, "d@x.test"))
                    .await
                    .unwrap(),
                Admission::Accepted { .. }
            ),
            "{offset}"
        );
    }
    let at = T0 + 5 * HOUR;
    assert_eq!(
        store
            .admit(&checks, at, &lead(at, "d@x.test"))
            .await
            .unwrap(),
        Admission::Refused {
            retry_at: T0 + DAY,
            check: 0
        }
    );
    assert_eq!(
        store
            .admit(&checks, T0 + DAY - 1, &lead(T0 + DAY - 1, "d@x.test"))
            .await
            .unwrap(),
        Admission::Refused {
            retry_at: T0 + DAY,
            check: 0
        }
    );
    assert!(matches!(
        store
            .admit(&checks, T0 + DAY, &lead(T0 + DAY, "d@x.test"))
            .await
            .unwrap(),
        Admission::Accepted { .. }
    ));
});

conformance!(
    every_identity_must_allow_and_a_refusal_changes_none,
    |store: Arc<dyn Store>| async move {
        let ip = QuotaCheck {
            key: "ip#shared".into(),
            limits: Limits {
                per_hour: 1,
                per_day: 5,
            },
        };
        let first = [check("email#one"), ip.clone()];
        assert!(matches!(
            store
                .admit(&first, T0, &lead(T0, "one@x.test"))
                .await
                .unwrap(),
            Admission::Accepted { .. }
        ));
        // Another email from the same IP: the email allows it, the IP does not.
        let second = [check("email#two"), ip];
        assert_eq!(
            store
                .admit(&second, T0 + MINUTE, &lead(T0 + MINUTE, "two@x.test"))
                .await
                .unwrap(),
            Admission::Refused {
                retry_at: T0 + HOUR,
                check: 1
            }
        );
        assert_eq!(
            store.quota_times("email#two").await.unwrap(),
            Vec::<Millis>::new()
        );
        assert_eq!(store.quota_times("ip#shared").await.unwrap(), [T0]);
    }
);

conformance!(
    fifty_simultaneous_questions_from_one_email_accept_exactly_two,
    |store: Arc<dyn Store>| async move {
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let at = T0 + i;
                    let lead = lead(at, "burst@x.test");
                    let outcome = store
                        .admit(&[check("email#burst")], at, &lead)
                        .await
                        .unwrap();
                    (outcome, lead.id)
                })
            })
            .collect();
        let mut accepted = Vec::new();
        for task in tasks {
            let (outcome, id) = task.await.unwrap();
            if matches!(outcome, Admission::Accepted { .. }) {
                accepted.push(id);
            }
        }
        assert_eq!(accepted.len(), 2);
        for id in &accepted {
            assert!(
                store.lead(id).await.unwrap().is_some(),
                "every accepted question has its lead"
            );
        }
        assert_eq!(store.quota_times("email#burst").await.unwrap().len(), 2);
    }
);

conformance!(
    global_llm_cap_is_counted_in_the_same_write_and_never_refuses_the_question,
    |store: Arc<dyn Store>| async move {
        let budget = |day: &str| LlmBudget {
            day: day.to_owned(),
            cap: 2,
            // An expired counter would be swept away by DynamoDB Local in mid-test.
            expires_at: T0 / 1_000 + 2 * 86_400,
        };
        let ask = |n: i64, day: &'static str| {
            let store = store.clone();
            async move {
                let at = T0 + n * MINUTE;
                let stored = lead(at, "cap@x.test");
                let admission = store
                    .admit_asking(
                        &[check(&format!("email#cap{n}"))],
                        at,
                        &stored,
                        Some(&budget(day)),
                    )
                    .await
                    .unwrap();
                let exists = store.lead(&stored.id).await.unwrap().is_some();
                (admission, exists)
            }
        };
        let llm_calls = |admission: &Admission| match admission {
            Admission::Accepted { llm_call, .. } => Some(*llm_call),
            _ => None,
        };
        for (n, expected) in [(1, true), (2, true), (3, false), (4, false)] {
            let (admission, stored) = ask(n, "2026-11-29").await;
            assert_eq!(llm_calls(&admission), Some(expected), "question {n}");
            assert!(stored, "question {n} is kept as a lead either way");
        }
        assert_eq!(
            llm_calls(&ask(5, "2026-11-30").await.0),
            Some(true),
            "a new day"
        );

        // A refused question does not use up an LLM call.
        let checks = [check("email#refused")];
        for n in 0..2 {
            store
                .admit(&checks, T0 + n, &lead(T0 + n, "r@x.test"))
                .await
                .unwrap();
        }
        let refused = store
            .admit_asking(
                &checks,
                T0 + 2,
                &lead(T0 + 2, "r@x.test"),
                Some(&budget("2026-12-01")),
            )
            .await
            .unwrap();
        assert!(matches!(refused, Admission::Refused { .. }));
        for n in [6, 7] {
            assert_eq!(llm_calls(&ask(n, "2026-12-01").await.0), Some(true));
        }
        assert_eq!(llm_calls(&ask(8, "2026-12-01").await.0), Some(false));
    }
);

conformance!(a_daily_cap_of_zero_allows_no_llm_call, |store: Arc<
    dyn Store,
>| async move {
    let budget = LlmBudget {
        day: "2026-11-29".to_owned(),
        cap: 0,
        expires_at: T0 / 1_000 + 2 * 86_400,
    };
    for n in 0..2 {
        let at = T0 + n;
        let stored = lead(at, "zero@x.test");
        let admission = store
            .admit_asking(
                &[check(&format!("email#zero{n}"))],
                at,
                &stored,
                Some(&budget),
            )
            .await
            .unwrap();
        assert!(
            matches!(
                admission,
                Admission::Accepted {
                    llm_call: false,
                    ..
                }
            ),
            "question {n}: {admission:?}"
        );
        assert!(store.lead(&stored.id).await.unwrap().is_some());
    }
});

conformance!(
    a_request_is_admitted_once_and_a_retry_gets_the_first_lead,
    |store: Arc<dyn Store>| async move {
        let checks = [check("email#retry")];
        let ask = |lead: &Lead, at: Millis, once: &'static str| {
            let store = store.clone();
            let lead = lead.clone();
            let checks = checks.clone();
            async move {
                store
                    .admit_ask(&Ask {
                        checks: &checks,
                        now: at,
                        lead: &lead,
                        llm: None,
                        once: Some(once),
                    })
                    .await
                    .unwrap()
            }
        };
        let first = lead(T0, "retry@x.test");
        assert!(matches!(
            ask(&first, T0, "req#one").await,
            Admission::Accepted { .. }
        ));
        // The visitor's page timed out and sent the same request again (a new lead id).
        let retry = lead(T0 + 5_000, "retry@x.test");
        assert_eq!(
            ask(&retry, T0 + 5_000, "req#one").await,
            Admission::Duplicate {
                lead_id: first.id.clone()
            }
        );
        assert_eq!(store.lead(&retry.id).await.unwrap(), None, "no second lead");
        assert_eq!(
            store.quota_times("email#retry").await.unwrap(),
            [T0],
            "no second place in the allowance"
        );
        // Another question is admitted as usual, and fills the allowance.
        let second = lead(T0 + 6_000, "retry@x.test");
        assert!(matches!(
            ask(&second, T0 + 6_000, "req#two").await,
            Admission::Accepted { .. }
        ));
        // A retry of an admitted request is still its first result once the allowance is full,
        // not a refusal.
        assert_eq!(
            ask(&lead(T0 + 7_000, "retry@x.test"), T0 + 7_000, "req#two").await,
            Admission::Duplicate {
                lead_id: second.id.clone()
            }
        );
        assert!(matches!(
            ask(&lead(T0 + 8_000, "retry@x.test"), T0 + 8_000, "req#three").await,
            Admission::Refused { .. }
        ));
    }
);

conformance!(
    a_capped_counter_hands_out_numbered_places_until_full,
    |store: Arc<dyn Store>| async move {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.take_slot("notify#1", 5, 0).await.unwrap() })
            })
            .collect();
        let mut places = Vec::new();
        for task in tasks {
            places.extend(task.await.unwrap());
        }
        places.sort_unstable();
        assert_eq!(places, [1, 2, 3, 4, 5], "each place once, then none");
        assert_eq!(store.take_slot("notify#2", 5, 0).await.unwrap(), Some(1));
        assert_eq!(store.take_slot("notify#3", 0, 0).await.unwrap(), None);
    }
);

conformance!(outcomes_are_recorded_on_the_lead, |store: Arc<
    dyn Store,
>| async move {
    let stored = lead(T0, "o@x.test");
    store.admit(&[check("email#o")], T0, &stored).await.unwrap();
    let outcome = LeadOutcome {
        status: LeadStatus::NeedsFollowUp,
        verdict: Some(Verdict::BringUsIn),
        answer: Some("Call us.".into()),
        answer_source: Some(AdviceSource::Ai),
        cited: vec!["hardware-key-lost".into()],
        follow_up_reason: Some("bring_us_in".into()),
        notification: NotifyState::Failed,
        notification_error: Some("webhook: timed out".into()),
    };
    store.finish_lead(&stored.id, &outcome).await.unwrap();
    let read = store.lead(&stored.id).await.unwrap().unwrap();
    assert_eq!(read.outcome.status, LeadStatus::NeedsFollowUp);
    assert_eq!(read.outcome.verdict, Some(Verdict::BringUsIn));
    assert_eq!(read.outcome.answer.as_deref(), Some("Call us."));
    assert_eq!(read.outcome.cited, ["hardware-key-lost"]);
    assert_eq!(read.email, "o@x.test");
    assert_eq!(read.expires_at, stored.expires_at);
    assert_eq!(read.outcome.notification, NotifyState::Failed);
    assert_eq!(
        read.outcome.notification_error.as_deref(),
        Some("webhook: timed out")
    );
    // A failure outcome clears what no longer applies.
    let failed = LeadOutcome {
        status: LeadStatus::LlmFailed,
        verdict: None,
        answer: None,
        answer_source: None,
        cited: vec![],
        follow_up_reason: Some("llm_failed:timeout".into()),
        notification: NotifyState::Sent,
        notification_error: None,
    };
    store.finish_lead(&stored.id, &failed).await.unwrap();
    let read = store.lead(&stored.id).await.unwrap().unwrap();
    assert_eq!(
        (
            read.outcome.status,
            read.outcome.verdict,
            read.outcome.answer
        ),
        (LeadStatus::LlmFailed, None, None)
    );
    assert_eq!(
        (read.outcome.notification, read.outcome.notification_error),
        (NotifyState::Sent, None)
    );
    assert!(matches!(
        store.finish_lead("no-such-lead", &failed).await,
        Err(StoreError::NoSuchLead(_))
    ));
});

/// Stores a lead at `at` for `email` and records `status` on it.
async fn stored_with_status(
    store: &Arc<dyn Store>,
    at: Millis,
    email: &str,
    status: LeadStatus,
) -> Lead {
    let stored = lead(at, email);
    let key = format!("email#{email}-{at}");
    store.admit(&[check(&key)], at, &stored).await.unwrap();
    let outcome = LeadOutcome {
        status,
        verdict: None,
        answer: None,
        answer_source: None,
        cited: vec![],
        follow_up_reason: None,
        notification: NotifyState::NotRequired,
        notification_error: None,
    };
    store.finish_lead(&stored.id, &outcome).await.unwrap();
    stored.with_outcome(&outcome)
}

conformance!(
    leads_are_listed_by_status_and_period_newest_first,
    |store: Arc<dyn Store>| async move {
        let a = stored_with_status(&store, T0, "a@x.test", LeadStatus::NeedsFollowUp).await;
        let b = stored_with_status(&store, T0 + DAY, "b@x.test", LeadStatus::NeedsFollowUp).await;
        let c = stored_with_status(&store, T0 + DAY, "c@x.test", LeadStatus::Answered).await;
        let late =
            stored_with_status(&store, T0 + 3 * DAY, "d@x.test", LeadStatus::NeedsFollowUp).await;
        let listed = store
            .leads_by_status(LeadStatus::NeedsFollowUp, T0, T0 + 3 * DAY)
            .await
            .unwrap();
        assert_eq!(
            listed,
            [b.clone(), a.clone()],
            "newest first, `to` excluded"
        );
        assert_eq!(
            store
                .leads_by_status(LeadStatus::NeedsFollowUp, T0 + 1, T0 + 4 * DAY)
                .await
                .unwrap(),
            [late, b.clone()],
            "`from` included"
        );
        assert_eq!(
            store
                .leads_by_status(LeadStatus::Answered, T0, T0 + 3 * DAY)
                .await
                .unwrap(),
            [c]
        );
        assert!(store
            .leads_by_status(LeadStatus::LlmFailed, T0, T0 + 3 * DAY)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .leads_by_status(LeadStatus::NeedsFollowUp, T0 + DAY, T0)
            .await
            .unwrap()
            .is_empty());

        // Handling moves a lead from its list to `handled`, with the note.
        store
            .mark_handled(&a.id, T0 + 2 * DAY, Some("Called them, key replaced"))
            .await
            .unwrap();
        let handled = store.lead(&a.id).await.unwrap().unwrap();
        assert_eq!(handled.outcome.status, LeadStatus::Handled);
        assert_eq!(handled.handled_at, Some(T0 + 2 * DAY));
        assert_eq!(
            handled.handled_note.as_deref(),
            Some("Called them, key replaced")
        );
        assert_eq!(handled.question, a.question, "nothing else changes");
        assert_eq!(
            store
                .leads_by_status(LeadStatus::NeedsFollowUp, T0, T0 + 3 * DAY)
                .await
                .unwrap(),
            [b]
        );
        assert_eq!(
            store
                .leads_by_status(LeadStatus::Handled, T0, T0 + 3 * DAY)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(matches!(
            store.mark_handled("no-such-lead", T0, None).await,
            Err(StoreError::NoSuchLead(_))
        ));
    }
);

conformance!(
    one_persons_leads_and_quota_can_be_found_and_deleted,
    |store: Arc<dyn Store>| async move {
        let first = lead(T0, "gone@x.test");
        let second = lead(T0 + HOUR, "gone@x.test");
        let other = lead(T0, "stays@x.test");
        store
            .admit(&[check("email#gone")], T0, &first)
            .await
            .unwrap();
        store
            .admit(&[check("email#gone")], T0 + HOUR, &second)
            .await
            .unwrap();
        store
            .admit(&[check("email#stays")], T0, &other)
            .await
            .unwrap();
        let found = store.leads_by_email("gone@x.test").await.unwrap();
        assert_eq!(found, [first.clone(), second.clone()], "oldest first");
        assert!(store.delete_lead(&first.id).await.unwrap());
        assert!(!store.delete_lead(&first.id).await.unwrap(), "already gone");
        assert!(store.delete_quota("email#gone").await.unwrap());
        assert!(!store.delete_quota("email#gone").await.unwrap());
        assert_eq!(store.leads_by_email("gone@x.test").await.unwrap(), [second]);
        assert!(store.quota_times("email#gone").await.unwrap().is_empty());
        assert_eq!(store.leads_by_email("stays@x.test").await.unwrap(), [other]);
        assert_eq!(store.quota_times("email#stays").await.unwrap(), [T0]);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn dynamodb_instances_that_guess_wrong_still_count_exactly() {
    instances_that_guess_wrong_still_count_exactly(Backend::Moto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs DynamoDB Local: run scripts/test"]
async fn dynamodb_local_instances_that_guess_wrong_still_count_exactly() {
    instances_that_guess_wrong_still_count_exactly(Backend::Local).await;
}

/// Two Lambda instances on the same tables: each guesses the quota state from what it saw last,
/// and a wrong guess is corrected from the cancelled transaction, with exact results.
async fn instances_that_guess_wrong_still_count_exactly(backend: Backend) {
    let (first, client, quota, leads) = backend.store().await;
    let second = ask_fn::store::dynamo::DynamoStore::new(client, &quota, &leads);
    let accepted = |admission: Admission| match admission {
        Admission::Accepted { remaining, .. } => (remaining[0].hour, remaining[0].day),
        other => panic!("{other:?}"),
    };
    async fn on(store: &ask_fn::store::dynamo::DynamoStore, at: Millis) -> Admission {
        let checks = [check("email#two-instances")];
        store
            .admit(&checks, at, &lead(at, "two@x.test"))
            .await
            .unwrap()
    }
    assert_eq!(accepted(on(&first, T0).await), (Some(1), Some(4)));
    // `second` has never seen this visitor and assumes no item: wrong, corrected.
    assert_eq!(accepted(on(&second, T0 + MINUTE).await), (Some(0), Some(3)));
    // `first` now holds a stale version: refused on a guess, confirmed by reading.
    assert_eq!(
        on(&first, T0 + 2 * MINUTE).await,
        Admission::Refused {
            retry_at: T0 + HOUR,
            check: 0
        }
    );
    assert_eq!(accepted(on(&first, T0 + HOUR).await), (Some(0), Some(2)));
    assert_eq!(
        first.quota_times("email#two-instances").await.unwrap(),
        [T0, T0 + MINUTE, T0 + HOUR]
    );
}

#[tokio::test]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn dynamodb_items_carry_the_ttl_attribute() {
    let (store, client, quota, leads) = dynamo::store().await;
    let stored = lead(T0, "ttl@x.test");
    store
        .admit(&[check("email#ttl")], T0, &stored)
        .await
        .unwrap();
    let items = dynamo::scan_leads(&client, &leads).await;
    assert_eq!(
        items[0]["expires_at"].as_n().unwrap(),
        &stored.expires_at.to_string()
    );
    let quota_items = dynamo::scan_leads(&client, &quota).await;
    let expires: i64 = quota_items[0]["expires_at"]
        .as_n()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        expires > (T0 + DAY) / 1_000,
        "a quota item lives at least a day past its last question"
    );
    let ttl = client
        .describe_time_to_live()
        .table_name(&leads)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ttl.time_to_live_description()
            .and_then(|d| d.attribute_name()),
        Some("expires_at")
    );
}

#[tokio::test]
async fn unreachable_dynamodb_is_unavailable_not_a_panic() {
    let store = dynamo::unreachable_store().await;
    let outcome = store
        .admit(&[check("email#x")], T0, &lead(T0, "x@x.test"))
        .await;
    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn dynamodb_a_recreated_quota_item_is_not_taken_for_the_one_remembered() {
    recreated_quota_item_is_not_taken_for_the_one_remembered(Backend::Moto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs DynamoDB Local: run scripts/test"]
async fn dynamodb_local_a_recreated_quota_item_is_not_taken_for_the_one_remembered() {
    recreated_quota_item_is_not_taken_for_the_one_remembered(Backend::Local).await;
}

/// The tests' clock ([`dynamo::T0`]) must keep items alive under DynamoDB Local's TTL sweeper,
/// which deletes an item once its TTL has passed by the machine's clock: every item a question
/// writes (quota, request key, LLM counter) must expire after the test is over. With the
/// soak's old `T0` (2026-11-29) they were born expired, the sweeper took a visitor's quota item
/// in mid-run and a third question in the hour was accepted. (The sweeper's timing varies with
/// the number of tables, so this checks the TTLs rather than waiting for it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs DynamoDB Local: run scripts/test"]
async fn dynamodb_local_what_the_tests_write_outlives_the_ttl_sweeper() {
    use ask_fn::store::schema;
    let (store, client, quota, _) = Backend::Local.store().await;
    let budget = LlmBudget {
        day: "2100-01-01".to_owned(),
        cap: 10,
        expires_at: T0 / 1_000 + 2 * 86_400,
    };
    let asked = lead(T0, "sweep@x.test");
    let admission = store
        .admit_ask(&Ask {
            checks: &[check("email#sweep")],
            now: T0,
            lead: &asked,
            llm: Some(&budget),
            once: Some("req#sweep"),
        })
        .await
        .unwrap();
    assert!(matches!(admission, Admission::Accepted { .. }));
    let wall_clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let items = client.scan().table_name(&quota).send().await.unwrap();
    assert_eq!(items.items().len(), 3, "quota, request key, LLM counter");
    for item in items.items() {
        let expires_at: i64 = item[schema::TTL_ATTRIBUTE].as_n().unwrap().parse().unwrap();
        assert!(
            expires_at > wall_clock + 86_400,
            "{:?} expires at {expires_at}, before the test is over (now {wall_clock}): \
             DynamoDB Local would delete it in mid-test",
            item[schema::QUOTA_KEY]
        );
    }
}

/// ABA: an instance remembers a quota item as it wrote it; the item is deleted (TTL, `erase`)
/// and recreated by another instance. Its version must not match the remembered one by
/// coincidence, or the stale times would overwrite the new ones and let a question through.
async fn recreated_quota_item_is_not_taken_for_the_one_remembered(backend: Backend) {
    let (first, client, quota, leads) = backend.store().await;
    let second = ask_fn::store::dynamo::DynamoStore::new(client, &quota, &leads);
    async fn ask(store: &ask_fn::store::dynamo::DynamoStore, at: Millis) -> Admission {
        store
            .admit(&[check("email#aba")], at, &lead(at, "aba@x.test"))
            .await
            .unwrap()
    }
    assert!(matches!(
        ask(&first, T0 - 2 * HOUR).await,
        Admission::Accepted { .. }
    ));
    // Gone (as TTL or an erasure would do it), then recreated by the other instance.
    assert!(second.delete_quota("email#aba").await.unwrap());
    assert!(matches!(ask(&second, T0).await, Admission::Accepted { .. }));
    // `first` still remembers the item it wrote two hours ago.
    assert!(matches!(
        ask(&first, T0 + MINUTE).await,
        Admission::Accepted { .. }
    ));
    assert_eq!(
        first.quota_times("email#aba").await.unwrap(),
        [T0, T0 + MINUTE],
        "the recreated item's question is kept, not overwritten by stale times"
    );
    assert!(
        matches!(
            ask(&second, T0 + 2 * MINUTE).await,
            Admission::Refused { .. }
        ),
        "a third question in the hour is refused"
    );
}

/// Lets every request through, then answers the first `TransactWriteItems` sends with
/// `TransactionInProgressException`, as DynamoDB does when a resend arrives while the first
/// send is still being applied: the transaction commits, but the client does not learn it.
/// As many sends as the SDK makes for one call (it retries this error itself, with the same
/// token), so the error reaches the store.
const LOST_SENDS: u32 = 3;

#[derive(Debug, Default)]
struct LoseFirstCommit {
    state: std::sync::Mutex<(bool, u32)>,
}

impl aws_sdk_dynamodb::config::Intercept for LoseFirstCommit {
    fn name(&self) -> &'static str {
        "LoseFirstCommit"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or_default();
        let mut state = self.state.lock().unwrap();
        state.0 = target.ends_with(".TransactWriteItems");
        if state.0 {
            state.1 += 1;
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextMut<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let (transaction, count) = *self.state.lock().unwrap();
        if transaction && count <= LOST_SENDS {
            fn like<B: From<String>>(_: &B, text: String) -> B {
                B::from(text)
            }
            let response = context.response_mut();
            *response.status_mut() = 400.try_into().unwrap();
            response.headers_mut().remove("x-amz-crc32");
            // The SDK reads the error type from this header first, when there is one.
            response.headers_mut().remove("x-amzn-errortype");
            response.headers_mut().remove("content-length");
            let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionInProgressException","message":"Transaction is in progress"}"#;
            let replacement = like(response.body(), body.to_owned());
            *response.body_mut() = replacement;
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn dynamodb_a_commit_whose_answer_was_lost_is_success_not_a_second_question() {
    commit_whose_answer_was_lost_is_success(Backend::Moto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs DynamoDB Local: run scripts/test"]
async fn dynamodb_local_a_commit_whose_answer_was_lost_is_success_not_a_second_question() {
    commit_whose_answer_was_lost_is_success(Backend::Local).await;
}

/// `TransactionInProgress` after the transaction committed: the store sends the same
/// transaction again (same token) and takes "this lead already exists" as the success it is:
/// the visitor is accepted once, with one lead and one place used, not a 503 or a false 429.
async fn commit_whose_answer_was_lost_is_success(backend: Backend) {
    let interceptor = std::sync::Arc::new(LoseFirstCommit::default());
    let shared = interceptor.clone();
    let config = backend
        .config(move |builder| builder.interceptor(SharedIntercept(shared)))
        .await;
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let (quota, leads) = dynamo::table_names();
    let store = ask_fn::store::dynamo::DynamoStore::new(client.clone(), &quota, &leads);
    store.create_tables().await.unwrap();
    let checks = [QuotaCheck {
        key: "email#lost".into(),
        limits: Limits {
            per_hour: 1,
            per_day: 5,
        },
    }];
    let stored = lead(T0, "lost@x.test");
    let admission = store.admit(&checks, T0, &stored).await.unwrap();
    assert!(
        matches!(admission, Admission::Accepted { .. }),
        "{admission:?}"
    );
    assert!(
        interceptor.state.lock().unwrap().1 > LOST_SENDS,
        "the first answers were lost"
    );
    assert_eq!(store.quota_times("email#lost").await.unwrap(), [T0]);
    let items = dynamo::scan_leads(&client, &leads).await;
    assert_eq!(items.len(), 1, "one lead");
    assert_eq!(
        store
            .lead(&stored.id)
            .await
            .unwrap()
            .unwrap()
            .outcome
            .status,
        LeadStatus::Pending
    );
}

/// An `Arc`'d interceptor the test can still read.
#[derive(Debug)]
struct SharedIntercept(std::sync::Arc<LoseFirstCommit>);

impl aws_sdk_dynamodb::config::Intercept for SharedIntercept {
    fn name(&self) -> &'static str {
        "SharedIntercept"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.read_before_transmit(context, components, cfg)
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextMut<'_>,
        components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0
            .modify_before_deserialization(context, components, cfg)
    }
}
