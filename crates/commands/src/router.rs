//! `Router`: turns gateway events into handler runs without ever blocking the caller.

use std::sync::Arc;

use novera_cache::Cache;
use novera_core::{CancellationToken, InstanceWatch, Shutdown};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use twilight_http::Client;
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::channel::Message;
use twilight_model::gateway::event::Event;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;
use twilight_standby::Standby;

use crate::command::CommandSet;
use crate::config::RouterConfig;
use crate::context::{Context, Shared, Source};
use crate::cooldown::Cooldowns;
use crate::def::CommandDef;
use crate::dispatch::{Dispatch, HttpAnswer, Ingress};
use crate::error::ConfigError;
use crate::failure::{CommandFailure, FailureObserver};
use crate::gateway_info::GatewayInfo;
use crate::invoke;
use crate::ledger::{Acknowledged, InteractionLedger};
use crate::prefix;
use crate::registry::{Entry, Registry, owner_of};
use crate::reply::Reply;
use crate::responder::{Kind, Responder, Target};
use crate::rest_guard::RestGuard;
use crate::state::{Clock, CommandState, MemoryStateStore, StateStore, TimerBook};
use crate::stats::{Counters, RouterStats};
use crate::timer_runner;
use crate::wait::ClaimBook;

/// What the user reads when the in-flight limit is reached.
pub(crate) const BUSY_TEXT: &str = "The bot is busy right now. Please try again in a moment.";

/// Quick answers (busy, unknown) allowed in flight, as a multiple of the handler limit.
const QUICK_ANSWERS_PER_HANDLER: usize = 4;

