//! Each part of the document read into its typed form with [`read`](super::read):
//! the top-level sections and one touchpoint with its question, `when` and
//! target. Rules across fields are checked afterwards, in `document` and
//! `touchpoint`.

use super::problem;
use super::read::{
    boolean, color_mode, days, number, position, question_type, string, strings, text, trigger,
    whole, whole_u32, Obj,
};
use crate::config::{Defaults, Fatigue, Question, Target, Theme, Touchpoint, When};
use crate::question::QuestionType;
use serde_json::Value;
use std::collections::BTreeMap;

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
