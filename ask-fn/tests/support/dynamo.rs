//! Test access to the DynamoDB-compatible server that `scripts/test` starts (moto, or AWS's
//! DynamoDB Local). Each test gets its own tables, so tests run in parallel.

#![allow(dead_code, reason = "shared by several test binaries")]

use std::sync::atomic::{AtomicU32, Ordering};

use ask_fn::store::dynamo::DynamoStore;

/// A client for the emulator named by `AWS_ENDPOINT_URL_DYNAMODB`. Panics with instructions when
/// it is not set: these tests need the real server, they do not silently pass without it.
pub async fn client() -> aws_sdk_dynamodb::Client {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
        "AWS_ENDPOINT_URL_DYNAMODB is not set. Run the tests with scripts/test (it starts moto), or: eval \"$(scripts/dynamodb start)\""
    );
    DynamoStore::client_from_env().await
}

/// Unique table names for one test: `t<pid>-<n>-quota` / `-leads`.
pub fn table_names() -> (String, String) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let prefix = format!(
        "t{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    (format!("{prefix}-quota"), format!("{prefix}-leads"))
}

/// Every DynamoDB request a client sends (operation names, retries included): a round trip
/// counter for the tests that hold the request path to its budget.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl RequestLog {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

impl aws_sdk_dynamodb::config::Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "RequestLog"
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
            .unwrap_or("?");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        self.0.lock().unwrap().push(operation);
        Ok(())
    }
}

/// A store on fresh tables whose client records every request in the returned log.
pub async fn logged_store() -> (DynamoStore, RequestLog) {
    assert!(std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some());
    let log = RequestLog::default();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .interceptor(log.clone())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let (quota, leads) = table_names();
    let store = DynamoStore::new(client, &quota, &leads);
    store.create_tables().await.expect("create tables");
    log.take();
    (store, log)
}

/// A store on fresh tables.
pub async fn store() -> (DynamoStore, aws_sdk_dynamodb::Client, String, String) {
    let client = client().await;
    let (quota, leads) = table_names();
    let store = DynamoStore::new(client.clone(), &quota, &leads);
    store
        .create_tables()
        .await
        .expect("create tables on the emulator");
    (store, client, quota, leads)
}

/// Every lead item in a table (a Scan: fine for tests, never used by the function).
pub async fn scan_leads(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .send()
        .await
        .expect("scan")
        .items()
        .to_vec()
}
