//! The journey report: a query checked against the config, counts from the
//! store, maths in [`crate::report::build`].

use crate::clock;
use crate::error::AppError;
use crate::report::query::{ReportQuery, Selection};
use crate::report::{self, Report};
use crate::store::Store;
use touchpoint_protocol::Config;

/// Checks a query against the config in force (stages and touchpoints must
/// be ones it has).
pub fn select(config: &Config, query: &ReportQuery) -> Result<Selection, AppError> {
    query
        .resolve(config, clock::now_epoch(), true)
        .map_err(AppError::BadQuery)
}

/// Counts in the store, maths in [`report::build`].
pub async fn load(
    store: &Store,
    config: &Config,
    selection: &Selection,
) -> Result<Report, AppError> {
    let period = &selection.period;
    let (rows, follow_ups) = tokio::try_join!(
        store.report_counts(selection.filter(), period.from, period.bucket_secs()),
        store.follow_up_counts(selection.filter()),
    )?;
    Ok(report::build(config, selection, &rows, follow_ups))
}
