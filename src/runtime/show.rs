//! Showing a survey and turning what the respondent does into responses,
//! window events and cap records.

use super::dom;
use super::page::{with, Runtime, Visible};
use super::privacy;
use crate::clock;
use crate::decide::fire::{self, Origin};
use crate::decide::survey::{self, Context, Detail};
use crate::deliver::{cap_records, outbox};
use crate::ui::{self, SurveyEvent, SurveySpec};
use std::rc::Rc;
use touchpoint_protocol::response::MAX_COMMENT_CHARS;
use touchpoint_protocol::{Response, Status};

/// Touchpoints that fired together: the first in config order that may show, shows.
pub fn fire(mut fired: Vec<usize>) {
    // Lowest index first, each once; a handful of entries, so picking the
    // minimum each time beats adding a sort instantiation to the wasm.
    while let Some(index) = fired.iter().copied().min() {
        fired.retain(|&i| i != index);
        if try_show(index, Origin::Trigger) {
            break;
        }
    }
}

/// Renders the first armed touchpoint's survey once, off-page, while the
/// browser is idle: wasm compiles lazily, function by function, so the first
/// real show would otherwise pay for compiling the whole UI path.
pub fn warm_up() {
    let spec = with(|rt| {
        let index = rt.first_armed().filter(|_| rt.visible.is_none())?;
        let tp = rt.config.touchpoints.get(index)?;
        Some(survey::spec(&rt.config, tp, &rt.locales))
    });
    if let Some(spec) = spec.flatten() {
        ui::warm_up(spec);
    }
}

struct Prepared {
    spec: SurveySpec,
    response: Response,
}

/// Shows touchpoint `index` unless a survey is already visible or the checks
/// for `origin` refuse it. Returns whether it is on screen.
pub fn try_show(index: usize, origin: Origin) -> bool {
    let Some(prep) = with(|rt| rt.prepare(index, origin)).flatten() else {
        return false;
    };
    let id = prep.response.response_id.clone();
    let touchpoint = prep.response.touchpoint.clone();
    let for_events = id.clone();
    let on_event: Rc<dyn Fn(SurveyEvent)> = Rc::new(move |ev| on_survey_event(&for_events, ev));
    let Some(handle) = ui::mount(prep.spec, on_event) else {
        with(|rt| rt.visible = None);
        dom::warn(&format!("touchpoint \"{touchpoint}\" could not be shown (for position \"inline\", add <div data-touchpoint-inline=\"{touchpoint}\"> to the page)"));
        return false;
    };
    let stray = with(|rt| match rt.visible.as_mut() {
        Some(v) if v.response.response_id == id => {
            v.handle = Some(handle);
            None
        }
        _ => Some(handle),
    });
    if let Some(Some(h)) = stray {
        // Closed before mount returned: nothing holds it any more.
        h.unmount();
    }
    outbox::send(&prep.response);
    if !prep.response.preview {
        cap_records::record_shown(&touchpoint, clock::now_ms());
    }
    dom::dispatch("shown", &Detail::of(&prep.response));
    true
}

impl Runtime {
    fn prepare(&mut self, index: usize, origin: Origin) -> Option<Prepared> {
        if self.visible.is_some() {
            return None;
        }
        let tp = self.config.touchpoints.get(index)?;
        if !self.privacy_allows() {
            if origin != Origin::Trigger {
                dom::warn(&format!(
                    "touchpoint \"{}\" not shown: consent or Global Privacy Control keeps surveys off",
                    tp.id
                ));
            }
            return None;
        }
        let now = clock::now_ms();
        let respondent = privacy::respondent_id();
        let verdict = match origin {
            Origin::Preview => Ok(()),
            _ => cap_records::check(&self.config, tp, &respondent, now),
        };
        if !fire::caps_allow(origin, verdict) {
            return None;
        }
        let spec = survey::spec(&self.config, tp, &self.locales);
        let ctx = Context {
            response_id: privacy::random_uuid(),
            respondent,
            attributes: self.attributes.clone(),
            locale: spec.locale.clone(),
            page_url: privacy::strip_url(&dom::location().href, &self.config.keep_query_params),
            occurred_at: clock::rfc3339(now),
            preview: origin == Origin::Preview,
        };
        let response = survey::shown(tp, ctx);
        self.visible = Some(Visible {
            index,
            response: response.clone(),
            handle: None,
            answered: false,
        });
        Some(Prepared { spec, response })
    }

    fn survey_event(&mut self, id: &str, ev: SurveyEvent) -> Effects {
        let mut fx = Effects::default();
        let Some(v) = self
            .visible
            .as_mut()
            .filter(|v| v.response.response_id == id)
        else {
            return fx;
        };
        let r = &mut v.response;
        let mut close = false;
        match ev {
            SurveyEvent::Answered(score) if r.question.accepts(i64::from(score)) => {
                r.status = Status::Answered;
                r.score = Some(score);
                if !v.answered {
                    fx.record = Some(Status::Answered);
                }
                v.answered = true;
                fx.dispatch = Some("answered");
            }
            SurveyEvent::Comment(text) if v.answered => {
                let text: String = text.trim().chars().take(MAX_COMMENT_CHARS).collect();
                r.comment = Some(text).filter(|t| !t.is_empty());
            }
            SurveyEvent::Dismissed if !v.answered => {
                r.status = Status::Dismissed;
                fx.record = Some(Status::Dismissed);
                fx.dispatch = Some("dismissed");
                close = true;
            }
            SurveyEvent::Dismissed | SurveyEvent::Closed => {
                fx.unmount = self.visible.take();
                return fx;
            }
            // A score off the scale or a comment before a score: ignored.
            _ => return fx,
        }
        let mut sent = v.response.clone();
        sent.occurred_at = clock::rfc3339(clock::now_ms());
        sent.attributes = self.attributes.clone();
        fx.send = Some(sent);
        if close {
            fx.unmount = self.visible.take();
        }
        fx
    }
}

/// What to do once the state is released.
#[derive(Default)]
struct Effects {
    send: Option<Response>,
    record: Option<Status>,
    dispatch: Option<&'static str>,
    /// The survey that ended (the UI takes itself away).
    unmount: Option<Visible>,
}

impl Effects {
    fn run(self) {
        // The UI removes itself after Dismissed or Closed (with its exit
        // animation): the handle is only let go.
        drop(self.unmount);
        let Some(r) = self.send else {
            return;
        };
        outbox::send(&r);
        if !r.preview {
            let now = clock::now_ms();
            match self.record {
                Some(Status::Answered) => cap_records::record_answered(&r.touchpoint, now),
                Some(Status::Dismissed) => cap_records::record_dismissed(&r.touchpoint, now),
                _ => {}
            }
        }
        if let Some(name) = self.dispatch {
            dom::dispatch(name, &Detail::of(&r));
        }
    }
}

fn on_survey_event(id: &str, ev: SurveyEvent) {
    if let Some(fx) = with(|rt| rt.survey_event(id, ev)) {
        fx.run();
    }
}

/// Removes the visible survey at once, sending nothing (consent withdrawn).
pub fn withdraw() {
    let handle = with(|rt| rt.visible.take())
        .flatten()
        .and_then(|v| v.handle);
    if let Some(h) = handle {
        // After the current call stack: it may be a UI callback.
        dom::soon(move || h.unmount());
    }
}
