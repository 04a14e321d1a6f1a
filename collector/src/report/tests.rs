//! The report's numbers on a hand-counted set of responses.

use super::*;
use serde_json::json;
use touchpoint_protocol::parse_config;

fn config() -> Config {
    let text = json!({
        "version": 1,
        "journey": ["awareness", "purchase", "support"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}, "target": {"nps": 30}},
            {"id": "checkout-csat", "stage": "purchase", "question": {"type": "csat"}},
            {"id": "help", "stage": "support", "question": {"type": "ces"}, "target": {"ces": 5}}
        ]
    });
    parse_config(&text.to_string()).unwrap().config
}

fn selection(stage: Option<&str>, touchpoint: Option<&str>) -> Selection {
    Selection {
        period: Period::resolve(Some("2026-11-01"), Some("2026-11-07"), None, 0).unwrap(),
        stage: stage.map(Into::into),
        touchpoint: touchpoint.map(Into::into),
        attribute: None,
    }
}

fn answered(tp: &str, q: QuestionType, score: u8, bucket: i64) -> CountRow {
    CountRow {
        touchpoint: tp.into(),
        question: q,
        status: Status::Answered,
        score: Some(score),
        bucket,
        n: 1,
    }
}

fn unanswered(tp: &str, q: QuestionType, status: Status, n: u64) -> CountRow {
    CountRow {
        touchpoint: tp.into(),
        question: q,
        status,
        score: None,
        bucket: 3,
        n,
    }
}

/// order-confirmed: 5 promoters on day 0, 3 passives and 2 detractors on
/// day 2, 5 more shown and 1 dismissed; help: CES 7, 5, 3, 1; checkout-csat:
/// CSAT 4 and 5; plus rows that must not count.
fn rows() -> Vec<CountRow> {
    use QuestionType::*;
    let mut rows = Vec::new();
    for s in [10, 10, 10, 9, 9] {
        rows.push(answered("order-confirmed", Nps, s, 0));
    }
    for s in [7, 8, 8, 3, 6] {
        rows.push(answered("order-confirmed", Nps, s, 2));
    }
    rows.push(unanswered("order-confirmed", Nps, Status::Shown, 5));
    rows.push(unanswered("order-confirmed", Nps, Status::Dismissed, 1));
    for s in [7, 5, 3, 1] {
        rows.push(answered("help", Ces, s, 1));
    }
    rows.push(answered("checkout-csat", Csat, 4, 6));
    rows.push(answered("checkout-csat", Csat, 5, 6));
    // A removed touchpoint, and answers from before order-confirmed was NPS.
    rows.push(answered("gone", Nps, 0, 0));
    rows.push(answered("order-confirmed", Csat, 1, 0));
    rows
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn tp<'a>(r: &'a Report, id: &str) -> &'a TouchpointReport {
    r.journey
        .iter()
        .flat_map(|s| &s.touchpoints)
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("{id} in the report"))
}

#[test]
fn nps_margin_rate_and_target_of_a_touchpoint() {
    let r = build(
        &config(),
        &selection(None, None),
        &rows(),
        Default::default(),
    );
    let t = tp(&r, "order-confirmed");
    let s = t.score.as_ref().unwrap();
    // 5 promoters, 3 passives, 2 detractors of 10: NPS 50 − 20 = 30.
    assert!(close(s.value, 30.0), "{}", s.value);
    // Var = (p + d − (p − d)²) / n = (0.5 + 0.2 − 0.09) / 10 = 0.061.
    assert!(close(s.margin95, 196.0 * 0.061f64.sqrt()), "{}", s.margin95);
    assert_eq!(s.n, 10);
    assert_eq!(
        s.bands,
        BTreeMap::from([
            (Band::Detractor, 2),
            (Band::Passive, 3),
            (Band::Promoter, 5)
        ])
    );
    assert_eq!(s.tone, Tone::Good);
    // Shown: 10 answered + 5 shown + 1 dismissed; 10 of 16 answered.
    assert_eq!((t.answers, t.shown), (10, 16));
    assert!(close(t.response_rate.unwrap(), 0.625));
    assert_eq!(t.target, Some(30.0));
    assert!(!t.below_target, "exactly on target is not under it");
    let dist: Vec<u64> = t.distribution.iter().map(|d| d.n).collect();
    assert_eq!(dist, [0, 0, 0, 1, 0, 0, 1, 1, 2, 2, 3]);
}

#[test]
fn trend_buckets_per_day() {
    let r = build(
        &config(),
        &selection(None, None),
        &rows(),
        Default::default(),
    );
    assert_eq!(r.granularity, Granularity::Day);
    assert_eq!(
        (r.from.as_str(), r.to.as_str()),
        ("2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z")
    );
    let trend = &tp(&r, "order-confirmed").trend;
    assert_eq!(trend.len(), 7);
    assert_eq!(trend[0].start, "2026-11-01T00:00:00Z");
    assert_eq!(trend[2].start, "2026-11-03T00:00:00Z");
    let values: Vec<Option<f64>> = trend.iter().map(|p| p.value).collect();
    // Day 0: all promoters; day 2: 0 promoters, 2 detractors of 5 → −40.
    assert_eq!(
        values,
        [Some(100.0), None, Some(-40.0), None, None, None, None]
    );
    assert_eq!(trend[0].margin95, Some(0.0));
    // Var = (0 + 0.4 − 0.16) / 5 = 0.048.
    assert!(close(trend[2].margin95.unwrap(), 196.0 * 0.048f64.sqrt()));
    assert_eq!(trend.iter().map(|p| p.n).sum::<u64>(), 10);
}

