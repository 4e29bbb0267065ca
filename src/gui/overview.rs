//! The graph seen from far out (semantic zoom): below
//! [`OVERVIEW_ZOOM`](crate::report::scene::OVERVIEW_ZOOM) each group box is
//! drawn as one card — its name, size, summed load and worst utilization —
//! with the calls between cards bundled into one weighted arrow per pair.
//! Cards sit where the group boxes are, so zooming in past the threshold
//! opens each card into its services in place. Nodes outside any group are
//! drawn as usual.

use egui::{Align2, Color32, FontId, Painter, Rect, Stroke, StrokeKind, pos2, vec2};

use crate::report::scene::OverviewEnd;

use super::camera::Camera;
use super::paint::{Geometry, Mark, Marks, curve_between, legible, paint_curve, paint_node};
use super::scene::Scene;
use super::theme::Palette;

/// Paints the overview of `scene`: arrows, then cards and ungrouped nodes.
pub fn paint_overview(
    painter: &Painter,
    canvas: Rect,
    camera: &Camera,
    scene: &Scene,
    geometry: &Geometry,
    marks: &Marks,
    palette: &Palette,
) {
    let zoom = camera.zoom;
    let cull = canvas.expand(40.0);
    let overview = &scene.overview;
    let cards: Vec<Rect> = scene
        .group_boxes
        .iter()
        .map(|b| camera.rect_to_screen(canvas, b.rect))
        .collect();
    let card_marks = card_marks(scene, marks);
    let end_rect = |end: OverviewEnd| match end {
        OverviewEnd::Node(i) => geometry.rects[i],
        OverviewEnd::Group(g) => cards[g],
    };
    let end_mark = |end: OverviewEnd| match end {
        OverviewEnd::Node(i) => marks.node(i),
        OverviewEnd::Group(g) => card_marks[g],
    };

    // Bundled arrows first: the cards drawn over them hide where they would
    // cross a card.
    for edge in &overview.edges {
        let (from, to) = (end_rect(edge.from), end_rect(edge.to));
        let curve = curve_between(from, to, false, 0.0, zoom);
        if !Rect::from_points(&curve).intersects(cull) {
            continue;
        }
        let faded = marks.active
            && (end_mark(edge.from) == Mark::Faded || end_mark(edge.to) == Mark::Faded);
        let width = match edge.rate_rps {
            Some(rate) => (0.8 + 0.7 * (1.0 + rate as f32).log10()).clamp(0.8, 4.5),
            None => 1.0 + (edge.edges as f32).log2().min(3.0) * 0.4,
        };
        let color = if faded {
            palette.edge.gamma_multiply(0.18)
        } else {
            palette.edge.gamma_multiply(0.75)
        };
        paint_curve(
            painter,
            &curve,
            edge.optional,
            Stroke::new(width, color),
            zoom.max(0.3),
        );
    }

    for (g, (rect, card)) in cards.iter().zip(&overview.cards).enumerate() {
        if !rect.intersects(cull) {
            continue;
        }
        let mark = card_marks[g];
        let label = &scene.group_boxes[g].label;
        let selected = marks.selected_group.as_deref() == Some(label.as_str());
        let stroke = match mark_stroke(palette, mark) {
            _ if selected => Stroke::new(2.5, palette.selection),
            Some(stroke) => stroke,
            None => Stroke::new(1.2, palette.group_stroke),
        };
        let fill = if mark == Mark::Faded {
            palette.node_fill.gamma_multiply(0.55)
        } else {
            palette.node_fill
        };
        // Corners too small to see are square: a rounded corner costs a
        // dozen triangles, and a fitted map of 10,000 services has hundreds
        // of cards.
        let radius = if rect.height() < 16.0 {
            0.0
        } else {
            (10.0 * zoom).clamp(2.0, 8.0)
        };
        painter.rect(*rect, radius, fill, stroke, StrokeKind::Inside);
        let text = if mark == Mark::Faded {
            palette.node_text.gamma_multiply(0.35)
        } else {
            palette.node_text
        };

        // Worst utilization as a bar along the bottom.
        if let Some(util) = card.utilization
            && rect.height() >= 12.0
        {
            let inner = rect.shrink2(vec2(8.0_f32.min(rect.width() * 0.1), 0.0));
            let y = rect.bottom() - 4.0;
            let full = (util as f32).clamp(0.0, 1.0);
            painter.line_segment(
                [pos2(inner.left(), y), pos2(inner.right(), y)],
                Stroke::new(3.0, palette.grid),
            );
            painter.line_segment(
                [
                    pos2(inner.left(), y),
                    pos2(inner.left() + inner.width() * full, y),
                ],
                Stroke::new(3.0, palette.utilization(util)),
            );
        }
        if card.entry {
            let tip = rect.left_center() - vec2(2.0, 0.0);
            painter.line_segment(
                [tip - vec2(14.0, 0.0), tip],
                Stroke::new(2.0, palette.selection),
            );
            super::shapes::arrowhead(painter, tip, vec2(1.0, 0.0), 6.0, palette.selection);
        }

        // Name and figures, as large as the card allows (and legible).
        let width = rect.width() - 12.0;
        // Smaller (down to 11 points) rather than cut, where that fits it.
        let fits_at = width / (0.56 * label.chars().count().max(1) as f32);
        let name_size = (rect.height() - 6.0)
            .clamp(0.0, 16.0)
            .min(fits_at.max(11.0));
        let Some(name) = legible(label, width, name_size) else {
            continue;
        };
        let sub_size = (name_size * 0.8).max(super::paint::MIN_TEXT_PX);
        let sub = legible(&card.subline(), width, sub_size)
            .filter(|_| name_size + sub_size + 10.0 <= rect.height());
        let top = if sub.is_some() {
            rect.center().y - (name_size + sub_size + 2.0) / 2.0
        } else {
            rect.center().y - name_size / 2.0
        };
        painter.text(
            pos2(rect.left() + 6.0, top),
            Align2::LEFT_TOP,
            name,
            FontId::proportional(name_size),
            text,
        );
        if let Some(sub) = sub {
            painter.text(
                pos2(rect.left() + 6.0, top + name_size + 2.0),
                Align2::LEFT_TOP,
                sub,
                FontId::proportional(sub_size),
                if mark == Mark::Faded {
                    palette.node_subtext.gamma_multiply(0.35)
                } else {
                    palette.node_subtext
                },
            );
        }
    }

    for (i, node) in scene.nodes.iter().enumerate() {
        let rect = geometry.rects[i];
        if overview.box_of_node.get(i).copied().flatten().is_none() && rect.intersects(cull) {
            paint_node(painter, rect, node, marks.node(i), palette, zoom);
        }
    }
}

