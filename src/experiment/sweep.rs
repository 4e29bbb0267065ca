//! Sweeps: the Cartesian product of `--vary` values, each point run with
//! replications.
//!
//! Work units are (point, replication) pairs in one order, point-major:
//! point 0 replications 0…R−1, point 1 replications 0…R−1, … Points are in
//! the Cartesian order of the SPECs as written (the last SPEC varies
//! fastest). A unit's result ([`Sweep::run_unit`]) is a plain [`Summary`]
//! (serde, lossless: floats round-trip) with `wall_s` set to 0, so units
//! can run on other machines, be saved and be merged: a point's result is
//! [`Sweep::aggregate`] of its units in replication order, a pure function,
//! and the writers ([`CsvWriter`], [`JsonWriter`]) take point results one
//! at a time, in point order. Every replication index uses the same seed at
//! every point (common random numbers), so differences between points are
//! the model's, not the dice's.

use std::io::Write;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::average::Accumulator;
use super::slo::entry_met;
use super::vary::{MAX_POINTS, VarySpec, apply};
use super::{
    Control, ExperimentError, Plan, Replicated, ScenarioChoice, check_variant, run_ordered,
    run_replication,
};
use crate::metrics::Summary;
use crate::model::{Checked, CheckedScenario, Scenario, Slo, Topology};

/// A checked sweep: every point's topology passed validation.
#[derive(Debug, Clone)]
pub struct Sweep {
    base: Topology,
    choice: ScenarioChoice,
    specs: Vec<VarySpec>,
    plan: Plan,
    /// Points, the product of the specs' value counts.
    points: usize,
    /// The base scenario (for the description).
    scenario: Scenario,
}

/// The result of one point: its values and the replications' mean.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    pub index: usize,
    /// Varied name (as written) → value.
    pub vary: IndexMap<String, Value>,
    pub result: Replicated,
    /// The point's SLO (the file's, as varied).
    pub slo: Option<Slo>,
}

impl PointResult {
    /// Per entry (in summary order): whether it meets the SLO on the mean;
    /// `None` without SLO targets or traffic.
    pub fn slo_met(&self) -> Vec<Option<bool>> {
        let slo = self.slo.clone().unwrap_or_default();
        self.result
            .summary
            .entrypoints
            .iter()
            .map(|e| entry_met(&slo, e))
            .collect()
    }
}

/// What the sweep is, as written at the top of its JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepInfo {
    pub topology: String,
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub replications: u64,
    pub confidence: f64,
    pub vary: Vec<VaryInfo>,
    pub points: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VaryInfo {
    pub name: String,
    pub spec: String,
    pub values: Vec<Value>,
}

