//! The bot's two guards as the binary runs them: the REST guard (Discord's invalid-request
//! limit) and the instance watch (another process with the same token), made before the bot
//! so the alert webhook's failures count too, and wired to the webhook alerts.

use std::sync::Arc;

use novera_commands::RestGuard;
use novera_core::{DuplicateEvidence, EvidenceKind, InstanceTag, InstanceWatch};

use crate::alerts::AlertKind;
use crate::config::Config;

/// One REST guard and one instance watch for the process.
#[derive(Debug, Clone)]
pub(crate) struct Guards {
    pub(crate) rest: RestGuard,
    pub(crate) instance: Arc<InstanceWatch>,
}

impl Guards {
    /// The guards `config` asks for (`rest_guard.*`, `instance.step_down`). The processes of a
    /// cluster (`in_cluster`) share one tag, derived from `cluster.bot`, so they never take each
    /// other for another instance; a process outside the cluster still shows up.
    pub(crate) fn new(config: &Config, in_cluster: bool) -> Self {
        let step_down = config.instance.step_down;
        let instance = if in_cluster {
            InstanceWatch::with_tag(InstanceTag::for_deployment(&config.cluster.bot), step_down)
        } else {
            InstanceWatch::new(step_down)
        };
        Self {
            rest: RestGuard::local(config.rest_guard.to_guard()),
            instance: Arc::new(instance),
        }
    }

    /// Raises an alert through `raise` at each level the REST guard crosses, and once for the
    /// first evidence of another instance (the count, `/status` and the log carry the rest).
    pub(crate) fn alert_through(&self, raise: impl Fn(AlertKind, &str) + Send + Sync + 'static) {
        let raise = Arc::new(raise);
        let on_level = Arc::clone(&raise);
        self.rest
            .on_alert(move |alert| on_level(AlertKind::InvalidRequests, &alert.message));
        let step_down = self.instance.report().step_down_enabled;
        let tag = self.instance.tag().clone();
        self.instance.on_detected(move |evidence| {
            if evidence.first {
                raise(
                    AlertKind::DuplicateInstance,
                    &duplicate_text(evidence, tag.as_str(), step_down),
                );
            }
        });
    }
}

/// The duplicate alert: what was seen, both instances, what happens next.
fn duplicate_text(evidence: &DuplicateEvidence, tag: &str, step_down: bool) -> String {
    let seen = match evidence.kind {
        EvidenceKind::ForeignNonce => {
            "a message by this bot carries a nonce this process never sent"
        }
        EvidenceKind::AlreadyAcknowledged => {
            "an interaction this process never answered was already answered (40060)"
        }
        _ => "another process answered for this bot",
    };
    let other = evidence.other.as_ref().map_or_else(String::new, |other| {
        format!(
            ", the other is {other} (started {})",
            humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(other.started_unix_secs())
            )
        )
    });
    let next = if step_down {
        "instance.step_down is on: the newer of the two stops answering commands once it sees the other's messages"
    } else {
        "users may get every answer twice until one of them is stopped"
    };
    format!(
        "another instance of this bot is running with the same token: {seen} ({}). This instance is {tag}{other}; {next}. Find it with docs/operations.md, \"Another instance\".",
        evidence.detail
    )
}
