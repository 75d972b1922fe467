//! Prefix commands: `!roll 2d6` in a text message runs `/roll` with `dice = "2d6"`.
//!
//! Needs the privileged `MESSAGE_CONTENT` intent (without it, message content arrives empty).
//! Words map to the command's options in order; the last option, when it is a string, takes the
//! rest of the line. Only string, integer, number and boolean options can come from text, which
//! the router checks when it is built.

use std::fmt::Write as _;

use twilight_model::application::command::{CommandOption, CommandOptionType};
use twilight_model::application::interaction::application_command::{
    CommandDataOption, CommandOptionValue,
};

use crate::def::CommandDef;
use crate::error::ConfigError;

/// Splits `!name rest` into `("name", "rest")` when `content` starts with `prefix`.
pub(crate) fn split<'a>(content: &'a str, prefix: &str) -> Option<(&'a str, &'a str)> {
    let body = content.trim_start().strip_prefix(prefix)?;
    let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
    let (name, rest) = body.split_at(name_end);
    (!name.is_empty()).then_some((name, rest.trim()))
}

fn supported(kind: CommandOptionType) -> bool {
    matches!(
        kind,
        CommandOptionType::String
            | CommandOptionType::Integer
            | CommandOptionType::Number
            | CommandOptionType::Boolean
    )
}

/// Whether every option of `def` can be written in a text message.
pub(crate) fn check(def: &CommandDef) -> Result<(), ConfigError> {
    match def.model().options.iter().find(|o| !supported(o.kind)) {
        Some(option) => Err(ConfigError::PrefixUnsupported {
            command: def.name().to_owned(),
            option: option.name.clone(),
        }),
        None => Ok(()),
    }
}

/// `!roll <dice> [times]`.
pub(crate) fn usage(prefix: &str, def: &CommandDef) -> String {
    let mut out = format!("{prefix}{}", def.name());
    for option in &def.model().options {
        if option.required.unwrap_or(false) {
            let _ = write!(out, " <{}>", option.name);
        } else {
            let _ = write!(out, " [{}]", option.name);
        }
    }
    out
}

/// The options of `def` read from `args`, or `None` when they do not fit (show the usage).
pub(crate) fn options(def: &CommandDef, args: &str) -> Option<Vec<CommandDataOption>> {
    let declared = &def.model().options;
    let mut rest = args.trim();
    let mut out = Vec::new();
    for (index, option) in declared.iter().enumerate() {
        if rest.is_empty() {
            if option.required.unwrap_or(false) {
                return None;
            }
            break;
        }
        let last = index + 1 == declared.len();
        let word = if last && option.kind == CommandOptionType::String {
            std::mem::take(&mut rest)
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (word, tail) = rest.split_at(end);
            rest = tail.trim_start();
            word
        };
        out.push(CommandDataOption {
            name: option.name.clone(),
            value: value(option, word)?,
        });
    }
    rest.is_empty().then_some(out)
}

fn value(option: &CommandOption, word: &str) -> Option<CommandOptionValue> {
    Some(match option.kind {
        CommandOptionType::String => CommandOptionValue::String(word.to_owned()),
        CommandOptionType::Integer => CommandOptionValue::Integer(word.parse().ok()?),
        // `inf` and `NaN` parse as numbers, but Discord can never send them (JSON has neither):
        // a handler must not meet them only because the command came as text.
        CommandOptionType::Number => {
            CommandOptionValue::Number(word.parse().ok().filter(|n: &f64| n.is_finite())?)
        }
        CommandOptionType::Boolean => CommandOptionValue::Boolean(match word {
            "true" | "yes" | "on" => true,
            "false" | "no" | "off" => false,
            _ => return None,
        }),
        _ => return None,
    })
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_util::builder::command::{
        CommandBuilder, IntegerBuilder, StringBuilder, UserBuilder,
    };

    fn roll() -> CommandDef {
        CommandDef::new(
            CommandBuilder::new(
                "roll",
                "Roll dice",
                twilight_model::application::command::CommandType::ChatInput,
            )
            .option(IntegerBuilder::new("times", "How often").required(true))
            .option(StringBuilder::new("label", "What for"))
            .build(),
        )
    }

    #[test]
    fn splits_name_and_arguments() {
        assert_eq!(
            split("!roll 2 for  fun ", "!"),
            Some(("roll", "2 for  fun"))
        );
        assert_eq!(split("!ping", "!"), Some(("ping", "")));
        assert_eq!(split("! ping", "!"), None);
        assert_eq!(split("hello", "!"), None);
    }

    #[test]
    fn words_map_to_options_and_the_last_string_takes_the_rest() {
        let opts = options(&roll(), "3 for the  win").unwrap();
        assert_eq!(opts[0].value, CommandOptionValue::Integer(3));
        assert_eq!(
            opts[1].value,
            CommandOptionValue::String("for the  win".into())
        );
        assert_eq!(options(&roll(), "3").unwrap().len(), 1);
    }

    #[test]
    fn bad_or_missing_arguments_are_rejected() {
        assert!(options(&roll(), "").is_none());
        assert!(options(&roll(), "three").is_none());
        assert_eq!(usage("!", &roll()), "!roll <times> [label]");
    }

    #[test]
    fn options_text_cannot_carry_are_refused() {
        let def = CommandDef::new(
            CommandBuilder::new(
                "hug",
                "Hug someone",
                twilight_model::application::command::CommandType::ChatInput,
            )
            .option(UserBuilder::new("who", "Who").required(true))
            .build(),
        );
        assert!(matches!(
            check(&def),
            Err(ConfigError::PrefixUnsupported { .. })
        ));
        assert!(check(&roll()).is_ok());
    }
}
