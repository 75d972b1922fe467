//! The interaction ledger against a real nats-server: one owner per interaction, takeovers
//! by compare-and-set, and a late owner told it lost the interaction.

use novera_cluster::{Broker, CLAIM_LIFETIME, ClusterSettings, KvLedger};
use novera_commands::{Acknowledged, Claim, InteractionLedger};
use novera_testkit::NatsServer;
use twilight_model::id::Id;

async fn ledgers(server: &NatsServer, owners: &[&str]) -> Vec<KvLedger> {
    let settings = ClusterSettings::new(server.url(), "ledgertest");
    let broker = Broker::connect(&settings, "test").await.unwrap();
    let store = broker
        .bucket(&broker.subjects().claims_bucket(), CLAIM_LIFETIME)
        .await
        .unwrap();
    owners
        .iter()
        .map(|owner| KvLedger::new(store.clone(), *owner))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_owner_per_interaction_and_takeover_by_compare_and_set() {
    let Some(server) = NatsServer::start().await.unwrap() else {
        return;
    };
    let all = ledgers(&server, &["a", "b", "c"]).await;
    let (a, b, c) = (&all[0], &all[1], &all[2]);
    let id = Id::new(42);

    assert_eq!(a.claim(id, 1).await.unwrap(), Claim::Fresh);
    assert_eq!(a.claim(id, 1).await.unwrap(), Claim::Fresh, "its own claim");
    assert_eq!(b.claim(id, 1).await.unwrap(), Claim::Elsewhere);
    assert_eq!(
        b.claim(id, 0).await.unwrap(),
        Claim::Elsewhere,
        "a waiter never takes over"
    );
    a.acknowledged(id, Acknowledged::Deferred { ephemeral: true })
        .await
        .unwrap();

    // a stops answering; its second delivery reaches b and c at once (or one after the
    // other): exactly one takes over, and it resumes from a's deferral.
    let (by_b, by_c) = tokio::join!(b.claim(id, 2), c.claim(id, 2));
    let outcomes = [by_b.unwrap(), by_c.unwrap()];
    let resumed = Claim::TakenOver(Some(Acknowledged::Deferred { ephemeral: true }));
    assert_eq!(
        outcomes.iter().filter(|o| **o == resumed).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == Claim::Elsewhere).count(),
        1,
        "{outcomes:?}"
    );
    let (winner, loser) = if outcomes[0] == resumed {
        (b, c)
    } else {
        (c, b)
    };
    winner
        .acknowledged(id, Acknowledged::Responded)
        .await
        .unwrap();

    // a was only late: recording now tells it that it no longer owns the interaction.
    let late = a.acknowledged(id, Acknowledged::Responded).await;
    assert!(late.is_err(), "{late:?}");
    assert_eq!(a.claim(id, 1).await.unwrap(), Claim::Elsewhere);
    // The winner stops too: the third delivery takes over from it.
    assert_eq!(
        loser.claim(id, 3).await.unwrap(),
        Claim::TakenOver(Some(Acknowledged::Responded))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefix_messages_are_claimed_like_interactions() {
    let Some(server) = NatsServer::start().await.unwrap() else {
        return;
    };
    let all = ledgers(&server, &["a", "b"]).await;
    let id = Id::new(7);
    assert_eq!(all[0].claim_message(id, 1).await.unwrap(), Claim::Fresh);
    assert_eq!(all[1].claim_message(id, 1).await.unwrap(), Claim::Elsewhere);
    assert_eq!(
        all[1].claim_message(id, 2).await.unwrap(),
        Claim::TakenOver(None)
    );
    // Interactions and messages with the same number are different entries.
    assert_eq!(all[0].claim(Id::new(7), 1).await.unwrap(), Claim::Fresh);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_are_final_and_a_missing_server_is_transient() {
    let settings = ClusterSettings::new("nats://127.0.0.1:1", "ledgertest");
    let error = Broker::connect(&settings, "test").await.unwrap_err();
    assert!(error.is_transient(), "{error}");

    let Some(server) = NatsServer::start().await.unwrap() else {
        return;
    };
    let mut settings = ClusterSettings::new(server.url(), "ledgertest");
    settings.credentials = Some(server.store().join("missing.creds"));
    let error = Broker::connect(&settings, "test").await.unwrap_err();
    assert!(!error.is_transient(), "{error}");
    assert!(error.to_string().contains("credentials"), "{error}");
}
