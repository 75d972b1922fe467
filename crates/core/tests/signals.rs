//! Real SIGTERM delivery: the first asks for a graceful stop, the second for "now".
//!
//! Lives in its own test binary so its signal handlers cannot disturb other tests.

#![cfg(unix)]

use std::process::Command;
use std::time::Duration;

use novera_core::{Shutdown, within};

fn send_sigterm_to_self() {
    let status = Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .expect("the kill utility is available on unix");
    assert!(status.success());
}

#[tokio::test]
async fn first_sigterm_requests_a_stop_and_the_second_means_now() {
    let shutdown = Shutdown::new();
    let listener = shutdown.listen_for_signals().unwrap();

    send_sigterm_to_self();
    within(Duration::from_secs(5), shutdown.requested())
        .await
        .expect("SIGTERM requested a stop");
    assert!(!shutdown.now_token().is_cancelled());

    send_sigterm_to_self();
    within(Duration::from_secs(5), shutdown.now_token().cancelled())
        .await
        .expect("second SIGTERM meant now");
    within(Duration::from_secs(5), listener)
        .await
        .expect("listener ended after the second signal")
        .unwrap();
}
