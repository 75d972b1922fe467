//! `state_store_suite`: the behaviour every [`StateStore`] must have, run against each
//! implementation (novera-commands' file and memory stores, novera-cluster's NATS bucket), so
//! commands behave the same standalone and in a cluster.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use novera_commands::{Clock, MAX_KEY_LEN, StateError, StateStore, TimerBook};

/// Runs the suite. `stores` are handles on one backing store (at least one; more stand for
/// several processes sharing it: e.g. two connections to one bucket); entries are written in
/// namespaces of their own, so the suite may run on a store that holds other data.
///
/// # Panics
/// On the first behaviour that differs from the [`StateStore`] contract (a test harness).
pub async fn state_store_suite(stores: &[Arc<dyn StateStore>]) {
    let Some(first) = stores.first() else {
        panic!("state_store_suite needs at least one store");
    };
    let ns = format!("suite-{:08x}", fastrand::u32(..));
    let ns = ns.as_str();
    reads_writes_and_versions(first.as_ref(), ns).await;
    compare_and_set_and_delete(first.as_ref(), ns).await;
    keys_namespaces_and_scan(first.as_ref(), ns).await;
    expiry(first.as_ref(), ns).await;
    concurrent_updates_all_count(stores, ns).await;
    one_lease_per_timer(stores, ns).await;
}

async fn reads_writes_and_versions(store: &dyn StateStore, ns: &str) {
    assert_eq!(store.get(ns, "missing").await.unwrap(), None);
    let v1 = store.put(ns, "a", b"one".to_vec(), None).await.unwrap();
    let read = store.get(ns, "a").await.unwrap().expect("written");
    assert_eq!(
        (read.value.as_slice(), read.version, read.expires_at),
        (&b"one"[..], v1, None)
    );
    let v2 = store.put(ns, "a", b"two".to_vec(), None).await.unwrap();
    assert!(v2 > v1, "versions grow: {v1} then {v2}");
    assert_eq!(store.get(ns, "a").await.unwrap().unwrap().value, b"two");
    // Empty values and binary values are values too.
    store.put(ns, "empty", Vec::new(), None).await.unwrap();
    assert_eq!(store.get(ns, "empty").await.unwrap().unwrap().value, b"");
    let binary: Vec<u8> = (0..=255).collect();
    store.put(ns, "binary", binary.clone(), None).await.unwrap();
    assert_eq!(
        store.get(ns, "binary").await.unwrap().unwrap().value,
        binary
    );
}

async fn compare_and_set_and_delete(store: &dyn StateStore, ns: &str) {
    let created = store
        .compare_and_set(ns, "c", None, b"1".to_vec(), None)
        .await
        .unwrap()
        .expect("absent: created");
    assert_eq!(
        store
            .compare_and_set(ns, "c", None, b"x".to_vec(), None)
            .await
            .unwrap(),
        None,
        "present: create-if-absent fails"
    );
    let next = store
        .compare_and_set(ns, "c", Some(created), b"2".to_vec(), None)
        .await
        .unwrap()
        .expect("current version: set");
    assert_eq!(
        store
            .compare_and_set(ns, "c", Some(created), b"x".to_vec(), None)
            .await
            .unwrap(),
        None,
        "stale version: refused"
    );
    assert_eq!(store.get(ns, "c").await.unwrap().unwrap().value, b"2");

    assert!(
        !store.delete(ns, "c", Some(created)).await.unwrap(),
        "stale delete refused"
    );
    assert!(store.delete(ns, "c", Some(next)).await.unwrap());
    assert_eq!(store.get(ns, "c").await.unwrap(), None);
    assert!(
        !store.delete(ns, "c", None).await.unwrap(),
        "nothing left to delete"
    );

    // A key deleted and created again never gets a version an old writer could match.
    let again = store
        .compare_and_set(ns, "c", None, b"3".to_vec(), None)
        .await
        .unwrap()
        .unwrap();
    assert!(again > next, "{again} after {next}");
    assert_eq!(
        store
            .compare_and_set(ns, "c", Some(next), b"x".to_vec(), None)
            .await
            .unwrap(),
        None
    );
    assert!(store.delete(ns, "c", None).await.unwrap());
}

async fn keys_namespaces_and_scan(store: &dyn StateStore, ns: &str) {
    let other = format!("{ns}-other");
    let odd = [
        "with space",
        "dots.and/slashes",
        "ünïcödé ✓",
        "=3D",
        "a:b:c",
        "*",
        ">",
    ];
    for (i, key) in odd.iter().enumerate() {
        store
            .put(ns, key, vec![u8::try_from(i).unwrap()], None)
            .await
            .unwrap();
    }
    store
        .put(&other, "with space", b"other".to_vec(), None)
        .await
        .unwrap();
    for (i, key) in odd.iter().enumerate() {
        let read = store.get(ns, key).await.unwrap().expect(key);
        assert_eq!(read.value, [u8::try_from(i).unwrap()], "{key}");
    }
    assert_eq!(
        store
            .get(&other, "with space")
            .await
            .unwrap()
            .unwrap()
            .value,
        b"other"
    );

    let mut scanned: Vec<String> = store
        .scan(ns)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    scanned.retain(|k| odd.contains(&k.as_str()));
    scanned.sort();
    let mut want: Vec<String> = odd.iter().map(|k| (*k).to_owned()).collect();
    want.sort();
    assert_eq!(scanned, want);
    let other_keys: Vec<String> = store
        .scan(&other)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(other_keys, ["with space"]);

    for bad in ["", &"k".repeat(MAX_KEY_LEN + 1)] {
        let refused = store.put(ns, bad, Vec::new(), None).await;
        assert!(
            matches!(refused, Err(StateError::InvalidKey { .. })),
            "{refused:?}"
        );
        let refused = store.get(bad, "k").await;
        assert!(
            matches!(refused, Err(StateError::InvalidKey { .. })),
            "{refused:?}"
        );
    }
    assert!(
        store
            .put(ns, &"k".repeat(MAX_KEY_LEN), Vec::new(), None)
            .await
            .is_ok()
    );
}

