//! How numbers read on the dashboard.

use crate::report::{Score, Tone};
use touchpoint_protocol::{Band, QuestionType};

/// NPS as a whole number, means with one decimal.
pub fn value(q: QuestionType, v: f64) -> String {
    match q {
        QuestionType::Nps => format!("{v:.0}"),
        _ => format!("{v:.1}"),
    }
}

/// `± 48` or `± 2.5`.
pub fn margin(q: QuestionType, m: f64) -> String {
    format!("± {}", value(q, m))
}

/// `NPS 30 ± 48`.
pub fn score(s: &Score) -> String {
    format!(
        "{} {} {}",
        label(s.question),
        value(s.question, s.value),
        margin(s.question, s.margin95)
    )
}

pub fn label(q: QuestionType) -> &'static str {
    match q {
        QuestionType::Nps => "NPS",
        QuestionType::Ces => "CES",
        QuestionType::Csat => "CSAT",
    }
}

/// `63%`.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".into(), |r| format!("{:.0}%", r * 100.0))
}

pub fn tone_class(tone: Option<Tone>) -> &'static str {
    match tone {
        Some(Tone::Good) => "tone-good",
        Some(Tone::Fair) => "tone-fair",
        Some(Tone::Bad) => "tone-bad",
        None => "tone-none",
    }
}

pub fn tone_name(tone: Option<Tone>) -> &'static str {
    match tone {
        Some(Tone::Good) => "good",
        Some(Tone::Fair) => "fair",
        Some(Tone::Bad) => "bad",
        None => "no answers",
    }
}

pub fn band_class(b: Band) -> &'static str {
    match b {
        Band::Detractor | Band::Low => "tone-bad",
        Band::Passive | Band::Neutral => "tone-fair",
        Band::Promoter | Band::High => "tone-good",
    }
}

/// `2026-11-23 10:00 UTC` from an RFC 3339 time, or the text as sent.
pub fn time(rfc3339: &str) -> String {
    match crate::clock::epoch_seconds(rfc3339) {
        Some(t) => {
            let s = crate::clock::rfc3339(t);
            match (s.get(..10), s.get(11..16)) {
                (Some(day), Some(hm)) => format!("{day} {hm} UTC"),
                _ => s,
            }
        }
        None => rfc3339.to_string(),
    }
}

/// `plan=pro, country=DE`.
pub fn attributes(a: &serde_json::Map<String, serde_json::Value>) -> String {
    a.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A touchpoint id as one URL path segment.
pub fn path_segment(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
