//! `/poll` on the command state store: clicks are fresh invocations that load, apply and save
//! with compare-and-set, the close is a durable timer, and a restart loses nothing.

mod common;

use std::time::Duration;

use novera_commands::{Clock, TimerBook, builtins};
use novera_testkit::{TestBot, json, options};

/// Starts `/poll` as `author` and returns the poll's id (its interaction's) and message id.
async fn start_poll(bot: &TestBot, author: u64, choices: &str, seconds: u64) -> (u64, u64) {
    let id = bot
        .run_command_as(
            author,
            "poll",
            options(&[
                ("question", json!("Lunch?")),
                ("choices", json!(choices)),
                ("seconds", json!(seconds)),
            ]),
        )
        .await
        .unwrap();
    let poll = bot.wait_responded(id).await.unwrap();
    let message = poll.original_message_id.unwrap().parse().unwrap();
    (id, message)
}

/// The poll message's text and whether it still has buttons, as the channel shows it.
async fn poll_message(bot: &TestBot, message: u64) -> (String, bool) {
    let found = bot
        .message(message)
        .await
        .unwrap()
        .expect("the poll message exists");
    let buttons = found["components"]
        .as_array()
        .is_some_and(|rows| !rows.is_empty());
    (
        found["content"].as_str().unwrap_or_default().to_owned(),
        buttons,
    )
}

/// Waits until the poll message's text contains `want`.
async fn wait_text(bot: &TestBot, message: u64, what: &str, want: &str) -> String {
    bot.wait_until(what, || async {
        let (text, _) = poll_message(bot, message).await;
        Ok(text.contains(want).then_some(text))
    })
    .await
    .unwrap()
}

