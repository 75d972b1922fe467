//! `novera run`: the whole lifecycle, from configuration to exit code.
//!
//! config -> tracing -> metrics -> health server -> (sandbox) -> step one: REST login ->
//! registration -> step two: shards -> router -> wait for a stop or an escalation ->
//! close shards resumably and save sessions -> drain handlers -> exit code.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use novera_commands::{CommandSet, FailureKind, RegisterOutcome, Router, RouterConfig, Scope};
use novera_core::{
    Backoff, BackoffPolicy, CancellationToken, ComponentHandle, EscalationReason, Escalations,
    RestartPolicy, Shutdown, StatusRegistry, Supervisor, within,
};
use novera_gateway::{ConnectError, EventTypeFlags, Gateway, GatewayConfig, Login};
use novera_health::{HealthState, Redactor};

use crate::alerts::{AlertKind, Alerts};
use crate::cli::RunArgs;
use crate::config::{Config, Registration, ShardCountSetting};
use crate::exit::Failure;
use crate::views::{AppStatus, GatewayView};
use crate::{logging, sandbox, systemd};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commands this binary serves: the built-ins (composed with other crates' sets here).
pub(crate) fn command_sets() -> CommandSet {
    novera_commands::builtins()
}

/// Runs the bot on a fresh runtime (the only one in the process).
pub(crate) fn run(config: Config, args: &RunArgs) -> Result<(), Failure> {
    let _logs = logging::init(&config.log)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("novera")
        .build()
        .map_err(|e| Failure::software(format!("cannot start the async runtime: {e}")))?;
    let console = !args.no_console && (args.console || std::io::stdin().is_terminal());
    let outcome = runtime.block_on(lifecycle(config, console));
    // The console's stdin reader may sit in a blocking read; don't wait for it.
    runtime.shutdown_timeout(Duration::from_millis(500));
    outcome
}

/// Announces where things are, on stdout, for people and for tests.
#[allow(clippy::print_stdout, reason = "start-up lines for the operator")]
fn announce(line: &str) {
    println!("{line}");
}

struct Core {
    shutdown: Shutdown,
    status: StatusRegistry,
    supervisor: Supervisor,
    app_status: Arc<AppStatus>,
    /// Cancelled last: keeps the health server and helpers up through the drain.
    final_token: CancellationToken,
}

async fn lifecycle(mut config: Config, console: bool) -> Result<(), Failure> {
    let metrics = novera_health::install_recorder().ok();
    let shutdown = Shutdown::new();
    if let Err(e) = shutdown.listen_for_signals() {
        tracing::warn!(error = %e, "cannot listen for stop signals");
    }
    let status = StatusRegistry::new();
    let (supervisor, escalations) = Supervisor::new(&shutdown, RestartPolicy::default());
    let final_token = CancellationToken::new();
    status.spawn_tick(Duration::from_secs(1), final_token.clone());
    if let Some(handle) = &metrics {
        novera_health::spawn_upkeep(
            handle.clone(),
            novera_health::UPKEEP_PERIOD,
            final_token.clone(),
        );
    }
    let core = Core {
        shutdown,
        status,
        supervisor,
        app_status: Arc::new(AppStatus::default()),
        final_token,
    };

    // Sandbox: no token means an embedded simulator and its token.
    let sandbox = if config.token.is_none() {
        let sim = sandbox::start(config.sandbox.listen).await?;
        config.discord.api_url = sim.base_url();
        config.token = Some(crate::config::Secret::new(sandbox::SANDBOX_TOKEN));
        announce(&format!(
            "novera: sandbox mode (no token configured): simulator at {}",
            sim.base_url()
        ));
        Some(sim)
    } else {
        None
    };

    let mut redactor = Redactor::new();
    if let Some(token) = &config.token {
        redactor = redactor.with_secret(token.expose());
    }
    if let Some(url) = &config.alerts.webhook_url {
        redactor = redactor.with_secret(url.expose());
    }
    let mut health = HealthState::builder(core.status.clone())
        .supervisor(core.supervisor.clone())
        .max_tick_age(config.health.liveness_max_tick_age)
        .version(VERSION)
        .provider(core.app_status.clone())
        .redactor(redactor);
    if let Some(handle) = metrics {
        health = health.metrics(handle);
    }
    let health_addr = serve_health(config.health.listen, health.build(), &core).await?;
    announce(&format!(
        "novera: health on http://{health_addr} (/healthz /readyz /status /metrics)"
    ));

    let (alerts, alerts_task) = start_alerts(&config, &core)?;
    systemd::spawn(
        core.status.clone(),
        config.health.liveness_max_tick_age,
        core.final_token.clone(),
    );

    let mut escalations = escalations;
    let outcome = connect_and_serve(
        &config,
        &core,
        &mut escalations,
        &alerts,
        sandbox.as_ref(),
        console,
    )
    .await;

    core.final_token.cancel();
    if let Some(task) = alerts_task {
        // Let queued alerts (often about why we stop) reach the webhook, within reason.
        let _ = within(Duration::from_secs(5), task).await;
    }
    if let Some(sim) = sandbox {
        sim.shutdown().await;
    }
    outcome
}

async fn serve_health(
    listen: SocketAddr,
    state: HealthState,
    core: &Core,
) -> Result<SocketAddr, Failure> {
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        Failure::config(format!(
            "invalid configuration: key `health.listen` = \"{listen}\": cannot listen: {e}"
        ))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::software(format!("health listener has no address: {e}")))?;
    let token = core.final_token.clone();
    tokio::spawn(async move {
        if let Err(e) = novera_health::serve(listener, state, token).await {
            tracing::error!(error = %e, "health server stopped");
        }
    });
    Ok(addr)
}

