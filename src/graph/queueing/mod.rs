//! The queueing estimate: an open-network (QNA-style) approximation of
//! every service's utilization, wait and response time and every entry's
//! mean latency, computed from the file without simulating. It is what
//! `run` and `analyze` print beside the simulation.
//!
//! The model, per service:
//!
//! - arrivals λ = Σ over entries of `rate_rps` × load multiplier × visits
//!   (as in [`super::analysis`]);
//! - a visit holds a worker for its own work, plus — with `blocking_calls` —
//!   the *response time* of its calls, downstream queueing included;
//! - replicas are stations: `least_outstanding` pools them into one queue
//!   of replicas × workers servers; `random` splits the arrivals at random
//!   (each replica gets λ/r with SCV `c²/r + 1 − 1/r`); `round_robin` gives
//!   each replica every r-th arrival (SCV `c²/r`);
//! - the wait in queue is Erlang C for M/M/c and the Allen–Cunneen G/G/c
//!   approximation otherwise: `W = C(c, a)·E[H]/(c − a) · (c_a² + c_s²)/2`,
//!   with c_s² the SCV of the hold time (own work from its distribution;
//!   a blocking call's response counted as exponential) and c_a² the SCV
//!   of the arrivals: 1 for Poisson entries, 0 for evenly spaced ones,
//!   carried down the calls by Whitt's departure formula, thinned by call
//!   probabilities and merged by rate;
//! - a response is the wait, plus own work, plus the calls: sequential
//!   calls add up (each × probability × count), a parallel group takes the
//!   expected maximum of its members as exponentials of their means;
//! - services that call each other in a cycle are solved by fixed-point
//!   iteration (the values are iterated to a relative change below 10⁻¹⁰).
//!
//! For a Jackson network (Poisson entries, exponential work, one queue per
//! service, no blocking) every formula above is exact, and so is the
//! estimate. Failures, retries, timeouts, rate limits, bounded queues,
//! faults and scaling are not modelled; [`compare`] names them as the
//! likely reason when the simulation differs.

pub mod compare;
mod formulas;

use std::collections::BTreeMap;

use super::ops::OpDag;
use crate::metrics::{EntryEstimate, ServiceEstimate, Summary};
use crate::model::{Arrivals, Checked, CheckedScenario, LoadBalancer, Scenario};
use crate::sim::LoadProfile;

pub use formulas::{allen_cunneen_wait, departure_scv, erlang_c, expected_max};

/// Rounds of the fixed-point iteration before giving up on convergence.
const MAX_ROUNDS: usize = 1000;

/// Relative change below which the iteration has converged.
const TOLERANCE: f64 = 1e-10;

/// Points at which a time-varying load multiplier is averaged.
const LOAD_SAMPLES: usize = 10_000;

/// The queueing estimate of a topology at one load.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueingEstimate {
    /// The multiplier of every entry's `rate_rps` used.
    pub load_multiplier: f64,
    /// One per service, in file order.
    pub services: Vec<ServiceQueueing>,
    /// One per workload entry, in file order.
    pub entries: Vec<EntryQueueing>,
    /// Whether the fixed-point iteration settled (always, without cycles).
    pub converged: bool,
}

/// The estimate of one service. Infinite values mean no steady state.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceQueueing {
    pub name: String,
    /// λ, requests per second.
    pub arrival_rate_rps: f64,
    /// Queues the service is modelled as (1 when pooled), and servers each.
    pub queues: u64,
    pub servers_per_queue: u64,
    /// Mean time a visit holds a worker, ms.
    pub hold_ms: f64,
    /// Squared coefficients of variation of the arrivals at one queue and
    /// of the hold time.
    pub scv_arrival: f64,
    pub scv_service: f64,
    /// ρ = λ·E\[hold\] / (replicas × workers).
    pub utilization: f64,
    pub wait_ms: f64,
    pub response_ms: f64,
}

impl ServiceQueueing {
    /// The summary's view: `None` where there is no steady state.
    pub fn estimate(&self) -> ServiceEstimate {
        ServiceEstimate {
            utilization: finite(self.utilization),
            wait_ms_mean: finite(self.wait_ms),
            response_ms_mean: finite(self.response_ms),
        }
    }

    /// Both squared coefficients of variation are 1: the M/M/c formula
    /// applies as it is (Erlang C), not the Allen–Cunneen correction.
    pub fn is_markovian(&self) -> bool {
        (self.scv_arrival - 1.0).abs() < 1e-9 && (self.scv_service - 1.0).abs() < 1e-9
    }
}

