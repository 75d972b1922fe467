//! Interactions over HTTP through the shipped assembly and novera-sim's interactions endpoint:
//! the simulator's checks and probes (signatures valid, invalid, missing, foreign, stale and
//! replayed; PING), commands answered in the HTTP answer, a slow command deferred over HTTP
//! and completed over REST, a click a waiter claims, a handler that blocks its thread, and
//! commands answered while the gateway is silent or closed with 4009.

use std::time::{Duration, Instant};

use novera_commands::{CommandDef, CommandSet, Reply, RouterConfig, builtins, command_fn};
use novera_gateway::ShardState;
use novera_sim::{EndpointProbe, Fault, ProbeSignature, ResponseVia};
use novera_testkit::{InteractionStatus, TestBot, json};
use twilight_model::application::command::CommandType;
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::ButtonStyle;
use twilight_util::builder::command::CommandBuilder;
use twilight_util::builder::message::{ActionRowBuilder, ButtonBuilder};

/// Notified once `/confirm` registered its waiter.
static CONFIRM_WAITING: tokio::sync::Notify = tokio::sync::Notify::const_new();

fn def(name: &str) -> CommandDef {
    CommandDef::new(
        CommandBuilder::new(name, format!("Test command {name}"), CommandType::ChatInput).build(),
    )
}

/// `/slow` answers after 600 ms; `/blocking` blocks its worker thread for 800 ms before it
/// answers (a handler doing synchronous work); `/explode` panics; `/confirm` waits for a click
/// on its button.
fn test_commands() -> CommandSet {
    CommandSet::new()
        .with(
            def("slow"),
            command_fn(|ctx| async move {
                tokio::time::sleep(Duration::from_millis(600)).await;
                ctx.reply(Reply::text("done slowly")).await?;
                Ok(())
            }),
        )
        .with(
            def("blocking"),
            command_fn(|ctx| async move {
                tokio::task::block_in_place(|| std::thread::sleep(Duration::from_millis(800)));
                ctx.reply(Reply::text("done after blocking")).await?;
                Ok(())
            }),
        )
        .with(
            def("explode"),
            command_fn(|_ctx| async move { panic!("the handler broke") }),
        )
        .with(
            def("confirm"),
            command_fn(|ctx| async move {
                ctx.reply(Reply::text("Sure?").components(button("confirm:yes")))
                    .await?;
                let message = ctx.original_message().await?;
                // Registered when called: the test clicks once the waiter exists.
                let click = ctx.wait_for_component(message.id, Duration::from_secs(20), |_| true);
                CONFIRM_WAITING.notify_one();
                if let Some(click) = click.await {
                    click
                        .update_message(Reply::text("Confirmed").components(Vec::new()))
                        .await?;
                }
                Ok(())
            }),
        )
}

fn button(custom_id: &str) -> Vec<Component> {
    let button = ButtonBuilder::new(ButtonStyle::Success)
        .custom_id(custom_id)
        .label("Yes")
        .build();
    vec![ActionRowBuilder::new().component(button).build().into()]
}

fn http_bot() -> novera_testkit::TestBotBuilder {
    TestBot::builder()
        .interactions_over_http(true)
        .commands(builtins())
        .commands(test_commands())
        .router_config(RouterConfig::default().with_auto_defer(Duration::from_millis(200)))
}

fn answered_over_http(status: &InteractionStatus) {
    assert_eq!(status.ingress, novera_sim::Ingress::Http, "{status:?}");
    assert_eq!(status.response_via, Some(ResponseVia::Http), "{status:?}");
    assert!(status.error.is_none(), "{status:?}");
}

