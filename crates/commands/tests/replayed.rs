//! An interaction replayed after a crash: the process that crashed had acknowledged it, so
//! Discord refuses the new first response with 40060. If it was answered, the router takes that
//! as done (no error reply, no failure, nothing more sent); if it was only deferred, this
//! process's answer completes it.

mod common;

use novera_commands::{CommandSet, command_fn};
use novera_core::CancellationToken;
use novera_testkit::{InteractionStatus, TestBot, Value};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;

use common::{def, logs};

/// `/replayed` answers and follows up once `gate` opens.
fn replayed(gate: &CancellationToken) -> CommandSet {
    let gate = gate.clone();
    CommandSet::new().with(
        def("replayed"),
        command_fn(move |ctx| {
            let gate = gate.clone();
            async move {
                gate.cancelled().await;
                ctx.reply("from this process").await?;
                ctx.follow_up("and more").await?;
                Ok(())
            }
        }),
    )
}

/// Runs `/replayed`, acknowledges it with `earlier` as the process that crashed did, lets the
/// handler answer, and returns what the interaction ended with.
async fn answer_after(earlier: InteractionResponse) -> (TestBot, InteractionStatus) {
    common::init();
    let gate = CancellationToken::new();
    let bot = TestBot::start([replayed(&gate)]).await.unwrap();
    let created = bot
        .control()
        .run_command("replayed", Value::Null, None, None, None)
        .await
        .unwrap();
    let id: u64 = created.id.parse().unwrap();
    let app = Id::new(bot.application_id().unwrap());
    bot.http()
        .interaction(app)
        .create_response(Id::new(id), &created.token, &earlier)
        .await
        .unwrap();
    gate.cancel();
    bot.wait_until("the handler to finish", || {
        let now = bot.stats();
        async move { Ok((now.served + now.failed == 1).then_some(())) }
    })
    .await
    .unwrap();
    let status = bot.interaction(id).await.unwrap();
    let router = bot.stats();
    assert_eq!(
        (router.served, router.failed, router.auto_deferred),
        (1, 0, 0),
        "no failure: {router:?}"
    );
    // The simulator notes the refused callback, as Discord answers it with 40060.
    let violations = bot.violations().await.unwrap();
    let rules: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(rules, ["interaction_double_ack"], "{violations:?}");
    assert!(!logs().contains("command failed"), "{}", logs());
    (bot, status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interaction_answered_before_is_not_answered_again() {
    let (bot, status) = answer_after(InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("from the earlier process".to_owned()),
            ..InteractionResponseData::default()
        }),
    })
    .await;
    assert_eq!(
        status.content.as_deref(),
        Some("from the earlier process"),
        "{status:?}"
    );
    assert!(status.followups.is_empty(), "{status:?}");
    let kinds: Vec<&str> = status.bodies.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["callback", "callback"],
        "one refused first response"
    );
    assert!(logs().contains("already answered"), "{}", logs());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interaction_only_deferred_before_is_answered_by_an_edit() {
    let (bot, status) = answer_after(InteractionResponse {
        kind: InteractionResponseType::DeferredChannelMessageWithSource,
        data: None,
    })
    .await;
    assert_eq!(status.response_type, Some(5), "{status:?}");
    assert_eq!(
        status.content.as_deref(),
        Some("from this process"),
        "{status:?}"
    );
    let followups: Vec<&str> = status
        .followups
        .iter()
        .map(|f| f.content.as_str())
        .collect();
    assert_eq!(followups, ["and more"], "{status:?}");
    assert!(logs().contains("continuing with edits"), "{}", logs());
    bot.shutdown().await;
}
