//! The processes one run of the `cluster` scenario measures, against one simulator: the
//! standalone bot (`novera run`), or a `novera gateway`, `novera worker`s and their broker
//! (docs/scaling.md). Every process gets its own home directory, health on an ephemeral port,
//! the same intents, and `commands.diagnostics` on (the scenario's slow command is `/diag`).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use novera_sim::{ControlClient, SimHandle};

use crate::bot::{Bot, BotLaunch, Memory};
use crate::frames::LoadIntents;
use crate::harness::{Bench, settle};
use crate::nats::NatsServer;
use crate::world::{WorldSize, start_sim};

/// The bot's name in subjects and buckets (`novera.bench.…`).
const CLUSTER_BOT: &str = "bench";

/// How long a process may take to become ready (a worker first fills its cache from the
/// gateway's snapshot).
const READY_WITHIN: Duration = Duration::from_secs(120);

/// What a process is in the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `novera run`.
    Standalone,
    /// `novera gateway`.
    Gateway,
    /// `novera worker`.
    Worker,
    /// `nats-server -js`.
    Nats,
}

/// Standalone, or a cluster of one gateway and `workers` workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Standalone,
    Cluster { workers: usize },
}

/// Counters of the process holding the shard (see [`Deployment::front_progress`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    /// `novera_gateway_events_total`: dispatches received.
    pub(crate) received: u64,
    /// `novera_gateway_events_dropped_total`: events shed, the queue behind the shard full.
    pub(crate) shed: u64,
    /// `novera_cluster_published_total`: events the broker acknowledged (a gateway; else 0).
    pub(crate) published: u64,
}

impl Progress {
    /// What happened between `earlier` and this reading.
    #[must_use]
    pub(crate) fn since(self, earlier: Self) -> Self {
        Self {
            received: self.received.saturating_sub(earlier.received),
            shed: self.shed.saturating_sub(earlier.shed),
            published: self.published.saturating_sub(earlier.published),
        }
    }
}

/// The running processes of one run and their simulator.
#[derive(Debug)]
pub(crate) struct Deployment {
    sim: SimHandle,
    /// The simulator's control API.
    pub(crate) control: ControlClient,
    nats: Option<NatsServer>,
    /// The standalone bot, or the gateway: the process holding the shard.
    front: Bot,
    workers: Vec<Bot>,
    // Removed after the processes stopped (fields drop in order).
    _dir: tempfile::TempDir,
}

impl Deployment {
    /// Starts the simulator and the processes of `shape`, each ready and caught up.
    pub(crate) async fn start(bench: &Bench, world: WorldSize, shape: Shape) -> Result<Self> {
        let sim = start_sim(world, None).await?;
        let control = sim.control();
        let dir = tempfile::tempdir().context("temporary directory")?;
        let base = |name: &str| -> Result<BotLaunch> {
            let home = dir.path().join(name);
            std::fs::create_dir_all(&home).context("process home directory")?;
            Ok(launch(bench, &home, &sim))
        };
        let (nats, front, workers) = match shape {
            Shape::Standalone => (None, ready(base("bot")?).await?, Vec::new()),
            Shape::Cluster { workers: count } => {
                let nats = NatsServer::start().await?;
                let member = |name: &str, role: &str| -> Result<BotLaunch> {
                    Ok(base(name)?
                        .role(role)
                        .env("NOVERA_CLUSTER__NATS_URL", nats.url())
                        .env("NOVERA_CLUSTER__BOT", CLUSTER_BOT))
                };
                let gateway = ready(member("gateway", "gateway")?)
                    .await
                    .context("the gateway")?;
                let mut workers = Vec::with_capacity(count);
                for i in 0..count {
                    workers.push(
                        ready(member(&format!("worker-{i}"), "worker")?)
                            .await
                            .with_context(|| format!("worker {i}"))?,
                    );
                }
                (Some(nats), gateway, workers)
            }
        };
        settle(&front, &control, READY_WITHIN).await?;
        Ok(Self {
            sim,
            control,
            nats,
            front,
            workers,
            _dir: dir,
        })
    }

