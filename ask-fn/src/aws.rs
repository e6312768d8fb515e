//! The AWS SDK's shared configuration for the DynamoDB, SSM and SES clients.
//!
//! With the `aws-default-chain` feature (the default: `ask-team`, `ask-fn serve`, `tryfirst
//! serve`), aws-config's default chain: environment, profiles (roles assumed through STS), web
//! identity, ECS, IMDS. The deployed binary is built without it (issue #17: aws-config and the
//! STS client were 0.45 MiB of a binary with a 6 MiB budget): in Lambda the region and the
//! role's credentials are always in the environment, so [`from_env_vars`] reads them there, and
//! refuses to start without them rather than failing on the first request.
//!
//! Both ways use the same HTTPS client, [`https_client`]: rustls with ring and the system's
//! roots, the SDK's own default connector with ring instead of aws-lc-rs.

use std::collections::HashMap;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Region};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_types::sdk_config::SharedHttpClient;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use aws_types::SdkConfig;

/// The services this crate calls, as the SDK names them for `AWS_ENDPOINT_URL_<ID>`.
const SERVICE_IDS: &[&str] = &["DynamoDB", "SSM", "SESv2"];

/// aws-config's default connect timeout, kept for the environment-only configuration.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(3100);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsConfigError {
    #[error(
        "AWS_REGION (or AWS_DEFAULT_REGION) is not set: this build of ask-fn reads the AWS \
         region and credentials from the environment only, as Lambda sets them"
    )]
    NoRegion,
    #[error(
        "{0} is not set: this build of ask-fn reads the AWS credentials from the environment \
         only (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as Lambda sets them"
    )]
    NoCredentials(&'static str),
}

/// The configuration every AWS client of the process is built from (see the module docs for
/// which one).
pub async fn sdk_config() -> Result<SdkConfig, AwsConfigError> {
    #[cfg(feature = "aws-default-chain")]
    {
        Ok(aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .load()
            .await)
    }
    #[cfg(not(feature = "aws-default-chain"))]
    {
        from_env_vars(|name| std::env::var(name).ok())
    }
}

/// The configuration from the variables Lambda sets, read through `var` (the process
/// environment, or a map in tests): the region (`AWS_REGION`, else `AWS_DEFAULT_REGION`), the
/// role's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
/// `AWS_ACCOUNT_ID`), and the endpoint overrides for emulators (`AWS_ENDPOINT_URL`,
/// `AWS_ENDPOINT_URL_DYNAMODB`, `_SSM`, `_SESV2`). Retries and timeouts are aws-config's
/// defaults (standard retries, 3.1 s to connect); `AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`, profiles
/// and the other chains are not read.
pub fn from_env_vars(var: impl Fn(&str) -> Option<String>) -> Result<SdkConfig, AwsConfigError> {
    let get = |name: &str| var(name).filter(|value| !value.trim().is_empty());
    let region = get("AWS_REGION")
        .or_else(|| get("AWS_DEFAULT_REGION"))
        .ok_or(AwsConfigError::NoRegion)?;
    let required = |name: &'static str| get(name).ok_or(AwsConfigError::NoCredentials(name));
    let mut credentials = Credentials::builder()
        .access_key_id(required("AWS_ACCESS_KEY_ID")?)
        .secret_access_key(required("AWS_SECRET_ACCESS_KEY")?)
        .provider_name("environment");
    if let Some(token) = get("AWS_SESSION_TOKEN") {
        credentials = credentials.session_token(token);
    }
    if let Some(account) = get("AWS_ACCOUNT_ID") {
        credentials = credentials.account_id(account);
    }
    let endpoints = EnvEndpoints(
        SERVICE_IDS
            .iter()
            .filter_map(|id| {
                let name = format!("AWS_ENDPOINT_URL_{}", id.to_uppercase());
                get(&name).map(|url| (name, url))
            })
            .collect(),
    );
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials.build()))
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .build(),
        )
        .http_client(https_client())
        .service_config(endpoints);
    if let Some(url) = get("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(url);
    }
    Ok(config.build())
}

