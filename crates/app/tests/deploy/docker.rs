//! deploy/docker/Dockerfile: the runtime stage's ENV, HEALTHCHECK, EXPOSE, VOLUME and USER.

use std::collections::BTreeMap;
use std::path::Path;

use super::{
    HEALTH_PORT, LIVENESS_PATH, ProbeUrl, SESSION_PATH, deploy_dir, listen_port, probe_url, read,
};

/// Instructions (`KEYWORD`, arguments) of the last stage of a Dockerfile.
pub(crate) fn dockerfile_final_stage() -> Vec<(String, String)> {
    let text = read(&deploy_dir().join("docker/Dockerfile"));
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        if let Some(part) = trimmed.strip_suffix('\\') {
            current.push_str(part);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, args) = current
            .split_once(char::is_whitespace)
            .unwrap_or((&current, ""));
        instructions.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    let last_from = instructions
        .iter()
        .rposition(|(k, _)| k == "FROM")
        .expect("the Dockerfile has a FROM");
    assert!(
        instructions[..last_from].iter().any(|(k, _)| k == "FROM"),
        "the Dockerfile is multi-stage (a builder and a runtime stage)"
    );
    instructions.split_off(last_from)
}

/// `ENV A=1 B=2` (and the legacy `ENV A 1`) of a stage.
pub(crate) fn dockerfile_env(stage: &[(String, String)]) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for (_, args) in stage.iter().filter(|(k, _)| k == "ENV") {
        if args.contains('=') {
            for pair in args.split_whitespace() {
                let (key, value) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("ENV {args:?}: {pair:?} is not KEY=VALUE"));
                env.insert(key.to_owned(), value.trim_matches('"').to_owned());
            }
        } else if let Some((key, value)) = args.split_once(char::is_whitespace) {
            env.insert(key.to_owned(), value.trim().to_owned());
        }
    }
    env
}

/// A JSON-array (exec form) instruction argument as words.
pub(crate) fn exec_form(args: &str) -> Vec<String> {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("{args:?} is not exec form: {e}"))
}

#[test]
fn dockerfile_healthcheck_probes_healthz_on_the_health_port() {
    let stage = dockerfile_final_stage();
    let env = dockerfile_env(&stage);
    let listen = env
        .get("NOVERA_HEALTH__LISTEN")
        .expect("the image sets NOVERA_HEALTH__LISTEN");
    assert!(
        listen.starts_with("0.0.0.0:"),
        "in a container health must listen beyond loopback, not {listen}"
    );
    let port = listen_port(listen);
    assert_eq!(port, HEALTH_PORT, "the health port changed");
    assert_eq!(
        env.get("NOVERA_SESSION__PATH").map(String::as_str),
        Some(SESSION_PATH)
    );

    let healthchecks: Vec<&String> = stage
        .iter()
        .filter(|(k, _)| k == "HEALTHCHECK")
        .map(|(_, a)| a)
        .collect();
    let [healthcheck] = healthchecks.as_slice() else {
        panic!("expected one HEALTHCHECK in the runtime stage, found {healthchecks:?}");
    };
    assert!(healthcheck.contains("CMD"), "HEALTHCHECK NONE disables it");
    let url = probe_url(healthcheck);
    assert_eq!(
        url,
        ProbeUrl {
            host: "127.0.0.1".to_owned(),
            port,
            path: LIVENESS_PATH.to_owned(),
        },
        "HEALTHCHECK must GET /healthz on the health port"
    );

    let exposed: Vec<&str> = stage
        .iter()
        .filter(|(k, _)| k == "EXPOSE")
        .flat_map(|(_, a)| a.split_whitespace())
        .map(|p| p.trim_end_matches("/tcp"))
        .collect();
    assert!(
        exposed.contains(&port.to_string().as_str()),
        "EXPOSE {port} (found {exposed:?})"
    );

    let volumes: Vec<&str> = stage
        .iter()
        .filter(|(k, _)| k == "VOLUME")
        .flat_map(|(_, a)| a.split_whitespace())
        .collect();
    let session_dir = Path::new(SESSION_PATH).parent().expect("a directory");
    assert!(
        volumes.iter().any(|v| Path::new(v) == session_dir),
        "VOLUME {} keeps the sessions (found {volumes:?})",
        session_dir.display()
    );

    let user = stage
        .iter()
        .rev()
        .find(|(k, _)| k == "USER")
        .map(|(_, a)| a.as_str())
        .expect("the runtime stage sets USER");
    let uid = user.split(':').next().unwrap_or_default();
    assert!(
        !matches!(uid, "" | "0" | "root"),
        "the image must run as a non-root user, not {user:?}"
    );
}
