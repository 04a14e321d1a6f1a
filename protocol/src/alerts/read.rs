//! Reading the `alerts` entries. Like a broken touchpoint, an entry with a
//! problem is left out and the problem reported at its path with the fix;
//! the other entries work.

use super::{AlertRule, AlertWhen};
use crate::hints::unknown_field;
use crate::question::QuestionType;
use crate::validate::{problem, Problem};
use serde_json::{Map, Value};

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

/// Reads `alerts`: the usable rules, and every problem of the others.
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
        ps.push(problem(path, format!("expected an object like {EXAMPLE}")));
        return None;
    };
    unknown_keys(o, &RULE_KEYS, path, ps);
    let webhook = webhook(o.get("webhook"), path, ps);
    let when_path = format!("{path}.when");
    let when = conditions(when_object(o.get("when"), &when_path, ps)?, &when_path, ps);
    Some(AlertRule {
        index,
        key: serde_json::to_string(entry).expect("a JSON value serialises"),
        when,
        webhook: webhook?,
    })
}

/// Unknown keys, worded as they have always been for alerts ("use …").
fn unknown_keys(o: &Map<String, Value>, known: &[&str], path: &str, ps: &mut Vec<Problem>) {
    for k in o.keys().filter(|k| !known.contains(&k.as_str())) {
        ps.push(problem(
            format!("{path}.{k}"),
            unknown_field(k, known, "use "),
        ));
    }
}

fn webhook(v: Option<&Value>, path: &str, ps: &mut Vec<Problem>) -> Option<String> {
    let at = format!("{path}.webhook");
    match v {
        None => {
            ps.push(problem(
                at,
                "missing (add the http(s) URL that receives the alert)",
            ));
            None
        }
        Some(Value::String(u)) if is_http_url(u) => Some(u.clone()),
        Some(v) => {
            ps.push(problem(
                at,
                format!("{v} is not an http(s) URL such as \"https://hooks.example/touchpoint\""),
            ));
            None
        }
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

/// `when`, which must name at least one condition.
fn when_object<'a>(
    v: Option<&'a Value>,
    path: &str,
    ps: &mut Vec<Problem>,
) -> Option<&'a Map<String, Value>> {
    let message = match v {
        Some(Value::Object(w)) if !w.is_empty() => return Some(w),
        Some(Value::Object(_)) => {
            "empty; name at least one condition, e.g. {\"question\": \"nps\", \"score_at_most\": 6}"
                .to_string()
        }
        None => "missing (add e.g. {\"question\": \"nps\", \"score_at_most\": 6})".to_string(),
        Some(v) => {
            format!("{v} is not an object like {{\"question\": \"nps\", \"score_at_most\": 6}}")
        }
    };
    ps.push(problem(path, message));
    None
}

fn conditions(w: &Map<String, Value>, path: &str, ps: &mut Vec<Problem>) -> AlertWhen {
    unknown_keys(w, &WHEN_KEYS, path, ps);
    let question = question(w, path, ps);
    let score_at_most = score(w, "score_at_most", path, question, ps);
    let score_at_least = score(w, "score_at_least", path, question, ps);
    if let (Some(lo), Some(hi)) = (score_at_least, score_at_most) {
        if lo > hi {
            ps.push(problem(
                path,
                format!("score_at_least {lo} is above score_at_most {hi}; no answer could match"),
            ));
        }
    }
    // Read in this order so the problems keep theirs.
    AlertWhen {
        question,
        touchpoint: text(w, "touchpoint", path, ps),
        stage: text(w, "stage", path, ps),
        score_at_most,
        score_at_least,
    }
}

fn question(w: &Map<String, Value>, path: &str, ps: &mut Vec<Problem>) -> Option<QuestionType> {
    let v = w.get("question")?;
    let q = v.as_str().and_then(QuestionType::parse);
    if q.is_none() {
        ps.push(problem(
            format!("{path}.question"),
            format!("{v} is not a question type (use nps, ces or csat)"),
        ));
    }
    q
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

/// A whole number on the scale of `q` (0–10 when the rule names no question).
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
