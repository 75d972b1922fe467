//! `Bot`: the parts assembled in order (login, registration, shards, router), and the stop
//! in the order that loses nothing.

use std::sync::Arc;

use novera_commands::{
    CommandFailure, CommandSet, Dispatch, FileStateStore, GatewayInfo, InteractionLedger,
    MemoryStateStore, RegisterError, RegisterOutcome, RestGuard, Router, Scope, StateStore,
};
use novera_core::{CancellationToken, ComponentHandle, DrainReport, InstanceWatch, within};
use novera_gateway::{EventTypeFlags, Events, Gateway, Login, ShutdownError, ShutdownReport};
use tokio::task::JoinHandle;

use crate::error::StartError;
use crate::parts::Core;
use crate::settings::BotSettings;
use crate::view::{BotStatus, GatewayView};

/// Observer of failed invocations, handed to the router.
type FailureObserver = Box<dyn Fn(&CommandFailure) + Send + Sync>;

/// Assembles a [`Bot`]; see [`Bot::builder`].
#[must_use]
pub struct BotBuilder {
    pub(crate) settings: BotSettings,
    sets: Vec<CommandSet>,
    on_failure: Option<FailureObserver>,
    ledger: Option<Arc<dyn InteractionLedger>>,
    pub(crate) state: Option<Arc<dyn StateStore>>,
    pub(crate) status: Arc<BotStatus>,
    pub(crate) rest_guard: Option<RestGuard>,
    pub(crate) instance: Option<Arc<InstanceWatch>>,
}

impl std::fmt::Debug for BotBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotBuilder")
            .field("settings", &self.settings)
            .field("sets", &self.sets)
            .finish_non_exhaustive()
    }
}

impl BotBuilder {
    /// Adjusts the settings (e.g. once the address of the Discord to talk to is known).
    pub fn configure(mut self, adjust: impl FnOnce(&mut BotSettings)) -> Self {
        adjust(&mut self.settings);
        self
    }

    /// Adds a crate's command set (the binary composes its list in one place).
    pub fn commands(mut self, set: CommandSet) -> Self {
        self.sets.push(set);
        self
    }

    /// Observes every failed invocation (after the router logged it and answered the user);
    /// the binary raises alerts from it.
    pub fn on_failure(
        mut self,
        observer: impl Fn(&CommandFailure) + Send + Sync + 'static,
    ) -> Self {
        self.on_failure = Some(Box::new(observer));
        self
    }

    /// Records acknowledgements in `ledger` (roles where several processes may receive the
    /// same interaction).
    pub fn ledger(mut self, ledger: Arc<dyn InteractionLedger>) -> Self {
        self.ledger = Some(ledger);
        self
    }

    /// Keeps command state and timers in `store` instead of [`BotSettings::state_path`] (the
    /// testkit's store kept across restarts; a worker uses the bot's bucket by default).
    pub fn state(mut self, store: Arc<dyn StateStore>) -> Self {
        self.state = Some(store);
        self
    }

    /// The status the health server reads; filled in as the parts start.
    pub fn status(mut self, status: Arc<BotStatus>) -> Self {
        self.status = status;
        self
    }

    /// The bot's REST guard (default: one built from [`BotSettings::rest_guard`], counting in
    /// this process). Everything that uses the token counts in it: login, the identify budget
    /// refresh, registration, the router and every context; the binary also reports its alert
    /// webhook's failures to it, and the cluster can give it a log shared across processes.
    pub fn rest_guard(mut self, guard: RestGuard) -> Self {
        self.rest_guard = Some(guard);
        self
    }

    /// This process's instance watch (default: a fresh tag, step-down per
    /// [`BotSettings::step_down`]): the gateway reports the bot's messages with a foreign
    /// nonce to it, the router 40060s on first responses, and a stepped-down watch stops the
    /// router answering. The processes of one cluster share a tag
    /// ([`InstanceWatch::with_tag`]), or each takes the others for another instance.
    pub fn instance(mut self, instance: Arc<InstanceWatch>) -> Self {
        self.instance = Some(instance);
        self
    }

    /// The guards given to the builder, or made from the settings; handed to the gateway
    /// (login, the budget refresh, the bot's own messages), the status and, once it exists,
    /// the router.
    pub(crate) fn resolve_guards(&mut self) -> Result<(RestGuard, Arc<InstanceWatch>), StartError> {
        let rest_guard = if let Some(guard) = &self.rest_guard {
            guard.clone()
        } else {
            self.settings.rest_guard.validate()?;
            RestGuard::local(self.settings.rest_guard.clone())
        };
        let instance = self
            .instance
            .get_or_insert_with(|| Arc::new(InstanceWatch::new(self.settings.step_down)))
            .clone();
        self.rest_guard = Some(rest_guard.clone());
        self.settings.gateway.invalid_requests = Some(rest_guard.log());
        self.settings.gateway.instance = Some(Arc::clone(&instance));
        self.status
            .set_guards(rest_guard.clone(), Arc::clone(&instance));
        Ok((rest_guard, instance))
    }

