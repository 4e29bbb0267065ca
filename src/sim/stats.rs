//! Statistics accumulated while the engine runs, closed into time-series
//! buckets as simulated time passes, and turned into a [`Summary`].
//!
//! Memory: a fixed set of histograms and counters per service, entry and
//! edge, plus one number per series per closed bucket. Nothing grows with the
//! number of requests simulated.

use crate::metrics::{
    EdgeSeries, EdgeSummary, EntrySeries, EntrySummary, ErrorCounts, LatencyHistogram, LatencyMs,
    ResponseMs, RunStatus, ServiceSeries, ServiceSummary, Summary, TimeSeries, WaitMs,
};

use super::engine::Simulation;

/// Why a request failed. (Timeouts, errors and open circuits come with the
/// faults and resilience patterns; today only rejections happen.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)]
pub(crate) enum Cause {
    Timeout,
    Rejected,
    Error,
    CircuitOpen,
}

pub(crate) fn count_error(errors: &mut ErrorCounts, cause: Cause) {
    match cause {
        Cause::Timeout => errors.timeout += 1,
        Cause::Rejected => errors.rejected += 1,
        Cause::Error => errors.error += 1,
        Cause::CircuitOpen => errors.circuit_open += 1,
    }
}

/// Time integrals of a service's state (request·seconds, replica·seconds).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Areas {
    pub busy: f64,
    pub queued: f64,
    pub replicas: f64,
}

impl Areas {
    fn minus(self, other: Areas) -> Areas {
        Areas {
            busy: self.busy - other.busy,
            queued: self.queued - other.queued,
            replicas: self.replicas - other.replicas,
        }
    }
}

/// Counts of the bucket being filled.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BucketCounts {
    pub arrivals: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceStats {
    pub arrivals: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
    pub queue_max: u32,
    pub wait: LatencyHistogram,
    pub response: LatencyHistogram,
    pub areas_at_warmup: Areas,
    pub bucket: BucketCounts,
    pub bucket_response: LatencyHistogram,
    pub areas_at_bucket: Areas,
    /// The last closed bucket, for [`ServiceLive`].
    pub last_bucket: BucketCounts,
    pub series: ServiceSeries,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EntryStats {
    pub offered: u64,
    pub completed: u64,
    pub errors: ErrorCounts,
    pub latency: LatencyHistogram,
    pub bucket: BucketCounts,
    pub bucket_latency: LatencyHistogram,
    pub series: EntrySeries,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct EdgeStats {
    pub calls: u64,
    pub bucket_calls: u64,
    pub last_bucket_calls: u64,
    pub series: Vec<u64>,
}

/// The state of one service at this moment, for an animated graph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceLive {
    /// Index of the service in the topology's `services`.
    pub service: usize,
    /// Workers busy now (all replicas).
    pub busy_workers: u32,
    /// Workers of the live replicas.
    pub workers_up: u32,
    /// Requests waiting now (all replicas).
    pub queue_length: u32,
    pub replicas_up: u32,
    /// Requests in the service now (waiting, working or awaiting calls).
    pub in_flight: u32,
    /// Utilization over the last closed bucket.
    pub utilization: f64,
    /// Arrivals in the last closed bucket.
    pub arrivals: u64,
    /// Errors in the last closed bucket, by cause.
    pub errors: ErrorCounts,
}

/// Calls on one caller→callee edge in the last closed bucket.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeLive {
    /// Indices in the topology's `services`.
    pub from: usize,
    pub to: usize,
    pub calls: u64,
}

/// What is happening in a simulation now: cheap to take every frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveState {
    pub now_s: f64,
    pub bucket_s: f64,
    /// Number of closed buckets (the "last closed bucket" is `buckets - 1`).
    pub buckets: usize,
    pub services: Vec<ServiceLive>,
    pub edges: Vec<EdgeLive>,
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator > 0.0 && numerator.is_finite() {
        numerator / denominator
    } else {
        0.0
    }
}

