//! Throughput as a fraction of each ceiling.

use crate::report::{Figure, Report};

/// `ratios`: the throughput medians over the ceiling medians (`all` prints it).
#[must_use]
pub fn ratios(throughput: &Report, ceiling: &Report) -> Report {
    let mut report = Report::new("ratios");
    // Each rate over the ceilings measured with its own payloads (frames are only measured
    // with messages: the mix's frames are smaller, so that ceiling is a conservative one).
    let pairs = [
        ("message_create", "deserialize"),
        ("message_create", "frames_zstd"),
        ("message_create", "frames_plain"),
        ("mix", "mix_deserialize"),
        ("mix", "frames_zstd"),
    ];
    for (rate, limit) in pairs {
        let bot = throughput
            .get(&format!("{rate}_events_per_s"))
            .and_then(Figure::median);
        let ceiling_value = ceiling
            .get(&format!("{limit}_events_per_s"))
            .and_then(Figure::median);
        if let (Some(bot), Some(limit_value)) = (bot, ceiling_value)
            && limit_value > 0.0
        {
            report.figure(
                format!("{rate}_over_{limit}"),
                "ratio",
                vec![bot / limit_value],
            );
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
        assert!(ratios.get("mix_over_mix_deserialize").is_none());
        throughput.figure("mix_events_per_s", "events/s", vec![30.0]);
        ceiling.figure("mix_deserialize_events_per_s", "events/s", vec![60.0]);
        let ratios = super::ratios(&throughput, &ceiling);
        assert_eq!(
            ratios
                .get("mix_over_mix_deserialize")
                .and_then(Figure::median),
            Some(0.5)
        );
    }
}