/// The estimate of one workload entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryQueueing {
    pub name: String,
    /// Mean end-to-end latency, ms (infinite without steady state).
    pub latency_ms: f64,
}

impl EntryQueueing {
    pub fn estimate(&self) -> EntryEstimate {
        EntryEstimate {
            latency_ms_mean: finite(self.latency_ms),
        }
    }
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

impl QueueingEstimate {
    /// Puts each service's and entry's estimate into `summary`, matched by
    /// name (rows without a match are left as they are).
    pub fn attach(&self, summary: &mut Summary) {
        let services: BTreeMap<&str, &ServiceQueueing> =
            self.services.iter().map(|s| (s.name.as_str(), s)).collect();
        for row in &mut summary.services {
            if let Some(s) = services.get(row.name.as_str()) {
                row.estimate = Some(s.estimate());
            }
        }
        let entries: BTreeMap<&str, &EntryQueueing> =
            self.entries.iter().map(|e| (e.name.as_str(), e)).collect();
        for row in &mut summary.entrypoints {
            if let Some(e) = entries.get(row.name.as_str()) {
                row.estimate = Some(e.estimate());
            }
        }
    }

    pub fn service(&self, name: &str) -> Option<&ServiceQueueing> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn entry(&self, name: &str) -> Option<&EntryQueueing> {
        self.entries.iter().find(|e| e.name == name)
    }
}

/// Why a scenario has no estimate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error(
        "scenario \"{scenario}\": the topology with its overrides does not check ({message}); fix the overrides in the file"
    )]
    Overrides { scenario: String, message: String },
    #[error("scenario \"{scenario}\" load: {message}; fix its load changes in the file")]
    Load { scenario: String, message: String },
}

/// The estimate of a checked scenario: its topology (overrides applied) at
/// the load multiplier averaged over the measured time (`warmup_s` to
/// `duration_s`). Faults and scaling steps are not modelled.
///
/// A [`CheckedScenario`] satisfies every invariant the estimate needs, so
/// the errors are there for safety only: the engine accepted the same run.
pub fn estimate_scenario(run: &CheckedScenario) -> Result<QueueingEstimate, EstimateError> {
    let scenario = run.scenario();
    let multiplier = mean_multiplier(scenario)?;
    let checked = crate::model::check(run.topology().clone()).map_err(|diagnostics| {
        let messages: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        EstimateError::Overrides {
            scenario: scenario.name.clone(),
            message: messages.join("; "),
        }
    })?;
    Ok(estimate(&checked, multiplier))
}

/// The scenario's load multiplier averaged over its measured time.
fn mean_multiplier(scenario: &Scenario) -> Result<f64, EstimateError> {
    if scenario.load.is_empty() {
        return Ok(1.0);
    }
    let profile = LoadProfile::new(&scenario.load).map_err(|e| EstimateError::Load {
        scenario: scenario.name.clone(),
        message: e.to_string(),
    })?;
    let (start, end) = (
        scenario.warmup_s,
        scenario.duration_s.max(scenario.warmup_s),
    );
    let step = (end - start) / LOAD_SAMPLES as f64;
    let total: f64 = (0..LOAD_SAMPLES)
        .map(|i| profile.multiplier(start + (i as f64 + 0.5) * step))
        .sum();
    Ok(total / LOAD_SAMPLES as f64)
}

/// One stream of requests into a service: from outside (`from: None`, with
/// its own SCV) or from the calls of another service's operations.
struct Flow {
    to: usize,
    rate: f64,
    from: Option<usize>,
    /// Chance the call is made (thinning), or the entry's SCV.
    probability: f64,
    scv: f64,
}

/// How a service's replicas are modelled.
#[derive(Clone, Copy)]
struct Stations {
    queues: u64,
    servers: u64,
    balancer: LoadBalancer,
}

impl Stations {
    fn of(service: &crate::model::Service) -> Self {
        let (replicas, workers) = (service.replicas.max(1), service.workers.max(1));
        let pooled = replicas == 1
            || (service.load_balancer == LoadBalancer::LeastOutstanding
                && replicas.saturating_mul(workers) <= formulas::MAX_EXACT_SERVERS);
        if pooled {
            Stations {
                queues: 1,
                servers: replicas.saturating_mul(workers),
                balancer: service.load_balancer,
            }
        } else {
            Stations {
                queues: replicas,
                servers: workers,
                balancer: service.load_balancer,
            }
        }
    }

