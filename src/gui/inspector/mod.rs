//! The inspector (right panel): edits every field of what is selected — the
//! document, a service with its operations and calls, the calls of an edge,
//! an entry, or a scenario — validating as you type. Problems found by the
//! validation of the whole topology are shown on top for the selected item.

mod calls;
mod dist;
mod fields;
mod scenario;
mod service;

use egui::{RichText, ScrollArea, Ui};

use crate::model::{Arrivals, CallSpec, Slo, Topology};

use super::command::{AppCommand, Edit, Selection};
use super::problems::Problem;
use fields::{Buffers, Form, Range};

/// Text being typed in the inspector's fields.
#[derive(Debug, Default)]
pub struct InspectorState {
    buffers: Buffers,
    /// What the buffers belong to (see `inspector_ui`).
    shown: Option<String>,
}

pub fn inspector_ui(
    ui: &mut Ui,
    state: &mut InspectorState,
    topology: &Topology,
    selection: &Selection,
    problems: &[Problem],
    out: &mut Vec<AppCommand>,
) {
    // Fields belong to what is shown; a service is known by its place in the
    // file, so that renaming it (by typing its name) keeps the fields.
    let key = match selection {
        Selection::Service(name) => match topology.services.iter().position(|s| s.name == *name) {
            Some(index) => format!("service#{index}"),
            None => format!("{selection:?}"),
        },
        _ => format!("{selection:?}"),
    };
    if state.shown.as_ref() != Some(&key) {
        state.buffers.clear();
        state.shown = Some(key.clone());
    }
    ScrollArea::vertical()
        .id_salt("inspector-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut form = Form::new(&mut state.buffers, key);
            match selection {
                Selection::None => document_ui(&mut form, ui, topology, problems, out),
                Selection::Service(name) => {
                    match topology.services.iter().position(|s| s.name == *name) {
                        Some(index) => {
                            heading(ui, "Service", name);
                            problems_for(ui, problems, &format!("/services/{index}"));
                            service::service_ui(&mut form, ui, index, topology, out);
                        }
                        None => {
                            ui.weak(format!("There is no service {name} any more."));
                        }
                    }
                }
                Selection::Edge { from, to } => {
                    edge_ui(&mut form, ui, topology, from, to, problems, out)
                }
                Selection::Group(group) => group_ui(ui, topology, group, out),
                Selection::Entry(index) => entry_ui(&mut form, ui, topology, *index, problems, out),
                Selection::Scenario(index) => match topology.scenarios.get(*index) {
                    Some(scenario) => {
                        heading(
                            ui,
                            if *index == 0 {
                                "Scenario (the default)"
                            } else {
                                "Scenario"
                            },
                            &scenario.name,
                        );
                        problems_for(ui, problems, &format!("/scenarios/{index}"));
                        if let Some(new) = scenario::scenario_ui(&mut form, ui, scenario, topology)
                            && let Some(coalesce) = form.changed.clone()
                        {
                            out.push(AppCommand::Edit {
                                edit: Edit::SetScenario {
                                    index: *index,
                                    scenario: Box::new(new),
                                },
                                coalesce,
                            });
                        }
                        ui.add_space(8.0);
                        ui.horizontal(|ui| {
                            let tip = "The first scenario is the one a run uses by default";
                            if *index > 0
                                && ui
                                    .button("Make it the default")
                                    .on_hover_text(tip)
                                    .clicked()
                            {
                                out.push(AppCommand::edit(Edit::MakeDefaultScenario(*index)));
                            }
                            if ui.button("🗑 Delete scenario").clicked() {
                                out.push(AppCommand::edit(Edit::DeleteScenario(*index)));
                            }
                        });
                    }
                    None => {
                        ui.weak("This scenario does not exist any more.");
                    }
                },
            }
        });
}

fn heading(ui: &mut Ui, what: &str, name: &str) {
    ui.label(RichText::new(what).small().weak());
    ui.heading(name);
    ui.add_space(4.0);
}

