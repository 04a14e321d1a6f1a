use super::*;

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

#[test]
fn storage_backed_wrappers_record_and_check() {
    storage::clear_all();
    let c = two_touchpoints(r#""fatigue":{"max_surveys_per_session":5},"#);
    let a = c.touchpoint("a").unwrap();
    assert_eq!(check(&c, a, "r", T0), Ok(()));
    record_shown("a", T0);
    record_dismissed("a", T0 + 1.0);
    assert_eq!(check(&c, a, "r", T0 + 2.0), Err(Skip::Cooldown));
    let state = load();
    assert_eq!(state.session_shown, 1);
    assert_eq!(state.last_shown, Some(T0));
    record_answered("a", T0 + 3.0);
    assert_eq!(load().history("a").and_then(|h| h.answered), Some(T0 + 3.0));
    forget();
    assert_eq!(load(), CapState::default());
    assert_eq!(check(&c, a, "r", T0 + 4.0), Ok(()));
}

#[test]
fn stored_state_round_trips_and_damage_reads_as_empty() {
    let mut s = CapState::default();
    s.shown("a", T0);
    s.answered("a", T0 + 1.0);
    s.dismissed("b", T0 + 2.0);
    let text = serde_json::to_string(&s).unwrap();
    let mut back = CapState::from_json(&text);
    back.session_shown = s.session_shown;
    assert_eq!(back, s);
    assert_eq!(CapState::from_json("garbage"), CapState::default());
    assert_eq!(
        CapState::from_json(r#"{"last_shown":"x","touchpoints":{"a":{"shown":true}}}"#)
            .history("a"),
        Some(&TouchpointHistory::default())
    );
}
