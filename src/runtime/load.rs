//! Starting the runtime: read the bootstrap's options, load and check the
//! config, then arm the page and replay the queued API calls.

use super::{api, dom, engine, nav, page, show};
use crate::decide::{fire, locale};
use crate::deliver::{outbox, storage};
use crate::json;
use js_sys::Reflect;
use serde_json::Value;
use std::cell::Cell;
use touchpoint_protocol::{parse_config_value, ConfigError, ParsedConfig};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What `touchpoint.js` passes to `start`.
#[derive(Debug, Default)]
pub struct Options {
    /// Absolute URL responses are posted to (`data-endpoint`).
    pub endpoint: Option<String>,
    /// Absolute config URL (`data-config`).
    pub config: Option<String>,
    /// Config text the bootstrap already read (fetched from `config` or
    /// inline on the page); when absent it is fetched or read here.
    pub inline_config: Option<String>,
    /// `data-locale` override.
    pub locale: Option<String>,
    /// The queue of calls made before the wasm was ready.
    pub queue: JsValue,
}

impl Options {
    /// Reads the options object; missing or mistyped fields are `None`.
    pub fn read(v: &JsValue) -> Options {
        let text = |k: &str| {
            Reflect::get(v, &k.into())
                .ok()
                .and_then(|x| x.as_string())
                .filter(|s| !s.trim().is_empty())
        };
        Options {
            endpoint: text("endpoint"),
            config: text("config"),
            inline_config: text("inlineConfig"),
            locale: text("locale"),
            queue: Reflect::get(v, &"queue".into()).unwrap_or(JsValue::UNDEFINED),
        }
    }
}

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// `start(options)`: runs once per page; everything after the options are
/// read happens asynchronously and never throws into the host page.
pub fn start(options: JsValue) {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    let opts = Options::read(&options);
    wasm_bindgen_futures::spawn_local(run(opts));
}

async fn run(opts: Options) {
    // Each step in its own task (instantiation, config + arming, first
    // show), so none of them holds the host page's main thread for long.
    dom::next_task().await;
    // Until the config is in, the bootstrap's methods keep queueing; the
    // real ones are installed only when they can act, then the queue replays.
    let Some(endpoint) = opts.endpoint.clone() else {
        dom::warn("the script tag has no data-endpoint; no survey will show");
        return inert(&opts);
    };
    let parsed = match config_text(&opts).await.and_then(|t| parse(&t, &opts)) {
        Ok(p) => p,
        Err(msg) => {
            dom::warn(&msg);
            return inert(&opts);
        }
    };
    warn_problems(&parsed);
    outbox::init(&endpoint);
    let mut rt = page::Runtime::new(parsed.config, parsed.disabled, locales(&opts));
    if let Some(Value::Object(m)) =
        storage::get(api::ATTRIBUTES_KEY).and_then(|s| json::parse(&s).ok())
    {
        rt.attributes = m;
    }
    page::install(rt);
    nav::install();
    // Arm first so queued track() calls find their touchpoints; what fires
    // on load shows after the preview and the queued calls (identify,
    // consent) have been applied.
    let loads = engine::arm_page();
    if let Some(id) = fire::preview_id(&dom::location().search) {
        api::preview(&id);
    }
    api::install();
    api::replay(&opts.queue);
    dom::next_task().await;
    show::fire(loads);
    api::mark_ready();
    dom::when_idle(500, show::warm_up);
}

/// No usable config: the page stays untouched. The API keeps answering
/// (consent and reset still act on stored state); nothing else happens.
fn inert(opts: &Options) {
    api::install();
    api::replay(&opts.queue);
}

fn parse(text: &str, opts: &Options) -> Result<ParsedConfig, String> {
    let value = json::parse(text).map_err(ConfigError::not_json);
    value.and_then(|v| parse_config_value(&v)).map_err(|e| {
        format!(
            "the config {} cannot be used, no survey will show:\n{e}",
            opts.config.as_deref().unwrap_or("(inline)")
        )
    })
}

async fn config_text(opts: &Options) -> Result<String, String> {
    // The bootstrap hands over the text it has already read (from
    // data-config or the page), so the config is not fetched twice.
    if let Some(text) = &opts.inline_config {
        return Ok(text.clone());
    }
    if let Some(url) = &opts.config {
        return fetch_text(url).await.map_err(|e| {
            format!("the config {url} could not be loaded ({e}); no survey will show")
        });
    }
    dom::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("touchpoint-config"))
        .and_then(|e| e.text_content())
        .ok_or_else(|| {
            "no config: add data-config to the script tag or a <script type=\"application/json\" id=\"touchpoint-config\"> to the page".to_string()
        })
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let describe = |e: JsValue| {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "network error".into())
    };
    let w = dom::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(w.fetch_with_str(url))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    JsFuture::from(resp.text().map_err(describe)?)
        .await
        .map_err(describe)?
        .as_string()
        .ok_or_else(|| "the body is not text".into())
}

/// One console warning per left-out touchpoint, and one for the rest.
fn warn_problems(parsed: &ParsedConfig) {
    let (per_touchpoint, general) = fire::disabled_warnings(&parsed.disabled, &parsed.problems);
    for (name, problems) in per_touchpoint {
        dom::warn(&format!(
            "touchpoint \"{name}\" is disabled by config problems:\n  {}",
            problems.join("\n  ")
        ));
    }
    if !general.is_empty() {
        dom::warn(&format!(
            "config problems (defaults are used instead):\n  {}",
            general.join("\n  ")
        ));
    }
}

fn locales(opts: &Options) -> Vec<String> {
    let w = dom::window();
    let html_lang = w
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    let navigator: Vec<String> = w
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|l| l.as_string())
                .collect()
        })
        .unwrap_or_default();
    locale::candidates(opts.locale.as_deref(), html_lang.as_deref(), &navigator)
}
