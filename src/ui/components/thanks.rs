//! The short thank-you that closes itself.

use crate::ui::hooks::{focus_is_ours, use_timeout};
use web_sys::{HtmlElement, Node};
use yew::prelude::*;

/// How long the thank-you stays, in milliseconds.
pub const THANKS_MS: i32 = 2500;

/// Props of [`Thanks`].
#[derive(Properties, PartialEq)]
pub struct ThanksProps {
    /// The message.
    pub text: AttrValue,
    /// The timer ran out.
    pub on_done: Callback<()>,
}

/// The thank-you message.
#[function_component]
pub fn Thanks(props: &ThanksProps) -> Html {
    let el = use_node_ref();
    use_timeout(THANKS_MS, props.on_done.clone());
    {
        // The control that had focus (a score or Send) is gone: keep focus in
        // the survey instead of dropping it to <body>; never take it from the page.
        let el = el.clone();
        use_effect_with((), move |_| {
            if let Some(el) = el.cast::<HtmlElement>() {
                if focus_is_ours(&Node::from(el.clone())) {
                    let _ = el.focus();
                }
            }
        });
    }
    html! {
        <p ref={el} class="tp-thanks" data-touchpoint-thanks="" tabindex="-1">{ props.text.clone() }</p>
    }
}
