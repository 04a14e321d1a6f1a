//! Rules of the document's top level: the version, known sections, the
//! journey, the defaults and the allowed origins.

use super::read::{self, Obj};
use super::{out_of_range, problem, sections, unknown_keys, ConfigError, Problem};
use crate::config::{Config, Defaults, DEFAULT_JOURNEY};
use crate::hints::kind;
use serde_json::{Map, Value};

pub(super) const TOP_KEYS: &[&str] = &[
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
pub(super) const DEFAULTS_KEYS: &[&str] = &[
    "locale",
    "position",
    "sample_rate",
    "recontact_days",
    "dismiss_cooldown_days",
];
pub(super) const FATIGUE_KEYS: &[&str] = &["min_days_between_surveys", "max_surveys_per_session"];
pub(super) const THEME_KEYS: &[&str] = &["accent", "background", "text", "radius", "font", "mode"];

/// The document as an object with `"version": 1`; anything else is fatal.
pub(super) fn version_1(value: &Value) -> Result<&Map<String, Value>, ConfigError> {
    let fatal = |p: Problem| ConfigError { problems: vec![p] };
    let o = value.as_object().ok_or_else(|| {
        fatal(problem(
            "(root)",
            format!("expected a JSON object, got {}", kind(value)),
        ))
    })?;
    match o.get("version") {
        Some(v) if v.as_u64() == Some(1) => Ok(o),
        None => Err(fatal(problem("version", "missing (add \"version\": 1)"))),
        Some(v) => Err(fatal(problem(
            "version",
            format!("{v} is not a supported version (use 1)"),
        ))),
    }
}

/// Everything but the touchpoints (and the alert rules), each bad field
/// reported and replaced by its default.
pub(super) fn settings(o: &Map<String, Value>, problems: &mut Vec<Problem>) -> Config {
    unknown_keys(o, TOP_KEYS, "", problems);
    for (key, known) in [
        ("defaults", DEFAULTS_KEYS),
        ("fatigue", FATIGUE_KEYS),
        ("theme", THEME_KEYS),
    ] {
        if let Some(obj) = o.get(key).and_then(Value::as_object) {
            unknown_keys(obj, known, key, problems);
        }
    }
    let journey = journey(o.get("journey"), problems);
    let mut top = Obj::new(o, "", problems);
    let defaults = sections::section(&mut top, "defaults", sections::defaults);
    // Fields are read in the order written here, which keeps the problems
    // in the order they have always been listed.
    let mut config = Config {
        version: 1,
        journey,
        fatigue: sections::section(&mut top, "fatigue", sections::fatigue),
        theme: sections::section(&mut top, "theme", sections::theme),
        allowed_origins: top
            .get("allowed_origins", read::strings)
            .unwrap_or_default(),
        defaults: Defaults::default(),
        consent: top.get("consent", read::consent).unwrap_or_default(),
        respect_global_privacy_control: top
            .get("respect_global_privacy_control", read::boolean)
            .unwrap_or(true),
        keep_query_params: top
            .get("keep_query_params", read::strings)
            .unwrap_or_default(),
        #[cfg(feature = "alerts")]
        alerts: Vec::new(),
        touchpoints: Vec::new(),
    };
    // Only the shape here, in every build (the widget warns about it too);
    // the entries are read after the touchpoints, with the `alerts` feature.
    top.get("alerts", read::array);
    config.defaults = checked_defaults(defaults, problems);
    for (i, origin) in config.allowed_origins.iter().enumerate() {
        if let Some(msg) = origin_problem(origin) {
            problems.push(problem(format!("allowed_origins[{i}]"), msg));
        }
    }
    config
}

/// The touchpoint entries; a `touchpoints` that is not an array is fatal.
pub(super) fn touchpoint_items<'a>(
    o: &'a Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<&'a [Value], ConfigError> {
    match o.get("touchpoints") {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(v) => {
            problems.push(problem(
                "touchpoints",
                format!("expected an array of touchpoints, got {}", kind(v)),
            ));
            Err(ConfigError {
                problems: std::mem::take(problems),
            })
        }
    }
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

/// `defaults` with an unusable sample rate or locale put back to default.
fn checked_defaults(mut defaults: Defaults, problems: &mut Vec<Problem>) -> Defaults {
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
    defaults
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
