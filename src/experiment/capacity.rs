//! Capacity search: the largest load multiplier that meets the SLO
//! (`max-load`), or the fewest replicas per service that meet it at the
//! scenario's load (`min-replicas`).
//!
//! Each evaluation runs a variant of the topology with replications and
//! decides on the confidence interval ([`super::slo::decide`]): when an
//! interval straddles a target, the evaluation doubles its replications up
//! to `max_replications`, then decides on the mean.
//!
//! - `max-load`: from multiplier 1, bracket the answer (up towards the
//!   analytic saturation point of the bottleneck, then doubling; or down by
//!   halving), then bisect until the bracket is within `tolerance` of its
//!   upper end. The answer is the bracket's lower end (the largest load seen
//!   to meet the SLO).
//! - `min-replicas`: start each chosen service at the fewest replicas that
//!   keep its analytic utilization below 1 (a lower bound: real holding
//!   times are longer than the analysis' no-queueing ones), then, while the
//!   SLO fails, add a replica to the chosen service with the highest
//!   simulated utilization; once it holds, try one replica fewer for each
//!   service raised above its bound, keeping what still meets.
//! - `min-cost`: start from `min-replicas`' answer, then search locally for
//!   cheaper counts (by the cost per hour of the chosen services' replicas
//!   at their prices): see `min_cost.rs` beside this file, and
//!   docs/experiments.md.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::average::{Accumulator, Ci};
use super::slo::{Verdict, decide, has_targets, targeted_intervals};
use super::vary::{Knob, apply};
use super::{
    Control, ExperimentError, Plan, Replicated, ScenarioChoice, check_variant, run_ordered,
    run_replication,
};
use crate::graph;
use crate::model::{Checked, Slo, Topology, limits, quote};

/// What to find.
#[derive(Debug, Clone, PartialEq)]
pub enum Find {
    MaxLoad,
    /// The services to size; empty means every service without autoscaling.
    MinReplicas {
        services: Vec<String>,
    },
    /// The cheapest replica counts of these services (the same default as
    /// `MinReplicas`) that meet the SLO.
    MinCost {
        services: Vec<String>,
    },
}

/// How to search.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The targets (the file's `slo` with the command line's on top).
    pub slo: Slo,
    /// Replications of every evaluation, their confidence, and jobs.
    pub plan: Plan,
    /// Most replications of an evaluation whose interval straddles a target.
    pub max_replications: u64,
    /// `max-load` stops when the bracket is narrower than this share of its upper end.
    pub tolerance: f64,
    /// Most evaluations before giving up.
    pub max_evaluations: usize,
}

impl Options {
    pub fn new(slo: Slo, plan: Plan) -> Self {
        Options {
            slo,
            max_replications: (plan.replications * 4).max(plan.replications),
            plan,
            tolerance: 0.01,
            max_evaluations: 60,
        }
    }
}

/// One simulated point of the search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// `{"load": x}` or `{"replicas": {"svc": n, …}}`.
    pub point: IndexMap<String, Value>,
    pub replications: u64,
    pub slo_met: bool,
    /// `interval` when the intervals decided, `mean` when they still
    /// straddled at the most replications (or there was one replication).
    pub decided_by: &'static str,
    /// Per entry: the intervals of the fields the SLO is about.
    pub ci: IndexMap<String, Ci>,
}

/// The answer of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    MaxLoad {
        load_multiplier: f64,
        /// `[meets, fails]`: the largest multiplier seen to meet, the smallest seen to fail.
        bracket: [f64; 2],
        /// The workload's total rate at `load_multiplier`.
        rate_rps: f64,
    },
    MinReplicas {
        replicas: IndexMap<String, u64>,
    },
    MinCost {
        replicas: IndexMap<String, u64>,
        /// What the chosen services' replicas cost per hour at these
        /// counts (count × price per replica-hour, summed).
        cost_per_hour: f64,
        currency: String,
        /// The simulated cost of the answer's evaluation (every service,
        /// replicas held over the run, averaged over its replications).
        cost: Option<crate::metrics::Cost>,
    },
}

/// A search's result: the `archsim capacity --json` document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capacity {
    /// `max-load`, `min-replicas` or `min-cost`.
    pub find: &'static str,
    pub slo: Slo,
    pub answer: Answer,
    pub evaluations: Vec<Evaluation>,
}

