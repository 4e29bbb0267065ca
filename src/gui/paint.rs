//! Painting the scene: boxes, edges, nodes and labels, with culling of what is
//! off-screen and less detail when zoomed out. Below
//! [`OVERVIEW_ZOOM`](crate::report::scene::OVERVIEW_ZOOM) groups are drawn as
//! cards ([`super::overview`]). Text is drawn at a legible size or not at
//! all; rate labels keep off nodes, other labels and other edges.

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Stroke, StrokeKind, pos2, vec2};

use crate::model::ServiceKind;

use super::camera::Camera;
use crate::graph::layout::{self, Point};
use crate::report::scene::{GROUP_LABEL_ROOM, OVERVIEW_ZOOM};

use super::scene::{NodeId, Scene, SceneEdge, SceneNode};
use super::shapes::{self, Outline};
use super::theme::{Palette, kind_icon};

/// Arrows in view past which only highlighted arrows show their rate.
const MAX_LABELLED_EDGES: usize = 80;

/// How a node or edge is emphasised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mark {
    #[default]
    Normal,
    /// Something else is highlighted.
    Faded,
    Selected,
    /// Called (directly or not) by the selected service.
    Downstream,
    /// Calls the selected service (directly or not).
    Upstream,
    /// On the highlighted entry's critical path.
    Critical,
}

/// Per-node and per-edge marks for one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    pub nodes: Vec<Mark>,
    pub edges: Vec<Mark>,
    /// A service or path is highlighted: unmarked things fade.
    pub active: bool,
    pub selected_group: Option<String>,
}

impl Marks {
    pub fn node(&self, i: usize) -> Mark {
        self.nodes.get(i).copied().unwrap_or_default()
    }

    pub fn edge(&self, i: usize) -> Mark {
        self.edges.get(i).copied().unwrap_or_default()
    }
}

/// What to draw, besides the scene.
pub struct PaintOptions<'a> {
    pub show_rates: bool,
    pub show_group_boxes: bool,
    pub show_zone_boxes: bool,
    /// Index of the hovered node, for its connect handle.
    pub hovered: Option<usize>,
    pub editable: bool,
    /// Live figures of a simulation run (halos, badges, request dots).
    pub live: Option<&'a super::sim::Overlay>,
    /// Request dots move.
    pub animate: bool,
    /// The comparison with traces (`gui::traces`).
    pub traces: Option<&'a super::traces::SceneOverlay>,
}

/// Screen rectangles of the nodes this frame (drag overrides applied).
pub struct Geometry {
    pub rects: Vec<Rect>,
}

impl Geometry {
    pub fn new(
        scene: &Scene,
        camera: &Camera,
        canvas: Rect,
        position: impl Fn(usize) -> crate::graph::layout::Point,
    ) -> Geometry {
        let rects = (0..scene.nodes.len())
            .map(|i| {
                let node = &scene.nodes[i];
                let centre = camera.to_screen(canvas, position(i));
                Rect::from_center_size(
                    centre,
                    vec2(node.width as f32, node.height as f32) * camera.zoom,
                )
            })
            .collect();
        Geometry { rects }
    }
}

/// The curve of an edge between two node rectangles on screen: the core's
/// curve ([`layout::routes::edge_curve`]: right side to left side, bent
/// around the nodes in between, or an arc below both nodes for an edge that
/// points backwards) at the zoom's scale.
pub fn edge_curve(from: Rect, to: Rect, edge: &SceneEdge, zoom: f32) -> [Pos2; 4] {
    curve_between(from, to, edge.back, edge.bend, zoom)
}

/// The curve from `from` to `to` with the given bend (graph units).
pub fn curve_between(from: Rect, to: Rect, back: bool, bend: f64, zoom: f32) -> [Pos2; 4] {
    let graph = |r: Rect| layout::Rect {
        min: Point {
            x: f64::from(r.min.x),
            y: f64::from(r.min.y),
        },
        max: Point {
            x: f64::from(r.max.x),
            y: f64::from(r.max.y),
        },
    };
    let curve = layout::routes::edge_curve(graph(from), graph(to), back, bend, f64::from(zoom));
    curve.map(|p| pos2(p.x as f32, p.y as f32))
}

