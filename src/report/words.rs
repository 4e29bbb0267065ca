//! The topology and each scenario described in words: what the system is,
//! what load it gets, what goes wrong when, what scales, and how the
//! numbers are to be read.

use crate::graph::Analysis;
use crate::model::{Checked, Fault, LoadKind, PartitionMode, Topology};
use crate::sim::LoadProfile;

use super::Run;
use super::document::{Line, Span, name, text};
use super::format::{self, duration, trim};

/// Lists at most this many names in a sentence, then "and N more".
const MAX_NAMES: usize = 8;

/// `a, b and c`, with user names as name spans.
fn names_list(names: &[String]) -> Vec<Span> {
    let mut spans = Vec::new();
    let shown = names.len().min(MAX_NAMES);
    for (i, n) in names.iter().take(shown).enumerate() {
        if i > 0 {
            let last = i + 1 == shown && names.len() <= MAX_NAMES;
            spans.push(text(if last { " and " } else { ", " }));
        }
        spans.push(name(n.clone()));
    }
    if names.len() > MAX_NAMES {
        spans.push(text(format!(" and {} more", names.len() - MAX_NAMES)));
    }
    spans
}

/// "1 entry", "2 entries".
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Bullets about the architecture: size, traffic, expected bottleneck,
/// single points of failure, cycles, resilience settings.
pub fn architecture(checked: &Checked, analysis: &Analysis) -> Vec<Line> {
    let topology = checked.topology();
    let mut lines = Vec::new();
    // Groups in order of first appearance (a set for the check: a file
    // may have thousands of groups).
    let mut groups: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for s in &topology.services {
        if let Some(g) = &s.group
            && seen.insert(g.as_str())
        {
            groups.push(g.clone());
        }
    }
    let mut size = vec![text(plural(topology.services.len(), "service", "services"))];
    if !groups.is_empty() {
        size.push(text(format!(
            " in {}: ",
            plural(groups.len(), "group", "groups")
        )));
        size.extend(names_list(&groups));
    }
    size.push(text("."));
    lines.push(size);

    if topology.workload.is_empty() {
        lines.push(vec![text(
            "No workload: the file describes structure only, so nothing can be simulated.",
        )]);
    } else {
        let mut traffic = vec![text(format!(
            "{} bring {} requests per second in total: ",
            plural(
                topology.workload.len(),
                "workload entry",
                "workload entries"
            ),
            format::short(analysis.total_rate_rps)
        ))];
        let shown = topology.workload.len().min(MAX_NAMES);
        for (i, entry) in topology.workload.iter().take(shown).enumerate() {
            if i > 0 {
                traffic.push(text(", "));
            }
            traffic.push(name(entry.display_name()));
            traffic.push(text(format!(" {} rps", format::short(entry.rate_rps))));
        }
        if topology.workload.len() > shown {
            traffic.push(text(format!(
                " and {} more",
                topology.workload.len() - shown
            )));
        }
        traffic.push(text("."));
        lines.push(traffic);
    }

    if let Some(b) = &analysis.bottleneck {
        let mut line = vec![
            text("Expected bottleneck at the base rates: "),
            name(b.service.clone()),
            text(format!(
                " at {} utilization",
                format::percent(b.utilization, 0)
            )),
        ];
        if b.utilization >= 1.0 {
            line.push(Span::Bad(
                " — overloaded already at the base rates".to_owned(),
            ));
        } else {
            line.push(text(format!(
                "; the whole workload can grow {}× (to {} rps) before it saturates",
                format::short(b.max_load_factor),
                format::short(b.max_total_rate_rps)
            )));
        }
        line.push(text(
            " (mean-value estimate without queueing; the runs below show the real picture).",
        ));
        lines.push(line);
    }
    if !analysis.overloaded.is_empty() {
        let mut line = vec![Span::Bad("Overloaded at the base rates: ".to_owned())];
        line.extend(names_list(&analysis.overloaded));
        line.push(text("."));
        lines.push(line);
    }
    if !analysis.single_points_of_failure.is_empty() {
        let mut line = vec![text(
            "Single points of failure (one failure stops an entry): ",
        )];
        let shown = analysis.single_points_of_failure.len().min(MAX_NAMES);
        for (i, spof) in analysis
            .single_points_of_failure
            .iter()
            .take(shown)
            .enumerate()
        {
            if i > 0 {
                line.push(text(", "));
            }
            line.push(name(spof.service.clone()));
            line.push(text(format!(" ({})", spof.reason)));
        }
        if analysis.single_points_of_failure.len() > shown {
            line.push(text(format!(
                " and {} more",
                analysis.single_points_of_failure.len() - shown
            )));
        }
        line.push(text("."));
        lines.push(line);
    }
    for cycle in analysis.cycles.iter().take(3) {
        let mut line = vec![text("Services that call each other in a cycle: ")];
        line.push(name(cycle.example.join(" → ")));
        line.push(text("."));
        lines.push(line);
    }
    if let Some(line) = resilience(topology) {
        lines.push(line);
    }
    lines
}