/// Runs the search on `checked` (the file as loaded).
pub fn search(
    checked: &Checked,
    choice: &ScenarioChoice,
    find: &Find,
    options: &Options,
    control: Control<'_>,
) -> Result<Capacity, ExperimentError> {
    options.plan.check()?;
    if !has_targets(&options.slo) {
        return Err(ExperimentError::Capacity(
            "no SLO to search against; add \"slo\": {\"latency_p99_ms\": 200} to the file or pass --slo latency_p99_ms=200 (also latency_p50_ms, latency_p95_ms, availability)".to_owned(),
        ));
    }
    if checked.topology().workload.is_empty() {
        return Err(ExperimentError::Capacity(
            "the topology has no workload, so there is no load to size for; add a \"workload\" entry".to_owned(),
        ));
    }
    let mut search = Search {
        choice,
        options,
        control,
        evaluations: Vec::new(),
    };
    let answer = match find {
        Find::MaxLoad => search.max_load(checked)?,
        Find::MinReplicas { services } => Answer::MinReplicas {
            replicas: search.min_replicas(checked, services)?.counts,
        },
        Find::MinCost { services } => search.min_cost(checked, services)?,
    };
    Ok(Capacity {
        find: match find {
            Find::MaxLoad => "max-load",
            Find::MinReplicas { .. } => "min-replicas",
            Find::MinCost { .. } => "min-cost",
        },
        slo: options.slo.clone(),
        answer,
        evaluations: search.evaluations,
    })
}

pub(super) struct Search<'a> {
    pub(super) choice: &'a ScenarioChoice,
    pub(super) options: &'a Options,
    control: Control<'a>,
    pub(super) evaluations: Vec<Evaluation>,
}

/// The outcome of one evaluation, for the search to steer by.
pub(super) struct Outcome {
    pub(super) met: bool,
    pub(super) result: Replicated,
}

/// What `min-replicas` found, for `min-cost` to start from.
pub(super) struct MinReplicas {
    /// The chosen services' counts that meet the SLO.
    pub(super) counts: IndexMap<String, u64>,
    /// The analytic lower bound of each chosen service.
    pub(super) bound: IndexMap<String, u64>,
    /// Counts seen to fail.
    pub(super) failed: Vec<IndexMap<String, u64>>,
    /// The simulated cost of the evaluation of `counts`.
    pub(super) cost: Option<crate::metrics::Cost>,
}

/// Whether `counts` is known to fail: it has no more replicas of any
/// service than some configuration that failed.
pub(super) fn known_to_fail(
    failed: &[IndexMap<String, u64>],
    counts: &IndexMap<String, u64>,
) -> bool {
    failed
        .iter()
        .any(|f| counts.iter().all(|(k, v)| f.get(k).is_some_and(|x| v <= x)))
}

