//! The supervisor: named long-lived tasks, restarted with backoff, within a restart budget.
//!
//! The Python bot relied on a shell loop (`NEVER_DOWN.sh`) to restart the whole process, which
//! re-identified with Discord every time. Here each long-lived component restarts on its own, with
//! jittered backoff, and only inside a budget (at most `max_restarts` in a sliding `window`). When
//! the budget is spent, or a task reports a fatal error, the supervisor stops that component and
//! tells its owner through [`Escalations`], so the process can exit with a distinct code instead
//! of looping forever.

use std::collections::{BTreeMap, VecDeque};
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::FutureExt as _;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::backoff::{Backoff, BackoffPolicy};
use crate::error::humanize;
use crate::shutdown::Shutdown;

/// Boxed error carried by a failing task.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// How a component is restarted and when the supervisor gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RestartPolicy {
    /// Delay between restarts.
    pub backoff: BackoffPolicy,
    /// At most this many restarts within `window`; one more failure escalates.
    pub max_restarts: u32,
    /// The sliding window of the restart budget.
    pub window: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            backoff: BackoffPolicy::default(),
            max_restarts: 5,
            window: Duration::from_secs(600),
        }
    }
}

/// Why a supervised task ended with an error.
#[derive(Debug)]
pub struct TaskError {
    fatal: bool,
    source: BoxError,
}

impl TaskError {
    /// A failure worth restarting for (a dropped connection, a transient error).
    pub fn retry(error: impl Into<BoxError>) -> Self {
        Self {
            fatal: false,
            source: error.into(),
        }
    }

    /// A failure that restarting cannot fix (a revoked token, a disallowed intent).
    pub fn fatal(error: impl Into<BoxError>) -> Self {
        Self {
            fatal: true,
            source: error.into(),
        }
    }

    /// Whether restarting is pointless.
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        self.fatal
    }

    /// The underlying error, e.g. to downcast to a crate's typed fatal error.
    #[must_use]
    pub fn inner(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.source
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source.fmt(f)
    }
}

impl StdError for TaskError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.source()
    }
}

/// What a task factory receives on every (re)start.
#[derive(Debug, Clone)]
pub struct TaskContext {
    /// The component's name.
    pub name: Arc<str>,
    /// Restarts so far (0 on the first run).
    pub restarts: u32,
    /// Cancelled when the process stops; the task should wind down and return `Ok(())`.
    pub cancel: CancellationToken,
}

/// Where a supervised component is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisedState {
    /// Its task is running.
    Running,
    /// It failed and waits for its next start.
    Restarting,
    /// It returned normally or was cancelled.
    Stopped,
    /// The supervisor gave up on it.
    Failed,
}

/// A point-in-time view of one supervised component, for `/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupervisedStatus {
    /// The component's name.
    pub name: String,
    /// Its state.
    pub state: SupervisedState,
    /// Restarts since it was spawned.
    pub restarts: u32,
    /// Restarts within the budget's sliding window now: one more failure than the policy's
    /// `max_restarts` allows escalates (the figure operators alert on before that happens).
    pub restarts_in_window: u32,
    /// The latest failure, if any.
    pub last_error: Option<String>,
}

/// The supervisor gave up on a component.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("component {component} failed: {reason}")]
#[non_exhaustive]
pub struct Escalation {
    /// The component's name.
    pub component: String,
    /// Why the supervisor gave up.
    pub reason: EscalationReason,
}

/// Why the supervisor gave up on a component.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EscalationReason {
    /// The task reported an error restarting cannot fix.
    #[error("{error}")]
    Fatal {
        /// The task's error.
        error: String,
    },
    /// It kept failing: the restart budget is spent.
    #[error("restart budget exhausted ({restarts} restarts within {}), last error: {last_error}", humanize(*window))]
    BudgetExhausted {
        /// Restarts within the window.
        restarts: u32,
        /// The budget's window.
        window: Duration,
        /// The failure that broke the budget.
        last_error: String,
    },
}

/// Receives escalations; held by the supervisor's owner.
#[derive(Debug)]
pub struct Escalations {
    rx: mpsc::UnboundedReceiver<Escalation>,
}

impl Escalations {
    /// The next escalation; `None` once the supervisor and all its tasks are gone.
    pub async fn recv(&mut self) -> Option<Escalation> {
        self.rx.recv().await
    }
}

