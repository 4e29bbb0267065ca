//! The live graph: the scene with the figures of one bucket of a run
//! (arrival rate, utilization, error rate, replicas), and what is painted
//! over it: a halo by utilization, a red ring by error rate, request dots
//! moving along the arrows (more dots for more traffic, red ones for
//! errors), and badges for replica counts, replicas down and open breakers.
//!
//! The overlay is rebuilt only when a new bucket arrives or the replay
//! position moves (see [`super::SimState::refresh_overlay`]); painting it
//! costs a few shapes per visible node and edge.

use egui::{Color32, FontId, Painter, Pos2, Rect, Stroke, StrokeKind, vec2};

use crate::model::Topology;

use super::super::paint::bezier_at;
use super::super::scene::Scene;
use super::super::theme::Palette;
use super::RunView;

/// What an overlay was built from; a different key means rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverlayKey {
    pub generation: u64,
    pub run: u64,
    pub buckets: usize,
    pub scrub: Option<usize>,
    pub compare: bool,
    pub stale: bool,
    pub paused: bool,
    /// The figures are of the run in progress (the caption says "live"
    /// until the run ends, even when the last snapshot equals the result).
    pub live: bool,
}

/// The figures of one node in the shown bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeLive {
    pub utilization: f64,
    /// Failed responses over arrivals in the bucket.
    pub error_ratio: f64,
    /// Live replicas (time average in the bucket).
    pub replicas: f64,
    /// Replicas the file asks for (before scaling).
    pub replicas_configured: u64,
    /// The target replica count at the end of the bucket (scaling included).
    pub replicas_target: f64,
    /// Replicas short of the target while a crash or zone outage hits the
    /// service (time average in the bucket).
    pub replicas_down: f64,
    /// Replicas short of the target otherwise: starting after a crash or a
    /// scale-up.
    pub replicas_starting: f64,
    /// A caller's circuit breaker towards this node was open in the bucket.
    pub breaker_open: bool,
    /// Time-average waiting requests.
    pub queue_length: f64,
    /// Comparison: how the node changed (negative = better), and the words.
    pub change: Option<(f64, String)>,
}

/// The scene with live figures, and what to paint over it.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// The scene with `load_rps`, `utilization` and edge rates of the bucket.
    pub scene: Scene,
    /// Per scene node (None for nodes without figures).
    pub nodes: Vec<Option<NodeLive>>,
    /// Per scene edge: error ratio of the callee (colours some dots red).
    pub edge_errors: Vec<f64>,
    /// Per scene edge: an open circuit breaker on it in the bucket.
    pub edge_breaker_open: Vec<bool>,
    /// Shown time (start of the bucket) and the bucket's width, seconds.
    pub t_s: f64,
    pub bucket_s: f64,
    /// Words for the corner of the canvas: what is shown.
    pub caption: String,
    /// Dots move along the arrows.
    pub animated: bool,
    /// The figures are of an earlier version of the model (the caption is
    /// drawn as a warning).
    pub stale: bool,
}