/// How many calls set timeouts, retries and circuit breakers.
fn resilience(topology: &Topology) -> Option<Line> {
    let (mut timeouts, mut retries, mut breakers) = (0usize, 0usize, 0usize);
    for service in &topology.services {
        let lists =
            std::iter::once(&service.calls).chain(service.operations.iter().map(|op| &op.calls));
        for call in lists.flatten().flat_map(|spec| spec.calls()) {
            timeouts += usize::from(call.timeout_ms.is_some());
            retries += usize::from(call.retries.is_some());
            breakers += usize::from(call.circuit_breaker.is_some());
        }
    }
    let autoscaled = topology
        .services
        .iter()
        .filter(|s| s.autoscale.is_some())
        .count();
    if timeouts + retries + breakers + autoscaled == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if timeouts > 0 {
        parts.push(plural(
            timeouts,
            "call has a timeout",
            "calls have timeouts",
        ));
    }
    if retries > 0 {
        parts.push(plural(retries, "call retries", "calls retry"));
    }
    if breakers > 0 {
        parts.push(plural(
            breakers,
            "call has a circuit breaker",
            "calls have circuit breakers",
        ));
    }
    if autoscaled > 0 {
        parts.push(plural(
            autoscaled,
            "service autoscales",
            "services autoscale",
        ));
    }
    Some(vec![text(format!("Resilience: {}.", parts.join(", ")))])
}

/// Bullets describing how a scenario runs.
pub fn setup(topology: &Topology, run: &Run) -> Vec<Line> {
    let scenario = &run.scenario;
    let summary = &run.summary;
    let mut lines = Vec::new();
    // An unstable or diverged run says so before anything else.
    if let Some(headline) = crate::metrics::Stability::headline(summary) {
        lines.push(vec![Span::Bad(headline)]);
    }
    let mut timing = format!(
        "Runs {} of simulated time with seed {}",
        duration(summary.duration_s),
        summary.seed
    );
    if summary.warmup_s > 0.0 {
        timing.push_str(&format!(
            "; the first {} are warm-up, left out of the statistics",
            duration(summary.warmup_s)
        ));
    }
    timing.push_str(&format!(
        "; time series in {} buckets.",
        duration(summary.timeseries.bucket_s)
    ));
    lines.push(vec![text(timing)]);
    if matches!(
        summary.status,
        crate::metrics::RunStatus::Cancelled | crate::metrics::RunStatus::Running
    ) {
        lines.push(vec![Span::Bad(format!(
            "The run was stopped early, at {}; the figures cover the time simulated.",
            duration(summary.simulated_s)
        ))]);
    }
    let base_rps: f64 = topology.workload.iter().map(|e| e.rate_rps).sum();
    lines.push(load(scenario, base_rps, summary.duration_s));
    let mut faults: Vec<&Fault> = scenario.faults.iter().collect();
    faults.sort_by(|a, b| a.at_s().total_cmp(&b.at_s()));
    for fault in faults {
        lines.push(fault_line(topology, fault, summary.duration_s));
    }
    let mut steps: Vec<_> = scenario.scaling.iter().collect();
    steps.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    for step in steps {
        let from = topology
            .services
            .iter()
            .find(|s| s.name == step.service)
            .map(|s| s.replicas);
        let mut line = vec![
            text(format!("Scaling: at {}, ", at(step.at_s))),
            name(step.service.clone()),
            text(format!(
                " is scaled to {}",
                plural(step.replicas as usize, "replica", "replicas")
            )),
        ];
        if let Some(from) = from {
            line.push(text(format!(" (from {from})")));
        }
        line.push(text("."));
        lines.push(line);
    }
    for change in &scenario.overrides {
        let mut line = vec![text("Override: "), name(change.service.clone())];
        let settings: Vec<String> = change
            .set
            .iter()
            .filter(|(key, _)| !key.starts_with("x-"))
            .map(|(key, value)| format!("{key} = {value}"))
            .collect();
        line.push(text(format!(" runs with {}.", settings.join(", "))));
        lines.push(line);
    }
    let autoscaled: Vec<&crate::model::Service> = topology
        .services
        .iter()
        .filter(|s| s.autoscale.is_some())
        .collect();
    if autoscaled.len() > 3 {
        let names: Vec<String> = autoscaled.iter().map(|s| s.name.clone()).collect();
        let mut line = vec![text(format!(
            "Autoscaling: {} services scale on their utilization: ",
            names.len()
        ))];
        line.extend(names_list(&names));
        line.push(text("."));
        lines.push(line);
    } else {
        for service in autoscaled {
            if let Some(a) = &service.autoscale {
                let startup = a.startup_s.or(service.startup_s).unwrap_or(30.0);
                lines.push(vec![
                    text("Autoscaling: "),
                    name(service.name.clone()),
                    text(format!(
                        " between {} and {} replicas at {} target utilization, checked every {}; a new replica takes {} to start, and the scaler waits {} between changes.",
                        a.min,
                        a.max,
                        format::percent(a.target_utilization, 0),
                        duration(a.interval_s),
                        duration(startup),
                        duration(a.cooldown_s)
                    )),
                ]);
            }
        }
    }
    lines
}

