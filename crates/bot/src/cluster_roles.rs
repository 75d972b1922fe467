//! The cluster roles: the same parts as standalone, arranged around the broker.
//!
//! - **Gateway**: login, shards and cache; every event a worker's router or cache needs is
//!   published to the bot's stream; the shards' status is shared through a bucket and the
//!   cache is served to starting workers as snapshots.
//! - **Worker**: the router with its own cache and waiters, fed by a fan-out consumer (every
//!   event, after the gateways' cache snapshots) and the shared work consumer (each
//!   interaction or prefix message to one worker), with the interaction ledger so exactly one
//!   worker answers each.

use std::sync::Arc;
use std::time::Duration;

use novera_cache::Cache;
use novera_cluster::{
    Broker, CLAIM_LIFETIME, ClusterSettings, Discord, EventClass, KvLedger, KvPacer, KvRateLimits,
    KvSessionStore, KvStateStore, LeaseAcquireError, RENEW_EVERY, ShardLeases,
    SharedInvalidRequests, process_name, run_fanout, run_publisher, run_work, serve_snapshots,
};
use novera_commands::{RestGuard, StateStore};
use novera_core::{
    CancellationToken, ComponentHandle, SharedRateLimits, TaskContext, TaskError, within,
};
use novera_gateway::{EventTypeFlags, Gateway, Login, ResourceType};
use twilight_standby::Standby;

use crate::assembly::{Bot, BotBuilder, Intake, flags, spawn_timers};
use crate::broker::connect;
use crate::error::StartError;
use crate::parts::Core;
use crate::remote::{RemoteShards, STATUS_TTL, publish_status, serve_commands};

/// How long a starting worker waits for the gateways' cache snapshots.
const SNAPSHOT_DEADLINE: Duration = Duration::from_secs(20);

/// Connects to the broker (retried while it is unreachable) and joins the bot's shared REST
/// limits and invalid-request count through `guard` (and the gateway's own REST calls).
pub(crate) async fn join(
    builder: &mut BotBuilder,
    core: &Core,
    cluster: &ClusterSettings,
    guard: &RestGuard,
) -> Result<Broker, StartError> {
    let role = builder.settings().role.name();
    let component = core.status.register("broker");
    let broker = connect(
        cluster,
        role,
        builder.settings().login_retry,
        &core.shutdown,
        &component,
        builder.status_handle(),
    )
    .await?;
    let invalid = SharedInvalidRequests::start(&broker, guard.config().window, process_name())
        .await
        .map_err(StartError::Cluster)?;
    let (rate, burst) = cluster.rest_pace();
    let limits = KvRateLimits::new(&broker, rate, burst)
        .await
        .map_err(StartError::Cluster)?;
    let limits: Arc<dyn SharedRateLimits> = Arc::new(limits);
    guard.share_invalid_requests(Arc::new(invalid));
    guard.share_rate_limits(Arc::clone(&limits));
    // The login calls and the identify budget's refresh wait for them too.
    builder.settings.gateway.rate_limits = Some(limits);
    Ok(broker)
}