/// The overlay of `run` at bucket `scrub` (the latest closed bucket when
/// `None`); `None` before the first bucket closes.
pub fn overlay(
    base: &Scene,
    topology: &Topology,
    run: &RunView,
    scrub: Option<usize>,
) -> Option<Overlay> {
    let series = &run.summary.timeseries;
    let buckets = series.t_s.len();
    let k = scrub
        .unwrap_or(buckets.checked_sub(1)?)
        .min(buckets.checked_sub(1)?);
    let bucket_s = series.bucket_s.max(1e-9);
    let mut scene = base.clone();
    let mut nodes: Vec<Option<NodeLive>> = vec![None; scene.nodes.len()];
    // Accumulate per node: arrivals, errors, utilization × workers, workers,
    // replicas, queue, configured replicas.
    let mut sums =
        vec![(0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64, 0_u64); scene.nodes.len()];
    // Per node: target replicas, replicas down, replicas starting.
    let mut shortfalls = vec![(0.0_f64, 0.0_f64, 0.0_f64); scene.nodes.len()];
    let bucket_start_s = series.t_s[k];
    for (name, s) in &series.services {
        let Some(i) = scene.node_of_service(topology, name) else {
            continue;
        };
        let service = run.topology.services.iter().find(|x| &x.name == name);
        let workers = service.map_or(1, |x| x.workers).max(1) as f64;
        let replicas = s.replicas.get(k).copied().unwrap_or(0.0);
        let sum = &mut sums[i];
        sum.0 += s.arrivals.get(k).copied().unwrap_or(0) as f64;
        sum.1 += s.errors.get(k).copied().unwrap_or(0) as f64;
        sum.2 += s.utilization.get(k).copied().unwrap_or(0.0) * replicas * workers;
        sum.3 += replicas * workers;
        sum.4 += replicas;
        sum.5 += s.queue_length.get(k).copied().unwrap_or(0.0);
        sum.6 += service.map_or(1, |x| x.replicas);
        let configured = service.map_or(1, |x| x.replicas) as f64;
        let target = s.replicas_desired.get(k).map_or(configured, |t| *t as f64);
        let short = (target - replicas).max(0.0);
        let hit = run.summary.fault_windows.iter().any(|w| {
            w.start_s < bucket_start_s + bucket_s
                && w.end_s > bucket_start_s
                && match w.kind.as_str() {
                    "crash" => w.target == *name,
                    "zone_outage" => service.is_some_and(|x| x.zones.contains(&w.target)),
                    _ => false,
                }
        });
        let shortfall = &mut shortfalls[i];
        shortfall.0 += target;
        if hit {
            shortfall.1 += short;
        } else {
            shortfall.2 += short;
        }
    }
    for (i, node) in scene.nodes.iter_mut().enumerate() {
        let (arrivals, errors, busy, workers, replicas, queue, configured) = sums[i];
        if configured == 0 {
            node.load_rps = None;
            node.utilization = None;
            continue;
        }
        let utilization = if workers > 0.0 { busy / workers } else { 0.0 };
        node.load_rps = Some(arrivals / bucket_s);
        node.utilization = Some(utilization);
        node.replicas = replicas.round().max(0.0) as u64;
        nodes[i] = Some(NodeLive {
            utilization,
            error_ratio: if arrivals > 0.0 {
                (errors / arrivals).min(1.0)
            } else if errors > 0.0 {
                1.0
            } else {
                0.0
            },
            replicas,
            replicas_configured: configured,
            replicas_target: shortfalls[i].0,
            replicas_down: shortfalls[i].1,
            replicas_starting: shortfalls[i].2,
            breaker_open: false,
            queue_length: queue,
            change: None,
        });
    }
    let mut edge_rps = vec![0.0_f64; scene.edges.len()];
    let mut edge_breaker_open = vec![false; scene.edges.len()];
    let edge_index: std::collections::BTreeMap<(usize, usize), usize> = scene
        .edges
        .iter()
        .enumerate()
        .map(|(e, edge)| ((edge.from, edge.to), e))
        .collect();
    for edge in &series.edges {
        let (Some(from), Some(to)) = (
            scene.node_of_service(topology, &edge.from),
            scene.node_of_service(topology, &edge.to),
        ) else {
            continue;
        };
        let open = edge.breaker_open.get(k).is_some_and(|share| *share > 0.0);
        if open && let Some(Some(node)) = nodes.get_mut(to) {
            node.breaker_open = true;
        }
        if let Some(&e) = edge_index.get(&(from, to)) {
            edge_rps[e] += edge.calls.get(k).copied().unwrap_or(0) as f64 / bucket_s;
            edge_breaker_open[e] |= open;
        }
    }
    let mut edge_errors = vec![0.0; scene.edges.len()];
    for (e, edge) in scene.edges.iter_mut().enumerate() {
        edge.rate_rps = Some(edge_rps[e]);
        edge_errors[e] = nodes[edge.to].as_ref().map_or(0.0, |n| n.error_ratio);
    }
    let t_s = series.t_s[k];
    let caption = caption(run, scrub.map(|_| t_s));
    Some(Overlay {
        scene,
        nodes,
        edge_errors,
        edge_breaker_open,
        t_s,
        bucket_s,
        caption,
        animated: true,
        stale: run.stale,
    })
}

