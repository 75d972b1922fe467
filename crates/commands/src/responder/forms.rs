//! Answers that are not messages: autocomplete results (type 8) and modals (type 9). Both can
//! only be the first response, and neither can be deferred.

use twilight_model::application::command::CommandOptionChoice;
use twilight_model::channel::message::Component;
use twilight_model::http::interaction::{InteractionResponseData, InteractionResponseType};

use super::{Kind, Responder, Stage};
use crate::error::ReplyError;

/// Most choices Discord takes in one autocomplete result; more and it rejects the whole answer
/// (50035), leaving the user with "Loading options failed".
pub(crate) const MAX_CHOICES: usize = 25;

impl Responder {
    /// Answers an autocomplete interaction with at most [`MAX_CHOICES`] choices (the rest are
    /// dropped, so the user still sees the first ones).
    pub(crate) async fn autocomplete(
        &self,
        mut choices: Vec<CommandOptionChoice>,
    ) -> Result<(), ReplyError> {
        let mut state = self.state.lock().await;
        if state.stage != Stage::Fresh {
            return Ok(());
        }
        if choices.len() > MAX_CHOICES {
            tracing::debug!(
                offered = choices.len(),
                "autocomplete offered more than {MAX_CHOICES} choices; sending the first ones"
            );
            choices.truncate(MAX_CHOICES);
        }
        self.callback(
            &mut state,
            InteractionResponseType::ApplicationCommandAutocompleteResult,
            Some(InteractionResponseData {
                choices: Some(choices),
                ..InteractionResponseData::default()
            }),
            Stage::Responded {
                original_is_component: false,
            },
        )
        .await
    }

    /// Shows a modal: only as the first response to a slash command or a component (Discord
    /// refuses it for autocomplete and for a modal's own submission).
    pub(crate) async fn modal(
        &self,
        custom_id: String,
        title: String,
        components: Vec<Component>,
    ) -> Result<(), ReplyError> {
        if !matches!(self.kind, Kind::Command | Kind::Component) {
            return Err(ReplyError::Unsupported(
                "only slash commands and components can show a modal",
            ));
        }
        let mut state = self.state.lock().await;
        if state.stage != Stage::Fresh {
            return Err(ReplyError::Unsupported(
                "a modal must be the first response (show it before any reply or deferral)",
            ));
        }
        self.callback(
            &mut state,
            InteractionResponseType::Modal,
            Some(InteractionResponseData {
                custom_id: Some(custom_id),
                title: Some(title),
                components: Some(components),
                ..InteractionResponseData::default()
            }),
            Stage::ModalShown,
        )
        .await
    }
}
