//! The inspector of a scenario: its run settings, load changes, faults,
//! scheduled scaling and overrides.

use egui::{CollapsingHeader, Ui};

use crate::model::{
    Fault, LoadChange, LoadKind, Override, PartitionMode, ScalingStep, Scenario, Topology,
};

use super::fields::{Form, Range};
use super::service::set;

/// Returns the changed scenario, if it changed.
pub fn scenario_ui(
    form: &mut Form,
    ui: &mut Ui,
    scenario: &Scenario,
    topology: &Topology,
) -> Option<Scenario> {
    let mut new = scenario.clone();
    form.grid(ui, "run", |form, ui| {
        let taken = |s: &str| {
            topology
                .scenarios
                .iter()
                .any(|o| o.name == s && o.name != scenario.name)
        };
        set(
            &mut new.name,
            form.text(
                ui,
                "name",
                "Name",
                "Unique among scenarios",
                &scenario.name,
                |s| {
                    if s.is_empty() {
                        Err("a scenario needs a name".to_owned())
                    } else if taken(s) {
                        Err(format!("{s} exists already"))
                    } else {
                        Ok(s.to_owned())
                    }
                },
            ),
        );
        set(
            &mut new.description,
            form.optional_text(ui, "desc", "Description", "", &scenario.description),
        );
        set(
            &mut new.duration_s,
            form.number(
                ui,
                "duration",
                "Duration (s)",
                "Simulated time",
                scenario.duration_s,
                Range::Positive,
            ),
        );
        set(
            &mut new.warmup_s,
            form.number(
                ui,
                "warmup",
                "Warm-up (s)",
                "Not counted in the statistics",
                scenario.warmup_s,
                Range::NonNegative,
            ),
        );
        set(
            &mut new.seed,
            form.integer(
                ui,
                "seed",
                "Seed",
                "Same seed, same result",
                scenario.seed,
                0,
            ),
        );
        set(
            &mut new.bucket_s,
            form.optional_number(
                ui,
                "bucket",
                "Bucket (s)",
                "Time-series resolution; empty: automatic",
                scenario.bucket_s,
                Range::Positive,
            ),
        );
    });

    CollapsingHeader::new(format!("Load changes ({})", scenario.load.len()))
        .default_open(true)
        .show(ui, |ui| {
            list_ui(
                form,
                ui,
                "load",
                &scenario.load,
                &mut new.load,
                load_rows,
                || LoadChange {
                    kind: None,
                    at_s: 0.0,
                    multiplier: Some(2.0),
                    ramp_s: None,
                    duration_s: None,
                    period_s: None,
                    amplitude: None,
                },
            );
        });
    let first_service = topology
        .services
        .first()
        .map_or_else(String::new, |s| s.name.clone());
    CollapsingHeader::new(format!("Faults ({})", scenario.faults.len()))
        .default_open(true)
        .show(ui, |ui| {
            let services = names(topology);
            list_ui(
                form,
                ui,
                "faults",
                &scenario.faults,
                &mut new.faults,
                |f, ui, k, fault| fault_rows(f, ui, k, fault, &services),
                || Fault::Crash {
                    service: first_service.clone(),
                    replicas: None,
                    at_s: 0.0,
                    duration_s: None,
                },
            );
        });
    CollapsingHeader::new(format!("Scheduled scaling ({})", scenario.scaling.len()))
        .default_open(false)
        .show(ui, |ui| {
            let services = names(topology);
            list_ui(
                form,
                ui,
                "scaling",
                &scenario.scaling,
                &mut new.scaling,
                |f, ui, k, step| {
                    let mut s = step.clone();
                    let mut changed = set(
                        &mut s.at_s,
                        f.number(
                            ui,
                            &format!("{k}/at"),
                            "at (s)",
                            "",
                            step.at_s,
                            Range::NonNegative,
                        ),
                    );
                    changed |= set(
                        &mut s.service,
                        f.choice(ui, &format!("{k}/svc"), "service", &step.service, &services),
                    );
                    changed |= set(
                        &mut s.replicas,
                        f.integer(ui, &format!("{k}/n"), "replicas", "", step.replicas, 0),
                    );
                    changed.then_some(s)
                },
                || ScalingStep {
                    at_s: 0.0,
                    service: first_service.clone(),
                    replicas: 2,
                },
            );
        });
    CollapsingHeader::new(format!("Overrides ({})", scenario.overrides.len()))
        .default_open(false)
        .show(ui, |ui| {
            let services = names(topology);
            list_ui(
                form,
                ui,
                "overrides",
                &scenario.overrides,
                &mut new.overrides,
                |f, ui, k, o| {
                    let mut n = o.clone();
                    let mut changed = set(
                        &mut n.service,
                        f.choice(ui, &format!("{k}/svc"), "service", &o.service, &services),
                    );
                    changed |= set(
                        &mut n.set,
                        f.parsed(
                            ui,
                            &format!("{k}/set"),
                            "set (JSON)",
                            "Service fields, e.g. {\"workers\": 8}",
                            &o.set,
                            |m| serde_json::to_string(m).unwrap_or_default(),
                            |s| match serde_json::from_str::<serde_json::Value>(s) {
                                Ok(serde_json::Value::Object(map)) => Ok(map),
                                Ok(_) => {
                                    Err("give a JSON object, e.g. {\"workers\": 8}".to_owned())
                                }
                                Err(e) => Err(format!("not JSON: {e}")),
                            },
                        ),
                    );
                    changed.then_some(n)
                },
                || Override {
                    service: first_service.clone(),
                    set: serde_json::Map::new(),
                },
            );
        });
    (new != *scenario).then_some(new)
}

