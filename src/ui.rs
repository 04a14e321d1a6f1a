//! Displaying: the survey UI in a shadow root. The runtime calls only `mount`.
//!
//! DOM (all inside an open shadow root on `<div data-touchpoint-host="<id>">`
//! appended to `<body>`, or on the page's `<div data-touchpoint-inline="<id>">`):
//! `div.tp[lang][dir][data-mode]` > (`div.tp-backdrop` for the modal) >
//! `div.tp-card[role=dialog|region][aria-labelledby=tp-q]` holding the
//! question `p#tp-q`, a Close button, the `role=radiogroup` of
//! `button[role=radio][data-score][aria-checked]`, the follow-up
//! (`textarea#tp-c` + Send) or the `[data-touchpoint-thanks]` message, and an
//! `aria-live="polite"` paragraph.

mod app;
pub mod components;
mod hooks;
mod host;
pub mod state;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use touchpoint_protocol::config::ColorMode;
use touchpoint_protocol::{Band, Position, QuestionType, Theme};
use web_sys::HtmlElement;
use yew::{AppHandle, Callback};

pub use app::question_text;
pub use host::on_color;

/// Everything the UI needs to show one survey, already resolved for the
/// respondent's locale by the runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveySpec {
    /// Touchpoint id (for `data-touchpoint-inline` lookup and labelling).
    pub touchpoint_id: String,
    /// Question type: decides the scale.
    pub question: QuestionType,
    /// Question text in the chosen locale (plain text, never HTML); empty
    /// uses the built-in default question of the locale.
    pub text: String,
    /// Follow-up question per band in the chosen locale; a band without one skips to thanks.
    pub follow_up: Vec<(Band, String)>,
    /// Locale tag used for built-in strings and `lang`/`dir`.
    pub locale: String,
    /// Where it shows.
    pub position: Position,
    /// Theme from the config.
    pub theme: Theme,
    /// Fixed colour scheme, if the config sets one.
    pub mode: Option<ColorMode>,
}

/// What the respondent did; the runtime turns these into responses.
#[derive(Debug, Clone, PartialEq)]
pub enum SurveyEvent {
    /// A score was chosen (again, when changed).
    Answered(u8),
    /// The follow-up comment was sent.
    Comment(String),
    /// Closed before answering (close button or Escape).
    Dismissed,
    /// The survey is gone (thank-you closed itself, or closed after answering).
    Closed,
}

/// A mounted survey; dropping it does not unmount, call `unmount`.
pub struct SurveyHandle {
    slot: Slot,
}

/// The live parts of a mounted survey; `None` once it is gone.
type Slot = Rc<RefCell<Option<Mounted>>>;

struct Mounted {
    host: host::Host,
    app: AppHandle<app::App>,
    return_focus: Option<HtmlElement>,
    _keyboard: Option<host::KeyboardFollow>,
}

impl SurveyHandle {
    /// Removes the survey and its host element from the page (at once, no
    /// exit animation). Does nothing when it is already gone.
    pub fn unmount(self) {
        teardown(&self.slot);
    }

    /// Whether the survey is still on the page.
    pub fn is_mounted(&self) -> bool {
        self.slot.borrow().is_some()
    }
}

/// Renders `spec` into an element that is never attached and drops it in a
/// later task: nothing on the page changes and no event is emitted; only the
/// code (and the shared stylesheet) is ready for the first real survey.
pub fn warm_up(spec: SurveySpec) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(root) = doc.create_element("div") else {
        return;
    };
    host::warm_up();
    host::warm_fonts(
        &spec.theme,
        &format!("{} 0123456789", app::question_text(&spec)),
    );
    let props = app::AppProps {
        spec: Rc::new(spec),
        emit: Callback::noop(),
    };
    let app = yew::Renderer::<app::App>::with_root_and_props(root, props).render();
    host::later(0, move || app.destroy());
}

/// Shows a survey. Returns `None` when it cannot be shown (e.g. the inline
/// host element is missing), without touching the page.
///
/// `on_event` gets `Answered` at once on every score tap (again when the
/// score changes), `Comment` on Send, and exactly one of `Dismissed` (closed
/// before answering) or `Closed` (closed after answering, or the thank-you
/// ran out); after that one the survey removes itself.
pub fn mount(spec: SurveySpec, on_event: Rc<dyn Fn(SurveyEvent)>) -> Option<SurveyHandle> {
    let doc = web_sys::window()?.document()?;
    let host = host::create(&doc, &spec)?;
    let slot: Slot = Rc::default();
    let ended = Cell::new(false);
    let emit = {
        let slot = slot.clone();
        Callback::from(move |ev: SurveyEvent| {
            let ends = matches!(ev, SurveyEvent::Dismissed | SurveyEvent::Closed);
            if ends && ended.replace(true) {
                return;
            }
            on_event(ev);
            if ends {
                // Let the exit animation play, then take the survey away.
                let slot = slot.clone();
                let ms = if hooks::media_matches("(prefers-reduced-motion: reduce)") {
                    0
                } else {
                    200
                };
                host::later(ms, move || teardown(&slot));
            }
        })
    };
    let floating = spec.position != Position::Inline;
    let return_focus = match spec.position {
        Position::Modal => host::active_element(&doc),
        _ => None,
    };
    let props = app::AppProps {
        spec: Rc::new(spec),
        emit,
    };
    let app =
        yew::Renderer::<app::App>::with_root_and_props(host.container.clone(), props).render();
    if host.owned {
        doc.body()?.append_child(&host.element).ok()?;
    }
    let keyboard = floating
        .then(|| host::KeyboardFollow::new(host.vars.clone()))
        .flatten();
    *slot.borrow_mut() = Some(Mounted {
        host,
        app,
        return_focus,
        _keyboard: keyboard,
    });
    Some(SurveyHandle { slot })
}

/// Takes the survey out of the page; the yew app is destroyed on a later
/// task, as this may run inside one of its own callbacks.
fn teardown(slot: &Slot) {
    let Some(m) = slot.borrow_mut().take() else {
        return;
    };
    m.host.remove();
    if let Some(el) = m.return_focus {
        let _ = el.focus();
    }
    let app = m.app;
    host::later(0, move || app.destroy());
}
