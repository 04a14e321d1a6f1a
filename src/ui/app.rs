//! The survey app: wires the state, the components and the events.

use super::components::{FollowUp, Scale, Shell, Thanks};
use super::state::{Action, Stage, State};
use super::{SurveyEvent, SurveySpec};
use crate::i18n;
use std::rc::Rc;
use touchpoint_protocol::{Band, Position};
use yew::prelude::*;

/// Props of [`App`].
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// What to ask.
    pub spec: Rc<SurveySpec>,
    /// Where events go (`Dismissed` and `Closed` also end the survey).
    pub emit: Callback<SurveyEvent>,
}

/// The question text: the config's, else the built-in one for the locale.
pub fn question_text(spec: &SurveySpec) -> AttrValue {
    if spec.text.trim().is_empty() {
        AttrValue::Static(i18n::strings(&spec.locale).default_question(spec.question))
    } else {
        AttrValue::from(spec.text.clone())
    }
}

fn follow_up_text(spec: &SurveySpec, band: Band) -> AttrValue {
    let text = spec.follow_up.iter().find(|(b, _)| *b == band);
    AttrValue::from(text.map(|(_, t)| t.clone()).unwrap_or_default())
}

/// One survey.
#[function_component]
pub fn App(props: &AppProps) -> Html {
    let spec = &props.spec;
    let strings = i18n::strings(&spec.locale);
    let state = use_reducer(|| {
        let bands = spec
            .follow_up
            .iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(b, _)| *b)
            .collect();
        State::new(spec.question, bands)
    });
    // The live region starts empty and is filled after the first render, so
    // screen readers announce the survey when it appears.
    let appeared = use_state(|| false);
    {
        let appeared = appeared.clone();
        use_effect_with((), move |_| appeared.set(true));
    }

    let on_select = {
        let (state, emit) = (state.clone(), props.emit.clone());
        Callback::from(move |score: u8| {
            if state.open() && state.score != Some(score) {
                emit.emit(SurveyEvent::Answered(score));
            }
            state.dispatch(Action::Select(score));
        })
    };
    let on_send = {
        let (state, emit) = (state.clone(), props.emit.clone());
        Callback::from(move |comment: String| {
            if matches!(state.stage, Stage::FollowUp(_)) && !comment.is_empty() {
                emit.emit(SurveyEvent::Comment(comment));
            }
            state.dispatch(Action::Send);
        })
    };
    let on_close = {
        let (state, emit) = (state.clone(), props.emit.clone());
        Callback::from(move |()| {
            if state.stage != Stage::Closed {
                emit.emit(if state.score.is_some() {
                    SurveyEvent::Closed
                } else {
                    SurveyEvent::Dismissed
                });
            }
            state.dispatch(Action::Close);
        })
    };
    let on_done = {
        let (state, emit) = (state.clone(), props.emit.clone());
        Callback::from(move |()| {
            emit.emit(SurveyEvent::Closed);
            state.dispatch(Action::Finish);
        })
    };

    let title = question_text(spec);
    let view = state.view();
    let announce = match view {
        _ if !*appeared => AttrValue::default(),
        Stage::Thanks => AttrValue::Static(strings.thanks),
        Stage::FollowUp(band) => follow_up_text(spec, band),
        _ => title.clone(),
    };
    let body = match view {
        Stage::Thanks => html! { <Thanks text={strings.thanks} {on_done} /> },
        _ => {
            let [lo, hi] = strings.anchors(spec.question);
            let follow = match view {
                Stage::FollowUp(band) => html! {
                    <FollowUp prompt={follow_up_text(spec, band)}
                        send_label={strings.send} {on_send} />
                },
                _ => Html::default(),
            };
            html! {
                <>
                    <Scale question={spec.question} selected={state.score}
                        anchors={[AttrValue::Static(lo), AttrValue::Static(hi)]}
                        rtl={i18n::is_rtl(&spec.locale)}
                        autofocus={spec.position == Position::Modal} {on_select} />
                    { follow }
                </>
            }
        }
    };

    let inline = spec.position == Position::Inline;
    html! {
        <Shell
            {title}
            close_label={strings.close}
            {announce}
            role={if inline { "region" } else { "dialog" }}
            modal={spec.position == Position::Modal}
            closing={state.stage == Stage::Closed}
            {on_close}
        >
            { body }
        </Shell>
    }
}
