//! The survey flow as a reducer: Asking → FollowUp → Thanks → Closed.
//!
//! This is the only place the survey's state changes. Components dispatch
//! [`Action`]s; which events reach the runtime is decided next to the
//! dispatch (see `app.rs`), from the state before the action.

use std::rc::Rc;
use touchpoint_protocol::{Band, QuestionType};
use yew::Reducible;

/// Where the respondent is in the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The scale, no score yet.
    Asking,
    /// A score was chosen and its band has a follow-up question.
    FollowUp(Band),
    /// The short thank-you.
    Thanks,
    /// Closed (by the respondent or by the thank-you timer); only the exit
    /// animation is left.
    Closed,
}

/// The whole state of one survey.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The question asked (decides bands).
    pub question: QuestionType,
    /// Bands that have a follow-up question.
    pub follow_ups: Vec<Band>,
    /// The chosen score, once there is one.
    pub score: Option<u8>,
    /// The current stage.
    pub stage: Stage,
    /// The last stage before `Closed`: what stays on screen while it fades out.
    pub shown: Stage,
}

/// Everything that can happen to a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A score was tapped (first time or changed).
    Select(u8),
    /// The follow-up was sent.
    Send,
    /// The thank-you timer ran out.
    Finish,
    /// The close button or Escape.
    Close,
}

impl State {
    /// A fresh survey for `question`, whose `follow_ups` bands have a follow-up.
    pub fn new(question: QuestionType, follow_ups: Vec<Band>) -> State {
        State {
            question,
            follow_ups,
            score: None,
            stage: Stage::Asking,
            shown: Stage::Asking,
        }
    }

    /// What to render: the current stage, or while closing the one before.
    pub fn view(&self) -> Stage {
        match self.stage {
            Stage::Closed => self.shown,
            s => s,
        }
    }

    /// Whether the scale still takes answers.
    pub fn open(&self) -> bool {
        matches!(self.stage, Stage::Asking | Stage::FollowUp(_))
    }

    /// The state after `action` (pure: no events, no DOM).
    pub fn next(&self, action: Action) -> State {
        let mut s = self.clone();
        match (action, self.stage) {
            (Action::Select(score), Stage::Asking | Stage::FollowUp(_)) => {
                let score = score.clamp(self.question.min(), self.question.max());
                let band = self.question.band(score);
                s.score = Some(score);
                s.stage = if self.follow_ups.contains(&band) {
                    Stage::FollowUp(band)
                } else {
                    Stage::Thanks
                };
            }
            (Action::Send, Stage::FollowUp(_)) | (Action::Finish, Stage::Thanks) => {
                s.stage = if action == Action::Send {
                    Stage::Thanks
                } else {
                    Stage::Closed
                };
            }
            (Action::Close, st) if st != Stage::Closed => s.stage = Stage::Closed,
            _ => {}
        }
        if s.stage != Stage::Closed {
            s.shown = s.stage;
        }
        s
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = self.next(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}
