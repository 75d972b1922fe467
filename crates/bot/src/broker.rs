//! Connecting to the broker for a cluster role: retried with backoff while the server is
//! unreachable (it may be starting), final when it refuses the credentials.

use novera_cluster::{Broker, ClusterSettings};
use novera_core::{Backoff, BackoffPolicy, ComponentHandle, Shutdown, within};

use crate::error::StartError;
use crate::view::BotStatus;

/// Connects `role`'s process to the broker and sets up the events stream; the component is
/// down (and `/status` says why) while it retries.
pub(crate) async fn connect(
    settings: &ClusterSettings,
    role: &str,
    policy: BackoffPolicy,
    shutdown: &Shutdown,
    component: &ComponentHandle,
    status: &BotStatus,
) -> Result<Broker, StartError> {
    let mut backoff = Backoff::new(policy);
    loop {
        let attempt = async {
            let broker = Broker::connect(settings, role).await?;
            broker.events_stream().await?;
            Ok::<_, novera_cluster::ConnectError>(broker)
        };
        match attempt.await {
            Ok(broker) => {
                component.ready();
                return Ok(broker);
            }
            Err(error) if error.is_transient() => {
                let delay = backoff.next_delay();
                let message = format!("{error}; retrying in {:.0}s", delay.as_secs_f64());
                tracing::warn!(%error, retry_in_secs = delay.as_secs_f64(), "broker not available");
                component.down(message.clone());
                status.set_last_error(message);
                if within(delay, shutdown.requested()).await.is_some() {
                    return Err(StartError::StopRequested);
                }
            }
            Err(error) => return Err(StartError::Cluster(error)),
        }
    }
}
