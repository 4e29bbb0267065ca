//! Checks of the workload, scenarios (load, faults, scaling), `slo`,
//! `layout`, and the size of the runs they describe.

use std::collections::{BTreeSet, HashMap};

use super::super::diagnostic::{Place, quote};
use super::super::suggest::did_you_mean;
use super::super::types::{Fault, LoadChange, LoadKind, Scenario};
use super::Ctx;
use super::limits::*;
use super::numbers::{Rule, show};
use super::opgraph::OpGraph;

pub(super) fn check_workload(ctx: &mut Ctx) {
    let workload = &ctx.topology.workload;
    if workload.len() > MAX_ENTRIES {
        ctx.error(
            &Place::root().key("workload"),
            format!(
                "{} entries is more than archsim accepts ({MAX_ENTRIES})",
                workload.len()
            ),
        );
        return;
    }
    let mut first_with_name: HashMap<String, usize> = HashMap::new();
    for (i, entry) in workload.iter().enumerate() {
        let mut place = Place::root().item("workload", i);
        if let Some(name) = &entry.name {
            place = place.named(name);
            if name.is_empty() {
                ctx.error(
                    &place.key("name"),
                    "is empty; give the entry a name or leave \"name\" out to use \"<to> <operation>\"",
                );
            }
        }
        let name = entry.display_name();
        if let Some(&first) = first_with_name.get(&name) {
            ctx.error(
                &place,
                format!(
                    "another entry is also named {} (workload[{first}]); entries need distinct names, so give each a \"name\"",
                    quote(&name)
                ),
            );
        } else {
            first_with_name.insert(name, i);
        }
        if let Some(target) = ctx.resolve_service(&place, &entry.to) {
            ctx.resolve_operation(&place, target, &entry.operation);
        }
        if ctx.number(
            &place,
            "rate_rps",
            entry.rate_rps,
            Rule::NonNegative,
            Some(MAX_RATE_RPS),
        ) && entry.rate_rps == 0.0
        {
            ctx.warning(
                &place.key("rate_rps"),
                "is 0, so this entry sends no traffic",
            );
        }
    }
}

pub(super) fn check_scenarios(ctx: &mut Ctx) {
    let scenarios = &ctx.topology.scenarios;
    if scenarios.len() > MAX_SCENARIOS {
        ctx.error(
            &Place::root().key("scenarios"),
            format!(
                "{} scenarios is more than archsim accepts ({MAX_SCENARIOS})",
                scenarios.len()
            ),
        );
        return;
    }
    let mut first_with_name: HashMap<&str, usize> = HashMap::new();
    for (i, scenario) in scenarios.iter().enumerate() {
        let place = scenario_place(i, scenario);
        if scenario.name.is_empty() {
            ctx.error(&place.key("name"), "a scenario needs a non-empty name");
        } else if let Some(&first) = first_with_name.get(scenario.name.as_str()) {
            ctx.error(
                &place.key("name"),
                format!(
                    "duplicate scenario name {} (also scenarios[{first}]); scenario names must be unique",
                    quote(&scenario.name)
                ),
            );
        } else {
            first_with_name.insert(&scenario.name, i);
        }
        check_scenario(ctx, &place, scenario);
    }
}

pub(super) fn scenario_place(index: usize, scenario: &Scenario) -> Place {
    Place::root().item("scenarios", index).named(&scenario.name)
}

pub(super) fn check_scenario(ctx: &mut Ctx, place: &Place, scenario: &Scenario) {
    let duration_ok = ctx.number(
        place,
        "duration_s",
        scenario.duration_s,
        Rule::Positive,
        Some(MAX_TIME_S),
    );
    let duration = if duration_ok {
        scenario.duration_s
    } else {
        f64::INFINITY
    };
    if ctx.number(
        place,
        "warmup_s",
        scenario.warmup_s,
        Rule::NonNegative,
        None,
    ) && scenario.warmup_s >= duration
    {
        ctx.error(
            &place.key("warmup_s"),
            format!(
                "must be shorter than duration_s ({}) (found {}); statistics count only what arrives after the warm-up",
                show(duration),
                show(scenario.warmup_s)
            ),
        );
    }
    if let Some(bucket_s) = scenario.bucket_s
        && ctx.number(place, "bucket_s", bucket_s, Rule::Positive, None)
        && duration / bucket_s > MAX_BUCKETS
    {
        ctx.error(
                &place.key("bucket_s"),
                format!(
                    "gives {} time-series buckets over the run, more than archsim keeps ({}); use a larger bucket_s",
                    show((duration / bucket_s).ceil()),
                    show(MAX_BUCKETS)
                ),
            );
    }
    for (k, change) in scenario.load.iter().enumerate() {
        check_load_change(ctx, &place.item("load", k), change, duration);
    }
    for (k, fault) in scenario.faults.iter().enumerate() {
        check_fault(ctx, &place.item("faults", k), fault, duration);
    }
    for (k, step) in scenario.scaling.iter().enumerate() {
        let step_place = place.item("scaling", k);
        check_start(ctx, &step_place, step.at_s, duration);
        ctx.resolve_service(&step_place, &step.service);
        ctx.count(&step_place, "replicas", step.replicas, 0, MAX_REPLICAS);
    }
    for (k, change) in scenario.overrides.iter().enumerate() {
        let override_place = place.item("overrides", k);
        ctx.resolve_service(&override_place, &change.service);
        if change.set.is_empty() {
            ctx.warning(
                &override_place.key("set"),
                "is empty, so this override changes nothing",
            );
        }
    }
}

