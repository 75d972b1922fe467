//! `TestBot`: novera-sim, novera-gateway and the command router, in-process.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use novera_bot::{
    Bot, BotSettings, BotStatus, Core, EndpointSettings, GatewayView, PublicKey, StopReport,
};
use novera_commands::{
    CommandFailure, CommandSet, CommandState, FileStateStore, RegisterOutcome, RestGuard, Router,
    RouterConfig, RouterStats, Scope, StateStore, register,
};
use novera_core::{Escalations, RestartPolicy};
use novera_gateway::{GatewayConfig, Secret};
use novera_sim::{
    ControlClient, InteractionStatus, RequestLogEntry, SimHandle, SimState, Simulator,
    SimulatorBuilder, Violation,
};
use serde_json::Value;
use twilight_model::gateway::Intents;

use crate::error::TestkitError;

/// The token the simulator and the bot agree on.
const TOKEN: &str = "novera-testkit-token";

/// Every wait of the testkit is bounded by this (generous: CI machines are shared and slow).
pub const WAIT: Duration = Duration::from_secs(20);

/// How often waits poll the simulator.
const POLL: Duration = Duration::from_millis(20);

/// Observer of failed invocations, kept to assemble the bot again at a restart.
type FailureObserver = Arc<dyn Fn(&CommandFailure) + Send + Sync>;

/// Maps the simulator's base URL to the URL the bot sends its REST calls to.
type RestUrl = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What assembles the bot, kept so [`TestBot::restart_bot`] assembles the same one again.
#[derive(Clone)]
struct Assembly {
    settings: BotSettings,
    sets: Vec<CommandSet>,
    on_failure: Option<FailureObserver>,
    /// Interactions over HTTP: the bot's endpoint, whose URL the simulator is told.
    over_http: bool,
    /// Where the bot's REST calls go, given the simulator's base URL (default: the simulator).
    rest_url: Option<RestUrl>,
    /// The bot's REST guard (default: the one the bot builds from its settings).
    rest_guard: Option<RestGuard>,
}

impl Assembly {
    /// Starts the bot (as the binary does) against the simulator `control` speaks for, over
    /// `state`; with `over_http`, the simulator then sends interactions to the bot's endpoint.
    async fn start(
        &self,
        control: &ControlClient,
        state: Arc<dyn StateStore>,
    ) -> Result<(Bot, Arc<BotStatus>, Core, Escalations), TestkitError> {
        let (core, escalations) = Core::new(RestartPolicy::default());
        let status = Arc::new(BotStatus::new());
        let endpoint = if self.over_http {
            let key = PublicKey::from_hex(&control.application().await?.verify_key)?;
            Some(EndpointSettings::new(([127, 0, 0, 1], 0).into(), key))
        } else {
            None
        };
        let sim_url = control.base_url().to_owned();
        let api_url = match &self.rest_url {
            Some(to) => to(&sim_url),
            None => sim_url,
        };
        let mut builder = Bot::builder(self.settings.clone())
            .configure(|settings| {
                settings.gateway.api_url = Some(api_url);
                settings.interactions = endpoint;
            })
            .state(state)
            .status(Arc::clone(&status));
        for set in &self.sets {
            builder = builder.commands(set.clone());
        }
        if let Some(guard) = &self.rest_guard {
            builder = builder.rest_guard(guard.clone());
        }
        if let Some(observer) = self.on_failure.clone() {
            builder = builder.on_failure(move |failure| observer(failure));
        }
        let bot = bounded("bot start", builder.start(&core)).await??;
        if let Some(Err(error)) = bot.registration() {
            let reason = novera_core::error_chain(error);
            bot.stop().await;
            return Err(TestkitError::Registration(reason));
        }
        if let Some(url) = bot.interactions_url() {
            let saved = bounded(
                "saving the interactions endpoint URL",
                control.set_interactions_endpoint(Some(url)),
            )
            .await?;
            if let Err(error) = saved {
                bot.stop().await;
                return Err(error.into());
            }
        }
        Ok((bot, status, core, escalations))
    }
}

