//! The runtime's state for this page: which touchpoints are armed, their
//! timers and listeners, the visible survey. Decisions come from `decide`;
//! this file only keeps state and wires browser events to it.
//!
//! Re-entrancy rule: state is borrowed only inside `with`, and nothing that
//! can call back into the host (mounting, dispatching events, sending) runs
//! while it is borrowed. Callers collect what to do, release, then do it.

use super::decide;
use super::dom::{self, Listener, Timer};
use super::{privacy, show};
use serde_json::{Map, Value};
use std::cell::RefCell;
use touchpoint_protocol::{Config, Response, Trigger};
use wasm_bindgen::JsCast;

/// The runtime once a config is loaded.
pub struct Runtime {
    /// The usable config (broken touchpoints left out).
    pub config: Config,
    /// Names of the touchpoints left out for problems.
    pub disabled: Vec<String>,
    /// Locale preferences, best first.
    pub locales: Vec<String>,
    /// Attributes from `touchpoint.identify`.
    pub attributes: Map<String, Value>,
    /// The survey on screen, if any.
    pub visible: Option<Visible>,
    /// Path of the page the armed touchpoints belong to.
    page: Option<String>,
    armed: Vec<Armed>,
    scroll: Option<Listener>,
    exit: Option<Listener>,
    click: Option<Listener>,
    /// popstate/hashchange, for the page's lifetime.
    pub nav: Vec<Listener>,
}

/// The survey on screen.
pub struct Visible {
    /// Index of its touchpoint.
    pub index: usize,
    /// The response as last sent.
    pub response: Response,
    /// Set once `ui::mount` returned.
    pub handle: Option<crate::ui::SurveyHandle>,
    /// Whether a score was chosen.
    pub answered: bool,
}

struct Armed {
    index: usize,
    state: State,
}

