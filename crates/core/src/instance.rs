//! One bot, one instance: a tag that names this process on everything it sends, and the watch
//! that notices another live process of the same bot.
//!
//! Two copies of one bot (a developer running it with the production token, a supervisor that
//! started a second copy while the first was only slow) answer every command twice. The remote
//! service cannot say so; what it can show is the other copy's traffic. Every message this
//! process sends carries a nonce that starts with its [`InstanceTag`]; a message by the bot's own
//! user with a nonce that does not, or an interaction someone else answered first, is evidence
//! of another instance. [`InstanceWatch`] counts it
//! (`novera_duplicate_instance_detected_total{evidence}`), keeps the latest evidence for
//! `/status`, logs the first at error, tells its observers (the binary's alert), and, when asked
//! to, steps down: the newer of two instances stops answering, so users get one answer.
//!
//! The tag holds the process's start time, so two instances that see each other's nonces agree
//! on which one is newer without talking to each other.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// The tag's length: seven base-36 digits of the start time (seconds since the Unix epoch, good
/// until the year 4453) and five random ones.
pub const TAG_LEN: usize = 12;
/// Discord's limit on a message nonce (a tag and up to 13 base-36 digits of a sequence fit).
pub const NONCE_MAX_LEN: usize = 25;
/// How many pieces of evidence `/status` lists.
const EVIDENCE_KEPT: usize = 10;
const TIME_DIGITS: usize = 7;
const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// What names one process on the messages it sends: its start time and a random part, as twelve
/// lowercase base-36 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceTag {
    text: String,
    started_unix_secs: u64,
}

impl InstanceTag {
    /// A fresh tag for a process started now.
    #[must_use]
    pub fn generate() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::new(now, fastrand::u32(..36u32.pow(5)))
    }

    /// The tag of a process started at `started_unix_secs` with random part `random` (taken
    /// modulo 36^5).
    #[must_use]
    pub fn new(started_unix_secs: u64, random: u32) -> Self {
        let mut text = base36(started_unix_secs % 36u64.pow(7), TIME_DIGITS);
        text.push_str(&base36(
            u64::from(random) % 36u64.pow(5),
            TAG_LEN - TIME_DIGITS,
        ));
        Self {
            text,
            started_unix_secs: started_unix_secs % 36u64.pow(7),
        }
    }

    /// The one tag of every process of a deployment named `name` (the cluster roles): the same
    /// in every process and every build (FNV-1a of the name), with the earliest start time, so a
    /// process outside the deployment is always the newer one and the deployment never steps
    /// down for it.
    #[must_use]
    pub fn for_deployment(name: &str) -> Self {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        Self::new(0, u32::try_from(hash % 36u64.pow(5)).unwrap_or_default())
    }

    /// The tag at the start of `nonce`, if the nonce is one an instance of Novera wrote.
    #[must_use]
    pub fn of_nonce(nonce: &str) -> Option<Self> {
        let tag = nonce.get(..TAG_LEN)?;
        if nonce.len() > NONCE_MAX_LEN
            || !nonce
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        {
            return None;
        }
        let started = u64::from_str_radix(&tag[..TIME_DIGITS], 36).ok()?;
        Some(Self {
            text: tag.to_owned(),
            started_unix_secs: started,
        })
    }

    /// The twelve characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// When the process started, in seconds since the Unix epoch.
    #[must_use]
    pub fn started_unix_secs(&self) -> u64 {
        self.started_unix_secs
    }

    /// Whether this tag's process started after `other`'s (ties broken by the random part, so
    /// two instances always agree on which one is newer).
    #[must_use]
    pub fn is_newer_than(&self, other: &Self) -> bool {
        (self.started_unix_secs, &self.text) > (other.started_unix_secs, &other.text)
    }
}

impl std::fmt::Display for InstanceTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn base36(mut n: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[usize::try_from(n % 36).unwrap_or(0)];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// How another instance showed itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvidenceKind {
    /// A message by the bot's own user carried a nonce this process did not write.
    ForeignNonce,
    /// An interaction this process never answered was already acknowledged (Discord's 40060).
    AlreadyAcknowledged,
}

impl EvidenceKind {
    /// The metric label and `/status` name: `foreign_nonce`, `already_acknowledged`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::ForeignNonce => "foreign_nonce",
            Self::AlreadyAcknowledged => "already_acknowledged",
        }
    }
}