/// The point of a cubic Bézier curve at parameter `t`.
pub fn bezier_at(p: &[Pos2; 4], t: f32) -> Pos2 {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    pos2(
        w[0] * p[0].x + w[1] * p[1].x + w[2] * p[2].x + w[3] * p[3].x,
        w[0] * p[0].y + w[1] * p[1].y + w[2] * p[2].y + w[3] * p[3].y,
    )
}

fn bezier_bounds(p: &[Pos2; 4]) -> Rect {
    Rect::from_points(p)
}

/// `12/s`, `3.4/s`, `1.2k/s`.
pub fn format_rate(rps: f64) -> String {
    crate::report::scene::rate(rps)
}

fn faded(color: Color32, mark: Mark) -> Color32 {
    if mark == Mark::Faded {
        color.gamma_multiply(0.22)
    } else {
        color
    }
}

fn mark_color(palette: &Palette, mark: Mark) -> Option<Color32> {
    match mark {
        Mark::Selected => Some(palette.selection),
        Mark::Downstream => Some(palette.downstream),
        Mark::Upstream => Some(palette.upstream),
        Mark::Critical => Some(palette.critical),
        Mark::Normal | Mark::Faded => None,
    }
}

/// Paints boxes, edges and nodes of `scene` that are visible in `canvas`.
#[allow(clippy::too_many_arguments)]
pub fn paint_scene(
    painter: &Painter,
    canvas: Rect,
    camera: &Camera,
    scene: &Scene,
    geometry: &Geometry,
    marks: &Marks,
    palette: &Palette,
    options: &PaintOptions,
) {
    let zoom = camera.zoom;
    let cull = canvas.expand(40.0);

    if options.show_zone_boxes {
        paint_zone_boxes(painter, canvas, camera, scene, palette);
    }
    if in_overview(scene, zoom) {
        super::overview::paint_overview(painter, canvas, camera, scene, geometry, marks, palette);
        return;
    }
    if options.show_group_boxes {
        for group in &scene.group_boxes {
            let rect = camera.rect_to_screen(canvas, group.rect);
            if !rect.intersects(cull) {
                continue;
            }
            let selected = marks.selected_group.as_deref() == Some(group.label.as_str());
            let stroke = if selected {
                Stroke::new(2.0, palette.selection)
            } else {
                Stroke::new(1.0, palette.group_stroke)
            };
            painter.rect(
                rect,
                10.0 * zoom.min(1.0),
                palette.group_fill,
                stroke,
                StrokeKind::Inside,
            );
            // Group names stay legible: they are the map's labels. They sit
            // in the gap above the box, which the layout keeps free for
            // them, and never run past the box's width.
            let room = (GROUP_LABEL_ROOM as f32) * zoom - 5.0;
            let size = (12.0 * zoom).clamp(11.0, 15.0).min(room);
            let width = rect.width() - 12.0;
            if let Some(label) = legible(&group.label, width, size) {
                painter.text(
                    rect.left_top() + vec2(6.0, -3.0),
                    Align2::LEFT_BOTTOM,
                    label,
                    FontId::proportional(size),
                    palette.group_text,
                );
            }
        }
    }

    // Edges: plain ones first, highlighted ones on top.
    let stroke_scale = zoom.clamp(0.35, 1.2);
    let mut order: Vec<usize> = (0..scene.edges.len()).collect();
    order.sort_by_key(|&i| !matches!(marks.edge(i), Mark::Normal | Mark::Faded));
    let mut labels: Vec<(usize, [Pos2; 4], String, Color32)> = Vec::new();
    let rates_shown = options.show_rates && zoom >= 0.5;
    // The drawn lines of the edges in view, for keeping labels off them.
    let mut drawn: Vec<(usize, Vec<Pos2>)> = Vec::new();
    // Rates on every arrow only while few arrows are in view; otherwise on
    // the highlighted ones.
    let visible_edges = scene
        .edges
        .iter()
        .filter(|e| {
            geometry.rects[e.from]
                .union(geometry.rects[e.to])
                .intersects(cull)
        })
        .count();
    let label_all = visible_edges <= MAX_LABELLED_EDGES;
    for i in order {
        let edge = &scene.edges[i];
        let curve = edge_curve(
            geometry.rects[edge.from],
            geometry.rects[edge.to],
            edge,
            zoom,
        );
        if !bezier_bounds(&curve).intersects(cull) {
            continue;
        }
        let mark = marks.edge(i);
        let base = if edge.cycle {
            palette.back_edge
        } else {
            palette.edge
        };
        let mut color = faded(mark_color(palette, mark).unwrap_or(base), mark);
        // Zoomed far out, plain edges become a light haze behind the nodes.
        if zoom < 0.3 && mark_color(palette, mark).is_none() {
            color = color.gamma_multiply((zoom / 0.3).max(0.35));
        }
        let width = edge_width(edge)
            * stroke_scale
            * if mark_color(palette, mark).is_some() {
                1.6
            } else {
                1.0
            };
        let points = paint_edge(painter, &curve, edge, Stroke::new(width, color), zoom);
        if rates_shown {
            drawn.push((i, points));
        }
        if let Some(live) = options.live
            && mark != Mark::Faded
        {
            live.paint_edge(painter, &curve, i, palette, zoom, options.animate);
        }
        let highlighted = mark_color(palette, mark).is_some();
        if rates_shown
            && mark != Mark::Faded
            && (label_all || highlighted)
            && let Some(rate) = edge.rate_rps.filter(|r| *r >= 0.005)
        {
            labels.push((i, curve, format_rate(rate), color));
        }
    }

    if let Some(traces) = options.traces {
        traces.paint_edges(painter, geometry, palette, zoom);
    }
    for (i, node) in scene.nodes.iter().enumerate() {
        let rect = geometry.rects[i];
        if rect.intersects(cull) {
            if let Some(live) = options.live {
                live.paint_under_node(painter, rect, i, palette, zoom);
            }
            paint_node(painter, rect, node, marks.node(i), palette, zoom);
            if let Some(live) = options.live {
                live.paint_over_node(painter, rect, i, palette, zoom);
            }
        }
    }
    if let Some(i) = options.hovered.filter(|_| options.editable)
        && matches!(scene.nodes[i].id, NodeId::Service(_))
        && zoom >= 0.3
    {
        let handle = connect_handle(geometry.rects[i]);
        painter.circle(
            handle,
            5.0,
            palette.node_fill,
            Stroke::new(1.5, palette.selection),
        );
    }

    if let Some(traces) = options.traces {
        traces.paint_over(painter, canvas, geometry, palette, zoom);
    }

    // Rate labels last, so that nodes never hide them. A label goes at the
    // first place along its arrow that covers no node, no other label and
    // no other arrow; with none, it is left out (highlighted arrows, drawn
    // last, get their labels first). Hovering an arrow still tells its rate.
    let font = FontId::proportional((11.0 * zoom).clamp(9.0, 13.0));
    let node_rects: Vec<Rect> = geometry
        .rects
        .iter()
        .filter(|r| r.intersects(cull))
        .map(|r| r.shrink(2.0))
        .collect();
    let mut placed: Vec<Rect> = Vec::new();
    for (i, curve, text, color) in labels.into_iter().rev() {
        let galley = painter.layout_no_wrap(text, font.clone(), palette.edge_label);
        let size = galley.size() + vec2(8.0, 2.0);
        let Some(rect) = LABEL_PLACES
            .iter()
            .map(|&t| Rect::from_center_size(bezier_at(&curve, t), size))
            .find(|rect| {
                canvas.contains_rect(*rect)
                    && !node_rects
                        .iter()
                        .chain(&placed)
                        .any(|r| r.intersects(*rect))
                    && !drawn
                        .iter()
                        .any(|(other, line)| *other != i && polyline_meets(line, *rect))
            })
        else {
            continue;
        };
        placed.push(rect);
        painter.rect(
            rect,
            4.0,
            palette.edge_label_bg,
            Stroke::new(0.8, color.gamma_multiply(0.6)),
            StrokeKind::Inside,
        );
        painter.galley(rect.min + vec2(4.0, 1.0), galley, palette.edge_label);
    }
}

