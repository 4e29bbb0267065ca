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
    // Column range of each band; bands that share a column must not overlap.
    let mut columns = vec![(usize::MAX, 0usize); bands.count];
    for (v, &layer) in layers.iter().enumerate() {
        let range = &mut columns[bands.of_node[v]];
        *range = (range.0.min(layer), range.1.max(layer));
    }
    let mut rank = vec![0usize; bands.count];
    for (r, &band) in ordering.band_order.iter().enumerate() {
        rank[band] = r;
    }
    let shares_columns =
        |a: usize, b: usize| columns[a].0 <= columns[b].1 && columns[b].0 <= columns[a].1;

    // Stack each band below the bands ranked before it that share a column.
    let mut band_top = vec![0.0; bands.count];
    for (r, &band) in ordering.band_order.iter().enumerate() {
        band_top[band] = ordering.band_order[..r]
            .iter()
            .filter(|&&above| shares_columns(above, band))
            .map(|&above| band_top[above] + band_height[above] + options.group_gap)
            .fold(0.0, f64::max);
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
    let bounds = Bounds {
        band_order: &ordering.band_order,
        rank: &rank,
        shares_columns: &shares_columns,
        band_height: &band_height,
    };
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
                    let empty = [];
                    let (first, second): (&[usize], &[usize]) = match round % 3 {
                        0 => (&pred[v], &empty),
                        1 => (&succ[v], &empty),
                        _ => (&pred[v], &succ[v]),
                    };
                    let count = first.len() + second.len();
                    if count == 0 {
                        y[v]
                    } else {
                        first.iter().chain(second).map(|&u| y[u]).sum::<f64>() / count as f64
                    }
                })
                .collect();
            let half = graph.nodes[segment.nodes[0]].height / 2.0;
            let top = band_top[segment.band] + half;
            let bottom = band_top[segment.band] + band_height[segment.band] - segment.extent + half;
            let fitted = segment.fit(&desired, top, bottom);
            for (i, &v) in segment.nodes.iter().enumerate() {
                y[v] = fitted[i];
            }
        }
        if round % 3 == 2 {
            float_bands(
                bands,
                &bounds,
                dag,
                &mut band_top,
                &mut y,
                options.group_gap,
            );
        }
    }

    (0..n)
        .map(|v| Point {
            x: column_x[layers[v]],
            y: y[v],
        })
        .collect()
}

/// What limits the vertical moves of bands.
struct Bounds<'a> {
    band_order: &'a [usize],
    rank: &'a [usize],
    shares_columns: &'a dyn Fn(usize, usize) -> bool,
    band_height: &'a [f64],
}

/// Moves each band as a whole towards the nodes it is connected to, as far
/// as the bands ranked above and below it (in the columns it shares) allow.
fn float_bands(
    bands: &Bands,
    bounds: &Bounds,
    dag: &[(usize, usize)],
    band_top: &mut [f64],
    y: &mut [f64],
    gap: f64,
) {
    let mut pull = vec![(0.0, 0usize); bands.count];
    for &(a, b) in dag {
        let (band_a, band_b) = (bands.of_node[a], bands.of_node[b]);
        if band_a != band_b {
            pull[band_a].0 += y[b] - y[a];
            pull[band_a].1 += 1;
            pull[band_b].0 += y[a] - y[b];
            pull[band_b].1 += 1;
        }
    }
    for &band in bounds.band_order {
        let (sum, count) = pull[band];
        if count == 0 {
            continue;
        }
        let mut low = f64::NEG_INFINITY;
        let mut high = f64::INFINITY;
        for (other, &other_top) in band_top.iter().enumerate() {
            if other == band || !(bounds.shares_columns)(other, band) {
                continue;
            }
            if bounds.rank[other] < bounds.rank[band] {
                low = low.max(other_top + bounds.band_height[other] + gap);
            } else {
                high = high.min(other_top - gap - bounds.band_height[band]);
            }
        }
        if low > high {
            continue;
        }
        let wanted = band_top[band] + sum / count as f64;
        let moved = wanted.clamp(low, high) - band_top[band];
        if moved != 0.0 {
            band_top[band] += moved;
            for (v, value) in y.iter_mut().enumerate() {
                if bands.of_node[v] == band {
                    *value += moved;
                }
            }
        }
    }
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
