//! Hand-written serde for [`CallSpec`]: a call object, or `{"parallel": [...]}`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::types::{Call, CallSpec};

impl Serialize for CallSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            CallSpec::Single(call) => call.serialize(serializer),
            CallSpec::Parallel(calls) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("parallel", calls)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for CallSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Object(map) = &value else {
            return Err(D::Error::custom(
                "expected a call object like {\"to\": \"cart\"} or a group {\"parallel\": [...]}",
            ));
        };
        if let Some(group) = map.get("parallel") {
            if let Some(other) = map.keys().find(|k| *k != "parallel") {
                return Err(D::Error::custom(format!(
                    "a parallel group has only the key \"parallel\"; move \"{other}\" into one of its calls"
                )));
            }
            let calls = Vec::<Call>::deserialize(group)
                .map_err(|e| D::Error::custom(format!("parallel: {e}")))?;
            Ok(CallSpec::Parallel(calls))
        } else {
            Call::deserialize(&value)
                .map(CallSpec::Single)
                .map_err(D::Error::custom)
        }
    }
}
