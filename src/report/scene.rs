//! The graph as the app draws it, in graph units: one node per service (or
//! per collapsed group), edges aggregated per pair of nodes with their
//! expected calls per second, group and zone boxes — laid out with
//! [`crate::graph::layout::layered`] exactly as the app lays it out: the
//! same node sizes, options and saved positions (`layout.nodes` pins a
//! node where it was saved; `layout.collapsed_groups` draws a group as one
//! node). The SVG and PNG writers draw from this.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Analysis;
use crate::graph::layout::{self, LabelledBox, LayoutGraph, LayoutOptions, NodeSpec, Point, Rect};
use crate::model::{ServiceKind, Topology};

/// Height of a node, in graph units (as in the app).
pub const NODE_HEIGHT: f64 = 52.0;
/// Padding of group boxes around their members (as in the app).
pub const GROUP_PADDING: f64 = 18.0;

/// One node: a service, or a collapsed group.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneNode {
    /// The service's name, or the group's for a collapsed group.
    pub name: String,
    pub kind: ServiceKind,
    pub group: Option<String>,
    pub zones: Vec<String>,
    pub replicas: u64,
    pub workers: u64,
    /// Services inside, for a collapsed group (0 for a service).
    pub members: usize,
    /// Traffic enters here.
    pub entry: bool,
    pub load_rps: Option<f64>,
    pub utilization: Option<f64>,
    /// Centre, in graph units.
    pub pos: Point,
    pub width: f64,
    pub height: f64,
    /// The position comes from the file's `layout.nodes`.
    pub pinned: bool,
}

impl SceneNode {
    pub fn rect(&self) -> Rect {
        Rect::around(self.pos, self.width, self.height)
    }

    /// The node's second line: `3×32 · 120/s · 45%`, or `5 services · …` for
    /// a collapsed group; a service in a single zone says so.
    pub fn subline(&self) -> String {
        let mut parts = Vec::new();
        if self.members > 0 {
            let plural = if self.members == 1 { "" } else { "s" };
            parts.push(format!("{} service{plural}", self.members));
        } else {
            parts.push(format!("{}×{}", self.replicas, self.workers));
        }
        if let Some(load) = self.load_rps {
            parts.push(rate(load));
        }
        if let Some(util) = self.utilization {
            parts.push(format!("{:.0}%", util * 100.0));
        }
        if self.members == 0 && self.zones.len() == 1 {
            parts.push(format!("zone {}", self.zones[0]));
        }
        parts.join(" · ")
    }
}

/// Calls from one node to another.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneEdge {
    pub from: usize,
    pub to: usize,
    /// Expected calls per second, summed over the service pairs it stands for.
    pub rate_rps: Option<f64>,
    /// Every call it stands for is optional.
    pub optional: bool,
    /// Points backwards (closes a cycle).
    pub back: bool,
}

/// Everything to draw, laid out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scene {
    pub nodes: Vec<SceneNode>,
    pub edges: Vec<SceneEdge>,
    pub group_boxes: Vec<LabelledBox>,
    pub zone_boxes: Vec<LabelledBox>,
    /// Everything drawn.
    pub bounds: Rect,
}

/// `12/s`, `3.4/s`, `1.2k/s` (as the app writes rates).
pub fn rate(rps: f64) -> String {
    if rps >= 9_950.0 {
        format!("{:.0}k/s", rps / 1000.0)
    } else if rps >= 999.5 {
        format!("{:.1}k/s", rps / 1000.0)
    } else if rps >= 9.95 {
        format!("{rps:.0}/s")
    } else if rps >= 0.0995 {
        format!("{rps:.1}/s")
    } else {
        format!("{rps:.2}/s")
    }
}

/// Width of a node, estimated from its two lines of text, as in the app.
fn node_width(node: &SceneNode) -> f64 {
    let name = 7.6 * node.name.chars().count() as f64;
    let sub = 6.2 * node.subline().chars().count() as f64;
    (60.0 + name.max(sub)).clamp(150.0, 260.0)
}

