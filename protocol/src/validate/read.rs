//! Typed reads out of a config document, each type error reported at its exact
//! JSON path with what to write instead.
//!
//! Hand-written rather than serde derives: the widget's wasm then carries this
//! one small reader instead of a `Value` deserializer per config type (≈ 14 KB
//! brotli), and the messages speak to the marketer, not to a Rust programmer.

use super::{join, problem, Problem, MAX_DAYS};
use crate::config::{
    ColorMode, Consent, Defaults, Fatigue, Position, Question, Target, Text, Theme, Touchpoint,
    Trigger, When,
};
use crate::question::QuestionType;
use crate::response::kind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Reads one value; an error's path is relative to that value ("" = itself).
type Read<T> = fn(&Value) -> Result<T, Problem>;

/// A problem with the value being read itself.
fn here(message: String) -> Problem {
    problem("", message)
}

/// One JSON object being read at `path`; problems go to `problems`.
pub(super) struct Obj<'a> {
    o: &'a Map<String, Value>,
    path: String,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Obj<'a> {
    pub(super) fn new(
        o: &'a Map<String, Value>,
        path: &str,
        problems: &'a mut Vec<Problem>,
    ) -> Self {
        Obj {
            o,
            path: path.to_string(),
            problems,
        }
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// `key` read by `read`; absent or null reads as `None`, a type error is
    /// reported and reads as `None` (the caller keeps its default).
    pub(super) fn get<T>(&mut self, key: &str, read: Read<T>) -> Option<T> {
        let v = self.o.get(key).filter(|v| !v.is_null())?;
        match read(v) {
            Ok(t) => Some(t),
            Err(p) => {
                let at = join(&self.at(key), &p.path);
                self.problems.push(problem(at, p.message));
                None
            }
        }
    }

    /// Like [`Obj::get`], and a missing field is a problem too.
    fn required<T>(&mut self, key: &str, read: Read<T>) -> Option<T> {
        if self.o.get(key).is_none_or(Value::is_null) {
            let at = self.at(key);
            self.problems.push(problem(at, "missing field"));
            return None;
        }
        self.get(key, read)
    }

    /// Overwrites `slot` with `key` when it is present and well-typed.
    pub(super) fn set<T>(&mut self, key: &str, slot: &mut T, read: Read<T>) {
        if let Some(t) = self.get(key, read) {
            *slot = t;
        }
    }

    /// The object under `key`, read by `read`; `None` when absent or not an
    /// object (reported).
    fn object<T>(&mut self, key: &str, read: impl FnOnce(Obj<'_>) -> T) -> Option<T> {
        let v = self.o.get(key).filter(|v| !v.is_null())?;
        let at = self.at(key);
        match v.as_object() {
            Some(o) => Some(read(Obj::new(o, &at, self.problems))),
            None => {
                let msg = format!("expected an object, got {}", got(v));
                self.problems.push(problem(at, msg));
                None
            }
        }
    }
}

/// What was found, for messages: the literal for numbers and booleans.
fn got(v: &Value) -> String {
    match v {
        Value::Number(_) | Value::Bool(_) => v.to_string(),
        _ => kind(v).to_string(),
    }
}

pub(super) fn string(v: &Value) -> Result<String, Problem> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| here(format!("expected a string, got {}", got(v))))
}

pub(super) fn boolean(v: &Value) -> Result<bool, Problem> {
    v.as_bool()
        .ok_or_else(|| here(format!("expected true or false, got {}", got(v))))
}

pub(super) fn number(v: &Value) -> Result<f64, Problem> {
    v.as_f64()
        .ok_or_else(|| here(format!("expected a number, got {}", got(v))))
}

fn whole(v: &Value) -> Result<u64, Problem> {
    v.as_u64().ok_or_else(|| {
        here(format!(
            "expected a whole number, 0 or more, got {}",
            got(v)
        ))
    })
}

pub(super) fn whole_u32(v: &Value) -> Result<u32, Problem> {
    let n = whole(v)?;
    u32::try_from(n).map_err(|_| here(format!("{n} is too large")))
}

fn days(v: &Value) -> Result<u32, Problem> {
    match whole(v) {
        Ok(n) if n <= u64::from(MAX_DAYS) => Ok(n as u32),
        _ => Err(here(format!(
            "{v} is not a number of days (use whole days from 0 to {MAX_DAYS})"
        ))),
    }
}

pub(super) fn strings(v: &Value) -> Result<Vec<String>, Problem> {
    let items = v.as_array().ok_or_else(|| {
        here(format!(
            "expected an array of strings, e.g. [\"a\", \"b\"], got {}",
            got(v)
        ))
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, s)| string(s).map_err(|p| problem(format!("[{i}]"), p.message)))
        .collect()
}

pub(super) fn array(v: &Value) -> Result<Vec<Value>, Problem> {
    v.as_array()
        .cloned()
        .ok_or_else(|| here(format!("expected an array, got {}", got(v))))
}

