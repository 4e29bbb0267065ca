//! The analysis panel: the foundation's static analysis of the open topology
//! (expected load and utilization per service, bottleneck, entries and their
//! critical paths, cycles, single points of failure, fan-in/fan-out).

use egui::{Grid, RichText, ScrollArea, Ui};

use crate::graph::{Analysis, analyze};
use crate::model::Checked;

use super::command::AppCommand;
use super::paint::format_rate;
use super::scene::Figures;

/// The analysis and the figures the graph shows from it.
#[derive(Debug, Clone)]
pub struct AnalysisView {
    pub analysis: Analysis,
    pub figures: Figures,
    /// Indices of `analysis.services`, busiest first (sorted once here, not
    /// every frame).
    pub by_utilization: Vec<usize>,
}

impl AnalysisView {
    pub fn compute(checked: &Checked) -> Option<AnalysisView> {
        let analysis = analyze(checked);
        let figures = Figures::from_analysis(&analysis);
        let services = &analysis.services;
        let mut by_utilization: Vec<usize> = (0..services.len()).collect();
        by_utilization.sort_by(|&x, &y| {
            services[y]
                .utilization
                .total_cmp(&services[x].utilization)
                .then(x.cmp(&y))
        });
        Some(AnalysisView {
            analysis,
            figures,
            by_utilization,
        })
    }

