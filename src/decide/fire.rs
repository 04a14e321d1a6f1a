//! Deciding which touchpoint fires, free of the DOM so it is tested without a
//! page (`decide/tests.rs`). The browser side (`runtime::engine`,
//! `runtime::dom`) feeds it plain values: paths, URLs, scroll positions,
//! event names.

use super::caps::Skip;
use touchpoint_protocol::glob::any_url_matches;
use touchpoint_protocol::{Config, Touchpoint, Trigger};

/// Indices (into `config.touchpoints`) of the touchpoints that may fire on
/// this page: enabled and matching `when.url`, in config order.
pub fn armed_on(config: &Config, path: &str, url: &str) -> Vec<usize> {
    config
        .touchpoints
        .iter()
        .enumerate()
        .filter(|(_, t)| t.enabled && any_url_matches(t.when.url.as_deref(), path, url))
        .map(|(i, _)| i)
        .collect()
}

/// What changes when the page URL changes (SPA navigation or first load).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NavPlan {
    /// Armed touchpoints to drop, cancelling their pending timers and listeners.
    pub disarm: Vec<usize>,
    /// Touchpoints to arm afresh (a `load` trigger activates now).
    pub arm: Vec<usize>,
}

/// Plans a navigation. Leaving the page (another path) disarms everything and
/// arms what matches the new page afresh. Staying on the path (query or hash
/// change) keeps touchpoints that still match as they are, so a filter or an
/// anchor does not restart a pending delay; the others are disarmed and newly
/// matching ones armed.
pub fn plan_navigation(
    config: &Config,
    armed: &[usize],
    same_path: bool,
    path: &str,
    url: &str,
) -> NavPlan {
    let matching = armed_on(config, path, url);
    if !same_path {
        return NavPlan {
            disarm: armed.to_vec(),
            arm: matching,
        };
    }
    NavPlan {
        disarm: armed
            .iter()
            .copied()
            .filter(|i| !matching.contains(i))
            .collect(),
        arm: matching
            .into_iter()
            .filter(|i| !armed.contains(i))
            .collect(),
    }
}

/// Of `waiting` touchpoints, those activated by `touchpoint.track(name)`.
pub fn on_event(config: &Config, waiting: &[usize], name: &str) -> Vec<usize> {
    select(
        config,
        waiting,
        |t| matches!(t, Trigger::Event(e) if e == name),
    )
}

/// Of `waiting` touchpoints, those whose `scroll_percent` is reached at `percent`.
pub fn on_scroll(config: &Config, waiting: &[usize], percent: f64) -> Vec<usize> {
    select(
        config,
        waiting,
        |t| matches!(t, Trigger::ScrollPercent(p) if percent >= f64::from(*p)),
    )
}

/// Of `waiting` touchpoints, the exit-intent ones.
pub fn on_exit_intent(config: &Config, waiting: &[usize]) -> Vec<usize> {
    select(config, waiting, |t| *t == Trigger::ExitIntent)
}

fn select(config: &Config, waiting: &[usize], f: impl Fn(&Trigger) -> bool) -> Vec<usize> {
    waiting
        .iter()
        .copied()
        .filter(|i| config.touchpoints.get(*i).is_some_and(|t| f(&t.when.on)))
        .collect()
}

/// How far down the page the bottom of the viewport is, 0–100. A page that
/// does not scroll counts as fully seen.
pub fn scroll_percent(scroll_y: f64, viewport_height: f64, document_height: f64) -> f64 {
    if document_height <= viewport_height || document_height <= 0.0 {
        return 100.0;
    }
    ((scroll_y + viewport_height) / document_height * 100.0).clamp(0.0, 100.0)
}

/// Whether a `mouseout` is the pointer leaving the window through the top
/// edge: it has no element to go to and is at or above the viewport's top.
pub fn is_exit_intent(client_y: i32, has_related_target: bool) -> bool {
    !has_related_target && client_y <= 0
}

/// The id in `?touchpoint_preview=<id>`, if the query string asks for one.
pub fn preview_id(search: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "touchpoint_preview")
        .map(|(_, v)| percent_decode(v))
        .filter(|v| !v.is_empty())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How a survey was asked for; decides which checks apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A trigger of the config fired: every check applies.
    Trigger,
    /// `touchpoint.show(id)`: no sampling or fatigue caps, but a closed
    /// touchpoint, consent and Global Privacy Control still hold.
    Api,
    /// `?touchpoint_preview=<id>`: no sampling or caps at all (consent and
    /// Global Privacy Control still hold); responses carry `"preview": true`
    /// and nothing counts towards caps.
    Preview,
}

/// Whether a cap verdict lets a survey asked for by `origin` show.
pub fn caps_allow(origin: Origin, verdict: Result<(), Skip>) -> bool {
    match (origin, verdict) {
        (_, Ok(())) | (Origin::Preview, _) => true,
        (Origin::Api, Err(skip)) => skip != Skip::Closed,
        (Origin::Trigger, Err(_)) => false,
    }
}

/// A touchpoint's problems grouped for one console warning each: pairs of the
/// disabled touchpoint's name (its id, or its path when it has none) and its
/// problems. `problems` paths look like `touchpoints[2].stage`.
pub fn disabled_warnings(
    disabled: &[String],
    problems: &[touchpoint_protocol::Problem],
) -> (Vec<(String, Vec<String>)>, Vec<String>) {
    let mut per_index: Vec<(usize, Vec<String>)> = Vec::new();
    let mut general = Vec::new();
    for p in problems {
        match touchpoint_index(&p.path) {
            // Inserted in index order (no sort instantiation in the wasm).
            Some(i) => match per_index.binary_search_by_key(&i, |(j, _)| *j) {
                Ok(at) => per_index[at].1.push(p.to_string()),
                Err(at) => per_index.insert(at, (i, vec![p.to_string()])),
            },
            None => general.push(p.to_string()),
        }
    }
    // `disabled` lists the left-out touchpoints in document order, and every
    // problem inside a touchpoint leaves it out: the two line up.
    let grouped = per_index
        .into_iter()
        .enumerate()
        .map(|(n, (i, list))| {
            let name = disabled
                .get(n)
                .cloned()
                .unwrap_or_else(|| format!("touchpoints[{i}]"));
            (name, list)
        })
        .collect();
    (grouped, general)
}

fn touchpoint_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("touchpoints[")?;
    let (n, _) = rest.split_once(']')?;
    n.parse().ok()
}

/// The touchpoint named `id`, with a message for the console when there is none.
pub fn find<'a>(
    config: &'a Config,
    disabled: &[String],
    id: &str,
) -> Result<(usize, &'a Touchpoint), String> {
    match config.touchpoints.iter().position(|t| t.id == id) {
        Some(i) => Ok((i, &config.touchpoints[i])),
        None if disabled.iter().any(|d| d == id) => Err(format!(
            "touchpoint \"{id}\" is disabled by config problems (see the warning above)"
        )),
        None => Err(format!("no touchpoint \"{id}\" in the config")),
    }
}