fn names(topology: &Topology) -> Vec<(String, String)> {
    topology
        .services
        .iter()
        .map(|s| (s.name.clone(), s.name.clone()))
        .collect()
}

/// A list of items, each edited by `rows`, with remove and add buttons.
fn list_ui<T: Clone>(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    items: &[T],
    new: &mut Vec<T>,
    mut rows: impl FnMut(&mut Form, &mut Ui, &str, &T) -> Option<T>,
    make: impl Fn() -> T,
) {
    let mut remove = None;
    for (i, item) in items.iter().enumerate() {
        let item_key = format!("{key}/{i}");
        let changed = form.grid(ui, &item_key, |form, ui| rows(form, ui, &item_key, item));
        if let Some(changed) = changed {
            new[i] = changed;
        }
        if ui.small_button("🗑 remove").clicked() {
            remove = Some(i);
        }
        ui.separator();
    }
    if let Some(i) = remove {
        new.remove(i);
        form.mark_changed();
    }
    if ui.small_button("+ add").clicked() {
        new.push(make());
        form.mark_changed();
    }
}

fn load_rows(form: &mut Form, ui: &mut Ui, key: &str, change: &LoadChange) -> Option<LoadChange> {
    let mut n = change.clone();
    let options: Vec<(LoadKind, String)> = LoadKind::ALL
        .iter()
        .map(|k| (*k, k.name().to_owned()))
        .collect();
    let mut changed = false;
    if let Some(kind) = form.choice(
        ui,
        &format!("{key}/kind"),
        "kind",
        &change.effective_kind(),
        &options,
    ) {
        n.kind = Some(kind);
        match kind {
            LoadKind::Ramp => n.ramp_s = n.ramp_s.or(Some(60.0)),
            LoadKind::Spike => n.duration_s = n.duration_s.or(Some(30.0)),
            LoadKind::Diurnal => {
                n.period_s = n.period_s.or(Some(3600.0));
                n.amplitude = n.amplitude.or(Some(0.5));
            }
            LoadKind::Step => {}
        }
        changed = true;
    }
    changed |= set(
        &mut n.at_s,
        form.number(
            ui,
            &format!("{key}/at"),
            "at (s)",
            "",
            change.at_s,
            Range::NonNegative,
        ),
    );
    changed |= set(
        &mut n.multiplier,
        form.optional_number(
            ui,
            &format!("{key}/mult"),
            "multiplier",
            "Load × this",
            change.multiplier,
            Range::NonNegative,
        ),
    );
    match change.effective_kind() {
        LoadKind::Ramp => {
            changed |= set(
                &mut n.ramp_s,
                form.optional_number(
                    ui,
                    &format!("{key}/ramp"),
                    "ramp (s)",
                    "Time to reach the multiplier",
                    change.ramp_s,
                    Range::Positive,
                ),
            );
        }
        LoadKind::Spike => {
            changed |= set(
                &mut n.duration_s,
                form.optional_number(
                    ui,
                    &format!("{key}/dur"),
                    "duration (s)",
                    "",
                    change.duration_s,
                    Range::Positive,
                ),
            );
        }
        LoadKind::Diurnal => {
            changed |= set(
                &mut n.period_s,
                form.optional_number(
                    ui,
                    &format!("{key}/period"),
                    "period (s)",
                    "",
                    change.period_s,
                    Range::Positive,
                ),
            );
            changed |= set(
                &mut n.amplitude,
                form.optional_number(
                    ui,
                    &format!("{key}/amp"),
                    "amplitude",
                    "0 to 1",
                    change.amplitude,
                    Range::Fraction,
                ),
            );
        }
        LoadKind::Step => {}
    }
    changed.then_some(n)
}

