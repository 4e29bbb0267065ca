//! Averaging run summaries over replications, with confidence intervals.
//!
//! [`Accumulator`] folds the summaries of independent replications in
//! replication order (so the result does not depend on how many ran at
//! once) and [`Accumulator::finish`] gives a [`Replicated`] summary:
//!
//! - every key of a single run stays; numbers are the mean over the
//!   replications: floats exactly, counts (`offered`, `arrivals`, `events`,
//!   the series' per-bucket counts…) rounded to the nearest integer;
//!   percentiles and maxima are the mean of each replication's percentile
//!   or maximum (not the percentile of the pooled requests);
//! - the time series are averaged bucket by bucket;
//! - lists whose length can differ between replications (scaling events)
//!   and the notes that are the same in every replication (fault windows,
//!   warnings), names, the seed and the scenario come from the first
//!   replication; fields added to [`Summary`] later are also kept from the
//!   first replication until this module averages them;
//! - `status` is `cancelled` when any replication was, else `diverged`
//!   when any replication was stopped at the in-flight budget.
//! - `stability`: `stable` only when every replication was, `unstable_from_s`
//!   the earliest, `backlog_growth_rps` the mean.
//! - `cost`: its totals and per-service figures are the means (the
//!   currency, like the names, from the first replication);
//! - `findings`: those found in more than half of the replications (the
//!   same kind about the same trigger, service or edge, see
//!   [`Finding::key`]), in the order they were first found, each with the
//!   evidence of the first replication that had it. A finding of a minority
//!   of replications is left out: averaged series would not show it.
//!
//! Alongside, every entry and service gets a `ci` map from dotted field
//! names ([`ENTRY_CI_FIELDS`], [`SERVICE_CI_FIELDS`]) to the Student-t
//! interval `[lo, hi]` of the replications' values (none with a single
//! replication).

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::ExperimentError;
use super::stats::t_interval;
use crate::metrics::{
    EdgeSummary, EntrySeries, EntrySummary, ErrorCounts, Finding, RunStatus, ServiceSeries,
    ServiceSummary, Summary, TimeSeries,
};

/// The entry fields that get a confidence interval, by dotted name.
pub const ENTRY_CI_FIELDS: [&str; 6] = [
    "throughput_rps",
    "success_ratio",
    "latency_ms.mean",
    "latency_ms.p50",
    "latency_ms.p95",
    "latency_ms.p99",
];

/// The service fields that get a confidence interval, by dotted name.
pub const SERVICE_CI_FIELDS: [&str; 5] = [
    "utilization",
    "wait_ms.mean",
    "response_ms.mean",
    "response_ms.p99",
    "queue_length_mean",
];

/// The values of [`ENTRY_CI_FIELDS`] of one entry, in that order.
pub fn entry_values(e: &EntrySummary) -> [f64; 6] {
    [
        e.throughput_rps,
        e.success_ratio,
        e.latency_ms.mean,
        e.latency_ms.p50,
        e.latency_ms.p95,
        e.latency_ms.p99,
    ]
}

/// The values of [`SERVICE_CI_FIELDS`] of one service, in that order.
pub fn service_values(s: &ServiceSummary) -> [f64; 5] {
    [
        s.utilization,
        s.wait_ms.mean,
        s.response_ms.mean,
        s.response_ms.p99,
        s.queue_length_mean,
    ]
}

/// Dotted field name → `[lo, hi]`.
pub type Ci = IndexMap<String, [f64; 2]>;

/// A summary averaged over replications, with its intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Replicated {
    /// The averaged summary (see the module documentation).
    pub summary: Summary,
    pub replications: u64,
    pub confidence: f64,
    /// One per entry of `summary.entrypoints`, in the same order (empty
    /// maps with one replication).
    pub entry_ci: Vec<Ci>,
    /// One per service of `summary.services`, in the same order.
    pub service_ci: Vec<Ci>,
}

impl Replicated {
    /// The interval of `field` (one of [`ENTRY_CI_FIELDS`]) of entry `name`.
    pub fn entry_ci(&self, name: &str, field: &str) -> Option<[f64; 2]> {
        let i = self
            .summary
            .entrypoints
            .iter()
            .position(|e| e.name == name)?;
        self.entry_ci.get(i)?.get(field).copied()
    }

