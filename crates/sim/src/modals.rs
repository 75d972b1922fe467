//! Modals: the form a bot shows with callback type 9, and the `MODAL_SUBMIT` data a user's
//! answers turn into, shaped as Discord sends it (every component with its numeric `id`).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::api_error::ApiError;
use crate::types::ShownModal;

/// The component types a modal is made of, as `u64` like `Value::as_u64` reads them.
mod kind {
    use crate::kinds::component_type;

    pub(super) const ACTION_ROW: u64 = component_type::ACTION_ROW as u64;
    pub(super) const STRING_SELECT: u64 = component_type::STRING_SELECT as u64;
    pub(super) const TEXT_INPUT: u64 = component_type::TEXT_INPUT as u64;
    pub(super) const TEXT_DISPLAY: u64 = component_type::TEXT_DISPLAY as u64;
    pub(super) const LABEL: u64 = component_type::LABEL as u64;
}

static NULL: Value = Value::Null;

/// Most top-level components of a modal (`OpenAPI`: `maxItems: 40`).
const MAX_COMPONENTS: usize = 40;

fn invalid(path: &[&str], why: &str) -> ApiError {
    let mut full = vec!["data"];
    full.extend_from_slice(path);
    ApiError::invalid_form_at(&full, why)
}

fn text_len(value: Option<&Value>) -> Option<usize> {
    value.and_then(Value::as_str).map(|s| s.chars().count())
}

/// Checks a type 9 callback's `data` as Discord does and returns the modal to record.
pub(crate) fn parse(data: &Value) -> Result<ShownModal, ApiError> {
    let custom_id = data.get("custom_id");
    if !text_len(custom_id).is_some_and(|n| (1..=100).contains(&n)) {
        return Err(invalid(
            &["custom_id"],
            "Must be between 1 and 100 in length.",
        ));
    }
    if !text_len(data.get("title")).is_some_and(|n| (1..=45).contains(&n)) {
        return Err(invalid(&["title"], "Must be between 1 and 45 in length."));
    }
    let Some(components) = data
        .get("components")
        .and_then(Value::as_array)
        .filter(|c| (1..=MAX_COMPONENTS).contains(&c.len()))
    else {
        return Err(invalid(
            &["components"],
            "Must be between 1 and 40 in length.",
        ));
    };
    let mut seen = BTreeSet::new();
    for component in components {
        let inputs = inputs(component);
        if component.get("type").and_then(Value::as_u64) == Some(kind::ACTION_ROW)
            && !(1..=5).contains(&inputs.len())
        {
            return Err(invalid(
                &["components", "components"],
                "Must be between 1 and 5 in length.",
            ));
        }
        for input in inputs {
            let id = input.get("custom_id").and_then(Value::as_str);
            if !id.is_some_and(|i| (1..=100).contains(&i.chars().count())) {
                return Err(invalid(
                    &["components", "custom_id"],
                    "Must be between 1 and 100 in length.",
                ));
            }
            if !seen.insert(id.unwrap_or_default()) {
                return Err(invalid(
                    &["components", "custom_id"],
                    "Component custom id cannot be duplicated",
                ));
            }
        }
    }
    Ok(ShownModal {
        custom_id: custom_id
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        title: data["title"].as_str().unwrap_or_default().to_owned(),
        components: Value::Array(components.clone()),
    })
}

/// The interactive components (text inputs, selects) a top-level modal component holds.
fn inputs(component: &Value) -> Vec<&Value> {
    match component.get("type").and_then(Value::as_u64) {
        Some(kind::ACTION_ROW) => component
            .get("components")
            .and_then(Value::as_array)
            .map(|c| c.iter().collect())
            .unwrap_or_default(),
        // A label without its component is as invalid as a component without a custom id.
        Some(kind::LABEL) => vec![component.get("component").unwrap_or(&NULL)],
        _ => Vec::new(),
    }
}

/// Hands out component ids as Discord does: explicit ids are kept, the others numbered from 1
/// in document order, skipping the explicit ones.
struct Ids {
    used: BTreeSet<i64>,
    next: i64,
}

impl Ids {
    fn new(components: &[Value]) -> Self {
        fn collect(v: &Value, used: &mut BTreeSet<i64>) {
            if let Some(id) = v.get("id").and_then(Value::as_i64) {
                used.insert(id);
            }
            for child in v
                .get("components")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(v.get("component"))
            {
                collect(child, used);
            }
        }
        let mut used = BTreeSet::new();
        for c in components {
            collect(c, &mut used);
        }
        Self { used, next: 1 }
    }

    fn of(&mut self, component: &Value) -> i64 {
        if let Some(id) = component.get("id").and_then(Value::as_i64) {
            return id;
        }
        while self.used.contains(&self.next) {
            self.next += 1;
        }
        self.used.insert(self.next);
        self.next
    }
}

