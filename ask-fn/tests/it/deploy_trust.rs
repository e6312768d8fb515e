//! The deploy workflow can assume the role the template creates for it.
//!
//! GitHub's OIDC token names the job in its `sub` claim, and the form of that claim depends on
//! the job: a job with `environment: X` gets `repo:owner/name:environment:X` whatever its
//! branch; otherwise a push to `main` gets `repo:owner/name:ref:refs/heads/main`. The role in
//! infra/template.yaml trusts exactly one `sub`; when the two drift apart, every deploy fails at
//! `configure-aws-credentials` (issue 14, finding 1). This test derives the claim from the
//! workflow and compares it with the trust policy, so the drift cannot come back unnoticed.

use std::path::PathBuf;

use serde_yaml::Value;

fn read_yaml(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} parses: {e}", path.display()))
}

/// The `sub` claims (with `${GitHubRepository}` for owner/name) of every job in `workflow`
/// that assumes an AWS role, following GitHub's rules for push events on `branch`.
fn subjects_of_workflow(workflow: &Value, branch: &str) -> Vec<String> {
    workflow["jobs"]
        .as_mapping()
        .expect("the workflow has jobs")
        .iter()
        .filter(|(_, job)| {
            job["steps"].as_sequence().is_some_and(|steps| {
                steps.iter().any(|step| {
                    step["uses"].as_str().is_some_and(|uses| {
                        uses.starts_with("aws-actions/configure-aws-credentials")
                    })
                })
            })
        })
        .map(|(_, job)| {
            // `environment:` is either a name or a mapping with `name:`.
            let environment = job["environment"]
                .as_str()
                .or_else(|| job["environment"]["name"].as_str());
            match environment {
                Some(name) => format!("repo:${{GitHubRepository}}:environment:{name}"),
                None => format!("repo:${{GitHubRepository}}:ref:refs/heads/{branch}"),
            }
        })
        .collect()
}

/// The `sub` values the template's deploy role trusts (`!Sub` reads as its plain string).
fn subjects_trusted_by(template: &Value) -> Vec<String> {
    let statements = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]
        ["Statement"]
        .as_sequence()
        .expect("DeployRole has a trust policy");
    let mut subjects = Vec::new();
    for statement in statements {
        for operator in ["StringEquals", "StringLike"] {
            match &statement["Condition"][operator]["token.actions.githubusercontent.com:sub"] {
                Value::String(sub) => subjects.push(sub.clone()),
                Value::Sequence(subs) => {
                    subjects.extend(subs.iter().filter_map(|s| s.as_str().map(str::to_owned)))
                }
                _ => {}
            }
        }
    }
    subjects
}

/// Every role-assuming job's claim, not trusted by the template.
fn untrusted(workflow: &Value, template: &Value) -> Vec<String> {
    let trusted = subjects_trusted_by(template);
    subjects_of_workflow(workflow, "main")
        .into_iter()
        .filter(|sub| !trusted.contains(sub))
        .collect()
}

#[test]
fn the_deploy_job_presents_the_subject_the_role_trusts() {
    let workflow = read_yaml("../.github/workflows/deploy.yml");
    let template = read_yaml("../infra/template.yaml");
    assert!(
        !subjects_of_workflow(&workflow, "main").is_empty(),
        "deploy.yml has a job that assumes an AWS role"
    );
    assert_eq!(
        untrusted(&workflow, &template),
        Vec::<String>::new(),
        "the deploy job's OIDC `sub` is not trusted by DeployRole in infra/template.yaml \
         (trusted: {:?})",
        subjects_trusted_by(&template)
    );
}

/// The comparison itself catches the drift the issue found (environment vs branch claim).
#[test]
fn a_branch_trust_does_not_cover_an_environment_job() {
    let workflow: Value = serde_yaml::from_str(
        "jobs:\n  deploy:\n    environment: production\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v6\n",
    )
    .unwrap();
    let template = |sub: &str| -> Value {
        serde_yaml::from_str(&format!(
            "Resources:\n  DeployRole:\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Condition:\n              StringEquals:\n                token.actions.githubusercontent.com:sub: {sub}\n"
        ))
        .unwrap()
    };
    assert_eq!(
        untrusted(
            &workflow,
            &template("repo:${GitHubRepository}:ref:refs/heads/main")
        ),
        ["repo:${GitHubRepository}:environment:production"]
    );
    assert!(untrusted(
        &workflow,
        &template("repo:${GitHubRepository}:environment:production")
    )
    .is_empty());
    let no_environment: Value = serde_yaml::from_str(
        "jobs:\n  deploy:\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v6\n",
    )
    .unwrap();
    assert_eq!(
        untrusted(
            &no_environment,
            &template("repo:${GitHubRepository}:environment:production")
        ),
        ["repo:${GitHubRepository}:ref:refs/heads/main"]
    );
}
