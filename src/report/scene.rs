//! The graph as the app draws it, in graph units — the single source of
//! truth for the app's canvas and the report's SVG and PNG pictures: one node
//! per service (or per collapsed group), edges aggregated per pair of nodes
//! with their expected calls per second, group and zone boxes, laid out with
//! [`crate::graph::layout::layered`]. Saved positions (`layout.nodes`) pin a
//! node where it was saved; `layout.collapsed_groups` draws a group as one
//! node. Edges are bent around the nodes they do not connect
//! ([`crate::graph::layout::routes`]). Far out, the app draws each group as
//! one card: [`Overview`] holds those cards and the edges between them.
//! Plain `f64` geometry: the app converts to screen coordinates when it
//! paints. No UI types here.

mod overview;

pub use overview::{GroupCard, Overview, OverviewEdge, OverviewEnd};

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::Analysis;
use crate::graph::layout::routes::{self, RouteEdge};
use crate::graph::layout::{self, LabelledBox, LayoutGraph, LayoutOptions, NodeSpec, Point, Rect};
use crate::model::{ServiceKind, Topology};

/// Height of a node, in graph units.
pub const NODE_HEIGHT: f64 = 52.0;
/// Padding of group boxes around their members.
pub const GROUP_PADDING: f64 = 18.0;
/// Below this zoom (screen points per graph unit) the app draws each group
/// as one card (its members' names could not be read), and expands the
/// cards as the view zooms in past it.
pub const OVERVIEW_ZOOM: f64 = 0.4;
/// The sides of zone boxes that meet are at least this far apart.
pub const ZONE_NESTING: f64 = 16.0;
/// Room kept free above each group box for its label, in graph units: a
/// 16-point line at [`OVERVIEW_ZOOM`], the smallest zoom at which the app
/// draws group boxes (the layout's gap between groups is larger).
pub const GROUP_LABEL_ROOM: f64 = 40.0;

/// Which thing a node stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeId {
    Service(String),
    /// A collapsed group, drawn as one node.
    Group(String),
}

impl NodeId {
    pub fn name(&self) -> &str {
        match self {
            NodeId::Service(name) | NodeId::Group(name) => name,
        }
    }
}

/// Figures shown on the graph; from the analysis when the topology is valid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Expected requests per second arriving at each service.
    pub load_rps: BTreeMap<String, f64>,
    /// Expected utilization (0..1, may exceed 1 when overloaded).
    pub utilization: BTreeMap<String, f64>,
    /// Expected calls per second from one service to another.
    pub edge_rps: BTreeMap<(String, String), f64>,
    pub bottleneck: Option<String>,
    /// Services that call each other in a cycle, one set per cycle.
    pub cycles: Vec<BTreeSet<String>>,
}

