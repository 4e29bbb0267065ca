//! Building the [`Summary`] of a run so far: at the end, or while it runs.
//!
//! A summary of a running simulation is cheap to refresh with
//! [`Simulation::snapshot_into`]: the time series of a previous summary of
//! the same run are only extended with the buckets closed since, so the GUI
//! can refresh ten times a second on a thousand services without copying
//! every series each time.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::metrics::{
    Cost, EdgeSeries, EdgeSummary, EntrySeries, EntrySummary, FaultWindow, Finding, LatencyMs,
    ResponseMs, RunId, RunStatus, ServiceSeries, ServiceSummary, Stability, Summary, TimeSeries,
    Trigger, WaitMs,
};

use super::engine::Simulation;
use super::pools::VisitState;
use super::stats::{EdgeRow, ServiceRow, ratio};

static NEXT_RUN_ID: AtomicU64 = AtomicU64::new(1);

/// A process-unique id for a new simulation (tells its summaries apart).
pub(super) fn next_run_id() -> u64 {
    NEXT_RUN_ID.fetch_add(1, Ordering::Relaxed)
}

/// Series with room for `buckets` values each (so that they never move).
pub(super) fn service_series(buckets: usize) -> ServiceSeries {
    ServiceSeries {
        arrivals: Vec::with_capacity(buckets),
        completed: Vec::with_capacity(buckets),
        errors: Vec::with_capacity(buckets),
        utilization: Vec::with_capacity(buckets),
        replicas: Vec::with_capacity(buckets),
        queue_length: Vec::with_capacity(buckets),
        p99_ms: Vec::with_capacity(buckets),
        errors_timeout: Vec::with_capacity(buckets),
        errors_rejected: Vec::with_capacity(buckets),
        errors_error: Vec::with_capacity(buckets),
        errors_circuit_open: Vec::with_capacity(buckets),
        replicas_desired: Vec::with_capacity(buckets),
    }
}

/// Series with room for `buckets` values each.
pub(super) fn entry_series(buckets: usize) -> EntrySeries {
    EntrySeries {
        throughput_rps: Vec::with_capacity(buckets),
        errors: Vec::with_capacity(buckets),
        p50_ms: Vec::with_capacity(buckets),
        p99_ms: Vec::with_capacity(buckets),
        p95_ms: Vec::with_capacity(buckets),
        offered: Vec::with_capacity(buckets),
        errors_timeout: Vec::with_capacity(buckets),
        errors_rejected: Vec::with_capacity(buckets),
        errors_error: Vec::with_capacity(buckets),
        errors_circuit_open: Vec::with_capacity(buckets),
    }
}

/// Series with room for `buckets` values each (names filled in later).
pub(super) fn edge_series(buckets: usize) -> EdgeSeries {
    EdgeSeries {
        from: String::new(),
        to: String::new(),
        calls: Vec::with_capacity(buckets),
        errors: Vec::with_capacity(buckets),
        breaker_open: Vec::with_capacity(buckets),
        retries: Vec::with_capacity(buckets),
        breaker_opened: Vec::with_capacity(buckets),
    }
}

/// Appends the part of `from` that `to` does not have yet. (`to` is a
/// summary of the same run, so `from` starts with `to`; after
/// `into_summary` moved the series out, `from` is empty and `to` complete.)
pub(super) fn extend<T: Copy>(to: &mut Vec<T>, from: &[T]) {
    if to.len() < from.len() {
        to.extend_from_slice(&from[to.len()..]);
    }
}

/// Services (or edges) gathered together from the bucket-major rows: the
/// rows of a block of them in one bucket are contiguous, and the series
/// being appended to stay in cache.
const GATHER_BLOCK: usize = 64;

/// Appends to `to[i]` the buckets of series `i` in `rows` that it does not
/// have yet (`have` tells how many it has; `push` appends one row). `rows`
/// is bucket-major (`width` rows per bucket), its first bucket is bucket
/// `first` of the run, and every series in `to` already has the buckets
/// before `first`.
fn gather<'a, S: 'a, R>(
    to: impl Iterator<Item = &'a mut S>,
    rows: &[R],
    first: usize,
    width: usize,
    have: impl Fn(&S) -> usize,
    push: impl Fn(&mut S, &R),
) {
    let mut to: Vec<&mut S> = to.collect();
    let end = first + rows.len() / width.max(1);
    for (block, series) in to.chunks_mut(GATHER_BLOCK).enumerate() {
        let block_first = block * GATHER_BLOCK;
        for (k, to) in series.iter_mut().enumerate() {
            for bucket in have(to).max(first)..end {
                push(to, &rows[(bucket - first) * width + block_first + k]);
            }
        }
    }
}