/// Checks `at_s` of something that happens during a run.
fn check_start(ctx: &mut Ctx, place: &Place, at_s: f64, duration: f64) {
    if ctx.number(place, "at_s", at_s, Rule::NonNegative, Some(MAX_TIME_S)) && at_s >= duration {
        ctx.warning(
            &place.key("at_s"),
            format!(
                "is at or after the end of the run ({} s), so this never happens",
                show(duration)
            ),
        );
    }
}

fn check_load_change(ctx: &mut Ctx, place: &Place, change: &LoadChange, duration: f64) {
    check_start(ctx, place, change.at_s, duration);
    let kind = change.effective_kind();
    let kind_name = kind.name();
    let fields = [
        ("multiplier", change.multiplier, kind != LoadKind::Diurnal),
        ("ramp_s", change.ramp_s, kind == LoadKind::Ramp),
        ("duration_s", change.duration_s, kind == LoadKind::Spike),
        ("period_s", change.period_s, kind == LoadKind::Diurnal),
        ("amplitude", change.amplitude, kind == LoadKind::Diurnal),
    ];
    for (field, value, needed) in fields {
        match (value, needed) {
            (None, true) => ctx.error(
                place,
                format!("a {kind_name} load change needs {}", quote(field)),
            ),
            (Some(_), false) => ctx.warning(
                &place.key(field),
                format!("is not used by a {kind_name} load change and is ignored"),
            ),
            (Some(value), true) => {
                let (rule, max) = match field {
                    "multiplier" => (Rule::NonNegative, Some(MAX_MULTIPLIER)),
                    "amplitude" => (Rule::Probability, None),
                    _ => (Rule::Positive, Some(MAX_TIME_S)),
                };
                ctx.number(place, field, value, rule, max);
            }
            (None, false) => {}
        }
    }
}

fn check_fault(ctx: &mut Ctx, place: &Place, fault: &Fault, duration: f64) {
    check_start(ctx, place, fault.at_s(), duration);
    if let Some(length) = fault.duration_s() {
        ctx.number(
            place,
            "duration_s",
            length,
            Rule::Positive,
            Some(MAX_TIME_S),
        );
    }
    match fault {
        Fault::Crash {
            service, replicas, ..
        } => {
            let target = ctx.resolve_service(place, service);
            if let Some(count) = replicas
                && ctx.count(place, "replicas", *count, 1, MAX_REPLICAS)
                && let Some(target) = target.map(|t| &ctx.topology.services[t])
            {
                let most = target
                    .autoscale
                    .as_ref()
                    .map_or(target.replicas, |a| a.max.max(target.replicas));
                if *count > most {
                    ctx.warning(
                        &place.key("replicas"),
                        format!(
                            "{} has at most {most} replicas, so all of them crash",
                            quote(&target.name)
                        ),
                    );
                }
            }
        }
        Fault::Latency {
            service, add_ms, ..
        } => {
            ctx.resolve_service(place, service);
            ctx.number(
                place,
                "add_ms",
                *add_ms,
                Rule::NonNegative,
                Some(MAX_TIME_MS),
            );
        }
        Fault::Errors {
            service,
            probability,
            ..
        } => {
            ctx.resolve_service(place, service);
            ctx.number(place, "probability", *probability, Rule::Probability, None);
        }
        Fault::ZoneOutage { zone, .. } => check_zone(ctx, place, zone),
        Fault::Partition { between, .. } => {
            let a = ctx.resolve_service(place, &between[0]);
            let b = ctx.resolve_service(place, &between[1]);
            if a.is_some() && a == b {
                ctx.error(
                    &place.key("between"),
                    "a partition separates two different services; name two",
                );
            }
        }
    }
}

fn check_zone(ctx: &mut Ctx, place: &Place, zone: &str) {
    if ctx.zones.contains(zone) {
        return;
    }
    let message = if ctx.zones.is_empty() {
        format!(
            "no service is placed in zone {}: no service has \"zones\"; give services zones to model a zone outage",
            quote(zone)
        )
    } else {
        let known: Vec<String> = ctx.zones.iter().map(|z| quote(z)).collect();
        let hint = match did_you_mean(zone, ctx.zones.iter().copied()) {
            Some(best) => format!(" (did you mean {}?)", quote(best)),
            None => String::new(),
        };
        format!(
            "no service is placed in zone {}{hint}; the zones in use are: {}",
            quote(zone),
            known.join(", ")
        )
    };
    ctx.error(&place.key("zone"), message);
}

