//! One handler run: cooldown, auto-defer, deadline, panic isolation and the error reply.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use novera_core::{CancellationToken, panic_message, within};
use tokio::time::Instant;

use crate::context::{Context, Shared};
use crate::error::chain;
use crate::failure::CommandFailure;
use crate::registry::Entry;
use crate::reply::Reply;
use crate::responder::{Kind, Responder, Stage};
use crate::stats::Failure;

/// Keeps `novera_commands_in_flight` right however the run ends.
struct InFlight;

impl InFlight {
    fn enter() -> Self {
        metrics::gauge!("novera_commands_in_flight").increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!("novera_commands_in_flight").decrement(1.0);
    }
}

pub(crate) async fn run(
    shared: Arc<Shared>,
    entry: Arc<Entry>,
    ctx: Context,
    kind: Kind,
    received_at: Instant,
) {
    let _in_flight = InFlight::enter();
    let name = entry.def.name();
    let responder = Arc::clone(ctx.responder());
    if kind == Kind::Autocomplete {
        autocomplete(&shared, &entry, ctx, &responder, received_at).await;
        return;
    }
    if matches!(kind, Kind::Command | Kind::Prefix)
        && let (Some(period), Some(user)) = (entry.def.cooldown_period(), ctx.user_id())
        && let Err(left) = shared.cooldowns.try_use(name, user, period)
    {
        let text = format!(
            "Slow down: you can use `/{name}` again in {}s.",
            left.as_secs().max(1)
        );
        send(&responder, &Reply::text(text).ephemeral()).await;
        return;
    }

    let started = Instant::now();
    let limit = entry
        .def
        .deadline_override()
        .unwrap_or(shared.config.default_deadline);
    let handler = Arc::clone(&entry.handler);
    let work = async move {
        match kind {
            Kind::Component => handler.component(ctx).await,
            Kind::Modal => handler.modal(ctx).await,
            _ => handler.run(ctx).await,
        }
    };
    let done = CancellationToken::new();
    let guarded = async {
        let outcome = within(limit, AssertUnwindSafe(work).catch_unwind()).await;
        done.cancel();
        outcome
    };
    // Runs beside the handler (never instead of it): once the timer fired, the deferral is
    // allowed to finish even if the handler completes meanwhile, so the stage stays truthful.
    let auto_defer = async {
        if kind == Kind::Prefix {
            return;
        }
        // Discord's window started when the event was received, not when the handler did.
        tokio::select! {
            () = tokio::time::sleep_until(received_at + shared.config.auto_defer) => {}
            () = done.cancelled() => return,
        }
        match responder.auto_defer(entry.def.is_ephemeral()).await {
            Ok(true) => shared.counters.auto_deferred(),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(command = name, error = %chain(&error), "auto-defer failed");
            }
        }
    };
    let (outcome, ()) = tokio::join!(guarded, auto_defer);
    metrics::histogram!("novera_commands_duration_seconds", "command" => name.to_owned())
        .record(started.elapsed().as_secs_f64());

    match outcome {
        Some(Ok(Ok(()))) => {
            shared.counters.served(name);
            ensure_answered(name, kind, &responder).await;
        }
        Some(Ok(Err(error))) => match error.user_message() {
            Some(message) => {
                shared.counters.served(name);
                send(&responder, &Reply::text(message).ephemeral()).await;
            }
            None if crate::rest_guard::refusal_text(&error).is_some() => {
                refused(&shared, name, kind, &responder, &error).await;
            }
            None => {
                fail(
                    &shared,
                    name,
                    &responder,
                    Failure::Error,
                    &error.cause(),
                    limit,
                )
                .await;
            }
        },
        Some(Err(panic)) => {
            fail(
                &shared,
                name,
                &responder,
                Failure::Panic,
                &panic_message(&*panic),
                limit,
            )
            .await;
        }
        None => {
            let cause =
                format!("no result within the {limit:?} deadline; the handler was cancelled");
            fail(&shared, name, &responder, Failure::Deadline, &cause, limit).await;
        }
    }
}

