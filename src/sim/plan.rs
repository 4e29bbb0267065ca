//! Compiles a checked scenario into the flat tables the engine runs on:
//! services, operations, call steps and calls addressed by index, so that
//! the hot path never looks up a name. Validation decided what is valid
//! (see [`CheckedScenario`]); this only translates.

use std::collections::BTreeMap;

use crate::model::{Arrivals, CallSpec, CheckedScenario, LoadBalancer};

use super::SimError;
use super::dist::Sampler;
use super::faults::{FaultPlan, ScalingPlan};
use super::policy::{
    call_breaker, call_timing, note_hanging_calls, service_plan, size_replica_slots,
};

/// Sentinel for "no limit" in `u32` fields.
pub(crate) const UNBOUNDED: u32 = u32::MAX;

/// Sentinel for "none" in `u32` index fields.
pub(crate) const NONE: u32 = u32::MAX;

/// Startup of a replica added by the autoscaler when neither the autoscaler
/// nor the service says (seconds).
pub(crate) const DEFAULT_AUTOSCALE_STARTUP_S: f64 = 30.0;

#[derive(Debug, Clone)]
pub(crate) struct ServicePlan {
    pub name: String,
    pub replicas: u32,
    pub workers: u32,
    /// Waiting requests per replica; [`UNBOUNDED`] when unbounded.
    pub queue_capacity: u32,
    pub load_balancer: LoadBalancer,
    pub blocking_calls: bool,
    /// Seconds a restarted replica (after a crash or zone outage) or one
    /// added by a scheduled scaling step needs before it takes work.
    pub startup_s: f64,
    pub autoscale: Option<AutoscalePlan>,
    pub rate_limit_rps: Option<f64>,
    /// Load shedding: requests in the service above which arrivals are
    /// rejected ([`UNBOUNDED`] when not set).
    pub max_in_flight: u32,
    /// Load shedding: longest wait before a worker takes a request.
    pub max_wait_s: Option<f64>,
    pub retry_budget: Option<RetryBudgetPlan>,
    /// Zone (index into [`Plan::zones`]) of each placement position: replica
    /// slot `i` is in `zones[i % zones.len()]`; empty when the service has none.
    pub zones: Vec<u32>,
    /// Replica slots: the most replicas the service can have in this run.
    pub capacity: u32,
}

impl ServicePlan {
    /// Whether arrivals pass an admission check (rate limit, in-flight cap).
    pub fn admission(&self) -> bool {
        self.rate_limit_rps.is_some() || self.max_in_flight != UNBOUNDED
    }

