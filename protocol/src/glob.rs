//! URL globs for `when.url`: `*` matches any run of characters (slashes too).

/// Whether `pattern` matches the page. A pattern starting with `http` is
/// matched against the full URL, any other against the path alone.
pub fn url_matches(pattern: &str, path: &str, full_url: &str) -> bool {
    if pattern.starts_with("http") {
        glob_match(pattern, full_url)
    } else {
        glob_match(pattern, path)
    }
}

/// Whether any of `patterns` matches; `None` (no `when.url`) matches every page.
pub fn any_url_matches(patterns: Option<&[String]>, path: &str, full_url: &str) -> bool {
    match patterns {
        None => true,
        Some(ps) => ps.iter().any(|p| url_matches(p, path, full_url)),
    }
}

/// Glob match where `*` is the only wildcard. Linear-time greedy matching
/// with backtracking to the last star, so hostile patterns cannot blow up.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run() {
        assert!(glob_match("/checkout/thank-you*", "/checkout/thank-you"));
        assert!(glob_match(
            "/checkout/thank-you*",
            "/checkout/thank-you/123"
        ));
        assert!(!glob_match("/checkout/thank-you*", "/checkout"));
        assert!(glob_match("/help/*", "/help/articles/returns"));
        assert!(glob_match("*/thank-you", "/shop/checkout/thank-you"));
        assert!(glob_match("/a*b*c", "/aXXbYYc"));
        assert!(!glob_match("/a*b*c", "/aXXbYY"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("/exact", "/exact/more"));
    }

    #[test]
    fn http_patterns_match_the_full_url() {
        let url = "https://shop.example/checkout/thank-you?order=1";
        assert!(url_matches(
            "https://shop.example/checkout/*",
            "/checkout/thank-you",
            url
        ));
        assert!(!url_matches(
            "https://other.example/*",
            "/checkout/thank-you",
            url
        ));
        assert!(url_matches("/checkout/*", "/checkout/thank-you", url));
    }

    #[test]
    fn no_patterns_means_every_page() {
        assert!(any_url_matches(None, "/x", "http://h/x"));
        assert!(!any_url_matches(Some(&[]), "/x", "http://h/x"));
    }

    /// The cases `touchpoint.js` is tested against too (tests/e2e/bootstrap.test.mjs):
    /// the bootstrap decides whether to load the widget with its own copy of this rule.
    #[test]
    fn shared_vectors_agree() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/url-glob.json")).unwrap();
        let cases = file["cases"].as_array().unwrap();
        assert!(cases.len() >= 20);
        for case in cases {
            let s = |k: &str| case[k].as_str().unwrap();
            assert_eq!(
                url_matches(s("pattern"), s("path"), s("url")),
                case["match"].as_bool().unwrap(),
                "{case}"
            );
        }
    }

    #[test]
    fn pathological_pattern_stays_fast() {
        let pattern = "*a".repeat(50);
        let text = "a".repeat(5000) + "b";
        assert!(!glob_match(&pattern, &text));
    }
}
