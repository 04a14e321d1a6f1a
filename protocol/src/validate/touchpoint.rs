//! Rules of one touchpoint: known fields, ids, stages, ranges, URL patterns
//! and texts. A touchpoint with any problem is left out; the others work.

use super::read::Obj;
use super::{join, out_of_range, problem, sections, unknown_keys, Problem, MAX_DAYS, MAX_DELAY_MS};
use crate::config::{Config, Text, Touchpoint};
use crate::hints::{did_you_mean, kind};
use crate::question::QuestionType;
use serde_json::{Map, Value};

pub(super) const TOUCHPOINT_KEYS: &[&str] = &[
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
pub(super) const QUESTION_KEYS: &[&str] = &["type", "text", "follow_up"];
pub(super) const WHEN_KEYS: &[&str] = &["url", "on", "delay_ms"];
pub(super) const TARGET_KEYS: &[&str] = &["nps", "ces", "csat"];

/// Reads every entry of `touchpoints` into `config`; returns the ids (or
/// paths) of those left out.
pub(super) fn read_all(
    items: &[Value],
    config: &mut Config,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut disabled = Vec::new();
    // Touchpoint ids seen so far with their index (a Vec: configs are small and
    // a HashMap would add its own code to the wasm).
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("touchpoints[{i}]");
        match touchpoint(item, &path, config, &mut seen) {
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
    disabled
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
    touchpoint_unknown_keys(o, path, &mut ps);
    let Some(t) = sections::touchpoint(Obj::new(o, path, &mut ps)) else {
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

/// Unknown keys in the touchpoint and its question, follow-ups (bands that
/// do not fit the question type), `when` and target.
fn touchpoint_unknown_keys(o: &Map<String, Value>, path: &str, ps: &mut Vec<Problem>) {
    unknown_keys(o, TOUCHPOINT_KEYS, path, ps);
    let sub = |k: &str| o.get(k).and_then(Value::as_object);
    if let Some(q) = sub("question") {
        let qpath = join(path, "question");
        unknown_keys(q, QUESTION_KEYS, &qpath, ps);
        let qtype = q
            .get("type")
            .and_then(Value::as_str)
            .and_then(QuestionType::parse);
        if let (Some(t), Some(fu)) = (qtype, q.get("follow_up").and_then(Value::as_object)) {
            let bands = t.bands().map(|b| b.as_str());
            unknown_keys(fu, &bands, &join(&qpath, "follow_up"), ps);
        }
    }
    if let Some(w) = sub("when") {
        unknown_keys(w, WHEN_KEYS, &join(path, "when"), ps);
    }
    if let Some(t) = sub("target") {
        unknown_keys(t, TARGET_KEYS, &join(path, "target"), ps);
    }
}

fn path_index(path: &str) -> usize {
    path.trim_start_matches("touchpoints[")
        .trim_end_matches(']')
        .parse()
        .unwrap_or(0)
}

/// Rules across fields, once every field has its type.
fn check_touchpoint(t: &Touchpoint, path: &str, config: &Config, ps: &mut Vec<Problem>) {
    check_id_and_stage(t, path, &config.journey, ps);
    check_ranges(t, path, ps);
    check_urls(t, path, ps);
    check_texts(t, path, &config.defaults.locale, ps);
}

fn check_id_and_stage(t: &Touchpoint, path: &str, journey: &[String], ps: &mut Vec<Problem>) {
    let id_ok = !t.id.is_empty()
        && t.id.len() <= 100
        && t.id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !id_ok {
        ps.push(problem(join(path, "id"), format!("\"{}\" is not a usable id (use 1 to 100 letters, digits, '-', '_' or '.', e.g. \"order-confirmed\")", t.id)));
    }
    if !journey.contains(&t.stage) {
        let msg = match did_you_mean(&t.stage, journey.iter().map(String::as_str)) {
            Some(s) => format!(
                "\"{}\" is not a journey stage (did you mean \"{s}\"?)",
                t.stage
            ),
            None => format!(
                "\"{}\" is not a journey stage (use one of: {})",
                t.stage,
                journey.join(", ")
            ),
        };
        ps.push(problem(join(path, "stage"), msg));
    }
}

fn check_ranges(t: &Touchpoint, path: &str, ps: &mut Vec<Problem>) {
    let at = |field: &str| join(path, field);
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
}

fn check_urls(t: &Touchpoint, path: &str, ps: &mut Vec<Problem>) {
    let Some(urls) = &t.when.url else { return };
    if urls.is_empty() {
        ps.push(problem(
            join(path, "when.url"),
            "empty list matches no page (remove \"url\" to match every page)",
        ));
    }
    for (i, u) in urls.iter().enumerate() {
        if u.trim().is_empty() {
            ps.push(problem(
                join(path, &format!("when.url[{i}]")),
                "empty pattern (write a path such as \"/checkout/thank-you*\")",
            ));
        }
    }
}

fn check_texts(t: &Touchpoint, path: &str, locale: &str, ps: &mut Vec<Problem>) {
    if let Some(text) = &t.question.text {
        check_text(text, &join(path, "question.text"), locale, ps);
    }
    // Bands that do not fit the question were reported as unknown fields.
    for (band, text) in t
        .question
        .follow_up
        .iter()
        .filter(|(b, _)| t.question.kind.bands().contains(b))
    {
        let at = join(path, &format!("question.follow_up.{}", band.as_str()));
        check_text(text, &at, locale, ps);
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