/// `AWS_ENDPOINT_URL_<SERVICE ID>` as aws-config reads it; the SDK falls back to the shared
/// `AWS_ENDPOINT_URL` when a service has none.
#[derive(Debug)]
struct EnvEndpoints(HashMap<String, String>);

impl LoadServiceConfig for EnvEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        let name = format!(
            "{}_{}",
            key.env(),
            key.service_id().to_uppercase().replace(' ', "_")
        );
        self.0.get(&name).cloned()
    }
}

/// The SDK's default HTTPS client (hyper, rustls, the system's root certificates, proxies from
/// the environment), with ring as rustls's crypto provider: the one the LLM and webhook
/// clients use too, so the binary carries one crypto library.
pub fn https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::ProvideCredentials;

    fn config(vars: &[(&str, &str)]) -> Result<SdkConfig, AwsConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        from_env_vars(|name| vars.get(name).cloned())
    }

    const LAMBDA: &[(&str, &str)] = &[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "session-token"),
    ];

    #[tokio::test]
    async fn lambda_environment_gives_region_and_session_credentials() {
        let config = config(LAMBDA).unwrap();
        assert_eq!(config.region().map(Region::as_ref), Some("eu-west-1"));
        let credentials = config
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("session-token"));
        assert!(config.http_client().is_some());
        assert_eq!(config.endpoint_url(), None);
        // The clients accept it (they panic on an incomplete configuration, e.g. retries
        // without a sleep implementation).
        aws_sdk_dynamodb::Client::new(&config);
        aws_sdk_ssm::Client::new(&config);
        aws_sdk_sesv2::Client::new(&config);
    }

    #[test]
    fn a_missing_region_or_credential_is_a_start_up_error_naming_it() {
        let without = |name: &str| {
            let vars: Vec<_> = LAMBDA.iter().copied().filter(|(k, _)| *k != name).collect();
            config(&vars).unwrap_err()
        };
        let error = without("AWS_REGION");
        assert_eq!(error, AwsConfigError::NoRegion);
        assert!(error.to_string().contains("AWS_REGION"));
        assert_eq!(
            without("AWS_ACCESS_KEY_ID"),
            AwsConfigError::NoCredentials("AWS_ACCESS_KEY_ID")
        );
        assert_eq!(
            without("AWS_SECRET_ACCESS_KEY"),
            AwsConfigError::NoCredentials("AWS_SECRET_ACCESS_KEY")
        );
        // A blank value is no value.
        let mut blank = LAMBDA.to_vec();
        blank[0] = ("AWS_REGION", " ");
        assert_eq!(config(&blank).unwrap_err(), AwsConfigError::NoRegion);
        // Long-lived keys (a workstation) have no session token.
        let keys: Vec<_> = LAMBDA
            .iter()
            .copied()
            .filter(|(k, _)| *k != "AWS_SESSION_TOKEN")
            .collect();
        assert!(config(&keys).is_ok());
    }

    #[test]
    fn aws_default_region_is_the_fallback() {
        let mut vars: Vec<_> = LAMBDA.iter().copied().skip(1).collect();
        vars.push(("AWS_DEFAULT_REGION", "us-east-1"));
        let config = config(&vars).unwrap();
        assert_eq!(config.region().map(Region::as_ref), Some("us-east-1"));
    }

    #[test]
    fn endpoint_overrides_per_service_and_shared() {
        let key = |service_id| {
            ServiceConfigKey::builder()
                .service_id(service_id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .unwrap()
        };
        let mut vars = LAMBDA.to_vec();
        vars.push(("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"));
        vars.push(("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:9000"));
        vars.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"));
        let config = config(&vars).unwrap();
        let services = config.service_config().unwrap();
        assert_eq!(
            services.load_config(key("DynamoDB")).as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            services.load_config(key("SESv2")).as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(services.load_config(key("SSM")), None);
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
    }
}
