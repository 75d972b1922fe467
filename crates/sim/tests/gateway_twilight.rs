//! A real twilight `Shard` and `twilight_http::Client` against the simulator: connect, parse,
//! round trips, and every fault ending with the shard resumed and no event lost.

mod common;

use std::time::Duration;

use common::{SeqCheck, TOKEN, connect, drive, fast, http, shard, start, within};
use novera_sim::Fault;
use twilight_gateway::{CloseFrame, Event, EventTypeFlags, StreamExt as _};
use twilight_model::application::interaction::InteractionData;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

#[tokio::test]
async fn ready_and_guild_creates_parse_into_twilight_events() {
    let sim = start(fast().guilds(4).channels_per_guild(3).members_per_guild(6)).await;
    let mut shard = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    let events = connect(&mut shard, &mut check, 4).await;
    let ready = events
        .iter()
        .find_map(|e| match e {
            Event::Ready(r) => Some(r),
            _ => None,
        })
        .expect("READY parsed");
    assert_eq!(ready.guilds.len(), 4);
    assert_eq!(ready.resume_gateway_url, sim.gateway_url());
    assert!(ready.user.bot);
    for event in &events {
        if let Event::GuildCreate(g) = event {
            let twilight_model::gateway::payload::incoming::GuildCreate::Available(guild) = &**g
            else {
                panic!("guild unavailable");
            };
            assert_eq!(guild.channels.len(), 3);
            // Without GUILD_PRESENCES, Discord lists the bot alone among the members.
            assert_eq!(guild.members.len(), 1);
            assert!(guild.members[0].user.bot);
            assert_eq!(guild.member_count, Some(6));
            assert_eq!(guild.roles.len(), 2);
        }
    }
    let state = sim.control().state().await.expect("state");
    assert_eq!(state.identifies, 1);
    assert_eq!(
        state.sessions[0].compress, "zstd-stream",
        "twilight asks for zstd-stream"
    );
    assert_eq!(state.sessions[0].seq, 5);
    sim.shutdown().await;
}

#[tokio::test]
async fn guilds_split_across_shards() {
    let sim = start(fast().guilds(10).shards(3)).await;
    let state = sim.control().state().await.expect("state");
    let mut total = 0;
    for id in 0..3 {
        let expected = state.guilds.iter().filter(|g| g.shard == id).count();
        assert!(expected > 0);
        let mut shard = shard(&sim, TOKEN, id, 3);
        let mut check = SeqCheck::default();
        let events = connect(&mut shard, &mut check, expected).await;
        for e in &events {
            if let Event::GuildCreate(g) = e {
                let gid = g.id().get();
                assert_eq!(
                    (gid >> 22) % 3,
                    u64::from(id),
                    "guild {gid} on the wrong shard"
                );
            }
        }
        total += expected;
    }
    assert_eq!(total, 10);
    sim.shutdown().await;
}

#[tokio::test]
async fn message_round_trip() {
    let sim = start(fast()).await;
    let control = sim.control();
    let http = http(&sim);
    let mut shard = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut shard, &mut check, 2).await;
    let state = control.state().await.expect("state");
    let channel: u64 = state.guilds[0].channels[1].parse().expect("id");

    control
        .post_message(channel, "!ping", None)
        .await
        .expect("post");
    let mut got = None;
    drive(&mut shard, &mut check, |e| {
        if let Event::MessageCreate(m) = e {
            got = Some((m.channel_id, m.content.clone(), m.author.bot, m.guild_id));
            true
        } else {
            false
        }
    })
    .await;
    let (channel_id, content, bot, guild_id) = got.expect("message");
    assert_eq!(channel_id.get(), channel);
    assert_eq!(content, "!ping");
    assert!(!bot);
    assert!(guild_id.is_some());

    let reply = within(
        "create message",
        http.create_message(channel_id).content("pong"),
    )
    .await
    .expect("create message")
    .model()
    .await
    .expect("message model");
    assert_eq!(reply.content, "pong");
    // The bot sees its own message too, as on Discord.
    drive(
        &mut shard,
        &mut check,
        |e| matches!(e, Event::MessageCreate(m) if m.content == "pong"),
    )
    .await;
    let updated = within(
        "update",
        http.update_message(channel_id, reply.id)
            .content(Some("pong!")),
    )
    .await
    .expect("update")
    .model()
    .await
    .expect("model");
    assert_eq!(updated.content, "pong!");
    assert!(updated.edited_timestamp.is_some());
    let fetched = within("get", http.message(channel_id, reply.id))
        .await
        .expect("get")
        .model()
        .await
        .expect("model");
    assert_eq!(fetched.content, "pong!");

    let messages = control.channel_messages(channel).await.expect("messages");
    let contents: Vec<&str> = messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .collect();
    assert_eq!(contents, ["!ping", "pong!"]);
    within("delete", http.delete_message(channel_id, reply.id))
        .await
        .expect("delete");
    drive(&mut shard, &mut check, |e| {
        matches!(e, Event::MessageDelete(_))
    })
    .await;
    assert_eq!(
        control
            .channel_messages(channel)
            .await
            .expect("messages")
            .len(),
        1
    );
    sim.shutdown().await;
}

