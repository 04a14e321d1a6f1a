//! The survey's place in the page: host element, open shadow root, adopted
//! stylesheets, theme variables, and following the on-screen keyboard.
//!
//! Strict CSP: no `<style>` element and no `style` attribute ever. The
//! widget's CSS is a constructable stylesheet; theme values go through the
//! CSSOM into a second one (`.tp.tp.tp { --tp-accent: … }`), which also
//! means config values cannot inject CSS: `setProperty` rejects anything that
//! is not one value.

use super::SurveySpec;
use crate::i18n;
use std::cell::RefCell;
use touchpoint_protocol::config::ColorMode;
use touchpoint_protocol::{Position, Theme};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, CssStyleDeclaration, CssStyleRule, CssStyleSheet, Document, Element,
    HtmlCanvasElement, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode, VisualViewport,
};

/// The widget's whole stylesheet.
const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

thread_local! {
    /// Parsed once, shared by every survey on the page.
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

fn main_sheet() -> Option<CssStyleSheet> {
    SHEET.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let sheet = CssStyleSheet::new().ok()?;
            sheet.replace_sync(CSS).ok()?;
            *cell = Some(sheet);
        }
        cell.clone()
    })
}

/// Parses the stylesheet ahead of the first survey.
pub fn warm_up() {
    let _ = main_sheet();
}

/// A survey's host, shadow root and root container.
pub struct Host {
    /// `<div data-touchpoint-host>` we created, or the page's inline element.
    pub element: Element,
    /// Whether we created `element` (and so remove it).
    pub owned: bool,
    /// Its open shadow root.
    pub shadow: ShadowRoot,
    /// The yew root inside the shadow root (`.tp`).
    pub container: Element,
    /// Custom properties of the container, set through the CSSOM.
    pub vars: CssStyleDeclaration,
}

/// Finds or creates the host, attaches the shadow root and its styles and
/// builds the container. The floating host is not in the page yet: the caller
/// appends it after the first render.
pub fn create(doc: &Document, spec: &SurveySpec) -> Option<Host> {
    let (element, owned) = if spec.position == Position::Inline {
        (inline_host(doc, &spec.touchpoint_id)?, false)
    } else {
        let el = doc.create_element("div").ok()?;
        el.set_attribute("data-touchpoint-host", &spec.touchpoint_id)
            .ok()?;
        (el, true)
    };
    let shadow = match element.shadow_root() {
        // An inline host still showing a survey is not reused.
        Some(s) if s.query_selector(".tp").ok().flatten().is_some() => return None,
        Some(s) => s,
        None => element
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .ok()?,
    };
    let (theme, vars) = theme_sheet(spec)?;
    let sheets = js_sys::Array::of2(&main_sheet()?.into(), &theme.clone().into());
    shadow.set_adopted_style_sheets(&sheets);

    let container = doc.create_element("div").ok()?;
    container.set_class_name(&format!("tp tp-{}", spec.position.as_str()));
    let _ = container.set_attribute("lang", &spec.locale);
    let _ = container.set_attribute(
        "dir",
        if i18n::is_rtl(&spec.locale) {
            "rtl"
        } else {
            "ltr"
        },
    );
    let mode = match spec.mode.or(spec.theme.mode) {
        Some(ColorMode::Light) => "light",
        Some(ColorMode::Dark) => "dark",
        None => "auto",
    };
    let _ = container.set_attribute("data-mode", mode);
    shadow.append_child(&container).ok()?;
    Some(Host {
        element,
        owned,
        shadow,
        container,
        vars,
    })
}

impl Host {
    /// Takes the survey out of the page: removes our host element, or empties
    /// the inline host's shadow root.
    pub fn remove(&self) {
        if self.owned {
            self.element.remove();
        } else {
            self.container.remove();
            self.shadow.set_adopted_style_sheets(&js_sys::Array::new());
        }
    }
}

/// `<div data-touchpoint-inline="<id>">`, compared by value (no selector
/// built from the id, so any id is safe).
fn inline_host(doc: &Document, id: &str) -> Option<Element> {
    let list = doc.query_selector_all("[data-touchpoint-inline]").ok()?;
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into::<Element>().ok())
        .find(|el| el.get_attribute("data-touchpoint-inline").as_deref() == Some(id))
}

/// A stylesheet holding only the theme rule, and that rule's declarations.
fn theme_sheet(spec: &SurveySpec) -> Option<(CssStyleSheet, CssStyleDeclaration)> {
    let sheet = CssStyleSheet::new().ok()?;
    // Tripled class: wins over the light/dark defaults in style.css.
    sheet.insert_rule(".tp.tp.tp{}").ok()?;
    let rule: CssStyleRule = sheet.css_rules().ok()?.get(0)?.dyn_into().ok()?;
    let vars = rule.style();
    let t = &spec.theme;
    let set = |name: &str, value: &str| {
        let _ = vars.set_property(name, value);
    };
    if let Some(accent) = t.accent.as_deref() {
        set("--tp-accent", accent);
        if let Some(on) = on_color(accent) {
            set("--tp-on-accent", on);
        }
    }
    if let Some(bg) = t.background.as_deref() {
        set("--tp-bg", bg);
    }
    if let Some(fg) = t.text.as_deref() {
        set("--tp-fg", fg);
    }
    if let Some(r) = t.radius {
        set("--tp-radius", &format!("{}px", r.min(48)));
    }
    if let Some(font) = t.font.is_some().then(|| font_family(t)).flatten() {
        set("--tp-font", &font);
    }
    Some((sheet, vars))
}

