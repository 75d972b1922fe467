//! What a `/_sim/load` asks for: the kinds of events, their weights, and the cycle that spreads
//! them (see `load.rs` for the frames).

use std::collections::BTreeMap;

use crate::requests::{LoadKindName, LoadRequest};

/// One kind of event a load can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadKind {
    MessageCreate,
    MessageUpdate,
    MessageDelete,
    ReactionAdd,
    ReactionRemove,
    TypingStart,
    PresenceUpdate,
    MemberUpdate,
}

impl LoadKind {
    /// Every kind, in the order the default mix and error messages list them.
    pub(crate) const ALL: [Self; 8] = [
        Self::MessageCreate,
        Self::MessageUpdate,
        Self::MessageDelete,
        Self::ReactionAdd,
        Self::ReactionRemove,
        Self::TypingStart,
        Self::PresenceUpdate,
        Self::MemberUpdate,
    ];

    /// The dispatch's event name, which is also its key in `weights`.
    pub(crate) fn event(self) -> &'static str {
        match self {
            Self::MessageCreate => "MESSAGE_CREATE",
            Self::MessageUpdate => "MESSAGE_UPDATE",
            Self::MessageDelete => "MESSAGE_DELETE",
            Self::ReactionAdd => "MESSAGE_REACTION_ADD",
            Self::ReactionRemove => "MESSAGE_REACTION_REMOVE",
            Self::TypingStart => "TYPING_START",
            Self::PresenceUpdate => "PRESENCE_UPDATE",
            Self::MemberUpdate => "GUILD_MEMBER_UPDATE",
        }
    }

    /// The intent (bit and name) a session needs to receive this kind in a guild.
    pub(crate) fn intent(self) -> (u64, &'static str) {
        match self {
            Self::MessageCreate | Self::MessageUpdate | Self::MessageDelete => {
                (1 << 9, "GUILD_MESSAGES")
            }
            Self::ReactionAdd | Self::ReactionRemove => (1 << 10, "GUILD_MESSAGE_REACTIONS"),
            Self::TypingStart => (1 << 11, "GUILD_MESSAGE_TYPING"),
            Self::PresenceUpdate => (1 << 8, "GUILD_PRESENCES"),
            Self::MemberUpdate => (1 << 1, "GUILD_MEMBERS"),
        }
    }

    fn from_event(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.event() == name)
    }

    /// Whether the event refers to a message the load created before it.
    fn needs_message(self) -> bool {
        matches!(
            self,
            Self::MessageUpdate | Self::MessageDelete | Self::ReactionAdd | Self::ReactionRemove
        )
    }
}

/// The default `mix`: roughly what a community bot with every guild intent receives, where
/// presences and typing outnumber messages (per 20 events: 5 presences, 4 typing, 4 messages,
/// 2 edits, 1 delete, 2 reactions added, 1 removed, 1 member update).
pub(crate) const DEFAULT_MIX: [(LoadKind, u32); 8] = [
    (LoadKind::MessageCreate, 4),
    (LoadKind::MessageUpdate, 2),
    (LoadKind::MessageDelete, 1),
    (LoadKind::ReactionAdd, 2),
    (LoadKind::ReactionRemove, 1),
    (LoadKind::TypingStart, 4),
    (LoadKind::PresenceUpdate, 5),
    (LoadKind::MemberUpdate, 1),
];

/// Most dispatches one load may ask for.
pub(crate) const MAX_LOAD: u64 = 100_000_000;
/// Largest weight of one kind.
const MAX_WEIGHT: u64 = 1000;

/// A parsed `/_sim/load` body.
#[derive(Debug, Clone)]
pub(crate) struct LoadSpec {
    /// Kinds with a weight above 0.
    pub(crate) weights: Vec<(LoadKind, u32)>,
    pub(crate) count: u64,
}

impl LoadSpec {
    /// The load a `/_sim/load` body asks for (the caller reads `channel_id`); the error is
    /// the message of a 400.
    pub(crate) fn from_request(request: &LoadRequest) -> Result<Self, String> {
        let count = request.count;
        if !(1..=MAX_LOAD).contains(&count) {
            return Err(format!("`count` must be 1..={MAX_LOAD}"));
        }
        let weights = match (request.kind, &request.weights) {
            (LoadKindName::Messages, None) => vec![(LoadKind::MessageCreate, 1)],
            (LoadKindName::Messages, Some(_)) => {
                return Err("`weights` only goes with `kind: \"mix\"`".to_owned());
            }
            (LoadKindName::Mix, None) => DEFAULT_MIX.to_vec(),
            (LoadKindName::Mix, Some(w)) => parse_weights(w)?,
        };
        Ok(Self { weights, count })
    }

    /// Parses a whole body (tests).
    #[cfg(test)]
    pub(crate) fn parse(body: &serde_json::Value) -> Result<Self, String> {
        let request: LoadRequest =
            crate::extract::control_body(body.to_string().as_bytes()).map_err(|e| e.message)?;
        Self::from_request(&request)
    }