// One user-visible round trip, step by step: register, run, answer, follow up, edit, inspect.
#[allow(clippy::too_many_lines)]
#[tokio::test]
async fn slash_command_round_trip() {
    let sim = start(fast()).await;
    let control = sim.control();
    let http = http(&sim);
    let app = within("app", http.current_user_application())
        .await
        .expect("app")
        .model()
        .await
        .expect("model");
    let command = twilight_util::builder::command::CommandBuilder::new(
        "ping",
        "Replies pong",
        twilight_model::application::command::CommandType::ChatInput,
    )
    .build();
    let registered = within(
        "set commands",
        http.interaction(app.id).set_global_commands(&[command]),
    )
    .await
    .expect("set commands")
    .models()
    .await
    .expect("models");
    assert_eq!(registered.len(), 1);
    let command_id = registered[0].id.expect("id");

    let mut shard = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut shard, &mut check, 2).await;
    let created = control
        .run_command("ping", serde_json::Value::Null, None, None, None)
        .await
        .expect("run");
    let mut interaction = None;
    drive(&mut shard, &mut check, |e| {
        if let Event::InteractionCreate(i) = e {
            interaction = Some(i.0.clone());
            true
        } else {
            false
        }
    })
    .await;
    let interaction = interaction.expect("interaction");
    assert_eq!(interaction.id.to_string(), created.id);
    assert_eq!(interaction.token, created.token);
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        panic!("command data");
    };
    assert_eq!(data.id, command_id);
    assert_eq!(data.name, "ping");

    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("pong".to_owned()),
            ..Default::default()
        }),
    };
    within(
        "callback",
        http.interaction(app.id)
            .create_response(interaction.id, &interaction.token, &response),
    )
    .await
    .expect("callback");
    let followup = within(
        "followup",
        http.interaction(app.id)
            .create_followup(&interaction.token)
            .content("more"),
    )
    .await
    .expect("followup")
    .model()
    .await
    .expect("model");
    assert_eq!(followup.content, "more");
    within(
        "edit original",
        http.interaction(app.id)
            .update_response(&interaction.token)
            .content(Some("pong, edited")),
    )
    .await
    .expect("edit");
    let original = within(
        "get original",
        http.interaction(app.id).response(&interaction.token),
    )
    .await
    .expect("original")
    .model()
    .await
    .expect("model");
    assert_eq!(original.content, "pong, edited");

    let status = control.interaction(&created.id).await.expect("status");
    assert!(status.responded);
    assert_eq!(status.response_type, Some(4));
    assert_eq!(status.content.as_deref(), Some("pong, edited"));
    assert_eq!(status.followups.len(), 1);
    assert!(status.error.is_none());
    assert!(status.response_ms.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_token_closes_4004() {
    let sim = start(fast()).await;
    let mut shard = shard(&sim, "not-the-token", 0, 1);
    let code = within("close", async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(Event::GatewayClose(frame))) => return frame.map(|f| f.code),
                Some(_) => {}
                None => panic!("ended without a close"),
            }
        }
    })
    .await;
    assert_eq!(code, Some(4004));
    // 4004 is fatal: twilight ends the stream.
    let next = within("end", shard.next_event(EventTypeFlags::all())).await;
    assert!(next.is_none());
    sim.shutdown().await;
}

