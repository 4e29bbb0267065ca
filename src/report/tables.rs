//! The report's tables: scenarios at a glance, entries and services of a
//! run, and the comparison of several runs with deltas. Every number cell
//! keeps its exact value and every numeric column names its summary field
//! (`Header::key`), so a reader (or a test) can map the table back to the
//! JSON summary.

use std::collections::BTreeMap;

use crate::metrics::{EntrySummary, ServiceSummary, Summary};
use crate::model::Topology;

use super::Run;
use super::document::{Cell, Header, Table, Tone};
use super::format;
use super::verdicts::{self, busiest, utilization_tone};

/// Rows of a run's entries or services table; longer tables show the
/// busiest rows, with the full table folded away.
pub const MAX_SERVICE_ROWS: usize = 30;

fn keyed(text: &str, key: &'static str) -> Header {
    Header::keyed(text, key)
}

/// Scenarios at a glance: SLO, throughput, success, worst p99, busiest service.
pub fn overview(topology: &Topology, runs: &[Run]) -> Table {
    let slo = topology.slo.clone().unwrap_or_default();
    let with_slo = verdicts::has_targets(&slo);
    let with_cost = runs.iter().any(|r| r.summary.cost.is_some());
    let mut headers = vec![Header::new("Scenario", false)];
    if with_slo {
        headers.push(Header::new("SLO", false));
    }
    if with_cost {
        headers.push(Header::new("Cost", true));
    }
    headers.extend([
        Header::new("Throughput (rps)", true),
        Header::new("Success", true),
        Header::new("Worst p99 (ms)", true),
        Header::new("Worst p99 entry", false),
        Header::new("Busiest service", false),
        Header::new("Utilization", true),
    ]);
    let rows = runs
        .iter()
        .map(|run| {
            let s = &run.summary;
            let mut row = vec![Cell::name(s.scenario.clone())];
            if with_slo {
                let missed = verdicts::misses(&slo, s).len();
                row.push(if missed == 0 {
                    Cell::text("met").tone(Tone::Good)
                } else {
                    Cell::text(format!("missed ({missed})")).tone(Tone::Bad)
                });
            }
            if with_cost {
                row.push(super::cost::overview_cell(s));
            }
            let throughput: f64 = s.entrypoints.iter().map(|e| e.throughput_rps).sum();
            row.push(Cell::number(format::number(throughput), throughput));
            let (ok, failed) = s.entrypoints.iter().fold((0u64, 0u64), |acc, e| {
                (acc.0 + e.completed, acc.1 + e.failed)
            });
            let success = if ok + failed == 0 {
                1.0
            } else {
                ok as f64 / (ok + failed) as f64
            };
            let mut success_cell = Cell::number(format::availability(success), success);
            if let Some(target) = slo.availability {
                success_cell = success_cell.tone(if success >= target {
                    Tone::Good
                } else {
                    Tone::Bad
                });
            }
            row.push(success_cell);
            match s
                .entrypoints
                .iter()
                .filter(|e| e.completed > 0)
                .reduce(|a, b| {
                    if b.latency_ms.p99 > a.latency_ms.p99 {
                        b
                    } else {
                        a
                    }
                }) {
                Some(worst) => {
                    let mut cell =
                        Cell::number(format::ms(worst.latency_ms.p99), worst.latency_ms.p99);
                    if let Some(target) = slo.latency_p99_ms {
                        cell = cell.tone(if worst.latency_ms.p99 <= target {
                            Tone::Good
                        } else {
                            Tone::Bad
                        });
                    }
                    row.push(cell);
                    row.push(Cell::name(worst.name.clone()));
                }
                None => {
                    row.push(Cell::text("–").tone(Tone::Muted));
                    row.push(Cell::text("–").tone(Tone::Muted));
                }
            }
            match busiest(s) {
                Some(b) => {
                    row.push(Cell::name(b.name.clone()));
                    row.push(
                        Cell::number(format::percent(b.utilization, 1), b.utilization)
                            .tone(utilization_tone(b.utilization)),
                    );
                }
                None => {
                    row.push(Cell::text("–").tone(Tone::Muted));
                    row.push(Cell::text("–").tone(Tone::Muted));
                }
            }
            row
        })
        .collect();
    Table {
        kind: "overview",
        caption: "Scenarios at a glance".to_owned(),
        headers,
        rows,
        note: None,
        full: None,
    }
}

