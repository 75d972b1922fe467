//! Step one of connecting: REST calls that prove the token and size the gateway, each with a
//! deadline, before any WebSocket is opened.
//!
//! The Python bot found out about a bad token from a gateway close, after having spent an
//! identify on it. Here a 401 on `GET /users/@me` stops everything before the gateway.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use novera_core::{
    BucketHeaders, InvalidRequest, InvalidRequestLog, LimitedRoute, RateLimitOutcome,
    SharedRateLimits, deadline,
};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use twilight_http::Client;
use twilight_http::api_error::ApiError;
use twilight_http::error::ErrorType;
use twilight_http::response::Response;
use twilight_model::gateway::connection_info::BotConnectionInfo;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;
use twilight_model::user::CurrentUser;

use crate::config::GatewayConfig;
use crate::error::ConnectError;

/// The result of step one: a REST client whose token works, who the bot is, and how Discord
/// wants it to connect.
pub struct Login {
    http: Arc<Client>,
    current_user: CurrentUser,
    application_id: Id<ApplicationMarker>,
    gateway_bot: BotConnectionInfo,
    fetched_at: Instant,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("user_id", &self.current_user.id)
            .field("application_id", &self.application_id)
            .field("gateway_bot", &self.gateway_bot)
            .finish_non_exhaustive()
    }
}

impl Login {
    /// The REST client (shared; twilight's `Client` is not `Clone`).
    #[must_use]
    pub fn http(&self) -> Arc<Client> {
        Arc::clone(&self.http)
    }

    /// The bot user (`GET /users/@me`).
    #[must_use]
    pub fn current_user(&self) -> &CurrentUser {
        &self.current_user
    }

    /// The application id (`GET /applications/@me`), needed to register commands.
    #[must_use]
    pub fn application_id(&self) -> Id<ApplicationMarker> {
        self.application_id
    }

    /// `GET /gateway/bot`: gateway URL, recommended shard count and identify budget.
    #[must_use]
    pub fn gateway_bot(&self) -> &BotConnectionInfo {
        &self.gateway_bot
    }

    /// When `gateway_bot` was fetched (its `reset_after` counts from here).
    pub(crate) fn fetched_at(&self) -> Instant {
        self.fetched_at
    }
}

/// Installs rustls' ring provider once per process; twilight's TLS connectors need one even
/// when the targets are plain `ws://`/`http://` (novera-sim).
pub(crate) fn install_crypto_provider() {
    // An error means a provider is installed already, which is all that matters.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Splits `http(s)://host[:port]` into what `ClientBuilder::proxy` takes.
fn proxy_target(url: &str) -> Result<(String, bool), ConnectError> {
    let invalid = |reason| ConnectError::InvalidApiUrl {
        url: url.to_owned(),
        reason,
    };
    let (rest, use_http) = if let Some(rest) = url.strip_prefix("http://") {
        (rest, true)
    } else if let Some(rest) = url.strip_prefix("https://") {
        (rest, false)
    } else {
        return Err(invalid("it must start with http:// or https://"));
    };
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err(invalid("it has no host"));
    }
    if host.contains('/') || host.contains('?') {
        return Err(invalid(
            "it must be a bare host and port (the /api/v10 path is added automatically)",
        ));
    }
    Ok((host.to_owned(), use_http))
}

/// Builds the REST client described by `config`.
pub(crate) fn build_client(config: &GatewayConfig) -> Result<Client, ConnectError> {
    if config.token.is_empty() {
        return Err(ConnectError::MissingToken);
    }
    install_crypto_provider();
    let mut builder = Client::builder()
        .token(config.token.expose().trim().to_owned())
        .timeout(config.rest_deadline);
    if let Some(url) = &config.api_url {
        let (host, use_http) = proxy_target(url)?;
        builder = builder.proxy(host, use_http);
    }
    Ok(builder.build())
}

/// What the gateway's own REST calls answer to besides Discord: the bot's invalid-request
/// count and, in a cluster, the rate limits its processes share.
#[derive(Clone, Copy, Default)]
pub(crate) struct Accounting<'a> {
    pub(crate) invalid: Option<&'a dyn InvalidRequestLog>,
    pub(crate) limits: Option<&'a dyn SharedRateLimits>,
}

impl<'a> Accounting<'a> {
    pub(crate) fn of(
        invalid: Option<&'a Arc<dyn InvalidRequestLog>>,
        limits: Option<&'a Arc<dyn SharedRateLimits>>,
    ) -> Self {
        Self {
            invalid: invalid.map(|log| &**log),
            limits: limits.map(|limits| &**limits),
        }
    }
}

