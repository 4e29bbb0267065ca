//! The Results tab: the verdict in words (SLO against the file's `slo`,
//! the cost of the replicas held, the bottleneck, the first service to fail) and sortable tables of the
//! entries and services of the shown run.

use std::sync::Arc;

use egui::{Color32, Id, RichText, Ui};

use crate::metrics::ErrorCounts;
use crate::report::failure;
use crate::report::format;
use crate::report::verdicts;

use super::super::analysis::{more_rows_ui, rows_shown};
use super::super::command::{AppCommand, Selection};
use super::super::theme::Palette;
use super::{RunView, SimCommand, SimState, Sort, Table};

/// Where the tables keep how many rows they show: the first rows at first
/// (a thousand rows laid out every frame would cost more than the graph),
/// all after "Show all". Sorting orders all rows, then shows the first.
pub const ENTRY_ROWS_ID: &str = "sim-results-entry-rows";
pub const SERVICE_ROWS_ID: &str = "sim-results-service-rows";

/// A sentence of the verdict, with its tone.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub text: String,
    pub good: Option<bool>,
}

/// The verdict of a run, in sentences.
pub fn findings(run: &RunView) -> Vec<Finding> {
    let summary = run.summary;
    // The run's findings (metastable failures first) before the verdicts;
    // their windows are shaded on the charts.
    let mut list: Vec<Finding> = summary
        .findings
        .iter()
        .map(|f| Finding {
            text: format!("{}: {} (shaded on the charts)", f.label(), f.text()),
            good: Some(false),
        })
        .collect();
    match run.topology.slo.as_ref().filter(|s| verdicts::has_targets(s)) {
        Some(slo) => {
            let labels: Vec<String> = verdicts::target_list(slo).iter().map(|t| t.label()).collect();
            let missed = verdicts::misses(slo, summary);
            if missed.is_empty() {
                list.push(Finding {
                    text: format!("SLO met: every entry meets {}.", labels.join(", ")),
                    good: Some(true),
                });
            } else {
                let parts: Vec<String> = missed
                    .iter()
                    .take(6)
                    .map(|(entry, target)| format!("{} {} (target {})", entry.name, target.shown(entry), target.label()))
                    .collect();
                let more = if missed.len() > 6 { format!("; and {} more", missed.len() - 6) } else { String::new() };
                list.push(Finding {
                    text: format!("SLO missed: {}{more}.", parts.join("; ")),
                    good: Some(false),
                });
            }
        }
        None => list.push(Finding {
            text: "The file sets no SLO (set one in the inspector with nothing selected) — no verdict.".to_owned(),
            good: None,
        }),
    }
    if let Some(cost) = crate::report::cost::sentence(summary) {
        let mut text = cost;
        // "cost: …" as a sentence.
        text.replace_range(..1, "C");
        list.push(Finding {
            text: format!("{text}."),
            good: None,
        });
    }
    if let Some(b) = verdicts::busiest(summary) {
        let mut text = format!(
            "Bottleneck: {}, {} busy on average",
            b.name,
            format::percent(b.utilization, 0)
        );
        if let Some(peak) =
            verdicts::peak_utilization(summary, &b.name).filter(|p| *p > b.utilization + 0.02)
        {
            text.push_str(&format!(" ({} at its peak)", format::percent(peak, 0)));
        }
        text.push_str(&format!(
            "; requests wait {} ms there on average ({} ms at p99), up to {} queued.",
            format::ms(b.wait_ms.mean),
            format::ms(b.wait_ms.p99),
            format::count(b.queue_length_max)
        ));
        list.push(Finding {
            text,
            good: if b.utilization >= 0.95 {
                Some(false)
            } else {
                None
            },
        });
    }
    match failure::first_failure(run.topology, summary) {
        Some(f) => {
            let mut text = format!("First to fail: {}", f.sentence());
            if !f.saturated
                && let Some(s) = summary.service(&f.service)
            {
                text.push_str(&format!(
                    " Over the run: {}.",
                    verdicts::cause_list(&s.errors)
                ));
            }
            list.push(Finding {
                text,
                good: Some(false),
            });
        }
        None => list.push(Finding {
            text: format!(
                "No service failed requests or was saturated for {} or longer.",
                format::duration(failure::SUSTAINED_S)
            ),
            good: Some(true),
        }),
    }
    for warning in &summary.warnings {
        list.push(Finding {
            text: format!("Note: {warning}"),
            good: None,
        });
    }
    let in_flight: u64 = summary.entrypoints.iter().map(|e| e.in_flight).sum();
    let completed: u64 = summary.entrypoints.iter().map(|e| e.completed).sum();
    if in_flight > 10 && in_flight as f64 > 0.01 * completed as f64 {
        list.push(Finding {
            text: format!(
                "{} still unanswered at the end: a backlog was building up.",
                format::counted(in_flight, "request was", "requests were")
            ),
            good: Some(false),
        });
    }
    list
}

