//! The [`Recorder`]: what a run measures, apart from the services' own
//! counters — the hot histograms (and the buffer of samples waiting for
//! them), the entries' and edges' statistics, the time series of the
//! closed buckets with their staged rows, and the scaling events.
//!
//! It is their one writer: the engine hands it samples and counts through
//! the methods below, and the summary reads them back through read-only
//! views. Two rules live here and nowhere else: a histogram is read only
//! after [`Recorder::flush`], and every closed bucket adds one value to
//! every series (first as a staged row, see [`ServiceRow`]).

use crate::metrics::{
    BucketedHistogram, EdgeSeries, LatencyHistogram, ScalingEvent, ServiceSeries, TimeSeries,
};

use super::engine::ServiceState;
use super::plan::Plan;
use super::resilience::Breaker;
use super::scaling::ServiceControl;
use super::stats::{
    BUFFER_ABOVE_SERIES, BucketCounts, EdgeCounts, EdgeRow, EdgeStats, EntryStats, HotHistograms,
    SAMPLE_BUFFER, STAGED_BUCKETS, Sample, ServiceRow, ratio,
};
use super::summary::{
    edge_series, entry_series, extend, extend_edge, extend_edges, extend_entry, extend_service,
    extend_services, service_series,
};

/// Statistics and series of one run (see the module's documentation).
#[derive(Debug)]
pub(super) struct Recorder {
    /// Samples not yet in their histograms (see [`SAMPLE_BUFFER`]).
    samples: Vec<(Sample, f64)>,
    /// Whether samples are buffered (large topologies) or recorded at once.
    buffer_samples: bool,
    hot: HotHistograms,
    entries: Vec<EntryStats>,
    edges: Vec<EdgeStats>,
    edge_counts: Vec<EdgeCounts>,
    /// Start of each closed bucket.
    t_s: Vec<f64>,
    /// Visits in flight at the end of each closed bucket.
    in_flight: Vec<u64>,
    /// Per service and per edge: the series of the closed buckets, except
    /// the staged ones.
    service_series: Vec<ServiceSeries>,
    edge_series: Vec<EdgeSeries>,
    /// The staged buckets' rows of every service, bucket-major: row
    /// `staged bucket × services + service` (see [`ServiceRow`]).
    service_rows: Vec<ServiceRow>,
    /// Likewise for the edges.
    edge_rows: Vec<EdgeRow>,
    scaling_events: Vec<ScalingEvent>,
}

impl Recorder {
    /// An empty recorder for these counts, with room for `buckets` buckets.
    pub fn new(services: usize, entries: usize, edges: usize, buckets: usize) -> Self {
        let mut entry_stats = vec![EntryStats::default(); entries];
        for stats in &mut entry_stats {
            stats.series = entry_series(buckets);
        }
        Recorder {
            samples: Vec::with_capacity(SAMPLE_BUFFER),
            buffer_samples: services + entries > BUFFER_ABOVE_SERIES,
            hot: HotHistograms::new(services, entries),
            entries: entry_stats,
            edges: vec![EdgeStats::default(); edges],
            edge_counts: vec![EdgeCounts::default(); edges],
            t_s: Vec::with_capacity(buckets),
            in_flight: Vec::with_capacity(buckets),
            service_series: (0..services).map(|_| service_series(buckets)).collect(),
            edge_series: (0..edges).map(|_| edge_series(buckets)).collect(),
            service_rows: Vec::with_capacity(STAGED_BUCKETS.min(buckets) * services),
            edge_rows: Vec::with_capacity(STAGED_BUCKETS.min(buckets) * edges),
            scaling_events: Vec::new(),
        }
    }

    /// Buffers one duration for its histograms.
    #[inline(always)]
    pub fn record(&mut self, sample: Sample, duration_s: f64) {
        if !self.buffer_samples {
            self.record_now(sample, duration_s);
            return;
        }
        if self.samples.len() >= SAMPLE_BUFFER {
            self.flush();
        }
        self.samples.push((sample, duration_s));
    }

    /// Records every buffered sample; needed before any histogram is read.
    pub fn flush(&mut self) {
        let samples = std::mem::take(&mut self.samples);
        for &(sample, duration_s) in &samples {
            self.record_now(sample, duration_s);
        }
        self.samples = samples;
        self.samples.clear();
    }

    #[inline(always)]
    fn record_now(&mut self, sample: Sample, duration_s: f64) {
        match sample {
            Sample::Wait(s) => self.hot.wait[s as usize].record_s(duration_s),
            Sample::Response { service, counted } => {
                self.hot.response[service as usize].record_s(duration_s, counted);
            }
            Sample::Latency { entry, counted } => {
                self.hot.latency[entry as usize].record_s(duration_s, counted);
            }
        }
    }