/// What the graph shows, in the canvas corner: the run, and whether the
/// figures are live, paused, replayed, of a stopped run or of an earlier
/// version of the model.
pub fn caption(run: &RunView, replay_t_s: Option<f64>) -> String {
    let s = run.summary;
    let when = match replay_t_s {
        Some(t_s) => format!("replay, t = {} s", trim(t_s)),
        None if run.live && run.paused => format!("paused at t = {} s", trim(s.simulated_s)),
        None if run.live => format!("live, t = {} s", trim(s.simulated_s)),
        None if s.status == crate::metrics::RunStatus::Cancelled => format!(
            "stopped at t = {} s of {} s",
            trim(s.simulated_s),
            trim(s.duration_s)
        ),
        None => format!("end of run, t = {} s", trim(s.simulated_s)),
    };
    let mut caption = format!("{} · {when}", run.name);
    if run.stale {
        caption.push_str(" · model edited since: run again to update");
    }
    caption
}

fn trim(value: f64) -> String {
    crate::report::format::trim(value)
}

impl Overlay {
    /// Painted under a node: a halo in the utilization colour (or, in a
    /// comparison, green for better and red for worse).
    pub fn paint_under_node(
        &self,
        painter: &Painter,
        rect: Rect,
        i: usize,
        palette: &Palette,
        zoom: f32,
    ) {
        let Some(Some(node)) = self.nodes.get(i) else {
            return;
        };
        let color = match &node.change {
            Some((score, _)) if *score > 0.02 => palette.bad,
            Some((score, _)) if *score < -0.02 => palette.ok,
            Some(_) => palette.grid,
            None => palette.utilization(node.utilization),
        };
        let spread = (6.0 * zoom.clamp(0.4, 1.2)).max(3.0);
        let alpha = if node.change.is_some() {
            0.55
        } else {
            0.18 + 0.4 * node.utilization.clamp(0.0, 1.0) as f32
        };
        painter.rect_filled(
            rect.expand(spread),
            10.0 * zoom.min(1.0) + spread,
            color.gamma_multiply(alpha),
        );
    }

    /// Painted over a node: the error ring and the badges.
    pub fn paint_over_node(
        &self,
        painter: &Painter,
        rect: Rect,
        i: usize,
        palette: &Palette,
        zoom: f32,
    ) {
        let Some(Some(node)) = self.nodes.get(i) else {
            return;
        };
        if node.error_ratio >= 0.001 && node.change.is_none() {
            let color = if node.error_ratio >= 0.05 {
                palette.bad
            } else {
                palette.warn
            };
            painter.rect_stroke(
                rect.expand(2.0),
                8.0 * zoom.min(1.0),
                Stroke::new(2.5 * zoom.clamp(0.5, 1.2), color),
                StrokeKind::Outside,
            );
        }
        if zoom < 0.3 {
            return;
        }
        let mut badges: Vec<(String, Color32)> = Vec::new();
        if let Some((_, words)) = &node.change {
            badges.push((words.clone(), palette.node_subtext));
        } else {
            if node.error_ratio >= 0.001 {
                badges.push((
                    format!("{:.0}% err", (node.error_ratio * 100.0).max(1.0)),
                    palette.bad,
                ));
            }
            if node.breaker_open {
                badges.push(("⛔ breaker open".to_owned(), palette.bad));
            }
            if node.replicas_down >= 0.5 {
                badges.push((
                    format!("▼ {:.0} down", node.replicas_down.round()),
                    palette.bad,
                ));
            }
            if node.replicas_starting >= 0.5 {
                badges.push((
                    format!("▲ {:.0} starting", node.replicas_starting.round()),
                    palette.warn,
                ));
            }
            let (serving, target) = (node.replicas.round(), node.replicas_target.round());
            if target != serving {
                badges.push((format!("×{serving:.0}/{target:.0}"), palette.node_subtext));
            } else if node.replicas_configured > 1 || target != node.replicas_configured as f64 {
                badges.push((format!("×{serving:.0}"), palette.node_subtext));
            }
        }
        let font = FontId::proportional((10.5 * zoom).clamp(9.0, 12.0));
        let mut right = rect.right() - 4.0;
        for (text, color) in badges {
            let galley = painter.layout_no_wrap(text, font.clone(), color);
            let size = galley.size() + vec2(8.0, 2.0);
            let badge =
                Rect::from_min_size(Pos2::new(right - size.x, rect.top() - size.y * 0.6), size);
            painter.rect(
                badge,
                6.0,
                palette.node_fill,
                Stroke::new(1.0, color),
                StrokeKind::Inside,
            );
            painter.galley(badge.min + vec2(4.0, 1.0), galley, color);
            right = badge.left() - 3.0;
        }
    }