impl Search<'_> {
    /// Simulates `topology` (a variant) and decides on the SLO.
    fn evaluate(
        &mut self,
        topology: Topology,
        point: IndexMap<String, Value>,
        label: &str,
    ) -> Result<Outcome, ExperimentError> {
        if self.evaluations.len() >= self.options.max_evaluations {
            return Err(ExperimentError::Capacity(format!(
                "no answer after {} evaluations; widen --tolerance or check that the SLO can be met",
                self.options.max_evaluations
            )));
        }
        let checked = check_variant(topology, label)?;
        let run = self.choice.resolve(&checked)?;
        // Take the targets from the search, not from the variant's file.
        let slo = &self.options.slo;
        let plan = &self.options.plan;
        let cancel = self.control.cancel;
        let mut acc = Accumulator::new();
        let mut target = plan.replications;
        let (result, verdict) = loop {
            let done = acc.count();
            run_ordered(
                plan.jobs,
                target - done,
                self.control,
                |i| run_replication(&run, done + i, plan.max_in_flight, cancel),
                |_, summary| acc.add(&summary),
            )?;
            let result = acc
                .finish(plan.confidence)
                .ok_or(ExperimentError::NoReplications)?;
            let verdict = decide(slo, &result);
            if verdict != Verdict::Straddles || target >= self.options.max_replications {
                break (result, verdict);
            }
            target = (target * 2).min(self.options.max_replications);
        };
        let (met, decided_by) = match verdict {
            Verdict::Meets => (true, "interval"),
            Verdict::Fails => (false, "interval"),
            Verdict::Straddles => (super::slo::all_met(slo, &result), "mean"),
        };
        let decided_by = if result.replications < 2 {
            "mean"
        } else {
            decided_by
        };
        self.evaluations.push(Evaluation {
            point,
            replications: result.replications,
            slo_met: met,
            decided_by,
            ci: targeted_intervals(slo, &result),
        });
        Ok(Outcome { met, result })
    }

    fn eval_load(&mut self, base: &Topology, m: f64) -> Result<bool, ExperimentError> {
        let mut topology = base.clone();
        apply(&mut topology, &Knob::Load, &Value::from(m)).map_err(ExperimentError::Capacity)?;
        let point = IndexMap::from([("load".to_owned(), Value::from(m))]);
        Ok(self.evaluate(topology, point, &format!("load {m}"))?.met)
    }

    fn max_load(&mut self, checked: &Checked) -> Result<Answer, ExperimentError> {
        let base = checked.topology();
        let total_rps: f64 = base.workload.iter().map(|e| e.rate_rps).sum();
        let saturation = graph::analyze(checked)
            .bottleneck
            .map(|b| b.max_load_factor)
            .filter(|f| f.is_finite() && *f > 0.0);
        let mut lo: f64;
        let mut hi: f64;
        if self.eval_load(base, 1.0)? {
            lo = 1.0;
            let mut next = match saturation {
                Some(s) if s > 1.05 => s,
                _ => 2.0,
            };
            loop {
                if next > 1e6 {
                    return Err(ExperimentError::Capacity(format!(
                        "the SLO still holds at {lo}× the load; the model has no limit the search can find"
                    )));
                }
                match self.eval_load(base, next) {
                    Ok(true) => {
                        lo = next;
                        next *= 2.0;
                    }
                    Ok(false) => {
                        hi = next;
                        break;
                    }
                    Err(ExperimentError::InvalidVariant { problems, .. }) => {
                        return Err(ExperimentError::Capacity(format!(
                            "the SLO still holds at {lo}× the load, and {next}× is more than the model allows ({problems})"
                        )));
                    }
                    Err(e) => return Err(e),
                }
            }
        } else {
            hi = 1.0;
            let mut next = 0.5;
            loop {
                if next < 1e-4 {
                    return Err(ExperimentError::Capacity(format!(
                        "the SLO fails even at {hi}× the load; it cannot be met by this design (look at the services' own work)"
                    )));
                }
                if self.eval_load(base, next)? {
                    lo = next;
                    break;
                }
                hi = next;
                next /= 2.0;
            }
        }
        while hi - lo > self.options.tolerance * hi {
            let mid = round_sig((lo + hi) / 2.0);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.eval_load(base, mid)? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(Answer::MaxLoad {
            load_multiplier: lo,
            bracket: [lo, hi],
            rate_rps: total_rps * lo,
        })
    }

    pub(super) fn eval_replicas(
        &mut self,
        base: &Topology,
        counts: &IndexMap<String, u64>,
    ) -> Result<Outcome, ExperimentError> {
        let mut topology = base.clone();
        for service in topology.services.iter_mut() {
            if let Some(&n) = counts.get(&service.name) {
                service.replicas = n;
            }
        }
        let label = counts
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let point = IndexMap::from([(
            "replicas".to_owned(),
            serde_json::to_value(counts).unwrap_or(Value::Null),
        )]);
        self.evaluate(topology, point, &format!("replicas {label}"))
    }

    pub(super) fn min_replicas(
        &mut self,
        checked: &Checked,
        named: &[String],
    ) -> Result<MinReplicas, ExperimentError> {
        let base = checked.topology();
        let scenario = self.choice.resolve(checked)?.scenario().clone();
        let names: Vec<String> = if named.is_empty() {
            base.services
                .iter()
                .filter(|s| s.autoscale.is_none())
                .filter(|s| {
                    !scenario
                        .overrides
                        .iter()
                        .any(|o| o.service == s.name && o.set.contains_key("replicas"))
                })
                .map(|s| s.name.clone())
                .collect()
        } else {
            for name in named {
                let Some(service) = base.services.iter().find(|s| &s.name == name) else {
                    let hint = crate::model::did_you_mean(
                        name,
                        base.services.iter().map(|s| s.name.as_str()),
                    )
                    .map(|b| format!(" (did you mean {}?)", quote(b)))
                    .unwrap_or_default();
                    return Err(ExperimentError::Spec(format!(
                        "--services: unknown service {}{hint}",
                        quote(name)
                    )));
                };
                if service.autoscale.is_some() {
                    return Err(ExperimentError::Spec(format!(
                        "--services: {} autoscales, so its replicas are the autoscaler's; leave it out or remove its autoscale",
                        quote(name)
                    )));
                }
                if scenario
                    .overrides
                    .iter()
                    .any(|o| &o.service == name && o.set.contains_key("replicas"))
                {
                    return Err(ExperimentError::Spec(format!(
                        "--services: scenario {} overrides the replicas of {}; choose another --scenario or remove the override",
                        quote(&scenario.name),
                        quote(name)
                    )));
                }
            }
            named.to_vec()
        };
        if names.is_empty() {
            return Err(ExperimentError::Spec(
                "no service to size (every service autoscales or is overridden); name some with --services".to_owned(),
            ));
        }
        // The analytic lower bound: utilization below 1 at the scenario's load.
        let analysis = graph::analyze(checked);
        let bound: IndexMap<String, u64> = names
            .iter()
            .map(|name| {
                let load = analysis.services.iter().find(|s| &s.name == name);
                let busy = load.map_or(0.0, |s| s.utilization * s.replicas as f64);
                let n = (busy.floor() as u64)
                    .saturating_add(1)
                    .clamp(1, limits::MAX_REPLICAS);
                (name.clone(), n)
            })
            .collect();
        let mut counts = bound.clone();
        let mut failed: Vec<IndexMap<String, u64>> = Vec::new();
        let mut cost;
        loop {
            let outcome = self.eval_replicas(base, &counts)?;
            if outcome.met {
                cost = outcome.result.summary.cost;
                break;
            }
            failed.push(counts.clone());
            // Raise the busiest of the chosen services.
            let busiest = names
                .iter()
                .filter(|n| counts.get(*n).is_some_and(|&c| c < limits::MAX_REPLICAS))
                .max_by(|a, b| {
                    let u = |n: &str| {
                        outcome
                            .result
                            .summary
                            .service(n)
                            .map_or(0.0, |s| s.utilization)
                    };
                    u(a.as_str())
                        .total_cmp(&u(b.as_str()))
                        .then_with(|| b.cmp(a))
                })
                .cloned();
            let Some(busiest) = busiest else {
                return Err(ExperimentError::Capacity(format!(
                    "the SLO is not met even with {} replicas of every chosen service",
                    limits::MAX_REPLICAS
                )));
            };
            if let Some(c) = counts.get_mut(&busiest) {
                *c += 1;
            }
        }
        // Trim: one fewer where the search went above the bound.
        for name in &names {
            let (Some(&now), Some(&low)) = (counts.get(name), bound.get(name)) else {
                continue;
            };
            if now <= low {
                continue;
            }
            let mut fewer = counts.clone();
            fewer.insert(name.clone(), now - 1);
            // A configuration that failed on the way up, or one with fewer
            // replicas everywhere, fails again.
            if known_to_fail(&failed, &fewer) {
                continue;
            }
            let outcome = self.eval_replicas(base, &fewer)?;
            if outcome.met {
                counts = fewer;
                cost = outcome.result.summary.cost;
            } else {
                failed.push(fewer);
            }
        }
        Ok(MinReplicas {
            counts,
            bound,
            failed,
            cost,
        })
    }
}

/// `x` to 6 significant digits, so bisection points print short.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 6 - x.abs().log10().ceil() as i32;
    let factor = 10f64.powi(digits);
    (x * factor).round() / factor
}

#[cfg(test)]
mod tests {
    use super::round_sig;

    #[test]
    fn bisection_points_are_short() {
        assert_eq!(round_sig(7.123456789), 7.12346);
        assert_eq!(round_sig(0.5), 0.5);
    }
}
