use super::*;
use crate::clock::DAY_MS;

const T0: f64 = 1_795_428_000_000.0; // 2026-11-23T10:00:00Z

fn config(json: &str) -> Config {
    touchpoint_protocol::parse_config(json).unwrap().config
}

fn two_touchpoints(extra: &str) -> Config {
    config(&format!(
        r#"{{"version":1,{extra}
        "touchpoints":[
          {{"id":"a","stage":"purchase","question":{{"type":"nps"}}}},
          {{"id":"b","stage":"support","question":{{"type":"ces"}},"recontact_days":2,"dismiss_cooldown_days":1}}
        ]}}"#
    ))
}

fn run(state: &CapState, c: &Config, id: &str, now: f64) -> Result<(), Skip> {
    decide(state, c, c.touchpoint(id).unwrap(), "respondent-1", now)
}

#[test]
fn fresh_respondent_may_see_any_touchpoint() {
    let c = two_touchpoints("");
    assert_eq!(run(&CapState::default(), &c, "a", T0), Ok(()));
    assert_eq!(run(&CapState::default(), &c, "b", T0), Ok(()));
}

#[test]
fn closed_touchpoint_never_shows() {
    let mut c = two_touchpoints("");
    c.touchpoints[0].closed = true;
    assert_eq!(run(&CapState::default(), &c, "a", T0), Err(Skip::Closed));
    assert_eq!(run(&CapState::default(), &c, "b", T0), Ok(()));
}

#[test]
fn recontact_days_after_an_answer() {
    let c = two_touchpoints(r#""fatigue":{"max_surveys_per_session":0},"#);
    let mut s = CapState::default();
    s.shown("a", T0);
    s.answered("a", T0);
    // defaults.recontact_days = 30
    assert_eq!(run(&s, &c, "a", T0 + 29.9 * DAY_MS), Err(Skip::Recontact));
    assert_eq!(run(&s, &c, "a", T0 + 30.0 * DAY_MS), Ok(()));
    // other touchpoints are not affected by a's answer
    assert_eq!(run(&s, &c, "b", T0 + DAY_MS), Ok(()));
    // b overrides to 2 days
    s.answered("b", T0);
    assert_eq!(run(&s, &c, "b", T0 + 1.9 * DAY_MS), Err(Skip::Recontact));
    assert_eq!(run(&s, &c, "b", T0 + 2.0 * DAY_MS), Ok(()));
}

#[test]
fn dismiss_cooldown_defaults_to_seven_days() {
    let c = two_touchpoints(r#""fatigue":{"max_surveys_per_session":0},"#);
    let mut s = CapState::default();
    s.dismissed("a", T0);
    assert_eq!(run(&s, &c, "a", T0 + 6.9 * DAY_MS), Err(Skip::Cooldown));
    assert_eq!(run(&s, &c, "a", T0 + 7.0 * DAY_MS), Ok(()));
    s.dismissed("b", T0);
    assert_eq!(run(&s, &c, "b", T0 + 0.5 * DAY_MS), Err(Skip::Cooldown));
    assert_eq!(run(&s, &c, "b", T0 + DAY_MS), Ok(()));
}

#[test]
fn min_days_between_surveys_across_touchpoints() {
    let c =
        two_touchpoints(r#""fatigue":{"min_days_between_surveys":3,"max_surveys_per_session":0},"#);
    let mut s = CapState::default();
    s.shown("a", T0);
    assert_eq!(
        run(&s, &c, "b", T0 + 2.9 * DAY_MS),
        Err(Skip::MinDaysBetween)
    );
    assert_eq!(run(&s, &c, "b", T0 + 3.0 * DAY_MS), Ok(()));
}

#[test]
fn session_cap_counts_surveys_shown_this_session() {
    let c = two_touchpoints(r#""fatigue":{"max_surveys_per_session":1},"#);
    let mut s = CapState::default();
    s.shown("a", T0);
    assert_eq!(run(&s, &c, "b", T0 + 365.0 * DAY_MS), Err(Skip::SessionCap));
    s.session_shown = 0; // a new browser session
    assert_eq!(run(&s, &c, "b", T0 + 1.0), Ok(()));
    let unlimited = two_touchpoints(r#""fatigue":{"max_surveys_per_session":0},"#);
    s.session_shown = 1000;
    assert_eq!(run(&s, &unlimited, "b", T0), Ok(()));
}

#[test]
fn zero_windows_mean_no_limit() {
    let c = config(
        r#"{"version":1,"defaults":{"recontact_days":0,"dismiss_cooldown_days":0},
        "fatigue":{"max_surveys_per_session":0},
        "touchpoints":[{"id":"a","stage":"purchase","question":{"type":"nps"}}]}"#,
    );
    let mut s = CapState::default();
    s.shown("a", T0);
    s.answered("a", T0);
    s.dismissed("a", T0);
    assert_eq!(run(&s, &c, "a", T0), Ok(()));
}

#[test]
fn sampling_is_stable_and_close_to_the_rate() {
    let ids: Vec<String> = (0..20_000).map(|i| format!("respondent-{i}")).collect();
    for rate in [0.1, 0.5, 0.9] {
        let n = ids.iter().filter(|r| sampled(rate, r, "tp")).count();
        let share = n as f64 / ids.len() as f64;
        assert!((share - rate).abs() < 0.015, "rate {rate}: got {share}");
    }
    for r in ids.iter().take(100) {
        assert_eq!(sampled(0.5, r, "tp"), sampled(0.5, r, "tp"));
        // raising the rate keeps everyone who was in
        assert!(!sampled(0.2, r, "tp") || sampled(0.4, r, "tp"));
    }
    assert!(ids.iter().all(|r| sampled(1.0, r, "tp")));
    assert!(!ids.iter().any(|r| sampled(0.0, r, "tp")));
    // different touchpoints draw independently
    let both = ids
        .iter()
        .filter(|r| sampled(0.5, r, "a") && sampled(0.5, r, "b"))
        .count() as f64
        / ids.len() as f64;
    assert!((both - 0.25).abs() < 0.015, "joint share {both}");
}

#[test]
fn sample_rate_applies_in_decide() {
    let c = config(
        r#"{"version":1,"touchpoints":[{"id":"a","stage":"purchase","question":{"type":"nps"},"sample_rate":0.5}]}"#,
    );
    let tp = c.touchpoint("a").unwrap();
    let s = CapState::default();
    let results: Vec<_> = (0..200)
        .map(|i| decide(&s, &c, tp, &format!("r{i}"), T0))
        .collect();
    assert!(results.contains(&Err(Skip::Sampled)));
    assert!(results.contains(&Ok(())));
}

#[test]
fn unit_hash_is_pinned() {
    // Same values as the JavaScript copy in tests/e2e/caps.test.mjs computes;
    // changing the hash re-rolls every respondent's sample.
    assert_eq!(unit_hash("e2e-respondent-0", "tp-a"), 0.7011600903482123);
    assert_eq!(
        unit_hash("respondent-1", "order-confirmed"),
        0.23368976014905285
    );
    assert_eq!(unit_hash("", ""), 0.10835817485022992);
}
