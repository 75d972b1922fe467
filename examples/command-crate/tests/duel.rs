//! `/duel` end to end: clicks join through the command state, the duel ends by its timer, and a
//! restart of the bot in between loses no player (novera-testkit's `restart_bot`).

use novera_testkit::{TestBot, json, options};

async fn start_duel(bot: &TestBot, seconds: u64) -> (u64, u64) {
    let id = bot
        .run_command(
            "duel",
            options(&[("dice", json!("1d20")), ("seconds", json!(seconds))]),
        )
        .await
        .unwrap();
    let started = bot.wait_responded(id).await.unwrap();
    assert!(started.content.unwrap().contains("rolls `1d20`"));
    (id, started.original_message_id.unwrap().parse().unwrap())
}

async fn join(bot: &TestBot, duel: u64, message: u64, user: u64) -> String {
    let click = bot
        .click(message, &format!("duel:join:{duel}"), user)
        .await
        .unwrap();
    let answer = bot.wait_responded(click).await.unwrap();
    assert!(answer.ephemeral);
    answer.content.unwrap()
}

async fn result(bot: &TestBot, message: u64) -> String {
    bot.wait_until("the duel to end", || async {
        let found = bot.message(message).await?;
        let text = found
            .as_ref()
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned();
        Ok(text.contains("is over").then_some(text))
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_join_once_and_all_roll_when_the_time_is_up() {
    let bot = TestBot::start([novera_example_dice::commands()])
        .await
        .unwrap();
    let users = bot.users().unwrap();
    let (duel, message) = start_duel(&bot, 3).await;
    assert_eq!(
        join(&bot, duel, message, users[1]).await,
        "You are in: 1 player(s) so far."
    );
    assert_eq!(
        join(&bot, duel, message, users[2]).await,
        "You are in: 2 player(s) so far."
    );
    assert_eq!(
        join(&bot, duel, message, users[1]).await,
        "You are in: 2 player(s) so far.",
        "joining twice counts once"
    );
    let text = result(&bot, message).await;
    for user in &users[1..=2] {
        assert!(text.contains(&format!("<@{user}> [")), "{text}");
    }
    assert!(text.contains("Winner: <@"), "{text}");
    assert_eq!(
        join(&bot, duel, message, users[3]).await,
        "This duel is over."
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_players_and_the_end() {
    let bot = TestBot::start([novera_example_dice::commands()])
        .await
        .unwrap();
    let users = bot.users().unwrap();
    let (duel, message) = start_duel(&bot, 4).await;
    join(&bot, duel, message, users[1]).await;

    let (bot, report) = bot.restart_bot().await.unwrap();
    assert!(report.drain.complete, "nothing waits while a duel is open");
    assert_eq!(
        join(&bot, duel, message, users[2]).await,
        "You are in: 2 player(s) so far."
    );
    let text = result(&bot, message).await;
    assert!(text.contains(&format!("<@{}> [", users[1])), "{text}");
    assert!(text.contains(&format!("<@{}> [", users[2])), "{text}");
    bot.shutdown().await;
}
