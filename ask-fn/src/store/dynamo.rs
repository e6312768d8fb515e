//! The DynamoDB store.
//!
//! `admit` is optimistic concurrency without a read in the common case. It decides in pure code
//! from the quota items' last known state (what this process last wrote or saw; "absent" for a
//! visitor it has not seen), then writes the new quota items, the lead and the LLM counter in one
//! `TransactWriteItems` whose conditions require each quota item to be exactly that state (its
//! version) and the counter to be under the cap. If the guess was wrong (a concurrent question,
//! another Lambda instance), the transaction is cancelled and DynamoDB returns the items as they
//! are (`ReturnValuesOnConditionCheckFailure`), so we decide again on real data without a
//! separate read. An accepted question therefore costs two round trips: this write, and the
//! outcome afterwards. 50 simultaneous questions from one email still yield exactly the
//! allowance, and a refused question writes nothing.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, CancellationReason, GlobalSecondaryIndex,
    KeySchemaElement, KeyType as SdkKeyType, KeysAndAttributes, Projection, ProjectionType, Put,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TimeToLiveSpecification,
    TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;

use super::schema::{self, KeyType, TableSpec};
use super::{
    AdminStore, Admission, Ask, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck,
    Refusal, RequestStore, StoreError,
};
use crate::clock::{Millis, DAY};
use crate::llm::{AdviceSource, Verdict};
use crate::quota;

/// How often `admit` re-reads after losing a race before giving up with `Contention`.
const MAX_ATTEMPTS: u32 = 25;

pub struct DynamoStore {
    client: Client,
    quota_table: String,
    leads_table: String,
    /// The last state seen of each quota item (keys are pseudonyms, never an address), so
    /// `admit` can skip reading. Only a guess: the write's conditions check it.
    known: std::sync::Mutex<HashMap<String, QuotaState>>,
}

/// A quota item's accepted times and version; `None` version: the item does not exist. The
/// version is compared as DynamoDB holds it: a random token (see [`super::random_token`]), or a
/// number on items written before tokens replaced counters.
type QuotaState = (Vec<Millis>, Option<AttributeValue>);

/// How many quota states `known` keeps before it starts over (a warm Lambda serves many
/// visitors; an entry is a few dozen bytes).
const KNOWN_LIMIT: usize = 10_000;

/// How long a request key stays admitted: a visitor's retry comes within minutes.
const ONCE_SECONDS: i64 = 86_400;

type Item = HashMap<String, AttributeValue>;

fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

/// SDK errors print little by default; include the service's own code and message.
fn describe<E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::fmt::Debug, R>(
    error: &SdkError<E, R>,
) -> String {
    match error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            format!(
                "{}: {}",
                inner.code().unwrap_or("ServiceError"),
                inner.message().unwrap_or_default()
            )
        }
        SdkError::DispatchFailure(_) => "cannot connect to DynamoDB".to_owned(),
        SdkError::TimeoutError(_) => "DynamoDB timed out".to_owned(),
        other => format!("{other}"),
    }
}

