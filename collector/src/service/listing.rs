//! Every stored response as one JSON array, streamed page by page so a
//! million rows never sit in memory at once.

use crate::store::Store;
use axum::body::Bytes;
use futures_util::Stream;

/// Rows read per page.
pub const PAGE_ROWS: u32 = 1000;

struct Cursor {
    store: Store,
    touchpoint: Option<String>,
    after: i64,
    /// Nothing written yet (the opening bracket is due).
    first: bool,
    done: bool,
}

async fn next_chunk(c: &mut Cursor) -> Result<Option<String>, crate::store::StoreError> {
    if c.done {
        return Ok(None);
    }
    let page = c
        .store
        .list_after(c.touchpoint.clone(), c.after, PAGE_ROWS)
        .await?;
    let mut chunk = String::new();
    if c.first {
        chunk.push('[');
    }
    for (i, (_, r)) in page.iter().enumerate() {
        if !(c.first && i == 0) {
            chunk.push(',');
        }
        chunk.push_str(&serde_json::to_string(r).expect("a stored response serialises"));
    }
    if !page.is_empty() {
        c.first = false;
    }
    if let Some((seq, _)) = page.last() {
        c.after = *seq;
    }
    if (page.len() as u32) < PAGE_ROWS {
        c.done = true;
        chunk.push(']');
    }
    Ok(Some(chunk))
}

/// `[row, row, …]`, oldest first, for an HTTP body.
pub fn stream(
    store: Store,
    touchpoint: Option<String>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let cursor = Cursor {
        store,
        touchpoint,
        after: 0,
        first: true,
        done: false,
    };
    futures_util::stream::unfold(cursor, |mut c| async move {
        match next_chunk(&mut c).await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), c)),
            Ok(None) => None,
            Err(e) => {
                // The status is sent already: cutting the body short leaves
                // invalid JSON, so the client cannot mistake it for all rows.
                tracing::error!(error = %e, "listing failed part-way");
                c.done = true;
                Some((Err(std::io::Error::other(e.to_string())), c))
            }
        }
    })
}
