//! The deployment template and the code agree on the DynamoDB tables.
//!
//! infra/template.yaml declares the tables AWS creates; `ask_fn::store::schema` declares the
//! ones the code and its tests use. This test reads the template (CloudFormation short tags such
//! as `!Ref` parse as plain values), proves both describe the same keys, attribute types,
//! indexes and projections, TTL attribute and billing mode, and then runs the store against
//! tables created on the DynamoDB-compatible server *from the template's definitions*, including
//! queries on both indexes, so a renamed attribute in either place fails here.

use crate::support::dynamo;
use std::collections::BTreeMap;
use std::path::PathBuf;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType as SdkKeyType, Projection, ProjectionType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use serde_yaml::Value;

use ask_fn::clock::HOUR;
use ask_fn::quota::Limits;
use ask_fn::store::dynamo::DynamoStore;
use ask_fn::store::schema::{self, KeyType, TableSpec};
use ask_fn::store::{
    AdminStore, Admission, Lead, LeadOutcome, LeadStatus, LlmBudget, NotifyState, QuotaCheck,
    RequestStore,
};

/// A table as DynamoDB sees it, in a form both sources convert to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Table {
    billing_mode: String,
    /// (attribute, HASH|RANGE)
    key_schema: Vec<(String, String)>,
    /// attribute → S|N
    attributes: BTreeMap<String, String>,
    /// index → (key schema, projection type)
    indexes: BTreeMap<String, (Vec<(String, String)>, String)>,
    ttl_attribute: String,
}

fn key_schema(partition: &schema::Key, sort: Option<&schema::Key>) -> Vec<(String, String)> {
    std::iter::once((partition.name.to_owned(), "HASH".to_owned()))
        .chain(sort.map(|k| (k.name.to_owned(), "RANGE".to_owned())))
        .collect()
}