/// Where along its arrow (Bézier parameter) a rate label may go, best first.
const LABEL_PLACES: [f32; 7] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78];

/// Does the polyline pass through `rect`?
fn polyline_meets(line: &[Pos2], rect: Rect) -> bool {
    if line.len() == 1 {
        return rect.contains(line[0]);
    }
    line.windows(2)
        .any(|pair| segment_meets_rect(pair[0], pair[1], rect))
}

/// Does the segment from `a` to `b` pass through `rect` (Liang–Barsky
/// clipping)?
fn segment_meets_rect(a: Pos2, b: Pos2, rect: Rect) -> bool {
    let d = b - a;
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for (p, q) in [
        (-d.x, a.x - rect.min.x),
        (d.x, rect.max.x - a.x),
        (-d.y, a.y - rect.min.y),
        (d.y, rect.max.y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
            continue;
        }
        let t = q / p;
        if p < 0.0 {
            t0 = t0.max(t);
        } else {
            t1 = t1.min(t);
        }
        if t0 > t1 {
            return false;
        }
    }
    true
}

/// Zone boxes, dashed, each labelled once at its lower left corner; nested
/// boxes (zones that hold the same services) get their labels side by side.
fn paint_zone_boxes(
    painter: &Painter,
    canvas: Rect,
    camera: &Camera,
    scene: &Scene,
    palette: &Palette,
) {
    let font = FontId::proportional(11.0);
    let mut rects = Vec::with_capacity(scene.zone_boxes.len());
    let mut galleys = Vec::with_capacity(scene.zone_boxes.len());
    let mut labels = Vec::with_capacity(scene.zone_boxes.len());
    for zone in &scene.zone_boxes {
        let rect = camera.rect_to_screen(canvas, zone.rect);
        let galley = painter.layout_no_wrap(
            format!("zone {}", zone.label),
            font.clone(),
            palette.zone_stroke,
        );
        let at = rect.left_bottom() + vec2(6.0, -4.0 - galley.size().y);
        labels.push(layout::Rect {
            min: Point {
                x: f64::from(at.x),
                y: f64::from(at.y),
            },
            max: Point {
                x: f64::from(at.x + galley.size().x),
                y: f64::from(at.y + galley.size().y),
            },
        });
        rects.push(rect);
        galleys.push(galley);
    }
    layout::stagger_labels(&mut labels, 10.0);
    let cull = canvas.expand(40.0);
    for ((rect, galley), label) in rects.into_iter().zip(galleys).zip(labels) {
        if rect.intersects(cull) {
            shapes::dashed_box(painter, rect, Stroke::new(1.2, palette.zone_stroke));
            painter.galley(
                pos2(label.min.x as f32, label.min.y as f32),
                galley,
                palette.zone_stroke,
            );
        }
    }
}