/// The mark of each card: the strongest mark among its services (the
/// selection, then a critical path, then the blast radius); faded when all
/// of them are.
pub fn card_marks(scene: &Scene, marks: &Marks) -> Vec<Mark> {
    let strength = |mark: Mark| match mark {
        Mark::Faded => 0,
        Mark::Normal => 1,
        Mark::Downstream => 2,
        Mark::Upstream => 3,
        Mark::Critical => 4,
        Mark::Selected => 5,
    };
    let mut card_marks = vec![Mark::Faded; scene.group_boxes.len()];
    for (i, at) in scene.overview.box_of_node.iter().enumerate() {
        if let Some(card) = at.and_then(|g| card_marks.get_mut(g)) {
            let mark = marks.node(i);
            if strength(mark) > strength(*card) {
                *card = mark;
            }
        }
    }
    if !marks.active {
        for mark in &mut card_marks {
            if *mark == Mark::Faded {
                *mark = Mark::Normal;
            }
        }
    }
    card_marks
}

fn mark_stroke(palette: &Palette, mark: Mark) -> Option<Stroke> {
    let color: Color32 = match mark {
        Mark::Selected => palette.selection,
        Mark::Downstream => palette.downstream,
        Mark::Upstream => palette.upstream,
        Mark::Critical => palette.critical,
        Mark::Normal | Mark::Faded => return None,
    };
    Some(Stroke::new(2.2, color))
}