/// `12 s`, `2 min`.
fn at(t_s: f64) -> String {
    duration(t_s)
}

/// The load profile in words, with its peak.
fn load(scenario: &crate::model::Scenario, base_rps: f64, duration_s: f64) -> Line {
    if scenario.load.is_empty() {
        return vec![text(format!(
            "Load: the workload's base rates throughout ({} rps in total).",
            format::short(base_rps)
        ))];
    }
    let mut changes: Vec<_> = scenario.load.iter().collect();
    changes.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    let mut parts = Vec::new();
    for change in changes {
        let m = change.multiplier.unwrap_or(1.0);
        parts.push(match change.effective_kind() {
            LoadKind::Step => format!(
                "at {} it steps to {}× ({} rps)",
                at(change.at_s),
                trim(m),
                format::short(base_rps * m)
            ),
            LoadKind::Ramp => format!(
                "from {} it ramps to {}× over {} ({} rps)",
                at(change.at_s),
                trim(m),
                duration(change.ramp_s.unwrap_or(0.0)),
                format::short(base_rps * m)
            ),
            LoadKind::Spike => format!(
                "from {} a spike multiplies it by {} for {}",
                at(change.at_s),
                trim(m),
                duration(change.duration_s.unwrap_or(f64::INFINITY))
            ),
            LoadKind::Diurnal => format!(
                "from {} it swings by ±{} in cycles of {}",
                at(change.at_s),
                format::percent(change.amplitude.unwrap_or(0.0), 0),
                duration(change.period_s.unwrap_or(0.0))
            ),
        });
    }
    let mut line = vec![text(format!(
        "Load: the base rates ({} rps in total), then {}.",
        format::short(base_rps),
        parts.join("; ")
    ))];
    if let Some((peak, peak_at)) = peak_multiplier(scenario, duration_s) {
        line.push(text(format!(
            " Peak: {}× ({} rps) at {}.",
            format::short(peak),
            format::short(base_rps * peak),
            at(peak_at)
        )));
    }
    line
}

