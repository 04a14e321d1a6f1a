//! localStorage behind plain functions, with an in-memory fallback when
//! storage throws (private modes). Keys are prefixed `touchpoint:`.
//! STUB: the delivery work fills this in; signatures are the contract.

/// Reads a value.
pub fn get(key: &str) -> Option<String> {
    let _ = key;
    None
}

/// Writes a value.
pub fn set(key: &str, value: &str) {
    let _ = (key, value);
}

/// Removes a value.
pub fn remove(key: &str) {
    let _ = key;
}

/// Forgets every `touchpoint:` key (used by `touchpoint.reset()` and `consent(false)`).
pub fn clear_all() {}
