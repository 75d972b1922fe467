//! `novera run`: the binary's lifecycle around the bot assembly (`novera_bot`).
//!
//! config -> tracing -> runtime -> metrics -> health server -> (sandbox) -> `Bot::start`
//! (login, shards, router, registration) -> wait for a stop or an escalation -> `Bot::stop`
//! (shards closed resumably and sessions saved, queue routed, handlers drained) -> exit code.
//! What is the binary's own stays here: the sandbox, systemd, alerts and the exit codes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use novera_bot::{Bot, BotStatus, Core, Role, StartError};
use novera_commands::FailureKind;
use novera_core::{CancellationToken, EscalationReason, Escalations, RestartPolicy, within};
use novera_health::{HealthState, Redactor};

use crate::alerts::{AlertKind, Alerts};
use crate::commands::command_sets;
use crate::config::Config;
use crate::exit::Failure;
use crate::guards::Guards;
use crate::instance_lock::InstanceLock;
use crate::settings::bot_settings;
use crate::{logging, redaction, sandbox, systemd};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How the process was asked to run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunMode {
    /// Drive the sandbox from a line console on stdin.
    pub(crate) console: bool,
    /// A cluster role, or `None` for `novera run` (standalone).
    pub(crate) cluster: Option<ClusterRole>,
}

/// The processes of a bot that outgrew one (docs/scaling.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClusterRole {
    /// `novera gateway`.
    Gateway,
    /// `novera worker`.
    Worker,
}

impl RunMode {
    pub(crate) fn standalone(console: bool) -> Self {
        Self {
            console,
            cluster: None,
        }
    }

    pub(crate) fn cluster(role: ClusterRole) -> Self {
        Self {
            console: false,
            cluster: Some(role),
        }
    }
}

/// Runs the bot on a fresh runtime (the only one in the process).
pub(crate) fn run(config: Config, mode: RunMode) -> Result<(), Failure> {
    // One bot, one instance: before anything connects (the sandbox has no session file, a
    // worker no shards; a gateway locks the shards it runs).
    let lock = match (&config.token, mode.cluster) {
        (None, _) | (_, Some(ClusterRole::Worker)) => None,
        (Some(_), None) => Some(InstanceLock::acquire(&config.session.path, None, VERSION)?),
        (Some(_), Some(ClusterRole::Gateway)) => Some(InstanceLock::acquire(
            &config.session.path,
            config.shards.owned(),
            VERSION,
        )?),
    };
    let redactor = redaction::redactor(&config);
    let _logs = logging::init(&config.log, &redactor)?;
    if let Some(lock) = &lock {
        tracing::info!(lock = %lock.path().display(), "instance lock taken: no other novera runs with this session file");
    }
    let runtime = runtime()?;
    let outcome = runtime.block_on(lifecycle(config, redactor, mode));
    // The console's stdin reader may sit in a blocking read; don't wait for it.
    runtime.shutdown_timeout(Duration::from_millis(500));
    // Held until everything stopped: the next process may take it from here.
    drop(lock);
    outcome
}

/// The process's one tokio runtime.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("novera")
        .build()
        .map_err(|e| Failure::software(format!("cannot start the async runtime: {e}")))
}

/// Announces where things are, on stdout, for people and for tests.
#[allow(clippy::print_stdout, reason = "start-up lines for the operator")]
pub(crate) fn announce(line: &str) {
    println!("{line}");
}

