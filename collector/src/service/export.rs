//! Responses as CSV or JSON Lines, streamed page by page (keyset pagination
//! on the insertion order), so an export of millions of rows holds one page
//! in memory. Used by `GET /v1/export` and `touchpoint export`.

use crate::clock;
use crate::model::{ResponseFilter, StoredResponse};
use crate::report::period::Period;
use crate::report::query::{attribute, days, ReportQuery};
use crate::store::{Store, StoreError};
use axum::body::Bytes;
use futures_util::Stream;
use std::io::Write;
use touchpoint_protocol::FieldError;

/// Rows fetched per page.
pub const PAGE_ROWS: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, FieldError> {
        match s {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            other => Err(FieldError {
                field: Some("format".into()),
                error: format!("{other:?} is not an export format (use csv or jsonl)"),
            }),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Jsonl => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// CSV columns, in order.
pub const CSV_COLUMNS: [&str; 15] = [
    "response_id",
    "touchpoint",
    "stage",
    "question",
    "score",
    "comment",
    "status",
    "respondent",
    "attributes",
    "locale",
    "page_url",
    "occurred_at",
    "widget_version",
    "received_at",
    "updated_at",
];

/// The export's filter: like the report's, but with no period given the
/// export covers all time, and any stage or touchpoint may be named.
pub fn filter(q: &ReportQuery, now: i64) -> Result<ResponseFilter, FieldError> {
    let set = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (from, to) = if set(&q.from).is_none() && set(&q.to).is_none() && set(&q.days).is_none() {
        (None, None)
    } else {
        let days = days(set(&q.days).as_deref())?;
        let p = Period::resolve(set(&q.from).as_deref(), set(&q.to).as_deref(), days, now)?;
        (Some(p.from), Some(p.to))
    };
    Ok(ResponseFilter {
        from,
        to,
        stage: set(&q.stage),
        touchpoint: set(&q.touchpoint),
        attribute: set(&q.attribute).as_deref().map(attribute).transpose()?,
    })
}

/// A CSV cell: quoted when needed, and a leading `=`, `+`, `-`, `@`, tab or
/// carriage return defused with `'` so spreadsheets do not run it as a formula.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The CSV header line.
pub fn csv_header() -> String {
    let mut line = CSV_COLUMNS.join(",");
    line.push_str("\r\n");
    line
}

/// One response as a line of `format`.
pub fn line(format: Format, s: &StoredResponse) -> String {
    match format {
        Format::Jsonl => {
            let mut l = serde_json::to_string(s).expect("a stored response serialises");
            l.push('\n');
            l
        }
        Format::Csv => {
            let r = &s.response;
            let opt = |v: &Option<String>| v.as_deref().map(cell).unwrap_or_default();
            let attributes = serde_json::to_string(&r.attributes).expect("a map serialises");
            let cells = [
                cell(&r.response_id),
                cell(&r.touchpoint),
                cell(&r.stage),
                r.question.as_str().to_string(),
                r.score.map(|n| n.to_string()).unwrap_or_default(),
                opt(&r.comment),
                r.status.as_str().to_string(),
                cell(&r.respondent),
                cell(&attributes),
                opt(&r.locale),
                opt(&r.page_url),
                cell(&r.occurred_at),
                opt(&r.widget_version),
                cell(&s.received_at),
                cell(&s.updated_at),
            ];
            let mut l = cells.join(",");
            l.push_str("\r\n");
            l
        }
    }
}

struct Cursor {
    store: Store,
    filter: ResponseFilter,
    format: Format,
    after: i64,
    header: bool,
    done: bool,
}

impl Cursor {
    /// Before the first page.
    fn new(store: Store, filter: ResponseFilter, format: Format) -> Cursor {
        Cursor {
            store,
            filter,
            format,
            after: 0,
            header: false,
            done: false,
        }
    }
}

/// One chunk per page: the header first (CSV), then each page's lines.
async fn next_chunk(c: &mut Cursor) -> Result<Option<String>, StoreError> {
    if c.done {
        return Ok(None);
    }
    let mut chunk = String::new();
    if !c.header {
        c.header = true;
        if c.format == Format::Csv {
            chunk.push_str(&csv_header());
        }
    }
    let page = c
        .store
        .export_page(c.filter.clone(), c.after, PAGE_ROWS)
        .await?;
    if (page.len() as u32) < PAGE_ROWS {
        c.done = true;
    }
    if let Some((seq, _)) = page.last() {
        c.after = *seq;
    }
    for (_, r) in &page {
        chunk.push_str(&line(c.format, r));
    }
    Ok(Some(chunk))
}

/// The export as a stream of chunks for an HTTP body.
pub fn stream(
    store: Store,
    filter: ResponseFilter,
    format: Format,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let cursor = Cursor::new(store, filter, format);
    futures_util::stream::unfold(cursor, |mut c| async move {
        match next_chunk(&mut c).await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), c)),
            Ok(None) => None,
            Err(e) => {
                // The status is sent already; cutting the body short is all
                // that is left, so the client sees an incomplete download.
                tracing::error!(error = %e, "export failed part-way");
                c.done = true;
                Some((Err(std::io::Error::other(e.to_string())), c))
            }
        }
    })
}

/// The export written to `out` (for `touchpoint export`); returns the rows written.
pub async fn write_to(
    store: Store,
    filter: ResponseFilter,
    format: Format,
    out: &mut impl Write,
) -> Result<u64, Box<dyn std::error::Error>> {
    let mut cursor = Cursor::new(store, filter, format);
    let mut rows = 0u64;
    while let Some(chunk) = next_chunk(&mut cursor).await? {
        rows += chunk.matches('\n').count() as u64;
        out.write_all(chunk.as_bytes())?;
    }
    out.flush()?;
    if format == Format::Csv {
        rows = rows.saturating_sub(1);
    }
    Ok(rows)
}

/// `touchpoint-responses-2026-11-23.csv`.
pub fn file_name(format: Format) -> String {
    format!(
        "touchpoint-responses-{}.{}",
        clock::date(clock::now_epoch()),
        format.extension()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\"\nbye"), "\"say \"\"hi\"\"\nbye\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@sum"), "'@sum");
        assert_eq!(cell("-1"), "'-1");
    }
}
