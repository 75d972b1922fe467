//! The configuration translated into the assembly's typed settings (`novera_bot::BotSettings`).

use novera_bot::BotSettings;
use novera_commands::{RouterConfig, Scope};
use novera_gateway::GatewayConfig;

use crate::config::{Config, Registration, ShardCountSetting};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything the assembly needs from the configuration.
pub(crate) fn bot_settings(config: &Config) -> BotSettings {
    let mut settings = BotSettings::new(gateway_config(config))
        .router(router_config(config))
        .registration(registration_scope(config.commands.registration))
        .stop_timeouts(config.shutdown.close_timeout, config.shutdown.drain_timeout)
        .rest_guard(config.rest_guard.to_guard())
        .step_down(config.instance.step_down)
        .state_path(Some(config.state.resolved_path(&config.session)));
    settings.timer_interval = config.state.timer_interval;
    settings
}

/// Where `commands.registration` registers at start (`off`: nowhere).
pub(crate) fn registration_scope(registration: Registration) -> Option<Scope> {
    match registration {
        Registration::Off => None,
        Registration::Global => Some(Scope::Global),
        Registration::Guild(id) => Some(Scope::Guild(id)),
    }
}

/// The router's settings from the configuration.
pub(crate) fn router_config(config: &Config) -> RouterConfig {
    RouterConfig::default()
        .with_auto_defer(config.commands.defer_after)
        .with_default_deadline(config.commands.deadline)
        .with_in_flight_limit(config.commands.max_in_flight)
        .with_prefix(config.commands.prefix.clone())
        .with_version(VERSION)
}

/// The gateway's settings from the configuration (its `forward` is the assembly's business).
pub(crate) fn gateway_config(config: &Config) -> GatewayConfig {
    let mut gateway = GatewayConfig {
        token: novera_gateway::Secret::new(
            config
                .token
                .as_ref()
                .map(|t| t.expose().to_owned())
                .unwrap_or_default(),
        ),
        ..GatewayConfig::default()
    };
    let official = config.discord.api_url.starts_with("https://discord.com");
    gateway.api_url = (!official).then(|| config.discord.api_url.clone());
    gateway.gateway_url.clone_from(&config.discord.gateway_url);
    gateway.intents = config.discord.intents.intents();
    gateway.shards.count = match config.shards.count {
        ShardCountSetting::Auto => novera_gateway::ShardCount::Auto,
        ShardCountSetting::Fixed(n) => novera_gateway::ShardCount::Fixed(n),
    };
    gateway.shards.range = config.shards.owned();
    gateway.session_path = Some(config.session.path.clone());
    gateway.max_session_age = config.session.max_age;
    gateway.cache.message_cache_size = config.cache.message_cache_size;
    gateway.cache.resource_types = config.cache.resources.resource_types();
    gateway.rest_deadline = config.discord.rest_timeout;
    gateway.close_deadline = config.shutdown.close_timeout;
    gateway.large_threshold = config.discord.large_threshold;
    gateway
}
