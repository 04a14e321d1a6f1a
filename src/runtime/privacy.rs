//! Privacy by default: respondent id, consent, GPC/DNT, URL stripping (issue 5).
//!
//! No cookies: the respondent id is a random UUID kept in localStorage
//! (`touchpoint:respondent`); consent is `touchpoint:consent` = `"granted"`.

use crate::deliver::{cap_records, outbox, storage};
use std::cell::Cell;
use touchpoint_protocol::config::Consent;
use touchpoint_protocol::Config;

const RESPONDENT_KEY: &str = "respondent";
const CONSENT_KEY: &str = "consent";

thread_local! {
    /// `consent(false)` on this page view: stay stopped even in implied mode.
    static DENIED: Cell<bool> = const { Cell::new(false) };
}

/// Why no survey may show on this page view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// `"consent": "required"` and the host has not called `consent(true)`.
    NoConsent,
    /// The host called `consent(false)` on this page view.
    Denied,
    /// Global Privacy Control or Do Not Track is on and the config respects it.
    GlobalPrivacyControl,
}

/// Whether the widget must stay silent (no storage, no sending, no survey),
/// and why. The runtime checks this before doing anything for a respondent.
pub fn blocked(config: &Config) -> Option<Blocked> {
    if DENIED.with(Cell::get) {
        return Some(Blocked::Denied);
    }
    if config.consent == Consent::Required && !consent_granted() {
        return Some(Blocked::NoConsent);
    }
    if config.respect_global_privacy_control && global_privacy_control() {
        return Some(Blocked::GlobalPrivacyControl);
    }
    None
}

/// The random respondent id kept in storage (created on first use).
pub fn respondent_id() -> String {
    if let Some(id) = storage::get(RESPONDENT_KEY).filter(|id| valid_id(id)) {
        return id;
    }
    let id = random_uuid();
    storage::set(RESPONDENT_KEY, &id);
    id
}

fn valid_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A random UUID v4 (from `crypto.getRandomValues`), used for respondent and
/// response ids.
pub fn random_uuid() -> String {
    uuid_from_bytes(random_bytes())
}

#[cfg(target_arch = "wasm32")]
fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut b).is_ok());
    if !filled {
        // Very old browsers only; ids need to be unlikely to collide, not secret.
        for x in b.iter_mut() {
            *x = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b
}

#[cfg(not(target_arch = "wasm32"))]
fn random_bytes() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut b = [0u8; 16];
    for chunk in b.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(crate::clock::now_ms().to_bits() as u128);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    b
}

fn uuid_from_bytes(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        // By hand: hex formatting would bring its own code into the wasm.
        for nibble in [x >> 4, x & 0x0f] {
            s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    s
}

/// Whether Global Privacy Control or Do Not Track is on.
#[cfg(target_arch = "wasm32")]
pub fn global_privacy_control() -> bool {
    use wasm_bindgen::JsValue;
    let Some(window) = web_sys::window() else {
        return false;
    };
    let nav: JsValue = window.navigator().into();
    let prop = |obj: &JsValue, name: &str| {
        js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    };
    let dnt_on = |v: JsValue| v.as_string().is_some_and(|s| s == "1" || s == "yes");
    prop(&nav, "globalPrivacyControl") == JsValue::TRUE
        || dnt_on(prop(&nav, "doNotTrack"))
        || dnt_on(prop(&window.into(), "doNotTrack"))
}

/// Whether Global Privacy Control or Do Not Track is on (never, natively).
#[cfg(not(target_arch = "wasm32"))]
pub fn global_privacy_control() -> bool {
    false
}

/// `url` without query string and fragment, except the query parameters in
/// `keep` (matched by exact name, kept in their original order and encoding).
/// User name and password in the authority are dropped too.
pub fn strip_url(url: &str, keep: &[String]) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut out = drop_userinfo(base);
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            !name.is_empty() && keep.iter().any(|k| k == name)
        })
        .collect();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out
}

fn drop_userinfo(base: &str) -> String {
    if let Some((scheme, rest)) = base.split_once("://") {
        let authority_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            return format!("{scheme}://{}", &rest[at + 1..]);
        }
    }
    base.to_string()
}

