//! Process metrics (memory, CPU, file descriptors, start time), read at scrape time.
//!
//! The reading itself comes from `metrics-process` (procfs on Linux, the platform APIs
//! elsewhere), the same set the official Go client exports. We do not use its `Collector`,
//! which records through the global `metrics` recorder: that only works once a recorder is
//! installed globally (so it could not be tested with a local one) and it truncates the CPU
//! counter to whole seconds. Instead we render its raw snapshot ourselves with a `novera_` prefix.

use std::fmt::Write as _;

use metrics_process::collector;

/// Appends one single-sample metric family, with `HELP` and `TYPE`, to `out`.
pub(crate) fn write_family(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    value: impl std::fmt::Display,
) {
    write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n\n"
    )
    .expect("writing to a String cannot fail");
}

/// Appends the `novera_process_*` families this platform can measure to `out`.
pub(crate) fn write_process_metrics(out: &mut String) {
    let m = collector::collect();
    if let Some(v) = m.cpu_seconds_total {
        write_family(
            out,
            "novera_process_cpu_seconds_total",
            "counter",
            "Total user and system CPU time spent in seconds.",
            v,
        );
    }
    if let Some(v) = m.resident_memory_bytes {
        write_family(
            out,
            "novera_process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            v,
        );
    }
    if let Some(v) = m.virtual_memory_bytes {
        write_family(
            out,
            "novera_process_virtual_memory_bytes",
            "gauge",
            "Virtual memory size in bytes.",
            v,
        );
    }
    if let Some(v) = m.open_fds {
        write_family(
            out,
            "novera_process_open_fds",
            "gauge",
            "Number of open file descriptors.",
            v,
        );
    }
    // metrics-process reports an unlimited soft limit as 0, which would read as "no fds
    // allowed"; leave the family out rather than publish a wrong number.
    if let Some(v) = m.max_fds.filter(|v| *v > 0) {
        write_family(
            out,
            "novera_process_max_fds",
            "gauge",
            "Maximum number of open file descriptors.",
            v,
        );
    }
    if let Some(v) = m.start_time_seconds {
        write_family(
            out,
            "novera_process_start_time_seconds",
            "gauge",
            "Start time of the process since the Unix epoch in seconds.",
            v,
        );
    }
    if let Some(v) = m.threads {
        write_family(
            out,
            "novera_process_threads",
            "gauge",
            "Number of OS threads in the process.",
            v,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_reports_the_core_process_families() {
        let mut out = String::new();
        write_process_metrics(&mut out);
        for name in [
            "novera_process_cpu_seconds_total",
            "novera_process_resident_memory_bytes",
            "novera_process_open_fds",
            "novera_process_start_time_seconds",
        ] {
            let line = out
                .lines()
                .find(|l| l.starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} missing from:\n{out}"));
            let value: f64 = line[name.len() + 1..].parse().unwrap();
            assert!(value >= 0.0, "{line}");
        }
    }
}
