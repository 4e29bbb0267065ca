//! The dependency graph as plain data for writers: nodes with what is
//! drawn on them, edges with their weights, groups. `archsim graph --format
//! json` prints it; the DOT and Mermaid writers in `report` draw it.

use serde::Serialize;

use super::analysis::Analysis;
use crate::model::Checked;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphDocument {
    pub name: String,
    /// Group names in order of first appearance.
    pub groups: Vec<String>,
    /// One per service, in file order; `id` is the index.
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphNode {
    pub id: usize,
    pub name: String,
    pub kind: String,
    pub group: Option<String>,
    pub zones: Vec<String>,
    pub replicas: u64,
    pub workers: u64,
    pub layer: usize,
    /// Offered load ρ at the workload's base rates (0 without workload).
    pub utilization: f64,
    pub overloaded: bool,
    pub single_point_of_failure: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphEdge {
    /// Node id of the caller.
    pub from: usize,
    /// Node id of the callee.
    pub to: usize,
    /// Expected calls per visit of the caller.
    pub calls_per_visit: f64,
    /// Calls per second at the workload's base rates.
    pub rate_rps: f64,
}

impl GraphDocument {
    pub fn new(checked: &Checked, analysis: &Analysis) -> Self {
        let topology = checked.topology();
        // Groups in order of first appearance (a set for the check: a file
        // may have thousands of groups).
        let mut groups: Vec<String> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for service in &topology.services {
            if let Some(group) = &service.group
                && seen.insert(group.as_str())
            {
                groups.push(group.clone());
            }
        }
        let single_points: std::collections::BTreeSet<&str> = analysis
            .single_points_of_failure
            .iter()
            .map(|spof| spof.service.as_str())
            .collect();
        let nodes = topology
            .services
            .iter()
            .zip(&analysis.services)
            .enumerate()
            .map(|(id, (service, load))| GraphNode {
                id,
                name: service.name.clone(),
                kind: service.kind.as_str().to_owned(),
                group: service.group.clone(),
                zones: service.zones.clone(),
                replicas: service.replicas,
                workers: service.workers,
                layer: load.layer,
                utilization: load.utilization,
                overloaded: load.overloaded,
                single_point_of_failure: single_points.contains(service.name.as_str()),
            })
            .collect();
        let edges = analysis
            .edges
            .iter()
            .filter_map(|edge| {
                Some(GraphEdge {
                    from: checked.service_index(&edge.from)?,
                    to: checked.service_index(&edge.to)?,
                    calls_per_visit: edge.calls_per_visit,
                    rate_rps: edge.rate_rps,
                })
            })
            .collect();
        GraphDocument {
            name: topology.name.clone(),
            groups,
            nodes,
            edges,
        }
    }

    /// A short label for an edge: calls per second when there is traffic,
    /// otherwise the expected calls per visit when it is not 1.
    pub fn edge_label(&self, edge: &GraphEdge) -> String {
        if edge.rate_rps > 0.0 {
            format!("{} rps", short_number(edge.rate_rps))
        } else if (edge.calls_per_visit - 1.0).abs() > 1e-9 {
            format!("x{}", short_number(edge.calls_per_visit))
        } else {
            String::new()
        }
    }

    /// The second line of a node's label: kind, replicas × workers, zones.
    pub fn node_details(&self, node: &GraphNode) -> String {
        let mut details = format!("{} · {}×{}", node.kind, node.replicas, node.workers);
        if !node.zones.is_empty() {
            details.push_str(&format!(" · zones {}", node.zones.join(",")));
        }
        details
    }
}

/// A number with at most three significant decimals, without trailing zeros.
pub fn short_number(value: f64) -> String {
    let text = if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}
