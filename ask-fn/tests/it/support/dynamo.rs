//! Test access to the DynamoDB-compatible servers that `scripts/test` starts: moto
//! (`AWS_ENDPOINT_URL_DYNAMODB`, also SES and SSM, requests serialised) and Amazon DynamoDB
//! Local (`TRYFIRST_DYNAMODB_LOCAL`, unserialised: the judge of concurrency). Each test gets its
//! own tables, so tests run in parallel.
//!
//! Tests that need a server are `#[ignore = "…"]`, so a plain `cargo test` without one passes and
//! names what it skipped; `scripts/test` runs them with `--include-ignored`, and then a missing
//! server is a failure with instructions, never a silent pass.

#![allow(dead_code, reason = "not every helper is used by every test module")]

use std::sync::atomic::{AtomicU32, Ordering};

use ask_fn::store::dynamo::DynamoStore;

/// "Now" for the tests that write to an emulator, as a fixed instant (so assertions can name
/// times) far in the future. Items carry a TTL derived from this clock, and DynamoDB Local,
/// like DynamoDB, deletes items whose TTL has passed by the machine's clock, at any moment
/// (its sweeper comes by at intervals that grow with the number of tables): with a date that
/// has gone by, a visitor's quota item vanishes in the middle of a test and their next
/// questions are admitted as if they had asked none (the soak's "3 accepted in the hour", issue 14).
pub const T0: i64 = 4_102_495_509_000; // 2100-01-01T14:05:09Z

/// Which emulator a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Moto,
    Local,
}

impl Backend {
    /// The endpoint's environment variable and the command that sets it.
    fn variable(self) -> (&'static str, &'static str) {
        match self {
            Backend::Moto => ("AWS_ENDPOINT_URL_DYNAMODB", "scripts/dynamodb start"),
            Backend::Local => ("TRYFIRST_DYNAMODB_LOCAL", "scripts/dynamodb start local"),
        }
    }

    /// The endpoint. Panics with instructions when it is not set: a test that needs the server
    /// does not silently pass without it.
    pub fn endpoint(self) -> String {
        let (name, command) = self.variable();
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set. Run the tests with scripts/test (it starts the emulators), or: eval \"$({command})\"")
        })
    }

    /// An SDK config for this emulator, with `extra` applied (interceptors, retries).
    pub async fn config(
        self,
        extra: impl FnOnce(aws_sdk_dynamodb::config::Builder) -> aws_sdk_dynamodb::config::Builder,
    ) -> aws_sdk_dynamodb::Config {
        let endpoint = self.endpoint();
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(ask_fn::aws::https_client())
            .region(aws_config::Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .load()
            .await;
        extra(aws_sdk_dynamodb::config::Builder::from(&sdk).endpoint_url(endpoint)).build()
    }

    pub async fn client(self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(self.config(|b| b).await)
    }

    /// A store on fresh tables of this emulator.
    pub async fn store(self) -> (DynamoStore, aws_sdk_dynamodb::Client, String, String) {
        let client = self.client().await;
        let (quota, leads) = table_names();
        let store = DynamoStore::new(client.clone(), &quota, &leads);
        store
            .create_tables()
            .await
            .expect("create tables on the emulator");
        (store, client, quota, leads)
    }
}

/// A client for moto (`AWS_ENDPOINT_URL_DYNAMODB`); panics with instructions when it is not set.
pub async fn client() -> aws_sdk_dynamodb::Client {
    Backend::Moto.client().await
}

/// A store whose DynamoDB endpoint nothing listens on (port 9, the discard port), without
/// retries: every call fails at once, as when DynamoDB cannot be reached.
pub async fn unreachable_store() -> DynamoStore {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(ask_fn::aws::https_client())
        .endpoint_url("http://127.0.0.1:9")
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), "q", "l")
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
    let log = RequestLog::default();
    let config = Backend::Moto
        .config(|builder| builder.interceptor(log.clone()))
        .await;
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let (quota, leads) = table_names();
    let store = DynamoStore::new(client, &quota, &leads);
    store.create_tables().await.expect("create tables");
    log.take();
    (store, log)
}

/// A store on fresh moto tables.
pub async fn store() -> (DynamoStore, aws_sdk_dynamodb::Client, String, String) {
    Backend::Moto.store().await
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
