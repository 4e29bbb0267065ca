//! The comparison with traces drawn over the graph: edges observed but not
//! declared as dashed arrows in one colour (they are not in the model: drawn
//! between the two services' nodes), declared edges never observed faded,
//! services whose service time drifts ringed with a badge (the figures in
//! their tooltip), and a legend line in the canvas corner. Called from
//! `paint::paint_scene` (edges under the nodes, the rest over them) and from
//! the tooltips.

use std::collections::{BTreeMap, BTreeSet};

use egui::{Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Ui, vec2};

use crate::diff::Diff;
use crate::model::Topology;
use crate::report::format;

use super::super::paint::{Geometry, Mark, Marks, bezier_at, curve_between};
use super::super::scene::{NodeId, Scene};
use super::super::shapes;
use super::super::theme::Palette;

/// What the canvas draws for a comparison, by scene index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SceneOverlay {
    /// Observed, not declared: (caller node, callee node).
    pub undeclared: Vec<(usize, usize)>,
    /// Scene edges declared but never observed.
    pub unobserved: BTreeSet<usize>,
    /// Nodes whose service time drifts, with one line per drifting
    /// operation.
    pub drifting: BTreeMap<usize, Vec<String>>,
}

/// The colour of edges that traces show and the model lacks.
pub fn observed_color(palette: &Palette) -> Color32 {
    if palette.dark {
        Color32::from_rgb(240, 110, 180)
    } else {
        Color32::from_rgb(214, 36, 130)
    }
}

impl SceneOverlay {
    /// Finds the items of `diff` in `scene` (a service in a collapsed group
    /// is its group's node).
    pub fn resolve(diff: &Diff, scene: &Scene, topology: &Topology) -> SceneOverlay {
        let node = |name: &str| scene.node_of_service(topology, name);
        let undeclared = diff
            .edges
            .observed_not_declared
            .iter()
            .filter_map(|[from, to]| match (node(from), node(to)) {
                (Some(a), Some(b)) if a != b => Some((a, b)),
                _ => None,
            })
            .collect();
        // Only an edge between two service nodes is exactly one declared
        // pair; an edge of a collapsed group may carry observed ones too.
        let unobserved = diff
            .edges
            .declared_not_observed
            .iter()
            .filter_map(|[from, to]| {
                let a = scene.find(&NodeId::Service(from.clone()))?;
                let b = scene.find(&NodeId::Service(to.clone()))?;
                scene.outgoing[a]
                    .iter()
                    .copied()
                    .find(|&e| scene.edges[e].to == b)
            })
            .collect();
        let mut drifting: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for row in diff.service_times.iter().filter(|r| r.drift) {
            if let Some(i) = node(&row.service) {
                drifting.entry(i).or_default().push(format!(
                    "{} {}: median {} → {} ms, p99 {} → {} ms ({} samples)",
                    row.service,
                    row.operation,
                    format::ms(row.declared_median_ms),
                    format::ms(row.observed_median_ms),
                    format::ms(row.declared_p99_ms),
                    format::ms(row.observed_p99_ms),
                    row.samples
                ));
            }
        }
        SceneOverlay {
            undeclared,
            unobserved,
            drifting,
        }
    }

    /// Declared edges never observed fade (unless highlighted).
    pub fn fade(&self, marks: &mut Marks) {
        for &e in &self.unobserved {
            if let Some(mark) = marks.edges.get_mut(e)
                && *mark == Mark::Normal
            {
                *mark = Mark::Faded;
            }
        }
    }

    /// The dashed arrows of edges observed but not declared (under the
    /// nodes).
    pub fn paint_edges(
        &self,
        painter: &Painter,
        geometry: &Geometry,
        palette: &Palette,
        zoom: f32,
    ) {
        let color = observed_color(palette);
        let stroke = Stroke::new(2.0 * zoom.clamp(0.5, 1.2), color);
        for &(from, to) in &self.undeclared {
            let curve = curve_between(geometry.rects[from], geometry.rects[to], false, 0.0, zoom);
            let arrow = (9.0 * zoom.clamp(0.5, 1.3)).max(4.0);
            let direction = curve[3] - curve[2];
            let mut line = curve;
            line[3] = curve[3] - direction.normalized() * arrow * 0.8;
            let points: Vec<Pos2> = (0..=32)
                .map(|k| bezier_at(&line, k as f32 / 32.0))
                .collect();
            let dash = 7.0 * zoom.clamp(0.5, 1.2);
            painter.extend(Shape::dashed_line(&points, stroke, dash, dash * 0.7));
            shapes::arrowhead(painter, curve[3], direction, arrow, color);
            if zoom >= 0.5 {
                let at = bezier_at(&curve, 0.5);
                let galley = painter.layout_no_wrap(
                    "not declared".to_owned(),
                    FontId::proportional((10.5 * zoom).clamp(9.0, 12.0)),
                    color,
                );
                let rect = Rect::from_center_size(at, galley.size() + vec2(8.0, 2.0));
                painter.rect(
                    rect,
                    4.0,
                    palette.edge_label_bg,
                    Stroke::new(0.8, color),
                    StrokeKind::Inside,
                );
                painter.galley(rect.min + vec2(4.0, 1.0), galley, color);
            }
        }
    }

