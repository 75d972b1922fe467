//! Step one and step two against a healthy simulator, and a bad token stopped at step one.

use novera_gateway::{ConnectError, GatewayConfig, Secret, ShardState, login};
use twilight_model::gateway::event::Event;

use crate::common::{Bot, config, connected, sim, start_sim, state, wait_until, within};

#[tokio::test]
async fn connects_and_fills_the_cache() {
    let sim = start_sim(sim().guilds(3).channels_per_guild(2)).await;
    let control = sim.control();
    let mut bot = Bot::start(&config(&sim)).await;
    let world = state(&control).await;
    assert_eq!(bot.login.current_user().id.to_string(), world.bot_user_id);
    assert_eq!(bot.login.application_id().to_string(), world.application_id);
    assert_eq!(bot.login.gateway_bot().url, sim.gateway_url());

    bot.connected(3).await;
    assert!(matches!(bot.seen[0], Event::Ready(_)), "READY comes first");
    within("readiness", bot.status.wait_ready()).await;

    let cache = bot.gateway.cache();
    assert_eq!(cache.stats().guilds(), 3);
    for guild in &world.guilds {
        let id = guild.id.parse().expect("guild id");
        assert!(cache.guild(id).is_some(), "guild {id} cached");
        for channel in &guild.channels {
            let id = channel.parse().expect("channel id");
            assert!(cache.channel(id).is_some(), "channel {id} cached");
        }
    }
    let me = cache.current_user().expect("current user cached");
    assert_eq!(me.id.to_string(), world.bot_user_id);

    // Every dispatch the simulator sent was counted and handed on.
    let session = connected(&state(&control).await, 0);
    let seen = bot.seen.len() as u64;
    wait_until("status to catch up", || async {
        bot.gateway.status().shards[0].sequence == Some(session.seq)
    })
    .await;
    assert_eq!(seen, session.seq);
    let shard = bot.shard(0);
    assert_eq!(shard.state, ShardState::Active);
    assert_eq!(
        (shard.identifies, shard.resumes, shard.reconnects),
        (1, 0, 0)
    );
    assert_eq!(shard.events, seen);
    assert!(shard.last_event_age_secs.is_some());
    wait_until("a heartbeat round trip", || async {
        bot.shard(0).heartbeat_latency_secs.is_some()
    })
    .await;

    let report = within(
        "shutdown",
        bot.gateway.shutdown(std::time::Duration::from_secs(3)),
    )
    .await
    .expect("shutdown");
    assert_eq!(report.closed, vec![0]);
    assert_eq!(bot.shard(0).state, ShardState::Stopped);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_bad_token_fails_at_step_one_without_touching_the_gateway() {
    let sim = start_sim(sim()).await;
    let control = sim.control();
    let config = GatewayConfig {
        token: Secret::new("not-the-token"),
        ..config(&sim)
    };
    let error = within("login", login(&config)).await.unwrap_err();
    assert!(
        matches!(
            error,
            ConnectError::InvalidToken {
                endpoint: "GET /users/@me"
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("token"), "{message}");
    assert!(
        !message.contains("not-the-token"),
        "the token leaked: {message}"
    );

    // The request log holds exactly the one refused call: no /applications, no /gateway/bot.
    let requests = control.requests().await.expect("request log");
    let calls: Vec<_> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(calls, vec![("GET", "/api/v10/users/@me", 401)]);
    // And the gateway saw nothing: no session, no IDENTIFY, no refused authentication.
    let world = state(&control).await;
    assert!(world.sessions.is_empty(), "{:?}", world.sessions);
    assert_eq!(world.identifies, 0);
    assert_eq!(
        world.violation_counts.get("authentication_failed"),
        Some(&0)
    );
    sim.shutdown().await;
}
