//! Drawing the Experiments tab: the editor and progress on the left, the
//! shown result on the right (a replicated run's tables with `±` and charts
//! with confidence bands; a sweep's chart with error bars, the SLO line and
//! the knee; the capacity card), and the session's experiments below the editor.

use egui::{Color32, RichText, Ui};
use egui_plot::{HLine, Line, LineStyle, Plot, PlotPoints, Points, Polygon, VLine};

use crate::model::Topology;
use crate::report::format;

use super::super::command::AppCommand;
use super::super::theme::Palette;
use super::figures::{
    self, KneeReason, Metric, NO_SLO_HELP, ReplicatedRun, plus_minus, sweep_chart,
};
use super::spec::choices;
use super::worker::Outcome;
use super::{CapacityGoal, ExpCommand, ExpForm, ExpKind, ExpRecord, ExpState};

/// Width of the editor column, in points.
const EDITOR_WIDTH: f32 = 330.0;
const LINE_COLOR: Color32 = Color32::from_rgb(66, 133, 244);
const SECOND_COLOR: Color32 = Color32::from_rgb(52, 168, 83);

/// Draws the Experiments tab.
pub fn experiments_tab_ui(
    ui: &mut Ui,
    topology: &Topology,
    exp: &ExpState,
    out: &mut Vec<AppCommand>,
) {
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(EDITOR_WIDTH);
            egui::ScrollArea::vertical()
                .id_salt("experiments-editor")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    editor_ui(ui, topology, exp, out);
                    ui.separator();
                    records_ui(ui, exp, out);
                });
        });
        ui.separator();
        ui.vertical(|ui| {
            egui::ScrollArea::both()
                .id_salt("experiments-result")
                .auto_shrink([false, false])
                .show(ui, |ui| match exp.shown_record() {
                    Some(record) => record_ui(ui, record, exp),
                    None => {
                        ui.add_space(8.0);
                        ui.weak(
                            "No experiment yet. Choose one on the left and press ▶ Start: \
                             replications give every figure a confidence interval, a sweep \
                             shows how a metric moves as one setting changes, a capacity \
                             search finds how much load the design takes.",
                        );
                    }
                });
        });
    });
}

fn editor_ui(ui: &mut Ui, topology: &Topology, exp: &ExpState, out: &mut Vec<AppCommand>) {
    let mut form = exp.form.clone();
    ui.horizontal(|ui| {
        for kind in [ExpKind::Replications, ExpKind::Sweep, ExpKind::Capacity] {
            if ui
                .selectable_label(form.kind == kind, kind.label())
                .clicked()
            {
                form.kind = kind;
            }
        }
    });
    ui.add_space(4.0);
    egui::Grid::new("experiment-form")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            if form.kind == ExpKind::Sweep {
                sweep_fields_ui(ui, topology, &mut form);
            }
            if form.kind == ExpKind::Capacity {
                ui.label("Find");
                ui.horizontal(|ui| {
                    for goal in [
                        CapacityGoal::MaxLoad,
                        CapacityGoal::MinReplicas,
                        CapacityGoal::MinCost,
                    ] {
                        ui.radio_value(&mut form.goal, goal, goal.label());
                    }
                });
                ui.end_row();
            }
            ui.label("Replications");
            ui.add(egui::DragValue::new(&mut form.replications).range(1..=100))
                .on_hover_text("Independent runs per point, each with its own seed");
            ui.end_row();
            ui.label("Confidence");
            egui::ComboBox::from_id_salt("experiment-confidence")
                .selected_text(format::percent(form.confidence, 0))
                .show_ui(ui, |ui| {
                    for c in [0.9, 0.95, 0.99] {
                        ui.selectable_value(&mut form.confidence, c, format::percent(c, 0));
                    }
                });
            ui.end_row();
        });
    if form.kind == ExpKind::Capacity {
        slo_ui(ui, topology, &mut form);
    }
    if form != exp.form {
        out.push(ExpCommand::SetForm(form).into());
    }
    ui.add_space(6.0);
    match &exp.active {
        Some(active) => progress_ui(ui, active, out),
        None => {
            let needs_slo = exp.form.kind == ExpKind::Capacity && exp.form.slo(topology).is_none();
            let can_start = !needs_slo && !topology.services.is_empty();
            if ui
                .add_enabled(can_start, egui::Button::new("▶ Start"))
                .on_disabled_hover_text("Needs services, and for a capacity search an SLO target")
                .clicked()
            {
                out.push(ExpCommand::Start.into());
            }
        }
    }
    if let Some(error) = &exp.error {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(ui.visuals().error_fg_color, error);
            if ui.small_button("✖").clicked() {
                out.push(ExpCommand::DismissError.into());
            }
        });
    }
}

