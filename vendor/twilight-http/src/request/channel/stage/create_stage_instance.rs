use crate::{
    client::Client,
    error::Error,
    request::{self, AuditLogReason, Request, TryIntoRequest},
    response::{Response, ResponseFuture},
    routing::Route,
};
use serde::Serialize;
use std::future::IntoFuture;
use twilight_model::{
    channel::{StageInstance, stage_instance::PrivacyLevel},
    id::{
        Id,
        marker::{ChannelMarker, ScheduledEventMarker},
    },
};
use twilight_validate::request::{
    ValidationError, audit_reason as validate_audit_reason, stage_topic as validate_stage_topic,
};

#[derive(Serialize)]
struct CreateStageInstanceFields<'a> {
    channel_id: Id<ChannelMarker>,
    #[serde(skip_serializing_if = "Option::is_none")]
    guild_scheduled_event_id: Option<Id<ScheduledEventMarker>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    privacy_level: Option<PrivacyLevel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_start_notification: Option<bool>,
    topic: &'a str,
}

/// Create a new stage instance associated with a stage channel.
///
/// Requires the user to be a moderator of the stage channel.
#[must_use = "requests must be configured and executed"]
pub struct CreateStageInstance<'a> {
    fields: Result<CreateStageInstanceFields<'a>, ValidationError>,
    http: &'a Client,
    reason: Result<Option<&'a str>, ValidationError>,
}

impl<'a> CreateStageInstance<'a> {
    pub(crate) fn new(http: &'a Client, channel_id: Id<ChannelMarker>, topic: &'a str) -> Self {
        let fields = Ok(CreateStageInstanceFields {
            channel_id,
            guild_scheduled_event_id: None,
            privacy_level: None,
            send_start_notification: None,
            topic,
        })
        .and_then(|fields| {
            validate_stage_topic(topic)?;

            Ok(fields)
        });

        Self {
            fields,
            http,
            reason: Ok(None),
        }
    }

    /// Set the guild scheduled event associated with this stage instance.
    pub const fn guild_scheduled_event_id(
        mut self,
        guild_scheduled_event_id: Id<ScheduledEventMarker>,
    ) -> Self {
        if let Ok(fields) = self.fields.as_mut() {
            fields.guild_scheduled_event_id = Some(guild_scheduled_event_id);
        }

        self
    }

    /// Set the [`PrivacyLevel`] of the instance.
    pub const fn privacy_level(mut self, privacy_level: PrivacyLevel) -> Self {
        if let Ok(fields) = self.fields.as_mut() {
            fields.privacy_level = Some(privacy_level);
        }

        self
    }

    /// Set whether to notify everyone when a stage starts.
    ///
    /// The stage moderator must have [`Permissions::MENTION_EVERYONE`] for this
    /// notification to be sent.
    ///
    /// [`Permissions::MENTION_EVERYONE`]: twilight_model::guild::Permissions::MENTION_EVERYONE
    pub const fn send_start_notification(mut self, send_start_notification: bool) -> Self {
        if let Ok(fields) = self.fields.as_mut() {
            fields.send_start_notification = Some(send_start_notification);
        }

        self
    }
}

impl<'a> AuditLogReason<'a> for CreateStageInstance<'a> {
    fn reason(mut self, reason: &'a str) -> Self {
        self.reason = validate_audit_reason(reason).and(Ok(Some(reason)));

        self
    }
}

impl IntoFuture for CreateStageInstance<'_> {
    type Output = Result<Response<StageInstance>, Error>;

    type IntoFuture = ResponseFuture<StageInstance>;

    fn into_future(self) -> Self::IntoFuture {
        let http = self.http;

        match self.try_into_request() {
            Ok(request) => http.request(request),
            Err(source) => ResponseFuture::error(source),
        }
    }
}

impl TryIntoRequest for CreateStageInstance<'_> {
    fn try_into_request(self) -> Result<Request, Error> {
        let fields = self.fields.map_err(Error::validation)?;

        let mut request = Request::builder(&Route::CreateStageInstance).json(&fields);

        if let Some(reason) = self.reason.map_err(Error::validation)? {
            request = request.headers(request::audit_header(reason)?);
        }

        request.build()
    }
}
