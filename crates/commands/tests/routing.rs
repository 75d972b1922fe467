//! Autocomplete and modal routing through novera-sim: each reaches its owning command, and
//! whatever the handler does (or if there is no handler), the user gets an answer in time.

mod common;

use std::time::Duration;

use novera_commands::{
    BoxFuture, Command, CommandDef, CommandError, CommandResult, CommandSet, Context, Reply,
    RouterConfig,
};
use novera_testkit::{TestBot, Value, autocomplete_options, json};
use twilight_model::application::command::{
    CommandOptionChoice, CommandOptionChoiceValue, CommandType,
};
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::{Label, TextInput, TextInputStyle};
use twilight_model::http::interaction::{InteractionResponse, InteractionResponseType};
use twilight_util::builder::command::{CommandBuilder, StringBuilder};
use twilight_util::builder::interaction_response::ModalBuilder;

const FRUITS: &[&str] = &["Apple", "Apricot", "Banana", "Blueberry", "Cherry"];

fn choice(name: &str) -> CommandOptionChoice {
    CommandOptionChoice {
        name: name.to_owned(),
        name_localizations: None,
        value: CommandOptionChoiceValue::String(name.to_lowercase()),
    }
}

/// A command with one autocompleted string option `name`.
fn autocompleted(name: &str) -> CommandDef {
    CommandDef::new(
        CommandBuilder::new(name, format!("Test command {name}"), CommandType::ChatInput)
            .option(StringBuilder::new("name", "Pick one").autocomplete(true))
            .build(),
    )
}

/// How an autocomplete handler behaves.
#[derive(Clone, Copy)]
enum Suggest {
    /// Fruits starting with the typed text.
    Fruits,
    /// 40 choices: more than Discord takes.
    TooMany,
    /// Panics before returning its future.
    PanicAtCall,
    /// Panics while running.
    PanicInside,
    /// Never answers.
    Hang,
}

struct Suggester(Suggest);

impl Command for Suggester {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            ctx.reply("picked").await?;
            Ok(())
        })
    }

    fn autocomplete(
        &self,
        ctx: Context,
    ) -> BoxFuture<'_, Result<Vec<CommandOptionChoice>, CommandError>> {
        let mode = self.0;
        assert!(
            !matches!(mode, Suggest::PanicAtCall),
            "autocomplete blew up before returning a future"
        );
        Box::pin(async move {
            match mode {
                Suggest::Fruits => {
                    let (option, typed) = ctx.focused_option().expect("a focused option");
                    assert_eq!(option, "name");
                    let typed = typed.to_lowercase();
                    Ok(FRUITS
                        .iter()
                        .filter(|f| f.to_lowercase().starts_with(&typed))
                        .map(|f| choice(f))
                        .collect())
                }
                Suggest::TooMany => Ok((0..40).map(|i| choice(&format!("Fruit {i}"))).collect()),
                Suggest::PanicInside => panic!("autocomplete blew up inside its future"),
                Suggest::Hang => {
                    std::future::pending::<()>().await;
                    Ok(Vec::new())
                }
                Suggest::PanicAtCall => unreachable!("panicked above"),
            }
        })
    }
}

#[allow(
    deprecated,
    reason = "TextInput::label is deprecated in favour of Label"
)]
fn topic_input() -> Component {
    Component::Label(Label {
        component: Box::new(Component::TextInput(TextInput {
            custom_id: "topic".to_owned(),
            id: None,
            label: None,
            max_length: None,
            min_length: None,
            placeholder: None,
            required: Some(true),
            style: TextInputStyle::Short,
            value: None,
        })),
        description: None,
        id: None,
        label: "Topic".to_owned(),
    })
}

/// `/feedback` opens a form and thanks the user with what they wrote.
struct Feedback;

impl Command for Feedback {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            ctx.show_modal("feedback:form", "Feedback", vec![topic_input()])
                .await?;
            Ok(())
        })
    }

    fn modal(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            assert_eq!(ctx.custom_id(), Some("feedback:form"));
            let topic = ctx.modal_value("topic").unwrap_or("nothing").to_owned();
            ctx.reply(Reply::text(format!("Thanks! You wrote: {topic}")).ephemeral())
                .await?;
            Ok(())
        })
    }
}

/// `/stray` shows, behind the router's back, a modal owned by a command that does not exist
/// (as after a deploy that removed it).
struct Stray;

impl Command for Stray {
    fn run(&self, ctx: Context) -> BoxFuture<'_, CommandResult> {
        Box::pin(async move {
            // The supported way refuses a custom_id this command does not own...
            let refused = ctx
                .show_modal("gone:form", "Gone", vec![topic_input()])
                .await;
            assert!(refused.is_err(), "{refused:?}");
            // ...so go around it, like a handler of an older version of the bot did.
            let interaction = ctx.interaction().expect("an interaction");
            let modal: InteractionResponse =
                ModalBuilder::new("gone:form", "Gone", [topic_input()]).build();
            assert_eq!(modal.kind, InteractionResponseType::Modal);
            ctx.http()
                .interaction(ctx.application_id())
                .create_response(interaction.id, &interaction.token, &modal)
                .await?;
            Ok(())
        })
    }
}

