//! Compiles a topology and a scenario into the flat tables the engine runs
//! on: services, operations, call steps and calls addressed by index, so that
//! the hot path never looks up a name.

use std::collections::BTreeMap;

use crate::model::{Arrivals, CallSpec, LoadBalancer, Scenario, Topology};

use super::SimError;
use super::dist::Sampler;

/// Sentinel for "no limit" in `u32` fields.
pub(crate) const UNBOUNDED: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub(crate) struct ServicePlan {
    pub name: String,
    pub replicas: u32,
    pub workers: u32,
    /// Waiting requests per replica; [`UNBOUNDED`] when unbounded.
    pub queue_capacity: u32,
    pub load_balancer: LoadBalancer,
    pub blocking_calls: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct OperationPlan {
    pub service: u32,
    pub sampler: Sampler,
    /// Range into [`Plan::steps`].
    pub steps: std::ops::Range<u32>,
}

/// One entry of an operation's `calls`: one call or a parallel group.
#[derive(Debug, Clone)]
pub(crate) struct StepPlan {
    /// Range into [`Plan::calls`].
    pub calls: std::ops::Range<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct CallPlan {
    pub callee_service: u32,
    pub callee_operation: u32,
    pub probability: f64,
    pub count: u32,
    pub optional: bool,
    /// Index into [`Plan::edges`].
    pub edge: u32,
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
    pub steps: Vec<StepPlan>,
    pub calls: Vec<CallPlan>,
    pub edges: Vec<EdgePlan>,
    pub entries: Vec<EntryPlan>,
    /// Features of the file or scenario that are not simulated yet.
    pub warnings: Vec<String>,
}

fn positive_u32(value: u64, place: &str, field: &str) -> Result<u32, SimError> {
    match u32::try_from(value) {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err(SimError::Invalid {
            place: place.to_owned(),
            message: format!(
                "{field} must be an integer from 1 to {} (got {value})",
                u32::MAX
            ),
        }),
    }
}

/// Builds the plan; every name must resolve and every number be usable.
pub(crate) fn compile(topology: &Topology, scenario: &Scenario) -> Result<Plan, SimError> {
    let mut plan = Plan::default();
    if topology.workload.is_empty() {
        return Err(SimError::NoWorkload);
    }
    // The topology as the scenario runs it (validation guarantees this
    // succeeds for a checked topology's own scenarios).
    let overridden = crate::model::apply_overrides(topology, scenario).map_err(|diagnostics| {
        let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        SimError::Override {
            place: format!("scenario \"{}\" overrides", scenario.name),
            message: messages.join("; "),
        }
    })?;
    let services = &overridden.services;

    let mut service_index: BTreeMap<&str, u32> = BTreeMap::new();
    for (i, s) in services.iter().enumerate() {
        if service_index.insert(s.name.as_str(), i as u32).is_some() {
            return Err(SimError::Invalid {
                place: format!("services[{i}]"),
                message: format!(
                    "the name \"{}\" is used twice; service names must be unique",
                    s.name
                ),
            });
        }
    }
    // Operation names per service, in file order; index into plan.operations.
    let mut op_names: Vec<Vec<String>> = Vec::with_capacity(services.len());
    let mut first_op: Vec<u32> = Vec::with_capacity(services.len());
    for (i, s) in services.iter().enumerate() {
        let place = format!("services[{i}] \"{}\"", s.name);
        let replicas = positive_u32(s.replicas, &place, "replicas")?;
        let workers = positive_u32(s.workers, &place, "workers")?;
        let queue_capacity = match s.queue_capacity {
            None => UNBOUNDED,
            Some(c) => u32::try_from(c).unwrap_or(UNBOUNDED - 1).min(UNBOUNDED - 1),
        };
        plan.services.push(ServicePlan {
            name: s.name.clone(),
            replicas,
            workers,
            queue_capacity,
            load_balancer: s.load_balancer,
            blocking_calls: s.blocking_calls,
        });
        first_op.push(op_names.iter().map(|v| v.len() as u32).sum());
        if s.operations.is_empty() {
            op_names.push(vec!["default".to_owned()]);
        } else {
            let mut names = Vec::new();
            for (j, op) in s.operations.iter().enumerate() {
                if names.contains(&op.name) {
                    return Err(SimError::Invalid {
                        place: format!("{place} operations[{j}]"),
                        message: format!("the operation \"{}\" is defined twice", op.name),
                    });
                }
                names.push(op.name.clone());
            }
            op_names.push(names);
        }
    }
    let resolve = |to: &str, operation: &str, place: String| -> Result<(u32, u32), SimError> {
        let Some(&svc) = service_index.get(to) else {
            return Err(unknown_service(topology, to, place));
        };
        let names = &op_names[svc as usize];
        match names.iter().position(|n| n == operation) {
            Some(j) => Ok((svc, first_op[svc as usize] + j as u32)),
            None => Err(SimError::UnknownOperation {
                place,
                service: to.to_owned(),
                operation: operation.to_owned(),
                available: names.join(", "),
            }),
        }
    };

    let mut edge_index: BTreeMap<EdgePlan, u32> = BTreeMap::new();
    let mut resilient_calls = Unsupported::default();
    let mut service_features = Unsupported::default();
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
                return Err(SimError::Invalid {
                    place: op_place,
                    message: "no service_time: give the service (or this operation) a service_time"
                        .into(),
                });
            };
            let sampler = Sampler::new(dist).map_err(|source| SimError::Distribution {
                place: format!("{op_place} service_time"),
                source,
            })?;
            let steps_start = plan.steps.len() as u32;
            for (k, spec) in call_specs.iter().enumerate() {
                let calls_start = plan.calls.len() as u32;
                for (m, call) in spec.calls().iter().enumerate() {
                    let call_place = match spec {
                        CallSpec::Single(_) => format!("{op_place} calls[{k}]"),
                        CallSpec::Parallel(_) => format!("{op_place} calls[{k}].parallel[{m}]"),
                    };
                    let (callee_service, callee_operation) =
                        resolve(&call.to, &call.operation, call_place.clone())?;
                    if !(call.probability.is_finite() && (0.0..=1.0).contains(&call.probability)) {
                        return Err(SimError::Invalid {
                            place: call_place,
                            message: format!(
                                "probability must be from 0 to 1 (got {})",
                                call.probability
                            ),
                        });
                    }
                    let count = u32::try_from(call.count).map_err(|_| SimError::Invalid {
                        place: call_place.clone(),
                        message: format!("count is too large (got {})", call.count),
                    })?;
                    let key = EdgePlan {
                        from: i as u32,
                        to: callee_service,
                    };
                    let next = edge_index.len() as u32;
                    let edge = *edge_index.entry(key).or_insert(next);
                    if call.timeout_ms.is_some()
                        || call.retries.is_some()
                        || call.circuit_breaker.is_some()
                    {
                        resilient_calls.note(call_place.clone());
                    }
                    plan.calls.push(CallPlan {
                        callee_service,
                        callee_operation,
                        probability: call.probability,
                        count,
                        optional: call.optional,
                        edge,
                    });
                }
                plan.steps.push(StepPlan {
                    calls: calls_start..plan.calls.len() as u32,
                });
            }
            plan.operations.push(OperationPlan {
                service: i as u32,
                sampler,
                steps: steps_start..plan.steps.len() as u32,
            });
        }
        let unsupported: Vec<&str> = [
            ("autoscale", s.autoscale.is_some()),
            ("rate_limit_rps", s.rate_limit_rps.is_some()),
            ("load_shedding", s.load_shedding.is_some()),
            ("retry_budget", s.retry_budget.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect();
        if !unsupported.is_empty() {
            service_features.note(format!("{place} ({})", unsupported.join(", ")));
        }
    }
    plan.edges = vec![EdgePlan { from: 0, to: 0 }; edge_index.len()];
    for (edge, i) in edge_index {
        plan.edges[i as usize] = edge;
    }
    if let Some(text) = resilient_calls.warning(
        "calls set timeout_ms, retries or circuit_breaker",
        "not simulated yet: every call waits for its answer",
    ) {
        plan.warnings.push(text);
    }
    if let Some(text) = service_features.warning(
        "services set autoscale, rate_limit_rps, load_shedding or retry_budget",
        "not simulated yet",
    ) {
        plan.warnings.push(text);
    }
    if !scenario.faults.is_empty() || !scenario.scaling.is_empty() {
        plan.warnings.push(format!(
            "scenario \"{}\": its faults and scaling steps are not simulated yet",
            scenario.name
        ));
    }

    let mut entry_names: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in topology.workload.iter().enumerate() {
        let place = format!("workload[{i}]");
        let name = e.display_name();
        if let Some(first) = entry_names.insert(name.clone(), i) {
            return Err(SimError::Invalid {
                place,
                message: format!(
                    "the entry name \"{name}\" is also used by workload[{first}]; give each entry a unique \"name\""
                ),
            });
        }
        let (service, operation) = resolve(&e.to, &e.operation, place.clone())?;
        if !(e.rate_rps.is_finite() && e.rate_rps >= 0.0) {
            return Err(SimError::Invalid {
                place,
                message: format!("rate_rps must be a finite number ≥ 0 (got {})", e.rate_rps),
            });
        }
        plan.entries.push(EntryPlan {
            name,
            service,
            operation,
            operation_name: e.operation.clone(),
            rate_rps: e.rate_rps,
            arrivals: e.arrivals,
        });
    }
    check_acyclic(&plan)?;
    Ok(plan)
}

/// Places that use a feature the engine does not simulate yet, reported as
/// one warning.
#[derive(Default)]
struct Unsupported {
    count: usize,
    first: Option<String>,
}

impl Unsupported {
    fn note(&mut self, place: String) {
        self.count += 1;
        self.first.get_or_insert(place);
    }

    fn warning(&self, what: &str, consequence: &str) -> Option<String> {
        let first = self.first.as_ref()?;
        Some(format!(
            "{} {what} (first: {first}); {consequence}",
            self.count
        ))
    }
}

fn unknown_service(topology: &Topology, name: &str, place: String) -> SimError {
    let mut best: Option<(f64, &str)> = None;
    for s in &topology.services {
        let score = strsim::jaro_winkler(name, &s.name);
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, &s.name));
        }
    }
    SimError::UnknownService {
        place,
        name: name.to_owned(),
        suggestion: best
            .map(|(_, n)| format!(" (did you mean \"{n}\"?)"))
            .unwrap_or_default(),
    }
}