    /// Shards and router in this process: the router is the gateway's only consumer.
    pub(crate) async fn standalone(
        self,
        core: &Core,
        login: Login,
        state: Arc<dyn StateStore>,
    ) -> Result<Bot, StartError> {
        let mut settings = self.settings.clone();
        // The router gets what it acts on, every other event stays in the shard's task (cache
        // and waiters only).
        settings.gateway.forward = flags(&settings.router.event_types());
        let (gateway, events) =
            Gateway::start(&login, &settings.gateway, &core.supervisor, &core.status).await?;
        let gateway = Arc::new(gateway);
        self.status.set_gateway(Arc::clone(&gateway));
        let router = match self.build_router(
            core,
            &login,
            (gateway.cache(), gateway.standby()),
            Arc::new(GatewayView::new(Arc::clone(&gateway))),
            state,
        ) {
            Ok(router) => router,
            Err(error) => {
                // Nothing will consume the events: stop the shards we just started.
                if let Err(e) = gateway.shutdown(settings.close_timeout).await {
                    tracing::warn!(error = %e, "closing the shards after a router error failed");
                }
                return Err(error.into());
            }
        };
        let cancel = CancellationToken::new();
        let task = core.shutdown.spawn(
            "command router intake",
            route(router.clone(), events, cancel.clone()),
        );
        spawn_timers(core, &router, &settings);
        Ok(Bot::assembled(
            core,
            settings,
            login,
            Some(gateway),
            Some(router),
            Intake::Router { task, cancel },
        ))
    }

    /// The router over `cache` and `standby`, with the builder's sets, observer and ledger;
    /// every failure is also listed on the status page with its reference id.
    pub(crate) fn build_router(
        self,
        core: &Core,
        login: &Login,
        (cache, standby): (Arc<novera_cache::Cache>, Arc<twilight_standby::Standby>),
        gateway: Arc<dyn GatewayInfo>,
        state: Arc<dyn StateStore>,
    ) -> Result<Router, novera_commands::ConfigError> {
        let mut router = Router::builder(
            login.http(),
            login.application_id(),
            cache,
            standby,
            gateway,
        )
        .config(self.settings.router.clone());
        let status = Arc::clone(&self.status);
        let observer = self.on_failure;
        router = router.on_failure(move |failure: &CommandFailure| {
            status.record_command_failure(failure);
            if let Some(observer) = &observer {
                observer(failure);
            }
        });
        if let Some(ledger) = self.ledger {
            router = router.ledger(ledger);
        }
        if let Some(guard) = self.rest_guard {
            router = router.rest_guard(guard);
        }
        if let Some(instance) = self.instance {
            router = router.instance(instance);
        }
        router = router.state(state);
        for set in self.sets {
            router = router.commands(set);
        }
        let router = router.build(&core.shutdown)?;
        self.status.set_router(router.clone());
        Ok(router)
    }

    pub(crate) fn settings(&self) -> &BotSettings {
        &self.settings
    }

    pub(crate) fn status_handle(&self) -> &Arc<BotStatus> {
        &self.status
    }

    pub(crate) fn set_ledger(&mut self, ledger: Arc<dyn InteractionLedger>) {
        self.ledger = Some(ledger);
    }
}

/// Fires due timers (overdue ones at once) until the stop is requested; timers already firing
/// run on the router's work pool and are drained with the handlers.
pub(crate) fn spawn_timers(core: &Core, router: &Router, settings: &BotSettings) {
    core.shutdown.spawn(
        "command timers",
        router
            .clone()
            .run_timers(settings.timer_interval, core.shutdown.token()),
    );
}

/// The store given to the builder, else the state file, else memory.
pub(crate) async fn open_state(
    given: Option<Arc<dyn StateStore>>,
    settings: &BotSettings,
) -> Result<Arc<dyn StateStore>, StartError> {
    if let Some(store) = given {
        return Ok(store);
    }
    let Some(path) = &settings.state_path else {
        return Ok(Arc::new(MemoryStateStore::new()));
    };
    let store = FileStateStore::open(path.clone())
        .await
        .map_err(StartError::State)?;
    tracing::info!(path = %path.display(), "command state store opened");
    Ok(Arc::new(store))
}

