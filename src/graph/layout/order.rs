//! Crossing reduction: the order of nodes within each layer.
//!
//! Nodes are sorted by a key in "rows" (a node's provisional vertical slot).
//! The first keys come from where nodes were drawn before, or from their
//! callers, or from file order. Then barycenter sweeps move each node towards
//! the mean slot of its neighbours in the previous layer (down sweep) or next
//! layer (up sweep). Groups stay together as bands, ranked by the mean key of
//! their members. The arrangement with the fewest crossings wins; ties keep the
//! earlier one, so a seeded order survives unless a sweep really improves it.

use super::{Bands, LayoutGraph, LayoutOptions};

pub(super) struct Ordering {
    /// Node indices of each layer, top to bottom.
    pub rows: Vec<Vec<usize>>,
    /// Bands, top to bottom.
    pub band_order: Vec<usize>,
    pub crossings: usize,
}

struct State<'a> {
    layers: &'a [usize],
    bands: &'a Bands,
    pred: Vec<Vec<usize>>,
    succ: Vec<Vec<usize>>,
    /// Sort key of each node (in slot units once sweeping).
    key: Vec<f64>,
    /// Rank of each band, top to bottom.
    band_rank: Vec<usize>,
    rows: Vec<Vec<usize>>,
    /// Provisional vertical slot of each node.
    slot: Vec<f64>,
}

pub(super) fn order(
    graph: &LayoutGraph,
    dag: &[(usize, usize)],
    layers: &[usize],
    bands: &Bands,
    options: &LayoutOptions,
) -> Ordering {
    let n = graph.nodes.len();
    let layer_count = layers.iter().copied().max().map_or(0, |m| m + 1);
    let mut pred = vec![Vec::new(); n];
    let mut succ = vec![Vec::new(); n];
    for &(from, to) in dag {
        succ[from].push(to);
        pred[to].push(from);
    }
    let key = initial_keys(graph, layers, layer_count, &pred, &succ);
    let mut state = State {
        layers,
        bands,
        pred,
        succ,
        key,
        band_rank: vec![0; bands.count],
        rows: vec![Vec::new(); layer_count],
        slot: vec![0.0; n],
    };
    state.rank_bands();
    state.arrange_all();

    let mut best_rows = state.rows.clone();
    let mut best_ranks = state.band_rank.clone();
    let mut best = state.crossings();
    for _ in 0..options.sweeps {
        if best == 0 {
            break;
        }
        for down in [true, false] {
            state.sweep(down);
            let crossings = state.crossings();
            if crossings < best {
                best = crossings;
                best_rows = state.rows.clone();
                best_ranks = state.band_rank.clone();
            }
        }
    }
    let mut band_order: Vec<usize> = (0..bands.count).collect();
    band_order.sort_by_key(|&b| best_ranks[b]);
    Ordering {
        rows: best_rows,
        band_order,
        crossings: best,
    }
}