/// Calls between operations must not form a cycle: every request would then
/// make calls without end.
fn check_acyclic(plan: &Plan) -> Result<(), SimError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = plan.operations.len();
    let mut mark = vec![Mark::New; n];
    // Iterative depth-first search: (operation, next call to look at).
    for root in 0..n {
        if mark[root] != Mark::New {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Active;
        while let Some(&mut (op, ref mut next)) = stack.last_mut() {
            let steps = &plan.operations[op].steps;
            let first = plan
                .steps
                .get(steps.start as usize)
                .map_or(0, |s| s.calls.start as usize);
            let last = if steps.is_empty() {
                first
            } else {
                plan.steps[steps.end as usize - 1].calls.end as usize
            };
            if first + *next < last {
                let callee = plan.calls[first + *next].callee_operation as usize;
                *next += 1;
                match mark[callee] {
                    Mark::New => {
                        mark[callee] = Mark::Active;
                        stack.push((callee, 0));
                    }
                    Mark::Active => {
                        let service_name = |o: usize| {
                            plan.services[plan.operations[o].service as usize]
                                .name
                                .as_str()
                        };
                        let from = stack.iter().position(|&(o, _)| o == callee).unwrap_or(0);
                        let names: Vec<&str> = stack[from..]
                            .iter()
                            .map(|&(o, _)| service_name(o))
                            .chain(std::iter::once(service_name(callee)))
                            .collect();
                        return Err(SimError::CallCycle(names.join(" → ")));
                    }
                    Mark::Done => {}
                }
            } else {
                mark[op] = Mark::Done;
                stack.pop();
            }
        }
    }
    Ok(())
}
