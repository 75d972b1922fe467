//! Property tests of prefix-command parsing (issue 17): whatever a user types after whatever
//! prefix, splitting and option parsing never panic, what they return is consistent with the
//! definition, and typed values written as text come back unchanged. Bounded case counts with a
//! fixed seed; each property prints how many inputs it tried.

use std::cell::Cell;
use std::io::Write as _;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use twilight_model::application::command::{CommandOptionType, CommandType};
use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_util::builder::command::{
    BooleanBuilder, CommandBuilder, IntegerBuilder, NumberBuilder, StringBuilder,
};

use super::{options, split};
use crate::def::CommandDef;

const CASES: u32 = 3000;

fn runner() -> TestRunner {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

fn report(what: &str, tried: &Cell<u64>) {
    let _ = writeln!(
        std::io::stderr(),
        "prefix fuzz ({what}): {CASES} cases, {} inputs tried",
        tried.get()
    );
}

/// Text a user may type: any Unicode, odd spacing, right-to-left marks, zero-width joiners,
/// combining marks, emoji, NUL, and long runs.
fn text() -> impl Strategy<Value = String> {
    let odd = prop::sample::select(vec![
        "\u{200f}", "\u{200d}", "\u{0301}", "\u{feff}", "\u{3000}", "\u{a0}", "\t", "\n", "\0",
        "👍🏽", "ﷺ", "Ⅻ", "!", "!!", " ", "-1", "1e309", "NaN", "inf", "true", "0x10",
    ]);
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop_oneof![odd.prop_map(str::to_owned), "[a-z0-9]{0,6}"],
            0..12
        )
        .prop_map(|parts| parts.concat()),
        (any::<char>(), 0_usize..3000).prop_map(|(c, n)| c.to_string().repeat(n)),
    ]
}

/// A prefix as the configuration allows it: non-empty, no whitespace.
fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("!".to_owned()),
        "[!?$%.>]{1,3}",
        any::<String>().prop_filter("a valid prefix", |p| {
            !p.is_empty() && !p.chars().any(char::is_whitespace)
        }),
    ]
}

const KINDS: [CommandOptionType; 4] = [
    CommandOptionType::String,
    CommandOptionType::Integer,
    CommandOptionType::Number,
    CommandOptionType::Boolean,
];

/// A definition with up to four text-friendly options, required ones first (Discord's rule).
fn definition() -> impl Strategy<Value = CommandDef> {
    prop::collection::vec((0..KINDS.len(), any::<bool>()), 0..5).prop_map(|mut specs| {
        specs.sort_by_key(|(_, required)| !*required);
        let mut builder = CommandBuilder::new("fuzz", "Fuzzed", CommandType::ChatInput);
        for (i, (kind, required)) in specs.into_iter().enumerate() {
            let name = format!("o{i}");
            builder = match KINDS[kind] {
                CommandOptionType::String => {
                    builder.option(StringBuilder::new(name, "s").required(required))
                }
                CommandOptionType::Integer => {
                    builder.option(IntegerBuilder::new(name, "i").required(required))
                }
                CommandOptionType::Number => {
                    builder.option(NumberBuilder::new(name, "n").required(required))
                }
                _ => builder.option(BooleanBuilder::new(name, "b").required(required)),
            };
        }
        CommandDef::new(builder.build())
    })
}

#[test]
fn splitting_never_panics_and_names_hold_no_whitespace() {
    let tried = Cell::new(0);
    runner()
        .run(&(text(), prefix()), |(content, prefix)| {
            tried.set(tried.get() + 1);
            if let Some((name, rest)) = split(&content, &prefix) {
                prop_assert!(!name.is_empty());
                prop_assert!(!name.chars().any(char::is_whitespace));
                let body = content.trim_start().strip_prefix(prefix.as_str());
                prop_assert!(body.is_some_and(|b| b.starts_with(name)));
                prop_assert_eq!(rest, rest.trim());
            }
            Ok(())
        })
        .expect("no input breaks split");
    report("split", &tried);
}