/// The event type flags of `kinds`.
pub(crate) fn flags(kinds: &[twilight_model::gateway::event::EventType]) -> EventTypeFlags {
    kinds.iter().fold(EventTypeFlags::empty(), |flags, kind| {
        flags | EventTypeFlags::from(*kind)
    })
}

/// The router's intake: every forwarded event, with the time its shard received it, until the
/// shards' event stream ends (they all stopped) or `cancel` fires.
async fn route(router: Router, mut events: Events, cancel: CancellationToken) {
    loop {
        let next = tokio::select! {
            biased;
            () = cancel.cancelled() => break,
            next = events.recv() => next,
        };
        let Some(forwarded) = next else { break };
        // Dispatch never blocks; the handle is only for callers that await the answer.
        drop(router.dispatch(Dispatch::new(forwarded.event).received_at(forwarded.received_at)));
    }
    tracing::debug!("command router stopped taking events");
}

/// Turns the router's component degraded once this process steps down (another, older
/// instance answers).
pub(crate) fn degrade_on_step_down(instance: &InstanceWatch, component: &ComponentHandle) {
    let component = component.clone();
    instance.on_detected(move |evidence| {
        if evidence.stepped_down {
            component.degraded(
                "stepped down: an older instance of this bot answers commands (see /status duplicate_instance)",
            );
        }
    });
}

pub(crate) async fn register(
    login: &Login,
    router: &Router,
    guard: &RestGuard,
    scope: Scope,
) -> Result<RegisterOutcome, RegisterError> {
    let outcome = novera_commands::register_guarded(
        &login.http(),
        guard,
        login.application_id(),
        &router.defs(),
        scope,
    )
    .await;
    match &outcome {
        Ok(RegisterOutcome::Unchanged { .. }) => {
            tracing::info!("commands already registered; nothing sent");
        }
        Ok(outcome) => tracing::info!(?outcome, "commands registered"),
        Err(e) => {
            tracing::warn!(error = %e, "command registration failed; serving the commands anyway");
        }
    }
    outcome
}

/// What carries events into this process's work, stopped in order by [`Bot::stop`].
pub(crate) enum Intake {
    /// Standalone: the router's intake from the shards.
    Router {
        task: JoinHandle<()>,
        cancel: CancellationToken,
    },
    /// Gateway role: the publisher to the broker.
    Publisher {
        task: JoinHandle<()>,
        cancel: CancellationToken,
    },
    /// Worker role: the shared work consumer.
    Worker {
        task: JoinHandle<()>,
        cancel: CancellationToken,
    },
}

/// A running bot: logged in, its role's parts running (shards and router standalone; shards and
/// publisher as a gateway; consumers and router as a worker).
///
/// Stop it with [`stop`](Self::stop), which keeps the stop order of the architecture:
/// no new events (shards closed resumably and sessions saved, or the work consumer stopped),
/// then what was already taken is routed or published, then in-flight handlers drain.
pub struct Bot {
    core: Core,
    pub(crate) settings: BotSettings,
    pub(crate) login: Login,
    gateway: Option<Arc<Gateway>>,
    pub(crate) router: Option<Router>,
    intake: Intake,
    /// Helpers of the role (status sharing, snapshots, fan-out), stopped after the drain.
    background: CancellationToken,
    pub(crate) router_component: Option<ComponentHandle>,
    /// The gateway role's shard leases, released once the shards are closed.
    pub(crate) leases: Option<Arc<tokio::sync::Mutex<novera_cluster::ShardLeases>>>,
    pub(crate) registration: Option<Result<RegisterOutcome, RegisterError>>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("role", &self.settings.role.name())
            .field("router", &self.router)
            .field("shards", &self.gateway.as_ref().map(|g| g.shard_total()))
            .finish_non_exhaustive()
    }
}

/// What [`Bot::stop`] did, in order.
#[derive(Debug)]
#[non_exhaustive]
pub struct StopReport {
    /// Closing the shards and saving their sessions (`None` in a worker role: no shards).
    pub shards: Option<Result<ShutdownReport, ShutdownError>>,
    /// Whether what was already taken in was routed or published before the intake closed
    /// (false: it did not end within the close timeout and was cut).
    pub queue_routed: bool,
    /// The drain of in-flight handlers and every other tracked task.
    pub drain: DrainReport,
}

