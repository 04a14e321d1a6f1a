//! The runtime's state for this page: the usable config, the armed
//! touchpoints with their timers and listeners, the visible survey. Only
//! data and the one way to reach it (`with`); `engine` arms and triggers,
//! `show` shows, and both borrow the state through here.
//!
//! Re-entrancy rule: state is borrowed only inside `with`, and nothing that
//! can call back into the host (mounting, dispatching events, sending) runs
//! while it is borrowed. Callers collect what to do, release, then do it.

use super::dom::{Listener, Timer};
use super::privacy;
use serde_json::{Map, Value};
use std::cell::RefCell;
use touchpoint_protocol::{Config, Response};

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
    pub(super) page: Option<String>,
    /// Armed touchpoints in config order.
    pub(super) armed: Vec<Armed>,
    /// Page listeners for the waiting triggers (`engine` adds and drops them).
    pub(super) scroll: Option<Listener>,
    pub(super) exit: Option<Listener>,
    pub(super) click: Option<Listener>,
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

/// A touchpoint armed on this page.
pub(super) struct Armed {
    pub(super) index: usize,
    pub(super) state: ArmState,
}

/// Where an armed touchpoint's trigger is.
pub(super) enum ArmState {
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

    /// The first touchpoint armed on this page, if any.
    pub fn first_armed(&self) -> Option<usize> {
        self.armed.first().map(|a| a.index)
    }
}
