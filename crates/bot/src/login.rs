//! Step one, retried: REST login with backoff on transient failures, final on a refusal.

use novera_core::{Backoff, ComponentHandle, Shutdown, within};
use novera_gateway::{ConnectError, GatewayConfig, Login};

use crate::error::StartError;
use crate::settings::BotSettings;
use crate::view::BotStatus;

/// Logs in, retrying network failures and Discord errors with backoff (the component is down
/// and `/status` says why meanwhile). A rejected token, a missing token or an unusable API URL
/// is final, and so is a stop request while waiting to retry.
pub(crate) async fn login(
    settings: &BotSettings,
    gateway: &GatewayConfig,
    shutdown: &Shutdown,
    component: &ComponentHandle,
    status: &BotStatus,
) -> Result<Login, StartError> {
    let mut backoff = Backoff::new(settings.login_retry);
    loop {
        match novera_gateway::login(gateway).await {
            Ok(login) => {
                component.ready();
                return Ok(login);
            }
            Err(
                e @ (ConnectError::InvalidToken { .. }
                | ConnectError::MissingToken
                | ConnectError::InvalidApiUrl { .. }),
            ) => return Err(StartError::Login(e)),
            Err(e) => {
                let delay = backoff.next_delay();
                let message = format!(
                    "cannot reach Discord: {e}; retrying in {:.0}s",
                    delay.as_secs_f64()
                );
                tracing::warn!(error = %e, retry_in_secs = delay.as_secs_f64(), "login failed");
                component.down(message.clone());
                status.set_last_error(message);
                if within(delay, shutdown.requested()).await.is_some() {
                    return Err(StartError::StopRequested);
                }
            }
        }
    }
}
