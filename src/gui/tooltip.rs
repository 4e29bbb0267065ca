//! Hover tooltips of the canvas: a service's key figures, an edge's calls.

use egui::{Grid, RichText, Ui};

use super::canvas::CanvasView;
use super::paint::format_rate;
use super::scene::NodeId;

pub fn node_tooltip_ui(ui: &mut Ui, view: &CanvasView, index: usize) {
    let node = &view.scene.nodes[index];
    match &node.id {
        NodeId::Group(group) => {
            ui.label(RichText::new(group).strong());
            ui.label(format!("Collapsed group of {} services", node.members));
            figures_grid(ui, node.load_rps, node.utilization, None);
            ui.weak("Double-click to expand");
        }
        NodeId::Service(name) => {
            ui.horizontal(|ui| {
                ui.label(RichText::new(name).strong());
                if view.scene.nodes[index].entry {
                    ui.weak("entry");
                }
            });
            let service = node.service.and_then(|i| view.topology.services.get(i));
            let mut kind = node.kind.as_str().to_owned();
            if let Some(group) = &node.group {
                kind.push_str(&format!(" in {group}"));
            }
            ui.weak(kind);
            Grid::new("node-tooltip")
                .num_columns(2)
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    ui.label("Replicas × workers");
                    ui.label(format!("{} × {}", node.replicas, node.workers));
                    ui.end_row();
                    if !node.zones.is_empty() {
                        ui.label("Zones");
                        ui.label(node.zones.join(", "));
                        ui.end_row();
                    }
                    if let Some(service) = service {
                        let operations = service.operations.len().max(1);
                        ui.label("Operations");
                        ui.label(operations.to_string());
                        ui.end_row();
                    }
                    ui.label("Calls out / in");
                    ui.label(format!(
                        "{} / {}",
                        view.scene.outgoing[index].len(),
                        view.scene.incoming[index].len()
                    ));
                    ui.end_row();
                });
            figures_grid(ui, node.load_rps, node.utilization, Some(name));
            if let Some(traces) = view.traces {
                traces.node_tooltip_ui(ui, index);
            }
            ui.weak("Drag to move · drag the right handle (or Shift+drag) to add a call");
        }
    }
}

fn figures_grid(ui: &mut Ui, load_rps: Option<f64>, utilization: Option<f64>, _name: Option<&str>) {
    if load_rps.is_none() && utilization.is_none() {
        ui.weak("No figures: fix the problems listed below the graph first");
        return;
    }
    Grid::new("node-figures")
        .num_columns(2)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            if let Some(load) = load_rps {
                ui.label("Expected load");
                ui.label(format_rate(load));
                ui.end_row();
            }
            if let Some(util) = utilization {
                ui.label("Utilization");
                let text = format!("{:.0}%", util * 100.0);
                if util >= 1.0 {
                    ui.colored_label(ui.visuals().error_fg_color, format!("{text} (overloaded)"));
                } else if util >= 0.85 {
                    ui.colored_label(ui.visuals().warn_fg_color, text);
                } else {
                    ui.label(text);
                }
                ui.end_row();
            }
        });
}

pub fn edge_tooltip_ui(ui: &mut Ui, view: &CanvasView, index: usize) {
    let edge = &view.scene.edges[index];
    let from = view.scene.nodes[edge.from].id.name();
    let to = view.scene.nodes[edge.to].id.name();
    ui.label(RichText::new(format!("{from} → {to}")).strong());
    ui.label(format!(
        "{} call{}",
        edge.calls,
        if edge.calls == 1 { "" } else { "s" }
    ));
    if let Some(rate) = edge.rate_rps {
        ui.label(format!("Expected {}", format_rate(rate)));
    }
    if edge.optional {
        ui.weak("Optional: a failure does not fail the caller");
    }
    if let Some(traces) = view.traces {
        traces.edge_tooltip_ui(ui, index);
    }
    if edge.cycle {
        ui.colored_label(ui.visuals().warn_fg_color, "Part of a cycle of calls");
    }
    ui.weak("Click to edit the calls");
}
