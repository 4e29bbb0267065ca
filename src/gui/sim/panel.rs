//! The run bar (scenario, Run / Pause / Step / Stop, speed, progress with
//! the time left, replay scrubber), the Simulation menu, and the Scenario
//! tab: the run settings beside the timeline (in `timeline.rs`).

use egui::Ui;

use crate::model::{Fault, LoadChange, LoadKind, ScalingStep, Scenario, Topology};
use crate::report::format;

use super::super::command::{AppCommand, Edit, Selection};
use super::super::settings::BottomTab;
use super::{RunPhase, SPEEDS, SimCommand, SimState};

/// The scenario a run of `index` uses: the file's scenario at `index`, its
/// first one, or the engine's default (60 s, seed 1) for a file without.
pub fn chosen_scenario(topology: &Topology, index: usize) -> Scenario {
    topology
        .scenarios
        .get(index)
        .or_else(|| topology.scenarios.first())
        .cloned()
        .unwrap_or_else(crate::sim::default_scenario)
}

/// `Max speed`, `1× real time`, `10×`.
fn speed_label(speed: f64) -> String {
    if speed <= 0.0 {
        "As fast as possible".to_owned()
    } else if speed == 1.0 {
        "1× real time".to_owned()
    } else {
        format!("{}× real time", format::trim(speed))
    }
}

