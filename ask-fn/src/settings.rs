//! Configuration from the environment, parsed and validated once at start-up. The only module
//! that reads environment variables: everything else is handed a [`Settings`].
//!
//! Every variable has a default that works locally (no LLM, in-memory store); what a deployment
//! must set is checked here so a typo fails the cold start, not a visitor's request. The
//! DynamoDB endpoint is not ours to configure: the AWS SDK reads `AWS_ENDPOINT_URL_DYNAMODB` /
//! `AWS_ENDPOINT_URL` and `AWS_REGION` itself.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::email::Email;
use crate::llm::{ApiKey, HttpLlmSettings};
use crate::notify::webhook::{WebhookConfigError, WebhookFormat, WebhookUrl};
use crate::notify::Policy;
use crate::quota::Limits;

#[derive(Debug, Clone)]
pub enum LlmChoice {
    /// Answer from the knowledge base (retrieval), labelled as not AI-generated.
    None,
    OpenAi(HttpLlmSettings),
    Anthropic(HttpLlmSettings),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bundle_path: PathBuf,
    pub quota_table: String,
    pub leads_table: String,
    /// The site's origin (`https://help.example.com`); the only one CORS allows.
    pub allowed_origin: Option<String>,
    pub email_limits: Limits,
    /// A loose abuse guard per client address (an IPv6 /64), not the visitor's allowance: a
    /// whole office behind one NAT asks from one address.
    pub ip_limits: Limits,
    /// Looser still, per network (an IPv4 /24, an IPv6 /48): a pool of addresses from one
    /// provider cannot burn the daily LLM cap.
    pub net_limits: Limits,
    /// Questions per email and day kept as `rate_limited` leads (no LLM call) once the email's
    /// allowance is used up: an engaged prospect is not dropped, and the list stays bounded.
    pub held_per_day: u32,
    /// LLM calls per UTC day across all visitors; past it, questions are kept as leads and
    /// answered by email.
    pub llm_daily_cap: u64,
    pub llm: LlmChoice,
    /// How long leads are kept (DynamoDB TTL).
    pub lead_retention_days: u32,
    /// Salt for hashing emails and IPs in keys and logs.
    pub hash_salt: String,
    pub max_body_bytes: usize,
    pub notify: NotifySettings,
    /// Where leads and quotas are kept: DynamoDB inside Lambda or with an endpoint override
    /// (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL`), else in memory.
    pub store: StoreChoice,
    /// The Lambda function's name (`AWS_LAMBDA_FUNCTION_NAME`): metrics are written only inside
    /// Lambda, with it as their dimension.
    pub function_name: Option<String>,
}

/// Which store the request path uses; the AWS SDK finds the endpoint and region itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    DynamoDb,
    Memory,
}

