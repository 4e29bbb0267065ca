//! The outline panel (left): the document, its entries, scenarios and groups.
//! Groups can be hidden (a view filter) or collapsed into one node (saved in
//! the file's `layout`).

use std::collections::{BTreeMap, BTreeSet};

use egui::{RichText, ScrollArea, Ui};

use crate::model::{Arrivals, Entry, Scenario, Topology};
use crate::report::words::plural;

use super::command::{AppCommand, Edit, Selection};
use super::paint::format_rate;

pub struct OutlineView<'a> {
    pub topology: &'a Topology,
    pub counts: &'a OutlineCounts,
    pub selection: &'a Selection,
    pub hidden_groups: &'a BTreeSet<String>,
    pub highlighted_entry: Option<usize>,
}

/// What the outline counts in the document: its calls and the services of
/// each group. Counted again only when the document changes (on 10,000
/// services counting every frame costs milliseconds).
#[derive(Debug, Default)]
pub struct OutlineCounts {
    /// The document's serial and revision these are for.
    document: Option<(u64, u64)>,
    calls: usize,
    /// Each group with its number of services, by name.
    groups: Vec<(String, usize)>,
    ungrouped: usize,
    collapsed: BTreeSet<String>,
}

impl OutlineCounts {
    /// Counts `t` (version `document`) unless these counts are of it.
    pub fn update(&mut self, t: &Topology, document: (u64, u64)) {
        if self.document == Some(document) {
            return;
        }
        self.document = Some(document);
        self.calls = t
            .services
            .iter()
            .map(|s| {
                std::iter::once(&s.calls)
                    .chain(s.operations.iter().map(|op| &op.calls))
                    .flatten()
                    .map(|spec| spec.calls().len())
                    .sum::<usize>()
            })
            .sum();
        let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
        self.ungrouped = 0;
        for service in &t.services {
            match &service.group {
                Some(group) => *groups.entry(group).or_default() += 1,
                None => self.ungrouped += 1,
            }
        }
        self.groups = groups
            .into_iter()
            .map(|(group, count)| (group.to_owned(), count))
            .collect();
        self.collapsed = t
            .layout
            .iter()
            .flat_map(|l| l.collapsed_groups.iter().cloned())
            .collect();
    }
}

