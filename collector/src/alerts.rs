//! Webhook alerts. A config entry
//! `{"when": {"question": "nps", "score_at_most": 6}, "webhook": "https://…"}`
//! (read, matched and turned into a body by the protocol's [`AlertRule`])
//! puts one JSON body per matching answer into the durable `alert_outbox`,
//! in the same transaction as the response itself; `service::delivery` POSTs them
//! with retries and backoff, so neither a receiver outage nor a collector
//! restart loses one.

pub use touchpoint_protocol::alerts::AlertRule;

/// A new random alert id (UUID v4), also sent as `Idempotency-Key`.
pub fn new_alert_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source works");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests;