fn sweep_fields_ui(ui: &mut Ui, topology: &Topology, form: &mut ExpForm) {
    ui.label("Vary");
    let before = form.vary.clone();
    egui::ComboBox::from_id_salt("experiment-vary")
        .width(220.0)
        .selected_text(form.vary.label())
        .show_ui(ui, |ui| {
            for choice in choices(topology) {
                let label = choice.label();
                ui.selectable_value(&mut form.vary, choice, label);
            }
        });
    if form.vary != before {
        form.values = form.vary.default_values(topology);
    }
    ui.end_row();
    ui.label("Values");
    ui.add(
        egui::TextEdit::singleline(&mut form.values)
            .desired_width(220.0)
            .hint_text("START:STOP:STEP or 1,2,4"),
    )
    .on_hover_text("A range START:STOP:STEP (STOP included) or a list 1,2,4");
    ui.end_row();
    ui.label("Chart");
    egui::ComboBox::from_id_salt("experiment-metric")
        .width(220.0)
        .selected_text(form.metric.label())
        .show_ui(ui, |ui| {
            for m in Metric::ALL {
                ui.selectable_value(&mut form.metric, m, m.label());
            }
        });
    ui.end_row();
    if topology.workload.len() > 1 {
        ui.label("Entry");
        let shown = form
            .entry
            .clone()
            .or_else(|| topology.workload.first().map(|w| w.display_name()))
            .unwrap_or_default();
        egui::ComboBox::from_id_salt("experiment-entry")
            .width(220.0)
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for w in &topology.workload {
                    let name = w.display_name();
                    ui.selectable_value(&mut form.entry, Some(name.clone()), name);
                }
            });
        ui.end_row();
    }
}

fn slo_ui(ui: &mut Ui, topology: &Topology, form: &mut ExpForm) {
    let file_slo = topology
        .slo
        .as_ref()
        .filter(|s| crate::experiment::slo::has_targets(s));
    match file_slo {
        Some(slo) => {
            let words: Vec<String> = crate::report::verdicts::target_list(slo)
                .into_iter()
                .map(|t| t.label())
                .collect();
            ui.label(format!("SLO (from the file): {}", words.join(", ")));
        }
        None => {
            ui.label(RichText::new(NO_SLO_HELP).small());
            ui.horizontal(|ui| {
                ui.label("p99 ≤");
                ui.add(
                    egui::TextEdit::singleline(&mut form.typed_p99_ms)
                        .desired_width(60.0)
                        .hint_text("200"),
                );
                ui.label("ms");
            });
        }
    }
}

fn progress_ui(ui: &mut Ui, active: &super::ActiveExp, out: &mut Vec<AppCommand>) {
    let (done, total) = active.handle.progress();
    let share = if total > 0 {
        done as f32 / total as f32
    } else {
        0.0
    };
    ui.label(RichText::new(&active.name).strong());
    ui.add(egui::ProgressBar::new(share).desired_width(EDITOR_WIDTH - 10.0));
    let left = match active.handle.time_left_s() {
        Some(s) if active.handle.estimated => format!("about {} left (estimate)", duration(s)),
        Some(s) => format!("{} left", duration(s)),
        None => "time left: after the first run".to_owned(),
    };
    let runs = if active.handle.estimated {
        format!("{done} runs of about {total}")
    } else {
        format!("{done} of {total} runs")
    };
    ui.label(format!("{runs} · {left}"));
    ui.horizontal(|ui| {
        let cancelling = active.handle.is_cancelling();
        if ui
            .add_enabled(!cancelling, egui::Button::new("■ Cancel"))
            .clicked()
        {
            out.push(ExpCommand::Cancel.into());
        }
        if cancelling {
            ui.spinner();
            ui.weak("cancelling…");
        }
    });
}

fn duration(s: f64) -> String {
    format::duration(s.ceil())
}