impl Figures {
    /// The expected figures of an analysis.
    pub fn from_analysis(analysis: &Analysis) -> Figures {
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
            bottleneck: analysis.bottleneck.as_ref().map(|b| b.service.clone()),
            cycles: analysis
                .cycles
                .iter()
                .map(|c| c.services.iter().cloned().collect())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SceneNode {
    pub id: NodeId,
    /// The service's index in the topology (None for a collapsed group).
    pub service: Option<usize>,
    pub kind: ServiceKind,
    pub group: Option<String>,
    pub zones: Vec<String>,
    pub replicas: u64,
    pub workers: u64,
    /// Services inside, for a collapsed group.
    pub members: usize,
    /// Traffic enters here.
    pub entry: bool,
    pub load_rps: Option<f64>,
    pub utilization: Option<f64>,
    pub pos: Point,
    pub width: f64,
    pub height: f64,
    /// Its position comes from the file's `layout`.
    pub pinned: bool,
}

impl SceneNode {
    /// The service's name, or the group's for a collapsed group.
    pub fn name(&self) -> &str {
        self.id.name()
    }

    pub fn rect(&self) -> Rect {
        Rect::around(self.pos, self.width, self.height)
    }

    /// The node's second line: `3×32 · 120/s · 45%`, or `5 services · …` for
    /// a collapsed group. A service in a single zone says so (a zone outage
    /// takes it out).
    pub fn subline(&self) -> String {
        let first = if self.members > 0 {
            count_line(self.members)
        } else {
            format!("{}×{}", self.replicas, self.workers)
        };
        let mut line = figures_line(first, self.load_rps, self.utilization);
        if self.members == 0 && self.zones.len() == 1 {
            line.push_str(&format!(" · zone {}", self.zones[0]));
        }
        line
    }
}

/// `5 services`, `1 service`.
fn count_line(members: usize) -> String {
    format!("{members} service{}", if members == 1 { "" } else { "s" })
}

/// `first · 120/s · 45%`, leaving out the figures that are not known.
fn figures_line(first: String, load_rps: Option<f64>, utilization: Option<f64>) -> String {
    let mut parts = vec![first];
    if let Some(load) = load_rps {
        parts.push(rate(load));
    }
    if let Some(util) = utilization {
        parts.push(format!("{:.0}%", util * 100.0));
    }
    parts.join(" · ")
}

#[derive(Debug, Clone, PartialEq)]
pub struct SceneEdge {
    pub from: usize,
    pub to: usize,
    /// Expected calls per second, summed over the calls it stands for.
    pub rate_rps: Option<f64>,
    /// Every call it stands for is optional.
    pub optional: bool,
    /// Drawn pointing backwards (the layout reversed it to break a cycle).
    pub back: bool,
    /// Caller and callee are in one cycle of calls (from the analysis).
    pub cycle: bool,
    /// Number of call entries it stands for.
    pub calls: usize,
    /// Vertical bend of its curve, in graph units, that keeps it off the
    /// nodes it does not connect ([`routes::edge_curve`]).
    pub bend: f64,
}

impl SceneEdge {
    /// Its curve between the rectangles of its nodes; `unit` is the size of
    /// a graph unit in the rectangles' units.
    pub fn curve(&self, from: Rect, to: Rect, unit: f64) -> [Point; 4] {
        routes::edge_curve(from, to, self.back, self.bend, unit)
    }
}

/// What the view hides or collapses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SceneOptions {
    /// Groups whose services are left out.
    pub hidden_groups: BTreeSet<String>,
    /// Draw every group as one node, whatever the file's `layout` says (for
    /// very large graphs in reports).
    pub collapse_all_groups: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scene {
    pub nodes: Vec<SceneNode>,
    pub edges: Vec<SceneEdge>,
    pub group_boxes: Vec<LabelledBox>,
    pub zone_boxes: Vec<LabelledBox>,
    /// Everything drawn, for "fit to window".
    pub bounds: Rect,
    /// Outgoing and incoming edges of each node (edge indices).
    pub outgoing: Vec<Vec<usize>>,
    pub incoming: Vec<Vec<usize>>,
    index: BTreeMap<NodeId, usize>,
    /// Services hidden by the filter, for the status line.
    pub hidden_services: usize,
    /// The groups as cards, for the view from far out.
    pub overview: Overview,
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

/// Width of a node, estimated from the length of its two lines of text (the
/// canvas elides what does not fit).
fn node_width(node: &SceneNode) -> f64 {
    let name = 7.6 * node.id.name().chars().count() as f64;
    let sub = 6.2 * node.subline().chars().count() as f64;
    (60.0 + name.max(sub)).clamp(150.0, 260.0)
}

impl Scene {
    /// Builds and lays out the scene. `previous` is where nodes were drawn
    /// before: it seeds the layout so that small edits move little.
    pub fn build(
        topology: &Topology,
        options: &SceneOptions,
        figures: &Figures,
        previous: &BTreeMap<NodeId, Point>,
    ) -> Scene {
        let collapsed: BTreeSet<&str> = if options.collapse_all_groups {
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

        let mut scene = Scene::default();
        // Service name → node index (a collapsed group's node for its members).
        let mut node_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, service) in topology.services.iter().enumerate() {
            if service
                .group
                .as_ref()
                .is_some_and(|g| options.hidden_groups.contains(g))
            {
                scene.hidden_services += 1;
                continue;
            }
            let group_node = service.group.as_deref().filter(|g| collapsed.contains(g));
            if let Some(group) = group_node {
                let id = NodeId::Group(group.to_owned());
                if let Some(&at) = scene.index.get(&id) {
                    let node = &mut scene.nodes[at];
                    node.members += 1;
                    node.entry |= entries.contains(service.name.as_str());
                    node.load_rps =
                        sum_opt(node.load_rps, figures.load_rps.get(&service.name).copied());
                    node.utilization = max_opt(
                        node.utilization,
                        figures.utilization.get(&service.name).copied(),
                    );
                    node_of.insert(&service.name, at);
                    continue;
                }
            }
            let id = match group_node {
                Some(group) => NodeId::Group(group.to_owned()),
                None => NodeId::Service(service.name.clone()),
            };
            let at = scene.nodes.len();
            scene.index.insert(id.clone(), at);
            node_of.insert(&service.name, at);
            scene.nodes.push(SceneNode {
                pinned: group_node.is_none()
                    && saved.is_some_and(|s| s.contains_key(&service.name)),
                service: group_node.is_none().then_some(index),
                kind: if group_node.is_some() {
                    ServiceKind::Service
                } else {
                    service.kind
                },
                group: service.group.clone(),
                zones: if group_node.is_some() {
                    Vec::new()
                } else {
                    service.zones.clone()
                },
                replicas: service.replicas,
                workers: service.workers,
                members: usize::from(group_node.is_some()),
                entry: entries.contains(service.name.as_str()),
                load_rps: figures.load_rps.get(&service.name).copied(),
                utilization: figures.utilization.get(&service.name).copied(),
                pos: Point::default(),
                width: 0.0,
                height: NODE_HEIGHT,
                id,
            });
        }

        // Edges, aggregated per pair of nodes.
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
                    cycle: false,
                    calls: 0,
                    bend: 0.0,
                });
                edge.optional &= call.optional;
                edge.calls += 1;
            }
        }
        // Rates: per service pair from the figures, summed into node pairs.
        for ((caller, callee), rate) in &figures.edge_rps {
            if let (Some(&from), Some(&to)) =
                (node_of.get(caller.as_str()), node_of.get(callee.as_str()))
                && let Some(edge) = edges.get_mut(&(from, to))
            {
                edge.rate_rps = sum_opt(edge.rate_rps, Some(*rate));
            }
        }
        // Calls within one cycle of services: the cycles each service is
        // in, looked up per edge (not every cycle scanned for every edge).
        let mut cycles_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, cycle) in figures.cycles.iter().enumerate() {
            for name in cycle {
                cycles_of.entry(name.as_str()).or_default().push(i);
            }
        }
        for ((from, to), edge) in &mut edges {
            if let (NodeId::Service(a), NodeId::Service(b)) =
                (&scene.nodes[*from].id, &scene.nodes[*to].id)
                && let (Some(of_a), Some(of_b)) =
                    (cycles_of.get(a.as_str()), cycles_of.get(b.as_str()))
            {
                edge.cycle = of_a.iter().any(|i| of_b.contains(i));
            }
        }
        scene.edges = edges.into_values().collect();
        for node in &mut scene.nodes {
            node.width = node_width(node);
        }
        scene.layout(saved, previous);
        scene
    }

    /// The scene of a report: nothing hidden, the expected figures of
    /// `analysis` (None: no figures, e.g. without workload), every group
    /// collapsed with `collapse_all_groups`.
    pub fn of(
        topology: &Topology,
        analysis: Option<&Analysis>,
        collapse_all_groups: bool,
    ) -> Scene {
        let figures = analysis.map(Figures::from_analysis).unwrap_or_default();
        let options = SceneOptions {
            hidden_groups: BTreeSet::new(),
            collapse_all_groups,
        };
        Scene::build(topology, &options, &figures, &BTreeMap::new())
    }

    /// Lays the nodes out. A collapsed group is a plain node (not a band of
    /// its own): collapsed groups are laid out like services, entries on the
    /// left and calls flowing right.
    fn layout(
        &mut self,
        saved: Option<&BTreeMap<String, Point>>,
        previous: &BTreeMap<NodeId, Point>,
    ) {
        let graph = LayoutGraph {
            nodes: self
                .nodes
                .iter()
                .map(|node| NodeSpec {
                    name: node.id.name().to_owned(),
                    group: if node.members > 0 {
                        None
                    } else {
                        node.group.clone()
                    },
                    width: node.width,
                    height: node.height,
                    source: node.entry,
                    pinned: match &node.id {
                        NodeId::Service(name) => saved.and_then(|s| s.get(name)).copied(),
                        NodeId::Group(_) => None,
                    },
                    previous: previous.get(&node.id).copied(),
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
        self.outgoing = vec![Vec::new(); self.nodes.len()];
        self.incoming = vec![Vec::new(); self.nodes.len()];
        for (i, edge) in self.edges.iter().enumerate() {
            self.outgoing[edge.from].push(i);
            self.incoming[edge.to].push(i);
        }
        self.update_boxes();
        self.route_edges();
        self.overview = Overview::of(self);
    }

    /// Bends the edges whose curves would pass through other nodes.
    pub fn route_edges(&mut self) {
        let rects: Vec<Rect> = self.nodes.iter().map(SceneNode::rect).collect();
        let edges: Vec<RouteEdge> = self
            .edges
            .iter()
            .map(|e| RouteEdge {
                from: e.from,
                to: e.to,
                back: e.back,
            })
            .collect();
        for (edge, bend) in self.edges.iter_mut().zip(routes::route(&rects, &edges)) {
            edge.bend = bend;
        }
    }

    /// Recomputes group and zone boxes and the bounds from node positions
    /// (after a layout, or while a node is dragged).
    pub fn update_boxes(&mut self) {
        let sizes: Vec<(f64, f64)> = self.nodes.iter().map(|n| (n.width, n.height)).collect();
        let positions: Vec<Point> = self.nodes.iter().map(|n| n.pos).collect();
        let groups: Vec<Vec<&str>> = self
            .nodes
            .iter()
            .map(|n| match (&n.id, &n.group) {
                (NodeId::Service(_), Some(group)) => vec![group.as_str()],
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
        // Zones often hold the same services (a service in zones a, b and c
        // is in three boxes, all alike): each side of a box that comes within
        // `ZONE_NESTING` of the same side of an earlier box it meets moves
        // out past it, so that every outline shows; their labels are
        // staggered where they are drawn.
        for i in 1..zone_boxes.len() {
            for j in 0..i {
                let earlier = zone_boxes[j].rect;
                let me = &mut zone_boxes[i].rect;
                if !earlier.intersects(*me) {
                    continue;
                }
                if (me.min.x - earlier.min.x).abs() < ZONE_NESTING {
                    me.min.x = me.min.x.min(earlier.min.x - ZONE_NESTING);
                }
                if (me.min.y - earlier.min.y).abs() < ZONE_NESTING {
                    me.min.y = me.min.y.min(earlier.min.y - ZONE_NESTING);
                }
                if (me.max.x - earlier.max.x).abs() < ZONE_NESTING {
                    me.max.x = me.max.x.max(earlier.max.x + ZONE_NESTING);
                }
                if (me.max.y - earlier.max.y).abs() < ZONE_NESTING {
                    me.max.y = me.max.y.max(earlier.max.y + ZONE_NESTING);
                }
            }
        }
        self.zone_boxes = zone_boxes;
        let all = self
            .nodes
            .iter()
            .map(|n| n.rect())
            .chain(self.group_boxes.iter().map(|b| b.rect));
        self.bounds = all.reduce(Rect::union).unwrap_or_default();
    }

    pub fn find(&self, id: &NodeId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The node that shows service `name`: its own, or its collapsed group's.
    pub fn node_of_service(&self, topology: &Topology, name: &str) -> Option<usize> {
        self.find(&NodeId::Service(name.to_owned())).or_else(|| {
            let group = topology
                .services
                .iter()
                .find(|s| s.name == name)?
                .group
                .clone()?;
            self.find(&NodeId::Group(group))
        })
    }

    /// Where every node is, to seed the next layout.
    pub fn positions(&self) -> BTreeMap<NodeId, Point> {
        self.nodes.iter().map(|n| (n.id.clone(), n.pos)).collect()
    }

    /// Nodes reachable from `start` along edges (downstream), or against them
    /// (upstream); `start` itself excluded.
    pub fn reachable(&self, start: usize, downstream: bool) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            let edges = if downstream {
                &self.outgoing[v]
            } else {
                &self.incoming[v]
            };
            for &e in edges {
                let next = if downstream {
                    self.edges[e].to
                } else {
                    self.edges[e].from
                };
                if next != start && seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        seen
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