impl Bot {
    /// A builder for a bot with `settings` and no commands yet.
    pub fn builder(settings: BotSettings) -> BotBuilder {
        BotBuilder {
            settings,
            sets: Vec::new(),
            on_failure: None,
            ledger: None,
            state: None,
            status: Arc::new(BotStatus::new()),
            rest_guard: None,
            instance: None,
        }
    }

    pub(crate) fn assembled(
        core: &Core,
        settings: BotSettings,
        login: Login,
        gateway: Option<Arc<Gateway>>,
        router: Option<Router>,
        intake: Intake,
    ) -> Self {
        Self {
            core: core.clone(),
            settings,
            login,
            gateway,
            router,
            intake,
            background: CancellationToken::new(),
            router_component: None,
            leases: None,
            registration: None,
        }
    }

    /// Cancelled after the drain: the role's helpers (status sharing, snapshots, fan-out).
    pub(crate) fn background(&self) -> CancellationToken {
        self.background.clone()
    }

    /// Step one's result: the REST client, the bot user, the application.
    #[must_use]
    pub fn login(&self) -> &Login {
        &self.login
    }

    /// The shards, cache and standby (`None` in a worker role).
    #[must_use]
    pub fn gateway(&self) -> Option<&Arc<Gateway>> {
        self.gateway.as_ref()
    }

    /// The command router (`None` in a gateway role).
    #[must_use]
    pub fn router(&self) -> Option<&Router> {
        self.router.as_ref()
    }

    /// The command state store (what `ctx.state()` reads and writes; `None` in a gateway role).
    #[must_use]
    pub fn state(&self) -> Option<&Arc<dyn StateStore>> {
        self.router.as_ref().map(Router::state)
    }

    /// This process's gateway as commands see it (`None` in a worker role).
    #[must_use]
    pub fn gateway_view(&self) -> Option<GatewayView> {
        self.gateway
            .as_ref()
            .map(|gateway| GatewayView::new(Arc::clone(gateway)))
    }

    /// What registration at start did, when [`BotSettings::registration`] asked for it.
    #[must_use]
    pub fn registration(&self) -> Option<&Result<RegisterOutcome, RegisterError>> {
        self.registration.as_ref()
    }

    /// Stops the bot without losing an event: no new events (shards closed with a resumable
    /// close frame and sessions saved; a worker stops pulling), what was already taken is
    /// routed or published, the intake closes, and in-flight handlers get
    /// [`BotSettings::drain_timeout`] to finish.
    pub async fn stop(self) -> StopReport {
        let Self {
            core,
            settings,
            gateway,
            intake,
            background,
            router_component,
            leases,
            ..
        } = self;
        core.shutdown.request();
        if let Some(component) = &router_component {
            component.down("stopping");
        }
        let shards = match &gateway {
            Some(gateway) => {
                let shards = gateway.shutdown(settings.close_timeout).await;
                match &shards {
                    Ok(report) => tracing::info!(?report, "shards closed and sessions saved"),
                    Err(e) => {
                        tracing::warn!(error = %e, "closing shards or saving sessions failed");
                    }
                }
                Some(shards)
            }
            None => None,
        };
        // Sessions are saved: a replacement may take the shards over now.
        if let Some(leases) = leases {
            leases.lock().await.release().await;
        }
        let queue_routed = match intake {
            // The event stream ends once every runner has stopped: route (or publish) what is
            // still queued, so an interaction read before the stop is answered.
            Intake::Router { task, cancel } | Intake::Publisher { task, cancel } => {
                finish_intake(task, cancel, settings.close_timeout).await
            }
            // Stop pulling; items already pulled are tracked and acknowledged as they finish.
            Intake::Worker { task, cancel } => {
                cancel.cancel();
                within(settings.close_timeout, task).await.is_some()
            }
        };
        let drain = core.shutdown.drain(settings.drain_timeout).await;
        background.cancel();
        if drain.complete {
            tracing::info!(
                waited_ms = drain.waited.as_millis(),
                "all in-flight work finished"
            );
        } else {
            tracing::warn!(unfinished = ?drain.unfinished, "stopped with work still running");
        }
        StopReport {
            shards,
            queue_routed,
            drain,
        }
    }
}

/// Lets an intake that ends with the shards' event stream finish, cutting it after `limit`.
async fn finish_intake(
    mut task: JoinHandle<()>,
    cancel: CancellationToken,
    limit: std::time::Duration,
) -> bool {
    if within(limit, &mut task).await.is_some() {
        return true;
    }
    tracing::warn!("event stream did not end after the shards closed; closing the intake");
    cancel.cancel();
    let _ = within(std::time::Duration::from_secs(1), task).await;
    false
}
