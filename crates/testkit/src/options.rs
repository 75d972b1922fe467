//! Building a slash command's `data.options` the way Discord sends them.

use serde_json::{Value, json};

/// Discord's `data.options` for `pairs`, with each option's type inferred from its value:
/// strings are type 3, integers 4, booleans 5, other numbers 10.
///
/// ```
/// use novera_testkit::{json, options};
/// let opts = options(&[("dice", json!("2d6")), ("times", json!(3))]);
/// assert_eq!(opts[0]["type"], 3);
/// assert_eq!(opts[1]["type"], 4);
/// ```
#[must_use]
pub fn options(pairs: &[(&str, Value)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(name, value)| {
                let kind = match value {
                    Value::Bool(_) => 5,
                    Value::Number(n) if n.is_i64() || n.is_u64() => 4,
                    Value::Number(_) => 10,
                    _ => 3,
                };
                json!({"name": name, "type": kind, "value": value})
            })
            .collect(),
    )
}
