//! The bot's own messages, read for another instance's nonce: one by the bot's user that this
//! process did not send is reported to its `InstanceWatch`; the bot's own and users' are not.

use std::sync::Arc;

use novera_core::{InstanceTag, InstanceWatch};
use novera_gateway::GatewayConfig;
use novera_sim::PostMessage;

use crate::common::{Bot, channel, config, sim, start_sim, state, wait_until};

#[tokio::test]
async fn a_message_by_the_bot_with_a_foreign_nonce_is_evidence_of_another_instance() {
    let sim = start_sim(sim().guilds(1)).await;
    let control = sim.control();
    let watch = Arc::new(InstanceWatch::with_tag(
        InstanceTag::new(1_750_000_100, 7),
        false,
    ));
    let config = GatewayConfig {
        instance: Some(Arc::clone(&watch)),
        ..config(&sim)
    };
    let mut bot = Bot::start(&config).await;
    bot.connected(1).await;
    let world = state(&control).await;
    let channel_id = channel(&world, 0);
    let bot_user: u64 = world.bot_user_id.parse().expect("bot id");

    // A user's message with a nonce, and the bot's own (this process's nonce): not evidence.
    control
        .send_message(&PostMessage::new(channel_id, "hello").nonce("user-nonce"))
        .await
        .expect("user message");
    control
        .send_message(
            &PostMessage::new(channel_id, "mine")
                .author(bot_user)
                .nonce(watch.next_nonce()),
        )
        .await
        .expect("own message");
    // Another instance of the bot (an older Novera): evidence, naming it.
    let other = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 3), false);
    let theirs = control
        .send_message(
            &PostMessage::new(channel_id, "theirs")
                .author(bot_user)
                .nonce(other.next_nonce()),
        )
        .await
        .expect("other instance's message");
    wait_until("the foreign nonce to be reported", || async {
        watch.report().detected > 0
    })
    .await;
    let report = watch.report();
    assert_eq!(report.detected, 1, "{report:?}");
    assert_eq!(report.evidence[0].other.as_ref(), Some(other.tag()));
    assert!(
        report.evidence[0].detail.contains(&theirs.id),
        "{}",
        report.evidence[0].detail
    );
}
