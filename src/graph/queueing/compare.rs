//! The queueing estimate beside the simulation: per entry its mean
//! latency, per service its utilization and mean response, flagged where
//! the two differ by more than 25% with the likely reasons (what the
//! simulation did that the estimate does not model).

use std::collections::{BTreeMap, BTreeSet};

use crate::metrics::{EntrySummary, ServiceSummary, Summary};
use crate::model::{Scenario, Topology};

/// Relative difference above which estimate and simulation disagree.
pub const DISAGREEMENT: f64 = 0.25;

/// Completed requests below which a simulated mean is too noisy to judge.
pub const FEW_SAMPLES: u64 = 200;

/// Simulated utilization from which a service counts as overloaded.
const SATURATED: f64 = 0.95;

/// What makes the simulation differ from the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Offered more work than it can do (estimate ρ ≥ 1, the simulation
    /// saturated or rejected requests): queues grow for the whole run.
    Overload,
    /// Calls timed out (the estimate counts every call as answered).
    Timeouts,
    /// Retries added attempts (the estimate has none).
    Retries,
    /// A scenario fault changed the system for part of the run.
    Faults,
    /// Replicas changed during the run (scaling steps or the autoscaler).
    Scaling,
    /// The load multiplier varied; the estimate uses its average.
    LoadChanges,
    /// Workers held during calls: the hold time's distribution is guessed.
    Blocking,
    /// Too few completed requests for a steady mean.
    FewSamples,
    /// None of the above: the G/G/c approximation itself.
    Approximation,
}

impl Reason {
    pub fn label(self) -> &'static str {
        match self {
            Reason::Overload => "overload",
            Reason::Timeouts => "timeouts",
            Reason::Retries => "retries",
            Reason::Faults => "faults",
            Reason::Scaling => "scaling",
            Reason::LoadChanges => "load changes",
            Reason::Blocking => "blocking calls",
            Reason::FewSamples => "few samples",
            Reason::Approximation => "G/G/c approximation",
        }
    }
}

/// Whether a row is an entry or a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Entry,
    Service,
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub subject: Subject,
    pub name: String,
    /// Utilization (services only): simulated, and estimated (`None`
    /// without steady state).
    pub utilization: Option<(f64, Option<f64>)>,
    /// Mean latency (entries) or response (services), ms; `None` when
    /// nothing completed.
    pub simulated_ms: Option<f64>,
    /// `None` without steady state.
    pub estimated_ms: Option<f64>,
    /// (estimate − simulation) / simulation, when both exist.
    pub difference: Option<f64>,
    /// Differs by more than [`DISAGREEMENT`], or the estimate has no
    /// steady state while the simulation answered.
    pub flagged: bool,
    /// Likely reasons, most telling first; empty when not flagged.
    pub reasons: Vec<Reason>,
}

impl Agreement {
    /// The reasons as text, e.g. "retries, timeouts".
    pub fn reasons_text(&self) -> String {
        let labels: Vec<&str> = self.reasons.iter().map(|r| r.label()).collect();
        labels.join(", ")
    }
}

/// Compares the estimate attached to `summary` (see
/// [`super::QueueingEstimate::attach`]) with the simulation, for every
/// entry and service that has one. `topology` and `scenario` are what ran.
pub fn compare(topology: &Topology, scenario: &Scenario, summary: &Summary) -> Vec<Agreement> {
    let evidence = Evidence::new(topology, scenario, summary);
    let mut rows = Vec::new();
    for entry in &summary.entrypoints {
        if let Some(row) = entry_row(entry, &evidence) {
            rows.push(row);
        }
    }
    for service in &summary.services {
        if let Some(row) = service_row(service, &evidence) {
            rows.push(row);
        }
    }
    rows
}

fn entry_row(entry: &EntrySummary, evidence: &Evidence) -> Option<Agreement> {
    let estimate = entry.estimate?;
    let simulated = (entry.completed > 0).then_some(entry.latency_ms.mean);
    let mut row = judged(
        Subject::Entry,
        &entry.name,
        None,
        simulated,
        estimate.latency_ms_mean,
    );
    if row.flagged {
        let mut reasons = evidence.reasons_below(&entry.to);
        if entry.errors.timeout > 0 {
            reasons.push(Reason::Timeouts);
        }
        if entry.completed < FEW_SAMPLES {
            reasons.push(Reason::FewSamples);
        }
        row.reasons = finish(reasons);
    }
    Some(row)
}