/// [`gather`] for the services' series.
pub(super) fn extend_services<'a>(
    to: impl Iterator<Item = &'a mut ServiceSeries>,
    rows: &[ServiceRow],
    first: usize,
    services: usize,
) {
    let have = |to: &ServiceSeries| to.arrivals.len();
    gather(to, rows, first, services, have, |to, row| {
        to.arrivals.push(row.arrivals);
        to.completed.push(row.completed);
        to.errors.push(row.errors.total());
        to.utilization.push(row.utilization);
        to.replicas.push(row.replicas);
        to.queue_length.push(row.queue_length);
        to.p99_ms.push(row.p99_ms);
        to.errors_timeout.push(row.errors.timeout);
        to.errors_rejected.push(row.errors.rejected);
        to.errors_error.push(row.errors.error);
        to.errors_circuit_open.push(row.errors.circuit_open);
        to.replicas_desired.push(row.replicas_desired);
    });
}

/// [`gather`] for the edges' series.
pub(super) fn extend_edges<'a>(
    to: impl Iterator<Item = &'a mut EdgeSeries>,
    rows: &[EdgeRow],
    first: usize,
    edges: usize,
) {
    let have = |to: &EdgeSeries| to.calls.len();
    gather(to, rows, first, edges, have, |to, row| {
        to.calls.push(row.calls);
        to.errors.push(row.errors);
        to.breaker_open.push(row.breaker_open);
        to.retries.push(row.retries);
        to.breaker_opened.push(row.breaker_opened);
    });
}

pub(super) fn extend_entry(to: &mut EntrySeries, from: &EntrySeries) {
    extend(&mut to.throughput_rps, &from.throughput_rps);
    extend(&mut to.errors, &from.errors);
    extend(&mut to.p50_ms, &from.p50_ms);
    extend(&mut to.p99_ms, &from.p99_ms);
    extend(&mut to.p95_ms, &from.p95_ms);
    extend(&mut to.offered, &from.offered);
    extend(&mut to.errors_timeout, &from.errors_timeout);
    extend(&mut to.errors_rejected, &from.errors_rejected);
    extend(&mut to.errors_error, &from.errors_error);
    extend(&mut to.errors_circuit_open, &from.errors_circuit_open);
}

/// Appends the part of `from` that `to` does not have yet, field by field.
pub(super) fn extend_service(to: &mut ServiceSeries, from: &ServiceSeries) {
    extend(&mut to.arrivals, &from.arrivals);
    extend(&mut to.completed, &from.completed);
    extend(&mut to.errors, &from.errors);
    extend(&mut to.utilization, &from.utilization);
    extend(&mut to.replicas, &from.replicas);
    extend(&mut to.queue_length, &from.queue_length);
    extend(&mut to.p99_ms, &from.p99_ms);
    extend(&mut to.errors_timeout, &from.errors_timeout);
    extend(&mut to.errors_rejected, &from.errors_rejected);
    extend(&mut to.errors_error, &from.errors_error);
    extend(&mut to.errors_circuit_open, &from.errors_circuit_open);
    extend(&mut to.replicas_desired, &from.replicas_desired);
}

pub(super) fn extend_edge(to: &mut EdgeSeries, from: &EdgeSeries) {
    extend(&mut to.calls, &from.calls);
    extend(&mut to.errors, &from.errors);
    extend(&mut to.breaker_open, &from.breaker_open);
    extend(&mut to.retries, &from.retries);
    extend(&mut to.breaker_opened, &from.breaker_opened);
}

impl Simulation {
    /// The metrics so far (the time series hold the closed buckets).
    pub fn snapshot(&self) -> Summary {
        let mut summary = self.empty_summary();
        self.snapshot_into(&mut summary);
        summary
    }

    /// Refreshes `summary` to the metrics so far. When `summary` came from
    /// this simulation, its time series are extended rather than copied, so
    /// this costs O(services + new buckets); any other summary is replaced.
    pub fn snapshot_into(&self, summary: &mut Summary) {
        let status = if self.diverged_at_s.is_some() {
            RunStatus::Diverged
        } else if self.is_finished() {
            RunStatus::Complete
        } else {
            RunStatus::Running
        };
        self.fill_summary(status, summary);
    }

    /// The final summary: `complete`, or `cancelled` when `completed` is false.
    pub fn finish(&self, completed: bool) -> Summary {
        let status = self.final_status(completed);
        let mut summary = self.empty_summary();
        self.fill_summary(status, &mut summary);
        summary
    }

