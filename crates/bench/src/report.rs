//! What a scenario prints: named figures (one value per run, summarized) and its parameters, as a
//! table for people or one JSON object for tools.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::stats::Summary;

/// One measured quantity across runs.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Name, e.g. `events_per_s` or `p99_ms@500/s`.
    pub name: String,
    /// Unit, e.g. `events/s`, `ms`, `MiB`, `count`.
    pub unit: String,
    /// Median, extremes and spread; `None` when no run produced a value.
    pub summary: Option<Summary>,
    /// Every run's value, in run order.
    pub values: Vec<f64>,
}

impl Figure {
    /// A figure from each run's value.
    #[must_use]
    pub fn new(name: impl Into<String>, unit: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            unit: unit.into(),
            summary: Summary::of(&values),
            values,
        }
    }

    /// The median, if any run produced a value.
    #[must_use]
    pub fn median(&self) -> Option<f64> {
        self.summary.map(|s| s.median)
    }
}

/// The result of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Scenario name (`throughput`, `ceiling`, ...).
    pub scenario: String,
    /// What it ran with (sizes, rates, runs, binary), as JSON.
    pub parameters: Map<String, Value>,
    /// The figures, in a stable order.
    pub figures: Vec<Figure>,
    /// Anything a reader must know to trust the figures (shed events, unanswered commands...).
    pub notes: Vec<String>,
}

impl Report {
    /// An empty report of `scenario`.
    #[must_use]
    pub fn new(scenario: impl Into<String>) -> Self {
        Self {
            scenario: scenario.into(),
            parameters: Map::new(),
            figures: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records a parameter.
    pub fn param(&mut self, name: &str, value: impl Into<Value>) {
        self.parameters.insert(name.to_owned(), value.into());
    }

    /// Adds a figure from each run's value.
    pub fn figure(&mut self, name: impl Into<String>, unit: impl Into<String>, values: Vec<f64>) {
        self.figures.push(Figure::new(name, unit, values));
    }

    /// Adds a note.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// The figure called `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }

    /// One JSON object on one line.
    #[must_use]
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"scenario\":\"{}\",\"error\":\"{e}\"}}", self.scenario))
    }

    /// A table for people: one figure per line with median, range and spread.
    #[must_use]
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let params: Vec<String> = self
            .parameters
            .iter()
            .map(|(k, v)| format!("{k}={}", compact(v)))
            .collect();
        let _ = writeln!(out, "== {} ({})", self.scenario, params.join(", "));
        let width = self.figures.iter().map(|f| f.name.len()).max().unwrap_or(0);
        for figure in &self.figures {
            match figure.summary {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "  {:<width$}  {:>12} {:<9} min {} max {} spread {:.1}% ({} runs)",
                        figure.name,
                        human(s.median),
                        figure.unit,
                        human(s.min),
                        human(s.max),
                        s.spread_pct,
                        s.runs,
                    );
                }
                None => {
                    let _ = writeln!(out, "  {:<width$}  {:>12}", figure.name, "n/a");
                }
            }
        }
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        out
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number with as many decimals as its size deserves.
#[must_use]
pub(crate) fn human(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_line_carries_parameters_and_summaries() {
        let mut report = Report::new("throughput");
        report.param("events", 1000);
        report.figure("events_per_s", "events/s", vec![100.0, 300.0, 200.0]);
        report.figure("empty", "ms", vec![]);
        let line = report.to_json_line();
        assert!(!line.contains('\n'));
        let value: Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(value["scenario"], "throughput");
        assert_eq!(value["parameters"]["events"], 1000);
        assert_eq!(value["figures"][0]["summary"]["median"], 200.0);
        assert_eq!(value["figures"][0]["values"][1], 300.0);
        assert!(value["figures"][1]["summary"].is_null());
        assert_eq!(
            report.get("events_per_s").and_then(Figure::median),
            Some(200.0)
        );
    }

    #[test]
    fn table_names_every_figure() {
        let mut report = Report::new("startup");
        report.figure("ready_ms", "ms", vec![12.5, 13.5]);
        report.note("sandbox");
        let table = report.to_table();
        assert!(table.contains("ready_ms"), "{table}");
        assert!(table.contains("13.0"), "{table}");
        assert!(table.contains("note: sandbox"), "{table}");
    }

    #[test]
    fn human_numbers() {
        assert_eq!(human(123_456.7), "123457");
        assert_eq!(human(12.34), "12.3");
        assert_eq!(human(1.234), "1.23");
    }
}
