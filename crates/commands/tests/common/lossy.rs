//! `LossyProxy`: a TCP proxy in front of the simulator's REST API that can lose one answer: the
//! request reaches the simulator (and takes effect there), the answer never reaches the bot,
//! whose connection is closed instead. What a reset connection or a crashed load balancer does
//! to a request that landed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The proxy; its tasks end with the test's runtime.
#[derive(Clone)]
pub(crate) struct LossyProxy {
    addr: SocketAddr,
    upstream: Arc<OnceLock<String>>,
    /// The request line prefix (`POST /api/v10/channels/`) whose next answer is lost.
    armed: Arc<Mutex<Option<String>>>,
    /// Answers lost so far.
    lost: Arc<Mutex<u32>>,
}

impl LossyProxy {
    /// Listens on an ephemeral loopback port; [`url_for`](Self::url_for) names the upstream.
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let proxy = Self {
            addr: listener.local_addr().expect("local address"),
            upstream: Arc::default(),
            armed: Arc::default(),
            lost: Arc::default(),
        };
        let serving = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serving.clone().relay(client));
            }
        });
        proxy
    }

    /// Forwards to `upstream` (`http://127.0.0.1:PORT`); returns the proxy's own URL.
    pub(crate) fn url_for(&self, upstream: &str) -> String {
        let host = upstream.trim_start_matches("http://").trim_end_matches('/');
        let _ = self.upstream.set(host.to_owned());
        format!("http://{}", self.addr)
    }

    /// Loses the answer to the next request whose request line starts with `line`.
    pub(crate) fn lose_next(&self, line: &str) {
        *self.armed.lock().unwrap() = Some(line.to_owned());
    }

    /// How many answers were lost.
    pub(crate) fn lost(&self) -> u32 {
        *self.lost.lock().unwrap()
    }

    async fn relay(self, mut client: TcpStream) {
        let Some(host) = self.upstream.get() else {
            return;
        };
        let Ok(mut server) = TcpStream::connect(host).await else {
            return;
        };
        let lose = AtomicBool::new(false);
        let (mut client_read, mut client_write) = client.split();
        let (mut server_read, mut server_write) = server.split();
        let requests = async {
            let mut buffer = vec![0; 64 * 1024];
            loop {
                let n = match client_read.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let chunk = &buffer[..n];
                {
                    let mut armed = self.armed.lock().unwrap();
                    if armed
                        .as_deref()
                        .is_some_and(|line| chunk.starts_with(line.as_bytes()))
                    {
                        *armed = None;
                        lose.store(true, Ordering::SeqCst);
                    }
                }
                if server_write.write_all(chunk).await.is_err() {
                    return;
                }
            }
        };
        let answers = async {
            let mut buffer = vec![0; 64 * 1024];
            loop {
                let n = match server_read.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if lose.load(Ordering::SeqCst) {
                    // The request took effect upstream; the bot never hears of it.
                    *self.lost.lock().unwrap() += 1;
                    return;
                }
                if client_write.write_all(&buffer[..n]).await.is_err() {
                    return;
                }
            }
        };
        // Whichever side ends first closes both connections.
        tokio::select! {
            () = requests => {}
            () = answers => {}
        }
    }
}
