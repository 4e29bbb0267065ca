//! Layered ("Sugiyama") layout of a dependency graph, in plain `f64` graph
//! units. No UI types: the desktop app and the SVG/PNG writers both draw from
//! this.
//!
//! Calls flow left to right. The steps, each in its own submodule:
//!
//! 1. `cycles`: break cycles by reversing the back edges of a depth-first
//!    search that starts at the entry services (the sources).
//! 2. Layers by call depth: the longest path from a source.
//! 3. `order`: the order of nodes within each layer, seeded from where the
//!    nodes were drawn last time (so a small edit moves little), then improved
//!    by barycenter sweeps that keep the order with the fewest crossings.
//!    Groups are kept together as horizontal bands, so group boxes never
//!    overlap.
//! 4. `coords`: coordinates. Columns from layers; within each band and
//!    column, nodes are pulled towards their neighbours while keeping their
//!    order and a minimum gap (isotonic regression).
//!    A graph of many groups that share columns would become a tall
//!    narrow strip; then `clusters` lays out each group on its own and
//!    then the groups, as one node each, by this same layered layout. In a
//!    graph without groups (or with every group collapsed into one node) a
//!    column far taller than the picture is wide is folded into several,
//!    callers before callees.
//! 5. Saved positions (`layout.nodes` in the file) override the result; the
//!    other nodes follow their pinned neighbours and are nudged off them.
//! 6. [`routes`]: the curve of each edge, bent where it would pass through a
//!    node it does not connect.
//!
//! Everything is deterministic: same input, same output, bit for bit.

mod clusters;
mod coords;
mod cycles;
mod grid;
mod loners;
mod order;
pub mod routes;

use std::collections::BTreeMap;

pub use crate::model::Point;
pub use grid::RectGrid;

/// One node to lay out.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    pub name: String,
    /// Nodes of the same group are kept together and boxed.
    pub group: Option<String>,
    pub width: f64,
    pub height: f64,
    /// Traffic enters here (an entry's target): such nodes start the layers.
    pub source: bool,
    /// A saved position: used as is.
    pub pinned: Option<Point>,
    /// Where the node was drawn before this layout: seeds the order so that
    /// small changes of the graph move little.
    pub previous: Option<Point>,
}

impl NodeSpec {
    /// A node of the given size with no group, pin or history.
    pub fn new(name: impl Into<String>, width: f64, height: f64) -> Self {
        NodeSpec {
            name: name.into(),
            group: None,
            width,
            height,
            source: false,
            pinned: None,
            previous: None,
        }
    }
}

/// A graph to lay out: nodes and directed edges (caller → callee) between
/// node indices. Self-loops and repeated edges are allowed and ignored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayoutGraph {
    pub nodes: Vec<NodeSpec>,
    pub edges: Vec<(usize, usize)>,
}

/// Spacing, in graph units.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutOptions {
    /// Horizontal gap between the widest nodes of neighbouring columns.
    pub layer_gap: f64,
    /// Vertical gap between nodes of one column.
    pub node_gap: f64,
    /// Vertical gap between the bands of two groups: their boxes' padding
    /// on both sides plus room for the lower box's label.
    pub group_gap: f64,
    /// Barycenter sweeps (down and up count as one).
    pub sweeps: usize,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            layer_gap: 110.0,
            node_gap: 26.0,
            group_gap: 84.0,
            sweeps: 12,
        }
    }
}

/// Where everything went.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutResult {
    /// Centre of each node, by node index.
    pub positions: Vec<Point>,
    /// Column of each node (0 = sources).
    pub layers: Vec<usize>,
    /// Per input edge: true when it was reversed to break a cycle (it points
    /// backwards, right to left).
    pub back_edges: Vec<bool>,
    /// Crossings between neighbouring columns in the chosen order.
    pub crossings: usize,
}

/// An axis-aligned rectangle in graph units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub min: Point,
    pub max: Point,
}

impl Rect {
    /// The rectangle of the given size around `centre`.
    pub fn around(centre: Point, width: f64, height: f64) -> Rect {
        Rect {
            min: Point {
                x: centre.x - width / 2.0,
                y: centre.y - height / 2.0,
            },
            max: Point {
                x: centre.x + width / 2.0,
                y: centre.y + height / 2.0,
            },
        }
    }

