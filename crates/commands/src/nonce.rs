//! Every message the bot creates carries this process's nonce (`InstanceWatch::next_nonce`).
//!
//! The nonce names the process, so the gateway can tell the bot's own messages from another
//! instance's (see novera-core's `instance` module), and with `enforce_nonce` Discord returns the
//! message already created with that nonce instead of a second one, which makes resending a
//! message idempotent. twilight's `CreateMessage` takes only a numeric nonce and has no
//! `enforce_nonce`, so the JSON body of the built request is amended here.

use novera_core::InstanceWatch;
use serde_json::{Map, Value};
use twilight_http::request::{Method, Request, RequestBuilder};

/// `request` with a fresh nonce and `enforce_nonce: true` when it creates a channel message
/// (`POST channels/{id}/messages` with a JSON body); any other request is returned as it is.
pub(crate) fn stamp(
    request: Request,
    instance: &InstanceWatch,
) -> Result<Request, twilight_http::Error> {
    if !creates_message(&request) {
        return Ok(request);
    }
    let Some(Ok(Value::Object(mut body))) = request.body().map(serde_json::from_slice::<Value>)
    else {
        return Ok(request);
    };
    set_nonce(&mut body, instance.next_nonce());
    let Ok(body) = serde_json::to_vec(&body) else {
        return Ok(request);
    };
    let mut builder = RequestBuilder::raw(request.method(), request.path().to_owned())
        .body(body)
        .use_authorization_token(request.use_authorization_token());
    if let Some(headers) = request.headers() {
        builder = builder.headers(
            headers
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
    }
    builder.build()
}

fn set_nonce(body: &mut Map<String, Value>, nonce: String) {
    body.insert("nonce".to_owned(), Value::String(nonce));
    body.insert("enforce_nonce".to_owned(), Value::Bool(true));
}

/// `POST channels/{id}/messages`, without attachments (a multipart form keeps its own body).
fn creates_message(request: &Request) -> bool {
    if request.method() != Method::Post || request.form().is_some() {
        return false;
    }
    let path = request.path().split('?').next().unwrap_or_default();
    let mut segments = path.trim_start_matches('/').split('/');
    matches!(
        (segments.next(), segments.next(), segments.next(), segments.next()),
        (Some("channels"), Some(id), Some("messages"), None) if id.bytes().all(|b| b.is_ascii_digit())
    )
}

#[cfg(test)]
mod tests {
    use twilight_http::Client;
    use twilight_http::request::TryIntoRequest;
    use twilight_model::id::Id;

    use super::*;

    #[tokio::test]
    async fn created_messages_get_a_nonce_and_nothing_else_does() {
        let http = Client::new("t".to_owned());
        let watch = InstanceWatch::new(false);
        let create = http
            .create_message(Id::new(5))
            .content("hi")
            .try_into_request()
            .unwrap();
        let stamped = stamp(create, &watch).unwrap();
        assert_eq!(stamped.path(), "channels/5/messages");
        assert_eq!(stamped.method(), Method::Post);
        let body: Value = serde_json::from_slice(stamped.body().unwrap()).unwrap();
        assert_eq!(body["content"], "hi");
        assert_eq!(body["enforce_nonce"], true);
        let nonce = body["nonce"].as_str().unwrap();
        assert!(watch.is_ours(nonce), "{nonce}");

        let edit = http
            .update_message(Id::new(5), Id::new(6))
            .content(Some("hi"))
            .try_into_request()
            .unwrap();
        let untouched = stamp(edit, &watch).unwrap();
        let body: Value = serde_json::from_slice(untouched.body().unwrap()).unwrap();
        assert!(body.get("nonce").is_none());
    }
}