    /// The interval of `field` (one of [`SERVICE_CI_FIELDS`]) of service `name`.
    pub fn service_ci(&self, name: &str, field: &str) -> Option<[f64; 2]> {
        let i = self.summary.services.iter().position(|s| s.name == name)?;
        self.service_ci.get(i)?.get(field).copied()
    }

    /// The JSON of the summary with `replications`, `confidence` (after
    /// `seed`) and a `ci` object in every entry and service, without the
    /// time series (written by [`Replicated::write_json`] in place).
    fn head_value(&self) -> Result<Map<String, Value>, serde_json::Error> {
        let head = Summary {
            timeseries: TimeSeries::default(),
            ..self.summary.clone()
        };
        let Value::Object(map) = serde_json::to_value(&head)? else {
            return Ok(Map::new());
        };
        let mut out = Map::new();
        for (key, mut value) in map {
            let cis = match key.as_str() {
                "entrypoints" => Some(&self.entry_ci),
                "services" => Some(&self.service_ci),
                _ => None,
            };
            if let (Some(cis), Value::Array(items)) = (cis, &mut value) {
                for (item, ci) in items.iter_mut().zip(cis) {
                    if let Value::Object(item) = item {
                        item.insert("ci".to_owned(), serde_json::to_value(ci)?);
                    }
                }
            }
            let after_seed = key == "seed";
            out.insert(key, value);
            if after_seed {
                out.insert("replications".to_owned(), Value::from(self.replications));
                out.insert("confidence".to_owned(), Value::from(self.confidence));
            }
        }
        Ok(out)
    }

    /// Writes the summary as pretty JSON with a final newline.
    pub fn write_json(&self, mut writer: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")?;
        writer.flush()
    }

    /// The summary as pretty JSON with a final newline.
    pub fn to_json_pretty(&self) -> String {
        let mut bytes = Vec::new();
        // Writing plain data (strings, finite numbers) to a Vec cannot fail.
        let _ = self.write_json(&mut bytes);
        String::from_utf8(bytes).unwrap_or_default()
    }
}

