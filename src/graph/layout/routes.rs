//! Edge routes: the curve of each edge and the bend that keeps it off the
//! nodes it does not connect.
//!
//! An edge is one cubic Bézier from the right side of its caller to the left
//! side of its callee (or, for an edge that closes a cycle, an arc below
//! both). A curve that would pass through another node gets both inner
//! control points moved up or down (its "bend") by the smallest step that
//! clears every node; where no bend within reach clears them all, the bend
//! that touches the fewest is kept. Nodes are found through a uniform grid,
//! so routing costs about one lookup per sampled point of each curve.

use super::{Point, Rect};

/// Clearance kept around nodes.
const MARGIN: f64 = 3.0;
/// Distance between sampled points of a curve, in graph units.
const SAMPLE_SPACING: f64 = 8.0;
/// At most this many samples per curve.
const MAX_SAMPLES: usize = 400;
/// The largest bend [`route`] computes, in graph units.
const MAX_BEND: f64 = 1200.0;

/// The curve of an edge between the rectangles of its two nodes. `unit` is
/// the size of one graph unit in the rectangles' units (1 in graph units,
/// the zoom on screen), so that the same curve can be drawn at any scale.
/// `bend` (in graph units) moves both inner control points down (positive)
/// or up.
pub fn edge_curve(from: Rect, to: Rect, back: bool, bend: f64, unit: f64) -> [Point; 4] {
    let p = |x: f64, y: f64| Point { x, y };
    if back {
        let start = p((from.min.x + from.max.x) / 2.0, from.max.y);
        let end = p((to.min.x + to.max.x) / 2.0, to.max.y);
        let depth = 40.0 * unit + 0.12 * (end.x - start.x).abs() + bend * unit;
        return [
            start,
            p(start.x, start.y + depth),
            p(end.x, end.y + depth),
            end,
        ];
    }
    // Out of the right side, into the left side; a target to the left gets
    // an S-curve that swings out and back.
    let start = p(from.max.x, (from.min.y + from.max.y) / 2.0);
    let end = p(to.min.x, (to.min.y + to.max.y) / 2.0);
    let dx = end.x - start.x;
    let reach = if dx >= 20.0 * unit {
        (dx * 0.5).max(20.0 * unit)
    } else {
        60.0 * unit + 0.25 * dx.abs()
    };
    let dy = bend * unit;
    [
        start,
        p(start.x + reach, start.y + dy),
        p(end.x - reach, end.y + dy),
        end,
    ]
}

/// The point of a cubic Bézier curve at parameter `t`.
pub fn bezier_at(c: &[Point; 4], t: f64) -> Point {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    Point {
        x: w[0] * c[0].x + w[1] * c[1].x + w[2] * c[2].x + w[3] * c[3].x,
        y: w[0] * c[0].y + w[1] * c[1].y + w[2] * c[2].y + w[3] * c[3].y,
    }
}

/// One edge to route: caller, callee (indices into the node rectangles) and
/// whether it is drawn as a back arc.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RouteEdge {
    pub from: usize,
    pub to: usize,
    pub back: bool,
}

/// The bend of each edge (graph units; see [`edge_curve`]): 0 where the
/// plain curve touches no other node.
pub fn route(rects: &[Rect], edges: &[RouteEdge]) -> Vec<f64> {
    let grid = Grid::new(rects);
    let mut scratch = Scratch::new(rects.len());
    edges
        .iter()
        .map(|edge| {
            let (Some(&from), Some(&to)) = (rects.get(edge.from), rects.get(edge.to)) else {
                return 0.0;
            };
            let plain = edge_curve(from, to, edge.back, 0.0, 1.0);
            if grid.hits(&plain, edge.from, edge.to, 1) == 0 {
                return 0.0;
            }
            // The smallest bend that clears every node, or where none within
            // reach does, the one that crosses the fewest.
            grid.bend(&plain, edge, &mut scratch)
        })
        .collect()
}

/// Does the curve of `edge` (with its bend) pass through a node other than
/// its own two? For tests and checks.
pub fn crosses_a_node(rects: &[Rect], edge: RouteEdge, bend: f64) -> bool {
    let (Some(&from), Some(&to)) = (rects.get(edge.from), rects.get(edge.to)) else {
        return false;
    };
    let curve = edge_curve(from, to, edge.back, bend, 1.0);
    Grid::new(rects).hits(&curve, edge.from, edge.to, 1) > 0
}

/// Node rectangles bucketed by grid cell.
struct Grid<'a> {
    rects: &'a [Rect],
    origin: Point,
    cell: f64,
    columns: usize,
    rows: usize,
    cells: Vec<Vec<u32>>,
}

