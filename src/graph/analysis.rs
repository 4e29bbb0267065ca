//! Static analysis of a checked topology: expected visits, arrival rates and
//! utilization per service, the bottleneck and the largest sustainable load,
//! layers, fan-in/out, cycles, critical paths and single points of failure.
//!
//! It is an open-network, mean-value estimate (no simulation):
//!
//! - visits per request solve `v(entry op) = 1`,
//!   `v(callee) += v(caller) × probability × count` along the operation DAG;
//! - a service's arrival rate is λ = Σ over entries of `rate_rps × visits`;
//! - a visit holds a worker for its mean own work, plus — when the service
//!   has `blocking_calls` — the expected response of its calls *without
//!   queueing*: sequential calls add up (each × probability × count), a
//!   parallel group counts its slowest member's mean. Queueing downstream
//!   makes real holding times longer, so utilization here is a lower bound
//!   that is close while the system is lightly loaded;
//! - utilization is offered load ρ = Σ λ·E\[hold\] / (replicas × workers),
//!   using the `replicas` the file starts with (not autoscaling); ρ ≥ 1
//!   means overloaded;
//! - failures, retries, timeouts and rate limits are ignored.
//!
//! Beside it, each service and entry carries the queueing estimate of
//! [`super::queueing`] (waits from Erlang C / Allen–Cunneen, holding times
//! that include downstream queueing) in its `estimate`.

use serde::Serialize;

use super::deps;
use super::ops::OpDag;
use crate::metrics::{EntryEstimate, ServiceEstimate};
use crate::model::Checked;

