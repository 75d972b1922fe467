//! `/roll` end to end: novera-sim, the gateway and the router, through novera-testkit only.

use novera_commands::RouterConfig;
use novera_testkit::{TestBot, json, options};

/// Reads `[a, b] + k = **t**` back and checks it adds up and stays within `count`d`faces`.
fn check_roll(text: &str, count: usize, faces: u32, modifier: i64) {
    let open = text.find('[').expect("faces shown");
    let close = text.find(']').expect("faces shown");
    let rolled: Vec<u32> = text[open + 1..close]
        .split(", ")
        .map(|f| f.parse().expect("a face"))
        .collect();
    assert_eq!(rolled.len(), count, "{text}");
    assert!(rolled.iter().all(|f| (1..=faces).contains(f)), "{text}");
    let total: i64 = text
        .rsplit("**")
        .nth(1)
        .and_then(|t| t.parse().ok())
        .expect("a total");
    let sum: i64 = rolled.iter().map(|f| i64::from(*f)).sum();
    assert_eq!(total, sum + modifier, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_shows_each_die_and_the_total() {
    let bot = TestBot::start([novera_example_dice::commands()])
        .await
        .unwrap();
    let id = bot
        .run_command("roll", options(&[("dice", json!("3d6+2"))]))
        .await
        .unwrap();
    let done = bot.wait_responded(id).await.unwrap();
    assert!(!done.ephemeral);
    let text = done.content.unwrap();
    assert!(text.starts_with("`3d6+2` ["), "{text}");
    check_roll(&text, 3, 6, 2);
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_expression_is_explained_to_the_user_only() {
    let bot = TestBot::start([novera_example_dice::commands()])
        .await
        .unwrap();
    let id = bot
        .run_command("roll", options(&[("dice", json!("2d1"))]))
        .await
        .unwrap();
    let done = bot.wait_responded(id).await.unwrap();
    assert!(done.ephemeral);
    assert_eq!(
        done.content.as_deref(),
        Some("`2d1` is not a dice roll: dice need between 2 and 1000 faces.")
    );
    bot.wait_until("the roll to be counted", || {
        let stats = bot.stats();
        async move { Ok((stats.served == 1).then_some(stats)) }
    })
    .await
    .map(|stats| assert_eq!(stats.failed, 0, "a user error is not a failure"))
    .unwrap();
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_that_says_everyone_pings_nobody() {
    let bot = TestBot::start([novera_example_dice::commands()])
        .await
        .unwrap();
    let id = bot
        .run_command(
            "roll",
            options(&[
                ("dice", json!("1d20")),
                ("label", json!("@everyone initiative")),
            ]),
        )
        .await
        .unwrap();
    let done = bot.wait_responded(id).await.unwrap();
    assert!(
        done.content
            .unwrap()
            .starts_with("@everyone initiative: `1d20` [")
    );
    assert_eq!(done.allowed_mentions, Some(json!({"parse": []})));
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roll_also_works_as_a_text_command() {
    let bot = TestBot::builder()
        .router_config(RouterConfig::default().with_prefix(Some("!".into())))
        .commands(novera_example_dice::commands())
        .start()
        .await
        .unwrap();
    bot.post_message("!roll 2d4-1").await.unwrap();
    let bot_id = bot.application_id().unwrap().to_string();
    let reply = bot
        .wait_until("the text reply", || async {
            let messages = bot.channel_messages().await?;
            Ok(messages
                .into_iter()
                .find(|m| m["author"]["id"] == bot_id.as_str()))
        })
        .await
        .unwrap();
    let text = reply["content"].as_str().unwrap();
    assert!(text.starts_with("`2d4-1` ["), "{text}");
    check_roll(text, 2, 4, -1);
    bot.shutdown().await;
}
