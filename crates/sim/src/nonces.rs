//! Message nonces as `enforce_nonce` uses them: a message created with a nonce is remembered
//! for a few minutes, and another one by the same author with the same nonce and
//! `enforce_nonce: true` returns the first instead of creating a second (Discord's documented
//! idempotency for retried sends).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

/// Most nonces remembered (the oldest are forgotten first).
const MAX_REMEMBERED: usize = 100_000;

/// `(author, nonce)`.
type Key = (u64, String);

/// Nonces of recent messages and the messages they created.
#[derive(Debug, Default)]
pub(crate) struct RecentNonces {
    messages: HashMap<Key, (u64, Instant)>,
    order: VecDeque<(Instant, Key)>,
}

/// A nonce as the uniqueness check compares it: `123` and `"123"` are the same nonce.
pub(crate) fn nonce_key(nonce: &Value) -> Option<String> {
    match nonce {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl RecentNonces {
    fn forget_older_than(&mut self, now: Instant, window: Duration) {
        while let Some((at, _)) = self.order.front() {
            if now.duration_since(*at) < window && self.order.len() <= MAX_REMEMBERED {
                break;
            }
            if let Some((at, key)) = self.order.pop_front()
                && self.messages.get(&key).is_some_and(|(_, t)| *t == at)
            {
                self.messages.remove(&key);
            }
        }
    }

    /// The message `author` created with `nonce` within `window`, if any.
    pub(crate) fn find(
        &mut self,
        author: u64,
        nonce: &str,
        now: Instant,
        window: Duration,
    ) -> Option<u64> {
        self.forget_older_than(now, window);
        self.messages
            .get(&(author, nonce.to_owned()))
            .map(|(message, _)| *message)
    }

    /// Remembers that `author` created `message` with `nonce`.
    pub(crate) fn remember(
        &mut self,
        author: u64,
        nonce: String,
        message: u64,
        now: Instant,
        window: Duration,
    ) {
        let key = (author, nonce);
        self.messages.insert(key.clone(), (message, now));
        self.order.push_back((now, key));
        self.forget_older_than(now, window);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_nonce_names_a_message_of_its_author_for_the_window() {
        let window = Duration::from_secs(60);
        let start = Instant::now();
        let mut nonces = RecentNonces::default();
        let key = nonce_key(&json!(123)).expect("integer nonce");
        assert_eq!(nonce_key(&json!("123")).as_deref(), Some("123"));
        assert_eq!(nonce_key(&json!(true)), None);
        nonces.remember(1, key.clone(), 10, start, window);
        assert_eq!(nonces.find(1, "123", start, window), Some(10));
        assert_eq!(nonces.find(2, "123", start, window), None, "another author");
        let later = start + Duration::from_secs(61);
        assert_eq!(nonces.find(1, "123", later, window), None, "window passed");
        assert!(nonces.messages.is_empty() && nonces.order.is_empty());
    }
}
