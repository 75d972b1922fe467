//! deploy/kubernetes: every YAML document by kind; probes, ports, volumes, security, Service.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_norway::Value;

use super::{
    HEALTH_PORT, LIVENESS_PATH, METRICS_PATH, READINESS_PATH, SESSION_PATH, at, deploy_dir,
    example_config, listen_port, scalar, seq_at, stop_budget, str_at, yaml_documents,
};

/// Every object in deploy/kubernetes/*.yaml, by `kind`.
pub(crate) fn kubernetes_objects() -> BTreeMap<String, Vec<Value>> {
    let dir = deploy_dir().join("kubernetes");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML in {}", dir.display());
    let mut objects: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for file in files {
        for doc in yaml_documents(&file) {
            let kind = str_at(&doc, "kind")
                .unwrap_or_else(|| panic!("{}: a document without kind", file.display()))
                .to_owned();
            objects.entry(kind).or_default().push(doc);
        }
    }
    objects
}

pub(crate) fn only<'a>(objects: &'a BTreeMap<String, Vec<Value>>, kind: &str) -> &'a Value {
    match objects.get(kind).map(Vec::as_slice) {
        Some([one]) => one,
        other => panic!(
            "expected exactly one {kind}, found {}",
            other.map_or(0, <[Value]>::len)
        ),
    }
}

pub(crate) fn novera_container(statefulset: &Value) -> &Value {
    seq_at(statefulset, "spec.template.spec.containers")
        .iter()
        .find(|c| str_at(c, "name") == Some("novera"))
        .expect("the StatefulSet has a container named novera")
}

/// A container's `env` entries with a literal `value`.
pub(crate) fn container_env(container: &Value) -> BTreeMap<String, String> {
    seq_at(container, "env")
        .iter()
        .filter_map(|e| {
            let name = str_at(e, "name")?.to_owned();
            let value = at(e, "value").and_then(scalar)?;
            Some((name, value))
        })
        .collect()
}

/// A probe's or Service's port (a number or a container port name) as a number.
fn resolve_port(container: &Value, port: &Value) -> u16 {
    if let Some(number) = port.as_u64() {
        return u16::try_from(number).expect("a port fits in u16");
    }
    let name = port.as_str().expect("a port is a number or a name");
    seq_at(container, "ports")
        .iter()
        .find(|p| str_at(p, "name") == Some(name))
        .and_then(|p| at(p, "containerPort"))
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or_else(|| panic!("no container port named {name:?}"))
}

/// Where a named volume is mounted in the container.
fn mount_path<'a>(container: &'a Value, volume: &str) -> Option<&'a str> {
    seq_at(container, "volumeMounts")
        .iter()
        .find(|m| str_at(m, "name") == Some(volume))
        .and_then(|m| str_at(m, "mountPath"))
}

