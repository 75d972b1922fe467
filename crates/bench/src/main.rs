//! `novera-bench`: runs a benchmark scenario against the real `novera` binary and prints its
//! figures (a table, or one JSON object per scenario with `--json`).
//!
//! ```text
//! cargo build --release -p app
//! cargo run -p novera-bench --release -- throughput --json
//! cargo run -p novera-bench --release -- all --runs 5
//! cargo run -p novera-bench --release -- cluster --runs 3   # needs nats-server
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use novera_bench::{
    Bench, CeilingOptions, ChaosOptions, ClusterOptions, Ingress, LatencyOptions, MemoryOptions,
    RecoveryOptions, Report, ThroughputOptions, WorldSize,
};

/// `--bot-env` as given, recorded in every report's parameters.
static BOT_ENV: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

/// Benchmarks of the novera binary against novera-sim (127.0.0.1 only).
#[derive(Debug, Parser)]
#[command(name = "novera-bench", version, about)]
struct Cli {
    /// Print one JSON object per scenario instead of a table.
    #[arg(long, global = true)]
    json: bool,
    /// Runs per scenario (median and spread are reported).
    #[arg(long, global = true, default_value_t = 5)]
    runs: usize,
    /// The novera binary (default: `novera` next to this executable, i.e. the same profile).
    #[arg(long, global = true)]
    novera: Option<PathBuf>,
    /// No progress lines on stderr.
    #[arg(long, global = true)]
    quiet: bool,
    /// Extra environment variable of the bot, KEY=VALUE (repeatable; for experiments with the
    /// allocator or the cache settings).
    #[arg(long = "bot-env", global = true, value_parser = parse_env)]
    bot_env: Vec<(String, String)>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// N message creates (and a mixed load) through the bot, cache on: events/s.
    Throughput(ThroughputArgs),
    /// Deserialization and frame-reading limits on this machine: events/s.
    Ceiling(CeilingArgs),
    /// /ping at fixed rates, over the gateway and/or the interactions endpoint: p50/p90/p99/max
    /// answer time, unanswered commands.
    Latency(LatencyArgs),
    /// Peak and settled RSS after READY for G guilds x M members x C channels.
    Memory(MemoryArgs),
    /// op 7, TCP drop, zombie, process restart (SIGTERM) and crash (SIGKILL): time to RESUMED,
    /// events lost, events replayed after a crash.
    Recovery(RecoveryArgs),
    /// exec to /readyz 200 in sandbox mode.
    Startup,
    /// `novera gateway` + `novera worker`s over a real nats-server against `novera run`:
    /// events/s, commands/s, added p50/p99, redeliveries after a worker is killed, RSS.
    Cluster(ClusterArgs),
    /// A soak under seeded random faults every 1-4 s (gateway, REST, garbage) with steady
    /// commands and events: commands delivered, answered, late, twice; identifies; RSS. Runs
    /// once (`--runs` does not apply) and is not part of `all`.
    Chaos(ChaosArgs),
    /// Every scenario but `cluster` (it needs nats-server) and `chaos` (a soak) with its
    /// defaults (size flags of `throughput` and `ceiling` apply), then the throughput/ceiling
    /// ratios.
    All(AllArgs),
}

#[derive(Debug, Clone, Args)]
struct LoadArgs {
    /// Events per run.
    #[arg(long, default_value_t = 200_000)]
    events: u64,
    /// World: guilds x members x channels, like 10x50x5.
    #[arg(long, default_value = "10x50x5")]
    world: WorldSize,
}

#[derive(Debug, Args)]
struct ThroughputArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Skip the mixed-events variant.
    #[arg(long)]
    no_mix: bool,
}

#[derive(Debug, Args)]
struct CeilingArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Distinct payloads captured for the deserialization loop.
    #[arg(long, default_value_t = 4096)]
    sample: usize,
}

#[derive(Debug, Args)]
struct LatencyArgs {
    /// Commands per second, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "100,500,1000")]
    rates: Vec<u32>,
    /// Seconds each run sends for.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// World: guilds x members x channels, like 10x50x5.
    #[arg(long, default_value = "1x20x2")]
    world: WorldSize,
    /// How commands reach the bot: `gateway`, `http` (its interactions endpoint; figures
    /// named `http_…`), or both on the same bot, comma separated (`gateway,http`).
    #[arg(long, value_delimiter = ',', default_value = "gateway")]
    ingress: Vec<Ingress>,
}

#[derive(Debug, Args)]
struct MemoryArgs {
    /// Worlds: guilds x members x channels, like 1000x100x20 (repeat the flag for several).
    #[arg(long = "world", default_values = ["1000x100x20", "10000x100x20"])]
    worlds: Vec<WorldSize>,
}

