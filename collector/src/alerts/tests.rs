//! Reading and matching rules is tested with the protocol's `AlertRule`.

use super::*;

#[test]
fn alert_ids_are_uuid_v4() {
    let id = new_alert_id();
    assert!(touchpoint_protocol::response::is_uuid(&id), "{id}");
    assert_eq!(&id[14..15], "4");
    assert_ne!(id, new_alert_id());
}
