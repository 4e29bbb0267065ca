//! The charts of one run: throughput, latency p99 and p50 (with the SLO
//! target), failures, utilization of the busiest services, live replicas
//! when they change, and queues when they form — each with the warm-up,
//! the fault windows and the windows of the run's findings shaded and
//! scheduled changes marked. Charts that would be
//! empty are replaced by a sentence.

use crate::metrics::Summary;
use crate::model::{LoadKind, Topology};

use super::Run;
use super::chart::{Band, BandKind, Chart, Marker, PALETTE, RED, Series};
use super::document::{Figure, Line, text};
use super::format::trim;
use super::words::fault_label;

/// Lines per chart at most; the rest is summarised in a note.
pub const MAX_SERIES: usize = 8;
/// Services in the utilization chart.
pub const TOP_SERVICES: usize = 6;

/// The charts of `run`, with file stems starting with `stem`, and
/// sentences for charts left out because they would be empty.
pub fn figures(topology: &Topology, run: &Run, stem: &str) -> (Vec<Figure>, Vec<Line>) {
    let summary = &run.summary;
    let base = base_chart(run);
    let mut figures = Vec::new();
    let mut notes = Vec::new();
    let mut push = |key: &str, chart: Chart| {
        figures.push(Figure {
            file_stem: format!("{stem}-{key}"),
            chart,
        });
    };
    let entries = top_entries(summary);
    let entry_note = if summary.entrypoints.len() > entries.len() {
        format!(
            "The {} busiest of {} entries.",
            entries.len(),
            summary.entrypoints.len()
        )
    } else {
        String::new()
    };

    // Requests per second over all entries: offered, answered, failed.
    let bucket_s = summary.timeseries.bucket_s.max(1e-9);
    let buckets = summary.timeseries.t_s.len();
    let per_second =
        |pick: &dyn Fn(&crate::metrics::EntrySeries, usize) -> f64| -> Vec<Option<f64>> {
            (0..buckets)
                .map(|b| {
                    Some(
                        summary
                            .timeseries
                            .entrypoints
                            .values()
                            .map(|e| pick(e, b))
                            .sum::<f64>(),
                    )
                })
                .collect()
        };
    let mut series = vec![Series {
        name: "successful".to_owned(),
        values: per_second(&|e, b| e.throughput_rps.get(b).copied().unwrap_or(0.0)),
        color: PALETTE[0].to_owned(),
        dashed: false,
    }];
    let failed = per_second(&|e, b| e.errors.get(b).copied().unwrap_or(0) as f64 / bucket_s);
    if failed.iter().flatten().any(|v| *v > 0.0) {
        series.push(Series {
            name: "failed".to_owned(),
            values: failed,
            color: RED.to_owned(),
            dashed: false,
        });
    }
    // Last, so that it shows on top of the answered requests it matches.
    series.push(Series {
        name: "offered".to_owned(),
        values: per_second(&|e, b| e.offered.get(b).copied().unwrap_or(0) as f64 / bucket_s),
        color: "#1c2028".to_owned(),
        dashed: true,
    });
    push(
        "throughput",
        Chart {
            title: "Requests per second, all entries".to_owned(),
            unit: "rps".to_owned(),
            series,
            ..base.clone()
        },
    );

    // Latency; no point where a bucket answered nothing.
    let slo = topology.slo.clone().unwrap_or_default();
    for (key, title, target, pick) in [
        (
            "latency-p99",
            "p99 latency of successful requests (ms)",
            slo.latency_p99_ms,
            LatencyPick::P99,
        ),
        (
            "latency-p50",
            "p50 latency of successful requests (ms)",
            slo.latency_p50_ms,
            LatencyPick::P50,
        ),
    ] {
        let mut series: Vec<Series> = entries
            .iter()
            .map(|&(i, name)| {
                let e = &summary.timeseries.entrypoints[i];
                let values = match pick {
                    LatencyPick::P99 => &e.p99_ms,
                    LatencyPick::P50 => &e.p50_ms,
                };
                Series {
                    name: name.to_owned(),
                    values: values
                        .iter()
                        .zip(&e.throughput_rps)
                        .map(|(v, ok)| (*ok > 0.0).then_some(*v))
                        .collect(),
                    color: entry_color(i),
                    dashed: false,
                }
            })
            .collect();
        let mut chart = Chart {
            title: title.to_owned(),
            unit: "ms".to_owned(),
            note: entry_note.clone(),
            ..base.clone()
        };
        if let Some(target) = target {
            series.push(Series {
                name: format!("SLO target {} ms", trim(target)),
                values: vec![Some(target); summary.timeseries.t_s.len()],
                color: "#b42323".to_owned(),
                dashed: true,
            });
        }
        chart.series = series;
        if chart.has_data() {
            push(key, chart);
        }
    }

    // Failures per second by entry.
    let failures: Vec<Series> = entries
        .iter()
        .map(|&(i, name)| Series {
            name: name.to_owned(),
            values: summary.timeseries.entrypoints[i]
                .errors
                .iter()
                .map(|v| Some(*v as f64 / bucket_s))
                .collect(),
            color: entry_color(i),
            dashed: false,
        })
        .collect();
    let failures = Chart {
        title: "Failed requests per second by entry".to_owned(),
        unit: "rps".to_owned(),
        series: failures,
        note: entry_note,
        ..base.clone()
    };
    if failures.has_data() {
        push("failures", failures);
    } else {
        notes.push(vec![text(
            "No request failed at any time, so there is no failure chart.",
        )]);
    }

    // Utilization of the busiest services (by their busiest bucket).
    let busiest = top_services(summary, |s| {
        s.utilization.iter().copied().fold(0.0, f64::max)
    });
    let utilization = Chart {
        title: "Utilization of the busiest services".to_owned(),
        unit: "%".to_owned(),
        series: service_series(summary, &busiest, |s| &s.utilization),
        percent: true,
        y_min_top: 1.0,
        note: services_note(summary, busiest.len(), "busiest"),
        ..base.clone()
    };
    if utilization.has_data() {
        push("utilization", utilization);
    }

    // Live replicas of the services whose count changes.
    let changing: Vec<usize> = summary
        .timeseries
        .services
        .values()
        .enumerate()
        .filter(|(_, s)| {
            let first = s.replicas.first().copied().unwrap_or(0.0);
            s.replicas.iter().any(|r| (r - first).abs() > 1e-6)
        })
        .map(|(i, _)| i)
        .take(MAX_SERIES)
        .collect();
    if !changing.is_empty() {
        push(
            "replicas",
            Chart {
                title: "Live replicas of the services whose count changes".to_owned(),
                unit: "replicas".to_owned(),
                series: service_series(summary, &changing, |s| &s.replicas),
                ..base.clone()
            },
        );
    }

    // Queues, when they form.
    let queued = top_services(summary, |s| {
        s.queue_length.iter().copied().fold(0.0, f64::max)
    });
    let queued: Vec<usize> = queued
        .into_iter()
        .filter(|&i| {
            summary
                .timeseries
                .services
                .get_index(i)
                .is_some_and(|(_, s)| s.queue_length.iter().any(|q| *q >= 0.5))
        })
        .collect();
    if !queued.is_empty() {
        push(
            "queues",
            Chart {
                title: "Requests waiting in queues (time-average per bucket)".to_owned(),
                unit: "requests".to_owned(),
                series: service_series(summary, &queued, |s| &s.queue_length),
                note: services_note(summary, queued.len(), "longest-queued"),
                ..base
            },
        );
    }
    (figures, notes)
}