#[derive(Debug, Args)]
struct RecoveryArgs {
    /// Message creates in flight when each fault lands.
    #[arg(long, default_value_t = 1000)]
    in_flight: u64,
    /// Heartbeat interval of the simulator, in ms (zombie detection scales with it).
    #[arg(long, default_value_t = 500)]
    heartbeat_ms: u64,
    /// World: guilds x members x channels, like 10x50x5.
    #[arg(long, default_value = "2x10x2")]
    world: WorldSize,
}

#[derive(Debug, Args)]
struct ClusterArgs {
    /// `MESSAGE_CREATE`s through the bot per run (gateway -> stream -> every worker).
    #[arg(long, default_value_t = 100_000)]
    events: u64,
    /// `/ping`s of the commands/s phase (in waves of 32).
    #[arg(long, default_value_t = 2_000)]
    commands: u64,
    /// `/ping`s per second of the latency phase and around the worker kill.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Seconds the latency phase sends for.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Worker processes (at least 2: one is killed).
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Slow commands (/diag of 1.5 s) in flight when a worker is killed.
    #[arg(long, default_value_t = 50)]
    kill_commands: u64,
    /// World: guilds x members x channels (at least 2 channels), like 10x50x5.
    #[arg(long, default_value = "10x50x5")]
    world: WorldSize,
}

#[derive(Debug, Args)]
struct ChaosArgs {
    /// Minutes of faults and commands (fractions allowed, e.g. 0.34 for about 20 s).
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Seed of the fault generator (the same seed draws the same faults).
    #[arg(long, default_value_t = 17)]
    seed: u64,
    /// Slash commands per second.
    #[arg(long, default_value_t = 20)]
    rate: u32,
    /// Prefix commands (`!ping`) per second.
    #[arg(long, default_value_t = 2.0)]
    prefix_rate: f64,
    /// Events of the simulator's mixed load per second.
    #[arg(long, default_value_t = 100)]
    events: u64,
    /// Heartbeat interval of the simulator, in ms.
    #[arg(long, default_value_t = 1000)]
    heartbeat_ms: u64,
    /// World: guilds x members x channels, like 10x50x5.
    #[arg(long, default_value = "2x20x3")]
    world: WorldSize,
}

#[derive(Debug, Args)]
struct AllArgs {
    #[command(flatten)]
    load: LoadArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("novera-bench")
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            report_error(&anyhow::anyhow!(e).context("cannot start the async runtime"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stderr, reason = "the binary's error report")]
fn report_error(error: &anyhow::Error) {
    eprintln!("novera-bench: error: {error:#}");
}

#[allow(clippy::print_stdout, reason = "the binary's results")]
fn print(report: &Report, json: bool) {
    let mut report = report.clone();
    if let Some(env) = BOT_ENV.get().filter(|e| !e.is_empty()) {
        report.param("bot_env", env.join(" "));
    }
    if json {
        println!("{}", report.to_json_line());
    } else {
        println!("{}", report.to_table());
    }
}

/// `novera` next to this executable: `cargo run --release -p novera-bench` finds the release
/// build of `app`, a debug bench the debug build.
fn default_novera() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locate novera-bench")?;
    let dir = exe.parent().context("novera-bench has no directory")?;
    Ok(dir.join("novera"))
}

async fn run(cli: Cli) -> Result<()> {
    let novera = match cli.novera {
        Some(path) => path,
        None => default_novera()?,
    };
    if !novera.is_file() {
        bail!(
            "no novera binary at {} (build it with `cargo build --release -p app`, or pass --novera PATH)",
            novera.display()
        );
    }
    if cli.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let bench = Bench {
        novera: std::path::absolute(&novera).unwrap_or(novera),
        runs: cli.runs,
        progress: !cli.quiet,
        bot_env: cli.bot_env,
    };
    let _ = BOT_ENV.set(
        bench
            .bot_env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect(),
    );
    let json = cli.json;
    match cli.scenario {
        Scenario::Throughput(args) => {
            let options = ThroughputOptions {
                events: args.load.events,
                world: args.load.world,
                mix: !args.no_mix,
            };
            print(&novera_bench::throughput(&bench, &options).await?, json);
        }
        Scenario::Ceiling(args) => {
            let options = CeilingOptions {
                events: args.load.events,
                sample: args.sample,
                world: args.load.world,
            };
            print(&novera_bench::ceiling(&bench, &options).await?, json);
        }
        Scenario::Latency(args) => {
            print(
                &novera_bench::latency(&bench, &latency_options(&args)?).await?,
                json,
            );
        }
        Scenario::Memory(args) => {
            let options = MemoryOptions {
                worlds: args.worlds,
            };
            print(&novera_bench::memory(&bench, &options).await?, json);
        }
        Scenario::Recovery(args) => {
            print(
                &novera_bench::recovery(&bench, &recovery_options(&args)).await?,
                json,
            );
        }
        Scenario::Startup => print(&novera_bench::startup(&bench).await?, json),
        Scenario::Cluster(args) => {
            print(
                &novera_bench::cluster(&bench, &cluster_options(&args)?).await?,
                json,
            );
        }
        Scenario::Chaos(args) => {
            print(
                &novera_bench::chaos(&bench, &chaos_options(&args)?).await?,
                json,
            );
        }
        Scenario::All(args) => all(&bench, &args, json).await?,
    }
    Ok(())
}