/// The bends each node rules out for the edge being routed: one hull per
/// node and run of consecutive samples inside its span, found through
/// `slot` (the index + 1 of the node's latest hull, or 0), which is reset
/// after each edge by walking the hulls.
struct Scratch {
    slot: Vec<u32>,
    hulls: Vec<Hull>,
    /// The run of samples (a count that only grows) in which each node was
    /// last looked at: a node in two cells of a column is looked at once.
    seen_in: Vec<u32>,
    run: u32,
}

/// The bends from `low` to `high` are ruled out by one node, at samples up
/// to `last`.
#[derive(Clone, Copy)]
struct Hull {
    node: u32,
    last: usize,
    low: f64,
    high: f64,
}

impl Scratch {
    fn new(nodes: usize) -> Scratch {
        Scratch {
            slot: vec![0; nodes],
            hulls: Vec::new(),
            seen_in: vec![0; nodes],
            run: 0,
        }
    }

    fn clear(&mut self) {
        for hull in &self.hulls {
            self.slot[hull.node as usize] = 0;
        }
        self.hulls.clear();
    }

    /// Starts a new run of samples (a grid column).
    fn next_run(&mut self) {
        self.run += 1;
    }

    /// Is this the first time `node` is met in this run?
    fn first_in_run(&mut self, node: u32) -> bool {
        let seen = &mut self.seen_in[node as usize];
        let first = *seen != self.run;
        *seen = self.run;
        first
    }

    /// Node `node` rules out the bends from `low` to `high` at sample
    /// `sample`. A node met again after a gap (an S-curve passing it twice)
    /// starts a new hull, so that the bends between the two passes stay
    /// open.
    fn rule_out(&mut self, node: u32, sample: usize, low: f64, high: f64) {
        let slot = &mut self.slot[node as usize];
        if let Some(hull) = slot
            .checked_sub(1)
            .and_then(|i| self.hulls.get_mut(i as usize))
            .filter(|hull| hull.last + 1 == sample)
        {
            hull.last = sample;
            hull.low = hull.low.min(low);
            hull.high = hull.high.max(high);
            return;
        }
        self.hulls.push(Hull {
            node,
            last: sample,
            low,
            high,
        });
        *slot = self.hulls.len() as u32;
    }
}

/// Cells a grid has at most (the cell size grows to keep under it).
const MAX_CELLS: f64 = 250_000.0;

