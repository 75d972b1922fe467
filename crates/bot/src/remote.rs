//! Shard status across processes: a gateway role writes its shards' reports to a key-value
//! bucket every few seconds; a worker role reads them, so its `/ping`, `/status` command and
//! health `/status` show the shards that feed it.
//!
//! The bucket's entries expire after [`STATUS_TTL`] (a bucket-wide age: nats-server 2.9 has no
//! per-key expiry), and a reader also ignores entries older than that, so a gateway that died
//! disappears from workers' views instead of looking active forever.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use async_nats::jetstream::kv;
use bytes::Bytes;
use futures_util::StreamExt as _;
use novera_cluster::Broker;
use novera_commands::{
    BoxFuture, GatewayCommand, GatewayCommandError, GatewayInfo, ShardInfo, shard_of,
};
use novera_core::{CancellationToken, within};
use novera_gateway::Gateway;
use novera_health::{IdentifyBudgetReport, ShardReport};
use tokio::time::Instant;

use crate::gateway_commands::send_local;
use crate::reports::{command_state_named, identify_budget_report, shard_report};

/// How long a gateway's report stays valid without a refresh.
pub(crate) const STATUS_TTL: Duration = Duration::from_secs(15);
/// How long a worker waits for a gateway to take a gateway command.
const COMMAND_DEADLINE: Duration = Duration::from_secs(5);
/// How often a gateway writes its reports.
const WRITE_EVERY: Duration = Duration::from_secs(2);

/// Writes `gateway`'s shard reports and identify budget to `bucket` every few seconds, until
/// `cancel` fires; then marks its shards stopped.
pub(crate) async fn publish_status(
    bucket: kv::Store,
    gateway: Arc<Gateway>,
    cancel: CancellationToken,
) {
    let mut tick = tokio::time::interval(WRITE_EVERY);
    loop {
        tokio::select! {
            () = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let status = gateway.status();
        for shard in &status.shards {
            put(
                &bucket,
                &format!("shard.{}", shard.id),
                &shard_report(shard),
            )
            .await;
        }
        put(
            &bucket,
            "budget",
            &identify_budget_report(&status.identify_budget),
        )
        .await;
        put(&bucket, "total", &status.shard_total).await;
    }
    // Workers see the shards stop at once rather than when the reports expire.
    for shard in gateway.status().shards {
        put(
            &bucket,
            &format!("shard.{}", shard.id),
            &shard_report(&shard),
        )
        .await;
    }
}

async fn put<T: serde::Serialize>(bucket: &kv::Store, key: &str, value: &T) {
    let Ok(bytes) = serde_json::to_vec(value) else {
        return;
    };
    if let Err(error) = bucket.put(key, Bytes::from(bytes)).await {
        tracing::debug!(%error, key, "could not share the shard status");
    }
}

/// The shards of every gateway of the bot, as the status bucket shows them, and the way to
/// their gateways for gateway commands. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RemoteShards {
    inner: Arc<RwLock<Remote>>,
    broker: Arc<Broker>,
}

#[derive(Debug, Default)]
struct Remote {
    shards: BTreeMap<u32, (ShardReport, Instant)>,
    budget: Option<(IdentifyBudgetReport, Instant)>,
    total: Option<u32>,
}

impl RemoteShards {
    /// Shards reported through `broker`'s status bucket (see [`follow`](Self::follow)).
    pub(crate) fn new(broker: Broker) -> Self {
        Self {
            inner: Arc::default(),
            broker: Arc::new(broker),
        }
    }

    /// Every shard reported within [`STATUS_TTL`].
    #[must_use]
    pub fn reports(&self) -> Vec<ShardReport> {
        let remote = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        remote
            .shards
            .values()
            .filter(|(_, at)| at.elapsed() < STATUS_TTL)
            .map(|(report, _)| report.clone())
            .collect()
    }

    /// The identify budget a gateway reported within [`STATUS_TTL`].
    #[must_use]
    pub fn identify_budget(&self) -> Option<IdentifyBudgetReport> {
        let remote = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        remote
            .budget
            .filter(|(_, at)| at.elapsed() < STATUS_TTL)
            .map(|(budget, _)| budget)
    }

    fn apply(&self, key: &str, value: &[u8]) {
        let mut remote = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        if key == "budget" {
            if let Ok(budget) = serde_json::from_slice(value) {
                remote.budget = Some((budget, Instant::now()));
            }
        } else if key == "total" {
            remote.total = serde_json::from_slice(value).ok();
        } else if let Some(id) = key.strip_prefix("shard.").and_then(|id| id.parse().ok())
            && let Ok(report) = serde_json::from_slice::<ShardReport>(value)
        {
            remote.shards.insert(id, (report, Instant::now()));
        }
    }

