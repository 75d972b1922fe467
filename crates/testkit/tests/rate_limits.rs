//! REST rate limits: replies bursting into one channel wait for the route's bucket instead of
//! earning a 429. (Discord sends `X-RateLimit-Scope` on 429s only; vendor/README.md says why
//! twilight-http is patched for it.)

use novera_commands::RouterConfig;
use novera_testkit::TestBot;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_replies_in_one_channel_stays_within_its_bucket() {
    let bot = TestBot::builder()
        .commands(novera_commands::builtins())
        .router_config(RouterConfig::default().with_prefix(Some("!".to_owned())))
        .start()
        .await
        .unwrap();
    // Eight replies and eight edits: more than the simulator's 5 per 5 s for each route.
    for _ in 0..8 {
        bot.post_message("!ping").await.unwrap();
    }
    bot.wait_until("every ping answered", || {
        let served = bot.stats().served;
        async move { Ok((served == 8).then_some(())) }
    })
    .await
    .unwrap();
    let violations = bot.violations().await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    bot.shutdown().await;
}
