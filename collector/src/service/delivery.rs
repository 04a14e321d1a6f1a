//! The delivery task: claims due alerts from the outbox (leased, so several
//! collectors on one PostgreSQL never send the same alert twice at once),
//! POSTs each, and on failure retries with exponential backoff. Delivery is
//! at least once: receivers dedupe on `alert_id` (also the
//! `Idempotency-Key` header).

use crate::clock::now_ms;
use crate::model::AlertJob;
use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// Wait after the first failure; doubles each time.
    pub backoff_base: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
    /// How often the outbox is checked when nothing wakes the task.
    pub poll: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How long a claimed alert is reserved for this collector.
    pub lease: Duration,
    /// After this long undelivered, an alert is given up (and logged).
    pub give_up_after: Duration,
    /// Alerts claimed at a time.
    pub batch: u32,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            give_up_after: Duration::from_secs(3 * 24 * 3600),
            batch: 20,
        }
    }
}

/// The wait before attempt `attempts + 1`: base × 2^(attempts − 1), capped.
pub fn backoff(attempts: u32, base: Duration, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
    base.saturating_mul(factor).min(max)
}

fn ms(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

/// The running task; [`DeliveryHandle::stop`] lets the current batch finish.
pub struct DeliveryHandle {
    stop: Arc<AtomicBool>,
    wake: Arc<Notify>,
    task: JoinHandle<()>,
}

impl DeliveryHandle {
    pub async fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(15), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// An HTTP client for webhooks (HTTPS through rustls with the ring
/// provider). It follows no redirect: a receiver that answers 3xx has not
/// taken the alert, and a redirect must not carry the alert (or a request
/// from inside the network) to a place the config never named.
pub fn client(timeout: Duration) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("touchpoint-collector/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the webhook client builds")
}

/// `https://hooks.slack.com/…`: a webhook URL as logs and the outbox's
/// `last_error` show it. Slack, Teams and most others put the secret in the
/// path or query, so only the scheme, host and port are kept.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}/…", u.scheme()),
            (Some(host), None) => format!("{}://{host}/…", u.scheme()),
            (None, _) => format!("{}:…", u.scheme()),
        },
        Err(_) => "(an unreadable webhook URL)".into(),
    }
}

/// Why a send failed, without the URL (reqwest puts it in its messages).
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

pub fn spawn(store: Store, opts: DeliveryOptions) -> DeliveryHandle {
    let stop = Arc::new(AtomicBool::new(false));
    let wake = store.alert_signal();
    let task = tokio::spawn(run(store, opts, stop.clone(), wake.clone()));
    DeliveryHandle { stop, wake, task }
}

async fn run(store: Store, opts: DeliveryOptions, stop: Arc<AtomicBool>, wake: Arc<Notify>) {
    let client = client(opts.timeout);
    while !stop.load(Ordering::SeqCst) {
        let jobs = match store
            .claim_alerts(now_ms(), ms(opts.lease), opts.batch)
            .await
        {
            Ok(jobs) => jobs,
            Err(e) => {
                tracing::error!(error = %e, "alert outbox unreadable; retrying");
                Vec::new()
            }
        };
        let busy = !jobs.is_empty();
        let sends = jobs
            .into_iter()
            .map(|job| deliver(&store, &client, &opts, job));
        futures_util::future::join_all(sends).await;
        if !busy {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(opts.poll) => {}
            }
        }
    }
}

async fn deliver(store: &Store, client: &reqwest::Client, opts: &DeliveryOptions, job: AlertJob) {
    let sent = client
        .post(&job.webhook)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", &job.alert_id)
        .body(job.body.clone())
        .send()
        .await;
    let webhook = redact(&job.webhook);
    let error = match sent {
        Ok(res) if res.status().is_success() => None,
        Ok(res) if res.status().is_redirection() => Some(format!(
            "{webhook} answered {} (redirects are not followed; put the final URL in the config)",
            res.status()
        )),
        Ok(res) => Some(format!("{webhook} answered {}", res.status())),
        Err(e) => Some(format!("{webhook}: {}", describe(e))),
    };
    let attempts = job.attempts + 1;
    let now = now_ms();
    let outcome = match &error {
        None => store.alert_delivered(job.id, now).await,
        Some(err) => {
            let give_up = now - job.created_ms >= ms(opts.give_up_after);
            let next = now + ms(backoff(attempts, opts.backoff_base, opts.backoff_max));
            if give_up {
                tracing::error!(alert = %job.alert_id, attempts, "giving up on an alert: {err}");
            } else {
                tracing::warn!(alert = %job.alert_id, attempts, "alert not delivered, will retry: {err}");
            }
            store
                .alert_failed(job.id, next, err, give_up.then_some(now))
                .await
        }
    };
    if let Err(e) = outcome {
        // The lease runs out and the alert is tried again: at least once.
        tracing::error!(error = %e, alert = %job.alert_id, "cannot record the alert's delivery");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_keep_only_scheme_host_and_port() {
        assert_eq!(
            redact("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact("http://user:pw@127.0.0.1:8080/hook?token=SECRET#x"),
            "http://127.0.0.1:8080/…"
        );
        assert_eq!(redact("not a url SECRET"), "(an unreadable webhook URL)");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let (base, max) = (Duration::from_secs(1), Duration::from_secs(300));
        let waits: Vec<u64> = (1..=11).map(|a| backoff(a, base, max).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(1_000, base, max), max);
    }
}
