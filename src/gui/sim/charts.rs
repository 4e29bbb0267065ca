//! Charts (egui_plot) of the shown run: for the entries (throughput,
//! latency, errors) and for the selected service (throughput, p99 response,
//! errors, utilization, queue length, replicas), with the warm-up, fault
//! windows and scaling steps marked, x axes and cursors linked, values on
//! hover. The comparison tab draws the same charts with two runs overlaid.

use egui::{Color32, Id, Ui};
use egui_plot::{Corner, HoverPosition, Legend, Line, LineStyle, Plot, PlotPoints, Span, VLine};

use crate::metrics::Summary;
use crate::model::{Fault, Scenario};
use crate::report::format;

use super::super::command::AppCommand;
use super::super::theme::Palette;
use super::timeline::fault_label;
use super::{RunView, SimCommand, SimState};

/// Height of one chart, in points.
const CHART_HEIGHT: f32 = 150.0;

/// One line of a chart.
pub struct ChartLine {
    pub name: String,
    pub points: Vec<[f64; 2]>,
    pub color: Option<Color32>,
    pub dashed: bool,
}

/// One chart: a title, a unit and its lines.
pub struct Chart {
    pub title: String,
    pub unit: &'static str,
    pub lines: Vec<ChartLine>,
}

/// Windows and moments marked on every chart.
#[derive(Default)]
pub struct Marks {
    pub warmup_s: f64,
    pub faults: Vec<(f64, f64, String)>,
    pub scaling: Vec<(f64, String)>,
    /// The replay position.
    pub cursor_s: Option<f64>,
}

