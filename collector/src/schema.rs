//! The config's JSON Schema, generated from the protocol types.

use schemars::schema::{InstanceType, Schema, SchemaObject};
use touchpoint_protocol::Config;

/// Pretty JSON, as committed at `schema/touchpoint-config.schema.json`.
pub fn config_schema() -> String {
    let mut root = schemars::schema_for!(Config);
    // Configs point editors at this schema with "$schema"; without this
    // entry deny_unknown_fields would flag that very line.
    root.schema.object().properties.insert(
        "$schema".into(),
        Schema::Object(SchemaObject {
            instance_type: Some(InstanceType::String.into()),
            ..Default::default()
        }),
    );
    let mut text = serde_json::to_string_pretty(&root).expect("a schema serialises");
    text.push('\n');
    text
}
