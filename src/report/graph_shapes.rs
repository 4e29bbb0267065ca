//! The shapes and colours of the graph, as in the app's canvas (light
//! theme): node outlines by kind, arrowheads, kind accents and utilization
//! colours.

use super::svg::{Svg, n};
use crate::graph::layout::{Point, Rect};
use crate::model::ServiceKind;

/// Colours of the app's light theme.
pub(super) mod color {
    pub const BACKGROUND: &str = "#f6f7f9";
    pub const NODE_FILL: &str = "#ffffff";
    pub const NODE_TEXT: &str = "#1c2028";
    pub const NODE_SUBTEXT: &str = "#606876";
    pub const EDGE: &str = "#8a94a3";
    pub const EDGE_LABEL: &str = "#3c4452";
    pub const BACK_EDGE: &str = "#c85c3c";
    pub const ENTRY: &str = "#2563eb";
    pub const GROUP_STROKE: &str = "#c4cad4";
    pub const GROUP_TEXT: &str = "#5a6270";
    pub const ZONE_STROKE: &str = "#78a078";
    pub const TRACK: &str = "#e4e7ec";
    pub const OK: &str = "#22a05a";
    pub const WARN: &str = "#de9614";
    pub const BAD: &str = "#d73232";
}

/// The accent colour of a kind.
pub fn kind_color(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Service => "#3b6ed2",
        ServiceKind::Gateway => "#7c4dc8",
        ServiceKind::Database => "#c47814",
        ServiceKind::Cache => "#c83c5a",
        ServiceKind::Queue => "#1e8c6e",
        ServiceKind::External => "#646e7d",
    }
}

/// Green, amber or red by utilization (as in the app).
pub fn utilization_color(utilization: f64) -> &'static str {
    if utilization >= 0.85 {
        color::BAD
    } else if utilization >= 0.6 {
        color::WARN
    } else {
        color::OK
    }
}

/// The letter drawn in a node's kind badge.
pub(super) fn kind_letter(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Service => "S",
        ServiceKind::Gateway => "G",
        ServiceKind::Database => "D",
        ServiceKind::Cache => "C",
        ServiceKind::Queue => "Q",
        ServiceKind::External => "E",
    }
}

pub(super) fn arrowhead(svg: &mut Svg, tip: Point, (ux, uy): (f64, f64), size: f64, fill: &str) {
    let (nx, ny) = (-uy, ux);
    let base = (tip.x - ux * size, tip.y - uy * size);
    svg.polygon(
        &[
            (tip.x, tip.y),
            (base.0 + nx * size * 0.5, base.1 + ny * size * 0.5),
            (base.0 - nx * size * 0.5, base.1 - ny * size * 0.5),
        ],
        &format!("fill=\"{fill}\""),
    );
}

/// The outline of a node of `kind` filling `r`.
pub(super) fn outline(svg: &mut Svg, r: Rect, kind: ServiceKind, group: bool) {
    let style = format!(
        "fill=\"{}\" stroke=\"{}\" stroke-width=\"1.2\"",
        color::NODE_FILL,
        color::EDGE
    );
    let radius = (r.height() * 0.16).min(8.0);
    if group {
        for step in [2.0, 1.0] {
            svg.rect(
                r.min.x + 5.0 * step,
                r.min.y - 5.0 * step,
                r.width(),
                r.height(),
                radius,
                &style,
            );
        }
        svg.rect(r.min.x, r.min.y, r.width(), r.height(), radius, &style);
        return;
    }
    let (x0, y0, x1, y1) = (r.min.x, r.min.y, r.max.x, r.max.y);
    let cy = (y0 + y1) / 2.0;
    match kind {
        ServiceKind::Service => svg.rect(x0, y0, r.width(), r.height(), radius, &style),
        ServiceKind::Gateway => {
            let inset = (r.height() * 0.3).min(r.width() * 0.2);
            svg.polygon(
                &[
                    (x0, cy),
                    (x0 + inset, y0),
                    (x1 - inset, y0),
                    (x1, cy),
                    (x1 - inset, y1),
                    (x0 + inset, y1),
                ],
                &style,
            );
        }
        ServiceKind::Database => {
            let ry = (r.height() * 0.13).min(8.0);
            let rx = r.width() / 2.0;
            let data = format!(
                "M{},{} L{},{} A{},{} 0 0 0 {},{} L{},{} A{},{} 0 0 0 {},{} Z",
                n(x0),
                n(y0 + ry),
                n(x0),
                n(y1 - ry),
                n(rx),
                n(ry),
                n(x1),
                n(y1 - ry),
                n(x1),
                n(y0 + ry),
                n(rx),
                n(ry),
                n(x0),
                n(y0 + ry)
            );
            svg.path(&data, &style);
            svg.ellipse((x0 + x1) / 2.0, y0 + ry, rx, ry, &style);
        }
        ServiceKind::Queue => {
            let rx = (r.height() * 0.22).min(r.width() * 0.1);
            let ry = r.height() / 2.0;
            let data = format!(
                "M{},{} L{},{} A{},{} 0 0 1 {},{} L{},{} A{},{} 0 0 1 {},{} Z",
                n(x0 + rx),
                n(y0),
                n(x1 - rx),
                n(y0),
                n(rx),
                n(ry),
                n(x1 - rx),
                n(y1),
                n(x0 + rx),
                n(y1),
                n(rx),
                n(ry),
                n(x0 + rx),
                n(y0)
            );
            svg.path(&data, &style);
            svg.ellipse(x1 - rx, cy, rx, ry, &style);
        }
        ServiceKind::Cache => {
            svg.rect(x0, y0, r.width(), r.height(), 2.0, &style);
            svg.rect(
                x0 + 3.5,
                y0 + 3.5,
                r.width() - 7.0,
                r.height() - 7.0,
                1.0,
                &format!(
                    "fill=\"none\" stroke=\"{}\" stroke-width=\"0.85\"",
                    color::EDGE
                ),
            );
        }
        ServiceKind::External => svg.rect(
            x0,
            y0,
            r.width(),
            r.height(),
            radius,
            &format!("{style} stroke-dasharray=\"6 4\""),
        ),
    }
}