    /// Services on the critical path of entry `index`, in order.
    pub fn critical_path(&self, index: usize) -> Vec<String> {
        self.analysis
            .entries
            .get(index)
            .map(|entry| {
                entry
                    .critical_path
                    .iter()
                    .map(|step| step.service.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The panel. `highlighted` is the entry whose critical path is highlighted.
pub fn analysis_ui(
    ui: &mut Ui,
    view: Option<&AnalysisView>,
    highlighted: Option<usize>,
    out: &mut Vec<AppCommand>,
) {
    let Some(view) = view else {
        ui.weak("No analysis: the topology has errors (see Problems).");
        return;
    };
    let a = &view.analysis;
    ScrollArea::both()
        .id_salt("analysis-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            summary_ui(ui, a, out);
            ui.add_space(6.0);
            egui::CollapsingHeader::new(format!("Entries ({})", a.entries.len()))
                .default_open(true)
                .show(ui, |ui| entries_ui(ui, a, highlighted, out));
            egui::CollapsingHeader::new(format!("Services by utilization ({})", a.services.len()))
                .default_open(true)
                .show(ui, |ui| services_ui(ui, a, &view.by_utilization, out));
            egui::CollapsingHeader::new(format!(
                "Single points of failure ({})",
                a.single_points_of_failure.len()
            ))
            .default_open(!a.single_points_of_failure.is_empty())
            .show(ui, |ui| {
                let spofs = &a.single_points_of_failure;
                if spofs.is_empty() {
                    ui.weak("None: every service an entry needs survives one failure.");
                }
                let shown = rows_shown(ui, "analysis-spof-rows", spofs.len());
                for spof in &spofs[..shown] {
                    ui.horizontal_wrapped(|ui| {
                        service_link(ui, &spof.service, out);
                        ui.label(format!(
                            "— {}; needed by {}",
                            spof.reason,
                            spof.entries.join(", ")
                        ));
                    });
                }
                more_rows_ui(
                    ui,
                    "analysis-spof-rows",
                    shown,
                    spofs.len(),
                    "single points of failure",
                );
            });
            egui::CollapsingHeader::new(format!("Cycles ({})", a.cycles.len()))
                .default_open(!a.cycles.is_empty())
                .show(ui, |ui| {
                    if a.cycles.is_empty() {
                        ui.weak("None: calls never come back to a caller.");
                    }
                    let shown = rows_shown(ui, "analysis-cycle-rows", a.cycles.len());
                    for cycle in &a.cycles[..shown] {
                        ui.horizontal_wrapped(|ui| {
                            for (i, name) in cycle.example.iter().enumerate() {
                                if i > 0 {
                                    ui.label("→");
                                }
                                service_link(ui, name, out);
                            }
                        });
                    }
                    more_rows_ui(ui, "analysis-cycle-rows", shown, a.cycles.len(), "cycles");
                });
        });
}

fn summary_ui(ui: &mut Ui, a: &Analysis, out: &mut Vec<AppCommand>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Workload {} in total.", format_rate(a.total_rate_rps)));
        match &a.bottleneck {
            Some(b) => {
                ui.label("Bottleneck:");
                service_link(ui, &b.service, out);
                ui.label(format!(
                    "at {:.0}% utilization; the workload can grow {:.2}× (to {}) before it saturates.",
                    b.utilization * 100.0,
                    b.max_load_factor,
                    format_rate(b.max_total_rate_rps)
                ));
            }
            None => {
                ui.label("No bottleneck: no traffic.");
            }
        }
        if !a.overloaded.is_empty() {
            ui.colored_label(ui.visuals().error_fg_color, format!("Overloaded: {}.", a.overloaded.join(", ")));
        }
    });
}

fn entries_ui(ui: &mut Ui, a: &Analysis, highlighted: Option<usize>, out: &mut Vec<AppCommand>) {
    let shown = rows_shown(ui, "analysis-entries-rows", a.entries.len());
    Grid::new("analysis-entries")
        .num_columns(5)
        .striped(true)
        .spacing([12.0, 3.0])
        .show(ui, |ui| {
            ui.strong("Entry");
            ui.strong("Rate");
            ui.strong("Latency (no queueing)");
            ui.strong("Max rate alone");
            ui.strong("Critical path");
            ui.end_row();
            for (i, entry) in a.entries.iter().enumerate().take(shown) {
                let on = highlighted == Some(i);
                if ui
                    .selectable_label(on, &entry.name)
                    .on_hover_text("Highlight its critical path")
                    .clicked()
                {
                    out.push(AppCommand::HighlightEntry(if on { None } else { Some(i) }));
                }
                ui.label(format_rate(entry.rate_rps));
                ui.label(format!("{:.1} ms", entry.latency_ms));
                ui.label(
                    entry
                        .max_rate_rps
                        .map_or_else(|| "—".to_owned(), format_rate),
                );
                let path: Vec<&str> = entry
                    .critical_path
                    .iter()
                    .map(|s| s.service.as_str())
                    .collect();
                ui.label(format!(
                    "{} ({:.1} ms)",
                    path.join(" → "),
                    entry.critical_path_ms
                ));
                ui.end_row();
            }
        });
    more_rows_ui(
        ui,
        "analysis-entries-rows",
        shown,
        a.entries.len(),
        "entries",
    );
}

fn services_ui(ui: &mut Ui, a: &Analysis, order: &[usize], out: &mut Vec<AppCommand>) {
    let shown = rows_shown(ui, "analysis-services-rows", order.len());
    Grid::new("analysis-services")
        .num_columns(7)
        .striped(true)
        .spacing([12.0, 3.0])
        .show(ui, |ui| {
            for title in [
                "Service",
                "Utilization",
                "Load",
                "Replicas × workers",
                "Fan-in",
                "Fan-out",
                "Layer",
            ] {
                ui.strong(title);
            }
            ui.end_row();
            for &i in &order[..shown] {
                let s = &a.services[i];
                service_link(ui, &s.name, out);
                let text = format!("{:.0}%", s.utilization * 100.0);
                if s.overloaded {
                    ui.colored_label(ui.visuals().error_fg_color, RichText::new(text).strong());
                } else if s.utilization >= 0.85 {
                    ui.colored_label(ui.visuals().warn_fg_color, text);
                } else {
                    ui.label(text);
                }
                ui.label(format_rate(s.arrival_rate_rps));
                ui.label(format!("{} × {}", s.replicas, s.workers));
                ui.label(s.fan_in.to_string());
                ui.label(s.fan_out.to_string());
                ui.label(s.layer.to_string());
                ui.end_row();
            }
        });
    more_rows_ui(
        ui,
        "analysis-services-rows",
        shown,
        order.len(),
        "services with lower utilization",
    );
}

/// Rows shown at first in a long table: laying out a thousand rows every
/// frame would cost more than the graph.
const FIRST_ROWS: usize = 25;

/// How many of `total` rows the table `id` shows now.
pub(super) fn rows_shown(ui: &Ui, id: &str, total: usize) -> usize {
    let limit = ui
        .data(|d| d.get_temp::<usize>(egui::Id::unique(id)))
        .unwrap_or(FIRST_ROWS);
    total.min(limit)
}

/// "N more …" with a button that shows them all.
pub(super) fn more_rows_ui(ui: &mut Ui, id: &str, shown: usize, total: usize, what: &str) {
    if shown >= total {
        return;
    }
    ui.horizontal(|ui| {
        ui.weak(format!("{} more {what}.", total - shown));
        if ui.small_button("Show all").clicked() {
            ui.data_mut(|d| d.insert_temp(egui::Id::unique(id), usize::MAX));
        }
    });
}

fn service_link(ui: &mut Ui, name: &str, out: &mut Vec<AppCommand>) {
    if ui
        .link(name)
        .on_hover_text("Select and show in the graph")
        .clicked()
    {
        out.push(AppCommand::Reveal(name.to_owned()));
    }
}
