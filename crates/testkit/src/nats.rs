//! `NatsServer`: a real `nats-server -js` for tests, on an ephemeral loopback port with a
//! temporary store, started and stopped by the test (never a mock broker).
//!
//! Tests that need it call [`NatsServer::start`]; when `nats-server` is not installed and `CI`
//! is unset, it prints one line saying how to install it and returns `None` (the test then
//! passes without running); under `CI=true` a missing server is an error, so CI cannot skip.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::error::TestkitError;

/// Where Debian installs it, then `PATH`.
const CANDIDATES: &[&str] = &["/usr/sbin/nats-server", "/usr/bin/nats-server"];

/// A running `nats-server -js`; killed (and its store deleted) when dropped.
#[derive(Debug)]
pub struct NatsServer {
    child: Option<Child>,
    binary: PathBuf,
    port: u16,
    store: tempfile::TempDir,
}

impl NatsServer {
    /// Starts a server on `127.0.0.1` with `JetStream` on a temporary store; `None` (after one
    /// printed line) when `nats-server` is missing outside CI.
    pub async fn start() -> Result<Option<Self>, TestkitError> {
        let Some(binary) = find_binary() else {
            if std::env::var_os("CI").is_some() {
                return Err(TestkitError::Nats(
                    "nats-server is not installed (CI must install Debian's nats-server)".into(),
                ));
            }
            #[allow(clippy::print_stderr, reason = "the one line a skipped test prints")]
            {
                eprintln!(
                    "skipped: needs nats-server (install it with `apt-get install nats-server`)"
                );
            }
            return Ok(None);
        };
        let store = tempfile::tempdir().map_err(|e| TestkitError::Nats(e.to_string()))?;
        let mut server = Self {
            child: None,
            binary,
            port: 0,
            store,
        };
        server.spawn().await?;
        Ok(Some(server))
    }

    /// `nats://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The `JetStream` store directory (it survives [`restart`](Self::restart)).
    #[must_use]
    pub fn store(&self) -> &Path {
        self.store.path()
    }

    /// Kills the server (SIGKILL, as a crash) and waits for it to exit.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Kills the server and starts it again on the same port with the same store, as a broker
    /// restart: what `JetStream` acknowledged is still there.
    pub async fn restart(&mut self) -> Result<(), TestkitError> {
        self.kill().await;
        self.spawn().await
    }

    /// Starts a killed server again on the same port with the same store.
    pub async fn start_again(&mut self) -> Result<(), TestkitError> {
        if self.child.is_some() {
            return Ok(());
        }
        self.spawn().await
    }

    async fn spawn(&mut self) -> Result<(), TestkitError> {
        // Port -1 picks a free one on the first start; a restart reuses the same port so
        // clients reconnect to the URL they know.
        let port = if self.port == 0 {
            "-1".to_owned()
        } else {
            self.port.to_string()
        };
        let mut child = Command::new(&self.binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port, "-sd"])
            .arg(self.store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| TestkitError::Nats(format!("cannot start nats-server: {e}")))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| TestkitError::Nats("nats-server has no stderr".into()))?;
        let mut lines = BufReader::new(stderr).lines();
        let ready = async {
            let mut port = None;
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("Listening for client connections on ") {
                    port = line[at..]
                        .rsplit(':')
                        .next()
                        .and_then(|p| p.trim().parse::<u16>().ok());
                }
                if line.contains("Server is ready") {
                    return port;
                }
            }
            None
        };
        let port = tokio::time::timeout(Duration::from_secs(20), ready)
            .await
            .ok()
            .flatten()
            .ok_or_else(|| TestkitError::Nats("nats-server did not become ready".into()))?;
        // Keep draining its log so the pipe never fills.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.port = port;
        self.child = Some(child);
        Ok(())
    }
}

fn find_binary() -> Option<PathBuf> {
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("nats-server"))
                    .find(|p| p.is_file())
            })
        })
}
