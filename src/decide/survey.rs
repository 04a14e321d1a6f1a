//! Turning a touchpoint into what the UI shows and what the collector
//! receives. Pure: no DOM, tested in `decide/tests.rs`.

use super::locale;
use crate::ui::SurveySpec;
use serde_json::{Map, Value};
use touchpoint_protocol::{Config, QuestionType, Response, Status, Touchpoint};

/// The survey for `tp` in the best of `candidates` locales. The question's
/// locale decides the survey's (and the response's) locale; follow-ups pick
/// their own best text with the same preferences.
pub fn spec(config: &Config, tp: &Touchpoint, candidates: &[String]) -> SurveySpec {
    let default = config.defaults.locale.as_str();
    let q = &tp.question;
    let (text, locale) = match &q.text {
        Some(text) => {
            let keys = text.0.keys().map(String::as_str);
            match locale::choose(keys, candidates, default).and_then(|k| text.0.get_key_value(k)) {
                Some((k, v)) => (v.clone(), k.clone()),
                None => (String::new(), default.to_string()),
            }
        }
        None => builtin(q.kind, candidates, default),
    };
    let follow_up = q
        .follow_up
        .iter()
        .filter_map(|(band, t)| t.pick(candidates, default).map(|s| (*band, s.to_string())))
        .collect();
    SurveySpec {
        touchpoint_id: tp.id.clone(),
        question: q.kind,
        text,
        follow_up,
        locale,
        position: config.position(tp),
        theme: config.theme.clone(),
        mode: config.theme.mode,
    }
}

/// The built-in question (for CES the CES 2.0 statement) in the best locale
/// the widget ships strings for, and that locale.
fn builtin(kind: QuestionType, candidates: &[String], default: &str) -> (String, String) {
    let shipped = |tag: &str| {
        let lang = tag.split(['-', '_']).next().unwrap_or("");
        crate::i18n::strings(tag).lang.eq_ignore_ascii_case(lang)
    };
    let locale = candidates
        .iter()
        .map(String::as_str)
        .chain([default])
        .find(|c| shipped(c))
        .unwrap_or("en");
    let text = crate::i18n::strings(locale).default_question(kind);
    (text.to_string(), locale.to_string())
}

/// Everything a response carries besides the touchpoint and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Random UUID v4, the same for every state change of one survey.
    pub response_id: String,
    /// `privacy::respondent_id()`.
    pub respondent: String,
    /// Attributes from `touchpoint.identify`.
    pub attributes: Map<String, Value>,
    /// The survey's locale.
    pub locale: String,
    /// The page, stripped of query and fragment.
    pub page_url: String,
    /// RFC 3339 time of the state change.
    pub occurred_at: String,
    /// Shown through `?touchpoint_preview=`.
    pub preview: bool,
}

/// The `shown` response for `tp`.
pub fn shown(tp: &Touchpoint, ctx: Context) -> Response {
    Response {
        response_id: ctx.response_id,
        touchpoint: tp.id.clone(),
        stage: tp.stage.clone(),
        question: tp.question.kind,
        score: None,
        comment: None,
        status: Status::Shown,
        respondent: ctx.respondent,
        attributes: ctx.attributes,
        locale: Some(ctx.locale),
        page_url: Some(ctx.page_url),
        occurred_at: ctx.occurred_at,
        widget_version: Some(touchpoint_protocol::VERSION.to_string()),
        preview: ctx.preview,
    }
}

/// Merges `touchpoint.identify` attributes into `current`: a `null` value
/// removes its key, other values must be strings, numbers or booleans, and
/// at most 20 keys are kept. Returns a console message per refused key.
pub fn merge_attributes(
    current: &mut Map<String, Value>,
    incoming: Map<String, Value>,
) -> Vec<String> {
    use touchpoint_protocol::response::{attributes, MAX_ATTRIBUTES};
    let mut refused = Vec::new();
    for (k, v) in incoming {
        if v.is_null() {
            // Rebuilt without the key rather than `remove`: a map's removal
            // (rebalancing) code is large in the wasm, and there are ≤ 20 keys.
            if current.contains_key(&k) {
                let old = std::mem::take(current);
                current.extend(old.into_iter().filter(|(key, _)| *key != k));
            }
            continue;
        }
        let mut one = Map::new();
        one.insert(k.clone(), v);
        if let Err(e) = attributes(Some(&Value::Object(one.clone()))) {
            refused.push(format!("identify(): {e}; \"{k}\" was left out"));
            continue;
        }
        if !current.contains_key(&k) && current.len() >= MAX_ATTRIBUTES {
            refused.push(format!(
                "identify(): at most {MAX_ATTRIBUTES} attributes are kept; \"{k}\" was left out"
            ));
            continue;
        }
        current.extend(one);
    }
    refused
}

/// Detail of the `touchpoint:shown|answered|dismissed` window events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Journey stage.
    pub stage: String,
    /// Question type.
    pub question: QuestionType,
    /// The score, for `answered`.
    pub score: Option<u8>,
}

impl Detail {
    /// The detail for a response's current state.
    pub fn of(r: &Response) -> Detail {
        Detail {
            touchpoint: r.touchpoint.clone(),
            stage: r.stage.clone(),
            question: r.question,
            score: r.score.filter(|_| r.status == Status::Answered),
        }
    }
}