/// Configures a [`TestBot`]; see [`TestBot::builder`].
#[must_use]
pub struct TestBotBuilder {
    sim: SimulatorBuilder,
    assembly: Assembly,
    state: Option<Arc<dyn StateStore>>,
}

impl std::fmt::Debug for TestBotBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestBotBuilder")
            .field("sim", &self.sim)
            .field("settings", &self.assembly.settings)
            .field("sets", &self.assembly.sets)
            .field("custom_rest_url", &self.assembly.rest_url.is_some())
            .finish_non_exhaustive()
    }
}

impl TestBotBuilder {
    /// Sends the bot's REST calls to the URL `to` returns for the simulator's base URL (e.g. a
    /// proxy in front of it that loses answers); the gateway is still the simulator's. Kept
    /// across [`TestBot::restart_bot`].
    pub fn rest_url(mut self, to: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        self.assembly.rest_url = Some(Arc::new(to));
        self
    }

    /// Gives the bot this REST guard (e.g. one sharing rate limits a test watches); kept across
    /// [`TestBot::restart_bot`].
    pub fn rest_guard(mut self, guard: RestGuard) -> Self {
        self.assembly.rest_guard = Some(guard);
        self
    }

    /// Adds a command set.
    pub fn commands(mut self, set: CommandSet) -> Self {
        self.assembly.sets.push(set);
        self
    }

    /// Sets the router's configuration (auto-defer, deadline, in-flight limit, prefix...).
    pub fn router_config(mut self, config: RouterConfig) -> Self {
        self.assembly.settings.router = config;
        self
    }

    /// Keeps command state in `store` (default: a [`FileStateStore`] in a temporary directory
    /// the bot owns); the same store is used again by [`TestBot::restart_bot`].
    pub fn state(mut self, store: Arc<dyn StateStore>) -> Self {
        self.state = Some(store);
        self
    }

    /// How often the bot looks for due timers (default 100 ms, so timer tests run quickly).
    pub fn timer_interval(mut self, interval: Duration) -> Self {
        self.assembly.settings.timer_interval = interval;
        self
    }

    /// Adjusts the simulator (e.g. a shorter `interaction_window`, more members).
    pub fn sim(mut self, adjust: impl FnOnce(SimulatorBuilder) -> SimulatorBuilder) -> Self {
        self.sim = adjust(self.sim);
        self
    }

    /// Observes every failed invocation, like the binary's alerting does.
    pub fn on_failure(
        mut self,
        observer: impl Fn(&CommandFailure) + Send + Sync + 'static,
    ) -> Self {
        self.assembly.on_failure = Some(Arc::new(observer));
        self
    }

    /// Whether interactions arrive over HTTP (default false: over the gateway): the bot runs
    /// its interactions endpoint on `127.0.0.1:0` with the simulator's `verify_key`, and the
    /// simulator is told its URL (after Discord's checks on save) once the bot is up, again
    /// after [`TestBot::restart_bot`].
    pub fn interactions_over_http(mut self, over_http: bool) -> Self {
        self.assembly.over_http = over_http;
        self
    }

    /// Whether `start` registers the definitions globally (default true).
    pub fn register(mut self, register: bool) -> Self {
        self.assembly.settings.registration = register.then_some(Scope::Global);
        self
    }