impl Simulation {
    /// Integrates every service to `t_s` and stores the integrals at warm-up.
    pub(super) fn mark_warmup(&mut self, t_s: f64) {
        for (state, stats) in self.services.iter_mut().zip(&mut self.service_stats) {
            state.integrate(t_s);
            stats.areas_at_warmup = state.areas;
        }
    }

    /// Closes the bucket ending at `end_s` (which started at `start_s`).
    pub(super) fn close_bucket(&mut self, start_s: f64, end_s: f64) {
        let len_s = end_s - start_s;
        self.series_t_s.push(start_s);
        for (i, (state, stats)) in self
            .services
            .iter_mut()
            .zip(&mut self.service_stats)
            .enumerate()
        {
            state.integrate(end_s);
            let d = state.areas.minus(stats.areas_at_bucket);
            stats.areas_at_bucket = state.areas;
            let workers = f64::from(self.plan.services[i].workers);
            let s = &mut stats.series;
            s.arrivals.push(stats.bucket.arrivals);
            s.completed.push(stats.bucket.completed);
            s.errors.push(stats.bucket.errors.total());
            s.utilization.push(ratio(d.busy, d.replicas * workers));
            s.replicas.push(ratio(d.replicas, len_s));
            s.queue_length.push(ratio(d.queued, len_s));
            s.p99_ms.push(stats.bucket_response.quantile_ms(0.99));
            stats.bucket_response.clear();
            stats.last_bucket = std::mem::take(&mut stats.bucket);
        }
        for stats in &mut self.entry_stats {
            let s = &mut stats.series;
            s.throughput_rps
                .push(ratio(stats.bucket.completed as f64, len_s));
            s.errors.push(stats.bucket.errors.total());
            let [p50, p99] = stats.bucket_latency.quantiles_ms([0.5, 0.99]);
            s.p50_ms.push(p50);
            s.p99_ms.push(p99);
            s.offered.push(stats.bucket.arrivals);
            stats.bucket_latency.clear();
            stats.bucket = BucketCounts::default();
        }
        for stats in &mut self.edge_stats {
            stats.series.push(stats.bucket_calls);
            stats.last_bucket_calls = stats.bucket_calls;
            stats.bucket_calls = 0;
        }
    }

    /// The state of every service and edge now.
    pub fn live(&self) -> LiveState {
        let services = self
            .services
            .iter()
            .zip(&self.service_stats)
            .enumerate()
            .map(|(i, (state, stats))| ServiceLive {
                service: i,
                busy_workers: state.busy,
                workers_up: state.up * self.plan.services[i].workers,
                queue_length: state.queued,
                replicas_up: state.up,
                in_flight: state.in_system,
                utilization: stats.series.utilization.last().copied().unwrap_or(0.0),
                arrivals: stats.last_bucket.arrivals,
                errors: stats.last_bucket.errors,
            })
            .collect();
        let edges = self
            .plan
            .edges
            .iter()
            .zip(&self.edge_stats)
            .map(|(edge, stats)| EdgeLive {
                from: edge.from as usize,
                to: edge.to as usize,
                calls: stats.last_bucket_calls,
            })
            .collect();
        LiveState {
            now_s: self.now_s(),
            bucket_s: self.bucket_s,
            buckets: self.series_t_s.len(),
            services,
            edges,
        }
    }

