//! The router's guarantees through novera-sim: slow, panicking, hanging and flooding handlers
//! all still give the user an answer, and the bot keeps serving.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use novera_commands::{CommandError, CommandSet, RouterConfig, command_fn};
use novera_core::CancellationToken;
use novera_testkit::{TestBot, TestBotBuilder, json};

use common::{def, def_with_text, logs, reference_in};

/// Commands exercising the failure modes.
fn failure_set(gate: CancellationToken, hang_dropped: Arc<AtomicBool>) -> CommandSet {
    CommandSet::new()
        .with(
            def("ok"),
            command_fn(|ctx| async move {
                ctx.reply("fine").await?;
                Ok(())
            }),
        )
        .with(
            def("slow"),
            command_fn(|ctx| async move {
                // Longer than the simulator's interaction window below.
                tokio::time::sleep(Duration::from_millis(1500)).await;
                ctx.reply("done after a long think").await?;
                Ok(())
            }),
        )
        .with(
            def("boom"),
            command_fn(|_ctx| async move {
                let answer: Option<u8> = None;
                assert!(answer.is_some(), "the handler blew up");
                Ok(())
            }),
        )
        .with(
            def("broken"),
            command_fn(|_ctx| async move {
                Err(std::io::Error::other("database unreachable"))?;
                Ok(())
            }),
        )
        .with(
            def("picky"),
            command_fn(|_ctx| async move {
                Err(CommandError::user("That is not a valid dice expression."))
            }),
        )
        .with(
            def("hang").deadline(Duration::from_millis(800)),
            command_fn(move |_ctx| {
                let dropped = Arc::clone(&hang_dropped);
                async move {
                    struct SetOnDrop(Arc<AtomicBool>);
                    impl Drop for SetOnDrop {
                        fn drop(&mut self) {
                            self.0.store(true, Ordering::SeqCst);
                        }
                    }
                    let _guard = SetOnDrop(dropped);
                    std::future::pending::<()>().await;
                    Ok(())
                }
            }),
        )
        .with(
            def("block"),
            command_fn(move |ctx| {
                let gate = gate.clone();
                async move {
                    gate.cancelled().await;
                    ctx.reply("released").await?;
                    Ok(())
                }
            }),
        )
        .with(
            def("limited").cooldown(Duration::from_secs(60)),
            command_fn(|ctx| async move {
                ctx.reply("used").await?;
                Ok(())
            }),
        )
        .with(
            def_with_text("echo").prefix(true),
            command_fn(|ctx| async move {
                #[derive(twilight_interactions::command::CommandModel)]
                struct Echo {
                    text: String,
                }
                let Echo { text } = ctx.options()?;
                ctx.reply(text).await?;
                Ok(())
            }),
        )
}

/// A bot whose simulator closes the interaction window after 1 s and whose router defers
/// after 300 ms: the 3 s / 2 s of production, scaled down so tests stay fast.
fn bot() -> (TestBotBuilder, CancellationToken, Arc<AtomicBool>) {
    common::init();
    let gate = CancellationToken::new();
    let dropped = Arc::new(AtomicBool::new(false));
    let builder = TestBot::builder()
        .sim(|s| s.interaction_window(Duration::from_secs(1)))
        .router_config(
            RouterConfig::default()
                .with_auto_defer(Duration::from_millis(300))
                .with_in_flight_limit(2)
                .with_prefix(Some("!".into())),
        )
        .commands(failure_set(gate.clone(), Arc::clone(&dropped)));
    (builder, gate, dropped)
}

