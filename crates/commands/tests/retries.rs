//! REST retries through novera-sim's `rest` fault (issue 17): a 500 or 502 on the interaction
//! callback, on the edit of `@original`, on a follow-up and on a channel message is retried, and
//! the user gets the answer exactly once, with no rule broken. A fault that outlives the retries
//! is given up on before Discord's window closes. When a request lands but its answer is lost
//! (a proxy drops the connection), the repeat does no harm: a callback's 40060 counts as the
//! first attempt having landed, and a channel message's nonce returns the message it made.
//! Every attempt is sent through the REST guard; a 429 stays the guard's (or twilight's).

mod common;

use std::sync::Arc;
use std::time::Duration;

use novera_commands::{CommandSet, RestGuard, RouterConfig, command_fn};
use novera_core::{
    CancellationToken, LimitFuture, LimitedRoute, RateLimitOutcome, SharedRateLimits,
};
use novera_sim::Fault;
use novera_testkit::{TestBot, json};
use serde_json::Value;
use tokio::sync::Notify;

use common::def;
use common::lossy::LossyProxy;

/// Commands whose REST calls the tests break: `answer` replies, `edited` replies then edits,
/// `twice` replies and (once released) sends a follow-up, `ok` also runs from `!ok`.
fn commands(release: CancellationToken, replied: Arc<Notify>) -> CommandSet {
    CommandSet::new()
        .with(
            def("answer"),
            command_fn(|ctx| async move {
                ctx.reply("the answer").await?;
                Ok(())
            }),
        )
        .with(
            def("edited"),
            command_fn(|ctx| async move {
                ctx.reply("draft").await?;
                ctx.edit("final").await?;
                Ok(())
            }),
        )
        .with(
            def("twice"),
            command_fn(move |ctx| {
                let (release, replied) = (release.clone(), Arc::clone(&replied));
                async move {
                    ctx.reply("first").await?;
                    replied.notify_one();
                    release.cancelled().await;
                    ctx.follow_up("second").await?;
                    Ok(())
                }
            }),
        )
        .with(
            def("ok").prefix(true),
            command_fn(|ctx| async move {
                ctx.reply("ok").await?;
                Ok(())
            }),
        )
}

async fn start(release: CancellationToken, replied: Arc<Notify>) -> TestBot {
    common::init();
    TestBot::builder()
        .router_config(RouterConfig::default().with_prefix(Some("!".into())))
        .commands(commands(release, replied))
        .start()
        .await
        .expect("bot starts")
}

/// A bot whose REST calls pass through a proxy that can lose answers.
async fn start_behind(proxy: &LossyProxy) -> TestBot {
    common::init();
    let proxy = proxy.clone();
    TestBot::builder()
        .router_config(RouterConfig::default().with_prefix(Some("!".into())))
        .commands(commands(CancellationToken::new(), Arc::new(Notify::new())))
        .rest_url(move |sim| proxy.url_for(sim))
        .start()
        .await
        .expect("bot starts")
}

fn fault(status: u16, count: u32, path_prefix: &str) -> Fault {
    serde_json::from_value(json!({
        "kind": "rest",
        "status": status,
        "count": count,
        "path_prefix": path_prefix,
    }))
    .expect("a rest fault")
}

