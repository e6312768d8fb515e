//! One `admit` transaction: its parts (quota items, the lead, the LLM counter, the request key),
//! where each sits in the transaction, and what a cancellation says about each.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};

use super::item::string;
use super::{describe, unavailable, Item, QuotaState, ONCE_SECONDS};
use crate::clock::{Millis, DAY};
use crate::store::schema;
use crate::store::{LlmBudget, StoreError};

/// The attribute of a `req#…` item naming the lead its request was admitted as.
pub(super) const ONCE_LEAD: &str = "lead_id";

/// Where each part of an `admit` transaction is: the quota writes first, then the lead, then
/// the LLM counter and the request key when present.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub(super) quota_items: usize,
    pub(super) llm: bool,
    pub(super) once: bool,
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
pub(super) enum Cancelled {
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
pub(super) fn cancellation(
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
pub(super) fn once_put(
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
pub(super) fn llm_count(table: &str, budget: &LlmBudget) -> Result<TransactWriteItem, StoreError> {
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

/// A quota item's times and version.
pub(super) fn quota_state(item: &Item) -> QuotaState {
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
pub(super) struct Attempt {
    pub(super) writes: Vec<TransactWriteItem>,
    pub(super) token: String,
    pub(super) layout: Layout,
    /// Each quota item's times and version token as this transaction writes them.
    pub(super) written: Vec<(Vec<Millis>, String)>,
    pub(super) llm_call: bool,
}

/// Writes a quota item's new times under a fresh version `token`, on condition that it is still
/// at `version` (or absent, for `None`).
pub(super) fn quota_put(
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
