//! The journey report, as pure maths over counted responses: the store
//! counts, this module turns counts into scores with margins, response
//! rates, trends and target flags. The JSON API and the dashboard both show
//! what [`build`] returns.

pub mod period;
pub mod query;

use crate::clock;
use crate::model::{CountRow, FollowUpCounts};
use period::{Granularity, Period};
use query::Selection;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use touchpoint_protocol::config::Touchpoint;
use touchpoint_protocol::score::{mean, nps_from_counts};
use touchpoint_protocol::{Band, Config, QuestionType, Status};

/// NPS at or above this is shown as good, below 0 as bad, fair between.
pub const NPS_GOOD: f64 = 30.0;

/// How a score reads at a glance (the colour on the journey map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Bad,
    Fair,
    Good,
}

impl Tone {
    /// NPS: below 0 bad, from [`NPS_GOOD`] good. CES and CSAT: the band of
    /// the rounded mean (low bad, neutral fair, high good).
    pub fn of(question: QuestionType, value: f64) -> Tone {
        match question {
            QuestionType::Nps if value < 0.0 => Tone::Bad,
            QuestionType::Nps if value < NPS_GOOD => Tone::Fair,
            QuestionType::Nps => Tone::Good,
            q => match q.band(value.round().clamp(0.0, 10.0) as u8) {
                Band::Low | Band::Detractor => Tone::Bad,
                Band::Neutral | Band::Passive => Tone::Fair,
                Band::High | Band::Promoter => Tone::Good,
            },
        }
    }
}

/// A score over a set of answers: NPS, or the mean for CES and CSAT.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub question: QuestionType,
    /// NPS (−100…100), or the mean score.
    pub value: f64,
    /// Half-width of the 95% confidence interval, in the value's unit.
    pub margin95: f64,
    /// Answers.
    pub n: u64,
    /// Answers per band (NPS: detractor, passive, promoter; CES and CSAT:
    /// low, neutral, high).
    pub bands: BTreeMap<Band, u64>,
    pub tone: Tone,
}

/// Answers on one score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ScoreCount {
    pub score: u8,
    pub n: u64,
}

/// One trend bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// Start of the bucket (RFC 3339).
    pub start: String,
    /// Answers in the bucket.
    pub n: u64,
    /// Score of the bucket's answers; `None` without answers.
    pub value: Option<f64>,
    pub margin95: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchpointReport {
    pub id: String,
    pub stage: String,
    pub question: QuestionType,
    pub enabled: bool,
    /// `None` without answers in the period.
    pub score: Option<Score>,
    /// Answered responses.
    pub answers: u64,
    /// Responses shown (every response was shown, whatever became of it).
    pub shown: u64,
    /// answers ÷ shown; `None` when nothing was shown.
    pub response_rate: Option<f64>,
    /// The config's target for this question type.
    pub target: Option<f64>,
    /// The score is under the target.
    pub below_target: bool,
    /// Answers per score, low to high, zeros included.
    pub distribution: Vec<ScoreCount>,
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageReport {
    pub stage: String,
    /// The stage's touchpoints in config order.
    pub touchpoints: Vec<TouchpointReport>,
    /// One score per question type asked in the stage (NPS, CES, CSAT order).
    pub scores: Vec<Score>,
    pub answers: u64,
    pub shown: u64,
    pub response_rate: Option<f64>,
}

/// The report's echo of what it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filters {
    pub stage: Option<String>,
    pub touchpoint: Option<String>,
    /// `key=value` on respondent attributes.
    pub attribute: Option<String>,
}

/// The closed loop over the report's responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpSummary {
    #[serde(flatten)]
    pub counts: FollowUpCounts,
    /// Detractors and high-effort answers in the period.
    pub total: u64,
    /// recovered ÷ (recovered + lost); `None` until one is closed.
    pub recovery_rate: Option<f64>,
}

