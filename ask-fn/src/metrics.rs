//! Business metrics as CloudWatch embedded metric format (EMF) lines.
//!
//! A JSON line on stdout with an `_aws` block becomes a CloudWatch metric without any API call
//! (no extra latency, no `cloudwatch:PutMetricData` permission): Lambda ships stdout to
//! CloudWatch Logs, which extracts the metric. The template's alarms watch these
//! (infra/template.yaml: namespace `Tryfirst`, one dimension `Function`). Outside Lambda nothing
//! is printed, so local runs and tests keep a clean stderr/stdout.

use serde_json::json;

/// The metrics namespace the template's alarms use.
pub const NAMESPACE: &str = "Tryfirst";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// A question passed the quotas and its lead was stored.
    LeadCaptured,
    /// A question was refused by a quota (the visitor was told when to come back).
    QuotaRefused,
    /// The LLM failed (timeout, HTTP error, unusable answer); a person follows up.
    LlmFailure,
    /// The global daily LLM cap was reached; the question went to a person.
    LlmDailyCapReached,
    /// No notification channel reached the team about a lead that needed one.
    NotificationFailed,
    /// The server's safety floor (`policy`) raised the model's verdict.
    PolicyFloorRaised,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::LeadCaptured => "LeadCaptured",
            Metric::QuotaRefused => "QuotaRefused",
            Metric::LlmFailure => "LlmFailure",
            Metric::LlmDailyCapReached => "LlmDailyCapReached",
            Metric::NotificationFailed => "NotificationFailed",
            Metric::PolicyFloorRaised => "PolicyFloorRaised",
        }
    }
}

/// One EMF line: a count of 1 for `metric`, dimensioned by the function's name so two stacks
/// in one account keep separate metrics.
pub fn emf_line(metric: Metric, function: &str, timestamp_ms: u64) -> String {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Function"]],
                "Metrics": [{ "Name": metric.name(), "Unit": "Count" }],
            }],
        },
        "Function": function,
        metric.name(): 1,
    })
    .to_string()
}

/// Counts `metric` once: an EMF line on stdout inside Lambda (`function`: the function's name,
/// from the settings), nothing elsewhere.
pub fn emit(function: Option<&str>, metric: Metric) {
    let Some(function) = function else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    println!("{}", emf_line(metric, function, now));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_declares_the_metric_it_carries() {
        let line = emf_line(Metric::LlmDailyCapReached, "stack-ask", 1_800_000_000_123);
        assert!(!line.contains('\n'), "one log event per line");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            value,
            json!({
                "_aws": {
                    "Timestamp": 1_800_000_000_123_u64,
                    "CloudWatchMetrics": [{
                        "Namespace": "Tryfirst",
                        "Dimensions": [["Function"]],
                        "Metrics": [{ "Name": "LlmDailyCapReached", "Unit": "Count" }]
                    }]
                },
                "Function": "stack-ask",
                "LlmDailyCapReached": 1
            })
        );
    }

    #[test]
    fn every_metric_has_its_own_name() {
        let all = [
            Metric::LeadCaptured,
            Metric::QuotaRefused,
            Metric::LlmFailure,
            Metric::LlmDailyCapReached,
        ];
        let mut names: Vec<_> = all.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