/// The highest load multiplier during the run and when it is first reached
/// (sampled every 1/1000 of the run and at every change).
pub fn peak_multiplier(scenario: &crate::model::Scenario, duration_s: f64) -> Option<(f64, f64)> {
    let profile = LoadProfile::new(&scenario.load).ok()?;
    let mut times: Vec<f64> = (0..=1000)
        .map(|i| duration_s * f64::from(i) / 1000.0)
        .collect();
    for change in &scenario.load {
        for t in [
            Some(change.at_s),
            change.ramp_s.map(|r| change.at_s + r),
            change.duration_s.map(|d| change.at_s + d - 1e-9),
        ]
        .into_iter()
        .flatten()
        {
            if t >= 0.0 && t <= duration_s {
                times.push(t);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let mut best: Option<(f64, f64)> = None;
    for t in times {
        let m = profile.multiplier(t);
        if best.is_none_or(|(b, _)| m > b + 1e-12) {
            best = Some((m, t));
        }
    }
    best
}

/// When a fault ends, in words.
fn window(at_s: f64, duration_s: Option<f64>, run_s: f64) -> String {
    if at_s >= run_s {
        return format!(
            "from {} (after the end of this {} run: no effect)",
            at(at_s),
            duration(run_s)
        );
    }
    match duration_s {
        Some(d) if at_s + d < run_s => format!(
            "from {} for {} (until {})",
            at(at_s),
            duration(d),
            at(at_s + d)
        ),
        _ => format!("from {} until the end of the run", at(at_s)),
    }
}

fn fault_line(topology: &Topology, fault: &Fault, run_s: f64) -> Line {
    let when = window(fault.at_s(), fault.duration_s(), run_s);
    match fault {
        Fault::Crash {
            service, replicas, ..
        } => {
            let total = topology
                .services
                .iter()
                .find(|s| &s.name == service)
                .map_or(0, |s| s.replicas);
            let (which, one) = match replicas {
                Some(1) if total > 1 => (format!("1 of {total} replicas of "), true),
                Some(r) if *r < total => (format!("{r} of {total} replicas of "), false),
                _ if total == 1 => ("the only replica of ".to_owned(), true),
                _ => ("all replicas of ".to_owned(), false),
            };
            let rest = if one {
                format!(" crashes {when}; its requests fail, and it restarts afterwards.")
            } else {
                format!(" crash {when}; their requests fail, and they restart afterwards.")
            };
            vec![
                text(format!("Fault: {which}")),
                name(service.clone()),
                text(rest),
            ]
        }
        Fault::Latency {
            service, add_ms, ..
        } => vec![
            text("Fault: "),
            name(service.clone()),
            text(format!(
                " gets {} ms slower per request {when}.",
                format::short(*add_ms)
            )),
        ],
        Fault::Errors {
            service,
            probability,
            ..
        } => vec![
            text("Fault: "),
            name(service.clone()),
            text(format!(
                " fails {} of its requests {when}.",
                format::percent(*probability, 0)
            )),
        ],
        Fault::ZoneOutage { zone, .. } => {
            let affected: Vec<String> = topology
                .services
                .iter()
                .filter(|s| s.zones.contains(zone))
                .map(|s| s.name.clone())
                .collect();
            let mut line = vec![
                text("Fault: zone "),
                name(zone.clone()),
                text(format!(" goes down {when}")),
            ];
            if !affected.is_empty() {
                line.push(text(", taking out the replicas there of "));
                line.extend(names_list(&affected));
            }
            line.push(text("."));
            line
        }
        Fault::Partition { between, mode, .. } => vec![
            text("Fault: a network partition between "),
            name(between[0].clone()),
            text(" and "),
            name(between[1].clone()),
            text(format!(
                " {when}; calls across it {}.",
                match mode {
                    PartitionMode::Fail => "fail at once",
                    PartitionMode::Hang => "hang until their timeout",
                }
            )),
        ],
    }
}

/// A fault's short label for chart bands, e.g. `crash redis-cart`.
pub fn fault_label(fault: &Fault) -> String {
    match fault {
        Fault::Crash { service, .. } => format!("crash {service}"),
        Fault::Latency {
            service, add_ms, ..
        } => format!("{service} +{} ms", trim(*add_ms)),
        Fault::Errors {
            service,
            probability,
            ..
        } => format!("{service} fails {}", format::percent(*probability, 0)),
        Fault::ZoneOutage { zone, .. } => format!("zone {zone} down"),
        Fault::Partition { between, .. } => format!("partition {} ↔ {}", between[0], between[1]),
    }
}

/// How to read the numbers.
pub fn method_notes() -> Vec<Line> {
    [
        "Statistics cover requests that arrived after the warm-up. Requests still unanswered when a run ends count as in flight, not as latency or failures.",
        "Latency is end to end, from the external arrival until the entry service answers, for successful requests. Percentiles are within 1% relative error.",
        "Utilization is the time-average share of a service's workers that are busy; with blocking calls a worker stays busy while it waits for the services it calls.",
        "Wait is the time from arrival at a replica until a worker takes the request; response is the time until the service answers (wait, own work and calls).",
        "The expected figures on the graph and in the architecture section come from a mean-value analysis without queueing: close at light load, optimistic near saturation.",
        "Runs are deterministic: the same file, scenario and seed give the same numbers.",
    ]
    .iter()
    .map(|s| vec![text(*s)])
    .collect()
}
