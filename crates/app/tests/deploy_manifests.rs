//! The deploy files under `deploy/` agree with the `novera` binary they run.
//!
//! Every supervisor file is parsed for real (Kubernetes and compose YAML with every document of a
//! file, the systemd unit as INI, the Dockerfile instruction by instruction) and checked against
//! the operator contract in docs/operations.md:
//! - probes hit `/healthz` (liveness, startup, Docker `HEALTHCHECK`) and `/readyz` (readiness) on
//!   the port the health server listens on (`NOVERA_HEALTH__LISTEN`), the container port and the
//!   Service port; and those paths answer as liveness and readiness on the real health router;
//! - supervisors give a stop more time than `shutdown.drain_timeout + shutdown.close_timeout`,
//!   never restart exit code 78, and cannot crash-loop through Discord's identify budget;
//! - sessions live on persistent storage, the token arrives as a file and never appears inline;
//! - each deployment's command line, configuration file and environment pass
//!   `novera check-config` (which rejects unknown `NOVERA_*` keys with exit code 78).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use novera_core::StatusRegistry;
use novera_health::HealthState;
use tower::ServiceExt;

use deploy::compose::{compose_env, compose_mounts, compose_service};
use deploy::docker::{dockerfile_env, dockerfile_final_stage, exec_form};
use deploy::kubernetes::{
    container_env, kubernetes_config_toml, kubernetes_objects, novera_container, only,
};
use deploy::systemd::{main_unit, unit_environment, unit_value};
use deploy::{
    HEALTH_PORT, METRICS_PATH, SESSION_PATH, at, deploy_dir, example_config, probe_url, read,
    repo_root, scalar, seq_at, str_at,
};

