//! `novera-sim`: run the local Discord as a process.
//!
//! Prints exactly one line to stdout, `novera-sim listening on http://127.0.0.1:PORT`, logs to
//! stderr, and stops cleanly on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use novera_sim::Simulator;

/// A faithful local Discord (gateway v10, REST v10, control API) on one loopback port.
#[derive(Debug, Parser)]
#[command(name = "novera-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Guilds in the world.
    #[arg(long, default_value_t = 2)]
    guilds: u32,
    /// Text channels per guild.
    #[arg(long, default_value_t = 3)]
    channels_per_guild: u32,
    /// Members per guild, the bot included.
    #[arg(long, default_value_t = 5)]
    members_per_guild: u32,
    /// Shard count `/gateway/bot` recommends (default: one per 1000 guilds).
    #[arg(long)]
    shards: Option<u32>,
    /// Heartbeat interval sent in HELLO, in milliseconds.
    #[arg(long, default_value_t = 41_250)]
    heartbeat_interval_ms: u64,
    /// Grace past the heartbeat interval before a silent connection is closed, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    heartbeat_tolerance_ms: u64,
    /// How long a connection may stay after op 7 RECONNECT before it is closed, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    reconnect_grace_ms: u64,
    /// Token the bot must present (any token is accepted when unset).
    #[arg(long, env = "NOVERA_SIM_TOKEN")]
    token: Option<String>,
    /// Identify budget (`session_start_limit.total`).
    #[arg(long, default_value_t = 1000)]
    session_start_limit: u32,
    /// Identify concurrency (`session_start_limit.max_concurrency`).
    #[arg(long, default_value_t = 1)]
    max_concurrency: u32,
    /// Close IDENTIFYs that ask for privileged intents with 4014.
    #[arg(long)]
    deny_privileged_intents: bool,
    /// Count rule violations without enforcing them.
    #[arg(long)]
    lenient: bool,
    /// Invalid requests (401/403/429) per 10 minutes before every request gets 429.
    #[arg(long, default_value_t = 10_000)]
    invalid_request_limit: u32,
    /// Requests per REST route bucket per window.
    #[arg(long, default_value_t = 5)]
    rest_bucket_limit: u32,
    /// Window of a REST route bucket, in milliseconds.
    #[arg(long, default_value_t = 5_000)]
    rest_bucket_window_ms: u64,
    /// Global REST requests per second (interaction routes exempt).
    #[arg(long, default_value_t = 50)]
    rest_global_limit: u32,
    /// Send interactions to this interactions endpoint URL (loopback `http://` only) instead
    /// of the gateway, from the start (not checked with a PING, unlike `POST /_sim/application`).
    #[arg(long)]
    interactions_endpoint_url: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut builder = Simulator::builder()
        .listen(args.listen)
        .guilds(args.guilds)
        .channels_per_guild(args.channels_per_guild)
        .members_per_guild(args.members_per_guild)
        .heartbeat_interval(Duration::from_millis(args.heartbeat_interval_ms))
        .heartbeat_tolerance(Duration::from_millis(args.heartbeat_tolerance_ms))
        .reconnect_grace(Duration::from_millis(args.reconnect_grace_ms))
        .session_start_limit(args.session_start_limit)
        .max_concurrency(args.max_concurrency)
        .deny_privileged_intents(args.deny_privileged_intents)
        .lenient(args.lenient)
        .invalid_request_limit(args.invalid_request_limit)
        .rest_bucket_limit(args.rest_bucket_limit)
        .rest_bucket_window(Duration::from_millis(args.rest_bucket_window_ms))
        .rest_global_limit(args.rest_global_limit);
    if let Some(shards) = args.shards {
        builder = builder.shards(shards);
    }
    if let Some(token) = args.token {
        builder = builder.token(token);
    }
    if let Some(url) = args.interactions_endpoint_url {
        builder = builder.interactions_endpoint_url(url);
    }
    let sim = match builder.start().await {
        Ok(sim) => sim,
        Err(error) => {
            tracing::error!(error = %error, source = ?std::error::Error::source(&error), "novera-sim could not start");
            return std::process::ExitCode::from(1);
        }
    };
    // The one stdout line: scripts and benchmarks read the URL from it.
    #[allow(clippy::print_stdout)]
    {
        println!("novera-sim listening on {}", sim.base_url());
    }
    wait_for_signal().await;
    tracing::info!("stopping");
    sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