    /// The SCV of the arrivals at one queue, from that of the service's.
    fn split_scv(&self, scv: f64) -> f64 {
        let r = self.queues as f64;
        if self.queues == 1 {
            scv
        } else if self.balancer == LoadBalancer::Random {
            scv / r + 1.0 - 1.0 / r
        } else {
            scv / r
        }
    }
}

/// Estimates every service and entry of `checked` with each entry's
/// `rate_rps` multiplied by `load_multiplier`. See the module documentation.
pub fn estimate(checked: &Checked, load_multiplier: f64) -> QueueingEstimate {
    let topology = checked.topology();
    let services = &topology.services;
    let dag = OpDag::build(checked);
    let nodes = dag.nodes.len();

    // Own work: mean and second moment per operation node (same order as
    // the DAG's nodes: services in file order, their operations in order).
    let mut own_second = Vec::with_capacity(nodes);
    for service in services {
        for op in service.operation_views() {
            own_second.push(op.service_time.map_or(0.0, |d| {
                let mean = d.mean_ms();
                formulas::variance_ms2(d) + mean * mean
            }));
        }
    }

    // Visit rates per operation and the flows into each service.
    let mut op_rate = vec![0.0; nodes];
    let mut flows = Vec::new();
    let mut entry_nodes = Vec::with_capacity(topology.workload.len());
    for entry in &topology.workload {
        let rate = entry.rate_rps * load_multiplier;
        let node = checked
            .service_index(&entry.to)
            .and_then(|s| dag.node(checked, s, &entry.operation));
        if let Some(n) = node {
            for (m, v) in dag.visits(n).iter().enumerate() {
                op_rate[m] += rate * v;
            }
            flows.push(Flow {
                to: dag.nodes[n].service,
                rate,
                from: None,
                probability: 1.0,
                scv: match entry.arrivals {
                    Arrivals::Poisson => 1.0,
                    Arrivals::Uniform => 0.0,
                },
            });
        }
        entry_nodes.push((entry.display_name(), node));
    }
    for (m, op) in dag.nodes.iter().enumerate() {
        for call in op.steps.iter().flat_map(|s| &s.calls) {
            let rate = op_rate[m] * call.expected;
            if rate > 0.0 {
                flows.push(Flow {
                    to: dag.nodes[call.to].service,
                    rate,
                    from: Some(op.service),
                    probability: call.probability,
                    scv: 1.0,
                });
            }
        }
    }
    let mut arrival = vec![0.0; services.len()];
    for (n, op) in dag.nodes.iter().enumerate() {
        arrival[op.service] += op_rate[n];
    }
    let stations: Vec<Stations> = services.iter().map(Stations::of).collect();

    let mut wait = vec![0.0; services.len()];
    let mut departure = vec![1.0; services.len()];
    let mut response = vec![0.0; nodes];
    let mut calls_ms = vec![0.0; nodes];
    let mut rows = vec![Row::default(); services.len()];
    let mut converged = false;
    for _ in 0..MAX_ROUNDS {
        // Responses, callees before callers.
        for &n in dag.order.iter().rev() {
            let op = &dag.nodes[n];
            let mut total = 0.0;
            for step in &op.steps {
                total += if step.parallel {
                    let members: Vec<(f64, f64)> = step
                        .calls
                        .iter()
                        .map(|c| {
                            (
                                c.probability,
                                times(c.expected / c.probability, response[c.to]),
                            )
                        })
                        .collect();
                    expected_max(&members)
                } else {
                    step.calls
                        .iter()
                        .map(|c| times(c.expected, response[c.to]))
                        .sum()
                };
            }
            calls_ms[n] = total;
            response[n] = wait[op.service] + op.own_ms + total;
        }
        // Hold-time moments per service.
        let mut hold = vec![(0.0, 0.0); services.len()];
        for (n, op) in dag.nodes.iter().enumerate() {
            if op_rate[n] <= 0.0 {
                continue;
            }
            let (mean, second) = if op.blocking {
                let c = calls_ms[n];
                // Own work and an exponential call part, independent.
                (
                    op.own_ms + c,
                    own_second[n] + 2.0 * op.own_ms * c + 2.0 * c * c,
                )
            } else {
                (op.own_ms, own_second[n])
            };
            hold[op.service].0 += op_rate[n] * mean;
            hold[op.service].1 += op_rate[n] * second;
        }
        // Arrival variability per service.
        let mut scv_in = vec![(0.0, 0.0); services.len()];
        for flow in &flows {
            let scv = match flow.from {
                None => flow.scv,
                Some(s) => flow.probability * departure[s] + 1.0 - flow.probability,
            };
            scv_in[flow.to].0 += flow.rate;
            scv_in[flow.to].1 += flow.rate * scv;
        }
        let mut change: f64 = 0.0;
        for s in 0..services.len() {
            let lambda = arrival[s];
            let row = if lambda > 0.0 {
                let mean = hold[s].0 / lambda;
                let second = hold[s].1 / lambda;
                let scv_service = if mean > 0.0 && mean.is_finite() && second.is_finite() {
                    (second / (mean * mean) - 1.0).max(0.0)
                } else {
                    1.0
                };
                let scv_arrival = if scv_in[s].0 > 0.0 {
                    stations[s].split_scv(scv_in[s].1 / scv_in[s].0)
                } else {
                    1.0
                };
                station_row(&stations[s], lambda, mean, scv_arrival, scv_service)
            } else {
                Row {
                    scv_arrival: 1.0,
                    scv_service: 1.0,
                    departure: 1.0,
                    ..Row::default()
                }
            };
            change = change
                .max(relative_change(wait[s], row.wait_ms))
                .max(relative_change(departure[s], row.departure));
            wait[s] = row.wait_ms;
            departure[s] = row.departure;
            rows[s] = row;
        }
        if change <= TOLERANCE {
            converged = true;
            break;
        }
    }

    // The responses with the final waits.
    let mut response_sum = vec![(0.0, 0.0, 0usize); services.len()];
    for (n, op) in dag.nodes.iter().enumerate() {
        let entry = &mut response_sum[op.service];
        if op_rate[n] > 0.0 {
            entry.0 += op_rate[n] * response[n];
        }
        entry.1 += response[n];
        entry.2 += 1;
    }
    let service_rows = services
        .iter()
        .enumerate()
        .map(|(s, service)| {
            let row = &rows[s];
            let (weighted, plain, count) = response_sum[s];
            ServiceQueueing {
                name: service.name.clone(),
                arrival_rate_rps: arrival[s],
                queues: stations[s].queues,
                servers_per_queue: stations[s].servers,
                hold_ms: row.hold_ms,
                scv_arrival: row.scv_arrival,
                scv_service: row.scv_service,
                utilization: row.utilization,
                wait_ms: row.wait_ms,
                response_ms: if arrival[s] > 0.0 {
                    weighted / arrival[s]
                } else {
                    plain / count.max(1) as f64
                },
            }
        })
        .collect();
    let entries = entry_nodes
        .into_iter()
        .map(|(name, node)| EntryQueueing {
            name,
            latency_ms: node.map_or(0.0, |n| response[n]),
        })
        .collect();
    QueueingEstimate {
        load_multiplier,
        services: service_rows,
        entries,
        converged,
    }
}

