//! The bot under test: the real `novera` binary as a child process, configured through its
//! environment, watched through its stdout, `/readyz`, `/metrics` and `/proc`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// The token the benchmark's simulators expect (not a secret: it only opens a local simulator).
pub const BENCH_TOKEN: &str = "novera-bench-token";

/// How long the bot may take to print its health address or to stop.
const PATIENCE: Duration = Duration::from_secs(60);

/// Lines of the bot's output kept (for error messages and [`Bot::wait_line`]).
const TAIL_LINES: usize = 200;

/// The bot's recent output lines, each with the moment the bench read it.
type Tail = Arc<Mutex<VecDeque<(Instant, String)>>>;

/// How to start `novera`: binary, working directory and environment.
#[derive(Debug, Clone)]
pub struct BotLaunch {
    binary: PathBuf,
    role: String,
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl BotLaunch {
    /// A launch of `binary` in `dir` with a clean environment: health on an ephemeral
    /// loopback port, sessions saved in `dir`, warn-level JSON logs, no command registration.
    /// Without [`sim`](Self::sim) the bot starts its sandbox.
    #[must_use]
    pub fn new(binary: &Path, dir: &Path) -> Self {
        let env = [
            ("NOVERA_HEALTH__LISTEN", "127.0.0.1:0".to_owned()),
            ("NOVERA_SANDBOX__LISTEN", "127.0.0.1:0".to_owned()),
            (
                "NOVERA_SESSION__PATH",
                dir.join("sessions.json").display().to_string(),
            ),
            ("NOVERA_LOG__FORMAT", "json".to_owned()),
            ("NOVERA_LOG__LEVEL", "warn".to_owned()),
            ("NOVERA_COMMANDS__REGISTRATION", "off".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            binary: binary.to_owned(),
            role: "run".to_owned(),
            dir: dir.to_owned(),
            env,
        }
    }

    /// Runs another role of the binary than `run`: `gateway` or `worker` (docs/scaling.md).
    #[must_use]
    pub fn role(mut self, role: &str) -> Self {
        role.clone_into(&mut self.role);
        self
    }

    /// Points the bot at a simulator at `base_url` with the benchmark token.
    #[must_use]
    pub fn sim(self, base_url: &str) -> Self {
        self.env("NOVERA_TOKEN", BENCH_TOKEN)
            .env("NOVERA_DISCORD__API_URL", base_url)
    }

    /// Sets (or replaces) one environment variable.
    #[must_use]
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.env.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value,
            None => self.env.push((key.to_owned(), value)),
        }
        self
    }

    /// Where the bot saves its sessions.
    #[must_use]
    pub fn session_path(&self) -> PathBuf {
        self.env
            .iter()
            .find(|(k, _)| k == "NOVERA_SESSION__PATH")
            .map_or_else(|| self.dir.join("sessions.json"), |(_, v)| PathBuf::from(v))
    }

    /// Starts the process and waits (bounded) until it prints its health address.
    pub async fn spawn(&self) -> Result<Bot> {
        let mut cmd = Command::new(&self.binary);
        cmd.arg(&self.role);
        if self.role == "run" {
            cmd.arg("--no-console");
        }
        cmd.current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let exec_at = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", self.binary.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("the bot exited at once"))?;
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(TAIL_LINES)));
        let (health_tx, health_rx) = oneshot::channel();
        let stdout = child.stdout.take().context("stdout is piped")?;
        let stderr = child.stderr.take().context("stderr is piped")?;
        tokio::spawn(watch(stdout, tail.clone(), Some(health_tx)));
        tokio::spawn(watch(stderr, tail.clone(), None));
        let mut bot = Bot {
            child,
            pid,
            exec_at,
            health: String::new(),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build()
                .context("http client")?,
            tail,
        };
        match tokio::time::timeout(PATIENCE, health_rx).await {
            Ok(Ok(url)) => bot.health = url,
            _ => bail!(
                "the bot did not print its health address; output:\n{}",
                bot.tail()
            ),
        }
        Ok(bot)
    }
}