impl Sweep {
    /// Parses and checks the SPECs against `checked`, then builds and
    /// validates every point's topology: every error comes before anything runs.
    pub fn new(
        checked: &Checked,
        choice: ScenarioChoice,
        specs: &[String],
        plan: Plan,
    ) -> Result<Sweep, ExperimentError> {
        plan.check()?;
        if specs.is_empty() {
            return Err(ExperimentError::Spec(
                "nothing to vary; give at least one --vary SPEC, e.g. --vary load=0.5:2:0.5"
                    .to_owned(),
            ));
        }
        let base = checked.topology().clone();
        let scenario = choice.resolve(checked)?.scenario().clone();
        let mut parsed: Vec<VarySpec> = Vec::new();
        for text in specs {
            let spec = VarySpec::parse(text)?;
            if let Some(earlier) = parsed.iter().find(|p| p.name == spec.name) {
                return Err(ExperimentError::Spec(format!(
                    "--vary \"{}\": {} is already varied by --vary \"{}\"; give each name once",
                    spec.text, spec.name, earlier.text
                )));
            }
            spec.check(&base, &scenario)?;
            parsed.push(spec);
        }
        let mut points: usize = 1;
        for spec in &parsed {
            points = points.saturating_mul(spec.values.len());
        }
        if points > MAX_POINTS {
            return Err(ExperimentError::Spec(format!(
                "the sweep has {points} points, more than {MAX_POINTS}; vary fewer values"
            )));
        }
        let sweep = Sweep {
            base,
            choice,
            specs: parsed,
            plan,
            points,
            scenario,
        };
        for point in 0..points {
            sweep.variant(point)?;
        }
        Ok(sweep)
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Number of points.
    pub fn point_count(&self) -> usize {
        self.points
    }

    /// Number of work units: points × replications.
    pub fn unit_count(&self) -> u64 {
        self.points as u64 * self.plan.replications
    }

    /// The (point, replication) of unit `unit` (point-major).
    pub fn unit(&self, unit: u64) -> (usize, u64) {
        let r = self.plan.replications.max(1);
        ((unit / r) as usize, unit % r)
    }

    /// The varied values of point `point`: name (as written) → value.
    pub fn point(&self, point: usize) -> IndexMap<String, Value> {
        let mut rest = point;
        let mut picks = vec![0; self.specs.len()];
        for (i, spec) in self.specs.iter().enumerate().rev() {
            let n = spec.values.len().max(1);
            picks[i] = rest % n;
            rest /= n;
        }
        self.specs
            .iter()
            .zip(picks)
            .filter_map(|(spec, k)| Some((spec.name.clone(), spec.values.get(k)?.clone())))
            .collect()
    }

    /// The point as `load=1.5, replicas.app=2`.
    pub fn point_label(&self, point: usize) -> String {
        self.point(point)
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The topology of point `point`, before validation.
    fn edited(&self, point: usize) -> Result<Topology, ExperimentError> {
        let mut topology = self.base.clone();
        for (spec, (_, value)) in self.specs.iter().zip(self.point(point)) {
            apply(&mut topology, &spec.knob, &value).map_err(|problem| {
                ExperimentError::InvalidVariant {
                    point: format!("--vary \"{}\" at {}={value}", spec.text, spec.name),
                    problems: problem,
                }
            })?;
        }
        Ok(topology)
    }

    /// Point `point`: its topology validated again and its scenario checked for a run.
    pub fn variant(&self, point: usize) -> Result<CheckedScenario, ExperimentError> {
        let topology = self.edited(point)?;
        let label = format!("point {} ({})", point, self.point_label(point));
        let checked = check_variant(topology, &label)?;
        self.choice
            .resolve(&checked)
            .map_err(|e| ExperimentError::InvalidVariant {
                point: label,
                problems: e.to_string(),
            })
    }

    /// Runs one work unit: replication `replication` of point `point`. The
    /// summary's `wall_s` is 0, so a unit's result is the same wherever it ran.
    pub fn run_unit(
        &self,
        point: usize,
        replication: u64,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<Summary, ExperimentError> {
        let run = self.variant(point)?;
        let mut summary = run_replication(&run, replication, self.plan.max_in_flight, cancel)?;
        summary.wall_s = 0.0;
        Ok(summary)
    }

    /// The result of point `point` from its units' summaries, in
    /// replication order (a pure function of them).
    pub fn aggregate<'a>(
        &self,
        point: usize,
        units: impl IntoIterator<Item = &'a Summary>,
    ) -> Result<PointResult, ExperimentError> {
        let mut acc = Accumulator::new();
        for unit in units {
            acc.add(unit)?;
        }
        self.point_result(point, &acc)
    }

    fn point_result(
        &self,
        point: usize,
        acc: &Accumulator,
    ) -> Result<PointResult, ExperimentError> {
        let result = acc
            .finish(self.plan.confidence)
            .ok_or(ExperimentError::NoReplications)?;
        Ok(PointResult {
            index: point,
            vary: self.point(point),
            result,
            slo: self.edited(point)?.slo,
        })
    }

    /// Runs every unit, `plan.jobs` at a time, and hands each point's result
    /// to `sink` in point order (memory holds one point's accumulator and
    /// the runs in progress).
    pub fn run(
        &self,
        control: Control<'_>,
        mut sink: impl FnMut(PointResult) -> Result<(), ExperimentError>,
    ) -> Result<(), ExperimentError> {
        let mut acc = Accumulator::new();
        let reps = self.plan.replications;
        run_ordered(
            self.plan.jobs,
            self.unit_count(),
            control,
            |unit| {
                let (point, r) = self.unit(unit);
                self.run_unit(point, r, control.cancel)
            },
            |unit, summary| {
                let (point, r) = self.unit(unit);
                acc.add(&summary)?;
                if r + 1 == reps {
                    let result = self.point_result(point, &acc)?;
                    acc = Accumulator::new();
                    sink(result)?;
                }
                Ok(())
            },
        )
    }

    /// The description written at the top of the JSON output.
    pub fn info(&self) -> SweepInfo {
        SweepInfo {
            topology: self.base.name.clone(),
            scenario: self.scenario.name.clone(),
            seed: self.scenario.seed,
            duration_s: self.scenario.duration_s,
            warmup_s: self.scenario.warmup_s,
            replications: self.plan.replications,
            confidence: self.plan.confidence,
            vary: self
                .specs
                .iter()
                .map(|s| VaryInfo {
                    name: s.name.clone(),
                    spec: s.text.clone(),
                    values: s.values.clone(),
                })
                .collect(),
            points: self.points,
        }
    }

    /// The varied names, as written, in SPEC order.
    pub fn names(&self) -> Vec<String> {
        self.specs.iter().map(|s| s.name.clone()).collect()
    }
}

/// The entry metrics of the CSV, in column order.
pub const CSV_METRICS: [&str; 5] = [
    "throughput_rps",
    "success_ratio",
    "latency_ms.mean",
    "latency_ms.p50",
    "latency_ms.p99",
];

fn csv_error(e: impl std::fmt::Display) -> ExperimentError {
    ExperimentError::Output(format!("cannot write the CSV: {e}"))
}

/// Writes a sweep as CSV, one row per point and entry: the varied names,
/// `entry`, [`CSV_METRICS`] (each followed by `.lo` and `.hi` with more than
/// one replication) and `slo_met` (`true`/`false`; empty without SLO).
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    intervals: bool,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header.
    pub fn new(writer: W, sweep: &Sweep) -> Result<Self, ExperimentError> {
        let mut out = csv::Writer::from_writer(writer);
        let intervals = sweep.plan.replications > 1;
        let mut header = sweep.names();
        header.push("entry".to_owned());
        for m in CSV_METRICS {
            header.push(m.to_owned());
            if intervals {
                header.push(format!("{m}.lo"));
                header.push(format!("{m}.hi"));
            }
        }
        header.push("slo_met".to_owned());
        out.write_record(&header).map_err(csv_error)?;
        Ok(CsvWriter { out, intervals })
    }

    /// Writes the rows of one point.
    pub fn point(&mut self, point: &PointResult) -> Result<(), ExperimentError> {
        let met = point.slo_met();
        for (i, entry) in point.result.summary.entrypoints.iter().enumerate() {
            let mut row: Vec<String> = point.vary.values().map(value_text).collect();
            row.push(entry.name.clone());
            let values = [
                entry.throughput_rps,
                entry.success_ratio,
                entry.latency_ms.mean,
                entry.latency_ms.p50,
                entry.latency_ms.p99,
            ];
            for (m, v) in CSV_METRICS.iter().zip(values) {
                row.push(v.to_string());
                if self.intervals {
                    let ci = point.result.entry_ci.get(i).and_then(|c| c.get(*m));
                    row.push(ci.map(|c| c[0].to_string()).unwrap_or_default());
                    row.push(ci.map(|c| c[1].to_string()).unwrap_or_default());
                }
            }
            row.push(match met.get(i).copied().flatten() {
                Some(true) => "true".to_owned(),
                Some(false) => "false".to_owned(),
                None => String::new(),
            });
            self.out.write_record(&row).map_err(csv_error)?;
        }
        Ok(())
    }

    /// Flushes the output.
    pub fn finish(mut self) -> Result<(), ExperimentError> {
        self.out.flush().map_err(csv_error)
    }
}

/// A varied value as text: strings bare, everything else as JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_error(e: impl std::fmt::Display) -> ExperimentError {
    ExperimentError::Output(format!("cannot write the JSON: {e}"))
}

