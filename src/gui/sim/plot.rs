//! Drawing the charts of a run (egui_plot): the warm-up greyed, fault
//! windows shaded and scaling steps marked (from the engine's
//! `fault_windows` and `scaling_events`, so autoscaler steps show too), x
//! axes and cursors linked, values on hover, and a legend in a row above
//! each chart so that it never covers the data.

use egui::{Color32, Id, RichText, Ui};
use egui_plot::{HoverPosition, Line, LineStyle, Plot, PlotPoints, Span, VLine};

use crate::metrics::{ScalingReason, Summary};
use crate::model::{Fault, Scenario};
use crate::report::format;

use super::super::theme::Palette;
use super::charts::{Chart, ChartLine, LineRole};
use super::timeline::fault_label;

/// Height of one chart's plot, in points, at most and at least.
const CHART_HEIGHT_MAX: f32 = 150.0;
const CHART_HEIGHT_MIN: f32 = 90.0;
/// A chart's title row and the spacing around it, in points.
const CHART_TITLE: f32 = 24.0;

/// The plot height that shows two whole rows of charts in `visible_height`
/// points (between 90 and 150 points); more rows scroll.
pub fn chart_height(visible_height: f32) -> f32 {
    ((visible_height - 2.0 * CHART_TITLE) / 2.0).clamp(CHART_HEIGHT_MIN, CHART_HEIGHT_MAX)
}

/// Colours of lines that do not choose one, in order.
const LINE_COLORS: [Color32; 6] = [
    Color32::from_rgb(66, 133, 244),
    Color32::from_rgb(52, 168, 83),
    Color32::from_rgb(171, 71, 188),
    Color32::from_rgb(0, 150, 160),
    Color32::from_rgb(120, 120, 120),
    Color32::from_rgb(121, 85, 72),
];

/// A fault window: start, end and its words.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultMark {
    pub start_s: f64,
    pub end_s: f64,
    pub label: String,
}

/// A change of a service's replica count.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalingMark {
    pub at_s: f64,
    pub service: String,
    pub label: String,
    /// A decision of the autoscaler (drawn fainter than scheduled steps).
    pub autoscale: bool,
}

/// The window of one or more findings of a run, shaded amber on the charts
/// and named in the row above them.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingMark {
    pub start_s: f64,
    pub end_s: f64,
    /// The findings' kinds in words, e.g. "Metastable failure".
    pub label: String,
    /// Run B's in a comparison: outlined dashed, as B's lines are.
    pub dashed: bool,
}

/// Windows and moments marked on every chart.
#[derive(Debug, Clone, Default)]
pub struct ChartMarks {
    pub warmup_s: f64,
    pub faults: Vec<FaultMark>,
    pub scaling: Vec<ScalingMark>,
    /// The windows of the run's findings (of both runs in a comparison),
    /// shaded amber.
    pub findings: Vec<FindingMark>,
    /// The replay position.
    pub cursor_s: Option<f64>,
}

/// The `kind` of a fault, as the engine names it in `fault_windows`.
fn fault_kind(fault: &Fault) -> &'static str {
    match fault {
        Fault::Crash { .. } => "crash",
        Fault::Latency { .. } => "latency",
        Fault::Errors { .. } => "errors",
        Fault::ZoneOutage { .. } => "zone_outage",
        Fault::Partition { .. } => "partition",
    }
}

