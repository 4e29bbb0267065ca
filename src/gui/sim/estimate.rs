//! The Results tab's last table: the queueing estimate beside the
//! simulation (mean latency per entry, utilization and mean response per
//! service), with the rows that differ by more than 25% flagged and their
//! likely reason — the same comparison as `archsim run`'s table
//! ([`crate::graph::queueing::compare`]).

use std::sync::Arc;

use egui::{Id, RichText, Ui};

use crate::graph::queueing::compare::{self, Agreement, DISAGREEMENT, Subject};
use crate::report::format;

use super::super::analysis::{more_rows_ui, rows_shown};
use super::super::theme::Palette;
use super::RunView;

/// Where the table keeps how many rows it shows.
pub const ESTIMATE_ROWS_ID: &str = "sim-results-estimate-rows";

/// The heading of the table (tests find it by this label).
pub const ESTIMATE_HEADING: &str = "Queueing estimate vs simulation";

/// The comparison of `run`, flagged rows first (otherwise in the order of
/// the summary: entries, then services), built once per run and snapshot.
fn agreements(ui: &Ui, run: &RunView, key: Id) -> Arc<Vec<Agreement>> {
    let id = Id::unique("sim-estimate-agreements");
    if let Some((k, rows)) = ui.data(|d| d.get_temp::<(Id, Arc<Vec<Agreement>>)>(id))
        && k == key
    {
        return rows;
    }
    // The topology as the scenario ran it, for which services block and
    // autoscale; were its overrides not to apply, the file's says enough.
    let overridden = crate::model::apply_overrides(run.topology, run.scenario).ok();
    let topology = overridden.as_ref().unwrap_or(run.topology);
    let mut rows = compare::compare(topology, run.scenario, run.summary);
    rows.sort_by_key(|r| !r.flagged);
    let rows = Arc::new(rows);
    ui.data_mut(|d| d.insert_temp(id, (key, Arc::clone(&rows))));
    rows
}

/// Draws the table (nothing for a run without an estimate). `key`
/// identifies the run and how far it got.
pub fn estimate_table_ui(ui: &mut Ui, run: &RunView, key: Id, palette: &Palette) {
    let rows = agreements(ui, run, key);
    if rows.is_empty() {
        return;
    }
    let limit = format!("{:.0}%", DISAGREEMENT * 100.0);
    ui.strong(ESTIMATE_HEADING);
    let flagged = rows.iter().filter(|r| r.flagged).count();
    if flagged == 0 {
        ui.label(
            RichText::new(format!(
                "✔ The queueing estimate and the simulation agree within {limit} everywhere."
            ))
            .color(palette.ok),
        );
    } else {
        ui.label(
            RichText::new(format!(
                "⚠ {} differ by more than {limit} (listed first, with the likely reason).",
                format::counted(flagged as u64, "row", "rows")
            ))
            .color(palette.warn),
        );
    }
    ui.weak(
        "Means from queueing theory (Erlang C for exponential work, Allen–Cunneen otherwise), \
         computed from the model without simulating; it leaves out failures, retries, timeouts, \
         rate limits, faults and scaling.",
    );
    let shown = rows_shown(ui, ESTIMATE_ROWS_ID, rows.len());
    egui::Grid::new("sim-estimate")
        .striped(true)
        .spacing([14.0, 3.0])
        .show(ui, |ui| {
            for header in [
                "Where",
                "Utilization (sim)",
                "Utilization (est)",
                "Mean (sim, ms)",
                "Mean (est, ms)",
                "Difference",
                "Likely reason",
            ] {
                ui.strong(header);
            }
            ui.end_row();
            for row in rows.iter().take(shown) {
                row_ui(ui, row, palette);
                ui.end_row();
            }
        });
    more_rows_ui(
        ui,
        ESTIMATE_ROWS_ID,
        shown,
        rows.len(),
        "rows (they agree within the limit)",
    );
}

fn row_ui(ui: &mut Ui, row: &Agreement, palette: &Palette) {
    let right = |ui: &mut Ui, text: RichText| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(text)
        });
    };
    ui.label(match row.subject {
        Subject::Entry => format!("entry {}", row.name),
        Subject::Service => row.name.clone(),
    });
    let (util_sim, util_est) = match row.utilization {
        Some((sim, est)) => (
            format::percent(sim, 1),
            est.map_or_else(|| "overload".to_owned(), |u| format::percent(u, 1)),
        ),
        None => (String::new(), String::new()),
    };
    right(ui, RichText::new(util_sim));
    right(ui, RichText::new(util_est));
    right(
        ui,
        RichText::new(row.simulated_ms.map_or_else(|| "–".to_owned(), format::ms)),
    );
    right(
        ui,
        RichText::new(
            row.estimated_ms
                .map_or_else(|| "unbounded".to_owned(), format::ms),
        ),
    );
    let difference = row
        .difference
        .map_or_else(String::new, |d| format!("{:+.0}%", d * 100.0));
    if row.flagged {
        right(ui, RichText::new(difference).color(palette.warn));
        ui.label(RichText::new(format!("⚠ {}", row.reasons_text())).color(palette.warn));
    } else {
        right(ui, RichText::new(difference));
        ui.label(RichText::new("agrees").weak());
    }
}
