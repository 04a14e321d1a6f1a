//! The built widget (always), and with `--demo` the demo shop and the e2e
//! test pages, so the demo is one process. (`/` is the dashboard; the shop
//! lives at `/shop/`.) Every file goes out with `X-Content-Type-Options:
//! nosniff` and a `Cache-Control`.

use super::table::Table;
use axum::http::{header, HeaderValue};
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The widget's files have no content hash in their names (`touchpoint.js`
/// is what customers embed), so browsers and CDNs keep them five minutes and
/// then revalidate (`Last-Modified` → 304): a new release reaches every page
/// within five minutes.
pub const WIDGET_CACHE: &str = "public, max-age=300";
/// Demo pages change with every build; always revalidated.
pub const DEMO_CACHE: &str = "no-cache";

pub fn table<S: Clone + Send + Sync + 'static>(widget_dir: &Path, demo: bool) -> Table<S> {
    let widget = Table::new()
        .nest_service("/widget", ServeDir::new(widget_dir))
        .with(|r| r.layer(cache(WIDGET_CACHE)));
    if !demo {
        return widget.with(|r| r.layer(nosniff()));
    }
    // The shop is a single-page app that routes on location.pathname.
    let shop = ServeFile::new(widget_dir.join("index.html"));
    let mut pages = Table::new()
        .route_service("/shop", shop.clone())
        .route_service("/shop/", shop.clone())
        .route_service("/shop/{*page}", shop);
    if let Some(dir) = test_pages(widget_dir) {
        pages = pages.nest_service("/test-pages", ServeDir::new(dir));
    }
    widget
        .merge(pages.with(|r| r.layer(cache(DEMO_CACHE))))
        .with(|r| r.layer(nosniff()))
}

fn cache(value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(value))
}

fn nosniff() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    )
}

/// `<widget-dir>/../tests/pages`, when it exists.
fn test_pages(widget_dir: &Path) -> Option<PathBuf> {
    // Made absolute first so a bare `dist` (whose parent is "") works too.
    let widget_dir = std::path::absolute(widget_dir).ok()?;
    let pages = widget_dir.parent()?.join("tests").join("pages");
    pages.is_dir().then_some(pages)
}