/// Writes a sweep as pretty JSON, `{"sweep": {…}, "points": [{"vary": {…},
/// "summary": {…}}, …]}`, one point at a time.
pub struct JsonWriter<W: Write> {
    out: W,
    first: bool,
}

#[derive(Serialize)]
struct PointOut<'a> {
    vary: &'a IndexMap<String, Value>,
    summary: &'a Replicated,
}

impl<W: Write> JsonWriter<W> {
    /// Writes the sweep's description and opens the list of points.
    pub fn new(mut out: W, sweep: &Sweep) -> Result<Self, ExperimentError> {
        let info = serde_json::to_string_pretty(&sweep.info()).map_err(json_error)?;
        write!(
            out,
            "{{\n  \"sweep\": {},\n  \"points\": [",
            indent(&info, 2)
        )
        .map_err(json_error)?;
        Ok(JsonWriter { out, first: true })
    }

    /// Writes one point.
    pub fn point(&mut self, point: &PointResult) -> Result<(), ExperimentError> {
        let text = serde_json::to_string_pretty(&PointOut {
            vary: &point.vary,
            summary: &point.result,
        })
        .map_err(json_error)?;
        let sep = if self.first { "" } else { "," };
        self.first = false;
        write!(self.out, "{sep}\n    {}", indent(&text, 4)).map_err(json_error)
    }

    /// Closes the list and the document.
    pub fn finish(mut self) -> Result<(), ExperimentError> {
        let close = if self.first { "]\n}\n" } else { "\n  ]\n}\n" };
        self.out.write_all(close.as_bytes()).map_err(json_error)?;
        self.out.flush().map_err(json_error)
    }
}

/// `text` with every line after the first indented by `by` spaces (JSON
/// strings hold no raw newlines, so this only moves the layout).
fn indent(text: &str, by: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(by)))
}