/// The entries of a run: requests, success and latency.
pub fn entries(summary: &Summary) -> Table {
    let headers = vec![
        Header::new("Entry", false),
        keyed("Offered", "offered"),
        keyed("OK", "completed"),
        keyed("Failed", "failed"),
        keyed("In flight", "in_flight"),
        keyed("OK/s", "throughput_rps"),
        keyed("Success", "success_ratio"),
        keyed("Mean", "latency_ms.mean"),
        keyed("p50", "latency_ms.p50"),
        keyed("p90", "latency_ms.p90"),
        keyed("p95", "latency_ms.p95"),
        keyed("p99", "latency_ms.p99"),
        keyed("p99.9", "latency_ms.p999"),
        keyed("Max", "latency_ms.max"),
        Header::new("Failures by cause", false),
    ];
    let rows: Vec<Vec<Cell>> = summary.entrypoints.iter().map(entry_row).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(summary.entrypoints[i].offered));
    shortened(
        Table {
            kind: "entries",
            caption: "Entries: requests and end-to-end latency (ms)".to_owned(),
            headers,
            rows,
            note: None,
            full: None,
        },
        &order,
        "busiest",
        "entries",
        "csv-entrypoints",
    )
}

/// `table` itself when it is short; otherwise its first
/// [`MAX_SERVICE_ROWS`] rows in `order` (kind `<kind>-top`), with the whole
/// table as `full`.
fn shortened(table: Table, order: &[usize], adjective: &str, what: &str, csv: &str) -> Table {
    if table.rows.len() <= MAX_SERVICE_ROWS {
        return table;
    }
    let rows = order
        .iter()
        .take(MAX_SERVICE_ROWS)
        .filter_map(|&i| table.rows.get(i).cloned())
        .collect();
    let total = table.rows.len();
    Table {
        kind: if table.kind == "entries" {
            "entries-top"
        } else {
            "services-top"
        },
        caption: format!("The {MAX_SERVICE_ROWS} {adjective} of {total} {what}"),
        headers: table.headers.clone(),
        rows,
        note: Some(format!(
            "All {total} {what} are in the CSV export (archsim export --format {csv})."
        )),
        full: Some(Box::new(table)),
    }
}

fn entry_row(e: &EntrySummary) -> Vec<Cell> {
    let l = &e.latency_ms;
    let mut name = Cell::name(e.name.clone());
    if !e.to.is_empty() {
        name = name.with_sub(format!("{} · {}", e.to, e.operation));
    }
    let ms = |v: f64| Cell::number(format::ms(v), v);
    vec![
        name,
        Cell::count(e.offered),
        Cell::count(e.completed),
        Cell::count(e.failed).tone(if e.failed > 0 { Tone::Bad } else { Tone::Plain }),
        Cell::count(e.in_flight),
        Cell::number(format::number(e.throughput_rps), e.throughput_rps),
        Cell::number(format::availability(e.success_ratio), e.success_ratio),
        ms(l.mean),
        ms(l.p50),
        ms(l.p90),
        ms(l.p95),
        ms(l.p99),
        ms(l.p999),
        ms(l.max),
        Cell::text(verdicts::cause_list(&e.errors)),
    ]
}

fn service_headers() -> Vec<Header> {
    vec![
        Header::new("Service", false),
        Header::new("Kind", false),
        keyed("Replicas", "replicas_mean").titled("time-average live replicas"),
        keyed("In/s", "arrivals_rps").titled("arrivals per second"),
        keyed("OK/s", "throughput_rps").titled("successful responses per second"),
        keyed("Utilization", "utilization"),
        keyed("Wait", "wait_ms.mean").titled("mean wait in the queue, ms"),
        keyed("Wait p99", "wait_ms.p99").titled("p99 wait in the queue, ms"),
        keyed("Resp", "response_ms.mean").titled("mean response time, ms"),
        keyed("Resp p50", "response_ms.p50"),
        keyed("Resp p95", "response_ms.p95"),
        keyed("Resp p99", "response_ms.p99"),
        keyed("Queue", "queue_length_mean").titled("time-average requests waiting"),
        keyed("Queue max", "queue_length_max"),
        keyed("Failed", "failed").titled("error responses (all causes)"),
    ]
}

