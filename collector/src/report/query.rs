//! The query string shared by the report, the export and the dashboard:
//! `from`, `to`, `days`, `stage`, `touchpoint`, `attribute=key=value`.

use super::period::{Period, MAX_DAYS};
use crate::model::ResponseFilter;
use serde::Deserialize;
use touchpoint_protocol::{Config, FieldError};

/// The raw query; empty values (as HTML forms send them) mean "not set".
/// The same fields are `touchpoint export`'s flags.
#[derive(Debug, Clone, Default, Deserialize, clap::Args)]
pub struct ReportQuery {
    /// Start: YYYY-MM-DD or an RFC 3339 time.
    #[arg(long)]
    pub from: Option<String>,
    /// End: YYYY-MM-DD (that day included) or an RFC 3339 time.
    #[arg(long)]
    pub to: Option<String>,
    /// The last N days (instead of --from).
    #[arg(long)]
    pub days: Option<String>,
    #[arg(long)]
    pub stage: Option<String>,
    #[arg(long)]
    pub touchpoint: Option<String>,
    /// A respondent attribute, key=value.
    #[arg(long)]
    pub attribute: Option<String>,
}

/// A checked query: what a report or export covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub period: Period,
    pub stage: Option<String>,
    pub touchpoint: Option<String>,
    /// Respondent attribute `(key, value)`.
    pub attribute: Option<(String, String)>,
}

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn bad(field: &str, error: impl Into<String>) -> FieldError {
    FieldError {
        field: Some(field.into()),
        error: error.into(),
    }
}

impl ReportQuery {
    /// Checks the query against the config. With `known_only`, `stage` and
    /// `touchpoint` must name ones in the config (the report shows only
    /// those); the export takes any value, since old rows may hold others.
    pub fn resolve(
        &self,
        config: &Config,
        now: i64,
        known_only: bool,
    ) -> Result<Selection, FieldError> {
        let days = days(set(&self.days))?;
        let period = Period::resolve(set(&self.from), set(&self.to), days, now)?;
        let stage = set(&self.stage).map(str::to_string);
        if let Some(s) = stage.as_ref().filter(|_| known_only) {
            if !config.journey.contains(s) {
                return Err(bad(
                    "stage",
                    format!(
                        "{s:?} is not a journey stage (use one of {})",
                        config.journey.join(", ")
                    ),
                ));
            }
        }
        let touchpoint = set(&self.touchpoint).map(str::to_string);
        if let Some(id) = touchpoint.as_ref().filter(|_| known_only) {
            if config.touchpoint(id).is_none() {
                let ids: Vec<&str> = config.touchpoints.iter().map(|t| t.id.as_str()).collect();
                return Err(bad(
                    "touchpoint",
                    format!(
                        "{id:?} is not a touchpoint in the config (use one of {})",
                        ids.join(", ")
                    ),
                ));
            }
        }
        let attribute = set(&self.attribute).map(attribute).transpose()?;
        Ok(Selection {
            period,
            stage,
            touchpoint,
            attribute,
        })
    }
}

/// `days`: a whole number from 1 to [`MAX_DAYS`], checked even where
/// `from` makes it moot, so a bad value is never silently ignored.
pub fn days(d: Option<&str>) -> Result<Option<u32>, FieldError> {
    let Some(d) = d else { return Ok(None) };
    d.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_DAYS).contains(&i64::from(*n)))
        .map(Some)
        .ok_or_else(|| {
            bad(
                "days",
                format!("{d:?} is not a number of days from 1 to {MAX_DAYS} (e.g. 7, 30 or 90)"),
            )
        })
}

/// `key=value`; the key as `touchpoint.identify` allows (1–64 characters),
/// without quotes or backslashes.
pub fn attribute(s: &str) -> Result<(String, String), FieldError> {
    let (k, v) = s.split_once('=').ok_or_else(|| {
        bad(
            "attribute",
            format!("{s:?} has no '='; write key=value, e.g. plan=pro"),
        )
    })?;
    let k = k.trim();
    if k.is_empty() || k.chars().count() > 64 || k.contains(['"', '\\']) {
        return Err(bad(
            "attribute",
            "the key must have 1 to 64 characters and no quotes or backslashes",
        ));
    }
    Ok((k.to_string(), v.trim().to_string()))
}

impl Selection {
    /// The store filter for these responses.
    pub fn filter(&self) -> ResponseFilter {
        ResponseFilter {
            from: Some(self.period.from),
            to: Some(self.period.to),
            stage: self.stage.clone(),
            touchpoint: self.touchpoint.clone(),
            attribute: self.attribute.clone(),
        }
    }
}