impl Serialize for Replicated {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let head = self.head_value().map_err(serde::ser::Error::custom)?;
        let mut map = serializer.serialize_map(Some(head.len()))?;
        for (key, value) in &head {
            if key == "timeseries" {
                map.serialize_entry(key, &self.summary.timeseries)?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Folds replication summaries, in replication order, into a [`Replicated`].
#[derive(Debug, Default)]
pub struct Accumulator {
    /// Counts and floats summed over the replications so far.
    sum: Option<Summary>,
    count: u64,
    /// Per entry, per field of [`ENTRY_CI_FIELDS`]: one value per replication.
    entry_samples: Vec<[Vec<f64>; 6]>,
    service_samples: Vec<[Vec<f64>; 5]>,
    /// Per [`Finding::key`]: replications that had it, and the first one's.
    findings: IndexMap<String, (u64, Finding)>,
}

impl Accumulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replications added so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds the next replication. Every replication must come from the
    /// same topology and scenario (same entries, services, edges and
    /// buckets).
    pub fn add(&mut self, summary: &Summary) -> Result<(), ExperimentError> {
        match &mut self.sum {
            None => {
                self.entry_samples = vec![Default::default(); summary.entrypoints.len()];
                self.service_samples = vec![Default::default(); summary.services.len()];
                self.sum = Some(summary.clone());
            }
            Some(sum) => {
                if !same_shape(sum, summary) {
                    return Err(ExperimentError::Mismatch {
                        replication: self.count,
                    });
                }
                walk_summary(sum, Some(summary), Op::Add);
            }
        }
        for (samples, e) in self.entry_samples.iter_mut().zip(&summary.entrypoints) {
            for (s, v) in samples.iter_mut().zip(entry_values(e)) {
                s.push(v);
            }
        }
        for (samples, s) in self.service_samples.iter_mut().zip(&summary.services) {
            for (list, v) in samples.iter_mut().zip(service_values(s)) {
                list.push(v);
            }
        }
        for finding in &summary.findings {
            self.findings
                .entry(finding.key())
                .or_insert_with(|| (0, finding.clone()))
                .0 += 1;
        }
        self.count += 1;
        Ok(())
    }

    /// The mean summary and the intervals at `confidence` of the
    /// replications added so far (more can be added after); `None` when
    /// nothing was added.
    pub fn finish(&self, confidence: f64) -> Option<Replicated> {
        let mut summary = self.sum.clone()?;
        let n = self.count.max(1);
        walk_summary(&mut summary, None, Op::Divide(n));
        summary.findings = self
            .findings
            .values()
            .filter(|(count, _)| count * 2 > n)
            .map(|(_, finding)| finding.clone())
            .collect();
        let intervals = |samples: &[Vec<f64>], names: &[&str]| -> Ci {
            names
                .iter()
                .zip(samples)
                .filter_map(|(name, values)| {
                    t_interval(values, confidence).map(|ci| ((*name).to_owned(), ci))
                })
                .collect()
        };
        let entry_ci = self
            .entry_samples
            .iter()
            .map(|s| intervals(s, &ENTRY_CI_FIELDS))
            .collect();
        let service_ci = self
            .service_samples
            .iter()
            .map(|s| intervals(s, &SERVICE_CI_FIELDS))
            .collect();
        Some(Replicated {
            summary,
            replications: self.count,
            confidence,
            entry_ci,
            service_ci,
        })
    }
}

/// Folds `summaries` (one point's replications, in order) into their mean;
/// a pure function of its input.
pub fn aggregate<'a>(
    summaries: impl IntoIterator<Item = &'a Summary>,
    confidence: f64,
) -> Result<Replicated, ExperimentError> {
    let mut acc = Accumulator::new();
    for summary in summaries {
        acc.add(summary)?;
    }
    acc.finish(confidence)
        .ok_or(ExperimentError::NoReplications)
}

fn same_shape(a: &Summary, b: &Summary) -> bool {
    let ts = |s: &Summary| {
        (
            s.timeseries.t_s.len(),
            s.timeseries.services.len(),
            s.timeseries.entrypoints.len(),
            s.timeseries.edges.len(),
        )
    };
    a.entrypoints.len() == b.entrypoints.len()
        && a.services.len() == b.services.len()
        && a.edges.len() == b.edges.len()
        && ts(a) == ts(b)
}

/// What [`walk_summary`] does to each number.
#[derive(Clone, Copy)]
enum Op {
    /// Add the other summary's value.
    Add,
    /// Divide by the number of replications (counts rounded to nearest).
    Divide(u64),
}

impl Op {
    fn u(self, a: &mut u64, b: Option<u64>) {
        match self {
            Op::Add => *a = a.saturating_add(b.unwrap_or(0)),
            Op::Divide(n) => *a = *a / n + u64::from((*a % n) * 2 >= n),
        }
    }

    fn f(self, a: &mut f64, b: Option<f64>) {
        match self {
            Op::Add => *a += b.unwrap_or(0.0),
            Op::Divide(n) => *a /= n as f64,
        }
    }

    fn vec_u(self, a: &mut [u64], b: Option<&Vec<u64>>) {
        for (i, x) in a.iter_mut().enumerate() {
            self.u(x, b.and_then(|b| b.get(i)).copied());
        }
    }

    fn vec_f(self, a: &mut [f64], b: Option<&Vec<f64>>) {
        for (i, x) in a.iter_mut().enumerate() {
            self.f(x, b.and_then(|b| b.get(i)).copied());
        }
    }

