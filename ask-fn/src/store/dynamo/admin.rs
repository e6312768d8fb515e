//! The team's and the digest's side of the DynamoDB store: index queries (never a Scan),
//! marking and deleting, and recording how the team was told.

use aws_sdk_dynamodb::types::AttributeValue;

use super::item::lead_from_item;
use super::transaction::quota_state;
use super::{describe, lead_updated, DynamoStore, Item};
use crate::clock::Millis;
use crate::store::schema;
use crate::store::{AdminStore, Lead, LeadStatus, NotifyState, StoreError};

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