/// What the tables of a run shown so far were built from: the run, how
/// far it got, the sort.
fn run_key(run: &RunView, sort: Sort) -> Id {
    let s = run.summary;
    Id::unique((
        run.name,
        s.events,
        s.simulated_s.to_bits(),
        s.timeseries.t_s.len(),
        sort.column,
        sort.descending,
    ))
}

/// The sorted rows of a table, built once per run, snapshot and sort
/// (formatting and sorting the 1,044 rows of the large example every frame
/// cost about 20 ms; see docs/performance.md).
fn cached_rows(
    ui: &Ui,
    slot: &str,
    run: &RunView,
    sort: Sort,
    build: impl FnOnce() -> Vec<Vec<Cell>>,
) -> Arc<Vec<Vec<Cell>>> {
    let id = Id::unique(slot);
    let key = run_key(run, sort);
    if let Some((k, rows)) = ui.data(|d| d.get_temp::<(Id, Arc<Vec<Vec<Cell>>>)>(id))
        && k == key
    {
        return rows;
    }
    let mut rows = build();
    ordered(&mut rows, sort);
    let rows = Arc::new(rows);
    ui.data_mut(|d| d.insert_temp(id, (key, Arc::clone(&rows))));
    rows
}

/// A cell: shown text and the value it sorts by.
#[derive(Clone)]
enum Cell {
    Text(String),
    Number(String, f64),
}

impl Cell {
    fn num(value: f64, shown: String) -> Cell {
        Cell::Number(shown, value)
    }

    fn shown(&self) -> &str {
        match self {
            Cell::Text(s) | Cell::Number(s, _) => s,
        }
    }
}

fn ordered(rows: &mut [Vec<Cell>], sort: Sort) {
    rows.sort_by(|a, b| {
        let order = match (a.get(sort.column), b.get(sort.column)) {
            (Some(Cell::Number(_, x)), Some(Cell::Number(_, y))) => x.total_cmp(y),
            (Some(x), Some(y)) => x.shown().cmp(y.shown()),
            _ => std::cmp::Ordering::Equal,
        };
        if sort.descending {
            order.reverse()
        } else {
            order
        }
    });
}

