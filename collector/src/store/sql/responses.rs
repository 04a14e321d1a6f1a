//! Responses: the save's select and upsert, listing, report counts,
//! comments and export pages.

use super::{pg, qualified, response_where, Dialect, Params, COLUMNS};
use crate::model::{CommentQuery, ListFilter, ResponseFilter};
use std::sync::LazyLock;

/// The stored response with id `?1`, [`COLUMNS`] first; built once per
/// dialect (it runs for every response saved).
pub fn select_response(dialect: Dialect) -> &'static str {
    static SQLITE: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {COLUMNS} FROM responses WHERE response_id = ?1"));
    static POSTGRES: LazyLock<String> = LazyLock::new(|| pg(&SQLITE));
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
}

/// [`build_upsert_response`], built once per dialect.
pub fn upsert_response(dialect: Dialect) -> &'static str {
    static SQLITE: LazyLock<String> = LazyLock::new(|| build_upsert_response(Dialect::Sqlite));
    static POSTGRES: LazyLock<String> = LazyLock::new(|| build_upsert_response(Dialect::Postgres));
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
}

/// Insert-or-update of a merged response: parameters 1–14 are the wire
/// fields in [`COLUMNS`] order, 15 the write time, 16 `occurred_epoch`
/// (see `plan::SavePlan::upsert_params`).
fn build_upsert_response(dialect: Dialect) -> String {
    let updated: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "response_id" | "received_at"))
        .chain(["occurred_epoch"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let fields: Vec<String> = (1..=14).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO responses ({COLUMNS}, occurred_epoch) VALUES ({}, ?15, ?15, ?16) \
         ON CONFLICT (response_id) DO UPDATE SET {}",
        fields.join(", "),
        updated.join(", ")
    );
    match dialect {
        Dialect::Sqlite => sql,
        Dialect::Postgres => pg(&sql),
    }
}

/// Non-preview responses counted per touchpoint, question, status, score
/// and trend bucket (see [`crate::report::CountRow`]).
pub fn report_counts(
    f: &ResponseFilter,
    bucket_from: i64,
    bucket_secs: i64,
    p: &mut Params,
) -> String {
    let from = p.int(bucket_from);
    let len = p.int(bucket_secs.max(1));
    let filter = response_where(f, p);
    format!(
        "SELECT r.touchpoint, r.question, r.status, r.score, \
         (r.occurred_epoch - {from}) / {len} AS bucket, COUNT(*) \
         FROM responses r WHERE {filter} \
         GROUP BY r.touchpoint, r.question, r.status, r.score, bucket"
    )
}

/// Stored responses, oldest first (an upsert keeps its place, so pages are
/// stable); [`COLUMNS`] only.
pub fn list(f: &ListFilter, p: &mut Params) -> String {
    let touchpoint = match &f.touchpoint {
        Some(tp) => format!("r.touchpoint = {}", p.text(tp)),
        None => "1 = 1".to_string(),
    };
    let seq = p.seq();
    // Without a limit, every row: the largest LIMIT both databases take.
    let limit = p.int(f.limit.map_or(i64::MAX, i64::from));
    let offset = p.int(i64::try_from(f.offset).unwrap_or(i64::MAX));
    format!(
        "SELECT {} FROM responses r WHERE {touchpoint} ORDER BY {seq} LIMIT {limit} OFFSET {offset}",
        qualified(COLUMNS, "r.")
    )
}

/// Stored responses inserted after position `after`, oldest first, with
/// their position (keyset pages for streaming every row).
pub fn list_after(touchpoint: Option<&str>, after: i64, limit: u32, p: &mut Params) -> String {
    let seq = p.seq();
    let mut filter = format!("{seq} > {}", p.int(after));
    if let Some(tp) = touchpoint {
        filter.push_str(&format!(" AND r.touchpoint = {}", p.text(tp)));
    }
    let limit = p.int(i64::from(limit));
    format!(
        "SELECT {}, {seq} FROM responses r WHERE {filter} ORDER BY {seq} LIMIT {limit}",
        qualified(COLUMNS, "r.")
    )
}

/// Answered non-preview responses per touchpoint: (touchpoint, count).
pub const ANSWERED_COUNTS: &str = "SELECT touchpoint, COUNT(*) FROM responses \
     WHERE status = 'answered' AND preview = 0 GROUP BY touchpoint";

/// Answered responses with a comment, newest first; selects `columns`.
pub fn comments(q: &CommentQuery, columns: &str, p: &mut Params) -> String {
    let mut filter = response_where(&q.filter, p);
    filter.push_str(" AND r.status = 'answered' AND r.comment IS NOT NULL");
    if let Some((lo, hi)) = q.scores {
        let (lo, hi) = (p.int(i64::from(lo)), p.int(i64::from(hi)));
        filter.push_str(&format!(" AND r.score BETWEEN {lo} AND {hi}"));
    }
    let limit = p.int(i64::from(q.limit));
    format!(
        "SELECT {columns} FROM responses r WHERE {filter} \
         ORDER BY r.occurred_epoch DESC, {} DESC LIMIT {limit}",
        p.seq()
    )
}

/// One export page: `columns` then the insertion sequence, after `after`.
pub fn export_page(
    f: &ResponseFilter,
    after: i64,
    limit: u32,
    columns: &str,
    p: &mut Params,
) -> String {
    let filter = response_where(f, p);
    let seq = p.seq();
    let after = p.int(after);
    let limit = p.int(i64::from(limit));
    format!(
        "SELECT {columns}, {seq} FROM responses r WHERE {filter} AND {seq} > {after} \
         ORDER BY {seq} LIMIT {limit}"
    )
}

/// Remembers a served (touchpoint, stage, question); `?4` is the time.
pub const SERVED_RECORD: &str = "INSERT INTO served_touchpoints \
     (touchpoint, stage, question, first_served_at) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT DO NOTHING";

/// Every (touchpoint, stage, question) ever served.
pub const SERVED_ALL: &str = "SELECT touchpoint, stage, question FROM served_touchpoints";
