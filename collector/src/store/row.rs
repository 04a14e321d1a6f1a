//! One row mapping for both databases: each backend reads columns through
//! the small [`Columns`] trait, and every result type is built from it here.

use super::StoreError;
use crate::model::{
    AlertCounts, AlertJob, CountRow, FollowUp, FollowUpItem, FollowUpState, StoredResponse, Subject,
};
use touchpoint_protocol::{QuestionType, Response, Status};

/// A result row, as both backends can read it: integers and text, each
/// possibly NULL.
pub trait Columns {
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn text(&self, i: usize) -> Result<Option<String>, StoreError>;

    /// A NOT NULL integer column.
    fn int_at(&self, i: usize) -> Result<i64, StoreError> {
        self.int(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
    }

    /// A NOT NULL text column.
    fn text_at(&self, i: usize) -> Result<String, StoreError> {
        self.text(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
    }

    /// A non-negative count.
    fn count_at(&self, i: usize) -> Result<u64, StoreError> {
        u64::try_from(self.int_at(i)?).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

fn text_enum<T>(r: &dyn Columns, i: usize, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let s = r.text_at(i)?;
    parse(&s).ok_or_else(|| StoreError::Corrupt(format!("unknown value {s:?} in column {i}")))
}

/// A score column: a small non-negative integer or NULL.
fn score(r: &dyn Columns, i: usize) -> Result<Option<u8>, StoreError> {
    Ok(r.int(i)?.and_then(|n| u8::try_from(n).ok()))
}

/// A row whose first columns are [`super::sql::COLUMNS`].
pub fn stored_response(r: &dyn Columns) -> Result<StoredResponse, StoreError> {
    let attributes = r.text_at(8)?;
    Ok(StoredResponse {
        response: Response {
            response_id: r.text_at(0)?,
            touchpoint: r.text_at(1)?,
            stage: r.text_at(2)?,
            question: text_enum(r, 3, QuestionType::parse)?,
            score: score(r, 4)?,
            comment: r.text(5)?,
            status: text_enum(r, 6, Status::parse)?,
            respondent: r.text_at(7)?,
            attributes: serde_json::from_str(&attributes)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            locale: r.text(9)?,
            page_url: r.text(10)?,
            occurred_at: r.text_at(11)?,
            widget_version: r.text(12)?,
            preview: r.int_at(13)? != 0,
        },
        received_at: r.text_at(14)?,
        updated_at: r.text_at(15)?,
    })
}

/// [`stored_response`], then the insertion position (export pages).
pub fn positioned(r: &dyn Columns) -> Result<(i64, StoredResponse), StoreError> {
    Ok((r.int_at(16)?, stored_response(r)?))
}

/// [`stored_response`], then state, contacted_at, contact_note, closed_at,
/// outcome_note (see `sql::follow_ups`).
pub fn follow_up_item(r: &dyn Columns) -> Result<FollowUpItem, StoreError> {
    Ok(FollowUpItem {
        response: stored_response(r)?,
        follow_up: FollowUp {
            state: r
                .text(16)?
                .and_then(|s| FollowUpState::parse(&s))
                .unwrap_or(FollowUpState::Open),
            contacted_at: r.text(17)?,
            contact_note: r.text(18)?,
            closed_at: r.text(19)?,
            outcome_note: r.text(20)?,
        },
    })
}

/// (state, count) of `sql::follow_up_counts`.
pub fn state_count(r: &dyn Columns) -> Result<(FollowUpState, u64), StoreError> {
    let state = FollowUpState::parse(&r.text_at(0)?).unwrap_or(FollowUpState::Open);
    Ok((state, r.count_at(1)?))
}

/// `sql::FOLLOW_UP_SUBJECT`.
pub fn subject(r: &dyn Columns) -> Result<Subject, StoreError> {
    Ok(Subject {
        question: r.text_at(0)?,
        score: score(r, 1)?,
        status: r.text_at(2)?,
        preview: r.int_at(3)? != 0,
        state: r.text(4)?,
    })
}

/// `sql::report_counts`.
pub fn count_row(r: &dyn Columns) -> Result<CountRow, StoreError> {
    Ok(CountRow {
        touchpoint: r.text_at(0)?,
        question: text_enum(r, 1, QuestionType::parse)?,
        status: text_enum(r, 2, Status::parse)?,
        score: score(r, 3)?,
        bucket: r.int_at(4)?,
        n: r.count_at(5)?,
    })
}

/// (touchpoint, count) of `sql::ANSWERED_COUNTS`.
pub fn touchpoint_count(r: &dyn Columns) -> Result<(String, u64), StoreError> {
    Ok((r.text_at(0)?, r.count_at(1)?))
}

/// `sql::alert_claim`.
pub fn alert_job(r: &dyn Columns) -> Result<AlertJob, StoreError> {
    Ok(AlertJob {
        id: r.int_at(0)?,
        alert_id: r.text_at(1)?,
        webhook: r.text_at(2)?,
        body: r.text_at(3)?,
        attempts: u32::try_from(r.int_at(4)?).unwrap_or(u32::MAX),
        created_ms: r.int_at(5)?,
    })
}

/// `sql::ALERT_COUNTS`.
pub fn alert_counts(r: &dyn Columns) -> Result<AlertCounts, StoreError> {
    Ok(AlertCounts {
        pending: r.count_at(0)?,
        delivered: r.count_at(1)?,
        given_up: r.count_at(2)?,
        attempts: r.count_at(3)?,
        oldest_pending_ms: r.int(4)?,
    })
}

/// (touchpoint, stage, question) of `sql::SERVED_ALL`.
pub fn served(r: &dyn Columns) -> Result<(String, String, String), StoreError> {
    Ok((r.text_at(0)?, r.text_at(1)?, r.text_at(2)?))
}

/// A row of one nullable text column (the deletes of `sql::delete_responses`).
pub fn optional_text(r: &dyn Columns) -> Result<Option<String>, StoreError> {
    r.text(0)
}
