//! Webhook alerts for critical events: rate-limited, coalesced, never blocking, never leaking.
//!
//! `Alerts::raise` only tries to enqueue (a full queue drops the alert and counts it), so a slow
//! or unreachable webhook can never hold up the bot. The sender task posts at most one message per
//! kind per `min_interval`; alerts arriving meanwhile are counted and sent as one coalesced message.
//! Messages pass through the process's redactor, and the webhook URL itself is never logged.

use std::collections::HashMap;
use std::fmt;
use std::future::IntoFuture as _;
use std::time::Duration;

use novera_commands::RestGuard;
use novera_core::{CancellationToken, Shutdown, within};
use novera_health::Redactor;
use tokio::sync::mpsc;
use tokio::time::Instant;
use twilight_http::Client;
use twilight_model::channel::message::AllowedMentions;
use twilight_model::id::Id;
use twilight_model::id::marker::WebhookMarker;

use crate::config::Secret;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AlertKind {
    /// A shard was closed with a code that forbids reconnecting.
    FatalClose,
    /// The supervisor exhausted a component's restart budget.
    SupervisorGaveUp,
    /// A shard stayed down past `alerts.shard_down_after`.
    ShardDown,
    /// A command handler panicked.
    CommandPanic,
    /// The bot's invalid requests crossed a `rest_guard` level.
    InvalidRequests,
    /// Another process runs with the bot's token.
    DuplicateInstance,
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::FatalClose => "fatal gateway close",
            Self::SupervisorGaveUp => "supervisor gave up",
            Self::ShardDown => "shard down",
            Self::CommandPanic => "command panic",
            Self::InvalidRequests => "invalid requests",
            Self::DuplicateInstance => "duplicate instance",
        })
    }
}

/// Where alerts go; cheap to clone. Disabled when no webhook is configured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alerts {
    tx: Option<mpsc::Sender<(AlertKind, String)>>,
}

/// A parsed webhook URL, and the bot's REST guard its failures are counted in (a webhook
/// call's 401/403/429 counts toward the same IP's invalid-request limit).
struct Webhook {
    client: Client,
    id: Id<WebhookMarker>,
    token: String,
    guard: Option<RestGuard>,
}

impl Alerts {
    /// Alerts that go nowhere.
    pub(crate) fn disabled() -> Self {
        Self::default()
    }

    /// Starts the sender task for `webhook_url`, tracked by `shutdown`: when the stop is
    /// requested it posts what is queued or coalesced (bounded per post) and ends, so the
    /// drain waits for those last words. Every message passes through `redactor`, which must
    /// know the webhook's URL and token (the process's redactor does).
    pub(crate) fn spawn(
        webhook_url: &Secret,
        min_interval: Duration,
        redactor: Redactor,
        shutdown: &Shutdown,
        guard: Option<RestGuard>,
    ) -> Result<Self, String> {
        let mut webhook = parse_webhook(webhook_url.expose())?;
        webhook.guard = guard;
        let (tx, rx) = mpsc::channel(64);
        shutdown.spawn(
            "alerts sender",
            run(webhook, rx, min_interval, redactor, shutdown.token()),
        );
        Ok(Self { tx: Some(tx) })
    }

    /// Queues an alert without waiting; dropped (and counted) when the queue is full.
    pub(crate) fn raise(&self, kind: AlertKind, message: impl Into<String>) {
        let Some(tx) = &self.tx else { return };
        if tx.try_send((kind, message.into())).is_err() {
            metrics::counter!("novera_alerts_dropped_total").increment(1);
        }
    }
}