/// One row of the services table; `kinds` maps service names to kinds.
fn service_row(kinds: &BTreeMap<&str, &'static str>, s: &ServiceSummary) -> Vec<Cell> {
    let kind = kinds.get(s.name.as_str()).copied().unwrap_or("");
    let ms = |v: f64| Cell::number(format::ms(v), v);
    let failed = s.errors.total();
    vec![
        Cell::name(s.name.clone()),
        Cell::text(kind),
        Cell::number(format::number(s.replicas_mean), s.replicas_mean),
        Cell::number(format::number(s.arrivals_rps), s.arrivals_rps),
        Cell::number(format::number(s.throughput_rps), s.throughput_rps),
        Cell::number(format::percent(s.utilization, 1), s.utilization)
            .tone(utilization_tone(s.utilization)),
        ms(s.wait_ms.mean),
        ms(s.wait_ms.p99),
        ms(s.response_ms.mean),
        ms(s.response_ms.p50),
        ms(s.response_ms.p95),
        ms(s.response_ms.p99),
        Cell::number(format::number(s.queue_length_mean), s.queue_length_mean),
        Cell::count(s.queue_length_max),
        Cell {
            value: Some(failed.to_string()),
            ..Cell::count(failed)
        }
        .tone(if failed > 0 { Tone::Bad } else { Tone::Plain })
        .titled(verdicts::cause_list(&s.errors)),
    ]
}

/// The services of a run: load, utilization, waiting, response, failures.
/// Above [`MAX_SERVICE_ROWS`] services, the busiest ones, with the full
/// table in `full`.
pub fn services(topology: &Topology, summary: &Summary) -> Table {
    // Kinds by name, looked up per row (a scan per row is quadratic).
    let kinds: BTreeMap<&str, &'static str> = topology
        .services
        .iter()
        .map(|t| (t.name.as_str(), t.kind.as_str()))
        .collect();
    let rows: Vec<Vec<Cell>> = summary
        .services
        .iter()
        .map(|s| service_row(&kinds, s))
        .collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        summary.services[b]
            .utilization
            .total_cmp(&summary.services[a].utilization)
    });
    shortened(
        Table {
            kind: "services",
            caption: "Services: load, utilization and times (ms)".to_owned(),
            headers: service_headers(),
            rows,
            note: None,
            full: None,
        },
        &order,
        "busiest",
        "services",
        "csv-services",
    )
}

/// Relative changes smaller than this are not coloured.
const NOTABLE_CHANGE: f64 = 0.05;

/// How a metric's change from the baseline reads.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// A difference in `unit` with the relative change; `higher_is_worse`
    /// decides the colour.
    Relative {
        unit: &'static str,
        higher_is_worse: bool,
    },
    /// A success ratio: the difference in percentage points, coloured by the
    /// relative change of the failure ratio.
    Success,
}

/// A value with its change from the baseline as a second line.
fn delta_cell(base: Option<f64>, value: f64, shown: String, change: Change) -> Cell {
    let Some(base) = base else {
        return Cell::number(shown, value);
    };
    let relative = |before: f64, after: f64| {
        let d = after - before;
        if before.abs() > 1e-12 {
            d / before.abs()
        } else if d.abs() > 1e-12 {
            f64::INFINITY.copysign(d)
        } else {
            0.0
        }
    };
    let (sub, worse) = match change {
        Change::Relative {
            unit,
            higher_is_worse,
        } => {
            let r = relative(base, value);
            let worse = (r.abs() >= NOTABLE_CHANGE).then_some((r > 0.0) == higher_is_worse);
            (format::delta(base, value, unit), worse)
        }
        Change::Success => {
            let points = (value - base) * 100.0;
            let shown_points = format::fixed(points.abs(), 3);
            let sub = if shown_points == "0.000" {
                "±0".to_owned()
            } else {
                format!("{}{shown_points} pts", if points > 0.0 { "+" } else { "−" })
            };
            let r = relative(1.0 - base, 1.0 - value);
            let worse =
                (r.abs() >= NOTABLE_CHANGE && (value - base).abs() >= 1e-5).then_some(r > 0.0);
            (sub, worse)
        }
    };
    let tone = match worse {
        None => Tone::Plain,
        Some(true) => Tone::Bad,
        Some(false) => Tone::Good,
    };
    Cell::number(shown, value).with_sub(sub).tone(tone)
}

