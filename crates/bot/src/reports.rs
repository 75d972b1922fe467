//! Shard states and reports in the words `/status` and commands use, from the gateway's own
//! status or from another process's report: one naming for every view.

use std::time::{Duration, UNIX_EPOCH};

use novera_gateway::{IdentifyBudgetStatus, ShardState, ShardStatus};
use novera_health::{IdentifyBudgetReport, ShardReport};

/// A shard state's name, as `/status` and commands show it.
pub(crate) fn state_name(state: &ShardState) -> &'static str {
    match state {
        ShardState::Connecting => "connecting",
        ShardState::Identifying => "identifying",
        ShardState::Resuming => "resuming",
        ShardState::Active => "active",
        ShardState::WaitingForIdentifyBudget { .. } => "waiting_for_identify_budget",
        ShardState::FatallyClosed { .. } => "fatally_closed",
        ShardState::Stopped => "stopped",
        // Disconnected, and any state added later: not serving events.
        _ => "disconnected",
    }
}

/// A shard state named by [`state_name`] (as another process reported it) for commands.
pub(crate) fn command_state_named(
    name: &str,
    close_code: Option<u16>,
) -> novera_commands::ShardState {
    use novera_commands::ShardState as C;
    match name {
        "connecting" => C::Connecting,
        "identifying" => C::Identifying,
        "resuming" => C::Resuming,
        "active" => C::Active,
        "waiting_for_identify_budget" => C::WaitingToIdentify,
        "fatally_closed" => C::Stopped(format!("closed with {}", close_code.unwrap_or_default())),
        "stopped" => C::Stopped("stopped".to_owned()),
        _ => C::Disconnected,
    }
}

pub(crate) fn command_state(state: &ShardState) -> novera_commands::ShardState {
    use novera_commands::ShardState as C;
    match state {
        ShardState::Connecting => C::Connecting,
        ShardState::Identifying => C::Identifying,
        ShardState::Resuming => C::Resuming,
        ShardState::Active => C::Active,
        ShardState::WaitingForIdentifyBudget { .. } => C::WaitingToIdentify,
        ShardState::FatallyClosed { code } => C::Stopped(format!("closed with {code}")),
        ShardState::Stopped => C::Stopped(state_name(state).to_owned()),
        _ => C::Disconnected,
    }
}

pub(crate) fn identify_budget_report(budget: &IdentifyBudgetStatus) -> IdentifyBudgetReport {
    IdentifyBudgetReport {
        remaining: budget.remaining,
        total: budget.total,
        resets_at_unix_ms: budget.resets_at_unix_ms,
    }
}

pub(crate) fn shard_report(shard: &ShardStatus) -> ShardReport {
    let detail = match &shard.state {
        ShardState::WaitingForIdentifyBudget {
            until_unix_ms,
            in_secs,
        } => Some(format!(
            "waiting for the identify budget to reset at {} (in {in_secs:.0}s)",
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(*until_unix_ms))
        )),
        ShardState::FatallyClosed { code } => Some(format!(
            "closed by Discord with code {code}; not reconnecting"
        )),
        _ => shard.waiting.clone(),
    };
    ShardReport {
        id: shard.id,
        state: state_name(&shard.state).to_owned(),
        heartbeat_latency_ms: shard.heartbeat_latency_secs.map(|s| s * 1000.0),
        last_event_age_secs: shard.last_event_age_secs,
        events: shard.events,
        events_dropped: shard.events_dropped,
        reconnects: shard.reconnects,
        resumes: shard.resumes,
        last_close_code: shard.last_close_code,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_views_name_states_alike() {
        assert_eq!(state_name(&ShardState::Stopped), "stopped");
        assert_eq!(
            command_state(&ShardState::Stopped),
            novera_commands::ShardState::Stopped("stopped".to_owned())
        );
        assert_eq!(
            command_state(&ShardState::FatallyClosed { code: 4014 }),
            novera_commands::ShardState::Stopped("closed with 4014".to_owned())
        );
        assert_eq!(
            state_name(&ShardState::WaitingForIdentifyBudget {
                until_unix_ms: 0,
                in_secs: 1.0
            }),
            "waiting_for_identify_budget"
        );
    }
}