    pub fn union(self, other: Rect) -> Rect {
        Rect {
            min: Point {
                x: self.min.x.min(other.min.x),
                y: self.min.y.min(other.min.y),
            },
            max: Point {
                x: self.max.x.max(other.max.x),
                y: self.max.y.max(other.max.y),
            },
        }
    }

    pub fn expand(self, by: f64) -> Rect {
        Rect {
            min: Point {
                x: self.min.x - by,
                y: self.min.y - by,
            },
            max: Point {
                x: self.max.x + by,
                y: self.max.y + by,
            },
        }
    }

    pub fn intersects(self, other: Rect) -> bool {
        self.min.x < other.max.x
            && other.min.x < self.max.x
            && self.min.y < other.max.y
            && other.min.y < self.max.y
    }

    pub fn width(self) -> f64 {
        self.max.x - self.min.x
    }

    pub fn height(self) -> f64 {
        self.max.y - self.min.y
    }
}

/// A labelled box around some nodes (a group or a zone).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledBox {
    pub label: String,
    pub rect: Rect,
}

/// Lays out `graph`. Runs in O(sweeps × (nodes + edges) × log) time: a
/// thousand services take a few milliseconds.
pub fn layered(graph: &LayoutGraph, options: &LayoutOptions) -> LayoutResult {
    let lonely = loners::find(graph);
    if lonely.is_empty() {
        return layered_linked(graph, options);
    }
    let (linked, kept) = loners::without(graph, &lonely);
    let inner = layered_linked(&linked, options);
    let mut positions = vec![Point::default(); graph.nodes.len()];
    let mut layers = vec![0; graph.nodes.len()];
    for (k, &i) in kept.iter().enumerate() {
        positions[i] = inner.positions[k];
        layers[i] = inner.layers[k];
    }
    loners::place(graph, &lonely, &mut positions, options);
    // The kept edges are the input's in order, less the loners' self-calls.
    let mut inner_back = inner.back_edges.into_iter();
    let is_loner = |i: usize| lonely.binary_search(&i).is_ok();
    let back_edges = graph
        .edges
        .iter()
        .map(|&(a, b)| !is_loner(a) && !is_loner(b) && inner_back.next().unwrap_or(false))
        .collect();
    LayoutResult {
        positions,
        layers,
        back_edges,
        crossings: inner.crossings,
    }
}

/// [`layered`] for a graph whose loners (see `loners`) are already set apart.
fn layered_linked(graph: &LayoutGraph, options: &LayoutOptions) -> LayoutResult {
    let n = graph.nodes.len();
    if n == 0 {
        return LayoutResult {
            positions: Vec::new(),
            layers: Vec::new(),
            back_edges: Vec::new(),
            crossings: 0,
        };
    }
    let (dag, back_edges) = cycles::acyclic(graph);
    let layers = call_depth_layers(graph, &dag);
    let bands = Bands::new(&graph.nodes);
    let ordering = order::order(graph, &dag, &layers, &bands, options);
    let mut positions = coords::assign(graph, &dag, &layers, &bands, &ordering, options);
    if bands.count == 1 {
        // No groups (or every group collapsed into one node): fold a column
        // far taller than the picture is wide.
        if let Some(folded) = clusters::fold_tall_layers(graph, &dag, &ordering.rows, options) {
            positions = folded;
        }
    } else if clusters::too_tall(graph, &positions, &bands) {
        positions = clusters::arrange(graph, &dag, &layers, &bands, &ordering.band_order, options);
    }
    apply_pins(graph, &dag, &mut positions, options);
    LayoutResult {
        positions,
        layers,
        back_edges,
        crossings: ordering.crossings,
    }
}

/// Groups of nodes as bands: band 0 is the ungrouped nodes (if any), then one
/// band per group name.
#[derive(Debug)]
pub(crate) struct Bands {
    /// Band of each node.
    pub of_node: Vec<usize>,
    pub count: usize,
}

impl Bands {
    fn new(nodes: &[NodeSpec]) -> Bands {
        let mut index: BTreeMap<Option<&str>, usize> = BTreeMap::new();
        for node in nodes {
            index.entry(node.group.as_deref()).or_insert(0);
        }
        for (i, band) in index.values_mut().enumerate() {
            *band = i;
        }
        let of_node = nodes
            .iter()
            .map(|node| index[&node.group.as_deref()])
            .collect();
        Bands {
            of_node,
            count: index.len(),
        }
    }
}

