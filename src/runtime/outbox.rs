//! The persistent outbox: every response state change is stored first, then
//! sent with retries; beacons on page hide (issue 5).
//! STUB: the delivery work fills this in; signatures are the contract.

use touchpoint_protocol::Response;

/// Starts delivery to `endpoint`: resends what an earlier page view left
/// unconfirmed and installs the page-hide beacon.
pub fn init(endpoint: &str) {
    let _ = endpoint;
}

/// Queues a response state change for delivery.
pub fn send(response: &Response) {
    let _ = response;
}
