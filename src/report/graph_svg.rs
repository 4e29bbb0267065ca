//! The dependency graph as SVG, drawn like the app's canvas (light theme):
//! group and zone boxes, curved edges with arrowheads and calls/s labels
//! (dashed when optional, red when closing a cycle), node outlines by kind
//! (service box, gateway hexagon, database cylinder, cache double box, queue
//! pipe, external dashed box, collapsed group stack), entry arrows and
//! utilization bars, and a legend.

use super::graph_legend::{LEGEND_ROW, draw_legend, legend_items, legend_rows};
use super::graph_shapes::{arrowhead, color, kind_color, kind_letter, outline, utilization_color};
use super::scene::{Scene, SceneEdge, SceneNode, rate};
use super::svg::{Anchor, Svg, elide, n, text_width};
use crate::graph::layout::routes::bezier_at;
use crate::graph::layout::{Point, Rect, RectGrid, stagger_labels};

/// What to draw besides the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphSvgOptions {
    /// A title line above the graph (the topology's name); none when empty.
    pub title: String,
    /// A legend of shapes and colours below the graph.
    pub legend: bool,
    /// Edge labels with calls per second.
    pub rates: bool,
    /// A note under the title, e.g. that groups were collapsed.
    pub note: String,
    /// Dashed boxes around the replicas of each zone (off by default, as
    /// in the app).
    pub zones: bool,
}

impl Default for GraphSvgOptions {
    fn default() -> Self {
        GraphSvgOptions {
            title: String::new(),
            legend: true,
            rates: true,
            note: String::new(),
            zones: false,
        }
    }
}

const MARGIN: f64 = 28.0;

/// The scene as a standalone SVG document (also valid inline in HTML),
/// with its width and height in px. `label` is the accessible name of the
/// image.
pub fn to_svg(scene: &Scene, label: &str, options: &GraphSvgOptions) -> (String, f64, f64) {
    let graph = drawn_bounds(scene, options.zones);
    let header = match (options.title.is_empty(), options.note.is_empty()) {
        (true, true) => 0.0,
        (false, true) | (true, false) => 34.0,
        (false, false) => 54.0,
    };
    let legend_items = if options.legend {
        legend_items(scene)
    } else {
        Vec::new()
    };
    let width = graph.width() + 2.0 * MARGIN;
    let legend_rows = legend_rows(&legend_items, width - 2.0 * MARGIN);
    let legend_height = if legend_items.is_empty() {
        0.0
    } else {
        legend_rows.len() as f64 * LEGEND_ROW + 12.0
    };
    let height = graph.height() + 2.0 * MARGIN + header + legend_height;
    let x0 = graph.min.x - MARGIN;
    let y0 = graph.min.y - MARGIN - header;
    let mut svg = Svg::new(width, height, [x0, y0, width, height], label, "graph");
    svg.rect(
        x0,
        y0,
        width,
        height,
        0.0,
        &format!("fill=\"{}\"", color::BACKGROUND),
    );
    if !options.title.is_empty() {
        svg.text(
            x0 + MARGIN,
            y0 + 26.0,
            Anchor::Start,
            &options.title,
            &format!(
                "font-size=\"17\" font-weight=\"bold\" fill=\"{}\"",
                color::NODE_TEXT
            ),
        );
    }
    if !options.note.is_empty() {
        let y = y0 + if options.title.is_empty() { 24.0 } else { 46.0 };
        svg.text(
            x0 + MARGIN,
            y,
            Anchor::Start,
            &options.note,
            &format!("font-size=\"12\" fill=\"{}\"", color::NODE_SUBTEXT),
        );
    }
    draw_boxes(&mut svg, scene, options.zones);
    let mut labels = Vec::new();
    for edge in &scene.edges {
        draw_edge(&mut svg, scene, edge, options.rates, &mut labels);
    }
    for node in &scene.nodes {
        draw_node(&mut svg, node);
    }
    for (at, text, stroke) in place_labels(scene, labels) {
        let w = label_width(&text);
        svg.rect(
            at.x - w / 2.0,
            at.y - 8.0,
            w,
            16.0,
            4.0,
            &format!(
                "fill=\"{}\" fill-opacity=\"0.92\" stroke=\"{stroke}\" stroke-opacity=\"0.6\" stroke-width=\"0.8\"",
                color::BACKGROUND
            ),
        );
        svg.text(
            at.x,
            at.y + 4.0,
            Anchor::Middle,
            &text,
            &format!("font-size=\"11\" fill=\"{}\"", color::EDGE_LABEL),
        );
    }
    if !legend_items.is_empty() {
        draw_legend(
            &mut svg,
            &legend_rows,
            x0 + MARGIN,
            graph.max.y + MARGIN + 4.0,
        );
    }
    (svg.finish(), width, height)
}