/// Is the scene drawn as its overview at this zoom: groups as cards?
pub fn in_overview(scene: &Scene, zoom: f32) -> bool {
    f64::from(zoom) < OVERVIEW_ZOOM && !scene.group_boxes.is_empty()
}

/// Where a node's "drag to connect" handle is.
pub fn connect_handle(rect: Rect) -> Pos2 {
    rect.right_center()
}

fn edge_width(edge: &SceneEdge) -> f32 {
    match edge.rate_rps {
        Some(rate) => (1.0 + 0.55 * (1.0 + rate as f32).log10()).clamp(1.0, 3.6),
        None => 1.3,
    }
}

/// Paints one edge; returns the points of the line drawn.
pub fn paint_edge(
    painter: &Painter,
    curve: &[Pos2; 4],
    edge: &SceneEdge,
    stroke: Stroke,
    zoom: f32,
) -> Vec<Pos2> {
    paint_curve(painter, curve, edge.optional, stroke, zoom)
}

/// How far (in pixels) the polyline drawn for a curve may stray from it.
const FLATNESS_PX: f32 = 0.5;

/// Paints a curve with an arrowhead at its end (dashed when `dashed`);
/// returns the points of the line drawn.
pub fn paint_curve(
    painter: &Painter,
    curve: &[Pos2; 4],
    dashed: bool,
    stroke: Stroke,
    zoom: f32,
) -> Vec<Pos2> {
    // The curve as a polyline with as many points as its size on screen
    // needs: far cheaper to tessellate than an exact Bézier, and the same
    // to the eye.
    let length =
        curve[0].distance(curve[1]) + curve[1].distance(curve[2]) + curve[2].distance(curve[3]);
    if length < 1.5 {
        return vec![curve[0]];
    }
    let with_arrow = zoom >= 0.12 && length > 12.0;
    let arrow = (9.0 * zoom.clamp(0.5, 1.3)).max(4.0);
    // Stop the line at the arrow's base so that its end does not poke out.
    let direction = curve[3] - curve[2];
    let mut line = *curve;
    if with_arrow {
        line[3] = curve[3] - direction.normalized() * arrow * 0.8;
    }
    // Far out, edges are a haze: a few segments each are plenty. Nearer,
    // as many as keep the polyline within a third of a pixel of the curve
    // (Wang's bound: a long, gently bent curve needs few).
    let segments = if zoom < 0.25 {
        ((length / 80.0) as usize).clamp(1, 6)
    } else {
        let bent =
            |a: Pos2, b: Pos2, c: Pos2| (a.to_vec2() - 2.0 * b.to_vec2() + c.to_vec2()).length();
        let most = bent(line[0], line[1], line[2]).max(bent(line[1], line[2], line[3]));
        ((0.75 * most / FLATNESS_PX).sqrt().ceil() as usize).clamp(1, 40)
    };
    let points: Vec<Pos2> = (0..=segments)
        .map(|k| bezier_at(&line, k as f32 / segments as f32))
        .collect();
    if dashed && length > 20.0 {
        painter.extend(egui::Shape::dashed_line(&points, stroke, 6.0, 4.0));
    } else if segments == 1 {
        painter.line_segment([points[0], points[1]], stroke);
    } else {
        painter.add(egui::Shape::line(points.clone(), stroke));
    }
    if with_arrow {
        shapes::arrowhead(painter, curve[3], direction, arrow, stroke.color);
    }
    points
}