fn from_code(spec: &TableSpec) -> Table {
    Table {
        // DynamoStore::create_tables creates every table on demand.
        billing_mode: "PAY_PER_REQUEST".to_owned(),
        key_schema: key_schema(&spec.partition, spec.sort.as_ref()),
        attributes: spec
            .key_attributes()
            .into_iter()
            .map(|k| {
                let t = match k.key_type {
                    KeyType::S => "S",
                    KeyType::N => "N",
                };
                (k.name.to_owned(), t.to_owned())
            })
            .collect(),
        indexes: spec
            .indexes
            .iter()
            .map(|i| {
                (
                    i.name.to_owned(),
                    (key_schema(&i.partition, i.sort.as_ref()), "ALL".to_owned()),
                )
            })
            .collect(),
        ttl_attribute: spec.ttl_attribute.to_owned(),
    }
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` is not a string in {value:?}"))
        .to_owned()
}

fn template_key_schema(value: &Value) -> Vec<(String, String)> {
    value
        .as_sequence()
        .expect("KeySchema is a list")
        .iter()
        .map(|k| (text(k, "AttributeName"), text(k, "KeyType")))
        .collect()
}

fn from_template(properties: &Value) -> Table {
    assert_eq!(
        properties["TimeToLiveSpecification"]["Enabled"].as_bool(),
        Some(true),
        "TTL must be enabled"
    );
    Table {
        billing_mode: text(properties, "BillingMode"),
        key_schema: template_key_schema(&properties["KeySchema"]),
        attributes: properties["AttributeDefinitions"]
            .as_sequence()
            .expect("AttributeDefinitions is a list")
            .iter()
            .map(|a| (text(a, "AttributeName"), text(a, "AttributeType")))
            .collect(),
        indexes: properties["GlobalSecondaryIndexes"]
            .as_sequence()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|i| {
                (
                    text(i, "IndexName"),
                    (
                        template_key_schema(&i["KeySchema"]),
                        text(&i["Projection"], "ProjectionType"),
                    ),
                )
            })
            .collect(),
        ttl_attribute: text(&properties["TimeToLiveSpecification"], "AttributeName"),
    }
}

/// The template's tables, found through the function's environment (so the test also proves
/// the function is pointed at the right table): (quota, leads).
fn template_tables() -> (Table, Table) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let template: Value = serde_yaml::from_str(&text).expect("infra/template.yaml parses");
    let resources = &template["Resources"];
    let functions: Vec<&Value> = resources
        .as_mapping()
        .expect("Resources")
        .iter()
        .map(|(_, resource)| resource)
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .collect();
    assert_eq!(functions.len(), 1, "one function in the template");
    let env = &functions[0]["Properties"]["Environment"]["Variables"];
    let table = |var: &str| {
        // `!Ref QuotaTable` reads as the plain string "QuotaTable".
        let logical_id = env[var]
            .as_str()
            .unwrap_or_else(|| panic!("the function's {var} is not a !Ref to a table"));
        let resource = &resources[logical_id];
        assert_eq!(
            resource["Type"].as_str(),
            Some("AWS::DynamoDB::Table"),
            "{var} must name a DynamoDB table"
        );
        from_template(&resource["Properties"])
    };
    (table("TRYFIRST_QUOTA_TABLE"), table("TRYFIRST_LEADS_TABLE"))
}

#[test]
fn template_tables_equal_the_code_schema() {
    let (quota, leads) = template_tables();
    assert_eq!(quota, from_code(&schema::quota_table("any")));
    assert_eq!(leads, from_code(&schema::leads_table("any")));
}

fn sdk_key_schema(keys: &[(String, String)]) -> Vec<KeySchemaElement> {
    keys.iter()
        .map(|(name, kind)| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(SdkKeyType::from(kind.as_str()))
                .build()
                .unwrap()
        })
        .collect()
}

/// Creates `table` on the emulator exactly as the template describes it.
async fn create_from_template(client: &aws_sdk_dynamodb::Client, name: &str, table: &Table) {
    assert_eq!(table.billing_mode, "PAY_PER_REQUEST");
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(sdk_key_schema(&table.key_schema)));
    for (attribute, kind) in &table.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()
                .unwrap(),
        );
    }
    for (index, (keys, projection)) in &table.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index)
                .set_key_schema(Some(sdk_key_schema(keys)))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(projection.as_str()))
                        .build(),
                )
                .build()
                .unwrap(),
        );
    }
    request
        .send()
        .await
        .expect("create a table from the template");
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(&table.ttl_attribute)
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("enable TTL");
}

/// The lead ids an index returns for `attribute = value`.
async fn query_index(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    index: &str,
    attribute: &str,
    value: &str,
) -> Vec<String> {
    client
        .query()
        .table_name(table)
        .index_name(index)
        .key_condition_expression("#k = :v")
        .expression_attribute_names("#k", attribute)
        .expression_attribute_values(":v", AttributeValue::S(value.to_owned()))
        .scan_index_forward(false)
        .send()
        .await
        .unwrap_or_else(|e| panic!("query {index}: {e:?}"))
        .items()
        .iter()
        .map(|item| item[schema::LEAD_ID].as_s().unwrap().clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn the_store_works_on_tables_built_from_the_template() {
    let (quota, leads) = template_tables();
    let client = dynamo::client().await;
    let (quota_name, leads_name) = dynamo::table_names();
    create_from_template(&client, &quota_name, &quota).await;
    create_from_template(&client, &leads_name, &leads).await;
    let store = DynamoStore::new(client.clone(), &quota_name, &leads_name);

    let t0 = 1_800_000_000_000;
    let checks = [QuotaCheck {
        key: "email#h1".into(),
        limits: Limits {
            per_hour: 2,
            per_day: 5,
        },
    }];
    let mut ids = Vec::new();
    for (i, now) in [t0, t0 + HOUR / 2].into_iter().enumerate() {
        let lead = Lead {
            article: Some("printer-offline".into()),
            ..Lead::pending(
                now,
                "pat@client.test",
                "Client",
                format!("Question {i} about the printer"),
                now / 1_000 + 86_400,
            )
        };
        // The second question also asks for an LLM call under a cap of 1 (the counter item).
        let budget = LlmBudget {
            day: "2027-01-15".into(),
            cap: 1,
            expires_at: 1,
        };
        assert!(matches!(
            store.admit_asking(&checks, now, &lead, Some(&budget)).await.unwrap(),
            Admission::Accepted { llm_call, .. } if llm_call == (i == 0)
        ));
        ids.push(lead.id);
    }
    assert_eq!(
        store.quota_times("email#h1").await.unwrap(),
        [t0, t0 + HOUR / 2]
    );
    store
        .finish_lead(
            &ids[0],
            &LeadOutcome {
                status: LeadStatus::NeedsFollowUp,
                verdict: None,
                answer: None,
                answer_source: None,
                cited: Vec::new(),
                follow_up_reason: Some("daily_cap".into()),
                notification: NotifyState::Sent,
                notification_error: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.lead(&ids[0]).await.unwrap().map(|l| l.outcome.status),
        Some(LeadStatus::NeedsFollowUp)
    );

    // The indexes key on what the code writes: the team's lists and privacy look-ups work.
    assert_eq!(
        query_index(
            &client,
            &leads_name,
            schema::LEADS_BY_EMAIL,
            schema::LEAD_EMAIL,
            "pat@client.test"
        )
        .await,
        [ids[1].clone(), ids[0].clone()],
        "by_email lists a visitor's leads, newest first"
    );
    assert_eq!(
        query_index(
            &client,
            &leads_name,
            schema::LEADS_BY_STATUS,
            schema::LEAD_STATUS,
            LeadStatus::NeedsFollowUp.as_str()
        )
        .await,
        [ids[0].clone()]
    );
    // And every item carries the TTL attribute the tables expire on.
    for (table, key) in [
        (&leads_name, &ids[0]),
        (&quota_name, &"email#h1".to_owned()),
    ] {
        let key_name = if table == &leads_name {
            schema::LEAD_ID
        } else {
            schema::QUOTA_KEY
        };
        let item = client
            .get_item()
            .table_name(table)
            .key(key_name, AttributeValue::S(key.clone()))
            .send()
            .await
            .unwrap();
        let item = item.item().expect("item exists");
        assert!(
            item.get(&quota.ttl_attribute)
                .and_then(|v| v.as_n().ok())
                .is_some(),
            "{table} items carry the TTL attribute `{}` as a number",
            quota.ttl_attribute
        );
    }
}