async fn expiry(store: &dyn StateStore, ns: &str) {
    let past = SystemTime::now() - Duration::from_secs(5);
    let future = SystemTime::now() + Duration::from_secs(3600);
    let ns = format!("{ns}-expiry");
    let ns = ns.as_str();
    store
        .put(ns, "gone", b"x".to_vec(), Some(past))
        .await
        .unwrap();
    let live = store
        .put(ns, "live", b"y".to_vec(), Some(future))
        .await
        .unwrap();
    assert_eq!(
        store.get(ns, "gone").await.unwrap(),
        None,
        "expired reads as absent"
    );
    let read = store.get(ns, "live").await.unwrap().unwrap();
    assert_eq!(read.version, live);
    let kept = read.expires_at.expect("the expiry is kept");
    let drift = kept.duration_since(future).unwrap_or_else(|e| e.duration());
    assert!(
        drift < Duration::from_millis(1),
        "expiry stored to the millisecond"
    );
    let keys: Vec<String> = store
        .scan(ns)
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["live"], "scan leaves expired entries out");
    assert!(
        !store.delete(ns, "gone", None).await.unwrap(),
        "an expired entry is not there to delete"
    );

    store
        .put(ns, "gone", b"x".to_vec(), Some(past))
        .await
        .unwrap();
    let created = store
        .compare_and_set(ns, "gone", None, b"new".to_vec(), None)
        .await
        .unwrap();
    assert!(
        created.is_some(),
        "create-if-absent replaces an expired entry"
    );
    store
        .put(ns, "gone2", b"x".to_vec(), Some(past))
        .await
        .unwrap();
    assert!(store.purge_expired().await.unwrap() >= 1);
    assert_eq!(store.get(ns, "gone2").await.unwrap(), None);
    assert_eq!(
        store.get(ns, "gone").await.unwrap().unwrap().value,
        b"new",
        "live entries stay"
    );
}

/// Writers on every store increment one counter with load-increment-compare-and-set at once:
/// every increment counts (no lost update).
async fn concurrent_updates_all_count(stores: &[Arc<dyn StateStore>], ns: &str) {
    const WRITERS_PER_STORE: usize = 4;
    const INCREMENTS: usize = 10;
    let mut tasks = Vec::new();
    for store in stores {
        for _ in 0..WRITERS_PER_STORE {
            let store = Arc::clone(store);
            let ns = ns.to_owned();
            tasks.push(tokio::spawn(async move {
                let mut conflicts = 0_usize;
                for _ in 0..INCREMENTS {
                    loop {
                        let current = store.get(&ns, "counter").await.unwrap();
                        let (n, version) = current.map_or((0, None), |e| {
                            let n: u64 = String::from_utf8(e.value).unwrap().parse().unwrap();
                            (n, Some(e.version))
                        });
                        let next = (n + 1).to_string().into_bytes();
                        if store
                            .compare_and_set(&ns, "counter", version, next, None)
                            .await
                            .unwrap()
                            .is_some()
                        {
                            break;
                        }
                        conflicts += 1;
                        tokio::task::yield_now().await;
                    }
                }
                conflicts
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let total = stores.len() * WRITERS_PER_STORE * INCREMENTS;
    let value = stores[0].get(ns, "counter").await.unwrap().unwrap().value;
    assert_eq!(String::from_utf8(value).unwrap(), total.to_string());
}

/// A due timer is leased by exactly one of several processes, whichever store each uses.
async fn one_lease_per_timer(stores: &[Arc<dyn StateStore>], ns: &str) {
    let clock = Clock::new();
    let books: Vec<TimerBook> = stores
        .iter()
        .cycle()
        .take(stores.len().max(2))
        .enumerate()
        .map(|(i, store)| TimerBook::new(Arc::clone(store), clock, format!("holder-{i}")))
        .collect();
    books[0]
        .schedule(ns, "due", clock.now() - Duration::from_secs(1))
        .await
        .unwrap();
    books[0]
        .schedule(ns, "later", clock.now() + Duration::from_secs(3600))
        .await
        .unwrap();
    let mut leases = Vec::new();
    for book in &books {
        let due: Vec<_> = book
            .due()
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.command == ns)
            .collect();
        assert_eq!(due.len(), 1, "only the due timer: {due:?}");
        assert_eq!(due[0].key, "due");
        leases.push((book, due.into_iter().next().unwrap()));
    }
    let attempts = leases
        .iter()
        .map(|(book, due)| book.lease(due, Duration::from_secs(30)));
    let won: Vec<_> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let winners: Vec<_> = won.iter().flatten().collect();
    assert_eq!(winners.len(), 1, "exactly one process leases it: {won:?}");
    let winner = won.iter().position(Option::is_some).unwrap();
    assert!(books[winner].complete(winners[0]).await.unwrap());
    assert_eq!(books[0].due_at(ns, "due").await.unwrap(), None);
    assert!(books[1].cancel(ns, "later").await.unwrap());
}
