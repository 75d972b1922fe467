use std::io::Write as _;

use super::*;

const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.secret-token.value";

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn file(contents: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    f
}

fn sources(config: Option<&tempfile::NamedTempFile>, vars: &[(&str, &str)]) -> Sources {
    Sources {
        config_file: config.map(|f| f.path().to_owned()),
        env: env(vars),
        dotenv: None,
    }
}

fn error_text(sources: &Sources) -> String {
    Config::load(sources).unwrap_err().to_string()
}

#[test]
fn defaults_load_without_any_source() {
    let config = Config::load(&sources(None, &[])).unwrap();
    assert!(config.token.is_none());
    assert_eq!(config.health.listen.to_string(), "127.0.0.1:8686");
    assert_eq!(config.commands.defer_after, Duration::from_secs(2));
    assert_eq!(config.shards.count, ShardCountSetting::Auto);
}

#[test]
fn the_interactions_endpoint_needs_a_valid_key_outside_the_sandbox() {
    const KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let listen = ("NOVERA_INTERACTIONS__LISTEN", "127.0.0.1:8687");
    let config = Config::load(&sources(None, &[])).unwrap();
    assert_eq!(config.interactions.listen, None);
    assert_eq!(config.interactions.path, "/interactions");

    let text = error_text(&sources(None, &[("DISCORD_TOKEN", TOKEN), listen]));
    assert!(text.contains("`interactions.listen`"), "{text}");
    assert!(text.contains("interactions.public_key"), "{text}");

    let text = error_text(&sources(
        None,
        &[("NOVERA_INTERACTIONS__PUBLIC_KEY", "not-hex"), listen],
    ));
    assert!(
        text.contains("`interactions.public_key` = \"not-hex\""),
        "{text}"
    );
    assert!(text.contains("64 hex digits"), "{text}");

    let config = Config::load(&sources(
        None,
        &[
            ("DISCORD_TOKEN", TOKEN),
            listen,
            ("NOVERA_INTERACTIONS__PUBLIC_KEY", KEY),
        ],
    ))
    .unwrap();
    let endpoint = crate::settings::bot_settings(&config).interactions.unwrap();
    assert_eq!(endpoint.listen.port(), 8687);
    assert_eq!(endpoint.public_key.to_string(), KEY);

    // The sandbox brings its own key.
    let config = Config::load(&sources(
        None,
        &[listen, ("NOVERA_SANDBOX__INTERACTIONS", "http")],
    ))
    .unwrap();
    assert_eq!(config.sandbox.interactions, SandboxIngress::Http);
    assert!(
        crate::settings::bot_settings(&config)
            .interactions
            .is_none()
    );

    for (key, value) in [
        ("NOVERA_INTERACTIONS__PATH", "interactions"),
        ("NOVERA_INTERACTIONS__BODY_LIMIT", "10"),
        ("NOVERA_INTERACTIONS__TIMESTAMP_TOLERANCE", "0s"),
        ("NOVERA_SANDBOX__INTERACTIONS", "carrier-pigeon"),
    ] {
        let text = error_text(&sources(None, &[(key, value)]));
        let named = key
            .trim_start_matches("NOVERA_")
            .replace("__", ".")
            .to_lowercase();
        assert!(text.contains(&format!("`{named}`")), "{key}: {text}");
    }
}

#[test]
fn layers_override_in_order_file_env_dotenv() {
    let toml = file("[health]\nlisten = \"127.0.0.1:1000\"\n[commands]\nprefix = \"!\"\n");
    let config = Config::load(&sources(Some(&toml), &[])).unwrap();
    assert_eq!(config.health.listen.port(), 1000);
    assert_eq!(config.commands.prefix.as_deref(), Some("!"));

    let vars = [("NOVERA_HEALTH__LISTEN", "127.0.0.1:2000")];
    let config = Config::load(&sources(Some(&toml), &vars)).unwrap();
    assert_eq!(config.health.listen.port(), 2000);

    let mut dotenv = tempfile::NamedTempFile::new().unwrap();
    writeln!(dotenv, "NOVERA_HEALTH__LISTEN=127.0.0.1:3000").unwrap();
    let mut s = sources(Some(&toml), &vars);
    s.dotenv = Some(dotenv.path().to_owned());
    let config = Config::load(&s).unwrap();
    assert_eq!(config.health.listen.port(), 3000);
}

#[test]
fn token_comes_from_discord_token_and_novera_token_wins() {
    let config = Config::load(&sources(None, &[("DISCORD_TOKEN", TOKEN)])).unwrap();
    assert_eq!(config.token.as_ref().map(Secret::expose), Some(TOKEN));
    let config = Config::load(&sources(
        None,
        &[("DISCORD_TOKEN", "old"), ("NOVERA_TOKEN", TOKEN)],
    ))
    .unwrap();
    assert_eq!(config.token.as_ref().map(Secret::expose), Some(TOKEN));
}