fn fault_rows(
    form: &mut Form,
    ui: &mut Ui,
    key: &str,
    fault: &Fault,
    services: &[(String, String)],
) -> Option<Fault> {
    let kinds = ["crash", "latency", "errors", "zone_outage", "partition"];
    let options: Vec<(&str, String)> = kinds.iter().map(|k| (*k, k.replace('_', " "))).collect();
    let first = services.first().map_or_else(String::new, |s| s.0.clone());
    let (at_s, duration_s) = (fault.at_s(), fault.duration_s());
    if let Some(kind) = form.choice(
        ui,
        &format!("{key}/kind"),
        "kind",
        &fault.kind_str(),
        &options,
    ) {
        let service = match fault {
            Fault::Crash { service, .. }
            | Fault::Latency { service, .. }
            | Fault::Errors { service, .. } => service.clone(),
            _ => first.clone(),
        };
        return Some(match kind {
            "latency" => Fault::Latency {
                service,
                add_ms: 100.0,
                at_s,
                duration_s,
            },
            "errors" => Fault::Errors {
                service,
                probability: 0.3,
                at_s,
                duration_s,
            },
            "zone_outage" => Fault::ZoneOutage {
                zone: "a".to_owned(),
                at_s,
                duration_s,
            },
            "partition" => Fault::Partition {
                between: [service, first],
                mode: PartitionMode::Fail,
                at_s,
                duration_s,
            },
            _ => Fault::Crash {
                service,
                replicas: None,
                at_s,
                duration_s,
            },
        });
    }
    let mut n = fault.clone();
    let mut changed = false;
    match &mut n {
        Fault::Crash {
            service, replicas, ..
        } => {
            changed |= set(
                service,
                form.choice(
                    ui,
                    &format!("{key}/svc"),
                    "service",
                    &service.clone(),
                    services,
                ),
            );
            changed |= set(
                replicas,
                form.optional_integer(
                    ui,
                    &format!("{key}/n"),
                    "replicas",
                    "Empty: all",
                    *replicas,
                    1,
                ),
            );
        }
        Fault::Latency {
            service, add_ms, ..
        } => {
            changed |= set(
                service,
                form.choice(
                    ui,
                    &format!("{key}/svc"),
                    "service",
                    &service.clone(),
                    services,
                ),
            );
            changed |= set(
                add_ms,
                form.number(
                    ui,
                    &format!("{key}/add"),
                    "add (ms)",
                    "Extra own work per request",
                    *add_ms,
                    Range::NonNegative,
                ),
            );
        }
        Fault::Errors {
            service,
            probability,
            ..
        } => {
            changed |= set(
                service,
                form.choice(
                    ui,
                    &format!("{key}/svc"),
                    "service",
                    &service.clone(),
                    services,
                ),
            );
            changed |= set(
                probability,
                form.number(
                    ui,
                    &format!("{key}/p"),
                    "probability",
                    "Share of requests that fail",
                    *probability,
                    Range::Fraction,
                ),
            );
        }
        Fault::ZoneOutage { zone, .. } => {
            changed |= set(
                zone,
                form.text(ui, &format!("{key}/zone"), "zone", "", zone, |s| {
                    if s.is_empty() {
                        Err("name the zone".to_owned())
                    } else {
                        Ok(s.to_owned())
                    }
                }),
            );
        }
        Fault::Partition { between, mode, .. } => {
            let [a, b] = between;
            changed |= set(
                a,
                form.choice(ui, &format!("{key}/a"), "between", &a.clone(), services),
            );
            changed |= set(
                b,
                form.choice(ui, &format!("{key}/b"), "and", &b.clone(), services),
            );
            let modes = [
                (PartitionMode::Fail, "fail at once".to_owned()),
                (PartitionMode::Hang, "hang until timeout".to_owned()),
            ];
            changed |= set(
                mode,
                form.choice(ui, &format!("{key}/mode"), "calls", &*mode, &modes),
            );
        }
    }
    let (new_at, new_duration) = n.window_mut();
    changed |= set(
        new_at,
        form.number(
            ui,
            &format!("{key}/at"),
            "at (s)",
            "",
            at_s,
            Range::NonNegative,
        ),
    );
    changed |= set(
        new_duration,
        form.optional_number(
            ui,
            &format!("{key}/dur"),
            "duration (s)",
            "Empty: until the end",
            duration_s,
            Range::Positive,
        ),
    );
    changed.then_some(n)
}
