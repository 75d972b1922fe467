//! The built-in commands, round-tripped through novera-sim and the real gateway.

mod common;

use novera_commands::{GatewayInfo, builtins};
use novera_testkit::{TestBot, json, options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_reports_heartbeat_latency_and_rest_round_trip() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let info = bot.gateway_info();
    bot.wait_until("a heartbeat latency", || {
        let measured = info.latency().is_some();
        async move { Ok(measured.then_some(())) }
    })
    .await
    .unwrap();

    let id = bot.run_command("ping", json!(null)).await.unwrap();
    let done = bot
        .wait_for_interaction(id, "the measured edit", |s| {
            s.content.as_deref().is_some_and(|c| c.ends_with(" ms."))
        })
        .await
        .unwrap();
    let content = done.content.unwrap();
    assert!(
        content.starts_with("Pong! Gateway heartbeat: "),
        "{content}"
    );
    assert!(!content.contains("not measured"), "{content}");
    assert!(content.contains("REST round trip: "), "{content}");
    assert_eq!(done.response_type, Some(4));
    assert!(done.error.is_none(), "{:?}", done.error);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_shards_and_commands_served() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let ping = bot.run_command("ping", json!(null)).await.unwrap();
    bot.wait_responded(ping).await.unwrap();
    bot.wait_until("ping counted", || {
        let served = bot.stats().served;
        async move { Ok((served >= 1).then_some(())) }
    })
    .await
    .unwrap();

    let id = bot.run_command("status", json!(null)).await.unwrap();
    let status = bot.wait_responded(id).await.unwrap();
    let content = status.content.unwrap();
    assert!(content.contains("**Novera "), "{content}");
    assert!(content.contains("Shard 0: active"), "{content}");
    assert!(content.contains("Reconnects: 0 - resumes: 0"), "{content}");
    assert!(
        content.contains("Commands: 1 served, 0 failed, 0 busy"),
        "{content}"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_every_registered_command() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let id = bot.run_command("help", json!(null)).await.unwrap();
    let help = bot.wait_responded(id).await.unwrap();
    assert!(help.ephemeral);
    let content = help.content.unwrap();
    for name in ["ask", "help", "ping", "poll", "status"] {
        assert!(
            content.contains(&format!("`/{name}` - ")),
            "{name} missing: {content}"
        );
    }
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_echoes_the_next_message_of_the_asking_user() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let (asker, other) = (bot.user(0).unwrap(), bot.user(1).unwrap());
    let id = bot
        .run_command_as(
            asker,
            "ask",
            options(&[
                ("question", json!("Tea or coffee?")),
                ("timeout", json!(20)),
            ]),
        )
        .await
        .unwrap();
    let question = bot.wait_responded(id).await.unwrap();
    assert!(question.content.unwrap().starts_with("Tea or coffee?"));

    bot.post_message_as(other, "coffee, obviously")
        .await
        .unwrap();
    bot.post_message_as(asker, "tea please").await.unwrap();
    let done = bot
        .wait_for_interaction(id, "the echo", |s| !s.followups.is_empty())
        .await
        .unwrap();
    assert_eq!(done.followups[0].content, "You answered: tea please");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_says_so_when_nobody_answers_in_time() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let id = bot
        .run_command(
            "ask",
            options(&[("question", json!("Anyone?")), ("timeout", json!(1))]),
        )
        .await
        .unwrap();
    let done = bot
        .wait_for_interaction(id, "the timeout notice", |s| !s.followups.is_empty())
        .await
        .unwrap();
    assert_eq!(done.followups[0].content, "No answer within 1s.");
    // The wait left nothing running: the handler finished and its slot is free.
    bot.wait_until("the handler to finish", || {
        let idle = bot.stats().in_flight == 0;
        async move { Ok(idle.then_some(())) }
    })
    .await
    .unwrap();
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_everyone_mentions_nobody() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let id = bot
        .run_command(
            "ask",
            options(&[("question", json!("Say something")), ("timeout", json!(20))]),
        )
        .await
        .unwrap();
    bot.wait_responded(id).await.unwrap();
    bot.post_message("@everyone free pizza <@&123>")
        .await
        .unwrap();
    let done = bot
        .wait_for_interaction(id, "the echo", |s| !s.followups.is_empty())
        .await
        .unwrap();
    assert_eq!(
        done.followups[0].content,
        "You answered: @everyone free pizza <@&123>"
    );
    // Checked on the request bodies the simulator received, not on our own types.
    for body in &done.bodies {
        let allowed = body.body.get("allowed_mentions").or_else(|| {
            body.body
                .get("data")
                .and_then(|d| d.get("allowed_mentions"))
        });
        assert_eq!(
            allowed,
            Some(&json!({"parse": []})),
            "{} body: {}",
            body.kind,
            body.body
        );
    }
    assert_eq!(
        done.followups[0].allowed_mentions,
        Some(json!({"parse": []}))
    );
    let violations = bot.violations().await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    bot.shutdown().await;
}
