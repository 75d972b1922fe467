//! Supervisor behaviour under failures, panics and fatal errors, in paused time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use novera_core::{
    BackoffPolicy, EscalationReason, RestartPolicy, Shutdown, SupervisedState, Supervisor,
    TaskError, within,
};
use tokio::time::Instant;

fn policy(max_restarts: u32, window_secs: u64) -> RestartPolicy {
    RestartPolicy {
        backoff: BackoffPolicy {
            min: Duration::from_secs(1),
            max: Duration::from_secs(4),
            stable_after: Duration::from_secs(300),
        },
        max_restarts,
        window: Duration::from_secs(window_secs),
    }
}

#[tokio::test(start_paused = true)]
async fn a_panicking_task_is_restarted_and_keeps_running() {
    let shutdown = Shutdown::new();
    let (supervisor, mut escalations) = Supervisor::with_seed(&shutdown, policy(5, 60), 1);
    let starts = Arc::new(AtomicU32::new(0));
    supervisor.spawn("shard-0", {
        let starts = starts.clone();
        move |ctx| {
            let n = starts.fetch_add(1, Ordering::SeqCst);
            async move {
                assert!(n >= 2, "simulated bug on start {n}");
                ctx.cancel.cancelled().await;
                Ok(())
            }
        }
    });

    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(starts.load(Ordering::SeqCst), 3);
    let status = &supervisor.components()[0];
    assert_eq!(status.name, "shard-0");
    assert_eq!(status.state, SupervisedState::Running);
    assert_eq!(status.restarts, 2);
    assert!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("simulated bug on start 1")),
        "{status:?}"
    );

    shutdown.request();
    assert!(shutdown.drain(Duration::from_secs(1)).await.complete);
    assert_eq!(supervisor.components()[0].state, SupervisedState::Stopped);
    drop(supervisor);
    let last = within(Duration::from_secs(1), escalations.recv()).await;
    assert_eq!(last, Some(None), "no escalation expected");
}

#[tokio::test(start_paused = true)]
async fn exhausting_the_restart_budget_escalates_instead_of_looping() {
    let shutdown = Shutdown::new();
    let (supervisor, mut escalations) = Supervisor::with_seed(&shutdown, policy(3, 600), 7);
    let starts = Arc::new(AtomicU32::new(0));
    supervisor.spawn("shard-1", {
        let starts = starts.clone();
        move |_ctx| {
            starts.fetch_add(1, Ordering::SeqCst);
            async { panic!("connection handler bug") }
        }
    });

    let escalation = within(Duration::from_secs(60), escalations.recv())
        .await
        .expect("escalated within the backoff total")
        .expect("an escalation");
    assert_eq!(escalation.component, "shard-1");
    match &escalation.reason {
        EscalationReason::BudgetExhausted {
            restarts,
            last_error,
            ..
        } => {
            assert_eq!(*restarts, 3);
            assert!(
                last_error.contains("connection handler bug"),
                "{last_error}"
            );
        }
        other => panic!("unexpected reason {other:?}"),
    }
    // One first run and three restarts, then nothing more.
    assert_eq!(starts.load(Ordering::SeqCst), 4);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(starts.load(Ordering::SeqCst), 4);
    assert_eq!(supervisor.components()[0].state, SupervisedState::Failed);
    assert!(escalation.to_string().contains("restart budget exhausted"));
}

#[tokio::test(start_paused = true)]
async fn failures_spread_beyond_the_window_never_escalate() {
    let shutdown = Shutdown::new();
    let (supervisor, mut escalations) = Supervisor::with_seed(&shutdown, policy(1, 60), 3);
    let starts = Arc::new(AtomicU32::new(0));
    supervisor.spawn("flaky", {
        let starts = starts.clone();
        move |_ctx| {
            starts.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_secs(100)).await;
                Err(TaskError::retry("connection reset"))
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(1000)).await;
    assert!(starts.load(Ordering::SeqCst) >= 9);
    assert!(
        within(Duration::ZERO, escalations.recv()).await.is_none(),
        "escalated although failures were 100 s apart with a 60 s window"
    );
    shutdown.request();
    shutdown.drain(Duration::from_secs(200)).await;
}

#[tokio::test(start_paused = true)]
async fn a_fatal_error_escalates_at_once_without_restart() {
    let shutdown = Shutdown::new();
    let (supervisor, mut escalations) = Supervisor::with_seed(&shutdown, policy(5, 60), 1);
    let starts = Arc::new(AtomicU32::new(0));
    supervisor.spawn("shard-2", {
        let starts = starts.clone();
        move |_ctx| {
            starts.fetch_add(1, Ordering::SeqCst);
            async { Err(TaskError::fatal("authentication failed (close code 4004)")) }
        }
    });
    let start = Instant::now();
    let escalation = escalations.recv().await.unwrap();
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(
        escalation.reason,
        EscalationReason::Fatal {
            error: "authentication failed (close code 4004)".into()
        }
    );
    assert_eq!(starts.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn restarts_wait_for_the_backoff_delay() {
    let shutdown = Shutdown::new();
    let (supervisor, _escalations) = Supervisor::with_seed(&shutdown, policy(10, 600), 11);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    supervisor.spawn("timed", move |_ctx| {
        let _ = tx.send(Instant::now());
        async { Err(TaskError::retry("boom")) }
    });
    let mut times = Vec::new();
    for _ in 0..5 {
        times.push(rx.recv().await.unwrap());
    }
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_secs(1),
            "gap {gap:?} below the minimum"
        );
        assert!(
            gap <= Duration::from_secs(4),
            "gap {gap:?} above the maximum"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_during_backoff_stops_the_component() {
    let shutdown = Shutdown::new();
    let (supervisor, mut escalations) = Supervisor::with_seed(&shutdown, policy(10, 600), 5);
    supervisor.spawn("doomed", |_ctx| async { Err(TaskError::retry("boom")) });
    tokio::task::yield_now().await;
    shutdown.request();
    let report = shutdown.drain(Duration::from_secs(10)).await;
    assert!(report.complete, "{report:?}");
    assert_eq!(supervisor.components()[0].state, SupervisedState::Stopped);
    drop(supervisor);
    let last = within(Duration::from_secs(1), escalations.recv()).await;
    assert_eq!(last, Some(None), "no escalation expected");
}

#[tokio::test(start_paused = true)]
async fn restarts_in_the_window_rise_with_failures_and_fall_as_the_window_slides() {
    let shutdown = Shutdown::new();
    let (supervisor, _escalations) = Supervisor::with_seed(&shutdown, policy(5, 60), 5);
    assert_eq!(supervisor.policy().max_restarts, 5);
    supervisor.spawn("shard-0", |ctx| async move {
        if ctx.restarts < 2 {
            return Err(TaskError::retry("lost connection"));
        }
        ctx.cancel.cancelled().await;
        Ok(())
    });

    // Two failures, each restarted after at most the 4 s backoff cap.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let status = &supervisor.components()[0];
    assert_eq!(status.state, SupervisedState::Running);
    assert_eq!((status.restarts, status.restarts_in_window), (2, 2));

    // Once the 60 s window has passed them, the budget is whole again; the total stays.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let status = &supervisor.components()[0];
    assert_eq!((status.restarts, status.restarts_in_window), (2, 0));

    shutdown.request();
    assert!(shutdown.drain(Duration::from_secs(1)).await.complete);
}