impl DynamoStore {
    pub fn new(
        client: Client,
        quota_table: impl Into<String>,
        leads_table: impl Into<String>,
    ) -> Self {
        Self {
            client,
            quota_table: quota_table.into(),
            leads_table: leads_table.into(),
            known: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// A client from the standard AWS environment (region, credentials, and the
    /// `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` override for emulators).
    pub async fn client_from_env() -> Client {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Client::new(&config)
    }

    /// Creates the tables that do not exist yet, with their indexes and TTL. For emulators and
    /// tests only: in AWS the tables come from the infrastructure template.
    pub async fn create_tables(&self) -> Result<(), StoreError> {
        for spec in [
            schema::quota_table(&self.quota_table),
            schema::leads_table(&self.leads_table),
        ] {
            create_table(&self.client, &spec).await?;
        }
        Ok(())
    }

    /// The items with these keys in the quota table (one consistent `BatchGetItem`), by key.
    async fn read_quota_items(&self, keys: &[&str]) -> Result<HashMap<String, Item>, StoreError> {
        let keys: Vec<Item> = keys
            .iter()
            .map(|key| {
                HashMap::from([(
                    schema::QUOTA_KEY.to_owned(),
                    AttributeValue::S((*key).to_owned()),
                )])
            })
            .collect();
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(unavailable)?;
        let output = self
            .client
            .batch_get_item()
            .request_items(&self.quota_table, request)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        if output.unprocessed_keys().is_some_and(|u| !u.is_empty()) {
            return Err(StoreError::Unavailable(
                "DynamoDB is throttling reads".into(),
            ));
        }
        let mut found = HashMap::new();
        for item in output
            .responses()
            .and_then(|r| r.get(&self.quota_table))
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(key) = string(item, schema::QUOTA_KEY) {
                found.insert(key, item.clone());
            }
        }
        Ok(found)
    }

    /// An update of an existing lead that sets `#status = :status` (the caller adds the rest of
    /// the expression); it fails with a condition error when the lead does not exist, which
    /// [`lead_updated`] turns into `NoSuchLead`.
    fn lead_update(
        &self,
        id: &str,
        status: LeadStatus,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.leads_table)
            .key(schema::LEAD_ID, AttributeValue::S(id.to_owned()))
            .condition_expression("attribute_exists(#id)")
            .expression_attribute_names("#id", schema::LEAD_ID)
            .expression_attribute_names("#status", schema::LEAD_STATUS)
            .expression_attribute_values(":status", AttributeValue::S(status.as_str().to_owned()))
    }

    /// The quota items as DynamoDB has them now, and the lead already admitted for the request
    /// key, if any (one consistent `BatchGetItem`).
    async fn confirmed_states(
        &self,
        checks: &[QuotaCheck],
        once: Option<&str>,
    ) -> Result<(Vec<(QuotaState, bool)>, Option<String>), StoreError> {
        let mut keys: Vec<&str> = checks.iter().map(|c| c.key.as_str()).collect();
        keys.extend(once);
        let mut found = self.read_quota_items(&keys).await?;
        let admitted = once
            .and_then(|key| found.remove(key))
            .and_then(|item| string(&item, ONCE_LEAD));
        let states = checks
            .iter()
            .map(|c| (found.get(&c.key).map(quota_state).unwrap_or_default(), true))
            .collect();
        Ok((states, admitted))
    }
}

/// The attribute of a `req#…` item naming the lead its request was admitted as.
const ONCE_LEAD: &str = "lead_id";

/// Where each part of an `admit` transaction is: the quota writes first, then the lead, then
/// the LLM counter and the request key when present.
#[derive(Debug, Clone, Copy)]
struct Layout {
    quota_items: usize,
    llm: bool,
    once: bool,
}

impl Layout {
    fn lead(self) -> usize {
        self.quota_items
    }
    fn llm(self) -> Option<usize> {
        self.llm.then_some(self.quota_items + 1)
    }
    fn once(self) -> Option<usize> {
        self.once
            .then_some(self.quota_items + 1 + usize::from(self.llm))
    }
}

/// Why a transaction was cancelled, and what to do about it.
#[derive(Debug)]
enum Cancelled {
    /// Some quota items are not in the state we assumed; each entry is `Some(real state)` for
    /// those (an absent item is the default state), `None` for items whose check passed.
    QuotaChanged(Vec<Option<QuotaState>>),
    /// Only the LLM counter's condition failed: the daily cap is reached.
    LlmCapReached,
    /// DynamoDB saw a concurrent transaction on the same items, or is still running an earlier
    /// send of this one (`TransactionInProgress`): send the same transaction again, with the
    /// same token, so it is applied at most once.
    Conflict,
    /// Our lead (or our request key pointing at it) is already there: an earlier send of this
    /// very transaction committed, and its answer was lost. That is success.
    AlreadyCommitted,
    /// The request key was admitted before, as this lead.
    Duplicate(String),
    Other(String),
}

