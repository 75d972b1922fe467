//! `Core`: the process-wide runtime parts every role shares (shutdown, status, supervisor).

use novera_core::{Escalations, RestartPolicy, Shutdown, StatusRegistry, Supervisor};

/// The shutdown coordinator, the status registry and the supervisor of one process.
///
/// Cheap to clone. The owner keeps the [`Escalations`] returned by [`Core::new`] and stops the
/// bot when one arrives (a fatal close, or a component past its restart budget).
#[derive(Debug, Clone)]
pub struct Core {
    /// Stop requests, tracked tasks and the drain.
    pub shutdown: Shutdown,
    /// Components' health, readiness and liveness.
    pub status: StatusRegistry,
    /// Restarts long-lived tasks (shard runners) within a budget.
    pub supervisor: Supervisor,
}

impl Core {
    /// Fresh parts; restarts follow `policy`.
    #[must_use]
    pub fn new(policy: RestartPolicy) -> (Self, Escalations) {
        let shutdown = Shutdown::new();
        let (supervisor, escalations) = Supervisor::new(&shutdown, policy);
        (
            Self {
                shutdown,
                status: StatusRegistry::new(),
                supervisor,
            },
            escalations,
        )
    }
}