    fn errors(self, a: &mut ErrorCounts, b: Option<&ErrorCounts>) {
        self.u(&mut a.timeout, b.map(|b| b.timeout));
        self.u(&mut a.rejected, b.map(|b| b.rejected));
        self.u(&mut a.error, b.map(|b| b.error));
        self.u(&mut a.circuit_open, b.map(|b| b.circuit_open));
    }
}

/// Applies `op` to every averaged number of `a` (with `b`'s matching value
/// for [`Op::Add`]).
fn walk_summary(a: &mut Summary, b: Option<&Summary>, op: Op) {
    op.u(&mut a.events, b.map(|b| b.events));
    op.f(&mut a.wall_s, b.map(|b| b.wall_s));
    op.f(&mut a.simulated_s, b.map(|b| b.simulated_s));
    op.f(
        &mut a.stability.backlog_growth_rps,
        b.map(|b| b.stability.backlog_growth_rps),
    );
    if let Some(b) = b {
        // The worst status wins: cancelled, then diverged.
        if b.status == RunStatus::Cancelled
            || (b.status == RunStatus::Diverged && a.status != RunStatus::Cancelled)
        {
            a.status = b.status;
        }
        // Unstable when any replication was, from the earliest start.
        if !b.stability.stable {
            a.stability.stable = false;
            a.stability.unstable_from_s =
                match (a.stability.unstable_from_s, b.stability.unstable_from_s) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
        }
    }
    if let Some(cost) = &mut a.cost {
        let other = b.and_then(|b| b.cost.as_ref());
        op.f(&mut cost.total, other.map(|o| o.total));
        op.f(&mut cost.replica_hours, other.map(|o| o.replica_hours));
        for (i, s) in cost.per_service.iter_mut().enumerate() {
            let o = other.and_then(|o| o.per_service.get(i));
            op.f(&mut s.replica_hours, o.map(|o| o.replica_hours));
            op.f(&mut s.cost, o.map(|o| o.cost));
        }
    }
    for (i, e) in a.entrypoints.iter_mut().enumerate() {
        walk_entry(e, b.and_then(|b| b.entrypoints.get(i)), op);
    }
    for (i, s) in a.services.iter_mut().enumerate() {
        walk_service(s, b.and_then(|b| b.services.get(i)), op);
    }
    for (i, e) in a.edges.iter_mut().enumerate() {
        walk_edge(e, b.and_then(|b| b.edges.get(i)), op);
    }
    let ts = b.map(|b| &b.timeseries);
    for (i, s) in a.timeseries.services.values_mut().enumerate() {
        walk_service_series(s, ts.and_then(|t| t.services.get_index(i)).map(|x| x.1), op);
    }
    for (i, e) in a.timeseries.entrypoints.values_mut().enumerate() {
        walk_entry_series(
            e,
            ts.and_then(|t| t.entrypoints.get_index(i)).map(|x| x.1),
            op,
        );
    }
    for (i, e) in a.timeseries.edges.iter_mut().enumerate() {
        let other = ts.and_then(|t| t.edges.get(i));
        op.vec_u(&mut e.calls, other.map(|o| &o.calls));
        op.vec_u(&mut e.errors, other.map(|o| &o.errors));
        op.vec_f(&mut e.breaker_open, other.map(|o| &o.breaker_open));
        op.vec_u(&mut e.retries, other.map(|o| &o.retries));
        op.vec_u(&mut e.breaker_opened, other.map(|o| &o.breaker_opened));
    }
}

fn walk_entry(a: &mut EntrySummary, b: Option<&EntrySummary>, op: Op) {
    op.u(&mut a.offered, b.map(|b| b.offered));
    op.u(&mut a.completed, b.map(|b| b.completed));
    op.u(&mut a.failed, b.map(|b| b.failed));
    op.u(&mut a.in_flight, b.map(|b| b.in_flight));
    op.f(&mut a.throughput_rps, b.map(|b| b.throughput_rps));
    op.f(&mut a.success_ratio, b.map(|b| b.success_ratio));
    let (l, o) = (&mut a.latency_ms, b.map(|b| &b.latency_ms));
    op.f(&mut l.mean, o.map(|o| o.mean));
    op.f(&mut l.p50, o.map(|o| o.p50));
    op.f(&mut l.p90, o.map(|o| o.p90));
    op.f(&mut l.p95, o.map(|o| o.p95));
    op.f(&mut l.p99, o.map(|o| o.p99));
    op.f(&mut l.p999, o.map(|o| o.p999));
    op.f(&mut l.max, o.map(|o| o.max));
    op.errors(&mut a.errors, b.map(|b| &b.errors));
    op.f(&mut a.offered_rps, b.map(|b| b.offered_rps));
}

fn walk_service(a: &mut ServiceSummary, b: Option<&ServiceSummary>, op: Op) {
    op.u(&mut a.arrivals, b.map(|b| b.arrivals));
    op.u(&mut a.completed, b.map(|b| b.completed));
    op.f(&mut a.throughput_rps, b.map(|b| b.throughput_rps));
    op.f(&mut a.utilization, b.map(|b| b.utilization));
    op.f(&mut a.replicas_mean, b.map(|b| b.replicas_mean));
    let (w, o) = (&mut a.wait_ms, b.map(|b| &b.wait_ms));
    op.f(&mut w.mean, o.map(|o| o.mean));
    op.f(&mut w.p99, o.map(|o| o.p99));
    op.f(&mut w.max, o.map(|o| o.max));
    let (r, o) = (&mut a.response_ms, b.map(|b| &b.response_ms));
    op.f(&mut r.mean, o.map(|o| o.mean));
    op.f(&mut r.p50, o.map(|o| o.p50));
    op.f(&mut r.p95, o.map(|o| o.p95));
    op.f(&mut r.p99, o.map(|o| o.p99));
    op.f(&mut r.max, o.map(|o| o.max));
    op.f(&mut a.queue_length_mean, b.map(|b| b.queue_length_mean));
    op.u(&mut a.queue_length_max, b.map(|b| b.queue_length_max));
    op.errors(&mut a.errors, b.map(|b| &b.errors));
    op.u(&mut a.failed, b.map(|b| b.failed));
    op.u(&mut a.in_flight, b.map(|b| b.in_flight));
    op.f(&mut a.arrivals_rps, b.map(|b| b.arrivals_rps));
    op.f(&mut a.busy_workers_mean, b.map(|b| b.busy_workers_mean));
    op.u(&mut a.late, b.map(|b| b.late));
    op.u(&mut a.retries_denied, b.map(|b| b.retries_denied));
}

fn walk_edge(a: &mut EdgeSummary, b: Option<&EdgeSummary>, op: Op) {
    op.u(&mut a.calls, b.map(|b| b.calls));
    op.f(&mut a.calls_rps, b.map(|b| b.calls_rps));
    op.u(&mut a.retries, b.map(|b| b.retries));
    op.u(&mut a.failed, b.map(|b| b.failed));
    op.errors(&mut a.errors, b.map(|b| &b.errors));
    op.u(&mut a.breaker_opened, b.map(|b| b.breaker_opened));
    op.f(&mut a.breaker_open_s, b.map(|b| b.breaker_open_s));
}

fn walk_service_series(a: &mut ServiceSeries, b: Option<&ServiceSeries>, op: Op) {
    op.vec_u(&mut a.arrivals, b.map(|b| &b.arrivals));
    op.vec_u(&mut a.completed, b.map(|b| &b.completed));
    op.vec_u(&mut a.errors, b.map(|b| &b.errors));
    op.vec_f(&mut a.utilization, b.map(|b| &b.utilization));
    op.vec_f(&mut a.replicas, b.map(|b| &b.replicas));
    op.vec_f(&mut a.queue_length, b.map(|b| &b.queue_length));
    op.vec_f(&mut a.p99_ms, b.map(|b| &b.p99_ms));
    op.vec_u(&mut a.errors_timeout, b.map(|b| &b.errors_timeout));
    op.vec_u(&mut a.errors_rejected, b.map(|b| &b.errors_rejected));
    op.vec_u(&mut a.errors_error, b.map(|b| &b.errors_error));
    op.vec_u(
        &mut a.errors_circuit_open,
        b.map(|b| &b.errors_circuit_open),
    );
    op.vec_u(&mut a.replicas_desired, b.map(|b| &b.replicas_desired));
}

fn walk_entry_series(a: &mut EntrySeries, b: Option<&EntrySeries>, op: Op) {
    op.vec_f(&mut a.throughput_rps, b.map(|b| &b.throughput_rps));
    op.vec_u(&mut a.errors, b.map(|b| &b.errors));
    op.vec_f(&mut a.p50_ms, b.map(|b| &b.p50_ms));
    op.vec_f(&mut a.p99_ms, b.map(|b| &b.p99_ms));
    op.vec_f(&mut a.p95_ms, b.map(|b| &b.p95_ms));
    op.vec_u(&mut a.offered, b.map(|b| &b.offered));
    op.vec_u(&mut a.errors_timeout, b.map(|b| &b.errors_timeout));
    op.vec_u(&mut a.errors_rejected, b.map(|b| &b.errors_rejected));
    op.vec_u(&mut a.errors_error, b.map(|b| &b.errors_error));
    op.vec_u(
        &mut a.errors_circuit_open,
        b.map(|b| &b.errors_circuit_open),
    );
}
