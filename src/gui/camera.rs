//! The canvas camera: which graph point is at the canvas centre, and the zoom.
//! Converts between graph units (f64, from the layout) and screen points.

use egui::{Pos2, Rect, Vec2, pos2};

use crate::graph::layout::{self, Point};

pub const MIN_ZOOM: f32 = 0.02;
pub const MAX_ZOOM: f32 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Graph point shown at the canvas centre.
    pub centre: Point,
    /// Screen points per graph unit.
    pub zoom: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            centre: Point::default(),
            zoom: 1.0,
        }
    }
}

impl Camera {
    pub fn to_screen(&self, canvas: Rect, p: Point) -> Pos2 {
        let c = canvas.center();
        pos2(
            c.x + ((p.x - self.centre.x) as f32) * self.zoom,
            c.y + ((p.y - self.centre.y) as f32) * self.zoom,
        )
    }

    pub fn to_graph(&self, canvas: Rect, p: Pos2) -> Point {
        let c = canvas.center();
        Point {
            x: self.centre.x + f64::from((p.x - c.x) / self.zoom),
            y: self.centre.y + f64::from((p.y - c.y) / self.zoom),
        }
    }

    pub fn rect_to_screen(&self, canvas: Rect, r: layout::Rect) -> Rect {
        Rect::from_min_max(self.to_screen(canvas, r.min), self.to_screen(canvas, r.max))
    }

    /// The part of the graph that is visible.
    pub fn visible(&self, canvas: Rect) -> layout::Rect {
        layout::Rect {
            min: self.to_graph(canvas, canvas.min),
            max: self.to_graph(canvas, canvas.max),
        }
    }

    /// Moves the view by a screen distance (dragging the background).
    pub fn pan(&mut self, delta: Vec2) {
        self.centre.x -= f64::from(delta.x / self.zoom);
        self.centre.y -= f64::from(delta.y / self.zoom);
    }

    /// Multiplies the zoom, keeping the graph point under `anchor` in place.
    pub fn zoom_at(&mut self, canvas: Rect, anchor: Pos2, factor: f32) {
        let before = self.to_graph(canvas, anchor);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let after = self.to_graph(canvas, anchor);
        self.centre.x += before.x - after.x;
        self.centre.y += before.y - after.y;
    }

    /// Shows all of `bounds` with a margin; never zooms in past 1.2.
    pub fn fit(&mut self, canvas: Rect, bounds: layout::Rect) {
        let margin = 40.0;
        let width = (canvas.width() - 2.0 * margin).max(10.0);
        let height = (canvas.height() - 2.0 * margin).max(10.0);
        let zoom_x = width / (bounds.width().max(1.0) as f32);
        let zoom_y = height / (bounds.height().max(1.0) as f32);
        self.zoom = zoom_x.min(zoom_y).clamp(MIN_ZOOM, 1.2);
        self.centre = Point {
            x: (bounds.min.x + bounds.max.x) / 2.0,
            y: (bounds.min.y + bounds.max.y) / 2.0,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_keeps_the_anchor_still() {
        let canvas = Rect::from_min_size(pos2(0.0, 0.0), egui::vec2(800.0, 600.0));
        let mut camera = Camera::default();
        let anchor = pos2(100.0, 450.0);
        let under = camera.to_graph(canvas, anchor);
        camera.zoom_at(canvas, anchor, 2.5);
        let back = camera.to_screen(canvas, under);
        assert!((back - anchor).length() < 1e-3);
    }

    #[test]
    fn fit_shows_the_whole_bounds() {
        let canvas = Rect::from_min_size(pos2(0.0, 0.0), egui::vec2(800.0, 600.0));
        let bounds = layout::Rect {
            min: Point { x: -500.0, y: 0.0 },
            max: Point {
                x: 2500.0,
                y: 300.0,
            },
        };
        let mut camera = Camera::default();
        camera.fit(canvas, bounds);
        assert!(canvas.contains(camera.to_screen(canvas, bounds.min)));
        assert!(canvas.contains(camera.to_screen(canvas, bounds.max)));
    }
}