/// A name from a closed list, with a suggestion when it is close to one.
fn one_of<T: Copy>(v: &Value, names: &[(&'static str, T)]) -> Result<T, Problem> {
    let list = || names.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let s = v
        .as_str()
        .ok_or_else(|| here(format!("expected one of {}, got {}", list(), got(v))))?;
    if let Some((_, t)) = names.iter().find(|(n, _)| *n == s) {
        return Ok(*t);
    }
    Err(here(
        match super::did_you_mean(s, names.iter().map(|(n, _)| *n)) {
            Some(m) => format!("\"{s}\" is not valid here (did you mean \"{m}\"?)"),
            None => format!("\"{s}\" is not valid here (use one of {})", list()),
        },
    ))
}

pub(super) fn position(v: &Value) -> Result<Position, Problem> {
    one_of(
        v,
        &[
            ("bottom-right", Position::BottomRight),
            ("bottom-left", Position::BottomLeft),
            ("bottom-bar", Position::BottomBar),
            ("modal", Position::Modal),
            ("inline", Position::Inline),
        ],
    )
}

pub(super) fn consent(v: &Value) -> Result<Consent, Problem> {
    one_of(
        v,
        &[
            ("implied", Consent::Implied),
            ("required", Consent::Required),
        ],
    )
}

fn color_mode(v: &Value) -> Result<ColorMode, Problem> {
    one_of(v, &[("light", ColorMode::Light), ("dark", ColorMode::Dark)])
}

fn question_type(v: &Value) -> Result<QuestionType, Problem> {
    one_of(v, &QuestionType::ALL.map(|q| (q.as_str(), q)))
}

fn trigger(v: &Value) -> Result<Trigger, Problem> {
    Trigger::from_value(v).map_err(here)
}

/// `{"en": "…", "de": "…"}`.
fn text(v: &Value) -> Result<Text, Problem> {
    let o = v.as_object().ok_or_else(|| {
        here(format!(
            "expected texts by locale, e.g. {{\"en\": \"How likely…?\"}}, got {}",
            got(v)
        ))
    })?;
    o.iter()
        .map(|(locale, s)| match string(s) {
            Ok(s) => Ok((locale.clone(), s)),
            Err(p) => Err(problem(locale.clone(), p.message)),
        })
        .collect::<Result<BTreeMap<_, _>, _>>()
        .map(Text)
}

pub(super) fn defaults(mut d: Obj<'_>) -> Defaults {
    let mut out = Defaults::default();
    d.set("locale", &mut out.locale, string);
    d.set("position", &mut out.position, position);
    d.set("sample_rate", &mut out.sample_rate, number);
    d.set("recontact_days", &mut out.recontact_days, days);
    d.set(
        "dismiss_cooldown_days",
        &mut out.dismiss_cooldown_days,
        days,
    );
    out
}

pub(super) fn fatigue(mut f: Obj<'_>) -> Fatigue {
    let mut out = Fatigue::default();
    f.set(
        "min_days_between_surveys",
        &mut out.min_days_between_surveys,
        days,
    );
    f.set(
        "max_surveys_per_session",
        &mut out.max_surveys_per_session,
        whole_u32,
    );
    out
}

pub(super) fn theme(mut t: Obj<'_>) -> Theme {
    Theme {
        accent: t.get("accent", string),
        background: t.get("background", string),
        text: t.get("text", string),
        radius: t.get("radius", whole_u32),
        font: t.get("font", string),
        mode: t.get("mode", color_mode),
    }
}

/// A section of the document: the object under `key` read by `read`, or the
/// default when it is absent or not an object (reported).
pub(super) fn section<T: Default>(
    top: &mut Obj<'_>,
    key: &str,
    read: impl FnOnce(Obj<'_>) -> T,
) -> T {
    top.object(key, read).unwrap_or_default()
}

/// A touchpoint; `None` when any field has the wrong type or a required one
/// is missing (all reported).
pub(super) fn touchpoint(mut t: Obj<'_>) -> Option<Touchpoint> {
    let before = t.problems.len();
    let id = t.required("id", string);
    let stage = t.required("stage", string);
    if t.o.get("question").is_none_or(Value::is_null) {
        let at = t.at("question");
        t.problems.push(problem(at, "missing field"));
    }
    let question = t.object("question", question).flatten();
    let mut out = Touchpoint {
        id: id.unwrap_or_default(),
        stage: stage.unwrap_or_default(),
        enabled: true,
        question: question.clone().unwrap_or(Question {
            kind: QuestionType::Nps,
            text: None,
            follow_up: BTreeMap::new(),
        }),
        when: t.object("when", when).unwrap_or_default(),
        sample_rate: t.get("sample_rate", number),
        recontact_days: t.get("recontact_days", days),
        dismiss_cooldown_days: t.get("dismiss_cooldown_days", days),
        max_responses: t.get("max_responses", whole),
        position: t.get("position", position),
        target: t.object("target", target),
        closed: false,
    };
    t.set("enabled", &mut out.enabled, boolean);
    t.set("closed", &mut out.closed, boolean);
    (t.problems.len() == before && question.is_some()).then_some(out)
}

fn question(mut q: Obj<'_>) -> Option<Question> {
    let kind = q.required("type", question_type);
    let question_text = q.get("text", text);
    let follow_up = q
        .object("follow_up", |mut f| {
            // Bands that do not fit the question were reported as unknown fields.
            let bands = kind.map_or(Vec::new(), |k| k.bands().to_vec());
            let mut out = BTreeMap::new();
            for band in bands {
                if let Some(t) = f.get(band.as_str(), text) {
                    out.insert(band, t);
                }
            }
            out
        })
        .unwrap_or_default();
    Some(Question {
        kind: kind?,
        text: question_text,
        follow_up,
    })
}

fn when(mut w: Obj<'_>) -> When {
    let mut out = When {
        url: w.get("url", strings),
        ..When::default()
    };
    w.set("on", &mut out.on, trigger);
    w.set("delay_ms", &mut out.delay_ms, whole_u32);
    out
}

fn target(mut t: Obj<'_>) -> Target {
    Target {
        nps: t.get("nps", number),
        ces: t.get("ces", number),
        csat: t.get("csat", number),
    }
}