fn label_width(text: &str) -> f64 {
    text_width(text, 11.0) * 0.92 + 8.0
}

/// Where each edge label goes: at the middle of its curve, or, when that
/// covers a node or an earlier label, at the first point along the curve
/// that does not.
fn place_labels(
    scene: &Scene,
    labels: Vec<([Point; 4], String, &'static str)>,
) -> Vec<(Point, String, &'static str)> {
    const TRIES: [f64; 9] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85];
    // Nodes and the labels placed so far, in a grid: a label is checked
    // against its neighbours only (linear in the graph, not quadratic).
    let mut occupied = RectGrid::new();
    for node in &scene.nodes {
        occupied.insert(node.rect().expand(2.0));
    }
    let mut placed = Vec::with_capacity(labels.len());
    for (curve, text, stroke) in labels {
        let w = label_width(&text);
        let rect_at = |p: Point| Rect::around(p, w + 2.0, 18.0);
        let at = TRIES
            .iter()
            .map(|&t| bezier_at(&curve, t))
            .find(|&p| !occupied.intersects(rect_at(p)))
            .unwrap_or_else(|| bezier_at(&curve, 0.5));
        occupied.insert(rect_at(at));
        placed.push((at, text, stroke));
    }
    placed
}

/// Bounds of everything drawn: nodes, boxes (with their labels), entry
/// arrows and the arcs of back edges.
fn drawn_bounds(scene: &Scene, zones: bool) -> Rect {
    let mut bounds = scene
        .nodes
        .iter()
        .map(SceneNode::rect)
        .chain(scene.group_boxes.iter().map(|b| b.rect))
        .reduce(Rect::union)
        .unwrap_or_default();
    if zones {
        for zone in &scene.zone_boxes {
            bounds = bounds.union(zone.rect);
        }
    }
    for b in &scene.group_boxes {
        let label = Rect {
            min: Point {
                x: b.rect.min.x,
                y: b.rect.min.y - 18.0,
            },
            max: Point {
                x: b.rect.min.x + text_width(&b.label, 12.0) + 12.0,
                y: b.rect.min.y,
            },
        };
        bounds = bounds.union(label);
    }
    for node in &scene.nodes {
        if node.entry {
            let r = node.rect();
            bounds = bounds.union(Rect {
                min: Point {
                    x: r.min.x - 30.0,
                    y: r.min.y,
                },
                max: r.max,
            });
        }
    }
    for edge in &scene.edges {
        for p in curve(scene, edge) {
            bounds = bounds.union(Rect { min: p, max: p });
        }
    }
    if scene.nodes.is_empty() {
        bounds = Rect {
            min: Point { x: 0.0, y: 0.0 },
            max: Point { x: 200.0, y: 60.0 },
        };
    }
    bounds
}

fn draw_boxes(svg: &mut Svg, scene: &Scene, zones: bool) {
    let zone_boxes = if zones { &scene.zone_boxes[..] } else { &[] };
    // Nested zone boxes share a corner: their labels go side by side.
    let mut labels: Vec<Rect> = zone_boxes
        .iter()
        .map(|zone| {
            let width = text_width(&format!("zone {}", zone.label), 11.0);
            Rect {
                min: Point {
                    x: zone.rect.min.x + 6.0,
                    y: zone.rect.max.y - 17.0,
                },
                max: Point {
                    x: zone.rect.min.x + 6.0 + width,
                    y: zone.rect.max.y - 4.0,
                },
            }
        })
        .collect();
    stagger_labels(&mut labels, 8.0);
    for (zone, label) in zone_boxes.iter().zip(&labels) {
        let r = zone.rect;
        svg.rect(
            r.min.x,
            r.min.y,
            r.width(),
            r.height(),
            0.0,
            &format!(
                "fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"",
                color::ZONE_STROKE
            ),
        );
        svg.text(
            label.min.x,
            r.max.y - 6.0,
            Anchor::Start,
            &format!("zone {}", zone.label),
            &format!("font-size=\"11\" fill=\"{}\"", color::ZONE_STROKE),
        );
    }
    for group in &scene.group_boxes {
        let r = group.rect;
        svg.rect(
            r.min.x,
            r.min.y,
            r.width(),
            r.height(),
            10.0,
            &format!(
                "fill=\"#78829a\" fill-opacity=\"0.055\" stroke=\"{}\" stroke-width=\"1\"",
                color::GROUP_STROKE
            ),
        );
        svg.text(
            r.min.x + 6.0,
            r.min.y - 5.0,
            Anchor::Start,
            &group.label,
            &format!(
                "font-size=\"12\" font-weight=\"bold\" fill=\"{}\"",
                color::GROUP_TEXT
            ),
        );
    }
}