    /// Starts the simulator, then the bot exactly as the binary assembles it (login, shards,
    /// router, registration), and waits until every shard is active.
    ///
    /// # Panics
    /// Never: the testkit's bot is always standalone, so it always has shards and a router.
    pub async fn start(self) -> Result<TestBot, TestkitError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (store, state_dir) = if let Some(store) = self.state {
            (store, None)
        } else {
            let dir = tempfile::tempdir().map_err(|e| TestkitError::State(e.to_string()))?;
            let store = FileStateStore::open(dir.path().join("state.redb"))
                .await
                .map_err(|e| TestkitError::State(novera_core::error_chain(&e)))?;
            (Arc::new(store) as Arc<dyn StateStore>, Some(dir))
        };
        let sim = self.sim.token(TOKEN).start().await?;
        let control = sim.control();
        // Boxed, like the stop: starting is a large future.
        let (bot, status, core, escalations) =
            Box::pin(self.assembly.start(&control, Arc::clone(&store))).await?;
        let (router, gateway) = standalone_parts(&bot);
        let state = control.state().await?;
        let bot = TestBot {
            sim,
            control,
            state,
            router,
            gateway,
            bot,
            status,
            assembly: self.assembly,
            store,
            state_dir,
            _core: core,
            _escalations: escalations,
        };
        bot.wait_for_shards().await?;
        Ok(bot)
    }
}

/// novera-sim, novera-gateway and the command router running in this process, on an
/// ephemeral loopback port, with helpers to act as Discord's users and inspect the outcome.
///
/// Waits are bounded by [`WAIT`]: a test that waits for something that never happens fails
/// with [`TestkitError::Timeout`] instead of hanging.
pub struct TestBot {
    sim: SimHandle,
    control: ControlClient,
    state: SimState,
    bot: Bot,
    router: Router,
    gateway: Arc<novera_gateway::Gateway>,
    status: Arc<BotStatus>,
    assembly: Assembly,
    store: Arc<dyn StateStore>,
    /// Keeps the default store's directory until the bot is dropped.
    #[allow(
        dead_code,
        reason = "held for its Drop: the directory is deleted with the bot"
    )]
    state_dir: Option<tempfile::TempDir>,
    _core: Core,
    _escalations: Escalations,
}

impl std::fmt::Debug for TestBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestBot")
            .field("sim", &self.control.base_url())
            .field("bot", &self.bot)
            .finish_non_exhaustive()
    }
}

impl TestBot {
    /// Starts a bot serving `sets` with default settings (see [`TestBot::builder`]).
    pub async fn start(sets: impl IntoIterator<Item = CommandSet>) -> Result<Self, TestkitError> {
        let mut builder = Self::builder();
        for set in sets {
            builder = builder.commands(set);
        }
        builder.start().await
    }

    /// A builder with a small simulated world (1 guild, 2 channels, 6 members) and short
    /// heartbeats, so `/ping` has a latency within a second.
    pub fn builder() -> TestBotBuilder {
        TestBotBuilder {
            sim: Simulator::builder()
                .guilds(1)
                .channels_per_guild(2)
                .members_per_guild(6)
                .heartbeat_interval(Duration::from_millis(250))
                .identify_window(Duration::from_millis(20)),
            assembly: Assembly {
                settings: settings(),
                sets: Vec::new(),
                on_failure: None,
                over_http: false,
                rest_url: None,
                rest_guard: None,
            },
            state: None,
        }
    }

    /// The simulator's control API, for anything the helpers do not cover.
    #[must_use]
    pub fn control(&self) -> &ControlClient {
        &self.control
    }

    /// The command state store, kept across [`restart_bot`](Self::restart_bot).
    #[must_use]
    pub fn state_store(&self) -> &Arc<dyn StateStore> {
        &self.store
    }

    /// Command `name`'s state, as its handlers see it (to check what a command saved).
    #[must_use]
    pub fn command_state(&self, name: &str) -> CommandState {
        self.router.command_state(name)
    }

