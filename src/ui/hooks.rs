//! Small hooks shared by the components.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `done` once, `ms` milliseconds after the component mounted; the
/// timer is cleared when the component goes away first.
#[hook]
pub fn use_timeout(ms: i32, done: Callback<()>) {
    use_effect_with((), move |_| {
        let closure = Closure::once(move || done.emit(()));
        let win = web_sys::window();
        let id = win.as_ref().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                ms,
            )
            .ok()
        });
        move || {
            if let (Some(w), Some(id)) = (win, id) {
                w.clear_timeout_with_handle(id);
            }
            drop(closure);
        }
    });
}

/// Whether a media query matches now (false when it cannot be asked).
pub fn media_matches(query: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(query).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Whether keyboard focus is inside the shadow tree that holds `node`
/// (the document's active element is then the shadow host), or nowhere in
/// particular (the focused element was just removed). Used to keep focus in
/// the survey when its content changes, without ever taking it from the page.
pub fn focus_is_ours(node: &web_sys::Node) -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let active = doc.active_element();
    let body = doc.body().map(web_sys::Element::from);
    if active.is_none() || active == body {
        return true;
    }
    node.get_root_node()
        .dyn_into::<web_sys::ShadowRoot>()
        .is_ok_and(|root| Some(root.host()) == active)
}