/// Problems whose place is at or under `pointer`.
fn problems_for(ui: &mut Ui, problems: &[Problem], pointer: &str) {
    let mine: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.pointer == pointer || p.pointer.starts_with(&format!("{pointer}/")))
        .collect();
    for problem in mine {
        let color = if problem.error {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().warn_fg_color
        };
        let place = problem
            .pointer
            .strip_prefix(pointer)
            .unwrap_or("")
            .trim_start_matches('/')
            .replace('/', " › ");
        let text = if place.is_empty() {
            problem.message.clone()
        } else {
            format!("{place}: {}", problem.message)
        };
        ui.label(
            RichText::new(format!("{} {text}", if problem.error { "⊗" } else { "⚠" })).color(color),
        );
    }
}

fn document_ui(
    form: &mut Form,
    ui: &mut Ui,
    topology: &Topology,
    problems: &[Problem],
    out: &mut Vec<AppCommand>,
) {
    heading(ui, "Document", &topology.name);
    let root: Vec<Problem> = problems
        .iter()
        .filter(|p| p.item().is_none())
        .cloned()
        .collect();
    problems_for(ui, &root, "");
    let mut edit = None;
    form.grid(ui, "doc", |form, ui| {
        if let Some(name) = form.text(
            ui,
            "name",
            "Name",
            "Shown in the title and reports",
            &topology.name,
            |s| {
                if s.is_empty() {
                    Err("give the topology a name".to_owned())
                } else {
                    Ok(s.to_owned())
                }
            },
        ) {
            edit = Some(Edit::SetName(name));
        }
        if let Some(d) = form.optional_text(
            ui,
            "desc",
            "Description",
            "Free text",
            &topology.description,
        ) {
            edit = Some(Edit::SetDescription(d));
        }
        let slo = topology.slo.clone().unwrap_or_default();
        let mut new = slo.clone();
        let mut changed = false;
        changed |= service::set(
            &mut new.latency_p50_ms,
            form.optional_number(
                ui,
                "p50",
                "SLO p50 (ms)",
                "Empty: no target",
                slo.latency_p50_ms,
                Range::Positive,
            ),
        );
        changed |= service::set(
            &mut new.latency_p95_ms,
            form.optional_number(
                ui,
                "p95",
                "SLO p95 (ms)",
                "Empty: no target",
                slo.latency_p95_ms,
                Range::Positive,
            ),
        );
        changed |= service::set(
            &mut new.latency_p99_ms,
            form.optional_number(
                ui,
                "p99",
                "SLO p99 (ms)",
                "Empty: no target",
                slo.latency_p99_ms,
                Range::Positive,
            ),
        );
        changed |= service::set(
            &mut new.availability,
            form.optional_number(
                ui,
                "avail",
                "SLO availability",
                "Share of successful requests, e.g. 0.999",
                slo.availability,
                Range::Fraction,
            ),
        );
        if changed {
            edit = Some(Edit::SetSlo((new != Slo::default()).then_some(new)));
        }
    });
    if let (Some(edit), Some(coalesce)) = (edit, form.changed.clone()) {
        out.push(AppCommand::Edit { edit, coalesce });
    }
    ui.add_space(10.0);
    ui.weak("Select a service, call, entry or scenario to edit it.");
    ui.weak("Double-click the background to add a service; drag from a node's right handle to another node to add a call.");
}

