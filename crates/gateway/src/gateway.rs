//! Step two of connecting: `Gateway::start` spawns one supervised runner per owned shard and the
//! checkpoint task; `Gateway::shutdown` closes them resumably and saves their final sessions.

use std::collections::BTreeMap;
use std::env::consts::OS;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use novera_cache::Cache;
use novera_core::{StatusRegistry, Supervisor, TaskContext, within};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use twilight_gateway::ConfigBuilder;
use twilight_http::Client;
use twilight_model::gateway::payload::outgoing::identify::IdentifyProperties;
use twilight_standby::Standby;

use crate::checkpoint::Checkpoints;
use crate::config::{GatewayConfig, ShardCount};
use crate::error::{FatalClose, GatewayError, SendError, ShutdownError};
use crate::forwarded::{Forwarded, InConsumer};
use crate::identify::{BudgetSource, IdentifyQueue, Pacing};
use crate::login::{Login, install_crypto_provider};
use crate::metrics::describe_metrics;
use crate::own_messages::OwnMessages;
use crate::runner::{ShardRunner, Shared};
use crate::session_store::{FileSessionStore, SavedSession, SessionStore, usable_now};
use crate::shutdown_report::ShutdownReport;
use crate::status::{GatewayStatus, ShardSlot};

/// Extra time `shutdown` gives runners past the close deadline to return.
const JOIN_GRACE: Duration = Duration::from_millis(250);

/// The receiving end of the event queue: every dispatch event of every owned shard, in order
/// per shard.
///
/// Bounded: when the consumer falls behind, runners shed events (counted in
/// `novera_gateway_events_dropped_total`) instead of waiting. It ends (`recv` returns `None`)
/// once every runner stopped.
#[derive(Debug)]
pub struct Events {
    rx: mpsc::Receiver<Forwarded>,
    in_consumer: InConsumer,
}

impl Events {
    /// The next event; `None` once every shard runner stopped.
    pub async fn recv(&mut self) -> Option<Forwarded> {
        self.rx.recv().await
    }

    /// The next event if one is queued.
    pub fn try_recv(&mut self) -> Result<Forwarded, mpsc::error::TryRecvError> {
        self.rx.try_recv()
    }

    /// What a consumer that holds events after taking them reports (see [`InConsumer`]).
    #[must_use]
    pub fn in_consumer(&self) -> InConsumer {
        self.in_consumer.clone()
    }

    /// The plain tokio receiver.
    #[must_use]
    pub fn into_inner(self) -> mpsc::Receiver<Forwarded> {
        self.rx
    }
}

/// The running gateway: shard runners, cache, standby and status.
///
/// Stop it with [`shutdown`](Self::shutdown); cancelling the supervisor's shutdown token also
/// stops the runners (resumably) and the checkpoints, but only `shutdown` saves the exact final
/// sessions.
#[derive(Debug)]
pub struct Gateway {
    shared: Arc<Shared>,
    slots: Arc<BTreeMap<u32, Arc<ShardSlot>>>,
    queue: IdentifyQueue,
    http: Arc<Client>,
    store: Option<Arc<dyn SessionStore>>,
    session_path: Option<PathBuf>,
    /// Stops the checkpoint task (before the final save).
    checkpoint_stop: CancellationToken,
    checkpoint_task: Mutex<Option<JoinHandle<()>>>,
    tasks: Mutex<Vec<(u32, JoinHandle<()>)>>,
}

impl Gateway {
    /// The shards a gateway with `config` runs: the shard total (fixed, or Discord's
    /// recommendation from step one) and this process's range of it.
    pub fn plan(
        login: &Login,
        config: &GatewayConfig,
    ) -> Result<(u32, std::ops::Range<u32>), GatewayError> {
        let total = match config.shards.count {
            ShardCount::Auto => login.gateway_bot().shards.max(1),
            ShardCount::Fixed(n) => n,
        };
        Ok((total, owned_shards(total, config.shards.range.clone())?))
    }