#[test]
fn token_file_is_read_and_trimmed() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "  {TOKEN}  ").unwrap();
    let path = f.path().display().to_string();
    let config = Config::load(&sources(None, &[("NOVERA_TOKEN_FILE", &path)])).unwrap();
    assert_eq!(config.token.as_ref().map(Secret::expose), Some(TOKEN));

    let text = error_text(&sources(
        None,
        &[("NOVERA_TOKEN_FILE", "/nonexistent/token")],
    ));
    assert!(text.contains("token_file"), "{text}");
    assert!(text.contains("NOVERA_TOKEN_FILE"), "{text}");
}

#[test]
fn bad_env_value_names_key_value_and_variable() {
    let text = error_text(&sources(
        None,
        &[("NOVERA_HEALTH__LISTEN", "not-an-address")],
    ));
    assert!(text.contains("`health.listen`"), "{text}");
    assert!(text.contains("not-an-address"), "{text}");
    assert!(text.contains("NOVERA_HEALTH__LISTEN"), "{text}");
}

#[test]
fn bad_file_value_names_key_value_and_file() {
    let toml = file("[commands]\nmax_in_flight = \"lots\"\n");
    let text = error_text(&sources(Some(&toml), &[]));
    assert!(text.contains("`commands.max_in_flight`"), "{text}");
    assert!(text.contains("lots"), "{text}");
    assert!(text.contains(&toml.path().display().to_string()), "{text}");
}

#[test]
fn a_sample_period_outside_its_range_is_rejected() {
    let text = error_text(&sources(None, &[("NOVERA_HEALTH__SAMPLE_PERIOD", "10ms")]));
    assert!(text.contains("`health.sample_period`"), "{text}");
    assert!(text.contains("between 100ms and 60s"), "{text}");
    let config = Config::load(&sources(None, &[("NOVERA_HEALTH__SAMPLE_PERIOD", "250ms")]));
    assert_eq!(
        config.map(|c| c.health.sample_period).ok(),
        Some(Duration::from_millis(250))
    );
}

#[test]
fn unknown_keys_are_rejected_with_their_source() {
    let toml = file("[health]\nlisen = \"127.0.0.1:1\"\n");
    let text = error_text(&sources(Some(&toml), &[]));
    assert!(text.contains("unknown key `health.lisen`"), "{text}");
    assert!(text.contains(&toml.path().display().to_string()), "{text}");

    let text = error_text(&sources(None, &[("NOVERA_HELTH__LISTEN", "x")]));
    assert!(text.contains("unknown key `helth`"), "{text}");
    assert!(text.contains("NOVERA_HELTH"), "{text}");
}

#[test]
fn range_checks_name_the_key_and_source() {
    let text = error_text(&sources(None, &[("NOVERA_COMMANDS__DEFER_AFTER", "3s")]));
    assert!(text.contains("`commands.defer_after`"), "{text}");
    assert!(text.contains("NOVERA_COMMANDS__DEFER_AFTER"), "{text}");
    assert!(text.contains("below 3s"), "{text}");

    let toml = file("[discord]\nlarge_threshold = 500\n");
    let text = error_text(&sources(Some(&toml), &[]));
    assert!(text.contains("`discord.large_threshold`"), "{text}");
    assert!(text.contains("500"), "{text}");

    let text = error_text(&sources(
        None,
        &[
            ("NOVERA_SHARDS__COUNT", "4"),
            ("NOVERA_SHARDS__RANGE", "0..8"),
        ],
    ));
    assert!(text.contains("`shards.range`"), "{text}");
}

#[test]
fn typed_values_parse_and_reject() {
    let config = Config::load(&sources(
        None,
        &[
            ("NOVERA_SHARDS__COUNT", "16"),
            ("NOVERA_SHARDS__RANGE", "0..8"),
            ("NOVERA_COMMANDS__REGISTRATION", "guild:123456789012345678"),
            ("NOVERA_DISCORD__INTENTS", "[\"GUILDS\"]"),
        ],
    ))
    .unwrap();
    assert_eq!(config.shards.count, ShardCountSetting::Fixed(16));
    assert_eq!(config.shards.range.unwrap().range(), 0..8);
    assert!(matches!(
        config.commands.registration,
        Registration::Guild(_)
    ));
    assert_eq!(
        config.discord.intents.intents(),
        twilight_model::gateway::Intents::GUILDS
    );

    let text = error_text(&sources(
        None,
        &[("NOVERA_DISCORD__INTENTS", "[\"GILDS\"]")],
    ));
    assert!(text.contains("unknown intent \"GILDS\""), "{text}");
    let text = error_text(&sources(
        None,
        &[("NOVERA_COMMANDS__REGISTRATION", "guild:abc")],
    ));
    assert!(text.contains("guild:abc"), "{text}");
    let text = error_text(&sources(None, &[("NOVERA_SHARDS__COUNT", "0")]));
    assert!(text.contains("`shards.count`"), "{text}");
}

