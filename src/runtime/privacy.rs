//! Privacy by default: respondent id, consent, GPC/DNT, URL stripping (issue 5).
//! STUB: the delivery work fills this in; signatures are the contract.

/// The random respondent id kept in storage (created on first use).
pub fn respondent_id() -> String {
    String::from("anonymous")
}

/// Whether Global Privacy Control or Do Not Track is on.
pub fn global_privacy_control() -> bool {
    false
}

/// `url` without query string and fragment, except the query parameters in `keep`.
pub fn strip_url(url: &str, keep: &[String]) -> String {
    let _ = keep;
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}

/// Whether the host granted consent (`touchpoint.consent(true)`), remembered in storage.
pub fn consent_granted() -> bool {
    false
}

/// Records the host's consent decision; `false` also clears all local state.
pub fn set_consent(granted: bool) {
    let _ = granted;
}

/// `touchpoint.reset()`: forgets the respondent id and all local state.
pub fn reset() {}
