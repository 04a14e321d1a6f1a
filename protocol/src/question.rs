//! Question types, their scales and score bands.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of question a touchpoint asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum QuestionType {
    /// Net Promoter Score: 0–10.
    Nps,
    /// Customer Effort Score (CES 2.0): 1–7, "strongly disagree" … "strongly agree".
    Ces,
    /// Customer satisfaction: 1–5.
    Csat,
}

impl QuestionType {
    /// All question types, in a stable order.
    pub const ALL: [QuestionType; 3] = [QuestionType::Nps, QuestionType::Ces, QuestionType::Csat];

    /// Wire name (`nps`, `ces`, `csat`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::Nps => "nps",
            QuestionType::Ces => "ces",
            QuestionType::Csat => "csat",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.as_str() == s)
    }

    /// Lowest score on the scale.
    pub fn min(self) -> u8 {
        match self {
            QuestionType::Nps => 0,
            QuestionType::Ces | QuestionType::Csat => 1,
        }
    }

    /// Highest score on the scale.
    pub fn max(self) -> u8 {
        match self {
            QuestionType::Nps => 10,
            QuestionType::Ces => 7,
            QuestionType::Csat => 5,
        }
    }

    /// Every score on the scale, low to high.
    pub fn scores(self) -> std::ops::RangeInclusive<u8> {
        self.min()..=self.max()
    }

    /// Whether `score` is on this question's scale.
    pub fn accepts(self, score: i64) -> bool {
        score >= i64::from(self.min()) && score <= i64::from(self.max())
    }

    /// The band a score falls in (NPS: detractor 0–6, passive 7–8, promoter 9–10;
    /// CES: low 1–3, neutral 4, high 5–7; CSAT: low 1–2, neutral 3, high 4–5).
    /// Scores off the scale are clamped to it.
    pub fn band(self, score: u8) -> Band {
        let score = score.clamp(self.min(), self.max());
        match self {
            QuestionType::Nps => match score {
                0..=6 => Band::Detractor,
                7..=8 => Band::Passive,
                _ => Band::Promoter,
            },
            QuestionType::Ces => match score {
                1..=3 => Band::Low,
                4 => Band::Neutral,
                _ => Band::High,
            },
            QuestionType::Csat => match score {
                1..=2 => Band::Low,
                3 => Band::Neutral,
                _ => Band::High,
            },
        }
    }

    /// The bands this question's follow-ups may be keyed by, low to high.
    pub fn bands(self) -> [Band; 3] {
        match self {
            QuestionType::Nps => [Band::Detractor, Band::Passive, Band::Promoter],
            QuestionType::Ces | QuestionType::Csat => [Band::Low, Band::Neutral, Band::High],
        }
    }
}

impl fmt::Display for QuestionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A score band, used to pick the follow-up question and to colour reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// NPS 0–6.
    Detractor,
    /// NPS 7–8.
    Passive,
    /// NPS 9–10.
    Promoter,
    /// CES 1–3, CSAT 1–2.
    Low,
    /// CES 4, CSAT 3.
    Neutral,
    /// CES 5–7, CSAT 4–5.
    High,
}

impl Band {
    /// Wire name of the band.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Detractor => "detractor",
            Band::Passive => "passive",
            Band::Promoter => "promoter",
            Band::Low => "low",
            Band::Neutral => "neutral",
            Band::High => "high",
        }
    }

    /// Whether an answer in this band calls for a follow-up by the team
    /// (NPS detractors, CES/CSAT low).
    pub fn needs_follow_up(self) -> bool {
        matches!(self, Band::Detractor | Band::Low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_bands_follow_the_standard_cut_points() {
        let q = QuestionType::Nps;
        let bands: Vec<_> = q.scores().map(|s| q.band(s)).collect();
        assert_eq!(bands[..7], [Band::Detractor; 7]);
        assert_eq!(bands[7..9], [Band::Passive; 2]);
        assert_eq!(bands[9..], [Band::Promoter; 2]);
    }

    #[test]
    fn ces_and_csat_bands() {
        assert_eq!(QuestionType::Ces.band(3), Band::Low);
        assert_eq!(QuestionType::Ces.band(4), Band::Neutral);
        assert_eq!(QuestionType::Ces.band(5), Band::High);
        assert_eq!(QuestionType::Csat.band(2), Band::Low);
        assert_eq!(QuestionType::Csat.band(3), Band::Neutral);
        assert_eq!(QuestionType::Csat.band(4), Band::High);
    }

    #[test]
    fn scales_accept_only_their_range() {
        assert!(QuestionType::Nps.accepts(0) && QuestionType::Nps.accepts(10));
        assert!(!QuestionType::Nps.accepts(11) && !QuestionType::Nps.accepts(-1));
        assert!(!QuestionType::Ces.accepts(0) && !QuestionType::Ces.accepts(8));
        assert!(QuestionType::Csat.accepts(5) && !QuestionType::Csat.accepts(6));
    }

    #[test]
    fn wire_names_round_trip() {
        for q in QuestionType::ALL {
            assert_eq!(QuestionType::parse(q.as_str()), Some(q));
        }
        assert_eq!(QuestionType::parse("NPS"), None);
    }
}