/// The `ConfigMap`'s `novera.toml` (a key with a dot, so not through [`at`]).
pub(crate) fn kubernetes_config_toml(objects: &BTreeMap<String, Vec<Value>>) -> String {
    at(only(objects, "ConfigMap"), "data")
        .and_then(|data| data.get("novera.toml"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .expect("the ConfigMap holds novera.toml")
}

#[test]
fn kubernetes_probes_use_the_health_endpoints_on_the_health_port() {
    let objects = kubernetes_objects();
    let container = novera_container(only(&objects, "StatefulSet"));
    let env = container_env(container);

    let listen = env
        .get("NOVERA_HEALTH__LISTEN")
        .expect("the container sets NOVERA_HEALTH__LISTEN");
    assert!(
        listen.starts_with("0.0.0.0:"),
        "the kubelet probes the pod IP, so health must listen on all interfaces, not {listen}"
    );
    let port = listen_port(listen);
    assert_eq!(port, HEALTH_PORT, "the health port changed");

    let health_port = seq_at(container, "ports")
        .iter()
        .find(|p| str_at(p, "name") == Some("health"))
        .expect("a container port named health");
    assert_eq!(
        at(health_port, "containerPort").and_then(Value::as_u64),
        Some(u64::from(port)),
        "containerPort health must be the NOVERA_HEALTH__LISTEN port"
    );

    for (probe, path) in [
        ("livenessProbe", LIVENESS_PATH),
        ("startupProbe", LIVENESS_PATH),
        ("readinessProbe", READINESS_PATH),
    ] {
        let get = at(container, &format!("{probe}.httpGet"))
            .unwrap_or_else(|| panic!("{probe} must be an httpGet probe"));
        assert_eq!(str_at(get, "path"), Some(path), "{probe} path");
        let probe_port = at(get, "port").unwrap_or_else(|| panic!("{probe} names no port"));
        assert_eq!(
            resolve_port(container, probe_port),
            port,
            "{probe} must probe the health port"
        );
        assert!(
            str_at(get, "scheme").is_none_or(|s| s == "HTTP"),
            "{probe}: the health server speaks plain HTTP"
        );
    }
    // The liveness probe must not kill a pod that is merely slow to become ready.
    let liveness_failures = at(container, "livenessProbe.failureThreshold")
        .and_then(Value::as_u64)
        .unwrap_or(3);
    assert!(
        liveness_failures >= 2,
        "one failed liveness probe must not restart"
    );
}

#[test]
fn kubernetes_statefulset_persists_sessions_and_reads_the_token_from_a_secret_file() {
    let objects = kubernetes_objects();
    let statefulset = only(&objects, "StatefulSet");
    assert_eq!(
        at(statefulset, "spec.replicas").and_then(Value::as_u64),
        Some(1),
        "exactly one process may own the shards of a token"
    );
    let container = novera_container(statefulset);
    let env = container_env(container);

    // Sessions: on a volumeClaimTemplate, so they outlive the pod.
    let session = env
        .get("NOVERA_SESSION__PATH")
        .expect("the container sets NOVERA_SESSION__PATH");
    assert_eq!(session, SESSION_PATH);
    let claim = seq_at(statefulset, "spec.volumeClaimTemplates")
        .iter()
        .filter_map(|c| str_at(c, "metadata.name"))
        .find(|name| {
            mount_path(container, name).is_some_and(|m| Path::new(session).starts_with(m))
        });
    assert!(
        claim.is_some(),
        "{session} must be on a volume from volumeClaimTemplates"
    );

    // Token: a file from a Secret volume.
    let token_file = env
        .get("NOVERA_TOKEN_FILE")
        .expect("the container sets NOVERA_TOKEN_FILE");
    let volumes = seq_at(statefulset, "spec.template.spec.volumes");
    let secret_volume = volumes
        .iter()
        .filter(|v| at(v, "secret.secretName").is_some())
        .filter_map(|v| str_at(v, "name"))
        .find(|name| {
            mount_path(container, name).is_some_and(|m| Path::new(token_file).starts_with(m))
        });
    assert!(
        secret_volume.is_some(),
        "NOVERA_TOKEN_FILE ({token_file}) must be inside a mounted Secret volume"
    );

    // The configuration file is the ConfigMap.
    let config = env
        .get("NOVERA_CONFIG")
        .expect("the container sets NOVERA_CONFIG");
    let config_volume = volumes
        .iter()
        .filter(|v| {
            str_at(v, "configMap.name") == str_at(only(&objects, "ConfigMap"), "metadata.name")
        })
        .filter_map(|v| str_at(v, "name"))
        .find(|name| mount_path(container, name).is_some_and(|m| Path::new(config).starts_with(m)));
    assert!(
        config_volume.is_some(),
        "NOVERA_CONFIG ({config}) must be inside the mounted ConfigMap"
    );
}

#[test]
fn kubernetes_statefulset_stops_gracefully_and_runs_unprivileged() {
    let objects = kubernetes_objects();
    let statefulset = only(&objects, "StatefulSet");
    let pod = at(statefulset, "spec.template.spec").expect("a pod template");
    let container = novera_container(statefulset);

    let grace = at(pod, "terminationGracePeriodSeconds")
        .and_then(Value::as_u64)
        .map(Duration::from_secs)
        .expect("terminationGracePeriodSeconds is set");
    let budget = stop_budget(&kubernetes_config_toml(&objects));
    assert!(
        grace > budget,
        "terminationGracePeriodSeconds ({grace:?}) must exceed drain + close ({budget:?})"
    );

    // Service links would inject NOVERA_SERVICE_HOST, NOVERA_PORT, ... which novera reads as
    // (unknown) configuration keys and refuses with exit code 78.
    assert_eq!(
        at(pod, "enableServiceLinks").and_then(Value::as_bool),
        Some(false),
        "enableServiceLinks must be false"
    );

    let run_as_non_root = at(container, "securityContext.runAsNonRoot")
        .or_else(|| at(pod, "securityContext.runAsNonRoot"))
        .and_then(Value::as_bool);
    assert_eq!(run_as_non_root, Some(true), "runAsNonRoot");
    assert_eq!(
        at(container, "securityContext.readOnlyRootFilesystem").and_then(Value::as_bool),
        Some(true),
        "readOnlyRootFilesystem"
    );
    assert_eq!(
        at(container, "securityContext.allowPrivilegeEscalation").and_then(Value::as_bool),
        Some(false),
        "allowPrivilegeEscalation"
    );
}

#[test]
fn kubernetes_service_exposes_the_health_port_of_the_pods() {
    let objects = kubernetes_objects();
    let statefulset = only(&objects, "StatefulSet");
    let service = only(&objects, "Service");
    let container = novera_container(statefulset);

    assert_eq!(
        str_at(statefulset, "spec.serviceName"),
        str_at(service, "metadata.name"),
        "the StatefulSet's serviceName is the Service"
    );
    let pod_labels = at(statefulset, "spec.template.metadata.labels")
        .and_then(Value::as_mapping)
        .expect("pod labels");
    let selector = at(service, "spec.selector")
        .and_then(Value::as_mapping)
        .expect("a Service selector");
    for (key, value) in selector {
        assert_eq!(
            pod_labels.get(key),
            Some(value),
            "the Service selects {key:?}={value:?}, which the pods do not carry"
        );
    }
    let ports = seq_at(service, "spec.ports");
    assert!(!ports.is_empty(), "the Service exposes a port");
    for port in ports {
        let target = at(port, "targetPort")
            .or_else(|| at(port, "port"))
            .expect("a Service port");
        assert_eq!(
            resolve_port(container, target),
            HEALTH_PORT,
            "the Service must reach the health (and /metrics) port"
        );
    }
    // Scrape annotations, where present, point at /metrics on the health port.
    for object in [
        service,
        at(statefulset, "spec.template").expect("a template"),
    ] {
        let annotations = at(object, "metadata.annotations");
        if let Some(path) = annotations
            .and_then(|a| a.get("prometheus.io/path"))
            .and_then(Value::as_str)
        {
            assert_eq!(path, METRICS_PATH);
        }
        if let Some(port) = annotations
            .and_then(|a| a.get("prometheus.io/port"))
            .and_then(Value::as_str)
        {
            assert_eq!(port.parse::<u16>().ok(), Some(HEALTH_PORT));
        }
    }
}

#[test]
fn kubernetes_configmap_says_what_the_example_config_says() {
    let objects = kubernetes_objects();
    let in_cluster: toml::Table = kubernetes_config_toml(&objects)
        .parse()
        .expect("the ConfigMap's novera.toml parses");
    let example: toml::Table = example_config().parse().expect("deploy/novera.toml parses");
    assert_eq!(
        in_cluster, example,
        "deploy/kubernetes/configmap.yaml and deploy/novera.toml drifted apart"
    );
}