/// One piece of evidence of another instance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DuplicateEvidence {
    /// What was seen.
    pub kind: EvidenceKind,
    /// One line for the operator (ids, the nonce; never message content).
    pub detail: String,
    /// When, in milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// The other instance's tag, when its nonce was one Novera writes.
    pub other: Option<InstanceTag>,
    /// Whether this is the first evidence this process saw.
    pub first: bool,
    /// Whether this evidence made this process step down.
    pub stepped_down: bool,
}

/// What `/status` shows about other instances.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DuplicateReport {
    /// This process's tag (the start of every nonce it sends).
    pub tag: InstanceTag,
    /// Pieces of evidence seen since start.
    pub detected: u64,
    /// Whether this process stopped answering commands (it is the newer of two instances and
    /// step-down is on).
    pub stepped_down: bool,
    /// Whether step-down is enabled.
    pub step_down_enabled: bool,
    /// The latest evidence, newest first (bounded).
    pub evidence: Vec<DuplicateEvidence>,
}

type Observer = Arc<dyn Fn(&DuplicateEvidence) + Send + Sync>;

/// This process's tag and nonces, and what it noticed of other instances. Shared by the
/// gateway (messages by the bot's own user), the command router (40060 on a first response;
/// step-down) and the status view.
pub struct InstanceWatch {
    tag: InstanceTag,
    next: AtomicU64,
    step_down: bool,
    detected: AtomicU64,
    /// When this process stepped down (set once).
    stepped_down_at: OnceLock<Instant>,
    evidence: Mutex<VecDeque<DuplicateEvidence>>,
    observers: Mutex<Vec<Observer>>,
}

