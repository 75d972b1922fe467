//! Autocomplete and modals through a real twilight shard and HTTP client: the simulator
//! dispatches autocomplete (type 4) and modal submits (type 5) as Discord sends them, records
//! the choices (callback 8) and the modal (callback 9), and rejects callbacks that do not fit.

mod common;

use std::time::Duration;

use common::{SeqCheck, TOKEN, connect, drive, fast, http, shard, start, within};
use novera_sim::SimHandle;
use serde_json::{Value, json};
use twilight_gateway::{Event, Shard};
use twilight_model::application::command::{CommandOptionChoice, CommandOptionChoiceValue};
use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_model::application::interaction::modal::ModalInteractionComponent;
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::channel::message::component::{
    ActionRow, Component, Label, TextInput, TextInputStyle,
};
use twilight_model::http::interaction::InteractionResponse;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;
use twilight_util::builder::interaction_response::{
    AutocompleteBuilder, ChannelMessageBuilder, ModalBuilder,
};

/// A raw callback, for bodies twilight would refuse to build.
async fn raw_callback(sim: &SimHandle, id: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
        .post(format!(
            "{}/api/v10/interactions/{id}/{token}/callback",
            sim.base_url()
        ))
        .json(body)
        .send()
        .await
        .expect("callback request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The next `INTERACTION_CREATE` the shard receives.
async fn next_interaction(shard: &mut Shard, check: &mut SeqCheck) -> Interaction {
    let mut found = None;
    drive(shard, check, |e| {
        if let Event::InteractionCreate(i) = e {
            found = Some(i.0.clone());
            true
        } else {
            false
        }
    })
    .await;
    found.expect("an interaction")
}

async fn connected(sim: &SimHandle) -> (Shard, SeqCheck, Id<ApplicationMarker>) {
    let app = within("app", http(sim).current_user_application())
        .await
        .expect("app")
        .model()
        .await
        .expect("model");
    let mut shard = shard(sim, TOKEN, 0, 1);
    let mut check = SeqCheck::default();
    connect(&mut shard, &mut check, 2).await;
    (shard, check, app.id)
}

#[tokio::test]
async fn autocomplete_is_answered_with_choices() {
    let sim = start(fast()).await;
    let control = sim.control();
    let client = http(&sim);
    let (mut shard, mut check, app) = connected(&sim).await;
    let options = json!([
        {"name": "count", "type": 4, "value": 2},
        {"name": "fruit", "type": 3, "value": "ap", "focused": true},
    ]);
    let created = control
        .autocomplete("pick", options, None, None, None)
        .await
        .expect("autocomplete");

    let interaction = next_interaction(&mut shard, &mut check).await;
    assert_eq!(
        interaction.kind,
        InteractionType::ApplicationCommandAutocomplete
    );
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        panic!("autocomplete carries command data");
    };
    assert_eq!(data.name, "pick");
    let focused = data
        .options
        .iter()
        .find_map(|o| match &o.value {
            CommandOptionValue::Focused(typed, _) => Some((o.name.as_str(), typed.as_str())),
            _ => None,
        })
        .expect("a focused option");
    assert_eq!(focused, ("fruit", "ap"));

    let choice = |name: &str| CommandOptionChoice {
        name: name.to_owned(),
        name_localizations: None,
        value: CommandOptionChoiceValue::String(name.to_lowercase()),
    };
    let response = AutocompleteBuilder::new([choice("Apple"), choice("Apricot")]).build();
    within(
        "autocomplete result",
        client
            .interaction(app)
            .create_response(interaction.id, &interaction.token, &response),
    )
    .await
    .expect("type 8 accepted");
    let status = control.interaction(&created.id).await.expect("status");
    assert_eq!((status.kind, status.response_type), (4, Some(8)));
    assert_eq!(
        status.choices,
        Some(vec![
            json!({"name": "Apple", "value": "apple"}),
            json!({"name": "Apricot", "value": "apricot"}),
        ])
    );
    assert!(status.original_message_id.is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn callbacks_must_fit_the_interaction() {
    let sim = start(fast()).await;
    let control = sim.control();
    let focused = json!([{"name": "q", "type": 3, "value": "", "focused": true}]);

    // A message (type 4) to an autocomplete interaction.
    let auto = control
        .autocomplete("find", focused.clone(), None, None, None)
        .await
        .expect("autocomplete");
    let (status, body) = raw_callback(
        &sim,
        &auto.id,
        &auto.token,
        &json!({"type": 4, "data": {"content": "no"}}),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(40043)));
    // More than 25 choices.
    let many: Vec<Value> = (0..26)
        .map(|i| json!({"name": format!("c{i}"), "value": i}))
        .collect();
    let (status, body) = raw_callback(
        &sim,
        &auto.id,
        &auto.token,
        &json!({"type": 8, "data": {"choices": many}}),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(50035)));
    assert!(body["errors"]["data"]["choices"]["_errors"].is_array());
    // A modal cannot answer autocomplete either; an empty result can.
    let modal = json!({"type": 9, "data": {"custom_id": "m", "title": "M",
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1}]}]}});
    let (status, body) = raw_callback(&sim, &auto.id, &auto.token, &modal).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(40043)));
    let (status, _) = raw_callback(
        &sim,
        &auto.id,
        &auto.token,
        &json!({"type": 8, "data": {"choices": []}}),
    )
    .await;
    assert_eq!(status, 204);
    let recorded = control.interaction(&auto.id).await.expect("status");
    assert_eq!(recorded.choices, Some(Vec::new()));
    assert!(
        recorded
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("40043"))
    );

    // An autocomplete result (type 8) to a slash command.
    let run = control
        .run_command("find", Value::Null, None, None, None)
        .await
        .expect("run");
    let (status, body) = raw_callback(
        &sim,
        &run.id,
        &run.token,
        &json!({"type": 8, "data": {"choices": []}}),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(40043)));
    assert!(
        !control
            .interaction(&run.id)
            .await
            .expect("status")
            .responded
    );

    // The control API wants exactly one focused option, and a known type.
    for (kind, options) in [
        (4, json!([{"name": "q", "type": 3, "value": ""}])),
        (7, focused),
    ] {
        let err = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(format!("{}/_sim/interactions", sim.base_url()))
            .json(&json!({"type": kind, "name": "find", "options": options}))
            .send()
            .await
            .expect("request");
        assert_eq!(err.status().as_u16(), 400);
    }
    sim.shutdown().await;
}