/// Errors by cause, named as in the charts' legends and the summary:
/// `timeout 3 · error 4`.
fn causes(errors: &ErrorCounts) -> String {
    let parts: Vec<String> = ErrorCounts::CAUSES
        .iter()
        .zip(errors.by_cause())
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name} {}", format::count(n)))
        .collect();
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// The Results tab.
pub fn results_tab_ui(ui: &mut Ui, sim: &SimState, out: &mut Vec<AppCommand>) {
    let shown = sim.with_shown(|run| {
        let palette = Palette::for_visuals(ui.visuals());
        // An unstable or diverged run says so before anything else.
        if let Some(headline) = crate::metrics::Stability::headline(run.summary) {
            ui.label(
                egui::RichText::new(format!("⚠ {headline}"))
                    .strong()
                    .color(palette.bad),
            );
        }
        ui.horizontal(|ui| {
            ui.strong(run.name);
            let s = run.summary;
            ui.weak(format!(
                "{} · {} events computed in {} s",
                match s.status {
                    crate::metrics::RunStatus::Cancelled => format!(
                        "stopped at t = {} s of {} s: the figures cover that part only",
                        format::trim(s.simulated_s),
                        format::trim(s.duration_s)
                    ),
                    crate::metrics::RunStatus::Running =>
                        format!("{} s simulated so far", format::trim(s.simulated_s)),
                    crate::metrics::RunStatus::Complete =>
                        format!("{} s simulated", format::trim(s.simulated_s)),
                    crate::metrics::RunStatus::Diverged => format!(
                        "stopped at t = {} s: diverged (too many requests in flight)",
                        format::trim(s.simulated_s)
                    ),
                },
                format::count(s.events),
                format::fixed(s.wall_s, 2)
            ));
        });
        if run.stale {
            ui.label(
                RichText::new(
                    "⚠ The model was edited since this run: these results are of the earlier version. Run again to see the effect of the change.",
                )
                .color(palette.warn),
            );
        }
        let key = run_key(run, Sort::default());
        let found = ui.data(|d| d.get_temp::<(Id, Arc<Vec<Finding>>)>(Id::unique("sim-findings")));
        let found = match found.filter(|(k, _)| *k == key) {
            Some((_, found)) => found,
            None => {
                let found = Arc::new(findings(run));
                ui.data_mut(|d| {
                    d.insert_temp(Id::unique("sim-findings"), (key, Arc::clone(&found)))
                });
                found
            }
        };
        // The verdict scrolls with the tables: long findings on a small
        // window must not push the tables out of reach.
        egui::ScrollArea::both()
            .id_salt("sim-results-scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for finding in found.iter() {
                    let (mark, color) = match finding.good {
                        Some(true) => ("✔", palette.ok),
                        Some(false) => ("✖", palette.bad),
                        None => ("•", ui.visuals().text_color()),
                    };
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(mark).color(color).strong());
                        ui.label(&finding.text);
                    });
                }
                ui.separator();
                entries_table_ui(ui, run, sim.entries_sort, &palette, out);
                ui.add_space(8.0);
                services_table_ui(ui, run, sim.services_sort, &palette, out);
                ui.add_space(8.0);
                super::estimate::estimate_table_ui(ui, run, key, &palette);
            });
    });
    if shown.is_none() {
        ui.weak("No run of this document yet. Press ▶ Run (F5): the verdict and the tables of entries and services appear here.");
        if !sim.runs.is_empty() {
            ui.weak("Runs of other documents stay in the Compare tab.");
        }
    }
}

fn header_row(ui: &mut Ui, table: Table, headers: &[&str], sort: Sort, out: &mut Vec<AppCommand>) {
    for (i, header) in headers.iter().enumerate() {
        let arrow = if sort.column == i {
            if sort.descending { " ⏷" } else { " ⏶" }
        } else {
            ""
        };
        if ui
            .add(egui::Button::new(RichText::new(format!("{header}{arrow}")).strong()).frame(false))
            .on_hover_text("Sort by this column")
            .clicked()
        {
            out.push(SimCommand::SortBy { table, column: i }.into());
        }
    }
    ui.end_row();
}

fn entries_table_ui(
    ui: &mut Ui,
    run: &RunView,
    sort: Sort,
    palette: &Palette,
    out: &mut Vec<AppCommand>,
) {
    let summary = run.summary;
    let slo = run.topology.slo.clone().unwrap_or_default();
    let targets = verdicts::target_list(&slo);
    let rows = cached_rows(ui, "sim-entries-rows", run, sort, || {
        summary
            .entrypoints
            .iter()
            .map(|e| {
                let verdict = if targets.is_empty() {
                    Cell::Text("–".to_owned())
                } else if targets.iter().all(|t| t.met(e) != Some(false)) {
                    Cell::Text("✔ met".to_owned())
                } else {
                    Cell::Text("✖ missed".to_owned())
                };
                vec![
                    Cell::Text(e.name.clone()),
                    Cell::num(e.offered as f64, format::count(e.offered)),
                    Cell::num(e.throughput_rps, format::fixed(e.throughput_rps, 1)),
                    Cell::num(e.success_ratio, format::availability(e.success_ratio)),
                    Cell::num(e.latency_ms.p50, format::ms(e.latency_ms.p50)),
                    Cell::num(e.latency_ms.p95, format::ms(e.latency_ms.p95)),
                    Cell::num(e.latency_ms.p99, format::ms(e.latency_ms.p99)),
                    Cell::num(e.latency_ms.max, format::ms(e.latency_ms.max)),
                    Cell::num(e.failed as f64, format::count(e.failed)),
                    Cell::Text(causes(&e.errors)),
                    verdict,
                ]
            })
            .collect()
    });
    let shown = rows_shown(ui, ENTRY_ROWS_ID, rows.len());
    ui.strong("Entries");
    egui::Grid::new("sim-entries")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            header_row(
                ui,
                Table::Entries,
                &[
                    "Entry",
                    "Offered",
                    "Throughput (req/s)",
                    "Success",
                    "p50 (ms)",
                    "p95 (ms)",
                    "p99 (ms)",
                    "Max (ms)",
                    "Failed",
                    "Errors by cause",
                    "SLO",
                ],
                sort,
                out,
            );
            for row in rows.iter().take(shown) {
                for (i, cell) in row.iter().enumerate() {
                    let color = match cell.shown() {
                        "✔ met" => Some(palette.ok),
                        "✖ missed" => Some(palette.bad),
                        _ if i == 8 && cell.shown() != "0" => Some(palette.bad),
                        _ => None,
                    };
                    cell_ui(ui, cell, color);
                }
                ui.end_row();
            }
        });
    more_rows_ui(
        ui,
        ENTRY_ROWS_ID,
        shown,
        rows.len(),
        "entries (in this order)",
    );
}

