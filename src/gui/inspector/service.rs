//! The inspector of one service: every field of the service and of its
//! operations and calls.

use egui::{CollapsingHeader, Ui};

use crate::model::{
    Autoscale, Distribution, LoadBalancer, LoadShedding, Operation, RetryBudget, Service,
    ServiceKind, Topology,
};

use super::calls::calls_ui;
use super::dist::distribution_rows;
use super::fields::{Form, Range, parse_list};
use crate::gui::command::{AppCommand, Edit};

/// Edits the service at `index`; pushes the resulting commands.
pub fn service_ui(
    form: &mut Form,
    ui: &mut Ui,
    index: usize,
    topology: &Topology,
    out: &mut Vec<AppCommand>,
) {
    let Some(service) = topology.services.get(index) else {
        return;
    };
    let mut new = service.clone();

    // The name first: a rename takes every reference along.
    let rename = form.grid(ui, "name", |form, ui| {
        form.text(
            ui,
            "name",
            "Name",
            "Unique; calls, entries and scenarios follow a rename",
            &service.name,
            |s| {
                if s.is_empty() {
                    Err("a service needs a name".to_owned())
                } else if s != service.name && topology.services.iter().any(|other| other.name == s)
                {
                    Err(format!("{s} exists already"))
                } else {
                    Ok(s.to_owned())
                }
            },
        )
    });
    if let Some(to) = rename {
        out.push(AppCommand::Edit {
            edit: Edit::RenameService {
                from: service.name.clone(),
                to,
            },
            coalesce: form.changed.clone().flatten(),
        });
        return;
    }

    CollapsingHeader::new("Service")
        .default_open(true)
        .show(ui, |ui| {
            form.grid(ui, "basics", |form, ui| {
                basics_rows(form, ui, service, &mut new)
            });
        });

    CollapsingHeader::new("Own work")
        .default_open(true)
        .show(ui, |ui| {
            form.grid(ui, "work", |form, ui| {
                if service.operations.is_empty() {
                    match &service.service_time {
                        Some(d) => {
                            if let Some(d) = distribution_rows(form, ui, "st", "service time", d) {
                                new.service_time = Some(d);
                            }
                        }
                        None => {
                            ui.label("service time");
                            if ui.button("Set a service time").clicked() {
                                new.service_time =
                                    Some(Distribution::Exponential { mean_ms: 10.0 });
                                form.mark_changed();
                            }
                            ui.end_row();
                        }
                    }
                } else {
                    let hint = "Used by operations that have no service time of their own";
                    if let Some(on) = form.checkbox(
                        ui,
                        "default service time",
                        hint,
                        service.service_time.is_some(),
                    ) {
                        new.service_time =
                            on.then_some(Distribution::Exponential { mean_ms: 10.0 });
                    }
                    if let Some(d) = &service.service_time
                        && let Some(d) = distribution_rows(form, ui, "st", "  service time", d)
                    {
                        new.service_time = Some(d);
                    }
                }
            });
        });

    if service.operations.is_empty() {
        CollapsingHeader::new(format!("Calls ({})", service.calls.len()))
            .default_open(true)
            .show(ui, |ui| {
                if let Some(calls) = calls_ui(
                    form,
                    ui,
                    "calls",
                    &service.calls,
                    &topology.services,
                    &service.name,
                ) {
                    new.calls = calls;
                }
                if ui
                    .small_button("Split into named operations")
                    .on_hover_text(
                        "Give the service several operations with their own work and calls",
                    )
                    .clicked()
                {
                    new.operations = vec![Operation {
                        name: "default".to_owned(),
                        service_time: None,
                        calls: std::mem::take(&mut new.calls),
                        extensions: Default::default(),
                    }];
                    form.mark_changed();
                }
            });
    } else {
        CollapsingHeader::new(format!("Operations ({})", service.operations.len()))
            .default_open(true)
            .show(ui, |ui| {
                operations_ui(form, ui, service, topology, &mut new);
            });
    }

    CollapsingHeader::new("Scaling and protection")
        .default_open(false)
        .show(ui, |ui| {
            form.grid(ui, "protect", |form, ui| {
                protection_rows(form, ui, service, &mut new)
            });
        });

    ui.add_space(8.0);
    if ui
        .button("🗑 Delete service")
        .on_hover_text("Also deletes its callers' calls to it, its entries and scenario items")
        .clicked()
    {
        out.push(AppCommand::edit(Edit::DeleteService(service.name.clone())));
        return;
    }

    if let Some(coalesce) = form.changed.clone()
        && new != *service
    {
        out.push(AppCommand::Edit {
            edit: Edit::SetService {
                index,
                service: Box::new(new),
            },
            coalesce,
        });
    }
}