    /// Step two: starts one supervised runner per owned shard (component `shard-{id}` in
    /// `status`, ready while the shard is active), resuming sessions saved (or checkpointed) by
    /// the previous process when there are usable ones, and, with a session store, the
    /// supervised checkpoint task (`gateway-checkpoint`).
    pub async fn start(
        login: &Login,
        config: &GatewayConfig,
        supervisor: &Supervisor,
        status: &StatusRegistry,
    ) -> Result<(Self, Events), GatewayError> {
        validate(config)?;
        describe_metrics();
        install_crypto_provider();
        let bot = login.gateway_bot();
        let (total, owned) = Self::plan(login, config)?;
        let gateway_url = gateway_url(config.gateway_url.as_deref().unwrap_or(&bot.url))?;

        let (store, session_path) = session_store(config);
        let loaded = load_sessions(store.as_deref(), total, config.max_session_age).await;
        let slots = build_slots(owned.clone(), &loaded, status);

        let limit = &bot.session_start_limit;
        let pacing = Pacing {
            max_concurrency: if config.pace_identifies {
                limit.max_concurrency.max(1)
            } else {
                0
            },
            interval: config.identify_interval,
        };
        let queue = IdentifyQueue::new(
            limit,
            login.fetched_at(),
            pacing,
            Arc::clone(&slots),
            Some(BudgetSource {
                http: login.http(),
                rest_deadline: config.rest_deadline,
                invalid_requests: config.invalid_requests.clone(),
                rate_limits: config.rate_limits.clone(),
            }),
            config.identify_pacer.clone(),
        );

        let shard_config =
            ConfigBuilder::new(config.token.expose().trim().to_owned(), config.intents)
                .proxy_url(gateway_url.clone())
                .large_threshold(config.large_threshold)
                .identify_properties(IdentifyProperties::new("novera", "novera", OS))
                .queue(queue.clone())
                .build();
        let shared = Arc::new(Shared {
            config: shard_config,
            total,
            intents: config.intents,
            cache: Arc::new(build_cache(config)),
            standby: Arc::new(Standby::new()),
            forward: config.forward,
            stop: CancellationToken::new(),
            stop_deadline: Mutex::new(None),
            close_deadline: config.close_deadline,
            stall_after: config.stall_after,
            own_messages: own_messages(login, config),
        });

        let (tx, rx) = mpsc::channel(config.event_queue_capacity);
        let in_consumer = InConsumer::default();
        let checkpoint_stop = CancellationToken::new();
        let consumer = (&tx, &in_consumer);
        let checkpoint_task = store.as_ref().map(|store| {
            let checkpoints =
                Checkpoints::new(Arc::clone(store), &slots, total, consumer, config, loaded);
            spawn_checkpoints(supervisor, checkpoints, &checkpoint_stop)
        });
        let mut tasks = Vec::with_capacity(slots.len());
        for (&id, slot) in slots.iter() {
            let shared = Arc::clone(&shared);
            let slot = Arc::clone(slot);
            let tx = tx.clone();
            let handle = supervisor.spawn(format!("shard-{id}"), move |ctx: TaskContext| {
                let runner = ShardRunner::new(
                    Arc::clone(&shared),
                    Arc::clone(&slot),
                    tx.clone(),
                    ctx.restarts > 0,
                );
                runner.run(ctx.cancel)
            });
            tasks.push((id, handle));
        }
        tracing::info!(
            shards = ?owned,
            total,
            resuming = slots.values().filter(|s| s.session().is_some()).count(),
            gateway = %gateway_url,
            "gateway started"
        );
        let gateway = Self {
            shared,
            slots,
            queue,
            http: login.http(),
            store,
            session_path,
            checkpoint_stop,
            checkpoint_task: Mutex::new(checkpoint_task),
            tasks: Mutex::new(tasks),
        };
        Ok((gateway, Events { rx, in_consumer }))
    }

    /// Sends a gateway command (a JSON payload such as `REQUEST_GUILD_MEMBERS` or
    /// `PRESENCE_UPDATE`) through shard `shard`; twilight paces it under Discord's send limit.
    pub fn send(&self, shard: u32, json: String) -> Result<(), SendError> {
        let slot = self
            .slots
            .get(&shard)
            .ok_or(SendError::NotOwned { shard })?;
        let sender = slot.sender().ok_or(SendError::NotRunning { shard })?;
        sender
            .send(json)
            .map_err(|_| SendError::NotRunning { shard })
    }

    /// The shared cache, filled by the runners before events reach the consumer. It stores
    /// novera-cache's compact channels and members ([`novera_cache::CompactChannel`],
    /// [`novera_cache::CompactMember`]).
    #[must_use]
    pub fn cache(&self) -> Arc<Cache> {
        Arc::clone(&self.shared.cache)
    }

    /// The standby every event is fed to (for `wait_for` style waits).
    #[must_use]
    pub fn standby(&self) -> Arc<Standby> {
        Arc::clone(&self.shared.standby)
    }

    /// The REST client from [`Login`].
    #[must_use]
    pub fn http(&self) -> Arc<Client> {
        Arc::clone(&self.http)
    }

    /// Total shard count of the bot.
    #[must_use]
    pub fn shard_total(&self) -> u32 {
        self.shared.total
    }