impl Marks {
    pub fn of(scenario: &Scenario, duration_s: f64) -> Marks {
        Marks {
            warmup_s: scenario.warmup_s,
            faults: scenario
                .faults
                .iter()
                .map(|f: &Fault| {
                    let end = f.duration_s().map_or(duration_s, |d| f.at_s() + d);
                    (f.at_s(), end.min(duration_s), fault_label(f))
                })
                .collect(),
            scaling: scenario
                .scaling
                .iter()
                .map(|s| (s.at_s, format!("{} → {}", s.service, s.replicas)))
                .collect(),
            cursor_s: None,
        }
    }
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
    let line = |name: &str, points: Vec<[f64; 2]>, dashed: bool| ChartLine {
        name: name.to_owned(),
        points,
        color: None,
        dashed,
    };
    let chosen = entry.and_then(|name| series.entrypoints.get(name).map(|s| (name, s)));
    let (title, throughput, latency, errors) = match chosen {
        Some((name, s)) => {
            let mut latency = vec![
                line("p50", points(t, &s.p50_ms, 1.0), false),
                line("p99", points(t, &s.p99_ms, 1.0), false),
            ];
            if let Some(e) = summary.entry(name) {
                // The time series hold p50 and p99; p95 is the whole run's.
                latency.push(line(
                    "p95 (whole run)",
                    t.iter().map(|x| [*x, e.latency_ms.p95]).collect(),
                    true,
                ));
            }
            (
                name.to_owned(),
                vec![
                    line("completed", points(t, &s.throughput_rps, 1.0), false),
                    line("offered", count_points(t, &s.offered, per_s), true),
                ],
                latency,
                vec![line("failed", count_points(t, &s.errors, per_s), false)],
            )
        }
        None => {
            let all = || series.entrypoints.values();
            (
                "Entries".to_owned(),
                vec![
                    line(
                        "completed",
                        combine(t, all().map(|s| s.throughput_rps.clone()), false),
                        false,
                    ),
                    line(
                        "offered",
                        combine(
                            t,
                            all().map(|s| s.offered.iter().map(|v| *v as f64 * per_s).collect()),
                            false,
                        ),
                        true,
                    ),
                ],
                vec![
                    line(
                        "worst p50",
                        combine(t, all().map(|s| s.p50_ms.clone()), true),
                        false,
                    ),
                    line(
                        "worst p99",
                        combine(t, all().map(|s| s.p99_ms.clone()), true),
                        false,
                    ),
                ],
                vec![line(
                    "failed",
                    combine(
                        t,
                        all().map(|s| s.errors.iter().map(|v| *v as f64 * per_s).collect()),
                        false,
                    ),
                    false,
                )],
            )
        }
    };
    vec![
        Chart {
            title: format!("{title}: throughput"),
            unit: "req/s",
            lines: throughput,
        },
        Chart {
            title: format!("{title}: latency"),
            unit: "ms",
            lines: latency,
        },
        Chart {
            title: format!("{title}: errors"),
            unit: "req/s",
            lines: errors,
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
    let line = |name: &str, points: Vec<[f64; 2]>| ChartLine {
        name: name.to_owned(),
        points,
        color: None,
        dashed: false,
    };
    vec![
        Chart {
            title: format!("{service}: throughput"),
            unit: "req/s",
            lines: vec![
                line("arrivals", count_points(t, &s.arrivals, per_s)),
                line("completed", count_points(t, &s.completed, per_s)),
            ],
        },
        Chart {
            title: format!("{service}: response time"),
            unit: "ms",
            lines: vec![line("p99", points(t, &s.p99_ms, 1.0))],
        },
        Chart {
            title: format!("{service}: errors"),
            unit: "req/s",
            lines: vec![line("failed", count_points(t, &s.errors, per_s))],
        },
        Chart {
            title: format!("{service}: utilization"),
            unit: "%",
            lines: vec![line("busy workers", points(t, &s.utilization, 100.0))],
        },
        Chart {
            title: format!("{service}: queue length"),
            unit: "waiting",
            lines: vec![line("mean in bucket", points(t, &s.queue_length, 1.0))],
        },
        Chart {
            title: format!("{service}: replicas"),
            unit: "replicas",
            lines: vec![line("live", points(t, &s.replicas, 1.0))],
        },
    ]
}

/// Draws `charts` in a grid of `columns`, linked on the time axis.
pub fn charts_grid_ui(ui: &mut Ui, id: &str, charts: Vec<Chart>, marks: &Marks, columns: usize) {
    let link = Id::unique(("sim-charts-link", id));
    let palette = Palette::for_visuals(ui.visuals());
    let columns = columns.max(1);
    let spacing = ui.spacing().item_spacing.x;
    let width =
        ((ui.available_width() - spacing * (columns as f32 - 1.0)) / columns as f32).max(160.0);
    let mut charts = charts.into_iter().enumerate().peekable();
    while charts.peek().is_some() {
        ui.horizontal_top(|ui| {
            for _ in 0..columns {
                let Some((i, chart)) = charts.next() else {
                    break;
                };
                ui.vertical(|ui| {
                    ui.set_width(width);
                    chart_ui(ui, (id, i), link, &chart, marks, &palette, width);
                });
            }
        });
    }
}

fn chart_ui(
    ui: &mut Ui,
    id: (&str, usize),
    link: Id,
    chart: &Chart,
    marks: &Marks,
    palette: &Palette,
    width: f32,
) {
    ui.label(egui::RichText::new(&chart.title).strong().small());
    let unit = chart.unit;
    let has_data = chart.lines.iter().any(|l| !l.points.is_empty());
    let response = Plot::new(id)
        .height(CHART_HEIGHT)
        .width(width)
        .legend(
            Legend::default()
                .position(Corner::LeftTop)
                .background_alpha(0.6),
        )
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(if unit == "%" { 100.0 } else { 1.0 })
        .y_axis_min_width(36.0)
        .x_axis_formatter(|mark, _| format!("{} s", format::trim(mark.value)))
        .label_formatter(move |position: &HoverPosition| {
            Some(match position {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => format!(
                    "{plot_name}\nt = {} s\n{} {unit}",
                    format::trim(position.x),
                    format::fixed(position.y, 2)
                ),
                HoverPosition::Elsewhere { position } => {
                    format!("t = {} s", format::trim(position.x))
                }
            })
        })
        .show(ui, |plot| {
            if marks.warmup_s > 0.0 {
                plot.span(
                    Span::new("", 0.0..=marks.warmup_s).fill(palette.grid.gamma_multiply(0.5)),
                );
            }
            for (start, end, _) in &marks.faults {
                plot.span(
                    Span::new("", *start..=*end)
                        .fill(palette.bad.gamma_multiply(0.12))
                        .border_color(palette.bad.gamma_multiply(0.5)),
                );
            }
            for (at, _) in &marks.scaling {
                plot.vline(
                    VLine::new("", *at)
                        .color(palette.downstream)
                        .style(LineStyle::dashed_loose()),
                );
            }
            if let Some(at) = marks.cursor_s {
                plot.vline(VLine::new("", at).color(palette.critical).width(1.5));
            }
            for line in &chart.lines {
                let mut item =
                    Line::new(line.name.clone(), PlotPoints::from(line.points.clone())).width(1.6);
                if let Some(color) = line.color {
                    item = item.color(color);
                }
                if line.dashed {
                    item = item.style(LineStyle::dashed_dense());
                }
                plot.line(item);
            }
        });
    // Names of the fault windows and scaling steps, along the bottom
    // (kept out of the legend, which lists the lines).
    let transform = &response.transform;
    let frame = *transform.frame();
    let painter = ui.painter_at(frame);
    let font = egui::FontId::proportional(10.0);
    let mut labels: Vec<(f64, &str, Color32)> = marks
        .faults
        .iter()
        .map(|(start, _, label)| (*start, label.as_str(), palette.bad))
        .collect();
    labels.extend(
        marks
            .scaling
            .iter()
            .map(|(at, label)| (*at, label.as_str(), palette.downstream)),
    );
    for (at, label, color) in labels {
        let x = transform.position_from_point_x(at).max(frame.left());
        if x < frame.right() - 20.0 {
            painter.text(
                egui::pos2(x + 3.0, frame.bottom() - 2.0),
                egui::Align2::LEFT_BOTTOM,
                label,
                font.clone(),
                color,
            );
        }
    }
    if !has_data {
        ui.weak("no data yet");
    }
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
        let mut marks = Marks::of(run.scenario, run.summary.duration_s);
        if let Some(k) = sim.scrub {
            marks.cursor_s = run.summary.timeseries.t_s.get(k).copied();
        }
        let mut charts = entry_charts(run.summary, sim.chart_entry.as_deref());
        if let Some(service) = &service {
            charts.extend(service_charts(run.summary, service));
        }
        egui::ScrollArea::vertical()
            .id_salt("sim-charts-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let columns = (ui.available_width() / 330.0).floor().clamp(1.0, 4.0) as usize;
                charts_grid_ui(ui, "run", charts, &marks, columns);
            });
    });
    if shown.is_none() {
        ui.weak("No run yet. Press ▶ Run (F5) to simulate the chosen scenario; its charts appear here as it runs.");
    }
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
