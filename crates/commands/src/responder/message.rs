//! The body of a channel message (prefix commands' answers), written so that sending it twice
//! posts it once: it carries a `nonce` unique to this message and `enforce_nonce: true`, and
//! Discord answers a second create with the same nonce (within a few minutes) with the message
//! the first one made. That is what lets `retry.rs` repeat a create whose answer was lost.
//!
//! twilight-http's `CreateMessage` has `nonce` but no `enforce_nonce`, so the body is written
//! here and sent with its `payload_json`; the fields are the ones it would send.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use twilight_model::channel::message::{AllowedMentions, Component, Embed};
use twilight_model::id::Id;
use twilight_model::id::marker::MessageMarker;

use crate::reply::Reply;

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embeds: Option<&'a [Embed]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<&'a [Component]>,
    allowed_mentions: AllowedMentions,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_reference: Option<Reference>,
    nonce: String,
    enforce_nonce: bool,
}

/// A reply to `message_id` that still posts if that message was deleted meanwhile.
#[derive(Serialize)]
struct Reference {
    message_id: Id<MessageMarker>,
    fail_if_not_exists: bool,
}

/// The JSON body of one channel message, with a fresh nonce; the same bytes are sent on every
/// attempt.
pub(super) fn body(reply: &Reply, reply_to: Option<Id<MessageMarker>>) -> Vec<u8> {
    let body = Body {
        content: reply.content.as_deref(),
        embeds: reply.embeds.as_deref(),
        components: reply.components.as_deref(),
        allowed_mentions: reply.mentions(),
        message_reference: reply_to.map(|message_id| Reference {
            message_id,
            fail_if_not_exists: false,
        }),
        nonce: nonce(),
        enforce_nonce: true,
    };
    serde_json::to_vec(&body)
        .expect("a message body of strings, ids and twilight models serializes")
}

/// A nonce no other message of this process (and, by its random prefix, of another process)
/// carries: 8 hex digits drawn once per process, then a counter in hex (at most 24 characters,
/// Discord takes 25).
fn nonce() -> String {
    static PROCESS: OnceLock<u32> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let process = *PROCESS.get_or_init(|| fastrand::u32(..));
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{process:08x}{count:x}")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn a_reply_carries_an_enforced_nonce_and_no_mentions() {
        let sent: Value =
            serde_json::from_slice(&body(&Reply::text("hi @everyone"), Some(Id::new(42))))
                .expect("JSON");
        assert_eq!(sent["content"], "hi @everyone");
        assert_eq!(sent["allowed_mentions"], json!({"parse": []}));
        assert_eq!(
            sent["message_reference"],
            json!({"message_id": "42", "fail_if_not_exists": false})
        );
        assert_eq!(sent["enforce_nonce"], true);
        let nonce = sent["nonce"].as_str().expect("a string nonce");
        assert!(nonce.len() <= 25 && nonce.len() > 8, "{nonce}");
        assert!(sent.get("embeds").is_none());
    }

    #[test]
    fn every_message_gets_its_own_nonce() {
        let nonces: std::collections::HashSet<String> = (0..1000).map(|_| nonce()).collect();
        assert_eq!(nonces.len(), 1000);
        assert!(nonces.iter().all(|n| n.len() <= 25));
    }
}