pub fn outline_ui(ui: &mut Ui, view: &OutlineView, out: &mut Vec<AppCommand>) {
    let t = view.topology;
    ScrollArea::vertical()
        .id_salt("outline-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let doc_selected = *view.selection == Selection::None;
            if ui
                .selectable_label(doc_selected, RichText::new(&t.name).strong())
                .on_hover_text("Document properties")
                .clicked()
            {
                out.push(AppCommand::Select(Selection::None));
            }
            let counts = view.counts;
            ui.weak(format!(
                "{} · {}",
                plural(t.services.len(), "service", "services"),
                plural(counts.calls, "call", "calls")
            ));
            ui.add_space(6.0);

            section(ui, "Entries", t.workload.len(), |ui| {
                for (i, entry) in t.workload.iter().enumerate() {
                    let selected =
                        *view.selection == Selection::Entry(i) || view.highlighted_entry == Some(i);
                    let text = format!("{}  {}", entry.display_name(), format_rate(entry.rate_rps));
                    let response = ui.selectable_label(selected, text).on_hover_text(format!(
                        "→ {} {}\nClick: edit it and highlight its critical path",
                        entry.to, entry.operation
                    ));
                    if response.clicked() {
                        out.push(AppCommand::Select(Selection::Entry(i)));
                        out.push(AppCommand::HighlightEntry(Some(i)));
                    }
                }
                if ui.small_button("+ Add entry").clicked() {
                    out.push(AppCommand::edit(Edit::AddEntry(new_entry(t))));
                    out.push(AppCommand::Select(Selection::Entry(t.workload.len())));
                }
            });

            section(ui, "Scenarios", t.scenarios.len(), |ui| {
                for (i, scenario) in t.scenarios.iter().enumerate() {
                    let selected = *view.selection == Selection::Scenario(i);
                    let mut text = scenario.name.clone();
                    if i == 0 {
                        text.push_str("  (default)");
                    }
                    if ui.selectable_label(selected, text).clicked() {
                        out.push(AppCommand::Select(Selection::Scenario(i)));
                    }
                }
                if ui.small_button("+ Add scenario").clicked() {
                    let name = unique(t.scenarios.iter().map(|s| s.name.as_str()), "scenario");
                    out.push(AppCommand::edit(Edit::AddScenario(Box::new(
                        Scenario::new(name, 60.0),
                    ))));
                    out.push(AppCommand::Select(Selection::Scenario(t.scenarios.len())));
                }
            });

            let (groups, collapsed) = (&counts.groups, &counts.collapsed);
            section(ui, "Groups", groups.len(), |ui| {
                if groups.is_empty() {
                    ui.weak(
                        "No groups. Give services a group in the inspector to box them together.",
                    );
                } else {
                    ui.horizontal(|ui| {
                        let all: Vec<String> = groups.iter().map(|(g, _)| g.clone()).collect();
                        let tip = "One node per group: the map of a large system";
                        if ui.small_button("Collapse all").on_hover_text(tip).clicked() {
                            out.push(AppCommand::edit(Edit::SetCollapsedGroups(all)));
                        }
                        if ui.small_button("Expand all").clicked() {
                            out.push(AppCommand::edit(Edit::SetCollapsedGroups(Vec::new())));
                        }
                    });
                }
                for (group, count) in groups {
                    ui.horizontal(|ui| {
                        let mut shown = !view.hidden_groups.contains(group);
                        if ui
                            .checkbox(&mut shown, "")
                            .on_hover_text("Show or hide its services")
                            .changed()
                        {
                            out.push(AppCommand::SetGroupHidden {
                                group: group.clone(),
                                hidden: !shown,
                            });
                        }
                        let is_collapsed = collapsed.contains(group);
                        let icon = if is_collapsed { "⊞" } else { "⊟" };
                        let tip = if is_collapsed {
                            "Expand into its services"
                        } else {
                            "Collapse into one node"
                        };
                        if ui.small_button(icon).on_hover_text(tip).clicked() {
                            out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                                group: group.clone(),
                                collapsed: !is_collapsed,
                            }));
                        }
                        let selected = *view.selection == Selection::Group(group.clone());
                        if ui
                            .selectable_label(selected, format!("{group}  ({count})"))
                            .clicked()
                        {
                            out.push(AppCommand::Select(Selection::Group(group.clone())));
                        }
                    });
                }
                if counts.ungrouped > 0 && !groups.is_empty() {
                    ui.weak(format!("{} services without a group", counts.ungrouped));
                }
            });
        });
}

fn section(ui: &mut Ui, title: &str, count: usize, add_contents: impl FnOnce(&mut Ui)) {
    // Long lists start closed so that the other sections stay in sight.
    egui::CollapsingHeader::new(format!("{title} ({count})"))
        .default_open(count <= 12)
        .show(ui, add_contents);
}

/// A name not in `taken`: `base`, `base 2`, `base 3`, …
pub fn unique<'a>(taken: impl Iterator<Item = &'a str> + Clone, base: &str) -> String {
    let used = |name: &str| taken.clone().any(|t| t == name);
    if !used(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base} {i}"))
        .find(|n| !used(n))
        .unwrap_or_else(|| base.to_owned())
}

/// A new entry into the first gateway (or the first service).
fn new_entry(t: &Topology) -> Entry {
    let target = t
        .services
        .iter()
        .find(|s| s.kind == crate::model::ServiceKind::Gateway)
        .or(t.services.first())
        .map(|s| {
            (
                s.name.clone(),
                s.operations
                    .first()
                    .map_or_else(|| "default".to_owned(), |op| op.name.clone()),
            )
        })
        .unwrap_or_else(|| ("frontend".to_owned(), "default".to_owned()));
    let names: Vec<String> = t.workload.iter().map(Entry::display_name).collect();
    Entry {
        name: Some(unique(names.iter().map(String::as_str), "entry")),
        to: target.0,
        operation: target.1,
        rate_rps: 10.0,
        arrivals: Arrivals::Poisson,
        extensions: Default::default(),
    }
}
