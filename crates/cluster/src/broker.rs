//! `Broker`: one connection to NATS, the bot's stream and its key-value buckets.
//!
//! Buckets are created as their backing streams directly (`KV_<bucket>`, KV conventions)
//! rather than with async-nats' `create_key_value`, which reads account-info fields that
//! nats-server 2.9 (Debian's) does not send; the resulting buckets are ordinary key-value
//! buckets that any NATS client reads.

use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};
use async_nats::{Client, ConnectErrorKind, ConnectOptions};

use crate::error::ConnectError;
use crate::settings::ClusterSettings;
use crate::subjects::Subjects;

/// The process's broker connection and the bot's names on it. Cheap to clone.
///
/// async-nats reconnects on its own after the first connection; publishes and consumers
/// resume when the server is back (`novera_cluster_broker_disconnects_total` counts losses).
#[derive(Debug, Clone)]
pub struct Broker {
    client: Client,
    jetstream: jetstream::Context,
    settings: ClusterSettings,
    subjects: Subjects,
}

impl Broker {
    /// Connects once: a refused or timed-out connection is [`ConnectError::Unreachable`]
    /// (transient: the caller retries with backoff), refused credentials are
    /// [`ConnectError::Credentials`] (final). `role` names the connection on the server.
    pub async fn connect(settings: &ClusterSettings, role: &str) -> Result<Self, ConnectError> {
        settings.validate()?;
        let mut options = ConnectOptions::new()
            .name(format!("novera {role} ({})", settings.bot))
            .connection_timeout(settings.connect_timeout)
            .event_callback(|event| async move {
                match event {
                    async_nats::Event::Disconnected => {
                        metrics::counter!("novera_cluster_broker_disconnects_total").increment(1);
                        tracing::warn!("lost the NATS connection; reconnecting");
                    }
                    async_nats::Event::Connected => tracing::info!("connected to NATS"),
                    other => tracing::debug!(event = %other, "NATS connection event"),
                }
            });
        if let Some(path) = &settings.credentials {
            options = options.credentials_file(path).await.map_err(|e| {
                ConnectError::Credentials(format!(
                    "cannot read the credentials file {}: {e}",
                    path.display()
                ))
            })?;
        }
        let client = options
            .connect(settings.nats_url.as_str())
            .await
            .map_err(|e| match e.kind() {
                ConnectErrorKind::Authentication | ConnectErrorKind::AuthorizationViolation => {
                    ConnectError::Credentials(e.to_string())
                }
                _ => ConnectError::Unreachable {
                    url: settings.nats_url.clone(),
                    reason: e.to_string(),
                },
            })?;
        let jetstream = jetstream::new(client.clone());
        Ok(Self {
            client,
            jetstream,
            subjects: Subjects::new(&settings.bot),
            settings: settings.clone(),
        })
    }

    /// The core NATS client (request/reply).
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The JetStream context.
    #[must_use]
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.jetstream
    }

    /// The settings it was connected with.
    #[must_use]
    pub fn settings(&self) -> &ClusterSettings {
        &self.settings
    }

    /// The bot's subject and bucket names.
    #[must_use]
    pub fn subjects(&self) -> &Subjects {
        &self.subjects
    }

    /// Creates the events stream, or brings an existing one to the configured limits.
    pub async fn events_stream(&self) -> Result<stream::Stream, ConnectError> {
        let config = stream::Config {
            name: self.settings.stream.clone(),
            subjects: self.subjects.stream_subjects(),
            retention: stream::RetentionPolicy::Limits,
            storage: stream::StorageType::File,
            discard: stream::DiscardPolicy::Old,
            max_age: self.settings.max_age,
            max_bytes: self.settings.max_bytes,
            duplicate_window: self.settings.duplicate_window,
            description: Some(format!("Discord events of bot {}", self.settings.bot)),
            ..stream::Config::default()
        };
        let what = || format!("stream {}", self.settings.stream);
        self.jetstream
            .create_or_update_stream(config)
            .await
            .map_err(|e| setup_error(what(), &e))?;
        self.jetstream
            .get_stream(&self.settings.stream)
            .await
            .map_err(|e| setup_error(what(), &e))
    }

    /// A key-value bucket whose entries expire `max_age` after their last write, created
    /// when missing (one bucket per expiry class: nats-server 2.9 has no per-key TTL).
    pub async fn bucket(&self, name: &str, max_age: Duration) -> Result<kv::Store, ConnectError> {
        let config = stream::Config {
            name: format!("KV_{name}"),
            subjects: vec![format!("$KV.{name}.>")],
            max_messages_per_subject: 1,
            max_age,
            storage: stream::StorageType::File,
            // Create-if-absent and compare-and-set rely on these, as in every NATS client's
            // own bucket creation.
            discard: stream::DiscardPolicy::New,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            duplicate_window: max_age.min(Duration::from_secs(120)),
            description: Some(format!("novera key-value bucket {name}")),
            ..stream::Config::default()
        };
        let what = || format!("bucket {name}");
        self.jetstream
            .create_or_update_stream(config)
            .await
            .map_err(|e| setup_error(what(), &e))?;
        self.jetstream
            .get_key_value(name)
            .await
            .map_err(|e| setup_error(what(), &e))
    }
}

fn setup_error<E: std::error::Error + 'static>(what: String, error: &E) -> ConnectError {
    ConnectError::JetStream {
        what,
        reason: novera_core::error_chain(error),
    }
}
