//! Parsing a config with diagnostics that marketing can act on.
//!
//! Every problem carries its JSON path and the fix. A problem inside a
//! touchpoint disables that touchpoint only; a problem elsewhere falls back to
//! the default for that section. Only a document that is not a version-1
//! config object at all is fatal.

use crate::config::{Config, Defaults, Text, Touchpoint, DEFAULT_JOURNEY};
use crate::question::QuestionType;
use crate::response::kind;
use read::Obj;
use serde_json::{Map, Value};
use std::fmt;

/// One problem found in a config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path, e.g. `touchpoints[2].stage`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

/// A config that could be used, with everything that was wrong in it.
#[derive(Debug, Clone)]
pub struct ParsedConfig {
    /// The usable config: touchpoints with problems are left out.
    pub config: Config,
    /// Every problem found, in document order.
    pub problems: Vec<Problem>,
    /// Ids (or paths, when the id is unusable) of the touchpoints left out.
    pub disabled: Vec<String>,
}

/// A config that cannot be used at all.
#[derive(Debug, Clone)]
pub struct ConfigError {
    /// Why.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for ConfigError {}

const TOP_KEYS: &[&str] = &[
    "$schema",
    "version",
    "journey",
    "allowed_origins",
    "defaults",
    "fatigue",
    "theme",
    "consent",
    "respect_global_privacy_control",
    "keep_query_params",
    "alerts",
    "touchpoints",
];
const DEFAULTS_KEYS: &[&str] = &[
    "locale",
    "position",
    "sample_rate",
    "recontact_days",
    "dismiss_cooldown_days",
];
const FATIGUE_KEYS: &[&str] = &["min_days_between_surveys", "max_surveys_per_session"];
const THEME_KEYS: &[&str] = &["accent", "background", "text", "radius", "font", "mode"];
const TOUCHPOINT_KEYS: &[&str] = &[
    "id",
    "stage",
    "enabled",
    "question",
    "when",
    "sample_rate",
    "recontact_days",
    "dismiss_cooldown_days",
    "max_responses",
    "position",
    "target",
    "closed",
];
const QUESTION_KEYS: &[&str] = &["type", "text", "follow_up"];
const WHEN_KEYS: &[&str] = &["url", "on", "delay_ms"];
const TARGET_KEYS: &[&str] = &["nps", "ces", "csat"];
/// Longest wait any delay may ask for: one day.
const MAX_DELAY_MS: u32 = 86_400_000;
/// Longest recontact or cooldown: ten years.
const MAX_DAYS: u32 = 3650;

/// Parses config text. See [`parse_config_value`].
pub fn parse_config(text: &str) -> Result<ParsedConfig, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(ConfigError::not_json)?;
    parse_config_value(&value)
}

impl ConfigError {
    /// The config text is not JSON; `e` is the parser's message.
    pub fn not_json(e: impl fmt::Display) -> ConfigError {
        ConfigError {
            problems: vec![problem("(root)", format!("not valid JSON: {e}"))],
        }
    }
}

/// Validates a config document, collecting every problem.
pub fn parse_config_value(value: &Value) -> Result<ParsedConfig, ConfigError> {
    let fatal = |p: Problem| ConfigError { problems: vec![p] };
    let o = value.as_object().ok_or_else(|| {
        fatal(problem(
            "(root)",
            format!("expected a JSON object, got {}", kind(value)),
        ))
    })?;
    match o.get("version") {
        Some(v) if v.as_u64() == Some(1) => {}
        None => return Err(fatal(problem("version", "missing (add \"version\": 1)"))),
        Some(v) => {
            return Err(fatal(problem(
                "version",
                format!("{v} is not a supported version (use 1)"),
            )))
        }
    }
    let mut problems = Vec::new();
    unknown_keys(o, TOP_KEYS, "", &mut problems);
    for (key, known) in [
        ("defaults", DEFAULTS_KEYS),
        ("fatigue", FATIGUE_KEYS),
        ("theme", THEME_KEYS),
    ] {
        if let Some(obj) = o.get(key).and_then(Value::as_object) {
            unknown_keys(obj, known, key, &mut problems);
        }
    }

    let journey = journey(o.get("journey"), &mut problems);
    let mut top = Obj::new(o, "", &mut problems);
    let mut defaults = read::section(&mut top, "defaults", read::defaults);
    let fatigue = read::section(&mut top, "fatigue", read::fatigue);
    let theme = read::section(&mut top, "theme", read::theme);
    let mut config = Config {
        version: 1,
        journey,
        allowed_origins: top
            .get("allowed_origins", read::strings)
            .unwrap_or_default(),
        defaults: Defaults::default(),
        fatigue,
        theme,
        consent: top.get("consent", read::consent).unwrap_or_default(),
        respect_global_privacy_control: top
            .get("respect_global_privacy_control", read::boolean)
            .unwrap_or(true),
        keep_query_params: top
            .get("keep_query_params", read::strings)
            .unwrap_or_default(),
        alerts: top.get("alerts", read::array).unwrap_or_default(),
        touchpoints: Vec::new(),
    };
    if !(0.0..=1.0).contains(&defaults.sample_rate) {
        problems.push(out_of_range(
            "defaults.sample_rate",
            Value::from(defaults.sample_rate),
            "a number from 0 to 1",
        ));
        defaults.sample_rate = Defaults::default().sample_rate;
    }
    if defaults.locale.trim().is_empty() {
        problems.push(problem(
            "defaults.locale",
            "empty (use a language tag such as \"en\")",
        ));
        defaults.locale = Defaults::default().locale;
    }
    config.defaults = defaults;
    for (i, origin) in config.allowed_origins.iter().enumerate() {
        if let Some(msg) = origin_problem(origin) {
            problems.push(problem(format!("allowed_origins[{i}]"), msg));
        }
    }

    let items = match o.get("touchpoints") {
        None => &[][..],
        Some(Value::Array(items)) => &items[..],
        Some(v) => {
            problems.push(problem(
                "touchpoints",
                format!("expected an array of touchpoints, got {}", kind(v)),
            ));
            return Err(ConfigError { problems });
        }
    };
    let mut disabled = Vec::new();
    // Touchpoint ids seen so far with their index (a Vec: configs are small and
    // a HashMap would add its own code to the wasm).
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("touchpoints[{i}]");
        match touchpoint(item, &path, &config, &mut seen) {
            Ok(t) => config.touchpoints.push(t),
            Err(ps) => {
                let id = item
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty());
                disabled.push(id.map_or_else(|| path.clone(), str::to_string));
                problems.extend(ps);
            }
        }
    }
    Ok(ParsedConfig {
        config,
        problems,
        disabled,
    })
}

