//! Charts of the shown run: for the entries (throughput, latency p50/p95/p99,
//! errors by cause) and for the selected service (throughput, p99 response,
//! errors by cause, utilization, queue length, replicas). `plot` draws them
//! with the fault windows and scaling steps marked; the comparison tab draws
//! the same charts with two runs overlaid.

use egui::{Color32, Ui};

use crate::metrics::{EntrySeries, ErrorCounts, ErrorSeriesByCause, Summary};

use super::super::command::AppCommand;
use super::plot::{ChartMarks, FindingMark, chart_height, charts_grid_ui, findings_legend_ui};
use super::{RunView, SimCommand, SimState};

/// One line of a chart.
pub struct ChartLine {
    pub name: String,
    pub points: Vec<[f64; 2]>,
    pub color: Option<Color32>,
    pub dashed: bool,
    pub role: LineRole,
}

/// What a line is within its chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineRole {
    #[default]
    Plain,
    /// The sum of a breakdown: not drawn when the breakdown has one line
    /// (it would hide under it); a comparison keeps it.
    Total,
    /// One part of a breakdown (an error cause): a comparison drops it.
    Part,
}

/// One chart: a title, a unit and its lines.
pub struct Chart {
    pub title: String,
    pub unit: &'static str,
    pub lines: Vec<ChartLine>,
    /// The service charted (its scaling steps are marked), `None` for entries.
    pub service: Option<String>,
}

/// Colours of the error causes: timeout, rejected, error, circuit open.
pub const CAUSE_COLORS: [Color32; 4] = [
    Color32::from_rgb(230, 145, 20),
    Color32::from_rgb(150, 90, 210),
    Color32::from_rgb(215, 50, 50),
    Color32::from_rgb(40, 150, 200),
];

fn line(name: &str, points: Vec<[f64; 2]>, dashed: bool) -> ChartLine {
    ChartLine {
        name: name.to_owned(),
        points,
        color: None,
        dashed,
        role: LineRole::Plain,
    }
}

/// The lines of an errors chart (per second): all causes together, then
/// one line per cause that occurred in the run.
pub fn error_lines<S: ErrorSeriesByCause>(
    t_s: &[f64],
    total: Vec<[f64; 2]>,
    series: &[&S],
    per_s: f64,
) -> Vec<ChartLine> {
    let mut lines = vec![ChartLine {
        color: Some(Color32::from_gray(110)),
        role: LineRole::Total,
        ..line("all causes", total, false)
    }];
    for (c, (name, color)) in ErrorCounts::CAUSES.iter().zip(CAUSE_COLORS).enumerate() {
        if !series
            .iter()
            .any(|s| s.errors_by_cause()[c].iter().any(|v| *v > 0))
        {
            continue;
        }
        let points = combine(
            t_s,
            series.iter().map(|s| {
                s.errors_by_cause()[c]
                    .iter()
                    .map(|v| *v as f64 * per_s)
                    .collect()
            }),
            false,
        );
        lines.push(ChartLine {
            color: Some(color),
            role: LineRole::Part,
            ..line(name, points, false)
        });
    }
    lines
}

/// `(t, value)` points of one series.
pub fn points<T: Copy + Into<f64>>(t_s: &[f64], values: &[T], scale: f64) -> Vec<[f64; 2]> {
    t_s.iter()
        .zip(values)
        .map(|(t, v)| [*t, (*v).into() * scale])
        .collect()
}

/// `u64` counts as points (per second when `scale` is 1 / bucket).
pub fn count_points(t_s: &[f64], values: &[u64], scale: f64) -> Vec<[f64; 2]> {
    t_s.iter()
        .zip(values)
        .map(|(t, v)| [*t, *v as f64 * scale])
        .collect()
}

/// Per-bucket sums (or maxima) over every entry's series.
fn combine(t_s: &[f64], series: impl Iterator<Item = Vec<f64>>, max: bool) -> Vec<[f64; 2]> {
    let mut acc = vec![0.0_f64; t_s.len()];
    for values in series {
        for (a, v) in acc.iter_mut().zip(values) {
            *a = if max { a.max(v) } else { *a + v };
        }
    }
    t_s.iter().zip(acc).map(|(t, v)| [*t, v]).collect()
}

