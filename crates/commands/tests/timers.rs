//! Durable timers fired by the router, on paused time: on time and once, again after a failure
//! or panic (never more than five times), dropped for an unknown command, kept when the handler
//! schedules again, and fired by exactly one of two routers sharing a store.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use novera_commands::{
    BoxFuture, Clock, Command, CommandResult, CommandSet, Context, GatewayInfo, MemoryStateStore,
    Router, ShardInfo, StateStore, TimerBook, TimerContext,
};
use novera_core::{CancellationToken, Shutdown};
use twilight_model::id::Id;

mod common;

struct NoShards;

impl GatewayInfo for NoShards {
    fn shards(&self) -> Vec<ShardInfo> {
        Vec::new()
    }
}

/// What a timer handler does on each firing, by attempt.
#[derive(Clone, Copy)]
enum Behaviour {
    Succeed,
    FailFirst,
    Panic,
    ScheduleAgainOnce,
}

#[derive(Clone)]
struct Timed {
    behaviour: Behaviour,
    fired: Arc<Mutex<Vec<(String, u64, u32)>>>,
}

impl Command for Timed {
    fn run(&self, _ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async { Ok(()) })
    }

    fn timer(&self, ctx: TimerContext) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            let firings = {
                let mut fired = self.fired.lock().unwrap();
                fired.push((
                    ctx.key().to_owned(),
                    ctx.application_id().get(),
                    ctx.attempt(),
                ));
                fired.len()
            };
            match self.behaviour {
                Behaviour::FailFirst if ctx.attempt() == 1 => {
                    Err(novera_commands::CommandError::internal("not yet"))
                }
                Behaviour::Succeed | Behaviour::FailFirst => Ok(()),
                Behaviour::Panic => panic!("timer handler panicked"),
                Behaviour::ScheduleAgainOnce => {
                    if firings == 1 {
                        ctx.state()
                            .schedule_in("again", Duration::from_secs(10))
                            .await?;
                    }
                    Ok(())
                }
            }
        })
    }
}

fn router(store: &Arc<dyn StateStore>, app: u64, command: &Timed, shutdown: &Shutdown) -> Router {
    let def = common::def("timed").deadline(Duration::from_secs(1));
    Router::builder(
        Arc::new(twilight_http::Client::new("unused".to_owned())),
        Id::new(app),
        Arc::new(novera_cache::Cache::new()),
        Arc::new(twilight_standby::Standby::new()),
        Arc::new(NoShards),
    )
    .state(Arc::clone(store))
    .commands(CommandSet::new().with(def, command.clone()))
    .build(shutdown)
    .unwrap()
}

struct Setup {
    store: Arc<dyn StateStore>,
    fired: Arc<Mutex<Vec<(String, u64, u32)>>>,
    routers: Vec<Router>,
    cancel: CancellationToken,
    shutdown: Shutdown,
}

fn setup(behaviour: Behaviour, routers: u64) -> Setup {
    let store: Arc<dyn StateStore> = Arc::new(MemoryStateStore::with_clock(Clock::new()));
    let fired = Arc::new(Mutex::new(Vec::new()));
    let command = Timed {
        behaviour,
        fired: Arc::clone(&fired),
    };
    let shutdown = Shutdown::new();
    let cancel = CancellationToken::new();
    let routers: Vec<Router> = (1..=routers)
        .map(|app| router(&store, app, &command, &shutdown))
        .collect();
    for router in &routers {
        tokio::spawn(
            router
                .clone()
                .run_timers(Duration::from_millis(100), cancel.clone()),
        );
    }
    Setup {
        store,
        fired,
        routers,
        cancel,
        shutdown,
    }
}

impl Setup {
    fn fired(&self) -> Vec<(String, u64, u32)> {
        self.fired.lock().unwrap().clone()
    }

    async fn scheduled(&self, key: &str) -> bool {
        TimerBook::new(Arc::clone(&self.store), Clock::new(), "test")
            .due_at("timed", key)
            .await
            .unwrap()
            .is_some()
    }

    async fn stop(self) {
        self.cancel.cancel();
        self.shutdown.request();
        assert!(self.shutdown.drain(Duration::from_secs(5)).await.complete);
    }
}

#[tokio::test(start_paused = true)]
async fn a_timer_fires_once_when_due() {
    let setup = setup(Behaviour::Succeed, 1);
    let state = setup.routers[0].command_state("timed");
    state
        .schedule_in("a", Duration::from_secs(5))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(4_800)).await;
    assert!(setup.fired().is_empty(), "not before it is due");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(setup.fired().len(), 1);
    assert!(!setup.scheduled("a").await, "removed once fired");
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(setup.fired().len(), 1, "never again");
    setup.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_failed_timer_fires_again_once_its_lease_runs_out() {
    let setup = setup(Behaviour::FailFirst, 1);
    let state = setup.routers[0].command_state("timed");
    state
        .schedule_in("b", Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(setup.fired().len(), 1);
    // The lease is the 1 s deadline plus a 2 s margin.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(setup.fired().len(), 1, "not before the lease runs out");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let attempts: Vec<u32> = setup.fired().iter().map(|f| f.2).collect();
    assert_eq!(attempts, [1, 2]);
    assert!(!setup.scheduled("b").await);
    assert_eq!(setup.routers[0].stats().failed, 1);
    setup.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_panicking_timer_is_isolated_and_dropped_after_five_attempts() {
    let setup = setup(Behaviour::Panic, 1);
    let state = setup.routers[0].command_state("timed");
    state
        .schedule_in("c", Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let attempts: Vec<u32> = setup.fired().iter().map(|f| f.2).collect();
    assert_eq!(attempts, [1, 2, 3, 4, 5]);
    assert!(
        !setup.scheduled("c").await,
        "dropped after the last attempt"
    );
    setup.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_timer_scheduled_again_by_its_handler_fires_again_later() {
    let setup = setup(Behaviour::ScheduleAgainOnce, 1);
    let state = setup.routers[0].command_state("timed");
    state
        .schedule_in("again", Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(setup.fired().len(), 1);
    assert!(setup.scheduled("again").await, "the new schedule is kept");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(setup.fired().len(), 2);
    assert!(!setup.scheduled("again").await);
    setup.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_timer_of_an_unknown_command_is_dropped() {
    let setup = setup(Behaviour::Succeed, 1);
    let book = TimerBook::new(Arc::clone(&setup.store), Clock::new(), "test");
    book.schedule("gone", "x", Clock::new().now())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(book.due_at("gone", "x").await.unwrap(), None);
    assert!(setup.fired().is_empty());
    setup.stop().await;
}

#[tokio::test(start_paused = true)]
async fn two_routers_sharing_a_store_fire_each_timer_exactly_once() {
    let setup = setup(Behaviour::Succeed, 2);
    let state = setup.routers[0].command_state("timed");
    for key in 0..20 {
        state
            .schedule_in(&key.to_string(), Duration::from_millis(500 + key * 37))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let fired = setup.fired();
    let mut keys: Vec<u64> = fired.iter().map(|f| f.0.parse().unwrap()).collect();
    keys.sort_unstable();
    assert_eq!(keys, (0..20).collect::<Vec<_>>(), "each exactly once");
    setup.stop().await;
}
