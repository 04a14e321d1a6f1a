//! localStorage and sessionStorage behind plain functions, with an in-memory
//! fallback when storage is absent or throws (private modes, quota, sandboxed
//! iframes). Every key is prefixed `touchpoint:`; callers may pass the key
//! with or without the prefix. Outside a browser (native tests) only the
//! memory fallback exists.

use std::cell::RefCell;

/// Prefix of every key the widget writes.
pub const PREFIX: &str = "touchpoint:";

thread_local! {
    /// Values that could not be written to the real storage (or are waiting
    /// for it), per area. Reads look here first so a failed write is never
    /// shadowed by an older stored value. Vecs of pairs: a few keys at most,
    /// and a map's removal code would add its own weight to the wasm.
    static MEMORY: RefCell<[Vec<(String, String)>; 2]> = RefCell::default();
}

/// Which Web Storage area.
#[derive(Clone, Copy)]
enum Area {
    Local = 0,
    Session = 1,
}

fn full_key(key: &str) -> String {
    if key.starts_with(PREFIX) {
        key.to_string()
    } else {
        format!("{PREFIX}{key}")
    }
}

#[cfg(target_arch = "wasm32")]
fn area(which: Area) -> Option<web_sys::Storage> {
    // Both getters throw (SecurityError) when storage is blocked; treat any
    // failure as "no storage" and fall back to memory.
    let window = web_sys::window()?;
    let got = match which {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    };
    got.ok().flatten()
}

#[cfg(not(target_arch = "wasm32"))]
fn area(_: Area) -> Option<web_sys::Storage> {
    None
}

fn get_in(which: Area, key: &str) -> Option<String> {
    let key = full_key(key);
    let remembered = MEMORY.with(|m| {
        let m = m.borrow();
        m[which as usize]
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    });
    if let Some(v) = remembered {
        return Some(v);
    }
    area(which)?.get_item(&key).ok().flatten()
}

fn set_in(which: Area, key: &str, value: &str) {
    let key = full_key(key);
    let stored = area(which).is_some_and(|s| s.set_item(&key, value).is_ok());
    MEMORY.with(|m| {
        let area = &mut m.borrow_mut()[which as usize];
        area.retain(|(k, _)| *k != key);
        if !stored {
            area.push((key, value.to_string()));
        }
    });
}

fn remove_in(which: Area, key: &str) {
    let key = full_key(key);
    MEMORY.with(|m| m.borrow_mut()[which as usize].retain(|(k, _)| *k != key));
    if let Some(s) = area(which) {
        let _ = s.remove_item(&key);
    }
}

fn clear_area(which: Area) {
    MEMORY.with(|m| m.borrow_mut()[which as usize].clear());
    let Some(s) = area(which) else { return };
    let n = s.length().unwrap_or(0);
    // Collect first: removing while indexing shifts the keys.
    let ours: Vec<String> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in ours {
        let _ = s.remove_item(&k);
    }
}

/// Reads a value from localStorage (or the memory fallback).
pub fn get(key: &str) -> Option<String> {
    get_in(Area::Local, key)
}

/// Writes a value to localStorage; keeps it in memory when that throws.
pub fn set(key: &str, value: &str) {
    set_in(Area::Local, key, value)
}

/// Removes a value.
pub fn remove(key: &str) {
    remove_in(Area::Local, key)
}

/// Reads a value from sessionStorage (per browser tab session).
pub fn session_get(key: &str) -> Option<String> {
    get_in(Area::Session, key)
}

/// Writes a value to sessionStorage; keeps it in memory when that throws.
pub fn session_set(key: &str, value: &str) {
    set_in(Area::Session, key, value)
}

/// Removes a sessionStorage value.
pub fn session_remove(key: &str) {
    remove_in(Area::Session, key)
}

/// Whether values written now reach localStorage (false in memory-only mode).
pub fn persistent() -> bool {
    let probe = full_key("probe");
    area(Area::Local).is_some_and(|s| {
        let ok = s.set_item(&probe, "1").is_ok();
        let _ = s.remove_item(&probe);
        ok
    })
}

/// Forgets every `touchpoint:` key in localStorage, sessionStorage and memory
/// (used by `touchpoint.reset()` and `consent(false)`); other keys stay.
pub fn clear_all() {
    clear_area(Area::Local);
    clear_area(Area::Session);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_fallback_round_trips_with_or_without_prefix() {
        clear_all();
        set("a", "1");
        assert_eq!(get("a").as_deref(), Some("1"));
        assert_eq!(get("touchpoint:a").as_deref(), Some("1"));
        session_set("s", "2");
        assert_eq!(session_get("s").as_deref(), Some("2"));
        assert_eq!(get("s"), None, "session and local are separate areas");
        remove("a");
        assert_eq!(get("a"), None);
        set("b", "x");
        clear_all();
        assert_eq!(get("b"), None);
        assert_eq!(session_get("s"), None);
        assert!(!persistent());
    }
}
