//! The survey UI in headless Chromium: mount, DOM contract, events, keyboard,
//! focus, inline/RTL, strict-CSP hygiene and text-only rendering.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test ui`

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use touchpoint_protocol::config::ColorMode;
use touchpoint_protocol::{Band, Position, QuestionType, Theme};
use touchpoint_widget::i18n;
use touchpoint_widget::ui::state::{Action, Stage, State};
use touchpoint_widget::ui::{mount, on_color, SurveyEvent, SurveyHandle, SurveySpec};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Document, Element, Event, EventInit, HtmlElement, HtmlTextAreaElement, KeyboardEvent,
    KeyboardEventInit, ShadowRoot,
};

wasm_bindgen_test_configure!(run_in_browser);

// ---------- helpers ----------

fn doc() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

fn spec(id: &str, question: QuestionType) -> SurveySpec {
    SurveySpec {
        touchpoint_id: id.into(),
        question,
        text: "How likely are you to recommend Acme?".into(),
        follow_up: vec![
            (Band::Detractor, "What should we fix first?".into()),
            (Band::Promoter, "What did you like most?".into()),
            (Band::Low, "What was missing?".into()),
        ],
        locale: "en".into(),
        position: Position::BottomRight,
        theme: Theme::default(),
        mode: None,
    }
}

type Events = Rc<RefCell<Vec<SurveyEvent>>>;

fn show(spec: SurveySpec) -> (SurveyHandle, Events) {
    let events: Events = Rc::default();
    let sink = events.clone();
    let handle = mount(spec, Rc::new(move |e| sink.borrow_mut().push(e))).expect("mounted");
    (handle, events)
}

/// Lets yew finish rendering and run effects: its scheduler yields to the
/// browser every ~16 ms, so a debug build can need more than one task.
async fn settle() {
    tick(60).await;
}

/// Lets timers up to `ms` run.
async fn tick(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn host(id: &str) -> Option<Element> {
    doc()
        .query_selector(&format!("[data-touchpoint-host=\"{id}\"]"))
        .unwrap()
}

fn shadow(id: &str) -> ShadowRoot {
    host(id)
        .expect("host element in the page")
        .shadow_root()
        .expect("open shadow root")
}

fn all(root: &ShadowRoot, sel: &str) -> Vec<Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().dyn_into().unwrap())
        .collect()
}

fn one(root: &ShadowRoot, sel: &str) -> HtmlElement {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no {sel}"))
        .dyn_into()
        .unwrap()
}

fn radio(root: &ShadowRoot, score: u8) -> HtmlElement {
    one(root, &format!("[role=radio][data-score=\"{score}\"]"))
}

/// The accessible name of a radio: its aria-label, else its text.
fn name(el: &Element) -> String {
    el.get_attribute("aria-label")
        .unwrap_or_else(|| el.text_content().unwrap_or_default())
}

fn key(target: &Element, key: &str, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_composed(true);
    let e = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&e).unwrap();
}

fn type_text(area: &HtmlTextAreaElement, text: &str) {
    area.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let e = Event::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&e).unwrap();
}

fn events(e: &Events) -> Vec<SurveyEvent> {
    e.borrow().clone()
}

// ---------- the scale ----------

