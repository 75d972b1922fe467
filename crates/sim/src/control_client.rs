//! `ControlClient`: typed access to the control API, in-process or from another process.

use std::fmt::Display;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ControlError;
use crate::types::{
    CreatedInteraction, CreatedMessage, Fault, FaultApplied, InteractionStatus, LoadStarted,
    RequestLogEntry, SimState,
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
        let mut body = json!({"channel_id": channel_id.to_string(), "content": content});
        if let (Some(author), Some(map)) = (author_id, body.as_object_mut()) {
            map.insert("author_id".into(), json!(author.to_string()));
        }
        self.post("/messages", &body).await
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
        self.create_interaction(2, name, options, guild_id, channel_id, user_id)
            .await
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
        self.create_interaction(4, name, options, guild_id, channel_id, user_id)
            .await
    }

    /// `POST /_sim/interactions` with the interaction `type` (2 command, 4 autocomplete).
    async fn create_interaction(
        &self,
        kind: u8,
        name: &str,
        options: Value,
        guild_id: Option<u64>,
        channel_id: Option<u64>,
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let body = json!({
            "type": kind,
            "name": name,
            "options": options,
            "guild_id": guild_id.map(|g| g.to_string()),
            "channel_id": channel_id.map(|c| c.to_string()),
            "user_id": user_id.map(|u| u.to_string()),
        });
        self.post("/interactions", &body).await
    }

    /// `POST /_sim/modals`: a user (the one the modal was shown to when `None`) submits the
    /// modal the bot answered `interaction_id` with, filling text inputs by `custom_id`.
    pub async fn submit_modal(
        &self,
        interaction_id: impl Display,
        values: &[(&str, &str)],
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let values: serde_json::Map<String, Value> = values
            .iter()
            .map(|(id, text)| ((*id).to_owned(), json!(text)))
            .collect();
        let body = json!({
            "interaction_id": interaction_id.to_string(),
            "values": values,
            "user_id": user_id.map(|u| u.to_string()),
        });
        self.post("/modals", &body).await
    }

    /// `POST /_sim/components`: a user clicks the button `custom_id` on a message.
    pub async fn click(
        &self,
        message_id: impl Display,
        custom_id: &str,
        user_id: Option<u64>,
    ) -> Result<CreatedInteraction, ControlError> {
        let body = json!({
            "message_id": message_id.to_string(),
            "custom_id": custom_id,
            "user_id": user_id.map(|u| u.to_string()),
        });
        self.post("/components", &body).await
    }

    /// `GET /_sim/interactions/{id}`.
    pub async fn interaction(&self, id: impl Display) -> Result<InteractionStatus, ControlError> {
        self.get(&format!("/interactions/{id}")).await
    }

    /// `GET /_sim/channels/{id}/messages`: oldest first, each with the `allowed_mentions` the
    /// bot sent (`null` for users' messages).
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
        let body = json!({
            "kind": "messages",
            "count": count,
            "channel_id": channel_id.map(|c| c.to_string()),
        });
        self.post("/load", &body).await
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
        let weights = weights.map(|w| {
            w.iter()
                .map(|(name, weight)| ((*name).to_owned(), json!(weight)))
                .collect::<serde_json::Map<_, _>>()
        });
        let body = json!({
            "kind": "mix",
            "count": count,
            "channel_id": channel_id.map(|c| c.to_string()),
            "weights": weights,
        });
        self.post("/load", &body).await
    }

    /// `POST /_sim/reset`: refills the identify budget, restores the token, clears rate limits,
    /// faults, the request log and the violations report.
    pub async fn reset(&self) -> Result<(), ControlError> {
        let _: Value = self.post("/reset", &json!({})).await?;
        Ok(())
    }
}
