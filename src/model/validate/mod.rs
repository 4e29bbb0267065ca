//! Validation: turns a raw [`Topology`] into a [`Checked`] one, or explains
//! every problem at once.
//!
//! Each problem is a [`Diagnostic`] with a readable path
//! (`services[3] "checkout" calls[1]`), a JSON pointer for finding its line
//! and column, and a message that says what to change. Errors make
//! [`check`] fail; warnings are kept in [`Checked::warnings`].

pub mod limits;
mod numbers;
mod opgraph;
mod overrides;
mod run;
mod scenarios;
mod services;

use std::collections::{BTreeSet, HashMap};

use super::diagnostic::{Diagnostic, Place, quote};
use super::source_map::SourceMap;
use super::suggest::did_you_mean;
use super::types::{Scenario, Topology};

pub use overrides::apply_overrides;
pub use run::{CheckedScenario, DEFAULT_DURATION_S, default_bucket_s, default_scenario};

/// A topology that passed validation. The analysis and the engine take this
/// and rely on its invariants without checking again:
///
/// - there is at least one service, and at most [`limits::MAX_SERVICES`];
/// - service names are non-empty and unique; operation names are unique per
///   service; entry display names ([`super::Entry::display_name`]) and
///   scenario names are unique;
/// - every operation (see [`super::Service::operation_views`]) has a
///   `service_time`; a service that lists `operations` has no
///   service-level `calls`;
/// - every call, entry, fault, scaling step and override names an existing
///   service, and calls and entries an existing operation of it; zone
///   outages name a zone some service uses;
/// - the calls between operations form no cycle (the operation graph is a
///   DAG), so visit counts are finite and computable in topological order;
/// - every number is finite and in range: replicas and workers in
///   1..=[`limits::MAX_REPLICAS`] / [`limits::MAX_WORKERS`], probabilities
///   in \[0, 1\], times ≥ 0 (means, timeouts, durations > 0), lognormal
///   `p99_ms > median_ms > 0`, uniform `0 ≤ min_ms ≤ max_ms`, erlang
///   `k ≥ 1`, empirical samples non-empty and ≥ 0, `count ≥ 1`, breaker
///   ratio in (0, 1] and window ≥ 1, autoscale `1 ≤ min ≤ max` and target
///   in (0, 1], `warmup_s < duration_s`, prices per replica-hour ≥ 0,
///   a `currency` (when given) not blank; see [`limits`] for upper bounds;
/// - scaling steps set 0..=[`limits::MAX_REPLICAS`] replicas (0 scales the
///   service to zero: it rejects requests until scaled up again); at most
///   [`limits::MAX_ZONES`] distinct zones; a scenario has at most
///   [`limits::MAX_BUCKETS`] time-series buckets;
/// - each scenario's overrides apply cleanly ([`apply_overrides`] succeeds)
///   and the overridden topology satisfies all of the above;
/// - each scenario's expected work stays below [`limits::MAX_VISITS`].
///
/// A topology without `workload` is valid (it can be viewed and analysed);
/// a run starts from [`Checked::scenario`], which also requires a workload
/// and gives the [`CheckedScenario`] the engine takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    topology: Topology,
    warnings: Vec<Diagnostic>,
    service_index: HashMap<String, usize>,
    /// Expected service visits per second at a load multiplier of 1.
    visits_per_s: f64,
}

impl Checked {
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn into_inner(self) -> Topology {
        self.topology
    }

    /// Problems that do not stop the topology from being used.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The index of the service called `name` in `topology().services`.
    pub fn service_index(&self, name: &str) -> Option<usize> {
        self.service_index.get(name).copied()
    }

    /// The index of operation `name` of service `service` in its
    /// [`super::Service::operation_views`].
    pub fn operation_index(&self, service: usize, name: &str) -> Option<usize> {
        self.topology
            .services
            .get(service)?
            .operation_views()
            .iter()
            .position(|op| op.name == name)
    }

    /// Succeeds when the topology has traffic to simulate; otherwise says
    /// how to add it.
    pub fn require_workload(&self) -> Result<(), Diagnostic> {
        if self.topology.workload.is_empty() {
            let first = self
                .topology
                .services
                .first()
                .map(|s| s.name.as_str())
                .unwrap_or("frontend");
            return Err(Diagnostic::error(
                &Place::root().key("workload"),
                format!(
                    "this topology has no workload, so there is nothing to simulate; add one, e.g. \
                     \"workload\": [{{\"name\": \"browse\", \"to\": {}, \"rate_rps\": 100}}]",
                    quote(first)
                ),
            ));
        }
        Ok(())
    }

    /// The scenario called `name`, or the first one when `name` is `None`.
    /// The error names the scenarios there are.
    pub fn find_scenario(&self, name: Option<&str>) -> Result<&Scenario, Diagnostic> {
        find_scenario(&self.topology, name)
    }

    /// Fills in line and column of the warnings from the source text.
    pub fn locate_warnings(&mut self, map: &SourceMap) {
        for warning in &mut self.warnings {
            warning.locate(map);
        }
    }
}

/// The scenario of `topology` called `name`, or its first one when `name` is
/// `None`. The error names the scenarios there are, with a suggestion.
pub fn find_scenario<'a>(
    topology: &'a Topology,
    name: Option<&str>,
) -> Result<&'a Scenario, Diagnostic> {
    let scenarios = &topology.scenarios;
    let place = Place::root().key("scenarios");
    match name {
        None => scenarios.first().ok_or_else(|| {
            Diagnostic::error(
                &place,
                "this topology has no scenarios; add one, e.g. \"scenarios\": [{\"name\": \"baseline\", \"duration_s\": 120}]",
            )
        }),
        Some(name) => scenarios.iter().find(|s| s.name == name).ok_or_else(|| {
            let names: Vec<String> = scenarios.iter().map(|s| quote(&s.name)).collect();
            let hint = match did_you_mean(name, scenarios.iter().map(|s| s.name.as_str())) {
                Some(best) => format!(" (did you mean {}?)", quote(best)),
                None => String::new(),
            };
            Diagnostic::error(
                &place,
                format!(
                    "no scenario named {}{hint}; the scenarios are: {}",
                    quote(name),
                    if names.is_empty() { "(none)".to_owned() } else { names.join(", ") }
                ),
            )
        }),
    }
}