    /// Rings and badges on drifting services, and the legend (over the
    /// nodes).
    pub fn paint_over(
        &self,
        painter: &Painter,
        canvas: Rect,
        geometry: &Geometry,
        palette: &Palette,
        zoom: f32,
    ) {
        for &i in self.drifting.keys() {
            let rect = geometry.rects[i];
            if !rect.intersects(canvas) {
                continue;
            }
            painter.rect_stroke(
                rect.expand(4.0 * zoom.clamp(0.5, 1.0)),
                8.0 * zoom.min(1.0),
                Stroke::new(2.5 * zoom.clamp(0.5, 1.0), palette.warn),
                StrokeKind::Outside,
            );
            if zoom >= 0.4 {
                badge(painter, rect.right_top(), "time drift", palette.warn, zoom);
            }
        }
        self.paint_legend(painter, canvas, palette);
    }

    /// One line in the canvas's lower left corner: what the marks mean.
    fn paint_legend(&self, painter: &Painter, canvas: Rect, palette: &Palette) {
        let font = FontId::proportional(12.0);
        let text = palette.node_text;
        let gap = 14.0;
        let sample = 26.0;
        let items = [
            ("observed, not declared", Item::Dashed),
            ("never observed", Item::Faded),
            ("time drifts", Item::Ring),
        ];
        let galleys: Vec<_> = items
            .iter()
            .map(|(label, _)| painter.layout_no_wrap((*label).to_owned(), font.clone(), text))
            .collect();
        let title = painter.layout_no_wrap("Traces:".to_owned(), font.clone(), text);
        let width = title.size().x
            + galleys
                .iter()
                .map(|g| gap + sample + 6.0 + g.size().x)
                .sum::<f32>()
            + 16.0;
        let height = title.size().y + 8.0;
        let rect = Rect::from_min_size(
            canvas.left_bottom() + vec2(8.0, -8.0 - height),
            vec2(width, height),
        );
        painter.rect(
            rect,
            5.0,
            palette.edge_label_bg,
            Stroke::new(1.0, palette.grid),
            StrokeKind::Inside,
        );
        let mid = rect.center().y;
        let mut x = rect.left() + 8.0;
        painter.galley(Pos2::new(x, rect.top() + 4.0), title.clone(), text);
        x += title.size().x;
        for ((_, item), galley) in items.iter().zip(galleys) {
            x += gap;
            let (a, b) = (Pos2::new(x, mid), Pos2::new(x + sample, mid));
            match item {
                Item::Dashed => {
                    let color = observed_color(palette);
                    painter.extend(Shape::dashed_line(
                        &[a, b - vec2(5.0, 0.0)],
                        Stroke::new(2.0, color),
                        5.0,
                        3.0,
                    ));
                    shapes::arrowhead(painter, b, vec2(1.0, 0.0), 7.0, color);
                }
                Item::Faded => {
                    let color = palette.edge.gamma_multiply(0.22);
                    painter.line_segment([a, b - vec2(5.0, 0.0)], Stroke::new(1.6, color));
                    shapes::arrowhead(painter, b, vec2(1.0, 0.0), 7.0, color);
                }
                Item::Ring => {
                    painter.rect_stroke(
                        Rect::from_min_max(a - vec2(0.0, 6.0), b + vec2(0.0, 6.0)),
                        3.0,
                        Stroke::new(2.0, palette.warn),
                        StrokeKind::Inside,
                    );
                }
            }
            x += sample + 6.0;
            painter.galley(Pos2::new(x, rect.top() + 4.0), galley.clone(), text);
            x += galley.size().x;
        }
    }

    /// The drift figures in a node's tooltip.
    pub fn node_tooltip_ui(&self, ui: &mut Ui, index: usize) {
        if let Some(lines) = self.drifting.get(&index) {
            ui.separator();
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Service time drifts from the traces:",
            );
            for line in lines {
                ui.label(line);
            }
        }
    }

    /// A never-observed edge says so in its tooltip.
    pub fn edge_tooltip_ui(&self, ui: &mut Ui, index: usize) {
        if self.unobserved.contains(&index) {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Declared, but never observed in the traces",
            );
        }
    }
}

enum Item {
    Dashed,
    Faded,
    Ring,
}

/// A small filled label whose right end is at `at` (a node's corner).
fn badge(painter: &Painter, at: Pos2, text: &str, color: Color32, zoom: f32) {
    let galley = painter.layout_no_wrap(
        text.to_owned(),
        FontId::proportional((10.0 * zoom).clamp(9.0, 11.0)),
        Color32::WHITE,
    );
    let size = galley.size() + vec2(8.0, 2.0);
    let rect = Rect::from_center_size(at - vec2(size.x * 0.5, 0.0), size);
    painter.rect_filled(rect, 6.0, color);
    painter.galley(rect.min + vec2(4.0, 1.0), galley, Color32::WHITE);
}