fn parse_env(pair: &str) -> Result<(String, String)> {
    match pair.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => bail!("expected KEY=VALUE, got `{pair}`"),
    }
}

fn latency_options(args: &LatencyArgs) -> Result<LatencyOptions> {
    if args.rates.is_empty() || args.rates.contains(&0) {
        bail!("--rates must list rates of at least 1 per second");
    }
    if !(args.seconds > 0.0 && args.seconds <= 3600.0) {
        bail!("--seconds must be between 0 and 3600");
    }
    if args.ingress.is_empty() {
        bail!("--ingress must name `gateway`, `http` or both");
    }
    let mut ingresses = args.ingress.clone();
    ingresses.dedup();
    Ok(LatencyOptions {
        rates: args.rates.clone(),
        duration: Duration::from_secs_f64(args.seconds),
        world: args.world,
        ingresses,
    })
}

fn cluster_options(args: &ClusterArgs) -> Result<ClusterOptions> {
    if args.rate == 0 {
        bail!("--rate must be at least 1 per second");
    }
    if !(args.seconds > 0.0 && args.seconds <= 3600.0) {
        bail!("--seconds must be between 0 and 3600");
    }
    if args.workers < 2 {
        bail!("--workers must be at least 2 (one is killed)");
    }
    if args.world.channels < 2 {
        bail!("--world needs at least 2 channels (the load goes to one, the marker to another)");
    }
    Ok(ClusterOptions {
        events: args.events.max(1),
        commands: args.commands.max(1),
        rate: args.rate,
        duration: Duration::from_secs_f64(args.seconds),
        workers: args.workers,
        kill_commands: args.kill_commands,
        world: args.world,
    })
}

fn chaos_options(args: &ChaosArgs) -> Result<ChaosOptions> {
    if !(args.minutes > 0.0 && args.minutes <= 24.0 * 60.0) {
        bail!("--minutes must be between 0 and 1440");
    }
    if args.rate == 0 || !(0.0..=1000.0).contains(&args.prefix_rate) {
        bail!("--rate must be at least 1 and --prefix-rate between 0 and 1000");
    }
    Ok(ChaosOptions {
        duration: Duration::from_secs_f64(args.minutes * 60.0),
        seed: args.seed,
        commands_per_s: args.rate,
        prefix_per_s: args.prefix_rate,
        events_per_s: args.events,
        fault_every: (Duration::from_secs(1), Duration::from_secs(4)),
        heartbeat: Duration::from_millis(args.heartbeat_ms.max(100)),
        world: args.world,
    })
}

fn recovery_options(args: &RecoveryArgs) -> RecoveryOptions {
    RecoveryOptions {
        in_flight: args.in_flight.max(1),
        heartbeat: Duration::from_millis(args.heartbeat_ms.max(50)),
        world: args.world,
    }
}

async fn all(bench: &Bench, args: &AllArgs, json: bool) -> Result<()> {
    let throughput = novera_bench::throughput(
        bench,
        &ThroughputOptions {
            events: args.load.events,
            world: args.load.world,
            mix: true,
        },
    )
    .await?;
    print(&throughput, json);
    let ceiling = novera_bench::ceiling(
        bench,
        &CeilingOptions {
            events: args.load.events,
            sample: 4096,
            world: args.load.world,
        },
    )
    .await?;
    print(&ceiling, json);
    print(&novera_bench::ratios(&throughput, &ceiling), json);
    let latency = LatencyArgs::parse_defaults();
    print(
        &novera_bench::latency(bench, &latency_options(&latency)?).await?,
        json,
    );
    let memory = MemoryArgs::parse_defaults();
    print(
        &novera_bench::memory(
            bench,
            &MemoryOptions {
                worlds: memory.worlds,
            },
        )
        .await?,
        json,
    );
    let recovery = RecoveryArgs::parse_defaults();
    print(
        &novera_bench::recovery(bench, &recovery_options(&recovery)).await?,
        json,
    );
    print(&novera_bench::startup(bench).await?, json);
    Ok(())
}

/// The defaults clap gives a subcommand's flags, for `all`.
trait ParseDefaults: Sized {
    fn parse_defaults() -> Self;
}

impl<T: Args + clap::FromArgMatches> ParseDefaults for T {
    fn parse_defaults() -> Self {
        let command = T::augment_args(clap::Command::new("defaults"));
        let matches = command.get_matches_from(["defaults"]);
        T::from_arg_matches(&matches).expect("every flag of a scenario has a default")
    }
}