async fn autocomplete(
    shared: &Shared,
    entry: &Entry,
    ctx: Context,
    responder: &Responder,
    received_at: Instant,
) {
    let name = entry.def.name();
    // No deferral exists for autocomplete: answer before the window whatever happens. The
    // handler is called inside the guarded future, so a panic before it returns its future
    // is caught too.
    let handler = Arc::clone(&entry.handler);
    let work = AssertUnwindSafe(async move { handler.autocomplete(ctx).await }).catch_unwind();
    let left = (received_at + shared.config.auto_defer).saturating_duration_since(Instant::now());
    let choices = match within(left, work).await {
        Some(Ok(Ok(choices))) => {
            shared.counters.served(name);
            choices
        }
        Some(Ok(Err(error))) => {
            tracing::warn!(command = name, cause = %error.cause(), "autocomplete failed");
            Vec::new()
        }
        Some(Err(panic)) => {
            tracing::warn!(command = name, cause = %panic_message(&*panic), "autocomplete panicked");
            Vec::new()
        }
        None => {
            tracing::warn!(command = name, "autocomplete did not answer in time");
            Vec::new()
        }
    };
    if let Err(error) = responder.autocomplete(choices).await {
        tracing::warn!(command = name, error = %chain(&error), "could not answer autocomplete");
    }
}

/// A handler that returned without answering still must not leave the user hanging.
async fn ensure_answered(name: &str, kind: Kind, responder: &Responder) {
    match (responder.stage().await, kind) {
        (Stage::Fresh, Kind::Component) => {
            if let Err(error) = responder.defer_update().await {
                tracing::warn!(command = name, error = %chain(&error), "could not acknowledge a click");
            }
        }
        (Stage::Fresh, Kind::Command | Kind::Modal) => {
            tracing::warn!(command = name, "handler finished without replying");
            send(responder, &Reply::text("Done.").ephemeral()).await;
        }
        (Stage::Deferred { .. }, _) => {
            tracing::warn!(command = name, "handler deferred but never replied");
            send(responder, &Reply::text("Done.")).await;
        }
        _ => {}
    }
}

async fn fail(
    shared: &Shared,
    name: &str,
    responder: &Responder,
    failure: Failure,
    cause: &str,
    limit: Duration,
) {
    let reference = reference_id();
    shared.counters.failed(name, failure);
    tracing::error!(
        reference = %reference,
        command = name,
        reason = failure.label(),
        cause,
        "command failed"
    );
    if let Some(observer) = &shared.on_failure {
        observer(&CommandFailure {
            command: name.to_owned(),
            reference: reference.clone(),
            kind: failure.kind(),
            cause: cause.to_owned(),
        });
    }
    let text = match failure {
        Failure::Deadline => format!(
            "`/{name}` took too long (over {}s) and was stopped. Reference: `{reference}`",
            limit.as_secs().max(1)
        ),
        Failure::Error | Failure::Panic => {
            format!("Something went wrong running `/{name}`. Reference: `{reference}`")
        }
    };
    send(responder, &Reply::text(text).ephemeral()).await;
}

/// Discord refused what the handler tried (403, 404), or the REST guard held it back: the user
/// learns why; nothing is sent where it would fail again (a prefix command's channel).
async fn refused(
    shared: &Shared,
    name: &str,
    kind: Kind,
    responder: &Responder,
    error: &crate::error::CommandError,
) {
    shared.counters.served(name);
    tracing::info!(command = name, cause = %error.cause(), "command could not act: discord refused it or the rest guard held it back");
    if kind == Kind::Prefix {
        // The reply would go to the very channel that refused: another invalid request.
        return;
    }
    if let Some(text) = crate::rest_guard::refusal_text(error) {
        send(responder, &Reply::text(text).ephemeral()).await;
    }
}

async fn send(responder: &Responder, reply: &Reply) {
    if let Err(error) = responder.reply(reply).await {
        tracing::warn!(error = %chain(&error), "could not send a reply");
    }
}

/// A short id the user can quote and the operator can grep for.
fn reference_id() -> String {
    format!("{:08x}", fastrand::u32(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_ids_are_short_hex() {
        let id = reference_id();
        assert_eq!(id.len(), 8);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
