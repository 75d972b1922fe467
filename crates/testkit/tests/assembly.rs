//! The testkit runs the assembly that ships (novera-bot): the binary's stop order and its
//! forwarding, observed from a command's point of view.

use novera_commands::{CommandDef, CommandSet, RouterConfig, command_fn};
use novera_testkit::TestBot;
use twilight_model::application::command::CommandType;
use twilight_util::builder::command::CommandBuilder;

/// Prefix messages posted right before the stop. The shipped order (shards closed resumably
/// first, then what they queued is routed, then handlers drain) answers every message a shard
/// read and forwarded; stopping the router's intake first, as this testkit once did, loses
/// those still queued. (A message the shard had not read when its close handshake finished
/// stays in Discord's session and is replayed on the next RESUME.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_routes_what_the_shards_read_and_drains_it() {
    const MESSAGES: u64 = 50; // batches of 10
    // `!count` answers nothing, so no rate limit slows the drain down.
    let count = CommandSet::new().with(
        CommandDef::new(
            CommandBuilder::new("count", "Counts itself", CommandType::ChatInput).build(),
        )
        .prefix(true),
        command_fn(|_ctx| async { Ok(()) }),
    );
    let bot = TestBot::builder()
        .commands(count)
        .router_config(RouterConfig::default().with_prefix(Some("!".to_owned())))
        .start()
        .await
        .unwrap();
    let router = bot.router().clone();
    let status = std::sync::Arc::clone(bot.status());
    // A user keeps posting while the bot stops, so messages are on their way to the shard and
    // in the router's queue when the stop begins.
    let control = bot.control().clone();
    let channel = bot.channel_id().unwrap();
    let user = bot.user(0).unwrap();
    let poster = tokio::spawn(async move {
        for _ in 0..MESSAGES {
            let posts = (0..10).map(|_| control.post_message(channel, "!count", Some(user)));
            futures_util::future::join_all(posts).await;
        }
    });
    bot.wait_until("the first messages to be read", || {
        let read = forwarded_now(&status);
        async move { Ok((read >= 20).then_some(())) }
    })
    .await
    .unwrap();

    let (report, sim) = bot.stop_bot().await;
    let shards = report
        .shards
        .as_ref()
        .expect("a standalone bot has shards")
        .as_ref()
        .expect("shards closed");
    assert_eq!(
        shards.closed,
        vec![0],
        "a finished close handshake: {shards:?}"
    );
    assert!(report.queue_routed, "{report:?}");
    assert!(report.drain.complete, "{report:?}");
    poster.abort();
    let read = forwarded_now(&status);
    assert!(read >= 20, "{read}");
    assert_eq!(
        router.stats().served,
        read,
        "every message the shard read before the stop was answered: {report:?}"
    );
    assert!(sim.control().state().await.unwrap().violations.is_empty());
    sim.shutdown().await;
}

fn forwarded_now(status: &novera_testkit::BotStatus) -> u64 {
    status
        .gateway_status()
        .map_or(0, |s| s.shards[0].events_forwarded)
}

fn forwarded(bot: &TestBot) -> (u64, u64) {
    let status = bot.status().gateway_status().expect("the shards started");
    let shard = &status.shards[0];
    (shard.events, shard.events_forwarded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_gets_only_what_it_acts_on_and_waiters_see_everything() {
    let bot = TestBot::start([novera_commands::builtins()]).await.unwrap();
    // READY (and soon GUILD_CREATE) reached the shard; none of them is the router's business.
    let (events, forwarded_before) = forwarded(&bot);
    assert!(events >= 1, "{events}");
    assert_eq!(forwarded_before, 0);

    // /ask waits for the user's next plain message: not forwarded, seen through Standby.
    let ask = bot
        .run_command(
            "ask",
            novera_testkit::options(&[("question", novera_testkit::json!("Tea?"))]),
        )
        .await
        .unwrap();
    bot.wait_responded(ask).await.unwrap();
    bot.post_message("yes please").await.unwrap();
    let done = bot
        .wait_for_interaction(ask, "the echo", |s| !s.followups.is_empty())
        .await
        .unwrap();
    assert_eq!(done.followups[0].content, "You answered: yes please");
    let (events, forwarded_after) = forwarded(&bot);
    assert_eq!(
        forwarded_after, 1,
        "only the interaction was queued for the router ({events} events in all)"
    );
    bot.shutdown().await;

    // With a prefix, the router acts on messages too, so they are forwarded.
    let bot = TestBot::builder()
        .commands(novera_commands::builtins())
        .router_config(RouterConfig::default().with_prefix(Some("!".to_owned())))
        .start()
        .await
        .unwrap();
    bot.post_message("hello").await.unwrap();
    bot.wait_until("the message to reach the shard", || {
        let status = bot.status().gateway_status();
        async move {
            Ok(status
                .filter(|s| s.shards[0].events_forwarded == 1)
                .map(|_| ()))
        }
    })
    .await
    .unwrap();
    bot.shutdown().await;
}

/// A handler asks for its guild's members through the gateway (`GatewayInfo::send`); the
/// chunk comes back through the shard to the handler's waiter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_requests_guild_members_through_its_shard() {
    use novera_commands::{GatewayCommand, Reply};
    use twilight_model::gateway::event::Event;
    use twilight_model::gateway::payload::outgoing::RequestGuildMembers;

    let members = CommandSet::new().with(
        CommandDef::new(
            CommandBuilder::new("members", "Count members", CommandType::ChatInput).build(),
        ),
        command_fn(|ctx| async move {
            let guild = ctx.guild_id().expect("run in a guild");
            let chunk = ctx.standby().wait_for(guild, |event: &Event| {
                matches!(event, Event::MemberChunk(chunk) if chunk.nonce.as_deref() == Some("n1"))
            });
            ctx.gateway()
                .send(GatewayCommand::RequestGuildMembers(
                    RequestGuildMembers::builder(guild)
                        .nonce("n1")
                        .query("", None),
                ))
                .await
                .map_err(|e| novera_commands::CommandError::user(e.to_string()))?;
            let count = match novera_core::within(std::time::Duration::from_secs(5), chunk).await {
                Some(Ok(Event::MemberChunk(chunk))) => chunk.members.len(),
                _ => 0,
            };
            ctx.reply(Reply::text(format!("{count} members"))).await?;
            Ok(())
        }),
    );
    let bot = TestBot::start([members]).await.unwrap();
    let id = bot
        .run_command("members", novera_testkit::Value::Null)
        .await
        .unwrap();
    let done = bot.wait_responded(id).await.unwrap();
    let text = done.content.unwrap_or_default();
    assert!(
        text.ends_with(" members") && !text.starts_with("0 "),
        "{text}"
    );
    bot.shutdown().await;
}