fn basics_rows(form: &mut Form, ui: &mut Ui, service: &Service, new: &mut Service) {
    let kinds: Vec<(ServiceKind, String)> = ServiceKind::ALL
        .iter()
        .map(|k| (*k, k.as_str().to_owned()))
        .collect();
    if let Some(kind) = form.choice(ui, "kind", "Kind", &service.kind, &kinds) {
        new.kind = kind;
    }
    if let Some(group) = form.optional_text(
        ui,
        "group",
        "Group",
        "Team or domain; drawn as a box",
        &service.group,
    ) {
        new.group = group;
    }
    if let Some(zones) = form.parsed(
        ui,
        "zones",
        "Zones",
        "Comma-separated, e.g. a, b, c",
        &service.zones,
        |z| z.join(", "),
        |s| Ok(parse_list(s)),
    ) {
        new.zones = zones;
    }
    if let Some(v) = form.integer(
        ui,
        "replicas",
        "Replicas",
        "Identical instances",
        service.replicas,
        1,
    ) {
        new.replicas = v;
    }
    if let Some(v) = form.integer(
        ui,
        "workers",
        "Workers",
        "Requests one replica serves at once",
        service.workers,
        1,
    ) {
        new.workers = v;
    }
    if let Some(v) = form.optional_integer(
        ui,
        "queue",
        "Queue capacity",
        "Waiting requests per replica; empty: unbounded",
        service.queue_capacity,
        0,
    ) {
        new.queue_capacity = v;
    }
    let balancers: Vec<(LoadBalancer, String)> = LoadBalancer::ALL
        .iter()
        .map(|b| (*b, b.as_str().replace('_', " ")))
        .collect();
    if let Some(lb) = form.choice(
        ui,
        "lb",
        "Load balancer",
        &service.load_balancer,
        &balancers,
    ) {
        new.load_balancer = lb;
    }
    let hint =
        "On: a worker waits for the calls (thread per request). Off: async, the worker is freed";
    if let Some(v) = form.checkbox(ui, "Blocking calls", hint, service.blocking_calls) {
        new.blocking_calls = v;
    }
    if let Some(v) = form.optional_number(
        ui,
        "startup",
        "Startup (s)",
        "Time a new replica needs before it takes work",
        service.startup_s,
        Range::NonNegative,
    ) {
        new.startup_s = v;
    }
    if let Some(v) = form.optional_number(
        ui,
        "rate_limit",
        "Rate limit (req/s)",
        "Admitted requests per second; empty: none",
        service.rate_limit_rps,
        Range::Positive,
    ) {
        new.rate_limit_rps = v;
    }
}

fn operations_ui(
    form: &mut Form,
    ui: &mut Ui,
    service: &Service,
    topology: &Topology,
    new: &mut Service,
) {
    let mut remove = None;
    for (i, op) in service.operations.iter().enumerate() {
        let calls = op.calls.len();
        let plural = if calls == 1 { "" } else { "s" };
        CollapsingHeader::new(format!("{} ({calls} call{plural})", op.name))
            .id_salt(("op", i))
            .show(ui, |ui| {
                let mut sub = form.sub(&format!("op{i}"));
                sub.grid(ui, "fields", |sub, ui| {
                    let taken = |s: &str| {
                        service
                            .operations
                            .iter()
                            .enumerate()
                            .any(|(j, o)| j != i && o.name == s)
                    };
                    if let Some(name) = sub.text(
                        ui,
                        "name",
                        "name",
                        "Unique within the service",
                        &op.name,
                        |s| {
                            if s.is_empty() {
                                Err("an operation needs a name".to_owned())
                            } else if taken(s) {
                                Err(format!("{s} exists already"))
                            } else {
                                Ok(s.to_owned())
                            }
                        },
                    ) {
                        new.operations[i].name = name;
                    }
                    let hint = "Off: uses the service's default service time";
                    if let Some(on) =
                        sub.checkbox(ui, "own service time", hint, op.service_time.is_some())
                    {
                        new.operations[i].service_time =
                            on.then_some(Distribution::Exponential { mean_ms: 10.0 });
                    }
                    if let Some(d) = &op.service_time
                        && let Some(d) = distribution_rows(sub, ui, "st", "  service time", d)
                    {
                        new.operations[i].service_time = Some(d);
                    }
                });
                if let Some(calls) = calls_ui(
                    &mut sub,
                    ui,
                    "calls",
                    &op.calls,
                    &topology.services,
                    &service.name,
                ) {
                    new.operations[i].calls = calls;
                }
                if ui.small_button("🗑 remove operation").clicked() {
                    remove = Some(i);
                }
                let changed = sub.changed.clone();
                form.absorb(changed);
            });
    }
    if let Some(i) = remove {
        new.operations.remove(i);
        form.mark_changed();
    }
    if ui.small_button("+ operation").clicked() {
        let name = crate::gui::outline::unique(
            service.operations.iter().map(|o| o.name.as_str()),
            "operation",
        );
        new.operations.push(Operation {
            name,
            service_time: None,
            calls: Vec::new(),
            extensions: Default::default(),
        });
        form.mark_changed();
    }
}