/// Whether the host granted consent (`touchpoint.consent(true)`), remembered in storage.
pub fn consent_granted() -> bool {
    !DENIED.with(Cell::get) && storage::get(CONSENT_KEY).as_deref() == Some("granted")
}

/// Records the host's consent decision. `true` is remembered and restarts
/// delivery; `false` clears all local state (outbox included: nothing more is
/// sent) and keeps the widget stopped for this page view. The refusal itself
/// is not stored, so the host repeats `consent(false)` on each page view, as
/// consent managers do.
pub fn set_consent(granted: bool) {
    DENIED.with(|d| d.set(!granted));
    if granted {
        storage::set(CONSENT_KEY, "granted");
        outbox::resume();
    } else {
        outbox::stop();
        cap_records::forget();
        storage::clear_all();
    }
}

/// `touchpoint.reset()`: forgets the respondent id, consent and every cap
/// record (e.g. on logout). Responses already given stay in the outbox until
/// delivered: they are the customer's submitted answers, not tracking state.
pub fn reset() {
    let outbox = storage::get(outbox::STORAGE_KEY);
    cap_records::forget();
    storage::clear_all();
    if let Some(pending) = outbox {
        storage::set(outbox::STORAGE_KEY, &pending);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn strip_url_drops_query_and_fragment() {
        let u = "https://shop.example/checkout/thank-you?order=123&email=a%40b.c#receipt";
        assert_eq!(strip_url(u, &[]), "https://shop.example/checkout/thank-you");
        assert_eq!(
            strip_url("https://a.example/#x?y=1", &[]),
            "https://a.example/"
        );
        assert_eq!(
            strip_url("https://a.example/p?", &[]),
            "https://a.example/p"
        );
        assert_eq!(strip_url("/relative/path?q=1", &[]), "/relative/path");
    }

    #[test]
    fn strip_url_keeps_listed_params_in_order() {
        let u = "https://a.example/p?utm_source=news&order=1&utm_campaign=x%20y&flag#f";
        assert_eq!(
            strip_url(u, &keep(&["utm_campaign", "utm_source", "flag"])),
            "https://a.example/p?utm_source=news&utm_campaign=x%20y&flag"
        );
        assert_eq!(
            strip_url(u, &keep(&["utm"])),
            "https://a.example/p",
            "names match exactly, not by prefix"
        );
        assert_eq!(
            strip_url("https://a.example/p?a=1&a=2&b=3", &keep(&["a"])),
            "https://a.example/p?a=1&a=2"
        );
    }

    #[test]
    fn strip_url_drops_credentials() {
        assert_eq!(
            strip_url("https://user:pw@a.example/p?x=1", &[]),
            "https://a.example/p"
        );
        assert_eq!(
            strip_url("https://a.example/p/@handle", &[]),
            "https://a.example/p/@handle"
        );
    }

    #[test]
    fn uuids_are_v4_and_distinct() {
        let a = random_uuid();
        let b = random_uuid();
        assert!(touchpoint_protocol::response::is_uuid(&a), "{a}");
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(a, b);
    }

    #[test]
    fn respondent_id_is_kept_until_reset() {
        storage::clear_all();
        let id = respondent_id();
        assert_eq!(respondent_id(), id);
        reset();
        assert_ne!(respondent_id(), id);
    }

    #[test]
    fn consent_required_blocks_until_granted_and_false_clears() {
        storage::clear_all();
        let mut config: Config = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert_eq!(blocked(&config), None);
        config.consent = Consent::Required;
        assert_eq!(blocked(&config), Some(Blocked::NoConsent));
        set_consent(true);
        assert_eq!(blocked(&config), None);
        let id = respondent_id();
        set_consent(false);
        assert_eq!(blocked(&config), Some(Blocked::Denied));
        assert_eq!(storage::get(RESPONDENT_KEY), None);
        set_consent(true);
        assert_eq!(blocked(&config), None);
        assert_ne!(respondent_id(), id);
    }
}
