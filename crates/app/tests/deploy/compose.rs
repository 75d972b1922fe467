//! deploy/compose.yaml: healthcheck, restart policy, stop grace, volumes and the token secret.

use std::collections::BTreeMap;
use std::path::Path;

use serde_norway::Value;

use super::{
    HEALTH_PORT, LIVENESS_PATH, ProbeUrl, SESSION_PATH, at, deploy_dir, duration, listen_port,
    probe_url, read, scalar, seq_at, stop_budget, str_at, yaml_documents,
};

pub(crate) fn compose_service() -> Value {
    let docs = yaml_documents(&deploy_dir().join("compose.yaml"));
    let [compose] = docs.as_slice() else {
        panic!("compose.yaml holds one document");
    };
    compose.clone()
}

/// A compose `environment` as a map (it may be a map or a list of `KEY=VALUE`).
pub(crate) fn compose_env(service: &Value) -> BTreeMap<String, String> {
    match at(service, "environment") {
        Some(Value::Mapping(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), scalar(v)?)))
            .collect(),
        Some(Value::Sequence(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Bind mounts and volumes of a compose service as (source, target).
pub(crate) fn compose_mounts(service: &Value) -> Vec<(String, String)> {
    seq_at(service, "volumes")
        .iter()
        .filter_map(|v| match v {
            Value::String(short) => {
                let mut parts = short.split(':');
                Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
            }
            long => Some((
                str_at(long, "source")?.to_owned(),
                str_at(long, "target")?.to_owned(),
            )),
        })
        .collect()
}

#[test]
fn compose_healthcheck_restart_and_token_follow_the_contract() {
    let compose = compose_service();
    let service = at(&compose, "services.novera").expect("a service named novera");
    let env = compose_env(service);

    let listen = env
        .get("NOVERA_HEALTH__LISTEN")
        .expect("the service sets NOVERA_HEALTH__LISTEN");
    let port = listen_port(listen);
    assert_eq!(port, HEALTH_PORT, "the health port changed");
    assert!(listen.starts_with("0.0.0.0:"), "listen beyond loopback");

    let test = at(service, "healthcheck.test").expect("a healthcheck");
    let command = match test {
        Value::Sequence(words) => words
            .iter()
            .filter_map(scalar)
            .collect::<Vec<_>>()
            .join(" "),
        other => scalar(other).expect("a healthcheck command"),
    };
    assert!(!command.starts_with("NONE"), "the healthcheck is disabled");
    assert_eq!(
        probe_url(&command),
        ProbeUrl {
            host: "127.0.0.1".to_owned(),
            port,
            path: LIVENESS_PATH.to_owned(),
        },
        "the compose healthcheck must GET /healthz on the health port"
    );

    // Published ports end at the health port.
    for mapping in seq_at(service, "ports").iter().filter_map(scalar) {
        let container_port = mapping.rsplit(':').next().unwrap_or_default();
        assert_eq!(
            container_port.trim_end_matches("/tcp"),
            port.to_string(),
            "port mapping {mapping:?} must target the health port"
        );
    }

    // Restarts: on failure, capped (Docker cannot exempt exit code 78).
    let restart = str_at(service, "restart").expect("a restart policy");
    let retries: u32 = restart
        .strip_prefix("on-failure:")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("restart must be on-failure:<max retries>, not {restart:?}"));
    assert!(
        (1..=10).contains(&retries),
        "restart retries {retries} must be small: each may cost an IDENTIFY per shard"
    );

    // Stopping gives the drain time.
    let grace = str_at(service, "stop_grace_period")
        .map(duration)
        .expect("stop_grace_period is set (Docker's default is 10 s)");
    let config_path = env.get("NOVERA_CONFIG").expect("NOVERA_CONFIG is set");
    let (source, _) = compose_mounts(service)
        .into_iter()
        .find(|(_, target)| target == config_path)
        .expect("novera.toml is mounted at NOVERA_CONFIG");
    let budget = stop_budget(&read(&deploy_dir().join(source)));
    assert!(
        grace > budget,
        "stop_grace_period ({grace:?}) must exceed drain + close ({budget:?})"
    );

    // Sessions on a volume, token from a secret file.
    let session = env
        .get("NOVERA_SESSION__PATH")
        .expect("NOVERA_SESSION__PATH is set");
    assert_eq!(session, SESSION_PATH);
    assert!(
        compose_mounts(service)
            .iter()
            .any(|(_, target)| Path::new(session).starts_with(target)),
        "{session} must be on a volume"
    );
    let token_file = env
        .get("NOVERA_TOKEN_FILE")
        .expect("NOVERA_TOKEN_FILE is set");
    let secret = token_file
        .strip_prefix("/run/secrets/")
        .unwrap_or_else(|| panic!("NOVERA_TOKEN_FILE ({token_file}) must be a compose secret"));
    assert!(
        seq_at(service, "secrets")
            .iter()
            .any(|s| s.as_str() == Some(secret) || str_at(s, "source") == Some(secret)),
        "the service must mount the secret {secret}"
    );
    assert!(
        at(&compose, &format!("secrets.{secret}.file")).is_some(),
        "the secret {secret} comes from a file"
    );
}
