//! The guards' state in health's plain reports: the REST guard's window and the instance
//! watch's evidence.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use novera_commands::GuardStatus;
use novera_core::DuplicateReport;
use novera_health::{
    DuplicateEvidenceReport, DuplicateInstanceReport, InvalidRequestReport, InvalidRequestSource,
};

pub(super) fn invalid_request_report(status: &GuardStatus) -> InvalidRequestReport {
    let summary = &status.summary;
    InvalidRequestReport {
        count: summary.count,
        limit: status.limit,
        window_secs: summary.window.as_secs_f64(),
        oldest_at_unix_ms: summary
            .oldest_age
            .map(|age| unix_ms(SystemTime::now().checked_sub(age))),
        in_flight: status.in_flight,
        enabled: status.enabled,
        braking: status.braking,
        essentials_only: status.essentials_only,
        refused: status.refused,
        failed_targets: u64::try_from(status.failed_targets).unwrap_or(u64::MAX),
        top: summary
            .top
            .iter()
            .map(|c| InvalidRequestSource {
                status: c.status,
                code: c.code,
                route: c.route.clone(),
                description: c.description.clone(),
                count: c.count,
                summary: c.to_string(),
            })
            .collect(),
    }
}

pub(super) fn duplicate_report(report: &DuplicateReport) -> DuplicateInstanceReport {
    DuplicateInstanceReport {
        this_instance: report.tag.to_string(),
        detected: report.detected,
        stepped_down: report.stepped_down,
        step_down_enabled: report.step_down_enabled,
        evidence: report
            .evidence
            .iter()
            .map(|e| DuplicateEvidenceReport {
                at_unix_ms: e.at_unix_ms,
                kind: e.kind.label().to_owned(),
                detail: e.detail.clone(),
                other_instance: e.other.as_ref().map(ToString::to_string),
                other_started_at_unix_ms: e.other.as_ref().map(|tag| {
                    unix_ms(UNIX_EPOCH.checked_add(Duration::from_secs(tag.started_unix_secs())))
                }),
            })
            .collect(),
    }
}

fn unix_ms(at: Option<SystemTime>) -> u64 {
    at.and_then(|at| at.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use novera_core::{InstanceTag, InstanceWatch};

    use super::*;

    #[test]
    fn evidence_names_the_other_instance_and_when_it_started() {
        let watch = InstanceWatch::with_tag(InstanceTag::new(1_750_000_000, 1), false);
        let other = InstanceWatch::with_tag(InstanceTag::new(1_700_000_000, 2), false);
        watch.check_nonce(&other.next_nonce(), || "seen".to_owned());
        let report = duplicate_report(&watch.report());
        assert_eq!(report.detected, 1);
        assert_eq!(report.this_instance, watch.tag().to_string());
        assert_eq!(report.evidence[0].kind, "foreign_nonce");
        assert_eq!(
            report.evidence[0].other_instance.as_deref(),
            Some(other.tag().as_str())
        );
        assert_eq!(
            report.evidence[0].other_started_at_unix_ms,
            Some(1_700_000_000_000)
        );
    }
}