    /// The zone of replica slot `slot`, or [`NONE`].
    pub fn zone_of(&self, slot: u32) -> u32 {
        if self.zones.is_empty() {
            NONE
        } else {
            self.zones[slot as usize % self.zones.len()]
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct AutoscalePlan {
    pub min: u32,
    pub max: u32,
    pub target_utilization: f64,
    pub interval_s: f64,
    pub startup_s: f64,
    pub cooldown_s: f64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryBudgetPlan {
    pub ratio: f64,
    pub min_per_s: f64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPlan {
    pub max: u32,
    pub backoff_s: f64,
    pub multiplier: f64,
    pub jitter: bool,
    /// `f64::INFINITY` when uncapped.
    pub max_backoff_s: f64,
}

impl RetryPlan {
    /// The wait before retry number `retry` (1 for the first), before jitter.
    pub fn backoff_s(&self, retry: u32) -> f64 {
        let exponent = f64::from(retry.saturating_sub(1));
        (self.backoff_s * self.multiplier.powf(exponent)).min(self.max_backoff_s)
    }
}

/// A circuit breaker on one caller→callee edge.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BreakerPlan {
    pub edge: u32,
    pub failure_ratio: f64,
    pub window: u32,
    pub open_s: f64,
    pub probes: u32,
}

#[derive(Debug, Clone)]
#[repr(align(64))]
pub(crate) struct OperationPlan {
    /// Range into [`Plan::calls`]: the calls of every step, in order (a
    /// step's last call has `ends_step`; steps without calls leave none).
    pub calls: std::ops::Range<u32>,
    pub sampler: Sampler,
}

// One cache line per operation: read at every start of work.
const _: () = assert!(std::mem::size_of::<OperationPlan>() == 64);

/// What every call needs (32 bytes: two to a cache line); the resilience
/// settings are in [`CallPolicy`], at the same index of [`Plan::policies`].
#[derive(Debug, Clone)]
pub(crate) struct CallPlan {
    pub callee_service: u32,
    pub callee_operation: u32,
    pub probability: f64,
    pub count: u32,
    /// Index into [`Plan::edges`].
    pub edge: u32,
    /// Attempts take the resilience path: the call has a timeout, retries or
    /// a breaker, or its caller has a retry budget (which counts first attempts).
    pub guarded: bool,
    /// The last call of its step (a single call, or the last of a parallel
    /// group): the step's calls are issued together.
    pub ends_step: bool,
}

const _: () = assert!(std::mem::size_of::<CallPlan>() == 32);

/// A call's resilience settings (see [`CallPlan`]).
#[derive(Debug, Clone)]
pub(crate) struct CallPolicy {
    pub optional: bool,
    /// Index into [`Plan::timeouts_s`] (calls with the same timeout share a
    /// timer queue), or [`NONE`].
    pub timer: u32,
    pub retries: Option<RetryPlan>,
    /// Index into [`Plan::breakers`], or [`NONE`].
    pub breaker: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct EntryPlan {
    pub name: String,
    pub service: u32,
    pub operation: u32,
    pub operation_name: String,
    pub rate_rps: f64,
    pub arrivals: Arrivals,
}

/// A caller→callee pair of services with at least one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EdgePlan {
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub services: Vec<ServicePlan>,
    pub operations: Vec<OperationPlan>,
    pub calls: Vec<CallPlan>,
    /// One per call, at the same index.
    pub policies: Vec<CallPolicy>,
    pub edges: Vec<EdgePlan>,
    pub entries: Vec<EntryPlan>,
    /// Distinct call timeouts, in seconds.
    pub timeouts_s: Vec<f64>,
    pub breakers: Vec<BreakerPlan>,
    /// Zone names, sorted.
    pub zones: Vec<String>,
    pub faults: Vec<FaultPlan>,
    pub scaling: Vec<ScalingPlan>,
    /// How the engine reads parts of the file that deserve a note.
    pub warnings: Vec<String>,
    /// The services' prices; `None` when the file sets none (no `cost`).
    pub prices: Option<Prices>,
}

/// The prices of a run's services (see `Topology::price_per_replica_hour`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Prices {
    pub currency: String,
    /// Per service, in order: price per replica-hour (0 without one).
    pub per_replica_hour: Vec<f64>,
}

/// `value` as a `u32`; validation keeps every count far below `u32::MAX`.
pub(super) fn saturating_u32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Builds the plan of a checked scenario. Validation resolved every name and
/// checked every number; a failure here is a bug ([`SimError::Unchecked`]).
pub(crate) fn compile(run: &CheckedScenario) -> Result<Plan, SimError> {
    let mut plan = Plan::default();
    let scenario = run.scenario();
    let topology = run.topology();
    let services = &topology.services;

    let service_index: BTreeMap<&str, u32> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i as u32))
        .collect();
    let zone_names: std::collections::BTreeSet<&str> = services
        .iter()
        .flat_map(|s| s.zones.iter().map(String::as_str))
        .collect();
    plan.zones = zone_names.iter().map(|z| (*z).to_owned()).collect();
    // Operation names per service, in file order; index into plan.operations.
    let mut op_names: Vec<Vec<String>> = Vec::with_capacity(services.len());
    let mut first_op: Vec<u32> = Vec::with_capacity(services.len());
    let mut op_count = 0;
    for s in services {
        plan.services.push(service_plan(s, &plan.zones));
        first_op.push(op_count);
        if s.operations.is_empty() {
            op_names.push(vec!["default".to_owned()]);
        } else {
            op_names.push(s.operations.iter().map(|op| op.name.clone()).collect());
        }
        op_count += op_names.last().map_or(0, |names| names.len() as u32);
    }
    let resolve = |to: &str, operation: &str, place: String| -> Result<(u32, u32), SimError> {
        let Some(&svc) = service_index.get(to) else {
            return Err(SimError::unchecked(place, format!("no service \"{to}\"")));
        };
        match op_names[svc as usize].iter().position(|n| n == operation) {
            Some(j) => Ok((svc, first_op[svc as usize] + j as u32)),
            None => Err(SimError::unchecked(
                place,
                format!("service \"{to}\" has no operation \"{operation}\""),
            )),
        }
    };

    let mut edge_index: BTreeMap<EdgePlan, u32> = BTreeMap::new();
    // Timeout (as bits of its value in seconds) → index of its timer queue.
    let mut timers: BTreeMap<u64, u32> = BTreeMap::new();
    for (i, s) in services.iter().enumerate() {
        let place = format!("services[{i}] \"{}\"", s.name);
        let ops: Vec<(String, Option<&crate::model::Distribution>, &[CallSpec])> =
            if s.operations.is_empty() {
                vec![(place.clone(), s.service_time.as_ref(), &s.calls)]
            } else {
                s.operations
                    .iter()
                    .enumerate()
                    .map(|(j, op)| {
                        (
                            format!("{place} operations[{j}] \"{}\"", op.name),
                            op.service_time.as_ref().or(s.service_time.as_ref()),
                            op.calls.as_slice(),
                        )
                    })
                    .collect()
            };
        for (op_place, dist, call_specs) in ops {
            let Some(dist) = dist else {
                return Err(SimError::unchecked(op_place, "no service_time"));
            };
            let sampler = Sampler::new(dist).map_err(|source| {
                SimError::unchecked(format!("{op_place} service_time"), source.to_string())
            })?;
            let calls_start = plan.calls.len() as u32;
            for (k, spec) in call_specs.iter().enumerate() {
                let step_start = plan.calls.len();
                for (m, call) in spec.calls().iter().enumerate() {
                    let call_place = match spec {
                        CallSpec::Single(_) => format!("{op_place} calls[{k}]"),
                        CallSpec::Parallel(_) => format!("{op_place} calls[{k}].parallel[{m}]"),
                    };
                    let (callee_service, callee_operation) =
                        resolve(&call.to, &call.operation, call_place.clone())?;
                    let count = saturating_u32(call.count);
                    let key = EdgePlan {
                        from: i as u32,
                        to: callee_service,
                    };
                    let next = edge_index.len() as u32;
                    let edge = *edge_index.entry(key).or_insert(next);
                    let (timer, retries) = call_timing(call, &mut timers);
                    let breaker = call_breaker(call, &call_place, edge, &mut plan);
                    plan.calls.push(CallPlan {
                        callee_service,
                        callee_operation,
                        probability: call.probability,
                        count,
                        edge,
                        guarded: timer != NONE
                            || retries.is_some()
                            || breaker != NONE
                            || s.retry_budget.is_some(),
                        ends_step: false,
                    });
                    plan.policies.push(CallPolicy {
                        optional: call.optional,
                        timer,
                        retries,
                        breaker,
                    });
                }
                if plan.calls.len() > step_start
                    && let Some(last) = plan.calls.last_mut()
                {
                    last.ends_step = true;
                }
            }
            plan.operations.push(OperationPlan {
                calls: calls_start..plan.calls.len() as u32,
                sampler,
            });
        }
    }
    plan.edges = vec![EdgePlan { from: 0, to: 0 }; edge_index.len()];
    for (edge, i) in edge_index {
        plan.edges[i as usize] = edge;
    }
    plan.timeouts_s = vec![0.0; timers.len()];
    for (bits, i) in timers {
        plan.timeouts_s[i as usize] = f64::from_bits(bits);
    }
    let find = |name: &str, place: String| -> Result<u32, SimError> {
        service_index
            .get(name)
            .copied()
            .ok_or_else(|| SimError::unchecked(place, format!("no service \"{name}\"")))
    };
    let (faults, scaling) = super::faults::compile(scenario, &plan, &find)?;
    plan.faults = faults;
    plan.scaling = scaling;
    size_replica_slots(&mut plan);
    note_hanging_calls(&mut plan);

    for (i, e) in topology.workload.iter().enumerate() {
        let (service, operation) = resolve(&e.to, &e.operation, format!("workload[{i}]"))?;
        plan.entries.push(EntryPlan {
            name: e.display_name(),
            service,
            operation,
            operation_name: e.operation.clone(),
            rate_rps: e.rate_rps,
            arrivals: e.arrivals,
        });
    }
    plan.prices = topology.has_prices().then(|| Prices {
        currency: topology.currency().to_owned(),
        per_replica_hour: services
            .iter()
            .map(|s| topology.price_per_replica_hour(s).unwrap_or(0.0))
            .collect(),
    });
    Ok(plan)
}
