//! The window, the levels and the brake, in paused time (no network: failures are fed as the
//! guard reads them off twilight's errors).

use std::time::Duration;

use super::*;

const LIMIT: u32 = 100;

fn guard(enabled: bool) -> RestGuard {
    RestGuard::local(
        RestGuardConfig::default()
            .with_enabled(enabled)
            .with_limit(LIMIT, Duration::from_secs(600))
            .with_levels(vec![0.5, 0.8], 0.9, 0.97)
            .with_refuse_for(Duration::from_secs(60)),
    )
}

fn forbidden() -> Failure {
    Failure {
        status: 403,
        code: Some(50013),
        description: "Missing Permissions".to_owned(),
    }
}

fn send_in(channel: u64) -> Route {
    Route::new("POST", &format!("channels/{channel}/messages"))
}

/// `n` 403s on sending to `channel`.
fn fail(guard: &RestGuard, channel: u64, n: u32) {
    for _ in 0..n {
        guard.failure(&send_in(channel), &forbidden());
    }
}

#[tokio::test(start_paused = true)]
async fn only_401_403_and_429_count_but_a_404_is_remembered() {
    let guard = guard(true);
    let edit = Route::new("PATCH", "channels/1/messages/2");
    for status in [400, 404, 500] {
        guard.failure(
            &edit,
            &Failure {
                status,
                code: None,
                description: String::new(),
            },
        );
    }
    assert_eq!(guard.status().summary.count, 0);
    assert_eq!(guard.status().failed_targets, 1, "the 404's message");
    for status in [401, 403, 429] {
        guard.failure(
            &Route::new("GET", "users/@me"),
            &Failure {
                status,
                code: None,
                description: String::new(),
            },
        );
    }
    assert_eq!(guard.status().summary.count, 3);
}

#[tokio::test(start_paused = true)]
async fn below_the_brake_nothing_is_refused() {
    let guard = guard(true);
    fail(&guard, 1, 89);
    assert!(guard.admit(&send_in(1)).is_ok(), "89% is below the brake");
    assert!(!guard.status().braking);
}

#[tokio::test(start_paused = true)]
async fn braking_refuses_the_targets_that_just_failed_and_nothing_else() {
    let guard = guard(true);
    fail(&guard, 1, 90);
    let status = guard.status();
    assert!(status.braking && !status.essentials_only, "{status:?}");

    let refused = guard.admit(&send_in(1)).unwrap_err();
    assert_eq!(
        refused.reason,
        Refusal::RecentlyFailed {
            target: "channels/1".to_owned(),
            status: 403
        }
    );
    assert_eq!(refused.route, "POST /channels/{id}/messages");
    assert_eq!((refused.count, refused.limit), (90, 100));
    // An edit in that channel is as doomed as a send; another channel is fine.
    assert!(
        guard
            .admit(&Route::new("PATCH", "channels/1/messages/5"))
            .is_err()
    );
    assert!(guard.admit(&send_in(2)).is_ok());
    // Interaction responses always go.
    assert!(
        guard
            .admit(&Route::new("POST", "interactions/1/tok/callback"))
            .is_ok()
    );
    assert!(
        guard
            .admit(&Route::new("PATCH", "webhooks/1/tok/messages/@original"))
            .is_ok()
    );

    // The refusal lasts `refuse_for`, then one request may find out whether it works now.
    tokio::time::advance(Duration::from_secs(59)).await;
    assert!(guard.admit(&send_in(1)).is_err());
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(guard.admit(&send_in(1)).is_ok());
}

#[tokio::test(start_paused = true)]
async fn the_brake_releases_when_the_window_forgets() {
    let guard = guard(true);
    fail(&guard, 1, 50);
    tokio::time::advance(Duration::from_secs(300)).await;
    fail(&guard, 1, 45);
    assert!(guard.status().braking);
    assert_eq!(
        guard.status().summary.oldest_age,
        Some(Duration::from_secs(300))
    );
    // The first 50 leave the window ten minutes after they came: 45 is far below the brake.
    tokio::time::advance(Duration::from_secs(300)).await;
    let status = guard.status();
    assert_eq!(status.summary.count, 45);
    assert!(!status.braking, "{status:?}");
    assert!(guard.admit(&send_in(1)).is_ok(), "no longer braking");
}

