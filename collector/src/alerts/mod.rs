//! Webhook alerts. A config entry
//! `{"when": {"question": "nps", "score_at_most": 6}, "webhook": "https://…"}`
//! puts one JSON body per matching answer into the durable `alert_outbox`,
//! in the same transaction as the response itself; `service::delivery` POSTs them
//! with retries and backoff, so neither a receiver outage nor a collector
//! restart loses one.

use serde_json::{json, Map, Value};
use touchpoint_protocol::validate::did_you_mean;
use touchpoint_protocol::{Problem, QuestionType, Response, Status};

const RULE_KEYS: [&str; 2] = ["when", "webhook"];
const WHEN_KEYS: [&str; 5] = [
    "question",
    "touchpoint",
    "stage",
    "score_at_most",
    "score_at_least",
];
const EXAMPLE: &str =
    r#"{"when": {"question": "nps", "score_at_most": 6}, "webhook": "https://…"}"#;

/// One usable `alerts[i]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRule {
    /// Position in the config's `alerts`.
    pub index: usize,
    /// The entry's canonical JSON: with the response id, it makes each
    /// alert happen once, across reloads and restarts.
    pub key: String,
    /// `when` as written, sent along with each alert.
    pub when: Value,
    pub question: Option<QuestionType>,
    pub touchpoint: Option<String>,
    pub stage: Option<String>,
    pub score_at_most: Option<u8>,
    pub score_at_least: Option<u8>,
    pub webhook: String,
}

fn problem(path: String, message: impl Into<String>) -> Problem {
    Problem {
        path,
        message: message.into(),
    }
}

fn unknown_keys(o: &Map<String, Value>, known: &[&str], path: &str, ps: &mut Vec<Problem>) {
    for k in o.keys().filter(|k| !known.contains(&k.as_str())) {
        let hint = match did_you_mean(k, known.iter().copied()) {
            Some(s) => format!("unknown field, did you mean {s}?"),
            None => format!("unknown field (use {})", known.join(", ")),
        };
        ps.push(problem(format!("{path}.{k}"), hint));
    }
}

/// Whether `url` is an absolute http(s) URL with a host.
fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !url.chars().any(char::is_whitespace)
    })
}

fn text(o: &Map<String, Value>, key: &str, path: &str, ps: &mut Vec<Problem>) -> Option<String> {
    match o.get(key) {
        None => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(v) => {
            ps.push(problem(
                format!("{path}.{key}"),
                format!("{v} is not a non-empty string"),
            ));
            None
        }
    }
}

fn score(
    o: &Map<String, Value>,
    key: &str,
    path: &str,
    q: Option<QuestionType>,
    ps: &mut Vec<Problem>,
) -> Option<u8> {
    let v = o.get(key)?;
    let (lo, hi) = q.map_or((0, 10), |q| (q.min(), q.max()));
    match v
        .as_u64()
        .filter(|n| (u64::from(lo)..=u64::from(hi)).contains(n))
    {
        Some(n) => Some(n as u8),
        None => {
            ps.push(problem(
                format!("{path}.{key}"),
                format!("{v} is out of range (use a whole number from {lo} to {hi})"),
            ));
            None
        }
    }
}

/// Reads `alerts`; an entry with a problem is left out (and the problem
/// reported, like a broken touchpoint), the others work.
pub fn parse_rules(alerts: &[Value]) -> (Vec<AlertRule>, Vec<Problem>) {
    let mut rules = Vec::new();
    let mut all = Vec::new();
    for (index, entry) in alerts.iter().enumerate() {
        let path = format!("alerts[{index}]");
        let mut ps = Vec::new();
        if let Some(rule) = parse_rule(index, entry, &path, &mut ps) {
            if ps.is_empty() {
                rules.push(rule);
            }
        }
        all.extend(ps);
    }
    (rules, all)
}

fn parse_rule(index: usize, entry: &Value, path: &str, ps: &mut Vec<Problem>) -> Option<AlertRule> {
    let Some(o) = entry.as_object() else {
        ps.push(problem(
            path.to_string(),
            format!("expected an object like {EXAMPLE}"),
        ));
        return None;
    };
    unknown_keys(o, &RULE_KEYS, path, ps);
    let webhook = match o.get("webhook") {
        None => {
            ps.push(problem(
                format!("{path}.webhook"),
                "missing (add the http(s) URL that receives the alert)",
            ));
            None
        }
        Some(Value::String(u)) if is_http_url(u) => Some(u.clone()),
        Some(v) => {
            ps.push(problem(
                format!("{path}.webhook"),
                format!("{v} is not an http(s) URL such as \"https://hooks.example/touchpoint\""),
            ));
            None
        }
    };
    let when_path = format!("{path}.when");
    let when = match o.get("when") {
        Some(Value::Object(w)) if !w.is_empty() => w,
        Some(Value::Object(_)) => {
            ps.push(problem(when_path, "empty; name at least one condition, e.g. {\"question\": \"nps\", \"score_at_most\": 6}"));
            return None;
        }
        None => {
            ps.push(problem(
                when_path,
                "missing (add e.g. {\"question\": \"nps\", \"score_at_most\": 6})",
            ));
            return None;
        }
        Some(v) => {
            ps.push(problem(
                when_path,
                format!(
                    "{v} is not an object like {{\"question\": \"nps\", \"score_at_most\": 6}}"
                ),
            ));
            return None;
        }
    };
    unknown_keys(when, &WHEN_KEYS, &when_path, ps);
    let question = match when.get("question") {
        None => None,
        Some(v) => match v.as_str().and_then(QuestionType::parse) {
            Some(q) => Some(q),
            None => {
                ps.push(problem(
                    format!("{when_path}.question"),
                    format!("{v} is not a question type (use nps, ces or csat)"),
                ));
                None
            }
        },
    };
    let score_at_most = score(when, "score_at_most", &when_path, question, ps);
    let score_at_least = score(when, "score_at_least", &when_path, question, ps);
    if let (Some(lo), Some(hi)) = (score_at_least, score_at_most) {
        if lo > hi {
            ps.push(problem(
                when_path.clone(),
                format!("score_at_least {lo} is above score_at_most {hi}; no answer could match"),
            ));
        }
    }
    Some(AlertRule {
        index,
        key: serde_json::to_string(entry).expect("a JSON value serialises"),
        when: Value::Object(when.clone()),
        question,
        touchpoint: text(when, "touchpoint", &when_path, ps),
        stage: text(when, "stage", &when_path, ps),
        score_at_most,
        score_at_least,
        webhook: webhook?,
    })
}

impl AlertRule {
    /// Whether an answered, non-preview response matches every condition.
    pub fn matches(&self, r: &Response) -> bool {
        let Some(score) = r.score else {
            return false;
        };
        r.status == Status::Answered
            && !r.preview
            && self.question.is_none_or(|q| q == r.question)
            && self.touchpoint.as_ref().is_none_or(|t| *t == r.touchpoint)
            && self.stage.as_ref().is_none_or(|s| *s == r.stage)
            && self.score_at_most.is_none_or(|m| score <= m)
            && self.score_at_least.is_none_or(|m| score >= m)
    }

    /// The JSON body POSTed to the webhook.
    pub fn body(&self, alert_id: &str, created_at: &str, r: &Response) -> String {
        json!({
            "event": "touchpoint.alert",
            "alert_id": alert_id,
            "created_at": created_at,
            "rule": {"index": self.index, "when": self.when},
            "response": r,
        })
        .to_string()
    }
}

/// A new random alert id (UUID v4), also sent as `Idempotency-Key`.
pub fn new_alert_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source works");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests;