fn set() -> CommandSet {
    CommandSet::new()
        .with(autocompleted("fruit"), Suggester(Suggest::Fruits))
        .with(autocompleted("many"), Suggester(Suggest::TooMany))
        .with(autocompleted("eager"), Suggester(Suggest::PanicAtCall))
        .with(autocompleted("boom"), Suggester(Suggest::PanicInside))
        .with(autocompleted("hang"), Suggester(Suggest::Hang))
        .with(common::def("feedback"), Feedback)
        .with(common::def("stray"), Stray)
}

/// The simulator keeps Discord's 3 s window; the router answers autocomplete within 300 ms.
async fn bot() -> TestBot {
    common::init();
    TestBot::builder()
        .router_config(RouterConfig::default().with_auto_defer(Duration::from_millis(300)))
        .commands(set())
        .start()
        .await
        .unwrap()
}

fn choice_names(choices: &[Value]) -> Vec<&str> {
    choices.iter().filter_map(|c| c["name"].as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_reaches_its_command_and_answers_with_filtered_choices() {
    let bot = bot().await;
    let id = bot
        .autocomplete("fruit", autocomplete_options(&[], "name", "ap"))
        .await
        .unwrap();
    let answered = bot.wait_responded(id).await.unwrap();
    assert_eq!((answered.kind, answered.response_type), (4, Some(8)));
    assert!(answered.error.is_none(), "{answered:?}");
    let choices = answered.choices.expect("choices recorded");
    assert_eq!(choice_names(&choices), ["Apple", "Apricot"]);
    assert_eq!(choices[0]["value"], "apple");

    // More than Discord's 25 are cut to 25 instead of being refused as a whole.
    let id = bot
        .autocomplete("many", autocomplete_options(&[], "name", ""))
        .await
        .unwrap();
    let answered = bot.wait_responded(id).await.unwrap();
    assert!(answered.error.is_none(), "{answered:?}");
    assert_eq!(answered.choices.expect("choices").len(), 25);
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_or_unknown_autocomplete_still_gets_an_empty_answer_in_time() {
    let bot = bot().await;
    for name in ["eager", "boom", "hang", "ghost"] {
        let id = bot
            .autocomplete(name, autocomplete_options(&[], "name", "x"))
            .await
            .unwrap();
        let answered = bot.wait_responded(id).await.unwrap();
        assert_eq!(answered.response_type, Some(8), "/{name}: {answered:?}");
        assert_eq!(answered.choices, Some(Vec::new()), "/{name}");
        assert!(answered.error.is_none(), "/{name}: {answered:?}");
        assert!(
            answered.response_ms.is_some_and(|ms| ms < 3000),
            "/{name} answered within Discord's window: {answered:?}"
        );
    }
    // The bot keeps serving.
    let id = bot
        .autocomplete("fruit", autocomplete_options(&[], "name", "b"))
        .await
        .unwrap();
    let answered = bot.wait_responded(id).await.unwrap();
    assert_eq!(
        choice_names(&answered.choices.expect("choices")),
        ["Banana", "Blueberry"]
    );
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modal_is_shown_and_its_submission_reaches_the_command() {
    let bot = bot().await;
    let id = bot.run_command("feedback", json!(null)).await.unwrap();
    let shown = bot
        .wait_for_interaction(id, "the modal", |s| s.modal.is_some())
        .await
        .unwrap();
    assert_eq!(shown.response_type, Some(9));
    let modal = shown.modal.expect("modal");
    assert_eq!(
        (modal.custom_id.as_str(), modal.title.as_str()),
        ("feedback:form", "Feedback")
    );

    let submit = bot
        .submit_modal(id, &[("topic", "faster builds @everyone")])
        .await
        .unwrap();
    let answered = bot.wait_responded(submit).await.unwrap();
    assert_eq!((answered.kind, answered.response_type), (5, Some(4)));
    assert!(answered.ephemeral, "{answered:?}");
    assert_eq!(
        answered.content.as_deref(),
        Some("Thanks! You wrote: faster builds @everyone")
    );
    assert_eq!(answered.allowed_mentions, Some(json!({"parse": []})));
    // Nothing else was sent for the command itself: the modal was its whole answer.
    let after = bot.interaction(id).await.unwrap();
    assert_eq!(after.bodies.len(), 1, "{after:?}");
    assert!(bot.violations().await.unwrap().is_empty());
    bot.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modal_of_an_unknown_command_gets_an_ephemeral_answer() {
    let bot = bot().await;
    let id = bot.run_command("stray", json!(null)).await.unwrap();
    let shown = bot
        .wait_for_interaction(id, "the stray modal", |s| s.modal.is_some())
        .await
        .unwrap();
    assert_eq!(shown.response_type, Some(9));
    let submit = bot.submit_modal(id, &[("topic", "hello")]).await.unwrap();
    let answered = bot.wait_responded(submit).await.unwrap();
    assert_eq!(answered.response_type, Some(4));
    assert!(answered.ephemeral, "{answered:?}");
    assert_eq!(
        answered.content.as_deref(),
        Some("This is no longer active.")
    );
    bot.shutdown().await;
}