/// Reads lines of one output stream into `tail`, sending the health URL once seen.
async fn watch(
    stream: impl AsyncRead + Unpin,
    tail: Tail,
    mut health: Option<oneshot::Sender<String>>,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = health_url(&line)
            && let Some(tx) = health.take()
        {
            let _ = tx.send(url);
        }
        let mut tail = tail
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back((Instant::now(), line));
    }
}

/// The URL in `novera: health on http://127.0.0.1:PORT (...)`.
fn health_url(line: &str) -> Option<String> {
    let rest = line.strip_prefix("novera: health on ")?;
    let url = rest.split_whitespace().next()?;
    url.starts_with("http://").then(|| url.to_owned())
}

/// Resident memory of a process, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// `VmRSS`: resident now, in KiB.
    pub rss_kib: u64,
    /// `VmHWM`: the peak resident size so far, in KiB.
    pub peak_kib: u64,
    /// `RssAnon`: the resident part that is the process's own memory (heap, stacks), in KiB,
    /// as opposed to pages of the binary and its libraries (`RssFile`). `None` before Linux 4.5.
    pub anon_kib: Option<u64>,
}

/// Parses `VmRSS` and `VmHWM` out of a `/proc/PID/status` text.
pub(crate) fn parse_status(text: &str) -> Option<Memory> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
        anon_kib: field("RssAnon:"),
    })
}

/// The bot's gateway and retry counters, read from `/metrics` (summed over labels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// `novera_gateway_events_total`: dispatches received (READY and RESUMED included).
    pub events: u64,
    /// `novera_gateway_events_dropped_total`: events shed because the queue was full.
    pub dropped: u64,
    /// `novera_gateway_resumes_total`.
    pub resumes: u64,
    /// `novera_gateway_identifies_total`.
    pub identifies: u64,
    /// `novera_gateway_payload_errors_total`: payloads skipped because they could not be read.
    pub payload_errors: u64,
    /// `novera_commands_rest_retries_total`: REST calls of answers repeated.
    pub rest_retries: u64,
    /// `novera_commands_rest_give_ups_total`: REST calls of answers given up on.
    pub rest_give_ups: u64,
}

/// A Prometheus text exposition, parsed.
fn scrape(text: &str) -> Result<prometheus_parse::Scrape> {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .context("the bot's /metrics is not Prometheus text")
}

/// The sum of every sample of the counter (or gauge) `name`, over all its labels, as a count.
fn sum_samples(scrape: &prometheus_parse::Scrape, name: &str) -> u64 {
    let total: f64 = scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "counters are non-negative integers well below 2^53"
    )]
    let count = total.max(0.0).round() as u64;
    count
}

/// Sums the samples of each gateway counter in a Prometheus text exposition.
pub(crate) fn parse_counters(text: &str) -> Result<Counters> {
    let scrape = scrape(text)?;
    let sum = |name: &str| sum_samples(&scrape, name);
    Ok(Counters {
        events: sum("novera_gateway_events_total"),
        dropped: sum("novera_gateway_events_dropped_total"),
        resumes: sum("novera_gateway_resumes_total"),
        identifies: sum("novera_gateway_identifies_total"),
        payload_errors: sum("novera_gateway_payload_errors_total"),
        rest_retries: sum("novera_commands_rest_retries_total"),
        rest_give_ups: sum("novera_commands_rest_give_ups_total"),
    })
}

/// A running `novera` process (killed if dropped while running).
#[derive(Debug)]
pub struct Bot {
    child: Child,
    pid: u32,
    exec_at: Instant,
    health: String,
    http: reqwest::Client,
    tail: Tail,
}

impl Bot {
    /// The process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// When the process was started (just before `exec`).
    #[must_use]
    pub fn exec_at(&self) -> Instant {
        self.exec_at
    }

