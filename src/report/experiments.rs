//! Experiments in a report: confidence intervals of replicated runs, the
//! results of a sweep and the answer of a capacity search, as tables and
//! interval charts. The CLI (`archsim report --replications N --sweep SPEC
//! --capacity max-load`) runs them with [`crate::experiment`] and hands the
//! results over in an [`Experiments`]; [`super::document::build_with`] puts
//! them in the document, and both writers lay them out.
//!
//! What the charts show (the honest choice, see `docs/reports.md`): the
//! charts over time show the bucket-by-bucket mean of the replications,
//! without a band (the replications' per-bucket spread is not kept); the
//! intervals are drawn where they were computed — on the summary values,
//! as error bars in the interval charts — and written as `± half-width`
//! in the tables.

use serde_json::Value;

use crate::experiment::capacity::{Answer, Capacity};
use crate::experiment::sweep::{PointResult, SweepInfo, value_text};
use crate::experiment::{Ci, Replicated};
use crate::metrics::Summary;
use crate::model::Slo;

use super::document::{Cell, Header, Line, Table, Tone, name, text};
use super::interval_chart::{IntervalChart, IntervalPoint, IntervalSeries};
use super::{Run, escape, format, verdicts};

/// The intervals of one replicated run (the [`Run`]'s summary is the mean).
#[derive(Debug, Clone, PartialEq)]
pub struct RunIntervals {
    pub replications: u64,
    pub confidence: f64,
    /// One per entry of the summary, in order.
    pub entry_ci: Vec<Ci>,
    /// One per service of the summary, in order.
    pub service_ci: Vec<Ci>,
}

impl RunIntervals {
    /// The intervals of `replicated` (its summary becomes the run's).
    pub fn of(replicated: &Replicated) -> RunIntervals {
        RunIntervals {
            replications: replicated.replications,
            confidence: replicated.confidence,
            entry_ci: replicated.entry_ci.clone(),
            service_ci: replicated.service_ci.clone(),
        }
    }
}

/// A sweep's results as the report shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepResults {
    pub info: SweepInfo,
    /// The points in order; their summaries need no time series.
    pub points: Vec<PointResult>,
}

/// What a report shows beyond single runs. The default is nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Experiments {
    /// One per run, in order, when the runs are means over replications.
    pub intervals: Vec<Option<RunIntervals>>,
    pub sweep: Option<SweepResults>,
    pub capacity: Option<Capacity>,
}

/// A section of the report after the scenarios (a sweep, a capacity search).
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentSection {
    /// Safe anchor id.
    pub anchor: String,
    pub title: String,
    pub lines: Vec<Line>,
    pub charts: Vec<IntervalFigure>,
    pub tables: Vec<Table>,
}

/// An interval chart with a file stem for the Markdown variant.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalFigure {
    pub file_stem: String,
    pub chart: IntervalChart,
}

/// `value ± half-width` of an interval, in the value's format.
pub fn plus_minus(ci: [f64; 2], shown: impl Fn(f64) -> String) -> String {
    format!("± {}", shown((ci[1] - ci[0]).abs() / 2.0))
}

/// The confidence as a percentage, `95%`.
fn level(confidence: f64) -> String {
    format!("{}%", format::trim(confidence * 100.0))
}

/// How a field's half-width is shown.
fn shown_for(field: &str) -> fn(f64) -> String {
    match field {
        "success_ratio" => |v| format::percent(v, 3),
        "utilization" => |v| format::percent(v, 1),
        f if f.contains("_ms") => format::ms,
        _ => format::number,
    }
}

/// Adds `± half-width` to the cells of `table` whose column names a field
/// with an interval: rows are looked up by the name in their first cell.
fn mark_rows(table: &mut Table, ci_of: &dyn Fn(&str, &str) -> Option<[f64; 2]>) {
    let keys: Vec<Option<&'static str>> = table.headers.iter().map(|h| h.key).collect();
    for row in &mut table.rows {
        let Some(row_name) = row.first().map(|c| c.text.clone()) else {
            continue;
        };
        for (cell, key) in row.iter_mut().zip(&keys) {
            let Some(key) = key else { continue };
            if let Some(ci) = ci_of(&row_name, key) {
                set_interval(cell, ci, shown_for(key));
            }
        }
    }
    if let Some(full) = &mut table.full {
        mark_rows(full, ci_of);
    }
}

