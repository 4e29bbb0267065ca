//! The layout of large graphs with many groups: each group is laid out on
//! its own (layered, left to right), then the groups themselves are laid out
//! by the same layered algorithm as one node each — the entries' groups on
//! the left, calls flowing right — with a column of many groups folded into
//! several, so that the picture is a map about as wide as it is tall.

use std::collections::BTreeSet;

use super::order::order;
use super::{Bands, LayoutGraph, LayoutOptions, NodeSpec, Point, Rect, coords, cycles};

/// Height to width ratio past which groups are laid out as a graph of groups.
const MAX_ASPECT: f64 = 2.5;
/// Groups needed before packing is worth it.
const MIN_GROUPS: usize = 4;

/// Is the plain layered layout a tall strip of many groups?
pub(super) fn too_tall(graph: &LayoutGraph, positions: &[Point], bands: &Bands) -> bool {
    if bands.count < MIN_GROUPS {
        return false;
    }
    let Some(bounds) = positions
        .iter()
        .zip(&graph.nodes)
        .map(|(p, node)| Rect::around(*p, node.width, node.height))
        .reduce(Rect::union)
    else {
        return false;
    };
    bounds.height() > MAX_ASPECT * bounds.width().max(1.0)
}

/// Positions with every group laid out alone and the groups laid out as
/// nodes of a layered graph of groups.
pub(super) fn arrange(
    graph: &LayoutGraph,
    dag: &[(usize, usize)],
    layers: &[usize],
    bands: &Bands,
    band_order: &[usize],
    options: &LayoutOptions,
) -> Vec<Point> {
    // Groups nearest the entries first, then by the order the crossing
    // reduction gave them (this seeds the order of the groups' layout).
    let mut first_layer = vec![usize::MAX; bands.count];
    for (v, &layer) in layers.iter().enumerate() {
        let band = bands.of_node[v];
        first_layer[band] = first_layer[band].min(layer);
    }
    let mut groups: Vec<usize> = band_order.to_vec();
    groups.sort_by_key(|&b| first_layer[b]);

    // Lay out each group alone.
    let mut local: Vec<(Vec<usize>, Vec<Point>, Rect)> = Vec::with_capacity(groups.len());
    for &band in &groups {
        let members: Vec<usize> = (0..graph.nodes.len())
            .filter(|&v| bands.of_node[v] == band)
            .collect();
        let mut index = vec![usize::MAX; graph.nodes.len()];
        for (i, &v) in members.iter().enumerate() {
            index[v] = i;
        }
        let sub = LayoutGraph {
            nodes: members
                .iter()
                .map(|&v| NodeSpec {
                    group: None,
                    pinned: None,
                    ..graph.nodes[v].clone()
                })
                .collect(),
            edges: dag
                .iter()
                .filter(|(a, b)| bands.of_node[*a] == band && bands.of_node[*b] == band)
                .map(|&(a, b)| (index[a], index[b]))
                .collect(),
        };
        let positions = layered_one_band(&sub, options);
        let bounds = positions
            .iter()
            .zip(&sub.nodes)
            .map(|(p, node)| Rect::around(*p, node.width, node.height))
            .reduce(Rect::union)
            .unwrap_or_default();
        local.push((members, positions, bounds));
    }

    // The graph of groups: one node per group, as large as its layout, and
    // an edge where a member of one calls a member of another. Spacing
    // between group boxes is the group gap, which leaves room for labels.
    let mut slot = vec![0usize; bands.count];
    for (i, &band) in groups.iter().enumerate() {
        slot[band] = i;
    }
    let mut between: BTreeSet<(usize, usize)> = BTreeSet::new();
    for &(a, b) in dag {
        let (from, to) = (slot[bands.of_node[a]], slot[bands.of_node[b]]);
        if from != to {
            between.insert((from, to));
        }
    }
    let gap = options.group_gap.max(options.layer_gap * 0.6);
    let quotient = LayoutGraph {
        nodes: local
            .iter()
            .enumerate()
            .map(|(i, (members, _, bounds))| NodeSpec {
                source: members.iter().any(|&v| graph.nodes[v].source),
                previous: mean_previous(graph, members),
                ..NodeSpec::new(format!("group {i}"), bounds.width(), bounds.height())
            })
            .collect(),
        edges: between.into_iter().collect(),
    };
    let group_options = LayoutOptions {
        node_gap: gap,
        layer_gap: options.layer_gap.max(gap),
        ..options.clone()
    };
    let centres = layered_one_band(&quotient, &group_options);

    let mut positions = vec![Point::default(); graph.nodes.len()];
    for ((members, points, bounds), centre) in local.iter().zip(&centres) {
        let dx = centre.x - (bounds.min.x + bounds.max.x) / 2.0;
        let dy = centre.y - (bounds.min.y + bounds.max.y) / 2.0;
        for (&v, p) in members.iter().zip(points) {
            positions[v] = Point {
                x: p.x + dx,
                y: p.y + dy,
            };
        }
    }
    positions
}