    /// Every process (the bot, or gateway, workers and broker) with its role and pid.
    pub(crate) fn processes(&self) -> Vec<(Role, u32)> {
        let front = if self.is_cluster() {
            Role::Gateway
        } else {
            Role::Standalone
        };
        std::iter::once((front, self.front.pid()))
            .chain(self.workers.iter().map(|w| (Role::Worker, w.pid())))
            .chain(self.nats.iter().map(|n| (Role::Nats, n.pid())))
            .collect()
    }

    /// CPU time of every process so far, in [`processes`](Self::processes) order.
    pub(crate) fn cpu(&self) -> Result<Vec<(Role, Duration)>> {
        self.processes()
            .into_iter()
            .map(|(role, pid)| Ok((role, crate::bot::proc_cpu_time(pid)?)))
            .collect()
    }

    /// Resident and peak memory of every process now, in [`processes`](Self::processes) order.
    pub(crate) fn memory(&self) -> Result<Vec<(Role, Memory)>> {
        self.processes()
            .into_iter()
            .map(|(role, pid)| Ok((role, crate::bot::proc_memory(pid)?)))
            .collect()
    }

    /// Waits (at most `patience`) until the processes together use under 4 % of a core over a
    /// quarter of a second: what a phase left behind (workers still reading the stream) does not
    /// run into the next one. Returns whether they went quiet.
    pub(crate) async fn quiet(&self, patience: Duration) -> Result<bool> {
        const EVERY: Duration = Duration::from_millis(250);
        const IDLE: Duration = Duration::from_millis(10);
        let start = Instant::now();
        let mut before = total(&self.cpu()?);
        loop {
            tokio::time::sleep(EVERY).await;
            let now = total(&self.cpu()?);
            if now.saturating_sub(before) <= IDLE {
                return Ok(true);
            }
            if start.elapsed() > patience {
                return Ok(false);
            }
            before = now;
        }
    }

    /// The sums of the metrics `names` over the processes that route commands (the workers,
    /// or the standalone bot), one reading of each one's `/metrics`.
    pub(crate) async fn routers_metrics(&self, names: &[&str]) -> Result<Vec<u64>> {
        let routers: Vec<&Bot> = if self.is_cluster() {
            self.workers.iter().collect()
        } else {
            vec![&self.front]
        };
        let mut sums = vec![0; names.len()];
        for router in routers {
            for (sum, value) in sums.iter_mut().zip(router.metrics_of(names).await?) {
                *sum += value;
            }
        }
        Ok(sums)
    }

    /// Whether this is a cluster (a gateway, workers and a broker).
    pub(crate) fn is_cluster(&self) -> bool {
        self.nats.is_some()
    }

    /// How far the process holding the shard is: dispatches received, events shed, and (a
    /// gateway) events the broker acknowledged; one reading of its `/metrics`.
    pub(crate) async fn front_progress(&self) -> Result<Progress> {
        let values = self
            .front
            .metrics_of(&[
                "novera_gateway_events_total",
                "novera_gateway_events_dropped_total",
                "novera_cluster_published_total",
            ])
            .await?;
        let [received, shed, published] = values[..] else {
            bail!("metrics_of returned {} values for 3 names", values.len());
        };
        Ok(Progress {
            received,
            shed,
            published,
        })
    }

    /// The sum of the metric `name` over the workers.
    pub(crate) async fn workers_metric(&self, name: &str) -> Result<u64> {
        let mut sum = 0;
        for worker in &self.workers {
            sum += worker.metric(name).await?;
        }
        Ok(sum)
    }