    /// Like [`finish`](Self::finish), moving the time series out of the
    /// simulation instead of copying them (for the end of a run).
    pub fn into_summary(mut self, completed: bool) -> Summary {
        let status = self.final_status(completed);
        let timeseries = self.recorder.take_series(&self.plan, self.bucket_s);
        let mut summary = self.header(timeseries);
        self.fill_summary(status, &mut summary);
        summary
    }

    fn final_status(&self, completed: bool) -> RunStatus {
        if self.diverged_at_s.is_some() {
            RunStatus::Diverged
        } else if completed && self.is_finished() {
            RunStatus::Complete
        } else {
            RunStatus::Cancelled
        }
    }

    /// A summary of this run with the given series and nothing else filled in.
    fn header(&self, timeseries: TimeSeries) -> Summary {
        Summary {
            topology: self.topology_name.clone(),
            scenario: self.scenario_name.clone(),
            seed: self.seed,
            duration_s: self.duration_s,
            warmup_s: self.warmup_s,
            warnings: self.plan.warnings.clone(),
            fault_windows: self
                .plan
                .faults
                .iter()
                .filter(|f| f.start_s < self.duration_s)
                .map(|f| FaultWindow {
                    kind: f.kind_name.to_owned(),
                    target: f.target.clone(),
                    start_s: f.start_s,
                    end_s: f.end_s.map_or(self.duration_s, |e| e.min(self.duration_s)),
                })
                .collect(),
            run_id: RunId(self.run_id),
            timeseries,
            ..self.empty_summary()
        }
    }

    fn empty_summary(&self) -> Summary {
        Summary {
            topology: String::new(),
            scenario: String::new(),
            seed: 0,
            duration_s: 0.0,
            warmup_s: 0.0,
            events: 0,
            wall_s: 0.0,
            status: RunStatus::Running,
            simulated_s: 0.0,
            stability: Stability::default(),
            findings: Vec::new(),
            cost: None,
            entrypoints: Vec::new(),
            services: Vec::new(),
            edges: Vec::new(),
            timeseries: TimeSeries::default(),
            scaling_events: Vec::new(),
            fault_windows: Vec::new(),
            warnings: Vec::new(),
            run_id: RunId(0),
        }
    }

    fn fill_summary(&self, status: RunStatus, out: &mut Summary) {
        let now = self.now_s();
        let measured_s = (now - self.warmup_s).max(0.0);
        let per_s = |count: u64| ratio(count as f64, measured_s);
        if out.run_id.0 != self.run_id {
            *out = self.header(self.empty_series());
        }
        out.events = self.events;
        out.wall_s = self.wall_s;
        out.status = status;
        out.simulated_s = now;

        out.entrypoints.clear();
        for (e, (plan, stats)) in self
            .plan
            .entries
            .iter()
            .zip(self.recorder.entries())
            .enumerate()
        {
            let failed = stats.errors.total();
            let finished = stats.completed + failed;
            // Counted latencies, the open bucket's included.
            let latency = self.recorder.latency(e);
            let [p50, p90, p95, p99, p999] = latency.quantiles_ms([0.5, 0.9, 0.95, 0.99, 0.999]);
            out.entrypoints.push(EntrySummary {
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
                    mean: latency.mean_ms(),
                    p50,
                    p90,
                    p95,
                    p99,
                    p999,
                    max: latency.max_ms(),
                },
                errors: stats.errors,
                to: self.plan.services[plan.service as usize].name.clone(),
                operation: plan.operation_name.clone(),
                offered_rps: per_s(stats.offered),
                estimate: None,
            });
        }

