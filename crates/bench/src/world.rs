//! The simulated Discord each scenario runs against: its size and how it is started.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use novera_sim::{ControlClient, SessionInfo, SimHandle, SimState, Simulator};

use crate::bot::BENCH_TOKEN;

/// Guilds x members x channels, written `GxMxC` (e.g. `1000x100x20`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldSize {
    /// Guilds.
    pub guilds: u32,
    /// Members per guild, the bot included.
    pub members: u32,
    /// Text channels per guild.
    pub channels: u32,
}

impl WorldSize {
    /// Members the bot caches: guilds x members.
    #[must_use]
    pub fn cached_members(&self) -> u64 {
        u64::from(self.guilds) * u64::from(self.members)
    }
}

impl fmt::Display for WorldSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}x{}", self.guilds, self.members, self.channels)
    }
}

impl FromStr for WorldSize {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split(['x', 'X']).collect();
        let [guilds, members, channels] = parts.as_slice() else {
            bail!("a world is GUILDSxMEMBERSxCHANNELS, like 1000x100x20; got `{text}`");
        };
        let number = |part: &str, what: &str| -> Result<u32> {
            let value: u32 = part
                .trim()
                .replace('_', "")
                .parse()
                .with_context(|| format!("{what} in `{text}` is not a number"))?;
            if value == 0 {
                bail!("{what} in `{text}` must be at least 1");
            }
            Ok(value)
        };
        Ok(Self {
            guilds: number(guilds, "guilds")?,
            members: number(members, "members")?,
            channels: number(channels, "channels")?,
        })
    }
}

/// Starts a lenient simulator of `size` on an ephemeral loopback port.
///
/// Lenient: a scenario measures the bot; a rule broken under load (a marker answered after
/// 3 s) is counted in the violations report instead of changing what the bot sees.
/// `max_concurrency` 16 (what Discord gives large bots) lets big worlds identify every shard
/// at once. `heartbeat` is the interval sent in HELLO.
pub async fn start_sim(size: WorldSize, heartbeat: Option<Duration>) -> Result<SimHandle> {
    let mut builder = Simulator::builder()
        .guilds(size.guilds)
        .members_per_guild(size.members)
        .channels_per_guild(size.channels)
        .token(BENCH_TOKEN)
        .lenient(true)
        .max_concurrency(16);
    if let Some(interval) = heartbeat {
        builder = builder
            .heartbeat_interval(interval)
            .heartbeat_tolerance(interval * 4);
    }
    builder.start().await.context("start novera-sim")
}

/// The connected session of shard 0 (or the newest live one).
pub(crate) async fn session(control: &ControlClient) -> Result<SessionInfo> {
    let state = control.state().await.context("GET /_sim/state")?;
    state
        .sessions
        .iter()
        .rev()
        .find(|s| s.connected)
        .or_else(|| state.sessions.iter().rev().find(|s| s.alive))
        .cloned()
        .ok_or_else(|| anyhow!("the simulator has no live session"))
}

/// The text channels of the world's first guild (where the scenarios send their loads).
pub(crate) fn first_guild_channels(state: &SimState) -> Vec<u64> {
    state
        .guilds
        .first()
        .map(|g| g.channels.iter().filter_map(|c| c.parse().ok()).collect())
        .unwrap_or_default()
}

/// Sum of the last sequence numbers of every live session: what the bot must have received.
pub(crate) async fn dispatched(control: &ControlClient) -> Result<u64> {
    let state = control.state().await.context("GET /_sim/state")?;
    Ok(state
        .sessions
        .iter()
        .filter(|s| s.alive)
        .map(|s| s.seq)
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_guilds_members_channels() {
        let size: WorldSize = "1000x100x20".parse().expect("valid");
        assert_eq!(
            size,
            WorldSize {
                guilds: 1000,
                members: 100,
                channels: 20
            }
        );
        assert_eq!(size.cached_members(), 100_000);
        assert_eq!(size.to_string(), "1000x100x20");
        assert_eq!(
            "10_000X100x20".parse::<WorldSize>().expect("valid").guilds,
            10_000
        );
    }

    #[test]
    fn rejects_malformed_worlds() {
        for bad in ["1000x100", "axbxc", "0x1x1", "1x1x1x1", ""] {
            assert!(bad.parse::<WorldSize>().is_err(), "{bad}");
        }
    }
}