/// The charts of the entries of one run: `entry`, or all entries together
/// (total throughput and errors, the worst latency of any entry).
pub fn entry_charts(summary: &Summary, entry: Option<&str>) -> Vec<Chart> {
    let series = &summary.timeseries;
    let t = &series.t_s;
    let per_s = 1.0 / series.bucket_s.max(1e-9);
    let chosen = entry.and_then(|name| series.entrypoints.get(name).map(|s| (name, s)));
    let (title, entries): (String, Vec<&EntrySeries>) = match chosen {
        Some((name, s)) => (name.to_owned(), vec![s]),
        None => ("Entries".to_owned(), series.entrypoints.values().collect()),
    };
    let one = entries.len() == 1;
    let all = || entries.iter();
    let sum = |f: &dyn Fn(&EntrySeries) -> Vec<f64>| combine(t, all().map(|s| f(s)), false);
    let worst = |f: &dyn Fn(&EntrySeries) -> Vec<f64>| combine(t, all().map(|s| f(s)), true);
    let throughput = vec![
        line("completed", sum(&|s| s.throughput_rps.clone()), false),
        line(
            "offered",
            sum(&|s| s.offered.iter().map(|v| *v as f64 * per_s).collect()),
            true,
        ),
    ];
    let prefix = if one { "" } else { "worst " };
    let mut latency = vec![line(
        &format!("{prefix}p50"),
        worst(&|s| s.p50_ms.clone()),
        false,
    )];
    if entries.iter().all(|s| s.p95_ms.len() == t.len()) {
        latency.push(line(
            &format!("{prefix}p95"),
            worst(&|s| s.p95_ms.clone()),
            false,
        ));
    }
    latency.push(line(
        &format!("{prefix}p99"),
        worst(&|s| s.p99_ms.clone()),
        false,
    ));
    let total = sum(&|s| s.errors.iter().map(|v| *v as f64 * per_s).collect());
    let errors = error_lines(t, total, &entries, per_s);
    vec![
        Chart {
            title: format!("{title}: throughput"),
            unit: "req/s",
            lines: throughput,
            service: None,
        },
        Chart {
            title: format!("{title}: latency"),
            unit: "ms",
            lines: latency,
            service: None,
        },
        Chart {
            title: format!("{title}: errors by cause"),
            unit: "req/s",
            lines: errors,
            service: None,
        },
    ]
}

/// The charts of one service of one run (empty when it has no series).
pub fn service_charts(summary: &Summary, service: &str) -> Vec<Chart> {
    let series = &summary.timeseries;
    let Some(s) = series.services.get(service) else {
        return Vec::new();
    };
    let t = &series.t_s;
    let per_s = 1.0 / series.bucket_s.max(1e-9);
    let chart = |title: &str, unit: &'static str, lines: Vec<ChartLine>| Chart {
        title: format!("{service}: {title}"),
        unit,
        lines,
        service: Some(service.to_owned()),
    };
    let mut replicas = vec![line("serving", points(t, &s.replicas, 1.0), false)];
    if s.replicas_desired.len() == t.len() {
        replicas.push(line(
            "target",
            count_points(t, &s.replicas_desired, 1.0),
            true,
        ));
    }
    vec![
        chart(
            "throughput",
            "req/s",
            vec![
                line("arrivals", count_points(t, &s.arrivals, per_s), false),
                line("completed", count_points(t, &s.completed, per_s), false),
            ],
        ),
        chart(
            "response time",
            "ms",
            vec![line("p99", points(t, &s.p99_ms, 1.0), false)],
        ),
        chart(
            "errors by cause",
            "req/s",
            error_lines(t, count_points(t, &s.errors, per_s), &[s], per_s),
        ),
        chart(
            "utilization",
            "%",
            vec![line(
                "busy workers",
                points(t, &s.utilization, 100.0),
                false,
            )],
        ),
        chart(
            "queue length",
            "waiting",
            vec![line(
                "mean in bucket",
                points(t, &s.queue_length, 1.0),
                false,
            )],
        ),
        chart("replicas", "replicas", replicas),
    ]
}