    /// A snapshot of every owned shard and the identify budget.
    #[must_use]
    pub fn status(&self) -> GatewayStatus {
        GatewayStatus {
            shard_total: self.shared.total,
            shards: self.slots.values().map(|slot| slot.status()).collect(),
            identify_budget: self.queue.status(),
        }
    }

    /// The shards that closed fatally (4004, 4010-4014), with what the operator must fix.
    ///
    /// The same [`FatalClose`] reached the supervisor as a fatal task error; its escalation only
    /// carries text, so the owner reads the typed error here (e.g. to exit with code 78).
    #[must_use]
    pub fn fatal_closes(&self) -> Vec<FatalClose> {
        self.slots
            .values()
            .filter_map(|slot| slot.lock().fatal.clone())
            .collect()
    }

    /// Stops the checkpoints, closes every shard with a resumable close frame, waits (up to
    /// `deadline`) for the close handshakes, and saves the final sessions to the session store.
    pub async fn shutdown(&self, deadline: Duration) -> Result<ShutdownReport, ShutdownError> {
        let started = Instant::now();
        let until = started + deadline;
        // First, so no checkpoint (an older position) can land after the final save.
        self.checkpoint_stop.cancel();
        let checkpoint = self
            .checkpoint_task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut handle) = checkpoint
            && within(deadline + JOIN_GRACE, &mut handle).await.is_none()
        {
            tracing::warn!("the checkpoint task did not stop in time; aborting it");
            handle.abort();
        }
        *self
            .shared
            .stop_deadline
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(until);
        self.shared.stop.cancel();

        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        let mut aborted = Vec::new();
        for (id, mut handle) in tasks {
            let left = until.saturating_duration_since(Instant::now()) + JOIN_GRACE;
            if within(left, &mut handle).await.is_none() {
                tracing::warn!(shard = id, "shard runner did not stop in time; aborting it");
                handle.abort();
                aborted.push(id);
            }
        }

        let mut report = ShutdownReport {
            closed: Vec::new(),
            unclean: Vec::new(),
            not_running: aborted,
            sessions_saved: 0,
            session_path: self.session_path.clone(),
            waited: Duration::ZERO,
        };
        let mut sessions = Vec::new();
        for (&id, slot) in self.slots.iter() {
            match slot.lock().clean_close {
                Some(true) => report.closed.push(id),
                Some(false) => report.unclean.push(id),
                None if !report.not_running.contains(&id) => report.not_running.push(id),
                None => {}
            }
            if let Some((session, url)) = slot.session() {
                sessions.push(SavedSession::new(id, self.shared.total, session, url));
            }
        }
        report.not_running.sort_unstable();
        if let Some(store) = &self.store {
            if let Err(source) = store.save(&sessions).await {
                report.waited = started.elapsed();
                return Err(ShutdownError { report, source });
            }
            report.sessions_saved = sessions.len();
        }
        report.waited = started.elapsed();
        tracing::info!(
            closed = ?report.closed,
            unclean = ?report.unclean,
            sessions_saved = report.sessions_saved,
            "gateway stopped"
        );
        Ok(report)
    }
}

/// One slot per owned shard (registered as component `shard-{id}`), holding the session to
/// resume when one was loaded.
/// The check of the bot's own messages for another instance's nonce, when there is a watch.
fn own_messages(login: &Login, config: &GatewayConfig) -> Option<OwnMessages> {
    let watch = config.instance.as_ref()?;
    Some(OwnMessages::new(login.current_user().id, Arc::clone(watch)))
}

fn build_slots(
    owned: std::ops::Range<u32>,
    loaded: &[SavedSession],
    status: &StatusRegistry,
) -> Arc<BTreeMap<u32, Arc<ShardSlot>>> {
    let slots = owned
        .map(|id| {
            let saved = loaded.iter().find(|s| s.shard == id);
            let component = status.register(format!("shard-{id}"));
            let (session, url) = saved.map_or((None, None), |s| {
                (Some(s.session.clone()), s.resume_url.clone())
            });
            (id, Arc::new(ShardSlot::new(id, component, session, url)))
        })
        .collect();
    Arc::new(slots)
}

/// Starts the checkpoint task, supervised (a panic restarts it), until `stop` or the
/// supervisor's shutdown.
fn spawn_checkpoints(
    supervisor: &Supervisor,
    checkpoints: Checkpoints,
    stop: &CancellationToken,
) -> JoinHandle<()> {
    let checkpoints = Arc::new(checkpoints);
    let stop = stop.clone();
    supervisor.spawn("gateway-checkpoint", move |ctx: TaskContext| {
        Arc::clone(&checkpoints).run(ctx.cancel, stop.clone())
    })
}

