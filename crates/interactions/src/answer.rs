//! Waiting for the initial response of one interaction, and the endpoint's own deferral when
//! it does not come in time.
//!
//! The router's auto-defer (before [`answer_within`](crate::EndpointSettings::answer_within))
//! normally sends a deferral through the same channel, so the endpoint's deferral is a
//! backstop for a router that could not (a worker thread blocked by a handler). The race
//! between the two is settled by the channel: the endpoint closes it before deferring, and a
//! response sent before the close is still taken, so exactly one initial response goes out in
//! the HTTP answer; a send after the close fails and the responder goes over REST, where
//! Discord's 40060 tells it the interaction was acknowledged.

use tokio::sync::oneshot;
use tokio::time::Instant;
use twilight_model::application::command::CommandOptionChoice;
use twilight_model::application::interaction::InteractionType;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

/// What the HTTP answer carries.
#[derive(Debug)]
pub(crate) enum Answer {
    /// The router's initial response.
    Response(InteractionResponse),
    /// The endpoint's own deferral (the router did not answer in time).
    Backstop(InteractionResponse),
    /// Nothing: the router answers through REST, or not at all (it dropped the channel).
    Nothing,
}

impl Answer {
    /// The `outcome` label of `novera_interactions_requests_total`.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Self::Response(_) => "answered",
            Self::Backstop(_) => "deferred_by_endpoint",
            Self::Nothing => "empty",
        }
    }
}

/// Waits for the response on `answer` until `deadline`.
pub(crate) async fn wait(
    mut answer: oneshot::Receiver<InteractionResponse>,
    kind: InteractionType,
    deadline: Instant,
) -> Answer {
    tokio::select! {
        // A response (or a dropped sender) that is ready wins over the deadline.
        biased;
        sent = &mut answer => match sent {
            Ok(response) => Answer::Response(response),
            Err(_) => Answer::Nothing,
        },
        () = tokio::time::sleep_until(deadline) => {
            answer.close();
            match answer.try_recv() {
                Ok(response) => Answer::Response(response),
                Err(_) => Answer::Backstop(deferral(kind)),
            }
        }
    }
}

/// The deferral the router's auto-defer would send for `kind`.
pub(crate) fn deferral(kind: InteractionType) -> InteractionResponse {
    match kind {
        InteractionType::MessageComponent => InteractionResponse {
            kind: InteractionResponseType::DeferredUpdateMessage,
            data: None,
        },
        // No deferral exists for autocomplete: an empty list of choices, as the router sends.
        InteractionType::ApplicationCommandAutocomplete => InteractionResponse {
            kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
            data: Some(InteractionResponseData {
                choices: Some(Vec::<CommandOptionChoice>::new()),
                ..InteractionResponseData::default()
            }),
        },
        _ => InteractionResponse {
            kind: InteractionResponseType::DeferredChannelMessageWithSource,
            data: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn pong() -> InteractionResponse {
        InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_response_in_time_is_the_answer() {
        let (tx, rx) = oneshot::channel();
        let deadline = Instant::now() + Duration::from_secs(2);
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            tx.send(pong()).is_ok()
        });
        let answer = wait(rx, InteractionType::ApplicationCommand, deadline).await;
        assert!(
            matches!(answer, Answer::Response(r) if r.kind == InteractionResponseType::ChannelMessageWithSource)
        );
        assert!(sender.await.expect("sender task"));
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_deadline_the_endpoint_defers_and_a_late_send_fails() {
        for (kind, expected) in [
            (
                InteractionType::ApplicationCommand,
                InteractionResponseType::DeferredChannelMessageWithSource,
            ),
            (
                InteractionType::ModalSubmit,
                InteractionResponseType::DeferredChannelMessageWithSource,
            ),
            (
                InteractionType::MessageComponent,
                InteractionResponseType::DeferredUpdateMessage,
            ),
            (
                InteractionType::ApplicationCommandAutocomplete,
                InteractionResponseType::ApplicationCommandAutocompleteResult,
            ),
        ] {
            let (tx, rx) = oneshot::channel();
            let started = Instant::now();
            let answer = wait(rx, kind, started + Duration::from_secs(2)).await;
            assert_eq!(started.elapsed(), Duration::from_secs(2));
            match answer {
                Answer::Backstop(response) => assert_eq!(response.kind, expected, "{kind:?}"),
                other => panic!("expected the endpoint's deferral, got {other:?}"),
            }
            // The responder finds the channel closed and goes over REST.
            assert!(tx.send(pong()).is_err());
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_sender_is_an_empty_answer_at_once() {
        let (tx, rx) = oneshot::channel();
        drop(tx);
        let started = Instant::now();
        let answer = wait(
            rx,
            InteractionType::ApplicationCommand,
            started + Duration::from_secs(2),
        )
        .await;
        assert!(matches!(answer, Answer::Nothing));
        assert_eq!(started.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_response_sent_just_before_the_close_is_still_taken() {
        let (tx, rx) = oneshot::channel();
        let deadline = Instant::now();
        // Sent, but the deadline is already due: the biased select takes the value first.
        assert!(tx.send(pong()).is_ok());
        let answer = wait(rx, InteractionType::ApplicationCommand, deadline).await;
        assert!(matches!(answer, Answer::Response(_)));
    }
}