impl std::fmt::Debug for InstanceWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceWatch")
            .field("tag", &self.tag)
            .field("step_down", &self.step_down)
            .field("detected", &self.detected.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl InstanceWatch {
    /// A watch for this process under a fresh tag; with `step_down`, the newer of two instances
    /// stops answering once it sees the other's nonce.
    #[must_use]
    pub fn new(step_down: bool) -> Self {
        Self::with_tag(InstanceTag::generate(), step_down)
    }

    /// A watch under `tag`: for tests, and for the processes of one deployment (cluster roles),
    /// which must share a tag or each would take the others' messages for another instance.
    /// Each process still writes its own nonces (the sequence starts at a random point).
    #[must_use]
    pub fn with_tag(tag: InstanceTag, step_down: bool) -> Self {
        // Exported at zero from the start, so a rule on its increase sees the first detection.
        for kind in [
            EvidenceKind::ForeignNonce,
            EvidenceKind::AlreadyAcknowledged,
        ] {
            metrics::counter!("novera_duplicate_instance_detected_total", "evidence" => kind.label())
                .absolute(0);
        }
        metrics::gauge!("novera_duplicate_instance_stepped_down").set(0.0);
        Self {
            tag,
            // A random start: processes that share a tag (one deployment) never write the same
            // nonce, which Discord's `enforce_nonce` would take for a resend.
            next: AtomicU64::new(fastrand::u64(..)),
            step_down,
            detected: AtomicU64::new(0),
            stepped_down_at: OnceLock::new(),
            evidence: Mutex::new(VecDeque::new()),
            observers: Mutex::new(Vec::new()),
        }
    }

    /// This process's tag.
    #[must_use]
    pub fn tag(&self) -> &InstanceTag {
        &self.tag
    }

    /// A nonce for the next message: the tag and a sequence number (from a random start), at
    /// most [`NONCE_MAX_LEN`] characters, never the same twice in this process.
    #[must_use]
    pub fn next_nonce(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut nonce = String::with_capacity(NONCE_MAX_LEN);
        nonce.push_str(self.tag.as_str());
        let digits = base36(n, 13);
        nonce.push_str(digits.trim_start_matches('0'));
        if nonce.len() == TAG_LEN {
            nonce.push('0');
        }
        nonce
    }

    /// Whether `nonce` was written by this process (a cheap prefix comparison).
    #[must_use]
    pub fn is_ours(&self, nonce: &str) -> bool {
        nonce.len() > TAG_LEN && nonce.as_bytes().starts_with(self.tag.as_str().as_bytes())
    }

    /// Whether this process stepped down (stopped answering commands).
    #[must_use]
    pub fn stepped_down(&self) -> bool {
        self.stepped_down_at.get().is_some()
    }

    /// Whether a command received at `received_at` is this process's to answer: everything
    /// received before it stepped down still is (the other instance learns of this one only
    /// from its answers, so the last ones must go out).
    #[must_use]
    pub fn answers(&self, received_at: Instant) -> bool {
        self.stepped_down_at
            .get()
            .is_none_or(|at| received_at < *at)
    }

    /// Calls `observer` with every piece of evidence (after it was counted and logged); it runs
    /// on the task that found it and must not block.
    pub fn on_detected(&self, observer: impl Fn(&DuplicateEvidence) + Send + Sync + 'static) {
        lock(&self.observers).push(Arc::new(observer));
    }

    /// A message by the bot's own user carried `nonce`: evidence of another instance unless this
    /// process wrote it. `detail` is only built then. Returns whether it was foreign.
    pub fn check_nonce(&self, nonce: &str, detail: impl FnOnce() -> String) -> bool {
        if self.is_ours(nonce) {
            return false;
        }
        let other = InstanceTag::of_nonce(nonce);
        self.detected(EvidenceKind::ForeignNonce, detail(), other);
        true
    }

    /// Discord refused this process's first response to an interaction it never answered
    /// because someone else already had (40060).
    pub fn already_acknowledged(&self, detail: String) {
        self.detected(EvidenceKind::AlreadyAcknowledged, detail, None);
    }

    fn detected(&self, kind: EvidenceKind, detail: String, other: Option<InstanceTag>) {
        let first = self.detected.fetch_add(1, Ordering::Relaxed) == 0;
        metrics::counter!("novera_duplicate_instance_detected_total", "evidence" => kind.label())
            .increment(1);
        // Only a tag says which of the two is newer; without one neither steps down, so a
        // misread can never silence both.
        let steps_down = self.step_down
            && other
                .as_ref()
                .is_some_and(|other| self.tag.is_newer_than(other))
            && self.stepped_down_at.set(Instant::now()).is_ok();
        let evidence = DuplicateEvidence {
            kind,
            detail,
            at_unix_ms: unix_ms_now(),
            other,
            first,
            stepped_down: steps_down,
        };
        if first {
            tracing::error!(
                evidence = kind.label(),
                detail = %evidence.detail,
                this_instance = %self.tag,
                other_instance = evidence.other.as_ref().map(ToString::to_string),
                "another instance of this bot is running with the same token: every command may be answered twice; find it and stop it (see docs/operations.md)"
            );
        } else {
            tracing::debug!(evidence = kind.label(), detail = %evidence.detail, "more evidence of another instance");
        }
        if steps_down {
            metrics::gauge!("novera_duplicate_instance_stepped_down").set(1.0);
            tracing::error!(
                this_instance = %self.tag,
                other_instance = evidence.other.as_ref().map(ToString::to_string),
                "this instance is the newer of two and steps down: it stops answering commands until it is restarted"
            );
        }
        {
            let mut kept = lock(&self.evidence);
            if kept.len() == EVIDENCE_KEPT {
                kept.pop_back();
            }
            kept.push_front(evidence.clone());
        }
        let observers: Vec<Observer> = lock(&self.observers).clone();
        for observer in observers {
            observer(&evidence);
        }
    }

    /// What `/status` shows.
    #[must_use]
    pub fn report(&self) -> DuplicateReport {
        DuplicateReport {
            tag: self.tag.clone(),
            detected: self.detected.load(Ordering::Relaxed),
            stepped_down: self.stepped_down(),
            step_down_enabled: self.step_down,
            evidence: lock(&self.evidence).iter().cloned().collect(),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn unix_ms_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_carry_the_tag_fit_discords_limit_and_never_repeat() {
        let watch = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 12345), false);
        assert_eq!(watch.tag().as_str().len(), TAG_LEN);
        let first = watch.next_nonce();
        let second = watch.next_nonce();
        assert_ne!(first, second);
        assert!(first.starts_with(watch.tag().as_str()), "{first}");
        assert!(watch.is_ours(&first) && watch.is_ours(&second));
        watch.next.store(u64::MAX, Ordering::Relaxed);
        let longest = watch.next_nonce();
        assert!(longest.len() <= NONCE_MAX_LEN, "{longest}");
        assert_eq!(
            InstanceTag::of_nonce(&longest).as_ref(),
            Some(watch.tag()),
            "the tag reads back, start time included"
        );
        assert_eq!(
            InstanceTag::of_nonce(&first).map(|t| t.started_unix_secs()),
            Some(1_750_000_000)
        );
        // Two processes of one deployment share a tag, never a nonce.
        let sibling = InstanceWatch::with_tag(watch.tag().clone(), false);
        let theirs = sibling.next_nonce();
        assert!(watch.is_ours(&theirs));
        assert_ne!(theirs, watch.next_nonce());
    }

    #[test]
    fn foreign_nonces_are_evidence_and_ours_are_not() {
        let watch = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 1), false);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        watch.on_detected(move |e| sink.lock().unwrap().push(e.clone()));

        let ours = watch.next_nonce();
        assert!(!watch.check_nonce(&ours, || unreachable!("no detail for our own nonce")));
        assert!(watch.check_nonce("12345", || "numeric nonce".to_owned()));
        let other = InstanceWatch::with_tag(InstanceTag::new(1_750_000_100, 2), false);
        assert!(watch.check_nonce(&other.next_nonce(), || "novera nonce".to_owned()));
        watch.already_acknowledged("interaction 1".to_owned());

        let report = watch.report();
        assert_eq!(report.detected, 3);
        assert!(!report.stepped_down, "step-down is off");
        assert_eq!(report.evidence.len(), 3);
        assert_eq!(report.evidence[0].kind, EvidenceKind::AlreadyAcknowledged);
        assert_eq!(report.evidence[1].other.as_ref(), Some(other.tag()));
        assert_eq!(report.evidence[2].other, None, "not a Novera nonce");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        assert!(seen[0].first && !seen[1].first && !seen[2].first);
    }

    #[tokio::test(start_paused = true)]
    async fn commands_received_before_the_step_down_are_still_answered() {
        let newer = InstanceWatch::with_tag(InstanceTag::new(1_750_000_001, 1), true);
        let older = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 1), false);
        let before = Instant::now();
        tokio::time::advance(std::time::Duration::from_millis(10)).await;
        newer.check_nonce(&older.next_nonce(), String::new);
        assert!(newer.answers(before), "received before the step-down");
        assert!(!newer.answers(Instant::now()));
    }

    #[test]
    fn only_the_newer_of_two_instances_steps_down() {
        let older = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 9), true);
        let newer = InstanceWatch::with_tag(InstanceTag::new(1_750_000_001, 1), true);
        // Each sees the other's messages.
        older.check_nonce(&newer.next_nonce(), String::new);
        newer.check_nonce(&older.next_nonce(), String::new);
        assert!(!older.stepped_down());
        assert!(newer.stepped_down());
        assert!(newer.report().evidence[0].stepped_down);
        assert!(older.answers(Instant::now()));
        assert!(!newer.answers(Instant::now()));

        // Started in the same second: the random part decides, the same way on both sides.
        let a = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 1), true);
        let b = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 2), true);
        a.check_nonce(&b.next_nonce(), String::new);
        b.check_nonce(&a.next_nonce(), String::new);
        assert_ne!(a.stepped_down(), b.stepped_down());

        // Without the other's tag (a 40060), nobody steps down.
        let alone = InstanceWatch::with_tag(InstanceTag::new(1_750_000_500, 1), true);
        alone.already_acknowledged("interaction 2".to_owned());
        alone.check_nonce("not-a-novera-nonce", String::new);
        assert!(!alone.stepped_down());
    }

    #[test]
    fn a_deployment_shares_one_tag_and_is_older_than_any_outsider() {
        let gateway = InstanceWatch::with_tag(InstanceTag::for_deployment("novera"), true);
        let worker = InstanceWatch::with_tag(InstanceTag::for_deployment("novera"), true);
        assert_eq!(gateway.tag(), worker.tag());
        assert_ne!(
            InstanceTag::for_deployment("novera"),
            InstanceTag::for_deployment("other-bot")
        );
        assert!(!gateway.check_nonce(&worker.next_nonce(), String::new));
        let outsider = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 1), true);
        assert!(gateway.check_nonce(&outsider.next_nonce(), String::new));
        outsider.check_nonce(&gateway.next_nonce(), String::new);
        assert!(!gateway.stepped_down());
        assert!(outsider.stepped_down());
    }

    #[test]
    fn malformed_nonces_are_not_tags() {
        assert_eq!(InstanceTag::of_nonce(""), None);
        assert_eq!(InstanceTag::of_nonce("short"), None);
        assert_eq!(InstanceTag::of_nonce("ABCDEFGHIJKLMN"), None);
        assert_eq!(InstanceTag::of_nonce("ñññññññññññññ"), None);
        assert_eq!(InstanceTag::of_nonce(&"a".repeat(26)), None);
    }

    #[test]
    fn evidence_kept_is_bounded() {
        let watch = InstanceWatch::with_tag(InstanceTag::new(1, 1), false);
        for i in 0..(EVIDENCE_KEPT + 5) {
            watch.already_acknowledged(format!("interaction {i}"));
        }
        let report = watch.report();
        assert_eq!(report.detected, (EVIDENCE_KEPT + 5) as u64);
        assert_eq!(report.evidence.len(), EVIDENCE_KEPT);
        assert_eq!(
            report.evidence[0].detail,
            format!("interaction {}", EVIDENCE_KEPT + 4)
        );
    }
}
