//! The command state store over a real nats-server: the same suite as the file and memory
//! stores, with two connections (two processes of the bot) sharing one bucket, and a bucket
//! that keeps its data across a broker restart.

use std::sync::Arc;

use novera_cluster::{Broker, ClusterSettings, KvStateStore};
use novera_commands::StateStore;
use novera_testkit::{NatsServer, state_store_suite};

async fn store(server: &NatsServer) -> KvStateStore {
    let settings = ClusterSettings::new(server.url(), "statetest");
    let broker = Broker::connect(&settings, "test").await.unwrap();
    KvStateStore::open(&broker).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_the_bucket_keep_the_contract() {
    let Some(server) = NatsServer::start().await.unwrap() else {
        return;
    };
    let a: Arc<dyn StateStore> = Arc::new(store(&server).await);
    let b: Arc<dyn StateStore> = Arc::new(store(&server).await);
    state_store_suite(&[a, b]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_broker_restart() {
    let Some(mut server) = NatsServer::start().await.unwrap() else {
        return;
    };
    let version = store(&server)
        .await
        .put("poll", "1", b"votes".to_vec(), None)
        .await
        .unwrap();
    server.restart().await.unwrap();
    let read = store(&server)
        .await
        .get("poll", "1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (read.value.as_slice(), read.version),
        (&b"votes"[..], version)
    );
}

/// `/poll` with its state in the bucket: votes made before a restart and clicks at the same
/// time all count, and the close timer fires from the bucket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_keeps_its_votes_in_the_bucket_across_a_restart() {
    use novera_testkit::{TestBot, json, options};

    let Some(server) = NatsServer::start().await.unwrap() else {
        return;
    };
    let bucket: Arc<dyn StateStore> = Arc::new(store(&server).await);
    let bot = TestBot::builder()
        .commands(novera_commands::builtins())
        .state(bucket)
        .start()
        .await
        .unwrap();
    let users = bot.users().unwrap();
    let poll = bot
        .run_command_as(
            users[0],
            "poll",
            options(&[
                ("question", json!("Lunch?")),
                ("choices", json!("pizza, sushi")),
                ("seconds", json!(4)),
            ]),
        )
        .await
        .unwrap();
    let message: u64 = bot
        .wait_responded(poll)
        .await
        .unwrap()
        .original_message_id
        .unwrap()
        .parse()
        .unwrap();
    let vote = format!("poll:vote:{poll}:0");
    let first = bot.click(message, &vote, users[1]).await.unwrap();
    bot.wait_responded(first).await.unwrap();

    let (bot, _) = bot.restart_bot().await.unwrap();
    let clicks = futures_util::future::join_all(
        users[2..]
            .iter()
            .map(|user| bot.click(message, &vote, *user)),
    )
    .await;
    for click in clicks {
        bot.wait_responded(click.unwrap()).await.unwrap();
    }
    let voters = users.len() - 1;
    let closed = bot
        .wait_until("the poll to close with every vote", || async {
            let found = bot.message(message).await?;
            let text = found
                .as_ref()
                .and_then(|m| m["content"].as_str())
                .unwrap_or_default()
                .to_owned();
            Ok(text.contains("(closed)").then_some(text))
        })
        .await
        .unwrap();
    assert!(
        closed.contains(&format!("Result: **pizza** with {voters} vote(s).")),
        "{closed}"
    );
    bot.shutdown().await;
}
