//! Typed reads out of a config document, each type error reported at its exact
//! JSON path with what to write instead. The sections built from these reads
//! are in `sections`.
//!
//! Hand-written rather than serde derives: the widget's wasm then carries this
//! one small reader instead of a `Value` deserializer per config type (≈ 14 KB
//! brotli), and the messages speak to the marketer, not to a Rust programmer.

use super::{join, problem, Problem, MAX_DAYS};
use crate::config::{ColorMode, Consent, Position, Text, Trigger};
use crate::hints::{did_you_mean, kind};
use crate::question::QuestionType;
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
    pub(super) o: &'a Map<String, Value>,
    path: String,
    pub(super) problems: &'a mut Vec<Problem>,
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

    pub(super) fn at(&self, key: &str) -> String {
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
    pub(super) fn required<T>(&mut self, key: &str, read: Read<T>) -> Option<T> {
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
    pub(super) fn object<T>(&mut self, key: &str, read: impl FnOnce(Obj<'_>) -> T) -> Option<T> {
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
pub(super) fn got(v: &Value) -> String {
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

pub(super) fn whole(v: &Value) -> Result<u64, Problem> {
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

pub(super) fn days(v: &Value) -> Result<u32, Problem> {
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

/// Only that `v` is an array; its items are read by their own reader.
pub(super) fn array(v: &Value) -> Result<(), Problem> {
    match v {
        Value::Array(_) => Ok(()),
        _ => Err(here(format!("expected an array, got {}", got(v)))),
    }
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
    Err(here(match did_you_mean(s, names.iter().map(|(n, _)| *n)) {
        Some(m) => format!("\"{s}\" is not valid here (did you mean \"{m}\"?)"),
        None => format!("\"{s}\" is not valid here (use one of {})", list()),
    }))
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

pub(super) fn color_mode(v: &Value) -> Result<ColorMode, Problem> {
    one_of(v, &[("light", ColorMode::Light), ("dark", ColorMode::Dark)])
}

pub(super) fn question_type(v: &Value) -> Result<QuestionType, Problem> {
    one_of(v, &QuestionType::ALL.map(|q| (q.as_str(), q)))
}

pub(super) fn trigger(v: &Value) -> Result<Trigger, Problem> {
    Trigger::from_value(v).map_err(here)
}

/// `{"en": "…", "de": "…"}`.
pub(super) fn text(v: &Value) -> Result<Text, Problem> {
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
