//! Errors of the health crate.

use metrics_exporter_prometheus::BuildError;

/// Installing the Prometheus recorder failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecorderError {
    /// A global `metrics` recorder was already installed, or the exporter rejected its settings.
    #[error("could not install the prometheus recorder")]
    Install(#[source] BuildError),
}

/// The health server stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Serving connections failed.
    #[error("the health server failed")]
    Io(#[source] std::io::Error),
}
