//! The "Design vs traces" window: the differences to walk through, one
//! section per kind. A row shows its item on the canvas when clicked; an
//! observed edge, service or time is adopted into the model with one click
//! (an ordinary edit, so Edit ▸ Undo takes it back).

use egui::{RichText, ScrollArea, Ui};

use crate::report::format;

use super::super::app::App;
use super::super::command::{AppCommand, Edit, Selection};
use super::super::import::files_label;
use super::{Comparison, TracesCommand, added_service, adopted_time};

/// The window, while a comparison is shown.
pub fn window_ui(app: &App, ctx: &egui::Context, out: &mut Vec<AppCommand>) {
    let Some(comparison) = &app.traces.comparison else {
        return;
    };
    let mut open = true;
    // At the window's right edge, over the inspector more than the graph:
    // the graph shows what the list is about.
    let canvas = app.canvas.rect;
    let screen = ctx.content_rect();
    let width = 400.0;
    let mut window = egui::Window::new("Design vs traces")
        .id(egui::Id::unique("trace-comparison"))
        .open(&mut open)
        .default_size([width, 420.0]);
    if canvas.height() > 200.0 && screen.width() > width + 100.0 {
        window = window
            .default_pos(egui::pos2(
                screen.right() - width - 16.0,
                canvas.top() + 8.0,
            ))
            .constrain_to(screen);
    }
    window.resizable(true).collapsible(true).show(ctx, |ui| {
        body_ui(ui, app, comparison, out);
    });
    if !open {
        out.push(AppCommand::Traces(TracesCommand::Close));
    }
}