fn journey(v: Option<&Value>, problems: &mut Vec<Problem>) -> Vec<String> {
    let default = || DEFAULT_JOURNEY.iter().map(|s| s.to_string()).collect();
    let Some(v) = v else { return default() };
    let Some(items) = v.as_array().filter(|a| !a.is_empty()) else {
        problems.push(problem(
            "journey",
            "expected a non-empty array of stage names; using the default journey",
        ));
        return default();
    };
    let mut stages: Vec<String> = Vec::new();
    for (i, s) in items.iter().enumerate() {
        match s.as_str().map(str::trim) {
            Some(s) if !s.is_empty() && !stages.iter().any(|x| x == s) => {
                stages.push(s.to_string())
            }
            Some(s) if !s.is_empty() => problems.push(problem(
                format!("journey[{i}]"),
                format!("\"{s}\" is listed twice (list each stage once)"),
            )),
            _ => problems.push(problem(
                format!("journey[{i}]"),
                "expected a non-empty stage name",
            )),
        }
    }
    stages
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (_, true) => base.to_string(),
        (true, _) => rest.to_string(),
        _ if rest.starts_with('[') => format!("{base}{rest}"),
        _ => format!("{base}.{rest}"),
    }
}

fn unknown_keys(o: &Map<String, Value>, known: &[&str], path: &str, problems: &mut Vec<Problem>) {
    for key in o.keys().filter(|k| !known.contains(&k.as_str())) {
        let msg = match did_you_mean(key, known.iter().copied()) {
            Some(s) => format!("unknown field, did you mean {s}?"),
            None => format!("unknown field (known fields: {})", known.join(", ")),
        };
        problems.push(problem(join(path, key), msg));
    }
}

fn origin_problem(origin: &str) -> Option<String> {
    if origin == "*" {
        return None;
    }
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match rest {
        None => Some(format!(
            "\"{origin}\" is not an origin (write scheme and host, e.g. \"https://shop.example\")"
        )),
        Some(r) if r.is_empty() || r.contains('/') => Some(format!(
            "\"{origin}\" is not an origin (drop the path and trailing slash: \"{}\")",
            origin
                .trim_end_matches('/')
                .split('/')
                .take(3)
                .collect::<Vec<_>>()
                .join("/")
        )),
        _ => None,
    }
}

fn out_of_range(path: &str, v: impl fmt::Display, expected: &str) -> Problem {
    problem(path, format!("{v} is out of range (use {expected})"))
}

