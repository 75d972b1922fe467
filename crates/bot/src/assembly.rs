//! `Bot`: the parts assembled in order (login, registration, shards, router), and the stop
//! in the order that loses nothing.

use std::net::SocketAddr;
use std::sync::Arc;

use novera_commands::{
    CommandFailure, CommandSet, Dispatch, InteractionLedger, RegisterError, RegisterOutcome,
    Router, Scope,
};
use novera_core::{CancellationToken, ComponentHandle, DrainReport, within};
use novera_gateway::{EventTypeFlags, Events, Gateway, Login, ShutdownError, ShutdownReport};
use tokio::task::JoinHandle;

use crate::endpoint::{self, RunningEndpoint};
use crate::error::StartError;
use crate::ingress::RouterIngress;
use crate::login::login;
use crate::parts::Core;
use crate::settings::BotSettings;
use crate::view::{BotStatus, GatewayView};

/// Observer of failed invocations, handed to the router.
type FailureObserver = Box<dyn Fn(&CommandFailure) + Send + Sync>;

/// Assembles a [`Bot`]; see [`Bot::builder`].
#[must_use]
pub struct BotBuilder {
    settings: BotSettings,
    sets: Vec<CommandSet>,
    on_failure: Option<FailureObserver>,
    ledger: Option<Arc<dyn InteractionLedger>>,
    status: Arc<BotStatus>,
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

    /// The status the health server reads; filled in as the parts start.
    pub fn status(mut self, status: Arc<BotStatus>) -> Self {
        self.status = status;
        self
    }

    /// Starts the bot: REST login (retried on transient failures), the shards (resuming saved
    /// sessions), the router on the shards' events (and on the interactions endpoint's, when
    /// [`BotSettings::interactions`] asks for one: bound before login, its key checked against
    /// the application's after), then registration when asked for.
    ///
    /// The router's component (`command-router`) is registered first, so readiness cannot
    /// hold before the shards and the router exist. A stop requested before login succeeded
    /// is [`StartError::StopRequested`].
    pub async fn start(self, core: &Core) -> Result<Bot, StartError> {
        // Boxed: login, the shards' start and registration make a large future, and every
        // caller would otherwise carry it inline.
        Box::pin(self.assemble(core)).await
    }