        // Counted requests still in each service.
        let mut in_flight = vec![0u64; self.services.len()];
        for v in self.pools.visits() {
            if v.counted && v.state != VisitState::Free {
                in_flight[v.service as usize] += 1;
            }
        }
        out.services.clear();
        for (i, (plan, (state, stats))) in self
            .plan
            .services
            .iter()
            .zip(self.services.iter().map(|state| (state, &state.stats)))
            .enumerate()
        {
            let areas = state.areas_at(now).minus(stats.cold.areas_at_warmup);
            // Arrivals since warm-up ended are the counted ones.
            let arrivals = if self.warmed_up {
                state.arrivals_total - stats.cold.arrivals_at_warmup
            } else {
                0
            };
            let failed = stats.errors.total();
            let (response, wait) = (self.recorder.response(i), self.recorder.wait(i));
            let [r50, r95, r99] = response.quantiles_ms([0.5, 0.95, 0.99]);
            out.services.push(ServiceSummary {
                name: plan.name.clone(),
                arrivals,
                completed: state.completed,
                throughput_rps: per_s(state.completed),
                utilization: ratio(areas.busy, areas.replicas * f64::from(plan.workers)),
                replicas_mean: ratio(areas.replicas, measured_s),
                wait_ms: WaitMs {
                    mean: wait.mean_ms(),
                    p99: wait.quantile_ms(0.99),
                    max: wait.max_ms(),
                },
                response_ms: ResponseMs {
                    mean: response.mean_ms(),
                    p50: r50,
                    p95: r95,
                    p99: r99,
                    max: response.max_ms(),
                },
                queue_length_mean: ratio(areas.queued, measured_s),
                queue_length_max: u64::from(state.queue_max),
                errors: stats.errors,
                failed,
                in_flight: in_flight[i],
                arrivals_rps: per_s(arrivals),
                busy_workers_mean: ratio(areas.busy, measured_s),
                late: stats.cold.late,
                retries_denied: stats.cold.retries_denied,
                estimate: None,
            });
        }

        out.edges.clear();
        for (e, (edge, counts)) in self
            .plan
            .edges
            .iter()
            .zip(self.recorder.edge_counts())
            .enumerate()
        {
            let stats = &self.recorder.edges()[e];
            out.edges.push(EdgeSummary {
                from: self.plan.services[edge.from as usize].name.clone(),
                to: self.plan.services[edge.to as usize].name.clone(),
                calls: counts.calls,
                calls_rps: per_s(counts.calls),
                retries: stats.retries,
                failed: stats.errors.total(),
                errors: stats.errors,
                circuit_breaker: false,
                breaker_opened: 0,
                breaker_open_s: 0.0,
            });
        }
        for breaker in &self.breakers {
            let edge = &mut out.edges[breaker.edge() as usize];
            edge.circuit_breaker = true;
            edge.breaker_opened = breaker.opened();
            edge.breaker_open_s = breaker.open_s_since_warmup(now);
        }
        out.scaling_events.clear();
        out.scaling_events
            .extend_from_slice(self.recorder.scaling_events());
        out.cost = self.plan.prices.as_ref().map(|prices| {
            Cost::of(
                &prices.currency,
                self.plan
                    .services
                    .iter()
                    .zip(self.control.iter().zip(&self.services))
                    .zip(&prices.per_replica_hour)
                    .map(|((plan, (control, state)), &price)| {
                        (
                            plan.name.as_str(),
                            control.held_replica_s(now, state.running),
                            price,
                        )
                    }),
            )
        });

        self.recorder.extend_series(&mut out.timeseries);

        let offered_rps = out.entrypoints.iter().map(|e| e.offered_rps).sum();
        let ts = &out.timeseries;
        out.stability = Stability::of(
            &ts.t_s,
            ts.bucket_s,
            &ts.in_flight,
            self.warmup_s,
            offered_rps,
            self.diverged_at_s,
        );
        // Findings need the whole run: a running snapshot has none yet.
        out.findings = if status == RunStatus::Running {
            Vec::new()
        } else {
            let mut triggers: Vec<Trigger> = out.fault_windows.iter().map(Trigger::fault).collect();
            triggers.extend(
                self.profile
                    .spikes()
                    .filter(|&(factor, _, _)| factor > 1.0)
                    .map(|(factor, start_s, end_s)| Trigger::spike(factor, start_s, end_s)),
            );
            triggers.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
            Finding::of(out, &triggers)
        };
    }

    /// Time series with every key and no buckets yet.
    fn empty_series(&self) -> TimeSeries {
        TimeSeries {
            bucket_s: self.bucket_s,
            t_s: Vec::with_capacity(self.bucket_count),
            in_flight: Vec::with_capacity(self.bucket_count),
            services: self
                .plan
                .services
                .iter()
                .map(|s| (s.name.clone(), service_series(self.bucket_count)))
                .collect(),
            entrypoints: self
                .plan
                .entries
                .iter()
                .map(|e| (e.name.clone(), entry_series(self.bucket_count)))
                .collect(),
            edges: self
                .plan
                .edges
                .iter()
                .map(|edge| EdgeSeries {
                    from: self.plan.services[edge.from as usize].name.clone(),
                    to: self.plan.services[edge.to as usize].name.clone(),
                    ..edge_series(self.bucket_count)
                })
                .collect(),
        }
    }
}