/// The run bar under the toolbar.
pub fn run_bar_ui(ui: &mut Ui, topology: &Topology, sim: &SimState, out: &mut Vec<AppCommand>) {
    let phase = sim.phase();
    let running = matches!(phase, Some(RunPhase::Running | RunPhase::Starting));
    let paused = matches!(phase, Some(RunPhase::Paused))
        || sim.active.as_ref().is_some_and(|a| a.handle.is_paused());
    ui.horizontal(|ui| {
        let label = ui.label("Scenario");
        let names: Vec<String> = topology.scenarios.iter().map(|s| s.name.clone()).collect();
        let current = chosen_scenario(topology, sim.scenario_index);
        ui.add_enabled_ui(sim.active.is_none(), |ui| {
            egui::ComboBox::from_id_salt("sim-scenario")
                .selected_text(format!(
                    "{} ({} s)",
                    current.name,
                    format::trim(current.duration_s)
                ))
                .width(180.0)
                .show_ui(ui, |ui| {
                    if names.is_empty() {
                        ui.weak("The file has no scenarios: the default runs 60 s");
                    }
                    for (i, name) in names.iter().enumerate() {
                        if ui.selectable_label(sim.scenario_index == i, name).clicked() {
                            out.push(SimCommand::ChooseScenario(i).into());
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
        let run_label = if paused { "▶ Resume" } else { "▶ Run" };
        if ui
            .add_enabled(!running, egui::Button::new(run_label))
            .on_hover_text("Run the scenario on the document as it is now (F5)")
            .clicked()
        {
            out.push(SimCommand::Run.into());
        }
        if ui
            .add_enabled(running, egui::Button::new("⏸ Pause"))
            .on_hover_text("Pause the run (F6)")
            .clicked()
        {
            out.push(SimCommand::TogglePause.into());
        }
        if ui
            .add_enabled(!running, egui::Button::new("⏭ Step"))
            .on_hover_text("Advance one time bucket, then pause (F10)")
            .clicked()
        {
            out.push(SimCommand::Step.into());
        }
        if ui
            .add_enabled(sim.active.is_some(), egui::Button::new("⏹ Stop"))
            .on_hover_text("Stop the run; what was simulated is kept (Shift+F5)")
            .clicked()
        {
            out.push(SimCommand::Stop.into());
        }
        egui::ComboBox::from_id_salt("sim-speed")
            .selected_text(speed_label(sim.speed))
            .width(150.0)
            .show_ui(ui, |ui| {
                for speed in SPEEDS {
                    if ui
                        .selectable_label(sim.speed == speed, speed_label(speed))
                        .clicked()
                    {
                        out.push(SimCommand::SetSpeed(speed).into());
                    }
                }
            })
            .response
            .accessible_name("Speed")
            .on_hover_text("Simulated time per second of wall time");
        ui.separator();
        progress_ui(ui, sim, out);
    });
}

/// Progress of the run in progress, or the replay scrubber of the run shown.
fn progress_ui(ui: &mut Ui, sim: &SimState, out: &mut Vec<AppCommand>) {
    if let Some(message) = &sim.error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("Cannot run: {message}"),
        );
        if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
            out.push(SimCommand::DismissError.into());
        }
        return;
    }
    if let Some(active) = &sim.active {
        let shared = active.handle.shared();
        let fraction = if shared.duration_s > 0.0 {
            (shared.now_s / shared.duration_s).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let remaining_s = (shared.duration_s - shared.now_s).max(0.0);
        // Time left: the computing rate so far, or the real-time pace, whichever is slower.
        let compute_left = if shared.now_s > 0.0 {
            shared.busy_wall_s / shared.now_s * remaining_s
        } else {
            f64::NAN
        };
        let speed = active.handle.control.speed();
        let pace_left = if speed > 0.0 {
            remaining_s / speed
        } else {
            0.0
        };
        let eta = if compute_left.is_finite() {
            compute_left.max(pace_left)
        } else {
            pace_left
        };
        let state = match &shared.phase {
            RunPhase::Starting => "starting".to_owned(),
            RunPhase::Paused => "paused".to_owned(),
            _ if shared.now_s <= 0.0 => "…".to_owned(),
            _ => format!("about {} left", format::duration(eta.max(0.0).ceil())),
        };
        let text = format!(
            "t = {} / {} s · {} · {} events",
            format::fixed(shared.now_s, 1),
            format::trim(shared.duration_s),
            state,
            format::count(shared.events)
        );
        drop(shared);
        ui.add(
            egui::ProgressBar::new(fraction as f32)
                .text(text)
                .desired_width(ui.available_width().clamp(200.0, 420.0)),
        );
        return;
    }
    let scrubbed = sim.with_shown(|run| {
        let buckets = run.summary.timeseries.t_s.len();
        if buckets == 0 {
            return;
        }
        let last = buckets - 1;
        let mut k = sim.scrub.unwrap_or(last).min(last);
        let bucket_s = run.summary.timeseries.bucket_s;
        let label = ui
            .label("Replay")
            .on_hover_text("The graph at any moment of the run shown");
        let slider = egui::Slider::new(&mut k, 0..=last)
            .show_value(false)
            .custom_formatter(|v, _| format!("t = {} s", format::trim(v * bucket_s)));
        let response = ui
            .add_sized([ui.available_width().clamp(120.0, 260.0), 18.0], slider)
            .labelled_by(label.id);
        if response.changed() {
            out.push(SimCommand::Scrub(if k == last { None } else { Some(k) }).into());
        }
        ui.monospace(format!(
            "t = {} s",
            format::trim(run.summary.timeseries.t_s[k])
        ));
        if sim.scrub.is_some()
            && ui
                .small_button("⏭ End")
                .on_hover_text("Back to the end of the run")
                .clicked()
        {
            out.push(SimCommand::Scrub(None).into());
        }
        ui.weak(run.name);
    });
    if scrubbed.is_none() {
        ui.weak("No run yet: press ▶ Run (F5) to simulate the scenario");
    }
}

/// What the Simulation menu needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct MenuState {
    pub running: bool,
    pub active: bool,
    pub overlay: bool,
    pub animate: bool,
}

impl SimState {
    pub fn menu_state(&self) -> MenuState {
        let phase = self.phase();
        MenuState {
            running: matches!(phase, Some(RunPhase::Running | RunPhase::Starting)),
            active: self.active.is_some(),
            overlay: self.show_overlay,
            animate: self.animate,
        }
    }
}

/// The Simulation menu.
pub fn menu_ui(ui: &mut Ui, state: MenuState, out: &mut Vec<AppCommand>) {
    let mut item = |ui: &mut Ui, text: &str, keys: &str, enabled: bool, command: SimCommand| {
        if ui
            .add_enabled(enabled, egui::Button::new(text).shortcut_text(keys))
            .clicked()
        {
            out.push(command.into());
        }
    };
    item(
        ui,
        if state.active { "Resume" } else { "Run" },
        "F5",
        !state.running,
        SimCommand::Run,
    );
    item(ui, "Pause", "F6", state.running, SimCommand::TogglePause);
    item(
        ui,
        "Step one bucket",
        "F10",
        !state.running,
        SimCommand::Step,
    );
    item(ui, "Stop", "Shift+F5", state.active, SimCommand::Stop);
    ui.separator();
    item(
        ui,
        if state.overlay {
            "✔ Live figures on the graph"
        } else {
            "Live figures on the graph"
        },
        "",
        true,
        SimCommand::SetOverlay(!state.overlay),
    );
    item(
        ui,
        if state.animate {
            "✔ Animate requests"
        } else {
            "Animate requests"
        },
        "",
        true,
        SimCommand::SetAnimate(!state.animate),
    );
    ui.separator();
    for (tab, label) in [
        (BottomTab::Scenario, "Scenario and timeline"),
        (BottomTab::Charts, "Charts"),
        (BottomTab::Results, "Results"),
        (BottomTab::Compare, "Compare runs"),
        (
            BottomTab::Experiments,
            "Experiments (replications, sweep, capacity)",
        ),
    ] {
        if ui.button(label).clicked() {
            out.push(AppCommand::ShowBottomTab(tab));
        }
    }
}

/// The Scenario tab: run settings on the left, the timeline on the right.
pub fn scenario_tab_ui(
    ui: &mut Ui,
    topology: &Topology,
    sim: &SimState,
    out: &mut Vec<AppCommand>,
) {
    let index = sim
        .scenario_index
        .min(topology.scenarios.len().saturating_sub(1));
    let Some(scenario) = topology.scenarios.get(index) else {
        ui.label("The file has no scenarios: a run uses the default one (60 s, no warm-up, seed 1, steady load).");
        if ui.button("➕ Add a scenario").clicked() {
            let mut scenario = crate::sim::default_scenario();
            scenario.name = "baseline".to_owned();
            out.push(AppCommand::edit(Edit::AddScenario(Box::new(scenario))));
        }
        return;
    };
    // Scrolls when the panel is smaller than the settings or the timeline.
    egui::ScrollArea::both()
        .id_salt("sim-scenario-scroll")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(250.0);
                    settings_ui(ui, topology, index, scenario, out);
                });
                ui.separator();
                ui.vertical(|ui| super::timeline::timeline_ui(ui, index, scenario, sim, out));
            });
        });
}

