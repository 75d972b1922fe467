//! deploy/cluster: NATS, gateways and workers. Each novera service passes `novera check-config`
//! for its role, the gateway StatefulSet's pods split `shards.count` exactly, probes hit the
//! health endpoints, and NATS keeps JetStream on a volume.

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use serde_norway::Value;

use super::docker::{dockerfile_env, dockerfile_final_stage};
use super::kubernetes::container_env;
use super::{HEALTH_PORT, at, deploy_dir, read, scalar, seq_at, str_at, yaml_documents};

/// One novera service of the cluster examples.
struct Service {
    who: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
}

fn compose_services() -> (Value, Vec<Service>) {
    let docs = yaml_documents(&deploy_dir().join("cluster/compose.yaml"));
    let compose = docs.into_iter().next().expect("one document");
    let image_env = dockerfile_env(&dockerfile_final_stage());
    let mut services = Vec::new();
    for name in ["gateway", "worker"] {
        let service = at(&compose, &format!("services.{name}")).expect("the service");
        let mut env = image_env.clone();
        if let Some(Value::Mapping(map)) = at(service, "environment") {
            for (k, v) in map {
                env.insert(k.as_str().unwrap().to_owned(), scalar(v).unwrap());
            }
        }
        services.push(Service {
            who: format!("compose {name}"),
            args: seq_at(service, "command")
                .iter()
                .filter_map(scalar)
                .collect(),
            env,
        });
    }
    (compose, services)
}

fn kubernetes(file: &str) -> Vec<Value> {
    yaml_documents(&deploy_dir().join("cluster/kubernetes").join(file))
}

fn workload<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| str_at(d, "kind") == Some(kind))
        .unwrap_or_else(|| panic!("a {kind}"))
}

fn container(workload: &Value) -> &Value {
    seq_at(workload, "spec.template.spec.containers")
        .first()
        .expect("a container")
}

/// The container's env, a downward-API pod index read as pod 1.
fn pod_env(container: &Value) -> BTreeMap<String, String> {
    let mut env = container_env(container);
    for entry in seq_at(container, "env") {
        if str_at(entry, "valueFrom.fieldRef.fieldPath")
            .is_some_and(|p| p.contains("apps.kubernetes.io/pod-index"))
        {
            env.insert(str_at(entry, "name").unwrap().to_owned(), "1".to_owned());
        }
    }
    env
}

fn kubernetes_services() -> Vec<Service> {
    let image_env = dockerfile_env(&dockerfile_final_stage());
    let mut services = Vec::new();
    for (file, kind) in [
        ("gateway.yaml", "StatefulSet"),
        ("worker.yaml", "Deployment"),
    ] {
        let docs = kubernetes(file);
        let container = container(workload(&docs, kind));
        let mut env = image_env.clone();
        env.extend(pod_env(container));
        services.push(Service {
            who: format!("Kubernetes {file}"),
            args: seq_at(container, "args")
                .iter()
                .filter_map(scalar)
                .collect(),
            env,
        });
    }
    services
}

#[test]
fn every_cluster_service_passes_check_config_for_its_role() {
    let token = format!("{}.{}.{}", "N".repeat(24), "Dp1oyZ", "q".repeat(27));
    let (_, compose) = compose_services();
    for service in compose.into_iter().chain(kubernetes_services()) {
        let role = service.args.first().cloned().unwrap_or_default();
        assert!(
            role == "gateway" || role == "worker",
            "{}: runs a cluster role: {:?}",
            service.who,
            service.args
        );
        let dir = tempfile::tempdir().unwrap();
        let token_path = dir.path().join("discord-token");
        fs::write(&token_path, &token).unwrap();
        let config = dir.path().join("novera.toml");
        fs::write(&config, read(&deploy_dir().join("novera.toml"))).unwrap();
        let mut env = service.env.clone();
        env.insert(
            "NOVERA_TOKEN_FILE".to_owned(),
            token_path.display().to_string(),
        );
        env.insert("NOVERA_CONFIG".to_owned(), config.display().to_string());
        let output = Command::new(env!("CARGO_BIN_EXE_novera"))
            .arg("check-config")
            .env_clear()
            .envs(&env)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}: {}",
            service.who,
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("nats_url = \"nats://nats:4222\""),
            "{}: points at the NATS service:\n{stdout}",
            service.who
        );
    }
}

#[test]
fn gateway_pods_split_the_shards_and_probes_use_the_health_endpoints() {
    let docs = kubernetes("gateway.yaml");
    let gateways = workload(&docs, "StatefulSet");
    let env = pod_env(container(gateways));
    let replicas: u32 = scalar(at(gateways, "spec.replicas").unwrap())
        .unwrap()
        .parse()
        .unwrap();
    let count: u32 = env["NOVERA_SHARDS__COUNT"].parse().unwrap();
    let per: u32 = env["NOVERA_SHARDS__PER_PROCESS"].parse().unwrap();
    assert_eq!(replicas * per, count, "every shard has exactly one pod");

    for (file, kind) in [
        ("gateway.yaml", "StatefulSet"),
        ("worker.yaml", "Deployment"),
    ] {
        let docs = kubernetes(file);
        let container = container(workload(&docs, kind));
        let port = seq_at(container, "ports")
            .iter()
            .find(|p| str_at(p, "name") == Some("health"))
            .and_then(|p| scalar(at(p, "containerPort")?))
            .unwrap();
        assert_eq!(port, HEALTH_PORT.to_string(), "{file}");
        assert_eq!(
            str_at(container, "livenessProbe.httpGet.path"),
            Some("/healthz"),
            "{file}"
        );
        assert_eq!(
            str_at(container, "readinessProbe.httpGet.path"),
            Some("/readyz"),
            "{file}"
        );
    }
}

#[test]
fn nats_keeps_jetstream_on_a_volume() {
    let (compose, _) = compose_services();
    let nats = at(&compose, "services.nats").expect("a nats service");
    let args: Vec<String> = seq_at(nats, "command").iter().filter_map(scalar).collect();
    assert!(args.contains(&"-js".to_owned()), "{args:?}");
    let store = args
        .iter()
        .position(|a| a == "-sd")
        .and_then(|i| args.get(i + 1))
        .expect("a store directory");
    assert!(
        seq_at(nats, "volumes")
            .iter()
            .filter_map(Value::as_str)
            .any(|v| v.ends_with(&format!(":{store}"))),
        "the store is a volume"
    );

    let docs = kubernetes("nats.yaml");
    let statefulset = workload(&docs, "StatefulSet");
    let args: Vec<String> = seq_at(container(statefulset), "args")
        .iter()
        .filter_map(scalar)
        .collect();
    assert!(args.contains(&"-js".to_owned()), "{args:?}");
    assert!(
        !seq_at(statefulset, "spec.volumeClaimTemplates").is_empty(),
        "JetStream on a persistent volume"
    );
}