/// The `data` of a `MODAL_SUBMIT` for `modal` filled in with `values` (text input `custom_id`
/// to text, or to an array of strings for a select); an error message for the control API
/// when the values do not fit the modal.
pub(crate) fn submit_data(
    modal: &ShownModal,
    values: &Map<String, Value>,
) -> Result<Value, String> {
    let components = modal.components.as_array().cloned().unwrap_or_default();
    let mut ids = Ids::new(&components);
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(components.len());
    for component in &components {
        let id = ids.of(component);
        let submitted = match component.get("type").and_then(Value::as_u64) {
            Some(kind::ACTION_ROW) => {
                let mut inner = Vec::new();
                for child in component
                    .get("components")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    inner.push(answer(child, ids.of(child), values, &mut used)?);
                }
                json!({"type": kind::ACTION_ROW, "id": id, "components": inner})
            }
            Some(kind::LABEL) => {
                let child = component.get("component").unwrap_or(&NULL);
                let inner = answer(child, ids.of(child), values, &mut used)?;
                json!({"type": kind::LABEL, "id": id, "component": inner})
            }
            Some(other) => json!({"type": other, "id": id}),
            None => return Err("the modal has a component without a type".to_owned()),
        };
        out.push(submitted);
    }
    if let Some(unknown) = values.keys().find(|k| !used.contains(k.as_str())) {
        return Err(format!("the modal has no input `{unknown}`"));
    }
    Ok(json!({"custom_id": modal.custom_id, "components": out}))
}

/// One interactive component as submitted.
fn answer<'a>(
    component: &'a Value,
    id: i64,
    values: &Map<String, Value>,
    used: &mut BTreeSet<&'a str>,
) -> Result<Value, String> {
    let kind = component.get("type").and_then(Value::as_u64).unwrap_or(0);
    let custom_id = component
        .get("custom_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    used.insert(custom_id);
    let given = values.get(custom_id);
    match kind {
        kind::TEXT_INPUT => {
            let value = match given {
                None => "",
                Some(Value::String(s)) => s.as_str(),
                Some(_) => return Err(format!("the value of `{custom_id}` must be a string")),
            };
            let required = component
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if required && value.is_empty() {
                return Err(format!("the text input `{custom_id}` is required"));
            }
            Ok(json!({"type": kind, "id": id, "custom_id": custom_id, "value": value}))
        }
        kind::TEXT_DISPLAY => Ok(json!({"type": kind, "id": id})),
        _ => {
            let picked = match given {
                None => Vec::new(),
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => items.clone(),
                Some(_) => {
                    return Err(format!(
                        "the value of `{custom_id}` must be an array of strings"
                    ));
                }
            };
            let kind = if kind == 0 { kind::STRING_SELECT } else { kind };
            Ok(json!({"type": kind, "id": id, "custom_id": custom_id, "values": picked}))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modal() -> ShownModal {
        parse(&json!({
            "custom_id": "feedback:form",
            "title": "Feedback",
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "topic", "style": 1, "label": "Topic"}]},
                {"type": 18, "label": "Details", "component": {"type": 4, "custom_id": "details", "style": 2, "required": false}},
                {"type": 10, "id": 2, "content": "Thanks!"},
            ],
        }))
        .expect("a valid modal")
    }

    #[test]
    fn submit_fills_values_and_numbers_components() {
        let values = json!({"topic": "bugs"});
        let data = submit_data(&modal(), values.as_object().expect("object")).expect("fits");
        assert_eq!(
            data,
            json!({"custom_id": "feedback:form", "components": [
                {"type": 1, "id": 1, "components": [{"type": 4, "id": 3, "custom_id": "topic", "value": "bugs"}]},
                {"type": 18, "id": 4, "component": {"type": 4, "id": 5, "custom_id": "details", "value": ""}},
                {"type": 10, "id": 2},
            ]})
        );
    }

    #[test]
    fn submit_rejects_unknown_and_missing_inputs() {
        let unknown = json!({"topic": "x", "nope": "y"});
        assert!(
            submit_data(&modal(), unknown.as_object().expect("object"))
                .is_err_and(|e| e.contains("nope"))
        );
        let missing = json!({"details": "y"});
        assert!(
            submit_data(&modal(), missing.as_object().expect("object"))
                .is_err_and(|e| e.contains("topic"))
        );
    }

    #[test]
    fn parse_rejects_what_discord_rejects() {
        for bad in [
            json!({"title": "T", "components": [{"type": 1, "components": []}]}),
            json!({"custom_id": "c", "title": "", "components": [{"type": 10}]}),
            json!({"custom_id": "c", "title": "T", "components": []}),
            json!({"custom_id": "c", "title": "T", "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1}]},
                {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1}]},
            ]}),
        ] {
            let err = parse(&bad).expect_err("rejected");
            assert_eq!(err.code, 50035, "{bad}");
        }
    }
}