#[derive(Debug)]
struct Inner {
    shutdown: Shutdown,
    policy: RestartPolicy,
    seed: Option<u64>,
    components: Mutex<BTreeMap<String, Component>>,
    escalate: mpsc::UnboundedSender<Escalation>,
}

/// One supervised component: what `/status` shows, and when it restarted within the window.
#[derive(Debug)]
struct Component {
    status: SupervisedStatus,
    recent: VecDeque<Instant>,
}

impl Component {
    fn new(name: &str) -> Self {
        Self {
            status: SupervisedStatus {
                name: name.to_owned(),
                state: SupervisedState::Running,
                restarts: 0,
                restarts_in_window: 0,
                last_error: None,
            },
            recent: VecDeque::new(),
        }
    }

    /// Forgets restarts that left the window and says how many remain.
    fn prune(&mut self, now: Instant, window: Duration) -> usize {
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.recent.pop_front();
        }
        self.recent.len()
    }
}

/// Runs named long-lived tasks and restarts them; cheap to clone.
#[derive(Debug, Clone)]
pub struct Supervisor {
    inner: Arc<Inner>,
}

impl Supervisor {
    /// A supervisor whose tasks are tracked by `shutdown` and cancelled with its root token.
    #[must_use]
    pub fn new(shutdown: &Shutdown, policy: RestartPolicy) -> (Self, Escalations) {
        Self::build(shutdown, policy, None)
    }

    /// Like [`new`](Self::new) with deterministic backoff jitter, for tests.
    #[must_use]
    pub fn with_seed(shutdown: &Shutdown, policy: RestartPolicy, seed: u64) -> (Self, Escalations) {
        Self::build(shutdown, policy, Some(seed))
    }

    fn build(shutdown: &Shutdown, policy: RestartPolicy, seed: Option<u64>) -> (Self, Escalations) {
        let (tx, rx) = mpsc::unbounded_channel();
        let supervisor = Self {
            inner: Arc::new(Inner {
                shutdown: shutdown.clone(),
                policy,
                seed,
                components: Mutex::new(BTreeMap::new()),
                escalate: tx,
            }),
        };
        (supervisor, Escalations { rx })
    }

    /// Starts `factory` as component `name`, and again after every failure or panic.
    ///
    /// The task ends for good when it returns `Ok(())`, when its cancellation token fires, when it
    /// returns a [`TaskError::fatal`] error, or when the restart budget is exhausted (the last
    /// two escalate).
    pub fn spawn<F, Fut>(&self, name: impl Into<String>, factory: F) -> JoinHandle<()>
    where
        F: FnMut(TaskContext) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
    {
        let name: String = name.into();
        self.lock().insert(name.clone(), Component::new(&name));
        let supervisor = self.clone();
        let task_name: Arc<str> = Arc::from(name.as_str());
        self.inner
            .shutdown
            .spawn(task_name.clone(), supervisor.run(task_name, factory))
    }

    /// Every supervised component, sorted by name.
    #[must_use]
    pub fn components(&self) -> Vec<SupervisedStatus> {
        let now = Instant::now();
        let window = self.inner.policy.window;
        self.lock()
            .values_mut()
            .map(|component| {
                let in_window = component.prune(now, window);
                let mut status = component.status.clone();
                status.restarts_in_window = u32::try_from(in_window).unwrap_or(u32::MAX);
                status
            })
            .collect()
    }

    /// The restart policy every component runs under.
    #[must_use]
    pub fn policy(&self) -> RestartPolicy {
        self.inner.policy
    }