fn set_interval(cell: &mut Cell, ci: [f64; 2], shown: fn(f64) -> String) {
    let pm = plus_minus(ci, shown);
    cell.sub = Some(match cell.sub.take() {
        Some(sub) => format!("{pm} · {sub}"),
        None => pm,
    });
    let range = format!("interval [{}, {}]", shown(ci[0]), shown(ci[1]));
    cell.title = Some(match cell.title.take() {
        Some(title) => format!("{title}; {range}"),
        None => range,
    });
}

fn entry_ci<'a>(summary: &Summary, cis: &'a RunIntervals, entry: &str) -> Option<&'a Ci> {
    let i = summary.entrypoints.iter().position(|e| e.name == entry)?;
    cis.entry_ci.get(i)
}

fn service_ci<'a>(summary: &Summary, cis: &'a RunIntervals, service: &str) -> Option<&'a Ci> {
    let i = summary.services.iter().position(|s| s.name == service)?;
    cis.service_ci.get(i)
}

/// Adds the intervals of `cis` to a run's entries and services tables.
pub fn mark_run_tables(tables: &mut [Table], summary: &Summary, cis: &RunIntervals) {
    for table in tables {
        let entries = table.kind.starts_with("entries");
        let lookup = |row: &str, key: &str| {
            let map = if entries {
                entry_ci(summary, cis, row)?
            } else {
                service_ci(summary, cis, row)?
            };
            map.get(key).copied()
        };
        mark_rows(table, &lookup);
    }
}

/// Adds intervals to the overview table (row i is run i): the worst p99
/// (the interval of that entry's p99) and the busiest service's utilization.
pub fn mark_overview(table: &mut Table, runs: &[Run], intervals: &[Option<RunIntervals>]) {
    let col = |text: &str| table.headers.iter().position(|h| h.text == text);
    let (p99, p99_entry) = (col("Worst p99 (ms)"), col("Worst p99 entry"));
    let (util, busiest) = (col("Utilization"), col("Busiest service"));
    for ((row, run), cis) in table.rows.iter_mut().zip(runs).zip(intervals) {
        let Some(cis) = cis else { continue };
        let s = &run.summary;
        let named =
            |row: &[Cell], i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| c.text.clone());
        if let (Some(i), Some(entry)) = (p99, named(row, p99_entry)) {
            let ci = entry_ci(s, cis, &entry).and_then(|c| c.get("latency_ms.p99"));
            if let (Some(cell), Some(ci)) = (row.get_mut(i), ci) {
                set_interval(cell, *ci, format::ms);
            }
        }
        if let (Some(i), Some(service)) = (util, named(row, busiest)) {
            let ci = service_ci(s, cis, &service).and_then(|c| c.get("utilization"));
            if let (Some(cell), Some(ci)) = (row.get_mut(i), ci) {
                set_interval(cell, *ci, shown_for("utilization"));
            }
        }
    }
}

/// Adds intervals to the SLO table: rows are (scenario, entry), columns
/// the targets in [`verdicts::target_list`] order after two name columns.
pub fn mark_slo(table: &mut Table, slo: &Slo, runs: &[Run], intervals: &[Option<RunIntervals>]) {
    let targets = verdicts::target_list(slo);
    for row in &mut table.rows {
        let (Some(scenario), Some(entry)) = (row.first(), row.get(1)) else {
            continue;
        };
        let (scenario, entry) = (scenario.text.clone(), entry.text.clone());
        let Some(k) = runs.iter().position(|r| r.summary.scenario == scenario) else {
            continue;
        };
        let Some(Some(cis)) = intervals.get(k) else {
            continue;
        };
        let Some(map) = entry_ci(&runs[k].summary, cis, &entry) else {
            continue;
        };
        for (t, cell) in targets.iter().zip(row.iter_mut().skip(2)) {
            let field = crate::experiment::slo::target_field(*t);
            if let (Some(ci), true) = (map.get(field), cell.value.is_some()) {
                set_interval(cell, *ci, shown_for(field));
            }
        }
    }
}