#[tokio::test(start_paused = true)]
async fn near_the_limit_only_essentials_go() {
    let guard = guard(true);
    fail(&guard, 1, 97);
    assert!(guard.status().essentials_only);
    let refused = guard.admit(&send_in(2)).unwrap_err();
    assert_eq!(refused.reason, Refusal::EssentialsOnly);
    assert!(
        guard
            .admit(&Route::new("POST", "interactions/1/tok/callback"))
            .is_ok()
    );
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_count_toward_the_brake() {
    let guard = guard(true);
    fail(&guard, 1, 85);
    assert!(guard.admit(&send_in(1)).is_ok());
    let counter = &guard.inner.in_flight;
    let flights: Vec<InFlight<'_>> = (0..5).map(|_| InFlight::enter(counter, true)).collect();
    assert!(
        guard.admit(&send_in(1)).is_err(),
        "85 counted and 5 on their way reach the brake"
    );
    drop(flights);
    assert_eq!(counter.load(Ordering::Relaxed), 0);
    assert!(guard.admit(&send_in(1)).is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_disabled_guard_counts_and_warns_but_never_refuses() {
    let guard = guard(false);
    let alerts = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&alerts);
    guard.on_alert(move |alert| sink.lock().unwrap().push(alert.stage));
    fail(&guard, 1, 150);
    assert!(guard.admit(&send_in(1)).is_ok());
    let status = guard.status();
    assert_eq!(status.summary.count, 150);
    assert!(!status.braking && !status.essentials_only);
    assert_eq!(
        *alerts.lock().unwrap(),
        [GuardStage::Warning, GuardStage::Warning]
    );
}

#[tokio::test(start_paused = true)]
async fn each_level_is_announced_once_with_the_largest_contributors() {
    let guard = guard(true);
    let alerts = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&alerts);
    guard.on_alert(move |alert| sink.lock().unwrap().push(alert.clone()));
    fail(&guard, 1, 49);
    assert!(alerts.lock().unwrap().is_empty());
    fail(&guard, 1, 1);
    {
        let alerts = alerts.lock().unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].stage, GuardStage::Warning);
        assert!((alerts[0].level - 0.5).abs() < f64::EPSILON);
        assert!(
            alerts[0]
                .message
                .contains("403 Missing Permissions (50013) on POST /channels/{id}/messages: 50"),
            "{}",
            alerts[0].message
        );
    }
    fail(&guard, 1, 45);
    let stages: Vec<GuardStage> = alerts.lock().unwrap().iter().map(|a| a.stage).collect();
    assert_eq!(
        stages,
        [
            GuardStage::Warning,
            GuardStage::Warning,
            GuardStage::Braking
        ]
    );

    // Hovering at a level does not repeat it; falling well below and rising again does.
    tokio::time::advance(Duration::from_secs(600)).await;
    assert!(!guard.status().braking);
    fail(&guard, 1, 50);
    assert_eq!(alerts.lock().unwrap().len(), 4);
}

#[test]
fn a_refusal_in_a_handlers_error_tells_the_user_why() {
    let refused = |status| RestRefused {
        route: "POST /channels/{id}/messages".to_owned(),
        reason: Refusal::RecentlyFailed {
            target: "channels/1".to_owned(),
            status,
        },
        count: 95,
        limit: 100,
    };
    // As a handler returns it with `?` from `ctx.reply` or `ctx.request`.
    let from_reply = CommandError::from(ReplyError::Refused(refused(403)));
    assert_eq!(refusal_text(&from_reply), Some(FORBIDDEN_TEXT));
    let from_guard = CommandError::from(RestError::Refused(refused(404)));
    assert_eq!(refusal_text(&from_guard), Some(GONE_TEXT));
    let essentials = CommandError::from(RestRefused {
        reason: Refusal::EssentialsOnly,
        ..refused(403)
    });
    assert!(refusal_text(&essentials).is_some_and(|t| t.contains("holding back")));
    assert_eq!(refusal_text(&CommandError::internal("a bug")), None);
    assert_eq!(refusal_text(&CommandError::user("bad input")), None);
}