    /// Moves the services' counted zero waits into the wait histograms;
    /// needed before they are read.
    pub fn fold_zero_waits(&mut self, services: &mut [ServiceState]) {
        for (state, wait) in services.iter_mut().zip(&mut self.hot.wait) {
            wait.record_zeros(std::mem::take(&mut state.zero_waits));
        }
    }

    /// Statistics of entry `entry`, to count into.
    #[inline(always)]
    pub fn entry_mut(&mut self, entry: usize) -> &mut EntryStats {
        &mut self.entries[entry]
    }

    /// Call counts of edge `edge` (touched by every call), to count into.
    #[inline(always)]
    pub fn edge_counts_mut(&mut self, edge: usize) -> &mut EdgeCounts {
        &mut self.edge_counts[edge]
    }

    /// Failures and retries of edge `edge`, to count into.
    #[inline]
    pub fn edge_mut(&mut self, edge: usize) -> &mut EdgeStats {
        &mut self.edges[edge]
    }

    pub fn push_scaling_event(&mut self, event: ScalingEvent) {
        self.scaling_events.push(event);
    }

    /// Closes the bucket ending at `end_s` (which started at `start_s`),
    /// with `in_flight` visits in progress: one row per service and edge
    /// (see [`ServiceRow`]), one value per entry series.
    #[allow(clippy::too_many_arguments)]
    pub fn close_bucket(
        &mut self,
        (start_s, end_s): (f64, f64),
        in_flight: u64,
        plan: &Plan,
        services: &mut [ServiceState],
        control: &[ServiceControl],
        breakers: &mut [Breaker],
    ) {
        self.flush();
        let len_s = end_s - start_s;
        self.t_s.push(start_s);
        self.in_flight.push(in_flight);
        for (i, state) in services.iter_mut().enumerate() {
            state.integrate(end_s);
            let areas = state.areas;
            let d = areas.minus(state.areas_at_bucket);
            state.areas_at_bucket = areas;
            let workers = f64::from(plan.services[i].workers);
            let bucket = BucketCounts {
                arrivals: state.arrivals_total - state.arrivals_at_bucket,
                completed: state.completed_total - state.completed_at_bucket,
                errors: std::mem::take(&mut state.stats.bucket_errors),
            };
            state.arrivals_at_bucket = state.arrivals_total;
            state.completed_at_bucket = state.completed_total;
            let response = &mut self.hot.response[i];
            let [p99_ms] = response.bucket_quantiles_ms([0.99]);
            response.close_bucket();
            self.service_rows.push(ServiceRow {
                arrivals: bucket.arrivals,
                completed: bucket.completed,
                errors: bucket.errors,
                replicas_desired: u64::from(control[i].target()),
                utilization: ratio(d.busy, d.replicas * workers),
                replicas: ratio(d.replicas, len_s),
                queue_length: ratio(d.queued, len_s),
                p99_ms,
            });
            state.stats.cold.last_bucket = bucket;
        }
        for (stats, bucket) in self.entries.iter_mut().zip(&mut self.hot.latency) {
            let s = &mut stats.series;
            s.throughput_rps
                .push(ratio(stats.bucket.completed as f64, len_s));
            let errors = stats.bucket.errors;
            s.errors.push(errors.total());
            s.errors_timeout.push(errors.timeout);
            s.errors_rejected.push(errors.rejected);
            s.errors_error.push(errors.error);
            s.errors_circuit_open.push(errors.circuit_open);
            let [p50, p95, p99] = bucket.bucket_quantiles_ms([0.5, 0.95, 0.99]);
            bucket.close_bucket();
            s.p50_ms.push(p50);
            s.p99_ms.push(p99);
            s.p95_ms.push(p95);
            s.offered.push(stats.bucket.arrivals);
            stats.bucket = BucketCounts::default();
        }
        for (stats, counts) in self.edges.iter_mut().zip(&mut self.edge_counts) {
            self.edge_rows.push(EdgeRow {
                calls: counts.bucket_calls,
                errors: stats.bucket_errors.total(),
                breaker_open: 0.0,
                retries: std::mem::take(&mut stats.bucket_retries),
                breaker_opened: 0,
            });
            stats.last_bucket_calls = counts.bucket_calls;
            stats.last_bucket_errors = std::mem::take(&mut stats.bucket_errors);
            counts.bucket_calls = 0;
        }
        // The rows of this bucket's edges.
        let first_row = self.edge_rows.len() - self.edges.len();
        for breaker in breakers {
            let (open_s, opened) = breaker.close_bucket(end_s);
            let row = &mut self.edge_rows[first_row + breaker.edge() as usize];
            row.breaker_open = ratio(open_s, len_s);
            row.breaker_opened = opened;
        }
        if self.staged_buckets() >= STAGED_BUCKETS {
            self.unstage_rows();
        }
    }

