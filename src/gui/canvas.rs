//! The graph canvas: pan, zoom to the cursor, fit, select, hover tooltips,
//! drag nodes, drag from a node's handle (or Shift+drag) to another node to
//! add a call, double-click the background to add a service. Zoomed out past
//! the overview threshold, groups are cards: click one to select its group,
//! double-click to zoom into it. Reads the scene and pushes [`AppCommand`]s;
//! painting is in [`super::paint`] and [`super::overview`].

use std::collections::BTreeMap;

use egui::{Color32, CursorIcon, Pos2, Rect, Sense, Stroke, Ui, Vec2};

use crate::graph::layout::Point;
use crate::model::{Distribution, Service, Topology};

use super::camera::Camera;
use super::command::{AppCommand, Edit, Selection};
use super::edit::unique_service_name;
use super::paint::{self, Geometry, Marks, PaintOptions, bezier_at, edge_curve};
use super::scene::{NodeId, Scene};
use super::settings::Settings;
use super::theme::Palette;

/// What the canvas reads each frame.
pub struct CanvasView<'a> {
    pub scene: &'a Scene,
    pub topology: &'a Topology,
    pub marks: &'a Marks,
    pub settings: &'a Settings,
    /// Show hover effects (off for `--screenshot` pictures).
    pub hover: bool,
    /// Live figures of a simulation run, painted over the scene.
    pub live: Option<&'a super::sim::Overlay>,
    /// Request dots move along the arrows.
    pub animate: bool,
    /// The comparison with traces, drawn over the scene.
    pub traces: Option<&'a super::traces::SceneOverlay>,
}

/// Something under the pointer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Node(usize),
    Edge(usize),
    /// The label strip of a group box.
    GroupHeader(usize),
    /// A group drawn as a card (zoomed out).
    GroupCard(usize),
    Background(Point),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Drag {
    /// Moving a node; `grab` is the pointer's offset from its centre.
    Node {
        index: usize,
        grab: Vec2,
    },
    /// Drawing a new call from a node.
    Connect {
        from: usize,
    },
    Pan,
}

/// The canvas's own state: camera and gestures in progress.
#[derive(Debug)]
pub struct CanvasState {
    pub camera: Camera,
    /// Fit the view to the scene at the next frame.
    pub fit_requested: bool,
    /// Centre on this service at the next frame.
    pub reveal: Option<String>,
    drag: Option<Drag>,
    /// Positions set by a drag, shown until the next scene arrives.
    overrides: BTreeMap<NodeId, Point>,
    context_target: Option<Target>,
    pub hovered_node: Option<usize>,
    /// The canvas rectangle of the last frame.
    pub rect: Rect,
}

impl Default for CanvasState {
    fn default() -> Self {
        CanvasState {
            camera: Camera::default(),
            fit_requested: false,
            reveal: None,
            drag: None,
            overrides: BTreeMap::new(),
            context_target: None,
            hovered_node: None,
            rect: Rect::ZERO,
        }
    }
}

impl CanvasState {
    /// A new scene arrived: positions from drags are now in it.
    pub fn scene_replaced(&mut self) {
        self.overrides.clear();
        self.hovered_node = None;
        if !matches!(self.drag, Some(Drag::Pan) | None) {
            self.drag = None;
        }
    }

    fn position(&self, scene: &Scene, i: usize) -> Point {
        self.overrides
            .get(&scene.nodes[i].id)
            .copied()
            .unwrap_or(scene.nodes[i].pos)
    }
}

