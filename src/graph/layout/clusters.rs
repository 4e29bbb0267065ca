//! The layout of large graphs with many groups: each group is laid out on
//! its own (layered, left to right) and the group boxes are packed in rows,
//! in reading order, so that the picture is about as wide as it is tall.

use super::order::order;
use super::{Bands, LayoutGraph, LayoutOptions, NodeSpec, Point, Rect, coords, cycles};

/// Height to width ratio past which groups are packed in rows.
const MAX_ASPECT: f64 = 2.5;
/// Groups needed before packing is worth it.
const MIN_GROUPS: usize = 4;
/// Target width to height ratio of the packed picture (a wide screen).
const TARGET_ASPECT: f64 = 1.6;

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

/// Positions with every group laid out alone and the groups packed in rows.
pub(super) fn arrange(
    graph: &LayoutGraph,
    dag: &[(usize, usize)],
    layers: &[usize],
    bands: &Bands,
    band_order: &[usize],
    options: &LayoutOptions,
) -> Vec<Point> {
    // Groups in reading order: those nearest the entries first, then by the
    // order the crossing reduction gave them.
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

    // Pack the boxes in rows (shelves) of about the target width.
    let gap = options.group_gap.max(options.layer_gap * 0.6);
    let area: f64 = local
        .iter()
        .map(|(_, _, r)| (r.width() + gap) * (r.height() + gap))
        .sum();
    let widest = local.iter().map(|(_, _, r)| r.width()).fold(0.0, f64::max);
    let row_width = (area * TARGET_ASPECT).sqrt().max(widest);
    let mut positions = vec![Point::default(); graph.nodes.len()];
    let (mut x, mut y, mut row_height) = (0.0, 0.0, 0.0f64);
    for (members, points, bounds) in &local {
        if x > 0.0 && x + bounds.width() > row_width {
            x = 0.0;
            y += row_height + gap;
            row_height = 0.0;
        }
        for (&v, p) in members.iter().zip(points) {
            positions[v] = Point {
                x: x + p.x - bounds.min.x,
                y: y + p.y - bounds.min.y,
            };
        }
        x += bounds.width() + gap;
        row_height = row_height.max(bounds.height());
    }
    positions
}

/// The layered layout of a graph without groups; a layer much taller than
/// the whole is wide is folded into several columns.
fn layered_one_band(graph: &LayoutGraph, options: &LayoutOptions) -> Vec<Point> {
    let (dag, _) = cycles::acyclic(graph);
    let layers = super::call_depth_layers(graph, &dag);
    let bands = Bands::new(&graph.nodes);
    let ordering = order(graph, &dag, &layers, &bands, options);
    let positions = coords::assign(graph, &dag, &layers, &bands, &ordering, options);
    let tallest = ordering.rows.iter().map(Vec::len).max().unwrap_or(0);
    let per_column = ((graph.nodes.len() as f64).sqrt().ceil() as usize).max(MIN_FOLDED_ROWS);
    if tallest <= per_column {
        return positions;
    }
    fold(graph, &ordering.rows, per_column, options)
}

/// Rows a folded layer keeps at least.
const MIN_FOLDED_ROWS: usize = 8;

/// Places each layer's nodes (in their order) in columns of at most
/// `per_column` nodes, top to bottom, then left to right.
fn fold(
    graph: &LayoutGraph,
    rows: &[Vec<usize>],
    per_column: usize,
    options: &LayoutOptions,
) -> Vec<Point> {
    let mut positions = vec![Point::default(); graph.nodes.len()];
    let mut left = 0.0;
    for row in rows {
        let width = row
            .iter()
            .map(|&v| graph.nodes[v].width)
            .fold(0.0, f64::max);
        let height = row
            .iter()
            .map(|&v| graph.nodes[v].height)
            .fold(0.0, f64::max);
        let columns = row.len().div_ceil(per_column).max(1);
        for (i, &v) in row.iter().enumerate() {
            let (column, slot) = (i / per_column, i % per_column);
            positions[v] = Point {
                x: left + width / 2.0 + column as f64 * (width + options.node_gap * 2.0),
                y: height / 2.0 + slot as f64 * (height + options.node_gap),
            };
        }
        left += columns as f64 * (width + options.node_gap * 2.0) - options.node_gap * 2.0
            + options.layer_gap;
    }
    positions
}