fn start_alerts(
    config: &Config,
    core: &Core,
) -> Result<(Alerts, Option<tokio::task::JoinHandle<()>>), Failure> {
    let Some(url) = &config.alerts.webhook_url else {
        return Ok((Alerts::disabled(), None));
    };
    let secrets = config.token.iter().map(|t| t.expose().to_owned()).collect();
    let (alerts, task) = Alerts::spawn(
        url,
        config.alerts.min_interval,
        secrets,
        core.final_token.clone(),
    )
    .map_err(Failure::config)?;
    Ok((alerts, Some(task)))
}

/// Translates the app configuration into the gateway's.
/// The router's settings from the configuration.
fn router_config(config: &Config) -> RouterConfig {
    RouterConfig::default()
        .with_auto_defer(config.commands.defer_after)
        .with_default_deadline(config.commands.deadline)
        .with_in_flight_limit(config.commands.max_in_flight)
        .with_prefix(config.commands.prefix.clone())
        .with_version(VERSION)
}

pub(crate) fn gateway_config(config: &Config) -> GatewayConfig {
    let mut gateway = GatewayConfig {
        token: novera_gateway::Secret::new(
            config
                .token
                .as_ref()
                .map(|t| t.expose().to_owned())
                .unwrap_or_default(),
        ),
        ..GatewayConfig::default()
    };
    let official = config.discord.api_url.starts_with("https://discord.com");
    gateway.api_url = (!official).then(|| config.discord.api_url.clone());
    gateway.gateway_url.clone_from(&config.discord.gateway_url);
    gateway.intents = config.discord.intents.intents();
    gateway.shards.count = match config.shards.count {
        ShardCountSetting::Auto => novera_gateway::ShardCount::Auto,
        ShardCountSetting::Fixed(n) => novera_gateway::ShardCount::Fixed(n),
    };
    gateway.shards.range = config
        .shards
        .range
        .as_ref()
        .map(crate::config::ShardRangeSetting::range);
    gateway.session_path = Some(config.session.path.clone());
    gateway.max_session_age = config.session.max_age;
    gateway.cache.message_cache_size = config.cache.message_cache_size;
    gateway.cache.resource_types = config.cache.resources.resource_types();
    gateway.rest_deadline = config.discord.rest_timeout;
    gateway.close_deadline = config.shutdown.close_timeout;
    gateway.large_threshold = config.discord.large_threshold;
    // The router is the only consumer: it gets what it acts on, every other event stays in the
    // shard's task (cache and waiters only).
    gateway.forward = router_config(config)
        .event_types()
        .into_iter()
        .fold(EventTypeFlags::empty(), |flags, kind| {
            flags | EventTypeFlags::from(kind)
        });
    gateway
}