/// Draws the canvas and handles its input.
pub fn canvas_ui(
    ui: &mut Ui,
    view: &CanvasView,
    state: &mut CanvasState,
    out: &mut Vec<AppCommand>,
) {
    let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
    state.rect = rect;
    let scene = view.scene;
    if state.fit_requested && rect.width() > 50.0 && !scene.nodes.is_empty() {
        state.camera.fit(rect, scene.bounds);
        state.fit_requested = false;
    }
    if let Some(name) = state.reveal.take() {
        match scene.node_of_service(view.topology, &name) {
            Some(i) => {
                state.camera.centre = state.position(scene, i);
                state.camera.zoom = state.camera.zoom.max(0.8);
            }
            None => state.reveal = None,
        }
    }

    let palette = Palette::for_visuals(ui.visuals());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, palette.background);
    paint_grid(&painter, rect, &state.camera, &palette);

    let editable = true;
    let pointer = response.hover_pos().filter(|_| view.hover);
    let geometry = Geometry::new(scene, &state.camera, rect, |i| state.position(scene, i));
    let hovered = pointer.map(|p| hit(scene, &geometry, &state.camera, rect, p));
    state.hovered_node = match hovered {
        Some(Target::Node(i)) => Some(i),
        _ => None,
    };

    // Zoom with the wheel (or pinch / Ctrl+wheel) around the pointer.
    if let Some(p) = pointer {
        let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
        let factor = if pinch != 1.0 {
            pinch
        } else {
            (scroll.y * 0.0025).exp()
        };
        if factor != 1.0 {
            state.camera.zoom_at(rect, p, factor);
        }
    }

    handle_drag(ui, &response, view, state, &geometry, rect, out);
    handle_clicks(&response, view, state, &geometry, rect, hovered, out);

    // Cursor feedback.
    match (state.drag, hovered) {
        (Some(Drag::Pan), _) => ui.set_cursor_icon(CursorIcon::Grabbing),
        (Some(Drag::Node { .. }), _) => ui.set_cursor_icon(CursorIcon::Move),
        (Some(Drag::Connect { .. }), _) => ui.set_cursor_icon(CursorIcon::Crosshair),
        (None, Some(Target::Node(i))) => {
            let near_handle =
                pointer.is_some_and(|p| p.distance(paint::connect_handle(geometry.rects[i])) < 9.0);
            ui.set_cursor_icon(if near_handle {
                CursorIcon::Crosshair
            } else {
                CursorIcon::PointingHand
            })
        }
        (None, Some(Target::Edge(_) | Target::GroupHeader(_) | Target::GroupCard(_))) => {
            ui.set_cursor_icon(CursorIcon::PointingHand)
        }
        _ => {}
    }

    let geometry = Geometry::new(scene, &state.camera, rect, |i| state.position(scene, i));
    let options = PaintOptions {
        show_rates: view.settings.show_rates,
        show_group_boxes: view.settings.show_group_boxes,
        show_zone_boxes: view.settings.show_zone_boxes,
        hovered: state.hovered_node.filter(|_| state.drag.is_none()),
        editable,
        live: view.live,
        animate: view.animate,
        traces: view.traces,
    };
    paint::paint_scene(
        &painter,
        rect,
        &state.camera,
        scene,
        &geometry,
        view.marks,
        &palette,
        &options,
    );

    if let Some(live) = view.live {
        live.paint_caption(&painter, rect, &palette);
    }

    // The call being drawn.
    if let (Some(Drag::Connect { from }), Some(p)) = (state.drag, pointer) {
        let start = paint::connect_handle(geometry.rects[from]);
        let target = match hovered {
            Some(Target::Node(i)) if i != from && scene.nodes[i].service.is_some() => Some(i),
            _ => None,
        };
        let end = target.map_or(p, |i| geometry.rects[i].left_center());
        let color = if target.is_some() {
            palette.ok
        } else {
            palette.selection
        };
        painter.line_segment([start, end], Stroke::new(2.0, color));
        super::shapes::arrowhead(&painter, end, end - start, 10.0, color);
    }

    if scene.nodes.is_empty() {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "No services to show. Double-click to add one, or open a file (Ctrl+O).",
            egui::FontId::proportional(15.0),
            palette.node_subtext,
        );
    }

    // Tooltip with the hovered node's figures.
    if state.drag.is_none()
        && let Some(Target::Node(i)) = hovered
    {
        response
            .clone()
            .on_hover_ui_at_pointer(|ui| super::tooltip::node_tooltip_ui(ui, view, i));
    } else if state.drag.is_none()
        && let Some(Target::Edge(e)) = hovered
    {
        response
            .clone()
            .on_hover_ui_at_pointer(|ui| super::tooltip::edge_tooltip_ui(ui, view, e));
    } else if state.drag.is_none()
        && let Some(Target::GroupCard(g)) = hovered
        && let (Some(group), Some(card)) = (scene.group_boxes.get(g), scene.overview.cards.get(g))
    {
        response.clone().on_hover_ui_at_pointer(|ui| {
            ui.label(egui::RichText::new(&group.label).strong());
            ui.label(card.subline());
            ui.weak("Double-click or zoom in to see its services");
        });
    }

    context_menu(&response, view, state, out);
}