    /// Stops the bot as the binary does (see [`Bot::stop`]) and starts it again over the same
    /// command state store and the same simulator, as a deploy restarts it: what commands
    /// saved, and the timers they scheduled, are there for the new bot. Returns the restarted
    /// bot (its shards active) and the stop's report.
    pub async fn restart_bot(self) -> Result<(Self, StopReport), TestkitError> {
        let Self {
            sim,
            control,
            state,
            bot,
            assembly,
            store,
            state_dir,
            ..
        } = self;
        // Boxed: the stop is a large future, and every test awaiting a restart would carry it.
        let report = Box::pin(bot.stop()).await;
        let (bot, status, core, escalations) =
            Box::pin(assembly.start(&control, Arc::clone(&store))).await?;
        let (router, gateway) = standalone_parts(&bot);
        let restarted = Self {
            sim,
            control,
            state,
            router,
            gateway,
            bot,
            status,
            assembly,
            store,
            state_dir,
            _core: core,
            _escalations: escalations,
        };
        restarted.wait_for_shards().await?;
        Ok((restarted, report))
    }

    async fn wait_for_shards(&self) -> Result<(), TestkitError> {
        let gateway = Arc::clone(&self.gateway);
        self.wait_until("every shard active", || {
            let active = gateway.status().all_active();
            async move { Ok(active.then_some(())) }
        })
        .await
    }

    /// The bot's interactions endpoint URL, when it was started with
    /// [`TestBotBuilder::interactions_over_http`].
    #[must_use]
    pub fn interactions_url(&self) -> Option<&str> {
        self.bot.interactions_url()
    }

    /// The router (e.g. for [`Router::stats`]).
    #[must_use]
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The bot's REST client (logged in to the simulator).
    #[must_use]
    pub fn http(&self) -> Arc<twilight_http::Client> {
        self.bot.login().http()
    }

    /// The gateway's status as commands see it.
    #[must_use]
    pub fn gateway_info(&self) -> GatewayView {
        GatewayView::new(Arc::clone(&self.gateway))
    }

    /// What the health server's `/status` would show about Discord (shards, budget, commands).
    #[must_use]
    pub fn status(&self) -> &Arc<BotStatus> {
        &self.status
    }

    /// The router's counters.
    #[must_use]
    pub fn stats(&self) -> RouterStats {
        self.router.stats()
    }

    /// The simulated world's first guild.
    pub fn guild_id(&self) -> Result<u64, TestkitError> {
        let raw = self.state.guilds.first().map_or("", |g| g.id.as_str());
        parse_id(raw)
    }

    /// The first channel of the first guild, where helpers act by default.
    pub fn channel_id(&self) -> Result<u64, TestkitError> {
        self.channel(0)
    }

    /// Channel `index` of the first guild.
    pub fn channel(&self, index: usize) -> Result<u64, TestkitError> {
        let raw = self
            .state
            .guilds
            .first()
            .and_then(|g| g.channels.get(index))
            .map_or("", String::as_str);
        parse_id(raw)
    }

    /// The simulated human users (the first one acts when no user is given).
    pub fn users(&self) -> Result<Vec<u64>, TestkitError> {
        self.state.users.iter().map(|u| parse_id(u)).collect()
    }

    /// User `index`.
    pub fn user(&self, index: usize) -> Result<u64, TestkitError> {
        parse_id(self.state.users.get(index).map_or("", String::as_str))
    }

    /// The application (and bot user) id.
    pub fn application_id(&self) -> Result<u64, TestkitError> {
        parse_id(&self.state.application_id)
    }

    /// Registers the router's definitions globally again (as a restart would).
    pub async fn register(&self) -> Result<RegisterOutcome, TestkitError> {
        let login = self.bot.login();
        let defs = self.router.defs();
        Ok(bounded(
            "command registration",
            register(&login.http(), login.application_id(), &defs, Scope::Global),
        )
        .await??)
    }

    /// The first user runs `/name` in the default channel; `options` is Discord's
    /// `data.options` array (see [`options`](crate::options)), `Value::Null` for none.
    /// Returns the interaction id.
    pub async fn run_command(&self, name: &str, options: Value) -> Result<u64, TestkitError> {
        self.run_command_as(self.user(0)?, name, options).await
    }

    /// `user` runs `/name` in the default channel.
    pub async fn run_command_as(
        &self,
        user: u64,
        name: &str,
        options: Value,
    ) -> Result<u64, TestkitError> {
        let created = self
            .control
            .run_command(
                name,
                options,
                Some(self.guild_id()?),
                Some(self.channel_id()?),
                Some(user),
            )
            .await?;
        parse_id(&created.id)
    }