#[allow(
    deprecated,
    reason = "TextInput::label is deprecated in favour of Label"
)]
fn text_input(custom_id: &str, required: bool) -> TextInput {
    TextInput {
        custom_id: custom_id.to_owned(),
        id: None,
        label: None,
        max_length: None,
        min_length: None,
        placeholder: None,
        required: Some(required),
        style: TextInputStyle::Short,
        value: None,
    }
}

/// `(custom_id, value)` of every text input of a modal submit, in order.
fn text_inputs(components: &[ModalInteractionComponent]) -> Vec<(String, String)> {
    let mut inputs = Vec::new();
    for component in components {
        let inner: Vec<&ModalInteractionComponent> = match component {
            ModalInteractionComponent::ActionRow(row) => row.components.iter().collect(),
            ModalInteractionComponent::Label(label) => vec![&*label.component],
            other => panic!("unexpected {other:?}"),
        };
        for input in inner {
            let ModalInteractionComponent::TextInput(input) = input else {
                panic!("a text input");
            };
            inputs.push((input.custom_id.clone(), input.value.clone()));
        }
    }
    inputs
}

#[tokio::test]
async fn modal_is_shown_and_submitted_with_the_values() {
    let sim = start(fast()).await;
    let control = sim.control();
    let client = http(&sim);
    let (mut shard, mut check, app) = connected(&sim).await;
    let run = control
        .run_command("feedback", Value::Null, None, None, None)
        .await
        .expect("run");
    let interaction = next_interaction(&mut shard, &mut check).await;

    // Submitting before any modal was shown is refused.
    let refused = control.submit_modal(&run.id, &[], None).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("400")));

    let modal: InteractionResponse = ModalBuilder::new(
        "feedback:form",
        "Feedback",
        [
            Component::ActionRow(ActionRow {
                components: vec![Component::TextInput(text_input("topic", true))],
                id: None,
            }),
            Component::Label(Label {
                component: Box::new(Component::TextInput(text_input("details", false))),
                description: None,
                id: None,
                label: "Details".to_owned(),
            }),
        ],
    )
    .build();

    within(
        "modal",
        client
            .interaction(app)
            .create_response(interaction.id, &interaction.token, &modal),
    )
    .await
    .expect("type 9 accepted");
    let shown = control.interaction(&run.id).await.expect("status");
    assert_eq!(shown.response_type, Some(9));
    let recorded = shown.modal.expect("the modal is recorded");
    assert_eq!(
        (recorded.custom_id.as_str(), recorded.title.as_str()),
        ("feedback:form", "Feedback")
    );
    assert_eq!(
        recorded.components[0]["components"][0]["custom_id"],
        "topic"
    );

    // Values that do not fit the modal are refused.
    for values in [&[("nope", "x")][..], &[("details", "no topic")][..]] {
        let refused = control.submit_modal(&run.id, values, None).await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("400")),
            "{values:?}"
        );
    }

    let submitted = control
        .submit_modal(&run.id, &[("topic", "Bugs & <@everyone>")], None)
        .await
        .expect("submit");
    let submit = next_interaction(&mut shard, &mut check).await;
    assert_eq!(submit.id.to_string(), submitted.id);
    assert_eq!(submit.kind, InteractionType::ModalSubmit);
    assert_eq!(submit.author_id(), interaction.author_id());
    let Some(InteractionData::ModalSubmit(data)) = &submit.data else {
        panic!("modal submit data");
    };
    assert_eq!(data.custom_id, "feedback:form");
    let inputs = text_inputs(&data.components);
    assert_eq!(
        inputs,
        [
            ("topic".to_owned(), "Bugs & <@everyone>".to_owned()),
            ("details".to_owned(), String::new()),
        ]
    );

    // A submit is answered like any interaction, but cannot open another modal.
    let (status, body) = raw_callback(
        &sim,
        &submitted.id,
        &submitted.token,
        &json!({"type": 9, "data": {"custom_id": "again", "title": "Again",
            "components": [{"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1}]}]}}),
    )
    .await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(40043)));
    let reply = ChannelMessageBuilder::new()
        .content("Thanks for the feedback")
        .build();

    within(
        "reply to the submit",
        client
            .interaction(app)
            .create_response(submit.id, &submit.token, &reply),
    )
    .await
    .expect("type 4 accepted");
    let answered = control.interaction(&submitted.id).await.expect("status");
    assert_eq!((answered.kind, answered.response_type), (5, Some(4)));
    assert_eq!(answered.content.as_deref(), Some("Thanks for the feedback"));
    sim.shutdown().await;
}
