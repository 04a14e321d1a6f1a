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
    // The protocol's schema leaves `alerts` entries open (its reader
    // validates them); editors get the real shape from here.
    if let Some(Schema::Object(alerts)) = root.schema.object().properties.get_mut("alerts") {
        let item: Schema = serde_json::from_value(alert_schema()).expect("a valid schema");
        alerts.array().items = Some(item.into());
    }
    let mut text = serde_json::to_string_pretty(&root).expect("a schema serialises");
    text.push('\n');
    text
}

/// One `alerts` entry, as `touchpoint_protocol::alerts::parse_rules` accepts it.
fn alert_schema() -> serde_json::Value {
    let score = serde_json::json!({"type": "integer", "minimum": 0, "maximum": 10});
    serde_json::json!({
        "description": "POST a JSON body to `webhook` for each answer matching every condition in `when`.",
        "type": "object",
        "additionalProperties": false,
        "required": ["when", "webhook"],
        "properties": {
            "webhook": {"description": "http(s) URL that receives the alert.", "type": "string", "pattern": "^https?://[^/?#\\s]+"},
            "when": {
                "type": "object",
                "additionalProperties": false,
                "minProperties": 1,
                "properties": {
                    "question": {"enum": ["nps", "ces", "csat"]},
                    "touchpoint": {"type": "string", "minLength": 1},
                    "stage": {"type": "string", "minLength": 1},
                    "score_at_most": score,
                    "score_at_least": score
                }
            }
        }
    })
}
