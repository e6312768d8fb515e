//! Creating the tables from their one definition (`store::schema`), for emulators and tests:
//! in AWS they come from the infrastructure template.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType as SdkKeyType, Projection, ProjectionType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;

use super::{describe, unavailable};
use crate::store::schema::{self, KeyType, TableSpec};
use crate::store::StoreError;

pub(super) async fn create_table(client: &Client, spec: &TableSpec) -> Result<(), StoreError> {
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