fn services_table_ui(
    ui: &mut Ui,
    run: &RunView,
    sort: Sort,
    palette: &Palette,
    out: &mut Vec<AppCommand>,
) {
    let rows = cached_rows(ui, "sim-services-rows", run, sort, || {
        run.summary
            .services
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.name.clone()),
                    Cell::num(s.arrivals_rps, format::fixed(s.arrivals_rps, 1)),
                    Cell::num(s.throughput_rps, format::fixed(s.throughput_rps, 1)),
                    Cell::num(s.utilization, format::percent(s.utilization, 0)),
                    Cell::num(s.replicas_mean, format::fixed(s.replicas_mean, 1)),
                    Cell::num(s.wait_ms.p99, format::ms(s.wait_ms.p99)),
                    Cell::num(s.response_ms.p99, format::ms(s.response_ms.p99)),
                    Cell::num(s.queue_length_mean, format::fixed(s.queue_length_mean, 2)),
                    Cell::num(s.queue_length_max as f64, format::count(s.queue_length_max)),
                    Cell::num(s.errors.total() as f64, format::count(s.errors.total())),
                    Cell::Text(causes(&s.errors)),
                ]
            })
            .collect()
    });
    let shown = rows_shown(ui, SERVICE_ROWS_ID, rows.len());
    ui.strong("Services");
    egui::Grid::new("sim-services")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            header_row(
                ui,
                Table::Services,
                &[
                    "Service",
                    "Arrivals (req/s)",
                    "Throughput (req/s)",
                    "Utilization",
                    "Replicas",
                    "Wait p99 (ms)",
                    "Response p99 (ms)",
                    "Queue mean",
                    "Queue max",
                    "Failed",
                    "Errors by cause",
                ],
                sort,
                out,
            );
            for row in rows.iter().take(shown) {
                for (i, cell) in row.iter().enumerate() {
                    if i == 0 {
                        // The name selects the service (and charts it).
                        if ui
                            .link(cell.shown())
                            .on_hover_text("Select in the graph")
                            .clicked()
                        {
                            out.push(AppCommand::Select(Selection::Service(
                                cell.shown().to_owned(),
                            )));
                        }
                        continue;
                    }
                    let color = match (i, cell) {
                        (3, Cell::Number(_, u)) => {
                            Some(palette.utilization(*u)).filter(|_| *u >= 0.6)
                        }
                        (9, Cell::Number(_, n)) if *n > 0.0 => Some(palette.bad),
                        _ => None,
                    };
                    cell_ui(ui, cell, color);
                }
                ui.end_row();
            }
        });
    more_rows_ui(
        ui,
        SERVICE_ROWS_ID,
        shown,
        rows.len(),
        "services (in this order)",
    );
}

fn cell_ui(ui: &mut Ui, cell: &Cell, color: Option<Color32>) {
    let text = RichText::new(cell.shown());
    let text = match color {
        Some(color) => text.color(color),
        None => text,
    };
    match cell {
        Cell::Number(..) => {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(text)
            });
        }
        Cell::Text(_) => {
            ui.label(text);
        }
    }
}