/// Comparison tables: per entry p99, success and throughput, and the
/// busiest services' utilization, in each run against the first.
pub fn comparison(topology: &Topology, runs: &[Run]) -> Vec<Table> {
    let Some(baseline) = runs.first() else {
        return Vec::new();
    };
    let scenario_headers = |first: &str| {
        let mut headers = vec![Header::new(first, false)];
        headers.extend(runs.iter().map(|r| Header::new(&r.summary.scenario, true)));
        headers
    };
    // The entries with the most traffic in the first run, in file order.
    let first = &baseline.summary.entrypoints;
    let mut order: Vec<usize> = (0..first.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(first[i].offered));
    order.truncate(MAX_SERVICE_ROWS);
    order.sort_unstable();
    let entry_names: Vec<String> = order.iter().map(|&i| first[i].name.clone()).collect();
    let entry_note = (first.len() > entry_names.len()).then(|| {
        format!(
            "The {} entries with the most traffic of {}.",
            entry_names.len(),
            first.len()
        )
    });
    let entry_table = |kind: &'static str,
                       caption: &str,
                       metric: &dyn Fn(&EntrySummary) -> f64,
                       show: &dyn Fn(f64) -> String,
                       change: Change| {
        let rows = entry_names
            .iter()
            .map(|entry| {
                let mut row = vec![Cell::name(entry.clone())];
                let base = baseline.summary.entry(entry).map(metric);
                for (i, run) in runs.iter().enumerate() {
                    row.push(match run.summary.entry(entry) {
                        Some(e) => {
                            let v = metric(e);
                            if i == 0 {
                                Cell::number(show(v), v)
                            } else {
                                delta_cell(base, v, show(v), change)
                            }
                        }
                        None => Cell::text("–").tone(Tone::Muted),
                    });
                }
                row
            })
            .collect();
        Table {
            kind,
            caption: caption.to_owned(),
            headers: scenario_headers("Entry"),
            rows,
            note: entry_note.clone(),
            full: None,
        }
    };
    let mut tables = vec![
        entry_table(
            "compare-p99",
            "p99 latency by entry (ms)",
            &|e| e.latency_ms.p99,
            &format::ms,
            Change::Relative {
                unit: " ms",
                higher_is_worse: true,
            },
        ),
        entry_table(
            "compare-p50",
            "p50 latency by entry (ms)",
            &|e| e.latency_ms.p50,
            &format::ms,
            Change::Relative {
                unit: " ms",
                higher_is_worse: true,
            },
        ),
        entry_table(
            "compare-success",
            "Success by entry",
            &|e| e.success_ratio,
            &format::availability,
            Change::Success,
        ),
        entry_table(
            "compare-throughput",
            "Throughput by entry (successful requests per second)",
            &|e| e.throughput_rps,
            &format::number,
            Change::Relative {
                unit: "",
                higher_is_worse: false,
            },
        ),
    ];
    // The services that are among the five busiest of any run.
    let mut busiest_names: Vec<String> = Vec::new();
    for run in runs {
        let mut services: Vec<&ServiceSummary> = run.summary.services.iter().collect();
        services.sort_by(|a, b| b.utilization.total_cmp(&a.utilization));
        for s in services.iter().take(5) {
            if !busiest_names.contains(&s.name) {
                busiest_names.push(s.name.clone());
            }
        }
    }
    let order: Vec<&str> = topology.services.iter().map(|s| s.name.as_str()).collect();
    busiest_names.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(usize::MAX));
    let rows = busiest_names
        .iter()
        .map(|service| {
            let mut row = vec![Cell::name(service.clone())];
            let base = baseline.summary.service(service).map(|s| s.utilization);
            for (i, run) in runs.iter().enumerate() {
                row.push(match run.summary.service(service) {
                    Some(s) if i == 0 => {
                        Cell::number(format::percent(s.utilization, 1), s.utilization)
                            .tone(utilization_tone(s.utilization))
                    }
                    Some(s) => {
                        let mut cell =
                            Cell::number(format::percent(s.utilization, 1), s.utilization);
                        if let Some(b) = base {
                            let points = (s.utilization - b) * 100.0;
                            cell = cell.with_sub(if format::fixed(points.abs(), 1) == "0.0" {
                                "±0".to_owned()
                            } else {
                                format!(
                                    "{}{} pts",
                                    if points > 0.0 { "+" } else { "−" },
                                    format::fixed(points.abs(), 1)
                                )
                            });
                        }
                        cell.tone(utilization_tone(s.utilization))
                    }
                    None => Cell::text("–").tone(Tone::Muted),
                });
            }
            row
        })
        .collect();
    tables.push(Table {
        kind: "compare-utilization",
        caption: "Utilization of the busiest services".to_owned(),
        headers: scenario_headers("Service"),
        rows,
        note: None,
        full: None,
    });
    tables
}
