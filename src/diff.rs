//! Design against reality: a declared topology compared with what traces
//! (and compose files or manifests) show — edges and services on one side
//! only, and per operation the declared and measured service times and call
//! probabilities, with drift past a threshold flagged.
//!
//! The observed side is an [`ImportOutcome`]: the imported topology gives the
//! services, edges and measured call probabilities; its
//! [`ObservedTimes`](crate::import::ObservedTimes) give the raw self-time
//! quantiles (before any fitting). Names are compared exactly.
//!
//! Operations are paired by name; when a service has exactly one operation
//! left unpaired on each side, those two are paired too (a declared
//! `"default"` against the one span name the traces show). Times and call
//! probabilities are compared only for services that traces measured.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::import::ImportOutcome;
use crate::model::{CallSpec, OperationView, Service, Topology};

/// Relative difference past which a time or a probability has drifted.
pub const DEFAULT_THRESHOLD: f64 = 0.25;

/// Fewer measured occurrences than this give no drift verdict on times: a
/// p99 of a handful of samples says little.
pub const MIN_SAMPLES: usize = 10;

/// Things found on one side only.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OneSided<T> {
    pub observed_not_declared: Vec<T>,
    pub declared_not_observed: Vec<T>,
}

impl<T> OneSided<T> {
    fn len(&self) -> usize {
        self.observed_not_declared.len() + self.declared_not_observed.len()
    }
}

/// The own work of one operation, declared and measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeRow {
    pub service: String,
    /// The operation's name in the declared topology.
    pub operation: String,
    /// Its name in the traces, when it differs (a sole operation paired with
    /// a sole operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_operation: Option<String>,
    pub declared_median_ms: f64,
    pub observed_median_ms: f64,
    pub declared_p99_ms: f64,
    pub observed_p99_ms: f64,
    /// How many occurrences the observed figures come from.
    pub samples: usize,
    /// Whether the median or the p99 differs by more than the threshold
    /// (relative to the declared value), with at least [`MIN_SAMPLES`].
    pub drift: bool,
}

/// The calls from one operation to one service, declared and measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallRow {
    pub caller: String,
    /// The caller's operation (declared name).
    pub operation: String,
    pub callee: String,
    /// Chance that an occurrence calls the callee at least once.
    pub declared_probability: f64,
    pub observed_probability: f64,
    /// Mean calls to the callee per occurrence (probability × count, summed).
    pub declared_calls: f64,
    pub observed_calls: f64,
    /// Whether either differs by more than the threshold (relative to the
    /// declared value; anything against a declared 0 counts).
    pub drift: bool,
}

/// The comparison of a declared topology with what the sources show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The relative difference counted as drift.
    pub threshold: f64,
    /// True when nothing below differs.
    pub agree: bool,
    pub services: OneSided<String>,
    /// `[caller, callee]` pairs.
    pub edges: OneSided<[String; 2]>,
    /// `[service, operation]` pairs of measured services that could not be
    /// paired with an operation on the other side.
    pub operations: OneSided<[String; 2]>,
    pub service_times: Vec<TimeRow>,
    pub call_probabilities: Vec<CallRow>,
}

impl Diff {
    /// How many differences there are (one-sided items and drifting rows).
    pub fn differences(&self) -> usize {
        self.services.len()
            + self.edges.len()
            + self.operations.len()
            + self.service_times.iter().filter(|r| r.drift).count()
            + self.call_probabilities.iter().filter(|r| r.drift).count()
    }

    /// Pretty JSON with a trailing line break.
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }
}

