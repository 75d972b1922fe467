//! Reading requests, shared by REST and the control API: JSON bodies, snowflake path segments,
//! and [`ControlJson`], the typed body of a control call whose parse errors are 400s that say
//! what is wrong and where.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api_error::ApiError;

/// A 400 of the control API (code 0) with a reason.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, 0, message)
}

/// Parses a REST JSON request body, answering 50109 when it is not JSON; an empty body is `{}`.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|_| ApiError::invalid_json())
}

/// Parses a snowflake path segment; a malformed one is a 404 like Discord's.
pub(crate) fn snowflake_param(raw: &str, missing: fn() -> ApiError) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| missing())
}

/// Deserializes a control body into `T`; an empty body is `{}`. The error names the field
/// (`options[0].value`) and what serde found wrong there.
pub(crate) fn control_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            bad_request(format!("invalid body: {inner}"))
        } else {
            bad_request(format!("invalid body at `{path}`: {inner}"))
        }
    })?;
    // Trailing bytes after the JSON value are malformed input too.
    de.end()
        .map_err(|e| bad_request(format!("invalid body: {e}")))?;
    Ok(parsed)
}

/// The typed JSON body of a control call. Unlike axum's `Json`, it needs no `Content-Type`
/// (curl users forget it) and its rejection is the simulator's 400 with a reason.
#[derive(Debug, Clone)]
pub(crate) struct ControlJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ControlJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::new(
                e.status(),
                0,
                format!("cannot read the body: {}", e.body_text()),
            )
        })?;
        control_body(&bytes).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[allow(dead_code)] // Read through Debug only: the test is about errors.
        count: u32,
    }

    #[test]
    fn errors_name_the_field_and_trailing_bytes_are_refused() {
        let err = control_body::<Probe>(br#"{"count": "x"}"#).expect_err("wrong type");
        assert!(err.message.contains("`count`"), "{}", err.message);
        let err = control_body::<Probe>(br#"{"count": 1, "other": 2}"#).expect_err("unknown");
        assert!(err.message.contains("other"), "{}", err.message);
        let err = control_body::<Probe>(br#"{"count": 1} x"#).expect_err("trailing");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(control_body::<Probe>(br#" {"count": 1} "#).is_ok());
        let err = control_body::<Probe>(b"").expect_err("missing count");
        assert!(err.message.contains("count"), "{}", err.message);
    }
}