fn records_ui(ui: &mut Ui, exp: &ExpState, out: &mut Vec<AppCommand>) {
    let visible = exp.visible();
    ui.label(RichText::new("Experiments of this document").strong());
    if visible.is_empty() {
        ui.weak("none yet");
        return;
    }
    let shown = exp.shown_index();
    for i in visible.into_iter().rev() {
        let record = &exp.records[i];
        ui.horizontal(|ui| {
            if ui
                .selectable_label(shown == Some(i), &record.name)
                .on_hover_text(&record.command)
                .clicked()
            {
                out.push(ExpCommand::Show(i).into());
            }
            if ui.small_button("🗑").on_hover_text("Delete").clicked() {
                out.push(ExpCommand::Delete(i).into());
            }
        });
    }
}

fn record_ui(ui: &mut Ui, record: &ExpRecord, exp: &ExpState) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&record.name).strong());
        ui.weak(format!("· scenario {}", record.scenario));
        if exp.shown_is_stale() {
            let palette = Palette::for_visuals(ui.visuals());
            ui.colored_label(
                palette.warn,
                "⚠ of an earlier version of the model: start it again for the current one",
            );
        }
    });
    ui.horizontal(|ui| {
        ui.weak("Same from the command line:");
        if ui.small_button("Copy").clicked() {
            ui.ctx().copy_text(record.command.clone());
        }
    });
    // Wrapped: a long path or SPEC stays inside the panel.
    ui.add(egui::Label::new(RichText::new(&record.command).code()).wrap());
    ui.add_space(4.0);
    match &record.outcome {
        Outcome::Replications(run) => replicated_ui(ui, run),
        Outcome::Sweep { name, points, .. } => {
            sweep_result_ui(ui, record, name, points, &exp.form);
        }
        Outcome::Capacity(capacity) => capacity_ui(ui, capacity, &record.topology),
    }
}

/// The shown value of a latency, rate or share.
fn ms(v: f64) -> String {
    format::ms(v)
}

fn replicated_ui(ui: &mut Ui, run: &ReplicatedRun) {
    let r = &run.result;
    ui.weak(format!(
        "{} replications · {} confidence intervals (Student-t) · ± is the half-width",
        r.replications,
        format::percent(r.confidence, 0)
    ));
    let entry_cols = [
        "Entry",
        "Throughput (rps)",
        "Success",
        "Mean (ms)",
        "p50 (ms)",
        "p95 (ms)",
        "p99 (ms)",
    ];
    egui::Grid::new("replicated-entries")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for c in entry_cols {
                ui.label(RichText::new(c).strong());
            }
            ui.end_row();
            for e in &r.summary.entrypoints {
                let ci = |f: &str| r.entry_ci(&e.name, f);
                ui.label(&e.name);
                ui.label(plus_minus(e.throughput_rps, ci("throughput_rps"), ms));
                ui.label(plus_minus(e.success_ratio, ci("success_ratio"), |v| {
                    format::percent(v, 2)
                }));
                ui.label(plus_minus(e.latency_ms.mean, ci("latency_ms.mean"), ms));
                ui.label(plus_minus(e.latency_ms.p50, ci("latency_ms.p50"), ms));
                ui.label(plus_minus(e.latency_ms.p95, ci("latency_ms.p95"), ms));
                ui.label(plus_minus(e.latency_ms.p99, ci("latency_ms.p99"), ms));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    bands_ui(ui, run);
    ui.add_space(6.0);
    services_table_ui(ui, r);
}

fn services_table_ui(ui: &mut Ui, r: &crate::experiment::Replicated) {
    egui::Grid::new("replicated-services")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for c in [
                "Service",
                "Utilization",
                "Wait mean (ms)",
                "Response mean (ms)",
                "Response p99 (ms)",
                "Queue (mean)",
            ] {
                ui.label(RichText::new(c).strong());
            }
            ui.end_row();
            for s in &r.summary.services {
                let ci = |f: &str| r.service_ci(&s.name, f);
                ui.label(&s.name);
                ui.label(plus_minus(s.utilization, ci("utilization"), |v| {
                    format::percent(v, 1)
                }));
                ui.label(plus_minus(s.wait_ms.mean, ci("wait_ms.mean"), ms));
                ui.label(plus_minus(s.response_ms.mean, ci("response_ms.mean"), ms));
                ui.label(plus_minus(s.response_ms.p99, ci("response_ms.p99"), ms));
                ui.label(plus_minus(
                    s.queue_length_mean,
                    ci("queue_length_mean"),
                    |v| format::fixed(v, 2),
                ));
                ui.end_row();
            }
        });
}