    async fn run<F, Fut>(self, name: Arc<str>, mut factory: F)
    where
        F: FnMut(TaskContext) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
    {
        let policy = self.inner.policy;
        let mut backoff = match self.inner.seed {
            Some(seed) => Backoff::with_seed(policy.backoff, seed),
            None => Backoff::new(policy.backoff),
        };
        let cancel = self.inner.shutdown.child_token();
        let mut restarts = 0u32;
        loop {
            self.set_state(&name, SupervisedState::Running, None);
            let started = Instant::now();
            let context = TaskContext {
                name: name.clone(),
                restarts,
                cancel: cancel.clone(),
            };
            let outcome = AssertUnwindSafe(factory(context)).catch_unwind().await;
            let error = match outcome {
                Ok(Ok(())) => {
                    tracing::info!(component = %name, "component stopped");
                    self.set_state(&name, SupervisedState::Stopped, None);
                    return;
                }
                Ok(Err(error)) if error.is_fatal() => {
                    tracing::error!(component = %name, %error, "component failed fatally; not restarting");
                    let error = error.to_string();
                    self.fail(&name, EscalationReason::Fatal { error });
                    return;
                }
                Ok(Err(error)) => {
                    let error = error.to_string();
                    tracing::warn!(component = %name, %error, "component failed");
                    error
                }
                Err(panic) => {
                    let error = panic_message(panic.as_ref());
                    tracing::error!(component = %name, %error, "component panicked");
                    error
                }
            };
            if cancel.is_cancelled() {
                self.set_state(&name, SupervisedState::Stopped, Some(error));
                return;
            }

            let now = Instant::now();
            backoff.record_run(now.saturating_duration_since(started));
            if let Err(in_window) = self.admit_restart(&name, now) {
                let reason = EscalationReason::BudgetExhausted {
                    restarts: in_window,
                    window: policy.window,
                    last_error: error,
                };
                tracing::error!(component = %name, %reason, "giving up on component");
                self.fail(&name, reason);
                return;
            }
            restarts += 1;
            metrics::counter!("novera_supervisor_restarts_total", "component" => name.to_string())
                .increment(1);

            let delay = backoff.next_delay();
            tracing::info!(component = %name, restarts, delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "restarting component");
            self.record(&name, |s| {
                s.state = SupervisedState::Restarting;
                s.restarts = restarts;
                s.last_error = Some(error);
            });
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = cancel.cancelled() => {
                    self.set_state(&name, SupervisedState::Stopped, None);
                    return;
                }
            }
        }
    }

    /// Counts a restart at `now` within the budget, or refuses it with the restarts already in
    /// the window when the budget is spent.
    fn admit_restart(&self, name: &str, now: Instant) -> Result<(), u32> {
        let policy = self.inner.policy;
        let mut components = self.lock();
        let component = components
            .entry(name.to_owned())
            .or_insert_with(|| Component::new(name));
        let in_window = component.prune(now, policy.window);
        if in_window >= usize::try_from(policy.max_restarts).unwrap_or(usize::MAX) {
            return Err(u32::try_from(in_window).unwrap_or(u32::MAX));
        }
        component.recent.push_back(now);
        Ok(())
    }

    fn fail(&self, name: &str, reason: EscalationReason) {
        let error = match &reason {
            EscalationReason::Fatal { error } => error.clone(),
            EscalationReason::BudgetExhausted { last_error, .. } => last_error.clone(),
        };
        self.set_state(name, SupervisedState::Failed, Some(error));
        metrics::counter!("novera_supervisor_escalations_total", "component" => name.to_owned())
            .increment(1);
        // The owner may have stopped listening during shutdown; nothing is left to tell then.
        let _ = self.inner.escalate.send(Escalation {
            component: name.to_owned(),
            reason,
        });
    }

    fn set_state(&self, name: &str, state: SupervisedState, error: Option<String>) {
        self.record(name, |s| {
            s.state = state;
            if error.is_some() {
                s.last_error = error;
            }
        });
    }

    fn record(&self, name: &str, f: impl FnOnce(&mut SupervisedStatus)) {
        let mut components = self.lock();
        let component = components
            .entry(name.to_owned())
            .or_insert_with(|| Component::new(name));
        f(&mut component.status);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Component>> {
        self.inner
            .components
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Describes a caught panic's payload for a log line or an operator: `panicked: <message>`.
#[must_use]
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        format!("panicked: {message}")
    } else if let Some(message) = payload.downcast_ref::<String>() {
        format!("panicked: {message}")
    } else {
        "panicked with a non-string payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_payloads_are_described() {
        let payload: Box<dyn std::any::Any + Send> = Box::new("boom");
        assert_eq!(panic_message(&*payload), "panicked: boom");
        let payload: Box<dyn std::any::Any + Send> = Box::new(String::from("bang"));
        assert_eq!(panic_message(&*payload), "panicked: bang");
        let payload: Box<dyn std::any::Any + Send> = Box::new(42_u8);
        assert_eq!(
            panic_message(&*payload),
            "panicked with a non-string payload"
        );
    }
}