/// Validates a topology: every error and warning at once. Errors make it
/// fail; a valid topology keeps its warnings ([`Checked::warnings`]).
pub fn check(topology: Topology) -> Result<Checked, Vec<Diagnostic>> {
    let (diagnostics, visits_per_s) = diagnose(&topology);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    let service_index = topology
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), i))
        .collect();
    Ok(Checked {
        topology,
        warnings: diagnostics,
        service_index,
        visits_per_s: visits_per_s.unwrap_or(0.0),
    })
}

/// Every problem of `topology`, errors and warnings, in the order found,
/// and the expected service visits per second at a load of 1 (when the
/// calls allow computing it).
fn diagnose(topology: &Topology) -> (Vec<Diagnostic>, Option<f64>) {
    let mut ctx = Ctx::new(topology);
    if topology.name.trim().is_empty() {
        ctx.warning(
            &Place::root().key("name"),
            "the topology has no name; give it a title for the window and reports",
        );
    }
    if topology.services.is_empty() {
        ctx.error(
            &Place::root().key("services"),
            "a topology needs at least one service, e.g. {\"name\": \"api\", \"service_time\": {\"dist\": \"exponential\", \"mean_ms\": 5}}",
        );
        return (ctx.diagnostics, None);
    }
    if topology.services.len() > limits::MAX_SERVICES {
        ctx.error(
            &Place::root().key("services"),
            format!(
                "{} services is more than archsim handles ({}); split the topology",
                topology.services.len(),
                limits::MAX_SERVICES
            ),
        );
        return (ctx.diagnostics, None);
    }
    services::check_services(&mut ctx);
    let graph = opgraph::OpGraph::build(topology);
    opgraph::check_cycles(&mut ctx, &graph);
    scenarios::check_workload(&mut ctx);
    scenarios::check_scenarios(&mut ctx);
    scenarios::check_slo_and_layout(&mut ctx);
    services::check_pricing(&mut ctx);
    if !ctx.has_errors() {
        overrides::check_overrides(&mut ctx);
    }
    let mut visits_per_s = None;
    if !ctx.has_errors() {
        visits_per_s = scenarios::check_run_sizes(&mut ctx, &graph);
    }
    if !ctx.has_errors() {
        for (i, scenario) in topology.scenarios.iter().enumerate() {
            if let Some(changed) = run::overridden(topology, scenario) {
                let mut inner = Ctx::new(&changed);
                run::check_run(
                    &mut inner,
                    &scenarios::scenario_place(i, scenario),
                    scenario,
                );
                ctx.diagnostics.append(&mut inner.diagnostics);
            }
        }
    }
    (ctx.diagnostics, visits_per_s)
}

/// What the checks share: the topology, name lookups and the findings.
pub(super) struct Ctx<'a> {
    pub topology: &'a Topology,
    /// Service name → index of its first definition.
    pub services: HashMap<&'a str, usize>,
    /// Every zone name used by a service.
    pub zones: BTreeSet<&'a str>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    fn new(topology: &'a Topology) -> Self {
        let mut services = HashMap::new();
        for (i, service) in topology.services.iter().enumerate() {
            services.entry(service.name.as_str()).or_insert(i);
        }
        let zones = topology
            .services
            .iter()
            .flat_map(|s| s.zones.iter().map(String::as_str))
            .collect();
        Ctx {
            topology,
            services,
            zones,
            diagnostics: Vec::new(),
        }
    }

    pub fn error(&mut self, place: &Place, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(place, message));
    }

    pub fn warning(&mut self, place: &Place, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(place, message));
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The index of service `name`; reports an error at `place` when there
    /// is none.
    pub fn resolve_service(&mut self, place: &Place, name: &str) -> Option<usize> {
        if let Some(&index) = self.services.get(name) {
            return Some(index);
        }
        let names = self.topology.services.iter().map(|s| s.name.as_str());
        let message = match did_you_mean(name, names) {
            Some(best) => format!(
                "unknown service {} (did you mean {}?)",
                quote(name),
                quote(best)
            ),
            None if name.is_empty() => {
                "the service name is empty; name one of the topology's services".to_owned()
            }
            None => format!(
                "unknown service {}; add a service with that name or use one of the existing ones",
                quote(name)
            ),
        };
        self.error(place, message);
        None
    }

    /// Checks that service `service` has operation `name`; reports an error
    /// at `place` when it does not.
    pub fn resolve_operation(&mut self, place: &Place, service: usize, name: &str) -> bool {
        let Some(target) = self.topology.services.get(service) else {
            return false;
        };
        let views = target.operation_views();
        if views.iter().any(|op| op.name == name) {
            return true;
        }
        let names: Vec<&str> = views.iter().map(|op| op.name).collect();
        let suggestion = match did_you_mean(name, names.iter().copied()) {
            Some(best) => format!(" (did you mean {}?)", quote(best)),
            None => String::new(),
        };
        let listed: Vec<String> = names.iter().map(|n| quote(n)).collect();
        self.error(
            place,
            format!(
                "service {} has no operation {}{suggestion}; its operations are: {}",
                quote(&target.name),
                quote(name),
                listed.join(", ")
            ),
        );
        false
    }
}
