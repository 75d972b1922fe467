//! Registration through novera-sim: a restart with unchanged definitions sends no PUT.

mod common;

use novera_commands::{RegisterOutcome, Scope, builtin_defs, builtins, register};
use novera_testkit::TestBot;
use twilight_model::id::Id;

fn puts(requests: &[novera_testkit::RequestLogEntry]) -> usize {
    requests
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_definitions_send_no_put_on_the_second_start() {
    common::init();
    // The first start registers (one PUT).
    let bot = TestBot::start([builtins()]).await.unwrap();
    assert_eq!(puts(&bot.requests().await.unwrap()), 1);
    let registered = bot.control().state().await.unwrap().commands;
    assert_eq!(registered.len(), builtin_defs().len());

    // What the next start does: fetch, compare, nothing to send.
    let again = bot.register().await.unwrap();
    assert_eq!(again, RegisterOutcome::Unchanged { count: 5 });
    assert_eq!(puts(&bot.requests().await.unwrap()), 1, "no second PUT");
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_definitions_are_overwritten_and_reported() {
    common::init();
    let bot = TestBot::start([builtins()]).await.unwrap();
    let app = Id::new(bot.application_id().unwrap());
    let mut defs = builtin_defs();
    defs.retain(|d| d.name() != "poll");
    defs.push(common::def("roll"));
    let outcome = register(&bot.http(), app, &defs, Scope::Global)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RegisterOutcome::Overwritten {
            count: 5,
            added: vec!["roll".into()],
            removed: vec!["poll".into()],
            changed: Vec::new(),
        }
    );
    assert_eq!(puts(&bot.requests().await.unwrap()), 2);

    // Guild scope is separate from global scope.
    let guild = Id::new(bot.guild_id().unwrap());
    let outcome = register(&bot.http(), app, &defs, Scope::Guild(guild))
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        RegisterOutcome::Overwritten { count: 5, .. }
    ));
    let outcome = register(&bot.http(), app, &defs, Scope::Guild(guild))
        .await
        .unwrap();
    assert_eq!(outcome, RegisterOutcome::Unchanged { count: 5 });
    assert_eq!(puts(&bot.requests().await.unwrap()), 3);
    bot.shutdown().await;
}