async fn vote(bot: &TestBot, poll: u64, message: u64, user: u64, choice: usize) {
    let click = bot
        .click(message, &format!("poll:vote:{poll}:{choice}"), user)
        .await
        .unwrap();
    let answered = bot.wait_responded(click).await.unwrap();
    assert_eq!(answered.response_type, Some(7), "{answered:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_counts_clicks_from_several_users_and_closes() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let users = bot.users().unwrap();
    let (author, a, b, c) = (users[0], users[1], users[2], users[3]);
    let (poll, message) = start_poll(&bot, author, "pizza, sushi", 120).await;
    for (user, choice) in [(a, 0), (b, 0), (c, 1), (c, 0), (c, 1)] {
        vote(&bot, poll, message, user, choice).await;
    }
    // The tally lives on the poll message, which each click's update (type 7) edited.
    let (text, buttons) = poll_message(&bot, message).await;
    assert!(text.contains("pizza: 2\nsushi: 1"), "{text}");
    assert!(buttons);
    // No handler runs while the poll is open: nothing for a stop to wait for.
    assert_eq!(bot.stats().in_flight, 0);

    let close = format!("poll:close:{poll}");
    let denied = bot.click(message, &close, a).await.unwrap();
    let denied = bot.wait_responded(denied).await.unwrap();
    assert!(denied.ephemeral);
    assert_eq!(
        denied.content.as_deref(),
        Some("Only the poll's author can close it.")
    );

    let closing = bot.click(message, &close, author).await.unwrap();
    let closed = bot.wait_responded(closing).await.unwrap();
    assert_eq!(closed.response_type, Some(7));
    let text = closed.content.unwrap();
    assert!(text.contains("(closed)"), "{text}");
    assert!(text.contains("Result: **pizza** with 2 vote(s)."), "{text}");
    let (_, buttons) = poll_message(&bot, message).await;
    assert!(!buttons, "buttons removed");
    let timers = TimerBook::new(bot.state_store().clone(), Clock::new(), "test");
    assert_eq!(
        timers.due_at("poll", &poll.to_string()).await.unwrap(),
        None,
        "closing cancels the close timer"
    );

    for custom_id in [format!("poll:vote:{poll}:1"), "poll:vote:1".to_owned()] {
        let late = bot.click(message, &custom_id, b).await.unwrap();
        let late = bot.wait_responded(late).await.unwrap();
        assert!(late.ephemeral);
        assert_eq!(late.content.as_deref(), Some("This poll has closed."));
    }
    let violations = bot.violations().await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_closes_after_its_duration_and_shows_the_result() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    // Long enough that the vote below lands first even on a loaded machine.
    let (poll, message) = start_poll(&bot, bot.user(0).unwrap(), "yes, no", 3).await;
    vote(&bot, poll, message, bot.user(2).unwrap(), 1).await;
    let text = wait_text(&bot, message, "the poll to close", "(closed)").await;
    assert!(text.contains("Result: **no** with 1 vote(s)."), "{text}");
    assert!(!poll_message(&bot, message).await.1, "buttons removed");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_survive_a_restart_and_the_poll_closes_on_time_with_all_of_them() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let users = bot.users().unwrap();
    let (poll, message) = start_poll(&bot, users[0], "pizza, sushi", 5).await;
    vote(&bot, poll, message, users[1], 0).await;

    let (bot, report) = bot.restart_bot().await.unwrap();
    assert!(report.drain.complete, "{:?}", report.drain);
    assert!(
        report.drain.waited < Duration::from_secs(2),
        "an open poll does not hold the stop: {:?}",
        report.drain
    );

    vote(&bot, poll, message, users[2], 1).await;
    let (text, _) = poll_message(&bot, message).await;
    assert!(
        text.contains("pizza: 1\nsushi: 1"),
        "both votes count: {text}"
    );
    let text = wait_text(&bot, message, "the poll to close", "(closed)").await;
    assert!(
        text.contains("pizza: 1\nsushi: 1") && text.contains("tie between pizza, sushi"),
        "{text}"
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_due_while_the_bot_was_down_closes_right_after_start() {
    common::init();
    // Timers are looked for once at start and then only hourly: a close that happens is the
    // start's.
    let bot = TestBot::builder()
        .commands(builtins())
        .timer_interval(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let (poll, message) = start_poll(&bot, bot.user(0).unwrap(), "pizza, sushi", 1).await;
    vote(&bot, poll, message, bot.user(1).unwrap(), 0).await;
    let timers = TimerBook::new(bot.state_store().clone(), Clock::new(), "test");
    bot.wait_until("the close time to pass", || async {
        let due = timers.due().await.unwrap();
        Ok((!due.is_empty()).then_some(()))
    })
    .await
    .unwrap();
    assert!(
        poll_message(&bot, message).await.1,
        "still open: nobody fired it"
    );

    let (bot, _) = bot.restart_bot().await.unwrap();
    let text = wait_text(&bot, message, "the overdue poll to close", "(closed)").await;
    assert!(text.contains("Result: **pizza** with 1 vote(s)."), "{text}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clicks_at_the_same_time_are_all_counted() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let users = bot.users().unwrap();
    let (poll, message) = start_poll(&bot, users[0], "pizza, sushi", 120).await;
    let custom_id = format!("poll:vote:{poll}:0");
    let clicks = users[1..]
        .iter()
        .map(|user| bot.click(message, &custom_id, *user));
    let clicks: Vec<u64> = futures_util::future::join_all(clicks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for click in clicks {
        bot.wait_responded(click).await.unwrap();
    }
    let clickers = users.len() - 1;
    let votes: std::collections::BTreeMap<String, usize> = bot
        .command_state("poll")
        .get::<serde_json::Value>(&poll.to_string())
        .await
        .unwrap()
        .map(|v| serde_json::from_value(v.value["votes"].clone()).unwrap())
        .unwrap();
    assert_eq!(votes.len(), clickers, "every click saved: {votes:?}");
    // Each click re-reads after updating the message, so it ends on the full tally.
    wait_text(
        &bot,
        message,
        "the message to show every vote",
        &format!("pizza: {clickers}\n"),
    )
    .await;
    bot.shutdown().await;
}
