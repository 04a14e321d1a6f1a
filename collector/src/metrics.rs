//! What `/metrics` reports, in the Prometheus (OpenMetrics) text format.
//! Counters and histograms are updated where things happen (the request
//! layer, ingestion, the rate limits, the SQLite writer); the gauges for
//! the alert outbox and the config are read when scraped.
//!
//! Labels hold only bounded values: route templates (never raw paths),
//! touchpoint ids from the config, status codes and fixed reason words.

use crate::model::AlertCounts;
use crate::store::Store;
use prometheus_client::encoding::{text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct IngestLabels {
    pub touchpoint: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub route: String,
    pub status: u16,
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BucketLabels {
    pub bucket: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConfigLabels {
    pub version: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 0.5 ms … ≈ 16 s.
    Histogram::new(exponential_buckets(0.000_5, 2.0, 16))
}

/// The collector's metrics; one per [`crate::AppState`], shared by clones.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    ingested: Family<IngestLabels, Counter>,
    http_errors: Family<ErrorLabels, Counter>,
    http_duration: Histograms<RouteLabels>,
    rate_limited: Family<BucketLabels, Counter>,
    outbox_pending: Gauge,
    outbox_given_up: Gauge,
    outbox_oldest: Gauge<f64, AtomicU64>,
    config_info: Family<ConfigLabels, Gauge>,
    config_loaded: Gauge,
}

impl Metrics {
    /// Metrics for a collector on `store` (the SQLite writer's histograms
    /// are registered from it).
    pub fn new(store: &Store) -> Metrics {
        let mut m = Metrics {
            registry: Registry::default(),
            ingested: Family::default(),
            http_errors: Family::default(),
            http_duration: Family::new_with_constructor(latency),
            rate_limited: Family::default(),
            outbox_pending: Gauge::default(),
            outbox_given_up: Gauge::default(),
            outbox_oldest: Gauge::default(),
            config_info: Family::default(),
            config_loaded: Gauge::default(),
        };
        let r = &mut m.registry;
        r.register(
            "touchpoint_responses_ingested",
            "Responses stored (202), by touchpoint and the status posted (shown, dismissed, answered)",
            m.ingested.clone(),
        );
        r.register(
            "touchpoint_http_errors",
            "Requests answered 4xx or 5xx, by route template, status and reason",
            m.http_errors.clone(),
        );
        r.register_with_unit(
            "touchpoint_http_request_duration",
            "Time from a request's headers to its response, by route template and method",
            Unit::Seconds,
            m.http_duration.clone(),
        );
        r.register(
            "touchpoint_rate_limit_refusals",
            "Requests refused 429 by a per-client budget (posts, config, login)",
            m.rate_limited.clone(),
        );
        r.register(
            "touchpoint_alert_outbox_pending",
            "Webhook alerts queued and not yet delivered (nor given up)",
            m.outbox_pending.clone(),
        );
        r.register(
            "touchpoint_alert_outbox_given_up",
            "Webhook alerts given up after their last retry",
            m.outbox_given_up.clone(),
        );
        r.register_with_unit(
            "touchpoint_alert_outbox_oldest_pending_age",
            "Age of the oldest undelivered alert (0 when none waits)",
            Unit::Seconds,
            m.outbox_oldest.clone(),
        );
        r.register(
            "touchpoint_config_info",
            "The config served: 1 for its version (a hash of the file as loaded)",
            m.config_info.clone(),
        );
        r.register_with_unit(
            "touchpoint_config_loaded_timestamp",
            "When the config served was loaded (Unix time)",
            Unit::Seconds,
            m.config_loaded.clone(),
        );
        if let Some(writer) = store.writer_metrics() {
            r.register(
                "touchpoint_sqlite_writer_batch_size",
                "Responses committed per SQLite writer transaction",
                writer.batch_size,
            );
            r.register_with_unit(
                "touchpoint_sqlite_writer_commit_duration",
                "Time of one SQLite writer transaction (writes and fsync)",
                Unit::Seconds,
                writer.commit_seconds,
            );
        }
        m
    }

    /// A response was stored.
    pub fn ingested(&self, touchpoint: &str, status: &str) {
        self.ingested
            .get_or_create(&IngestLabels {
                touchpoint: touchpoint.into(),
                status: status.into(),
            })
            .inc();
    }

    /// A request was answered: its latency, and the error if it was one.
    pub fn request(&self, route: &str, method: &str, status: u16, reason: &str, seconds: f64) {
        self.http_duration
            .get_or_create(&RouteLabels {
                route: route.into(),
                method: method.into(),
            })
            .observe(seconds);
        if status >= 400 {
            self.http_errors
                .get_or_create(&ErrorLabels {
                    route: route.into(),
                    status,
                    reason: reason.into(),
                })
                .inc();
        }
    }

    /// A per-client budget refused a request.
    pub fn rate_limited(&self, bucket: &str) {
        self.rate_limited
            .get_or_create(&BucketLabels {
                bucket: bucket.into(),
            })
            .inc();
    }

    /// The document, with the scrape-time gauges set from `outbox` and the
    /// config in force (`version`, loaded at `loaded_at` Unix seconds).
    /// Each of `touchpoints` has its ingestion series from the start (at 0),
    /// so "no answers lately" is a rate of 0, not a missing series.
    pub fn render(
        &self,
        outbox: &AlertCounts,
        now_ms: i64,
        version: &str,
        loaded_at: i64,
        touchpoints: &[&str],
    ) -> String {
        for touchpoint in touchpoints {
            for status in ["shown", "dismissed", "answered"] {
                let _ = self.ingested.get_or_create(&IngestLabels {
                    touchpoint: (*touchpoint).into(),
                    status: status.into(),
                });
            }
        }
        self.outbox_pending.set(outbox.pending as i64);
        self.outbox_given_up.set(outbox.given_up as i64);
        let age = outbox
            .oldest_pending_ms
            .map_or(0.0, |t| (now_ms - t).max(0) as f64 / 1000.0);
        self.outbox_oldest.set(age);
        // One series: the version in force now.
        self.config_info.clear();
        self.config_info
            .get_or_create(&ConfigLabels {
                version: version.into(),
            })
            .set(1);
        self.config_loaded.set(loaded_at);
        let mut out = String::new();
        text::encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}
