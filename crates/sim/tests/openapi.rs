//! Conformance to Discord's REST API: every route the simulator serves, with its success and
//! error responses, sends the headers Discord sends (always checked), and its JSON bodies match
//! the response schemas of Discord's own `OpenAPI` file (`OpenAPI` 3.1, JSON Schema 2020-12).
//!
//! The file is not part of this repository. It is read from `NOVERA_OPENAPI_SPEC`, else from
//! `shared/data/discord-openapi.json` beside the repository. When it is at neither place the
//! schema test prints one line saying so and passes, unless `CI` is set: CI must validate.

mod common;
#[path = "openapi/harness.rs"]
mod harness;
#[path = "openapi/interactions.rs"]
mod interactions;
#[path = "openapi/scenario.rs"]
mod scenario;

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use common::{fast, start};
use harness::{Conformance, Spec, check_headers};

/// The variable naming the spec file.
const SPEC_VAR: &str = "NOVERA_OPENAPI_SPEC";

/// What the schema test does, decided from the environment.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// Validate against the file at this path.
    Validate(PathBuf),
    /// No spec and not in CI: print this line and pass.
    Skip(String),
    /// No spec in CI: fail with this message.
    Fail(String),
}

/// `shared/data/discord-openapi.json` in the folder that holds the repository (CI lays
/// `shared/` beside the clone).
fn sibling_spec() -> PathBuf {
    let repository_parent = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(3)
        .expect("crates/sim sits two levels below the repository root");
    repository_parent
        .join("shared")
        .join("data")
        .join("discord-openapi.json")
}

/// `CI` counts as set unless it is empty, `0` or `false`.
fn in_ci(ci: Option<&OsStr>) -> bool {
    ci.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The spec comes from `NOVERA_OPENAPI_SPEC` when it is set (a path that does not exist then
/// counts as no spec), else from the sibling path.
fn plan(
    env_spec: Option<&OsStr>,
    ci: Option<&OsStr>,
    sibling: &Path,
    exists: impl Fn(&Path) -> bool,
) -> Plan {
    let path = env_spec.map_or_else(|| sibling.to_path_buf(), PathBuf::from);
    if exists(&path) {
        return Plan::Validate(path);
    }
    let at = path.display();
    if in_ci(ci) {
        Plan::Fail(format!(
            "CI is set and there is no Discord OpenAPI spec at {at}: set {SPEC_VAR}=/path/to/discord-openapi.json"
        ))
    } else {
        Plan::Skip(format!(
            "openapi: skipped validating REST bodies against Discord's OpenAPI schemas (no spec at {at}); to run it, set {SPEC_VAR}=/path/to/discord-openapi.json"
        ))
    }
}

#[tokio::test]
async fn every_rest_route_conforms_to_discords_openapi() {
    let env_spec = std::env::var_os(SPEC_VAR);
    let ci = std::env::var_os("CI");
    let path = match plan(
        env_spec.as_deref(),
        ci.as_deref(),
        &sibling_spec(),
        Path::is_file,
    ) {
        Plan::Validate(path) => path,
        Plan::Fail(message) => panic!("{message}"),
        Plan::Skip(line) => {
            // Straight to stderr: the test harness captures `eprintln!` of a passing test.
            let _ = writeln!(std::io::stderr(), "{line}");
            return;
        }
    };
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let sim = start(fast().rest_bucket_limit(1000)).await;
    let c = scenario::every_route(Conformance::new(sim, Some(Spec::parse(&text)))).await;
    assert!(c.validated > 40, "only {} bodies validated", c.validated);
    let (sim, spec) = c.into_spec();
    sim.shutdown().await;
    scenario::rate_limits(spec).await;
}

/// Runs without the spec: the same scenario, checking headers only (Content-Type exactly when
/// there is a body, rate-limit headers per route, none on interaction callbacks).
#[tokio::test]
async fn every_served_route_sends_discords_headers() {
    let sim = start(fast().rest_bucket_limit(1000)).await;
    let c = scenario::every_route(Conformance::new(sim, None)).await;
    let (sim, _) = c.into_spec();
    sim.shutdown().await;
    scenario::rate_limits(None).await;
}

/// Paths outside the REST routes: the control API, unknown paths and wrong methods.
#[tokio::test]
async fn other_paths_send_content_type_only_with_a_body() {
    let sim = start(fast()).await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let base = sim.base_url();
    for (method, path, status) in [
        ("GET", "/_sim/state", 200),
        ("POST", "/_sim/reset", 200),
        ("DELETE", "/_sim/state", 405),
        ("GET", "/_sim/nothing", 404),
        ("GET", "/nothing", 404),
        ("GET", "/api/v10/nothing/here", 404),
        ("DELETE", "/api/v10/users/@me", 405),
    ] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let resp = http
            .request(m, format!("{base}{path}"))
            .header("Authorization", format!("Bot {}", common::TOKEN))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), status, "{method} {path}");
        let content_type = resp.headers().get("content-type").cloned();
        let text = resp.text().await.expect("body");
        if text.is_empty() {
            assert!(
                content_type.is_none(),
                "{method} {path}: empty body with {content_type:?}"
            );
        } else {
            assert_eq!(
                content_type.as_ref().and_then(|v| v.to_str().ok()),
                Some("application/json"),
                "{method} {path}"
            );
        }
    }
    sim.shutdown().await;
}