/// Step one, retried with backoff on transient failures; a rejected token is final.
async fn login(
    config: &GatewayConfig,
    core: &Core,
    component: &ComponentHandle,
) -> Result<Option<Login>, Failure> {
    let mut backoff = Backoff::new(BackoffPolicy {
        min: Duration::from_secs(1),
        max: Duration::from_secs(60),
        stable_after: Duration::from_secs(3600),
    });
    loop {
        match novera_gateway::login(config).await {
            Ok(login) => return Ok(Some(login)),
            Err(
                e @ (ConnectError::InvalidToken { .. }
                | ConnectError::MissingToken
                | ConnectError::InvalidApiUrl { .. }),
            ) => {
                return Err(Failure::config(e.to_string()));
            }
            Err(e) => {
                let delay = backoff.next_delay();
                let message = format!(
                    "cannot reach Discord: {e}; retrying in {:.0}s",
                    delay.as_secs_f64()
                );
                tracing::warn!(error = %e, retry_in_secs = delay.as_secs_f64(), "login failed");
                component.down(message.clone());
                core.app_status.set_last_error(message);
                if within(delay, core.shutdown.requested()).await.is_some() {
                    return Ok(None);
                }
            }
        }
    }
}

async fn register(config: &Config, login: &Login, sets: &CommandSet) {
    let scope = match config.commands.registration {
        Registration::Off => return,
        Registration::Global => Scope::Global,
        Registration::Guild(id) => Scope::Guild(id),
    };
    match novera_commands::register(&login.http(), login.application_id(), &sets.defs(), scope)
        .await
    {
        Ok(RegisterOutcome::Unchanged { .. }) => {
            tracing::info!("commands already registered; nothing sent");
        }
        Ok(outcome) => tracing::info!(?outcome, "commands registered"),
        Err(e) => {
            tracing::warn!(error = %e, "command registration failed; serving the commands anyway");
        }
    }
}