/// Compares `declared` with `observed`; `threshold` is a relative
/// difference (0.25 = 25%).
pub fn compare(declared: &Topology, observed: &ImportOutcome, threshold: f64) -> Diff {
    let seen = &observed.topology;
    let declared_names: BTreeSet<&str> =
        declared.services.iter().map(|s| s.name.as_str()).collect();
    let seen_names: BTreeSet<&str> = seen.services.iter().map(|s| s.name.as_str()).collect();
    let services = OneSided {
        observed_not_declared: seen_names
            .difference(&declared_names)
            .map(|s| s.to_string())
            .collect(),
        declared_not_observed: declared_names
            .difference(&seen_names)
            .map(|s| s.to_string())
            .collect(),
    };

    let declared_edges = edges(declared);
    let seen_edges = edges(seen);
    let pair = |e: &(&str, &str)| [e.0.to_owned(), e.1.to_owned()];
    let edges = OneSided {
        observed_not_declared: seen_edges.difference(&declared_edges).map(pair).collect(),
        declared_not_observed: declared_edges.difference(&seen_edges).map(pair).collect(),
    };

    // Measured self-times by (service, operation).
    let times: BTreeMap<(&str, &str), &crate::import::ObservedTimes> = observed
        .observed
        .iter()
        .map(|t| ((t.service.as_str(), t.operation.as_str()), t))
        .collect();
    let measured: BTreeSet<&str> = observed
        .observed
        .iter()
        .map(|t| t.service.as_str())
        .collect();

    let mut operations = OneSided::default();
    let mut service_times = Vec::new();
    let mut call_probabilities = Vec::new();
    for service in &declared.services {
        if !measured.contains(service.name.as_str()) {
            continue;
        }
        let Some(seen_service) = seen.services.iter().find(|s| s.name == service.name) else {
            continue;
        };
        let (pairs, only_declared, only_seen) = pair_operations(service, seen_service);
        for name in only_declared {
            operations
                .declared_not_observed
                .push([service.name.clone(), name.to_owned()]);
        }
        for name in only_seen {
            operations
                .observed_not_declared
                .push([service.name.clone(), name.to_owned()]);
        }
        for (mine, theirs) in pairs {
            if let (Some(time), Some(dist)) = (
                times.get(&(service.name.as_str(), theirs.name)),
                mine.service_time,
            ) {
                let (median, p99) = (dist.median_ms(), dist.p99_ms());
                let drift = time.occurrences >= MIN_SAMPLES
                    && (drifted(median, time.median_ms, threshold)
                        || drifted(p99, time.p99_ms, threshold));
                service_times.push(TimeRow {
                    service: service.name.clone(),
                    operation: mine.name.to_owned(),
                    observed_operation: (mine.name != theirs.name).then(|| theirs.name.to_owned()),
                    declared_median_ms: median,
                    observed_median_ms: time.median_ms,
                    declared_p99_ms: p99,
                    observed_p99_ms: time.p99_ms,
                    samples: time.occurrences,
                    drift,
                });
            }
            let declared_calls = calls_by_callee(mine.calls);
            let seen_calls = calls_by_callee(theirs.calls);
            let callees: BTreeSet<&str> = declared_calls
                .keys()
                .chain(seen_calls.keys())
                .copied()
                .collect();
            for callee in callees {
                // A callee one side does not know, or an edge only one side
                // has, is a difference listed already.
                let edge = (service.name.as_str(), callee);
                if !declared_edges.contains(&edge) || !seen_edges.contains(&edge) {
                    continue;
                }
                let (dp, dc) = declared_calls.get(callee).copied().unwrap_or((0.0, 0.0));
                let (op, oc) = seen_calls.get(callee).copied().unwrap_or((0.0, 0.0));
                call_probabilities.push(CallRow {
                    caller: service.name.clone(),
                    operation: mine.name.to_owned(),
                    callee: callee.to_owned(),
                    declared_probability: dp,
                    observed_probability: op,
                    declared_calls: dc,
                    observed_calls: oc,
                    drift: drifted(dp, op, threshold) || drifted(dc, oc, threshold),
                });
            }
        }
    }
    let mut diff = Diff {
        threshold,
        agree: false,
        services,
        edges,
        operations,
        service_times,
        call_probabilities,
    };
    diff.agree = diff.differences() == 0;
    diff
}

/// Whether `observed` differs from `declared` by more than `threshold`
/// relative to `declared` (any non-zero value against a declared zero).
pub fn drifted(declared: f64, observed: f64, threshold: f64) -> bool {
    let gap = (observed - declared).abs();
    if declared.abs() < 1e-12 {
        gap > 1e-12
    } else {
        gap / declared.abs() > threshold
    }
}

/// Every `(caller, callee)` pair some operation calls.
fn edges(topology: &Topology) -> BTreeSet<(&str, &str)> {
    let mut out = BTreeSet::new();
    for service in &topology.services {
        for op in service.operation_views() {
            for spec in op.calls {
                for call in spec.calls() {
                    out.insert((service.name.as_str(), call.to.as_str()));
                }
            }
        }
    }
    out
}

/// Per callee: (chance of at least one call, mean calls per occurrence).
fn calls_by_callee(specs: &[CallSpec]) -> BTreeMap<&str, (f64, f64)> {
    let mut none: BTreeMap<&str, f64> = BTreeMap::new();
    let mut mean: BTreeMap<&str, f64> = BTreeMap::new();
    for spec in specs {
        for call in spec.calls() {
            let p = call.probability.clamp(0.0, 1.0);
            *none.entry(&call.to).or_insert(1.0) *= 1.0 - p;
            *mean.entry(&call.to).or_insert(0.0) += p * call.count as f64;
        }
    }
    none.into_iter()
        .map(|(callee, none)| (callee, (1.0 - none, mean[callee])))
        .collect()
}

/// Pairs of (declared, observed) operations, and the names left over on
/// each side.
#[allow(clippy::type_complexity)]
fn pair_operations<'a>(
    declared: &'a Service,
    observed: &'a Service,
) -> (
    Vec<(OperationView<'a>, OperationView<'a>)>,
    Vec<&'a str>,
    Vec<&'a str>,
) {
    let mine = declared.operation_views();
    let theirs = observed.operation_views();
    let mut pairs = Vec::new();
    let mut rest_mine = Vec::new();
    for op in &mine {
        match theirs.iter().find(|t| t.name == op.name) {
            Some(t) => pairs.push((*op, *t)),
            None => rest_mine.push(*op),
        }
    }
    let mut rest_theirs: Vec<OperationView<'a>> = theirs
        .iter()
        .filter(|t| !mine.iter().any(|m| m.name == t.name))
        .copied()
        .collect();
    if rest_mine.len() == 1 && rest_theirs.len() == 1 {
        pairs.push((rest_mine[0], rest_theirs[0]));
        rest_mine.clear();
        rest_theirs.clear();
    }
    (
        pairs,
        rest_mine.iter().map(|o| o.name).collect(),
        rest_theirs.iter().map(|o| o.name).collect(),
    )
}