async fn lifecycle(mut config: Config, redactor: Redactor, mode: RunMode) -> Result<(), Failure> {
    let metrics = novera_health::install_recorder().ok();
    let (core, escalations) = Core::new(RestartPolicy::default());
    if let Err(e) = core.shutdown.listen_for_signals() {
        tracing::warn!(error = %e, "cannot listen for stop signals");
    }
    // Cancelled last: keeps the health server, the liveness tick and the metrics upkeep up
    // through the drain (they are joined at exit, not drained).
    let final_token = CancellationToken::new();
    core.status
        .spawn_tick(Duration::from_secs(1), final_token.clone());
    if let Some(handle) = &metrics {
        novera_health::spawn_upkeep(
            handle.clone(),
            novera_health::UPKEEP_PERIOD,
            final_token.clone(),
        );
    }

    // Sandbox: no token means an embedded simulator and its token.
    if mode.cluster.is_some() && config.token.is_none() {
        return Err(Failure::config(
            "the gateway and worker roles need a token: set `token`, `token_file`, NOVERA_TOKEN or DISCORD_TOKEN (the sandbox is `novera run` without one)",
        ));
    }
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

    let bot_status = Arc::new(BotStatus::new());
    let mut health = HealthState::builder(core.status.clone())
        .supervisor(core.supervisor.clone())
        .max_tick_age(config.health.liveness_max_tick_age)
        .sample_period(config.health.sample_period)
        .version(VERSION)
        .provider(bot_status.clone())
        .redactor(redactor.clone());
    if let Some(handle) = metrics {
        health = health.metrics(handle);
    }
    let health = health.build();
    // Beside the health server, off every shard's task: the status page's 15-minute history.
    novera_health::spawn_sampler(health.clone(), final_token.clone());
    let (health_addr, health_task) =
        serve_health(config.health.listen, health, &final_token).await?;
    announce(&format!(
        "novera: health on http://{health_addr} (/healthz /readyz /status /history /metrics)"
    ));
    announce(&format!("novera: status page on http://{health_addr}/"));

    let guards = Guards::new(&config, mode.cluster.is_some());
    let alerts = start_alerts(&config, redactor, &core, &guards)?;
    guards.alert_through({
        let (alerts, status) = (alerts.clone(), Arc::clone(&bot_status));
        move |kind, text| {
            raise_alert(&alerts, &status, kind, text);
        }
    });
    systemd::spawn(
        &core.shutdown,
        core.status.clone(),
        config.health.liveness_max_tick_age,
    );

    let outcome = serve(
        &config,
        &core,
        escalations,
        &alerts,
        &bot_status,
        &guards,
        sandbox.as_ref(),
        mode,
    )
    .await;

    // Stop requested or not (a start error), nothing runs past here but the final tasks.
    core.shutdown.request();
    final_token.cancel();
    let _ = within(Duration::from_secs(1), health_task).await;
    if let Some(sim) = sandbox {
        sim.shutdown().await;
    }
    outcome
}

async fn serve_health(
    listen: SocketAddr,
    state: HealthState,
    final_token: &CancellationToken,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), Failure> {
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        Failure::config(format!(
            "invalid configuration: key `health.listen` = \"{listen}\": cannot listen: {e}"
        ))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::software(format!("health listener has no address: {e}")))?;
    let token = final_token.clone();
    let task = tokio::spawn(async move {
        if let Err(e) = novera_health::serve(listener, state, token).await {
            tracing::error!(error = %e, "health server stopped");
        }
    });
    Ok((addr, task))
}

/// Starts the webhook alert sender (a tracked task that posts what is queued when the stop is
/// requested, then ends), or disabled alerts when no webhook is configured.
fn start_alerts(
    config: &Config,
    redactor: Redactor,
    core: &Core,
    guards: &Guards,
) -> Result<Alerts, Failure> {
    let Some(url) = &config.alerts.webhook_url else {
        return Ok(Alerts::disabled());
    };
    Alerts::spawn(
        url,
        config.alerts.min_interval,
        redactor,
        &core.shutdown,
        Some(guards.rest.clone()),
    )
    .map_err(Failure::config)
}

