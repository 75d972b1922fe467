//! Serving the router on a listener until shutdown.

use novera_core::CancellationToken;
use tokio::net::TcpListener;

use crate::error::ServeError;
use crate::router::router;
use crate::state::HealthState;

/// Serves [`router`] on `listener` until `shutdown` fires, then stops accepting, lets requests
/// in flight finish (they are quick and never wait on Discord) and returns.
///
/// `app` binds the listener (loopback by default), so a bad address fails at startup, before
/// this is spawned.
pub async fn serve(
    listener: TcpListener,
    state: HealthState,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
        .map_err(ServeError::Io)
}
