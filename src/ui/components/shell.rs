//! The card: header with the question and a Close button, the live
//! announcement, Escape to dismiss; for the modal also the backdrop and the
//! focus trap (the scale takes the modal's initial focus).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent, ShadowRoot};
use yew::prelude::*;

/// Id (inside the shadow root) of the question text: the dialog's and the
/// radiogroup's label.
pub const QUESTION_ID: &str = "tp-q";

/// Props of [`Shell`].
#[derive(Properties, PartialEq)]
pub struct ShellProps {
    /// The question, shown in the header (plain text).
    pub title: AttrValue,
    /// Accessible name of the close button.
    pub close_label: AttrValue,
    /// Text of the `aria-live="polite"` region.
    pub announce: AttrValue,
    /// `role` of the card: `dialog` for floating surveys, `region` inline.
    pub role: &'static str,
    /// Modal: backdrop and focus trap.
    pub modal: bool,
    /// Closing: the card is inert and fades out.
    pub closing: bool,
    /// Close button or Escape.
    pub on_close: Callback<()>,
    /// The body (scale, follow-up or thanks).
    pub children: Html,
}

/// Elements Tab can reach inside the card.
const TABBABLE: &str = "button:not([tabindex='-1']), textarea";

/// The survey card.
#[function_component]
pub fn Shell(props: &ShellProps) -> Html {
    let card = use_node_ref();

    let onkeydown = {
        let (card, modal, on_close) = (card.clone(), props.modal, props.on_close.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.is_composing() {
                return;
            }
            match e.key().as_str() {
                "Escape" => {
                    e.prevent_default();
                    e.stop_propagation();
                    on_close.emit(());
                }
                "Tab" if modal => trap_tab(&card, &e),
                _ => {}
            }
        })
    };
    let onclick = props.on_close.reform(|_: MouseEvent| ());

    let card_html = html! {
        <div
            ref={card}
            class={classes!("tp-card", props.closing.then_some("tp-out"))}
            role={props.role}
            aria-modal={props.modal.then_some("true")}
            aria-labelledby={QUESTION_ID}
            inert={props.closing}
            {onkeydown}
        >
            <div class="tp-head">
                <p id={QUESTION_ID} class="tp-q" dir="auto">{ props.title.clone() }</p>
                <button type="button" class="tp-x" aria-label={props.close_label.clone()} {onclick}>
                    <span aria-hidden="true">{ "×" }</span>
                </button>
            </div>
            { props.children.clone() }
            <p class="tp-sr" aria-live="polite">{ props.announce.clone() }</p>
        </div>
    };
    if props.modal {
        html! { <div class={classes!("tp-backdrop", props.closing.then_some("tp-out"))}>{ card_html }</div> }
    } else {
        card_html
    }
}

fn tabbables(card: &NodeRef) -> Vec<HtmlElement> {
    let Some(el) = card.cast::<Element>() else {
        return Vec::new();
    };
    let Ok(list) = el.query_selector_all(TABBABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Keeps Tab and Shift+Tab cycling inside the modal card.
fn trap_tab(card: &NodeRef, e: &KeyboardEvent) {
    let items = tabbables(card);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active: Option<Element> = card
        .cast::<Element>()
        .and_then(|c| c.get_root_node().dyn_into::<ShadowRoot>().ok())
        .and_then(|r| r.active_element());
    let inside = items
        .iter()
        .any(|i| active.as_ref() == Some(i.unchecked_ref::<Element>()));
    let at = |el: &HtmlElement| active.as_ref() == Some(el.unchecked_ref::<Element>());
    let target = if e.shift_key() {
        (!inside || at(first)).then_some(last)
    } else {
        (!inside || at(last)).then_some(first)
    };
    if let Some(t) = target {
        e.prevent_default();
        let _ = t.focus();
    }
}