#[allow(
    clippy::too_many_arguments,
    reason = "the lifecycle's parts, each used once; bundling them would hide which is which"
)]
async fn serve(
    config: &Config,
    core: &Core,
    mut escalations: Escalations,
    alerts: &Alerts,
    bot_status: &Arc<BotStatus>,
    guards: &Guards,
    sandbox: Option<&novera_sim::SimHandle>,
    mode: RunMode,
) -> Result<(), Failure> {
    let mut settings = bot_settings(config);
    settings.role = match mode.cluster {
        None => Role::Standalone,
        Some(ClusterRole::Gateway) => Role::Gateway(config.cluster.settings()),
        Some(ClusterRole::Worker) => Role::Worker(config.cluster.settings()),
    };
    if sandbox.is_some() {
        // Every sandbox run has a fresh simulator: a saved session could never resume, and
        // saved command state would name messages that no longer exist.
        settings.gateway.session_path = None;
        settings.state_path = None;
    }
    let mut builder = Bot::builder(settings)
        .status(Arc::clone(bot_status))
        .rest_guard(guards.rest.clone())
        .instance(Arc::clone(&guards.instance))
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
        });
    for set in command_sets(config.commands.diagnostics) {
        builder = builder.commands(set);
    }
    let bot = match builder.start(core).await {
        Ok(bot) => bot,
        Err(StartError::StopRequested) => return Ok(()),
        Err(e) => return Err(Failure::config(e.to_string())),
    };

    spawn_shard_down_watch(
        core,
        alerts.clone(),
        Arc::clone(bot_status),
        config.alerts.shard_down_after,
    );
    if let Some(sim) = sandbox {
        announce(
            "novera: sandbox ready: type /ping, /ask question: how are you, or plain text (help for more); watch it on the status page",
        );
        if mode.console {
            core.shutdown.spawn(
                "sandbox console",
                sandbox::console(sim.control(), core.shutdown.clone()),
            );
        } else {
            announce(&format!(
                "novera: try: curl -X POST {}/_sim/interactions -d '{{\"name\":\"ping\"}}' -H 'content-type: application/json'",
                sim.base_url()
            ));
        }
    }

    let failure = wait_for_stop(core, &mut escalations, alerts, bot_status).await;
    bot.stop().await;
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
    bot_status: &BotStatus,
) -> Option<Failure> {
    let escalation = tokio::select! {
        () = core.shutdown.requested() => return None,
        escalation = escalations.recv() => escalation?,
    };
    let line = escalation.to_string();
    bot_status.set_last_error(line.clone());
    if let EscalationReason::Fatal { error } = &escalation.reason {
        let reference = raise_alert(alerts, bot_status, AlertKind::FatalClose, &line);
        tracing::error!(component = %escalation.component, %error, %reference, "fatal: stopping");
        return Some(Failure::config(error.clone()));
    }
    let reference = raise_alert(alerts, bot_status, AlertKind::SupervisorGaveUp, &line);
    tracing::error!(component = %escalation.component, reason = %escalation.reason, %reference, "supervisor gave up: stopping");
    Some(Failure::software(line))
}

/// Raises an alert and lists it on the status page under a fresh reference id, which the
/// alert's message quotes; returns it for the caller's log line.
fn raise_alert(alerts: &Alerts, status: &BotStatus, kind: AlertKind, text: &str) -> String {
    let reference = status.record_alert(&kind.to_string(), text);
    alerts.raise(kind, format!("{text} (reference {reference})"));
    reference
}

/// Alerts when a shard stays down longer than `after` (once per outage); a tracked task that
/// ends when the stop is requested.
fn spawn_shard_down_watch(
    core: &Core,
    alerts: Alerts,
    bot_status: Arc<BotStatus>,
    after: Duration,
) {
    let status = core.status.clone();
    let cancel = core.shutdown.token();
    core.shutdown.spawn("shard-down watch", async move {
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
                    let text = format!(
                        "{} has not been active for {:.0}s: {:?}",
                        component.name, component.for_secs, component.health
                    );
                    let reference = raise_alert(&alerts, &bot_status, AlertKind::ShardDown, &text);
                    tracing::warn!(component = %component.name, %reference, "shard down too long: alert raised");
                } else if component.health.is_ready() {
                    alerted.remove(&component.name);
                }
            }
        }
    });
}

/// Registers commands only, for `novera register-commands`.
pub(crate) fn register_only(config: &Config) -> Result<(), Failure> {
    let _logs = logging::init(&config.log, &redaction::redactor(config))?;
    if config.token.is_none() {
        return Err(Failure::config(
            "no token configured: set `token`, NOVERA_TOKEN or DISCORD_TOKEN to register commands",
        ));
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let gateway = crate::settings::gateway_config(config);
        let login = novera_gateway::login(&gateway)
            .await
            .map_err(|e| Failure::config(e.to_string()))?;
        let scope = crate::settings::registration_scope(config.commands.registration)
            .unwrap_or(novera_commands::Scope::Global);
        let registry = novera_commands::Registry::build(
            command_sets(config.commands.diagnostics),
            config.commands.prefix.is_some(),
        )
        .map_err(|e| Failure::config(e.to_string()))?;
        let defs: Vec<_> = registry.defs().cloned().collect();
        let outcome =
            novera_commands::register(&login.http(), login.application_id(), &defs, scope)
                .await
                .map_err(|e| Failure::software(format!("registration failed: {e}")))?;
        announce(&format!("novera: {outcome:?}"));
        Ok(())
    })
}
