//! SLO verdicts on replicated results: on the mean (sweeps) or on the
//! confidence interval (capacity search).
//!
//! The targets are the file's `slo` (or the command line's), held by every
//! entry: latency percentiles of successful requests, and the success
//! ratio. The verdict on an interval is `Meets` when the whole interval is
//! on the right side of every target, `Fails` when the whole interval of
//! some target is on the wrong side, and `Straddles` otherwise.

use indexmap::IndexMap;
use serde::Serialize;

use super::Replicated;
use super::average::Ci;
use crate::metrics::EntrySummary;
use crate::model::Slo;
use crate::report::verdicts::{Target, target_list};

/// What an interval says about the SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Meets,
    Fails,
    /// Some interval contains its target: more replications could decide.
    Straddles,
}

/// The dotted field a target is about.
pub fn target_field(target: Target) -> &'static str {
    match target {
        Target::P50Ms(_) => "latency_ms.p50",
        Target::P95Ms(_) => "latency_ms.p95",
        Target::P99Ms(_) => "latency_ms.p99",
        Target::Availability(_) => "success_ratio",
    }
}

/// Whether `slo` has any target.
pub fn has_targets(slo: &Slo) -> bool {
    !target_list(slo).is_empty()
}

/// Whether `entry` meets every target of `slo` on its (mean) values; `None`
/// without targets or without traffic.
pub fn entry_met(slo: &Slo, entry: &EntrySummary) -> Option<bool> {
    let targets = target_list(slo);
    if targets.is_empty() {
        return None;
    }
    let mut met = Some(true);
    for t in targets {
        match t.met(entry) {
            None => return None,
            Some(false) => met = Some(false),
            Some(true) => {}
        }
    }
    met
}

/// Whether every entry with traffic meets `slo` on the mean values.
pub fn all_met(slo: &Slo, result: &Replicated) -> bool {
    result
        .summary
        .entrypoints
        .iter()
        .all(|e| entry_met(slo, e) != Some(false))
}

/// The verdict on the intervals of `result` (on the means where there is
/// no interval, i.e. one replication).
pub fn decide(slo: &Slo, result: &Replicated) -> Verdict {
    let targets = target_list(slo);
    let mut verdict = Verdict::Meets;
    for (i, entry) in result.summary.entrypoints.iter().enumerate() {
        for &t in &targets {
            let Some(met) = t.met(entry) else { continue };
            let ci = result
                .entry_ci
                .get(i)
                .and_then(|ci| ci.get(target_field(t)));
            let this = match (t, ci) {
                (_, None) => {
                    if met {
                        Verdict::Meets
                    } else {
                        Verdict::Fails
                    }
                }
                (_, Some(_)) if entry.completed == 0 => Verdict::Fails,
                (Target::Availability(v), Some([lo, hi])) => interval_verdict(*lo >= v, *hi < v),
                (Target::P50Ms(v) | Target::P95Ms(v) | Target::P99Ms(v), Some([lo, hi])) => {
                    interval_verdict(*hi <= v, *lo > v)
                }
            };
            match this {
                Verdict::Fails => return Verdict::Fails,
                Verdict::Straddles => verdict = Verdict::Straddles,
                Verdict::Meets => {}
            }
        }
    }
    verdict
}

fn interval_verdict(meets: bool, fails: bool) -> Verdict {
    if meets {
        Verdict::Meets
    } else if fails {
        Verdict::Fails
    } else {
        Verdict::Straddles
    }
}

/// Per entry: the intervals (or, with one replication, the values as
/// `[v, v]`) of the fields the SLO is about.
pub fn targeted_intervals(slo: &Slo, result: &Replicated) -> IndexMap<String, Ci> {
    let targets = target_list(slo);
    result
        .summary
        .entrypoints
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let ci: Ci = targets
                .iter()
                .map(|&t| {
                    let field = target_field(t);
                    let value = t.measured(e);
                    let interval = result
                        .entry_ci
                        .get(i)
                        .and_then(|ci| ci.get(field))
                        .copied()
                        .unwrap_or([value, value]);
                    (field.to_owned(), interval)
                })
                .collect();
            (e.name.clone(), ci)
        })
        .collect()
}