    /// The intents the session lacks for kinds of this load, as the message of a 409.
    pub(crate) fn missing_intents(&self, intents: u64) -> Option<String> {
        let mut missing: Vec<(&str, Vec<&str>)> = Vec::new();
        for &(kind, _) in &self.weights {
            let (bit, name) = kind.intent();
            if intents & bit != 0 {
                continue;
            }
            match missing.iter_mut().find(|(n, _)| *n == name) {
                Some((_, events)) => events.push(kind.event()),
                None => missing.push((name, vec![kind.event()])),
            }
        }
        (!missing.is_empty()).then(|| {
            let list: Vec<String> = missing
                .iter()
                .map(|(name, events)| format!("{name} ({})", events.join(", ")))
                .collect();
            format!(
                "the session lacks the intents this load needs: {}",
                list.join(", ")
            )
        })
    }
}

fn parse_weights(map: &BTreeMap<String, u64>) -> Result<Vec<(LoadKind, u32)>, String> {
    let known = || {
        LoadKind::ALL
            .iter()
            .map(|k| k.event())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut weights = Vec::new();
    for (name, weight) in map {
        let kind = LoadKind::from_event(name)
            .ok_or_else(|| format!("unknown event `{name}` in `weights`; known: {}", known()))?;
        let weight = Some(*weight)
            .filter(|w| *w <= MAX_WEIGHT)
            .and_then(|w| u32::try_from(w).ok())
            .ok_or_else(|| format!("the weight of {name} must be an integer 0..={MAX_WEIGHT}"))?;
        if weight > 0 {
            weights.push((kind, weight));
        }
    }
    if weights.is_empty() {
        return Err("`weights` must give at least one event a weight above 0".to_owned());
    }
    if weights.iter().any(|(k, _)| k.needs_message())
        && !weights.iter().any(|(k, _)| *k == LoadKind::MessageCreate)
    {
        return Err(
            "MESSAGE_UPDATE, MESSAGE_DELETE and reactions act on messages the load creates: give MESSAGE_CREATE a weight too"
                .to_owned(),
        );
    }
    weights.sort_by_key(|(k, _)| LoadKind::ALL.iter().position(|a| a == k));
    Ok(weights)
}

/// One position of the cycle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) kind: LoadKind,
    /// `MESSAGE_CREATEs` at earlier positions of the cycle.
    pub(crate) creates_before: u64,
}

/// Spreads the kinds over a cycle of `sum(weights)` positions (smooth weighted round robin, so
/// no kind comes in one block), rotated to start with a `MESSAGE_CREATE` when there is one.
pub(crate) fn schedule(weights: &[(LoadKind, u32)]) -> Vec<Slot> {
    let total: i64 = weights.iter().map(|&(_, w)| i64::from(w)).sum();
    let mut current = vec![0_i64; weights.len()];
    let mut kinds = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for _ in 0..total {
        let mut best = 0;
        for (i, &(_, w)) in weights.iter().enumerate() {
            current[i] += i64::from(w);
            if current[i] > current[best] {
                best = i;
            }
        }
        current[best] -= total;
        kinds.push(weights[best].0);
    }
    if let Some(first) = kinds.iter().position(|k| *k == LoadKind::MessageCreate) {
        kinds.rotate_left(first);
    }
    let mut creates = 0;
    kinds
        .into_iter()
        .map(|kind| {
            let slot = Slot {
                kind,
                creates_before: creates,
            };
            creates += u64::from(kind == LoadKind::MessageCreate);
            slot
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bad_bodies_are_refused_with_a_reason() {
        let cases = [
            (json!({"count": 0}), "`count`"),
            (
                json!({"kind": "storm", "count": 1}),
                "unknown variant `storm`",
            ),
            (
                json!({"kind": "mix", "count": 1, "weights": {"MESSAGE_CRATE": 1}}),
                "unknown event",
            ),
            (
                json!({"kind": "mix", "count": 1, "weights": {"TYPING_START": -1}}),
                "`weights.TYPING_START`",
            ),
            (
                json!({"kind": "mix", "count": 1, "weights": {"TYPING_START": 1001}}),
                "0..=1000",
            ),
            (
                json!({"kind": "mix", "count": 1, "weights": {"TYPING_START": 0}}),
                "at least one",
            ),
            (
                json!({"kind": "mix", "count": 1, "weights": {"MESSAGE_DELETE": 1}}),
                "MESSAGE_CREATE a weight",
            ),
            (
                json!({"kind": "messages", "count": 1, "weights": {}}),
                "only goes with",
            ),
        ];
        for (body, expected) in cases {
            let error = LoadSpec::parse(&body).expect_err("refused");
            assert!(error.contains(expected), "{body}: {error}");
        }
    }

    #[test]
    fn missing_intents_are_named() {
        let spec = LoadSpec::parse(&json!({
            "kind": "mix", "count": 5, "weights": {"MESSAGE_CREATE": 1, "PRESENCE_UPDATE": 1}
        }))
        .expect("valid load");
        assert_eq!(spec.missing_intents((1 << 9) | (1 << 8)), None);
        let missing = spec.missing_intents(1 << 9).expect("missing");
        assert!(
            missing.ends_with("GUILD_PRESENCES (PRESENCE_UPDATE)"),
            "{missing}"
        );
        let all = LoadSpec::parse(&json!({"kind": "mix", "count": 1})).expect("default mix");
        let missing = all.missing_intents(1 << 9).expect("missing");
        assert!(
            missing.contains(
                "GUILD_MESSAGE_REACTIONS (MESSAGE_REACTION_ADD, MESSAGE_REACTION_REMOVE)"
            ) && missing.contains("GUILD_MEMBERS (GUILD_MEMBER_UPDATE)"),
            "{missing}"
        );
    }
}