async fn assert_next_command_works(bot: &TestBot) {
    let id = bot.run_command("ok", json!(null)).await.unwrap();
    let ok = bot.wait_responded(id).await.unwrap();
    assert_eq!(ok.content.as_deref(), Some("fine"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_is_deferred_in_time_and_its_reply_edits_the_original() {
    let (builder, _gate, _) = bot();
    let bot = builder.start().await.unwrap();
    let id = bot.run_command("slow", json!(null)).await.unwrap();
    let done = bot
        .wait_for_interaction(id, "the edited answer", |s| {
            s.content.as_deref() == Some("done after a long think")
        })
        .await
        .unwrap();
    assert_eq!(done.response_type, Some(5), "deferred: {done:?}");
    assert!(
        done.response_ms.unwrap() < 1000,
        "deferred within the window: {done:?}"
    );
    assert!(done.error.is_none(), "no 10062: {:?}", done.error);
    let kinds: Vec<&str> = done.bodies.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["callback", "edit_original"]);
    assert!(done.followups.is_empty());
    assert!(bot.violations().await.unwrap().is_empty());
    assert_eq!(bot.stats().auto_deferred, 1);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_gets_an_ephemeral_reference_and_the_bot_keeps_serving() {
    let (builder, _gate, _) = bot();
    let observed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let bot = builder
        .on_failure({
            let observed = observed.clone();
            move |failure: &novera_commands::CommandFailure| {
                observed.lock().unwrap().push(failure.clone());
            }
        })
        .start()
        .await
        .unwrap();
    let id = bot.run_command("boom", json!(null)).await.unwrap();
    let failed = bot.wait_responded(id).await.unwrap();
    assert!(failed.ephemeral, "{failed:?}");
    let content = failed.content.unwrap();
    assert!(
        content.starts_with("Something went wrong running `/boom`."),
        "{content}"
    );
    let reference = reference_in(&content).expect("a reference id");
    bot.wait_until("the operator's log line", || {
        let logs = logs();
        let line = logs
            .lines()
            .find(|l| l.contains(&reference))
            .map(str::to_owned);
        async move { Ok(line) }
    })
    .await
    .map(|line| {
        assert!(line.contains("ERROR"), "{line}");
        assert!(
            line.contains("command=\"boom\"") || line.contains("command=boom"),
            "{line}"
        );
        assert!(line.contains("the handler blew up"), "{line}");
    })
    .unwrap();
    // The failure observer (the binary's alerting) saw the same failure, same reference.
    let observed = observed.lock().unwrap().clone();
    assert_eq!(observed.len(), 1, "{observed:?}");
    assert_eq!(observed[0].command, "boom");
    assert_eq!(observed[0].kind, novera_commands::FailureKind::Panic);
    assert_eq!(observed[0].reference, reference);
    assert!(observed[0].cause.contains("the handler blew up"));
    assert_eq!(bot.stats().failed, 1);
    assert_next_command_works(&bot).await;
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_internal_error_gets_a_reference_and_a_user_error_its_message() {
    let (builder, _gate, _) = bot();
    let bot = builder.start().await.unwrap();
    let id = bot.run_command("broken", json!(null)).await.unwrap();
    let failed = bot.wait_responded(id).await.unwrap();
    assert!(failed.ephemeral);
    let reference = reference_in(failed.content.as_deref().unwrap()).expect("a reference id");
    bot.wait_until("the operator's log line", || {
        let found = logs()
            .lines()
            .any(|l| l.contains(&reference) && l.contains("database unreachable"));
        async move { Ok(found.then_some(())) }
    })
    .await
    .unwrap();

    let id = bot.run_command("picky", json!(null)).await.unwrap();
    let picky = bot.wait_responded(id).await.unwrap();
    assert!(picky.ephemeral);
    assert_eq!(
        picky.content.as_deref(),
        Some("That is not a valid dice expression.")
    );
    bot.wait_until("both counted", || {
        let stats = bot.stats();
        async move { Ok((stats.failed == 1 && stats.served == 1).then_some(())) }
    })
    .await
    .unwrap();
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_handler_is_cancelled_at_its_deadline_with_an_ephemeral_reply() {
    let (builder, _gate, dropped) = bot();
    let bot = builder.start().await.unwrap();
    let id = bot.run_command("hang", json!(null)).await.unwrap();
    let failed = bot
        .wait_for_interaction(id, "the deadline reply", |s| !s.followups.is_empty())
        .await
        .unwrap();
    // Auto-deferred publicly at 300 ms; at the 800 ms deadline the public "thinking..." is
    // removed and the user alone is told.
    assert_eq!(failed.response_type, Some(5));
    let kinds: Vec<&str> = failed.bodies.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["callback", "delete_original", "followup"]);
    let reply = &failed.followups[0];
    assert_eq!(reply.flags & 64, 64, "ephemeral: {reply:?}");
    assert!(
        reply.content.starts_with("`/hang` took too long"),
        "{}",
        reply.content
    );
    assert!(reference_in(&reply.content).is_some(), "{}", reply.content);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the handler's future was dropped"
    );
    assert!(failed.error.is_none(), "{:?}", failed.error);
    assert_next_command_works(&bot).await;
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_in_flight_limit_extras_are_answered_busy_and_none_go_unanswered() {
    let (builder, gate, _) = bot();
    let bot = builder.start().await.unwrap();
    let mut blocked = Vec::new();
    for _ in 0..2 {
        blocked.push(bot.run_command("block", json!(null)).await.unwrap());
    }
    bot.wait_until("both slots taken", || {
        let full = bot.stats().in_flight == 2;
        async move { Ok(full.then_some(())) }
    })
    .await
    .unwrap();
    let mut extras = Vec::new();
    for _ in 0..3 {
        extras.push(bot.run_command("ok", json!(null)).await.unwrap());
    }
    for id in &extras {
        let busy = bot.wait_responded(*id).await.unwrap();
        assert_eq!(busy.response_type, Some(4));
        assert!(busy.ephemeral);
        assert_eq!(
            busy.content.as_deref(),
            Some("The bot is busy right now. Please try again in a moment.")
        );
    }
    assert_eq!(bot.stats().busy_rejected, 3);
    gate.cancel();
    for id in &blocked {
        let released = bot
            .wait_for_interaction(*id, "the released reply", |s| {
                s.content.as_deref() == Some("released")
            })
            .await
            .unwrap();
        assert!(released.error.is_none(), "{:?}", released.error);
    }
    assert_next_command_works(&bot).await;
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cooldown_turns_away_a_quick_second_use() {
    let (builder, _gate, _) = bot();
    let bot = builder.start().await.unwrap();
    let first = bot.run_command("limited", json!(null)).await.unwrap();
    assert_eq!(
        bot.wait_responded(first).await.unwrap().content.as_deref(),
        Some("used")
    );
    let second = bot.run_command("limited", json!(null)).await.unwrap();
    let second = bot.wait_responded(second).await.unwrap();
    assert!(second.ephemeral);
    assert!(
        second
            .content
            .unwrap()
            .starts_with("Slow down: you can use `/limited` again in")
    );
    let other = bot
        .run_command_as(bot.user(1).unwrap(), "limited", json!(null))
        .await
        .unwrap();
    assert_eq!(
        bot.wait_responded(other).await.unwrap().content.as_deref(),
        Some("used")
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefix_commands_run_from_text_and_mention_nobody() {
    let (builder, _gate, _) = bot();
    let bot = builder.start().await.unwrap();
    let sent = bot.post_message("!echo hello @everyone").await.unwrap();
    let bot_id = bot.application_id().unwrap().to_string();
    let reply = bot
        .wait_until("the prefix reply", || async {
            let messages = bot.channel_messages().await?;
            Ok(messages
                .into_iter()
                .find(|m| m["author"]["id"] == bot_id.as_str()))
        })
        .await
        .unwrap();
    assert_eq!(reply["content"], "hello @everyone");
    assert_eq!(reply["allowed_mentions"], json!({"parse": []}));
    assert_eq!(reply["message_reference"]["message_id"], sent.to_string());

    bot.post_message("!echo").await.unwrap();
    bot.wait_until("the usage reply", || async {
        let messages = bot.channel_messages().await?;
        Ok(messages
            .iter()
            .any(|m| m["content"] == "Usage: `!echo <text>`")
            .then_some(()))
    })
    .await
    .unwrap();
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_nobody_owns_is_still_answered() {
    let (builder, _gate, _) = bot();
    let bot = builder.start().await.unwrap();
    let id = bot.run_command("ok", json!(null)).await.unwrap();
    let ok = bot.wait_responded(id).await.unwrap();
    let message: u64 = ok.original_message_id.unwrap().parse().unwrap();
    let click = bot
        .click(message, "nobody:here", bot.user(0).unwrap())
        .await
        .unwrap();
    let answered = bot.wait_responded(click).await.unwrap();
    assert!(answered.ephemeral);
    assert_eq!(
        answered.content.as_deref(),
        Some("This is no longer active.")
    );
    bot.shutdown().await;
}
