//! The closed loop: every answered, non-preview response in a follow-up
//! band (NPS 0–6, CES 1–3, CSAT 1–2) is in the queue as `open`; a team
//! member marks it `contacted`, then `recovered` or `lost` with a note.

use super::StoredResponse;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FollowUpState {
    /// Nobody has acted yet.
    Open,
    /// Someone reached out to the respondent.
    Contacted,
    /// The respondent is happy again.
    Recovered,
    /// They are not.
    Lost,
}

impl FollowUpState {
    pub const ALL: [FollowUpState; 4] = [
        FollowUpState::Open,
        FollowUpState::Contacted,
        FollowUpState::Recovered,
        FollowUpState::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpState::Open => "open",
            FollowUpState::Contacted => "contacted",
            FollowUpState::Recovered => "recovered",
            FollowUpState::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the team still has work to do.
    pub fn to_do(self) -> bool {
        matches!(self, FollowUpState::Open | FollowUpState::Contacted)
    }

    /// Whether a follow-up in this state may move to `to` with `note`.
    pub fn check_step(self, to: FollowUpState, note: Option<&str>) -> Result<(), Refusal> {
        use FollowUpState::*;
        let has_note = note.is_some_and(|n| !n.trim().is_empty());
        match (self, to) {
            (Open, Contacted) => Ok(()),
            (Contacted, Recovered | Lost) if has_note => Ok(()),
            (Contacted, Recovered | Lost) => Err(Refusal::NoteRequired(to)),
            (from, to) => Err(Refusal::OutOfOrder { from, to }),
        }
    }
}

impl fmt::Display for FollowUpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a follow-up step is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No response has this id.
    NotFound,
    /// The response is not in the queue (a promoter, a preview, unanswered).
    NotInQueue,
    OutOfOrder {
        from: FollowUpState,
        to: FollowUpState,
    },
    NoteRequired(FollowUpState),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotFound => f.write_str("no response has this id"),
            Refusal::NotInQueue => f.write_str(
                "this response is not in the follow-up queue (only answered NPS 0–6, CES 1–3 and CSAT 1–2 are)",
            ),
            Refusal::OutOfOrder { from, to } => write!(
                f,
                "this follow-up is {from}; it can go {} (not {to})",
                match from {
                    FollowUpState::Open => "to contacted",
                    FollowUpState::Contacted => "to recovered or lost",
                    _ => "nowhere: it is closed",
                }
            ),
            Refusal::NoteRequired(to) => {
                write!(f, "note: say what happened when marking it {to}")
            }
        }
    }
}

/// What the team recorded about one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub state: FollowUpState,
    pub contacted_at: Option<String>,
    pub contact_note: Option<String>,
    pub closed_at: Option<String>,
    pub outcome_note: Option<String>,
}

impl FollowUp {
    pub fn open() -> FollowUp {
        FollowUp {
            state: FollowUpState::Open,
            contacted_at: None,
            contact_note: None,
            closed_at: None,
            outcome_note: None,
        }
    }
}

/// A queue entry: the response and its follow-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpItem {
    pub response: StoredResponse,
    pub follow_up: FollowUp,
}

/// Queue entries per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FollowUpCounts {
    pub open: u64,
    pub contacted: u64,
    pub recovered: u64,
    pub lost: u64,
}

impl FollowUpCounts {
    pub fn add(&mut self, state: FollowUpState, n: u64) {
        match state {
            FollowUpState::Open => self.open += n,
            FollowUpState::Contacted => self.contacted += n,
            FollowUpState::Recovered => self.recovered += n,
            FollowUpState::Lost => self.lost += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.open + self.contacted + self.recovered + self.lost
    }

    /// recovered ÷ (recovered + lost); `None` until one is closed.
    pub fn recovery_rate(&self) -> Option<f64> {
        let closed = self.recovered + self.lost;
        (closed > 0).then(|| self.recovered as f64 / closed as f64)
    }
}

/// Whether a stored response belongs in the queue (the Rust twin of
/// `store::sql::needs_follow_up`).
pub fn in_queue(question: &str, score: Option<u8>, status: &str, preview: bool) -> bool {
    let q = touchpoint_protocol::QuestionType::parse(question);
    status == "answered"
        && !preview
        && matches!((q, score), (Some(q), Some(s)) if q.band(s).needs_follow_up())
}

/// What a backend found about a response, decided: the state the step
/// starts from, or why it is refused.
pub struct Subject {
    pub question: String,
    pub score: Option<u8>,
    pub status: String,
    pub preview: bool,
    pub state: Option<String>,
}

impl Subject {
    pub fn decide(&self, to: FollowUpState, note: Option<&str>) -> Result<FollowUpState, Refusal> {
        if !in_queue(&self.question, self.score, &self.status, self.preview) {
            return Err(Refusal::NotInQueue);
        }
        let from = self
            .state
            .as_deref()
            .and_then(FollowUpState::parse)
            .unwrap_or(FollowUpState::Open);
        from.check_step(to, note).map(|()| from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FollowUpState::*;

    #[test]
    fn contacted_then_recovered_or_lost_with_a_note() {
        assert_eq!(Open.check_step(Contacted, None), Ok(()));
        assert_eq!(Contacted.check_step(Recovered, Some("refunded")), Ok(()));
        assert_eq!(Contacted.check_step(Lost, Some("cancelled")), Ok(()));
        assert_eq!(
            Contacted.check_step(Lost, Some("  ")),
            Err(Refusal::NoteRequired(Lost))
        );
        assert_eq!(
            Open.check_step(Recovered, Some("x")),
            Err(Refusal::OutOfOrder {
                from: Open,
                to: Recovered
            })
        );
        assert!(Recovered.check_step(Lost, Some("x")).is_err());
        assert!(Contacted.check_step(Contacted, None).is_err());
        assert!(Refusal::OutOfOrder {
            from: Open,
            to: Lost
        }
        .to_string()
        .contains("to contacted"));
    }

    #[test]
    fn recovery_rate_counts_closed_ones_only() {
        let mut c = FollowUpCounts::default();
        assert_eq!(c.recovery_rate(), None);
        c.add(Open, 5);
        c.add(Contacted, 1);
        c.add(Recovered, 2);
        c.add(Lost, 1);
        assert_eq!(c.total(), 9);
        assert!((c.recovery_rate().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }
}
