//! Error types of novera-core.

use std::time::Duration;

/// An error and its sources on one line (`outer: cause: root cause`), for log fields and
/// operator messages: `Display` alone shows only the outermost layer.
#[must_use]
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        out.push_str(": ");
        out.push_str(&next.to_string());
        source = next.source();
    }
    out
}

/// A deadline passed before the operation finished.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} did not finish within {}", humanize(*limit))]
#[non_exhaustive]
pub struct DeadlineExceeded {
    /// What was being waited for.
    pub what: &'static str,
    /// The deadline that passed.
    pub limit: Duration,
}

/// A [`WorkPool`](crate::WorkPool) was full and shed the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{limit} tasks already in flight")]
#[non_exhaustive]
pub struct Busy {
    /// The pool's concurrency limit.
    pub limit: usize,
}

/// Formats a duration the way operators read it: `2s`, `1.5s`, `250ms`.
pub(crate) fn humanize(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(humanize(Duration::from_secs(30)), "30s");
        assert_eq!(humanize(Duration::from_millis(250)), "250ms");
        assert_eq!(humanize(Duration::from_millis(1500)), "1.5s");
    }
}
