//! Throughput as a fraction of each ceiling.

use crate::report::{Figure, Report};

/// `ratios`: the throughput medians over the ceiling medians (`all` prints it).
#[must_use]
pub fn ratios(throughput: &Report, ceiling: &Report) -> Report {
    let mut report = Report::new("ratios");
    for rate in ["message_create_events_per_s", "mix_events_per_s"] {
        let Some(bot) = throughput.get(rate).and_then(Figure::median) else {
            continue;
        };
        for limit in [
            "deserialize_events_per_s",
            "frames_zstd_events_per_s",
            "frames_plain_events_per_s",
        ] {
            if let Some(limit_value) = ceiling.get(limit).and_then(Figure::median)
                && limit_value > 0.0
            {
                let name = format!(
                    "{}_over_{}",
                    rate.trim_end_matches("_events_per_s"),
                    limit.trim_end_matches("_events_per_s")
                );
                report.figure(name, "ratio", vec![bot / limit_value]);
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_of_medians() {
        let mut throughput = Report::new("throughput");
        throughput.figure(
            "message_create_events_per_s",
            "events/s",
            vec![50.0, 60.0, 70.0],
        );
        let mut ceiling = Report::new("ceiling");
        ceiling.figure("deserialize_events_per_s", "events/s", vec![120.0]);
        ceiling.figure("frames_zstd_events_per_s", "events/s", vec![0.0]);
        let ratios = ratios(&throughput, &ceiling);
        let figure = ratios
            .get("message_create_over_deserialize")
            .expect("ratio present");
        assert_eq!(figure.median(), Some(0.5));
        // A zero ceiling gives no ratio rather than infinity; a missing mix gives none either.
        assert!(ratios.get("message_create_over_frames_zstd").is_none());
        assert!(ratios.get("mix_over_deserialize").is_none());
    }
}
