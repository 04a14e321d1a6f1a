//! The widget's pure decisions, natively (`cargo test -p touchpoint-widget
//! --lib`) and in wasm: which touchpoint fires, navigation plans, scroll and
//! exit intent, caps by origin, config warnings, locale choice, survey specs,
//! responses and identify attributes. The browser side is in `tests/runtime.rs`.

use super::caps::Skip;
use super::fire::{self, NavPlan, Origin};
use super::locale;
use super::survey::{self, Context, Detail};
use serde_json::{json, Map, Value};
use touchpoint_protocol::{parse_config, Band, Config, Position, QuestionType, Status};
use wasm_bindgen_test::wasm_bindgen_test;

fn config(v: Value) -> Config {
    let parsed = parse_config(&v.to_string()).expect("usable config");
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    parsed.config
}

fn tp(id: &str, when: Value) -> Value {
    json!({"id": id, "stage": "purchase", "question": {"type": "nps"}, "when": when})
}

fn shop() -> Config {
    config(json!({"version": 1, "touchpoints": [
        tp("thanks", json!({"url": ["/checkout/thank-you*"], "on": {"event": "order_completed"}})),
        tp("help", json!({"url": ["/help/*"], "on": {"scroll_percent": 60}})),
        tp("everywhere", json!({"on": "load"})),
        tp("exit", json!({"url": ["/pricing"], "on": {"exit_intent": true}})),
        tp("full", json!({"url": ["https://shop.example/help/*"]})),
        {"id": "off", "stage": "purchase", "enabled": false, "question": {"type": "nps"}},
    ]}))
}

// ---------- which touchpoints fire ----------