/// Where the members of a group were drawn before, on average (seeds the
/// order of the groups' layout so that an edit moves little).
fn mean_previous(graph: &LayoutGraph, members: &[usize]) -> Option<Point> {
    let known: Vec<Point> = members
        .iter()
        .filter_map(|&v| graph.nodes[v].previous)
        .collect();
    (!known.is_empty()).then(|| Point {
        x: known.iter().map(|p| p.x).sum::<f64>() / known.len() as f64,
        y: known.iter().map(|p| p.y).sum::<f64>() / known.len() as f64,
    })
}

/// The layered layout of a graph without groups; a layer much taller than
/// the whole is wide is folded into several columns.
fn layered_one_band(graph: &LayoutGraph, options: &LayoutOptions) -> Vec<Point> {
    let (dag, _) = cycles::acyclic(graph);
    let layers = super::call_depth_layers(graph, &dag);
    let bands = Bands::new(&graph.nodes);
    let ordering = order(graph, &dag, &layers, &bands, options);
    let positions = coords::assign(graph, &dag, &layers, &bands, &ordering, options);
    fold_tall_layers(graph, &dag, &ordering.rows, options).unwrap_or(positions)
}

/// A layer much taller than the whole is wide folded into several columns
/// (None when no layer is): each layer's nodes in the order of the calls
/// between them (callers first, else the crossing reduction's order), top
/// to bottom, then left to right, so that a call inside a folded layer
/// points right or down, never left.
pub(super) fn fold_tall_layers(
    graph: &LayoutGraph,
    dag: &[(usize, usize)],
    rows: &[Vec<usize>],
    options: &LayoutOptions,
) -> Option<Vec<Point>> {
    let tallest = rows.iter().map(Vec::len).max().unwrap_or(0);
    let per_column = ((graph.nodes.len() as f64).sqrt().ceil() as usize).max(MIN_FOLDED_ROWS);
    if tallest <= per_column {
        return None;
    }
    let rows: Vec<Vec<usize>> = rows
        .iter()
        .map(|row| callers_first(graph.nodes.len(), dag, row))
        .collect();
    Some(fold(graph, &rows, per_column, options))
}

/// `row` in an order where every call between two of its nodes goes from
/// an earlier to a later one (the calls are acyclic), otherwise keeping the
/// given order.
fn callers_first(n: usize, dag: &[(usize, usize)], row: &[usize]) -> Vec<usize> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut slot = vec![usize::MAX; n];
    for (i, &v) in row.iter().enumerate() {
        slot[v] = i;
    }
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); row.len()];
    let mut callers = vec![0usize; row.len()];
    for &(from, to) in dag {
        let (a, b) = (slot.get(from).copied(), slot.get(to).copied());
        if let (Some(a), Some(b)) = (a, b)
            && a != usize::MAX
            && b != usize::MAX
            && a != b
        {
            callees[a].push(b);
            callers[b] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..row.len())
        .filter(|&i| callers[i] == 0)
        .map(Reverse)
        .collect();
    let mut ordered = Vec::with_capacity(row.len());
    while let Some(Reverse(i)) = ready.pop() {
        ordered.push(row[i]);
        for &j in &callees[i] {
            callers[j] -= 1;
            if callers[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    // The calls are acyclic, so every node was ordered; were they not, the
    // rest keep their order.
    if ordered.len() < row.len() {
        let mut placed = vec![false; row.len()];
        for &v in &ordered {
            placed[slot[v]] = true;
        }
        ordered.extend((0..row.len()).filter(|&i| !placed[i]).map(|i| row[i]));
    }
    ordered
}

/// Rows a folded layer keeps at least.
const MIN_FOLDED_ROWS: usize = 8;

/// Places each layer's nodes (in their order) in columns of at most
/// `per_column` nodes, top to bottom, then left to right; each layer is
/// centred on the tallest.
fn fold(
    graph: &LayoutGraph,
    rows: &[Vec<usize>],
    per_column: usize,
    options: &LayoutOptions,
) -> Vec<Point> {
    let size = |row: &[usize]| {
        let width = row
            .iter()
            .map(|&v| graph.nodes[v].width)
            .fold(0.0, f64::max);
        let height = row
            .iter()
            .map(|&v| graph.nodes[v].height)
            .fold(0.0, f64::max);
        let tall = row.len().min(per_column) as f64;
        (width, height, tall * (height + options.node_gap))
    };
    let tallest = rows.iter().map(|row| size(row).2).fold(0.0, f64::max);
    let mut positions = vec![Point::default(); graph.nodes.len()];
    let mut left = 0.0;
    for row in rows {
        let (width, height, extent) = size(row);
        let top = (tallest - extent) / 2.0;
        let columns = row.len().div_ceil(per_column).max(1);
        for (i, &v) in row.iter().enumerate() {
            let (column, slot) = (i / per_column, i % per_column);
            positions[v] = Point {
                x: left + width / 2.0 + column as f64 * (width + options.node_gap * 2.0),
                y: top + height / 2.0 + slot as f64 * (height + options.node_gap),
            };
        }
        left += columns as f64 * (width + options.node_gap * 2.0) - options.node_gap * 2.0
            + options.layer_gap;
    }
    positions
}