impl From<FollowUpCounts> for FollowUpSummary {
    fn from(counts: FollowUpCounts) -> Self {
        FollowUpSummary {
            counts,
            total: counts.total(),
            recovery_rate: counts.recovery_rate(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Start of the period (inclusive, RFC 3339).
    pub from: String,
    /// End of the period (exclusive, RFC 3339).
    pub to: String,
    /// Trend bucket size.
    pub granularity: Granularity,
    pub filters: Filters,
    /// Stages in the config's journey order.
    pub journey: Vec<StageReport>,
    pub follow_ups: FollowUpSummary,
}

/// Responses shown and answered, and answers per score (index = score).
#[derive(Debug, Clone, Default)]
struct Tally {
    shown: u64,
    answered: u64,
    scores: [u64; 11],
}

impl Tally {
    fn add(&mut self, row: &CountRow) {
        self.shown += row.n;
        if let (Status::Answered, Some(s)) = (row.status, row.score) {
            self.answered += row.n;
            self.scores[usize::from(s.min(10))] += row.n;
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.shown += other.shown;
        self.answered += other.answered;
        for (a, b) in self.scores.iter_mut().zip(other.scores) {
            *a += b;
        }
    }

    fn rate(&self) -> Option<f64> {
        (self.shown > 0).then(|| self.answered as f64 / self.shown as f64)
    }
}

/// The score of `counts` (answers per score) for `question`; `None` without answers.
pub fn score(question: QuestionType, counts: &[u64; 11]) -> Option<Score> {
    let mut bands = BTreeMap::new();
    for s in question.scores() {
        *bands.entry(question.band(s)).or_insert(0) += counts[usize::from(s)];
    }
    let (value, margin95, n) = match question {
        QuestionType::Nps => {
            let s = nps_from_counts(
                bands[&Band::Promoter],
                bands[&Band::Passive],
                bands[&Band::Detractor],
            )?;
            (s.nps, s.margin95, s.n)
        }
        q => {
            let answers = q
                .scores()
                .flat_map(|s| std::iter::repeat_n(s, counts[usize::from(s)] as usize));
            let s = mean(q, answers)?;
            (s.mean, s.margin95, s.n)
        }
    };
    Some(Score {
        question,
        value,
        margin95,
        n,
        bands,
        tone: Tone::of(question, value),
    })
}

fn target_for(t: &Touchpoint) -> Option<f64> {
    let target = t.target.as_ref()?;
    match t.question.kind {
        QuestionType::Nps => target.nps,
        QuestionType::Ces => target.ces,
        QuestionType::Csat => target.csat,
    }
}

/// Per touchpoint: the whole period, and each trend bucket.
struct TouchpointTallies {
    total: Tally,
    buckets: Vec<Tally>,
}

fn tally(
    config: &Config,
    period: &Period,
    rows: &[CountRow],
) -> HashMap<String, TouchpointTallies> {
    let mut out: HashMap<String, TouchpointTallies> = HashMap::new();
    for row in rows {
        // Rows of touchpoints no longer configured, or asked with another
        // question type before the config changed, belong to no column.
        let Some(t) = config.touchpoint(&row.touchpoint) else {
            continue;
        };
        if t.question.kind != row.question {
            continue;
        }
        let entry = out
            .entry(row.touchpoint.clone())
            .or_insert_with(|| TouchpointTallies {
                total: Tally::default(),
                buckets: vec![Tally::default(); period.buckets()],
            });
        entry.total.add(row);
        if let Some(b) = usize::try_from(row.bucket)
            .ok()
            .and_then(|i| entry.buckets.get_mut(i))
        {
            b.add(row);
        }
    }
    out
}

fn touchpoint_report(
    t: &Touchpoint,
    period: &Period,
    tallies: Option<&TouchpointTallies>,
) -> TouchpointReport {
    let q = t.question.kind;
    let empty = Tally::default();
    let total = tallies.map_or(&empty, |x| &x.total);
    let overall = score(q, &total.scores);
    let target = target_for(t);
    let trend = (0..period.buckets())
        .map(|i| {
            let b = tallies.and_then(|x| x.buckets.get(i)).unwrap_or(&empty);
            let s = score(q, &b.scores);
            TrendPoint {
                start: clock::rfc3339(period.bucket_start(i)),
                n: b.answered,
                value: s.as_ref().map(|s| s.value),
                margin95: s.as_ref().map(|s| s.margin95),
            }
        })
        .collect();
    TouchpointReport {
        id: t.id.clone(),
        stage: t.stage.clone(),
        question: q,
        enabled: t.enabled,
        below_target: matches!((&overall, target), (Some(s), Some(min)) if s.value < min),
        score: overall,
        answers: total.answered,
        shown: total.shown,
        response_rate: total.rate(),
        target,
        distribution: q
            .scores()
            .map(|s| ScoreCount {
                score: s,
                n: total.scores[usize::from(s)],
            })
            .collect(),
        trend,
    }
}

/// The journey report for `selection` from the store's counts.
pub fn build(
    config: &Config,
    selection: &Selection,
    rows: &[CountRow],
    follow_ups: FollowUpCounts,
) -> Report {
    let period = &selection.period;
    let tallies = tally(config, period, rows);
    let mut journey = Vec::new();
    for stage in &config.journey {
        if selection.stage.as_ref().is_some_and(|s| s != stage) {
            continue;
        }
        let touchpoints: Vec<&Touchpoint> = config
            .touchpoints
            .iter()
            .filter(|t| &t.stage == stage)
            .filter(|t| selection.touchpoint.as_ref().is_none_or(|id| id == &t.id))
            .collect();
        if touchpoints.is_empty() && selection.touchpoint.is_some() {
            continue;
        }
        let mut all = Tally::default();
        let mut per_question: BTreeMap<usize, Tally> = BTreeMap::new();
        for t in &touchpoints {
            if let Some(x) = tallies.get(&t.id) {
                all.merge(&x.total);
                let key = QuestionType::ALL.iter().position(|q| *q == t.question.kind);
                per_question
                    .entry(key.unwrap_or(0))
                    .or_default()
                    .merge(&x.total);
            }
        }
        journey.push(StageReport {
            stage: stage.clone(),
            scores: per_question
                .iter()
                .filter_map(|(k, tally)| score(QuestionType::ALL[*k], &tally.scores))
                .collect(),
            answers: all.answered,
            shown: all.shown,
            response_rate: all.rate(),
            touchpoints: touchpoints
                .iter()
                .map(|t| touchpoint_report(t, period, tallies.get(&t.id)))
                .collect(),
        });
    }
    Report {
        from: clock::rfc3339(period.from),
        to: clock::rfc3339(period.to),
        granularity: period.granularity,
        filters: Filters {
            stage: selection.stage.clone(),
            touchpoint: selection.touchpoint.clone(),
            attribute: selection
                .attribute
                .as_ref()
                .map(|(k, v)| format!("{k}={v}")),
        },
        journey,
        follow_ups: follow_ups.into(),
    }
}

#[cfg(test)]
mod tests;
