//! Building a slash command's (or an autocomplete's) `data.options` the way Discord sends them.

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

/// Discord's `data.options` of an autocomplete interaction: `pairs` as [`options`] does, then the
/// option the user is typing in, `focused`, whose value is the text typed so far (Discord sends
/// it as a string whatever the option's type).
///
/// ```
/// use novera_testkit::{autocomplete_options, json};
/// let opts = autocomplete_options(&[("count", json!(2))], "fruit", "ap");
/// assert_eq!(opts[1], json!({"name": "fruit", "type": 3, "value": "ap", "focused": true}));
/// ```
#[must_use]
pub fn autocomplete_options(pairs: &[(&str, Value)], focused: &str, typed: &str) -> Value {
    let mut all = options(pairs);
    if let Some(list) = all.as_array_mut() {
        list.push(json!({"name": focused, "type": 3, "value": typed, "focused": true}));
    }
    all
}
