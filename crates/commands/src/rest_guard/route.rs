//! What the guard reads off a request and its error: the route template, whether it answers an
//! interaction, the targets a 403/404 condemns, and whether Discord counts the error.

use twilight_http::api_error::ApiError;
use twilight_http::error::ErrorType;

/// The longest error description kept (Discord's are short fixed phrases).
const DESCRIPTION_MAX: usize = 60;

/// One request as the guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    /// `POST /channels/{id}/messages`: method and path, ids and tokens replaced.
    pub(crate) template: String,
    /// The path without query and leading slash: `channels/1/messages`.
    pub(crate) path: String,
    /// Interaction callbacks and webhook calls (follow-ups, `@original`): answers to users,
    /// never held back.
    pub(crate) interaction: bool,
}

impl Route {
    /// The route of a request to `path` (twilight's "path and query", no leading slash).
    pub(crate) fn new(method: &str, path: &str) -> Self {
        let path = path
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_start_matches('/');
        let first = path.split('/').next().unwrap_or_default();
        Self {
            template: format!("{method} /{}", template(path)),
            path: path.to_owned(),
            interaction: matches!(first, "interactions" | "webhooks"),
        }
    }

    /// The targets a past failure of this path may be remembered under: the resource
    /// (`channels/1`) and, when deeper, the item (`channels/1/messages/2`).
    pub(crate) fn targets(&self) -> impl Iterator<Item = &str> {
        [prefix(&self.path, 2), prefix(&self.path, 4)]
            .into_iter()
            .flatten()
    }

    /// What a failure with `status` (and API `code`) condemns: a 403 the whole resource (the
    /// bot lacks a permission in that channel or guild), a 404 the item (a deleted message),
    /// or the resource when the resource itself is unknown (10003 Unknown Channel).
    pub(crate) fn failed_target(&self, status: u16, code: Option<u64>) -> Option<&str> {
        match (status, code) {
            (403, _) | (404, Some(UNKNOWN_CHANNEL | UNKNOWN_GUILD)) => prefix(&self.path, 2),
            (404, _) => prefix(&self.path, 4).or_else(|| prefix(&self.path, 2)),
            _ => None,
        }
    }
}

const UNKNOWN_CHANNEL: u64 = 10003;
const UNKNOWN_GUILD: u64 = 10004;

/// The first `segments` segments of `path`, when it has that many.
fn prefix(path: &str, segments: usize) -> Option<&str> {
    let mut end = 0;
    for (i, segment) in path.split('/').enumerate() {
        if segment.is_empty() {
            return None;
        }
        end += segment.len() + usize::from(i > 0);
        if i + 1 == segments {
            return Some(&path[..end]);
        }
    }
    None
}

/// `channels/1/messages/2` -> `channels/{id}/messages/{id}`; tokens and emoji become
/// `{token}` and `{emoji}`.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut previous = "";
    let mut before_previous = "";
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let token = matches!(before_previous, "interactions" | "webhooks")
            && !previous.is_empty()
            && previous.bytes().all(|b| b.is_ascii_digit());
        if token {
            out.push_str("{token}");
        } else if previous == "reactions" {
            out.push_str("{emoji}");
        } else if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str("{id}");
        } else {
            out.push_str(segment);
        }
        before_previous = previous;
        previous = segment;
    }
    out
}

/// What Discord counts toward the invalid-request ban, read from an error: 401, 403 and 429
/// (twilight does not show a 429's scope, so a `shared` one is counted too: on the safe side).
pub(crate) struct Failure {
    pub(crate) status: u16,
    pub(crate) code: Option<u64>,
    pub(crate) description: String,
}

impl Failure {
    /// The HTTP failure in `error`, if it is a response with an error status.
    pub(crate) fn of(error: &twilight_http::Error) -> Option<Self> {
        let ErrorType::Response { error, status, .. } = error.kind() else {
            return None;
        };
        let (code, description) = match error {
            ApiError::General(general) => (Some(general.code), general.message.as_str()),
            ApiError::Ratelimited(_) => (None, "rate limited"),
            ApiError::Message(_) => (None, "invalid message"),
            // `ApiError` is non-exhaustive: an unknown shape still has a status.
            #[allow(unreachable_patterns, reason = "future twilight variants")]
            _ => (None, ""),
        };
        Some(Self {
            status: status.get(),
            code,
            description: description
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(DESCRIPTION_MAX)
                .collect(),
        })
    }

    /// Whether Discord counts this response as an invalid request.
    pub(crate) fn counts(&self) -> bool {
        matches!(self.status, 401 | 403 | 429)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_hide_ids_tokens_and_emoji() {
        let cases = [
            (
                "POST",
                "channels/123/messages",
                "POST /channels/{id}/messages",
            ),
            (
                "PATCH",
                "channels/1/messages/2?x=1",
                "PATCH /channels/{id}/messages/{id}",
            ),
            (
                "POST",
                "interactions/9/aW50ZXJhY3Rpb24.tok3n/callback",
                "POST /interactions/{id}/{token}/callback",
            ),
            (
                "PATCH",
                "webhooks/7/tok3n/messages/@original",
                "PATCH /webhooks/{id}/{token}/messages/@original",
            ),
            (
                "PUT",
                "channels/1/messages/2/reactions/%F0%9F%91%8D/@me",
                "PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me",
            ),
            ("GET", "users/@me", "GET /users/@me"),
            ("GET", "gateway/bot", "GET /gateway/bot"),
        ];
        for (method, path, want) in cases {
            assert_eq!(Route::new(method, path).template, want, "{path}");
        }
    }

    #[test]
    fn interaction_routes_are_told_apart() {
        assert!(Route::new("POST", "interactions/1/t/callback").interaction);
        assert!(Route::new("POST", "webhooks/1/t").interaction);
        assert!(!Route::new("POST", "channels/1/messages").interaction);
        assert!(!Route::new("GET", "users/@me").interaction);
    }

    #[test]
    fn a_403_condemns_the_channel_and_a_404_the_message() {
        let edit = Route::new("PATCH", "channels/1/messages/2");
        assert_eq!(edit.failed_target(403, Some(50013)), Some("channels/1"));
        assert_eq!(
            edit.failed_target(404, Some(10008)),
            Some("channels/1/messages/2")
        );
        assert_eq!(edit.failed_target(404, Some(10003)), Some("channels/1"));
        assert_eq!(edit.failed_target(401, Some(0)), None);
        assert_eq!(edit.failed_target(429, None), None);
        let send = Route::new("POST", "channels/1/messages");
        assert_eq!(send.failed_target(404, None), Some("channels/1"));
        assert_eq!(
            edit.targets().collect::<Vec<_>>(),
            ["channels/1", "channels/1/messages/2"]
        );
        assert_eq!(send.targets().collect::<Vec<_>>(), ["channels/1"]);
        assert_eq!(
            Route::new("GET", "users/@me").targets().collect::<Vec<_>>(),
            ["users/@me"]
        );
        assert_eq!(Route::new("GET", "gateway").targets().count(), 0);
        assert_eq!(Route::new("GET", "channels//x").targets().count(), 0);
    }
}