    async fn assemble(self, core: &Core) -> Result<Bot, StartError> {
        let router_component = core.status.register("command-router");
        let login_component = core.status.register("discord-login");
        let mut settings = self.settings;
        // Bound first: an address in use or a bad setting fails before any connection.
        let endpoint = endpoint::bind(&settings, core).await?;
        let login = login(
            &settings,
            &settings.gateway,
            &core.shutdown,
            &login_component,
            &self.status,
        )
        .await?;
        tracing::info!(
            user = %login.current_user().name,
            application_id = %login.application_id(),
            "logged in; connecting shards"
        );
        if let Some(endpoint) = &endpoint {
            endpoint
                .check_key(&login, settings.gateway.rest_deadline)
                .await?;
        }

        // The router is the only consumer: it gets what it acts on, every other event stays
        // in the shard's task (cache and waiters only).
        settings.gateway.forward = settings
            .router
            .event_types()
            .into_iter()
            .fold(EventTypeFlags::empty(), |flags, kind| {
                flags | EventTypeFlags::from(kind)
            });
        let (gateway, events) =
            Gateway::start(&login, &settings.gateway, &core.supervisor, &core.status).await?;
        let gateway = Arc::new(gateway);
        self.status.set_gateway(Arc::clone(&gateway));

        let mut router = Router::builder(
            login.http(),
            login.application_id(),
            gateway.cache(),
            gateway.standby(),
            Arc::new(GatewayView::new(Arc::clone(&gateway))),
        )
        .config(settings.router.clone());
        // Every failure is listed on the status page with its reference id, then the caller's
        // observer (the binary's alerts) sees it.
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
        for set in self.sets {
            router = router.commands(set);
        }
        let router = match router.build(&core.shutdown) {
            Ok(router) => router,
            Err(error) => {
                // Nothing will consume the events: stop the shards we just started.
                if let Err(e) = gateway.shutdown(settings.close_timeout).await {
                    tracing::warn!(error = %e, "closing the shards after a router error failed");
                }
                return Err(error.into());
            }
        };
        self.status.set_router(router.clone());
        // Interactions over HTTP go into the same router, after the same cache and waiters.
        let endpoint = endpoint.map(|endpoint| {
            let ingress = RouterIngress::new(router.clone(), gateway.cache(), gateway.standby());
            endpoint.serve(ingress, core)
        });
        let intake = CancellationToken::new();
        let router_task = core.shutdown.spawn(
            "command router intake",
            route(router.clone(), events, intake.clone()),
        );
        // After the router validated the sets (no duplicate names reach Discord) and while it
        // already routes: the shards' first events do not wait for this REST round trip.
        let registration = match settings.registration {
            Some(scope) => Some(register(&login, &router, scope).await),
            None => None,
        };
        router_component.ready();

        Ok(Bot {
            core: core.clone(),
            settings,
            login,
            gateway,
            router,
            router_task,
            intake,
            router_component,
            registration,
            endpoint,
        })
    }
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

async fn register(
    login: &Login,
    router: &Router,
    scope: Scope,
) -> Result<RegisterOutcome, RegisterError> {
    let outcome =
        novera_commands::register(&login.http(), login.application_id(), &router.defs(), scope)
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

/// A running bot: logged in, shards connected (or connecting), router routing their events.
///
/// Stop it with [`stop`](Self::stop), which keeps the stop order of the architecture:
/// shards closed resumably and sessions saved first, then what they queued is routed, then
/// in-flight handlers drain.
pub struct Bot {
    core: Core,
    settings: BotSettings,
    login: Login,
    gateway: Arc<Gateway>,
    router: Router,
    router_task: JoinHandle<()>,
    intake: CancellationToken,
    router_component: ComponentHandle,
    registration: Option<Result<RegisterOutcome, RegisterError>>,
    endpoint: Option<RunningEndpoint>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("router", &self.router)
            .field("shards", &self.gateway.shard_total())
            .finish_non_exhaustive()
    }
}

/// What [`Bot::stop`] did, in order.
#[derive(Debug)]
#[non_exhaustive]
pub struct StopReport {
    /// Closing the shards and saving their sessions.
    pub shards: Result<ShutdownReport, ShutdownError>,
    /// Whether the router routed every queued event before its intake closed (false: the
    /// event stream did not end within the close timeout and the intake was cut).
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
            status: Arc::new(BotStatus::new()),
        }
    }

    /// Step one's result: the REST client, the bot user, the application.
    #[must_use]
    pub fn login(&self) -> &Login {
        &self.login
    }

    /// The shards, cache and standby.
    #[must_use]
    pub fn gateway(&self) -> &Arc<Gateway> {
        &self.gateway
    }

    /// The command router.
    #[must_use]
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The gateway as commands see it.
    #[must_use]
    pub fn gateway_view(&self) -> GatewayView {
        GatewayView::new(Arc::clone(&self.gateway))
    }

    /// The interactions endpoint's address, when [`BotSettings::interactions`] asked for one.
    #[must_use]
    pub fn interactions_addr(&self) -> Option<SocketAddr> {
        self.endpoint.as_ref().map(RunningEndpoint::addr)
    }

    /// The interactions endpoint's URL (`http://ADDR/PATH`, what the reverse proxy forwards
    /// to), when [`BotSettings::interactions`] asked for one.
    #[must_use]
    pub fn interactions_url(&self) -> Option<&str> {
        self.endpoint.as_ref().map(RunningEndpoint::url)
    }

    /// What registration at start did, when [`BotSettings::registration`] asked for it.
    #[must_use]
    pub fn registration(&self) -> Option<&Result<RegisterOutcome, RegisterError>> {
        self.registration.as_ref()
    }

    /// Stops the bot without losing an event: no new events (the interactions endpoint stops
    /// accepting, shards closed with a resumable close frame, sessions saved), what the shards
    /// already queued is routed and the endpoint's requests in flight get their answers, the
    /// intake closes, and in-flight handlers get [`BotSettings::drain_timeout`] to finish.
    pub async fn stop(self) -> StopReport {
        let Self {
            core,
            settings,
            gateway,
            mut router_task,
            intake,
            router_component,
            endpoint,
            ..
        } = self;
        core.shutdown.request();
        router_component.down("stopping");
        if let Some(endpoint) = &endpoint {
            endpoint.close();
        }
        let shards = gateway.shutdown(settings.close_timeout).await;
        match &shards {
            Ok(report) => tracing::info!(?report, "shards closed and sessions saved"),
            Err(e) => tracing::warn!(error = %e, "closing shards or saving sessions failed"),
        }
        // The event stream ends once every runner has stopped: route what is still queued, so
        // an interaction read before the stop is answered, then close the intake.
        let queue_routed = within(settings.close_timeout, &mut router_task)
            .await
            .is_some();
        if !queue_routed {
            tracing::warn!(
                "event stream did not end after the shards closed; closing the router's intake"
            );
            intake.cancel();
            let _ = within(std::time::Duration::from_secs(1), router_task).await;
        }
        // Each request in flight is answered within the endpoint's answer window.
        if let Some(endpoint) = endpoint
            && !endpoint.finish(settings.close_timeout).await
        {
            tracing::warn!("the interactions endpoint did not finish its requests in time");
        }
        let drain = core.shutdown.drain(settings.drain_timeout).await;
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
