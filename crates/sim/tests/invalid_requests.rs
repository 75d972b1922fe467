//! The invalid-request limit counts what Discord counts (issue 22): every 401, 403 and 429,
//! injected by a fault or not, except 429s of scope `shared`.

mod common;

use common::{fast, rest, start};
use novera_sim::{Fault, RateLimitScope};
use reqwest::Method;

const LIMIT: u32 = 20;

async fn channel(sim: &novera_sim::SimHandle) -> String {
    sim.control().state().await.expect("state").guilds[0].channels[0].clone()
}

#[tokio::test]
async fn injected_403s_past_the_limit_ban_the_bot() {
    let sim = start(fast().invalid_request_limit(LIMIT).rest_bucket_limit(1000)).await;
    let control = sim.control();
    let channel = channel(&sim).await;
    let fault = Fault::Rest {
        status: 403,
        count: 3 * LIMIT,
        path_prefix: Some("/channels/".to_owned()),
        retry_after: None,
    };
    control.fault(&fault).await.expect("fault");
    let path = format!("/channels/{channel}/messages");
    let mut statuses = Vec::new();
    for _ in 0..LIMIT + 5 {
        let (status, headers, _) = rest(&sim, Method::GET, &path, None).await;
        statuses.push((status, headers.contains_key("via")));
    }
    // The first LIMIT are the injected 403s; the ban starts at once, as Cloudflare's 429
    // without `Via`, on every route.
    assert!(statuses[..LIMIT as usize].iter().all(|s| *s == (403, true)));
    assert!(
        statuses[LIMIT as usize..]
            .iter()
            .all(|s| *s == (429, false))
    );
    let (status, headers, _) = rest(&sim, Method::GET, "/users/@me", None).await;
    assert_eq!((status, headers.contains_key("via")), (429, false));
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["rest_invalid_request_ban"], 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_429s_count_unless_shared() {
    let sim = start(fast().invalid_request_limit(LIMIT).rest_bucket_limit(1000)).await;
    let control = sim.control();
    let shared = Fault::RateLimit {
        scope: RateLimitScope::Shared,
        count: 2 * LIMIT,
        path_prefix: None,
        retry_after: Some(0.5),
    };
    control.fault(&shared).await.expect("fault");
    for _ in 0..2 * LIMIT {
        let (status, headers, body) = rest(&sim, Method::GET, "/gateway/bot", None).await;
        assert_eq!(status, 429);
        assert_eq!(headers["x-ratelimit-scope"], "shared");
        assert!(headers.contains_key("x-ratelimit-bucket"), "bucket headers");
        let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["global"], false);
    }
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["rest_invalid_request_ban"], 0);
    let (status, _, _) = rest(&sim, Method::GET, "/users/@me", None).await;
    assert_eq!(status, 200, "shared 429s never ban");

    let global = Fault::RateLimit {
        scope: RateLimitScope::Global,
        count: LIMIT,
        path_prefix: None,
        retry_after: None,
    };
    control.fault(&global).await.expect("fault");
    let (status, headers, _) = rest(&sim, Method::GET, "/gateway/bot", None).await;
    assert_eq!(status, 429);
    assert_eq!(headers["x-ratelimit-global"], "true");
    assert!(!headers.contains_key("x-ratelimit-bucket"));
    for _ in 1..LIMIT {
        rest(&sim, Method::GET, "/gateway/bot", None).await;
    }
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["rest_invalid_request_ban"], 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_401s_and_the_simulators_own_count_together() {
    let sim = start(fast().invalid_request_limit(LIMIT).rest_bucket_limit(1000)).await;
    let control = sim.control();
    let half = LIMIT / 2;
    control
        .fault(&Fault::Rest {
            status: 401,
            count: half,
            path_prefix: None,
            retry_after: None,
        })
        .await
        .expect("fault");
    for _ in 0..half {
        assert_eq!(rest(&sim, Method::GET, "/users/@me", None).await.0, 401);
    }
    // The other half: the simulator's own 401s (no token).
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    for _ in 0..LIMIT - half {
        let status = http
            .get(format!("{}/api/v10/users/@me", sim.base_url()))
            .send()
            .await
            .expect("request")
            .status();
        assert_eq!(status.as_u16(), 401);
    }
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["rest_invalid_request_ban"], 1);
    assert_eq!(rest(&sim, Method::GET, "/users/@me", None).await.0, 429);
    // Other injected statuses are not invalid requests.
    control.reset().await.expect("reset");
    control
        .fault(&Fault::Rest {
            status: 500,
            count: 2 * LIMIT,
            path_prefix: None,
            retry_after: None,
        })
        .await
        .expect("fault");
    for _ in 0..2 * LIMIT {
        assert_eq!(rest(&sim, Method::GET, "/users/@me", None).await.0, 500);
    }
    let state = control.state().await.expect("state");
    assert_eq!(state.violation_counts["rest_invalid_request_ban"], 0);
    sim.shutdown().await;
}