/// The interval chart of a replicated run: p50 and p99 latency of each
/// entry (the busiest 12), mean and interval, with the SLO's p99 target.
pub fn run_interval_figure(
    run: &Run,
    cis: &RunIntervals,
    slo: Option<&Slo>,
    stem: &str,
) -> Option<IntervalFigure> {
    let summary = &run.summary;
    let mut order: Vec<usize> = (0..summary.entrypoints.len())
        .filter(|&i| summary.entrypoints[i].completed > 0)
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(summary.entrypoints[i].offered));
    let shown = order.len().min(12);
    let order = &order[..shown];
    if order.is_empty() {
        return None;
    }
    let series = |field: &str, label: &str, color: usize| IntervalSeries {
        name: label.to_owned(),
        points: order
            .iter()
            .map(|&i| {
                let e = &summary.entrypoints[i];
                let value = if field == "latency_ms.p50" {
                    e.latency_ms.p50
                } else {
                    e.latency_ms.p99
                };
                Some(IntervalPoint {
                    value,
                    ci: cis.entry_ci.get(i).and_then(|c| c.get(field)).copied(),
                })
            })
            .collect(),
        color: IntervalChart::color(color),
    };
    let total = summary.entrypoints.len();
    Some(IntervalFigure {
        file_stem: format!("{stem}-intervals"),
        chart: IntervalChart {
            title: format!(
                "Latency per entry: mean of {} replications, {} interval",
                cis.replications,
                level(cis.confidence)
            ),
            unit: "ms".to_owned(),
            x_label: "entry".to_owned(),
            categories: order
                .iter()
                .map(|&i| summary.entrypoints[i].name.clone())
                .collect(),
            series: vec![
                series("latency_ms.p50", "p50", 0),
                series("latency_ms.p99", "p99", 1),
            ],
            target: slo
                .and_then(|s| s.latency_p99_ms)
                .map(|v| (v, format!("SLO p99 {} ms", format::trim(v)))),
            joined: false,
            note: if shown < total {
                format!("the {shown} busiest of {total} entries")
            } else {
                String::new()
            },
        },
    })
}

/// The sentence under a replicated run's charts.
pub fn run_interval_note(cis: &RunIntervals) -> Line {
    vec![text(format!(
        "Every figure is the mean of {} independent replications; ± is the half-width of the {} \
         Student-t interval of that mean. The charts over time show the bucket-by-bucket mean \
         (no band: the spread of single buckets is not kept); the intervals are the error bars \
         of the latency chart.",
        cis.replications,
        level(cis.confidence)
    ))]
}

/// Most charts of a sweep section (one per entry, the busiest first).
const MAX_SWEEP_CHARTS: usize = 6;

/// The sweep section: p99 latency (and throughput) against the first varied
/// value, one line per combination of the others, error bars with
/// replications, the SLO line; and a table of every point and entry.
pub fn sweep_section(sweep: &SweepResults) -> ExperimentSection {
    let info = &sweep.info;
    let first = info.vary.first();
    let x_name = first.map_or(String::new(), |v| v.name.clone());
    let x_values: Vec<Value> = first.map(|v| v.values.clone()).unwrap_or_default();
    let categories: Vec<String> = x_values.iter().map(value_text).collect();
    // Series: the combinations of the other varied values, in point order.
    let mut series_keys: Vec<String> = Vec::new();
    for p in &sweep.points {
        let key = rest_label(p);
        if !series_keys.contains(&key) {
            series_keys.push(key);
        }
    }
    let entries: Vec<String> = sweep.points.first().map_or(Vec::new(), |p| {
        let s = &p.result.summary;
        let mut order: Vec<usize> = (0..s.entrypoints.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(s.entrypoints[i].offered));
        order
            .into_iter()
            .map(|i| s.entrypoints[i].name.clone())
            .collect()
    });
    let slo_p99 = sweep
        .points
        .first()
        .and_then(|p| p.slo.as_ref())
        .and_then(|s| s.latency_p99_ms);
    let mut charts = Vec::new();
    for (k, entry) in entries.iter().take(MAX_SWEEP_CHARTS).enumerate() {
        let series = series_keys
            .iter()
            .enumerate()
            .map(|(c, key)| IntervalSeries {
                name: if key.is_empty() {
                    "p99".to_owned()
                } else {
                    key.clone()
                },
                points: x_values
                    .iter()
                    .map(|x| {
                        let p = sweep
                            .points
                            .iter()
                            .find(|p| p.vary.get(&x_name) == Some(x) && rest_label(p) == *key)?;
                        let i = p
                            .result
                            .summary
                            .entrypoints
                            .iter()
                            .position(|e| &e.name == entry)?;
                        let e = &p.result.summary.entrypoints[i];
                        (e.completed > 0).then(|| IntervalPoint {
                            value: e.latency_ms.p99,
                            ci: p
                                .result
                                .entry_ci
                                .get(i)
                                .and_then(|c| c.get("latency_ms.p99"))
                                .copied(),
                        })
                    })
                    .collect(),
                color: IntervalChart::color(c),
            })
            .collect();
        charts.push(IntervalFigure {
            file_stem: format!(
                "sweep-{:02}-{}",
                k + 1,
                escape::file_name(entry, &format!("entry-{}", k + 1))
            ),
            chart: IntervalChart {
                title: format!("p99 latency of {entry} against {x_name}"),
                unit: "ms".to_owned(),
                x_label: x_name.clone(),
                categories: categories.clone(),
                series,
                target: slo_p99.map(|v| (v, format!("SLO p99 {} ms", format::trim(v)))),
                joined: true,
                note: if info.replications > 1 {
                    format!(
                        "mean of {} replications per point; bars: {} interval",
                        info.replications,
                        level(info.confidence)
                    )
                } else {
                    "one run per point (no interval: use --replications)".to_owned()
                },
            },
        });
    }
    let mut lines: Vec<Line> = vec![vec![
        text(format!(
            "{} points of scenario ",
            format::count(info.points as u64)
        )),
        name(info.scenario.clone()),
        text(format!(
            " ({} s, warm-up {} s, seed {}), {} each, varying {}.",
            format::trim(info.duration_s),
            format::trim(info.warmup_s),
            info.seed,
            format::counted(info.replications, "replication", "replications"),
            info.vary
                .iter()
                .map(|v| v.spec.clone())
                .collect::<Vec<_>>()
                .join(" × ")
        )),
    ]];
    if entries.len() > MAX_SWEEP_CHARTS {
        lines.push(vec![text(format!(
            "Charts for the {MAX_SWEEP_CHARTS} busiest of {} entries; the table has them all.",
            entries.len()
        ))]);
    }
    lines.push(vec![text(
        "Replication r runs with the same seed at every point (common random numbers), so \
         differences between points are the model's. The same data: archsim export FILE \
         --sweep SPEC --out sweep.csv (or .json).",
    )]);
    ExperimentSection {
        anchor: "sweep".to_owned(),
        title: "Sweep".to_owned(),
        lines,
        charts,
        tables: vec![sweep_table(sweep)],
    }
}