impl Scene {
    /// Builds and lays out the scene of `topology`, with the expected
    /// figures of `analysis` (None: no figures, e.g. without workload).
    /// `collapse_all_groups` draws every group as one node (for very large
    /// graphs); otherwise the file's `layout.collapsed_groups` decide.
    pub fn build(
        topology: &Topology,
        analysis: Option<&Analysis>,
        collapse_all_groups: bool,
    ) -> Scene {
        let collapsed: BTreeSet<&str> = if collapse_all_groups {
            topology
                .services
                .iter()
                .filter_map(|s| s.group.as_deref())
                .collect()
        } else {
            topology
                .layout
                .iter()
                .flat_map(|layout| layout.collapsed_groups.iter().map(String::as_str))
                .collect()
        };
        let saved = topology.layout.as_ref().map(|layout| &layout.nodes);
        let entries: BTreeSet<&str> = topology.workload.iter().map(|e| e.to.as_str()).collect();
        let figures = Figures::new(analysis);

        let mut scene = Scene::default();
        let mut group_node: BTreeMap<&str, usize> = BTreeMap::new();
        // Service name → node index (a collapsed group's node for its members).
        let mut node_of: BTreeMap<&str, usize> = BTreeMap::new();
        for service in &topology.services {
            let name = service.name.as_str();
            let group = service.group.as_deref().filter(|g| collapsed.contains(g));
            if let Some(group) = group
                && let Some(&at) = group_node.get(group)
            {
                let node = &mut scene.nodes[at];
                node.members += 1;
                node.entry |= entries.contains(name);
                node.load_rps = sum_opt(node.load_rps, figures.load(name));
                node.utilization = max_opt(node.utilization, figures.utilization(name));
                node_of.insert(name, at);
                continue;
            }
            let at = scene.nodes.len();
            node_of.insert(name, at);
            if let Some(group) = group {
                group_node.insert(group, at);
            }
            scene.nodes.push(SceneNode {
                name: group.unwrap_or(name).to_owned(),
                kind: if group.is_some() {
                    ServiceKind::Service
                } else {
                    service.kind
                },
                group: service.group.clone(),
                zones: if group.is_some() {
                    Vec::new()
                } else {
                    service.zones.clone()
                },
                replicas: service.replicas,
                workers: service.workers,
                members: usize::from(group.is_some()),
                entry: entries.contains(name),
                load_rps: figures.load(name),
                utilization: figures.utilization(name),
                pos: Point::default(),
                width: 0.0,
                height: NODE_HEIGHT,
                pinned: group.is_none() && saved.is_some_and(|s| s.contains_key(name)),
            });
        }

        let mut edges: BTreeMap<(usize, usize), SceneEdge> = BTreeMap::new();
        for service in &topology.services {
            let Some(&from) = node_of.get(service.name.as_str()) else {
                continue;
            };
            let lists = std::iter::once(&service.calls)
                .chain(service.operations.iter().map(|op| &op.calls));
            for call in lists.flatten().flat_map(|spec| spec.calls()) {
                let Some(&to) = node_of.get(call.to.as_str()) else {
                    continue;
                };
                if from == to && scene.nodes[from].members > 0 {
                    continue; // calls inside a collapsed group
                }
                let edge = edges.entry((from, to)).or_insert(SceneEdge {
                    from,
                    to,
                    rate_rps: None,
                    optional: true,
                    back: false,
                });
                edge.optional &= call.optional;
            }
        }
        for ((caller, callee), rate) in &figures.edge_rps {
            if let (Some(&from), Some(&to)) =
                (node_of.get(caller.as_str()), node_of.get(callee.as_str()))
                && let Some(edge) = edges.get_mut(&(from, to))
            {
                edge.rate_rps = sum_opt(edge.rate_rps, Some(*rate));
            }
        }
        scene.edges = edges.into_values().collect();
        for node in &mut scene.nodes {
            node.width = node_width(node);
        }
        scene.layout(saved, collapse_all_groups);
        scene
    }

