//! Starting a bot: login, then the parts of its [`Role`], then registration.
//!
//! Its own module so the role arrangements (the standalone one in `assembly.rs`, the cluster
//! ones in `cluster_roles.rs`) depend on the shared types without depending on each other.

use crate::assembly::{Bot, BotBuilder, degrade_on_step_down, open_state, register};
use crate::cluster_roles;
use crate::error::StartError;
use crate::login::login;
use crate::parts::Core;
use crate::settings::Role;

impl BotBuilder {
    /// Starts the bot in its [`Role`]: REST login (retried on transient failures); standalone,
    /// the shards (resuming saved sessions) and the router on their events; as a gateway, the
    /// shards publishing to the broker; as a worker, the router on the broker's events. Then
    /// registration, when asked for and the role routes.
    ///
    /// The router's component (`command-router`) is registered first, so readiness cannot
    /// hold before the shards and the router exist. A stop requested before login succeeded
    /// is [`StartError::StopRequested`].
    pub async fn start(self, core: &Core) -> Result<Bot, StartError> {
        // Boxed: login, the shards' start and registration make a large future, and every
        // caller would otherwise carry it inline.
        Box::pin(self.assemble(core)).await
    }

    async fn assemble(mut self, core: &Core) -> Result<Bot, StartError> {
        // Registered first, so readiness cannot hold before this role's parts exist: the router
        // (standalone, worker), or the publisher (gateway: its shards are registered only once
        // their leases are taken).
        let router_component = self
            .settings
            .role
            .routes()
            .then(|| core.status.register("command-router"));
        let publisher_component = matches!(self.settings.role, Role::Gateway(_))
            .then(|| core.status.register("event-publisher"));
        let login_component = core.status.register("discord-login");
        let (rest_guard, instance) = self.resolve_guards()?;
        if let Some(component) = &router_component {
            degrade_on_step_down(&instance, component);
        }
        // Before login: a state file another process holds is a configuration problem; a
        // cluster process joins the broker first, so its REST guard counts and paces with the
        // bot's other processes from the first request.
        let (state, broker) = match self.settings.role.clone() {
            Role::Standalone => (
                Some(open_state(self.state.take(), &self.settings).await?),
                None,
            ),
            Role::Gateway(cluster) | Role::Worker(cluster) => (
                None,
                Some(cluster_roles::join(&mut self, core, &cluster, &rest_guard).await?),
            ),
        };
        let login = login(
            &self.settings,
            &self.settings.gateway,
            &core.shutdown,
            &login_component,
            &self.status,
        )
        .await?;
        tracing::info!(
            user = %login.current_user().name,
            application_id = %login.application_id(),
            role = self.settings.role.name(),
            "logged in"
        );
        let mut bot = match self.settings.role.clone() {
            Role::Standalone => {
                let state = state.expect("the standalone role opened its state store");
                self.standalone(core, login, state).await?
            }
            Role::Gateway(_) => {
                let publisher = publisher_component
                    .expect("the event-publisher component is registered for the gateway role");
                let broker = broker.expect("a cluster role joined the broker");
                cluster_roles::gateway(self, core, login, broker, publisher).await?
            }
            Role::Worker(_) => {
                let broker = broker.expect("a cluster role joined the broker");
                cluster_roles::worker(self, core, login, broker).await?
            }
        };
        // After the router validated the sets (no duplicate names reach Discord) and while it
        // already routes: the shards' first events do not wait for this REST round trip.
        if let (Some(scope), Some(router)) = (bot.settings.registration, &bot.router) {
            bot.registration = Some(register(&bot.login, router, &rest_guard, scope).await);
        }
        if let Some(component) = router_component {
            component.ready();
            bot.router_component = Some(component);
        }
        Ok(bot)
    }
}