/// Where the team hears about leads (see `notify`). Every channel is optional.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    pub webhook: Option<(WebhookUrl, WebhookFormat)>,
    /// A verified SES identity, and the team's addresses.
    pub email: Option<(String, Vec<String>)>,
    pub policy: Policy,
    /// Per channel; the visitor waits at most this long for notifications.
    pub timeout: Duration,
    /// Leads notified one by one per UTC hour (`0`: no cap); the rest go out as one digest
    /// with the first notification of a later hour, so a flood cannot bury the team.
    pub per_hour: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("{name} must be a whole number, got `{value}`")]
    NotANumber { name: &'static str, value: String },
    #[error("TRYFIRST_LLM_PROVIDER must be `openai`, `anthropic` or `none`, got `{0}`")]
    UnknownProvider(String),
    #[error("TRYFIRST_LLM_PROVIDER is `{0}` but TRYFIRST_LLM_API_KEY is not set")]
    MissingApiKey(&'static str),
    #[error("TRYFIRST_ALLOWED_ORIGIN must be an origin like https://help.example.com (no path), got `{0}`")]
    BadOrigin(String),
    #[error(transparent)]
    Webhook(#[from] WebhookConfigError),
    #[error("{name} must hold email addresses (comma-separated), and `{value}` is not one")]
    BadAddress { name: &'static str, value: String },
    #[error("TRYFIRST_NOTIFY_EMAIL_FROM and TRYFIRST_NOTIFY_EMAIL_TO must be set together")]
    HalfEmailRoute,
    #[error("{name} must be `true` or `false`, got `{value}`")]
    NotABoolean { name: &'static str, value: String },
    #[error("TRYFIRST_HASH_SALT (or TRYFIRST_HASH_SALT_PARAMETER) must name a secret of at least {MIN_SALT_CHARS} characters in AWS Lambda: with the public default, the hashed IPs and emails could be reversed by hashing guesses")]
    MissingSalt,
}

/// The salt used when none is configured: public (it is in this file), so fine for a
/// workstation and refused in Lambda.
pub const LOCAL_SALT: &str = "tryfirst-local-salt";
/// A salt shorter than this is guessable along with the IP it hides.
pub const MIN_SALT_CHARS: usize = 16;

pub const DEFAULT_TABLE_PREFIX: &str = "tryfirst-";

impl Settings {
    /// Reads settings through `var` (the process environment in production, a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let number = |name: &'static str, default: u64| -> Result<u64, SettingsError> {
            match get(name) {
                None => Ok(default),
                Some(value) => value
                    .parse()
                    .map_err(|_| SettingsError::NotANumber { name, value }),
            }
        };
        let limit = |name: &'static str, default: u32| -> Result<u32, SettingsError> {
            number(name, u64::from(default)).and_then(|n| {
                u32::try_from(n).map_err(|_| SettingsError::NotANumber {
                    name,
                    value: n.to_string(),
                })
            })
        };
        let prefix =
            get("TRYFIRST_TABLE_PREFIX").unwrap_or_else(|| DEFAULT_TABLE_PREFIX.to_owned());
        let allowed_origin = match get("TRYFIRST_ALLOWED_ORIGIN") {
            None => None,
            Some(text) => Some(origin(&text).ok_or(SettingsError::BadOrigin(text))?),
        };
        let provider = get("TRYFIRST_LLM_PROVIDER")
            .unwrap_or_else(|| "none".to_owned())
            .to_lowercase();
        let http = |provider: &'static str,
                    default_base: &str,
                    default_model: &str|
         -> Result<HttpLlmSettings, SettingsError> {
            let api_key =
                get("TRYFIRST_LLM_API_KEY").ok_or(SettingsError::MissingApiKey(provider))?;
            Ok(HttpLlmSettings {
                base_url: get("TRYFIRST_LLM_BASE_URL")
                    .unwrap_or_else(|| default_base.to_owned())
                    .trim_end_matches('/')
                    .to_owned(),
                model: get("TRYFIRST_LLM_MODEL").unwrap_or_else(|| default_model.to_owned()),
                api_key: ApiKey::new(api_key),
                max_tokens: limit("TRYFIRST_LLM_MAX_TOKENS", 800)?,
                connect_timeout: Duration::from_millis(number(
                    "TRYFIRST_LLM_CONNECT_TIMEOUT_MS",
                    3_000,
                )?),
                request_timeout: Duration::from_millis(number("TRYFIRST_LLM_TIMEOUT_MS", 12_000)?),
                total_budget: Duration::from_millis(number("TRYFIRST_LLM_BUDGET_MS", 20_000)?),
            })
        };
        let llm = match provider.as_str() {
            "none" => LlmChoice::None,
            "openai" => {
                LlmChoice::OpenAi(http("openai", "https://api.openai.com/v1", "gpt-4o-mini")?)
            }
            "anthropic" => LlmChoice::Anthropic(http(
                "anthropic",
                "https://api.anthropic.com",
                "claude-3-5-haiku-latest",
            )?),
            other => return Err(SettingsError::UnknownProvider(other.to_owned())),
        };
        let notify = NotifySettings {
            webhook: match get("TRYFIRST_NOTIFY_WEBHOOK_URL") {
                None => None,
                Some(url) => {
                    let url = WebhookUrl::parse(&url)?;
                    let format = WebhookFormat::choose(
                        get("TRYFIRST_NOTIFY_WEBHOOK_FORMAT").as_deref(),
                        &url,
                    )?;
                    Some((url, format))
                }
            },
            email: {
                let addresses = |name: &'static str| -> Result<Vec<String>, SettingsError> {
                    get(name)
                        .unwrap_or_default()
                        .split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(|a| {
                            Email::parse(a).map(|e| e.as_str().to_owned()).map_err(|_| {
                                SettingsError::BadAddress {
                                    name,
                                    value: a.to_owned(),
                                }
                            })
                        })
                        .collect()
                };
                let from = addresses("TRYFIRST_NOTIFY_EMAIL_FROM")?;
                let to = addresses("TRYFIRST_NOTIFY_EMAIL_TO")?;
                match (from.as_slice(), to.is_empty()) {
                    ([], true) => None,
                    ([from], false) => Some((from.clone(), to)),
                    ([_, _, ..], false) => {
                        return Err(SettingsError::BadAddress {
                            name: "TRYFIRST_NOTIFY_EMAIL_FROM",
                            value: from.join(","),
                        })
                    }
                    _ => return Err(SettingsError::HalfEmailRoute),
                }
            },
            policy: match get("TRYFIRST_NOTIFY_ALL")
                .map(|v| v.to_lowercase())
                .as_deref()
            {
                None | Some("false" | "0" | "no") => Policy::FollowUpOnly,
                Some("true" | "1" | "yes") => Policy::Every,
                Some(other) => {
                    return Err(SettingsError::NotABoolean {
                        name: "TRYFIRST_NOTIFY_ALL",
                        value: other.to_owned(),
                    })
                }
            },
            timeout: Duration::from_millis(number("TRYFIRST_NOTIFY_TIMEOUT_MS", 2_500)?),
            per_hour: number("TRYFIRST_NOTIFY_PER_HOUR", 20)?,
        };
        Ok(Self {
            bundle_path: PathBuf::from(
                get("TRYFIRST_BUNDLE")
                    .unwrap_or_else(|| format!("public/{}", kb_model::BUNDLE_FILE_NAME)),
            ),
            quota_table: get("TRYFIRST_QUOTA_TABLE").unwrap_or_else(|| format!("{prefix}quota")),
            leads_table: get("TRYFIRST_LEADS_TABLE").unwrap_or_else(|| format!("{prefix}leads")),
            allowed_origin,
            email_limits: Limits {
                per_hour: limit("TRYFIRST_EMAIL_PER_HOUR", 2)?,
                per_day: limit("TRYFIRST_EMAIL_PER_DAY", 5)?,
            },
            ip_limits: Limits {
                per_hour: limit("TRYFIRST_IP_PER_HOUR", 20)?,
                per_day: limit("TRYFIRST_IP_PER_DAY", 60)?,
            },
            net_limits: Limits {
                per_hour: limit("TRYFIRST_NET_PER_HOUR", 60)?,
                per_day: limit("TRYFIRST_NET_PER_DAY", 200)?,
            },
            held_per_day: limit("TRYFIRST_HELD_PER_DAY", 3)?,
            llm_daily_cap: number("TRYFIRST_LLM_DAILY_CAP", 500)?,
            llm,
            lead_retention_days: limit("TRYFIRST_LEAD_RETENTION_DAYS", 365)?,
            hash_salt: match get("TRYFIRST_HASH_SALT") {
                // Lambda sets AWS_LAMBDA_RUNTIME_API in every function's environment.
                Some(salt) if salt.chars().count() >= MIN_SALT_CHARS && salt != LOCAL_SALT => salt,
                _ if get("AWS_LAMBDA_RUNTIME_API").is_some() => {
                    return Err(SettingsError::MissingSalt)
                }
                Some(salt) => salt,
                None => LOCAL_SALT.to_owned(),
            },
            max_body_bytes: number("TRYFIRST_MAX_BODY_BYTES", 16 * 1024)? as usize,
            notify,
            store: if [
                "AWS_LAMBDA_RUNTIME_API",
                "AWS_ENDPOINT_URL_DYNAMODB",
                "AWS_ENDPOINT_URL",
            ]
            .iter()
            .any(|name| get(name).is_some())
            {
                StoreChoice::DynamoDb
            } else {
                StoreChoice::Memory
            },
            function_name: get("AWS_LAMBDA_FUNCTION_NAME"),
        })
    }

    /// The process environment alone, without fetching secrets (the table names for
    /// `ask-team tables`; tests).
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_vars(env)
    }

    /// The settings every process that serves questions or reads leads uses: the environment,
    /// with the secrets named by `*_PARAMETER` variables fetched from SSM Parameter Store (or
    /// Secrets Manager through its `/aws/reference/secretsmanager/` names) laid over it.
    pub async fn load() -> Result<Self, LoadError> {
        let secrets = crate::secrets::overlay(env).await?;
        Ok(Self::from_vars(|name| {
            secrets.get(name).cloned().or_else(|| env(name))
        })?)
    }
}

