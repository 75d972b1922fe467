//! The interactions endpoint as a part of the bot: bound before login (a bad address fails at
//! once), checked against the application's public key after login, served into the router
//! once it exists, and closed with the shards at stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use novera_commands::{RestGuard, Router};
use novera_core::{CancellationToken, ComponentHandle, within};
use novera_gateway::Login;
use novera_interactions::{Endpoint, EndpointError, PublicKey};
use tokio::task::JoinHandle;
use twilight_http::request::TryIntoRequest as _;

use crate::error::StartError;
use crate::ingress::RouterIngress;
use crate::parts::Core;
use crate::settings::BotSettings;

/// The status component of the endpoint (required: a worker behind a load balancer is not
/// ready before it answers).
const COMPONENT: &str = "interactions-endpoint";

/// A bound endpoint, not serving yet.
pub(crate) struct BoundEndpoint {
    endpoint: Endpoint,
    component: ComponentHandle,
}

/// Binds the endpoint when the settings ask for one.
pub(crate) async fn bind(
    settings: &BotSettings,
    core: &Core,
) -> Result<Option<BoundEndpoint>, StartError> {
    let Some(endpoint) = &settings.interactions else {
        return Ok(None);
    };
    if !settings.role.routes() {
        return Err(EndpointError::Setting {
            setting: "listen",
            reason: format!(
                "the {} role runs no command router: serve the endpoint from the workers",
                settings.role.name()
            ),
        }
        .into());
    }
    let endpoint = endpoint
        .clone()
        .with_answer_within(settings.endpoint_answer_within());
    let endpoint = Endpoint::bind(endpoint).await?;
    let component = core.status.register(COMPONENT);
    Ok(Some(BoundEndpoint {
        endpoint,
        component,
    }))
}

impl BoundEndpoint {
    /// Refuses a key that is not the application's (`verify_key`); a failed lookup only warns,
    /// the endpoint's own checks still hold.
    pub(crate) async fn check_key(
        &self,
        login: &Login,
        guard: &RestGuard,
        limit: Duration,
    ) -> Result<(), StartError> {
        let http = login.http();
        let lookup = async {
            let request = http
                .current_user_application()
                .try_into_request()
                .map_err(|e| e.to_string())?;
            let response = guard
                .send::<twilight_model::oauth::Application>(&http, request)
                .await
                .map_err(|e| e.to_string())?;
            response.model().await.map_err(|e| e.to_string())
        };
        let application = match within(limit, lookup).await {
            Some(Ok(application)) => application,
            Some(Err(error)) => {
                tracing::warn!(%error, "cannot read the application's public key to check the endpoint's");
                return Ok(());
            }
            None => {
                tracing::warn!("reading the application's public key timed out");
                return Ok(());
            }
        };
        let configured = self.endpoint.settings().public_key;
        match PublicKey::from_hex(&application.verify_key) {
            Ok(key) if key == configured => Ok(()),
            _ => Err(StartError::PublicKeyMismatch {
                configured: configured.to_string(),
                application: application.verify_key,
            }),
        }
    }

    /// Serves interactions into `router` on a tracked task until [`RunningEndpoint::close`].
    pub(crate) fn serve(self, router: &Router, core: &Core) -> RunningEndpoint {
        let ingress = RouterIngress::new(router.clone());
        let Self {
            endpoint,
            component,
        } = self;
        let addr = endpoint.local_addr();
        let url = endpoint.url();
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let serving = component.clone();
        let task = core.shutdown.spawn("interactions endpoint", async move {
            serving.ready();
            if let Err(error) = endpoint.serve(Arc::new(ingress), token).await {
                tracing::error!(%error, "the interactions endpoint stopped");
                serving.down(error.to_string());
            }
        });
        tracing::info!(%url, "interactions endpoint serving");
        RunningEndpoint {
            addr,
            url,
            cancel,
            task,
            component,
        }
    }
}

/// The endpoint, serving.
pub(crate) struct RunningEndpoint {
    addr: SocketAddr,
    url: String,
    cancel: CancellationToken,
    task: JoinHandle<()>,
    component: ComponentHandle,
}

impl RunningEndpoint {
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Stops accepting requests (new connections are refused; a load balancer sends them
    /// elsewhere once readiness drops).
    pub(crate) fn close(&self) {
        self.component.down("stopping");
        self.cancel.cancel();
    }

    /// Waits up to `limit` for the requests in flight to get their answers.
    pub(crate) async fn finish(self, limit: Duration) -> bool {
        self.close();
        within(limit, self.task).await.is_some()
    }
}