#[wasm_bindgen_test]
async fn each_question_type_has_its_radios_and_anchor_names() {
    let cases = [
        (
            QuestionType::Nps,
            0u8,
            10u8,
            "0, Not at all likely",
            "10, Extremely likely",
        ),
        (
            QuestionType::Ces,
            1,
            7,
            "1, Strongly disagree",
            "7, Strongly agree",
        ),
        (
            QuestionType::Csat,
            1,
            5,
            "1, Very dissatisfied",
            "5, Very satisfied",
        ),
    ];
    for (q, lo, hi, lo_name, hi_name) in cases {
        let id = format!("scale-{q}");
        let (h, _) = show(spec(&id, q));
        settle().await;
        let root = shadow(&id);
        let group = all(&root, "[role=radiogroup]");
        assert_eq!(group.len(), 1, "{q}: one radiogroup");
        assert_eq!(
            group[0].get_attribute("aria-labelledby").as_deref(),
            Some("tp-q")
        );
        let radios = all(&root, "[role=radio]");
        assert_eq!(radios.len(), usize::from(hi - lo + 1), "{q}: radio count");
        assert_eq!(name(&radios[0]), lo_name);
        assert_eq!(name(radios.last().unwrap()), hi_name);
        for r in &radios[1..radios.len() - 1] {
            assert_eq!(
                name(r),
                r.get_attribute("data-score").unwrap(),
                "{q}: middle names are numbers"
            );
        }
        assert!(radios.iter().all(|r| r.tag_name() == "BUTTON"
            && r.get_attribute("aria-checked").as_deref() == Some("false")));
        // Exactly one radio in the tab order: the first.
        let tabbable: Vec<_> = radios
            .iter()
            .filter(|r| r.get_attribute("tabindex").as_deref() == Some("0"))
            .collect();
        assert_eq!(tabbable.len(), 1);
        assert_eq!(
            tabbable[0].get_attribute("data-score"),
            Some(lo.to_string())
        );
        let card = one(&root, ".tp-card");
        assert_eq!(card.get_attribute("role").as_deref(), Some("dialog"));
        assert_eq!(
            one(&root, "#tp-q").text_content().unwrap(),
            "How likely are you to recommend Acme?"
        );
        assert_eq!(
            one(&root, ".tp-x").get_attribute("aria-label").as_deref(),
            Some("Close")
        );
        h.unmount();
        assert!(host(&id).is_none(), "unmount removes the host");
    }
}

#[wasm_bindgen_test]
async fn empty_text_uses_the_built_in_question() {
    let mut s = spec("default-q", QuestionType::Ces);
    s.text = String::new();
    let (h, _) = show(s);
    settle().await;
    let q = one(&shadow("default-q"), "#tp-q").text_content().unwrap();
    assert_eq!(q, "The company made it easy for me to handle my issue.");
    h.unmount();
}

// ---------- flow and events ----------

#[wasm_bindgen_test]
async fn a_tap_answers_at_once_and_shows_the_bands_follow_up() {
    let (h, ev) = show(spec("flow", QuestionType::Nps));
    settle().await;
    let root = shadow("flow");
    assert!(
        all(&root, "textarea").is_empty(),
        "no follow-up before a score"
    );
    radio(&root, 9).click();
    settle().await;
    assert_eq!(events(&ev), vec![SurveyEvent::Answered(9)]);
    assert_eq!(
        radio(&root, 9).get_attribute("aria-checked").as_deref(),
        Some("true")
    );
    assert_eq!(
        one(&root, ".tp-fq").text_content().unwrap(),
        "What did you like most?"
    );
    // Changing the score re-emits and switches to the new band's follow-up.
    radio(&root, 3).click();
    settle().await;
    assert_eq!(
        events(&ev),
        vec![SurveyEvent::Answered(9), SurveyEvent::Answered(3)]
    );
    assert_eq!(
        radio(&root, 9).get_attribute("aria-checked").as_deref(),
        Some("false")
    );
    assert_eq!(
        one(&root, ".tp-fq").text_content().unwrap(),
        "What should we fix first?"
    );
    // The same score again is not a new answer.
    radio(&root, 3).click();
    settle().await;
    assert_eq!(events(&ev).len(), 2);
    h.unmount();
}

#[wasm_bindgen_test]
async fn a_band_without_follow_up_goes_to_thanks_which_closes_itself() {
    let (_h, ev) = show(spec("passive", QuestionType::Nps));
    settle().await;
    let root = shadow("passive");
    radio(&root, 7).click();
    settle().await;
    assert_eq!(events(&ev), vec![SurveyEvent::Answered(7)]);
    assert!(all(&root, "textarea").is_empty());
    let thanks = all(&root, "[data-touchpoint-thanks]");
    assert_eq!(thanks.len(), 1);
    assert_eq!(
        thanks[0].text_content().unwrap(),
        "Thank you for your feedback!"
    );
    assert!(all(&root, "[role=radio]").is_empty());
    tick(2400).await;
    assert!(host("passive").is_some(), "still there before 2.5 s");
    tick(600).await;
    assert_eq!(
        events(&ev),
        vec![SurveyEvent::Answered(7), SurveyEvent::Closed]
    );
    assert!(host("passive").is_none(), "removed after the thank-you");
}