/// Previous vertical position where known; otherwise the mean key of the
/// callers, else of the callees, else after everything in file order.
fn initial_keys(
    graph: &LayoutGraph,
    layers: &[usize],
    layer_count: usize,
    pred: &[Vec<usize>],
    succ: &[Vec<usize>],
) -> Vec<f64> {
    let n = graph.nodes.len();
    let mut key: Vec<Option<f64>> = graph
        .nodes
        .iter()
        .map(|node| node.previous.map(|p| p.y))
        .collect();
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for v in 0..n {
        by_layer[layers[v]].push(v);
    }
    let mean_of = |key: &[Option<f64>], of: &[usize]| {
        let known: Vec<f64> = of.iter().filter_map(|&u| key[u]).collect();
        (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
    };
    let seeded = key.iter().any(Option::is_some);
    // Without history, layer 0 starts in file order, spaced like slots.
    if !seeded {
        for (slot, &v) in by_layer.first().into_iter().flatten().enumerate() {
            key[v] = Some(slot as f64);
        }
    }
    for row in &by_layer {
        for &v in row {
            if key[v].is_none() {
                key[v] = mean_of(&key, &pred[v]);
            }
        }
    }
    for row in by_layer.iter().rev() {
        for &v in row {
            if key[v].is_none() {
                key[v] = mean_of(&key, &succ[v]);
            }
        }
    }
    let max = key.iter().flatten().copied().fold(0.0, f64::max);
    (0..n)
        .map(|v| key[v].unwrap_or(max + 1.0 + v as f64))
        .collect()
}

impl State<'_> {
    fn band(&self, v: usize) -> usize {
        self.bands.of_node[v]
    }

    /// Ranks bands by the mean key of their members.
    fn rank_bands(&mut self) {
        let mut sum = vec![(0.0, 0usize); self.bands.count];
        for (v, k) in self.key.iter().enumerate() {
            let entry = &mut sum[self.band(v)];
            entry.0 += k;
            entry.1 += 1;
        }
        let mut order: Vec<usize> = (0..self.bands.count).collect();
        let mean = |b: usize| {
            if sum[b].1 == 0 {
                0.0
            } else {
                sum[b].0 / sum[b].1 as f64
            }
        };
        order.sort_by(|&a, &b| mean(a).total_cmp(&mean(b)).then(a.cmp(&b)));
        for (rank, band) in order.into_iter().enumerate() {
            self.band_rank[band] = rank;
        }
    }

    fn sort_row(&mut self, layer: usize) {
        let mut row = std::mem::take(&mut self.rows[layer]);
        // A stable sort: ties keep the current order.
        row.sort_by(|&a, &b| {
            self.band_rank[self.band(a)]
                .cmp(&self.band_rank[self.band(b)])
                .then(self.key[a].total_cmp(&self.key[b]))
        });
        self.rows[layer] = row;
    }

    fn arrange_all(&mut self) {
        for row in &mut self.rows {
            row.clear();
        }
        for (v, &layer) in self.layers.iter().enumerate() {
            self.rows[layer].push(v);
        }
        for layer in 0..self.rows.len() {
            self.sort_row(layer);
        }
        self.place_slots();
    }

    /// Slots: bands stacked, each as tall as its fullest layer; within a band
    /// a layer's nodes are centred.
    fn place_slots(&mut self) {
        let mut height = vec![0usize; self.bands.count];
        let mut counts = vec![vec![0usize; self.bands.count]; self.rows.len()];
        for (layer, row) in self.rows.iter().enumerate() {
            for &v in row {
                counts[layer][self.bands.of_node[v]] += 1;
            }
            for (band, &count) in counts[layer].iter().enumerate() {
                height[band] = height[band].max(count);
            }
        }
        let mut by_rank: Vec<usize> = (0..self.bands.count).collect();
        by_rank.sort_by_key(|&b| self.band_rank[b]);
        let mut offset = vec![0.0; self.bands.count];
        let mut top = 0.0;
        for band in by_rank {
            offset[band] = top;
            top += height[band] as f64 + 1.0;
        }
        for (layer, row) in self.rows.iter().enumerate() {
            let mut seen = vec![0usize; self.bands.count];
            for &v in row {
                let band = self.bands.of_node[v];
                let centring = (height[band] - counts[layer][band]) as f64 / 2.0;
                self.slot[v] = offset[band] + centring + seen[band] as f64;
                seen[band] += 1;
            }
        }
    }

    /// One barycenter sweep, layer by layer, then a re-ranking of bands.
    fn sweep(&mut self, down: bool) {
        for v in 0..self.key.len() {
            self.key[v] = self.slot[v];
        }
        let layer_count = self.rows.len();
        for step in 1..layer_count {
            let layer = if down { step } else { layer_count - 1 - step };
            for i in 0..self.rows[layer].len() {
                let v = self.rows[layer][i];
                let neighbours = if down { &self.pred[v] } else { &self.succ[v] };
                if !neighbours.is_empty() {
                    let sum: f64 = neighbours.iter().map(|&u| self.slot[u]).sum();
                    self.key[v] = sum / neighbours.len() as f64;
                }
            }
            self.sort_row(layer);
            self.place_slots();
        }
        self.rank_bands();
        self.arrange_all();
    }

    /// Crossings between neighbouring layers, counted as inversions.
    fn crossings(&self) -> usize {
        let mut index = vec![0usize; self.key.len()];
        for row in &self.rows {
            for (i, &v) in row.iter().enumerate() {
                index[v] = i;
            }
        }
        let mut total = 0;
        for (layer, row) in self
            .rows
            .iter()
            .enumerate()
            .take(self.rows.len().saturating_sub(1))
        {
            let mut ends: Vec<(usize, usize)> = Vec::new();
            for &u in row {
                for &w in &self.succ[u] {
                    if self.layers[w] == layer + 1 {
                        ends.push((index[u], index[w]));
                    }
                }
            }
            ends.sort_unstable();
            total += inversions(
                ends.into_iter().map(|(_, w)| w).collect(),
                self.rows[layer + 1].len(),
            );
        }
        total
    }
}

/// Pairs i < j with values[i] > values[j], counted with a Fenwick tree.
fn inversions(values: Vec<usize>, bound: usize) -> usize {
    let mut tree = vec![0usize; bound + 1];
    let mut count = 0;
    for (seen, &value) in values.iter().enumerate() {
        // How many earlier values are <= value.
        let mut at = value + 1;
        let mut not_greater = 0;
        while at > 0 {
            not_greater += tree[at];
            at &= at - 1;
        }
        count += seen - not_greater;
        let mut at = value + 1;
        while at <= bound {
            tree[at] += 1;
            at += at & at.wrapping_neg();
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::inversions;

    #[test]
    fn inversions_count_crossing_pairs() {
        assert_eq!(inversions(vec![0, 1, 2], 3), 0);
        assert_eq!(inversions(vec![2, 1, 0], 3), 3);
        assert_eq!(inversions(vec![1, 0, 1], 2), 1);
    }
}
