//! Arming touchpoints and following their triggers: which are armed on this
//! page, their timers and listeners. Decisions come from `decide::fire`; this
//! file wires browser events to them and hands what fired to `show`. The
//! state lives in `page` (see its re-entrancy rule).

use super::dom::{self, Listener};
use super::page::{with, ArmState, Armed, Runtime};
use super::show;
use crate::decide::fire;
use touchpoint_protocol::Trigger;
use wasm_bindgen::JsCast;

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
        let hits = fire::on_event(&rt.config, &rt.waiting(), name);
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
            (Phase::Trigger, ArmState::Delaying(_)) => Some(rt.activate_all(vec![index])),
            (Phase::Pending, ArmState::Pending(_)) => {
                armed.state = ArmState::Done;
                Some(vec![index])
            }
            _ => None,
        }
    });
    show::fire(fired.flatten().unwrap_or_default());
}

fn on_scroll() {
    let fired = with(|rt| {
        let hits = fire::on_scroll(&rt.config, &rt.waiting(), dom::scroll_percent());
        rt.activate_all(hits)
    });
    show::fire(fired.unwrap_or_default());
}

fn on_mouseout(event: web_sys::Event) {
    let Some(m) = event.dyn_ref::<web_sys::MouseEvent>() else {
        return;
    };
    if !fire::is_exit_intent(m.client_y(), m.related_target().is_some()) {
        return;
    }
    let fired = with(|rt| {
        let hits = fire::on_exit_intent(&rt.config, &rt.waiting());
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
    fn route(&mut self) -> Vec<usize> {
        let loc = dom::location();
        let armed: Vec<usize> = self.armed.iter().map(|a| a.index).collect();
        let plan = if self.privacy_allows() {
            let same = self.page.as_deref() == Some(loc.path.as_str());
            fire::plan_navigation(&self.config, &armed, same, &loc.path, &loc.href)
        } else {
            fire::NavPlan {
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
                // Kept in config order by inserting in place: a sort would
                // add its own instantiation to the wasm.
                let at = self.armed.partition_point(|a| a.index < index);
                self.armed.insert(at, Armed { index, state });
                if self.config.touchpoints[index].when.on == Trigger::Load {
                    loads.push(index);
                }
            }
        }
        self.activate_all(loads)
    }

    fn arm(&self, index: usize) -> Option<ArmState> {
        let tp = &self.config.touchpoints[index];
        match &tp.when.on {
            Trigger::Delay(ms) => {
                dom::timeout(*ms, move || on_timer(index, Phase::Trigger)).map(ArmState::Delaying)
            }
            Trigger::Click(sel) if !dom::valid_selector(sel) => {
                dom::warn(&format!(
                    "touchpoint \"{}\": when.on.click \"{sel}\" is not a valid CSS selector; it never fires",
                    tp.id
                ));
                None
            }
            _ => Some(ArmState::Waiting),
        }
    }

    fn waiting(&self) -> Vec<usize> {
        self.armed
            .iter()
            .filter(|a| matches!(a.state, ArmState::Waiting))
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
            armed.state = ArmState::Done;
            if delay == 0 {
                now.push(index);
            } else if let Some(t) = dom::timeout(delay, move || on_timer(index, Phase::Pending)) {
                armed.state = ArmState::Pending(t);
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