fn parse_webhook(url: &str) -> Result<Webhook, String> {
    let bad = || {
        "alerts.webhook_url is not a Discord webhook URL (https://discord.com/api/webhooks/ID/TOKEN)".to_owned()
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').ok_or_else(bad)?;
    let mut parts = path.trim_end_matches('/').rsplit('/');
    let token = parts.next().filter(|t| !t.is_empty()).ok_or_else(bad)?;
    let id = parts
        .next()
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(Id::new_checked)
        .ok_or_else(bad)?;
    if parts.next() != Some("webhooks") {
        return Err(bad());
    }
    let mut builder = Client::builder().timeout(Duration::from_secs(10));
    let official = matches!(
        host,
        "discord.com" | "discordapp.com" | "ptb.discord.com" | "canary.discord.com"
    );
    if !official {
        builder = builder.proxy(host.to_owned(), scheme == "http");
    }
    Ok(Webhook {
        client: builder.build(),
        id,
        token: token.to_owned(),
        guard: None,
    })
}

#[derive(Default)]
struct KindState {
    last_sent: Option<Instant>,
    suppressed: u32,
    latest: Option<String>,
}

async fn run(
    webhook: Webhook,
    mut rx: mpsc::Receiver<(AlertKind, String)>,
    min_interval: Duration,
    redactor: Redactor,
    cancel: CancellationToken,
) {
    let mut states: HashMap<AlertKind, KindState> = HashMap::new();
    let mut flush = tokio::time::interval(min_interval.min(Duration::from_secs(1)));
    loop {
        tokio::select! {
            received = rx.recv() => {
                let Some((kind, message)) = received else { break };
                let state = states.entry(kind).or_default();
                let due = state.last_sent.is_none_or(|t| t.elapsed() >= min_interval);
                if due {
                    state.last_sent = Some(Instant::now());
                    send(&webhook, &redactor, kind, &message, 0).await;
                } else {
                    state.suppressed += 1;
                    state.latest = Some(message);
                }
            }
            _ = flush.tick() => {
                for (kind, state) in &mut states {
                    if state.suppressed > 0 && state.last_sent.is_none_or(|t| t.elapsed() >= min_interval) {
                        let message = state.latest.take().unwrap_or_default();
                        let count = std::mem::take(&mut state.suppressed);
                        state.last_sent = Some(Instant::now());
                        send(&webhook, &redactor, *kind, &message, count).await;
                    }
                }
            }
            () = cancel.cancelled() => break,
        }
    }
    // Last words: what is still queued, and what was coalesced but not yet sent. The process is
    // stopping, often because of the very event being reported.
    while let Ok((kind, message)) = rx.try_recv() {
        let state = states.entry(kind).or_default();
        if state.latest.replace(message).is_some() {
            state.suppressed += 1;
        }
    }
    for (kind, state) in &mut states {
        if let Some(message) = state.latest.take() {
            send(&webhook, &redactor, *kind, &message, state.suppressed).await;
        }
    }
}

/// The alert text: kind, message, and how many more were coalesced; redacted.
fn render(redactor: &Redactor, kind: AlertKind, message: &str, coalesced: u32) -> String {
    let mut text = if coalesced == 0 {
        format!("**novera alert: {kind}**\n{message}")
    } else {
        format!(
            "**novera alert: {kind}** ({coalesced} more since the last alert of this kind)\nlatest: {message}"
        )
    };
    if let std::borrow::Cow::Owned(clean) = redactor.redact(&text) {
        text = clean;
    }
    // Discord's content limit is 2000 characters.
    if text.chars().count() > 1900 {
        text = text.chars().take(1900).collect::<String>() + "…";
    }
    text
}

async fn send(
    webhook: &Webhook,
    redactor: &Redactor,
    kind: AlertKind,
    message: &str,
    coalesced: u32,
) {
    let text = render(redactor, kind, message, coalesced);
    let mentions = AllowedMentions::default();
    let request = webhook
        .client
        .execute_webhook(webhook.id, &webhook.token)
        .content(&text)
        .allowed_mentions(Some(&mentions));
    match within(Duration::from_secs(15), request.into_future()).await {
        Some(Ok(_)) => {
            metrics::counter!("novera_alerts_sent_total").increment(1);
        }
        Some(Err(e)) => {
            metrics::counter!("novera_alerts_failed_total").increment(1);
            if let Some(guard) = &webhook.guard {
                // The path's token segment is a placeholder: the guard keeps route templates.
                guard.observe("POST", &format!("webhooks/{}/token", webhook.id), &e);
            }
            // The error may carry the request URL, which contains the webhook token.
            let error = render(redactor, kind, &e.to_string(), 0);
            tracing::warn!(%kind, error = %error, "could not post alert to the webhook");
        }
        None => {
            metrics::counter!("novera_alerts_failed_total").increment(1);
            tracing::warn!(%kind, "posting an alert to the webhook timed out");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // twilight's client spawns its rate limiter, so it needs a runtime.
    #[tokio::test]
    async fn webhook_urls_parse_and_reject() {
        assert!(parse_webhook("https://discord.com/api/webhooks/123/abc-def").is_ok());
        assert!(parse_webhook("http://127.0.0.1:9/api/v10/webhooks/123/tok").is_ok());
        assert!(parse_webhook("https://discord.com/api/webhooks/abc/tok").is_err());
        assert!(parse_webhook("not a url").is_err());
        let err = parse_webhook("https://example.com/hooks/1/secret-token")
            .err()
            .unwrap();
        assert!(!err.contains("secret-token"));
    }

    #[test]
    fn render_scrubs_secrets_and_counts() {
        let redactor = Redactor::new().with_secret("tok3n");
        let text = render(
            &redactor,
            AlertKind::CommandPanic,
            "panic with tok3n inside, via webhooks/1/hook-token",
            4,
        );
        assert!(!text.contains("tok3n"), "{text}");
        assert!(!text.contains("hook-token"), "{text}");
        assert!(text.contains("4 more"));
        assert!(text.contains("command panic"));
    }
}
