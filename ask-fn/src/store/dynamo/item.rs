//! A lead as a DynamoDB item and back. The attribute names are stored data: they never change
//! with the Rust shape of [`Lead`].

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;
use crate::llm::{AdviceSource, Verdict};
use crate::store::schema;
use crate::store::{Lead, LeadOutcome, LeadStatus, NotifyState};

pub(super) fn source_str(source: AdviceSource) -> &'static str {
    match source {
        AdviceSource::Ai => "ai",
        AdviceSource::KnowledgeBase => "knowledge_base",
    }
}

pub(super) fn string(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

pub(super) fn number(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
}

pub(super) fn lead_item(lead: &Lead) -> Item {
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

pub(super) fn lead_from_item(item: &Item) -> Option<Lead> {
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