/// Throughput and p99 over time, each entry's mean line in its band.
fn bands_ui(ui: &mut Ui, run: &ReplicatedRun) {
    let width = ((ui.available_width() - 12.0) / 2.0).max(200.0);
    let warmup_s = run.result.summary.warmup_s;
    ui.horizontal_top(|ui| {
        for (title, unit, p99) in [
            ("Throughput, mean and band", "rps", false),
            ("Latency p99, mean and band", "ms", true),
        ] {
            ui.vertical(|ui| {
                ui.set_width(width);
                ui.label(RichText::new(title).small().strong());
                Plot::new(("replicated-band", title))
                    .height(150.0)
                    .width(width)
                    .allow_scroll(false)
                    .include_y(0.0)
                    .y_axis_min_width(36.0)
                    .x_axis_formatter(|m, _| format!("{} s", format::trim(m.value)))
                    .y_axis_formatter(move |m, _| format!("{} {unit}", format::number(m.value)))
                    .show(ui, |plot| {
                        let colors = [LINE_COLOR, SECOND_COLOR, Color32::from_rgb(171, 71, 188)];
                        for (i, entry) in run.bands.iter().enumerate() {
                            let color = colors[i % colors.len()];
                            let bands = if p99 {
                                &entry.p99_ms
                            } else {
                                &entry.throughput_rps
                            };
                            for pair in bands.windows(2) {
                                if pair[0].t_s < warmup_s {
                                    continue;
                                }
                                plot.polygon(
                                    Polygon::new(
                                        "",
                                        PlotPoints::from(vec![
                                            [pair[0].t_s, pair[0].lo.max(0.0)],
                                            [pair[1].t_s, pair[1].lo.max(0.0)],
                                            [pair[1].t_s, pair[1].hi],
                                            [pair[0].t_s, pair[0].hi],
                                        ]),
                                    )
                                    .fill_color(color.gamma_multiply(0.25))
                                    .stroke(egui::Stroke::NONE),
                                );
                            }
                            let line: Vec<[f64; 2]> =
                                bands.iter().map(|b| [b.t_s, b.mean]).collect();
                            plot.line(
                                Line::new(entry.entry.clone(), PlotPoints::from(line))
                                    .color(color)
                                    .width(1.6),
                            );
                        }
                    });
            });
        }
    });
}

