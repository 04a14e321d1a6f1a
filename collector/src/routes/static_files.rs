//! The built widget, the demo shop and the e2e test pages, so the demo is
//! one process. (`/` is the dashboard; the shop lives at `/shop/`.)

use super::table::Table;
use std::path::{Path, PathBuf};
use tower_http::services::{ServeDir, ServeFile};

pub fn table<S: Clone + Send + Sync + 'static>(widget_dir: &Path) -> Table<S> {
    // The shop is a single-page app that routes on location.pathname.
    let shop = ServeFile::new(widget_dir.join("index.html"));
    let mut table = Table::new()
        .nest_service("/widget", ServeDir::new(widget_dir))
        .route_service("/shop", shop.clone())
        .route_service("/shop/", shop.clone())
        .route_service("/shop/{*page}", shop);
    if let Some(pages) = test_pages(widget_dir) {
        table = table.nest_service("/test-pages", ServeDir::new(pages));
    }
    table
}

/// `<widget-dir>/../tests/pages`, when it exists.
fn test_pages(widget_dir: &Path) -> Option<PathBuf> {
    // Made absolute first so a bare `dist` (whose parent is "") works too.
    let widget_dir = std::path::absolute(widget_dir).ok()?;
    let pages = widget_dir.parent()?.join("tests").join("pages");
    pages.is_dir().then_some(pages)
}