pub(super) fn paint_node(
    painter: &Painter,
    rect: Rect,
    node: &SceneNode,
    mark: Mark,
    palette: &Palette,
    zoom: f32,
) {
    let accent = faded(palette.kind(node.kind), mark);
    let highlight = mark_color(palette, mark);
    let stroke = match highlight {
        Some(color) => Stroke::new(if mark == Mark::Selected { 3.0 } else { 2.2 }, color),
        None => Stroke::new(1.2, faded(palette.edge, mark)),
    };
    let fill = if mark == Mark::Faded {
        palette.node_fill.gamma_multiply(0.6)
    } else {
        palette.node_fill
    };
    let group = node.members > 0;
    if zoom < 0.2 {
        // Far out, shapes would not show: a plain box is enough.
        painter.rect(
            rect,
            1.0,
            fill,
            Stroke::new(1.0, accent),
            StrokeKind::Inside,
        );
        return;
    }
    shapes::node_outline(painter, rect, node.kind, group, &Outline { fill, stroke });

    // An entry gets a short arrow from the left: traffic comes in here.
    if node.entry {
        let tip = rect.left_center() - vec2(2.0, 0.0);
        let length = 22.0 * zoom.max(0.4);
        painter.line_segment(
            [tip - vec2(length, 0.0), tip],
            Stroke::new(2.0, faded(palette.selection, mark)),
        );
        shapes::arrowhead(
            painter,
            tip,
            vec2(1.0, 0.0),
            8.0 * zoom.clamp(0.5, 1.2),
            faded(palette.selection, mark),
        );
    }

    // Utilization bar along the bottom edge.
    if let Some(util) = node.utilization
        && zoom >= 0.2
    {
        let inner = rect.shrink2(vec2(10.0 * zoom, 0.0));
        let y = rect.bottom() - 5.0 * zoom;
        let full = (util as f32).clamp(0.0, 1.0);
        let track = Stroke::new(3.0 * zoom.min(1.0), faded(palette.grid, mark));
        painter.line_segment([pos2(inner.left(), y), pos2(inner.right(), y)], track);
        let bar = Stroke::new(3.0 * zoom.min(1.0), faded(palette.utilization(util), mark));
        painter.line_segment(
            [
                pos2(inner.left(), y),
                pos2(inner.left() + inner.width() * full, y),
            ],
            bar,
        );
    }

    if zoom < 0.28 {
        return; // too small for text
    }
    let text = faded(palette.node_text, mark);
    let sub = faded(palette.node_subtext, mark);
    // Text sits below a database's top ellipse and left of a queue's end.
    let rect = match node.kind {
        ServiceKind::Database if !group => {
            rect.with_min_y(rect.top() + (rect.height() * 0.13).min(8.0))
        }
        ServiceKind::Queue if !group => {
            rect.with_max_x(rect.right() - (rect.height() * 0.22).min(rect.width() * 0.1))
        }
        _ => rect,
    };
    // Text is never drawn smaller than it can be read: names at least
    // `MIN_NAME_PX`, cut to the node's width, and left out (with the icon
    // and the second line) when too little of them would show.
    let pad = 10.0 * zoom;
    let icon_size = 17.0 * zoom;
    let icon_centre = pos2(rect.left() + pad + icon_size * 0.6, rect.center().y);
    let after_icon = icon_centre.x + icon_size * 0.6 + 6.0 * zoom;
    let right = rect.right() - pad.max(4.0);
    let plain_left = rect.left() + pad.max(4.0);
    // A name that would be cut first gives up the icon (the shape still
    // tells the kind), then shrinks to the smallest legible size, if either
    // lets the whole of it show.
    let full_name = node.id.name();
    let whole = |left: f32, size: f32| elide(full_name, right - left, size) == full_name;
    let mut name_size = name_font_px(zoom);
    let mut has_icon = icon_size >= MIN_ICON_PX;
    if has_icon && !whole(after_icon, name_size) {
        has_icon = false;
    }
    if !has_icon && !whole(plain_left, name_size) && whole(plain_left, MIN_TEXT_PX) {
        name_size = MIN_TEXT_PX;
    }
    let left = if has_icon {
        let icon = if group { "🗀" } else { kind_icon(node.kind) };
        painter.text(
            icon_centre,
            Align2::CENTER_CENTER,
            icon,
            FontId::proportional(icon_size),
            accent,
        );
        after_icon
    } else {
        plain_left
    };
    let width = right - left;
    let Some(name) = legible(full_name, width, name_size) else {
        return;
    };
    let sub_size = (11.0 * zoom).max(MIN_TEXT_PX);
    let has_sub = name_size + sub_size + 4.0 <= rect.height() - 6.0 * zoom.min(1.0);
    let name_y = if has_sub {
        rect.center().y - sub_size * 0.5 - 1.0
    } else {
        rect.center().y
    };
    painter.text(
        pos2(left, name_y),
        Align2::LEFT_CENTER,
        name,
        FontId::proportional(name_size),
        text,
    );
    if has_sub && let Some(line) = legible(&node.subline(), width, sub_size) {
        painter.text(
            pos2(left, name_y + name_size * 0.5 + sub_size * 0.5 + 2.0),
            Align2::LEFT_CENTER,
            line,
            FontId::proportional(sub_size),
            sub,
        );
    }
}