#[wasm_bindgen_test]
async fn send_emits_the_comment_with_a_live_counter() {
    let (h, ev) = show(spec("comment", QuestionType::Csat));
    settle().await;
    let root = shadow("comment");
    radio(&root, 2).click();
    settle().await;
    let area: HtmlTextAreaElement = one(&root, "textarea").dyn_into().unwrap();
    assert_eq!(area.get_attribute("maxlength").as_deref(), Some("1000"));
    assert_eq!(one(&root, "#tp-n").text_content().unwrap(), "0/1000");
    assert_eq!(
        area.get_attribute("aria-describedby").as_deref(),
        Some("tp-n")
    );
    type_text(&area, "  Delivery was late  ");
    settle().await;
    assert_eq!(one(&root, "#tp-n").text_content().unwrap(), "21/1000");
    // Shift+Enter is a new line, not a send.
    key(&area, "Enter", true);
    settle().await;
    assert_eq!(events(&ev).len(), 1);
    one(&root, ".tp-send").click();
    settle().await;
    assert_eq!(
        events(&ev),
        vec![
            SurveyEvent::Answered(2),
            SurveyEvent::Comment("Delivery was late".into())
        ]
    );
    assert_eq!(all(&root, "[data-touchpoint-thanks]").len(), 1);
    h.unmount();
    assert!(host("comment").is_none());
}

#[wasm_bindgen_test]
async fn enter_in_the_follow_up_sends() {
    let (h, ev) = show(spec("enter", QuestionType::Ces));
    settle().await;
    let root = shadow("enter");
    radio(&root, 1).click();
    settle().await;
    let area: HtmlTextAreaElement = one(&root, "textarea").dyn_into().unwrap();
    type_text(&area, "Nothing about refunds");
    settle().await;
    key(&area, "Enter", false);
    settle().await;
    assert_eq!(
        events(&ev),
        vec![
            SurveyEvent::Answered(1),
            SurveyEvent::Comment("Nothing about refunds".into())
        ]
    );
    h.unmount();
}

#[wasm_bindgen_test]
async fn escape_before_answering_dismisses_and_removes_the_host() {
    let (_h, ev) = show(spec("esc", QuestionType::Nps));
    settle().await;
    let root = shadow("esc");
    key(&radio(&root, 0), "Escape", false);
    settle().await;
    assert_eq!(events(&ev), vec![SurveyEvent::Dismissed]);
    // A second close is not a second event.
    one(&root, ".tp-x").click();
    tick(400).await;
    assert_eq!(events(&ev), vec![SurveyEvent::Dismissed]);
    assert!(
        host("esc").is_none(),
        "host removed after the exit animation"
    );
}

#[wasm_bindgen_test]
async fn close_after_answering_is_closed_not_dismissed() {
    let (_h, ev) = show(spec("close", QuestionType::Nps));
    settle().await;
    let root = shadow("close");
    radio(&root, 10).click();
    settle().await;
    one(&root, ".tp-x").click();
    tick(400).await;
    assert_eq!(
        events(&ev),
        vec![SurveyEvent::Answered(10), SurveyEvent::Closed]
    );
    assert!(host("close").is_none());
}

// ---------- keyboard and focus ----------

#[wasm_bindgen_test]
async fn arrows_home_end_move_focus_without_answering() {
    let (h, ev) = show(spec("keys", QuestionType::Nps));
    settle().await;
    let root = shadow("keys");
    radio(&root, 0).focus().unwrap();
    let active = || {
        root.active_element()
            .and_then(|e| e.get_attribute("data-score"))
    };
    key(&radio(&root, 0), "ArrowRight", false);
    settle().await;
    assert_eq!(active().as_deref(), Some("1"));
    assert_eq!(
        radio(&root, 1).get_attribute("tabindex").as_deref(),
        Some("0")
    );
    assert_eq!(
        radio(&root, 0).get_attribute("tabindex").as_deref(),
        Some("-1")
    );
    key(&radio(&root, 1), "End", false);
    settle().await;
    assert_eq!(active().as_deref(), Some("10"));
    key(&radio(&root, 10), "ArrowRight", false);
    settle().await;
    assert_eq!(active().as_deref(), Some("0"), "wraps around");
    key(&radio(&root, 0), "ArrowLeft", false);
    settle().await;
    assert_eq!(active().as_deref(), Some("10"));
    key(&radio(&root, 10), "Home", false);
    settle().await;
    assert_eq!(active().as_deref(), Some("0"));
    assert!(events(&ev).is_empty(), "moving is not answering");
    h.unmount();
}

