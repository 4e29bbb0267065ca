//! Rectangles bucketed by the cells of a fixed grid, to find those that
//! overlap a given one among its neighbours only: placing n rectangles so
//! that they avoid each other costs about n lookups of a few rectangles each
//! instead of n² tests. Used where the layout nudges nodes off pinned ones
//! and where the SVG writer places edge labels.

use std::collections::HashMap;

use super::Rect;

/// Rectangles in insertion order, indexed by grid cell.
#[derive(Debug, Default)]
pub struct RectGrid {
    rects: Vec<Rect>,
    /// Cell → indices of the rectangles that cover it, ascending. Only
    /// looked up, never iterated, so the map's order does not matter.
    cells: HashMap<(i64, i64), Vec<usize>>,
    /// Rectangles too large (or too far out) for the grid: checked one by one.
    oversize: Vec<usize>,
}

impl RectGrid {
    /// Cell size, in graph units: about a node's width.
    const CELL: f64 = 256.0;
    /// A rectangle spanning more cells than this on a side is kept apart.
    const MAX_SPAN: i64 = 16;

    pub fn new() -> RectGrid {
        RectGrid::default()
    }

    /// The cells `rect` covers, or `None` when it is oversize (or not finite).
    fn span(rect: Rect) -> Option<(i64, i64, i64, i64)> {
        let finite = [rect.min.x, rect.min.y, rect.max.x, rect.max.y]
            .iter()
            .all(|v| v.is_finite() && v.abs() < 1e15);
        if !finite {
            return None;
        }
        // Finite and below 1e15 in size: the cell numbers fit an i64.
        let cell = |v: f64| (v / Self::CELL).floor() as i64;
        let (x0, x1) = (cell(rect.min.x), cell(rect.max.x));
        let (y0, y1) = (cell(rect.min.y), cell(rect.max.y));
        ((0..=Self::MAX_SPAN).contains(&(x1 - x0)) && (0..=Self::MAX_SPAN).contains(&(y1 - y0)))
            .then_some((x0, x1, y0, y1))
    }

    pub fn insert(&mut self, rect: Rect) {
        let index = self.rects.len();
        self.rects.push(rect);
        match Self::span(rect) {
            Some((x0, x1, y0, y1)) => {
                for x in x0..=x1 {
                    for y in y0..=y1 {
                        self.cells.entry((x, y)).or_default().push(index);
                    }
                }
            }
            None => self.oversize.push(index),
        }
    }

    /// Whether `rect` overlaps any rectangle inserted so far.
    pub fn intersects(&self, rect: Rect) -> bool {
        self.first_hit(rect).is_some()
    }

    /// The first rectangle (in insertion order) that `rect` overlaps.
    pub fn first_hit(&self, rect: Rect) -> Option<Rect> {
        let Some((x0, x1, y0, y1)) = Self::span(rect) else {
            // Too large for the grid itself: test every rectangle.
            return self.rects.iter().copied().find(|r| r.intersects(rect));
        };
        let hit = |indices: &[usize]| -> Option<usize> {
            indices
                .iter()
                .copied()
                .find(|&i| self.rects[i].intersects(rect))
        };
        let mut first = hit(&self.oversize);
        for x in x0..=x1 {
            for y in y0..=y1 {
                if let Some(i) = self.cells.get(&(x, y)).and_then(|cell| hit(cell)) {
                    first = Some(first.map_or(i, |f| f.min(i)));
                }
            }
        }
        first.map(|i| self.rects[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::layout::Point;

    fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect::around(Point { x, y }, w, h)
    }

    /// The grid answers as a plain scan of every rectangle would.
    #[test]
    fn the_grid_finds_what_a_scan_finds() {
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 10_000) as f64
        };
        let mut grid = RectGrid::new();
        let mut all = Vec::new();
        for i in 0..400 {
            // Mostly node-sized, some huge, one not finite.
            let r = match i % 50 {
                0 => rect(next(), next(), 9_000.0, 300.0),
                1 => rect(f64::NAN, 0.0, 10.0, 10.0),
                _ => rect(next() - 5_000.0, next() - 5_000.0, 150.0, 52.0),
            };
            let probe = rect(next() - 5_000.0, next() - 5_000.0, 60.0, 18.0);
            let scan = all.iter().copied().find(|a: &Rect| a.intersects(probe));
            assert_eq!(grid.first_hit(probe), scan, "probe {i}");
            grid.insert(r);
            all.push(r);
        }
    }
}