/// Routes `INTERACTION_CREATE` (commands, components, autocomplete, modals) and prefix
/// `MESSAGE_CREATE`s to command handlers. Cheap to clone.
///
/// Each handler runs on a task of a [`WorkPool`] on the process's [`Shutdown`] tracker, with
/// auto-defer, a deadline, panic isolation and an error reply (see the crate docs). Over the
/// in-flight limit the interaction is answered "busy" at once on a separate tracked task.
#[derive(Clone)]
pub struct Router {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("commands", &self.shared.registry)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Router`]; see [`Router::builder`].
#[must_use]
pub struct RouterBuilder {
    http: Arc<Client>,
    application_id: Id<ApplicationMarker>,
    cache: Arc<Cache>,
    standby: Arc<Standby>,
    gateway: Arc<dyn GatewayInfo>,
    config: RouterConfig,
    sets: Vec<CommandSet>,
    on_failure: Option<FailureObserver>,
    ledger: Option<Arc<dyn InteractionLedger>>,
    rest_guard: Option<RestGuard>,
    instance: Option<Arc<InstanceWatch>>,
    state: Option<Arc<dyn StateStore>>,
}

impl std::fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("config", &self.config)
            .field("sets", &self.sets)
            .finish_non_exhaustive()
    }
}

impl RouterBuilder {
    /// Sets the configuration (default: [`RouterConfig::default`]).
    pub fn config(mut self, config: RouterConfig) -> Self {
        self.config = config;
        self
    }

    /// Calls `observer` for every failed invocation (error, panic or missed deadline), after the
    /// router has logged it and answered the user; the binary uses it for alerts. It runs on the
    /// handler's task and must not block.
    pub fn on_failure(
        mut self,
        observer: impl Fn(&CommandFailure) + Send + Sync + 'static,
    ) -> Self {
        self.on_failure = Some(Arc::new(observer));
        self
    }

    /// Records every acknowledgement in `ledger`, for roles where several processes may
    /// receive the same interaction (see [`InteractionLedger`]).
    pub fn ledger(mut self, ledger: Arc<dyn InteractionLedger>) -> Self {
        self.ledger = Some(ledger);
        self
    }

    /// Sends every request through `guard` (default: a guard of its own with the defaults);
    /// the bot shares one guard between everything that uses its token.
    pub fn rest_guard(mut self, guard: RestGuard) -> Self {
        self.rest_guard = Some(guard);
        self
    }

    /// This process's instance watch (default: a fresh one without step-down): the nonce on
    /// every message, 40060 evidence of another instance, and step-down.
    pub fn instance(mut self, instance: Arc<InstanceWatch>) -> Self {
        self.instance = Some(instance);
        self
    }

    /// Keeps command state and timers in `store` (default: a [`MemoryStateStore`], gone at
    /// exit; the bot assembly gives a file or, in the cluster, a bucket every process shares).
    pub fn state(mut self, store: Arc<dyn StateStore>) -> Self {
        self.state = Some(store);
        self
    }

    /// Adds a crate's command set.
    pub fn commands(mut self, set: CommandSet) -> Self {
        self.sets.push(set);
        self
    }

    /// Validates the configuration and the command names; handler tasks are tracked by
    /// `shutdown`, so its drain waits for them.
    pub fn build(self, shutdown: &Shutdown) -> Result<Router, ConfigError> {
        self.config.validate()?;
        let registry = Registry::build(self.sets, self.config.prefix.is_some())?;
        let limit = self.config.in_flight_limit;
        let clock = Clock::new();
        let state = self
            .state
            .unwrap_or_else(|| Arc::new(MemoryStateStore::with_clock(clock)));
        // Unique per router: only leases of timers name it.
        let holder = format!("{}-{:08x}", std::process::id(), fastrand::u32(..));
        let timers = TimerBook::new(Arc::clone(&state), clock, holder);
        Ok(Router {
            shared: Arc::new(Shared {
                http: self.http,
                application_id: self.application_id,
                cache: self.cache,
                standby: self.standby,
                gateway: self.gateway,
                registry,
                counters: Counters::default(),
                pool: shutdown.work_pool(limit),
                shutdown: shutdown.clone(),
                quick_answers: Arc::new(Semaphore::new(
                    limit.saturating_mul(QUICK_ANSWERS_PER_HANDLER).max(64),
                )),
                claims: ClaimBook::default(),
                cooldowns: Cooldowns::default(),
                started: Instant::now(),
                on_failure: self.on_failure,
                ledger: self.ledger,
                rest_guard: self.rest_guard.unwrap_or_default(),
                instance: self
                    .instance
                    .unwrap_or_else(|| Arc::new(InstanceWatch::new(false))),
                state,
                clock,
                timers,
                config: self.config,
            }),
        })
    }
}

/// A quick answer sent without running a handler.
enum Quick {
    Reply(Reply),
    NoChoices,
}

impl Router {
    /// Starts building a router from the pieces the gateway shares.
    pub fn builder(
        http: Arc<Client>,
        application_id: Id<ApplicationMarker>,
        cache: Arc<Cache>,
        standby: Arc<Standby>,
        gateway: Arc<dyn GatewayInfo>,
    ) -> RouterBuilder {
        RouterBuilder {
            http,
            application_id,
            cache,
            standby,
            gateway,
            config: RouterConfig::default(),
            sets: Vec::new(),
            on_failure: None,
            ledger: None,
            rest_guard: None,
            instance: None,
            state: None,
        }
    }

    /// Handles one event received just now; never blocks and never awaits (handlers run on
    /// spawned tasks). See [`dispatch`](Self::dispatch).
    pub fn handle(&self, event: Event) {
        drop(self.dispatch(Dispatch::new(event)));
    }

    /// Handles one event; never blocks and never awaits. Returns the task that answers it (the
    /// handler, or a quick "busy"/"unknown" answer), or `None` when the router does not act on
    /// it; a caller that must know when the answer is done (a broker worker acknowledging its
    /// message) awaits it.
    ///
    /// Expects the cache and standby to have seen the event already (the gateway does that
    /// inline before dispatching).
    #[must_use = "dropping the handle is fine, `handle` says so; keep it to await the answer"]
    pub fn dispatch(&self, dispatch: Dispatch) -> Option<JoinHandle<()>> {
        let Dispatch {
            event,
            received_at,
            resume,
            ingress,
            http_answer,
        } = dispatch;
        if !self.shared.instance.answers(received_at) {
            // Another, older instance answers: a second answer is what users must not get.
            let command = match &event {
                Event::InteractionCreate(_) => true,
                Event::MessageCreate(created) => {
                    self.shared.config.prefix.as_deref().is_some_and(|prefix| {
                        !created.author.bot && prefix::split(&created.content, prefix).is_some()
                    })
                }
                _ => false,
            };
            if command {
                metrics::counter!("novera_commands_stepped_down_total").increment(1);
            }
            return None;
        }
        match event {
            Event::InteractionCreate(created) => {
                self.interaction(created.0, received_at, resume, ingress, http_answer)
            }
            Event::MessageCreate(created) if self.shared.config.prefix.is_some() => {
                self.prefix_message(created.message, received_at)
            }
            _ => None,
        }
    }

    /// Handles events until the channel closes or `cancel` fires.
    pub async fn run(self, mut events: mpsc::Receiver<Event>, cancel: CancellationToken) {
        // Registered once, not per event.
        let cancelled = cancel.cancelled();
        tokio::pin!(cancelled);
        loop {
            let event = tokio::select! {
                biased;
                () = &mut cancelled => break,
                event = events.recv() => event,
            };
            match event {
                Some(event) => self.handle(event),
                None => break,
            }
        }
        tracing::debug!("command router stopped taking events");
    }

    /// Fires due timers (see [`Command::timer`](crate::Command::timer)) until `cancel` fires,
    /// checking the state store every `interval`; a timer that came due while the bot was down
    /// fires at the first check. Each timer is leased before it fires, so of several routers
    /// sharing one store exactly one fires it. Handlers run on the router's work pool, so the
    /// shutdown's drain waits for timers already firing.
    pub async fn run_timers(self, interval: std::time::Duration, cancel: CancellationToken) {
        timer_runner::run(self.shared, interval, cancel).await;
    }

    /// The state store commands and timers use.
    #[must_use]
    pub fn state(&self) -> &Arc<dyn StateStore> {
        &self.shared.state
    }

    /// Command `name`'s state, as its handlers see it through `ctx.state()` (tests, tools).
    #[must_use]
    pub fn command_state(&self, name: &str) -> CommandState {
        self.shared.command_state(name)
    }

    /// The cache its handlers read: an ingress other than the gateway (the interactions
    /// endpoint) updates it with an event before dispatching it, as a shard does.
    #[must_use]
    pub fn cache(&self) -> &Arc<Cache> {
        &self.shared.cache
    }

    /// The standby its waiters wait on: an ingress other than the gateway runs it on an event
    /// before dispatching it, as a shard does.
    #[must_use]
    pub fn standby(&self) -> &Arc<Standby> {
        &self.shared.standby
    }

    /// The router's counters (for `/status` and the app's status page).
    #[must_use]
    pub fn stats(&self) -> RouterStats {
        self.shared.stats()
    }

    /// The REST guard the router sends through.
    #[must_use]
    pub fn rest_guard(&self) -> &RestGuard {
        &self.shared.rest_guard
    }

    /// This process's instance watch.
    #[must_use]
    pub fn instance(&self) -> &Arc<InstanceWatch> {
        &self.shared.instance
    }

    /// The composed commands.
    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.shared.registry
    }

    /// The definitions of every routed command, for registration.
    #[must_use]
    pub fn defs(&self) -> Vec<CommandDef> {
        self.shared.registry.defs().cloned().collect()
    }

    fn interaction(
        &self,
        interaction: Interaction,
        received_at: Instant,
        resume: Option<Acknowledged>,
        ingress: Ingress,
        http_answer: Option<HttpAnswer>,
    ) -> Option<JoinHandle<()>> {
        let kind = match interaction.kind {
            InteractionType::ApplicationCommand => Kind::Command,
            InteractionType::ApplicationCommandAutocomplete => Kind::Autocomplete,
            InteractionType::MessageComponent => Kind::Component,
            InteractionType::ModalSubmit => Kind::Modal,
            _ => return None,
        };
        self.shared.counters.received(ingress);
        if kind == Kind::Component
            && let Some(responder) = self.shared.claims.router_sees(interaction.id)
        {
            if let Some(answer) = http_answer {
                responder.answer_over_http(answer);
            }
            // A waiter owns this click; only make sure it is acknowledged in time.
            return Some(self.guard_click(responder, received_at));
        }
        let owner = match &interaction.data {
            Some(InteractionData::ApplicationCommand(data)) => Some(data.name.as_str()),
            Some(InteractionData::MessageComponent(data)) => owner_of(&data.custom_id),
            Some(InteractionData::ModalSubmit(data)) => owner_of(&data.custom_id),
            _ => None,
        };
        let entry = owner
            .and_then(|name| self.shared.registry.entry(name))
            .cloned();
        let responder = Arc::new(
            self.shared
                .interaction_responder(&interaction, kind)
                .received_at(received_at)
                .resuming(resume),
        );
        if let Some(answer) = http_answer {
            responder.answer_over_http(answer);
        }
        let Some(entry) = entry else {
            tracing::debug!(?kind, "interaction for no known command");
            let quick = match kind {
                Kind::Autocomplete => Quick::NoChoices,
                Kind::Command => {
                    Quick::Reply(Reply::text("This command is not available.").ephemeral())
                }
                _ => Quick::Reply(Reply::text("This is no longer active.").ephemeral()),
            };
            return self.quick_answer("commands: unknown interaction", responder, quick);
        };
        let ctx = Context::new(
            Arc::clone(&self.shared),
            Arc::from(entry.def.name()),
            Source::Interaction(Box::new(interaction)),
            Arc::clone(&responder),
        );
        self.spawn_handler(entry, ctx, kind, ingress, responder, received_at)
    }

    fn prefix_message(&self, message: Message, received_at: Instant) -> Option<JoinHandle<()>> {
        let prefix = self.shared.config.prefix.as_deref()?;
        if message.author.bot {
            return None;
        }
        let (name, args) = prefix::split(&message.content, prefix)?;
        // Other bots may share the prefix: unknown names are not ours to answer.
        let entry = self
            .shared
            .registry
            .entry(name)
            .filter(|e| e.def.allows_prefix())
            .cloned()?;
        self.shared.counters.received(Ingress::Gateway);
        let responder = Arc::new(Responder::new(
            self.shared.rest(),
            self.shared.application_id,
            Target::Message {
                channel_id: message.channel_id,
                message_id: message.id,
            },
            Kind::Prefix,
            self.shared.config.rest_deadline,
        ));
        let Some(options) = prefix::options(&entry.def, args) else {
            let usage = format!("Usage: `{}`", prefix::usage(prefix, &entry.def));
            return self.quick_answer(
                "commands: prefix usage",
                responder,
                Quick::Reply(Reply::text(usage)),
            );
        };
        let ctx = Context::new(
            Arc::clone(&self.shared),
            Arc::from(entry.def.name()),
            Source::Prefix {
                message: Box::new(message),
                options,
            },
            Arc::clone(&responder),
        );
        self.spawn_handler(
            entry,
            ctx,
            Kind::Prefix,
            Ingress::Gateway,
            responder,
            received_at,
        )
    }

    fn spawn_handler(
        &self,
        entry: Arc<Entry>,
        ctx: Context,
        kind: Kind,
        ingress: Ingress,
        responder: Arc<Responder>,
        received_at: Instant,
    ) -> Option<JoinHandle<()>> {
        let task = format!("command /{}", entry.def.name());
        let run = invoke::run(
            Arc::clone(&self.shared),
            entry,
            ctx,
            kind,
            ingress,
            received_at,
        );
        if let Ok(handle) = self.shared.pool.try_spawn(task, run) {
            return Some(handle);
        }
        self.shared.counters.busy_rejected();
        let quick = if kind == Kind::Autocomplete {
            Quick::NoChoices
        } else {
            Quick::Reply(Reply::text(BUSY_TEXT).ephemeral())
        };
        self.quick_answer("commands: busy reply", responder, quick)
    }

    /// Sends a fixed answer on its own tracked task, bounded so a flood cannot spawn without
    /// limit (past the bound the interaction is logged and counted as dropped).
    fn quick_answer(
        &self,
        task: &'static str,
        responder: Arc<Responder>,
        quick: Quick,
    ) -> Option<JoinHandle<()>> {
        let Ok(permit) = Arc::clone(&self.shared.quick_answers).try_acquire_owned() else {
            metrics::counter!("novera_commands_dropped_total").increment(1);
            tracing::warn!("too many quick answers in flight: an interaction is left unanswered");
            return None;
        };
        Some(self.shared.shutdown.spawn(task, async move {
            let _permit = permit;
            let sent = match quick {
                Quick::Reply(reply) => responder.reply(&reply).await,
                Quick::NoChoices => responder.autocomplete(Vec::new()).await,
            };
            if let Err(error) = sent {
                tracing::warn!(error = %crate::error::chain(&error), "could not send a quick answer");
            }
        }))
    }

    /// Acknowledges a claimed click in time if its waiter does not.
    fn guard_click(&self, responder: Arc<Responder>, received_at: Instant) -> JoinHandle<()> {
        let at = received_at + self.shared.config.auto_defer;
        let counters = Arc::clone(&self.shared);
        self.shared.shutdown.spawn("commands: click guard", async move {
            tokio::time::sleep_until(at).await;
            match responder.auto_defer(false).await {
                Ok(true) => counters.counters.auto_deferred(),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(error = %crate::error::chain(&error), "could not acknowledge a click");
                }
            }
        })
    }
}