/// Past this many layers, layers come from the shortest call depth instead.
const MAX_LAYERS: usize = 12;

/// Layers by call depth: the longest path from a node without callers. A
/// densely connected graph (say, collapsed groups that all call each other)
/// has very long paths, which would draw it as one long row; then the
/// shortest depth from the entries is used instead, which keeps the picture
/// compact (some calls then point sideways or back).
fn call_depth_layers(graph: &LayoutGraph, dag: &[(usize, usize)]) -> Vec<usize> {
    let n = graph.nodes.len();
    let longest = longest_path_layers(n, dag);
    if longest.iter().max().is_none_or(|&m| m < MAX_LAYERS) {
        return longest;
    }
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut called = vec![false; n];
    for &(from, to) in dag {
        succ[from].push(to);
        called[to] = true;
    }
    let mut depth = vec![usize::MAX; n];
    let mut queue = std::collections::VecDeque::new();
    for v in 0..n {
        if graph.nodes[v].source || !called[v] {
            depth[v] = 0;
            queue.push_back(v);
        }
    }
    while let Some(v) = queue.pop_front() {
        for &w in &succ[v] {
            if depth[w] == usize::MAX {
                depth[w] = depth[v] + 1;
                queue.push_back(w);
            }
        }
    }
    // Every node is reachable: a DAG's nodes all descend from some node
    // without callers. Guard anyway.
    depth
        .iter()
        .map(|&d| if d == usize::MAX { 0 } else { d })
        .collect()
}

