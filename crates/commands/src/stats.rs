//! Router counters: the `/status` figures and the `novera_commands_*` metrics.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::dispatch::Ingress;

/// A snapshot of what the router did since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RouterStats {
    /// Handlers running now.
    pub in_flight: usize,
    /// Invocations that finished without an internal failure (user errors included).
    pub served: u64,
    /// Invocations that panicked, returned an internal error or missed their deadline.
    pub failed: u64,
    /// Interactions answered "busy" because the in-flight limit was reached.
    pub busy_rejected: u64,
    /// Interactions the router deferred because the handler had not answered in time.
    pub auto_deferred: u64,
    /// Interactions and prefix commands the router took from the gateway.
    pub via_gateway: u64,
    /// Interactions the router took from the interactions endpoint (HTTP).
    pub via_http: u64,
}

/// Why an invocation failed, as the `reason` label of `novera_commands_failed_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Error,
    Panic,
    Deadline,
}

impl Failure {
    pub(crate) fn kind(self) -> crate::FailureKind {
        match self {
            Self::Error => crate::FailureKind::Error,
            Self::Panic => crate::FailureKind::Panic,
            Self::Deadline => crate::FailureKind::Deadline,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Panic => "panic",
            Self::Deadline => "deadline",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    served: AtomicU64,
    failed: AtomicU64,
    busy_rejected: AtomicU64,
    auto_deferred: AtomicU64,
    via_gateway: AtomicU64,
    via_http: AtomicU64,
}

impl Counters {
    /// An interaction (or prefix command) taken from `ingress`.
    pub(crate) fn received(&self, ingress: Ingress) {
        match ingress {
            Ingress::Gateway => &self.via_gateway,
            Ingress::Http => &self.via_http,
            Ingress::Timer => return,
        }
        .fetch_add(1, Ordering::Relaxed);
        metrics::counter!("novera_commands_received_total", "ingress" => ingress.label())
            .increment(1);
    }

    pub(crate) fn served(&self, command: &str, ingress: Ingress) {
        self.served.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(
            "novera_commands_served_total",
            "command" => command.to_owned(),
            "ingress" => ingress.label()
        )
        .increment(1);
    }

    pub(crate) fn failed(&self, command: &str, failure: Failure, ingress: Ingress) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(
            "novera_commands_failed_total",
            "command" => command.to_owned(),
            "reason" => failure.label(),
            "ingress" => ingress.label()
        )
        .increment(1);
    }

    pub(crate) fn busy_rejected(&self) {
        self.busy_rejected.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("novera_commands_busy_rejected_total").increment(1);
    }

    pub(crate) fn auto_deferred(&self) {
        self.auto_deferred.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("novera_commands_auto_deferred_total").increment(1);
    }

    pub(crate) fn snapshot(&self, in_flight: usize) -> RouterStats {
        RouterStats {
            in_flight,
            served: self.served.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            busy_rejected: self.busy_rejected.load(Ordering::Relaxed),
            auto_deferred: self.auto_deferred.load(Ordering::Relaxed),
            via_gateway: self.via_gateway.load(Ordering::Relaxed),
            via_http: self.via_http.load(Ordering::Relaxed),
        }
    }
}
