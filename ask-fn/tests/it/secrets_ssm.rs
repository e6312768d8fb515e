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
