//! The legend under the graph: the node shapes of the kinds present, and
//! what arrows, dashes, red arcs and utilization bars mean.

use super::graph_shapes::{arrowhead, color, outline};
use super::scene::Scene;
use super::svg::{Anchor, Svg, text_width};
use crate::graph::layout::{Point, Rect};
use crate::model::ServiceKind;

/// Height of a legend row.
pub(super) const LEGEND_ROW: f64 = 30.0;

/// One entry of the legend.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum LegendItem {
    Kind(ServiceKind),
    Entry,
    Optional,
    Cycle,
    Utilization,
    Group,
}

impl LegendItem {
    fn text(&self) -> String {
        match self {
            LegendItem::Kind(kind) => kind.as_str().to_owned(),
            LegendItem::Entry => "traffic enters".to_owned(),
            LegendItem::Optional => "optional call".to_owned(),
            LegendItem::Cycle => "call closing a cycle".to_owned(),
            LegendItem::Utilization => "expected utilization <60% / <85% / more".to_owned(),
            LegendItem::Group => "collapsed group".to_owned(),
        }
    }

    /// Width of the symbol and text.
    fn width(&self) -> f64 {
        let symbol = match self {
            LegendItem::Kind(_) | LegendItem::Group => 34.0,
            LegendItem::Utilization => 54.0,
            _ => 30.0,
        };
        symbol + 6.0 + text_width(&self.text(), 11.0) + 22.0
    }
}

pub(super) fn legend_items(scene: &Scene) -> Vec<LegendItem> {
    let mut items: Vec<LegendItem> = ServiceKind::ALL
        .iter()
        .filter(|k| scene.nodes.iter().any(|n| n.members == 0 && n.kind == **k))
        .map(|k| LegendItem::Kind(*k))
        .collect();
    if scene.nodes.iter().any(|n| n.members > 0) {
        items.push(LegendItem::Group);
    }
    if scene.nodes.iter().any(|n| n.entry) {
        items.push(LegendItem::Entry);
    }
    if scene.edges.iter().any(|e| e.optional) {
        items.push(LegendItem::Optional);
    }
    if scene.edges.iter().any(|e| e.back) {
        items.push(LegendItem::Cycle);
    }
    if scene.nodes.iter().any(|n| n.utilization.is_some()) {
        items.push(LegendItem::Utilization);
    }
    items
}

pub(super) fn legend_rows(items: &[LegendItem], width: f64) -> Vec<Vec<LegendItem>> {
    let mut rows: Vec<Vec<LegendItem>> = Vec::new();
    let mut used = f64::INFINITY;
    for item in items {
        let w = item.width();
        if used + w > width.max(300.0) {
            rows.push(Vec::new());
            used = 0.0;
        }
        if let Some(row) = rows.last_mut() {
            row.push(item.clone());
        }
        used += w;
    }
    rows
}

pub(super) fn draw_legend(svg: &mut Svg, rows: &[Vec<LegendItem>], x0: f64, y0: f64) {
    svg.open_group("class=\"legend\"");
    for (i, row) in rows.iter().enumerate() {
        let cy = y0 + LEGEND_ROW * i as f64 + LEGEND_ROW / 2.0;
        let mut x = x0;
        for item in row {
            let symbol_width = match item {
                LegendItem::Kind(kind) => {
                    let r = Rect::around(Point { x: x + 17.0, y: cy }, 34.0, 20.0);
                    outline(svg, r, *kind, false);
                    34.0
                }
                LegendItem::Group => {
                    let r = Rect::around(
                        Point {
                            x: x + 15.0,
                            y: cy + 3.0,
                        },
                        26.0,
                        14.0,
                    );
                    outline(svg, r, ServiceKind::Service, true);
                    34.0
                }
                LegendItem::Entry => {
                    svg.line(
                        x,
                        cy,
                        x + 22.0,
                        cy,
                        &format!("stroke=\"{}\" stroke-width=\"2\"", color::ENTRY),
                    );
                    arrowhead(
                        svg,
                        Point { x: x + 30.0, y: cy },
                        (1.0, 0.0),
                        8.0,
                        color::ENTRY,
                    );
                    30.0
                }
                LegendItem::Optional | LegendItem::Cycle => {
                    let (stroke, dash) = if *item == LegendItem::Cycle {
                        (color::BACK_EDGE, "")
                    } else {
                        (color::EDGE, " stroke-dasharray=\"6 4\"")
                    };
                    svg.line(
                        x,
                        cy,
                        x + 23.0,
                        cy,
                        &format!("stroke=\"{stroke}\" stroke-width=\"1.6\"{dash}"),
                    );
                    arrowhead(svg, Point { x: x + 30.0, y: cy }, (1.0, 0.0), 9.0, stroke);
                    30.0
                }
                LegendItem::Utilization => {
                    for (k, c) in [color::OK, color::WARN, color::BAD].iter().enumerate() {
                        let left = x + 18.0 * k as f64;
                        svg.line(
                            left,
                            cy,
                            left + 15.0,
                            cy,
                            &format!("stroke=\"{c}\" stroke-width=\"3\""),
                        );
                    }
                    54.0
                }
            };
            svg.text(
                x + symbol_width + 6.0,
                cy + 4.0,
                Anchor::Start,
                &item.text(),
                &format!("font-size=\"11\" fill=\"{}\"", color::NODE_SUBTEXT),
            );
            x += item.width();
        }
    }
    svg.close_group();
}