/// The survey's font family: the theme's, the page's for "inherit", else
/// `None` (the stylesheet's own `--tp-font`).
fn font_family(t: &Theme) -> Option<String> {
    match t.font.as_deref()? {
        "inherit" => page_font(),
        font => Some(font.to_string()),
    }
}

/// Shapes `sample` in the survey's fonts on a canvas that is never attached:
/// the first survey's layout then finds the system fonts already resolved
/// (on a cold page that lookup is about half of its layout time).
pub fn warm_fonts(t: &Theme, sample: &str) {
    let family = font_family(t).unwrap_or_else(|| {
        let stack = CSS
            .split("--tp-font:")
            .nth(1)
            .and_then(|r| r.split(';').next());
        stack.unwrap_or("sans-serif").to_string()
    });
    let ctx = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
        .and_then(|c| c.get_context("2d").ok().flatten())
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok());
    if let Some(ctx) = ctx {
        // The weights style.css uses.
        for weight in ["400", "600"] {
            ctx.set_font(&format!("{weight} 15px {family}"));
            let _ = ctx.measure_text(sample);
        }
    }
}

/// The page's font family (`:host` resets inheritance, so "inherit" is read).
fn page_font() -> Option<String> {
    let win = web_sys::window()?;
    let body = win.document()?.body()?;
    let font = win
        .get_computed_style(&body)
        .ok()??
        .get_property_value("font-family")
        .ok()?;
    (!font.is_empty()).then_some(font)
}

/// Text colour on an accent given as `#rgb` or `#rrggbb`: whichever of white
/// and near-black contrasts more. `None` for other colour syntaxes.
pub fn on_color(accent: &str) -> Option<&'static str> {
    let hex = accent.trim().strip_prefix('#')?;
    let digits: Vec<u32> = hex.chars().map(|c| c.to_digit(16)).collect::<Option<_>>()?;
    let rgb: [f64; 3] = match digits.len() {
        3 => [0, 1, 2].map(|i| f64::from(digits[i] * 17) / 255.0),
        6 => [0, 1, 2].map(|i| f64::from(digits[2 * i] * 16 + digits[2 * i + 1]) / 255.0),
        _ => return None,
    };
    let lin = rgb.map(|c| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            pow_2_4((c + 0.055) / 1.055)
        }
    });
    let l = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    // #111827 has luminance ≈ 0.0086.
    let white = 1.05 / (l + 0.05);
    let dark = (l + 0.05) / 0.0586;
    Some(if white >= dark { "#ffffff" } else { "#111827" })
}

/// `x`^2.4 for 0 < x ≤ 1 without `powf`, whose libm code is ≈ 2 KB of the
/// wasm: the fifth root of x^12 by Newton's method from x² (above the root),
/// within 1 ulp of `powf`; checked to give the same text colour as `powf` for
/// all 16.7 million `#rrggbb` accents.
fn pow_2_4(x: f64) -> f64 {
    let x4 = x * x * x * x;
    let a = x4 * x4 * x4;
    let mut y = x * x;
    for _ in 0..12 {
        let y2 = y * y;
        y = (4.0 * y + a / (y2 * y2)) / 5.0;
    }
    y
}

/// Keeps floating surveys above the on-screen keyboard: sets `--tp-kb` to
/// the height the visual viewport lost at the bottom. Listeners go when
/// this is dropped.
pub struct KeyboardFollow {
    viewport: VisualViewport,
    listener: Closure<dyn Fn()>,
}

impl KeyboardFollow {
    /// Starts following, or `None` without `window.visualViewport`.
    pub fn new(vars: CssStyleDeclaration) -> Option<KeyboardFollow> {
        let win = web_sys::window()?;
        let viewport = win.visual_viewport()?;
        let vv = viewport.clone();
        let listener = Closure::<dyn Fn()>::new(move || {
            let inner = win
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(0.0);
            // Whole pixels (an integer also formats without float code).
            let covered = (inner - vv.height() - vv.offset_top()).max(0.0).round() as u32;
            let _ = vars.set_property("--tp-kb", &format!("{covered}px"));
        });
        for kind in ["resize", "scroll"] {
            viewport
                .add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref())
                .ok()?;
        }
        Some(KeyboardFollow { viewport, listener })
    }
}

impl Drop for KeyboardFollow {
    fn drop(&mut self) {
        let f: &js_sys::Function = self.listener.as_ref().unchecked_ref();
        for kind in ["resize", "scroll"] {
            let _ = self.viewport.remove_event_listener_with_callback(kind, f);
        }
    }
}

/// The page's focused element, to give focus back after a modal.
pub fn active_element(doc: &Document) -> Option<HtmlElement> {
    doc.active_element()?.dyn_into::<HtmlElement>().ok()
}

/// Runs `f` on a later task (outside any yew callback in progress).
pub fn later(ms: i32, f: impl FnOnce() + 'static) {
    let f = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            f.unchecked_ref::<js_sys::Function>(),
            ms,
        );
    }
}
