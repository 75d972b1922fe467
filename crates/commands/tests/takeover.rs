//! `Router::dispatch` for an interaction another process started answering (a broker
//! redelivery after its worker stopped): the handler's answer continues from what was
//! acknowledged, so the user gets one answer and Discord one acknowledgement.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use novera_commands::{Acknowledged, CommandError, CommandSet, Dispatch, command_fn};
use novera_core::CancellationToken;
use novera_testkit::{TestBot, Value};
use twilight_model::application::interaction::Interaction;
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::incoming::InteractionCreate;

use common::def;

/// `/takeover`: the first run defers, keeps the interaction for the test and then stalls (the
/// worker that "dies"); a later run answers.
fn takeover(seen: Arc<Mutex<Option<Interaction>>>, stall: CancellationToken) -> CommandSet {
    CommandSet::new().with(
        def("takeover"),
        command_fn(move |ctx| {
            let seen = Arc::clone(&seen);
            let stall = stall.clone();
            async move {
                let first = {
                    let mut seen = seen.lock().unwrap();
                    let first = seen.is_none();
                    if first {
                        *seen = ctx.interaction().cloned();
                    }
                    first
                };
                if first {
                    ctx.defer(false).await?;
                    stall.cancelled().await;
                    return Err(CommandError::user("superseded"));
                }
                ctx.reply("answered by the second worker").await?;
                Ok(())
            }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_over_interaction_continues_from_its_deferral() {
    common::init();
    let seen = Arc::new(Mutex::new(None));
    let stall = CancellationToken::new();
    let bot = TestBot::start([takeover(Arc::clone(&seen), stall.clone())])
        .await
        .unwrap();
    let id = bot.run_command("takeover", Value::Null).await.unwrap();
    let deferred = bot
        .wait_for_interaction(id, "the deferral", |s| s.responded)
        .await
        .unwrap();
    assert_eq!(deferred.response_type, Some(5), "{deferred:?}");
    let interaction = seen.lock().unwrap().clone().expect("the handler kept it");

    // The broker redelivers it to another worker, with what the ledger recorded.
    let event = Event::InteractionCreate(Box::new(InteractionCreate(interaction)));
    let answering = bot
        .router()
        .dispatch(Dispatch::new(event).resume(Some(Acknowledged::Deferred { ephemeral: false })))
        .expect("the router runs the handler");
    tokio::time::timeout(Duration::from_secs(20), answering)
        .await
        .expect("the second run finishes")
        .unwrap();

    let done = bot.interaction(id).await.unwrap();
    assert_eq!(
        done.content.as_deref(),
        Some("answered by the second worker")
    );
    assert_eq!(done.response_type, Some(5), "still the one deferral");
    assert!(
        done.followups.is_empty(),
        "an edit of @original, not a follow-up"
    );
    assert!(
        bot.violations().await.unwrap().is_empty(),
        "one acknowledgement"
    );
    stall.cancel();
    bot.shutdown().await;
}