/// The rate-limit rules on a response's headers, on hand-made header sets (the scenario above
/// only shows that the simulator passes them).
#[test]
fn header_rules_reject_what_discord_does_not_send() {
    use reqwest::header::{HeaderMap, HeaderValue};
    let callback = harness::CALLBACK;
    let base = || {
        let mut h = HeaderMap::new();
        h.insert("via", HeaderValue::from_static("1.1 google"));
        h
    };
    let fails = |template: &'static str, status: u16, headers: HeaderMap, empty: bool| {
        std::panic::catch_unwind(|| check_headers("t", template, status, &headers, empty)).is_err()
    };
    let mut json_204 = base();
    json_204.insert("content-type", HeaderValue::from_static("application/json"));
    assert!(
        fails(callback, 204, json_204, true),
        "Content-Type on an empty body"
    );
    assert!(!fails(callback, 204, base(), true));
    let mut limited_callback = base();
    limited_callback.insert("x-ratelimit-bucket", HeaderValue::from_static("abc"));
    assert!(
        fails(callback, 204, limited_callback, true),
        "callback with a bucket"
    );
    assert!(
        fails("/users/@me", 204, base(), true),
        "bucketed route without headers"
    );
    assert!(fails(callback, 204, HeaderMap::new(), true), "no Via");
}

#[test]
fn the_spec_comes_from_the_variable_then_the_sibling_path() {
    let sibling = Path::new("/repo-parent/shared/data/discord-openapi.json");
    let everywhere = |_: &Path| true;
    let set = OsStr::new("/elsewhere/spec.json");
    assert_eq!(
        plan(Some(set), None, sibling, everywhere),
        Plan::Validate(PathBuf::from("/elsewhere/spec.json"))
    );
    assert_eq!(
        plan(None, None, sibling, everywhere),
        Plan::Validate(sibling.to_path_buf())
    );
    // A variable that names a missing file does not fall back to the sibling path.
    let only_sibling = |p: &Path| p == sibling;
    assert!(matches!(
        plan(Some(set), None, sibling, only_sibling),
        Plan::Skip(_)
    ));
}

#[test]
fn a_missing_spec_skips_with_one_line_outside_ci_and_fails_in_ci() {
    let sibling = Path::new("/repo-parent/shared/data/discord-openapi.json");
    let nowhere = |_: &Path| false;
    for ci in [None, Some(""), Some("0"), Some("false")] {
        let Plan::Skip(line) = plan(None, ci.map(OsStr::new), sibling, nowhere) else {
            panic!("CI={ci:?} must skip");
        };
        assert!(!line.contains('\n'));
        assert!(
            line.contains(SPEC_VAR) && line.contains("skipped"),
            "{line}"
        );
    }
    for ci in ["true", "1", "yes"] {
        assert!(matches!(
            plan(None, Some(OsStr::new(ci)), sibling, nowhere),
            Plan::Fail(_)
        ));
    }
}

#[test]
fn the_sibling_path_is_beside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("repository root");
    assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
    assert_eq!(
        sibling_spec(),
        root.parent()
            .expect("a folder holds the repository")
            .join("shared/data/discord-openapi.json")
    );
}
