//! `Shared`: the router's state that every context and handler task reaches.
//!
//! It lives beside [`Context`](super::Context) rather than in the router so that contexts and
//! handler runs can reach it without importing the router (modules form a DAG).

use std::sync::Arc;

use novera_cache::Cache;
use novera_core::{InstanceWatch, Shutdown, WorkPool};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use twilight_http::Client;
use twilight_model::application::interaction::Interaction;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;
use twilight_standby::Standby;

use crate::config::RouterConfig;
use crate::cooldown::Cooldowns;
use crate::failure::FailureObserver;
use crate::gateway_info::GatewayInfo;
use crate::ledger::InteractionLedger;
use crate::registry::Registry;
use crate::responder::{Kind, Responder, Rest, Target};
use crate::rest_guard::RestGuard;
use crate::state::{Clock, CommandState, StateStore, TimerBook};
use crate::stats::{Counters, RouterStats};
use crate::wait::ClaimBook;

/// State shared by the router, its tasks and every context.
pub(crate) struct Shared {
    pub(crate) http: Arc<Client>,
    pub(crate) application_id: Id<ApplicationMarker>,
    pub(crate) cache: Arc<Cache>,
    pub(crate) standby: Arc<Standby>,
    pub(crate) gateway: Arc<dyn GatewayInfo>,
    pub(crate) config: RouterConfig,
    pub(crate) registry: Registry,
    pub(crate) counters: Counters,
    pub(crate) pool: WorkPool,
    pub(crate) shutdown: Shutdown,
    pub(crate) quick_answers: Arc<Semaphore>,
    pub(crate) claims: ClaimBook,
    pub(crate) cooldowns: Cooldowns,
    pub(crate) started: Instant,
    pub(crate) on_failure: Option<FailureObserver>,
    /// Where acknowledgements are recorded when several processes may answer (cluster roles).
    pub(crate) ledger: Option<Arc<dyn InteractionLedger>>,
    /// The bot's REST guard: every request the router and contexts send goes through it.
    pub(crate) rest_guard: RestGuard,
    /// This process's tag and what it noticed of other instances.
    pub(crate) instance: Arc<InstanceWatch>,
    /// Command state and timers (a file, memory, or a bucket shared by every process).
    pub(crate) state: Arc<dyn StateStore>,
    pub(crate) clock: Clock,
    pub(crate) timers: TimerBook,
}

impl Shared {
    pub(crate) fn stats(&self) -> RouterStats {
        self.counters.snapshot(self.pool.in_flight())
    }

    /// How answers reach Discord.
    pub(crate) fn rest(&self) -> Rest {
        Rest {
            http: Arc::clone(&self.http),
            guard: self.rest_guard.clone(),
            instance: Arc::clone(&self.instance),
        }
    }

    /// Command `name`'s view of the state store.
    pub(crate) fn command_state(&self, name: &str) -> CommandState {
        CommandState::new(
            Arc::clone(&self.state),
            name,
            self.clock,
            self.timers.clone(),
        )
    }

    pub(crate) fn interaction_responder(&self, interaction: &Interaction, kind: Kind) -> Responder {
        Responder::new(
            self.rest(),
            self.application_id,
            Target::Interaction {
                id: interaction.id,
                token: interaction.token.clone(),
                component_message: interaction.message.as_ref().map(|m| (m.channel_id, m.id)),
            },
            kind,
            self.config.rest_deadline,
        )
        .with_ledger(self.ledger.clone())
    }
}