    /// Closed buckets whose rows are not in the series yet.
    fn staged_buckets(&self) -> usize {
        self.service_rows.len() / self.service_series.len().max(1)
    }

    /// Moves the staged rows into the series.
    fn unstage_rows(&mut self) {
        let first = self.t_s.len() - self.staged_buckets();
        let services = self.service_series.len();
        extend_services(
            self.service_series.iter_mut(),
            &self.service_rows,
            first,
            services,
        );
        extend_edges(
            self.edge_series.iter_mut(),
            &self.edge_rows,
            first,
            self.edges.len(),
        );
        self.service_rows.clear();
        self.edge_rows.clear();
    }

    /// Buckets closed so far.
    pub fn buckets_closed(&self) -> usize {
        self.t_s.len()
    }

    /// The utilization of service `i` in the last closed bucket.
    pub fn last_utilization(&self, i: usize) -> f64 {
        let staged = self.staged_buckets();
        if staged > 0 {
            self.service_rows[(staged - 1) * self.service_series.len() + i].utilization
        } else {
            self.service_series[i]
                .utilization
                .last()
                .copied()
                .unwrap_or(0.0)
        }
    }

    pub fn entries(&self) -> &[EntryStats] {
        &self.entries
    }

    pub fn edges(&self) -> &[EdgeStats] {
        &self.edges
    }

    pub fn edge_counts(&self) -> &[EdgeCounts] {
        &self.edge_counts
    }

    /// Waits of service `i`'s counted visits (flushed: see [`Self::flush`]).
    pub fn wait(&self, i: usize) -> &LatencyHistogram {
        &self.hot.wait[i]
    }

    /// Response times of service `i` (flushed: see [`Self::flush`]).
    pub fn response(&self, i: usize) -> &BucketedHistogram {
        &self.hot.response[i]
    }

    /// Latencies of entry `e`'s successful requests (flushed: see [`Self::flush`]).
    pub fn latency(&self, e: usize) -> &BucketedHistogram {
        &self.hot.latency[e]
    }

    pub fn scaling_events(&self) -> &[ScalingEvent] {
        &self.scaling_events
    }

    /// Appends the buckets closed since `ts` was last brought up to date
    /// (`ts` has every key, in the plan's order).
    pub fn extend_series(&self, ts: &mut TimeSeries) {
        extend(&mut ts.t_s, &self.t_s);
        extend(&mut ts.in_flight, &self.in_flight);
        // The series of the unstaged buckets, then the staged rows.
        for ((_, to), from) in ts.services.iter_mut().zip(&self.service_series) {
            extend_service(to, from);
        }
        for ((_, to), stats) in ts.entrypoints.iter_mut().zip(&self.entries) {
            extend_entry(to, &stats.series);
        }
        for (to, from) in ts.edges.iter_mut().zip(&self.edge_series) {
            extend_edge(to, from);
        }
        let first = self.t_s.len() - self.staged_buckets();
        extend_services(
            ts.services.values_mut(),
            &self.service_rows,
            first,
            self.service_series.len(),
        );
        extend_edges(
            ts.edges.iter_mut(),
            &self.edge_rows,
            first,
            self.edges.len(),
        );
    }

    /// Moves the time series out (for the end of a run), named after the
    /// plan's services, entries and edges.
    pub fn take_series(&mut self, plan: &Plan, bucket_s: f64) -> TimeSeries {
        self.unstage_rows();
        TimeSeries {
            bucket_s,
            t_s: std::mem::take(&mut self.t_s),
            in_flight: std::mem::take(&mut self.in_flight),
            services: plan
                .services
                .iter()
                .zip(&mut self.service_series)
                .map(|(plan, series)| (plan.name.clone(), std::mem::take(series)))
                .collect(),
            entrypoints: plan
                .entries
                .iter()
                .zip(&mut self.entries)
                .map(|(plan, stats)| (plan.name.clone(), std::mem::take(&mut stats.series)))
                .collect(),
            edges: plan
                .edges
                .iter()
                .zip(&mut self.edge_series)
                .map(|(edge, series)| EdgeSeries {
                    from: plan.services[edge.from as usize].name.clone(),
                    to: plan.services[edge.to as usize].name.clone(),
                    ..std::mem::take(series)
                })
                .collect(),
        }
    }
}
