//! The one door to a run: [`CheckedScenario`], a scenario of a
//! [`Checked`] topology resolved and checked for simulation. Only this
//! module makes one, so the engine builds its plan from it without checking
//! names, numbers or cycles again.
//!
//! Sweeps and capacity searches make their variants the same way: edit the
//! [`Topology`], [`check`](super::check) it again, then resolve the scenario
//! with [`Checked::scenario`] (or [`Checked::check_scenario`] for a scenario
//! that is not one of the file's).

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::super::diagnostic::{Diagnostic, Place};
use super::super::types::{Fault, Scenario, Topology};
use super::limits::{MAX_SERIES_CELLS, MAX_TOTAL_REPLICAS};
use super::numbers::show;
use super::overrides::{apply_overrides, check_overridden};
use super::scenarios::{check_run_size, check_scenario, scenario_place};
use super::{Checked, Ctx};

/// Seconds simulated by [`default_scenario`].
pub const DEFAULT_DURATION_S: f64 = 60.0;

/// The scenario run when a file has none: 60 s, no warm-up, seed 1, no
/// load changes, faults or overrides.
pub fn default_scenario() -> Scenario {
    Scenario::new("default", DEFAULT_DURATION_S)
}

/// The bucket width chosen for a run of `duration_s`: 1 s up to 600 s, then
/// the smallest of 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600 s… giving
/// at most 600 buckets.
pub fn default_bucket_s(duration_s: f64) -> f64 {
    const NICE_S: [f64; 11] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
    ];
    for b in NICE_S {
        if duration_s / b <= 600.0 {
            return b;
        }
    }
    let hours = (duration_s / 600.0 / 3600.0).ceil().max(1.0);
    hours * 3600.0
}

/// Number of buckets of `bucket_s` that cover `duration_s` (a last bucket
/// shorter than a millionth of `bucket_s` is dropped as rounding noise).
fn bucket_count(duration_s: f64, bucket_s: f64) -> usize {
    ((duration_s / bucket_s) - 1e-6).ceil().max(1.0) as usize
}

/// A scenario ready to simulate: its topology (with the scenario's
/// overrides applied) and the scenario, both checked. Besides every
/// invariant of [`Checked`] (for the overridden topology), it guarantees:
///
/// - the topology has at least one workload entry;
/// - `duration_s` is finite and > 0, `0 ≤ warmup_s < duration_s`, and the
///   run has at most [`MAX_BUCKETS`](super::limits::MAX_BUCKETS) buckets;
/// - load changes, faults and scaling steps are complete and in range, and
///   name services (and zones) of the overridden topology;
/// - the replica slots of all services (at the most each can reach) stay
///   within [`MAX_TOTAL_REPLICAS`], the time series within
///   [`MAX_SERIES_CELLS`], and the expected work within
///   [`MAX_VISITS`](super::limits::MAX_VISITS).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedScenario {
    topology: Topology,
    scenario: Scenario,
    /// Expected service visits per second at a load multiplier of 1 (of the
    /// topology before overrides, as [`Checked`] measured it).
    visits_per_s: f64,
}

impl CheckedScenario {
    /// The topology as this scenario runs it: its overrides applied.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Width of a time-series bucket: the scenario's `bucket_s`, else
    /// [`default_bucket_s`].
    pub fn bucket_s(&self) -> f64 {
        self.scenario
            .bucket_s
            .unwrap_or_else(|| default_bucket_s(self.scenario.duration_s))
    }

    /// Number of time-series buckets of the run.
    pub fn bucket_count(&self) -> usize {
        bucket_count(self.scenario.duration_s, self.bucket_s())
    }

    /// The same run with another seed (any seed is valid).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.scenario.seed = seed;
        self
    }

    /// The same run for another duration, checked again (warm-up, buckets,
    /// size of the run). Errors are placed at the scenario's `duration_s`.
    pub fn with_duration_s(mut self, duration_s: f64) -> Result<Self, Vec<Diagnostic>> {
        self.scenario.duration_s = duration_s;
        let place = Place::root().key("scenario").named(&self.scenario.name);
        let mut ctx = Ctx::new(&self.topology);
        check_scenario(&mut ctx, &place, &self.scenario);
        if !ctx.has_errors() {
            check_run_size(&mut ctx, &place, &self.scenario, self.visits_per_s);
            check_run(&mut ctx, &place, &self.scenario);
        }
        let found = errors(ctx);
        if found.is_empty() {
            Ok(self)
        } else {
            Err(found)
        }
    }
}

impl Checked {
    /// The scenario called `name` (the file's first when `None`, or
    /// [`default_scenario`] when the file has none), ready to simulate. Fails
    /// when there is no workload or no such scenario, saying what to do.
    pub fn scenario(&self, name: Option<&str>) -> Result<CheckedScenario, Diagnostic> {
        self.require_workload()?;
        let scenario = match name {
            None if self.topology.scenarios.is_empty() => default_scenario(),
            _ => self.find_scenario(name)?.clone(),
        };
        let place = Place::root().key("scenarios");
        self.check_scenario(scenario).map_err(|errors| {
            errors.into_iter().next().unwrap_or_else(|| {
                Diagnostic::error(&place, "this scenario cannot run (no reason was given)")
            })
        })
    }