#[derive(Clone, Copy)]
enum LatencyPick {
    P99,
    P50,
}

/// A chart with the run's axis, windows and markers, and no series yet.
fn base_chart(run: &Run) -> Chart {
    let summary = &run.summary;
    let end_s = summary.duration_s;
    let mut bands = Vec::new();
    if summary.warmup_s > 0.0 {
        bands.push(Band {
            start_s: 0.0,
            end_s: summary.warmup_s,
            label: "warm-up".to_owned(),
            kind: BandKind::Warmup,
        });
    }
    for fault in &run.scenario.faults {
        let start = fault.at_s();
        bands.push(Band {
            start_s: start,
            end_s: fault.duration_s().map_or(end_s, |d| start + d),
            label: fault_label(fault),
            kind: BandKind::Fault,
        });
    }
    // The run's findings (a metastable failure, an overload…), amber as in
    // the app, named by their kind; the findings list says the rest.
    for window in crate::metrics::finding_windows(&summary.findings, summary.simulated_s) {
        bands.push(Band {
            start_s: window.start_s,
            end_s: window.end_s,
            label: window.label(),
            kind: BandKind::Finding,
        });
    }
    let mut markers: Vec<Marker> = run
        .scenario
        .scaling
        .iter()
        .map(|step| Marker {
            at_s: step.at_s,
            label: format!("{} → {}", step.service, step.replicas),
        })
        .collect();
    for change in &run.scenario.load {
        let m = trim(change.multiplier.unwrap_or(1.0));
        let label = match change.effective_kind() {
            LoadKind::Step => format!("load {m}×"),
            LoadKind::Ramp => format!("load ramps to {m}×"),
            LoadKind::Spike => format!("spike {m}×"),
            LoadKind::Diurnal => "daily cycle".to_owned(),
        };
        markers.push(Marker {
            at_s: change.at_s,
            label,
        });
    }
    Chart {
        title: String::new(),
        unit: String::new(),
        t_s: summary.timeseries.t_s.clone(),
        bucket_s: summary.timeseries.bucket_s,
        end_s,
        series: Vec::new(),
        bands,
        markers,
        percent: false,
        y_min_top: 0.0,
        note: String::new(),
    }
}

