//! The `novera_gateway_*` metrics, recorded through the `metrics` facade.
//!
//! Labels are the shard id, close code and payload error kind only: bounded sets, never a user
//! or guild id.

use metrics::{Counter, Gauge, Unit, counter, describe_counter, describe_gauge, gauge};

/// Dispatch events received, by shard.
pub const EVENTS_TOTAL: &str = "novera_gateway_events_total";
/// Events shed because the consumer queue was full or gone, by shard.
pub const EVENTS_DROPPED_TOTAL: &str = "novera_gateway_events_dropped_total";
/// New gateway connections after a shard's first, by shard.
pub const RECONNECTS_TOTAL: &str = "novera_gateway_reconnects_total";
/// Successful RESUMEs, by shard.
pub const RESUMES_TOTAL: &str = "novera_gateway_resumes_total";
/// Successful IDENTIFYs, by shard.
pub const IDENTIFIES_TOTAL: &str = "novera_gateway_identifies_total";
/// Gateway closes, by shard and close code.
pub const CLOSES_TOTAL: &str = "novera_gateway_closes_total";
/// Latest heartbeat round trip, by shard.
pub const HEARTBEAT_LATENCY_SECONDS: &str = "novera_gateway_heartbeat_latency_seconds";
/// 1 while a shard is active, else 0.
pub const SHARD_ACTIVE: &str = "novera_gateway_shard_active";
/// Gateway payloads skipped because they could not be read, by shard and kind (`invalid`,
/// `unknown_opcode`, `unknown_event`, `malformed`, `undecodable`).
pub const PAYLOAD_ERRORS_TOTAL: &str = "novera_gateway_payload_errors_total";
/// IDENTIFYs left in the daily budget.
pub const IDENTIFY_BUDGET_REMAINING: &str = "novera_gateway_identify_budget_remaining";

/// Registers descriptions and units with the installed recorder (call after installing it;
/// [`Gateway::start`](crate::Gateway::start) calls it too).
pub fn describe_metrics() {
    describe_counter!(
        EVENTS_TOTAL,
        Unit::Count,
        "Dispatch events received from the gateway."
    );
    describe_counter!(
        EVENTS_DROPPED_TOTAL,
        Unit::Count,
        "Events shed because the queue to the event consumer was full."
    );
    describe_counter!(RECONNECTS_TOTAL, Unit::Count, "Gateway reconnections.");
    describe_counter!(RESUMES_TOTAL, Unit::Count, "Successful gateway RESUMEs.");
    describe_counter!(
        IDENTIFIES_TOTAL,
        Unit::Count,
        "Successful gateway IDENTIFYs."
    );
    describe_counter!(
        CLOSES_TOTAL,
        Unit::Count,
        "Gateway connection closes by close code."
    );
    describe_gauge!(
        HEARTBEAT_LATENCY_SECONDS,
        Unit::Seconds,
        "Latest gateway heartbeat round trip."
    );
    describe_counter!(
        PAYLOAD_ERRORS_TOTAL,
        Unit::Count,
        "Gateway payloads skipped because they could not be read, by kind."
    );
    describe_gauge!(SHARD_ACTIVE, "1 while the shard is active, else 0.");
    describe_gauge!(
        IDENTIFY_BUDGET_REMAINING,
        Unit::Count,
        "IDENTIFYs left in the daily session start budget."
    );
}

/// Sets the identify budget gauge.
pub(crate) fn identify_budget(remaining: u32) {
    gauge!(IDENTIFY_BUDGET_REMAINING).set(f64::from(remaining));
}

/// One shard's metric handles, resolved once so the hot path does not build labels.
#[derive(Debug, Clone)]
pub(crate) struct ShardMetrics {
    shard: String,
    pub(crate) events: Counter,
    pub(crate) dropped: Counter,
    pub(crate) reconnects: Counter,
    pub(crate) resumes: Counter,
    pub(crate) identifies: Counter,
    pub(crate) latency: Gauge,
    pub(crate) active: Gauge,
}

impl ShardMetrics {
    pub(crate) fn new(shard: u32) -> Self {
        let shard = shard.to_string();
        Self {
            events: counter!(EVENTS_TOTAL, "shard" => shard.clone()),
            dropped: counter!(EVENTS_DROPPED_TOTAL, "shard" => shard.clone()),
            reconnects: counter!(RECONNECTS_TOTAL, "shard" => shard.clone()),
            resumes: counter!(RESUMES_TOTAL, "shard" => shard.clone()),
            identifies: counter!(IDENTIFIES_TOTAL, "shard" => shard.clone()),
            latency: gauge!(HEARTBEAT_LATENCY_SECONDS, "shard" => shard.clone()),
            active: gauge!(SHARD_ACTIVE, "shard" => shard.clone()),
            shard,
        }
    }

    /// Counts a close with `code` (1006 for a connection lost without a close frame).
    pub(crate) fn close(&self, code: u16) {
        counter!(CLOSES_TOTAL, "shard" => self.shard.clone(), "code" => code.to_string())
            .increment(1);
    }
}