fn protection_rows(form: &mut Form, ui: &mut Ui, service: &Service, new: &mut Service) {
    if let Some(on) = form.checkbox(
        ui,
        "Autoscale",
        "Add and remove replicas on utilization",
        service.autoscale.is_some(),
    ) {
        new.autoscale = on.then(|| Autoscale {
            min: service.replicas,
            max: service.replicas * 3,
            target_utilization: 0.6,
            interval_s: 15.0,
            startup_s: None,
            cooldown_s: 60.0,
        });
    }
    if let Some(a) = &service.autoscale {
        let mut b = a.clone();
        let mut changed = false;
        changed |= set(
            &mut b.min,
            form.integer(ui, "as/min", "  min replicas", "", a.min, 1),
        );
        changed |= set(
            &mut b.max,
            form.integer(ui, "as/max", "  max replicas", "At least min", a.max, 1),
        );
        changed |= set(
            &mut b.target_utilization,
            form.number(
                ui,
                "as/target",
                "  target utilization",
                "0 to 1, e.g. 0.6",
                a.target_utilization,
                Range::Between(0.01, 1.0),
            ),
        );
        changed |= set(
            &mut b.interval_s,
            form.number(
                ui,
                "as/interval",
                "  interval (s)",
                "How often it decides",
                a.interval_s,
                Range::Positive,
            ),
        );
        changed |= set(
            &mut b.startup_s,
            form.optional_number(
                ui,
                "as/startup",
                "  startup (s)",
                "Empty: the service's startup, else 30",
                a.startup_s,
                Range::NonNegative,
            ),
        );
        changed |= set(
            &mut b.cooldown_s,
            form.number(
                ui,
                "as/cooldown",
                "  cooldown (s)",
                "Wait after scaling in",
                a.cooldown_s,
                Range::NonNegative,
            ),
        );
        if changed {
            new.autoscale = Some(b);
        }
    }
    if let Some(on) = form.checkbox(
        ui,
        "Load shedding",
        "Reject requests when the service is past a limit",
        service.load_shedding.is_some(),
    ) {
        new.load_shedding = on.then_some(LoadShedding {
            max_wait_ms: Some(100.0),
            max_in_flight: None,
        });
    }
    if let Some(l) = &service.load_shedding {
        let mut m = l.clone();
        let mut changed = false;
        changed |= set(
            &mut m.max_wait_ms,
            form.optional_number(
                ui,
                "ls/wait",
                "  max wait (ms)",
                "Drop requests that waited longer",
                l.max_wait_ms,
                Range::Positive,
            ),
        );
        changed |= set(
            &mut m.max_in_flight,
            form.optional_integer(
                ui,
                "ls/inflight",
                "  max in flight",
                "Reject arrivals above this many in progress",
                l.max_in_flight,
                1,
            ),
        );
        if changed {
            new.load_shedding = Some(m);
        }
    }
    if let Some(on) = form.checkbox(
        ui,
        "Retry budget",
        "Cap the retries this service sends",
        service.retry_budget.is_some(),
    ) {
        new.retry_budget = on.then_some(RetryBudget {
            ratio: 0.1,
            min_per_s: 10.0,
        });
    }
    if let Some(r) = &service.retry_budget {
        let mut m = r.clone();
        let mut changed = false;
        changed |= set(
            &mut m.ratio,
            form.number(
                ui,
                "rb/ratio",
                "  ratio",
                "Retries per first attempt, e.g. 0.1",
                r.ratio,
                Range::NonNegative,
            ),
        );
        changed |= set(
            &mut m.min_per_s,
            form.number(
                ui,
                "rb/min",
                "  min per second",
                "Retries always allowed",
                r.min_per_s,
                Range::NonNegative,
            ),
        );
        if changed {
            new.retry_budget = Some(m);
        }
    }
}

/// Stores `value` in `slot` when there is one; tells whether it did.
pub fn set<T>(slot: &mut T, value: Option<T>) -> bool {
    match value {
        Some(value) => {
            *slot = value;
            true
        }
        None => false,
    }
}