/// One service's station values in a round of the iteration.
#[derive(Debug, Clone, Copy, Default)]
struct Row {
    hold_ms: f64,
    scv_arrival: f64,
    scv_service: f64,
    utilization: f64,
    wait_ms: f64,
    departure: f64,
}

fn station_row(
    stations: &Stations,
    lambda_rps: f64,
    hold_ms: f64,
    scv_arrival: f64,
    scv_service: f64,
) -> Row {
    let capacity = (stations.queues.saturating_mul(stations.servers)) as f64;
    let utilization = lambda_rps * hold_ms / 1000.0 / capacity;
    let per_queue_rate = lambda_rps / stations.queues as f64 / 1000.0;
    let wait_ms = if hold_ms.is_finite() {
        allen_cunneen_wait(
            stations.servers,
            per_queue_rate,
            hold_ms,
            scv_arrival,
            scv_service,
        )
    } else {
        f64::INFINITY
    };
    Row {
        hold_ms,
        scv_arrival,
        scv_service,
        utilization,
        wait_ms,
        departure: departure_scv(stations.servers, utilization, scv_arrival, scv_service),
    }
}

/// `count × ms`, 0 when the count is 0 (even for an infinite time).
fn times(count: f64, ms: f64) -> f64 {
    if count > 0.0 { count * ms } else { 0.0 }
}

fn relative_change(old: f64, new: f64) -> f64 {
    if old == new {
        0.0
    } else if old.is_infinite() || new.is_infinite() {
        f64::INFINITY
    } else {
        (old - new).abs() / old.abs().max(new.abs()).max(1e-12)
    }
}