    /// The first user types in an autocomplete option of `/name` in the default channel;
    /// `options` must mark the option being typed in `"focused": true` (see
    /// [`autocomplete_options`](crate::autocomplete_options)). Returns the interaction id; the
    /// bot's choices show in [`InteractionStatus::choices`] once it answered.
    pub async fn autocomplete(&self, name: &str, options: Value) -> Result<u64, TestkitError> {
        self.autocomplete_as(self.user(0)?, name, options).await
    }

    /// `user` types in an autocomplete option of `/name` in the default channel.
    pub async fn autocomplete_as(
        &self,
        user: u64,
        name: &str,
        options: Value,
    ) -> Result<u64, TestkitError> {
        let created = self
            .control
            .autocomplete(
                name,
                options,
                Some(self.guild_id()?),
                Some(self.channel_id()?),
                Some(user),
            )
            .await?;
        parse_id(&created.id)
    }

    /// The user the bot showed a modal to (in answer to `interaction_id`) submits it, filling
    /// its text inputs by `custom_id`; returns the new (modal submit) interaction id. Fails
    /// when the bot showed no modal there (see [`TestBot::wait_for_interaction`] to wait for it).
    pub async fn submit_modal(
        &self,
        interaction_id: u64,
        values: &[(&str, &str)],
    ) -> Result<u64, TestkitError> {
        let created = self
            .control
            .submit_modal(interaction_id, values, None)
            .await?;
        parse_id(&created.id)
    }

    /// `user` submits the modal the bot showed in answer to `interaction_id`.
    pub async fn submit_modal_as(
        &self,
        user: u64,
        interaction_id: u64,
        values: &[(&str, &str)],
    ) -> Result<u64, TestkitError> {
        let created = self
            .control
            .submit_modal(interaction_id, values, Some(user))
            .await?;
        parse_id(&created.id)
    }

    /// The first user posts `content` in the default channel; returns the message id.
    pub async fn post_message(&self, content: &str) -> Result<u64, TestkitError> {
        self.post_message_as(self.user(0)?, content).await
    }

    /// `user` posts `content` in the default channel.
    pub async fn post_message_as(&self, user: u64, content: &str) -> Result<u64, TestkitError> {
        let created = self
            .control
            .post_message(self.channel_id()?, content, Some(user))
            .await?;
        parse_id(&created.id)
    }

    /// `user` clicks the button `custom_id` on `message_id`; returns the interaction id.
    pub async fn click(
        &self,
        message_id: u64,
        custom_id: &str,
        user: u64,
    ) -> Result<u64, TestkitError> {
        let created = self
            .control
            .click(message_id, custom_id, Some(user))
            .await?;
        parse_id(&created.id)
    }

    /// Messages of the default channel, oldest first, each with the `allowed_mentions` the
    /// bot sent.
    pub async fn channel_messages(&self) -> Result<Vec<Value>, TestkitError> {
        Ok(self.control.channel_messages(self.channel_id()?).await?)
    }

    /// Message `message_id` of the default channel as it is now (after every edit), if it
    /// exists: e.g. the message a command keeps up to date (a poll's tally).
    pub async fn message(&self, message_id: u64) -> Result<Option<Value>, TestkitError> {
        let id = message_id.to_string();
        Ok(self
            .channel_messages()
            .await?
            .into_iter()
            .find(|m| m["id"] == id.as_str()))
    }

    /// What the bot did with interaction `id` so far.
    pub async fn interaction(&self, id: u64) -> Result<InteractionStatus, TestkitError> {
        Ok(self.control.interaction(id).await?)
    }

