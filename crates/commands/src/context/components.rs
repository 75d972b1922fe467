//! `ComponentStream`: the clicks on one message a command waits for, each as a fresh
//! [`Context`], claimed from the router through the [`ClaimBook`](crate::wait::ClaimBook).

use std::time::Duration;

use futures_util::StreamExt;
use novera_core::within;
use tokio::time::Instant;
use twilight_model::application::interaction::Interaction;
use twilight_standby::future::WaitForComponentStream;

use super::Context;

/// Clicks on one message, as they come; see [`Context::components`].
///
/// Dropping it stops the wait; clicks that arrive afterwards go to the command's
/// [`component`](crate::Command::component) handler.
pub struct ComponentStream {
    stream: WaitForComponentStream,
    ctx: Context,
}

impl std::fmt::Debug for ComponentStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentStream").finish_non_exhaustive()
    }
}

impl ComponentStream {
    pub(crate) fn new(stream: WaitForComponentStream, ctx: Context) -> Self {
        Self { stream, ctx }
    }

    /// The next click within `timeout`, as a context to answer it with; `None` on timeout.
    /// In a cluster, a click another process of the bot claimed first is skipped.
    pub async fn next(&mut self, timeout: Duration) -> Option<Context> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let interaction = within(left, self.stream.next()).await.flatten()?;
            if let Some(ctx) = self.ctx.own_component(interaction).await {
                return Some(ctx);
            }
        }
    }

    /// The next click before `deadline`; `None` once it passed.
    pub async fn next_until(&mut self, deadline: Instant) -> Option<Context> {
        self.next(deadline.saturating_duration_since(Instant::now()))
            .await
    }

    /// Clicks that already arrived, without waiting (e.g. to answer them after closing).
    pub fn ready(&mut self) -> Vec<Context> {
        let mut out = Vec::new();
        while let Some(Some(interaction)) =
            futures_util::FutureExt::now_or_never(self.stream.next())
        {
            out.push(self.ctx.for_component(interaction));
        }
        out
    }
}

/// Builds the claiming predicate a component waiter registers with standby.
pub(crate) fn claiming<P>(
    ctx: &Context,
    predicate: P,
) -> impl Fn(&Interaction) -> bool + Send + Sync + 'static
where
    P: Fn(&Interaction) -> bool + Send + Sync + 'static,
{
    let ctx = ctx.clone();
    move |interaction: &Interaction| {
        if !predicate(interaction) {
            return false;
        }
        ctx.claim(interaction);
        true
    }
}