/// The colour of entry `i` (the same in every chart).
fn entry_color(i: usize) -> String {
    PALETTE[i % PALETTE.len()].to_owned()
}

/// The entries drawn: all, or the [`MAX_SERIES`] with the most traffic, in
/// file order: (index in the time series, name).
fn top_entries(summary: &Summary) -> Vec<(usize, &str)> {
    let series = &summary.timeseries.entrypoints;
    let mut order: Vec<usize> = (0..series.len()).collect();
    let offered = |i: usize| -> u64 {
        series
            .get_index(i)
            .map_or(0, |(_, e)| e.offered.iter().sum())
    };
    order.sort_by_key(|&i| std::cmp::Reverse(offered(i)));
    order.truncate(MAX_SERIES);
    order.sort_unstable();
    order
        .into_iter()
        .filter_map(|i| series.get_index(i).map(|(name, _)| (i, name.as_str())))
        .collect()
}

/// The [`TOP_SERVICES`] services with the highest `score`, in file order.
fn top_services(
    summary: &Summary,
    score: impl Fn(&crate::metrics::ServiceSeries) -> f64,
) -> Vec<usize> {
    let series = &summary.timeseries.services;
    let mut order: Vec<(usize, f64)> = series
        .values()
        .enumerate()
        .map(|(i, s)| (i, score(s)))
        .filter(|(_, v)| *v > 0.0)
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    order.truncate(TOP_SERVICES);
    let mut picked: Vec<usize> = order.into_iter().map(|(i, _)| i).collect();
    picked.sort_unstable();
    picked
}

fn service_series(
    summary: &Summary,
    picked: &[usize],
    values: impl Fn(&crate::metrics::ServiceSeries) -> &Vec<f64>,
) -> Vec<Series> {
    picked
        .iter()
        .enumerate()
        .filter_map(|(k, &i)| {
            let (name, s) = summary.timeseries.services.get_index(i)?;
            Some(Series {
                name: name.clone(),
                values: values(s).iter().map(|v| Some(*v)).collect(),
                color: PALETTE[k % PALETTE.len()].to_owned(),
                dashed: false,
            })
        })
        .collect()
}

fn services_note(summary: &Summary, shown: usize, what: &str) -> String {
    let total = summary.timeseries.services.len();
    if total > shown {
        format!("The {shown} {what} of {total} services.")
    } else {
        String::new()
    }
}
