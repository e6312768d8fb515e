//! Secrets from the environment, or from SSM Parameter Store.
//!
//! A deployment never puts a secret in a plain environment variable (it would show in the
//! Lambda console and in CloudFormation): for a secret setting `X` it sets `X_PARAMETER` to the
//! name of an SSM SecureString instead, and this module fetches it once, at cold start. Locally
//! and in tests `X` itself still works, and wins when both are set.
//!
//! The result is an overlay for [`crate::settings::Settings::from_vars`], so settings keep one
//! way of reading values. Values are never logged: errors name the parameter, not its content.

use std::collections::HashMap;

use async_trait::async_trait;

/// The secret settings that may come from SSM. `TRYFIRST_NOTIFY_WEBHOOK_URL` is read by the lead
/// notifications (issue #6); fetching it here keeps every secret behind one door.
pub const SECRET_VARS: &[&str] = &[
    "TRYFIRST_LLM_API_KEY",
    "TRYFIRST_HASH_SALT",
    "TRYFIRST_NOTIFY_WEBHOOK_URL",
];

/// `X` → `X_PARAMETER`.
pub fn parameter_var(name: &str) -> String {
    format!("{name}_PARAMETER")
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("{var} names the SSM parameter `{parameter}`, which cannot be read: {reason}")]
    Unreadable {
        var: String,
        parameter: String,
        reason: String,
    },
    #[error("{var} names the SSM parameter `{parameter}`, which is empty")]
    Empty { var: String, parameter: String },
    #[error("cannot reach SSM for the secret settings: {0}")]
    Aws(#[from] crate::aws::AwsConfigError),
}

/// Where parameters come from: SSM in production, anything in unit tests.
#[async_trait]
pub trait ParameterSource: Send + Sync {
    /// The decrypted value of parameter `name`, or a reason it cannot be had.
    async fn get(&self, name: &str) -> Result<String, String>;
}

/// Which parameters must be fetched: `(setting, parameter name)` for every name in `names`
/// whose own variable is unset or blank and whose `_PARAMETER` variable is set.
pub fn plan(names: &[&str], var: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    let set = |name: &str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    names
        .iter()
        .filter(|name| set(name).is_none())
        .filter_map(|name| set(&parameter_var(name)).map(|p| ((*name).to_owned(), p)))
        .collect()
}

/// Fetches what [`plan`] says, returning `setting → value` to lay over the environment.
pub async fn resolve(
    names: &[&str],
    var: impl Fn(&str) -> Option<String>,
    source: &dyn ParameterSource,
) -> Result<HashMap<String, String>, SecretError> {
    let mut values = HashMap::new();
    for (name, parameter) in plan(names, var) {
        let value = source
            .get(&parameter)
            .await
            .map_err(|reason| SecretError::Unreadable {
                var: parameter_var(&name),
                parameter: parameter.clone(),
                reason,
            })?;
        if value.trim().is_empty() {
            return Err(SecretError::Empty {
                var: parameter_var(&name),
                parameter,
            });
        }
        values.insert(name, value);
    }
    Ok(values)
}

/// SSM Parameter Store through the AWS SDK (`ssm:GetParameter` with decryption).
pub struct Ssm {
    client: aws_sdk_ssm::Client,
}

impl Ssm {
    pub fn new(client: aws_sdk_ssm::Client) -> Self {
        Self { client }
    }

    /// A client configured like the DynamoDB one: region, credentials and endpoint overrides
    /// (`AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL`) from the environment.
    pub async fn from_env() -> Result<Self, crate::aws::AwsConfigError> {
        let config = crate::aws::sdk_config().await?;
        Ok(Self::new(aws_sdk_ssm::Client::new(&config)))
    }
}

#[async_trait]
impl ParameterSource for Ssm {
    async fn get(&self, name: &str) -> Result<String, String> {
        let output = self
            .client
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| aws_sdk_ssm::error::DisplayErrorContext(e).to_string())?;
        output
            .parameter()
            .and_then(|p| p.value())
            .map(str::to_owned)
            .ok_or_else(|| "the parameter has no value".to_owned())
    }
}

/// The overlay for the variables `env` reads (the settings module passes the process
/// environment), fetching from SSM only when some `_PARAMETER` variable asks for it (so local
/// runs never need AWS credentials).
pub async fn overlay(
    env: impl Fn(&str) -> Option<String>,
) -> Result<HashMap<String, String>, SecretError> {
    if plan(SECRET_VARS, &env).is_empty() {
        return Ok(HashMap::new());
    }
    resolve(SECRET_VARS, &env, &Ssm::from_env().await?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    struct Fixed(HashMap<&'static str, &'static str>);

    #[async_trait]
    impl ParameterSource for Fixed {
        async fn get(&self, name: &str) -> Result<String, String> {
            self.0
                .get(name)
                .map(|v| (*v).to_owned())
                .ok_or_else(|| format!("ParameterNotFound: {name}"))
        }
    }

    #[test]
    fn the_variable_itself_wins_over_its_parameter() {
        let env = vars(&[
            ("A", "direct"),
            ("A_PARAMETER", "/a"),
            ("B_PARAMETER", " /b "),
            ("C", "  "),
            ("C_PARAMETER", "/c"),
            ("D_PARAMETER", ""),
        ]);
        assert_eq!(
            plan(&["A", "B", "C", "D", "E"], env),
            [
                ("B".to_owned(), "/b".to_owned()),
                ("C".to_owned(), "/c".to_owned())
            ]
        );
    }

    #[tokio::test]
    async fn fetched_values_overlay_and_failures_name_the_parameter() {
        let source = Fixed(HashMap::from([("/k", "sk-123"), ("/blank", " ")]));
        let got = resolve(&["KEY"], vars(&[("KEY_PARAMETER", "/k")]), &source)
            .await
            .unwrap();
        assert_eq!(
            got,
            HashMap::from([("KEY".to_owned(), "sk-123".to_owned())])
        );

        let missing = resolve(&["KEY"], vars(&[("KEY_PARAMETER", "/nope")]), &source)
            .await
            .unwrap_err();
        assert_eq!(
            missing.to_string(),
            "KEY_PARAMETER names the SSM parameter `/nope`, which cannot be read: ParameterNotFound: /nope"
        );
        let blank = resolve(&["KEY"], vars(&[("KEY_PARAMETER", "/blank")]), &source)
            .await
            .unwrap_err();
        assert!(matches!(blank, SecretError::Empty { .. }));
    }
}
