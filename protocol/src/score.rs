//! NPS, CES and CSAT maths for reports.

use crate::question::{Band, QuestionType};

/// Net Promoter Score of a set of answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpsSummary {
    /// Number of answers.
    pub n: u64,
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// % promoters − % detractors, from −100 to 100.
    pub nps: f64,
    /// Half-width of the 95% confidence interval, in NPS points.
    pub margin95: f64,
}

/// NPS from individual scores (0–10); `None` without answers.
pub fn nps<I: IntoIterator<Item = u8>>(scores: I) -> Option<NpsSummary> {
    let (mut p, mut pa, mut d) = (0u64, 0u64, 0u64);
    for s in scores {
        match QuestionType::Nps.band(s) {
            Band::Promoter => p += 1,
            Band::Passive => pa += 1,
            _ => d += 1,
        }
    }
    nps_from_counts(p, pa, d)
}

/// NPS from band counts; the margin follows from the promoter and detractor
/// proportions: Var(NPS) = (p + d − (p − d)²) / n.
pub fn nps_from_counts(promoters: u64, passives: u64, detractors: u64) -> Option<NpsSummary> {
    let n = promoters + passives + detractors;
    if n == 0 {
        return None;
    }
    let (p, d) = (promoters as f64 / n as f64, detractors as f64 / n as f64);
    let var = (p + d - (p - d).powi(2)) / n as f64;
    Some(NpsSummary {
        n,
        promoters,
        passives,
        detractors,
        nps: 100.0 * (p - d),
        margin95: 100.0 * 1.96 * var.max(0.0).sqrt(),
    })
}

/// Mean score (CES, CSAT) with its 95% margin of error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanSummary {
    /// Number of answers.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Half-width of the 95% confidence interval of the mean.
    pub margin95: f64,
    /// Answers in the low band (CES 1–3, CSAT 1–2).
    pub low: u64,
}

/// Mean of CES or CSAT scores; `None` without answers.
pub fn mean<I: IntoIterator<Item = u8>>(question: QuestionType, scores: I) -> Option<MeanSummary> {
    let scores: Vec<f64> = scores.into_iter().map(f64::from).collect();
    let n = scores.len();
    if n == 0 {
        return None;
    }
    let m = scores.iter().sum::<f64>() / n as f64;
    let var = if n > 1 {
        scores.iter().map(|s| (s - m).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let low = scores
        .iter()
        .filter(|s| question.band(**s as u8) == Band::Low)
        .count() as u64;
    Some(MeanSummary {
        n: n as u64,
        mean: m,
        margin95: 1.96 * (var / n as f64).sqrt(),
        low,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_of_a_known_set() {
        // 5 promoters, 3 passives, 2 detractors: NPS = 50 − 20 = 30.
        let s = nps([10, 9, 9, 10, 9, 7, 8, 8, 3, 6]).unwrap();
        assert_eq!((s.promoters, s.passives, s.detractors, s.n), (5, 3, 2, 10));
        assert!((s.nps - 30.0).abs() < 1e-9);
        // Var = (0.5 + 0.2 − 0.09) / 10 = 0.061; margin = 196 × sqrt(0.061).
        assert!(
            (s.margin95 - 196.0 * 0.061f64.sqrt()).abs() < 1e-9,
            "{}",
            s.margin95
        );
    }

    #[test]
    fn all_promoters_have_no_margin() {
        let s = nps([9, 10, 10]).unwrap();
        assert_eq!(s.nps, 100.0);
        assert_eq!(s.margin95, 0.0);
        assert!(nps([]).is_none());
    }

    #[test]
    fn ces_mean_and_margin() {
        let s = mean(QuestionType::Ces, [7, 5, 3, 1]).unwrap();
        assert_eq!(s.mean, 4.0);
        assert_eq!(s.low, 2);
        // sd = sqrt(20/3); margin = 1.96 × sd / 2.
        assert!((s.margin95 - 1.96 * (20.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-9);
    }
}