fn touchpoint(
    v: &Value,
    path: &str,
    config: &Config,
    seen: &mut Vec<(String, usize)>,
) -> Result<Touchpoint, Vec<Problem>> {
    let mut ps = Vec::new();
    let Some(o) = v.as_object() else {
        return Err(vec![problem(
            path,
            format!("expected a touchpoint object, got {}", kind(v)),
        )]);
    };
    unknown_keys(o, TOUCHPOINT_KEYS, path, &mut ps);
    let sub = |k: &str| o.get(k).and_then(Value::as_object);
    if let Some(q) = sub("question") {
        let qpath = join(path, "question");
        unknown_keys(q, QUESTION_KEYS, &qpath, &mut ps);
        let qtype = q
            .get("type")
            .and_then(Value::as_str)
            .and_then(QuestionType::parse);
        if let (Some(t), Some(fu)) = (qtype, q.get("follow_up").and_then(Value::as_object)) {
            let bands = t.bands().map(|b| b.as_str());
            unknown_keys(fu, &bands, &join(&qpath, "follow_up"), &mut ps);
        }
    }
    if let Some(w) = sub("when") {
        unknown_keys(w, WHEN_KEYS, &join(path, "when"), &mut ps);
    }
    if let Some(t) = sub("target") {
        unknown_keys(t, TARGET_KEYS, &join(path, "target"), &mut ps);
    }
    let Some(t) = read::touchpoint(Obj::new(o, path, &mut ps)) else {
        return Err(ps);
    };
    check_touchpoint(&t, path, config, &mut ps);
    if !t.id.is_empty() {
        match seen.iter().find(|(id, _)| *id == t.id).map(|&(_, i)| i) {
            Some(first) => ps.push(problem(join(path, "id"), format!("duplicate id \"{}\" (also touchpoints[{first}].id); give each touchpoint its own id", t.id))),
            None => {
                seen.push((t.id.clone(), path_index(path)));
            }
        }
    }
    if ps.is_empty() {
        Ok(t)
    } else {
        Err(ps)
    }
}

fn path_index(path: &str) -> usize {
    path.trim_start_matches("touchpoints[")
        .trim_end_matches(']')
        .parse()
        .unwrap_or(0)
}

fn check_touchpoint(t: &Touchpoint, path: &str, config: &Config, ps: &mut Vec<Problem>) {
    let at = |field: &str| join(path, field);
    let id_ok = !t.id.is_empty()
        && t.id.len() <= 100
        && t.id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !id_ok {
        ps.push(problem(at("id"), format!("\"{}\" is not a usable id (use 1 to 100 letters, digits, '-', '_' or '.', e.g. \"order-confirmed\")", t.id)));
    }
    if !config.journey.contains(&t.stage) {
        let msg = match did_you_mean(&t.stage, config.journey.iter().map(String::as_str)) {
            Some(s) => format!(
                "\"{}\" is not a journey stage (did you mean \"{s}\"?)",
                t.stage
            ),
            None => format!(
                "\"{}\" is not a journey stage (use one of: {})",
                t.stage,
                config.journey.join(", ")
            ),
        };
        ps.push(problem(at("stage"), msg));
    }
    if let Some(r) = t.sample_rate.filter(|r| !(0.0..=1.0).contains(r)) {
        // Printed as JSON prints it: the widget then needs no float formatting of its own.
        ps.push(out_of_range(
            &at("sample_rate"),
            Value::from(r),
            "a number from 0 to 1",
        ));
    }
    for (field, days) in [
        ("recontact_days", t.recontact_days),
        ("dismiss_cooldown_days", t.dismiss_cooldown_days),
    ] {
        if let Some(d) = days.filter(|d| *d > MAX_DAYS) {
            ps.push(out_of_range(&at(field), d, "whole days from 0 to 3650"));
        }
    }
    if t.max_responses == Some(0) {
        ps.push(out_of_range(
            &at("max_responses"),
            0,
            "1 or more, or remove it for no limit",
        ));
    }
    if t.when.delay_ms > MAX_DELAY_MS {
        ps.push(out_of_range(
            &at("when.delay_ms"),
            t.when.delay_ms,
            "whole milliseconds from 0 to 86400000",
        ));
    }
    if let Some(urls) = &t.when.url {
        if urls.is_empty() {
            ps.push(problem(
                at("when.url"),
                "empty list matches no page (remove \"url\" to match every page)",
            ));
        }
        for (i, u) in urls.iter().enumerate() {
            if u.trim().is_empty() {
                ps.push(problem(
                    at(&format!("when.url[{i}]")),
                    "empty pattern (write a path such as \"/checkout/thank-you*\")",
                ));
            }
        }
    }
    let locale = &config.defaults.locale;
    if let Some(text) = &t.question.text {
        check_text(text, &at("question.text"), locale, ps);
    }
    // Bands that do not fit the question were reported as unknown fields.
    for (band, text) in t
        .question
        .follow_up
        .iter()
        .filter(|(b, _)| t.question.kind.bands().contains(b))
    {
        check_text(
            text,
            &at(&format!("question.follow_up.{}", band.as_str())),
            locale,
            ps,
        );
    }
}

fn check_text(text: &Text, path: &str, default_locale: &str, ps: &mut Vec<Problem>) {
    for (locale, s) in &text.0 {
        if s.trim().is_empty() {
            ps.push(problem(
                join(path, locale),
                "empty text (write the text, or remove this locale)",
            ));
        } else if s.chars().count() > 500 {
            ps.push(problem(
                join(path, locale),
                "longer than 500 characters (shorten it: a survey question must read at a glance)",
            ));
        }
    }
    if !text.0.contains_key(default_locale) {
        ps.push(problem(path, format!("no \"{default_locale}\" text for the default locale (add \"{default_locale}\": \"…\")")));
    }
}

/// The closest candidate within a small edit distance, for "did you mean".
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

mod read;
#[cfg(test)]
mod tests;