/// The gateway role: shards publishing to the broker.
pub(crate) async fn gateway(
    builder: BotBuilder,
    core: &Core,
    login: Login,
    broker: Broker,
    publisher: ComponentHandle,
) -> Result<Bot, StartError> {
    let status_bucket = broker
        .bucket(&broker.subjects().status_bucket(), STATUS_TTL)
        .await
        .map_err(StartError::Cluster)?;
    let mut settings = builder.settings().clone();
    // At most one process per shard across the bot; sessions and identify pacing shared.
    let (total, owned) = Gateway::plan(&login, &settings.gateway)?;
    let leases = match ShardLeases::acquire(&broker, owned.clone(), process_name()).await {
        Ok(leases) => Arc::new(tokio::sync::Mutex::new(leases)),
        Err(LeaseAcquireError::Connect(error)) => return Err(StartError::Cluster(error)),
        Err(LeaseAcquireError::Lease(error)) => return Err(StartError::ShardsTaken(error)),
        Err(error) => {
            return Err(StartError::Cluster(
                novera_cluster::ConnectError::JetStream {
                    what: "shard leases".to_owned(),
                    reason: error.to_string(),
                },
            ));
        }
    };
    settings.gateway.session_store = Some(Arc::new(
        KvSessionStore::new(&broker, total, owned, settings.gateway.max_session_age)
            .await
            .map_err(StartError::Cluster)?,
    ));
    settings.gateway.identify_pacer = Some(Arc::new(
        KvPacer::new(&broker, settings.gateway.identify_interval, process_name())
            .await
            .map_err(StartError::Cluster)?,
    ));
    spawn_lease_renewal(core, Arc::clone(&leases));
    // What a worker's router acts on goes to one worker; what caches and waiters use, to all.
    let work = flags(&settings.router.event_types());
    settings.gateway.forward = EventTypeFlags::all() - quiet(&settings);
    let (gateway, events) =
        Gateway::start(&login, &settings.gateway, &core.supervisor, &core.status).await?;
    let gateway = Arc::new(gateway);
    builder.status_handle().set_gateway(Arc::clone(&gateway));

    let cancel = CancellationToken::new();
    let task = core.shutdown.spawn(
        "event publisher",
        run_publisher(
            broker.clone(),
            events,
            move |event| {
                if work.contains(EventTypeFlags::from(event.kind())) {
                    EventClass::Work
                } else {
                    EventClass::Fanout
                }
            },
            publisher,
            cancel.clone(),
        ),
    );
    let mut bot = Bot::assembled(
        core,
        settings,
        login,
        Some(Arc::clone(&gateway)),
        None,
        Intake::Publisher { task, cancel },
    );
    bot.leases = Some(leases);
    let background = bot.background();
    tokio::spawn(publish_status(
        status_bucket,
        Arc::clone(&gateway),
        background.clone(),
    ));
    tokio::spawn({
        let broker = broker.clone();
        let gateway = Arc::clone(&gateway);
        let background = background.clone();
        async move {
            if let Err(error) = serve_commands(broker, gateway, background).await {
                tracing::warn!(%error, "cannot take gateway commands from workers");
            }
        }
    });
    let shards: Vec<u32> = gateway.status().shards.iter().map(|s| s.id).collect();
    tokio::spawn({
        let broker = broker.clone();
        let cache = gateway.cache();
        let total = gateway.shard_total();
        async move {
            if let Err(error) = serve_snapshots(broker, cache, shards, total, background).await {
                tracing::warn!(%error, "cannot serve cache snapshots to workers");
            }
        }
    });
    Ok(bot)
}

/// Renews the shard leases while the process runs; a lease another process took means this
/// one stalled past the lease's life and must stop (a fatal escalation), or two processes would
/// run the shard.
fn spawn_lease_renewal(core: &Core, leases: Arc<tokio::sync::Mutex<ShardLeases>>) {
    core.supervisor
        .spawn("shard-leases", move |ctx: TaskContext| {
            let leases = Arc::clone(&leases);
            async move {
                let mut tick = tokio::time::interval(RENEW_EVERY);
                loop {
                    tokio::select! {
                        () = ctx.cancel.cancelled() => return Ok(()),
                        _ = tick.tick() => {}
                    }
                    if let Err(error) = leases.lock().await.renew().await {
                        return Err(TaskError::fatal(error));
                    }
                }
            }
        });
}

/// Starts the worker's fan-out consumer and waits (bounded) until its cache is filled from the
/// gateways' snapshots; it runs until `background` is cancelled.
async fn start_fanout(
    core: &Core,
    broker: &Broker,
    cache: Arc<Cache>,
    standby: Arc<Standby>,
    background: &CancellationToken,
) {
    let ready = CancellationToken::new();
    tokio::spawn({
        let broker = broker.clone();
        let component = core.status.register("event-fanout");
        let ready = ready.clone();
        let background = background.clone();
        async move {
            if let Err(error) = run_fanout(
                broker,
                cache,
                standby,
                component,
                Some(SNAPSHOT_DEADLINE),
                ready,
                background,
            )
            .await
            {
                tracing::error!(%error, "the fan-out consumer stopped");
            }
        }
    });
    let _ = within(
        SNAPSHOT_DEADLINE + Duration::from_secs(5),
        ready.cancelled(),
    )
    .await;
}

