//! Services that call nothing and that nothing calls (an import that found no
//! dependencies for them, say). Laid out as layers they would all sit in the
//! first column, one tall strip beside the graph; instead the rest of the
//! graph is laid out without them and they fill a compact grid to its right.

use super::{LayoutGraph, LayoutOptions, Point, Rect};

/// The nodes without an edge (a call to itself does not count), a group or a
/// saved position, in node order. Grouped nodes stay in their group's box and
/// pinned ones where they were saved.
pub(super) fn find(graph: &LayoutGraph) -> Vec<usize> {
    let mut linked = vec![false; graph.nodes.len()];
    for &(a, b) in &graph.edges {
        if a != b {
            if let Some(flag) = linked.get_mut(a) {
                *flag = true;
            }
            if let Some(flag) = linked.get_mut(b) {
                *flag = true;
            }
        }
    }
    graph
        .nodes
        .iter()
        .enumerate()
        .filter(|&(i, node)| !linked[i] && node.group.is_none() && node.pinned.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// `graph` without the `loners` (ascending), and for each node kept its index
/// in `graph`. Edges keep their order; a loner's calls to itself are dropped.
pub(super) fn without(graph: &LayoutGraph, loners: &[usize]) -> (LayoutGraph, Vec<usize>) {
    let mut new_index = vec![None; graph.nodes.len()];
    let mut kept = Vec::with_capacity(graph.nodes.len() - loners.len());
    let mut next_loner = loners.iter().peekable();
    for (i, slot) in new_index.iter_mut().enumerate() {
        if next_loner.peek() == Some(&&i) {
            next_loner.next();
        } else {
            *slot = Some(kept.len());
            kept.push(i);
        }
    }
    let nodes = kept.iter().map(|&i| graph.nodes[i].clone()).collect();
    let edges = graph
        .edges
        .iter()
        .filter_map(|&(a, b)| Some((new_index.get(a).copied()??, new_index.get(b).copied()??)))
        .collect();
    (LayoutGraph { nodes, edges }, kept)
}

/// Places the `loners` in a grid right of the other nodes (already placed in
/// `positions`), its top level with theirs. The
/// grid is about square, or as tall as the graph beside it when that is
/// taller. Filled column by column in node order. Without other nodes the
/// grid is centred on the origin.
pub(super) fn place(
    graph: &LayoutGraph,
    loners: &[usize],
    positions: &mut [Point],
    options: &LayoutOptions,
) {
    if loners.is_empty() {
        return;
    }
    let is_loner = {
        let mut flags = vec![false; graph.nodes.len()];
        for &i in loners {
            flags[i] = true;
        }
        flags
    };
    let others = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|&(i, _)| !is_loner[i])
        .map(|(i, node)| Rect::around(positions[i], node.width, node.height))
        .reduce(Rect::union);
    let cell_width = loners
        .iter()
        .map(|&i| graph.nodes[i].width)
        .fold(0.0, f64::max)
        + options.node_gap * 2.0;
    let cell_height = loners
        .iter()
        .map(|&i| graph.nodes[i].height)
        .fold(0.0, f64::max)
        + options.node_gap;
    let count = loners.len();
    let square_rows = ((count as f64 * cell_width / cell_height).sqrt().ceil() as usize).max(1);
    let beside_rows = others.map_or(0, |r| (r.height() / cell_height).floor() as usize);
    let rows = square_rows.max(beside_rows).clamp(1, count);
    let columns = count.div_ceil(rows);
    let origin = match others {
        Some(r) => Point {
            x: r.max.x + options.layer_gap,
            y: r.min.y,
        },
        None => Point {
            x: -(columns as f64) * cell_width / 2.0,
            y: -(rows as f64) * cell_height / 2.0,
        },
    };
    for (k, &i) in loners.iter().enumerate() {
        let (row, column) = (k % rows, k / rows);
        positions[i] = Point {
            x: origin.x + (column as f64 + 0.5) * cell_width,
            y: origin.y + (row as f64 + 0.5) * cell_height,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::super::{LayoutGraph, LayoutOptions, NodeSpec, Rect, layered};

    fn graph(loners: usize) -> LayoutGraph {
        let mut nodes: Vec<NodeSpec> = ["a", "b", "c"]
            .iter()
            .map(|name| NodeSpec::new(*name, 120.0, 40.0))
            .collect();
        nodes.extend((0..loners).map(|i| NodeSpec::new(format!("lone-{i}"), 120.0, 40.0)));
        LayoutGraph {
            nodes,
            // A chain, and one loner calling itself (still a loner).
            edges: vec![(0, 1), (1, 2), (3, 3)],
        }
    }

    #[test]
    fn loners_fill_a_grid_right_of_the_graph_not_a_column() {
        let g = graph(30);
        let result = layered(&g, &LayoutOptions::default());
        assert_eq!(result.back_edges.len(), g.edges.len());
        let chain_right = (0..3)
            .map(|i| result.positions[i].x + 60.0)
            .fold(f64::MIN, f64::max);
        let mut columns: Vec<i64> = (3..33)
            .map(|i| {
                assert!(
                    result.positions[i].x - 60.0 > chain_right,
                    "loner {i} is not right of the graph"
                );
                result.positions[i].x.round() as i64
            })
            .collect();
        columns.sort_unstable();
        columns.dedup();
        assert!(columns.len() >= 3, "30 loners in {} columns", columns.len());
        let rects: Vec<Rect> = result
            .positions
            .iter()
            .map(|&p| Rect::around(p, 120.0, 40.0))
            .collect();
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                assert!(!rects[i].intersects(rects[j]), "nodes {i} and {j} overlap");
            }
        }
    }

    #[test]
    fn a_graph_of_loners_only_is_a_grid_around_the_origin() {
        let g = LayoutGraph {
            nodes: (0..9)
                .map(|i| NodeSpec::new(format!("s{i}"), 100.0, 40.0))
                .collect(),
            edges: Vec::new(),
        };
        let result = layered(&g, &LayoutOptions::default());
        let (xs, ys): (Vec<f64>, Vec<f64>) = result.positions.iter().map(|p| (p.x, p.y)).unzip();
        let mean_x = xs.iter().sum::<f64>() / 9.0;
        let mean_y = ys.iter().sum::<f64>() / 9.0;
        assert!(
            mean_x.abs() < 100.0 && mean_y.abs() < 100.0,
            "centre ({mean_x}, {mean_y})"
        );
        let spread_y = ys.iter().cloned().fold(f64::MIN, f64::max)
            - ys.iter().cloned().fold(f64::MAX, f64::min);
        assert!(
            spread_y < 9.0 * 40.0,
            "one column of nine: spread {spread_y}"
        );
    }

    #[test]
    fn grouped_and_pinned_nodes_are_not_loners() {
        let mut g = graph(2);
        g.nodes[3].group = Some("g".into());
        g.nodes[4].pinned = Some(super::Point { x: 5.0, y: 7.0 });
        assert!(super::find(&g).is_empty());
        assert_eq!(
            layered(&g, &LayoutOptions::default()).positions[4],
            super::Point { x: 5.0, y: 7.0 }
        );
    }
}