#[wasm_bindgen_test]
async fn rtl_swaps_the_horizontal_arrows_and_sets_dir() {
    let mut s = spec("rtl", QuestionType::Csat);
    s.locale = "ar-EG".into();
    let (h, _) = show(s);
    settle().await;
    let root = shadow("rtl");
    let tp = one(&root, ".tp");
    assert_eq!(tp.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(tp.get_attribute("lang").as_deref(), Some("ar-EG"));
    assert_eq!(name(&radio(&root, 5)), "5, راضٍ جدًا");
    // Config text may be in another script than the locale: its direction is its own.
    assert_eq!(
        one(&root, "#tp-q").get_attribute("dir").as_deref(),
        Some("auto")
    );
    assert_eq!(
        one(&root, ".tp-x").get_attribute("aria-label").as_deref(),
        Some("إغلاق")
    );
    radio(&root, 1).focus().unwrap();
    key(&radio(&root, 1), "ArrowLeft", false);
    settle().await;
    let active = root
        .active_element()
        .and_then(|e| e.get_attribute("data-score"));
    assert_eq!(active.as_deref(), Some("2"), "ArrowLeft goes up in RTL");
    // Scores stay in DOM order low → high (the grid mirrors them visually).
    let order: Vec<_> = all(&root, "[role=radio]")
        .iter()
        .map(|r| r.get_attribute("data-score").unwrap())
        .collect();
    assert_eq!(order, ["1", "2", "3", "4", "5"]);
    h.unmount();
}

#[wasm_bindgen_test]
async fn a_floating_survey_does_not_take_focus() {
    let page_button = doc().create_element("button").unwrap();
    page_button.set_text_content(Some("page"));
    doc().body().unwrap().append_child(&page_button).unwrap();
    let page_button: HtmlElement = page_button.dyn_into().unwrap();
    page_button.focus().unwrap();
    let (h, _) = show(spec("nofocus", QuestionType::Nps));
    tick(50).await;
    assert_eq!(doc().active_element(), Some(page_button.clone().into()));
    h.unmount();
    page_button.remove();
}

#[wasm_bindgen_test]
async fn the_modal_takes_focus_traps_it_and_gives_it_back() {
    let page_button = doc().create_element("button").unwrap();
    doc().body().unwrap().append_child(&page_button).unwrap();
    let page_button: HtmlElement = page_button.dyn_into().unwrap();
    page_button.focus().unwrap();
    let mut s = spec("modal", QuestionType::Csat);
    s.position = Position::Modal;
    let (_h, ev) = show(s);
    settle().await;
    let root = shadow("modal");
    assert_eq!(all(&root, ".tp-backdrop").len(), 1);
    let card = one(&root, ".tp-card");
    assert_eq!(card.get_attribute("aria-modal").as_deref(), Some("true"));
    let focused = root
        .active_element()
        .and_then(|e| e.get_attribute("data-score"));
    assert_eq!(focused.as_deref(), Some("1"), "focus on the scale");
    // Shift+Tab from the first tabbable (Close) wraps to the last (the radio).
    one(&root, ".tp-x").focus().unwrap();
    key(&one(&root, ".tp-x"), "Tab", true);
    let focused = root
        .active_element()
        .and_then(|e| e.get_attribute("data-score"));
    assert_eq!(focused.as_deref(), Some("1"));
    key(&radio(&root, 1), "Tab", false);
    assert!(root.active_element().unwrap().class_list().contains("tp-x"));
    key(&card, "Escape", false);
    tick(400).await;
    assert_eq!(events(&ev), vec![SurveyEvent::Dismissed]);
    assert!(host("modal").is_none());
    assert_eq!(
        doc().active_element(),
        Some(page_button.clone().into()),
        "focus returned"
    );
    page_button.remove();
}

// ---------- placement, theme, isolation ----------

#[wasm_bindgen_test]
async fn inline_mounts_into_its_element_or_not_at_all() {
    let mut s = spec("inline-missing", QuestionType::Nps);
    s.position = Position::Inline;
    let before = doc().body().unwrap().child_element_count();
    assert!(mount(s, Rc::new(|_| {})).is_none());
    assert_eq!(
        doc().body().unwrap().child_element_count(),
        before,
        "page untouched"
    );

    let slot = doc().create_element("div").unwrap();
    slot.set_attribute("data-touchpoint-inline", "feedback \"x\"")
        .unwrap();
    doc().body().unwrap().append_child(&slot).unwrap();
    let mut s = spec("feedback \"x\"", QuestionType::Nps);
    s.position = Position::Inline;
    let (h, _) = show(s.clone());
    settle().await;
    let root = slot
        .shadow_root()
        .expect("shadow root on the inline element");
    assert_eq!(
        one(&root, ".tp-card").get_attribute("role").as_deref(),
        Some("region")
    );
    assert_eq!(all(&root, "[role=radio]").len(), 11);
    assert!(
        host("feedback \\\"x\\\"").is_none(),
        "no floating host for inline"
    );
    assert!(
        mount(s.clone(), Rc::new(|_| {})).is_none(),
        "one survey per inline element"
    );
    h.unmount();
    assert!(slot.is_connected(), "the page's element stays");
    assert_eq!(root.child_element_count(), 0, "its shadow content is gone");
    // It can show again later.
    let (h, _) = show(s);
    settle().await;
    assert_eq!(all(&root, "[role=radio]").len(), 11);
    h.unmount();
    slot.remove();
}

#[wasm_bindgen_test]
async fn no_style_attributes_or_elements_and_theme_through_cssom() {
    let mut s = spec("csp", QuestionType::Nps);
    s.theme = Theme {
        accent: Some("#ff0000".into()),
        background: Some("#fffbeb".into()),
        text: Some("#111111".into()),
        radius: Some(4),
        font: Some("Georgia, serif".into()),
        mode: None,
    };
    s.mode = Some(ColorMode::Dark);
    let page_styles = || doc().query_selector_all("[style], style").unwrap().length();
    let before = page_styles();
    let (h, _) = show(s);
    settle().await;
    let root = shadow("csp");
    radio(&root, 0).click(); // the follow-up too
    settle().await;
    assert_eq!(all(&root, "textarea").len(), 1);
    assert!(
        all(&root, "[style], style").is_empty(),
        "no style in the shadow root"
    );
    assert_eq!(page_styles(), before, "no style added to the page");
    let tp = one(&root, ".tp");
    assert_eq!(tp.get_attribute("data-mode").as_deref(), Some("dark"));
    let win = web_sys::window().unwrap();
    let cs = win.get_computed_style(&tp).unwrap().unwrap();
    assert_eq!(
        cs.get_property_value("--tp-accent").unwrap().trim(),
        "#ff0000"
    );
    assert_eq!(cs.get_property_value("--tp-radius").unwrap().trim(), "4px");
    let card = win
        .get_computed_style(&one(&root, ".tp-card"))
        .unwrap()
        .unwrap();
    assert_eq!(
        card.get_property_value("background-color").unwrap(),
        "rgb(255, 251, 235)"
    );
    assert_eq!(card.get_property_value("position").unwrap(), "fixed");
    let host_cs = win
        .get_computed_style(&host("csp").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(host_cs.get_property_value("position").unwrap(), "fixed");
    assert_eq!(host_cs.get_property_value("z-index").unwrap(), "2147483647");
    h.unmount();
}

#[wasm_bindgen_test]
async fn config_text_is_text_not_html() {
    let mut s = spec("html", QuestionType::Nps);
    s.text = "<b>x</b><img src=x onerror=alert(1)>".into();
    s.follow_up = vec![(Band::Promoter, "<i>why</i>".into())];
    let (h, _) = show(s);
    settle().await;
    let root = shadow("html");
    assert_eq!(
        one(&root, "#tp-q").text_content().unwrap(),
        "<b>x</b><img src=x onerror=alert(1)>"
    );
    radio(&root, 10).click();
    settle().await;
    assert_eq!(one(&root, ".tp-fq").text_content().unwrap(), "<i>why</i>");
    assert!(
        all(&root, "b, i, img").is_empty(),
        "no elements from config text"
    );
    h.unmount();
}

#[wasm_bindgen_test]
async fn the_live_region_announces_the_survey() {
    let (h, _) = show(spec("live", QuestionType::Nps));
    tick(50).await;
    let root = shadow("live");
    let live = one(&root, "[aria-live=polite]");
    assert_eq!(
        live.text_content().unwrap(),
        "How likely are you to recommend Acme?"
    );
    radio(&root, 9).click();
    settle().await;
    assert_eq!(live.text_content().unwrap(), "What did you like most?");
    h.unmount();
}

#[wasm_bindgen_test]
async fn hostile_page_css_does_not_reach_in() {
    let sheet = doc().create_element("style").unwrap();
    sheet.set_text_content(Some(
        "* { all: unset !important } button { display: none !important } \
         html { font-size: 8px } [data-touchpoint-host] { display: none !important }",
    ));
    doc().head().unwrap().append_child(&sheet).unwrap();
    let (h, _) = show(spec("hostile", QuestionType::Nps));
    settle().await;
    let root = shadow("hostile");
    let win = web_sys::window().unwrap();
    let r = win.get_computed_style(&radio(&root, 5)).unwrap().unwrap();
    assert_ne!(r.get_property_value("display").unwrap(), "none");
    assert_eq!(r.get_property_value("font-size").unwrap(), "15px");
    let (w, hgt) = (
        radio(&root, 5).offset_width(),
        radio(&root, 5).offset_height(),
    );
    assert!(w >= 24 && hgt >= 24, "target {w}x{hgt}");
    let host_cs = win
        .get_computed_style(&host("hostile").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(host_cs.get_property_value("display").unwrap(), "block");
    sheet.remove();
    h.unmount();
}

// ---------- pure parts ----------

#[wasm_bindgen_test]
fn reducer_walks_asking_follow_up_thanks_closed() {
    let s = State::new(QuestionType::Nps, vec![Band::Detractor]);
    assert_eq!(s.stage, Stage::Asking);
    let s = s.next(Action::Select(3));
    assert_eq!(
        (s.stage, s.score),
        (Stage::FollowUp(Band::Detractor), Some(3))
    );
    let s2 = s.next(Action::Select(9));
    assert_eq!(
        (s2.stage, s2.score),
        (Stage::Thanks, Some(9)),
        "promoter has no follow-up"
    );
    let s = s.next(Action::Send);
    assert_eq!(s.stage, Stage::Thanks);
    assert_eq!(s.next(Action::Select(1)), s, "no changes after thanks");
    let s = s.next(Action::Finish);
    assert_eq!((s.stage, s.view()), (Stage::Closed, Stage::Thanks));
    let closed = State::new(QuestionType::Csat, vec![]).next(Action::Close);
    assert_eq!(
        (closed.stage, closed.view(), closed.score),
        (Stage::Closed, Stage::Asking, None)
    );
    assert_eq!(closed.next(Action::Select(5)), closed);
}

#[wasm_bindgen_test]
fn locale_fallback_and_rtl() {
    assert_eq!(i18n::strings("de-AT").close, "Schließen");
    assert_eq!(i18n::strings("EL").send, "Αποστολή");
    assert_eq!(i18n::strings("pt-BR").lang, "en");
    assert_eq!(i18n::strings("").lang, "en");
    assert!(
        i18n::is_rtl("ar") && i18n::is_rtl("he-IL") && i18n::is_rtl("fa") && i18n::is_rtl("ur_PK")
    );
    assert!(!i18n::is_rtl("en") && !i18n::is_rtl("ru"));
    for l in ["en", "de", "fr", "es", "ru", "el", "ar"] {
        assert_eq!(i18n::strings(l).lang, l, "{l} is built in");
    }
    assert_eq!(i18n::counter(12), "12/1000");
}

#[wasm_bindgen_test]
fn text_on_accent_keeps_contrast() {
    assert_eq!(on_color("#4f46e5"), Some("#ffffff"));
    assert_eq!(on_color("#fde047"), Some("#111827"));
    assert_eq!(on_color("#fff"), Some("#111827"));
    assert_eq!(on_color("rebeccapurple"), None);
    assert_eq!(on_color("#12"), None);
}