impl ChartMarks {
    /// The marks of a run: the engine's fault windows and scaling events,
    /// plus the scenario's scheduled steps not reached yet (a run in
    /// progress); before the engine reports any, the scenario's faults.
    pub fn of(scenario: &Scenario, summary: &Summary) -> ChartMarks {
        let duration_s = summary.duration_s;
        let faults = if summary.fault_windows.is_empty() {
            scenario
                .faults
                .iter()
                .filter(|f| f.at_s() < duration_s)
                .map(|f| FaultMark {
                    start_s: f.at_s(),
                    end_s: f
                        .duration_s()
                        .map_or(duration_s, |d| f.at_s() + d)
                        .min(duration_s),
                    label: fault_label(f),
                })
                .collect()
        } else {
            let mut used = vec![false; scenario.faults.len()];
            summary
                .fault_windows
                .iter()
                .map(|w| {
                    let matching = scenario.faults.iter().enumerate().find(|(i, f)| {
                        !used[*i] && fault_kind(f) == w.kind && (f.at_s() - w.start_s).abs() < 1e-6
                    });
                    let label = match matching {
                        Some((i, f)) => {
                            used[i] = true;
                            fault_label(f)
                        }
                        None => format!("{} {}", w.kind.replace('_', " "), w.target),
                    };
                    FaultMark {
                        start_s: w.start_s,
                        end_s: w.end_s,
                        label,
                    }
                })
                .collect()
        };
        let mut scaling: Vec<ScalingMark> = summary
            .scaling_events
            .iter()
            .map(|e| ScalingMark {
                at_s: e.t_s,
                service: e.service.clone(),
                label: match e.reason {
                    ScalingReason::Scheduled => format!("{} {}→{}", e.service, e.from, e.to),
                    ScalingReason::Autoscale => format!("auto {} {}→{}", e.service, e.from, e.to),
                },
                autoscale: e.reason == ScalingReason::Autoscale,
            })
            .collect();
        // Scheduled steps not reached yet (a run in progress) are planned.
        let reached_s = match summary.status {
            crate::metrics::RunStatus::Running => summary.simulated_s,
            _ => duration_s,
        };
        scaling.extend(
            scenario
                .scaling
                .iter()
                .filter(|s| s.at_s >= reached_s && s.at_s < duration_s)
                .map(|s| ScalingMark {
                    at_s: s.at_s,
                    service: s.service.clone(),
                    label: format!("{} → {}", s.service, s.replicas),
                    autoscale: false,
                }),
        );
        scaling.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        scaling.dedup_by(|a, b| a.at_s == b.at_s && a.service == b.service);
        ChartMarks {
            warmup_s: scenario.warmup_s,
            faults,
            scaling,
            findings: Vec::new(),
            cursor_s: None,
        }
    }
}

/// Draws `charts` in a grid of `columns`, linked on the time axis, each
/// plot `height` points high.
pub fn charts_grid_ui(
    ui: &mut Ui,
    id: &str,
    charts: Vec<Chart>,
    marks: &ChartMarks,
    columns: usize,
    height: f32,
) {
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
                    let size = egui::vec2(width, height);
                    chart_ui(ui, (id, i), link, &chart, marks, &palette, size);
                });
            }
        });
    }
}

/// The row above a grid of charts that says what the amber windows are:
/// `▮ Shaded: Metastable failure 62–300 s · Sustained overload 65–300 s`.
/// Nothing when no finding is shaded.
pub fn findings_legend_ui(ui: &mut Ui, marks: &ChartMarks) {
    if marks.findings.is_empty() {
        return;
    }
    let palette = Palette::for_visuals(ui.visuals());
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        ui.label(RichText::new("▮").color(palette.warn));
        ui.label(RichText::new("Shaded: findings").small())
            .on_hover_text("The windows of the run's findings, as the Results tab lists them");
        for (i, finding) in marks.findings.iter().enumerate() {
            let text = format!(
                "{}{} {}–{} s",
                if i == 0 { "" } else { "· " },
                finding.label,
                format::trim(finding.start_s.round()),
                format::trim(finding.end_s.round())
            );
            ui.label(RichText::new(text).small().color(palette.warn));
        }
    });
}

/// The lines drawn: all but a total that equals its one part.
fn drawn_lines(chart: &Chart) -> Vec<&ChartLine> {
    let parts = chart
        .lines
        .iter()
        .filter(|l| l.role == LineRole::Part)
        .count();
    chart
        .lines
        .iter()
        .filter(|l| !(l.role == LineRole::Total && parts == 1))
        .collect()
}