#[test]
fn parsed_options_always_fit_the_definition() {
    let tried = Cell::new(0);
    runner()
        .run(&(definition(), text()), |(def, args)| {
            tried.set(tried.get() + 1);
            let Some(parsed) = options(&def, &args) else {
                return Ok(());
            };
            let declared = &def.model().options;
            prop_assert!(parsed.len() <= declared.len());
            for (option, value) in parsed.iter().zip(declared) {
                prop_assert_eq!(&option.name, &value.name);
                let fits = match (&option.value, value.kind) {
                    (CommandOptionValue::String(s), CommandOptionType::String) => !s.is_empty(),
                    (CommandOptionValue::Integer(_), CommandOptionType::Integer)
                    | (CommandOptionValue::Boolean(_), CommandOptionType::Boolean) => true,
                    (CommandOptionValue::Number(n), CommandOptionType::Number) => n.is_finite(),
                    _ => false,
                };
                prop_assert!(fits, "{:?} for {:?}", option.value, value.kind);
            }
            // Every required option is there.
            let required = declared
                .iter()
                .filter(|o| o.required.unwrap_or(false))
                .count();
            prop_assert!(parsed.len() >= required);
            Ok(())
        })
        .expect("no input breaks option parsing");
    report("options", &tried);
}

/// One typed value and how a user writes it.
#[derive(Debug, Clone)]
enum Typed {
    Integer(i64),
    Number(f64),
    Boolean(bool),
    /// A word (no whitespace), or the rest of the line when it is the last option.
    Text(String),
}

fn typed() -> impl Strategy<Value = Typed> {
    prop_oneof![
        any::<i64>().prop_map(Typed::Integer),
        any::<f64>()
            .prop_filter("Discord's numbers are finite", |n| n.is_finite())
            .prop_map(Typed::Number),
        any::<bool>().prop_map(Typed::Boolean),
        "[^\\s]{1,40}".prop_map(Typed::Text),
    ]
}

#[test]
fn typed_values_written_as_text_come_back_unchanged() {
    let tried = Cell::new(0);
    runner()
        .run(&prop::collection::vec(typed(), 1..5), |values| {
            tried.set(tried.get() + 1);
            let mut builder = CommandBuilder::new("fuzz", "Fuzzed", CommandType::ChatInput);
            let mut words = Vec::new();
            for (i, value) in values.iter().enumerate() {
                let name = format!("o{i}");
                builder = match value {
                    Typed::Integer(n) => {
                        words.push(n.to_string());
                        builder.option(IntegerBuilder::new(name, "i").required(true))
                    }
                    Typed::Number(n) => {
                        words.push(n.to_string());
                        builder.option(NumberBuilder::new(name, "n").required(true))
                    }
                    Typed::Boolean(b) => {
                        words.push(b.to_string());
                        builder.option(BooleanBuilder::new(name, "b").required(true))
                    }
                    Typed::Text(s) => {
                        words.push(s.clone());
                        builder.option(StringBuilder::new(name, "s").required(true))
                    }
                };
            }
            let def = CommandDef::new(builder.build());
            let parsed = options(&def, &words.join("  "))
                .ok_or_else(|| TestCaseError::fail(format!("refused {words:?}")))?;
            prop_assert_eq!(parsed.len(), values.len());
            for (option, value) in parsed.iter().zip(&values) {
                let same = match (&option.value, value) {
                    (CommandOptionValue::Integer(a), Typed::Integer(b)) => a == b,
                    (CommandOptionValue::Number(a), Typed::Number(b)) => a.to_bits() == b.to_bits(),
                    (CommandOptionValue::Boolean(a), Typed::Boolean(b)) => a == b,
                    (CommandOptionValue::String(a), Typed::Text(b)) => a == b,
                    _ => false,
                };
                prop_assert!(same, "{:?} came back as {:?}", value, option.value);
            }
            Ok(())
        })
        .expect("typed values survive being written as text");
    report("round trip", &tried);
}
