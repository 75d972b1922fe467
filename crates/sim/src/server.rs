//! Starting and stopping a simulator: one listener serving REST, the control API and the gateway.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{RawQuery, State, WebSocketUpgrade};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api_error::ApiError;
use crate::config::SimulatorBuilder;
use crate::control_client::ControlClient;
use crate::error::SimError;
use crate::gateway::{self, ConnectParams};
use crate::state::Sim;
use crate::{control, endpoint, rest};

/// How long `shutdown` waits for connections and tasks to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Entry point: `Simulator::builder()...start().await`.
#[derive(Debug)]
#[non_exhaustive]
pub struct Simulator;

impl Simulator {
    /// A builder with Discord's defaults and a small world (2 guilds, 3 channels, 5 members).
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
}

impl SimulatorBuilder {
    /// Binds the listener and starts serving.
    pub async fn start(self) -> Result<SimHandle, SimError> {
        if let Some(url) = &self.config.interactions_endpoint_url {
            endpoint::check_url(url).map_err(|reason| SimError::EndpointUrl {
                url: url.clone(),
                reason,
            })?;
        }
        let addr = self.config.listen;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let sim = Arc::new(Sim::new(self.config, format!("ws://{addr}")));
        let app = Router::new()
            .nest("/api/v10", rest::router(Arc::clone(&sim)))
            .nest("/_sim", control::router())
            .fallback(gateway_or_not_found)
            .with_state(Arc::clone(&sim));
        let stop = sim.shutdown.clone();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "simulator server stopped");
            }
        });
        sim.tracker.spawn(reap_sessions(Arc::clone(&sim)));
        tracing::info!(%addr, guilds = sim.cfg.guilds, lenient = sim.cfg.lenient, "novera-sim listening");
        Ok(SimHandle {
            addr,
            sim,
            server: Some(server),
        })
    }
}

/// Frees the replay buffers of sessions that can no longer resume.
async fn reap_sessions(sim: Arc<Sim>) {
    let period =
        (sim.cfg.resume_retention / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
    let mut tick = tokio::time::interval(period);
    loop {
        tokio::select! {
            () = sim.shutdown.cancelled() => return,
            _ = tick.tick() => {
                let mut inner = sim.lock();
                sim.reap_sessions(&mut inner);
            }
        }
    }
}

/// Any path that is neither REST nor control: a gateway WebSocket if it is an upgrade
/// (any path, any query), otherwise a JSON 404.
async fn gateway_or_not_found(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if let Ok(upgrade) = upgrade {
        let params = ConnectParams::from_query(query.as_deref());
        let tracker = sim.tracker.clone();
        upgrade.on_upgrade(move |socket| tracker.track_future(gateway::serve(sim, socket, params)))
    } else {
        let mut response = ApiError::not_found().into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// A running simulator. Dropping it stops the server (without waiting); prefer
/// [`shutdown`](Self::shutdown) to wait until every task ended.
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<Sim>,
    server: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// The bound address (`127.0.0.1:PORT`).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:PORT` (what `/gateway/bot` and READY's `resume_gateway_url` say).
    #[must_use]
    pub fn gateway_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// `127.0.0.1:PORT`, for `twilight_http::Client::builder().proxy(host, true)`.
    #[must_use]
    pub fn api_host(&self) -> String {
        self.addr.to_string()
    }

    /// A control API client for this simulator.
    #[must_use]
    pub fn control(&self) -> ControlClient {
        ControlClient::new(self.base_url())
    }

    /// Resolves when the simulator was stopped (by `shutdown` or by dropping a clone-less handle).
    pub async fn stopped(&self) {
        self.sim.shutdown.cancelled().await;
    }

    /// Stops the server, closes every gateway connection and waits (up to 5 s) for all tasks.
    pub async fn shutdown(mut self) {
        self.sim.shutdown.cancel();
        self.sim.tracker.close();
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, server).await;
        }
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.sim.tracker.wait()).await;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.sim.shutdown.cancel();
        self.sim.tracker.close();
    }
}
