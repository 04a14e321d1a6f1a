//! Choosing the respondent's locale. Pure: the browser side passes the
//! `data-locale` attribute, `<html lang>` and `navigator.languages`.

/// Locales to try, best first: the embed's `data-locale` override, the
/// page's `<html lang>`, then the browser's languages. Empty and repeated
/// tags are dropped; the config's default locale is the caller's last resort.
pub fn candidates(
    override_locale: Option<&str>,
    html_lang: Option<&str>,
    navigator: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all = override_locale
        .into_iter()
        .chain(html_lang)
        .chain(navigator.iter().map(String::as_str));
    for tag in all.map(str::trim).filter(|t| !t.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_string());
        }
    }
    out
}

/// The first of `available` locales that serves `candidates` (exact tag, then
/// its language: `de-AT` is served by `de`), else `default` when available.
/// Same rule as `Text::pick`, returning the locale instead of the text.
pub fn choose<'a>(
    available: impl IntoIterator<Item = &'a str> + Clone,
    candidates: &[String],
    default: &str,
) -> Option<&'a str> {
    for c in candidates {
        let lang = c.split(['-', '_']).next().unwrap_or("");
        let hit = available
            .clone()
            .into_iter()
            .find(|a| a.eq_ignore_ascii_case(c))
            .or_else(|| {
                available
                    .clone()
                    .into_iter()
                    .find(|a| a.eq_ignore_ascii_case(lang))
            });
        if hit.is_some() {
            return hit;
        }
    }
    available.into_iter().find(|a| *a == default)
}
