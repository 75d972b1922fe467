//! The broker of the `cluster` scenario: a real `nats-server -js` child process on an ephemeral
//! loopback port with a temporary `JetStream` store, as operators run it (docs/scaling.md).
//!
//! The bench depends on no other workspace crate (it measures only the binaries), so it starts
//! the server itself, the way `novera_testkit::NatsServer` does for the tests.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::bot::{Memory, proc_cpu_time, proc_memory};

/// Where Debian installs `nats-server` (`/usr/sbin` is not on every user's `PATH`), tried
/// after `PATH`.
const DEBIAN_PATHS: &[&str] = &["/usr/sbin/nats-server", "/usr/bin/nats-server"];

/// How long the server may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// A running `nats-server -js`; killed, and its store deleted, when dropped.
#[derive(Debug)]
pub struct NatsServer {
    child: Child,
    pid: u32,
    url: String,
    // Deleted when the server is dropped (after the child is killed).
    _store: tempfile::TempDir,
}

impl NatsServer {
    /// Starts the server; a clear error when `nats-server` is not installed.
    pub async fn start() -> Result<Self> {
        let binary = find_binary().ok_or_else(|| {
            anyhow!(
                "the cluster scenario needs nats-server on PATH (Debian: `apt-get install nats-server`)"
            )
        })?;
        let store = tempfile::tempdir().context("temporary JetStream store")?;
        let mut child = Command::new(&binary)
            .args(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd"])
            .arg(store.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| anyhow!("nats-server exited at once"))?;
        let stderr = child.stderr.take().context("stderr is piped")?;
        let mut lines = BufReader::new(stderr).lines();
        let port = tokio::time::timeout(READY_WITHIN, async {
            let mut port = None;
            while let Ok(Some(line)) = lines.next_line().await {
                port = port.or_else(|| client_port(&line));
                if line.contains("Server is ready") {
                    return port;
                }
            }
            None
        })
        .await
        .ok()
        .flatten();
        let Some(port) = port else {
            bail!(
                "{} did not become ready within {READY_WITHIN:?}",
                binary.display()
            );
        };
        // Keep reading its log so the pipe never fills.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            pid,
            url: format!("nats://127.0.0.1:{port}"),
            _store: store,
        })
    }

    /// `nats://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Resident and peak memory now.
    pub fn memory(&self) -> Result<Memory> {
        proc_memory(self.pid)
    }

    /// CPU time (user + system) used so far.
    pub fn cpu_time(&self) -> Result<Duration> {
        proc_cpu_time(self.pid)
    }

    /// Stops the server (SIGKILL: its store is thrown away anyway) and waits for the exit.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The port in `Listening for client connections on 127.0.0.1:PORT`.
fn client_port(line: &str) -> Option<u16> {
    let at = line.find("Listening for client connections on ")?;
    line[at..].rsplit(':').next()?.trim().parse().ok()
}

/// `nats-server` on `PATH`, else where Debian puts it.
fn find_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nats-server"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| DEBIAN_PATHS.iter().map(PathBuf::from).find(|p| p.is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_from_the_listening_line() {
        assert_eq!(
            client_port(
                "[4242] 2026/11/23 05:52:01.123456 [INF] Listening for client connections on 127.0.0.1:41234"
            ),
            Some(41234)
        );
        assert_eq!(client_port("[INF] Server is ready"), None);
        assert_eq!(
            client_port("Listening for client connections on 127.0.0.1:x"),
            None
        );
    }
}