    /// Follows `bucket` until `cancel` fires (watching again after a broken watch).
    pub(crate) async fn follow(self, bucket: kv::Store, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            let mut watch = match bucket.watch_with_history(">").await {
                Ok(watch) => watch,
                Err(error) => {
                    tracing::debug!(%error, "cannot watch the shard status bucket; retrying");
                    if within(Duration::from_secs(1), cancel.cancelled())
                        .await
                        .is_some()
                    {
                        return;
                    }
                    continue;
                }
            };
            loop {
                let next = tokio::select! {
                    () = cancel.cancelled() => return,
                    next = watch.next() => next,
                };
                match next {
                    Some(Ok(entry)) if entry.operation == kv::Operation::Put => {
                        self.apply(&entry.key, &entry.value);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        tracing::debug!(%error, "shard status watch broke; watching again");
                        break;
                    }
                    None => break,
                }
            }
        }
    }
}

impl GatewayInfo for RemoteShards {
    fn send(&self, command: GatewayCommand) -> BoxFuture<'_, Result<(), GatewayCommandError>> {
        Box::pin(async move {
            let subject = match command.guild() {
                Some(guild) => {
                    let total = self
                        .inner
                        .read()
                        .unwrap_or_else(PoisonError::into_inner)
                        .total
                        .ok_or_else(|| GatewayCommandError::Unavailable {
                            shard: 0,
                            reason: "no gateway has reported its shards yet".to_owned(),
                        })?;
                    self.broker.subjects().shard_command(shard_of(guild, total))
                }
                None => self.broker.subjects().all_shards_command(),
            };
            let unavailable =
                |reason: String| GatewayCommandError::Unavailable { shard: 0, reason };
            let payload = serde_json::to_vec(&command).map_err(|e| unavailable(e.to_string()))?;
            let reply = within(
                COMMAND_DEADLINE,
                self.broker.client().request(subject, Bytes::from(payload)),
            )
            .await
            .ok_or_else(|| unavailable("no gateway answered in time".to_owned()))?
            .map_err(|e| unavailable(e.to_string()))?;
            match std::str::from_utf8(&reply.payload) {
                Ok("ok") => Ok(()),
                Ok(reason) => Err(unavailable(reason.to_owned())),
                Err(_) => Err(unavailable("unreadable answer".to_owned())),
            }
        })
    }

    fn shards(&self) -> Vec<ShardInfo> {
        self.reports()
            .iter()
            .map(|report| {
                ShardInfo::new(
                    report.id,
                    command_state_named(&report.state, report.last_close_code),
                )
                .with_latency(
                    report
                        .heartbeat_latency_ms
                        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok()),
                )
                .with_counts(report.reconnects, report.resumes)
            })
            .collect()
    }
}

/// Takes gateway commands for `gateway`'s shards from workers, until `cancel` fires: the one
/// for a shard this process owns, and every command for all shards (applied to its own).
pub(crate) async fn serve_commands(
    broker: Broker,
    gateway: Arc<Gateway>,
    cancel: CancellationToken,
) -> Result<(), async_nats::SubscribeError> {
    let subjects = broker.subjects().clone();
    let mut own = broker.client().subscribe(subjects.shard_commands()).await?;
    let mut all = broker
        .client()
        .subscribe(subjects.all_shards_command())
        .await?;
    let owned: Vec<u32> = gateway.status().shards.iter().map(|s| s.id).collect();
    loop {
        let request = tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            request = own.next() => request,
            request = all.next() => request,
        };
        let Some(request) = request else {
            return Ok(());
        };
        let Some(reply) = request.reply.clone() else {
            continue;
        };
        // Another gateway owns the shard: let it answer.
        if let Some(shard) = request
            .subject
            .split('.')
            .nth(4)
            .and_then(|id| id.parse::<u32>().ok())
            && !owned.contains(&shard)
        {
            continue;
        }
        let answer = match serde_json::from_slice::<GatewayCommand>(&request.payload) {
            Ok(command) => match send_local(&gateway, &command) {
                Ok(()) => "ok".to_owned(),
                Err(error) => error.to_string(),
            },
            Err(error) => format!("unreadable gateway command: {error}"),
        };
        if let Err(error) = broker.client().publish(reply, Bytes::from(answer)).await {
            tracing::debug!(%error, "could not answer a gateway command");
        }
    }
}