/// Requests whose path contains `part`, with their statuses, in order.
async fn statuses(bot: &TestBot, method: &str, part: &str) -> Vec<u16> {
    bot.requests()
        .await
        .expect("request log")
        .iter()
        .filter(|r| r.method == method && r.path.contains(part))
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_failed_callback_is_retried_and_answered_once() {
    let bot = start(CancellationToken::new(), Arc::new(Notify::new())).await;
    for status in [500, 502] {
        bot.control()
            .fault(&fault(status, 1, "/interactions/"))
            .await
            .expect("fault armed");
        let id = bot.run_command("answer", Value::Null).await.expect("sent");
        let answer = bot.wait_responded(id).await.expect("answered");
        assert_eq!(answer.content.as_deref(), Some("the answer"));
        assert!(answer.followups.is_empty(), "{answer:?}");
        assert_eq!(answer.error, None);
        let callbacks = answer
            .bodies
            .iter()
            .filter(|b| b.kind == "callback")
            .count();
        assert_eq!(callbacks, 1, "the failed attempt never reached the handler");
        let tries = statuses(&bot, "POST", &format!("/interactions/{id}/")).await;
        assert_eq!(tries, vec![status, 204], "{status}");
    }
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_rate_limited_callback_is_repeated_by_the_limiter_and_answered_once() {
    let bot = start(CancellationToken::new(), Arc::new(Notify::new())).await;
    for scope in ["user", "global", "shared"] {
        let fault: Fault = serde_json::from_value(json!({
            "kind": "rate_limit",
            "scope": scope,
            "count": 1,
            "path_prefix": "/interactions/",
            "retry_after": 0.2,
        }))
        .expect("a rate_limit fault");
        bot.control().fault(&fault).await.expect("fault armed");
        let id = bot.run_command("answer", Value::Null).await.expect("sent");
        let answer = bot.wait_responded(id).await.expect("answered");
        assert_eq!(answer.content.as_deref(), Some("the answer"), "{scope}");
        let tries = statuses(&bot, "POST", &format!("/interactions/{id}/")).await;
        assert_eq!(
            tries,
            vec![429, 204],
            "{scope}: twilight-http repeats a 429 itself"
        );
    }
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_failed_edit_of_the_original_is_retried() {
    let bot = start(CancellationToken::new(), Arc::new(Notify::new())).await;
    // The callback is not under /webhooks/: the fault hits the edit.
    bot.control()
        .fault(&fault(502, 2, "/webhooks/"))
        .await
        .expect("fault armed");
    let id = bot.run_command("edited", Value::Null).await.expect("sent");
    let done = bot
        .wait_for_interaction(id, "the edit", |s| s.content.as_deref() == Some("final"))
        .await
        .expect("edited");
    assert!(done.followups.is_empty());
    let edits = statuses(&bot, "PATCH", "/messages/@original").await;
    assert_eq!(edits, vec![502, 502, 200]);
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_failed_follow_up_is_retried_and_sent_once() {
    let release = CancellationToken::new();
    let replied = Arc::new(Notify::new());
    let bot = start(release.clone(), Arc::clone(&replied)).await;
    let id = bot.run_command("twice", Value::Null).await.expect("sent");
    tokio::time::timeout(novera_testkit::WAIT, replied.notified())
        .await
        .expect("the first reply");
    // The next request under /webhooks/ is the follow-up.
    bot.control()
        .fault(&fault(500, 1, "/webhooks/"))
        .await
        .expect("fault armed");
    release.cancel();
    let done = bot
        .wait_for_interaction(id, "the follow-up", |s| !s.followups.is_empty())
        .await
        .expect("followed up");
    // Give a second copy time to show up if one were sent.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let done = bot.interaction(id).await.unwrap_or(done);
    assert_eq!(done.content.as_deref(), Some("first"));
    let followups: Vec<_> = done.followups.iter().map(|f| f.content.as_str()).collect();
    assert_eq!(followups, vec!["second"]);
    let posts: Vec<u16> = bot
        .requests()
        .await
        .expect("request log")
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api/v10/webhooks/"))
        .map(|r| r.status)
        .collect();
    assert_eq!(posts, vec![500, 200]);
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_failed_channel_message_is_retried_and_posted_once() {
    let bot = start(CancellationToken::new(), Arc::new(Notify::new())).await;
    bot.control()
        .fault(&fault(500, 1, "/channels/"))
        .await
        .expect("fault armed");
    let sent = bot.post_message("!ok").await.expect("posted");
    let bot_id = bot.application_id().expect("id").to_string();
    let mine = |messages: &[Value]| -> Vec<Value> {
        messages
            .iter()
            .filter(|m| m["author"]["id"] == bot_id.as_str())
            .cloned()
            .collect()
    };
    let reply = bot
        .wait_until("the prefix reply", || async {
            Ok(mine(&bot.channel_messages().await?).into_iter().next())
        })
        .await
        .expect("replied");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies = mine(&bot.channel_messages().await.expect("messages"));
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(reply["content"], "ok");
    assert_eq!(
        reply["message_reference"]["message_id"],
        sent.to_string().as_str()
    );
    assert!(
        reply["nonce"].as_str().is_some_and(|n| !n.is_empty()),
        "{reply}"
    );
    let posts = statuses(&bot, "POST", "/channels/").await;
    assert_eq!(posts.iter().filter(|s| **s == 500).count(), 1, "{posts:?}");
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}

#[tokio::test]
async fn a_callback_that_keeps_failing_is_given_up_within_the_window() {
    let bot = start(CancellationToken::new(), Arc::new(Notify::new())).await;
    bot.control()
        .fault(&fault(503, 1000, "/interactions/"))
        .await
        .expect("fault armed");
    let id = bot.run_command("answer", Value::Null).await.expect("sent");
    let path = format!("/interactions/{id}/");
    // The handler's reply gives up, then the router's error reply does (one line each; no
    // other test of this binary breaks a callback for good).
    bot.wait_until("both answers to give up", || async {
        let given_up = common::logs()
            .lines()
            .filter(|l| {
                l.contains("giving up on a REST call") && l.contains("POST interaction callback")
            })
            .count();
        Ok((given_up >= 2).then_some(()))
    })
    .await
    .expect("given up");
    let tries: Vec<_> = bot
        .requests()
        .await
        .expect("request log")
        .into_iter()
        .filter(|r| r.path.contains(&path))
        .collect();
    assert!(tries.iter().all(|r| r.status == 503), "{tries:?}");
    // Five attempts for the reply, at most five for the error reply, none after the window.
    assert!((6..=10).contains(&tries.len()), "{tries:?}");
    let span = tries.last().map_or(0, |r| r.at) - tries.first().map_or(0, |r| r.at);
    assert!(span < 3000, "attempts spread over {span} ms");
    assert!(!bot.interaction(id).await.expect("status").responded);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_callback_whose_answer_was_lost_counts_as_sent() {
    let proxy = LossyProxy::start().await;
    let bot = start_behind(&proxy).await;
    proxy.lose_next("POST /api/v10/interactions/");
    let id = bot.run_command("edited", Value::Null).await.expect("sent");
    // The retry's 40060 means the first callback ("draft") landed: the edit follows it. Taken as
    // "answered by another process", the edit would be skipped and "draft" would stay.
    let done = bot
        .wait_for_interaction(id, "the edit", |s| s.content.as_deref() == Some("final"))
        .await
        .expect("edited");
    assert_eq!(proxy.lost(), 1);
    assert!(done.followups.is_empty(), "{done:?}");
    let tries = statuses(&bot, "POST", &format!("/interactions/{id}/")).await;
    assert_eq!(tries, vec![204, 400], "the repeat is refused with 40060");
    // The simulator counts the repeat as Discord's rule says; nothing else was broken.
    let rules: Vec<String> = bot
        .violations()
        .await
        .expect("state")
        .into_iter()
        .map(|v| v.rule)
        .collect();
    assert_eq!(rules, vec!["interaction_double_ack"]);
    bot.shutdown().await;
}

#[tokio::test]
async fn a_channel_message_whose_answer_was_lost_is_not_posted_twice() {
    let proxy = LossyProxy::start().await;
    let bot = start_behind(&proxy).await;
    proxy.lose_next("POST /api/v10/channels/");
    bot.post_message("!ok").await.expect("posted");
    let bot_id = bot.application_id().expect("id").to_string();
    let posts = bot
        .wait_until("the repeated create", || async {
            let posts = statuses(&bot, "POST", "/channels/").await;
            Ok((posts.len() >= 2).then_some(posts))
        })
        .await
        .expect("repeated");
    assert_eq!(posts, vec![200, 200]);
    assert_eq!(proxy.lost(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let replies: Vec<Value> = bot
        .channel_messages()
        .await
        .expect("messages")
        .into_iter()
        .filter(|m| m["author"]["id"] == bot_id.as_str())
        .collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}

/// Shared rate limits that let everything go and count what asked them, by route template.
#[derive(Debug, Default)]
struct CountingLimits {
    acquired: std::sync::Mutex<Vec<String>>,
}

impl CountingLimits {
    fn acquired(&self, template: &str) -> usize {
        self.acquired
            .lock()
            .expect("not poisoned")
            .iter()
            .filter(|t| *t == template)
            .count()
    }
}

impl SharedRateLimits for CountingLimits {
    fn acquire<'a>(&'a self, route: &'a LimitedRoute) -> LimitFuture<'a> {
        self.acquired
            .lock()
            .expect("not poisoned")
            .push(route.template.clone());
        Box::pin(std::future::ready(()))
    }

    fn complete(&self, _route: &LimitedRoute, _outcome: RateLimitOutcome) {}
}

#[tokio::test]
async fn every_attempt_goes_through_the_rest_guard() {
    common::init();
    let limits = Arc::new(CountingLimits::default());
    let guard = RestGuard::default();
    guard.share_rate_limits(Arc::clone(&limits) as Arc<dyn SharedRateLimits>);
    let bot = TestBot::builder()
        .router_config(RouterConfig::default().with_prefix(Some("!".into())))
        .commands(commands(CancellationToken::new(), Arc::new(Notify::new())))
        .rest_guard(guard)
        .start()
        .await
        .expect("bot starts");
    let route = "POST /channels/{id}/messages";
    let bot_id = bot.application_id().expect("id").to_string();
    let replies = || async {
        let messages = bot.channel_messages().await?;
        Ok::<_, novera_testkit::TestkitError>(
            messages
                .into_iter()
                .filter(|m| m["author"]["id"] == bot_id.as_str())
                .count(),
        )
    };

    // Two 500s: the retries are sent through the guard, each waiting for the shared limits.
    bot.control()
        .fault(&fault(500, 2, "/channels/"))
        .await
        .expect("fault armed");
    bot.post_message("!ok").await.expect("posted");
    bot.wait_until("the first reply", || async {
        Ok((replies().await? == 1).then_some(()))
    })
    .await
    .expect("replied");
    assert_eq!(
        statuses(&bot, "POST", "/channels/").await,
        vec![500, 500, 200]
    );
    assert_eq!(limits.acquired(route), 3);

    // A 429 is the guard's to resend (after its pause), not the retry's: one more acquire.
    let limited: Fault = serde_json::from_value(json!({
        "kind": "rate_limit",
        "scope": "user",
        "count": 1,
        "path_prefix": "/channels/",
        "retry_after": 0.2,
    }))
    .expect("a rate_limit fault");
    bot.control().fault(&limited).await.expect("fault armed");
    bot.post_message("!ok").await.expect("posted");
    bot.wait_until("the second reply", || async {
        Ok((replies().await? == 2).then_some(()))
    })
    .await
    .expect("replied");
    assert_eq!(
        statuses(&bot, "POST", "/channels/").await,
        vec![500, 500, 200, 429, 200]
    );
    assert_eq!(limits.acquired(route), 5);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(replies().await.expect("messages"), 2);
    assert!(bot.violations().await.expect("state").is_empty());
    bot.shutdown().await;
}
