//! The Compare tab: the runs of the session (show, delete, pick A and B),
//! a table of deltas B − A for entries and services, the charts of both
//! runs overlaid, and the graph coloured by what got better (green) or
//! worse (red) from A to B.

use egui::{RichText, Ui};

use crate::metrics::{ServiceSummary, Summary};
use crate::model::Topology;
use crate::report::format;

use super::super::command::AppCommand;
use super::super::scene::Scene;
use super::super::theme::Palette;
use super::charts::{self, Chart, ChartLine, LineRole};
use super::live::{NodeLive, Overlay};
use super::plot::{self, ChartMarks};
use super::{RunRecord, SimCommand, SimState};

/// Whether lower values are better for a figure.
#[derive(Clone, Copy, PartialEq)]
enum Better {
    Lower,
    Higher,
}

/// How much worse B is than A for one service (positive = worse), and
/// the change in words. Errors weigh most, then p99 response, then utilization.
pub fn service_change(a: &ServiceSummary, b: &ServiceSummary) -> (f64, String) {
    let error_ratio = failed_share;
    let d_errors = error_ratio(b) - error_ratio(a);
    let d_p99 = if a.response_ms.p99 > 0.0 {
        (b.response_ms.p99 - a.response_ms.p99) / a.response_ms.p99
    } else {
        0.0
    };
    let d_util = b.utilization - a.utilization;
    let score = 10.0 * d_errors + 0.5 * d_p99 + d_util;
    let words = if d_errors.abs() >= 0.001 {
        format!(
            "errors {}→{}",
            format::percent(error_ratio(a), 1),
            format::percent(error_ratio(b), 1)
        )
    } else if d_p99.abs() >= 0.05 {
        format!("p99 {:+.0}%", d_p99 * 100.0)
    } else if d_util.abs() >= 0.01 {
        format!("util {:+.0} pt", d_util * 100.0)
    } else {
        "same".to_owned()
    };
    (score, words)
}

/// How two runs differ apart from the model change being compared, in
/// sentences: length (a stopped run), scenario, seed, warm-up, file, and
/// the model itself. Empty when they are like for like but for the model.
pub fn differences(a: &RunRecord, b: &RunRecord) -> Vec<String> {
    let (sa, sb) = (&a.summary, &b.summary);
    let mut list = Vec::new();
    let reach = |r: &RunRecord| {
        if r.cancelled() {
            format!(
                "was stopped at t = {} s of {} s",
                format::trim(r.summary.simulated_s),
                format::trim(r.summary.duration_s)
            )
        } else {
            format!("ran its full {} s", format::trim(r.summary.duration_s))
        }
    };
    if a.cancelled() || b.cancelled() || (sa.simulated_s - sb.simulated_s).abs() > 1e-6 {
        list.push(format!(
            "The runs differ in length: A {}, B {}. The figures below are rates and ratios over the time each run covered; a phase one run did not reach (a fault, a load peak) is missing from it.",
            reach(a),
            reach(b)
        ));
    }
    if a.scenario.name != b.scenario.name {
        list.push(format!(
            "Different scenarios: A ran \"{}\", B \"{}\".",
            a.scenario.name, b.scenario.name
        ));
    }
    if sa.seed != sb.seed {
        list.push(format!(
            "Different seeds (A {}, B {}): part of any difference is chance.",
            sa.seed, sb.seed
        ));
    }
    if (sa.warmup_s - sb.warmup_s).abs() > 1e-9 {
        list.push(format!(
            "Different warm-ups (A {} s, B {} s).",
            format::trim(sa.warmup_s),
            format::trim(sb.warmup_s)
        ));
    }
    if a.document != b.document {
        list.push("The runs are of different documents (another file was opened or imported between them).".to_owned());
    }
    let model = super::naming::changes(&a.topology, &a.scenario, &b.topology, &b.scenario);
    if a.topology != b.topology || !model.is_empty() {
        let shown: Vec<&str> = model.iter().take(6).map(String::as_str).collect();
        let more = model.len().saturating_sub(shown.len());
        list.push(if shown.is_empty() {
            "The models differ (in the layout only).".to_owned()
        } else if more > 0 {
            format!("The models differ: {}, and {more} more.", shown.join(", "))
        } else {
            format!("The models differ: {}.", shown.join(", "))
        });
    }
    list
}