    /// The last lines the bot printed (stdout and stderr), for error messages.
    #[must_use]
    pub fn tail(&self) -> String {
        let tail = self
            .tail
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tail.iter()
            .map(|(_, line)| line.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Waits (polling every millisecond) for an output line containing `needle` read at or
    /// after `since`; returns when the bench read it.
    pub async fn wait_line(
        &self,
        needle: &str,
        since: Instant,
        patience: Duration,
    ) -> Result<Instant> {
        let start = Instant::now();
        loop {
            {
                let tail = self
                    .tail
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some((at, _)) = tail
                    .iter()
                    .find(|(at, line)| *at >= since && line.contains(needle))
                {
                    return Ok(*at);
                }
            }
            if start.elapsed() > patience {
                bail!(
                    "the bot printed no line with {needle:?} within {patience:?}; output:\n{}",
                    self.tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Waits (bounded) for an output line containing `needle`, at any time since the start,
    /// and returns it.
    pub async fn wait_text(&self, needle: &str, patience: Duration) -> Result<String> {
        self.wait_line(needle, self.exec_at, patience).await?;
        let tail = self
            .tail
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tail.iter()
            .find(|(_, line)| line.contains(needle))
            .map(|(_, line)| line.clone())
            .with_context(|| format!("the line with {needle:?} left the tail"))
    }

    /// Polls `/readyz` every `every` until it answers 200; returns the time since `exec`.
    pub async fn wait_ready(&self, timeout: Duration, every: Duration) -> Result<Duration> {
        let url = format!("{}/readyz", self.health);
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Ok(response) = self.http.get(&url).send().await
                && response.status().is_success()
            {
                return Ok(self.exec_at.elapsed());
            }
            if tokio::time::Instant::now() >= deadline {
                bail!(
                    "the bot was not ready within {timeout:?}; output:\n{}",
                    self.tail()
                );
            }
            tokio::time::sleep(every).await;
        }
    }

    /// The gateway counters from `/metrics`.
    pub async fn counters(&self) -> Result<Counters> {
        parse_counters(&self.metrics().await?)
    }

    /// The sum of every sample of the metric `name` in `/metrics` (0 when absent).
    pub async fn metric(&self, name: &str) -> Result<u64> {
        Ok(sum_samples(&scrape(&self.metrics().await?)?, name))
    }

    /// [`metric`](Self::metric) of each of `names`, from one reading of `/metrics`.
    pub async fn metrics_of(&self, names: &[&str]) -> Result<Vec<u64>> {
        let scrape = scrape(&self.metrics().await?)?;
        Ok(names
            .iter()
            .map(|name| sum_samples(&scrape, name))
            .collect())
    }

    /// The text of `/metrics`.
    async fn metrics(&self) -> Result<String> {
        self.http
            .get(format!("{}/metrics", self.health))
            .send()
            .await
            .with_context(|| format!("GET /metrics; the bot's output:\n{}", self.tail()))?
            .text()
            .await
            .context("read /metrics")
    }

    /// Resident and peak memory now.
    pub fn memory(&self) -> Result<Memory> {
        proc_memory(self.pid)
    }

    /// CPU time (user + system) the process used so far.
    pub fn cpu_time(&self) -> Result<Duration> {
        proc_cpu_time(self.pid)
    }

    /// Sends SIGTERM without waiting.
    pub fn terminate(&self) -> Result<()> {
        let pid = i32::try_from(self.pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
            .ok_or_else(|| anyhow!("invalid pid {}", self.pid))?;
        rustix::process::kill_process(pid, rustix::process::Signal::TERM)
            .context("send SIGTERM to the bot")
    }

    /// SIGKILL (nothing runs after it: no graceful stop, no final save) and waits for the exit.
    pub async fn kill(&mut self) -> Result<ExitStatus> {
        self.child.kill().await.context("SIGKILL the bot")?;
        self.child.wait().await.context("wait for the killed bot")
    }

    /// SIGTERM, then waits (bounded) for the exit; kills the process if it does not stop.
    pub async fn stop(mut self) -> Result<ExitStatus> {
        self.terminate()?;
        self.wait_exit().await
    }

    /// Waits (bounded) for the process to exit; kills it if it does not.
    pub async fn wait_exit(&mut self) -> Result<ExitStatus> {
        if let Ok(status) = tokio::time::timeout(PATIENCE, self.child.wait()).await {
            return status.context("wait for the bot");
        }
        let _ = self.child.kill().await;
        bail!(
            "the bot did not stop within {PATIENCE:?} of SIGTERM; output:\n{}",
            self.tail()
        )
    }
}

/// Resident and peak memory of process `pid` now, from `/proc/PID/status`.
pub(crate) fn proc_memory(pid: u32) -> Result<Memory> {
    let text =
        std::fs::read_to_string(format!("/proc/{pid}/status")).context("read /proc/PID/status")?;
    parse_status(&text).ok_or_else(|| anyhow!("no VmRSS/VmHWM in /proc/PID/status"))
}

/// CPU time (user + system) process `pid` used so far, from `/proc/PID/stat`.
pub(crate) fn proc_cpu_time(pid: u32) -> Result<Duration> {
    let text =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).context("read /proc/PID/stat")?;
    parse_cpu_ticks(&text)
        .map(|ticks| Duration::from_millis(ticks * 1000 / CLOCK_TICKS_PER_SEC))
        .ok_or_else(|| anyhow!("unreadable /proc/PID/stat"))
}

/// `sysconf(_SC_CLK_TCK)`, 100 on every Linux this runs on.
const CLOCK_TICKS_PER_SEC: u64 = 100;

/// `utime + stime` (fields 14 and 15) of a `/proc/PID/stat` line, in clock ticks.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3 (state), so field 14 is at index 11.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_url_from_the_announcement() {
        assert_eq!(
            health_url(
                "novera: health on http://127.0.0.1:4242 (/healthz /readyz /status /metrics)"
            )
            .as_deref(),
            Some("http://127.0.0.1:4242")
        );
        assert_eq!(health_url("novera: sandbox mode"), None);
        assert_eq!(health_url("{\"msg\":\"novera: health on http://x\"}"), None);
    }

    #[test]
    fn memory_from_proc_status() {
        let text = "Name:\tnovera\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t3\n";
        assert_eq!(
            parse_status(text),
            Some(Memory {
                rss_kib: 40960,
                peak_kib: 51200,
                anon_kib: None,
            })
        );
        let text =
            "VmHWM:\t 51200 kB\nVmRSS:\t 40960 kB\nRssAnon:\t 9000 kB\nRssFile:\t 31960 kB\n";
        assert_eq!(parse_status(text).and_then(|m| m.anon_kib), Some(9000));
        assert_eq!(parse_status("Name:\tzombie\n"), None);
    }

    #[test]
    fn cpu_ticks_from_proc_stat() {
        let stat = "4242 (novera (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 8 0";
        assert_eq!(parse_cpu_ticks(stat), Some(280));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }

    #[test]
    fn counters_sum_over_shards() {
        let text = "\
# TYPE novera_gateway_events_total counter
novera_gateway_events_total{shard=\"0\"} 10
novera_gateway_events_total{shard=\"1\"} 5
# TYPE novera_gateway_events_dropped_total counter
novera_gateway_events_dropped_total{shard=\"0\"} 2
# TYPE novera_gateway_resumes_total counter
novera_gateway_resumes_total{shard=\"1\"} 1
# TYPE novera_gateway_heartbeat_latency_seconds gauge
novera_gateway_heartbeat_latency_seconds{shard=\"0\"} 0.002
";
        let counters = parse_counters(text).expect("valid text");
        assert_eq!(
            counters,
            Counters {
                events: 15,
                dropped: 2,
                resumes: 1,
                identifies: 0,
                ..Counters::default()
            }
        );
    }

    #[test]
    fn launch_replaces_environment_entries() {
        let launch = BotLaunch::new(Path::new("/bin/novera"), Path::new("/tmp/x"))
            .env("NOVERA_LOG__LEVEL", "info")
            .sim("http://127.0.0.1:1");
        let levels: Vec<_> = launch
            .env
            .iter()
            .filter(|(k, _)| k == "NOVERA_LOG__LEVEL")
            .collect();
        assert_eq!(levels.len(), 1);
        assert_eq!(levels[0].1, "info");
        assert_eq!(launch.session_path(), Path::new("/tmp/x/sessions.json"));
    }
}