/// The colour of each line drawn.
fn line_colors(lines: &[&ChartLine]) -> Vec<Color32> {
    let mut next = 0;
    lines
        .iter()
        .map(|line| {
            line.color.unwrap_or_else(|| {
                let color = LINE_COLORS[next % LINE_COLORS.len()];
                next += 1;
                color
            })
        })
        .collect()
}

/// The title and, on the same wrapped row, the legend.
fn title_and_legend_ui(ui: &mut Ui, chart: &Chart, lines: &[&ChartLine], colors: &[Color32]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        ui.label(RichText::new(&chart.title).strong().small());
        for (line, color) in lines.iter().zip(colors) {
            let swatch = if line.dashed { "┅" } else { "━" };
            ui.label(
                RichText::new(format!("{swatch} {}", line.name))
                    .small()
                    .color(*color),
            );
        }
    });
}

fn chart_ui(
    ui: &mut Ui,
    id: (&str, usize),
    link: Id,
    chart: &Chart,
    marks: &ChartMarks,
    palette: &Palette,
    size: egui::Vec2,
) {
    let lines = drawn_lines(chart);
    let colors = line_colors(&lines);
    title_and_legend_ui(ui, chart, &lines, &colors);
    let unit = chart.unit;
    let has_data = chart.lines.iter().any(|l| !l.points.is_empty());
    // A service's chart marks that service's scaling steps; the others all.
    let scaling: Vec<&ScalingMark> = marks
        .scaling
        .iter()
        .filter(|m| chart.service.as_ref().is_none_or(|s| *s == m.service))
        .collect();
    let response = Plot::new(id)
        .height(size.y)
        .width(size.x)
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
            for finding in &marks.findings {
                let style = if finding.dashed {
                    LineStyle::dashed_loose()
                } else {
                    LineStyle::Solid
                };
                plot.span(
                    Span::new("", finding.start_s..=finding.end_s)
                        .fill(palette.warn.gamma_multiply(0.10))
                        .border_color(palette.warn.gamma_multiply(0.6))
                        .border_style(style),
                );
            }
            for fault in &marks.faults {
                plot.span(
                    Span::new("", fault.start_s..=fault.end_s)
                        .fill(palette.bad.gamma_multiply(0.12))
                        .border_color(palette.bad.gamma_multiply(0.5)),
                );
            }
            for step in &scaling {
                let color = if step.autoscale {
                    palette.downstream.gamma_multiply(0.6)
                } else {
                    palette.downstream
                };
                plot.vline(
                    VLine::new("", step.at_s)
                        .color(color)
                        .style(LineStyle::dashed_loose()),
                );
            }
            if let Some(at) = marks.cursor_s {
                plot.vline(VLine::new("", at).color(palette.critical).width(1.5));
            }
            for (line, color) in lines.iter().zip(&colors) {
                let mut item = Line::new(line.name.clone(), PlotPoints::from(line.points.clone()))
                    .width(1.6)
                    .color(*color);
                if line.dashed {
                    item = item.style(LineStyle::dashed_dense());
                }
                plot.line(item);
            }
        });
    // Names of the fault windows and scaling steps along the bottom, left
    // to right, skipping those that would overlap the previous one.
    let transform = &response.transform;
    let frame = *transform.frame();
    let painter = ui.painter_at(frame);
    let font = egui::FontId::proportional(10.0);
    let mut labels: Vec<(f64, &str, Color32)> = marks
        .faults
        .iter()
        .map(|f| (f.start_s, f.label.as_str(), palette.bad))
        .collect();
    labels.extend(
        scaling
            .iter()
            .map(|m| (m.at_s, m.label.as_str(), palette.downstream)),
    );
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut free_from = frame.left();
    for (at, label, color) in labels {
        let x = transform.position_from_point_x(at).max(frame.left()) + 3.0;
        if x < free_from || x > frame.right() - 20.0 {
            continue;
        }
        let rect = painter.text(
            egui::pos2(x, frame.bottom() - 2.0),
            egui::Align2::LEFT_BOTTOM,
            label,
            font.clone(),
            color,
        );
        free_from = rect.right() + 4.0;
    }
    if !has_data {
        ui.weak("no data yet");
    }
}