/// Requests per second of the time a run measured (after warm-up, up to
/// where it got).
fn per_measured_s(count: u64, summary: &Summary) -> f64 {
    let measured_s = (summary.simulated_s - summary.warmup_s).max(0.0);
    if measured_s > 0.0 {
        count as f64 / measured_s
    } else {
        0.0
    }
}

/// Failed responses over arrivals of a service.
fn failed_share(s: &ServiceSummary) -> f64 {
    if s.arrivals > 0 {
        (s.errors.total() as f64 / s.arrivals as f64).min(1.0)
    } else {
        0.0
    }
}

/// The graph coloured by the change from run `a` to run `b` (figures of `b`).
pub fn overlay(base: &Scene, topology: &Topology, a: &RunRecord, b: &RunRecord) -> Overlay {
    let mut scene = base.clone();
    let mut nodes: Vec<Option<NodeLive>> = vec![None; scene.nodes.len()];
    for (i, node) in scene.nodes.iter_mut().enumerate() {
        let Some(service) = node.service.and_then(|s| topology.services.get(s)) else {
            node.load_rps = None;
            node.utilization = None;
            continue;
        };
        let (Some(sa), Some(sb)) = (
            a.summary.service(&service.name),
            b.summary.service(&service.name),
        ) else {
            continue;
        };
        node.load_rps = Some(sb.arrivals_rps);
        node.utilization = Some(sb.utilization);
        nodes[i] = Some(NodeLive {
            utilization: sb.utilization,
            replicas: sb.replicas_mean,
            replicas_configured: service.replicas,
            change: Some(service_change(sa, sb)),
            ..NodeLive::default()
        });
    }
    for edge in scene.edges.iter_mut() {
        let from = scene.nodes[edge.from].id.name().to_owned();
        let to = scene.nodes[edge.to].id.name().to_owned();
        edge.rate_rps = Some(
            b.summary
                .edges
                .iter()
                .filter(|e| e.from == from && e.to == to)
                .map(|e| e.calls_rps)
                .sum(),
        );
    }
    let edges = scene.edges.len();
    Overlay {
        scene,
        nodes,
        edge_errors: vec![0.0; edges],
        edge_breaker_open: vec![false; edges],
        t_s: 0.0,
        bucket_s: b.summary.timeseries.bucket_s,
        caption: format!(
            "{} compared with {}: green better, red worse",
            b.name, a.name
        ),
        animated: false,
        stale: false,
    }
}

/// The Compare tab.
pub fn compare_tab_ui(
    ui: &mut Ui,
    sim: &SimState,
    selected: Option<&str>,
    out: &mut Vec<AppCommand>,
) {
    if sim.runs.is_empty() {
        ui.weak("Runs of this session are kept here. Run a scenario, change something (a replica count, a timeout, the load), run again, then compare the two.");
        return;
    }
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(330.0);
            runs_list_ui(ui, sim, out);
        });
        ui.separator();
        ui.vertical(|ui| match (sim.compare_a, sim.compare_b) {
            (Some(a), Some(b)) if a < sim.runs.len() && b < sim.runs.len() => {
                comparison_ui(ui, sim, &sim.runs[a], &sim.runs[b], selected, out);
            }
            _ => {
                ui.weak("Pick run A and run B on the left.");
            }
        });
    });
}

