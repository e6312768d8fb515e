//! The DynamoDB tables, defined once. `--create-tables` (emulators, tests) builds them from
//! these specs, and the infrastructure template is checked against the same specs, so code and
//! deployment cannot disagree on keys, indexes or the TTL attribute.

use serde::Serialize;

/// Quota table: one item per identity (`email#…`, `ip#…`) and per day's LLM counter (`llm#…`).
pub const QUOTA_KEY: &str = "pk";
/// Accepted question times (ms) in the last 24 h, sorted.
pub const QUOTA_TIMES: &str = "times";
/// Optimistic-concurrency version of a quota item: a random token per write (never a counter,
/// which would repeat after the item is deleted and recreated).
pub const QUOTA_VERSION: &str = "version";
/// Number of LLM calls on an `llm#<day>` item.
pub const LLM_CALLS: &str = "calls";

/// Leads table.
pub const LEAD_ID: &str = "id";
pub const LEAD_STATUS: &str = "status";
pub const LEAD_CREATED_AT: &str = "created_at";
pub const LEAD_EMAIL: &str = "email";
/// Index for the team's lists: leads by status, newest first, without a Scan.
pub const LEADS_BY_STATUS: &str = "by_status";
/// Index for privacy requests: every lead of one address.
pub const LEADS_BY_EMAIL: &str = "by_email";

/// Both tables expire items through this attribute (Unix seconds).
pub const TTL_ATTRIBUTE: &str = "expires_at";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyType {
    /// String
    S,
    /// Number
    N,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    pub name: &'static str,
    pub key_type: KeyType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexSpec {
    pub name: &'static str,
    pub partition: Key,
    pub sort: Option<Key>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSpec {
    pub name: String,
    pub partition: Key,
    pub sort: Option<Key>,
    /// Global secondary indexes, all projecting every attribute.
    pub indexes: Vec<IndexSpec>,
    pub ttl_attribute: &'static str,
}

pub fn quota_table(name: &str) -> TableSpec {
    TableSpec {
        name: name.to_owned(),
        partition: Key {
            name: QUOTA_KEY,
            key_type: KeyType::S,
        },
        sort: None,
        indexes: Vec::new(),
        ttl_attribute: TTL_ATTRIBUTE,
    }
}

pub fn leads_table(name: &str) -> TableSpec {
    TableSpec {
        name: name.to_owned(),
        partition: Key {
            name: LEAD_ID,
            key_type: KeyType::S,
        },
        sort: None,
        indexes: vec![
            IndexSpec {
                name: LEADS_BY_STATUS,
                partition: Key {
                    name: LEAD_STATUS,
                    key_type: KeyType::S,
                },
                sort: Some(Key {
                    name: LEAD_CREATED_AT,
                    key_type: KeyType::N,
                }),
            },
            IndexSpec {
                name: LEADS_BY_EMAIL,
                partition: Key {
                    name: LEAD_EMAIL,
                    key_type: KeyType::S,
                },
                sort: Some(Key {
                    name: LEAD_CREATED_AT,
                    key_type: KeyType::N,
                }),
            },
        ],
        ttl_attribute: TTL_ATTRIBUTE,
    }
}

impl TableSpec {
    /// Every attribute used in a key of the table or an index, once each (what DynamoDB calls
    /// the attribute definitions).
    pub fn key_attributes(&self) -> Vec<&Key> {
        let mut keys: Vec<&Key> = Vec::new();
        let all = std::iter::once(&self.partition)
            .chain(self.sort.as_ref())
            .chain(
                self.indexes
                    .iter()
                    .flat_map(|i| std::iter::once(&i.partition).chain(i.sort.as_ref())),
            );
        for key in all {
            if !keys.iter().any(|k| k.name == key.name) {
                keys.push(key);
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads_table_defines_each_key_attribute_once() {
        let spec = leads_table("t-leads");
        let names: Vec<_> = spec.key_attributes().iter().map(|k| k.name).collect();
        assert_eq!(names, ["id", "status", "created_at", "email"]);
        assert_eq!(quota_table("q").key_attributes().len(), 1);
    }
}