#[test]
fn missing_explicit_file_is_an_error() {
    let s = Sources {
        config_file: Some(PathBuf::from("/nonexistent/novera.toml")),
        ..Sources::default()
    };
    assert!(error_text(&s).contains("/nonexistent/novera.toml"));
}

#[test]
fn secrets_never_appear_in_output_or_errors() {
    let config = Config::load(&sources(
        None,
        &[
            ("DISCORD_TOKEN", TOKEN),
            (
                "NOVERA_ALERTS__WEBHOOK_URL",
                "https://discord.com/api/webhooks/1/hook-secret",
            ),
        ],
    ))
    .unwrap();
    let rendered = config.to_redacted_toml();
    assert!(!rendered.contains(TOKEN), "{rendered}");
    assert!(!rendered.contains("hook-secret"), "{rendered}");
    assert!(rendered.contains("[redacted]"), "{rendered}");
    let debug = format!("{config:?}");
    assert!(
        !debug.contains(TOKEN) && !debug.contains("hook-secret"),
        "{debug}"
    );

    let toml = file(&format!("token = {{ nested = \"{TOKEN}\" }}\n"));
    let text = error_text(&sources(Some(&toml), &[]));
    assert!(!text.contains(TOKEN), "{text}");
}

#[test]
fn every_key_is_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/configuration.md"
    ))
    .expect("docs/configuration.md exists");
    let missing: Vec<_> = Config::key_paths()
        .into_iter()
        .filter(|key| !doc.contains(&format!("`{key}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "keys missing from docs/configuration.md: {missing:?}"
    );
}

#[test]
fn cache_resources_default_to_all_but_presences_and_parse_by_name() {
    use novera_gateway::ResourceType;

    let config = Config::load(&sources(None, &[])).unwrap();
    assert_eq!(
        config.cache.resources.resource_types(),
        ResourceType::all().difference(ResourceType::PRESENCE)
    );
    let gateway = crate::settings::gateway_config(&config);
    assert_eq!(
        gateway.cache.resource_types,
        ResourceType::all().difference(ResourceType::PRESENCE)
    );

    let toml = file("[cache]\nresources = [\"guild\", \"CHANNEL\", \"role\"]\n");
    let config = Config::load(&sources(Some(&toml), &[])).unwrap();
    let wanted = ResourceType::GUILD | ResourceType::CHANNEL | ResourceType::ROLE;
    assert_eq!(config.cache.resources.resource_types(), wanted);
    assert_eq!(
        crate::settings::gateway_config(&config)
            .cache
            .resource_types,
        wanted
    );
    let rendered = config.to_redacted_toml();
    assert!(rendered.contains("\"CHANNEL\""), "{rendered}");

    let config = Config::load(&sources(None, &[("NOVERA_CACHE__RESOURCES", "[]")])).unwrap();
    assert_eq!(
        config.cache.resources.resource_types(),
        ResourceType::empty()
    );
}

#[test]
fn unknown_cache_resource_names_the_key_the_name_and_the_known_ones() {
    let text = error_text(&sources(
        None,
        &[("NOVERA_CACHE__RESOURCES", "[\"GUILD\", \"MEMBERS\"]")],
    ));
    assert!(text.contains("`cache.resources`"), "{text}");
    assert!(text.contains("NOVERA_CACHE__RESOURCES"), "{text}");
    assert!(
        text.contains("unknown cache resource \"MEMBERS\""),
        "{text}"
    );
    assert!(
        text.contains("known: CHANNEL, EMOJI, GUILD, MEMBER,"),
        "{text}"
    );
}

#[test]
fn rest_guard_and_instance_keys_reach_the_bot_settings() {
    let config = Config::load(&sources(None, &[])).unwrap();
    let settings = crate::settings::bot_settings(&config);
    assert_eq!(
        settings.rest_guard,
        novera_commands::RestGuardConfig::default()
    );
    assert!(!settings.step_down);

    let vars = [
        ("NOVERA_REST_GUARD__LIMIT", "200"),
        ("NOVERA_REST_GUARD__WARN_AT", "[0.25, 0.5]"),
        ("NOVERA_REST_GUARD__BRAKE_AT", "0.75"),
        ("NOVERA_REST_GUARD__ENABLED", "false"),
        ("NOVERA_REST_GUARD__REFUSE_FOR", "5m"),
        ("NOVERA_INSTANCE__STEP_DOWN", "true"),
    ];
    let config = Config::load(&sources(None, &vars)).unwrap();
    let settings = crate::settings::bot_settings(&config);
    let guard = settings.rest_guard;
    assert_eq!(guard.limit, 200);
    assert_eq!(guard.warn_at, [0.25, 0.5]);
    assert!((guard.brake_at - 0.75).abs() < f64::EPSILON);
    assert!(!guard.enabled);
    assert_eq!(guard.refuse_for, Duration::from_secs(300));
    assert!(guard.validate().is_ok());
    assert!(settings.step_down);
}

#[test]
fn unusable_rest_guard_levels_name_the_key() {
    let cases = [
        ("NOVERA_REST_GUARD__LIMIT", "0", "rest_guard.limit"),
        (
            "NOVERA_REST_GUARD__WARN_AT",
            "[0.8, 0.5]",
            "rest_guard.warn_at",
        ),
        ("NOVERA_REST_GUARD__BRAKE_AT", "1.5", "rest_guard.brake_at"),
        (
            "NOVERA_REST_GUARD__ESSENTIALS_ONLY_AT",
            "0.5",
            "rest_guard.essentials_only_at",
        ),
    ];
    for (var, value, key) in cases {
        let text = error_text(&sources(None, &[(var, value)]));
        assert!(text.contains(&format!("`{key}`")), "{var}={value}: {text}");
        assert!(text.contains(var), "names where it came from: {text}");
    }
}

#[test]
fn a_process_index_picks_its_shard_range() {
    let config = Config::load(&sources(
        None,
        &[
            ("NOVERA_SHARDS__COUNT", "8"),
            ("NOVERA_SHARDS__PER_PROCESS", "2"),
            ("NOVERA_SHARDS__PROCESS", "3"),
        ],
    ))
    .unwrap();
    assert_eq!(config.shards.owned(), Some(6..8));
    assert_eq!(
        crate::settings::gateway_config(&config).shards.range,
        Some(6..8)
    );

    let both = Config::load(&sources(
        None,
        &[
            ("NOVERA_SHARDS__RANGE", "0..2"),
            ("NOVERA_SHARDS__PER_PROCESS", "2"),
            ("NOVERA_SHARDS__PROCESS", "0"),
        ],
    ))
    .unwrap_err()
    .to_string();
    assert!(both.contains("shards.per_process"), "{both}");
    let alone = Config::load(&sources(None, &[("NOVERA_SHARDS__PER_PROCESS", "2")]))
        .unwrap_err()
        .to_string();
    assert!(alone.contains("needs shards.process"), "{alone}");
}

#[test]
fn the_state_file_sits_next_to_the_session_file_unless_set() {
    let config = Config::load(&sources(None, &[])).unwrap();
    assert_eq!(
        config.state.resolved_path(&config.session),
        PathBuf::from("novera-state.redb")
    );
    let vars = [("NOVERA_SESSION__PATH", "/var/lib/novera/sessions.json")];
    let config = Config::load(&sources(None, &vars)).unwrap();
    assert_eq!(
        config.state.resolved_path(&config.session),
        PathBuf::from("/var/lib/novera/novera-state.redb")
    );
    let vars = [
        ("NOVERA_SESSION__PATH", "/var/lib/novera/sessions.json"),
        ("NOVERA_STATE__PATH", "/data/state.redb"),
    ];
    let config = Config::load(&sources(None, &vars)).unwrap();
    assert_eq!(
        config.state.resolved_path(&config.session),
        PathBuf::from("/data/state.redb")
    );
    let settings = crate::settings::bot_settings(&config);
    assert_eq!(settings.state_path, Some(PathBuf::from("/data/state.redb")));
    assert_eq!(settings.timer_interval, Duration::from_secs(1));
}

#[test]
fn the_timer_interval_is_bounded() {
    let text = error_text(&sources(None, &[("NOVERA_STATE__TIMER_INTERVAL", "10ms")]));
    assert!(text.contains("state.timer_interval"), "{text}");
    assert!(text.contains("between 100ms and 60s"), "{text}");
    let config =
        Config::load(&sources(None, &[("NOVERA_STATE__TIMER_INTERVAL", "250ms")])).unwrap();
    assert_eq!(config.state.timer_interval, Duration::from_millis(250));
}

#[test]
fn a_stream_shorter_than_the_duplicate_window_names_the_key_that_was_set() {
    let text = error_text(&sources(None, &[("NOVERA_CLUSTER__MAX_AGE", "5s")]));
    assert!(text.contains("`cluster.max_age` = \"5s\""), "{text}");
    assert!(text.contains("NOVERA_CLUSTER__MAX_AGE"), "{text}");

    let text = error_text(&sources(
        None,
        &[("NOVERA_CLUSTER__DUPLICATE_WINDOW", "2h")],
    ));
    assert!(
        text.contains("`cluster.duplicate_window` = \"2h\""),
        "{text}"
    );
}