fn paint_grid(painter: &egui::Painter, rect: Rect, camera: &Camera, palette: &Palette) {
    let step_graph = if camera.zoom >= 0.5 {
        100.0
    } else if camera.zoom >= 0.1 {
        500.0
    } else {
        2500.0
    };
    let step = step_graph as f32 * camera.zoom;
    if step < 12.0 {
        return;
    }
    let origin = camera.to_screen(rect, Point::default());
    let stroke = Stroke::new(1.0, palette.grid);
    let first_x = rect.left() + (origin.x - rect.left()).rem_euclid(step);
    let mut x = first_x;
    while x < rect.right() {
        painter.vline(x, rect.y_range(), stroke);
        x += step;
    }
    let mut y = rect.top() + (origin.y - rect.top()).rem_euclid(step);
    while y < rect.bottom() {
        painter.hline(rect.x_range(), y, stroke);
        y += step;
    }
}

/// What is at screen point `p`: nodes first (topmost last drawn), then
/// edges, then group labels, else the background.
fn hit(scene: &Scene, geometry: &Geometry, camera: &Camera, canvas: Rect, p: Pos2) -> Target {
    if paint::in_overview(scene, camera.zoom) {
        // Cards stand for their services; other nodes are themselves.
        if let Some(i) = (0..scene.nodes.len()).rev().find(|&i| {
            scene
                .overview
                .box_of_node
                .get(i)
                .copied()
                .flatten()
                .is_none()
                && geometry.rects[i].expand(2.0).contains(p)
        }) {
            return Target::Node(i);
        }
        if let Some(g) = scene
            .group_boxes
            .iter()
            .position(|b| camera.rect_to_screen(canvas, b.rect).contains(p))
        {
            return Target::GroupCard(g);
        }
        return Target::Background(camera.to_graph(canvas, p));
    }
    if let Some(i) = (0..scene.nodes.len())
        .rev()
        .find(|&i| geometry.rects[i].expand(2.0).contains(p))
    {
        return Target::Node(i);
    }
    let tolerance = 6.0;
    let mut best: Option<(f32, usize)> = None;
    for (i, edge) in scene.edges.iter().enumerate() {
        let curve = edge_curve(
            geometry.rects[edge.from],
            geometry.rects[edge.to],
            edge,
            camera.zoom,
        );
        if !Rect::from_points(&curve).expand(tolerance).contains(p) {
            continue;
        }
        let mut previous = curve[0];
        for k in 1..=20 {
            let next = bezier_at(&curve, k as f32 / 20.0);
            let d = distance_to_segment(p, previous, next);
            if d < tolerance && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i));
            }
            previous = next;
        }
    }
    if let Some((_, i)) = best {
        return Target::Edge(i);
    }
    for (i, group) in scene.group_boxes.iter().enumerate() {
        let rect = camera.rect_to_screen(canvas, group.rect);
        let header = Rect::from_min_max(
            rect.left_top() - egui::vec2(0.0, 18.0),
            egui::pos2(rect.right(), rect.top() + 4.0),
        );
        if header.contains(p) {
            return Target::GroupHeader(i);
        }
    }
    Target::Background(camera.to_graph(canvas, p))
}

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(a + ab * t)
}

