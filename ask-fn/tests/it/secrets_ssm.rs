//! Secrets named by `*_PARAMETER` variables are read from SSM Parameter Store: here from the
//! same moto server the DynamoDB tests use (moto serves SSM on its one endpoint).

use aws_sdk_ssm::types::ParameterType;

use ask_fn::secrets::{resolve, SecretError, Ssm};

async fn ssm_client() -> aws_sdk_ssm::Client {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect(
        "AWS_ENDPOINT_URL_DYNAMODB is not set. Run the tests with scripts/test (it starts moto), or: eval \"$(scripts/dynamodb start)\"",
    );
    // The SDK clients have no HTTPS client of their own (see ask_fn::aws).
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(ask_fn::aws::https_client())
        .load()
        .await;
    let config = aws_sdk_ssm::config::Builder::from(&config)
        .endpoint_url(endpoint)
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

#[tokio::test]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn a_securestring_named_by_the_parameter_variable_is_fetched_decrypted() {
    let client = ssm_client().await;
    let name = format!("/tryfirst-test/{}/llm-api-key", std::process::id());
    client
        .put_parameter()
        .name(&name)
        .value("sk-from-ssm-42")
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .expect("put the SecureString on moto");

    let env = |var: &str| match var {
        "TRYFIRST_LLM_API_KEY_PARAMETER" => Some(name.clone()),
        "TRYFIRST_NOTIFY_WEBHOOK_URL_PARAMETER" => Some(format!("{name}-missing")),
        _ => None,
    };
    let ssm = Ssm::new(client);
    let got = resolve(&["TRYFIRST_LLM_API_KEY"], env, &ssm).await.unwrap();
    assert_eq!(
        got.get("TRYFIRST_LLM_API_KEY").map(String::as_str),
        Some("sk-from-ssm-42")
    );

    let error = resolve(&["TRYFIRST_NOTIFY_WEBHOOK_URL"], env, &ssm)
        .await
        .unwrap_err();
    let SecretError::Unreadable { var, parameter, .. } = &error else {
        panic!("unreadable expected, got {error:?}")
    };
    assert_eq!(var, "TRYFIRST_NOTIFY_WEBHOOK_URL_PARAMETER");
    assert_eq!(parameter, &format!("{name}-missing"));
    assert!(error.to_string().contains("ParameterNotFound"), "{error}");
}

/// The deployed build's AWS configuration (`ask_fn::aws::from_env_vars`, credentials and region
/// from the environment only) reaches SSM and DynamoDB through its own HTTPS client, with the
/// endpoint overrides an emulator needs: `AWS_ENDPOINT_URL_DYNAMODB` for DynamoDB, and the
/// shared `AWS_ENDPOINT_URL` for SSM, which has no variable of its own here.
#[tokio::test]
#[ignore = "needs the moto emulator: run scripts/test"]
async fn the_environment_only_configuration_reaches_ssm_and_dynamodb() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("AWS_ENDPOINT_URL_DYNAMODB: run with scripts/test");
    let config = ask_fn::aws::from_env_vars(|name| match name {
        "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
        "AWS_REGION" => Some("eu-west-1".to_owned()),
        "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN" => {
            Some("test".to_owned())
        }
        _ => std::env::var(name).ok(),
    })
    .unwrap();
    aws_sdk_dynamodb::Client::new(&config)
        .list_tables()
        .send()
        .await
        .expect("DynamoDB through the environment-only configuration");

    let name = format!("/tryfirst-test/{}/env-only", std::process::id());
    ssm_client()
        .await
        .put_parameter()
        .name(&name)
        .value("from-env-only")
        .r#type(ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .unwrap();
    let vars = |var: &str| (var == "TRYFIRST_HASH_SALT_PARAMETER").then(|| name.clone());
    let values = resolve(
        &["TRYFIRST_HASH_SALT"],
        vars,
        &Ssm::new(aws_sdk_ssm::Client::new(&config)),
    )
    .await
    .unwrap();
    assert_eq!(values["TRYFIRST_HASH_SALT"], "from-env-only");
}
