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
//!
//! Here: the client and the request path ([`RequestStore`]). Beside it, one job each:
//! `transaction` (the parts of an `admit` transaction and its cancellations), `item` (a lead
//! as an item and back), `admin` ([`AdminStore`](crate::store::AdminStore): index queries,
//! deletes), `table` (creating tables for emulators).

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;

use super::schema;
use super::{
    Admission, Ask, Lead, LeadOutcome, LeadStatus, QuotaCheck, Refusal, RequestStore, StoreError,
};
use crate::clock::Millis;
use crate::quota;

mod admin;
mod item;
mod table;
mod transaction;

use item::{lead_from_item, lead_item, number, source_str, string};
use table::create_table;
use transaction::*;

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
    /// `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` override for emulators), see
    /// [`crate::aws::sdk_config`].
    pub async fn client_from_env() -> Result<Client, crate::aws::AwsConfigError> {
        Ok(Client::new(&crate::aws::sdk_config().await?))
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