/// Reads a cancelled `admit` transaction laid out as `layout`, for the lead `lead_id`.
fn cancellation(
    error: &SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
    layout: Layout,
    lead_id: &str,
) -> Cancelled {
    let SdkError::ServiceError(service) = error else {
        return Cancelled::Other(describe(error));
    };
    let reasons: &[CancellationReason] = match service.err() {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => {
            cancelled.cancellation_reasons()
        }
        TransactWriteItemsError::TransactionInProgressException(_) => return Cancelled::Conflict,
        other
            if aws_sdk_dynamodb::error::ProvideErrorMetadata::code(other)
                == Some("TransactionConflictException") =>
        {
            return Cancelled::Conflict
        }
        _ => return Cancelled::Other(describe(error)),
    };
    let failed = |index: Option<usize>| {
        index
            .and_then(|i| reasons.get(i))
            .is_some_and(|r| r.code() == Some("ConditionalCheckFailed"))
    };
    if reasons.iter().any(|r| {
        matches!(
            r.code(),
            Some("ThrottlingError" | "ProvisionedThroughputExceeded")
        )
    }) {
        return Cancelled::Other("DynamoDB is throttling writes".into());
    }
    if reasons
        .iter()
        .any(|r| r.code() == Some("TransactionConflict"))
    {
        return Cancelled::Conflict;
    }
    if failed(Some(layout.lead())) {
        // Lead ids are random per question: only our own earlier send can have written it.
        return Cancelled::AlreadyCommitted;
    }
    if failed(layout.once()) {
        let admitted = layout
            .once()
            .and_then(|i| reasons.get(i))
            .and_then(|r| r.item())
            .and_then(|item| string(item, ONCE_LEAD))
            .unwrap_or_default();
        return if admitted == lead_id {
            Cancelled::AlreadyCommitted
        } else {
            Cancelled::Duplicate(admitted)
        };
    }
    let quota: Vec<Option<QuotaState>> = reasons
        .iter()
        .take(layout.quota_items)
        .map(|r| {
            (r.code() == Some("ConditionalCheckFailed"))
                .then(|| r.item().map(quota_state).unwrap_or_default())
        })
        .collect();
    if quota.iter().any(Option::is_some) {
        Cancelled::QuotaChanged(quota)
    } else if failed(layout.llm()) {
        Cancelled::LlmCapReached
    } else {
        Cancelled::Other(describe(error))
    }
}

/// Marks a request key as admitted, as `lead_id`, unless it already is.
fn once_put(
    table: &str,
    key: &str,
    lead_id: &str,
    now: Millis,
) -> Result<TransactWriteItem, StoreError> {
    let item: Item = HashMap::from([
        (
            schema::QUOTA_KEY.to_owned(),
            AttributeValue::S(key.to_owned()),
        ),
        (ONCE_LEAD.to_owned(), AttributeValue::S(lead_id.to_owned())),
        (
            schema::TTL_ATTRIBUTE.to_owned(),
            AttributeValue::N((now / 1_000 + ONCE_SECONDS).to_string()),
        ),
    ]);
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", schema::QUOTA_KEY)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(unavailable)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Counts one LLM call on `llm#<day>` if it stays within the cap.
fn llm_count(table: &str, budget: &LlmBudget) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .key(
            schema::QUOTA_KEY,
            AttributeValue::S(format!("llm#{}", budget.day)),
        )
        .update_expression("ADD #calls :one SET #ttl = :ttl")
        .condition_expression("attribute_not_exists(#calls) OR #calls < :cap")
        .expression_attribute_names("#calls", schema::LLM_CALLS)
        .expression_attribute_names("#ttl", schema::TTL_ATTRIBUTE)
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .expression_attribute_values(":cap", AttributeValue::N(budget.cap.to_string()))
        .expression_attribute_values(":ttl", AttributeValue::N(budget.expires_at.to_string()))
        .build()
        .map_err(unavailable)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The result of a lead update conditioned on the lead existing.
fn lead_updated<T>(
    result: Result<T, SdkError<UpdateItemError, aws_sdk_dynamodb::config::http::HttpResponse>>,
    id: &str,
) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(SdkError::ServiceError(service))
            if matches!(
                service.err(),
                UpdateItemError::ConditionalCheckFailedException(_)
            ) =>
        {
            Err(StoreError::NoSuchLead(id.to_owned()))
        }
        Err(error) => Err(StoreError::Unavailable(describe(&error))),
    }
}

/// A quota item's times and version.
fn quota_state(item: &Item) -> QuotaState {
    let times = item
        .get(schema::QUOTA_TIMES)
        .and_then(|v| v.as_l().ok())
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_n().ok()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    (times, item.get(schema::QUOTA_VERSION).cloned())
}

