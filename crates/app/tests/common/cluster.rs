//! Processes of the cluster roles, for the tests that run them.

use std::path::Path;

use novera_sim::{ControlClient, SimHandle};

use super::{Novera, TOKEN, command, wait_status};

/// One process of the bot and where its health server is.
#[allow(
    dead_code,
    reason = "the fields keep the process and its address alive for dumps"
)]
pub(crate) struct Process {
    pub(crate) novera: Novera,
    pub(crate) health: String,
}

pub(crate) fn role(
    dir: &Path,
    name: &str,
    role: &str,
    sim: &SimHandle,
    nats: &str,
) -> tokio::process::Command {
    let home = dir.join(name);
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = command(&home);
    cmd.arg(role)
        .env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_CLUSTER__NATS_URL", nats)
        .env("NOVERA_CLUSTER__BOT", "e2e")
        .env("NOVERA_COMMANDS__DIAGNOSTICS", "true")
        .env("NOVERA_COMMANDS__PREFIX", "!");
    cmd
}

pub(crate) async fn spawn(
    dir: &Path,
    name: &str,
    kind: &str,
    sim: &SimHandle,
    nats: &str,
) -> Process {
    let novera = Novera::spawn(role(dir, name, kind, sim, nats));
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
    Process { novera, health }
}

/// Bot replies whose content contains `needle`, in the default channel.
pub(crate) async fn replies(control: &ControlClient, needle: &str) -> usize {
    let channel: u64 = control.state().await.unwrap().guilds[0].channels[0]
        .parse()
        .unwrap();
    control
        .channel_messages(channel)
        .await
        .unwrap()
        .iter()
        .filter(|m| m["author"]["bot"].as_bool() == Some(true))
        .filter(|m| m["content"].as_str().is_some_and(|c| c.contains(needle)))
        .count()
}
