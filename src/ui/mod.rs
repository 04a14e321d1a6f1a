//! Displaying: the survey UI in a shadow root. The runtime calls only `mount`.

use std::rc::Rc;
use touchpoint_protocol::config::ColorMode;
use touchpoint_protocol::{Band, Position, QuestionType, Theme};

/// Everything the UI needs to show one survey, already resolved for the
/// respondent's locale by the runtime.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveySpec {
    /// Touchpoint id (for `data-touchpoint-inline` lookup and labelling).
    pub touchpoint_id: String,
    /// Question type: decides the scale.
    pub question: QuestionType,
    /// Question text in the chosen locale (plain text, never HTML).
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
    _private: (),
}

impl SurveyHandle {
    /// Removes the survey and its host element from the page.
    pub fn unmount(self) {}
}

/// Shows a survey. Returns `None` when it cannot be shown (e.g. the inline
/// host element is missing), without touching the page.
pub fn mount(spec: SurveySpec, on_event: Rc<dyn Fn(SurveyEvent)>) -> Option<SurveyHandle> {
    let _ = (spec, on_event);
    None
}