fn handle_drag(
    ui: &Ui,
    response: &egui::Response,
    view: &CanvasView,
    state: &mut CanvasState,
    geometry: &Geometry,
    rect: Rect,
    out: &mut Vec<AppCommand>,
) {
    let scene = view.scene;
    if response.drag_started() {
        let origin = ui
            .input(|i| i.pointer.press_origin())
            .or(response.interact_pointer_pos());
        let shift = ui.input(|i| i.modifiers.shift);
        state.drag = Some(
            match origin.map(|p| (p, hit(scene, geometry, &state.camera, rect, p))) {
                Some((p, Target::Node(i))) if scene.nodes[i].service.is_some() => {
                    let on_handle = p.distance(paint::connect_handle(geometry.rects[i])) < 9.0;
                    if shift || on_handle {
                        Drag::Connect { from: i }
                    } else {
                        Drag::Node {
                            index: i,
                            grab: p - geometry.rects[i].center(),
                        }
                    }
                }
                _ => Drag::Pan,
            },
        );
    }
    match state.drag {
        Some(Drag::Pan) if response.dragged() => state.camera.pan(response.drag_delta()),
        Some(Drag::Node { index, grab }) if response.dragged() => {
            if let Some(p) = response.interact_pointer_pos() {
                let at = state.camera.to_graph(rect, p - grab);
                state.overrides.insert(scene.nodes[index].id.clone(), at);
            }
        }
        _ => {}
    }
    if response.drag_stopped() {
        match state.drag.take() {
            Some(Drag::Node { index, .. }) => {
                if let Some(&at) = state.overrides.get(&scene.nodes[index].id) {
                    out.push(AppCommand::edit(Edit::MoveNodes(moved_positions(
                        view, state, index, at,
                    ))));
                }
            }
            Some(Drag::Connect { from }) => {
                let target = response
                    .interact_pointer_pos()
                    .or(response.hover_pos())
                    .map(|p| hit(scene, geometry, &state.camera, rect, p));
                if let Some(Target::Node(to)) = target
                    && to != from
                    && let (NodeId::Service(a), NodeId::Service(b)) =
                        (&scene.nodes[from].id, &scene.nodes[to].id)
                {
                    out.push(AppCommand::edit(Edit::AddCall {
                        from: a.clone(),
                        to: b.clone(),
                    }));
                    out.push(AppCommand::Select(Selection::Edge {
                        from: a.clone(),
                        to: b.clone(),
                    }));
                }
            }
            Some(Drag::Pan) | None => {}
        }
    }
}

/// Positions to save after a node was dragged. The first drag of a document
/// saves every shown service where it is now, so that the whole picture the
/// user was arranging stays put; later drags save the moved node.
fn moved_positions(
    view: &CanvasView,
    state: &CanvasState,
    index: usize,
    at: Point,
) -> Vec<(String, Point)> {
    let scene = view.scene;
    let saved_any = view
        .topology
        .layout
        .as_ref()
        .is_some_and(|l| !l.nodes.is_empty());
    let mut moved = Vec::new();
    for (i, node) in scene.nodes.iter().enumerate() {
        if let NodeId::Service(name) = &node.id
            && (i == index || !saved_any)
        {
            moved.push((
                name.clone(),
                if i == index {
                    at
                } else {
                    state.position(scene, i)
                },
            ));
        }
    }
    moved
}

fn handle_clicks(
    response: &egui::Response,
    view: &CanvasView,
    state: &mut CanvasState,
    _geometry: &Geometry,
    rect: Rect,
    hovered: Option<Target>,
    out: &mut Vec<AppCommand>,
) {
    let scene = view.scene;
    if response.double_clicked() {
        match hovered {
            Some(Target::Background(at)) => out.push(add_service_command(view.topology, Some(at))),
            Some(Target::Node(i)) => {
                if let NodeId::Group(group) = &scene.nodes[i].id {
                    out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                        group: group.clone(),
                        collapsed: false,
                    }));
                }
            }
            Some(Target::GroupHeader(g)) => {
                let group = scene.group_boxes[g].label.clone();
                out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                    group,
                    collapsed: true,
                }));
            }
            Some(Target::GroupCard(g)) => zoom_into_group(state, scene, g, rect),
            _ => {}
        }
        return;
    }
    if response.clicked() {
        let selection = match hovered {
            Some(Target::Node(i)) => match &scene.nodes[i].id {
                NodeId::Service(name) => Selection::Service(name.clone()),
                NodeId::Group(group) => Selection::Group(group.clone()),
            },
            Some(Target::Edge(e)) => {
                let edge = &scene.edges[e];
                Selection::Edge {
                    from: scene.nodes[edge.from].id.name().to_owned(),
                    to: scene.nodes[edge.to].id.name().to_owned(),
                }
            }
            Some(Target::GroupHeader(g) | Target::GroupCard(g)) => {
                Selection::Group(scene.group_boxes[g].label.clone())
            }
            Some(Target::Background(_)) | None => Selection::None,
        };
        out.push(AppCommand::Select(selection));
    }
    if response.secondary_clicked() {
        state.context_target = hovered;
        if let Some(Target::Node(i)) = hovered
            && let NodeId::Service(name) = &scene.nodes[i].id
        {
            out.push(AppCommand::Select(Selection::Service(name.clone())));
        }
    }
    let _ = rect;
}