/// The smallest text drawn, in screen points: anything smaller is left out.
pub const MIN_TEXT_PX: f32 = 9.5;
/// Node names are never drawn smaller than this.
const MIN_NAME_PX: f32 = 10.5;
/// Kind icons are left out below this size.
const MIN_ICON_PX: f32 = 9.0;
/// A name cut to fewer characters than this is left out.
const MIN_NAME_CHARS: usize = 4;

/// Size of a node's name at `zoom`: 13.5 graph units, never below
/// `MIN_NAME_PX` on screen.
pub fn name_font_px(zoom: f32) -> f32 {
    (13.5 * zoom).max(MIN_NAME_PX)
}

/// `text` cut to `width` at `size`, or None when the size is below
/// [`MIN_TEXT_PX`] or too little of the text would show to be read.
pub fn legible(text: &str, width: f32, size: f32) -> Option<String> {
    if size < MIN_TEXT_PX || width <= 0.0 {
        return None;
    }
    let cut = elide(text, width, size);
    let shown = cut.trim_end_matches('…').chars().count();
    (shown >= MIN_NAME_CHARS.min(text.chars().count())).then_some(cut)
}

/// Cuts `text` with an ellipsis so that it fits `width` at `size` (an
/// estimate: proportional glyphs average about 0.56 em).
fn elide(text: &str, width: f32, size: f32) -> String {
    let fits = ((width / (size * 0.56)).floor() as usize).max(1);
    if text.chars().count() <= fits {
        return text.to_owned();
    }
    let kept: String = text.chars().take(fits.saturating_sub(1)).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_short() {
        assert_eq!(format_rate(0.26), "0.3/s");
        assert_eq!(format_rate(12.4), "12/s");
        assert_eq!(format_rate(1234.0), "1.2k/s");
        assert_eq!(format_rate(25_000.0), "25k/s");
    }

    #[test]
    fn text_is_legible_or_left_out() {
        for zoom in [0.05f32, 0.2, 0.28, 0.4, 0.7, 1.0, 2.0] {
            assert!(name_font_px(zoom) >= MIN_NAME_PX);
        }
        assert_eq!(
            legible("payments", 200.0, 12.0).as_deref(),
            Some("payments")
        );
        assert_eq!(legible("payments", 200.0, 6.0), None, "too small");
        assert_eq!(
            legible("productcatalogservice", 20.0, 11.0),
            None,
            "too narrow"
        );
        assert_eq!(
            legible("db", 30.0, 11.0).as_deref(),
            Some("db"),
            "short names"
        );
    }

    #[test]
    fn a_label_meets_a_line_that_crosses_it_only() {
        let rect = Rect::from_min_max(pos2(10.0, 10.0), pos2(50.0, 24.0));
        assert!(segment_meets_rect(pos2(0.0, 0.0), pos2(60.0, 30.0), rect));
        assert!(!segment_meets_rect(pos2(0.0, 0.0), pos2(60.0, 0.0), rect));
        assert!(polyline_meets(
            &[pos2(30.0, 0.0), pos2(30.0, 5.0), pos2(30.0, 40.0)],
            rect
        ));
    }

    #[test]
    fn elide_cuts_long_names() {
        assert_eq!(elide("short", 200.0, 13.0), "short");
        assert!(elide("a-really-long-service-name-here", 60.0, 13.0).ends_with('…'));
    }
}