enum State {
    /// Listening for its trigger (event, scroll, exit intent, click).
    Waiting,
    /// `{"delay_ms": n}` counting down (dropping the timer cancels it).
    Delaying(#[allow(dead_code)] Timer),
    /// Activated; `when.delay_ms` counting down before showing.
    Pending(#[allow(dead_code)] Timer),
    /// Activated on this page; it does not fire again until the page changes.
    Done,
}

thread_local! {
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Runs `f` on the runtime; `None` before a config is loaded (or when the
/// state is already borrowed, which the rule above rules out).
pub fn with<R>(f: impl FnOnce(&mut Runtime) -> R) -> Option<R> {
    RUNTIME.with(|cell| cell.try_borrow_mut().ok()?.as_mut().map(f))
}

/// Makes `rt` the page's runtime.
pub fn install(rt: Runtime) {
    RUNTIME.with(|cell| {
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some(rt);
        }
    });
}

/// Re-evaluates the page (first load, SPA navigation, consent change) and
/// shows what fired.
pub fn route() {
    show::fire(arm_page());
}

/// Like `route`, but returns what fired instead of showing it.
pub fn arm_page() -> Vec<usize> {
    with(Runtime::route).unwrap_or_default()
}

/// `touchpoint.track(name)`. The page is re-evaluated first: a host may
/// change the URL through a `pushState` it saved before ours was wrapped,
/// and then track the new page's event at once.
pub fn track(name: &str) {
    let fired = with(|rt| {
        let mut fired = rt.route();
        let hits = decide::on_event(&rt.config, &rt.waiting(), name);
        fired.extend(rt.activate_all(hits));
        fired
    });
    show::fire(fired.unwrap_or_default());
}

#[derive(Clone, Copy)]
enum Phase {
    Trigger,
    Pending,
}

fn on_timer(index: usize, phase: Phase) {
    let fired = with(|rt| {
        let armed = rt.armed.iter_mut().find(|a| a.index == index)?;
        match (phase, &armed.state) {
            (Phase::Trigger, State::Delaying(_)) => Some(rt.activate_all(vec![index])),
            (Phase::Pending, State::Pending(_)) => {
                armed.state = State::Done;
                Some(vec![index])
            }
            _ => None,
        }
    });
    show::fire(fired.flatten().unwrap_or_default());
}

fn on_scroll() {
    let fired = with(|rt| {
        let hits = decide::on_scroll(&rt.config, &rt.waiting(), dom::scroll_percent());
        rt.activate_all(hits)
    });
    show::fire(fired.unwrap_or_default());
}

fn on_mouseout(event: web_sys::Event) {
    let Some(m) = event.dyn_ref::<web_sys::MouseEvent>() else {
        return;
    };
    if !decide::is_exit_intent(m.client_y(), m.related_target().is_some()) {
        return;
    }
    let fired = with(|rt| {
        let hits = decide::on_exit_intent(&rt.config, &rt.waiting());
        rt.activate_all(hits)
    });
    show::fire(fired.unwrap_or_default());
}

fn on_click(event: web_sys::Event) {
    let fired = with(|rt| {
        let config = &rt.config;
        let hits: Vec<usize> = rt
            .waiting()
            .into_iter()
            .filter(|i| match &config.touchpoints[*i].when.on {
                Trigger::Click(sel) => dom::target_matches(&event, sel),
                _ => false,
            })
            .collect();
        rt.activate_all(hits)
    });
    show::fire(fired.unwrap_or_default());
}

impl Runtime {
    /// A runtime for `config`, nothing armed yet.
    pub fn new(config: Config, disabled: Vec<String>, locales: Vec<String>) -> Runtime {
        Runtime {
            config,
            disabled,
            locales,
            attributes: Map::new(),
            visible: None,
            page: None,
            armed: Vec::new(),
            scroll: None,
            exit: None,
            click: None,
            nav: Vec::new(),
        }
    }

    /// Whether consent and Global Privacy Control let surveys run now.
    pub fn privacy_allows(&self) -> bool {
        privacy::blocked(&self.config).is_none()
    }

    fn route(&mut self) -> Vec<usize> {
        let loc = dom::location();
        let armed: Vec<usize> = self.armed.iter().map(|a| a.index).collect();
        let plan = if self.privacy_allows() {
            let same = self.page.as_deref() == Some(loc.path.as_str());
            decide::plan_navigation(&self.config, &armed, same, &loc.path, &loc.href)
        } else {
            decide::NavPlan {
                disarm: armed,
                arm: Vec::new(),
            }
        };
        // Dropping an entry cancels its timer.
        self.armed.retain(|a| !plan.disarm.contains(&a.index));
        self.page = Some(loc.path);
        let mut loads = Vec::new();
        for index in plan.arm {
            if let Some(state) = self.arm(index) {
                self.armed.push(Armed { index, state });
                if self.config.touchpoints[index].when.on == Trigger::Load {
                    loads.push(index);
                }
            }
        }
        self.armed.sort_unstable_by_key(|a| a.index);
        self.activate_all(loads)
    }

    fn arm(&self, index: usize) -> Option<State> {
        let tp = &self.config.touchpoints[index];
        match &tp.when.on {
            Trigger::Delay(ms) => {
                dom::timeout(*ms, move || on_timer(index, Phase::Trigger)).map(State::Delaying)
            }
            Trigger::Click(sel) if !dom::valid_selector(sel) => {
                dom::warn(&format!(
                    "touchpoint \"{}\": when.on.click \"{sel}\" is not a valid CSS selector; it never fires",
                    tp.id
                ));
                None
            }
            _ => Some(State::Waiting),
        }
    }

    /// The first touchpoint armed on this page, if any.
    pub fn first_armed(&self) -> Option<usize> {
        self.armed.first().map(|a| a.index)
    }

    fn waiting(&self) -> Vec<usize> {
        self.armed
            .iter()
            .filter(|a| matches!(a.state, State::Waiting))
            .map(|a| a.index)
            .collect()
    }

    /// Activates `hits`: those without `when.delay_ms` are returned to show
    /// now, the others start their delay. Listeners follow what still waits.
    fn activate_all(&mut self, hits: Vec<usize>) -> Vec<usize> {
        let mut now = Vec::new();
        for index in hits {
            let delay = self.config.touchpoints[index].when.delay_ms;
            let Some(armed) = self.armed.iter_mut().find(|a| a.index == index) else {
                continue;
            };
            armed.state = State::Done;
            if delay == 0 {
                now.push(index);
            } else if let Some(t) = dom::timeout(delay, move || on_timer(index, Phase::Pending)) {
                armed.state = State::Pending(t);
            }
        }
        self.sync_listeners();
        now
    }

    /// Adds the page listeners that waiting triggers need and removes the rest.
    fn sync_listeners(&mut self) {
        let waiting: Vec<&Trigger> = self
            .waiting()
            .into_iter()
            .map(|i| &self.config.touchpoints[i].when.on)
            .collect();
        let needs = |f: fn(&Trigger) -> bool| waiting.iter().any(|t| f(t));
        let scroll = needs(|t| matches!(t, Trigger::ScrollPercent(_)));
        let exit = needs(|t| *t == Trigger::ExitIntent) && !dom::touch_primary();
        let click = needs(|t| matches!(t, Trigger::Click(_)));
        let Some(w) = dom::window() else { return };
        let doc: Option<web_sys::EventTarget> = w.document().map(Into::into);
        toggle(&mut self.scroll, scroll, || {
            dom::listen(&w, "scroll", false, |_| on_scroll())
        });
        toggle(&mut self.exit, exit, || {
            dom::listen(doc.as_ref()?, "mouseout", false, on_mouseout)
        });
        // Capture phase: a host handler that stops propagation cannot hide the click.
        toggle(&mut self.click, click, || {
            dom::listen(doc.as_ref()?, "click", true, on_click)
        });
    }
}

fn toggle(slot: &mut Option<Listener>, needed: bool, add: impl FnOnce() -> Option<Listener>) {
    match (needed, slot.is_some()) {
        (true, false) => *slot = add(),
        (false, true) => *slot = None,
        _ => {}
    }
}
