//! deploy/systemd/novera.service: a small INI parser and the unit's supervision and sandbox.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::{
    EX_CONFIG, IDENTIFY_BUDGET_PER_DAY, SESSION_PATH, SHARDS_THE_DEFAULTS_ARE_SIZED_FOR,
    deploy_dir, duration, example_config, read, stop_budget,
};

/// A unit file as section -> key -> values (a key may repeat).
pub(crate) type Unit = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn systemd_unit(path: &Path) -> Unit {
    let mut unit = Unit::new();
    let mut section = String::new();
    let mut pending = String::new();
    for line in read(path).lines() {
        let trimmed = line.trim();
        if pending.is_empty() && (trimmed.is_empty() || trimmed.starts_with(['#', ';'])) {
            continue;
        }
        if let Some(part) = trimmed.strip_suffix('\\') {
            pending.push_str(part);
            pending.push(' ');
            continue;
        }
        pending.push_str(trimmed);
        let entry = std::mem::take(&mut pending);
        if let Some(name) = entry.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            name.clone_into(&mut section);
            continue;
        }
        let (key, value) = entry
            .split_once('=')
            .unwrap_or_else(|| panic!("{}: not key=value: {entry:?}", path.display()));
        unit.entry(section.clone())
            .or_default()
            .entry(key.trim().to_owned())
            .or_default()
            .push(value.trim().to_owned());
    }
    unit
}

pub(crate) fn main_unit() -> Unit {
    systemd_unit(&deploy_dir().join("systemd/novera.service"))
}

/// The last value of a key (later assignments override earlier ones).
pub(crate) fn unit_value<'a>(unit: &'a Unit, section: &str, key: &str) -> Option<&'a str> {
    unit.get(section)?.get(key)?.last().map(String::as_str)
}

pub(crate) fn unit_values<'a>(unit: &'a Unit, section: &str, key: &str) -> &'a [String] {
    unit.get(section)
        .and_then(|s| s.get(key))
        .map_or(&[], Vec::as_slice)
}

/// `Environment=` assignments (`A=1 "B=two words"`).
pub(crate) fn unit_environment(unit: &Unit) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for line in unit_values(unit, "Service", "Environment") {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                c if c.is_whitespace() && !quoted => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                c => word.push(c),
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
        for assignment in words {
            let (key, value) = assignment
                .split_once('=')
                .unwrap_or_else(|| panic!("Environment={line}: {assignment:?} is not K=V"));
            env.insert(key.to_owned(), value.to_owned());
        }
    }
    env
}

fn unit_duration(unit: &Unit, section: &str, key: &str) -> Duration {
    let value = unit_value(unit, section, key).unwrap_or_else(|| panic!("{key}= is not set"));
    assert_ne!(value, "infinity", "{key}= must be finite");
    duration(value)
}

#[test]
fn systemd_unit_supervises_without_crash_looping() {
    let unit = main_unit();
    assert_eq!(unit_value(&unit, "Service", "Type"), Some("notify"));
    assert_eq!(unit_value(&unit, "Service", "NotifyAccess"), Some("main"));
    let watchdog = unit_duration(&unit, "Service", "WatchdogSec");
    assert!(
        watchdog > Duration::ZERO,
        "WatchdogSec= enables the watchdog"
    );
    assert_eq!(unit_value(&unit, "Service", "Restart"), Some("on-failure"));
    let restart_sec = unit_duration(&unit, "Service", "RestartSec");
    assert!(
        restart_sec >= Duration::from_secs(5),
        "RestartSec= ({restart_sec:?}) must be at least 5 s"
    );
    let prevented: Vec<&str> = unit_values(&unit, "Service", "RestartPreventExitStatus")
        .iter()
        .flat_map(|v| v.split_whitespace())
        .collect();
    assert!(
        prevented.contains(&EX_CONFIG),
        "RestartPreventExitStatus= must hold 78 (found {prevented:?})"
    );
    // Another novera holds the instance lock: restarting only starts the second copy again.
    assert!(
        prevented.contains(&"73"),
        "RestartPreventExitStatus= must hold 73 (found {prevented:?})"
    );

    let stop = unit_duration(&unit, "Service", "TimeoutStopSec");
    let budget = stop_budget(&example_config());
    assert!(
        stop > budget,
        "TimeoutStopSec= ({stop:?}) must exceed drain + close ({budget:?})"
    );

    // Start limits: at most `burst` starts per window of at least `interval`, so a day holds at
    // most 86400 / interval + 1 windows. Every start may cost one IDENTIFY per shard.
    let interval = unit_duration(&unit, "Unit", "StartLimitIntervalSec");
    assert!(
        interval > Duration::ZERO,
        "StartLimitIntervalSec=0 disables the limit"
    );
    let burst: u64 = unit_value(&unit, "Unit", "StartLimitBurst")
        .expect("StartLimitBurst= is set")
        .parse()
        .expect("StartLimitBurst= is a number");
    let windows_per_day = 86_400 / interval.as_secs() + 1;
    let identifies = burst * windows_per_day * SHARDS_THE_DEFAULTS_ARE_SIZED_FOR;
    assert!(
        identifies <= IDENTIFY_BUDGET_PER_DAY / 2,
        "{burst} starts per {interval:?} allow {identifies} identifies a day with \
         {SHARDS_THE_DEFAULTS_ARE_SIZED_FOR} shards: over half the budget"
    );
}

#[test]
fn systemd_unit_keeps_state_token_and_sandbox() {
    let unit = main_unit();
    let env = unit_environment(&unit);

    assert_eq!(
        unit_value(&unit, "Service", "StateDirectory"),
        Some("novera")
    );
    assert_eq!(
        env.get("NOVERA_SESSION__PATH").map(String::as_str),
        Some(SESSION_PATH),
        "the session file lives in StateDirectory"
    );

    // Token: a systemd credential read through NOVERA_TOKEN_FILE.
    let credential = unit_values(&unit, "Service", "LoadCredential")
        .iter()
        .find_map(|c| c.split_once(':').map(|(id, _)| id))
        .expect("LoadCredential= passes the token");
    assert_eq!(
        env.get("NOVERA_TOKEN_FILE").map(String::as_str),
        Some(format!("%d/{credential}").as_str()),
        "NOVERA_TOKEN_FILE must point at the credential"
    );

    // The health server stays on loopback under systemd (nothing probes it from outside).
    assert!(
        !env.contains_key("NOVERA_HEALTH__LISTEN"),
        "the unit keeps the loopback default for health.listen"
    );

    for (key, expected) in [
        ("DynamicUser", "yes"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
    ] {
        assert_eq!(
            unit_value(&unit, "Service", key),
            Some(expected),
            "{key}= hardens the service"
        );
    }
    assert!(
        unit_values(&unit, "Service", "SystemCallFilter")
            .iter()
            .any(|f| f == "@system-service"),
        "SystemCallFilter=@system-service"
    );
    assert!(
        unit_values(&unit, "Service", "ExecStart")
            .iter()
            .all(|e| e.starts_with("/usr/local/bin/novera ")),
        "ExecStart= runs the installed binary"
    );
}