/// The configured session store and, for the file store, its path.
fn session_store(config: &GatewayConfig) -> (Option<Arc<dyn SessionStore>>, Option<PathBuf>) {
    if let Some(store) = &config.session_store {
        return (Some(Arc::clone(store)), None);
    }
    let store = config.session_path.clone().map(|path| {
        let store: Arc<dyn SessionStore> = Arc::new(FileSessionStore::new(path));
        store
    });
    (store, config.session_path.clone())
}

/// Usable sessions saved by the previous process; none when the store cannot be read.
///
/// They stay in the store: the checkpoints replace them within a second, and a crash before
/// that resumes from the same position again (Discord replays what follows it).
async fn load_sessions(
    store: Option<&dyn SessionStore>,
    total: u32,
    max_age: Duration,
) -> Vec<SavedSession> {
    let Some(store) = store else {
        return Vec::new();
    };
    match store.load().await {
        Ok(sessions) => usable_now(sessions, total, max_age),
        Err(error) => {
            // Identifying costs one session start; refusing to start would cost the bot.
            tracing::warn!(%error, "could not load saved gateway sessions; shards will identify");
            Vec::new()
        }
    }
}

/// The cache described by `config`.
fn build_cache(config: &GatewayConfig) -> Cache {
    Cache::builder()
        .resource_types(config.cache.resource_types)
        .message_cache_size(config.cache.message_cache_size)
        .build()
}

fn validate(config: &GatewayConfig) -> Result<(), GatewayError> {
    let invalid = |reason: String| Err(GatewayError::InvalidConfig { reason });
    if !(50..=250).contains(&config.large_threshold) {
        return invalid(format!(
            "large_threshold {} is outside 50..=250",
            config.large_threshold
        ));
    }
    if config.event_queue_capacity == 0 {
        return invalid("event_queue_capacity must be at least 1".to_owned());
    }
    if config.stall_after.is_zero() {
        return invalid("stall_after must be longer than zero".to_owned());
    }
    if config.checkpoint_interval.is_zero() {
        return invalid("checkpoint_interval must be longer than zero".to_owned());
    }
    Ok(())
}

/// The shard ids this process runs.
fn owned_shards(
    total: u32,
    range: Option<std::ops::Range<u32>>,
) -> Result<std::ops::Range<u32>, GatewayError> {
    let invalid = |reason: String| Err(GatewayError::InvalidShardPlan { reason });
    if total == 0 {
        return invalid("the shard count must be at least 1".to_owned());
    }
    let range = range.unwrap_or(0..total);
    if range.is_empty() {
        return invalid(format!("shard range {range:?} is empty"));
    }
    if range.end > total {
        return invalid(format!(
            "shard range {range:?} goes past the shard count {total}"
        ));
    }
    Ok(range)
}

/// A `ws://`/`wss://` base URL without a trailing slash (twilight appends `/?v=10...`; a URL it
/// cannot parse would panic the shard).
fn gateway_url(url: &str) -> Result<String, GatewayError> {
    let url = url.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("ws://")
        .or_else(|| url.strip_prefix("wss://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => Err(GatewayError::InvalidConfig {
            reason: format!("gateway url `{url}` is not a ws:// or wss:// URL"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_are_checked() {
        assert_eq!(owned_shards(4, None).unwrap(), 0..4);
        assert_eq!(owned_shards(64, Some(16..32)).unwrap(), 16..32);
        assert!(owned_shards(0, None).is_err());
        assert!(owned_shards(4, Some(2..2)).is_err());
        assert!(owned_shards(4, Some(2..5)).is_err());
    }

    #[test]
    fn gateway_urls_are_normalized_or_refused() {
        assert_eq!(
            gateway_url("wss://gateway.discord.gg/").unwrap(),
            "wss://gateway.discord.gg"
        );
        assert_eq!(gateway_url("ws://127.0.0.1:9").unwrap(), "ws://127.0.0.1:9");
        assert!(gateway_url("http://127.0.0.1:9").is_err());
        assert!(gateway_url("ws://").is_err());
    }

    #[test]
    fn out_of_range_values_are_refused_before_twilight_panics() {
        let config = GatewayConfig {
            large_threshold: 10,
            ..GatewayConfig::default()
        };
        assert!(matches!(
            validate(&config),
            Err(GatewayError::InvalidConfig { .. })
        ));
        let config = GatewayConfig {
            event_queue_capacity: 0,
            ..GatewayConfig::default()
        };
        assert!(validate(&config).is_err());
        let config = GatewayConfig {
            checkpoint_interval: Duration::ZERO,
            ..GatewayConfig::default()
        };
        assert!(validate(&config).is_err());
        assert!(validate(&GatewayConfig::default()).is_ok());
    }
}