    /// The summary of the run so far, with the given status.
    pub(super) fn build_summary(&self, status: RunStatus) -> Summary {
        let now = self.now_s();
        let measured_s = (now - self.warmup_s).max(0.0);
        let per_s = |count: u64| ratio(count as f64, measured_s);
        let entrypoints = self
            .plan
            .entries
            .iter()
            .zip(&self.entry_stats)
            .map(|(plan, stats)| {
                let failed = stats.errors.total();
                let finished = stats.completed + failed;
                let [p50, p90, p95, p99, p999] =
                    stats.latency.quantiles_ms([0.5, 0.9, 0.95, 0.99, 0.999]);
                EntrySummary {
                    name: plan.name.clone(),
                    offered: stats.offered,
                    completed: stats.completed,
                    failed,
                    in_flight: stats.offered.saturating_sub(finished),
                    throughput_rps: per_s(stats.completed),
                    success_ratio: if finished > 0 {
                        stats.completed as f64 / finished as f64
                    } else if stats.offered == 0 {
                        1.0
                    } else {
                        0.0
                    },
                    latency_ms: LatencyMs {
                        mean: stats.latency.mean_ms(),
                        p50,
                        p90,
                        p95,
                        p99,
                        p999,
                        max: stats.latency.max_ms(),
                    },
                    errors: stats.errors,
                    to: self.plan.services[plan.service as usize].name.clone(),
                    operation: plan.operation_name.clone(),
                    offered_rps: per_s(stats.offered),
                }
            })
            .collect();
        let services = self
            .plan
            .services
            .iter()
            .zip(self.services.iter().zip(&self.service_stats))
            .map(|(plan, (state, stats))| {
                let areas = state.areas_at(now).minus(stats.areas_at_warmup);
                let failed = stats.errors.total();
                let [r50, r95, r99] = stats.response.quantiles_ms([0.5, 0.95, 0.99]);
                ServiceSummary {
                    name: plan.name.clone(),
                    arrivals: stats.arrivals,
                    completed: stats.completed,
                    throughput_rps: per_s(stats.completed),
                    utilization: ratio(areas.busy, areas.replicas * f64::from(plan.workers)),
                    replicas_mean: ratio(areas.replicas, measured_s),
                    wait_ms: WaitMs {
                        mean: stats.wait.mean_ms(),
                        p99: stats.wait.quantile_ms(0.99),
                        max: stats.wait.max_ms(),
                    },
                    response_ms: ResponseMs {
                        mean: stats.response.mean_ms(),
                        p50: r50,
                        p95: r95,
                        p99: r99,
                        max: stats.response.max_ms(),
                    },
                    queue_length_mean: ratio(areas.queued, measured_s),
                    queue_length_max: u64::from(stats.queue_max),
                    errors: stats.errors,
                    failed,
                    in_flight: stats.arrivals.saturating_sub(stats.completed + failed),
                    arrivals_rps: per_s(stats.arrivals),
                    busy_workers_mean: ratio(areas.busy, measured_s),
                }
            })
            .collect();
        let edges = self
            .plan
            .edges
            .iter()
            .zip(&self.edge_stats)
            .map(|(edge, stats)| EdgeSummary {
                from: self.plan.services[edge.from as usize].name.clone(),
                to: self.plan.services[edge.to as usize].name.clone(),
                calls: stats.calls,
                calls_rps: per_s(stats.calls),
            })
            .collect();
        let timeseries = TimeSeries {
            bucket_s: self.bucket_s,
            t_s: self.series_t_s.clone(),
            services: self
                .plan
                .services
                .iter()
                .zip(&self.service_stats)
                .map(|(plan, stats)| (plan.name.clone(), stats.series.clone()))
                .collect(),
            entrypoints: self
                .plan
                .entries
                .iter()
                .zip(&self.entry_stats)
                .map(|(plan, stats)| (plan.name.clone(), stats.series.clone()))
                .collect(),
            edges: self
                .plan
                .edges
                .iter()
                .zip(&self.edge_stats)
                .map(|(edge, stats)| EdgeSeries {
                    from: self.plan.services[edge.from as usize].name.clone(),
                    to: self.plan.services[edge.to as usize].name.clone(),
                    calls: stats.series.clone(),
                })
                .collect(),
        };
        Summary {
            topology: self.topology_name.clone(),
            scenario: self.scenario_name.clone(),
            seed: self.seed,
            duration_s: self.duration_s,
            warmup_s: self.warmup_s,
            events: self.events,
            wall_s: self.wall_s,
            status,
            simulated_s: now,
            entrypoints,
            services,
            edges,
            timeseries,
            warnings: self.plan.warnings.clone(),
        }
    }
}