/// The cubic Bézier of an edge, as the app draws it: right side to left
/// side (bent around the nodes in between), or an arc below both nodes for
/// an edge that closes a cycle.
fn curve(scene: &Scene, edge: &SceneEdge) -> [Point; 4] {
    edge.curve(
        scene.nodes[edge.from].rect(),
        scene.nodes[edge.to].rect(),
        1.0,
    )
}

fn edge_width(edge: &SceneEdge) -> f64 {
    match edge.rate_rps {
        Some(rate) => (1.0 + 0.55 * (1.0 + rate.max(0.0)).log10()).clamp(1.0, 3.6),
        None => 1.3,
    }
}

fn draw_edge(
    svg: &mut Svg,
    scene: &Scene,
    edge: &SceneEdge,
    rates: bool,
    labels: &mut Vec<([Point; 4], String, &'static str)>,
) {
    let c = curve(scene, edge);
    let stroke = if edge.back {
        color::BACK_EDGE
    } else {
        color::EDGE
    };
    let width = edge_width(edge);
    let arrow = 9.0;
    let (dx, dy) = (c[3].x - c[2].x, c[3].y - c[2].y);
    let length = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = if length > 1e-9 {
        (dx / length, dy / length)
    } else {
        (1.0, 0.0)
    };
    let end = Point {
        x: c[3].x - ux * arrow * 0.8,
        y: c[3].y - uy * arrow * 0.8,
    };
    let data = format!(
        "M{},{} C{},{} {},{} {},{}",
        n(c[0].x),
        n(c[0].y),
        n(c[1].x),
        n(c[1].y),
        n(c[2].x),
        n(c[2].y),
        n(end.x),
        n(end.y)
    );
    let dash = if edge.optional {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    svg.path(
        &data,
        &format!(
            "fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\"{dash}",
            n(width)
        ),
    );
    arrowhead(svg, c[3], (ux, uy), arrow, stroke);
    if rates && let Some(r) = edge.rate_rps {
        labels.push((c, rate(r), stroke));
    }
}

fn draw_node(svg: &mut Svg, node: &SceneNode) {
    let r = node.rect();
    let tooltip = if node.members > 0 {
        format!("group {} ({} services)", node.name(), node.members)
    } else {
        format!("{} ({})", node.name(), node.kind.as_str())
    };
    svg.open_group_titled("class=\"node\"", &format!("{tooltip}\n{}", node.subline()));
    outline(svg, r, node.kind, node.members > 0);
    let cy = (r.min.y + r.max.y) / 2.0;
    if node.entry {
        let tip = Point {
            x: r.min.x - 2.0,
            y: cy,
        };
        svg.line(
            tip.x - 22.0,
            cy,
            tip.x - 6.0,
            cy,
            &format!("stroke=\"{}\" stroke-width=\"2\"", color::ENTRY),
        );
        arrowhead(svg, tip, (1.0, 0.0), 8.0, color::ENTRY);
    }
    if let Some(util) = node.utilization {
        let (left, right) = (r.min.x + 10.0, r.max.x - 10.0);
        let y = r.max.y - 5.0;
        svg.line(
            left,
            y,
            right,
            y,
            &format!("stroke=\"{}\" stroke-width=\"3\"", color::TRACK),
        );
        let full = util.clamp(0.0, 1.0);
        if full > 0.0 {
            svg.line(
                left,
                y,
                left + (right - left) * full,
                y,
                &format!("stroke=\"{}\" stroke-width=\"3\"", utilization_color(util)),
            );
        }
    }
    let badge = Point {
        x: r.min.x + 10.0 + 17.0 * 0.6,
        y: cy,
    };
    let accent = kind_color(node.kind);
    svg.ellipse(badge.x, badge.y, 9.0, 9.0, &format!("fill=\"{accent}\""));
    let letter = if node.members > 0 {
        "+"
    } else {
        kind_letter(node.kind)
    };
    svg.text(
        badge.x,
        badge.y + 4.0,
        Anchor::Middle,
        letter,
        "font-size=\"11\" font-weight=\"bold\" fill=\"#ffffff\"",
    );
    let left = badge.x + 17.0 * 0.6 + 6.0;
    let width = r.max.x - left - 10.0;
    svg.text(
        left,
        cy - 8.0 + 4.7,
        Anchor::Start,
        &elide(node.name(), width, 13.5),
        &format!("font-size=\"13.5\" fill=\"{}\"", color::NODE_TEXT),
    );
    svg.text(
        left,
        cy + 9.0 + 3.8,
        Anchor::Start,
        &elide(&node.subline(), width, 11.0),
        &format!("font-size=\"11\" fill=\"{}\"", color::NODE_SUBTEXT),
    );
    svg.close_group();
}