fn group_ui(ui: &mut Ui, topology: &Topology, group: &str, out: &mut Vec<AppCommand>) {
    heading(ui, "Group", group);
    let members: Vec<&str> = topology
        .services
        .iter()
        .filter(|s| s.group.as_deref() == Some(group))
        .map(|s| s.name.as_str())
        .collect();
    ui.label(format!("{} services", members.len()));
    let collapsed = topology
        .layout
        .as_ref()
        .is_some_and(|l| l.collapsed_groups.iter().any(|g| g == group));
    ui.horizontal(|ui| {
        let text = if collapsed {
            "Expand"
        } else {
            "Collapse into one node"
        };
        if ui.button(text).clicked() {
            out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                group: group.to_owned(),
                collapsed: !collapsed,
            }));
        }
        if ui.button("Hide").clicked() {
            out.push(AppCommand::SetGroupHidden {
                group: group.to_owned(),
                hidden: true,
            });
        }
    });
    ui.add_space(6.0);
    for name in members {
        if ui.link(name).clicked() {
            out.push(AppCommand::Reveal(name.to_owned()));
        }
    }
}

/// The calls from one service to another, wherever they are in its operations.
fn edge_ui(
    form: &mut Form,
    ui: &mut Ui,
    topology: &Topology,
    from: &str,
    to: &str,
    problems: &[Problem],
    out: &mut Vec<AppCommand>,
) {
    heading(ui, "Calls", &format!("{from} → {to}"));
    let is_service = |name: &str| topology.services.iter().any(|s| s.name == name);
    if !is_service(from) || !is_service(to) {
        collapsed_edge_ui(ui, topology, from, to, out);
        return;
    }
    let Some(index) = topology.services.iter().position(|s| s.name == from) else {
        ui.weak(format!("There is no service {from} any more."));
        return;
    };
    problems_for(ui, problems, &format!("/services/{index}"));
    let service = &topology.services[index];
    let mut new = service.clone();
    let lists: Vec<(String, &Vec<CallSpec>)> =
        std::iter::once(("default operation".to_owned(), &service.calls))
            .chain(
                service
                    .operations
                    .iter()
                    .map(|op| (format!("operation {}", op.name), &op.calls)),
            )
            .collect();
    let mut found = 0;
    for (list_index, (title, list)) in lists.iter().enumerate() {
        for (i, spec) in list.iter().enumerate() {
            for (j, call) in spec.calls().iter().enumerate() {
                if call.to != to {
                    continue;
                }
                found += 1;
                ui.label(RichText::new(format!("{title}, call {}", i + 1)).strong());
                let key = format!("{list_index}/{i}/{j}");
                let changed = form.grid(ui, &key, |form, ui| {
                    calls::call_rows(form, ui, &key, call, &topology.services)
                });
                if let Some(call) = changed {
                    let target = if list_index == 0 {
                        &mut new.calls
                    } else {
                        &mut new.operations[list_index - 1].calls
                    };
                    target[i].calls_mut()[j] = call;
                }
                ui.separator();
            }
        }
    }
    if found == 0 {
        ui.weak("No calls any more.");
        return;
    }
    if let Some(coalesce) = form.changed.clone()
        && new != *service
    {
        out.push(AppCommand::Edit {
            edit: Edit::SetService {
                index,
                service: Box::new(new),
            },
            coalesce,
        });
    }
    if ui.button("🗑 Delete these calls").clicked() {
        out.push(AppCommand::edit(Edit::DeleteCalls {
            from: from.to_owned(),
            to: to.to_owned(),
        }));
    }
}