fn runs_list_ui(ui: &mut Ui, sim: &SimState, out: &mut Vec<AppCommand>) {
    ui.strong("Runs of this session");
    egui::ScrollArea::vertical()
        .id_salt("sim-runs")
        .max_height(ui.available_height())
        .show(ui, |ui| {
            for (i, run) in sim.runs.iter().enumerate() {
                ui.horizontal(|ui| {
                    let a = sim.compare_a == Some(i);
                    let b = sim.compare_b == Some(i);
                    if ui
                        .selectable_label(a, "A")
                        .on_hover_text("Compare from this run")
                        .clicked()
                    {
                        out.push(
                            SimCommand::SetCompare {
                                a: Some(i),
                                b: sim.compare_b.filter(|&x| x != i),
                            }
                            .into(),
                        );
                    }
                    if ui
                        .selectable_label(b, "B")
                        .on_hover_text("Compare to this run")
                        .clicked()
                    {
                        out.push(
                            SimCommand::SetCompare {
                                a: sim.compare_a.filter(|&x| x != i),
                                b: Some(i),
                            }
                            .into(),
                        );
                    }
                    let shown = sim.shown_index() == Some(i) && sim.active.is_none();
                    let here = sim.is_of_open_document(run);
                    let label = ui
                        .add_enabled(here, egui::Button::selectable(shown, &run.name))
                        .on_hover_text(headline(&run.summary))
                        .on_disabled_hover_text(format!(
                            "{}\nRan on another document: it can be compared, not shown on this graph.",
                            headline(&run.summary)
                        ));
                    if label.clicked() {
                        out.push(SimCommand::ShowRun(i).into());
                    }
                    if run.cancelled() {
                        ui.weak(format!(
                            "(stopped at {} s)",
                            format::trim(run.summary.simulated_s)
                        ));
                    }
                    if !here {
                        ui.weak("(other document)");
                    }
                    if ui
                        .small_button("🗑")
                        .on_hover_text("Forget this run")
                        .clicked()
                    {
                        out.push(SimCommand::DeleteRun(i).into());
                    }
                });
            }
        });
}

/// `Cost: A 0.0125 USD → B 0.0250 USD, +0.0125 USD (×2)`, when both runs
/// have a cost in the same currency.
pub fn cost_change(a: &Summary, b: &Summary) -> Option<String> {
    let delta = crate::report::cost::delta_text(a, b)?;
    let (cost_a, cost_b) = (a.cost.as_ref()?, b.cost.as_ref()?);
    Some(format!(
        "Cost: A {} → B {}, {delta}",
        format::money(cost_a.total, &cost_a.currency),
        format::money(cost_b.total, &cost_b.currency)
    ))
}

/// `p99 41 ms · 99.97% ok · 120 req/s` over all entries (worst p99).
fn headline(summary: &Summary) -> String {
    let p99 = summary
        .entrypoints
        .iter()
        .map(|e| e.latency_ms.p99)
        .fold(0.0, f64::max);
    let completed: u64 = summary.entrypoints.iter().map(|e| e.completed).sum();
    let failed: u64 = summary.entrypoints.iter().map(|e| e.failed).sum();
    let ok = if completed + failed > 0 {
        completed as f64 / (completed + failed) as f64
    } else {
        1.0
    };
    let rps: f64 = summary.entrypoints.iter().map(|e| e.throughput_rps).sum();
    format!(
        "worst p99 {} ms · {} ok · {} req/s",
        format::ms(p99),
        format::availability(ok),
        format::fixed(rps, 1)
    )
}

