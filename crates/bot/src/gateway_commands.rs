//! Gateway commands (request guild members, presence) through this process's own shards.

use novera_commands::{GatewayCommand, GatewayCommandError, shard_of};
use novera_gateway::Gateway;

/// Sends `command` through this process's shards: the guild's shard, or every shard.
pub(crate) fn send_local(
    gateway: &Gateway,
    command: &GatewayCommand,
) -> Result<(), GatewayCommandError> {
    let json = command.to_json();
    let shards: Vec<u32> = match command.guild() {
        Some(guild) => vec![shard_of(guild, gateway.shard_total())],
        None => gateway.status().shards.iter().map(|s| s.id).collect(),
    };
    for shard in shards {
        gateway
            .send(shard, json.clone())
            .map_err(|error| GatewayCommandError::Unavailable {
                shard,
                reason: error.to_string(),
            })?;
    }
    Ok(())
}
