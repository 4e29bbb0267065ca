//! The scenario's timeline: the load multiplier over time, a bar per
//! fault and a marker per scheduled scaling step, each draggable in time.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, Ui, pos2, vec2};

use crate::model::{Fault, ScalingStep, Scenario};
use crate::report::format;
use crate::sim::LoadProfile;

use super::super::command::{AppCommand, Edit};
use super::super::theme::Palette;
use super::SimState;
use super::panel::round;

/// One line of the timeline: a fault or a scheduled scaling.
enum Item<'a> {
    Fault(usize, &'a Fault),
    Scaling(usize, &'a ScalingStep),
}

/// `crash cart ×1`, `latency db +200 ms`.
pub fn fault_label(fault: &Fault) -> String {
    match fault {
        Fault::Crash {
            service, replicas, ..
        } => match replicas {
            Some(n) => format!("crash {service} ×{n}"),
            None => format!("crash {service} (all)"),
        },
        Fault::Latency {
            service, add_ms, ..
        } => format!("latency {service} +{} ms", format::trim(*add_ms)),
        Fault::Errors {
            service,
            probability,
            ..
        } => format!("errors {service} {}", format::percent(*probability, 0)),
        Fault::ZoneOutage { zone, .. } => format!("zone {zone} down"),
        Fault::Partition { between, .. } => format!("partition {} ↔ {}", between[0], between[1]),
    }
}

/// The timeline: the load multiplier over time, then one row per fault
/// and scaling step; drag a bar or a marker to move it in time.
pub fn timeline_ui(
    ui: &mut Ui,
    index: usize,
    scenario: &Scenario,
    sim: &SimState,
    out: &mut Vec<AppCommand>,
) {
    let palette = Palette::for_visuals(ui.visuals());
    let items: Vec<Item> = scenario
        .faults
        .iter()
        .enumerate()
        .map(|(j, f)| Item::Fault(j, f))
        .chain(
            scenario
                .scaling
                .iter()
                .enumerate()
                .map(|(j, s)| Item::Scaling(j, s)),
        )
        .collect();
    let row_h = 18.0;
    let load_h = 56.0;
    let width = ui.available_width().max(200.0);
    let height = load_h + 18.0 + row_h * items.len().max(1) as f32;
    let (rect, _) = ui.allocate_exact_size(vec2(width, height), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, palette.background);
    let duration = scenario.duration_s.max(1e-9);
    let left = rect.left() + 8.0;
    let right = rect.right() - 8.0;
    let px_per_s = (right - left) / duration as f32;
    let x_of = |t: f64| left + (t.clamp(0.0, duration) as f32) * px_per_s;
    let text_color = palette.node_subtext;
    let small = FontId::proportional(11.0);

    // Warm-up and ticks.
    if scenario.warmup_s > 0.0 {
        let r = Rect::from_min_max(
            pos2(left, rect.top()),
            pos2(x_of(scenario.warmup_s), rect.bottom()),
        );
        painter.rect_filled(r, 0.0, palette.grid.gamma_multiply(0.6));
        painter.text(
            r.left_bottom() + vec2(3.0, -2.0),
            Align2::LEFT_BOTTOM,
            "warm-up",
            small.clone(),
            text_color,
        );
    }
    let (ticks, _) = crate::report::chart::nice_ticks(duration, 8);
    let axis_y = rect.top() + load_h + 14.0;
    for t in ticks.iter().copied().filter(|t| *t <= duration) {
        let x = x_of(t);
        painter.vline(
            x,
            rect.top()..=rect.bottom(),
            Stroke::new(1.0, palette.grid),
        );
        painter.text(
            pos2(x + 2.0, axis_y),
            Align2::LEFT_BOTTOM,
            format!("{} s", format::trim(t)),
            small.clone(),
            text_color,
        );
    }

    // The load multiplier.
    let profile = LoadProfile::new(&scenario.load).unwrap_or_else(|_| LoadProfile::flat());
    let samples = 240;
    let values: Vec<(f64, f64)> = (0..=samples)
        .map(|k| {
            let t = duration * k as f64 / samples as f64;
            (t, profile.multiplier(t))
        })
        .collect();
    let peak = values.iter().map(|v| v.1).fold(1.0_f64, f64::max);
    let base_y = rect.top() + load_h;
    let y_of = |m: f64| base_y - (m / peak) as f32 * (load_h - 20.0);
    let points: Vec<egui::Pos2> = values
        .iter()
        .map(|&(t, m)| pos2(x_of(t), y_of(m)))
        .collect();
    painter.add(egui::Shape::line(
        points,
        Stroke::new(2.0, palette.selection),
    ));
    painter.hline(left..=right, y_of(1.0), Stroke::new(1.0, palette.grid));
    painter.text(
        pos2(left + 2.0, rect.top() + 2.0),
        Align2::LEFT_TOP,
        format!("load × (peak {}×)", format::trim(peak)),
        small.clone(),
        text_color,
    );

    // Faults and scaling, one row each; drag to move in time.
    for (row, item) in items.iter().enumerate() {
        let y = rect.top() + load_h + 18.0 + row as f32 * row_h;
        let (start, end, label, color, id) = match item {
            Item::Fault(j, f) => (
                f.at_s(),
                f.duration_s().map_or(duration, |d| f.at_s() + d),
                fault_label(f),
                palette.bad,
                ui.scope_id().with(("fault", *j)),
            ),
            Item::Scaling(j, s) => (
                s.at_s,
                s.at_s,
                format!("{} → {} replicas", s.service, s.replicas),
                palette.downstream,
                ui.scope_id().with(("scaling", *j)),
            ),
        };
        let x0 = x_of(start);
        let x1 = x_of(end).max(x0 + 8.0);
        let bar = Rect::from_min_max(pos2(x0, y + 2.0), pos2(x1, y + row_h - 2.0));
        let response = ui
            .interact(bar.expand2(vec2(4.0, 0.0)), id, Sense::drag())
            .accessible_name(label.clone())
            .on_hover_text(format!(
                "{label}: from {} s; drag to move",
                format::trim(start)
            ));
        let fill: Color32 = color.gamma_multiply(if response.hovered() || response.dragged() {
            0.75
        } else {
            0.45
        });
        if matches!(item, Item::Scaling(..)) {
            painter.circle_filled(pos2(x0, bar.center().y), 5.0, color);
        } else {
            painter.rect_filled(bar, 3.0, fill);
        }
        painter.text(
            pos2(x0 + 8.0, bar.center().y),
            Align2::LEFT_CENTER,
            &label,
            small.clone(),
            palette.node_text,
        );
        if response.dragged() || response.drag_stopped() {
            let delta = response.drag_delta().x as f64 / px_per_s as f64;
            let mut at = (start + delta).clamp(0.0, duration);
            if response.drag_stopped() {
                at = round(at);
            }
            let mut new = scenario.clone();
            match item {
                Item::Fault(j, _) => *new.faults[*j].window_mut().0 = at,
                Item::Scaling(j, _) => new.scaling[*j].at_s = at,
            }
            if new != *scenario {
                let key = match item {
                    Item::Fault(j, _) => format!("timeline-fault-{index}-{j}"),
                    Item::Scaling(j, _) => format!("timeline-scaling-{index}-{j}"),
                };
                out.push(AppCommand::Edit {
                    edit: Edit::SetScenario {
                        index,
                        scenario: Box::new(new),
                    },
                    coalesce: Some(key),
                });
            }
        }
    }
    if items.is_empty() {
        painter.text(
            pos2(left, rect.top() + load_h + 20.0),
            Align2::LEFT_TOP,
            "No faults or scaling: add them with the buttons or in the inspector",
            small,
            text_color,
        );
    }

    // Where the run in progress is.
    if let Some(active) = sim
        .active
        .as_ref()
        .filter(|a| a.scenario.name == scenario.name)
    {
        let now = active.handle.shared().now_s;
        let x = x_of(now);
        painter.vline(x, rect.y_range(), Stroke::new(2.0, palette.critical));
    }
}