/// One variable of the process environment.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Whether this process runs inside AWS Lambda (which sets `AWS_LAMBDA_RUNTIME_API`).
pub fn in_lambda() -> bool {
    env("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read a secret from SSM Parameter Store: {0}")]
    Secret(#[from] crate::secrets::SecretError),
    #[error("invalid configuration: {0}")]
    Invalid(#[from] SettingsError),
}

/// An `http(s)` origin (no path, query or userinfo) written as browsers send it in `Origin`:
/// lower-case, punycode, no default port. `http.rs` then compares strings, and
/// `HTTPS://Help.Example.com:443/` in the settings still matches `https://help.example.com`.
fn origin(text: &str) -> Option<String> {
    let url = Url::parse(text).ok()?;
    let bare = matches!(url.scheme(), "https" | "http")
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    bare.then(|| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn the_store_is_dynamodb_in_lambda_or_with_an_endpoint_else_memory() {
        assert_eq!(settings(&[]).unwrap().store, StoreChoice::Memory);
        for name in [
            "AWS_ENDPOINT_URL_DYNAMODB",
            "AWS_ENDPOINT_URL",
            "AWS_LAMBDA_RUNTIME_API",
        ] {
            let vars = [
                (name, "http://127.0.0.1:8000"),
                ("TRYFIRST_HASH_SALT", "a-long-enough-test-salt"),
            ];
            assert_eq!(
                settings(&vars).unwrap().store,
                StoreChoice::DynamoDb,
                "{name}"
            );
        }
        let metrics = settings(&[("AWS_LAMBDA_FUNCTION_NAME", "stack-ask")]).unwrap();
        assert_eq!(metrics.function_name.as_deref(), Some("stack-ask"));
    }

    #[test]
    fn defaults_work_locally() {
        let s = settings(&[]).unwrap();
        assert!(matches!(s.llm, LlmChoice::None));
        assert_eq!(s.quota_table, "tryfirst-quota");
        assert_eq!(s.leads_table, "tryfirst-leads");
        assert_eq!(
            s.email_limits,
            Limits {
                per_hour: 2,
                per_day: 5
            }
        );
        assert_eq!(s.bundle_path, PathBuf::from("public/tryfirst-bundle.json"));
        assert_eq!(s.allowed_origin, None);
    }

    #[test]
    fn address_limits_are_a_loose_abuse_guard_not_the_visitor_allowance() {
        let s = settings(&[]).unwrap();
        let email = s.email_limits;
        for guard in [s.ip_limits, s.net_limits] {
            assert!(
                guard.per_hour >= 10 * email.per_hour && guard.per_day >= 10 * email.per_day,
                "a whole office behind one NAT must not share one visitor's allowance: {guard:?}"
            );
        }
        assert_eq!(
            (s.ip_limits.per_hour, s.ip_limits.per_day),
            (20, 60),
            "the documented defaults"
        );
        assert!(s.held_per_day > 0);
    }

    #[test]
    fn provider_needs_a_key_and_the_key_is_never_printed() {
        assert_eq!(
            settings(&[("TRYFIRST_LLM_PROVIDER", "openai")]).unwrap_err(),
            SettingsError::MissingApiKey("openai")
        );
        let s = settings(&[
            ("TRYFIRST_LLM_PROVIDER", "Anthropic"),
            ("TRYFIRST_LLM_API_KEY", "sk-secret-123"),
            ("TRYFIRST_LLM_BASE_URL", "http://127.0.0.1:9/"),
        ])
        .unwrap();
        let LlmChoice::Anthropic(http) = &s.llm else {
            panic!("anthropic expected")
        };
        assert_eq!(http.base_url, "http://127.0.0.1:9");
        assert!(!format!("{s:?}").contains("sk-secret-123"));
        assert_eq!(
            settings(&[("TRYFIRST_LLM_PROVIDER", "gemini")]).unwrap_err(),
            SettingsError::UnknownProvider("gemini".into())
        );
    }

    #[test]
    fn bad_numbers_and_origins_fail_at_start_up() {
        assert_eq!(
            settings(&[("TRYFIRST_EMAIL_PER_HOUR", "two")]).unwrap_err(),
            SettingsError::NotANumber {
                name: "TRYFIRST_EMAIL_PER_HOUR",
                value: "two".into()
            }
        );
        assert!(matches!(
            settings(&[("TRYFIRST_ALLOWED_ORIGIN", "help.example.com")]),
            Err(SettingsError::BadOrigin(_))
        ));
        assert!(matches!(
            settings(&[("TRYFIRST_ALLOWED_ORIGIN", "https://help.example.com/ask")]),
            Err(SettingsError::BadOrigin(_))
        ));
        let s = settings(&[
            ("TRYFIRST_ALLOWED_ORIGIN", "https://help.example.com/"),
            ("TRYFIRST_TABLE_PREFIX", "t1-"),
        ])
        .unwrap();
        assert_eq!(
            s.allowed_origin.as_deref(),
            Some("https://help.example.com")
        );
        assert_eq!(s.quota_table, "t1-quota");
        // Stored as browsers send `Origin`, so the string compare in http.rs matches it.
        let s = settings(&[("TRYFIRST_ALLOWED_ORIGIN", "HTTPS://Help.Example.com:443/")]).unwrap();
        assert_eq!(
            s.allowed_origin.as_deref(),
            Some("https://help.example.com")
        );
        for bad in ["https://help.example.com?x", "https://me@help.example.com"] {
            assert!(matches!(
                settings(&[("TRYFIRST_ALLOWED_ORIGIN", bad)]),
                Err(SettingsError::BadOrigin(_))
            ));
        }
    }

    #[test]
    fn lambda_refuses_to_start_without_a_real_salt() {
        const LAMBDA: (&str, &str) = ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
        assert_eq!(settings(&[]).unwrap().hash_salt, LOCAL_SALT, "fine locally");
        assert_eq!(settings(&[LAMBDA]).unwrap_err(), SettingsError::MissingSalt);
        for weak in [LOCAL_SALT, "short-salt", "   "] {
            assert_eq!(
                settings(&[LAMBDA, ("TRYFIRST_HASH_SALT", weak)]).unwrap_err(),
                SettingsError::MissingSalt,
                "{weak:?}"
            );
        }
        let salt = "Qm9V3xk1Lr8pZ2wT7yHc4nJd";
        let s = settings(&[LAMBDA, ("TRYFIRST_HASH_SALT", salt)]).unwrap();
        assert_eq!(s.hash_salt, salt);
        assert!(!SettingsError::MissingSalt.to_string().contains(salt));
    }

    #[test]
    fn notification_channels_are_checked_at_start_up() {
        let s = settings(&[]).unwrap();
        assert!(s.notify.webhook.is_none() && s.notify.email.is_none());
        assert_eq!(s.notify.policy, Policy::FollowUpOnly);
        let s = settings(&[
            (
                "TRYFIRST_NOTIFY_WEBHOOK_URL",
                "https://hooks.slack.com/services/T0/B0/secret",
            ),
            ("TRYFIRST_NOTIFY_EMAIL_FROM", "Help@Example.test"),
            ("TRYFIRST_NOTIFY_EMAIL_TO", "a@example.test, b@example.test"),
            ("TRYFIRST_NOTIFY_ALL", "TRUE"),
        ])
        .unwrap();
        assert_eq!(
            s.notify.webhook.as_ref().map(|(_, f)| *f),
            Some(WebhookFormat::Slack)
        );
        assert_eq!(
            s.notify.email,
            Some((
                "help@example.test".into(),
                vec!["a@example.test".into(), "b@example.test".into()]
            ))
        );
        assert_eq!(s.notify.policy, Policy::Every);
        assert!(!format!("{s:?}").contains("secret"));
        assert_eq!(
            settings(&[("TRYFIRST_NOTIFY_EMAIL_FROM", "help@example.test")]).unwrap_err(),
            SettingsError::HalfEmailRoute
        );
        assert!(matches!(
            settings(&[
                ("TRYFIRST_NOTIFY_EMAIL_FROM", "help@example.test"),
                ("TRYFIRST_NOTIFY_EMAIL_TO", "team-at-example.test"),
            ]),
            Err(SettingsError::BadAddress { .. })
        ));
        assert!(matches!(
            settings(&[("TRYFIRST_NOTIFY_WEBHOOK_URL", "https://example.test/hook")]),
            Err(SettingsError::Webhook(WebhookConfigError::UnknownService))
        ));
        assert!(matches!(
            settings(&[("TRYFIRST_NOTIFY_ALL", "sometimes")]),
            Err(SettingsError::NotABoolean { .. })
        ));
    }
}