/// One `admit` transaction as sent: resent as is (same token) after a conflict.
struct Attempt {
    writes: Vec<TransactWriteItem>,
    token: String,
    layout: Layout,
    /// Each quota item's times and version token as this transaction writes them.
    written: Vec<(Vec<Millis>, String)>,
    llm_call: bool,
}

#[async_trait::async_trait]
impl RequestStore for DynamoStore {
    async fn admit_ask(&self, ask: &Ask<'_>) -> Result<Admission, StoreError> {
        let Ask {
            checks,
            now,
            lead,
            llm,
            once,
        } = *ask;
        // The state each decision is based on, and whether DynamoDB confirmed it in this call
        // (a refusal is only final on confirmed data: a guess may be stale).
        let mut states: Vec<(QuotaState, bool)> = {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            checks
                .iter()
                .map(|c| (known.get(&c.key).cloned().unwrap_or_default(), false))
                .collect()
        };
        // A cap of 0 allows no call at all (a missing counter would otherwise pass as under it).
        let mut llm = llm.filter(|budget| budget.cap > 0);
        let mut pending: Option<Attempt> = None;
        for attempt in 0..MAX_ATTEMPTS {
            let current = match pending.take() {
                Some(resend) => resend,
                None => {
                    let mut writes = Vec::with_capacity(checks.len() + 3);
                    let mut written = Vec::with_capacity(checks.len());
                    let previous = states.iter().map(|((times, _), _)| times.as_slice());
                    let decision = super::decide_checks(checks, now, previous);
                    if let Ok(updates) = &decision {
                        for ((check, times), ((_, version), _)) in
                            checks.iter().zip(updates).zip(&states)
                        {
                            let token = super::random_token();
                            writes.push(quota_put(
                                &self.quota_table,
                                &check.key,
                                times,
                                version.as_ref(),
                                &token,
                                now,
                            )?);
                            written.push((times.clone(), token));
                        }
                    }
                    if let Err(Refusal { retry_at, check }) = decision {
                        if states.iter().all(|(_, confirmed)| *confirmed) && once.is_none() {
                            return Ok(Admission::Refused { retry_at, check });
                        }
                        // Refused on a guess (or maybe a retry of an admitted request): read
                        // what is really there and decide again.
                        let (confirmed, admitted) = self.confirmed_states(checks, once).await?;
                        if let Some(lead_id) = admitted {
                            return Ok(Admission::Duplicate { lead_id });
                        }
                        if states.iter().all(|(_, confirmed)| *confirmed) {
                            return Ok(Admission::Refused { retry_at, check });
                        }
                        states = confirmed;
                        continue;
                    }
                    let lead_put = Put::builder()
                        .table_name(&self.leads_table)
                        .set_item(Some(lead_item(lead)))
                        .condition_expression("attribute_not_exists(#id)")
                        .expression_attribute_names("#id", schema::LEAD_ID)
                        .build()
                        .map_err(unavailable)?;
                    writes.push(TransactWriteItem::builder().put(lead_put).build());
                    if let Some(budget) = llm {
                        writes.push(llm_count(&self.quota_table, budget)?);
                    }
                    if let Some(key) = once {
                        writes.push(once_put(&self.quota_table, key, &lead.id, now)?);
                    }
                    Attempt {
                        writes,
                        token: super::random_token(),
                        layout: Layout {
                            quota_items: checks.len(),
                            llm: llm.is_some(),
                            once: once.is_some(),
                        },
                        written,
                        llm_call: llm.is_some(),
                    }
                }
            };
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(current.writes.clone()))
                .client_request_token(&current.token)
                .send()
                .await;
            let outcome = match sent {
                Ok(_) => None,
                Err(error) => Some(cancellation(&error, current.layout, &lead.id)),
            };
            match outcome {
                None | Some(Cancelled::AlreadyCommitted) => {
                    let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
                    if known.len() >= KNOWN_LIMIT {
                        known.clear();
                    }
                    let mut remaining = Vec::with_capacity(checks.len());
                    for (check, (times, token)) in checks.iter().zip(current.written) {
                        remaining.push(quota::remaining(&times, now, check.limits));
                        known.insert(check.key.clone(), (times, Some(AttributeValue::S(token))));
                    }
                    return Ok(Admission::Accepted {
                        remaining,
                        llm_call: current.llm_call,
                    });
                }
                Some(Cancelled::Duplicate(lead_id)) => {
                    return Ok(Admission::Duplicate { lead_id });
                }
                Some(Cancelled::QuotaChanged(now_there)) => {
                    // DynamoDB told us the real state of the items that differed.
                    for (state, real) in states.iter_mut().zip(now_there) {
                        match real {
                            Some(real) => *state = (real, true),
                            None => state.1 = true,
                        }
                    }
                }
                Some(Cancelled::LlmCapReached) => llm = None,
                Some(Cancelled::Conflict) => {
                    // A concurrent transaction on the same items, or an earlier send of this
                    // one still running: back off a little (spread out by attempt), then send
                    // the very same transaction again. Its token makes DynamoDB apply it at
                    // most once, so an earlier send that did commit is not doubled, and is not
                    // mistaken for someone else's question.
                    let jitter = (now as u64 ^ u64::from(attempt).wrapping_mul(0x9e37_79b9)) % 20;
                    tokio::time::sleep(Duration::from_millis(5 + u64::from(attempt) * 5 + jitter))
                        .await;
                    pending = Some(current);
                }
                Some(Cancelled::Other(message)) => return Err(StoreError::Unavailable(message)),
            }
        }
        Err(StoreError::Contention)
    }

    async fn finish_lead(&self, id: &str, outcome: &LeadOutcome) -> Result<(), StoreError> {
        let mut request = self
            .lead_update(id, outcome.status)
            .expression_attribute_values(
                ":notification",
                AttributeValue::S(outcome.notification.as_str().to_owned()),
            )
            .expression_attribute_values(
                ":cited",
                AttributeValue::L(
                    outcome
                        .cited
                        .iter()
                        .cloned()
                        .map(AttributeValue::S)
                        .collect(),
                ),
            );
        let mut set = vec![
            "#status = :status",
            "cited = :cited",
            "notification = :notification",
        ];
        let mut remove = Vec::new();
        let optional = [
            (
                "verdict",
                ":verdict",
                outcome.verdict.map(|v| v.as_str().to_owned()),
            ),
            ("answer", ":answer", outcome.answer.clone()),
            (
                "answer_source",
                ":source",
                outcome.answer_source.map(|s| source_str(s).to_owned()),
            ),
            (
                "follow_up_reason",
                ":reason",
                outcome.follow_up_reason.clone(),
            ),
            (
                "notification_error",
                ":notification_error",
                outcome.notification_error.clone(),
            ),
        ];
        let mut clauses = Vec::new();
        for (attribute, placeholder, value) in optional {
            match value {
                Some(value) => {
                    request =
                        request.expression_attribute_values(placeholder, AttributeValue::S(value));
                    clauses.push(format!("{attribute} = {placeholder}"));
                }
                None => remove.push(attribute),
            }
        }
        let clauses_ref: Vec<&str> = clauses.iter().map(String::as_str).collect();
        set.extend(clauses_ref);
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        lead_updated(request.update_expression(expression).send().await, id)
    }

    async fn lead(&self, id: &str) -> Result<Option<Lead>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.leads_table)
            .key(schema::LEAD_ID, AttributeValue::S(id.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        Ok(output.item().and_then(lead_from_item))
    }

    async fn take_slot(
        &self,
        key: &str,
        cap: u64,
        expires_at: i64,
    ) -> Result<Option<u64>, StoreError> {
        if cap == 0 {
            return Ok(None);
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.quota_table)
            .key(schema::QUOTA_KEY, AttributeValue::S(key.to_owned()))
            .update_expression("ADD #calls :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(#calls) OR #calls < :cap")
            .expression_attribute_names("#calls", schema::LLM_CALLS)
            .expression_attribute_names("#ttl", schema::TTL_ATTRIBUTE)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":cap", AttributeValue::N(cap.to_string()))
            .expression_attribute_values(":ttl", AttributeValue::N(expires_at.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(output) => Ok(Some(
                output
                    .attributes()
                    .and_then(|a| number(a, schema::LLM_CALLS))
                    .unwrap_or(1) as u64,
            )),
            Err(SdkError::ServiceError(service))
                if matches!(
                    service.err(),
                    UpdateItemError::ConditionalCheckFailedException(_)
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(StoreError::Unavailable(describe(&error))),
        }
    }
}

#[async_trait::async_trait]
impl AdminStore for DynamoStore {
    async fn quota_times(&self, key: &str) -> Result<Vec<Millis>, StoreError> {
        Ok(self
            .read_quota_items(&[key])
            .await?
            .get(key)
            .map(|item| quota_state(item).0)
            .unwrap_or_default())
    }

    async fn leads_by_status(
        &self,
        status: LeadStatus,
        from: Millis,
        to: Millis,
    ) -> Result<Vec<Lead>, StoreError> {
        if to <= from {
            return Ok(Vec::new());
        }
        self.query_leads(
            schema::LEADS_BY_STATUS,
            "#key = :key AND #created BETWEEN :from AND :to",
            schema::LEAD_STATUS,
            status.as_str(),
            Some((from, to - 1)),
            false,
        )
        .await
    }

    async fn leads_by_email(&self, email: &str) -> Result<Vec<Lead>, StoreError> {
        self.query_leads(
            schema::LEADS_BY_EMAIL,
            "#key = :key",
            schema::LEAD_EMAIL,
            email,
            None,
            true,
        )
        .await
    }

    async fn mark_handled(
        &self,
        id: &str,
        at: Millis,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut request = self
            .lead_update(id, LeadStatus::Handled)
            .expression_attribute_values(":at", AttributeValue::N(at.to_string()));
        let expression = match note {
            Some(note) => {
                request = request
                    .expression_attribute_values(":note", AttributeValue::S(note.to_owned()));
                "SET #status = :status, handled_at = :at, handled_note = :note"
            }
            None => "SET #status = :status, handled_at = :at REMOVE handled_note",
        };
        lead_updated(request.update_expression(expression).send().await, id)
    }

    async fn delete_lead(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_item(&self.leads_table, schema::LEAD_ID, id)
            .await
    }

    async fn delete_quota(&self, key: &str) -> Result<bool, StoreError> {
        self.delete_item(&self.quota_table, schema::QUOTA_KEY, key)
            .await
    }

    async fn set_notification(
        &self,
        id: &str,
        notification: NotifyState,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.leads_table)
            .key(schema::LEAD_ID, AttributeValue::S(id.to_owned()))
            .condition_expression("attribute_exists(#id)")
            .expression_attribute_names("#id", schema::LEAD_ID)
            .expression_attribute_values(
                ":notification",
                AttributeValue::S(notification.as_str().to_owned()),
            );
        let expression = match error {
            Some(error) => {
                request = request
                    .expression_attribute_values(":error", AttributeValue::S(error.to_owned()));
                "SET notification = :notification, notification_error = :error"
            }
            None => "SET notification = :notification REMOVE notification_error",
        };
        lead_updated(request.update_expression(expression).send().await, id)
    }
}

