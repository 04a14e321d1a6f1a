//! The optional "why?" question: a textarea with a live counter and Send.
//!
//! Enter sends, Shift+Enter is a new line. The textarea takes focus only with
//! a fine pointer and when focus is already in the survey, so a phone's
//! keyboard never opens by itself.

use crate::i18n::{counter, MAX_COMMENT};
use crate::ui::hooks::{focus_is_ours, media_matches};
use web_sys::{HtmlTextAreaElement, KeyboardEvent, Node};
use yew::prelude::*;

/// Props of [`FollowUp`].
#[derive(Properties, PartialEq)]
pub struct FollowUpProps {
    /// The follow-up question (plain text), the textarea's label.
    pub prompt: AttrValue,
    /// Send button text.
    pub send_label: AttrValue,
    /// The comment was sent (already trimmed; may be empty).
    pub on_send: Callback<String>,
}

/// The follow-up question.
#[function_component]
pub fn FollowUp(props: &FollowUpProps) -> Html {
    let text = use_state(String::new);
    let area = use_node_ref();

    {
        let area = area.clone();
        use_effect_with((), move |_| {
            if let Some(el) = area.cast::<HtmlTextAreaElement>() {
                if media_matches("(pointer: fine)") && focus_is_ours(&Node::from(el.clone())) {
                    let _ = el.focus();
                }
            }
        });
    }

    let send = {
        let (text, on_send) = (text.clone(), props.on_send.clone());
        move || on_send.emit(limit(text.trim()))
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(el.value());
        })
    };
    let onkeydown = {
        let send = send.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
                e.prevent_default();
                send();
            }
        })
    };
    let onclick = Callback::from(move |_: MouseEvent| send());
    let used = text.encode_utf16().count();

    html! {
        <div class="tp-follow">
            <label for="tp-c" class="tp-fq" dir="auto">{ props.prompt.clone() }</label>
            <textarea
                ref={area}
                id="tp-c"
                class="tp-text"
                dir="auto"
                rows="3"
                maxlength={MAX_COMMENT.to_string()}
                aria-describedby="tp-n"
                value={(*text).clone()}
                {oninput}
                {onkeydown}
            />
            <div class="tp-foot">
                <span id="tp-n" class="tp-count">{ counter(used) }</span>
                <button type="button" class="tp-send" {onclick}>{ props.send_label.clone() }</button>
            </div>
        </div>
    }
}

/// At most [`MAX_COMMENT`] characters (the textarea already limits typing;
/// this also covers pasted text in browsers that count differently).
fn limit(s: &str) -> String {
    s.chars().take(MAX_COMMENT).collect()
}