mod deploy;

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/// Whether `text` holds something shaped like a Discord bot token (three base64url parts).
fn contains_token_shape(text: &str) -> bool {
    let is_part = |s: &str, min: usize| {
        s.len() >= min
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .any(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 3
                && is_part(parts[0], 23)
                && is_part(parts[1], 6)
                && is_part(parts[2], 27)
        })
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
    {
        let path = entry.expect("a readable directory entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

const INLINE_TOKEN_VARIABLES: [&str; 2] = ["NOVERA_TOKEN", "DISCORD_TOKEN"];

#[test]
fn token_shape_detector_finds_tokens() {
    let fake = format!("{}.{}.{}", "M".repeat(24), "G".repeat(6), "x".repeat(27));
    assert!(contains_token_shape(&format!("NOVERA_TOKEN={fake}\n")));
    assert!(contains_token_shape(&format!("token: \"{fake}\"")));
    assert!(!contains_token_shape("NOVERA_TOKEN_FILE=%d/discord-token"));
    assert!(!contains_token_shape(
        "image: novera:1.2.3 http://127.0.0.1:8686/healthz"
    ));
}

#[test]
fn no_deploy_file_contains_a_token() {
    let mut files = Vec::new();
    files_under(&deploy_dir(), &mut files);
    files.push(repo_root().join("docs/operations.md"));
    for file in &files {
        let Ok(text) = fs::read_to_string(file) else {
            continue; // not text
        };
        assert!(
            !contains_token_shape(&text),
            "{} contains something shaped like a bot token",
            file.display()
        );
    }

    // Structurally: no supervisor sets the token variables themselves, only *_FILE.
    let unit_env = unit_environment(&main_unit());
    let docker_env = dockerfile_env(&dockerfile_final_stage());
    let compose = compose_service();
    let compose_env = compose_env(at(&compose, "services.novera").expect("the novera service"));
    for (what, env) in [
        ("the systemd unit", &unit_env),
        ("the Dockerfile", &docker_env),
        ("compose.yaml", &compose_env),
    ] {
        for variable in INLINE_TOKEN_VARIABLES {
            assert!(
                !env.contains_key(variable),
                "{what} sets {variable} inline; use NOVERA_TOKEN_FILE"
            );
        }
    }
    let dockerfile = read(&deploy_dir().join("docker/Dockerfile"));
    assert!(
        !dockerfile
            .lines()
            .any(|l| l.trim_start().starts_with("ARG") && l.contains("TOKEN")),
        "a build argument would bake the token into the image history"
    );

    let objects = kubernetes_objects();
    for secret in objects.get("Secret").map_or(&[][..], Vec::as_slice) {
        assert!(
            at(secret, "data").is_none() && at(secret, "stringData").is_none(),
            "a Secret with data is committed in deploy/kubernetes"
        );
    }
    let container = novera_container(only(&objects, "StatefulSet"));
    for variable in INLINE_TOKEN_VARIABLES {
        let inline = seq_at(container, "env")
            .iter()
            .any(|e| str_at(e, "name") == Some(variable) && at(e, "value").is_some());
        assert!(!inline, "the StatefulSet sets {variable} inline");
    }
}

// ---------------------------------------------------------------------------------------------
// The probes against the real health router
// ---------------------------------------------------------------------------------------------

/// What each deploy file probes: (who, path, is it a liveness probe).
fn every_probe() -> Vec<(String, String, bool)> {
    let mut probes = Vec::new();
    let objects = kubernetes_objects();
    let container = novera_container(only(&objects, "StatefulSet"));
    for (probe, liveness) in [
        ("livenessProbe", true),
        ("startupProbe", true),
        ("readinessProbe", false),
    ] {
        let path = str_at(container, &format!("{probe}.httpGet.path"))
            .unwrap_or_else(|| panic!("{probe} has an httpGet path"));
        probes.push((format!("Kubernetes {probe}"), path.to_owned(), liveness));
    }
    let stage = dockerfile_final_stage();
    let (_, healthcheck) = stage
        .iter()
        .find(|(k, _)| k == "HEALTHCHECK")
        .expect("a HEALTHCHECK");
    probes.push((
        "Dockerfile HEALTHCHECK".to_owned(),
        probe_url(healthcheck).path,
        true,
    ));
    let compose = compose_service();
    let test = at(&compose, "services.novera.healthcheck.test").expect("a compose healthcheck");
    let command = test
        .as_sequence()
        .map(|w| w.iter().filter_map(scalar).collect::<Vec<_>>().join(" "))
        .or_else(|| scalar(test))
        .expect("a healthcheck command");
    probes.push((
        "compose healthcheck".to_owned(),
        probe_url(&command).path,
        true,
    ));
    probes
}

async fn get(state: &HealthState, path: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::get(path)
        .body(Body::empty())
        .expect("a valid request");
    let response = novera_health::router(state.clone())
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, json)
}

#[tokio::test]
async fn every_probe_hits_the_health_routers_liveness_or_readiness() {
    let registry = StatusRegistry::new();
    registry.tick();
    let shard = registry.register("shard-0");
    let state = HealthState::builder(registry).build();

    for (who, path, liveness) in every_probe() {
        let (status, body) = get(&state, &path).await;
        assert_ne!(
            status,
            StatusCode::NOT_FOUND,
            "{who} probes {path}: no such route"
        );
        let kind = body.get("status").and_then(serde_json::Value::as_str);
        if liveness {
            // Liveness answers 200 while the runtime ticks, whatever Discord does.
            assert_eq!(
                (status, kind),
                (StatusCode::OK, Some("alive")),
                "{who} probes {path}, which is not the liveness endpoint"
            );
        } else {
            // Readiness follows the shards: not ready, then ready.
            assert_eq!(
                (status, kind),
                (StatusCode::SERVICE_UNAVAILABLE, Some("not_ready")),
                "{who} probes {path}, which is not the readiness endpoint"
            );
        }
    }
    shard.ready();
    for (who, path, liveness) in every_probe() {
        if !liveness {
            let (status, body) = get(&state, &path).await;
            assert_eq!(
                (
                    status,
                    body.get("status").and_then(serde_json::Value::as_str)
                ),
                (StatusCode::OK, Some("ready")),
                "{who} probes {path}: not ready once every component is"
            );
        }
    }

    let (status, _) = get(&state, METRICS_PATH).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the Service's scrape path serves metrics"
    );
}

// ---------------------------------------------------------------------------------------------
// Each deployment's command line, configuration and environment pass `novera check-config`
// ---------------------------------------------------------------------------------------------

/// One deployment as `novera` would see it.
struct Launch {
    who: &'static str,
    /// The arguments after the program name, `run` included.
    args: Vec<String>,
    /// The configuration file's content, when the deployment has one.
    config: Option<(String, String)>,
    env: BTreeMap<String, String>,
    /// The health listen address the deployment expects.
    listen: String,
}

fn launches() -> Vec<Launch> {
    let mut launches = Vec::new();

    // systemd: ExecStart, Environment=, and deploy/novera.toml installed as /etc/novera/novera.toml.
    let unit = main_unit();
    let exec = unit_value(&unit, "Service", "ExecStart").expect("ExecStart=");
    let mut words = exec.split_whitespace();
    words.next(); // the program
    let args: Vec<String> = words.map(str::to_owned).collect();
    let config_path = args
        .iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .expect("ExecStart= passes --config");
    launches.push(Launch {
        who: "systemd unit",
        args,
        config: Some((config_path, example_config())),
        env: unit_environment(&unit),
        listen: format!("127.0.0.1:{HEALTH_PORT}"),
    });

    // Docker image on its own: ENTRYPOINT + CMD and ENV.
    let stage = dockerfile_final_stage();
    let last = |keyword: &str| {
        stage
            .iter()
            .rev()
            .find(|(k, _)| k == keyword)
            .map(|(_, a)| exec_form(a))
            .unwrap_or_default()
    };
    let mut docker_args = last("ENTRYPOINT");
    docker_args.extend(last("CMD"));
    assert_eq!(
        docker_args.first().map(String::as_str),
        Some("/usr/local/bin/novera"),
        "the image's entrypoint is novera"
    );
    let docker_env = dockerfile_env(&stage);
    launches.push(Launch {
        who: "Docker image",
        args: docker_args[1..].to_vec(),
        config: None,
        listen: docker_env["NOVERA_HEALTH__LISTEN"].clone(),
        env: docker_env,
    });

    // compose: the image's ENV, then the service's environment and mounted novera.toml.
    let compose = compose_service();
    let service = at(&compose, "services.novera").expect("the novera service");
    let mut env = dockerfile_env(&stage);
    env.extend(compose_env(service));
    let config_path = env["NOVERA_CONFIG"].clone();
    let (source, _) = compose_mounts(service)
        .into_iter()
        .find(|(_, target)| *target == config_path)
        .expect("novera.toml is mounted");
    let args = seq_at(service, "command")
        .iter()
        .filter_map(scalar)
        .collect();
    launches.push(Launch {
        who: "compose service",
        args,
        config: Some((config_path, read(&deploy_dir().join(source)))),
        listen: env["NOVERA_HEALTH__LISTEN"].clone(),
        env,
    });

    // Kubernetes: the image's ENV, then the container's env and the ConfigMap.
    let objects = kubernetes_objects();
    let container = novera_container(only(&objects, "StatefulSet"));
    let mut env = dockerfile_env(&stage);
    env.extend(container_env(container));
    let args = seq_at(container, "args")
        .iter()
        .filter_map(scalar)
        .collect();
    launches.push(Launch {
        who: "Kubernetes StatefulSet",
        args,
        config: Some((
            env["NOVERA_CONFIG"].clone(),
            kubernetes_config_toml(&objects),
        )),
        listen: env["NOVERA_HEALTH__LISTEN"].clone(),
        env,
    });
    launches
}

#[test]
fn every_deployment_passes_check_config() {
    let token = format!("{}.{}.{}", "N".repeat(24), "Dp1oyZ", "q".repeat(27));
    for launch in launches() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let token_path = dir.path().join("discord-token");
        fs::write(&token_path, format!("{token}\n")).expect("write the token file");

        // Deployment paths (/etc/novera/novera.toml, %d/discord-token) mapped into the temp dir.
        let mut config_mapping = None;
        if let Some((path, content)) = &launch.config {
            let local = dir.path().join("novera.toml");
            fs::write(&local, content).expect("write novera.toml");
            config_mapping = Some((path.clone(), local.display().to_string()));
        }
        let localize = |value: &str| -> String {
            match &config_mapping {
                Some((path, local)) if value == path => local.clone(),
                _ => value.to_owned(),
            }
        };
        let mut env: BTreeMap<String, String> = launch
            .env
            .iter()
            .map(|(k, v)| (k.clone(), localize(v)))
            .collect();
        env.insert(
            "NOVERA_TOKEN_FILE".to_owned(),
            token_path.display().to_string(),
        );

        let run_at = launch
            .args
            .iter()
            .position(|a| a == "run")
            .unwrap_or_else(|| panic!("{}: the command line runs `novera run`", launch.who));
        let mut args: Vec<String> = launch.args.iter().map(|a| localize(a)).collect();
        args[run_at] = "check-config".to_owned();

        let output = Command::new(env!("CARGO_BIN_EXE_novera"))
            .args(&args)
            .env_clear()
            .envs(&env)
            .current_dir(dir.path())
            .output()
            .expect("novera starts");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{}: `novera {}` failed ({}): {stderr}",
            launch.who,
            args.join(" "),
            output.status
        );
        assert!(
            stdout.contains(&format!("listen = \"{}\"", launch.listen)),
            "{}: health.listen is not {}:\n{stdout}",
            launch.who,
            launch.listen
        );
        assert!(
            stdout.contains(&format!("path = \"{SESSION_PATH}\"")),
            "{}: session.path is not {SESSION_PATH}:\n{stdout}",
            launch.who
        );
        assert!(
            !stdout.contains(&token) && !stderr.contains(&token),
            "{}: check-config printed the token",
            launch.who
        );
        assert!(
            stdout.contains("token = "),
            "{}: the token from NOVERA_TOKEN_FILE was not picked up:\n{stdout}",
            launch.who
        );
    }
}
