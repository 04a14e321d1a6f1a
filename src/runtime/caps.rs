//! Survey-fatigue caps and sampling (issue 5).
//! STUB: the delivery work fills this in; signatures are the contract.

use touchpoint_protocol::{Config, Touchpoint};

/// Why a touchpoint may not show now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Not in this touchpoint's sample (decided once per respondent).
    Sampled,
    /// Answered within `recontact_days`.
    Recontact,
    /// Dismissed within `dismiss_cooldown_days`.
    Cooldown,
    /// Another survey was shown within `fatigue.min_days_between_surveys`.
    MinDaysBetween,
    /// `fatigue.max_surveys_per_session` reached.
    SessionCap,
    /// The collector reports `max_responses` reached.
    Closed,
}

/// Whether `tp` may show to `respondent` at `now_ms`.
pub fn check(config: &Config, tp: &Touchpoint, respondent: &str, now_ms: f64) -> Result<(), Skip> {
    let _ = (config, respondent, now_ms);
    if tp.closed {
        return Err(Skip::Closed);
    }
    Ok(())
}

/// Records that `touchpoint` was shown.
pub fn record_shown(touchpoint: &str, now_ms: f64) {
    let _ = (touchpoint, now_ms);
}

/// Records that `touchpoint` was answered.
pub fn record_answered(touchpoint: &str, now_ms: f64) {
    let _ = (touchpoint, now_ms);
}

/// Records that `touchpoint` was dismissed.
pub fn record_dismissed(touchpoint: &str, now_ms: f64) {
    let _ = (touchpoint, now_ms);
}
