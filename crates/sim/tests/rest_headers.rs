//! The headers of REST responses, where libraries read them: interaction callbacks carry no
//! rate-limit header and are never limited, 429s carry what Discord's carry, and an empty body
//! carries no `Content-Type`.

mod common;

use common::{fast, rest, start};
use novera_sim::SimHandle;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

fn rate_limit_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("x-ratelimit-"))
        .collect()
}

async fn violations(sim: &SimHandle) -> usize {
    sim.control().state().await.expect("state").violations.len()
}

/// A burst of callbacks on a simulator whose every bucket holds one request and whose global
/// limit is one per second: every callback is answered (204, no rate-limit header), none is
/// limited, and they use up nothing a bucketed route needs.
#[tokio::test]
async fn interaction_callbacks_carry_no_rate_limit_headers_and_are_never_limited() {
    let sim = start(fast().rest_bucket_limit(1).rest_global_limit(1)).await;
    let control = sim.control();
    for _ in 0..20 {
        let run = control
            .run_command("ping", Value::Null, None, None, None)
            .await
            .expect("run");
        let path = format!("/interactions/{}/{}/callback", run.id, run.token);
        let (status, headers, body) = rest(
            &sim,
            reqwest::Method::POST,
            &path,
            Some(json!({"type": 4, "data": {"content": "pong"}})),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        assert_eq!(rate_limit_headers(&headers), Vec::<String>::new());
        assert!(!headers.contains_key("content-type"));
        assert!(body.is_empty());
        // An error answer on the route carries none either.
        let (status, headers, _) = rest(
            &sim,
            reqwest::Method::POST,
            &path,
            Some(json!({"type": 4, "data": {"content": "again"}})),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(rate_limit_headers(&headers), Vec::<String>::new());
        assert_eq!(headers["content-type"], "application/json");
        // with_response gives a body, still without rate-limit headers.
        let run = control
            .run_command("ping", Value::Null, None, None, None)
            .await
            .expect("run");
        let (status, headers, _) = rest(
            &sim,
            reqwest::Method::POST,
            &format!(
                "/interactions/{}/{}/callback?with_response=true",
                run.id, run.token
            ),
            Some(json!({"type": 5})),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(rate_limit_headers(&headers), Vec::<String>::new());
    }
    let state = control.state().await.expect("state");
    // The only violations are the 40060s this test asked for.
    assert!(
        state
            .violations
            .iter()
            .all(|v| v.rule == "interaction_double_ack"),
        "{:?}",
        state.violations
    );
    // The global limit (1 per second) was not touched by sixty callbacks.
    let (status, headers, _) = rest(&sim, reqwest::Method::GET, "/users/@me", None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-ratelimit-limit"], "1");
    assert!(!headers.contains_key("x-ratelimit-scope"));
    sim.shutdown().await;
}

/// A bucket 429 carries the bucket's headers, scope `user` and `Via`; a global 429 carries
/// `X-RateLimit-Global` and scope `global` but no bucket headers; neither scope appears on
/// other responses.
#[tokio::test]
async fn rate_limited_responses_carry_discords_headers() {
    let sim = start(fast().rest_bucket_limit(1).rest_global_limit(3)).await;
    let (status, headers, _) = rest(&sim, reqwest::Method::GET, "/users/@me", None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["via"], "1.1 google");
    assert!(!headers.contains_key("x-ratelimit-scope"));
    let (status, headers, _) = rest(&sim, reqwest::Method::GET, "/users/@me", None).await;
    assert_eq!(status, 429);
    assert_eq!(headers["x-ratelimit-scope"], "user");
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert!(headers.contains_key("x-ratelimit-bucket"));
    assert!(headers.contains_key("retry-after"));
    // discord.py retries a 429 only when it came through Discord's load balancer.
    assert_eq!(headers["via"], "1.1 google");
    let (status, _, _) = rest(&sim, reqwest::Method::GET, "/gateway/bot", None).await;
    assert_eq!(status, 200);
    let (status, headers, body) = rest(&sim, reqwest::Method::GET, "/applications/@me", None).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(headers["x-ratelimit-global"], "true");
    assert_eq!(headers["x-ratelimit-scope"], "global");
    assert_eq!(headers["via"], "1.1 google");
    assert_eq!(
        rate_limit_headers(&headers).len(),
        2,
        "only global and scope: {headers:?}"
    );
    assert!(violations(&sim).await >= 2);
    sim.shutdown().await;
}

/// The invalid-request ban is Cloudflare's static answer, not the API's: `{"code": 0,
/// "message"}` with no rate-limit header, no `Retry-After` and no `Via`.
#[tokio::test]
async fn the_ban_is_cloudflares_static_answer() {
    let sim = start(fast().invalid_request_limit(2)).await;
    for _ in 0..2 {
        let resp = client()
            .get(format!("{}/api/v10/users/@me", sim.base_url()))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 401);
    }
    let (status, headers, body) = rest(&sim, reqwest::Method::GET, "/users/@me", None).await;
    assert_eq!(status, 429);
    assert_eq!(rate_limit_headers(&headers), Vec::<String>::new());
    assert!(!headers.contains_key("retry-after"));
    assert!(!headers.contains_key("via"));
    assert_eq!(headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(body["code"], 0);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("blocked"))
    );
    sim.shutdown().await;
}

/// Every 204 the REST API gives is empty and has no `Content-Type`.
#[tokio::test]
async fn no_content_responses_have_no_content_type() {
    let sim = start(fast().rest_bucket_limit(100)).await;
    let state = sim.control().state().await.expect("state");
    let app = &state.application_id;
    let channel = &state.guilds[0].channels[0];
    let (_, _, body) = rest(
        &sim,
        reqwest::Method::POST,
        &format!("/applications/{app}/commands"),
        Some(json!({"name": "gone", "description": "Soon gone"})),
    )
    .await;
    let command: Value = serde_json::from_str(&body).expect("json");
    let (_, _, body) = rest(
        &sim,
        reqwest::Method::POST,
        &format!("/channels/{channel}/messages"),
        Some(json!({"content": "gone soon"})),
    )
    .await;
    let message: Value = serde_json::from_str(&body).expect("json");
    let run = sim
        .control()
        .run_command("ping", Value::Null, None, None, None)
        .await
        .expect("run");
    let deletes = [
        format!(
            "/applications/{app}/commands/{}",
            command["id"].as_str().expect("id")
        ),
        format!(
            "/channels/{channel}/messages/{}",
            message["id"].as_str().expect("id")
        ),
    ];
    for path in &deletes {
        let (status, headers, body) = rest(&sim, reqwest::Method::DELETE, path, None).await;
        assert_eq!((status, body.as_str()), (204, ""), "{path}");
        assert!(!headers.contains_key("content-type"), "{path}: {headers:?}");
    }
    let (status, headers, _) = rest(
        &sim,
        reqwest::Method::POST,
        &format!("/interactions/{}/{}/callback", run.id, run.token),
        Some(json!({"type": 4, "data": {"content": "pong"}})),
    )
    .await;
    assert_eq!(status, 204);
    assert!(!headers.contains_key("content-type"));
    let (status, headers, _) = rest(
        &sim,
        reqwest::Method::DELETE,
        &format!("/webhooks/{app}/{}/messages/@original", run.token),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(!headers.contains_key("content-type"));
    sim.shutdown().await;
}