    /// Lays the nodes out. `flat`: collapsed groups are plain nodes (no
    /// bands), for a graph where every group is collapsed.
    fn layout(&mut self, saved: Option<&BTreeMap<String, Point>>, flat: bool) {
        let graph = LayoutGraph {
            nodes: self
                .nodes
                .iter()
                .map(|node| NodeSpec {
                    name: node.name.clone(),
                    group: if flat && node.members > 0 {
                        None
                    } else {
                        node.group.clone()
                    },
                    width: node.width,
                    height: node.height,
                    source: node.entry,
                    pinned: if node.members == 0 {
                        saved.and_then(|s| s.get(&node.name)).copied()
                    } else {
                        None
                    },
                    previous: None,
                })
                .collect(),
            edges: self.edges.iter().map(|e| (e.from, e.to)).collect(),
        };
        let result = layout::layered(&graph, &LayoutOptions::default());
        for (node, pos) in self.nodes.iter_mut().zip(result.positions) {
            node.pos = pos;
        }
        for (edge, back) in self.edges.iter_mut().zip(result.back_edges) {
            edge.back = back;
        }
        let sizes: Vec<(f64, f64)> = self.nodes.iter().map(|n| (n.width, n.height)).collect();
        let positions: Vec<Point> = self.nodes.iter().map(|n| n.pos).collect();
        let groups: Vec<Vec<&str>> = self
            .nodes
            .iter()
            .map(|n| match (&n.group, n.members) {
                (Some(group), 0) => vec![group.as_str()],
                _ => Vec::new(),
            })
            .collect();
        self.group_boxes = layout::boxes_around(&groups, &positions, &sizes, GROUP_PADDING);
        let zones: Vec<Vec<&str>> = self
            .nodes
            .iter()
            .map(|n| n.zones.iter().map(String::as_str).collect())
            .collect();
        let mut zone_boxes = layout::boxes_around(&zones, &positions, &sizes, GROUP_PADDING + 14.0);
        for (i, zone) in zone_boxes.iter_mut().enumerate() {
            zone.rect = zone.rect.expand(8.0 * i as f64);
        }
        self.zone_boxes = zone_boxes;
        let all = self
            .nodes
            .iter()
            .map(SceneNode::rect)
            .chain(self.group_boxes.iter().map(|b| b.rect))
            .chain(self.zone_boxes.iter().map(|b| b.rect));
        self.bounds = all.reduce(Rect::union).unwrap_or_default();
    }
}

/// The analysis' expected figures by service name.
struct Figures {
    load_rps: BTreeMap<String, f64>,
    utilization: BTreeMap<String, f64>,
    edge_rps: BTreeMap<(String, String), f64>,
}

impl Figures {
    fn new(analysis: Option<&Analysis>) -> Figures {
        let Some(analysis) = analysis else {
            return Figures {
                load_rps: BTreeMap::new(),
                utilization: BTreeMap::new(),
                edge_rps: BTreeMap::new(),
            };
        };
        Figures {
            load_rps: analysis
                .services
                .iter()
                .map(|s| (s.name.clone(), s.arrival_rate_rps))
                .collect(),
            utilization: analysis
                .services
                .iter()
                .map(|s| (s.name.clone(), s.utilization))
                .collect(),
            edge_rps: analysis
                .edges
                .iter()
                .map(|e| ((e.from.clone(), e.to.clone()), e.rate_rps))
                .collect(),
        }
    }

    fn load(&self, name: &str) -> Option<f64> {
        self.load_rps.get(name).copied()
    }

    fn utilization(&self, name: &str) -> Option<f64> {
        self.utilization.get(name).copied()
    }
}

fn sum_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