/// Injects `fault` between messages and checks the shard resumes and sees every message once.
async fn survives(fault: Fault, reidentifies: bool) {
    let sim = start(fast()).await;
    let control = sim.control();
    let mut shard = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut shard, &mut check, 2).await;
    let channel: u64 = control.state().await.expect("state").guilds[0].channels[0]
        .parse()
        .expect("id");
    let mut contents = Vec::new();
    let mut expected = Vec::new();

    for i in 0..3 {
        let text = format!("before {i}");
        control
            .post_message(channel, &text, None)
            .await
            .expect("post");
        expected.push(text);
    }
    drive(&mut shard, &mut check, |e| {
        if let Event::MessageCreate(m) = e {
            contents.push(m.content.clone());
        }
        contents.len() == 3
    })
    .await;

    let applied = control.fault(&fault).await.expect("fault");
    assert_eq!(applied.applied, 1);
    if !reidentifies {
        // Sent while the connection is failing: buffered and replayed on RESUME.
        for i in 0..3 {
            let text = format!("during {i}");
            control
                .post_message(channel, &text, None)
                .await
                .expect("post");
            expected.push(text);
        }
    }
    let mut back = false;
    drive(&mut shard, &mut check, |e| {
        match e {
            Event::MessageCreate(m) => contents.push(m.content.clone()),
            Event::Resumed if !reidentifies => back = true,
            Event::Ready(_) if reidentifies => back = true,
            _ => {}
        }
        back
    })
    .await;
    for i in 0..3 {
        let text = format!("after {i}");
        control
            .post_message(channel, &text, None)
            .await
            .expect("post");
        expected.push(text);
    }
    drive(&mut shard, &mut check, |e| {
        if let Event::MessageCreate(m) = e {
            contents.push(m.content.clone());
        }
        contents.len() == expected.len()
    })
    .await;
    assert_eq!(contents, expected);

    let state = control.state().await.expect("state");
    if reidentifies {
        assert_eq!(state.identifies, 2);
    } else {
        assert_eq!(
            state.identifies, 1,
            "the shard resumed instead of identifying"
        );
        assert!(state.resumes >= 1);
    }
    let live: Vec<_> = state.sessions.iter().filter(|s| s.connected).collect();
    assert_eq!(live.len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn op7_reconnect_resumes_without_loss() {
    survives(Fault::Reconnect { shard: None }, false).await;
}

#[tokio::test]
async fn op9_resumable_resumes_without_loss() {
    survives(
        Fault::InvalidSession {
            resumable: true,
            shard: None,
        },
        false,
    )
    .await;
}

#[tokio::test]
async fn op9_not_resumable_reidentifies() {
    survives(
        Fault::InvalidSession {
            resumable: false,
            shard: None,
        },
        true,
    )
    .await;
}

#[tokio::test]
async fn close_4000_resumes_without_loss() {
    survives(
        Fault::Close {
            code: 4000,
            shard: None,
        },
        false,
    )
    .await;
}

#[tokio::test]
async fn tcp_drop_resumes_without_loss() {
    survives(Fault::Drop { shard: Some(0) }, false).await;
}

#[tokio::test]
async fn silence_zombie_resumes_without_loss() {
    survives(
        Fault::Silence {
            ms: 800,
            shard: None,
        },
        false,
    )
    .await;
}

#[tokio::test]
async fn closed_shard_rebuilt_from_saved_session_resumes() {
    let sim = start(fast()).await;
    let control = sim.control();
    let mut first = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut first, &mut check, 2).await;
    let channel: u64 = control.state().await.expect("state").guilds[1].channels[2]
        .parse()
        .expect("id");

    // Resumable close, then keep polling until the server echoed the close frame.
    first.close(CloseFrame::RESUME);
    drive(&mut first, &mut check, |e| {
        matches!(e, Event::GatewayClose(_))
    })
    .await;
    let session = first.session().cloned().expect("session kept");
    let resume_url = first.resume_url().map(str::to_owned).expect("resume url");
    drop(first);

    control
        .post_message(channel, "sent while down", None)
        .await
        .expect("post");
    let config = twilight_gateway::ConfigBuilder::new(TOKEN.to_owned(), common::intents())
        .proxy_url(sim.gateway_url())
        .queue(twilight_gateway::queue::InMemoryQueue::new(
            0,
            0,
            Duration::ZERO,
            0,
        ))
        .session(session)
        .resume_url(resume_url)
        .build();
    let mut second = twilight_gateway::Shard::with_config(twilight_gateway::ShardId::ONE, config);
    let mut got = Vec::new();
    drive(&mut second, &mut check, |e| {
        match e {
            Event::MessageCreate(m) => got.push(m.content.clone()),
            Event::Ready(_) => panic!("re-identified instead of resuming"),
            _ => {}
        }
        matches!(e, Event::Resumed)
    })
    .await;
    assert_eq!(got, ["sent while down"]);
    let state = control.state().await.expect("state");
    assert_eq!((state.identifies, state.resumes), (1, 1));
    sim.shutdown().await;
}

#[tokio::test]
async fn stale_resume_gets_invalid_session_and_reidentifies() {
    let sim = start(fast().resume_retention(Duration::from_millis(50))).await;
    let mut first = shard(&sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut first, &mut check, 2).await;
    first.close(CloseFrame::RESUME);
    drive(&mut first, &mut check, |e| {
        matches!(e, Event::GatewayClose(_))
    })
    .await;
    let session = first.session().cloned().expect("session");
    drop(first);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let config = twilight_gateway::ConfigBuilder::new(TOKEN.to_owned(), common::intents())
        .proxy_url(sim.gateway_url())
        .queue(twilight_gateway::queue::InMemoryQueue::new(
            0,
            0,
            Duration::ZERO,
            0,
        ))
        .session(session)
        .build();
    let mut second = twilight_gateway::Shard::with_config(twilight_gateway::ShardId::ONE, config);
    let mut invalidated = false;
    let mut check = SeqCheck::default();
    drive(&mut second, &mut check, |e| {
        if matches!(e, Event::GatewayInvalidateSession(false)) {
            invalidated = true;
        }
        matches!(e, Event::Ready(_))
    })
    .await;
    assert!(invalidated);
    assert_eq!(sim.control().state().await.expect("state").identifies, 2);
    sim.shutdown().await;
}