fn settings_ui(
    ui: &mut Ui,
    topology: &Topology,
    index: usize,
    scenario: &Scenario,
    out: &mut Vec<AppCommand>,
) {
    ui.strong(&scenario.name);
    let mut new = scenario.clone();
    let mut key = None;
    egui::Grid::new("sim-settings")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let label = ui.label("Duration (s)");
            if ui
                .add(
                    egui::DragValue::new(&mut new.duration_s)
                        .range(1.0..=1.0e6)
                        .speed(1.0),
                )
                .labelled_by(label.id)
                .changed()
            {
                key = Some("duration");
            }
            ui.end_row();
            let label = ui.label("Warm-up (s)");
            let max_warmup = (new.duration_s - 0.001).max(0.0);
            if ui
                .add(
                    egui::DragValue::new(&mut new.warmup_s)
                        .range(0.0..=max_warmup)
                        .speed(0.5),
                )
                .labelled_by(label.id)
                .changed()
            {
                key = Some("warmup");
            }
            ui.end_row();
            let label = ui.label("Seed");
            if ui
                .add(egui::DragValue::new(&mut new.seed).speed(1.0))
                .labelled_by(label.id)
                .changed()
            {
                key = Some("seed");
            }
            ui.end_row();
        });
    if let Some(key) = key {
        out.push(AppCommand::Edit {
            edit: Edit::SetScenario {
                index,
                scenario: Box::new(new),
            },
            coalesce: Some(format!("sim-scenario-{index}-{key}")),
        });
    }
    ui.add_space(4.0);
    let d = scenario.duration_s;
    let first = topology
        .services
        .first()
        .map(|s| (s.name.clone(), s.replicas));
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("➕ Load spike")
            .on_hover_text("Double the load for a fifth of the run")
            .clicked()
        {
            let mut new = scenario.clone();
            new.load.push(LoadChange {
                kind: Some(LoadKind::Spike),
                at_s: round(d * 0.4),
                multiplier: Some(2.0),
                ramp_s: None,
                duration_s: Some(round(d * 0.2)),
                period_s: None,
                amplitude: None,
            });
            out.push(AppCommand::edit(Edit::SetScenario {
                index,
                scenario: Box::new(new),
            }));
        }
        if let Some((service, replicas)) = &first {
            if ui
                .button("➕ Fault")
                .on_hover_text("Add 100 ms of latency to a service for a fifth of the run")
                .clicked()
            {
                let mut new = scenario.clone();
                new.faults.push(Fault::Latency {
                    service: service.clone(),
                    add_ms: 100.0,
                    at_s: round(d * 0.3),
                    duration_s: Some(round(d * 0.2)),
                });
                out.push(AppCommand::edit(Edit::SetScenario {
                    index,
                    scenario: Box::new(new),
                }));
            }
            if ui
                .button("➕ Scaling")
                .on_hover_text("Add a replica to a service halfway")
                .clicked()
            {
                let mut new = scenario.clone();
                new.scaling.push(ScalingStep {
                    at_s: round(d * 0.5),
                    service: service.clone(),
                    replicas: replicas + 1,
                });
                out.push(AppCommand::edit(Edit::SetScenario {
                    index,
                    scenario: Box::new(new),
                }));
            }
        }
    });
    if ui
        .button("✏ Edit in the inspector")
        .on_hover_text("Every field of the scenario: load changes, faults, scaling, overrides")
        .clicked()
    {
        out.push(AppCommand::Select(Selection::Scenario(index)));
    }
}

pub(super) fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