/// Shows group box `g` filling the canvas, zoomed in far enough to draw
/// its services.
fn zoom_into_group(state: &mut CanvasState, scene: &Scene, g: usize, canvas: Rect) {
    if let Some(group) = scene.group_boxes.get(g) {
        state.camera.fit(canvas, group.rect);
        let opened = (crate::report::scene::OVERVIEW_ZOOM * 1.25) as f32;
        state.camera.zoom = state.camera.zoom.max(opened);
    }
}

/// A command that adds a new service, pinned at `at` when given.
pub fn add_service_command(topology: &Topology, at: Option<Point>) -> AppCommand {
    let name = unique_service_name(topology, "new-service");
    let service = Service::new(name, Distribution::Exponential { mean_ms: 10.0 });
    AppCommand::edit(Edit::AddService {
        service: Box::new(service),
        at,
    })
}

fn context_menu(
    response: &egui::Response,
    view: &CanvasView,
    state: &mut CanvasState,
    out: &mut Vec<AppCommand>,
) {
    let scene = view.scene;
    let target = state.context_target;
    response.context_menu(|ui| match target {
        Some(Target::Node(i)) => match &scene.nodes[i].id {
            NodeId::Service(name) => {
                ui.label(egui::RichText::new(name).strong());
                if let Some(group) = &scene.nodes[i].group
                    && ui.button(format!("Collapse group {group}")).clicked()
                {
                    out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                        group: group.clone(),
                        collapsed: true,
                    }));
                }
                if ui.button("Delete service").clicked() {
                    out.push(AppCommand::edit(Edit::DeleteService(name.clone())));
                }
            }
            NodeId::Group(group) => {
                if ui.button(format!("Expand group {group}")).clicked() {
                    out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                        group: group.clone(),
                        collapsed: false,
                    }));
                }
                if ui.button(format!("Hide group {group}")).clicked() {
                    out.push(AppCommand::SetGroupHidden {
                        group: group.clone(),
                        hidden: true,
                    });
                }
            }
        },
        Some(Target::Edge(e)) => {
            let edge = &scene.edges[e];
            if let (NodeId::Service(from), NodeId::Service(to)) =
                (&scene.nodes[edge.from].id, &scene.nodes[edge.to].id)
                && ui.button(format!("Delete calls {from} → {to}")).clicked()
            {
                out.push(AppCommand::edit(Edit::DeleteCalls {
                    from: from.clone(),
                    to: to.clone(),
                }));
            }
        }
        Some(Target::GroupHeader(g) | Target::GroupCard(g)) => {
            let group = scene.group_boxes[g].label.clone();
            if matches!(target, Some(Target::GroupCard(_)))
                && ui.button(format!("Zoom into {group}")).clicked()
            {
                zoom_into_group(state, scene, g, state.rect);
            }
            if ui.button(format!("Collapse group {group}")).clicked() {
                out.push(AppCommand::edit(Edit::SetGroupCollapsed {
                    group: group.clone(),
                    collapsed: true,
                }));
            }
            if ui.button(format!("Hide group {group}")).clicked() {
                out.push(AppCommand::SetGroupHidden {
                    group,
                    hidden: true,
                });
            }
        }
        Some(Target::Background(at)) => {
            if ui.button("Add service here").clicked() {
                out.push(add_service_command(view.topology, Some(at)));
            }
            if ui.button("Fit to window").clicked() {
                out.push(AppCommand::FitView);
            }
        }
        None => {
            ui.label("Nothing here");
        }
    });
    let _ = Color32::TRANSPARENT;
}