/// Registers commands only, for `novera register-commands`.
pub(crate) fn register_only(config: &Config) -> Result<(), Failure> {
    let _logs = logging::init(&config.log)?;
    if config.token.is_none() {
        return Err(Failure::config(
            "no token configured: set `token`, NOVERA_TOKEN or DISCORD_TOKEN to register commands",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::software(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let gateway = gateway_config(config);
        let login = novera_gateway::login(&gateway)
            .await
            .map_err(|e| Failure::config(e.to_string()))?;
        let scope = match config.commands.registration {
            Registration::Off | Registration::Global => Scope::Global,
            Registration::Guild(id) => Scope::Guild(id),
        };
        let outcome = novera_commands::register(
            &login.http(),
            login.application_id(),
            &command_sets().defs(),
            scope,
        )
        .await
        .map_err(|e| Failure::software(format!("registration failed: {e}")))?;
        announce(&format!("novera: {outcome:?}"));
        Ok(())
    })
}

async fn connect_and_serve(
    config: &Config,
    core: &Core,
    escalations: &mut Escalations,
    alerts: &Alerts,
    sandbox: Option<&novera_sim::SimHandle>,
    console: bool,
) -> Result<(), Failure> {
    let mut gateway_config = gateway_config(config);
    if sandbox.is_some() {
        // Every sandbox run has a fresh simulator: a saved session could never resume.
        gateway_config.session_path = None;
    }
    // Registered first so readiness cannot be true before the shards and the router exist.
    let router_component = core.status.register("command-router");
    let connect = core.status.register("discord-login");
    let Some(login) = login(&gateway_config, core, &connect).await? else {
        return Ok(());
    };
    connect.ready();
    tracing::info!(
        user = %login.current_user().name,
        application_id = %login.application_id(),
        "logged in; connecting shards"
    );

    let sets = command_sets();
    register(config, &login, &sets).await;

    let (gateway, events) = Gateway::start(&login, &gateway_config, &core.supervisor, &core.status)
        .await
        .map_err(|e| Failure::config(e.to_string()))?;
    let gateway = Arc::new(gateway);
    core.app_status.set_gateway(gateway.clone());

    let router = build_router(config, core, alerts, &login, &gateway, sets)?;
    core.app_status.set_router(router.clone());
    let intake = CancellationToken::new();
    let router_task = tokio::spawn(router.clone().run(events.into_inner(), intake.clone()));
    router_component.ready();

    spawn_shard_down_watch(core, alerts.clone(), config.alerts.shard_down_after);

    if let Some(sim) = sandbox {
        announce(
            "novera: sandbox ready: type /ping, /ask question: how are you, or plain text (help for more)",
        );
        if console {
            tokio::spawn(sandbox::console(
                sim.control(),
                core.shutdown.clone(),
                core.final_token.clone(),
            ));
        } else {
            announce(&format!(
                "novera: try: curl -X POST {}/_sim/interactions -d '{{\"name\":\"ping\"}}' -H 'content-type: application/json'",
                sim.base_url()
            ));
        }
    }

    let failure = wait_for_stop(core, escalations, alerts).await;

    stop(
        config,
        core,
        &gateway,
        intake,
        router_task,
        &router_component,
    )
    .await;
    match failure {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// Waits for a stop request or for the supervisor to give up on something.
async fn wait_for_stop(
    core: &Core,
    escalations: &mut Escalations,
    alerts: &Alerts,
) -> Option<Failure> {
    let escalation = tokio::select! {
        () = core.shutdown.requested() => return None,
        escalation = escalations.recv() => escalation?,
    };
    let line = escalation.to_string();
    core.app_status.set_last_error(line.clone());
    if let EscalationReason::Fatal { error } = &escalation.reason {
        tracing::error!(component = %escalation.component, %error, "fatal: stopping");
        alerts.raise(AlertKind::FatalClose, line);
        return Some(Failure::config(error.clone()));
    }
    tracing::error!(component = %escalation.component, reason = %escalation.reason, "supervisor gave up: stopping");
    alerts.raise(AlertKind::SupervisorGaveUp, line.clone());
    Some(Failure::software(line))
}

/// Alerts when a shard stays down longer than `after` (once per outage).
fn spawn_shard_down_watch(core: &Core, alerts: Alerts, after: Duration) {
    let status = core.status.clone();
    let cancel = core.shutdown.token();
    tokio::spawn(async move {
        let mut alerted: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut interval = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = interval.tick() => {}
            }
            for component in status.components() {
                if !component.name.starts_with("shard-") {
                    continue;
                }
                let down_too_long =
                    !component.health.is_ready() && component.for_secs >= after.as_secs_f64();
                if down_too_long && alerted.insert(component.name.clone()) {
                    alerts.raise(
                        AlertKind::ShardDown,
                        format!(
                            "{} has not been active for {:.0}s: {:?}",
                            component.name, component.for_secs, component.health
                        ),
                    );
                } else if component.health.is_ready() {
                    alerted.remove(&component.name);
                }
            }
        }
    });
}

fn build_router(
    config: &Config,
    core: &Core,
    alerts: &Alerts,
    login: &Login,
    gateway: &Arc<Gateway>,
    sets: CommandSet,
) -> Result<Router, Failure> {
    Router::builder(
        login.http(),
        login.application_id(),
        gateway.cache(),
        gateway.standby(),
        Arc::new(GatewayView::new(gateway.clone())),
    )
    .config(router_config(config))
    .on_failure({
        let alerts = alerts.clone();
        move |failure| {
            if failure.kind == FailureKind::Panic {
                alerts.raise(
                    AlertKind::CommandPanic,
                    format!(
                        "/{} panicked (reference {}): {}",
                        failure.command, failure.reference, failure.cause
                    ),
                );
            }
        }
    })
    .commands(sets)
    .build(&core.shutdown)
    .map_err(|e| Failure::config(e.to_string()))
}

/// Stop: no new events (close shards resumably), save sessions, route what is queued, then let
/// handlers finish within the drain timeout.
async fn stop(
    config: &Config,
    core: &Core,
    gateway: &Gateway,
    intake: CancellationToken,
    router_task: tokio::task::JoinHandle<()>,
    router_component: &ComponentHandle,
) {
    systemd::stopping();
    core.shutdown.request();
    router_component.down("stopping");
    match gateway.shutdown(config.shutdown.close_timeout).await {
        Ok(report) => tracing::info!(?report, "shards closed and sessions saved"),
        Err(e) => tracing::warn!(error = %e, "closing shards or saving sessions failed"),
    }
    // The event stream ends once every runner has stopped: route what is still queued, so an
    // interaction read before the stop is answered, then close the intake.
    let mut router_task = router_task;
    if within(config.shutdown.close_timeout, &mut router_task)
        .await
        .is_none()
    {
        tracing::warn!(
            "event stream did not end after the shards closed; closing the router's intake"
        );
        intake.cancel();
        let _ = within(Duration::from_secs(1), router_task).await;
    }
    let drain = core.shutdown.drain(config.shutdown.drain_timeout).await;
    if drain.complete {
        tracing::info!(
            waited_ms = drain.waited.as_millis(),
            "all in-flight work finished"
        );
    } else {
        tracing::warn!(unfinished = ?drain.unfinished, "stopped with work still running");
    }
}