    /// Dots travelling along an arrow: more for more traffic (1 to 6), as
    /// many red as the callee's error ratio; an open breaker is a red bar.
    pub fn paint_edge(
        &self,
        painter: &Painter,
        curve: &[Pos2; 4],
        e: usize,
        palette: &Palette,
        zoom: f32,
        animate: bool,
    ) {
        let rate = self
            .scene
            .edges
            .get(e)
            .and_then(|x| x.rate_rps)
            .unwrap_or(0.0);
        if self.edge_breaker_open.get(e).copied().unwrap_or(false) {
            // A no-entry sign near the caller, where the breaker sits (the
            // middle holds the rate label).
            let at = bezier_at(curve, 0.22);
            let radius = 6.5 * zoom.clamp(0.6, 1.2);
            painter.circle(at, radius, palette.bad, Stroke::new(1.0, palette.node_fill));
            painter.line_segment(
                [at - vec2(radius * 0.55, 0.0), at + vec2(radius * 0.55, 0.0)],
                Stroke::new(radius * 0.35, Color32::WHITE),
            );
        }
        if rate <= 0.0 || zoom < 0.15 {
            return;
        }
        let count = ((1.0 + rate).log2().ceil() as usize).clamp(1, 6);
        let errors = self.edge_errors.get(e).copied().unwrap_or(0.0);
        let red = (errors * count as f64).round() as usize;
        let time = if self.animated && animate {
            painter.ctx().input(|i| i.time)
        } else {
            0.0
        };
        // Faster dots for more traffic, within a calm range.
        let speed = 0.25 + 0.08 * (1.0 + rate).ln();
        let radius = (2.6 * zoom.clamp(0.5, 1.3)).max(1.5);
        for k in 0..count {
            let t = ((time * speed + k as f64 / count as f64).fract()) as f32;
            let color = if k < red {
                palette.bad
            } else {
                palette.selection
            };
            painter.circle_filled(bezier_at(curve, t), radius, color);
        }
    }

    /// The caption in the canvas corner.
    pub fn paint_caption(&self, painter: &Painter, canvas: Rect, palette: &Palette) {
        let font = FontId::proportional(12.0);
        let text_color = if self.stale {
            palette.warn
        } else {
            palette.node_text
        };
        let galley = painter.layout_no_wrap(self.caption.clone(), font, text_color);
        let rect = Rect::from_min_size(
            canvas.left_top() + vec2(8.0, 8.0),
            galley.size() + vec2(12.0, 6.0),
        );
        let border = if self.stale {
            palette.warn
        } else {
            palette.grid
        };
        painter.rect(
            rect,
            5.0,
            palette.edge_label_bg,
            Stroke::new(1.0, border),
            StrokeKind::Inside,
        );
        painter.galley(rect.min + vec2(6.0, 3.0), galley, text_color);
    }
}