fn body_ui(ui: &mut Ui, app: &App, comparison: &Comparison, out: &mut Vec<AppCommand>) {
    let diff = &comparison.diff;
    let topology = &app.doc.topology;
    ui.label(
        RichText::new(format!(
            "“{}” against {}",
            topology.name,
            files_label(&comparison.paths)
        ))
        .strong(),
    )
    .on_hover_text(
        comparison
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    match diff.differences() {
        0 => ui.label("Nothing differs: the design agrees with the traces."),
        n => ui.label(format!(
            "{} (drift: more than {} off the declared value).",
            format::counted(n as u64, "difference", "differences"),
            format::percent(diff.threshold, 0)
        )),
    };
    ui.horizontal(|ui| {
        let mut shown = comparison.show_overlay;
        if ui
            .checkbox(&mut shown, "Show on the graph")
            .on_hover_text(
                "Dashed: observed, not declared · faded: never observed · ringed: drifts",
            )
            .changed()
        {
            out.push(AppCommand::Traces(TracesCommand::ShowOverlay(shown)));
        }
        ui.separator();
        ui.label("Drift past");
        let mut percent = comparison.threshold * 100.0;
        let response = ui.add(
            egui::DragValue::new(&mut percent)
                .range(1.0..=1000.0)
                .speed(1.0)
                .suffix("%"),
        );
        if response.changed() {
            out.push(AppCommand::Traces(TracesCommand::SetThreshold(
                percent / 100.0,
            )));
        }
    });
    let warnings = &comparison.outcome.warnings;
    if !warnings.is_empty() {
        egui::CollapsingHeader::new(
            RichText::new(format!("⚠ Reading the traces: {} warnings", warnings.len()))
                .color(ui.visuals().warn_fg_color),
        )
        .id_salt("traces-warnings")
        .show(ui, |ui| {
            for line in warnings {
                ui.label(line);
            }
        });
    }
    ui.separator();
    ScrollArea::vertical()
        .id_salt("traces-scroll")
        .max_height((ui.available_height() - 36.0).max(120.0))
        .auto_shrink([false, true])
        .show(ui, |ui| sections_ui(ui, app, comparison, out));
    ui.separator();
    ui.horizontal(|ui| {
        ui.weak("Adopting is an edit: Edit ▸ Undo (Ctrl+Z) takes it back.");
        if ui.button("Close").clicked() {
            out.push(AppCommand::Traces(TracesCommand::Close));
        }
    });
}

fn sections_ui(ui: &mut Ui, app: &App, comparison: &Comparison, out: &mut Vec<AppCommand>) {
    let diff = &comparison.diff;
    let topology = &app.doc.topology;
    let declared = |name: &str| topology.services.iter().any(|s| s.name == name);

    let edges = &diff.edges.observed_not_declared;
    section(ui, "Calls observed, not declared", edges.len(), |ui| {
        for [from, to] in edges {
            ui.horizontal(|ui| {
                let missing = [from, to].into_iter().find(|name| !declared(name));
                let adopt = ui
                    .add_enabled(missing.is_none(), egui::Button::new("Adopt"))
                    .accessible_name(format!("Adopt call {from} → {to}"));
                let adopt = match missing {
                    Some(name) => adopt.on_disabled_hover_text(format!(
                        "{name} is not in the model: adopt the service first"
                    )),
                    None => adopt.on_hover_text(format!(
                        "Add a call {from} → {to} to the model (one call from its first operation, as a drag on the graph does)"
                    )),
                };
                if adopt.clicked() {
                    out.push(AppCommand::edit(Edit::AddCall {
                        from: from.clone(),
                        to: to.clone(),
                    }));
                }
                if ui
                    .selectable_label(false, format!("{from} → {to}"))
                    .on_hover_text("Show the caller")
                    .clicked()
                    && declared(from)
                {
                    out.push(AppCommand::Reveal(from.clone()));
                }
            });
        }
    });

    let edges = &diff.edges.declared_not_observed;
    section(ui, "Calls declared, never observed", edges.len(), |ui| {
        for [from, to] in edges {
            if ui
                .selectable_label(false, format!("{from} → {to}"))
                .on_hover_text("Select the calls")
                .clicked()
            {
                out.push(AppCommand::Reveal(from.clone()));
                out.push(AppCommand::Select(Selection::Edge {
                    from: from.clone(),
                    to: to.clone(),
                }));
            }
        }
        ui.weak("Traces are a sample: a rare call may just not be in them.");
    });

    let services = &diff.services.observed_not_declared;
    section(
        ui,
        "Services observed, not declared",
        services.len(),
        |ui| {
            for name in services {
                ui.horizontal(|ui| {
                let edit = added_service(&comparison.outcome.topology, name);
                let adopt = ui
                    .add_enabled(edit.is_some(), egui::Button::new("Adopt"))
                    .accessible_name(format!("Adopt service {name}"))
                    .on_hover_text(format!(
                        "Add {name} as the traces show it (its operations and measured times), without its calls: adopt those one by one"
                    ));
                if adopt.clicked()
                    && let Some(edit) = edit
                {
                    out.push(AppCommand::edit(edit));
                }
                ui.label(name);
            });
            }
        },
    );

    let services = &diff.services.declared_not_observed;
    section(
        ui,
        "Services declared, never observed",
        services.len(),
        |ui| {
            for name in services {
                if ui.selectable_label(false, name).clicked() {
                    out.push(AppCommand::Reveal(name.clone()));
                }
            }
        },
    );

    let times: Vec<_> = diff.service_times.iter().filter(|r| r.drift).collect();
    section(ui, "Service times that drift", times.len(), |ui| {
        for row in times {
            ui.horizontal(|ui| {
                let adopted = adopted_time(topology, row);
                let adopt = ui
                    .add_enabled(adopted.is_ok(), egui::Button::new("Adopt"))
                    .accessible_name(format!("Adopt time {} {}", row.service, row.operation));
                let adopt = match &adopted {
                    Ok((_, what)) => adopt.on_hover_text(format!(
                        "Set the service time of {} {} to the measured one: {what}",
                        row.service, row.operation
                    )),
                    Err(why) => adopt.on_disabled_hover_text(why),
                };
                if adopt.clicked()
                    && let Ok((edit, _)) = adopted
                {
                    out.push(AppCommand::edit(edit));
                }
                let operation = match &row.observed_operation {
                    Some(seen) => format!("{} = {seen}", row.operation),
                    None => row.operation.clone(),
                };
                if ui
                    .selectable_label(false, format!("{} {operation}", row.service))
                    .clicked()
                {
                    out.push(AppCommand::Reveal(row.service.clone()));
                }
            });
            ui.indent(("traces-time", &row.service, &row.operation), |ui| {
                ui.weak(format!(
                    "median {} → {} ms · p99 {} → {} ms · {} samples",
                    format::ms(row.declared_median_ms),
                    format::ms(row.observed_median_ms),
                    format::ms(row.declared_p99_ms),
                    format::ms(row.observed_p99_ms),
                    row.samples
                ));
            });
        }
    });

    let calls: Vec<_> = diff.call_probabilities.iter().filter(|r| r.drift).collect();
    section(ui, "Calls that drift", calls.len(), |ui| {
        for row in calls {
            if ui
                .selectable_label(
                    false,
                    format!("{} {} → {}", row.caller, row.operation, row.callee),
                )
                .clicked()
            {
                out.push(AppCommand::Reveal(row.caller.clone()));
                out.push(AppCommand::Select(Selection::Edge {
                    from: row.caller.clone(),
                    to: row.callee.clone(),
                }));
            }
            ui.indent(
                ("traces-call", &row.caller, &row.operation, &row.callee),
                |ui| {
                    ui.weak(format!(
                        "probability {} → {} · calls per occurrence {} → {}",
                        format::fixed(row.declared_probability, 2),
                        format::fixed(row.observed_probability, 2),
                        format::fixed(row.declared_calls, 2),
                        format::fixed(row.observed_calls, 2)
                    ));
                },
            );
        }
        ui.weak("Change a call's probability and count in the inspector.");
    });

    let operations = &diff.operations;
    let count = operations.observed_not_declared.len() + operations.declared_not_observed.len();
    section(ui, "Operations on one side only", count, |ui| {
        for [service, operation] in &operations.observed_not_declared {
            ui.label(format!("{service} {operation}: observed, not declared"));
        }
        for [service, operation] in &operations.declared_not_observed {
            ui.label(format!("{service} {operation}: declared, never observed"));
        }
    });
}

fn section(ui: &mut Ui, title: &str, count: usize, body: impl FnOnce(&mut Ui)) {
    if count == 0 {
        return;
    }
    egui::CollapsingHeader::new(format!("{title} ({count})"))
        .id_salt(("traces-section", title))
        .default_open(true)
        .show(ui, body);
}
