//! `wait_for_component` through novera-sim: the click reaches the waiter, a timeout is `None`,
//! and a click the waiter never answers is still acknowledged in time.

mod common;

use std::time::Duration;

use novera_commands::{CommandSet, Reply, RouterConfig, command_fn};
use novera_testkit::{TestBot, json};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};

fn confirm_button(custom_id: &str) -> Vec<Component> {
    vec![Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::Button(Button {
            custom_id: Some(custom_id.to_owned()),
            disabled: false,
            emoji: None,
            id: None,
            label: Some("Confirm".into()),
            sku_id: None,
            style: ButtonStyle::Success,
            url: None,
        })],
    })]
}

/// Notified once `/ignore` registered its waiter.
static IGNORE_WAITING: tokio::sync::Notify = tokio::sync::Notify::const_new();
/// The messages whose `/confirm` registered its waiter (tests of this binary run at once).
static CONFIRM_WAITING: std::sync::Mutex<Vec<u64>> = std::sync::Mutex::new(Vec::new());

/// `/confirm` waits `wait` for a click; `/ignore` takes a click and never answers it.
fn waiting_set(wait: Duration) -> CommandSet {
    CommandSet::new()
        .with(
            common::def("confirm"),
            command_fn(move |ctx| async move {
                ctx.reply(Reply::text("Sure?").components(confirm_button("confirm:yes")))
                    .await?;
                let message = ctx.original_message().await?;
                // Registered when called: the test clicks only once the waiter exists.
                let click = ctx.wait_for_component(message.id, wait, |_| true);
                CONFIRM_WAITING.lock().unwrap().push(message.id.get());
                match click.await {
                    Some(click) => {
                        let who = click.user_id().map_or(0, twilight_model::id::Id::get);
                        click
                            .update_message(
                                Reply::text(format!("Confirmed by <@{who}>"))
                                    .components(Vec::new()),
                            )
                            .await?;
                    }
                    None => {
                        ctx.edit(Reply::text("Timed out").components(Vec::new()))
                            .await?;
                    }
                }
                Ok(())
            }),
        )
        .with(
            common::def("ignore"),
            command_fn(|ctx| async move {
                ctx.reply(Reply::text("Click me").components(confirm_button("ignore:x")))
                    .await?;
                let message = ctx.original_message().await?;
                // Registered when called: the test clicks only once the waiter exists.
                let click = ctx.wait_for_component(message.id, Duration::from_secs(20), |_| true);
                IGNORE_WAITING.notify_one();
                drop(click.await);
                Ok(())
            }),
        )
}

async fn start(wait: Duration) -> TestBot {
    common::init();
    TestBot::builder()
        .router_config(RouterConfig::default().with_auto_defer(Duration::from_millis(300)))
        .commands(waiting_set(wait))
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_click_reaches_the_waiter_and_only_the_waiter() {
    let bot = start(Duration::from_secs(20)).await;
    let id = bot.run_command("confirm", json!(null)).await.unwrap();
    let asked = bot.wait_responded(id).await.unwrap();
    let message: u64 = asked.original_message_id.unwrap().parse().unwrap();
    bot.wait_until("the waiter to be registered", || {
        let registered = CONFIRM_WAITING.lock().unwrap().contains(&message);
        async move { Ok(registered.then_some(())) }
    })
    .await
    .unwrap();
    let user = bot.user(2).unwrap();
    let click = bot.click(message, "confirm:yes", user).await.unwrap();
    let clicked = bot.wait_responded(click).await.unwrap();
    assert_eq!(clicked.response_type, Some(7), "{clicked:?}");
    assert_eq!(
        clicked.content.as_deref(),
        Some(format!("Confirmed by <@{user}>").as_str())
    );
    assert!(
        clicked.error.is_none(),
        "answered once: {:?}",
        clicked.error
    );
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_that_times_out_is_none_and_later_clicks_go_to_the_command() {
    let bot = start(Duration::from_millis(300)).await;
    let id = bot.run_command("confirm", json!(null)).await.unwrap();
    let timed_out = bot
        .wait_for_interaction(id, "the timeout edit", |s| {
            s.content.as_deref() == Some("Timed out")
        })
        .await
        .unwrap();
    let message: u64 = timed_out.original_message_id.unwrap().parse().unwrap();
    bot.wait_until("the handler to finish", || {
        let idle = bot.stats().in_flight == 0;
        async move { Ok(idle.then_some(())) }
    })
    .await
    .unwrap();
    let late = bot
        .click(message, "confirm:yes", bot.user(0).unwrap())
        .await
        .unwrap();
    let late = bot.wait_responded(late).await.unwrap();
    assert!(late.ephemeral);
    assert_eq!(late.content.as_deref(), Some("This is no longer active."));
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_click_nobody_answers_is_acknowledged_in_time() {
    let bot = start(Duration::from_secs(20)).await;
    let id = bot.run_command("ignore", json!(null)).await.unwrap();
    let shown = bot.wait_responded(id).await.unwrap();
    let message: u64 = shown.original_message_id.unwrap().parse().unwrap();
    tokio::time::timeout(novera_testkit::WAIT, IGNORE_WAITING.notified())
        .await
        .expect("the handler waits for the click");
    let click = bot
        .click(message, "ignore:x", bot.user(1).unwrap())
        .await
        .unwrap();
    let acked = bot.wait_responded(click).await.unwrap();
    assert_eq!(acked.response_type, Some(6), "deferred update: {acked:?}");
    assert!(acked.response_ms.unwrap() < 3000, "{acked:?}");
    assert!(acked.error.is_none(), "{:?}", acked.error);
    bot.shutdown().await;
}
