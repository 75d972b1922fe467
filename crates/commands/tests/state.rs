//! The state stores of novera-commands against the shared suite (the NATS bucket runs the same
//! one in novera-cluster), persistence of the file store across reopening, the typed handle's
//! load-apply-save under contention, and a `kill -9` mid-write.

use std::io::{BufRead as _, BufReader};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::Duration;

use novera_commands::{
    Change, Clock, CommandState, FileStateStore, MemoryStateStore, StateError, StateStore,
    TimerBook,
};
use novera_testkit::state_store_suite;

fn handle(store: Arc<dyn StateStore>, name: &str) -> CommandState {
    let clock = Clock::new();
    let timers = TimerBook::new(Arc::clone(&store), clock, "test");
    CommandState::new(store, name, clock, timers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn StateStore> = Arc::new(
        FileStateStore::open(dir.path().join("state.redb"))
            .await
            .unwrap(),
    );
    state_store_suite(&[Arc::clone(&store), store]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_keeps_the_contract() {
    let store: Arc<dyn StateStore> = Arc::new(MemoryStateStore::new());
    state_store_suite(&[Arc::clone(&store), store]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_store_keeps_values_versions_and_timers_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("state.redb");
    let store: Arc<dyn StateStore> = Arc::new(FileStateStore::open(&path).await.unwrap());
    let poll = handle(Arc::clone(&store), "poll");
    let version = poll.put("42", &vec![1, 2, 3]).await.unwrap();
    poll.schedule_in("42", Duration::from_secs(60))
        .await
        .unwrap();

    let second = FileStateStore::open(&path).await;
    assert!(
        matches!(second, Err(StateError::Backend(_))),
        "a second process cannot open the same file: {second:?}"
    );
    drop(poll);
    drop(store);

    let store: Arc<dyn StateStore> = Arc::new(FileStateStore::open(&path).await.unwrap());
    let poll = handle(Arc::clone(&store), "poll");
    let read = poll.get::<Vec<u8>>("42").await.unwrap().unwrap();
    assert_eq!((read.value, read.version), (vec![1, 2, 3], version));
    let timers = TimerBook::new(store, Clock::new(), "after-restart");
    assert!(timers.due_at("poll", "42").await.unwrap().is_some());
    let later = poll.put("42", &vec![4]).await.unwrap();
    assert!(later > version, "versions keep growing after reopening");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_through_the_handle_are_never_lost() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn StateStore> = Arc::new(
        FileStateStore::open(dir.path().join("state.redb"))
            .await
            .unwrap(),
    );
    let votes = handle(store, "poll");
    let tasks: Vec<_> = (0..16_u64)
        .map(|user| {
            let votes = votes.clone();
            tokio::spawn(async move {
                votes
                    .update("1", |stored: Option<Vec<u64>>| {
                        let mut users = stored.unwrap_or_default();
                        users.push(user);
                        (Change::Set(users), ())
                    })
                    .await
                    .unwrap()
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().version.is_some());
    }
    let mut users = votes.get::<Vec<u64>>("1").await.unwrap().unwrap().value;
    users.sort_unstable();
    assert_eq!(users, (0..16).collect::<Vec<_>>());

    let deleted = votes
        .update("1", |_: Option<Vec<u64>>| (Change::Delete, "gone"))
        .await
        .unwrap();
    assert_eq!((deleted.outcome, deleted.version), ("gone", None));
    assert!(votes.get::<Vec<u64>>("1").await.unwrap().is_none());
    let unreadable = votes.put("2", "not a list").await.map(drop);
    assert!(unreadable.is_ok());
    let refused = votes.get::<Vec<u64>>("2").await;
    assert!(
        matches!(refused, Err(StateError::Decode { .. })),
        "{refused:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn expiring_values_vanish_on_time() {
    let clock = Clock::new();
    let store: Arc<dyn StateStore> = Arc::new(MemoryStateStore::with_clock(clock));
    let state = CommandState::new(
        Arc::clone(&store),
        "ask",
        clock,
        TimerBook::new(store, clock, "test"),
    );
    state
        .put_expiring("pending", &"yes", Duration::from_secs(30))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(29)).await;
    assert!(state.get::<String>("pending").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(state.get::<String>("pending").await.unwrap().is_none());
}

/// The child of [`a_kill_9_mid_write_leaves_the_last_acknowledged_write`]: writes an increasing
/// counter forever, printing each value once the store acknowledged it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of a_kill_9_mid_write_leaves_the_last_acknowledged_write"]
async fn child_writes_until_killed() {
    let Some(path) = std::env::var_os("NOVERA_STATE_CHILD_PATH") else {
        return;
    };
    let store = FileStateStore::open(std::path::PathBuf::from(path))
        .await
        .unwrap();
    // A large value, so a kill often lands inside a write.
    let padding = vec![0xA5_u8; 64 * 1024];
    for n in 1_u64.. {
        let mut value = n.to_be_bytes().to_vec();
        value.extend_from_slice(&padding);
        store.put("crash", "counter", value, None).await.unwrap();
        #[allow(clippy::print_stdout, reason = "the acknowledgement the parent reads")]
        {
            println!("acked {n}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_mid_write_leaves_the_last_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    for round in 0..3 {
        let mut child = Process::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "child_writes_until_killed",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("NOVERA_STATE_CHILD_PATH", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Read acknowledgements on a thread, so a child that hangs fails the test instead.
        let (acks, received) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("acked ") {
                    let _ = acks.send(n.parse::<u64>().unwrap());
                }
            }
        });
        // Kill it after a different number of writes each round.
        let target = 20 + round * 37;
        let mut last = 0;
        while last < target {
            last = received
                .recv_timeout(Duration::from_secs(30))
                .expect("the child keeps acknowledging writes");
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        while let Ok(n) = received.try_recv() {
            last = n;
        }

        let store = FileStateStore::open(&path)
            .await
            .expect("the file opens after a kill -9");
        let entry = store
            .get("crash", "counter")
            .await
            .unwrap()
            .expect("the counter is there");
        let stored = u64::from_be_bytes(entry.value[..8].try_into().unwrap());
        // Every acknowledged write is there; at most the one in flight went further.
        assert!(
            stored == last || stored == last + 1,
            "round {round}: stored {stored}, last acknowledged {last}"
        );
        assert_eq!(entry.value.len(), 8 + 64 * 1024, "no torn value");
        drop(store);
    }
}
