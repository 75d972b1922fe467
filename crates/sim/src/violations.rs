//! The rules a client can break, and the record of who broke which.

use std::collections::BTreeMap;

use crate::types::Violation;

/// Every rule the simulator checks, by the name the violations report uses.
pub(crate) mod rule {
    pub(crate) const NOT_AUTHENTICATED: &str = "not_authenticated";
    pub(crate) const ALREADY_AUTHENTICATED: &str = "already_authenticated";
    pub(crate) const DECODE_ERROR: &str = "decode_error";
    pub(crate) const UNKNOWN_OPCODE: &str = "unknown_opcode";
    pub(crate) const GATEWAY_RATE: &str = "gateway_rate";
    pub(crate) const HEARTBEAT_TIMEOUT: &str = "heartbeat_timeout";
    pub(crate) const AUTHENTICATION_FAILED: &str = "authentication_failed";
    pub(crate) const INVALID_SHARD: &str = "invalid_shard";
    pub(crate) const SHARDING_REQUIRED: &str = "sharding_required";
    pub(crate) const INVALID_INTENTS: &str = "invalid_intents";
    pub(crate) const DISALLOWED_INTENTS: &str = "disallowed_intents";
    pub(crate) const LARGE_THRESHOLD: &str = "large_threshold";
    pub(crate) const IDENTIFY_BUDGET: &str = "identify_budget";
    pub(crate) const IDENTIFY_CONCURRENCY: &str = "identify_concurrency";
    pub(crate) const REST_UNAUTHORIZED: &str = "rest_unauthorized";
    pub(crate) const REST_RATE_LIMIT: &str = "rest_rate_limit";
    pub(crate) const REST_GLOBAL_RATE_LIMIT: &str = "rest_global_rate_limit";
    pub(crate) const REST_RETRY_AFTER_IGNORED: &str = "rest_retry_after_ignored";
    pub(crate) const REST_INVALID_REQUEST_BAN: &str = "rest_invalid_request_ban";
    pub(crate) const INTERACTION_LATE: &str = "interaction_late";
    pub(crate) const INTERACTION_DOUBLE_ACK: &str = "interaction_double_ack";
    pub(crate) const INTERACTION_TOKEN_EXPIRED: &str = "interaction_token_expired";
    pub(crate) const MENTION_EVERYONE: &str = "mention_everyone";

    /// All rules, in the order the report lists their counters.
    pub(crate) const ALL: &[&str] = &[
        NOT_AUTHENTICATED,
        ALREADY_AUTHENTICATED,
        DECODE_ERROR,
        UNKNOWN_OPCODE,
        GATEWAY_RATE,
        HEARTBEAT_TIMEOUT,
        AUTHENTICATION_FAILED,
        INVALID_SHARD,
        SHARDING_REQUIRED,
        INVALID_INTENTS,
        DISALLOWED_INTENTS,
        LARGE_THRESHOLD,
        IDENTIFY_BUDGET,
        IDENTIFY_CONCURRENCY,
        REST_UNAUTHORIZED,
        REST_RATE_LIMIT,
        REST_GLOBAL_RATE_LIMIT,
        REST_RETRY_AFTER_IGNORED,
        REST_INVALID_REQUEST_BAN,
        INTERACTION_LATE,
        INTERACTION_DOUBLE_ACK,
        INTERACTION_TOKEN_EXPIRED,
        MENTION_EVERYONE,
    ];
}

/// Most violations kept in the list (counters keep counting past it).
const MAX_LISTED: usize = 10_000;

/// The violations report.
#[derive(Debug)]
pub(crate) struct Violations {
    list: Vec<Violation>,
    counts: BTreeMap<String, u64>,
}

impl Default for Violations {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            counts: rule::ALL.iter().map(|r| ((*r).to_owned(), 0)).collect(),
        }
    }
}

impl Violations {
    pub(crate) fn record(&mut self, rule: &str, detail: String, at: u64, session: Option<String>) {
        tracing::warn!(rule, %detail, session = session.as_deref(), "client broke a Discord rule");
        *self.counts.entry(rule.to_owned()).or_insert(0) += 1;
        if self.list.len() < MAX_LISTED {
            self.list.push(Violation {
                rule: rule.to_owned(),
                detail,
                at,
                session,
            });
        }
    }

    pub(crate) fn list(&self) -> &[Violation] {
        &self.list
    }

    pub(crate) fn counts(&self) -> &BTreeMap<String, u64> {
        &self.counts
    }
}
