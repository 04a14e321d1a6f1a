//! Parsing a config with diagnostics that marketing can act on.
//!
//! Every problem carries its JSON path and the fix. A problem inside a
//! touchpoint disables that touchpoint only; a problem elsewhere falls back to
//! the default for that section. Only a document that is not a version-1
//! config object at all is fatal.
//!
//! `read` turns JSON values into typed ones (type errors at their exact
//! path), `sections` reads each part of the document with it, `document`
//! holds the rules of the top level and `touchpoint` those of one touchpoint;
//! `served` trims a document to what the widget reads.

mod document;
mod read;
mod sections;
mod served;
#[cfg(test)]
mod tests;
mod touchpoint;

pub use crate::hints::did_you_mean;
pub use served::served;

use crate::config::Config;
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

pub(crate) fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

/// A config that could be used, with everything that was wrong in it.
#[derive(Debug, Clone)]
pub struct ParsedConfig {
    /// The usable config: touchpoints (and alert rules) with problems are left out.
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

impl ConfigError {
    /// The config text is not JSON; `e` is the parser's message.
    pub fn not_json(e: impl fmt::Display) -> ConfigError {
        ConfigError {
            problems: vec![problem("(root)", format!("not valid JSON: {e}"))],
        }
    }
}

/// Longest wait any delay may ask for: one day.
const MAX_DELAY_MS: u32 = 86_400_000;
/// Longest recontact or cooldown: ten years.
const MAX_DAYS: u32 = 3650;

/// Parses config text. See [`parse_config_value`].
pub fn parse_config(text: &str) -> Result<ParsedConfig, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(ConfigError::not_json)?;
    parse_config_value(&value)
}

/// Validates a config document, collecting every problem.
pub fn parse_config_value(value: &Value) -> Result<ParsedConfig, ConfigError> {
    let o = document::version_1(value)?;
    let mut problems = Vec::new();
    let mut config = document::settings(o, &mut problems);
    let items = document::touchpoint_items(o, &mut problems)?;
    let disabled = touchpoint::read_all(items, &mut config, &mut problems);
    // After the touchpoints, where the collector has always listed them.
    #[cfg(feature = "alerts")]
    if let Some(Value::Array(entries)) = o.get("alerts") {
        let (rules, ps) = crate::alerts::parse_rules(entries);
        config.alerts = rules;
        problems.extend(ps);
    }
    Ok(ParsedConfig {
        config,
        problems,
        disabled,
    })
}

/// `base` and `rest` as one JSON path (`touchpoints[0]` + `id`).
fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (_, true) => base.to_string(),
        (true, _) => rest.to_string(),
        _ if rest.starts_with('[') => format!("{base}{rest}"),
        _ => format!("{base}.{rest}"),
    }
}

/// Reports each key of `o` at `path` that is not `known`.
fn unknown_keys(o: &Map<String, Value>, known: &[&str], path: &str, problems: &mut Vec<Problem>) {
    for key in o.keys().filter(|k| !known.contains(&k.as_str())) {
        let msg = crate::hints::unknown_field(key, known, "known fields: ");
        problems.push(problem(join(path, key), msg));
    }
}

fn out_of_range(path: &str, v: impl fmt::Display, expected: &str) -> Problem {
    problem(path, format!("{v} is out of range (use {expected})"))
}
