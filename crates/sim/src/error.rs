//! Errors of starting a simulator and of talking to its control API.

use std::net::SocketAddr;

/// Starting a simulator failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Why binding failed.
        #[source]
        source: std::io::Error,
    },
    /// The interactions endpoint URL is not one the simulator may call.
    #[error("interactions endpoint url {url} refused: {reason}")]
    EndpointUrl {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
}

/// A control API call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// The request could not be sent or its response read.
    #[error("control request to {url} failed")]
    Http {
        /// URL requested.
        url: String,
        /// Transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The simulator answered with an error status.
    #[error("control request to {url} answered {status}: {body}")]
    Status {
        /// URL requested.
        url: String,
        /// HTTP status.
        status: u16,
        /// Response body (Discord-style JSON error).
        body: String,
    },
    /// The call's arguments cannot make a valid request (nothing was sent).
    #[error("invalid control request: {0}")]
    Invalid(String),
}
