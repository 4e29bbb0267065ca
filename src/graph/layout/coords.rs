//! Coordinate assignment: columns from layers, rows within group bands.
//!
//! Each layer is a column as wide as its widest node. Each group is a band as
//! tall as its fullest column. Within a band and column the nodes keep their
//! order and a minimum gap, and are pulled towards the mean height of their
//! neighbours: a least-squares fit under order constraints, solved exactly by
//! pool-adjacent-violators (isotonic regression) and clamped to the band.

use super::order::Ordering;
use super::{Bands, LayoutGraph, LayoutOptions, Point};

/// Pull rounds: down, up, then both sides, repeated.
const ROUNDS: usize = 4;

pub(super) fn assign(
    graph: &LayoutGraph,
    dag: &[(usize, usize)],
    layers: &[usize],
    bands: &Bands,
    ordering: &Ordering,
    options: &LayoutOptions,
) -> Vec<Point> {
    let n = graph.nodes.len();
    let rows = &ordering.rows;

    // Columns.
    let mut column_x = Vec::with_capacity(rows.len());
    let mut left = 0.0;
    for row in rows {
        let width = row
            .iter()
            .map(|&v| graph.nodes[v].width)
            .fold(0.0, f64::max);
        column_x.push(left + width / 2.0);
        left += width + options.layer_gap;
    }

    // Segments: the nodes of one band in one column, in order.
    let mut segments: Vec<Segment> = Vec::new();
    let mut band_height = vec![0.0f64; bands.count];
    for row in rows {
        let mut start = 0;
        while start < row.len() {
            let band = bands.of_node[row[start]];
            let mut end = start;
            while end < row.len() && bands.of_node[row[end]] == band {
                end += 1;
            }
            let nodes = row[start..end].to_vec();
            let segment = Segment::new(graph, nodes, band, options.node_gap);
            band_height[band] = band_height[band].max(segment.extent);
            segments.push(segment);
            start = end;
        }
    }
    let mut band_top = vec![0.0; bands.count];
    let mut top = 0.0;
    for &band in &ordering.band_order {
        band_top[band] = top;
        top += band_height[band] + options.group_gap;
    }

    // Start centred in the band.
    let mut y = vec![0.0; n];
    for segment in &segments {
        let slack = band_height[segment.band] - segment.extent;
        let first = band_top[segment.band] + slack / 2.0;
        for (i, &v) in segment.nodes.iter().enumerate() {
            y[v] = first + segment.offset[i] + graph.nodes[segment.nodes[0]].height / 2.0;
        }
    }

    let mut pred = vec![Vec::new(); n];
    let mut succ = vec![Vec::new(); n];
    for &(from, to) in dag {
        succ[from].push(to);
        pred[to].push(from);
    }
    for round in 0..ROUNDS * 3 {
        let mut order: Vec<&Segment> = segments.iter().collect();
        if round % 3 == 1 {
            order.reverse();
        }
        for segment in order {
            let desired: Vec<f64> = segment
                .nodes
                .iter()
                .map(|&v| {
                    let neighbours: Vec<usize> = match round % 3 {
                        0 => pred[v].clone(),
                        1 => succ[v].clone(),
                        _ => pred[v].iter().chain(&succ[v]).copied().collect(),
                    };
                    if neighbours.is_empty() {
                        y[v]
                    } else {
                        neighbours.iter().map(|&u| y[u]).sum::<f64>() / neighbours.len() as f64
                    }
                })
                .collect();
            let top = band_top[segment.band] + graph.nodes[segment.nodes[0]].height / 2.0;
            let bottom = band_top[segment.band] + band_height[segment.band] - segment.extent
                + graph.nodes[segment.nodes[0]].height / 2.0;
            let fitted = segment.fit(&desired, top, bottom);
            for (i, &v) in segment.nodes.iter().enumerate() {
                y[v] = fitted[i];
            }
        }
    }

    (0..n)
        .map(|v| Point {
            x: column_x[layers[v]],
            y: y[v],
        })
        .collect()
}

struct Segment {
    nodes: Vec<usize>,
    band: usize,
    /// Distance from the first node's centre to each node's centre.
    offset: Vec<f64>,
    /// Height from the first node's top to the last node's bottom.
    extent: f64,
}

impl Segment {
    fn new(graph: &LayoutGraph, nodes: Vec<usize>, band: usize, gap: f64) -> Segment {
        let mut offset = Vec::with_capacity(nodes.len());
        let mut at = 0.0;
        for (i, &v) in nodes.iter().enumerate() {
            if i > 0 {
                at += (graph.nodes[nodes[i - 1]].height + graph.nodes[v].height) / 2.0 + gap;
            }
            offset.push(at);
        }
        let first_half = nodes.first().map_or(0.0, |&v| graph.nodes[v].height / 2.0);
        let last_half = nodes.last().map_or(0.0, |&v| graph.nodes[v].height / 2.0);
        Segment {
            extent: at + first_half + last_half,
            nodes,
            band,
            offset,
        }
    }

    /// Centres as close as possible to `desired` (least squares) with the
    /// order and gaps kept and the first centre within `[low, high]`.
    fn fit(&self, desired: &[f64], low: f64, high: f64) -> Vec<f64> {
        // With z = y - offset the constraints say: z is non-decreasing.
        let targets: Vec<f64> = desired
            .iter()
            .zip(&self.offset)
            .map(|(d, o)| d - o)
            .collect();
        let z = isotonic(&targets);
        z.iter()
            .zip(&self.offset)
            .map(|(z, o)| z.clamp(low, high.max(low)) + o)
            .collect()
    }
}

/// The non-decreasing sequence closest to `targets` in least squares
/// (pool adjacent violators).
fn isotonic(targets: &[f64]) -> Vec<f64> {
    // Blocks of (mean, size).
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(targets.len());
    for &t in targets {
        blocks.push((t, 1));
        while blocks.len() > 1 {
            let (last_mean, last_size) = blocks[blocks.len() - 1];
            let (prev_mean, prev_size) = blocks[blocks.len() - 2];
            if prev_mean <= last_mean {
                break;
            }
            let size = prev_size + last_size;
            let mean = (prev_mean * prev_size as f64 + last_mean * last_size as f64) / size as f64;
            blocks.pop();
            let len = blocks.len();
            blocks[len - 1] = (mean, size);
        }
    }
    blocks
        .into_iter()
        .flat_map(|(mean, size)| std::iter::repeat_n(mean, size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::isotonic;

    #[test]
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[1.0, 2.0, 3.0]), vec![1.0, 2.0, 3.0]);
        assert_eq!(isotonic(&[3.0, 1.0, 2.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(isotonic(&[0.0, 4.0, 2.0]), vec![0.0, 3.0, 3.0]);
    }
}