/// Sends one request with a deadline and reads its JSON body; a 401 is `InvalidToken`. It
/// waits for the shared rate limits first when there are some (the wait counts toward the
/// deadline); a 401, 403 or 429 is recorded in the invalid-request count (`endpoint` is its
/// route, `GET /gateway/bot`: none of these routes has a major parameter).
pub(crate) async fn fetch<T, F>(
    endpoint: &'static str,
    limit: Duration,
    accounting: Accounting<'_>,
    request: F,
) -> Result<T, ConnectError>
where
    T: DeserializeOwned + Unpin + Send,
    F: IntoFuture<Output = Result<Response<T>, twilight_http::Error>>,
{
    deadline(endpoint, limit, async {
        let route = LimitedRoute::new(endpoint, "");
        if let Some(limits) = accounting.limits {
            limits.acquire(&route).await;
        }
        let result = request.into_future().await;
        if let Some(limits) = accounting.limits {
            let outcome = match &result {
                Ok(response) => BucketHeaders::read(response.headers())
                    .map_or(RateLimitOutcome::Unlimited, RateLimitOutcome::Learned),
                Err(_) => RateLimitOutcome::Unknown,
            };
            limits.complete(&route, outcome);
        }
        let response = result.map_err(|source| {
            if let Some(log) = accounting.invalid {
                record_invalid(log, endpoint, &source);
            }
            let unauthorized = match source.kind() {
                ErrorType::Unauthorized => true,
                ErrorType::Response { status, .. } => status.get() == 401,
                _ => false,
            };
            if unauthorized {
                ConnectError::InvalidToken { endpoint }
            } else {
                ConnectError::Http { endpoint, source }
            }
        })?;
        response
            .model()
            .await
            .map_err(|source| ConnectError::Body { endpoint, source })
    })
    .await?
}

/// Records `error` in `log` when Discord counts it toward the invalid-request ban (401, 403,
/// 429; a 429's scope is not visible here, so a `shared` one counts too, on the safe side).
fn record_invalid(
    log: &dyn InvalidRequestLog,
    endpoint: &'static str,
    error: &twilight_http::Error,
) {
    let ErrorType::Response { status, error, .. } = error.kind() else {
        return;
    };
    let status = status.get();
    if !matches!(status, 401 | 403 | 429) {
        return;
    }
    let (code, description) = match error {
        ApiError::General(general) => (Some(general.code), general.message.as_str()),
        _ => (None, ""),
    };
    log.record(
        InvalidRequest::new(status, endpoint)
            .code(code)
            .description(description.chars().take(60).collect::<String>()),
    );
}

/// Step one: `GET /users/@me`, `GET /applications/@me`, `GET /gateway/bot`, each bounded by
/// `config.rest_deadline`.
///
/// A refused token fails with [`ConnectError::InvalidToken`] on the first call, before
/// anything touches the gateway.
pub async fn login(config: &GatewayConfig) -> Result<Login, ConnectError> {
    let http = Arc::new(build_client(config)?);
    let limit = config.rest_deadline;
    let accounting = Accounting::of(
        config.invalid_requests.as_ref(),
        config.rate_limits.as_ref(),
    );
    let current_user: CurrentUser =
        fetch("GET /users/@me", limit, accounting, http.current_user()).await?;
    let application = fetch(
        "GET /applications/@me",
        limit,
        accounting,
        http.current_user_application(),
    )
    .await?;
    let fetched_at = Instant::now();
    let gateway_bot = fetch(
        "GET /gateway/bot",
        limit,
        accounting,
        http.gateway().authed(),
    )
    .await?;
    tracing::info!(
        user = %current_user.name,
        user_id = %current_user.id,
        application_id = %application.id,
        recommended_shards = gateway_bot.shards,
        identifies_remaining = gateway_bot.session_start_limit.remaining,
        identifies_total = gateway_bot.session_start_limit.total,
        max_concurrency = gateway_bot.session_start_limit.max_concurrency,
        "logged in over REST"
    );
    Ok(Login {
        http,
        current_user,
        application_id: application.id,
        gateway_bot,
        fetched_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_url_becomes_a_proxy_target() {
        assert_eq!(
            proxy_target("http://127.0.0.1:8080").unwrap(),
            ("127.0.0.1:8080".to_owned(), true)
        );
        assert_eq!(
            proxy_target("https://discord.example/").unwrap(),
            ("discord.example".to_owned(), false)
        );
        assert!(matches!(
            proxy_target("127.0.0.1:80"),
            Err(ConnectError::InvalidApiUrl { .. })
        ));
        assert!(matches!(
            proxy_target("http://host/api/v10"),
            Err(ConnectError::InvalidApiUrl { .. })
        ));
        assert!(matches!(
            proxy_target("http://"),
            Err(ConnectError::InvalidApiUrl { .. })
        ));
    }

    #[tokio::test]
    async fn an_empty_token_fails_before_any_request() {
        let config = GatewayConfig::default();
        assert!(matches!(
            login(&config).await,
            Err(ConnectError::MissingToken)
        ));
    }
}