    /// Waits until interaction `id` satisfies `done`, and returns it.
    pub async fn wait_for_interaction(
        &self,
        id: u64,
        what: &str,
        done: impl Fn(&InteractionStatus) -> bool,
    ) -> Result<InteractionStatus, TestkitError> {
        self.wait_until(what, || async {
            let status = self.interaction(id).await?;
            Ok(done(&status).then_some(status))
        })
        .await
    }

    /// Waits until interaction `id` got its initial response.
    pub async fn wait_responded(&self, id: u64) -> Result<InteractionStatus, TestkitError> {
        self.wait_for_interaction(id, "an initial response", |s| s.responded)
            .await
    }

    /// The REST requests the simulator received.
    pub async fn requests(&self) -> Result<Vec<RequestLogEntry>, TestkitError> {
        Ok(self.control.requests().await?)
    }

    /// Rules the bot broke, as the simulator recorded them (10062s, late responses, pings...).
    pub async fn violations(&self) -> Result<Vec<Violation>, TestkitError> {
        Ok(self.control.state().await?.violations)
    }

    /// Polls `check` every 20 ms until it yields a value, bounded by [`WAIT`].
    pub async fn wait_until<T, F, Fut>(&self, what: &str, mut check: F) -> Result<T, TestkitError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, TestkitError>>,
    {
        let polling = async {
            loop {
                if let Some(value) = check().await? {
                    return Ok(value);
                }
                tokio::time::sleep(POLL).await;
            }
        };
        match tokio::time::timeout(WAIT, polling).await {
            Ok(result) => result,
            Err(_) => Err(TestkitError::Timeout {
                what: what.to_owned(),
                limit: WAIT,
            }),
        }
    }

    /// Stops the bot exactly as the binary does (see [`Bot::stop`]: shards closed resumably
    /// and sessions saved, queued events routed, handlers drained within 5 s), then the
    /// simulator.
    pub async fn shutdown(self) -> StopReport {
        let (report, sim) = self.stop_bot().await;
        sim.shutdown().await;
        report
    }

    /// Stops the bot as [`shutdown`](Self::shutdown) does but leaves the simulator running, to
    /// inspect what the bot did while stopping; stop it with [`SimHandle::shutdown`].
    pub async fn stop_bot(self) -> (StopReport, SimHandle) {
        let Self { sim, bot, .. } = self;
        // Boxed: the stop is a large future, and every test awaiting a shutdown would carry it.
        (Box::pin(bot.stop()).await, sim)
    }
}

/// The testkit's settings: the simulator's token, the intents the built-ins need, short REST
/// and close deadlines and a fast identify pace; the API URL is set once the simulator runs.
fn settings() -> BotSettings {
    let gateway = GatewayConfig {
        token: Secret::new(TOKEN),
        intents: Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
        rest_deadline: Duration::from_secs(5),
        close_deadline: Duration::from_secs(3),
        identify_interval: Duration::from_millis(50),
        ..GatewayConfig::default()
    };
    let mut settings = BotSettings::new(gateway)
        .registration(Some(Scope::Global))
        .stop_timeouts(Duration::from_secs(3), Duration::from_secs(5));
    settings.timer_interval = Duration::from_millis(100);
    settings
}

/// The router and shards of the testkit's bot.
///
/// # Panics
/// Never: the testkit's bot is always standalone, so it always has shards and a router.
fn standalone_parts(bot: &Bot) -> (Router, Arc<novera_gateway::Gateway>) {
    (
        bot.router()
            .cloned()
            .expect("the testkit's bot is standalone, so it has a router"),
        bot.gateway()
            .cloned()
            .expect("the testkit's bot is standalone, so it has shards"),
    )
}

async fn bounded<F: Future>(what: &str, future: F) -> Result<F::Output, TestkitError> {
    tokio::time::timeout(WAIT, future)
        .await
        .map_err(|_| TestkitError::Timeout {
            what: what.to_owned(),
            limit: WAIT,
        })
}

fn parse_id(raw: &str) -> Result<u64, TestkitError> {
    raw.parse().map_err(|_| TestkitError::BadId(raw.to_owned()))
}