/// The other varied values of a point than the first, as `name=value, …`.
fn rest_label(p: &PointResult) -> String {
    p.vary
        .iter()
        .skip(1)
        .map(|(k, v)| format!("{k}={}", value_text(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sweep_table(sweep: &SweepResults) -> Table {
    let names: Vec<String> = sweep.info.vary.iter().map(|v| v.name.clone()).collect();
    let mut headers: Vec<Header> = names.iter().map(|n| Header::new(n, true)).collect();
    headers.extend([
        Header::new("Entry", false),
        Header::keyed("OK/s", "throughput_rps"),
        Header::keyed("Success", "success_ratio"),
        Header::keyed("Mean", "latency_ms.mean"),
        Header::keyed("p50", "latency_ms.p50"),
        Header::keyed("p99", "latency_ms.p99"),
        Header::new("SLO", false),
    ]);
    let mut rows = Vec::new();
    for p in &sweep.points {
        let met = p.slo_met();
        for (i, e) in p.result.summary.entrypoints.iter().enumerate() {
            let mut row: Vec<Cell> = p
                .vary
                .values()
                .map(|v| Cell::numeric_text(value_text(v)))
                .collect();
            row.push(Cell::name(e.name.clone()));
            let ci = p.result.entry_ci.get(i);
            let values = [
                (
                    "throughput_rps",
                    e.throughput_rps,
                    format::number(e.throughput_rps),
                ),
                (
                    "success_ratio",
                    e.success_ratio,
                    format::availability(e.success_ratio),
                ),
                (
                    "latency_ms.mean",
                    e.latency_ms.mean,
                    format::ms(e.latency_ms.mean),
                ),
                (
                    "latency_ms.p50",
                    e.latency_ms.p50,
                    format::ms(e.latency_ms.p50),
                ),
                (
                    "latency_ms.p99",
                    e.latency_ms.p99,
                    format::ms(e.latency_ms.p99),
                ),
            ];
            for (field, value, shown) in values {
                let mut cell = Cell::number(shown, value);
                if let Some(interval) = ci.and_then(|c| c.get(field)) {
                    set_interval(&mut cell, *interval, shown_for(field));
                }
                row.push(cell);
            }
            row.push(match met.get(i).copied().flatten() {
                Some(true) => Cell::text("met").tone(Tone::Good),
                Some(false) => Cell::text("missed").tone(Tone::Bad),
                None => Cell::text("–").tone(Tone::Muted),
            });
            rows.push(row);
        }
    }
    Table {
        kind: "sweep",
        caption: "Sweep: every point and entry (latency in ms)".to_owned(),
        headers,
        rows,
        note: None,
        full: None,
    }
}

/// The capacity section: the answer in words, and every evaluation.
pub fn capacity_section(found: &Capacity) -> ExperimentSection {
    let targets: Vec<String> = verdicts::target_list(&found.slo)
        .iter()
        .map(|t| t.label())
        .collect();
    let held = targets.join(", ");
    let answer: Line = match &found.answer {
        Answer::MaxLoad {
            load_multiplier,
            bracket,
            rate_rps,
        } => vec![
            text("Max load: "),
            crate::report::document::Span::Strong(format!(
                "{}× the workload ({} rps)",
                format::trim(*load_multiplier),
                format::number(*rate_rps)
            )),
            text(format!(
                " with {held} held; it fails at {}×.",
                format::trim(bracket[1])
            )),
        ],
        Answer::MinReplicas { replicas } => vec![
            text("Needs replicas: "),
            crate::report::document::Span::Strong(
                replicas
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            text(format!(" for {held}.")),
        ],
        Answer::MinCost {
            replicas,
            cost_per_hour,
            currency,
            ..
        } => vec![
            text("Cheapest replicas: "),
            crate::report::document::Span::Strong(
                replicas
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            text(format!(
                " ({} per hour for these services) for {held}.",
                format::money(*cost_per_hour, currency)
            )),
        ],
    };
    let method = match found.find {
        "max-load" => {
            "Found by bracketing and bisection on the load multiplier; each point is decided on \
             the confidence intervals of the targeted metrics (more replications where an \
             interval straddles a target)."
        }
        "min-cost" => {
            "Started from the fewest replicas that meet the SLO, then searched locally for \
             cheaper counts (one replica fewer, or traded for cheaper ones), cheapest first; \
             each configuration is decided on the confidence intervals of the targeted metrics."
        }
        _ => {
            "Started from the analytic estimate, then verified and adjusted by simulation; each \
             configuration is decided on the confidence intervals of the targeted metrics."
        }
    };
    let mut headers = vec![
        Header::new("#", true),
        Header::new("Point", false),
        Header::new("Replications", true),
        Header::new("SLO", false),
        Header::new("Decided by", false),
        Header::new("Intervals", false),
    ];
    headers[5].title = Some("per entry, the intervals of the targeted metrics".to_owned());
    let rows = found
        .evaluations
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let point = e
                .point
                .iter()
                .map(|(k, v)| match v {
                    Value::Object(map) => map
                        .iter()
                        .map(|(s, n)| format!("{s} {n}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::Number(x) => {
                        format!("{k} {}", x.as_f64().map_or(x.to_string(), format::trim))
                    }
                    other => format!("{k} {}", value_text(other)),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let intervals =
                e.ci.iter()
                    .flat_map(|(entry, ci)| {
                        ci.iter().map(move |(field, [lo, hi])| {
                            let shown = shown_for(field);
                            format!("{entry} {field} [{}, {}]", shown(*lo), shown(*hi))
                        })
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
            vec![
                Cell::count(i as u64 + 1),
                Cell::text(point),
                Cell::count(e.replications),
                if e.slo_met {
                    Cell::text("met").tone(Tone::Good)
                } else {
                    Cell::text("missed").tone(Tone::Bad)
                },
                Cell::text(e.decided_by),
                Cell::text(if intervals.is_empty() {
                    "–".to_owned()
                } else {
                    intervals
                }),
            ]
        })
        .collect();
    ExperimentSection {
        anchor: "capacity".to_owned(),
        title: format!("Capacity ({})", found.find),
        lines: vec![answer, vec![text(method)]],
        charts: Vec::new(),
        tables: vec![Table {
            kind: "capacity",
            caption: "Capacity search: every evaluation, in order".to_owned(),
            headers,
            rows,
            note: None,
            full: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_minus_is_the_half_width() {
        assert_eq!(
            plus_minus([8.0, 12.0], format::ms),
            format!("± {}", format::ms(2.0))
        );
    }

    #[test]
    fn an_interval_goes_before_an_existing_sub_line() {
        let mut cell = Cell::number("10", 10.0).with_sub("+1 ms");
        set_interval(&mut cell, [9.0, 11.0], format::number);
        let expected = format!("± {} · +1 ms", format::number(1.0));
        assert_eq!(cell.sub.as_deref(), Some(expected.as_str()));
        let range = format!("[{}, {}]", format::number(9.0), format::number(11.0));
        assert!(cell.title.as_deref().is_some_and(|t| t.contains(&range)));
    }
}