impl DynamoStore {
    /// Queries a leads index for one partition value (optionally a `created_at` range), every
    /// page of it.
    async fn query_leads(
        &self,
        index: &str,
        condition: &str,
        key_attribute: &str,
        key: &str,
        range: Option<(Millis, Millis)>,
        oldest_first: bool,
    ) -> Result<Vec<Lead>, StoreError> {
        let mut leads = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.leads_table)
                .index_name(index)
                .key_condition_expression(condition)
                .expression_attribute_names("#key", key_attribute)
                .expression_attribute_values(":key", AttributeValue::S(key.to_owned()))
                .scan_index_forward(oldest_first)
                .set_exclusive_start_key(start.take());
            if let Some((from, to)) = range {
                request = request
                    .expression_attribute_names("#created", schema::LEAD_CREATED_AT)
                    .expression_attribute_values(":from", AttributeValue::N(from.to_string()))
                    .expression_attribute_values(":to", AttributeValue::N(to.to_string()));
            }
            let output = request
                .send()
                .await
                .map_err(|e| StoreError::Unavailable(describe(&e)))?;
            leads.extend(output.items().iter().filter_map(lead_from_item));
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        Ok(leads)
    }

    async fn delete_item(
        &self,
        table: &str,
        key_name: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(table)
            .key(key_name, AttributeValue::S(key.to_owned()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        Ok(output.attributes().is_some_and(|a| !a.is_empty()))
    }
}

/// Writes a quota item's new times under a fresh version `token`, on condition that it is still
/// at `version` (or absent, for `None`).
fn quota_put(
    table: &str,
    key: &str,
    times: &[Millis],
    version: Option<&AttributeValue>,
    token: &str,
    now: Millis,
) -> Result<TransactWriteItem, StoreError> {
    let item: Item = HashMap::from([
        (
            schema::QUOTA_KEY.to_owned(),
            AttributeValue::S(key.to_owned()),
        ),
        (
            schema::QUOTA_TIMES.to_owned(),
            AttributeValue::L(
                times
                    .iter()
                    .map(|t| AttributeValue::N(t.to_string()))
                    .collect(),
            ),
        ),
        (
            schema::QUOTA_VERSION.to_owned(),
            AttributeValue::S(token.to_owned()),
        ),
        // Nothing in a quota item matters after a day without questions.
        (
            schema::TTL_ATTRIBUTE.to_owned(),
            AttributeValue::N(((now + DAY) / 1_000 + 3_600).to_string()),
        ),
    ]);
    let put = Put::builder().table_name(table).set_item(Some(item));
    let put = match version {
        Some(version) => put
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", schema::QUOTA_VERSION)
            .expression_attribute_values(":version", version.clone()),
        None => put
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", schema::QUOTA_KEY),
    };
    let put =
        put.return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    Ok(TransactWriteItem::builder()
        .put(put.build().map_err(unavailable)?)
        .build())
}

fn source_str(source: AdviceSource) -> &'static str {
    match source {
        AdviceSource::Ai => "ai",
        AdviceSource::KnowledgeBase => "knowledge_base",
    }
}

