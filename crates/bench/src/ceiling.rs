//! `ceiling`: the physical limits the throughput figure is compared with, on this machine.
//!
//! - Deserialization: twilight-model parses the simulator's own `MESSAGE_CREATE` payloads
//!   (captured from a real connection) in a tight loop on one thread. A bot that does anything
//!   with an event must at least parse it, so half of this is a fair target. The same for the
//!   payloads of the simulator's mixed load (presences, typing, messages, edits, deletes,
//!   reactions, member updates), the ceiling of the `mix` throughput.
//! - Frames: the simulator pushes the same load to a client that only reads WebSocket frames,
//!   once with `zstd-stream` (the transport `novera` uses, never decompressed here) and once
//!   uncompressed. Nothing can go faster through this simulator and this socket.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::frames::{FrameReader, LoadIntents, deserialize};
use crate::harness::{Bench, count};
use crate::report::Report;
use crate::world::{WorldSize, start_sim};

/// Options of the ceiling scenario.
#[derive(Debug, Clone)]
pub struct CeilingOptions {
    /// Events per run.
    pub events: u64,
    /// Distinct payloads captured for the deserialization loop.
    pub sample: usize,
    /// The world (as in the throughput scenario).
    pub world: WorldSize,
}

/// Runs the scenario `bench.runs` times.
pub async fn ceiling(bench: &Bench, options: &CeilingOptions) -> Result<Report> {
    let mut report = Report::new("ceiling");
    report.param("events", options.events);
    report.param("sample", options.sample);
    report.param("world", options.world.to_string());
    report.param("runs", bench.runs);

    bench.progress("ceiling: capturing payloads");
    let samples = capture(options, LoadIntents::Messages)
        .await
        .context("capture payloads")?;
    let mix_samples = capture(options, LoadIntents::Mix)
        .await
        .context("capture mixed payloads")?;
    let mean = |s: &[String]| s.iter().map(String::len).sum::<usize>() / s.len().max(1);
    report.param("mean_payload_bytes", mean(&samples));
    report.param("mix_mean_payload_bytes", mean(&mix_samples));

    let mut deser = Vec::new();
    let mut mix_deser = Vec::new();
    let mut zstd = Vec::new();
    let mut plain = Vec::new();
    for run in 1..=bench.runs {
        bench.progress(&format!("ceiling: run {run}/{}", bench.runs));
        let events = options.events;
        let samples_for_thread = samples.clone();
        let took = tokio::task::spawn_blocking(move || deserialize(&samples_for_thread, events))
            .await
            .context("deserialization thread")??;
        deser.push(count(events) / took.as_secs_f64().max(1e-9));
        let mix_for_thread = mix_samples.clone();
        let took = tokio::task::spawn_blocking(move || deserialize(&mix_for_thread, events))
            .await
            .context("deserialization thread")??;
        mix_deser.push(count(events) / took.as_secs_f64().max(1e-9));
        zstd.push(count(events) / push(options, true).await?.as_secs_f64().max(1e-9));
        plain.push(count(events) / push(options, false).await?.as_secs_f64().max(1e-9));
    }
    report.figure("deserialize_events_per_s", "events/s", deser);
    report.figure("mix_deserialize_events_per_s", "events/s", mix_deser);
    report.figure("frames_zstd_events_per_s", "events/s", zstd);
    report.figure("frames_plain_events_per_s", "events/s", plain);
    Ok(report)
}

/// Captures `sample` load payloads (messages, or the mixed load) from an uncompressed
/// connection.
async fn capture(options: &CeilingOptions, load: LoadIntents) -> Result<Vec<String>> {
    let sim = start_sim(options.world, None).await?;
    let mut reader =
        FrameReader::identify(&sim.gateway_url(), false, options.world.guilds, load).await?;
    let sample = u64::try_from(options.sample.max(1)).unwrap_or(u64::MAX);
    match load {
        LoadIntents::Messages | LoadIntents::Members => {
            sim.control().load_messages(sample, None).await?
        }
        LoadIntents::Mix => sim.control().load_mix(sample, None, None).await?,
    };
    let frames = reader.capture(options.sample.max(1)).await?;
    reader.close().await;
    sim.shutdown().await;
    Ok(frames)
}

/// Time from asking for the load to the last frame read.
async fn push(options: &CeilingOptions, compressed: bool) -> Result<Duration> {
    let sim = start_sim(options.world, None).await?;
    let mut reader = FrameReader::identify(
        &sim.gateway_url(),
        compressed,
        options.world.guilds,
        LoadIntents::Messages,
    )
    .await?;
    let start = Instant::now();
    sim.control().load_messages(options.events, None).await?;
    reader.drain(options.events).await?;
    let took = start.elapsed();
    reader.close().await;
    sim.shutdown().await;
    Ok(took)
}
