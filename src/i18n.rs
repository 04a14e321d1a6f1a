//! Built-in UI strings per locale (owned by the UI work).
