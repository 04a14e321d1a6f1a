//! Survey-fatigue caps and sampling (issue 5).
//!
//! [`decide`] is the whole rule, pure and tested natively with any clock.
//! `deliver::cap_records` keeps its [`CapState`] in storage.

use crate::clock;
use serde::Serialize;
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

impl Skip {
    /// Short reason, for debug messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::Sampled => "not sampled",
            Skip::Recontact => "answered within recontact_days",
            Skip::Cooldown => "dismissed within dismiss_cooldown_days",
            Skip::MinDaysBetween => "another survey within fatigue.min_days_between_surveys",
            Skip::SessionCap => "fatigue.max_surveys_per_session reached",
            Skip::Closed => "max_responses reached",
        }
    }
}

/// When one touchpoint was last shown, answered and dismissed (ms since epoch).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TouchpointHistory {
    /// Last shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown: Option<f64>,
    /// Last answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered: Option<f64>,
    /// Last dismissed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissed: Option<f64>,
}

/// Everything the caps remember about the respondent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CapState {
    /// When any survey was last shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_shown: Option<f64>,
    /// Per touchpoint id, stored as a JSON object. A Vec: a handful of
    /// entries, and a map type would add its own code to the wasm.
    #[serde(serialize_with = "as_object")]
    pub touchpoints: Vec<(String, TouchpointHistory)>,
    /// Surveys shown in this browser session (kept in sessionStorage, not in
    /// the localStorage record).
    #[serde(skip)]
    pub session_shown: u32,
}

/// Whether `tp` may show to `respondent` at `now_ms`, given what was recorded.
pub fn decide(
    state: &CapState,
    config: &Config,
    tp: &Touchpoint,
    respondent: &str,
    now_ms: f64,
) -> Result<(), Skip> {
    if tp.closed {
        return Err(Skip::Closed);
    }
    if !sampled(config.sample_rate(tp), respondent, &tp.id) {
        return Err(Skip::Sampled);
    }
    let history = state.history(&tp.id);
    let within = |t: Option<f64>, window| clock::within_days(t, window, now_ms);
    if within(history.and_then(|h| h.answered), config.recontact_days(tp)) {
        return Err(Skip::Recontact);
    }
    if within(
        history.and_then(|h| h.dismissed),
        config.dismiss_cooldown_days(tp),
    ) {
        return Err(Skip::Cooldown);
    }
    let max = config.fatigue.max_surveys_per_session;
    if max > 0 && state.session_shown >= max {
        return Err(Skip::SessionCap);
    }
    if within(state.last_shown, config.fatigue.min_days_between_surveys) {
        return Err(Skip::MinDaysBetween);
    }
    Ok(())
}

/// Whether `respondent` is in the sample of `touchpoint` at `rate` (0–1).
/// A stable hash of both decides, so reloading never re-rolls the dice, and a
/// respondent in a 10% sample stays in when the rate is raised to 20%.
pub fn sampled(rate: f64, respondent: &str, touchpoint: &str) -> bool {
    if rate >= 1.0 {
        return true;
    }
    rate > 0.0 && unit_hash(respondent, touchpoint) < rate
}

/// FNV-1a over `respondent`, a separator and `touchpoint`, finished with
/// the murmur3 mixer, mapped to [0, 1).
pub fn unit_hash(respondent: &str, touchpoint: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in respondent.bytes().chain([0xff]).chain(touchpoint.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

impl CapState {
    /// Notes that `touchpoint` was shown at `now_ms`.
    pub fn shown(&mut self, touchpoint: &str, now_ms: f64) {
        self.last_shown = Some(now_ms);
        self.session_shown += 1;
        self.entry(touchpoint).shown = Some(now_ms);
    }

    /// Notes that `touchpoint` was answered at `now_ms`.
    pub fn answered(&mut self, touchpoint: &str, now_ms: f64) {
        self.entry(touchpoint).answered = Some(now_ms);
    }

    /// Notes that `touchpoint` was dismissed at `now_ms`.
    pub fn dismissed(&mut self, touchpoint: &str, now_ms: f64) {
        self.entry(touchpoint).dismissed = Some(now_ms);
    }

    /// What was recorded for `touchpoint`, if anything.
    pub fn history(&self, touchpoint: &str) -> Option<&TouchpointHistory> {
        self.touchpoints
            .iter()
            .find(|(id, _)| id == touchpoint)
            .map(|(_, h)| h)
    }

    fn entry(&mut self, touchpoint: &str) -> &mut TouchpointHistory {
        let at = match self.touchpoints.iter().position(|(id, _)| id == touchpoint) {
            Some(at) => at,
            None => {
                self.touchpoints
                    .push((touchpoint.to_string(), TouchpointHistory::default()));
                self.touchpoints.len() - 1
            }
        };
        &mut self.touchpoints[at].1
    }
}

fn as_object<S: serde::Serializer>(
    touchpoints: &[(String, TouchpointHistory)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(touchpoints.iter().map(|(id, h)| (id, h)))
}

#[cfg(test)]
mod tests;