    /// Checks `scenario` (one of the file's, or any other, such as an edited
    /// copy) for a run on this topology: every error at once.
    pub fn check_scenario(&self, scenario: Scenario) -> Result<CheckedScenario, Vec<Diagnostic>> {
        self.require_workload().map_err(|d| vec![d])?;
        let place = match self
            .topology
            .scenarios
            .iter()
            .position(|s| s.name == scenario.name)
        {
            Some(i) => scenario_place(i, &scenario),
            None => Place::root().key("scenario").named(&scenario.name),
        };
        let mut ctx = Ctx::new(&self.topology);
        check_scenario(&mut ctx, &place, &scenario);
        if ctx.has_errors() {
            return Err(errors(ctx));
        }
        let topology = apply_overrides(&self.topology, &scenario)?;
        if !scenario.overrides.is_empty() {
            check_overridden(&mut ctx, &place, &scenario, &topology);
        }
        if !ctx.has_errors() {
            check_run_size(&mut ctx, &place, &scenario, self.visits_per_s);
        }
        if ctx.has_errors() {
            return Err(errors(ctx));
        }
        let mut ctx = Ctx::new(&topology);
        check_run(&mut ctx, &place, &scenario);
        let found = errors(ctx);
        if !found.is_empty() {
            return Err(found);
        }
        Ok(CheckedScenario {
            topology,
            scenario,
            visits_per_s: self.visits_per_s,
        })
    }
}

fn errors(ctx: Ctx) -> Vec<Diagnostic> {
    ctx.diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect()
}

/// Checks of a scenario against the topology it runs on (`ctx.topology`,
/// its overrides applied): zone outages name a zone in use, and the replica
/// slots and time series stay within what the engine keeps.
pub(super) fn check_run(ctx: &mut Ctx, place: &Place, scenario: &Scenario) {
    let topology = ctx.topology;
    for (k, fault) in scenario.faults.iter().enumerate() {
        if let Fault::ZoneOutage { zone, .. } = fault
            && !ctx.zones.contains(zone.as_str())
        {
            ctx.error(
                &place.item("faults", k).key("zone"),
                format!(
                    "with this scenario's overrides, no service is placed in zone {}; \
                     keep the zone in some service's \"zones\" or remove this fault",
                    super::super::diagnostic::quote(zone)
                ),
            );
        }
    }
    let mut slots: Vec<u64> = topology
        .services
        .iter()
        .map(|s| {
            s.autoscale
                .as_ref()
                .map_or(s.replicas, |a| a.max.max(s.replicas))
        })
        .collect();
    for step in &scenario.scaling {
        if let Some(&i) = ctx.services.get(step.service.as_str()) {
            slots[i] = slots[i].max(step.replicas);
        }
    }
    let total: u64 = slots.iter().sum();
    if total > MAX_TOTAL_REPLICAS {
        ctx.error(
            place,
            format!(
                "the services can reach {total} replicas together (counting autoscale.max and scaling \
                 steps), more than archsim simulates ({MAX_TOTAL_REPLICAS}); use fewer replicas with \
                 more workers each"
            ),
        );
    }
    let duration_s = scenario.duration_s;
    let bucket_s = scenario
        .bucket_s
        .unwrap_or_else(|| default_bucket_s(duration_s));
    let buckets = bucket_count(duration_s, bucket_s);
    let series = (topology.services.len() + topology.workload.len() + edge_count(ctx)) as f64;
    if series * buckets as f64 > MAX_SERIES_CELLS {
        let smallest_s = duration_s * series / MAX_SERIES_CELLS;
        ctx.error(
            &place.key("bucket_s"),
            format!(
                "{buckets} time-series buckets of {} s for {} series (services, entries and edges) \
                 would need too much memory; use a bucket_s of at least {smallest_s:.3} s",
                show(bucket_s),
                show(series)
            ),
        );
    }
}

/// Distinct caller→callee pairs of services with at least one call.
fn edge_count(ctx: &Ctx) -> usize {
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (i, service) in ctx.topology.services.iter().enumerate() {
        for op in service.operation_views() {
            for spec in op.calls {
                for call in spec.calls() {
                    if let Some(&to) = ctx.services.get(call.to.as_str()) {
                        edges.insert((i, to));
                    }
                }
            }
        }
    }
    edges.len()
}

/// The topology a file scenario runs on: `topology` itself without
/// overrides, else the overridden copy (`None` when they do not apply;
/// that is reported elsewhere).
pub(super) fn overridden<'a>(
    topology: &'a Topology,
    scenario: &Scenario,
) -> Option<Cow<'a, Topology>> {
    if scenario.overrides.is_empty() {
        return Some(Cow::Borrowed(topology));
    }
    apply_overrides(topology, scenario).ok().map(Cow::Owned)
}