fn sweep_result_ui(
    ui: &mut Ui,
    record: &ExpRecord,
    name: &str,
    points: &[crate::experiment::sweep::PointResult],
    form: &ExpForm,
) {
    let slo = record.topology.slo.as_ref();
    let Some(chart) = sweep_chart(points, name, form.entry.as_deref(), form.metric, slo) else {
        ui.weak("The sweep has no points with traffic to chart.");
        return;
    };
    let palette = Palette::for_visuals(ui.visuals());
    let unit = chart.metric.unit();
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "{} of {} against {name}",
                chart.metric.label(),
                chart.entry
            ))
            .strong(),
        );
        ui.label(
            RichText::new("━ mean  ┃ interval")
                .color(LINE_COLOR)
                .small(),
        );
        if let Some(target) = chart.slo {
            ui.label(
                RichText::new(format!("┅ SLO {} {unit}", format::trim(target)))
                    .color(palette.bad)
                    .small(),
            );
        }
        match chart.knee {
            Some(knee) => {
                let p = chart.points[knee.index];
                let why = match knee.reason {
                    KneeReason::Bend => format!(
                        "the slope exceeds {}× the initial slope",
                        format::trim(figures::KNEE_FACTOR)
                    ),
                    KneeReason::SloBreak => "the SLO breaks".to_owned(),
                };
                ui.label(
                    RichText::new(format!("◆ knee at {name} = {}: {why}", format::trim(p.x)))
                        .color(palette.warn)
                        .small(),
                );
            }
            None => {
                ui.weak("no knee in this range");
            }
        }
    });
    if slo.is_none() {
        ui.weak(
            "No SLO in the file: add \"slo\": {\"latency_p99_ms\": 200} to draw its line and mark where it breaks.",
        );
    }
    let x_name = name.to_owned();
    let width = (ui.available_width() * 0.62).max(260.0);
    ui.horizontal_top(|ui| {
        Plot::new("sweep-chart")
            .height(220.0)
            .width(width)
            .allow_scroll(false)
            .include_y(0.0)
            .y_axis_min_width(40.0)
            .x_axis_label(x_name.clone())
            .y_axis_formatter(move |m, _| format!("{} {unit}", format::number(m.value)))
            .show(ui, |plot| {
                if let Some(target) = chart.slo {
                    plot.hline(
                        HLine::new("SLO", target)
                            .color(palette.bad)
                            .style(LineStyle::dashed_loose()),
                    );
                }
                for p in &chart.points {
                    if p.hi > p.lo {
                        // Every metric is ≥ 0: an interval reaching below
                        // (few replications) is drawn from 0.
                        let lo = p.lo.max(0.0);
                        plot.line(
                            Line::new("", PlotPoints::from(vec![[p.x, lo], [p.x, p.hi]]))
                                .color(LINE_COLOR)
                                .width(1.2),
                        );
                    }
                }
                let mean: Vec<[f64; 2]> = chart.points.iter().map(|p| [p.x, p.y]).collect();
                plot.line(
                    Line::new(chart.metric.label(), PlotPoints::from(mean.clone()))
                        .color(LINE_COLOR)
                        .width(1.8),
                );
                plot.points(
                    Points::new("", PlotPoints::from(mean))
                        .radius(3.0)
                        .color(LINE_COLOR),
                );
                if let Some(knee) = chart.knee {
                    let p = chart.points[knee.index];
                    plot.vline(
                        VLine::new("knee", p.x)
                            .color(palette.warn)
                            .style(LineStyle::dashed_dense()),
                    );
                    plot.points(
                        Points::new("knee", PlotPoints::from(vec![[p.x, p.y]]))
                            .radius(7.0)
                            .shape(egui_plot::MarkerShape::Diamond)
                            .color(palette.warn),
                    );
                }
            });
        ui.vertical(|ui| {
            egui::Grid::new("sweep-points")
                .striped(true)
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    ui.label(RichText::new(name).strong());
                    ui.label(RichText::new(format!("{} ({unit})", chart.metric.label())).strong());
                    ui.label(RichText::new("SLO").strong());
                    ui.end_row();
                    for p in &chart.points {
                        ui.label(format::trim(p.x));
                        let ci = (p.hi > p.lo).then_some([p.lo, p.hi]);
                        ui.label(plus_minus(p.y, ci, format::number));
                        ui.label(match p.slo_met {
                            Some(true) => "met",
                            Some(false) => "broken",
                            None => "–",
                        });
                        ui.end_row();
                    }
                });
        });
    });
}

fn capacity_ui(ui: &mut Ui, capacity: &crate::experiment::capacity::Capacity, topology: &Topology) {
    let lines = figures::capacity_lines(capacity, topology);
    let palette = Palette::for_visuals(ui.visuals());
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(12))
        .show(ui, |ui| {
            let mut lines = lines.iter();
            if let Some(first) = lines.next() {
                ui.label(RichText::new(first).size(20.0).strong().color(palette.ok));
            }
            for line in lines {
                ui.label(line);
            }
        });
    ui.add_space(6.0);
    ui.label(RichText::new("Evaluations").strong());
    egui::Grid::new("capacity-evaluations")
        .striped(true)
        .spacing([14.0, 2.0])
        .show(ui, |ui| {
            for c in ["Point", "Replications", "SLO", "Decided by"] {
                ui.label(RichText::new(c).strong());
            }
            ui.end_row();
            for e in &capacity.evaluations {
                let point: Vec<String> = e
                    .point
                    .iter()
                    .map(|(k, v)| format!("{k} {}", point_text(v)))
                    .collect();
                ui.label(point.join(", "));
                ui.label(e.replications.to_string());
                ui.label(if e.slo_met { "met" } else { "broken" });
                ui.label(e.decided_by);
                ui.end_row();
            }
        });
}

fn point_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format::trim),
        other => other.to_string(),
    }
}
