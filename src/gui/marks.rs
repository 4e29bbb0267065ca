//! Which nodes and edges to emphasise: the selection, its blast radius
//! (everything it depends on, everything that depends on it) and an entry's
//! critical path.

use crate::model::Topology;

use super::analysis::AnalysisView;
use super::command::Selection;
use super::paint::{Mark, Marks};
use super::scene::{NodeId, Scene};
use super::settings::Settings;

pub fn compute(
    scene: &Scene,
    topology: &Topology,
    selection: &Selection,
    highlighted_entry: Option<usize>,
    analysis: Option<&AnalysisView>,
    settings: &Settings,
) -> Marks {
    let mut marks = Marks {
        nodes: vec![Mark::Normal; scene.nodes.len()],
        edges: vec![Mark::Normal; scene.edges.len()],
        active: false,
        selected_group: None,
    };

    // An entry's critical path wins over the blast radius.
    if let (Some(entry), Some(analysis)) = (highlighted_entry, analysis) {
        let path = analysis.critical_path(entry);
        let nodes: Vec<usize> = path
            .iter()
            .filter_map(|name| scene.node_of_service(topology, name))
            .collect();
        if !nodes.is_empty() {
            marks.active = true;
            for &i in &nodes {
                marks.nodes[i] = Mark::Critical;
            }
            for pair in nodes.windows(2) {
                for &e in &scene.outgoing[pair[0]] {
                    if scene.edges[e].to == pair[1] {
                        marks.edges[e] = Mark::Critical;
                    }
                }
            }
            fade_rest(&mut marks);
            return marks;
        }
    }

    match selection {
        Selection::Service(name) => {
            if let Some(i) = scene.node_of_service(topology, name) {
                blast_radius(&mut marks, scene, i, settings.show_blast_radius);
            }
        }
        Selection::Edge { from, to } => {
            let from = scene
                .find(&NodeId::Service(from.clone()))
                .or(scene.find(&NodeId::Group(from.clone())));
            let to = scene
                .find(&NodeId::Service(to.clone()))
                .or(scene.find(&NodeId::Group(to.clone())));
            if let (Some(from), Some(to)) = (from, to) {
                for (e, edge) in scene.edges.iter().enumerate() {
                    if edge.from == from && edge.to == to {
                        marks.edges[e] = Mark::Selected;
                    }
                }
            }
        }
        Selection::Group(group) => {
            marks.selected_group = Some(group.clone());
            if let Some(i) = scene.find(&NodeId::Group(group.clone())) {
                blast_radius(&mut marks, scene, i, settings.show_blast_radius);
            }
        }
        Selection::Entry(_) | Selection::Scenario(_) | Selection::None => {}
    }
    marks
}

/// Marks node `i` as selected and, when `spread`, everything it depends on
/// (downstream) and everything that depends on it (upstream); the rest fades.
fn blast_radius(marks: &mut Marks, scene: &Scene, i: usize, spread: bool) {
    marks.nodes[i] = Mark::Selected;
    if !spread {
        return;
    }
    marks.active = true;
    let down = scene.reachable(i, true);
    let up = scene.reachable(i, false);
    for &n in &up {
        marks.nodes[n] = Mark::Upstream;
    }
    for &n in &down {
        marks.nodes[n] = Mark::Downstream;
    }
    for (e, edge) in scene.edges.iter().enumerate() {
        if (edge.from == i || down.contains(&edge.from)) && down.contains(&edge.to) {
            marks.edges[e] = Mark::Downstream;
        } else if (edge.to == i || up.contains(&edge.to)) && up.contains(&edge.from) {
            marks.edges[e] = Mark::Upstream;
        }
    }
    fade_rest(marks);
}

fn fade_rest(marks: &mut Marks) {
    for mark in marks.nodes.iter_mut().chain(marks.edges.iter_mut()) {
        if *mark == Mark::Normal {
            *mark = Mark::Faded;
        }
    }
}
