//! Which gateway close codes are fatal, and what an operator must do about each.
//!
//! Discord documents 4004 and 4010-4014 as "do not reconnect": retrying them only repeats the
//! failure (and for 4004 hammers an auth endpoint with a dead token). Every other code is
//! reconnected by twilight, keeping the session where it can.

use twilight_model::gateway::Intents;

use crate::error::FatalClose;

/// Whether reconnecting after `code` is pointless.
#[must_use]
pub(crate) fn is_fatal(code: u16) -> bool {
    matches!(code, 4004 | 4010..=4014)
}

/// The privileged intents in `intents`, by name.
fn privileged_names(intents: Intents) -> Vec<&'static str> {
    [
        (
            Intents::GUILD_MEMBERS,
            "GUILD_MEMBERS (Server Members Intent)",
        ),
        (
            Intents::GUILD_PRESENCES,
            "GUILD_PRESENCES (Presence Intent)",
        ),
        (
            Intents::MESSAGE_CONTENT,
            "MESSAGE_CONTENT (Message Content Intent)",
        ),
    ]
    .into_iter()
    .filter(|(flag, _)| intents.contains(*flag))
    .map(|(_, name)| name)
    .collect()
}

/// A typed fatal error for `code` on `shard` of `total`, explained for an operator.
pub(crate) fn fatal_close(shard: u32, total: u32, code: u16, intents: Intents) -> FatalClose {
    let explanation = match code {
        4004 => "authentication failed: the token was refused by the gateway (revoked, or reset by \
                 Discord, e.g. after the daily identify budget ran out); put a fresh token from the \
                 Developer Portal into the configuration"
            .to_owned(),
        4010 => format!(
            "invalid shard: shard {shard} of {total} does not exist; fix the shard count or range \
             in the configuration"
        ),
        4011 => format!(
            "sharding required: the bot is in too many guilds for {total} shard(s); use \
             `shards = \"auto\"` or a larger shard count"
        ),
        4012 => "invalid API version: this build speaks gateway v10 and Discord refused it; \
                 upgrade novera"
            .to_owned(),
        4013 => format!(
            "invalid intents: intents value {} contains bits Discord does not know; fix \
             `intents` in the configuration",
            intents.bits()
        ),
        4014 => {
            let names = privileged_names(intents);
            if names.is_empty() {
                "disallowed intents: Discord refused a privileged intent; enable it under Bot > \
                 Privileged Gateway Intents in the Discord Developer Portal, or remove it from \
                 `intents` in the configuration"
                    .to_owned()
            } else {
                format!(
                    "disallowed intents: this application may not use {}; enable {} under Bot > \
                     Privileged Gateway Intents in the Discord Developer Portal, or remove {} \
                     from `intents` in the configuration",
                    names.join(", "),
                    if names.len() == 1 { "it" } else { "them" },
                    if names.len() == 1 { "it" } else { "them" },
                )
            }
        }
        other => format!("discord closed the connection with code {other}, which cannot be retried"),
    };
    FatalClose {
        shard,
        code,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_documented_codes_are_fatal() {
        for code in [4004, 4010, 4011, 4012, 4013, 4014] {
            assert!(is_fatal(code), "{code}");
        }
        for code in [
            1000, 1001, 1006, 4000, 4001, 4002, 4003, 4005, 4007, 4008, 4009, 4015,
        ] {
            assert!(!is_fatal(code), "{code}");
        }
    }

    #[test]
    fn disallowed_intents_name_the_privileged_ones() {
        let intents = Intents::GUILDS | Intents::MESSAGE_CONTENT | Intents::GUILD_MEMBERS;
        let fatal = fatal_close(2, 4, 4014, intents);
        assert_eq!((fatal.shard, fatal.code), (2, 4014));
        assert!(
            fatal.explanation.contains("GUILD_MEMBERS"),
            "{}",
            fatal.explanation
        );
        assert!(
            fatal.explanation.contains("MESSAGE_CONTENT"),
            "{}",
            fatal.explanation
        );
        assert!(
            !fatal.explanation.contains("GUILD_PRESENCES"),
            "{}",
            fatal.explanation
        );
        assert!(fatal.explanation.contains("Developer Portal"));
        let shown = fatal.to_string();
        assert!(
            shown.starts_with("shard 2 was closed by discord with code 4014: "),
            "{shown}"
        );
    }

    #[test]
    fn the_supervisor_error_downcasts_to_the_typed_close() {
        let error = novera_core::TaskError::fatal(fatal_close(1, 2, 4004, Intents::GUILDS));
        assert!(error.is_fatal());
        let typed = error
            .inner()
            .downcast_ref::<FatalClose>()
            .expect("a FatalClose");
        assert_eq!((typed.shard, typed.code), (1, 4004));
    }

    #[test]
    fn shard_errors_name_the_shard_plan() {
        assert!(
            fatal_close(7, 4, 4010, Intents::GUILDS)
                .explanation
                .contains("shard 7 of 4")
        );
        assert!(
            fatal_close(0, 1, 4004, Intents::GUILDS)
                .explanation
                .contains("token")
        );
    }
}