/// Events no worker uses: typing, and presences unless the cache keeps them (the busiest
/// events of a large bot).
fn quiet(settings: &crate::settings::BotSettings) -> EventTypeFlags {
    let mut quiet = EventTypeFlags::TYPING_START
        | EventTypeFlags::DIRECT_MESSAGE_TYPING
        | EventTypeFlags::GUILD_MESSAGE_TYPING;
    if !settings
        .gateway
        .cache
        .resource_types
        .contains(ResourceType::PRESENCE)
    {
        quiet |= EventTypeFlags::PRESENCE_UPDATE;
    }
    quiet
}

/// The worker role: the router fed by the broker.
pub(crate) async fn worker(
    mut builder: BotBuilder,
    core: &Core,
    login: Login,
    broker: Broker,
) -> Result<Bot, StartError> {
    let setup = |error| StartError::Cluster(error);
    let claims = broker
        .bucket(&broker.subjects().claims_bucket(), CLAIM_LIFETIME)
        .await
        .map_err(setup)?;
    let status_bucket = broker
        .bucket(&broker.subjects().status_bucket(), STATUS_TTL)
        .await
        .map_err(setup)?;
    let ledger = Arc::new(KvLedger::new(claims, process_name()));
    // Command state and timers in the bot's bucket, shared by every worker.
    let state: Arc<dyn StateStore> = match builder.state.take() {
        Some(state) => state,
        None => Arc::new(
            KvStateStore::open(&broker)
                .await
                .map_err(StartError::Cluster)?,
        ),
    };
    builder.set_ledger(Arc::clone(&ledger) as Arc<dyn novera_commands::InteractionLedger>);

    let settings = builder.settings().clone();
    let cache = Arc::new(
        Cache::builder()
            .resource_types(settings.gateway.cache.resource_types)
            .message_cache_size(settings.gateway.cache.message_cache_size)
            .build(),
    );
    let standby = Arc::new(Standby::new());
    let remote = RemoteShards::new(broker.clone());
    builder.status_handle().set_remote_shards(remote.clone());
    let router = builder.build_router(
        core,
        &login,
        (Arc::clone(&cache), Arc::clone(&standby)),
        Arc::new(remote.clone()),
        state,
    )?;
    // Every worker looks for due timers; the store's leases make each fire once.
    spawn_timers(core, &router, &settings);

    // The fan-out first (the cache filled from the gateways' snapshots, waiters fed), then the
    // work: an interaction is never routed to a handler whose cache is still empty.
    let background = CancellationToken::new();
    tokio::spawn(remote.follow(status_bucket, background.clone()));
    start_fanout(core, &broker, cache, standby, &background).await;

    let cancel = CancellationToken::new();
    let discord = Discord {
        http: login.http(),
        application_id: login.application_id(),
    };
    let task = tokio::spawn({
        let broker = broker.clone();
        let router = router.clone();
        let shutdown = core.shutdown.clone();
        let component = core.status.register("work-consumer");
        let cancel = cancel.clone();
        async move {
            if let Err(error) =
                run_work(broker, router, ledger, discord, shutdown, component, cancel).await
            {
                tracing::error!(%error, "the work consumer stopped");
            }
        }
    });
    let bot = Bot::assembled(
        core,
        settings,
        login,
        None,
        Some(router),
        Intake::Worker { task, cancel },
    );
    // The fan-out and status follower end with the bot's background helpers.
    let helpers = bot.background();
    tokio::spawn(async move {
        helpers.cancelled().await;
        background.cancel();
    });
    Ok(bot)
}