fn string(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

fn lead_item(lead: &Lead) -> Item {
    let mut item: Item = HashMap::from([
        (
            schema::LEAD_ID.to_owned(),
            AttributeValue::S(lead.id.clone()),
        ),
        (
            schema::LEAD_CREATED_AT.to_owned(),
            AttributeValue::N(lead.created_at.to_string()),
        ),
        (
            schema::LEAD_EMAIL.to_owned(),
            AttributeValue::S(lead.email.clone()),
        ),
        (
            "company".to_owned(),
            AttributeValue::S(lead.company.clone()),
        ),
        (
            "question".to_owned(),
            AttributeValue::S(lead.question.clone()),
        ),
        (
            "removed_secrets".to_owned(),
            AttributeValue::L(
                lead.removed_secrets
                    .iter()
                    .cloned()
                    .map(AttributeValue::S)
                    .collect(),
            ),
        ),
        (
            "stale_page".to_owned(),
            AttributeValue::Bool(lead.stale_page),
        ),
        (
            schema::LEAD_STATUS.to_owned(),
            AttributeValue::S(lead.outcome.status.as_str().to_owned()),
        ),
        (
            "cited".to_owned(),
            AttributeValue::L(
                lead.outcome
                    .cited
                    .iter()
                    .cloned()
                    .map(AttributeValue::S)
                    .collect(),
            ),
        ),
        (
            "notification".to_owned(),
            AttributeValue::S(lead.outcome.notification.as_str().to_owned()),
        ),
        (
            schema::TTL_ATTRIBUTE.to_owned(),
            AttributeValue::N(lead.expires_at.to_string()),
        ),
    ]);
    let optional = [
        ("article", lead.article.clone()),
        ("content_hash", lead.content_hash.clone()),
        (
            "verdict",
            lead.outcome.verdict.map(|v| v.as_str().to_owned()),
        ),
        ("answer", lead.outcome.answer.clone()),
        (
            "answer_source",
            lead.outcome.answer_source.map(|s| source_str(s).to_owned()),
        ),
        ("follow_up_reason", lead.outcome.follow_up_reason.clone()),
        (
            "notification_error",
            lead.outcome.notification_error.clone(),
        ),
        ("handled_note", lead.handled_note.clone()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            item.insert(name.to_owned(), AttributeValue::S(value));
        }
    }
    if let Some(at) = lead.handled_at {
        item.insert("handled_at".to_owned(), AttributeValue::N(at.to_string()));
    }
    item
}

fn lead_from_item(item: &Item) -> Option<Lead> {
    let strings = |name: &str| -> Vec<String> {
        item.get(name)
            .and_then(|v| v.as_l().ok())
            .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
            .unwrap_or_default()
    };
    Some(Lead {
        id: string(item, schema::LEAD_ID)?,
        created_at: number(item, schema::LEAD_CREATED_AT)?,
        email: string(item, schema::LEAD_EMAIL)?,
        company: string(item, "company").unwrap_or_default(),
        question: string(item, "question").unwrap_or_default(),
        removed_secrets: strings("removed_secrets"),
        article: string(item, "article"),
        content_hash: string(item, "content_hash"),
        stale_page: item
            .get("stale_page")
            .and_then(|v| v.as_bool().ok())
            .copied()
            .unwrap_or(false),
        outcome: LeadOutcome {
            status: string(item, schema::LEAD_STATUS).and_then(|s| LeadStatus::parse(&s))?,
            verdict: string(item, "verdict").and_then(|v| match v.as_str() {
                "diy" => Some(Verdict::Diy),
                "careful" => Some(Verdict::Careful),
                "bring_us_in" => Some(Verdict::BringUsIn),
                _ => None,
            }),
            answer: string(item, "answer"),
            answer_source: string(item, "answer_source").and_then(|s| match s.as_str() {
                "ai" => Some(AdviceSource::Ai),
                "knowledge_base" => Some(AdviceSource::KnowledgeBase),
                _ => None,
            }),
            cited: strings("cited"),
            follow_up_reason: string(item, "follow_up_reason"),
            notification: string(item, "notification")
                .and_then(|s| NotifyState::parse(&s))
                .unwrap_or(NotifyState::Pending),
            notification_error: string(item, "notification_error"),
        },
        handled_at: number(item, "handled_at"),
        handled_note: string(item, "handled_note"),
        expires_at: number(item, schema::TTL_ATTRIBUTE).unwrap_or_default(),
    })
}

async fn create_table(client: &Client, spec: &TableSpec) -> Result<(), StoreError> {
    let sdk_type = |t: KeyType| match t {
        KeyType::S => ScalarAttributeType::S,
        KeyType::N => ScalarAttributeType::N,
    };
    let key_schema = |partition: &schema::Key,
                      sort: Option<&schema::Key>|
     -> Result<Vec<KeySchemaElement>, StoreError> {
        let mut elements = vec![KeySchemaElement::builder()
            .attribute_name(partition.name)
            .key_type(SdkKeyType::Hash)
            .build()
            .map_err(unavailable)?];
        if let Some(sort) = sort {
            elements.push(
                KeySchemaElement::builder()
                    .attribute_name(sort.name)
                    .key_type(SdkKeyType::Range)
                    .build()
                    .map_err(unavailable)?,
            );
        }
        Ok(elements)
    };
    let definitions = spec
        .key_attributes()
        .into_iter()
        .map(|k| {
            AttributeDefinition::builder()
                .attribute_name(k.name)
                .attribute_type(sdk_type(k.key_type))
                .build()
                .map_err(unavailable)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut request = client
        .create_table()
        .table_name(&spec.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(definitions))
        .set_key_schema(Some(key_schema(&spec.partition, spec.sort.as_ref())?));
    for index in &spec.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .set_key_schema(Some(key_schema(&index.partition, index.sort.as_ref())?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(unavailable)?,
        );
    }
    match request.send().await {
        Ok(_) => {}
        Err(SdkError::ServiceError(service)) if service.err().is_resource_in_use_exception() => {
            return Ok(())
        }
        Err(error) => return Err(StoreError::Unavailable(describe(&error))),
    }
    client
        .update_time_to_live()
        .table_name(&spec.name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(spec.ttl_attribute)
                .enabled(true)
                .build()
                .map_err(unavailable)?,
        )
        .send()
        .await
        .map_err(|e| StoreError::Unavailable(describe(&e)))?;
    Ok(())
}