/// Callback requests the bot sent through REST.
async fn rest_callbacks(bot: &TestBot) -> usize {
    bot.requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/callback"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_saves_the_endpoint_and_every_bad_signature_is_refused() {
    let bot = http_bot().start().await.unwrap();
    let control = bot.control();
    // Saving the URL ran Discord's checks: a badly signed PING got 401, a signed one a PONG.
    let application = control.application().await.unwrap();
    assert_eq!(
        application.interactions_endpoint_url.as_deref(),
        bot.interactions_url()
    );

    let valid = control
        .probe_endpoint(&EndpointProbe::new(ProbeSignature::Valid))
        .await
        .unwrap();
    assert_eq!(valid.status, 200, "{valid:?}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&valid.body).unwrap(),
        json!({"type": 1})
    );
    for refused in [
        ProbeSignature::Bad,
        ProbeSignature::Missing,
        ProbeSignature::WrongKey,
        ProbeSignature::Stale,
        // The valid probe above, byte for byte.
        ProbeSignature::Replayed,
    ] {
        let answer = control
            .probe_endpoint(&EndpointProbe::new(refused))
            .await
            .unwrap();
        assert_eq!(answer.status, 401, "{refused:?}: {answer:?}");
    }
    // Past the default tolerance of 30 s.
    let minute = control
        .probe_endpoint(&EndpointProbe::new(ProbeSignature::Stale).stale_secs(60))
        .await
        .unwrap();
    assert_eq!(minute.status, 401, "{minute:?}");
    // A replayed command is refused before the router sees it: it runs once.
    let id = bot.run_command("ping", json!(null)).await.unwrap();
    bot.wait_responded(id).await.unwrap();
    let replayed = control
        .probe_endpoint(&EndpointProbe::new(ProbeSignature::Replayed))
        .await
        .unwrap();
    assert_eq!(replayed.status, 401, "{replayed:?}");
    assert_eq!(bot.stats().via_http, 1);
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_is_answered_in_the_http_answer() {
    let bot = http_bot().start().await.unwrap();
    let id = bot.run_command("ping", json!(null)).await.unwrap();
    let answered = bot.wait_responded(id).await.unwrap();
    answered_over_http(&answered);
    assert_eq!(answered.response_type, Some(4));
    assert!(
        answered
            .content
            .as_deref()
            .unwrap_or("")
            .starts_with("Pong"),
        "{answered:?}"
    );
    assert_eq!(rest_callbacks(&bot).await, 0, "nothing went through REST");
    let stats = bot.stats();
    assert_eq!((stats.via_http, stats.via_gateway), (1, 0), "{stats:?}");
    let report = novera_health::StatusProvider::commands(bot.status().as_ref()).unwrap();
    assert_eq!((report.via_http, report.via_gateway), (1, 0), "{report:?}");
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_command_is_deferred_over_http_and_completed_over_rest() {
    let bot = http_bot().start().await.unwrap();
    let id = bot.run_command("slow", json!(null)).await.unwrap();
    let done = bot
        .wait_for_interaction(id, "the slow answer", |s| {
            s.content.as_deref() == Some("done slowly")
        })
        .await
        .unwrap();
    answered_over_http(&done);
    assert_eq!(done.response_type, Some(5), "deferred in the HTTP answer");
    let kinds: Vec<&str> = done.bodies.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds, ["callback", "edit_original"], "{done:?}");
    assert_eq!(
        rest_callbacks(&bot).await,
        0,
        "exactly one initial response"
    );
    assert_eq!(bot.stats().auto_deferred, 1);
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolation_and_shedding_answer_over_http_too() {
    let bot = http_bot()
        .router_config(
            RouterConfig::default()
                .with_auto_defer(Duration::from_millis(200))
                .with_in_flight_limit(1),
        )
        .start()
        .await
        .unwrap();
    let broken = bot.run_command("explode", json!(null)).await.unwrap();
    // The error reply, in the HTTP answer (or, on a slow machine where the auto-defer went
    // first, as an ephemeral follow-up after it).
    let broken = bot
        .wait_for_interaction(broken, "the error reply", |s| {
            let original = s.ephemeral && s.content.as_deref().unwrap_or("").contains("Reference");
            original
                || s.followups
                    .iter()
                    .any(|f| f.flags & 64 != 0 && f.content.contains("Reference"))
        })
        .await
        .unwrap();
    answered_over_http(&broken);
    bot.wait_until("the panicked handler to end", || {
        let idle = bot.stats().in_flight == 0;
        async move { Ok(idle.then_some(())) }
    })
    .await
    .unwrap();

    // One handler at a time: while /slow runs, /ping is answered "busy" at once.
    let slow = bot.run_command("slow", json!(null)).await.unwrap();
    bot.wait_until("/slow to run", || {
        let running = bot.stats().in_flight == 1;
        async move { Ok(running.then_some(())) }
    })
    .await
    .unwrap();
    let shed = bot.run_command("ping", json!(null)).await.unwrap();
    let shed = bot.wait_responded(shed).await.unwrap();
    answered_over_http(&shed);
    assert!(shed.ephemeral, "{shed:?}");
    assert!(
        shed.content.as_deref().unwrap_or("").contains("busy"),
        "{shed:?}"
    );
    bot.wait_for_interaction(slow, "the slow answer", |s| {
        s.content.as_deref() == Some("done slowly")
    })
    .await
    .unwrap();
    let stats = bot.stats();
    assert_eq!((stats.failed, stats.busy_rejected), (1, 1), "{stats:?}");
    assert_eq!(stats.via_http, 3, "{stats:?}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_a_waiter_claims_is_answered_in_its_http_answer() {
    let bot = http_bot().start().await.unwrap();
    let id = bot.run_command("confirm", json!(null)).await.unwrap();
    let asked = bot.wait_responded(id).await.unwrap();
    answered_over_http(&asked);
    // The handler read `@original` right after answering: it waited until the HTTP answer
    // was written and had time to land (no 10015).
    let message: u64 = asked.original_message_id.unwrap().parse().unwrap();
    tokio::time::timeout(novera_testkit::WAIT, CONFIRM_WAITING.notified())
        .await
        .expect("the waiter is registered");
    let click = bot
        .click(message, "confirm:yes", bot.user(1).unwrap())
        .await
        .unwrap();
    let clicked = bot.wait_responded(click).await.unwrap();
    answered_over_http(&clicked);
    assert_eq!(clicked.response_type, Some(7), "{clicked:?}");
    assert_eq!(clicked.content.as_deref(), Some("Confirmed"));
    assert_eq!(rest_callbacks(&bot).await, 0);
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

/// A handler that blocks its thread also blocks the router's auto-defer beside it: the
/// endpoint's own deferral answers in time, and the late reply goes over REST, where the
/// simulator's 40060 tells the responder the interaction was acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_handler_is_deferred_by_the_endpoint_and_answered_after() {
    let bot = http_bot()
        .router_config(RouterConfig::default().with_auto_defer(Duration::from_millis(100)))
        .start()
        .await
        .unwrap();
    let id = bot.run_command("blocking", json!(null)).await.unwrap();
    let done = bot
        .wait_for_interaction(id, "the answer after blocking", |s| {
            s.content.as_deref() == Some("done after blocking")
        })
        .await
        .unwrap();
    assert_eq!(done.response_via, Some(ResponseVia::Http), "{done:?}");
    assert_eq!(done.response_type, Some(5), "the endpoint's deferral");
    assert!(
        done.response_ms.is_some_and(|ms| ms < 3000),
        "within Discord's window: {done:?}"
    );
    // Exactly one initial response was accepted: the router's late one went through REST
    // (the endpoint had stopped waiting) and was refused with 40060, as Discord refuses it;
    // the answer then edited the deferral.
    assert_eq!(rest_callbacks(&bot).await, 1);
    let violations = bot.violations().await.unwrap();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].rule, "interaction_double_ack");
    let kinds: Vec<&str> = done.bodies.iter().map(|b| b.kind.as_str()).collect();
    assert_eq!(kinds.last(), Some(&"edit_original"), "{done:?}");
    // That 40060 was expected: it is no evidence of another instance of the bot.
    let duplicates = bot.router().instance().report();
    assert_eq!(duplicates.detected, 0, "{duplicates:?}");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_answered_while_the_gateway_is_silent() {
    // A long heartbeat interval: the shard does not notice the silence while it lasts.
    let bot = http_bot()
        .sim(|sim| sim.heartbeat_interval(Duration::from_secs(30)))
        .start()
        .await
        .unwrap();
    let silence = Duration::from_secs(5);
    let applied = bot
        .control()
        .fault(&Fault::Silence {
            ms: u64::try_from(silence.as_millis()).unwrap(),
            shard: None,
        })
        .await
        .unwrap();
    assert_eq!(applied.applied, 1);
    let started = Instant::now();
    let id = bot.run_command("ping", json!(null)).await.unwrap();
    let answered = bot.wait_responded(id).await.unwrap();
    assert!(
        started.elapsed() < silence,
        "answered while the gateway was silent: {:?}",
        started.elapsed()
    );
    answered_over_http(&answered);
    assert!(
        answered
            .content
            .as_deref()
            .unwrap_or("")
            .starts_with("Pong")
    );
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_answered_while_the_shard_cannot_identify_after_a_4009() {
    // One identify for the day: after 4009 (session timed out, not resumable) the shard waits
    // for the budget: the outage an op 9 or a 4009 causes until the identify window, made long.
    let bot = http_bot()
        .sim(|sim| sim.session_start_limit(1))
        .start()
        .await
        .unwrap();
    bot.control()
        .fault(&Fault::Close {
            code: 4009,
            shard: None,
        })
        .await
        .unwrap();
    let status = std::sync::Arc::clone(bot.status());
    bot.wait_until("the shard to lose its session", || {
        let down = status
            .gateway_status()
            .is_some_and(|s| s.shards[0].state != ShardState::Active);
        async move { Ok(down.then_some(())) }
    })
    .await
    .unwrap();

    let id = bot.run_command("ping", json!(null)).await.unwrap();
    let answered = bot.wait_responded(id).await.unwrap();
    answered_over_http(&answered);
    let slow = bot.run_command("slow", json!(null)).await.unwrap();
    let slow = bot
        .wait_for_interaction(slow, "the slow answer", |s| {
            s.content.as_deref() == Some("done slowly")
        })
        .await
        .unwrap();
    answered_over_http(&slow);
    let shard = &status.gateway_status().unwrap().shards[0];
    assert!(
        matches!(shard.state, ShardState::WaitingForIdentifyBudget { .. }),
        "the gateway was down all along: {shard:?}"
    );
    bot.shutdown().await;
}
