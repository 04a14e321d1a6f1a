//! The score scale: a radiogroup of buttons with a roving tabindex.
//!
//! Arrow keys, Home and End move focus; Space or Enter (the buttons' own
//! click) chooses. Moving does not choose: choosing posts an answer.

use super::shell::QUESTION_ID;
use touchpoint_protocol::QuestionType;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`Scale`].
#[derive(Properties, PartialEq)]
pub struct ScaleProps {
    /// The question type: decides the scores.
    pub question: QuestionType,
    /// The chosen score, if any.
    pub selected: Option<u8>,
    /// Anchor labels of the lowest and highest score.
    pub anchors: [AttrValue; 2],
    /// Right to left: the horizontal arrow keys swap.
    pub rtl: bool,
    /// Take focus when shown (the modal does; floating surveys never).
    pub autofocus: bool,
    /// A score was chosen.
    pub on_select: Callback<u8>,
}

/// Accessible name of a score: the end anchors are named ("10, Extremely
/// likely"), the others are just their number (their text content).
pub fn score_name(q: QuestionType, score: u8, anchors: &[AttrValue; 2]) -> Option<String> {
    let anchor = if score == q.min() {
        &anchors[0]
    } else if score == q.max() {
        &anchors[1]
    } else {
        return None;
    };
    Some(format!("{score}, {anchor}"))
}

/// The radiogroup with its anchors.
#[function_component]
pub fn Scale(props: &ScaleProps) -> Html {
    let q = props.question;
    let group = use_node_ref();
    // The score that holds tabindex=0: the focused one, else the chosen one, else the first.
    let roving = use_state(|| props.selected.unwrap_or(q.min()));
    {
        let (group, first, autofocus) = (group.clone(), *roving, props.autofocus);
        use_effect_with((), move |_| {
            if autofocus {
                focus_score(&group, first);
            }
        });
    }
    {
        let roving = roving.clone();
        use_effect_with(props.selected, move |sel| {
            if let Some(s) = *sel {
                roving.set(s);
            }
        });
    }

    let onkeydown = {
        let (group, roving, rtl) = (group.clone(), roving.clone(), props.rtl);
        Callback::from(move |e: KeyboardEvent| {
            let (lo, hi) = (q.min(), q.max());
            let cur = (*roving).clamp(lo, hi);
            let (back, fwd) = if rtl {
                ("ArrowRight", "ArrowLeft")
            } else {
                ("ArrowLeft", "ArrowRight")
            };
            let next = match e.key().as_str() {
                k if k == fwd || k == "ArrowDown" => {
                    if cur < hi {
                        cur + 1
                    } else {
                        lo
                    }
                }
                k if k == back || k == "ArrowUp" => {
                    if cur > lo {
                        cur - 1
                    } else {
                        hi
                    }
                }
                "Home" => lo,
                "End" => hi,
                _ => return,
            };
            e.prevent_default();
            roving.set(next);
            focus_score(&group, next);
        })
    };

    let radios = q.scores().map(|s| {
        let checked = props.selected == Some(s);
        let onclick = props.on_select.reform(move |_: MouseEvent| s);
        let onfocus = {
            let roving = roving.clone();
            Callback::from(move |_: FocusEvent| roving.set(s))
        };
        html! {
            <button
                type="button"
                role="radio"
                class="tp-opt"
                data-score={s.to_string()}
                aria-checked={if checked { "true" } else { "false" }}
                aria-label={score_name(q, s, &props.anchors)}
                tabindex={if *roving == s { "0" } else { "-1" }}
                {onclick}
                {onfocus}
            >
                { s }
            </button>
        }
    });

    html! {
        <div class="tp-scale">
            <div
                ref={group}
                class={classes!("tp-row", format!("tp-n{}", q.scores().len()))}
                role="radiogroup"
                aria-labelledby={QUESTION_ID}
                aria-describedby="tp-lo tp-hi"
                {onkeydown}
            >
                { for radios }
            </div>
            <div class="tp-anchors">
                <span id="tp-lo">{ props.anchors[0].clone() }</span>
                <span id="tp-hi">{ props.anchors[1].clone() }</span>
            </div>
        </div>
    }
}

fn focus_score(group: &NodeRef, score: u8) {
    let el = group
        .cast::<Element>()
        .and_then(|g| {
            g.query_selector(&format!("[data-score=\"{score}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}