#[test]
fn means_for_ces_and_csat_and_the_stage_scores() {
    let r = build(
        &config(),
        &selection(None, None),
        &rows(),
        Default::default(),
    );
    let help = tp(&r, "help");
    let s = help.score.as_ref().unwrap();
    assert!(close(s.value, 4.0));
    // Sample sd = sqrt(20 / 3); margin = 1.96 × sd / sqrt(4).
    assert!(close(s.margin95, 1.96 * (20.0f64 / 3.0).sqrt() / 2.0));
    assert_eq!(s.tone, Tone::Fair, "mean 4 is CES neutral");
    assert!(help.below_target, "4 is under the CES target 5");
    assert_eq!(help.response_rate, Some(1.0));

    let stages: Vec<&str> = r.journey.iter().map(|s| s.stage.as_str()).collect();
    assert_eq!(
        stages,
        ["awareness", "purchase", "support"],
        "config order, empty stages too"
    );
    let purchase = &r.journey[1];
    let ids: Vec<&str> = purchase.touchpoints.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["order-confirmed", "checkout-csat"]);
    assert_eq!(purchase.scores.len(), 2, "one score per question type");
    assert_eq!(purchase.scores[0].question, QuestionType::Nps);
    assert!(close(purchase.scores[0].value, 30.0));
    let csat = &purchase.scores[1];
    // CSAT 4 and 5: mean 4.5, sd sqrt(0.5), margin 1.96 × sqrt(0.5) / sqrt(2).
    assert!(close(csat.value, 4.5) && close(csat.margin95, 0.98));
    assert_eq!((purchase.answers, purchase.shown), (12, 18));
    assert!(r.journey[0].touchpoints.is_empty() && r.journey[0].response_rate.is_none());
}

#[test]
fn a_touchpoint_without_answers_has_no_score_and_is_not_flagged() {
    let r = build(&config(), &selection(None, None), &[], Default::default());
    let t = tp(&r, "order-confirmed");
    assert_eq!(
        (t.score.as_ref(), t.answers, t.shown, t.response_rate),
        (None, 0, 0, None)
    );
    assert!(!t.below_target);
    assert!(t.trend.iter().all(|p| p.value.is_none() && p.n == 0));
}

#[test]
fn one_more_detractor_drops_under_target() {
    let mut rows = rows();
    rows.push(answered("order-confirmed", QuestionType::Nps, 0, 4));
    let r = build(&config(), &selection(None, None), &rows, Default::default());
    let t = tp(&r, "order-confirmed");
    // 5 promoters, 3 detractors of 11: 100 × 2 / 11.
    assert!(close(t.score.as_ref().unwrap().value, 200.0 / 11.0));
    assert!(t.below_target);
    assert_eq!(t.score.as_ref().unwrap().tone, Tone::Fair);
}

#[test]
fn stage_and_touchpoint_filters_narrow_the_journey() {
    let r = build(
        &config(),
        &selection(Some("support"), None),
        &rows(),
        Default::default(),
    );
    assert_eq!(r.journey.len(), 1);
    assert_eq!(r.journey[0].stage, "support");
    let r = build(
        &config(),
        &selection(None, Some("checkout-csat")),
        &rows(),
        Default::default(),
    );
    assert_eq!(r.journey.len(), 1);
    assert_eq!(r.journey[0].touchpoints.len(), 1);
    assert_eq!(r.filters.touchpoint.as_deref(), Some("checkout-csat"));
}

#[test]
fn tones() {
    use QuestionType::*;
    assert_eq!(Tone::of(Nps, -0.1), Tone::Bad);
    assert_eq!(Tone::of(Nps, 0.0), Tone::Fair);
    assert_eq!(Tone::of(Nps, NPS_GOOD), Tone::Good);
    assert_eq!(Tone::of(Ces, 3.4), Tone::Bad);
    assert_eq!(Tone::of(Csat, 3.0), Tone::Fair);
    assert_eq!(Tone::of(Csat, 3.5), Tone::Good);
}

#[test]
fn the_json_shape() {
    let r = build(
        &config(),
        &selection(None, Some("help")),
        &rows(),
        Default::default(),
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["granularity"], "day");
    let t = &v["journey"][0]["touchpoints"][0];
    assert_eq!(t["id"], "help");
    assert_eq!(t["question"], "ces");
    assert_eq!(
        t["score"]["bands"],
        json!({"low": 2, "neutral": 0, "high": 2})
    );
    assert_eq!(t["score"]["tone"], "fair");
    assert_eq!(t["distribution"][0], json!({"score": 1, "n": 1}));
}