/// Everything [`analyze`] finds. Plain data; serializes to the JSON of
/// `archsim analyze --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub topology: String,
    /// Sum of the workload's `rate_rps`.
    pub total_rate_rps: f64,
    /// One per service, in file order.
    pub services: Vec<ServiceLoad>,
    /// Caller → callee pairs of services.
    pub edges: Vec<DependencyEdge>,
    /// One per workload entry, in file order.
    pub entries: Vec<EntryAnalysis>,
    /// The service with the highest utilization (none without traffic).
    pub bottleneck: Option<Bottleneck>,
    /// Services with ρ ≥ 1, by name.
    pub overloaded: Vec<String>,
    /// Service names by layer: layer 0 is called by no service.
    pub layers: Vec<Vec<String>>,
    /// Groups of services that call each other in a cycle.
    pub cycles: Vec<Cycle>,
    /// Services that some entry always needs and that a single failure
    /// takes out.
    pub single_points_of_failure: Vec<SinglePointOfFailure>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceLoad {
    pub name: String,
    pub kind: String,
    pub group: Option<String>,
    pub replicas: u64,
    pub workers: u64,
    pub layer: usize,
    /// Distinct services that call this one.
    pub fan_in: usize,
    /// Distinct services this one calls.
    pub fan_out: usize,
    /// λ, requests per second.
    pub arrival_rate_rps: f64,
    /// Mean own work per visit, ms (averaged over its operations by visits).
    pub own_ms: f64,
    /// Mean time a visit holds a worker, ms (own work, plus calls when blocking).
    pub hold_ms: f64,
    /// ρ = λ × hold / (replicas × workers).
    pub utilization: f64,
    pub overloaded: bool,
    /// Entries whose every request needs this service.
    pub needed_by: Vec<String>,
    /// The queueing estimate at the workload's rates (see `graph::queueing`).
    pub estimate: ServiceEstimate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependencyEdge {
    pub from: String,
    pub to: String,
    /// Expected calls per visit of `from` (probability × count, averaged
    /// over `from`'s operations by visits).
    pub calls_per_visit: f64,
    /// Calls per second at the workload's rates.
    pub rate_rps: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryAnalysis {
    pub name: String,
    pub service: String,
    pub operation: String,
    pub rate_rps: f64,
    /// Expected end-to-end latency without queueing, ms.
    pub latency_ms: f64,
    /// Expected visits per request, per service that is visited.
    pub visits: Vec<Visit>,
    /// Highest rate this entry alone can sustain (its bottleneck at ρ = 1).
    pub max_rate_rps: Option<f64>,
    /// The service that limits this entry alone.
    pub bottleneck: Option<String>,
    /// The heaviest chain of expected own work, from the entry down.
    pub critical_path: Vec<PathStep>,
    /// Sum of the steps' `expected_ms`.
    pub critical_path_ms: f64,
    /// The queueing estimate at the workload's rates (see `graph::queueing`).
    pub estimate: EntryEstimate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Visit {
    pub service: String,
    pub visits: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathStep {
    pub service: String,
    pub operation: String,
    /// Mean own work of one visit, ms.
    pub own_ms: f64,
    /// Expected visits of this step per request along the path.
    pub calls: f64,
    /// own_ms × calls.
    pub expected_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottleneck {
    pub service: String,
    pub utilization: f64,
    /// Factor by which the whole workload can grow before the bottleneck
    /// reaches ρ = 1 (below 1 when it is already overloaded).
    pub max_load_factor: f64,
    /// total_rate_rps × max_load_factor.
    pub max_total_rate_rps: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    /// The services of the cycle group, in file order.
    pub services: Vec<String>,
    /// One cycle through the first of them, e.g. `["a", "b", "a"]`.
    pub example: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinglePointOfFailure {
    pub service: String,
    /// Why one failure takes it out, e.g. "1 replica" or "all 3 replicas in zone a".
    pub reason: String,
    /// Entries whose every request needs it.
    pub entries: Vec<String>,
}

/// Analyses a checked topology. See the module documentation for the model.
pub fn analyze(checked: &Checked) -> Analysis {
    let topology = checked.topology();
    let dag = OpDag::build(checked);
    let services = &topology.services;
    let response = dag.response_ms();
    let hold: Vec<f64> = dag
        .nodes
        .iter()
        .enumerate()
        .map(|(n, op)| if op.blocking { response[n] } else { op.own_ms })
        .collect();
    let (path_weight, path_next) = dag.heaviest_paths();
    let queueing = super::queueing::estimate(checked, 1.0);

    // Per entry: visits per operation, and what every request needs.
    let mut op_rate = vec![0.0; dag.nodes.len()];
    let mut needed_by: Vec<Vec<String>> = vec![Vec::new(); services.len()];
    let mut entries = Vec::with_capacity(topology.workload.len());
    let mut entry_visits = Vec::with_capacity(topology.workload.len());
    for entry in &topology.workload {
        let name = entry.display_name();
        let node = checked
            .service_index(&entry.to)
            .and_then(|s| dag.node(checked, s, &entry.operation));
        let visits = node.map_or_else(|| vec![0.0; dag.nodes.len()], |n| dag.visits(n));
        for (n, v) in visits.iter().enumerate() {
            op_rate[n] += entry.rate_rps * v;
        }
        if let Some(n) = node {
            let needed = dag.certain_from(n);
            let mut services_needed: Vec<usize> = (0..dag.nodes.len())
                .filter(|&m| needed[m])
                .map(|m| dag.nodes[m].service)
                .collect();
            services_needed.sort_unstable();
            services_needed.dedup();
            for s in services_needed {
                needed_by[s].push(name.clone());
            }
        }
        entry_visits.push((name, node, visits));
    }

    let capacity: Vec<f64> = services
        .iter()
        .map(|s| (s.replicas * s.workers) as f64)
        .collect();
    let mut arrival = vec![0.0; services.len()];
    let mut busy = vec![0.0; services.len()];
    let mut own = vec![0.0; services.len()];
    for (n, op) in dag.nodes.iter().enumerate() {
        arrival[op.service] += op_rate[n];
        busy[op.service] += op_rate[n] * hold[n];
        own[op.service] += op_rate[n] * op.own_ms;
    }
    let share = operation_shares(checked, &dag, &op_rate);
    let graph = deps::dependency_graph(&dag, services.len(), &share);
    let layers = deps::layers(&graph);
    let fans = deps::fan_in_out(&graph);
    let utilization: Vec<f64> = (0..services.len())
        .map(|s| busy[s] / 1000.0 / capacity[s])
        .collect();

    let service_loads: Vec<ServiceLoad> = services
        .iter()
        .enumerate()
        .map(|(s, service)| {
            let mean = |total: f64| {
                if arrival[s] > 0.0 {
                    total / arrival[s]
                } else {
                    0.0
                }
            };
            ServiceLoad {
                name: service.name.clone(),
                kind: service.kind.as_str().to_owned(),
                group: service.group.clone(),
                replicas: service.replicas,
                workers: service.workers,
                layer: layers[s],
                fan_in: fans[s].0,
                fan_out: fans[s].1,
                arrival_rate_rps: arrival[s],
                own_ms: mean(own[s]),
                hold_ms: mean(busy[s]),
                utilization: utilization[s],
                overloaded: utilization[s] >= 1.0,
                needed_by: needed_by[s].clone(),
                estimate: queueing.services[s].estimate(),
            }
        })
        .collect();

    for ((entry, (name, node, visits)), queued) in topology
        .workload
        .iter()
        .zip(entry_visits)
        .zip(&queueing.entries)
    {
        // Utilization per 1 rps of this entry alone.
        let mut per_rps = vec![0.0; services.len()];
        let mut per_service_visits = vec![0.0; services.len()];
        for (n, v) in visits.iter().enumerate() {
            let s = dag.nodes[n].service;
            per_rps[s] += v * hold[n] / 1000.0 / capacity[s];
            per_service_visits[s] += v;
        }
        let limit = argmax(&per_rps);
        let (critical_path, critical_path_ms) = match node {
            Some(n) => critical_path(checked, &dag, &path_next, n),
            None => (Vec::new(), 0.0),
        };
        debug_assert!(node.is_none_or(
            |n| (path_weight[n] - critical_path_ms).abs() <= 1e-6 * path_weight[n].max(1.0)
        ));
        entries.push(EntryAnalysis {
            name,
            service: entry.to.clone(),
            operation: entry.operation.clone(),
            rate_rps: entry.rate_rps,
            latency_ms: node.map_or(0.0, |n| response[n]),
            visits: per_service_visits
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0.0)
                .map(|(s, v)| Visit {
                    service: services[s].name.clone(),
                    visits: *v,
                })
                .collect(),
            max_rate_rps: limit.map(|s| 1.0 / per_rps[s]),
            bottleneck: limit.map(|s| services[s].name.clone()),
            critical_path,
            critical_path_ms,
            estimate: queued.estimate(),
        });
    }

    let total_rate_rps = topology
        .workload
        .iter()
        .fold(0.0, |total, e| total + e.rate_rps);
    let bottleneck = argmax(&utilization).map(|s| Bottleneck {
        service: services[s].name.clone(),
        utilization: utilization[s],
        max_load_factor: 1.0 / utilization[s],
        max_total_rate_rps: total_rate_rps / utilization[s],
    });
    let edges = graph
        .raw_edges()
        .iter()
        .map(|edge| {
            let (from, to) = (edge.source().index(), edge.target().index());
            DependencyEdge {
                from: services[from].name.clone(),
                to: services[to].name.clone(),
                calls_per_visit: edge.weight,
                rate_rps: arrival[from] * edge.weight,
            }
        })
        .collect();
    let layer_count = layers.iter().max().map_or(0, |m| m + 1);
    let mut by_layer: Vec<Vec<String>> = vec![Vec::new(); layer_count];
    for (s, &layer) in layers.iter().enumerate() {
        by_layer[layer].push(services[s].name.clone());
    }
    let cycles = deps::cycles(&graph)
        .into_iter()
        .map(|(members, example)| Cycle {
            services: members.iter().map(|&s| services[s].name.clone()).collect(),
            example: example.iter().map(|&s| services[s].name.clone()).collect(),
        })
        .collect();
    let single_points_of_failure = service_loads
        .iter()
        .zip(services)
        .filter(|(load, _)| !load.needed_by.is_empty())
        .filter_map(|(load, service)| {
            let reason = single_failure_reason(service)?;
            Some(SinglePointOfFailure {
                service: load.name.clone(),
                reason,
                entries: load.needed_by.clone(),
            })
        })
        .collect();
    Analysis {
        topology: topology.name.clone(),
        total_rate_rps,
        overloaded: service_loads
            .iter()
            .filter(|s| s.overloaded)
            .map(|s| s.name.clone())
            .collect(),
        services: service_loads,
        edges,
        entries,
        bottleneck,
        layers: by_layer,
        cycles,
        single_points_of_failure,
    }
}

/// Share of each service's visits that go to each of its operations, from
/// the operations' visit rates (equal shares for a service without traffic).
pub(crate) fn operation_shares(checked: &Checked, dag: &OpDag, op_rate: &[f64]) -> Vec<f64> {
    let services = &checked.topology().services;
    let mut arrival = vec![0.0; services.len()];
    for (n, op) in dag.nodes.iter().enumerate() {
        arrival[op.service] += op_rate[n];
    }
    dag.nodes
        .iter()
        .enumerate()
        .map(|(n, op)| {
            if arrival[op.service] > 0.0 {
                op_rate[n] / arrival[op.service]
            } else {
                1.0 / services[op.service].operation_views().len().max(1) as f64
            }
        })
        .collect()
}

/// Visit rate of every operation at the workload's rates, requests/s.
pub(crate) fn operation_rates(checked: &Checked, dag: &OpDag) -> Vec<f64> {
    let mut op_rate = vec![0.0; dag.nodes.len()];
    for entry in &checked.topology().workload {
        let node = checked
            .service_index(&entry.to)
            .and_then(|s| dag.node(checked, s, &entry.operation));
        if let Some(n) = node {
            for (m, v) in dag.visits(n).iter().enumerate() {
                op_rate[m] += entry.rate_rps * v;
            }
        }
    }
    op_rate
}

/// The index of the largest positive value (the first of equals).
fn argmax(values: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &v) in values.iter().enumerate() {
        if v > 0.0 && best.is_none_or(|b| v > values[b]) {
            best = Some(i);
        }
    }
    best
}

fn critical_path(
    checked: &Checked,
    dag: &OpDag,
    next: &[Option<usize>],
    start: usize,
) -> (Vec<PathStep>, f64) {
    let services = &checked.topology().services;
    let mut steps = Vec::new();
    let mut total = 0.0;
    let mut calls = 1.0;
    let mut node = Some(start);
    let mut previous: Option<usize> = None;
    while let Some(n) = node {
        if let Some(p) = previous {
            let expected = dag.nodes[p]
                .steps
                .iter()
                .flat_map(|s| &s.calls)
                .filter(|c| c.to == n)
                .map(|c| c.expected)
                .fold(0.0, f64::max);
            calls *= expected;
        }
        let op = &dag.nodes[n];
        let expected_ms = op.own_ms * calls;
        total += expected_ms;
        steps.push(PathStep {
            service: services[op.service].name.clone(),
            operation: op.name.clone(),
            own_ms: op.own_ms,
            calls,
            expected_ms,
        });
        previous = Some(n);
        node = next[n];
    }
    (steps, total)
}

/// Why one failure takes the whole service out, if it does: a single
/// replica, or all replicas in one zone.
fn single_failure_reason(service: &crate::model::Service) -> Option<String> {
    if service.replicas <= 1 {
        return Some("1 replica".to_owned());
    }
    if service.zones.is_empty() {
        return None;
    }
    let mut used: Vec<&str> = (0..service.replicas.min(service.zones.len() as u64))
        .map(|i| service.zones[i as usize].as_str())
        .collect();
    used.sort_unstable();
    used.dedup();
    match used.as_slice() {
        [zone] => Some(format!(
            "all {} replicas in zone {}",
            service.replicas, zone
        )),
        _ => None,
    }
}