fn comparison_ui(
    ui: &mut Ui,
    sim: &SimState,
    a: &RunRecord,
    b: &RunRecord,
    selected: Option<&str>,
    out: &mut Vec<AppCommand>,
) {
    let palette = Palette::for_visuals(ui.visuals());
    // Two rows of charts fit the panel's height when nothing is above them.
    let height = plot::chart_height(ui.available_height());
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("A: {}", a.name)).strong());
        ui.label("→");
        ui.label(RichText::new(format!("B: {}", b.name)).strong());
        let mut on = sim.compare_graph;
        if ui
            .checkbox(&mut on, "Colour the graph by better / worse")
            .changed()
        {
            out.push(SimCommand::SetCompareGraph(on).into());
        }
    });
    egui::ScrollArea::both()
        .id_salt("sim-compare-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for difference in differences(a, b) {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("⚠").color(palette.warn));
                    ui.label(difference);
                });
            }
            if let Some(cost) = cost_change(&a.summary, &b.summary) {
                ui.label(cost);
            }
            delta_tables_ui(ui, a, b, &palette);
            ui.add_space(6.0);
            let service = selected
                .filter(|s| b.summary.timeseries.services.contains_key(*s))
                .map(str::to_owned)
                .or_else(|| crate::report::verdicts::busiest(&b.summary).map(|s| s.name.clone()));
            ui.horizontal(|ui| charts::entry_chooser_ui(ui, &b.summary, sim, out));
            let charts = overlaid_charts(
                a,
                b,
                sim.chart_entry.as_deref(),
                service.as_deref(),
                &palette,
            );
            let mut marks = ChartMarks::of(&b.scenario, &b.summary);
            // The findings of both runs, as the Charts tab shades one run's.
            marks.findings = charts::finding_windows(&a.summary, Some("A"));
            marks
                .findings
                .extend(charts::finding_windows(&b.summary, Some("B")));
            plot::findings_legend_ui(ui, &marks);
            let columns = (ui.available_width() / 330.0).floor().clamp(1.0, 4.0) as usize;
            plot::charts_grid_ui(ui, "compare", charts, &marks, columns, height);
        });
}

/// `A → B` with the change, coloured by better or worse. Ratios (shares
/// between 0 and 1) change by percentage points, other figures by percent.
fn delta_cell(
    ui: &mut Ui,
    a: f64,
    b: f64,
    shown: impl Fn(f64) -> String,
    better: Better,
    palette: &Palette,
) {
    delta_cell_kind(ui, a, b, shown, better, false, palette);
}

fn ratio_cell(
    ui: &mut Ui,
    a: f64,
    b: f64,
    shown: impl Fn(f64) -> String,
    better: Better,
    palette: &Palette,
) {
    delta_cell_kind(ui, a, b, shown, better, true, palette);
}

fn delta_cell_kind(
    ui: &mut Ui,
    a: f64,
    b: f64,
    shown: impl Fn(f64) -> String,
    better: Better,
    ratio: bool,
    palette: &Palette,
) {
    let d = b - a;
    let scale = if ratio {
        1.0
    } else {
        a.abs().max(b.abs()).max(1e-9)
    };
    let threshold = if ratio { 0.0005 } else { 0.01 };
    let color = if (d / scale).abs() < threshold {
        None
    } else if (d < 0.0) == (better == Better::Lower) {
        Some(palette.ok)
    } else {
        Some(palette.bad)
    };
    let change = if ratio {
        if d.abs() >= 0.0005 {
            format!(" ({:+.1} pt)", d * 100.0)
        } else {
            String::new()
        }
    } else if a.abs() > 1e-12 {
        format!(" ({:+.0}%)", d / a * 100.0)
    } else {
        String::new()
    };
    let text = RichText::new(format!("{} → {}{change}", shown(a), shown(b)));
    ui.label(match color {
        Some(c) => text.color(c),
        None => text.color(ui.visuals().weak_text_color()),
    });
}