    /// The last output lines of every process, for error messages.
    pub(crate) fn tails(&self) -> String {
        std::iter::once(("gateway or bot", &self.front))
            .chain(self.workers.iter().map(|w| ("worker", w)))
            .map(|(name, bot)| format!("--- {name} {}:\n{}", bot.pid(), bot.tail()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// SIGKILLs the first worker and waits for it to be gone.
    pub(crate) async fn kill_worker(&mut self) -> Result<()> {
        if self.workers.len() < 2 {
            bail!("a worker can only be killed with another one left to take over");
        }
        let mut killed = self.workers.remove(0);
        let status = killed.kill().await?;
        if status.success() {
            bail!("the worker survived SIGKILL ({status})");
        }
        Ok(())
    }

    /// Stops everything: workers (SIGTERM, they drain), then the gateway or bot, then the
    /// broker and the simulator. Returns a note per process that did not exit 0.
    pub(crate) async fn stop(self) -> Result<Vec<String>> {
        let mut notes = Vec::new();
        for worker in self.workers {
            let status = worker.stop().await?;
            if !status.success() {
                notes.push(format!("a worker exited with {status} on SIGTERM"));
            }
        }
        let status = self.front.stop().await?;
        if !status.success() {
            notes.push(format!(
                "the gateway or bot exited with {status} on SIGTERM"
            ));
        }
        if let Some(nats) = self.nats {
            nats.stop().await;
        }
        self.sim.shutdown().await;
        Ok(notes)
    }
}

/// The launch every process of the scenario shares.
fn launch(bench: &Bench, home: &Path, sim: &SimHandle) -> BotLaunch {
    bench
        .launch(home)
        .sim(&sim.base_url())
        .env("NOVERA_DISCORD__INTENTS", LoadIntents::Messages.env_value())
        .env("NOVERA_COMMANDS__DIAGNOSTICS", "true")
}

/// Starts a process and waits until `/readyz` is 200.
async fn ready(launch: BotLaunch) -> Result<Bot> {
    let bot = launch.spawn().await?;
    bot.wait_ready(READY_WITHIN, Duration::from_millis(10))
        .await?;
    Ok(bot)
}

/// The sum of CPU times.
fn total(cpu: &[(Role, Duration)]) -> Duration {
    cpu.iter().map(|(_, d)| *d).sum()
}

/// The time a phase took and the CPU each role used during it.
#[derive(Debug, Clone)]
pub(crate) struct Phase {
    /// How long the phase took, as the scenario measures it.
    pub(crate) elapsed: Duration,
    /// CPU time per role, summed over the role's processes.
    cpu: Vec<(Role, Duration)>,
}

impl Phase {
    /// A phase that took `elapsed`, between two readings of [`Deployment::cpu`] (same
    /// processes, same order).
    pub(crate) fn new(
        elapsed: Duration,
        before: &[(Role, Duration)],
        after: &[(Role, Duration)],
    ) -> Self {
        let mut cpu: Vec<(Role, Duration)> = Vec::new();
        for ((role, b), (_, a)) in before.iter().zip(after) {
            let used = a.saturating_sub(*b);
            match cpu.iter_mut().find(|(r, _)| r == role) {
                Some((_, sum)) => *sum += used,
                None => cpu.push((*role, used)),
            }
        }
        Self { elapsed, cpu }
    }

    /// CPU of every process.
    pub(crate) fn cpu_total(&self) -> Duration {
        total(&self.cpu)
    }

    /// CPU of the processes of `role`.
    pub(crate) fn cpu_of(&self, role: Role) -> Duration {
        self.cpu
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, d)| *d)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_is_summed_per_role() {
        let ms = Duration::from_millis;
        let before = [
            (Role::Gateway, ms(100)),
            (Role::Worker, ms(50)),
            (Role::Worker, ms(60)),
            (Role::Nats, ms(10)),
        ];
        let after = [
            (Role::Gateway, ms(300)),
            (Role::Worker, ms(80)),
            (Role::Worker, ms(100)),
            (Role::Nats, ms(15)),
        ];
        let phase = Phase::new(ms(1), &before, &after);
        assert_eq!(phase.cpu_of(Role::Gateway), ms(200));
        assert_eq!(phase.cpu_of(Role::Worker), ms(70));
        assert_eq!(phase.cpu_of(Role::Nats), ms(5));
        assert_eq!(phase.cpu_of(Role::Standalone), ms(0));
        assert_eq!(phase.cpu_total(), ms(275));
        assert_eq!(total(&after), ms(495));
    }
}
