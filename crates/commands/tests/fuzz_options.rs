//! Command options through the router, fuzzed (issue 17): long, empty and odd Unicode strings,
//! extreme numbers, and options of the wrong type reach a handler unchanged or are refused as
//! the user's mistake; every command is answered, none with an internal error. 400 seeded cases
//! through novera-sim, counted.

mod common;

use std::cell::Cell;
use std::io::Write as _;

use novera_commands::{CommandDef, CommandSet, command_fn};
use novera_testkit::{TestBot, json, options};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value;
use twilight_interactions::command::{CommandModel, CreateCommand};

const CASES: u32 = 400;

#[derive(CommandModel, CreateCommand)]
#[command(name = "echo", desc = "Describes what it was given")]
struct Echo {
    /// Any text.
    text: String,
    /// Any integer.
    count: Option<i64>,
    /// Any number.
    ratio: Option<f64>,
    /// A flag.
    flag: Option<bool>,
}

/// What the handler answers for `echo`: enough to prove every value arrived unchanged.
fn describe(text: &str, count: Option<i64>, ratio: Option<f64>, flag: Option<bool>) -> String {
    let sum = text.chars().fold(0_u64, |sum, c| {
        sum.wrapping_mul(31).wrapping_add(u64::from(c))
    });
    format!(
        "chars={} sum={sum} count={count:?} ratio={:?} flag={flag:?}",
        text.chars().count(),
        ratio.map(f64::to_bits)
    )
}

fn commands() -> CommandSet {
    CommandSet::new().with(
        CommandDef::from_model::<Echo>(),
        command_fn(|ctx| async move {
            let Echo {
                text,
                count,
                ratio,
                flag,
            } = ctx.options()?;
            ctx.reply(describe(&text, count, ratio, flag)).await?;
            Ok(())
        }),
    )
}

/// Text as users type it: empty, long (Discord allows 6,000 characters in an option), right-to-
/// left and zero-width marks, combining characters, emoji sequences, control characters.
fn text() -> impl Strategy<Value = String> {
    let odd = prop::sample::select(vec![
        "\u{200f}",
        "\u{200d}",
        "\u{0301}",
        "\u{feff}",
        "\u{202e}",
        "\u{1}",
        "\u{7f}",
        "👨‍👩‍👧",
        "@everyone",
        "<@1>",
        "```",
        "\\",
        "\"",
        "%s",
        "{{x}}",
    ]);
    prop_oneof![
        Just(String::new()),
        any::<String>(),
        prop::collection::vec(
            prop_oneof![odd.prop_map(str::to_owned), any::<String>()],
            0..20
        )
        .prop_map(|parts| parts.concat()),
        (any::<char>(), 1_usize..6000).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

/// One invocation: valid values, or a value of the wrong type for one option.
#[derive(Debug, Clone)]
enum Case {
    Valid {
        text: String,
        count: Option<i64>,
        ratio: Option<f64>,
        flag: Option<bool>,
    },
    WrongType {
        option: &'static str,
        value: Value,
    },
}

fn case() -> impl Strategy<Value = Case> {
    let valid = (
        text(),
        any::<Option<i64>>(),
        any::<Option<f64>>().prop_map(|r| r.filter(|r| r.is_finite())),
        any::<Option<bool>>(),
    )
        .prop_map(|(text, count, ratio, flag)| Case::Valid {
            text,
            count,
            ratio,
            flag,
        });
    let wrong = prop_oneof![
        Just(("count", json!("twelve"))),
        Just(("count", json!(true))),
        Just(("flag", json!(1))),
        Just(("ratio", json!("NaN"))),
        Just(("text", json!(42))),
    ]
    .prop_map(|(option, value)| Case::WrongType { option, value });
    prop_oneof![4 => valid, 1 => wrong]
}

fn options_of(case: &Case) -> Value {
    match case {
        Case::Valid {
            text,
            count,
            ratio,
            flag,
        } => {
            let mut pairs = vec![("text", json!(text))];
            pairs.extend(count.map(|c| ("count", json!(c))));
            pairs.extend(ratio.map(|r| ("ratio", json!(r))));
            pairs.extend(flag.map(|f| ("flag", json!(f))));
            let mut all = options(&pairs);
            // A number that happens to be whole is still a number option (type 10).
            if let Some(list) = all.as_array_mut() {
                for option in list.iter_mut().filter(|o| o["name"] == "ratio") {
                    option["type"] = json!(10);
                }
            }
            all
        }
        Case::WrongType { option, value } => {
            let mut pairs = vec![("text", json!("x"))];
            if *option == "text" {
                pairs.clear();
            }
            pairs.push((option, value.clone()));
            options(&pairs)
        }
    }
}

#[test]
fn any_option_values_are_delivered_or_refused_as_the_users_mistake() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    common::init();
    let bot = runtime
        .block_on(TestBot::start([commands()]))
        .expect("bot starts");
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let (tried, refused) = (Cell::new(0_u64), Cell::new(0_u64));
    runner
        .run(&case(), |case| {
            tried.set(tried.get() + 1);
            let answer = runtime.block_on(async {
                let id = bot.run_command("echo", options_of(&case)).await?;
                bot.wait_responded(id).await
            });
            let answer = answer.map_err(|e| TestCaseError::fail(format!("{case:?}: {e}")))?;
            let content = answer.content.unwrap_or_default();
            prop_assert!(
                !content.contains("Something went wrong"),
                "{:?}: {}",
                case,
                content
            );
            match &case {
                Case::Valid {
                    text,
                    count,
                    ratio,
                    flag,
                } => prop_assert_eq!(content, describe(text, *count, *ratio, *flag)),
                Case::WrongType { .. } => {
                    refused.set(refused.get() + 1);
                    prop_assert!(
                        content.starts_with("Invalid options"),
                        "{:?}: {}",
                        case,
                        content
                    );
                    prop_assert!(answer.ephemeral, "a user's mistake is told to them alone");
                }
            }
            Ok(())
        })
        .expect("every option value is delivered or refused as a user error");
    let violations = runtime.block_on(bot.violations()).expect("state");
    assert!(violations.is_empty(), "{violations:?}");
    runtime.block_on(bot.shutdown());
    let _ = writeln!(
        std::io::stderr(),
        "command options fuzz: {CASES} cases, {} commands run, {} refused as the user's mistake",
        tried.get(),
        refused.get()
    );
}