fn delta_tables_ui(ui: &mut Ui, a: &RunRecord, b: &RunRecord, palette: &Palette) {
    ui.strong("Entries (A → B)");
    egui::Grid::new("sim-compare-entries")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for h in [
                "Entry",
                "Throughput (req/s)",
                "p50 (ms)",
                "p99 (ms)",
                "Success",
                "Failed (req/s)",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for eb in &b.summary.entrypoints {
                let Some(ea) = a.summary.entry(&eb.name) else {
                    continue;
                };
                ui.label(&eb.name);
                delta_cell(
                    ui,
                    ea.throughput_rps,
                    eb.throughput_rps,
                    |v| format::fixed(v, 1),
                    Better::Higher,
                    palette,
                );
                delta_cell(
                    ui,
                    ea.latency_ms.p50,
                    eb.latency_ms.p50,
                    format::ms,
                    Better::Lower,
                    palette,
                );
                delta_cell(
                    ui,
                    ea.latency_ms.p99,
                    eb.latency_ms.p99,
                    format::ms,
                    Better::Lower,
                    palette,
                );
                ratio_cell(
                    ui,
                    ea.success_ratio,
                    eb.success_ratio,
                    format::availability,
                    Better::Higher,
                    palette,
                );
                delta_cell(
                    ui,
                    per_measured_s(ea.failed, &a.summary),
                    per_measured_s(eb.failed, &b.summary),
                    |v| format::fixed(v, 2),
                    Better::Lower,
                    palette,
                );
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    ui.strong("Services (A → B)");
    egui::Grid::new("sim-compare-services")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for h in [
                "Service",
                "Utilization",
                "Response p99 (ms)",
                "Queue mean",
                "Failed (% of arrivals)",
                "Replicas",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for sb in &b.summary.services {
                let Some(sa) = a.summary.service(&sb.name) else {
                    continue;
                };
                ui.label(&sb.name);
                ratio_cell(
                    ui,
                    sa.utilization,
                    sb.utilization,
                    |v| format::percent(v, 0),
                    Better::Lower,
                    palette,
                );
                delta_cell(
                    ui,
                    sa.response_ms.p99,
                    sb.response_ms.p99,
                    format::ms,
                    Better::Lower,
                    palette,
                );
                delta_cell(
                    ui,
                    sa.queue_length_mean,
                    sb.queue_length_mean,
                    |v| format::fixed(v, 2),
                    Better::Lower,
                    palette,
                );
                ratio_cell(
                    ui,
                    failed_share(sa),
                    failed_share(sb),
                    |v| format::percent(v, 2),
                    Better::Lower,
                    palette,
                );
                delta_cell(
                    ui,
                    sa.replicas_mean,
                    sb.replicas_mean,
                    |v| format::fixed(v, 1),
                    Better::Lower,
                    palette,
                );
                ui.end_row();
            }
        });
}

/// The charts of A and B on the same axes: A solid, B dashed.
fn overlaid_charts(
    a: &RunRecord,
    b: &RunRecord,
    entry: Option<&str>,
    service: Option<&str>,
    palette: &Palette,
) -> Vec<Chart> {
    let colors = [palette.selection, palette.critical];
    let tag = |chart: Chart, run: usize, into: &mut Vec<Chart>, index: usize| {
        if into.len() <= index {
            into.push(Chart {
                title: chart.title.clone(),
                unit: chart.unit,
                lines: Vec::new(),
                service: chart.service.clone(),
            });
        }
        // Errors by cause would make eight lines: compare the totals.
        for line in chart.lines.into_iter().filter(|l| l.role != LineRole::Part) {
            into[index].lines.push(ChartLine {
                name: format!("{} {}", if run == 0 { "A" } else { "B" }, line.name),
                points: line.points,
                // Offered load (dashed, A's only) in grey, apart from both runs.
                color: Some(if line.dashed {
                    palette.node_subtext
                } else {
                    colors[run]
                }),
                dashed: run == 1 || line.dashed,
                role: line.role,
            });
        }
    };
    let mut charts: Vec<Chart> = Vec::new();
    for (run, record) in [a, b].into_iter().enumerate() {
        let mut list = charts::entry_charts(&record.summary, entry);
        if let Some(service) = service {
            list.extend(charts::service_charts(&record.summary, service));
        }
        for (index, chart) in list.into_iter().enumerate() {
            // Offered load and the run's p95 would double the lines: keep A's.
            let chart = if run == 1 {
                Chart {
                    lines: chart.lines.into_iter().filter(|l| !l.dashed).collect(),
                    ..chart
                }
            } else {
                chart
            };
            tag(chart, run, &mut charts, index);
        }
    }
    charts
}