/// Layer of each node: the length of the longest path to it from a node
/// without callers, over the acyclic edges.
fn longest_path_layers(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for &(from, to) in dag {
        succ[from].push(to);
        indegree[to] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    layer
}

/// Pinned nodes go where they were saved. Unpinned nodes with pinned
/// neighbours move by the mean displacement of those neighbours, then step
/// down until they overlap no pinned node.
fn apply_pins(
    graph: &LayoutGraph,
    dag: &[(usize, usize)],
    positions: &mut [Point],
    options: &LayoutOptions,
) {
    let pinned: Vec<usize> = (0..graph.nodes.len())
        .filter(|&i| graph.nodes[i].pinned.is_some())
        .collect();
    if pinned.is_empty() {
        return;
    }
    let auto: Vec<Point> = positions.to_vec();
    let mut shift_sum = vec![(0.0, 0.0, 0usize); graph.nodes.len()];
    for &(a, b) in dag {
        for (me, other) in [(a, b), (b, a)] {
            if let (None, Some(pin)) = (graph.nodes[me].pinned, graph.nodes[other].pinned) {
                let entry = &mut shift_sum[me];
                entry.0 += pin.x - auto[other].x;
                entry.1 += pin.y - auto[other].y;
                entry.2 += 1;
            }
        }
    }
    // Nodes placed so far, in a grid: each placement looks at its
    // neighbours only (linear in the graph, not quadratic).
    let mut taken = RectGrid::new();
    let mut taken_count = 0usize;
    for &i in &pinned {
        let node = &graph.nodes[i];
        if let Some(pin) = node.pinned {
            positions[i] = pin;
            taken.insert(Rect::around(pin, node.width, node.height));
            taken_count += 1;
        }
    }
    let all_pinned = pinned.len() == graph.nodes.len();
    if all_pinned {
        return;
    }
    // Nodes with no pinned neighbour move with the mean shift of all pins.
    let (mut gx, mut gy) = (0.0, 0.0);
    for &i in &pinned {
        if let Some(pin) = graph.nodes[i].pinned {
            gx += pin.x - auto[i].x;
            gy += pin.y - auto[i].y;
        }
    }
    let global = (gx / pinned.len() as f64, gy / pinned.len() as f64);
    for (i, node) in graph.nodes.iter().enumerate() {
        if node.pinned.is_some() {
            continue;
        }
        let (sx, sy, count) = shift_sum[i];
        let shift = if count > 0 {
            (sx / count as f64, sy / count as f64)
        } else {
            global
        };
        let mut at = Point {
            x: auto[i].x + shift.0,
            y: auto[i].y + shift.1,
        };
        // Step down past overlapping nodes; bounded, since `taken` is finite.
        for _ in 0..=taken_count {
            let me = Rect::around(at, node.width, node.height).expand(options.node_gap / 2.0);
            match taken.first_hit(me) {
                Some(hit) => at.y = hit.max.y + options.node_gap / 2.0 + node.height / 2.0 + 1.0,
                None => break,
            }
        }
        positions[i] = at;
        taken.insert(Rect::around(at, node.width, node.height));
        taken_count += 1;
    }
}

/// Boxes around nodes that share a label (e.g. their group), padded by
/// `padding`; in label order. `labels[i]` lists the labels of node `i`.
pub fn boxes_around(
    labels: &[Vec<&str>],
    positions: &[Point],
    sizes: &[(f64, f64)],
    padding: f64,
) -> Vec<LabelledBox> {
    let mut boxes: BTreeMap<&str, Rect> = BTreeMap::new();
    for (i, node_labels) in labels.iter().enumerate() {
        let (Some(&at), Some(&(w, h))) = (positions.get(i), sizes.get(i)) else {
            continue;
        };
        let rect = Rect::around(at, w, h);
        for label in node_labels {
            boxes
                .entry(label)
                .and_modify(|r| *r = r.union(rect))
                .or_insert(rect);
        }
    }
    boxes
        .into_iter()
        .map(|(label, rect)| LabelledBox {
            label: label.to_owned(),
            rect: rect.expand(padding),
        })
        .collect()
}

/// Moves label rectangles to the right, in order, until none overlaps an
/// earlier one by less than `gap`: labels anchored at the same place (say,
/// the corners of nested boxes) end up side by side.
pub fn stagger_labels(labels: &mut [Rect], gap: f64) {
    for i in 1..labels.len() {
        // Each move passes the right end of one earlier label, so this ends
        // within `i` moves.
        for _ in 0..i {
            let me = labels[i].expand(gap / 2.0);
            let Some(right) = labels[..i]
                .iter()
                .filter(|other| other.expand(gap / 2.0).intersects(me))
                .map(|other| other.max.x)
                .reduce(f64::max)
            else {
                break;
            };
            let shift = right + gap - labels[i].min.x;
            labels[i].min.x += shift;
            labels[i].max.x += shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(names: &[&str]) -> LayoutGraph {
        LayoutGraph {
            nodes: names
                .iter()
                .map(|n| NodeSpec::new(*n, 100.0, 40.0))
                .collect(),
            edges: (1..names.len()).map(|i| (i - 1, i)).collect(),
        }
    }

    #[test]
    fn a_chain_goes_left_to_right_in_one_row() {
        let result = layered(&chain(&["a", "b", "c"]), &LayoutOptions::default());
        assert_eq!(result.layers, vec![0, 1, 2]);
        assert!(result.positions[0].x < result.positions[1].x);
        assert!(result.positions[1].x < result.positions[2].x);
        assert_eq!(result.positions[0].y, result.positions[2].y);
    }

    #[test]
    fn a_cycle_is_broken_and_every_node_placed() {
        let mut graph = chain(&["a", "b", "c"]);
        graph.edges.push((2, 0));
        graph.nodes[0].source = true;
        let result = layered(&graph, &LayoutOptions::default());
        assert_eq!(result.back_edges, vec![false, false, true]);
        assert_eq!(result.layers, vec![0, 1, 2]);
    }

    #[test]
    fn pinned_nodes_stay_where_they_were_saved() {
        let mut graph = chain(&["a", "b"]);
        graph.nodes[1].pinned = Some(Point { x: 900.0, y: -50.0 });
        let result = layered(&graph, &LayoutOptions::default());
        assert_eq!(result.positions[1], Point { x: 900.0, y: -50.0 });
        let a = Rect::around(result.positions[0], 100.0, 40.0);
        assert!(!a.intersects(Rect::around(result.positions[1], 100.0, 40.0)));
    }

    #[test]
    fn boxes_cover_their_members() {
        let positions = [Point { x: 0.0, y: 0.0 }, Point { x: 200.0, y: 100.0 }];
        let sizes = [(100.0, 40.0), (100.0, 40.0)];
        let boxes = boxes_around(&[vec!["g"], vec!["g"]], &positions, &sizes, 10.0);
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].rect.min, Point { x: -60.0, y: -30.0 });
        assert_eq!(boxes[0].rect.max, Point { x: 260.0, y: 130.0 });
    }

    #[test]
    fn staggered_labels_never_overlap() {
        let at = |x: f64, y: f64, w: f64| Rect {
            min: Point { x, y },
            max: Point {
                x: x + w,
                y: y + 12.0,
            },
        };
        // Three labels on one corner, one nearby, one elsewhere.
        let mut labels = vec![
            at(0.0, 0.0, 40.0),
            at(0.0, 2.0, 40.0),
            at(0.0, 4.0, 55.0),
            at(30.0, 0.0, 10.0),
            at(0.0, 100.0, 40.0),
        ];
        stagger_labels(&mut labels, 6.0);
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(!a.intersects(*b), "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(labels[4].min.x, 0.0, "a label in the clear stays");
    }

    /// A service graph of `n` nodes in four groups, calls going "down" the
    /// index order (a pseudo-random but fixed choice).
    fn synthetic(n: usize) -> LayoutGraph {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let nodes = (0..n)
            .map(|i| NodeSpec {
                group: Some(format!("g{}", i % 4)),
                source: i < 2,
                ..NodeSpec::new(format!("s{i}"), 150.0, 52.0)
            })
            .collect();
        let mut edges = Vec::new();
        for to in 2..n {
            for _ in 0..1 + next() % 2 {
                edges.push((next() % to, to));
            }
        }
        LayoutGraph { nodes, edges }
    }

    #[test]
    fn the_same_graph_gives_the_same_layout() {
        let graph = synthetic(60);
        let options = LayoutOptions::default();
        assert_eq!(layered(&graph, &options), layered(&graph, &options));
    }

    #[test]
    fn adding_a_service_moves_the_others_little() {
        let options = LayoutOptions::default();
        let mut graph = synthetic(40);
        let before = layered(&graph, &options);
        // Add a service called by an existing one, and seed from where
        // everything was drawn.
        for (node, p) in graph.nodes.iter_mut().zip(&before.positions) {
            node.previous = Some(*p);
        }
        graph.nodes.push(NodeSpec {
            group: Some("g1".into()),
            ..NodeSpec::new("new", 150.0, 52.0)
        });
        graph.edges.push((5, 40));
        let after = layered(&graph, &options);

        // Order within each column is kept for (nearly) every pair.
        let (mut kept, mut pairs) = (0, 0);
        for a in 0..40 {
            for b in a + 1..40 {
                if before.layers[a] == before.layers[b] && after.layers[a] == after.layers[b] {
                    pairs += 1;
                    let was = before.positions[a].y < before.positions[b].y;
                    let is = after.positions[a].y < after.positions[b].y;
                    kept += usize::from(was == is);
                }
            }
        }
        assert!(
            kept * 100 >= pairs * 95,
            "kept the order of {kept} of {pairs} pairs"
        );
        // And most nodes stay within two rows of where they were.
        let near = (0..40)
            .filter(|&i| {
                let (p, q) = (before.positions[i], after.positions[i]);
                (p.x - q.x).abs() < 1.0 && (p.y - q.y).abs() <= 2.0 * (52.0 + options.node_gap)
            })
            .count();
        assert!(near >= 32, "only {near} of 40 nodes stayed near");
    }

    #[test]
    fn the_previous_picture_wins_over_file_order() {
        // The same graph with its services listed in reverse order (as after
        // sorting a file) is drawn as before when seeded with the old picture.
        let options = LayoutOptions::default();
        let graph = synthetic(40);
        let before = layered(&graph, &options);
        let n = graph.nodes.len();
        let reversed = LayoutGraph {
            nodes: (0..n)
                .rev()
                .map(|i| NodeSpec {
                    previous: Some(before.positions[i]),
                    ..graph.nodes[i].clone()
                })
                .collect(),
            edges: graph
                .edges
                .iter()
                .map(|&(a, b)| (n - 1 - a, n - 1 - b))
                .collect(),
        };
        let after = layered(&reversed, &options);
        let moved = (0..n)
            .filter(|&i| before.positions[i] != after.positions[n - 1 - i])
            .count();
        assert!(moved <= n / 10, "{moved} of {n} nodes moved");
    }
}
