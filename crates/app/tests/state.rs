//! Command state across restarts of the real `novera` binary: an open `/poll` does not hold a
//! SIGTERM, its votes survive the restart, it closes on time with every vote, and a poll whose
//! close time passed while the bot was down closes right after the next start.

mod common;

use std::time::{Duration, Instant};

use common::{Novera, TOKEN, command, eventually, wait_status};
use novera_sim::{ControlClient, SimHandle, Simulator};
use serde_json::{Value, json};

fn bot(dir: &std::path::Path, sim: &SimHandle) -> tokio::process::Command {
    let mut cmd = command(dir);
    cmd.env("NOVERA_TOKEN", TOKEN)
        .env("NOVERA_DISCORD__API_URL", sim.base_url())
        .env("NOVERA_STATE__TIMER_INTERVAL", "200ms");
    cmd
}

async fn ready(novera: &Novera) {
    let health = novera.url_after("health on ").await;
    wait_status(&format!("{health}/readyz"), 200).await;
}

struct World {
    control: ControlClient,
    channel: u64,
    users: Vec<u64>,
}

impl World {
    /// `/poll` by the first user; returns the poll's id and its message id.
    async fn poll(&self, choices: &str, seconds: u64) -> (String, String) {
        let created = self
            .control
            .run_command(
                "poll",
                json!([{"name": "question", "type": 3, "value": "Lunch?"},
                       {"name": "choices", "type": 3, "value": choices},
                       {"name": "seconds", "type": 4, "value": seconds}]),
                None,
                Some(self.channel),
                Some(self.users[0]),
            )
            .await
            .unwrap();
        let message = eventually("the poll message", || async {
            self.control
                .interaction(&created.id)
                .await
                .ok()?
                .original_message_id
        })
        .await;
        (created.id, message)
    }

    async fn vote(&self, poll: &str, message: &str, user: usize, choice: usize) {
        let click = self
            .control
            .click(
                message,
                &format!("poll:vote:{poll}:{choice}"),
                Some(self.users[user]),
            )
            .await
            .unwrap();
        let answered = eventually("the click to be answered", || async {
            let status = self.control.interaction(&click.id).await.ok()?;
            status.responded.then_some(status)
        })
        .await;
        assert_eq!(answered.response_type, Some(7), "{answered:?}");
    }

    async fn text(&self, message: &str) -> String {
        let messages = self.control.channel_messages(self.channel).await.unwrap();
        messages
            .iter()
            .find(|m| m["id"] == message)
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    }

    async fn wait_text(&self, message: &str, what: &str, want: &str) -> String {
        eventually(what, || async {
            let text = self.text(message).await;
            text.contains(want).then_some(text)
        })
        .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_survive_a_sigterm_restart_and_close_on_time_with_every_vote() {
    let sim = Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts");
    let control = sim.control();
    let state = control.state().await.unwrap();
    let world = World {
        channel: state.guilds[0].channels[0].parse().unwrap(),
        users: state.users.iter().map(|u| u.parse().unwrap()).collect(),
        control,
    };
    let dir = tempfile::tempdir().unwrap();

    let mut first = Novera::spawn(bot(dir.path(), &sim));
    ready(&first).await;
    // `long` stays open across the restart; `short` comes due while no bot runs.
    let (long, long_message) = world.poll("pizza, sushi", 12).await;
    let (short, short_message) = world.poll("tea, coffee", 2).await;
    let short_due = Instant::now() + Duration::from_secs(2);
    world.vote(&long, &long_message, 1, 0).await;
    world.vote(&short, &short_message, 1, 1).await;

    let stopping = Instant::now();
    first.signal("TERM");
    let status = first.exit().await;
    let took = stopping.elapsed();
    assert_eq!(status.code(), Some(0), "{}", first.dump());
    assert!(
        took < Duration::from_secs(2),
        "open polls must not hold the stop: {took:?}\n{}",
        first.dump()
    );
    assert!(
        dir.path().join("novera-state.redb").is_file(),
        "the state file sits next to the session file"
    );

    // The short poll's time passes while the bot is down.
    tokio::time::sleep_until((short_due + Duration::from_millis(300)).into()).await;
    assert!(
        !world.text(&short_message).await.contains("(closed)"),
        "nothing closed it while the bot was down"
    );

    let mut second = Novera::spawn(bot(dir.path(), &sim));
    ready(&second).await;
    let started = Instant::now();
    let text = world
        .wait_text(&short_message, "the overdue poll to close", "(closed)")
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed right after the start, not later"
    );
    assert!(
        text.contains("Result: **coffee** with 1 vote(s)."),
        "{text}"
    );

    // A vote from another user after the restart counts beside the one before it.
    world.vote(&long, &long_message, 2, 1).await;
    let text = world.text(&long_message).await;
    assert!(text.contains("pizza: 1\nsushi: 1"), "{text}");
    assert!(!text.contains("(closed)"), "still open: {text}");

    let text = world
        .wait_text(&long_message, "the long poll to close when due", "(closed)")
        .await;
    assert!(
        text.contains("pizza: 1\nsushi: 1") && text.contains("tie between pizza, sushi"),
        "{text}"
    );
    let messages = world.control.channel_messages(world.channel).await.unwrap();
    let buttons: Vec<&Value> = messages
        .iter()
        .filter(|m| m["id"] == long_message.as_str() || m["id"] == short_message.as_str())
        .map(|m| &m["components"])
        .collect();
    assert!(
        buttons
            .iter()
            .all(|c| c.as_array().is_none_or(Vec::is_empty)),
        "closed polls have no buttons: {buttons:?}"
    );

    second.signal("TERM");
    assert_eq!(second.exit().await.code(), Some(0), "{}", second.dump());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_the_same_state_file_exits_78_naming_it() {
    let sim = Simulator::builder()
        .token(TOKEN)
        .start()
        .await
        .expect("the simulator starts");
    let dir = tempfile::tempdir().unwrap();
    let mut first = Novera::spawn(bot(dir.path(), &sim));
    ready(&first).await;

    let mut cmd = bot(dir.path(), &sim);
    cmd.env(
        "NOVERA_SESSION__PATH",
        dir.path().join("other-sessions.json"),
    )
    .env("NOVERA_STATE__PATH", dir.path().join("novera-state.redb"));
    let mut second = Novera::spawn(cmd);
    let status = second.exit().await;
    assert_eq!(status.code(), Some(78), "{}", second.dump());
    let last = second.last_stderr_line();
    assert!(last.contains("command state store"), "{last}");
    assert!(last.contains("novera-state.redb"), "{last}");

    first.signal("TERM");
    assert_eq!(first.exit().await.code(), Some(0), "{}", first.dump());
}