fn service_row(service: &ServiceSummary, evidence: &Evidence) -> Option<Agreement> {
    let estimate = service.estimate?;
    let simulated = (service.completed > 0).then_some(service.response_ms.mean);
    let mut row = judged(
        Subject::Service,
        &service.name,
        Some((service.utilization, estimate.utilization)),
        simulated,
        estimate.response_ms_mean,
    );
    let utilization_off = match estimate.utilization {
        Some(u) => differs(service.utilization, u) && service.utilization.max(u) >= 0.05,
        None => true,
    };
    if service.completed > 0 && utilization_off {
        row.flagged = true;
    }
    if row.flagged {
        let mut reasons = evidence.reasons_below(&service.name);
        if service.completed < FEW_SAMPLES {
            reasons.push(Reason::FewSamples);
        }
        row.reasons = finish(reasons);
    }
    Some(row)
}

fn judged(
    subject: Subject,
    name: &str,
    utilization: Option<(f64, Option<f64>)>,
    simulated_ms: Option<f64>,
    estimated_ms: Option<f64>,
) -> Agreement {
    let difference = match (simulated_ms, estimated_ms) {
        (Some(sim), Some(est)) if sim > 0.0 => Some((est - sim) / sim),
        _ => None,
    };
    let flagged = match (simulated_ms, estimated_ms) {
        (Some(sim), Some(est)) => differs(sim, est),
        (Some(_), None) => true,
        (None, _) => false,
    };
    Agreement {
        subject,
        name: name.to_owned(),
        utilization,
        simulated_ms,
        estimated_ms,
        difference,
        flagged,
        reasons: Vec::new(),
    }
}

/// More than [`DISAGREEMENT`] apart, relative to the simulation.
fn differs(simulated: f64, estimated: f64) -> bool {
    (estimated - simulated).abs() > DISAGREEMENT * simulated.abs()
}

fn finish(mut reasons: Vec<Reason>) -> Vec<Reason> {
    reasons.sort_unstable();
    reasons.dedup();
    if reasons.is_empty() {
        reasons.push(Reason::Approximation);
    }
    reasons
}

/// What the run did that the estimate leaves out, per service, and which
/// services each one waits on.
struct Evidence<'a> {
    own: BTreeMap<&'a str, Vec<Reason>>,
    callees: BTreeMap<&'a str, Vec<&'a str>>,
    global: Vec<Reason>,
}

impl<'a> Evidence<'a> {
    fn new(topology: &'a Topology, scenario: &Scenario, summary: &'a Summary) -> Self {
        let mut own: BTreeMap<&str, Vec<Reason>> = BTreeMap::new();
        for s in &summary.services {
            let reasons = own.entry(s.name.as_str()).or_default();
            let estimated_overload = s
                .estimate
                .is_some_and(|e| e.utilization.is_none_or(|u| u >= 1.0));
            if estimated_overload || s.utilization >= SATURATED || s.errors.rejected > 0 {
                reasons.push(Reason::Overload);
            }
            if s.errors.timeout > 0 || s.late > 0 {
                reasons.push(Reason::Timeouts);
            }
        }
        for e in &summary.edges {
            let reasons = own.entry(e.from.as_str()).or_default();
            if e.retries > 0 {
                reasons.push(Reason::Retries);
            }
            if e.errors.timeout > 0 {
                reasons.push(Reason::Timeouts);
            }
        }
        for e in &summary.scaling_events {
            own.entry(e.service.as_str())
                .or_default()
                .push(Reason::Scaling);
        }
        let mut callees: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for service in &topology.services {
            let mut to: Vec<&str> = service
                .operation_views()
                .iter()
                .flat_map(|op| op.calls.iter().flat_map(|spec| spec.calls()))
                .map(|call| call.to.as_str())
                .collect();
            to.sort_unstable();
            to.dedup();
            let has_calls = !to.is_empty();
            callees.insert(service.name.as_str(), to);
            if service.blocking_calls && has_calls {
                own.entry(service.name.as_str())
                    .or_default()
                    .push(Reason::Blocking);
            }
            if service.autoscale.is_some() {
                own.entry(service.name.as_str())
                    .or_default()
                    .push(Reason::Scaling);
            }
        }
        let mut global = Vec::new();
        if !summary.fault_windows.is_empty() {
            global.push(Reason::Faults);
        }
        if !scenario.load.is_empty() {
            global.push(Reason::LoadChanges);
        }
        Evidence {
            own,
            callees,
            global,
        }
    }

    /// The reasons of `service` and of every service it calls, directly or
    /// not, plus those of the whole run.
    fn reasons_below(&self, service: &str) -> Vec<Reason> {
        let mut seen: BTreeSet<&str> = BTreeSet::from([service]);
        let mut stack: Vec<&str> = vec![service];
        let mut reasons = self.global.clone();
        while let Some(s) = stack.pop() {
            if let Some(found) = self.own.get(s) {
                reasons.extend_from_slice(found);
            }
            for &callee in self.callees.get(s).map_or(&[][..], Vec::as_slice) {
                if seen.insert(callee) {
                    stack.push(callee);
                }
            }
        }
        reasons
    }
}