/// The Charts tab.
pub fn charts_tab_ui(
    ui: &mut Ui,
    sim: &SimState,
    selected: Option<&str>,
    out: &mut Vec<AppCommand>,
) {
    let shown = sim.with_shown(|run| {
        let service = chosen_service(run, selected);
        header_ui(ui, run, service.as_deref(), selected.is_some(), sim, out);
        let mut marks = ChartMarks::of(run.scenario, run.summary);
        marks.findings = finding_windows(run.summary, None);
        if let Some(k) = sim.scrub {
            marks.cursor_s = run.summary.timeseries.t_s.get(k).copied();
        }
        let mut charts = entry_charts(run.summary, sim.chart_entry.as_deref());
        if let Some(service) = &service {
            charts.extend(service_charts(run.summary, service));
        }
        findings_legend_ui(ui, &marks);
        let height = chart_height(ui.available_height());
        egui::ScrollArea::vertical()
            .id_salt("sim-charts-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let columns = (ui.available_width() / 330.0).floor().clamp(1.0, 4.0) as usize;
                charts_grid_ui(ui, "run", charts, &marks, columns, height);
            });
    });
    if shown.is_none() {
        ui.weak("No run yet. Press ▶ Run (F5) to simulate the chosen scenario; its charts appear here as it runs.");
    }
}

/// The windows of the run's findings to shade on its charts
/// ([`crate::metrics::finding_windows`]: overlapping ones merged). `run`
/// names the run in a comparison ("A", "B": B's windows are outlined
/// dashed, as its lines are).
pub fn finding_windows(summary: &Summary, run: Option<&str>) -> Vec<FindingMark> {
    crate::metrics::finding_windows(&summary.findings, summary.simulated_s)
        .into_iter()
        .map(|w| FindingMark {
            start_s: w.start_s,
            end_s: w.end_s,
            label: match run {
                Some(run) => format!("{run}: {}", w.label()),
                None => w.label(),
            },
            dashed: run == Some("B"),
        })
        .collect()
}

/// The service whose charts are shown: the selected one, else the busiest.
fn chosen_service(run: &RunView, selected: Option<&str>) -> Option<String> {
    selected
        .filter(|s| run.summary.timeseries.services.contains_key(*s))
        .map(str::to_owned)
        .or_else(|| {
            run.summary
                .services
                .iter()
                .max_by(|a, b| a.utilization.total_cmp(&b.utilization))
                .map(|s| s.name.clone())
        })
}

/// Chooses the entry charted: all together, or one.
pub fn entry_chooser_ui(ui: &mut Ui, summary: &Summary, sim: &SimState, out: &mut Vec<AppCommand>) {
    let label = ui.label("Entry");
    let all = "All entries".to_owned();
    egui::ComboBox::from_id_salt("sim-chart-entry")
        .selected_text(sim.chart_entry.clone().unwrap_or_else(|| all.clone()))
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(sim.chart_entry.is_none(), &all)
                .clicked()
            {
                out.push(SimCommand::ChartEntry(None).into());
            }
            for name in summary.timeseries.entrypoints.keys() {
                if ui
                    .selectable_label(sim.chart_entry.as_deref() == Some(name), name)
                    .clicked()
                {
                    out.push(SimCommand::ChartEntry(Some(name.clone())).into());
                }
            }
        })
        .response
        .labelled_by(label.id);
}

fn header_ui(
    ui: &mut Ui,
    run: &RunView,
    service: Option<&str>,
    selected: bool,
    sim: &SimState,
    out: &mut Vec<AppCommand>,
) {
    ui.horizontal(|ui| {
        ui.strong(run.name);
        if run.live {
            ui.weak("(running)");
        }
        ui.separator();
        entry_chooser_ui(ui, run.summary, sim, out);
        ui.separator();
        match (service, selected) {
            (Some(s), true) => ui.label(format!("Service: {s}")),
            (Some(s), false) => ui.label(format!(
                "Service: {s} (the busiest; click a service in the graph to chart it)"
            )),
            (None, _) => ui.weak("Click a service in the graph to chart it"),
        };
    });
}