pub(super) fn check_slo_and_layout(ctx: &mut Ctx) {
    if let Some(slo) = &ctx.topology.slo {
        let place = Place::root().key("slo");
        for (field, value) in [
            ("latency_p50_ms", slo.latency_p50_ms),
            ("latency_p95_ms", slo.latency_p95_ms),
            ("latency_p99_ms", slo.latency_p99_ms),
        ] {
            if let Some(value) = value {
                ctx.number(&place, field, value, Rule::Positive, Some(MAX_TIME_MS));
            }
        }
        if let Some(availability) = slo.availability {
            ctx.number(
                &place,
                "availability",
                availability,
                Rule::Probability,
                None,
            );
        }
    }
    if let Some(layout) = &ctx.topology.layout {
        let place = Place::root().key("layout");
        for (name, point) in &layout.nodes {
            let node_place = place.key("nodes").key(name);
            if !ctx.services.contains_key(name.as_str()) {
                ctx.warning(
                    &node_place,
                    format!("{} is not a service; its position is ignored", quote(name)),
                );
            }
            if !(point.x.is_finite() && point.y.is_finite()) {
                ctx.error(&node_place, "a position needs finite x and y");
            }
        }
        let groups: BTreeSet<&str> = ctx
            .topology
            .services
            .iter()
            .filter_map(|s| s.group.as_deref())
            .collect();
        for (k, group) in layout.collapsed_groups.iter().enumerate() {
            if !groups.contains(group.as_str()) {
                ctx.warning(
                    &place.item("collapsed_groups", k),
                    format!(
                        "no service is in group {}; this entry is ignored",
                        quote(group)
                    ),
                );
            }
        }
    }
}

/// Refuses runs that would take absurdly long: per scenario, the expected
/// service visits (rate × visits per request × peak load × duration).
/// Returns the expected visits per second at a load of 1 (`None` when the
/// calls form a cycle or a request causes too many visits).
pub(super) fn check_run_sizes(ctx: &mut Ctx, graph: &OpGraph) -> Option<f64> {
    let topology = ctx.topology;
    let order = graph.topological_order()?;
    let mut visits_per_second = 0.0;
    for (i, entry) in topology.workload.iter().enumerate() {
        let Some(&service) = ctx.services.get(entry.to.as_str()) else {
            continue;
        };
        let Some(op) = topology.services[service]
            .operation_views()
            .iter()
            .position(|op| op.name == entry.operation)
        else {
            continue;
        };
        let per_request: f64 = graph.visits(&order, graph.first[service] + op).iter().sum();
        if !per_request.is_finite() || per_request > MAX_VISITS {
            let place = Place::root().item("workload", i);
            ctx.error(
                &place,
                format!(
                    "each request would cause about {} service visits (call counts and probabilities multiply \
                     along call chains), more than archsim simulates; lower the calls' \"count\"",
                    show(per_request)
                ),
            );
            return None;
        }
        visits_per_second += entry.rate_rps * per_request;
    }
    for (i, scenario) in topology.scenarios.iter().enumerate() {
        check_run_size(
            ctx,
            &scenario_place(i, scenario),
            scenario,
            visits_per_second,
        );
    }
    Some(visits_per_second)
}

/// Refuses a run of `scenario` whose expected service visits (at
/// `visits_per_second` for a load of 1) pass [`MAX_VISITS`].
pub(super) fn check_run_size(
    ctx: &mut Ctx,
    place: &Place,
    scenario: &Scenario,
    visits_per_second: f64,
) {
    let total = visits_per_second * peak_multiplier(scenario) * scenario.duration_s;
    if total > MAX_VISITS {
        ctx.error(
            &place.key("duration_s"),
            format!(
                "this run would simulate about {} service visits (rates × visits per request × peak load × \
                 duration), more than archsim's limit of {}; shorten duration_s or lower the load",
                show(total.round()),
                show(MAX_VISITS)
            ),
        );
    }
}

/// An upper bound of a scenario's load multiplier over the run.
fn peak_multiplier(scenario: &Scenario) -> f64 {
    let mut base: f64 = 1.0;
    let mut factor = 1.0;
    for change in &scenario.load {
        match change.effective_kind() {
            LoadKind::Step | LoadKind::Ramp => base = base.max(change.multiplier.unwrap_or(1.0)),
            LoadKind::Spike => factor *= change.multiplier.unwrap_or(1.0).max(1.0),
            LoadKind::Diurnal => factor *= 1.0 + change.amplitude.unwrap_or(0.0),
        }
    }
    base * factor
}
