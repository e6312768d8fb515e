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
    Admission, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck, Store, StoreError,
};
use crate::clock::{Millis, DAY};
use crate::llm::{AdviceSource, Verdict};
use crate::quota::{self, Decision};

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

/// A quota item's accepted times and version; `None` version: the item does not exist.
type QuotaState = (Vec<Millis>, Option<i64>);

/// How many quota states `known` keeps before it starts over (a warm Lambda serves many
/// visitors; an entry is a few dozen bytes).
const KNOWN_LIMIT: usize = 10_000;

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

    async fn read_quotas(
        &self,
        checks: &[QuotaCheck],
    ) -> Result<HashMap<String, (Vec<Millis>, Option<i64>)>, StoreError> {
        let keys: Vec<Item> = checks
            .iter()
            .map(|c| {
                HashMap::from([(
                    schema::QUOTA_KEY.to_owned(),
                    AttributeValue::S(c.key.clone()),
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
            let Some(key) = string(item, schema::QUOTA_KEY) else {
                continue;
            };
            found.insert(key, quota_state(item));
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

    /// The quota items as DynamoDB has them now (one consistent `BatchGetItem`).
    async fn confirmed_states(
        &self,
        checks: &[QuotaCheck],
    ) -> Result<Vec<(QuotaState, bool)>, StoreError> {
        let mut found = self.read_quotas(checks).await?;
        Ok(checks
            .iter()
            .map(|c| (found.remove(&c.key).unwrap_or_default(), true))
            .collect())
    }
}

/// Why a transaction was cancelled, and what to do about it.
enum Cancelled {
    /// Some quota items are not in the state we assumed; each entry is `Some(real state)` for
    /// those (an absent item is the default state), `None` for items whose check passed.
    QuotaChanged(Vec<Option<QuotaState>>),
    /// Only the LLM counter's condition failed: the daily cap is reached.
    LlmCapReached,
    /// DynamoDB saw a concurrent transaction on the same items.
    Conflict,
    Other(String),
}

/// Reads a cancelled `admit` transaction: `quota_items` quota writes, then the lead, then the
/// LLM counter if present.
fn cancellation(
    error: &SdkError<TransactWriteItemsError, aws_sdk_dynamodb::config::http::HttpResponse>,
    quota_items: usize,
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
    let failed = |r: &CancellationReason| r.code() == Some("ConditionalCheckFailed");
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
    if reasons.get(quota_items).is_some_and(failed) {
        return Cancelled::Other("a lead with this id already exists".into());
    }
    let quota: Vec<Option<QuotaState>> = reasons
        .iter()
        .take(quota_items)
        .map(|r| failed(r).then(|| r.item().map(quota_state).unwrap_or_default()))
        .collect();
    if quota.iter().any(Option::is_some) {
        Cancelled::QuotaChanged(quota)
    } else if reasons.get(quota_items + 1).is_some_and(failed) {
        Cancelled::LlmCapReached
    } else {
        Cancelled::Other(describe(error))
    }
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
    (times, number(item, schema::QUOTA_VERSION))
}

#[async_trait::async_trait]
impl Store for DynamoStore {
    async fn admit_asking(
        &self,
        checks: &[QuotaCheck],
        now: Millis,
        lead: &Lead,
        llm: Option<&LlmBudget>,
    ) -> Result<Admission, StoreError> {
        // The state each decision is based on, and whether DynamoDB confirmed it in this call
        // (a refusal is only final on confirmed data: a guess may be stale).
        let mut states: Vec<(QuotaState, bool)> = {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            checks
                .iter()
                .map(|c| (known.get(&c.key).cloned().unwrap_or_default(), false))
                .collect()
        };
        let mut llm = llm;
        for attempt in 0..MAX_ATTEMPTS {
            let mut writes = Vec::with_capacity(checks.len() + 2);
            let mut written = Vec::with_capacity(checks.len());
            let mut refused: Option<(Millis, usize)> = None;
            for (index, (check, ((times, version), _))) in checks.iter().zip(&states).enumerate() {
                match quota::decide(times, now, check.limits) {
                    Decision::Deny { retry_at } => {
                        if refused.is_none_or(|(at, _)| retry_at > at) {
                            refused = Some((retry_at, index));
                        }
                    }
                    Decision::Allow(times) => {
                        writes.push(quota_put(
                            &self.quota_table,
                            &check.key,
                            &times,
                            *version,
                            now,
                        )?);
                        written.push((times, version.unwrap_or(0) + 1));
                    }
                }
            }
            if let Some((retry_at, check)) = refused {
                if states.iter().all(|(_, confirmed)| *confirmed) {
                    return Ok(Admission::Refused { retry_at, check });
                }
                // Refused on a guess: read what is really there and decide again.
                states = self.confirmed_states(checks).await?;
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
            match self
                .client
                .transact_write_items()
                .set_transact_items(Some(writes))
                .send()
                .await
            {
                Ok(_) => {
                    let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
                    if known.len() >= KNOWN_LIMIT {
                        known.clear();
                    }
                    let mut remaining = Vec::with_capacity(checks.len());
                    for (check, (times, version)) in checks.iter().zip(written) {
                        remaining.push(quota::remaining(&times, now, check.limits));
                        known.insert(check.key.clone(), (times, Some(version)));
                    }
                    return Ok(Admission::Accepted {
                        remaining,
                        llm_call: llm.is_some(),
                    });
                }
                Err(error) => match cancellation(&error, checks.len()) {
                    Cancelled::QuotaChanged(current) => {
                        // DynamoDB told us the real state of the items that differed.
                        for (state, now_there) in states.iter_mut().zip(current) {
                            match now_there {
                                Some(real) => *state = (real, true),
                                None => state.1 = true,
                            }
                        }
                    }
                    Cancelled::LlmCapReached => llm = None,
                    Cancelled::Conflict => {
                        // A concurrent transaction on the same items: back off a little
                        // (spread out by attempt), then read and decide again.
                        let jitter =
                            (now as u64 ^ u64::from(attempt).wrapping_mul(0x9e37_79b9)) % 20;
                        tokio::time::sleep(Duration::from_millis(
                            5 + u64::from(attempt) * 5 + jitter,
                        ))
                        .await;
                        states = self.confirmed_states(checks).await?;
                    }
                    Cancelled::Other(message) => return Err(StoreError::Unavailable(message)),
                },
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

    async fn quota_times(&self, key: &str) -> Result<Vec<Millis>, StoreError> {
        let check = QuotaCheck {
            key: key.to_owned(),
            limits: quota::Limits {
                per_hour: 0,
                per_day: 0,
            },
        };
        Ok(self
            .read_quotas(&[check])
            .await?
            .remove(key)
            .map(|(times, _)| times)
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

fn quota_put(
    table: &str,
    key: &str,
    times: &[Millis],
    version: Option<i64>,
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
            AttributeValue::N((version.unwrap_or(0) + 1).to_string()),
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
            .expression_attribute_values(":version", AttributeValue::N(version.to_string())),
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
            AttributeValue::S(lead.status.as_str().to_owned()),
        ),
        (
            "cited".to_owned(),
            AttributeValue::L(lead.cited.iter().cloned().map(AttributeValue::S).collect()),
        ),
        (
            "notification".to_owned(),
            AttributeValue::S(lead.notification.as_str().to_owned()),
        ),
        (
            schema::TTL_ATTRIBUTE.to_owned(),
            AttributeValue::N(lead.expires_at.to_string()),
        ),
    ]);
    let optional = [
        ("article", lead.article.clone()),
        ("content_hash", lead.content_hash.clone()),
        ("ip_hash", lead.ip_hash.clone()),
        ("verdict", lead.verdict.map(|v| v.as_str().to_owned())),
        ("answer", lead.answer.clone()),
        (
            "answer_source",
            lead.answer_source.map(|s| source_str(s).to_owned()),
        ),
        ("follow_up_reason", lead.follow_up_reason.clone()),
        ("notification_error", lead.notification_error.clone()),
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
        ip_hash: string(item, "ip_hash"),
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