impl<'a> Grid<'a> {
    fn new(rects: &'a [Rect]) -> Grid<'a> {
        let bounds = rects
            .iter()
            .copied()
            .filter(|r| r.min.x.is_finite() && r.max.y.is_finite())
            .reduce(Rect::union)
            .unwrap_or_default()
            .expand(MARGIN);
        let area = bounds.width().max(1.0) * bounds.height().max(1.0);
        let cell = 128.0f64.max((area / MAX_CELLS).sqrt());
        let columns = ((bounds.width() / cell).ceil() as usize).max(1);
        let rows = ((bounds.height() / cell).ceil() as usize).max(1);
        let mut grid = Grid {
            rects,
            origin: bounds.min,
            cell,
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
        };
        for (i, rect) in rects.iter().enumerate() {
            let r = rect.expand(MARGIN);
            if !(r.min.x.is_finite() && r.min.y.is_finite()) {
                continue;
            }
            let (c0, r0) = grid.cell_of(r.min);
            let (c1, r1) = grid.cell_of(r.max);
            for row in r0..=r1 {
                for column in c0..=c1 {
                    grid.cells[row * columns + column].push(i as u32);
                }
            }
        }
        grid
    }

    /// The cell holding `p`, clamped to the grid.
    fn cell_of(&self, p: Point) -> (usize, usize) {
        let column = ((p.x - self.origin.x) / self.cell).floor();
        let row = ((p.y - self.origin.y) / self.cell).floor();
        let clamp = |v: f64, n: usize| {
            if v.is_nan() || v < 0.0 {
                0
            } else {
                (v as usize).min(n - 1)
            }
        };
        (clamp(column, self.columns), clamp(row, self.rows))
    }

    /// The bend nearest 0 (within [`MAX_BEND`]; back arcs only go deeper)
    /// that keeps the curve, sampled densely, off every node but its own
    /// two; where there is none, the bend within reach that crosses the
    /// fewest nodes. A bend moves both inner control points by the same amount, so
    /// the point at parameter `t` moves by `bend · 3t(1 − t)` vertically and
    /// not at all sideways: each node near a sample rules out one interval
    /// of bends, and the answer is the nearest end of the merged interval
    /// around 0. `plain` is the curve without a bend.
    ///
    /// The intervals one node rules out at consecutive samples overlap (the
    /// curve moves continuously), so each node keeps only their hull (one
    /// per pass of the curve): a few dozen intervals to merge instead of
    /// thousands. The samples are taken
    /// a grid column at a time, so that each column's cells are looked up
    /// once.
    fn bend(&self, plain: &[Point; 4], edge: &RouteEdge, scratch: &mut Scratch) -> f64 {
        let length = distance(plain[0], plain[1])
            + distance(plain[1], plain[2])
            + distance(plain[2], plain[3]);
        if !length.is_finite() {
            return 0.0;
        }
        let samples = ((length / (SAMPLE_SPACING / 2.0)) as usize).clamp(16, 2 * MAX_SAMPLES);
        let reach = MAX_BEND * 0.75 + MARGIN;
        let pad = MARGIN + 2.0;
        scratch.clear();
        let points: Vec<(Point, f64)> = (1..samples)
            .map(|k| {
                let t = k as f64 / samples as f64;
                (bezier_at(plain, t), 3.0 * t * (1.0 - t))
            })
            .collect();
        let mut start = 0;
        while start < points.len() {
            // The run of samples in the same grid column.
            let (column, _) = self.cell_of(points[start].0);
            let mut end = start + 1;
            let (mut low, mut high) = (points[start].0.y, points[start].0.y);
            while end < points.len() && self.cell_of(points[end].0).0 == column {
                low = low.min(points[end].0.y);
                high = high.max(points[end].0.y);
                end += 1;
            }
            let run = &points[start..end];
            let (_, top) = self.cell_of(Point {
                x: points[start].0.x,
                y: low - reach,
            });
            let (_, bottom) = self.cell_of(Point {
                x: points[start].0.x,
                y: high + reach,
            });
            scratch.next_run();
            for row in top..=bottom {
                for &i in &self.cells[row * self.columns + column] {
                    let node = i as usize;
                    if node == edge.from || node == edge.to || !scratch.first_in_run(i) {
                        continue;
                    }
                    let r = self.rects[node].expand(pad);
                    for (k, &(p, lift)) in run.iter().enumerate() {
                        if p.x < r.min.x || p.x > r.max.x {
                            continue;
                        }
                        let (low, high) = ((r.min.y - p.y) / lift, (r.max.y - p.y) / lift);
                        scratch.rule_out(i, start + k, low, high);
                    }
                }
            }
            start = end;
        }
        let mut ruled_out: Vec<(f64, f64)> =
            scratch.hulls.iter().map(|h| (h.low, h.high)).collect();
        ruled_out.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        // Merge the intervals into runs; find the run that holds 0.
        let mut runs: Vec<(f64, f64)> = Vec::new();
        for (a, b) in ruled_out {
            match runs.last_mut() {
                Some(run) if a <= run.1 => run.1 = run.1.max(b),
                _ => runs.push((a, b)),
            }
        }
        let Some(&(low, high)) = runs.iter().find(|&&(a, b)| a <= 0.0 && 0.0 <= b) else {
            return 0.0;
        };
        let (down, up) = (high + 1.0, low - 1.0);
        let fits = |b: f64| b.abs() <= MAX_BEND && (!edge.back || b >= 0.0);
        match (fits(down), fits(up)) {
            (true, true) => {
                if down <= -up {
                    down
                } else {
                    up
                }
            }
            (true, false) => down,
            (false, true) => up,
            (false, false) => least_crossing(&scratch.hulls, fits),
        }
    }

    /// Sampled points of `curve` inside a node other than `from` and `to`;
    /// stops counting at `enough`.
    fn hits(&self, curve: &[Point; 4], from: usize, to: usize, enough: usize) -> usize {
        let length = distance(curve[0], curve[1])
            + distance(curve[1], curve[2])
            + distance(curve[2], curve[3]);
        if !length.is_finite() {
            return 0;
        }
        let samples = ((length / SAMPLE_SPACING) as usize).clamp(8, MAX_SAMPLES);
        let mut hits = 0;
        for k in 1..samples {
            let p = bezier_at(curve, k as f64 / samples as f64);
            let outside = p.x < self.origin.x
                || p.y < self.origin.y
                || p.x > self.origin.x + self.cell * self.columns as f64
                || p.y > self.origin.y + self.cell * self.rows as f64;
            if outside {
                continue;
            }
            let (column, row) = self.cell_of(p);
            let inside = self.cells[row * self.columns + column].iter().any(|&i| {
                let i = i as usize;
                i != from && i != to && contains(self.rects[i].expand(MARGIN), p)
            });
            if inside {
                hits += 1;
                if hits >= enough {
                    return hits;
                }
            }
        }
        hits
    }
}

/// The bend that `fits` and lies in the fewest of the intervals `hulls`
/// rules out (each a node the curve would cross), nearest 0 among equals.
/// The count only changes at an interval's end, so the bends just outside
/// each end (and 0) are the only ones to try; each is counted with two
/// binary searches (intervals begun at or before it, less those ended
/// before it).
fn least_crossing(hulls: &[Hull], fits: impl Fn(f64) -> bool) -> f64 {
    let mut lows: Vec<f64> = hulls.iter().map(|h| h.low).collect();
    let mut highs: Vec<f64> = hulls.iter().map(|h| h.high).collect();
    lows.sort_unstable_by(f64::total_cmp);
    highs.sort_unstable_by(f64::total_cmp);
    let crossed = |b: f64| lows.partition_point(|&l| l <= b) - highs.partition_point(|&h| h < b);
    let candidates = std::iter::once(0.0)
        .chain(hulls.iter().flat_map(|h| [h.low - 1.0, h.high + 1.0]))
        .filter(|&b| fits(b));
    let mut best = (usize::MAX, 0.0f64);
    for bend in candidates {
        let count = crossed(bend);
        let better =
            count < best.0 || (count == best.0 && (bend.abs(), -bend) < (best.1.abs(), -best.1));
        if better {
            best = (count, bend);
        }
    }
    best.1
}

fn distance(a: Point, b: Point) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

fn contains(r: Rect, p: Point) -> bool {
    r.min.x <= p.x && p.x <= r.max.x && r.min.y <= p.y && p.y <= r.max.y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(x: f64, y: f64) -> Rect {
        Rect::around(Point { x, y }, 150.0, 52.0)
    }

    #[test]
    fn a_clear_curve_keeps_no_bend() {
        let rects = [node(0.0, 0.0), node(300.0, 0.0)];
        let edge = RouteEdge {
            from: 0,
            to: 1,
            back: false,
        };
        assert_eq!(route(&rects, &[edge]), vec![0.0]);
    }

    #[test]
    fn a_curve_over_a_node_between_its_ends_bends_around_it() {
        // Three columns in one row: the long call from the first to the
        // third would cut through the middle node.
        let rects = [node(0.0, 0.0), node(260.0, 0.0), node(520.0, 0.0)];
        let edge = RouteEdge {
            from: 0,
            to: 2,
            back: false,
        };
        assert!(crosses_a_node(&rects, edge, 0.0));
        let bends = route(&rects, &[edge]);
        assert_ne!(bends[0], 0.0);
        assert!(!crosses_a_node(&rects, edge, bends[0]));
    }

    #[test]
    fn a_curve_past_a_tall_column_bends_as_far_as_it_must() {
        // Nine nodes stacked 4 units apart in the middle column: no bend
        // of the fixed steps (up to 216 units) clears them; the computed
        // bend does.
        let mut rects = vec![node(0.0, 0.0), node(520.0, 0.0)];
        rects.extend((0..9).map(|k| node(260.0, (k as f64 - 4.0) * 56.0)));
        let edge = RouteEdge {
            from: 0,
            to: 1,
            back: false,
        };
        assert!(crosses_a_node(&rects, edge, 0.0));
        assert!(crosses_a_node(&rects, edge, 216.0));
        let bends = route(&rects, &[edge]);
        assert!(!crosses_a_node(&rects, edge, bends[0]), "bend {}", bends[0]);
        assert!(bends[0].abs() > 216.0);
    }

    fn hull(low: f64, high: f64) -> Hull {
        Hull {
            node: 0,
            last: 0,
            low,
            high,
        }
    }

    #[test]
    fn where_no_bend_clears_the_one_crossing_fewest_nodes_is_kept() {
        let hulls = [hull(-200.0, 200.0), hull(-50.0, 10.0), hull(5.0, 60.0)];
        let within = |b: f64| b.abs() <= 100.0;
        // 0 crosses all three; just above 10 two; below -50 and above 60
        // one each, and -51 is the nearer.
        assert_eq!(least_crossing(&hulls, within), -51.0);
        // A back arc only goes deeper.
        assert_eq!(least_crossing(&hulls, |b| within(b) && b >= 0.0), 61.0);
        // Nothing ruled out: no bend.
        assert_eq!(least_crossing(&[], within), 0.0);
    }

    #[test]
    fn the_curve_at_any_scale_is_the_scaled_curve() {
        let (a, b) = (node(0.0, 0.0), node(400.0, 90.0));
        let graph = edge_curve(a, b, false, 36.0, 1.0);
        let scale = |r: Rect| Rect {
            min: Point {
                x: r.min.x * 0.5,
                y: r.min.y * 0.5,
            },
            max: Point {
                x: r.max.x * 0.5,
                y: r.max.y * 0.5,
            },
        };
        let screen = edge_curve(scale(a), scale(b), false, 36.0, 0.5);
        for (g, s) in graph.iter().zip(&screen) {
            assert!((g.x * 0.5 - s.x).abs() < 1e-9 && (g.y * 0.5 - s.y).abs() < 1e-9);
        }
    }
}
