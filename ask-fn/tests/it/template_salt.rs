//! The deployed function always gets a salt: ask-fn refuses to start in Lambda without one
//! (settings.rs), so the template must hand it either the operator's SSM parameter or a secret
//! it generates itself, and let the function read whichever it is.

use std::path::PathBuf;

use serde_yaml::Value;

fn template() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The items of a short-tag `!If [condition, then, else]` (tags are dropped by serde_yaml).
fn branches(value: &Value) -> (String, Value, Value) {
    let items = value.as_sequence().expect("an !If [condition, then, else]");
    assert_eq!(items.len(), 3, "{value:?}");
    (
        items[0].as_str().unwrap().to_owned(),
        items[1].clone(),
        items[2].clone(),
    )
}

#[test]
fn without_a_salt_parameter_the_stack_generates_one_the_function_can_read() {
    let template = template();
    let resources = &template["Resources"];
    let function = &resources["AskFunction"]["Properties"];
    let (condition, given, generated) =
        branches(&function["Environment"]["Variables"]["TRYFIRST_HASH_SALT_PARAMETER"]);
    assert_eq!(condition, "HasHashSalt");
    assert_eq!(given.as_str(), Some("HashSaltParameter"));
    let generated = generated.as_str().expect("a !Sub path").to_owned();
    let secret_name = generated
        .strip_prefix("/aws/reference/secretsmanager/")
        .expect("read through SSM's Secrets Manager reference path");

    let secret = &resources["HashSaltSecret"];
    assert_eq!(secret["Type"].as_str(), Some("AWS::SecretsManager::Secret"));
    assert_eq!(secret["Condition"].as_str(), Some("GenerateHashSalt"));
    assert_eq!(secret["Properties"]["Name"].as_str(), Some(secret_name));
    let length = secret["Properties"]["GenerateSecretString"]["PasswordLength"]
        .as_u64()
        .expect("a generated value");
    assert!(length as usize >= ask_fn::settings::MIN_SALT_CHARS);

    // The conditions are each other's negation, so exactly one source exists.
    let conditions = &template["Conditions"];
    assert_eq!(
        conditions["GenerateHashSalt"].as_sequence().map(Vec::len),
        Some(2),
        "GenerateHashSalt: !Equals [!Ref HashSaltParameter, \"\"]"
    );
    assert_eq!(
        conditions["GenerateHashSalt"][0].as_str(),
        Some("HashSaltParameter")
    );

    let mut policy = Vec::new();
    strings(&resources["AskRole"]["Properties"]["Policies"], &mut policy);
    assert!(
        policy
            .iter()
            .any(|s| s.ends_with(&format!("parameter{generated}"))),
        "ssm:GetParameter on the reference path: {policy:?}"
    );
    assert!(policy.iter().any(|s| s == "secretsmanager:GetSecretValue"));
    assert!(policy.iter().any(|s| s == "HashSaltSecret"));
}

/// Every string in `value`, depth first.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Mapping(map) => map.iter().for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}
