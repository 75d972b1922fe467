//! The conformance harness: sends a request, checks the headers Discord sends on that route
//! and status, and validates the JSON body against the route's schema in Discord's `OpenAPI`
//! file when the file is at hand.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use novera_sim::SimHandle;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::common::TOKEN;

/// The one route Discord answers without rate-limit headers: it is not bucketed and is exempt
/// from the global limit.
pub(crate) const CALLBACK: &str = "/interactions/{interaction_id}/{interaction_token}/callback";

/// The rate-limit headers of a bucket (`X-RateLimit-Scope` comes only with a 429).
const BUCKET_HEADERS: [&str; 5] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-reset-after",
    "x-ratelimit-bucket",
];

/// Discord's `OpenAPI` description and the schema validators compiled from it.
pub(crate) struct Spec {
    doc: Value,
    validators: HashMap<String, jsonschema::Validator>,
}

impl Spec {
    /// Parses the file's text, making `RatelimitedResponse`'s `code` optional: the file wrongly
    /// requires it (through `Error`).
    pub(crate) fn parse(text: &str) -> Self {
        let mut doc: Value = serde_json::from_str(text).expect("the OpenAPI file is JSON");
        let mut error = doc["components"]["schemas"]["Error"].clone();
        error["required"] = json!(["message"]);
        doc["components"]["schemas"]["RatelimitedResponse"]["allOf"][0] = error;
        Self {
            doc,
            validators: HashMap::new(),
        }
    }

    /// The response schema for `status` of an operation (following `$ref`s to components).
    fn schema_for(&self, method: &str, template: &str, status: u16) -> Option<Value> {
        let responses = &self.doc["paths"][template][method]["responses"];
        assert!(
            responses.is_object(),
            "{method} {template} is not in the OpenAPI file"
        );
        let key = status.to_string();
        let mut response = if responses.get(&key).is_some() {
            responses[&key].clone()
        } else if (400..500).contains(&status) {
            responses["4XX"].clone()
        } else {
            panic!("{method} {template}: status {status} is not documented");
        };
        if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            response = self
                .doc
                .pointer(pointer)
                .cloned()
                .expect("response $ref resolves");
        }
        response
            .pointer("/content/application~1json/schema")
            .cloned()
    }

    fn validate(&mut self, label: &str, key: String, schema: &Value, body: &Value) {
        let components = &self.doc["components"];
        let validator = self.validators.entry(key).or_insert_with(|| {
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": components,
                "$defs": {"target": schema},
                "$ref": "#/$defs/target",
            });
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .expect("schema compiles")
        });
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{label} does not match Discord's schema:\n{}\nbody: {body:#}",
            errors.join("\n")
        );
    }
}

/// Checks the headers Discord sends with every response: `Content-Type: application/json`
/// exactly when there is a body and none without one, `Via` (discord.py reads a 429 without it
/// as a Cloudflare ban), the bucket headers on every bucketed route, `X-RateLimit-Scope` only
/// on 429s, and no rate-limit header at all on an interaction callback.
pub(crate) fn check_headers(
    label: &str,
    template: &str,
    status: u16,
    headers: &HeaderMap,
    empty: bool,
) {
    let content_type = headers.get("content-type");
    if empty {
        assert!(
            content_type.is_none(),
            "{label}: an empty body with Content-Type {content_type:?}"
        );
    } else {
        assert_eq!(
            content_type.and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{label}: Content-Type of a body"
        );
    }
    assert_eq!(
        headers.get("via").and_then(|v| v.to_str().ok()),
        Some("1.1 google"),
        "{label}: Via"
    );
    let global = headers.get("x-ratelimit-global").is_some();
    let rate_headers: Vec<&str> = headers
        .keys()
        .map(reqwest::header::HeaderName::as_str)
        .filter(|name| name.starts_with("x-ratelimit-"))
        .collect();
    if template == CALLBACK {
        assert!(
            rate_headers.is_empty(),
            "{label}: an interaction callback with rate-limit headers {rate_headers:?}"
        );
    } else if global {
        assert_eq!(status, 429, "{label}: X-RateLimit-Global on a {status}");
        assert_eq!(headers["x-ratelimit-scope"], "global", "{label}");
        assert!(headers.contains_key("retry-after"), "{label}: Retry-After");
        for header in BUCKET_HEADERS {
            assert!(
                !headers.contains_key(header),
                "{label}: global 429 with {header}"
            );
        }
    } else {
        for header in BUCKET_HEADERS {
            assert!(headers.contains_key(header), "{label}: missing {header}");
        }
        if status == 429 {
            assert_eq!(headers["x-ratelimit-scope"], "user", "{label}");
            assert!(headers.contains_key("retry-after"), "{label}: Retry-After");
        } else {
            assert!(
                !headers.contains_key("x-ratelimit-scope"),
                "{label}: X-RateLimit-Scope on a {status}"
            );
        }
    }
}

/// Drives REST routes of one simulator and checks every response.
pub(crate) struct Conformance {
    /// Validates bodies when present; headers are checked either way.
    spec: Option<Spec>,
    /// Routes seen with a success status.
    pub(crate) covered: BTreeSet<(String, String)>,
    /// Responses checked.
    pub(crate) checked: usize,
    /// Bodies validated against the spec.
    pub(crate) validated: usize,
    pub(crate) sim: SimHandle,
    http: reqwest::Client,
}

impl Conformance {
    pub(crate) fn new(sim: SimHandle, spec: Option<Spec>) -> Self {
        Self {
            spec,
            covered: BTreeSet::new(),
            checked: 0,
            validated: 0,
            sim,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("client"),
        }
    }

    /// Gives the spec back (for another simulator's run).
    pub(crate) fn into_spec(self) -> (SimHandle, Option<Spec>) {
        (self.sim, self.spec)
    }

    /// Sends a request, checks the response's headers and (with a spec) its body against the
    /// route's schema; returns the status and the body.
    pub(crate) async fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
        auth: bool,
    ) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let mut req = self
            .http
            .request(m, format!("{}/api/v10{path}", self.sim.base_url()));
        if auth {
            req = req.header("Authorization", format!("Bot {TOKEN}"));
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let label = format!("{} {path} -> {status}", method.to_uppercase());
        check_headers(&label, template, status, &headers, text.is_empty());
        self.checked += 1;
        let schema = self
            .spec
            .as_ref()
            .map(|spec| spec.schema_for(method, template, status));
        let body = if status == 204 {
            assert!(text.is_empty(), "{label}: 204 with a body");
            assert!(
                schema.flatten().is_none(),
                "{label}: the spec documents a body"
            );
            Value::Null
        } else {
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{label}: body is not JSON: {text}"));
            if let (Some(spec), Some(schema)) = (self.spec.as_mut(), schema) {
                let schema = schema.unwrap_or_else(|| panic!("{label}: no JSON schema documented"));
                spec.validate(
                    &label,
                    format!("{method} {template} {status}"),
                    &schema,
                    &body,
                );
                self.validated += 1;
            }
            body
        };
        if (200..300).contains(&status) {
            self.covered
                .insert((method.to_owned(), template.to_owned()));
        }
        (status, body)
    }
}
