//! `ControlClient`: typed access to the control API, in-process or from another process.

use std::fmt::Display;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ControlError;
use crate::kinds::interaction_type;
use crate::requests::{
    Click, EndpointProbe, LoadKindName, LoadRequest, PostMessage, RunCommand, SetApplication,
    SubmitModal,
};
use crate::types::{
    CreatedInteraction, CreatedMessage, Fault, FaultApplied, InteractionStatus, LoadStarted,
    ProbeAnswer, RequestLogEntry, SimApplication, SimState,
};

/// A client of a simulator's control API (`/_sim`), over loopback HTTP.
///
/// Ids are taken as anything printable (`u64`, `&str`, twilight `Id`s) and sent as strings.
#[derive(Debug, Clone)]
pub struct ControlClient {
    base: String,
    http: reqwest::Client,
}

impl ControlClient {
    /// A client for the simulator at `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: impl Into<String>) -> Self {
        let base = base_url.into().trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Self { base, http }
    }

    /// The simulator's base URL.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        url: String,
    ) -> Result<T, ControlError> {
        let response = request.send().await.map_err(|source| ControlError::Http {
            url: url.clone(),
            source,
        })?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(ControlError::Status {
                url,
                status: status.as_u16(),
                body,
            });
        }
        response
            .json::<T>()
            .await
            .map_err(|source| ControlError::Http { url, source })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ControlError> {
        let url = format!("{}/_sim{path}", self.base);
        self.send(self.http.get(&url), url).await
    }

    async fn post<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ControlError> {
        let url = format!("{}/_sim{path}", self.base);
        self.send(self.http.post(&url).json(body), url).await
    }

    /// `GET /_sim/state`.
    pub async fn state(&self) -> Result<SimState, ControlError> {
        self.get("/state").await
    }

    /// `POST /_sim/messages`: a user (the first user when `None`) posts in a channel.
    pub async fn post_message(
        &self,
        channel_id: impl Display,
        content: &str,
        author_id: Option<u64>,
    ) -> Result<CreatedMessage, ControlError> {
        let mut message = PostMessage::new(id(channel_id)?, content);
        message.author_id = author_id;
        self.send_message(&message).await
    }

    /// `POST /_sim/messages` with every field: a user, or the bot user (to play another
    /// instance of the bot), posts, with a nonce and embeds if given.
    pub async fn send_message(
        &self,
        message: &PostMessage,
    ) -> Result<CreatedMessage, ControlError> {
        self.post("/messages", message).await
    }

    /// `POST /_sim/interactions`: a user runs a slash command. `options` is the
    /// `data.options` array as Discord sends it (`Value::Null` for none).
    pub async fn run_command(
        &self,
        name: &str,
        options: Value,
        guild_id: Option<u64>,
        channel_id: Option<u64>,
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let command = command(name, options, guild_id, channel_id, user_id)?;
        self.interact(&command).await
    }

    /// `POST /_sim/interactions` with `type: 4`: a user types in an autocomplete option of
    /// `/name`. `options` is the `data.options` array as Discord sends it, with exactly one
    /// option (possibly inside a sub-command) marked `"focused": true` whose `value` is the
    /// text typed so far. The bot must answer with callback type 8.
    pub async fn autocomplete(
        &self,
        name: &str,
        options: Value,
        guild_id: Option<u64>,
        channel_id: Option<u64>,
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let command = command(name, options, guild_id, channel_id, user_id)?
            .kind(interaction_type::APPLICATION_COMMAND_AUTOCOMPLETE);
        self.interact(&command).await
    }

    /// `POST /_sim/interactions` with every field.
    pub async fn interact(&self, command: &RunCommand) -> Result<CreatedInteraction, ControlError> {
        self.post("/interactions", command).await
    }

    /// `POST /_sim/modals`: a user (the one the modal was shown to when `None`) submits the
    /// modal the bot answered `interaction_id` with, filling text inputs by `custom_id`.
    pub async fn submit_modal(
        &self,
        interaction_id: impl Display,
        values: &[(&str, &str)],
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let submit = SubmitModal {
            interaction_id: id(interaction_id)?,
            values: Some(
                values
                    .iter()
                    .map(|(id, text)| ((*id).to_owned(), Value::from(*text)))
                    .collect(),
            ),
            user_id,
        };
        self.post("/modals", &submit).await
    }

    /// `POST /_sim/components`: a user clicks the button `custom_id` on a message.
    pub async fn click(
        &self,
        message_id: impl Display,
        custom_id: &str,
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let mut click = Click::new(id(message_id)?, custom_id);
        click.user_id = user_id;
        self.click_with(&click).await
    }

    /// `POST /_sim/components` with every field (a select's `values`).
    pub async fn click_with(&self, click: &Click) -> Result<CreatedInteraction, ControlError> {
        self.post("/components", click).await
    }

    /// `GET /_sim/interactions/{id}`.
    pub async fn interaction(&self, id: impl Display) -> Result<InteractionStatus, ControlError> {
        self.get(&format!("/interactions/{id}")).await
    }

    /// `GET /_sim/channels/{id}/messages`: oldest first, each with the `allowed_mentions` the
    /// bot sent (`null` for users' messages) and the `nonce` it was sent with, if any.
    pub async fn channel_messages(
        &self,
        channel_id: impl Display,
    ) -> Result<Vec<Value>, ControlError> {
        self.get(&format!("/channels/{channel_id}/messages")).await
    }

    /// `GET /_sim/requests`: the REST request log.
    pub async fn requests(&self) -> Result<Vec<RequestLogEntry>, ControlError> {
        self.get("/requests").await
    }

    /// `POST /_sim/faults`.
    pub async fn fault(&self, fault: &Fault) -> Result<FaultApplied, ControlError> {
        self.post("/faults", fault).await
    }

    /// `POST /_sim/load` with `kind: messages`: `count` `MESSAGE_CREATEs` as fast as the socket
    /// takes them (to the first channel of the first guild when `channel_id` is `None`).
    pub async fn load_messages(
        &self,
        count: u64,
        channel_id: Option<u64>,
    ) -> Result<LoadStarted, ControlError> {
        let load = LoadRequest {
            kind: LoadKindName::Messages,
            count,
            channel_id,
            weights: None,
        };
        self.post("/load", &load).await
    }

    /// `POST /_sim/load` with `kind: mix`: `count` dispatches of several kinds in one channel
    /// (the first of the first guild when `channel_id` is `None`), spread by `weights` (event
    /// name and integer weight, e.g. `[("MESSAGE_CREATE", 4), ("TYPING_START", 4)]`), or by the
    /// simulator's default mix when `None`. The session needs the intent of every kind used.
    pub async fn load_mix(
        &self,
        count: u64,
        channel_id: Option<u64>,
        weights: Option<&[(&str, u32)]>,
    ) -> Result<LoadStarted, ControlError> {
        let load = LoadRequest {
            kind: LoadKindName::Mix,
            count,
            channel_id,
            weights: weights.map(|w| {
                w.iter()
                    .map(|(name, weight)| ((*name).to_owned(), u64::from(*weight)))
                    .collect()
            }),
        };
        self.post("/load", &load).await
    }

    /// `POST /_sim/reset`: refills the identify budget, restores the token, clears rate limits,
    /// faults, the request log and the violations report.
    pub async fn reset(&self) -> Result<(), ControlError> {
        let _: Value = self.post("/reset", &serde_json::Map::new()).await?;
        Ok(())
    }

    /// `GET /_sim/application`: the interactions endpoint URL and the application's public
    /// key (`verify_key`), which a bot verifies endpoint requests with.
    pub async fn application(&self) -> Result<SimApplication, ControlError> {
        self.get("/application").await
    }

    /// `POST /_sim/application`: sets the interactions endpoint URL (after Discord's checks:
    /// a badly signed request must get 401 and a signed PING a PONG, else the call fails with
    /// 400 and the reason), or clears it with `None` (interactions go over the gateway again).
    pub async fn set_interactions_endpoint(
        &self,
        url: Option<&str>,
    ) -> Result<SimApplication, ControlError> {
        let body = SetApplication {
            interactions_endpoint_url: url.map(str::to_owned),
        };
        self.post("/application", &body).await
    }

    /// `POST /_sim/application/probe`: sends one request to the endpoint, signed as `probe`
    /// says, and returns what the endpoint answered.
    pub async fn probe_endpoint(&self, probe: &EndpointProbe) -> Result<ProbeAnswer, ControlError> {
        self.post("/application/probe", probe).await
    }
}

/// An id given as anything printable, as the control API reads it.
fn id(value: impl Display) -> Result<u64, ControlError> {
    let text = value.to_string();
    text.parse()
        .map_err(|_| ControlError::Invalid(format!("`{text}` is not a snowflake")))
}

fn command(
    name: &str,
    options: Value,
    guild_id: Option<u64>,
    channel_id: Option<u64>,
    user_id: Option<u64>,
) -> Result<RunCommand, ControlError> {
    let mut command = RunCommand::new(name);
    command.options = match options {
        Value::Null => None,
        Value::Array(options) => Some(options),
        other => {
            return Err(ControlError::Invalid(format!(
                "`options` must be an array of options or null, not {other}"
            )));
        }
    };
    command.guild_id = guild_id;
    command.channel_id = channel_id;
    command.user_id = user_id;
    Ok(command)
}