fn entry_ui(
    form: &mut Form,
    ui: &mut Ui,
    topology: &Topology,
    index: usize,
    problems: &[Problem],
    out: &mut Vec<AppCommand>,
) {
    let Some(entry) = topology.workload.get(index) else {
        ui.weak("This entry does not exist any more.");
        return;
    };
    heading(ui, "Entry", &entry.display_name());
    problems_for(ui, problems, &format!("/workload/{index}"));
    let mut new = entry.clone();
    form.grid(ui, "entry", |form, ui| {
        service::set(
            &mut new.name,
            form.optional_text(
                ui,
                "name",
                "Name",
                "Empty: \"<service> <operation>\"",
                &entry.name,
            ),
        );
        let mut names: Vec<(String, String)> = topology
            .services
            .iter()
            .map(|s| (s.name.clone(), s.name.clone()))
            .collect();
        if !topology.services.iter().any(|s| s.name == entry.to) {
            names.insert(
                0,
                (entry.to.clone(), format!("{} (no such service)", entry.to)),
            );
        }
        if let Some(to) = form.choice(ui, "to", "Service", &entry.to, &names) {
            new.operation = calls::operations_of(&topology.services, &to)
                .into_iter()
                .next()
                .unwrap_or_default();
            new.to = to;
        }
        let mut operations = calls::operations_of(&topology.services, &new.to);
        if !operations.contains(&new.operation) {
            operations.insert(0, new.operation.clone());
        }
        let options: Vec<(String, String)> =
            operations.iter().map(|o| (o.clone(), o.clone())).collect();
        let current = new.operation.clone();
        service::set(
            &mut new.operation,
            form.choice(ui, "op", "Operation", &current, &options),
        );
        service::set(
            &mut new.rate_rps,
            form.number(
                ui,
                "rate",
                "Rate (req/s)",
                "Requests per second at load 1×",
                entry.rate_rps,
                Range::NonNegative,
            ),
        );
        let arrivals = [
            (Arrivals::Poisson, "poisson (random)".to_owned()),
            (Arrivals::Uniform, "uniform (evenly spaced)".to_owned()),
        ];
        service::set(
            &mut new.arrivals,
            form.choice(ui, "arrivals", "Arrivals", &entry.arrivals, &arrivals),
        );
    });
    if let Some(coalesce) = form.changed.clone()
        && new != *entry
    {
        out.push(AppCommand::Edit {
            edit: Edit::SetEntry { index, entry: new },
            coalesce,
        });
    }
    ui.add_space(8.0);
    if ui.button("🗑 Delete entry").clicked() {
        out.push(AppCommand::edit(Edit::DeleteEntry(index)));
    }
}

/// The calls behind an arrow from or to a collapsed group: which services
/// call which. Editing them needs the group expanded.
fn collapsed_edge_ui(
    ui: &mut Ui,
    topology: &Topology,
    from: &str,
    to: &str,
    out: &mut Vec<AppCommand>,
) {
    // A name stands for its service, else for the members of its group.
    let members = |name: &str| -> Vec<&str> {
        if let Some(service) = topology.services.iter().find(|s| s.name == name) {
            vec![service.name.as_str()]
        } else {
            topology
                .services
                .iter()
                .filter(|s| s.group.as_deref() == Some(name))
                .map(|s| s.name.as_str())
                .collect()
        }
    };
    let (callers, callees) = (members(from), members(to));
    let mut pairs: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for service in topology
        .services
        .iter()
        .filter(|s| callers.contains(&s.name.as_str()))
    {
        let lists =
            std::iter::once(&service.calls).chain(service.operations.iter().map(|op| &op.calls));
        for call in lists.flatten().flat_map(|spec| spec.calls()) {
            if callees.contains(&call.to.as_str()) {
                *pairs
                    .entry((service.name.as_str(), call.to.as_str()))
                    .or_default() += 1;
            }
        }
    }
    if pairs.is_empty() {
        ui.weak("No calls any more.");
        return;
    }
    ui.label(format!(
        "{} pairs of services call across this arrow:",
        pairs.len()
    ));
    egui::Grid::new("collapsed-edge")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for ((caller, callee), count) in &pairs {
                ui.label(format!("{caller} → {callee}"));
                ui.weak(format!(
                    "{count} call{}",
                    if *count == 1 { "" } else { "s" }
                ));
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    ui.weak("Expand a group to edit these calls:");
    for name in [from, to] {
        if !topology.services.iter().any(|s| s.name == name)
            && ui.button(format!("Expand {name}")).clicked()
        {
            out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                group: name.to_owned(),
                collapsed: false,
            }));
        }
    }
}
