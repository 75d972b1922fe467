//! Novera's interactions endpoint: Discord POSTs each interaction, signed with Ed25519, and
//! takes the initial response as the HTTP answer; this crate verifies the requests and hands
//! the interactions to whatever feeds the command router.
//!
//! Large bots use an endpoint because commands keep working while shards reconnect, resume or
//! re-identify (after an op 9 or a 4009 close a gateway-only bot gets no commands until it
//! identified again), and because it is stateless and scales behind any load balancer.
//!
//! # What it does
//! - **Verifies** every request before reading it as JSON: `X-Signature-Ed25519` over
//!   `X-Signature-Timestamp` followed by the body, with the application's public key
//!   (ed25519-dalek's `verify_strict`); a timestamp further than
//!   [`EndpointSettings::timestamp_tolerance`] from the clock is refused, and so is a request
//!   whose signature was served before (replays). All of these are 401; a body over
//!   [`EndpointSettings::body_limit`] is 413, one that is not an interaction 400.
//! - **PING** (type 1) is answered with PONG (`{"type": 1}`), as Discord checks when the URL is
//!   saved.
//! - **Every other interaction** goes to an [`InteractionSink`] with a one-shot channel for its
//!   initial response. The response sent through it before
//!   [`EndpointSettings::answer_within`] is the HTTP answer (200 and the JSON callback body);
//!   the router's auto-defer sends its deferral the same way, so a slow command gets a
//!   deferral in the HTTP answer and its reply follows over REST, as on the gateway. If
//!   nothing came by then, the endpoint defers itself (type 5, 6 for a component, an empty
//!   choice list for autocomplete) and closes the channel, so exactly one initial response
//!   goes out. A channel dropped unsent is an empty 204 (the REST callback answered).
//!
//! TLS is not its job: it listens on plain HTTP behind a reverse proxy (docs/operations.md).
//!
//! # Where it sits
//! It depends on axum, ed25519-dalek, hex, tokio and twilight-model, and never on the gateway,
//! the command router or the broker (novera-gateway, novera-commands, twilight-gateway,
//! novera-cluster: checked in CI), so the same endpoint serves a standalone bot or a worker
//! behind a load balancer. novera-bot implements the sink over the router
//! (`Router::dispatch` with the answer channel) and runs the endpoint.
//!
//! # Main types
//! - [`EndpointSettings`] (address, [`PublicKey`], path, body limit, timestamp tolerance,
//!   answer window) and [`Endpoint`] ([`bind`](Endpoint::bind), [`serve`](Endpoint::serve)).
//! - [`router`]: the axum routes, for tests with `tower::ServiceExt::oneshot`.
//! - [`InteractionSink`] and [`Delivery`]: where verified interactions go.
//! - [`EndpointError`], [`KeyError`].
//!
//! Metrics: `novera_interactions_requests_total{outcome}` (`ping`, `answered`,
//! `deferred_by_endpoint`, `empty`, `unauthorized`, `too_large`, `malformed`),
//! `novera_interactions_rejected_total{reason}` (`missing_signature`, `malformed_signature`,
//! `bad_signature`, `stale`, `replayed`), `novera_interactions_answer_seconds` (from the body
//! read to the HTTP answer) and `novera_interactions_replay_evictions_total`.
//!
//! # Tasks
//! [`Endpoint::serve`] runs axum's server (a task per connection, spawned by hyper) until its
//! token is cancelled, then lets requests in flight finish; each is bounded by
//! `answer_within`. The crate spawns nothing else.
//!
//! # Example
//! ```no_run
//! use std::sync::Arc;
//! use novera_interactions::{Delivery, Endpoint, EndpointSettings, PublicKey};
//! use tokio_util::sync::CancellationToken;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let key = PublicKey::from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")?;
//! let endpoint = Endpoint::bind(EndpointSettings::new("127.0.0.1:8687".parse()?, key)).await?;
//! println!("Interactions Endpoint URL (behind the proxy): {}", endpoint.url());
//! // A real sink dispatches to the router; this one drops the channel (an empty answer).
//! let sink = Arc::new(|delivery: Delivery| drop(delivery.answer));
//! endpoint.serve(sink, CancellationToken::new()).await?;
//! # Ok(())
//! # }
//! ```

mod answer;
mod error;
mod replay;
mod server;
mod settings;
mod sink;
mod verify;

pub use error::{EndpointError, KeyError};
pub use server::{Endpoint, router};
pub use settings::{
    DEFAULT_ANSWER_WITHIN, DEFAULT_BODY_LIMIT, DEFAULT_PATH, DEFAULT_TIMESTAMP_TOLERANCE,
    EndpointSettings, INTERACTION_WINDOW, PublicKey,
};
pub use sink::{Delivery, InteractionSink};
pub use verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
