//! Node outlines by kind: a service is a rounded box, a gateway a hexagon, a
//! database a cylinder, a cache a box with a double border, a queue a pipe,
//! an external system a dashed box, a collapsed group a stack of boxes.

use egui::{Color32, CornerRadius, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use crate::model::ServiceKind;

/// How to draw one node's outline.
pub struct Outline {
    pub fill: Color32,
    pub stroke: Stroke,
}

/// Draws the outline of a node of `kind` filling `rect`.
pub fn node_outline(
    painter: &Painter,
    rect: Rect,
    kind: ServiceKind,
    group: bool,
    outline: &Outline,
) {
    let Outline { fill, stroke } = *outline;
    let radius = (rect.height() * 0.16).min(8.0);
    if group {
        for step in [2.0, 1.0] {
            let behind = rect.translate(vec2(5.0, -5.0) * step);
            painter.rect(behind, radius, fill, stroke, StrokeKind::Inside);
        }
        painter.rect(rect, radius, fill, stroke, StrokeKind::Inside);
        return;
    }
    match kind {
        ServiceKind::Service => {
            painter.rect(rect, radius, fill, stroke, StrokeKind::Inside);
        }
        ServiceKind::Gateway => {
            let inset = (rect.height() * 0.3).min(rect.width() * 0.2);
            let points = vec![
                pos2(rect.left(), rect.center().y),
                pos2(rect.left() + inset, rect.top()),
                pos2(rect.right() - inset, rect.top()),
                pos2(rect.right(), rect.center().y),
                pos2(rect.right() - inset, rect.bottom()),
                pos2(rect.left() + inset, rect.bottom()),
            ];
            painter.add(Shape::convex_polygon(points, fill, stroke));
        }
        ServiceKind::Database => cylinder(painter, rect, fill, stroke, false),
        ServiceKind::Queue => cylinder(painter, rect, fill, stroke, true),
        ServiceKind::Cache => {
            painter.rect(rect, 2.0, fill, stroke, StrokeKind::Inside);
            let inner = rect.shrink(3.5);
            painter.rect_stroke(
                inner,
                1.0,
                Stroke::new(stroke.width * 0.7, stroke.color),
                StrokeKind::Inside,
            );
        }
        ServiceKind::External => {
            painter.rect_filled(rect, radius, fill);
            dashed_rect(painter, rect, CornerRadius::same(radius as u8), stroke);
        }
    }
}

/// A cylinder: upright for a database (ellipse on top), lying for a queue
/// (ellipses at the ends).
fn cylinder(painter: &Painter, rect: Rect, fill: Color32, stroke: Stroke, lying: bool) {
    if lying {
        let rx = (rect.height() * 0.22).min(rect.width() * 0.1);
        let body = Rect::from_min_max(
            pos2(rect.left() + rx, rect.top()),
            pos2(rect.right() - rx, rect.bottom()),
        );
        let radius = vec2(rx, rect.height() / 2.0);
        painter.add(Shape::ellipse_filled(
            pos2(body.left(), rect.center().y),
            radius,
            fill,
        ));
        painter.add(Shape::ellipse_filled(
            pos2(body.right(), rect.center().y),
            radius,
            fill,
        ));
        painter.rect_filled(body, 0.0, fill);
        painter.add(Shape::ellipse_stroke(
            pos2(body.right(), rect.center().y),
            radius,
            stroke,
        ));
        half_ellipse(
            painter,
            pos2(body.left(), rect.center().y),
            radius,
            stroke,
            true,
        );
        painter.line_segment([body.left_top(), body.right_top()], stroke);
        painter.line_segment([body.left_bottom(), body.right_bottom()], stroke);
    } else {
        let ry = (rect.height() * 0.13).min(8.0);
        let body = Rect::from_min_max(
            pos2(rect.left(), rect.top() + ry),
            pos2(rect.right(), rect.bottom() - ry),
        );
        let radius = vec2(rect.width() / 2.0, ry);
        painter.add(Shape::ellipse_filled(
            pos2(rect.center().x, body.bottom()),
            radius,
            fill,
        ));
        painter.rect_filled(body, 0.0, fill);
        painter.add(Shape::ellipse_filled(
            pos2(rect.center().x, body.top()),
            radius,
            fill,
        ));
        painter.add(Shape::ellipse_stroke(
            pos2(rect.center().x, body.top()),
            radius,
            stroke,
        ));
        half_ellipse(
            painter,
            pos2(rect.center().x, body.bottom()),
            radius,
            stroke,
            false,
        );
        painter.line_segment([body.left_top(), body.left_bottom()], stroke);
        painter.line_segment([body.right_top(), body.right_bottom()], stroke);
    }
}

/// The visible half of an ellipse: the bottom half, or the left half.
fn half_ellipse(painter: &Painter, centre: Pos2, radius: egui::Vec2, stroke: Stroke, left: bool) {
    let steps = 16;
    let points: Vec<Pos2> = (0..=steps)
        .map(|i| {
            let t = std::f32::consts::PI * i as f32 / steps as f32;
            if left {
                // From top (-π/2) around the left to bottom (π/2).
                let a = std::f32::consts::FRAC_PI_2 + t;
                pos2(centre.x + radius.x * a.cos(), centre.y - radius.y * a.sin())
            } else {
                pos2(centre.x + radius.x * t.cos(), centre.y + radius.y * t.sin())
            }
        })
        .collect();
    painter.add(Shape::line(points, stroke));
}

fn dashed_rect(painter: &Painter, rect: Rect, _radius: CornerRadius, stroke: Stroke) {
    let corners = [
        rect.left_top(),
        rect.right_top(),
        rect.right_bottom(),
        rect.left_bottom(),
        rect.left_top(),
    ];
    painter.extend(Shape::dashed_line(&corners, stroke, 6.0, 4.0));
}

/// Draws a dashed rectangle (zone boxes).
pub fn dashed_box(painter: &Painter, rect: Rect, stroke: Stroke) {
    dashed_rect(painter, rect, CornerRadius::ZERO, stroke);
}

/// A filled arrowhead with its tip at `tip`, pointing along `direction`.
pub fn arrowhead(painter: &Painter, tip: Pos2, direction: egui::Vec2, size: f32, color: Color32) {
    let dir = direction.normalized();
    if !dir.x.is_finite() || !dir.y.is_finite() {
        return;
    }
    let normal = vec2(-dir.y, dir.x);
    let base = tip - dir * size;
    let points = vec![tip, base + normal * size * 0.5, base - normal * size * 0.5];
    painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
}
