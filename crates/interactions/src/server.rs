//! The HTTP side: `router` (one `POST` route) and `Endpoint` (a bound listener served until
//! its token is cancelled).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt as _;
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use twilight_model::application::interaction::Interaction;
use twilight_model::http::interaction::{InteractionResponse, InteractionResponseType};

use crate::answer::{self, Answer};
use crate::error::EndpointError;
use crate::settings::EndpointSettings;
use crate::sink::{Delivery, InteractionSink};
use crate::verify::{Rejection, Verifier};

/// What every request handler shares.
#[derive(Clone)]
struct Shared {
    verifier: Arc<Verifier>,
    sink: Arc<dyn InteractionSink>,
    body_limit: usize,
    answer_within: Duration,
}

/// The endpoint's routes: `POST {settings.path}`; other methods on it are 405, other paths 404.
///
/// Every request is verified (signature, timestamp, replay) before anything else reads its
/// body; a PING is answered with a PONG; every other interaction goes to `sink`, and the HTTP
/// answer is its initial response (see [`Delivery::answer`]).
pub fn router(settings: &EndpointSettings, sink: Arc<dyn InteractionSink>) -> axum::Router {
    let shared = Shared {
        verifier: Arc::new(Verifier::new(
            settings.public_key,
            settings.timestamp_tolerance,
        )),
        sink,
        body_limit: settings.body_limit,
        answer_within: settings.answer_within,
    };
    axum::Router::new()
        .route(&settings.path, post(interactions))
        .with_state(shared)
}

/// The part of an interaction read before the rest: its type.
#[derive(Deserialize)]
struct Kind {
    #[serde(rename = "type")]
    kind: u8,
}

/// `POST /interactions`.
async fn interactions(State(shared): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let received_at = Instant::now();
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > shared.body_limit) {
        return too_large();
    }
    // An unreadable body (cut off, or past the limit without a Content-Length) is refused
    // the same way: nothing was verified yet.
    let Ok(body) = axum::body::to_bytes(body, shared.body_limit).await else {
        return too_large();
    };
    if let Err(rejection) = shared.verifier.check(&headers, &body) {
        return unauthorized(rejection);
    }
    let kind = match serde_json::from_slice::<Kind>(&body) {
        Ok(Kind { kind: 1 }) => {
            count("ping");
            let pong = InteractionResponse {
                kind: InteractionResponseType::Pong,
                data: None,
            };
            return (StatusCode::OK, Json(pong)).into_response();
        }
        Ok(Kind { kind }) => kind,
        Err(error) => return malformed(&error),
    };
    let interaction = match serde_json::from_slice::<Interaction>(&body) {
        Ok(interaction) => interaction,
        Err(error) => {
            tracing::warn!(kind, %error, "a signed interaction could not be parsed");
            return malformed(&error);
        }
    };
    let (answer, waiting) = oneshot::channel();
    let (on_written, written) = oneshot::channel();
    let interaction_kind = interaction.kind;
    let id = interaction.id;
    shared.sink.deliver(Delivery {
        interaction,
        received_at,
        answer,
        written,
    });
    let answered = answer::wait(
        waiting,
        interaction_kind,
        received_at + shared.answer_within,
    )
    .await;
    count(answered.label());
    metrics::histogram!("novera_interactions_answer_seconds")
        .record(received_at.elapsed().as_secs_f64());
    match answered {
        Answer::Response(response) => written_then_signalled(&response, on_written),
        Answer::Backstop(response) => {
            tracing::warn!(
                interaction = %id,
                kind = interaction_kind.kind(),
                within_ms = shared.answer_within.as_millis(),
                "the router did not answer in time: the endpoint deferred the interaction itself"
            );
            (StatusCode::OK, Json(response)).into_response()
        }
        Answer::Nothing => StatusCode::NO_CONTENT.into_response(),
    }
}

/// The response as a 200 JSON answer whose body holds `on_written` until hyper is done with it
/// (written, or the connection ended): dropping it tells the responder the answer left.
fn written_then_signalled(
    response: &InteractionResponse,
    on_written: oneshot::Sender<()>,
) -> Response {
    let Ok(json) = serde_json::to_vec(response) else {
        // twilight's response types always serialize; an empty answer lets REST take over.
        return StatusCode::NO_CONTENT.into_response();
    };
    let length = json.len();
    let chunks =
        futures_util::stream::iter([Ok::<_, std::convert::Infallible>(json)]).map(move |chunk| {
            let _held = &on_written;
            chunk
        });
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (CONTENT_LENGTH, length.to_string()),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

fn count(outcome: &'static str) {
    metrics::counter!("novera_interactions_requests_total", "outcome" => outcome).increment(1);
}

fn too_large() -> Response {
    count("too_large");
    let body = json!({"message": "request body too large"});
    (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
}

fn unauthorized(rejection: Rejection) -> Response {
    count("unauthorized");
    metrics::counter!("novera_interactions_rejected_total", "reason" => rejection.label())
        .increment(1);
    // Anyone can send these: debug, not warn, so a flood does not flood the log too.
    tracing::debug!(reason = rejection.label(), "interaction request refused");
    let body = json!({"message": rejection.message()});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn malformed(error: &serde_json::Error) -> Response {
    count("malformed");
    let body = json!({"message": format!("not an interaction: {error}")});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// The interactions endpoint, bound: [`bind`](Self::bind) fails early on a bad setting or an
/// address in use, [`serve`](Self::serve) runs it.
#[derive(Debug)]
pub struct Endpoint {
    listener: TcpListener,
    addr: SocketAddr,
    settings: EndpointSettings,
}

impl Endpoint {
    /// Validates `settings` and binds their address.
    pub async fn bind(settings: EndpointSettings) -> Result<Self, EndpointError> {
        settings.validate()?;
        let bind_error = |source| EndpointError::Bind {
            addr: settings.listen,
            source,
        };
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        Ok(Self {
            listener,
            addr,
            settings,
        })
    }

    /// The bound address (the port the system chose for port 0).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL the endpoint answers on, `http://ADDR/PATH`: what a reverse proxy forwards to
    /// (and, on loopback, what the simulator is told).
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.settings.path)
    }

    /// The settings it was bound with.
    #[must_use]
    pub fn settings(&self) -> &EndpointSettings {
        &self.settings
    }

    /// Serves [`router`] until `shutdown` fires; then it stops accepting and lets requests in
    /// flight finish (each is bounded by `answer_within`).
    pub async fn serve(
        self,
        sink: Arc<dyn InteractionSink>,
        shutdown: CancellationToken,
    ) -> Result<(), EndpointError> {
        let app = router(&self.settings, sink);
        // Answers are one small write each: do not let Nagle hold them back.
        let listener = self.listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY on an endpoint connection");
            }
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
            .map_err(EndpointError::Serve)
    }
}