#[wasm_bindgen_test(unsupported = test)]
fn armed_on_matches_url_globs_in_config_order_and_skips_disabled() {
    let c = shop();
    let at = |path: &str| fire::armed_on(&c, path, &format!("https://shop.example{path}"));
    assert_eq!(at("/checkout/thank-you?x=1"), vec![0, 2]);
    assert_eq!(at("/help/returns"), vec![1, 2, 4]);
    assert_eq!(at("/pricing"), vec![2, 3]);
    assert_eq!(at("/pricing/extra"), vec![2]);
    assert_eq!(
        fire::armed_on(&c, "/help/x", "http://other.example/help/x"),
        vec![1, 2]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn navigation_to_another_path_rearms_everything() {
    let c = shop();
    let plan = fire::plan_navigation(&c, &[2, 3], false, "/help/a", "https://shop.example/help/a");
    assert_eq!(
        plan,
        NavPlan {
            disarm: vec![2, 3],
            arm: vec![1, 2, 4]
        }
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn navigation_on_the_same_path_keeps_what_still_matches() {
    let c = config(json!({"version": 1, "touchpoints": [
        tp("hash", json!({"url": ["http*#/help*"]})),
        tp("page", json!({"url": ["/app"]})),
    ]}));
    let plan = fire::plan_navigation(&c, &[1], true, "/app", "https://a.example/app#/help/x");
    assert_eq!(
        plan,
        NavPlan {
            disarm: vec![],
            arm: vec![0]
        }
    );
    let plan = fire::plan_navigation(&c, &[0, 1], true, "/app", "https://a.example/app#/home");
    assert_eq!(
        plan,
        NavPlan {
            disarm: vec![0],
            arm: vec![]
        }
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn events_scroll_and_exit_select_only_their_waiting_touchpoints() {
    let c = shop();
    let all: Vec<usize> = (0..c.touchpoints.len()).collect();
    assert_eq!(fire::on_event(&c, &all, "order_completed"), vec![0]);
    assert_eq!(
        fire::on_event(&c, &[1, 2], "order_completed"),
        Vec::<usize>::new()
    );
    assert_eq!(
        fire::on_event(&c, &all, "Order_Completed"),
        Vec::<usize>::new()
    );
    assert_eq!(fire::on_scroll(&c, &all, 59.9), Vec::<usize>::new());
    assert_eq!(fire::on_scroll(&c, &all, 60.0), vec![1]);
    assert_eq!(fire::on_exit_intent(&c, &all), vec![3]);
}

#[wasm_bindgen_test(unsupported = test)]
fn scroll_percent_is_where_the_viewport_bottom_is() {
    assert_eq!(fire::scroll_percent(0.0, 1000.0, 4000.0), 25.0);
    assert_eq!(fire::scroll_percent(1400.0, 1000.0, 4000.0), 60.0);
    assert_eq!(fire::scroll_percent(3000.0, 1000.0, 4000.0), 100.0);
    assert_eq!(
        fire::scroll_percent(0.0, 1000.0, 800.0),
        100.0,
        "short page"
    );
    assert_eq!(fire::scroll_percent(0.0, 0.0, 0.0), 100.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn exit_intent_is_leaving_through_the_top_with_nowhere_to_go() {
    assert!(fire::is_exit_intent(-3, false));
    assert!(fire::is_exit_intent(0, false));
    assert!(
        !fire::is_exit_intent(5, false),
        "left through a side or the bottom"
    );
    assert!(
        !fire::is_exit_intent(-3, true),
        "moved onto another element"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn preview_id_is_read_from_the_query_string() {
    assert_eq!(
        fire::preview_id("?touchpoint_preview=order-confirmed").as_deref(),
        Some("order-confirmed")
    );
    assert_eq!(
        fire::preview_id("?a=1&touchpoint_preview=x%2Ey&b").as_deref(),
        Some("x.y")
    );
    assert_eq!(fire::preview_id("?touchpoint_preview="), None);
    assert_eq!(fire::preview_id("?touchpoint_previews=x"), None);
    assert_eq!(fire::preview_id(""), None);
}

#[wasm_bindgen_test(unsupported = test)]
fn caps_apply_by_origin() {
    for skip in [
        Skip::Sampled,
        Skip::Recontact,
        Skip::SessionCap,
        Skip::Closed,
    ] {
        assert!(!fire::caps_allow(Origin::Trigger, Err(skip)));
        assert!(fire::caps_allow(Origin::Preview, Err(skip)));
    }
    assert!(fire::caps_allow(Origin::Api, Err(Skip::Sampled)));
    assert!(fire::caps_allow(Origin::Api, Err(Skip::MinDaysBetween)));
    assert!(
        !fire::caps_allow(Origin::Api, Err(Skip::Closed)),
        "a closed touchpoint stays closed"
    );
    assert!(fire::caps_allow(Origin::Trigger, Ok(())));
}

#[wasm_bindgen_test(unsupported = test)]
fn broken_touchpoints_get_one_warning_each_with_all_their_problems() {
    let mut tps: Vec<Value> = (0..11).map(|i| tp(&format!("ok{i}"), json!({}))).collect();
    tps[1] =
        json!({"id": "typo", "stage": "purchse", "sampel_rate": 1, "question": {"type": "nps"}});
    tps[10] = json!({"stage": "purchase", "question": {"type": "nps"}});
    let parsed = parse_config(&json!({"version": 1, "bogus": 1, "touchpoints": tps}).to_string())
        .expect("usable");
    let (per_tp, general) = fire::disabled_warnings(&parsed.disabled, &parsed.problems);
    let names: Vec<&str> = per_tp.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["typo", "touchpoints[10]"]);
    assert_eq!(per_tp[0].1.len(), 2, "{:?}", per_tp[0].1);
    assert!(per_tp[0].1.iter().any(|p| {
        p == "touchpoints[1].stage: \"purchse\" is not a journey stage (did you mean \"purchase\"?)"
    }));
    assert!(per_tp[0]
        .1
        .iter()
        .any(|p| p == "touchpoints[1].sampel_rate: unknown field, did you mean sample_rate?"));
    assert!(per_tp[1].1.iter().all(|p| p.starts_with("touchpoints[10]")));
    assert_eq!(general.len(), 1);
    assert!(general[0].starts_with("bogus: unknown field"));
}

#[wasm_bindgen_test(unsupported = test)]
fn find_names_what_is_wrong() {
    let c = shop();
    assert_eq!(fire::find(&c, &[], "exit").map(|(i, _)| i), Ok(3));
    assert_eq!(
        fire::find(&c, &["broken".into()], "broken").map(|(i, _)| i),
        Err("touchpoint \"broken\" is disabled by config problems (see the warning above)".into())
    );
    assert_eq!(
        fire::find(&c, &[], "nope").map(|(i, _)| i),
        Err("no touchpoint \"nope\" in the config".into())
    );
}

// ---------- locale ----------

#[wasm_bindgen_test(unsupported = test)]
fn locale_candidates_put_the_override_first_and_drop_repeats() {
    let nav = vec!["fr-CA".to_string(), "fr".to_string(), "EN".to_string()];
    assert_eq!(
        locale::candidates(Some("de-AT"), Some("en"), &nav),
        ["de-AT", "en", "fr-CA", "fr"]
    );
    assert_eq!(
        locale::candidates(None, Some(" "), &nav),
        ["fr-CA", "fr", "EN"]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn locale_choice_exact_then_language_then_default() {
    let keys = ["en", "de", "pt-BR"];
    let pick = |c: &[&str]| {
        let c: Vec<String> = c.iter().map(|s| s.to_string()).collect();
        locale::choose(keys, &c, "en")
    };
    assert_eq!(pick(&["de-AT"]), Some("de"));
    assert_eq!(pick(&["pt-br"]), Some("pt-BR"));
    assert_eq!(pick(&["fr", "de"]), Some("de"));
    assert_eq!(pick(&["fr"]), Some("en"));
    assert_eq!(locale::choose(["de"], &[], "en"), None);
}

// ---------- surveys and responses ----------

fn texts() -> Config {
    config(
        json!({"version": 1, "defaults": {"position": "bottom-left"}, "touchpoints": [
            {"id": "nps", "stage": "purchase", "position": "modal",
             "question": {"type": "nps",
                "text": {"en": "Recommend us?", "de": "Empfehlen?"},
                "follow_up": {"detractor": {"en": "Fix what?"}, "promoter": {"en": "Liked?", "de": "Gefallen?"}}}},
            {"id": "ces", "stage": "support", "question": {"type": "ces"}},
        ]}),
    )
}

#[wasm_bindgen_test(unsupported = test)]
fn spec_picks_texts_for_the_locale_and_resolves_the_position() {
    let c = texts();
    let s = survey::spec(&c, &c.touchpoints[0], &["de-CH".to_string()]);
    assert_eq!(s.text, "Empfehlen?");
    assert_eq!(s.locale, "de");
    assert_eq!(s.question, QuestionType::Nps);
    assert_eq!(s.position, Position::Modal);
    assert_eq!(
        s.follow_up,
        vec![
            (Band::Detractor, "Fix what?".to_string()),
            (Band::Promoter, "Gefallen?".to_string())
        ]
    );
    let s = survey::spec(&c, &c.touchpoints[0], &["ja".to_string()]);
    assert_eq!(
        (s.text.as_str(), s.locale.as_str()),
        ("Recommend us?", "en")
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_question_without_text_uses_the_built_in_one() {
    let c = texts();
    let s = survey::spec(&c, &c.touchpoints[1], &["de-DE".to_string()]);
    assert_eq!(s.locale, "de-DE");
    let de = crate::i18n::strings("de").default_question(QuestionType::Ces);
    assert_eq!(s.text, de);
    assert_eq!(s.position, Position::BottomLeft);
    let s = survey::spec(&c, &c.touchpoints[1], &["xx".to_string()]);
    assert_eq!(s.locale, "en");
    assert_eq!(s.text, touchpoint_protocol::config::CES_DEFAULT_TEXT);
}

#[wasm_bindgen_test(unsupported = test)]
fn shown_response_carries_touchpoint_stage_and_context() {
    let c = texts();
    let mut attributes = Map::new();
    attributes.insert("plan".into(), json!("pro"));
    let r = survey::shown(
        &c.touchpoints[1],
        Context {
            response_id: "0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90".into(),
            respondent: "r1".into(),
            attributes,
            locale: "en".into(),
            page_url: "https://shop.example/help".into(),
            occurred_at: "2026-11-23T10:00:00Z".into(),
            preview: true,
        },
    );
    let wire: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(wire["touchpoint"], "ces");
    assert_eq!(wire["stage"], "support");
    assert_eq!(wire["question"], "ces");
    assert_eq!(wire["status"], "shown");
    assert_eq!(wire["score"], Value::Null);
    assert_eq!(wire["preview"], true);
    assert_eq!(wire["attributes"], json!({"plan": "pro"}));
    assert_eq!(wire["widget_version"], touchpoint_protocol::VERSION);
    touchpoint_protocol::Response::from_json(&r.to_json()).expect("the collector accepts it");

    let mut answered = r.clone();
    assert_eq!(Detail::of(&answered).score, None);
    answered.status = Status::Answered;
    answered.score = Some(4);
    assert_eq!(
        Detail::of(&answered),
        Detail {
            touchpoint: "ces".into(),
            stage: "support".into(),
            question: QuestionType::Ces,
            score: Some(4)
        }
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn identify_merges_refuses_bad_values_and_keeps_twenty_keys() {
    let mut current = Map::new();
    let incoming = |v: Value| v.as_object().unwrap().clone();
    let refused = survey::merge_attributes(
        &mut current,
        incoming(json!({"plan": "pro", "seats": 3, "beta": true, "deep": {"a": 1}, "": "x"})),
    );
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(
        Value::Object(current.clone()),
        json!({"plan": "pro", "seats": 3, "beta": true})
    );
    let many: Map<String, Value> = (0..30).map(|i| (format!("k{i:02}"), json!(i))).collect();
    let refused = survey::merge_attributes(&mut current, many);
    assert_eq!(current.len(), 20);
    assert_eq!(refused.len(), 13);
    assert!(refused[0].contains("at most 20 attributes"));
    let refused =
        survey::merge_attributes(&mut current, incoming(json!({"plan": null, "seats": 4})));
    assert!(refused.is_empty());
    assert_eq!(current.len(), 19);
    assert_eq!(current["seats"], json!(4));
    let long = "x".repeat(300);
    assert_eq!(
        survey::merge_attributes(&mut current, incoming(json!({"long": long}))).len(),
        1
    );
}
