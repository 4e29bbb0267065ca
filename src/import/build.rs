//! Turning a merged [`Draft`] into a topology: defaults for what the sources
//! do not say, declared edges as calls, evidence in `x-import` extension
//! keys, cycles broken, entries chosen, one baseline scenario; and the
//! summary of it all.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::model::limits::{MAX_REPLICAS, MAX_TOTAL_REPLICAS};
use crate::model::{
    Call, CallSpec, Distribution, Entry, Extensions, Operation, Scenario, Service, ServiceKind,
    Topology,
};

use super::cycles;
use super::defaults;
use super::draft::{Confidence, Draft, DraftEdge, DraftService, NoteLevel, Role};
use super::entries;
use super::summary::{EdgeLine, EntryLine, ImportSummary, ServiceLine, SourceLine};
use super::trace::fit;

/// The choices that shape a build.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    pub keep_observability: bool,
    pub entry_rate_rps: f64,
    pub max_empirical_samples: usize,
}

/// The operation holding a kept observability service's own calls.
pub const BACKGROUND_OPERATION: &str = "background";

/// The extension key under which imports record what they inferred.
pub const EXTENSION_KEY: &str = "x-import";

fn describe(distribution: &Distribution) -> String {
    match distribution {
        Distribution::Lognormal { median_ms, p99_ms } => {
            format!("lognormal median {median_ms} ms, p99 {p99_ms} ms")
        }
        other => other.kind_str().to_owned(),
    }
}

/// Builds the topology and its summary.
pub fn build(
    mut draft: Draft,
    settings: &Settings,
    sources: Vec<SourceLine>,
) -> (Topology, ImportSummary) {
    let mut summary = ImportSummary {
        sources,
        ..ImportSummary::default()
    };
    leave_out_observability(&mut draft, settings, &mut summary);

    let names: BTreeSet<String> = draft.services.iter().map(|s| s.name.clone()).collect();
    let mut services = Vec::new();
    for ds in &draft.services {
        let (service, line) = build_service(ds, &draft, &names, settings);
        services.push(service);
        summary.services.push(line);
    }
    let sources: Vec<String> = draft
        .services
        .iter()
        .map(|ds| ds.sources.first().cloned().unwrap_or_default())
        .collect();
    for (source, message) in fit_replicas(&mut services, &sources) {
        draft.warn(&source, message);
    }
    for (line, service) in summary.services.iter_mut().zip(&services) {
        line.replicas = service.replicas;
    }
    let mut topology = Topology {
        archsim: crate::model::FORMAT_VERSION,
        name: settings.name.clone(),
        description: Some(format!(
            "Imported by `archsim import` from {}. Values the sources do not give are defaults (see the x-import notes and docs/import.md).",
            summary
                .sources
                .iter()
                .map(|s| s.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        services,
        workload: Vec::new(),
        scenarios: Vec::new(),
        slo: None,
        cost_per_replica_hour: None,
        currency: None,
        layout: None,
        extensions: Extensions::new(),
    };
    ensure_operations(&mut topology);
    for (_, _, why) in cycles::break_cycles(&mut topology) {
        summary.dropped_calls.push(why);
    }

    let chosen = entries::choose(&draft, &topology, settings.entry_rate_rps);
    for entry in chosen {
        ensure_operation(&mut topology, &entry.to, &entry.operation);
        summary.entries.push(EntryLine {
            to: entry.to.clone(),
            operation: entry.operation.clone(),
            rate_rps: entry.rate_rps,
            why: entry.why.clone(),
        });
        let mut model_entry = Entry {
            name: None,
            to: entry.to,
            operation: entry.operation,
            rate_rps: entry.rate_rps,
            arrivals: Default::default(),
            extensions: Extensions::new(),
        };
        model_entry
            .extensions
            .insert(EXTENSION_KEY.to_owned(), json!({ "why": entry.why }));
        topology.workload.push(model_entry);
    }

    let mut scenario = Scenario::new(defaults::SCENARIO_NAME, defaults::SCENARIO_DURATION_S);
    scenario.warmup_s = defaults::SCENARIO_WARMUP_S;
    scenario.description = Some("The imported load, as found or defaulted; no faults.".to_owned());
    topology.scenarios.push(scenario);

    summary.edges = present_edges(&draft.edges, &topology);
    summary.notes = draft.notes.clone();
    summary.notes.sort_by_key(|n| std::cmp::Reverse(n.level));
    topology.extensions.insert(
        EXTENSION_KEY.to_owned(),
        json!({
            "generator": "archsim import",
            "sources": summary.sources.iter().map(|s| json!({"path": s.path, "format": s.format})).collect::<Vec<_>>(),
            "confidence": "high: declared (depends_on, links, Kubernetes) or observed in traces; medium: an environment value or address names the callee; low: guessed from a name, image or argument",
            "left_out": summary.left_out,
            "removed_calls": summary.dropped_calls,
            "warnings": draft.notes.iter().filter(|n| n.level == NoteLevel::Warning).map(|n| n.to_string()).collect::<Vec<_>>(),
        }),
    );
    (topology, summary)
}

/// Fits the replica counts into what archsim simulates: each service at
/// most [`MAX_REPLICAS`] (replicas, autoscale min and max), all together
/// (counting autoscale max) at most [`MAX_TOTAL_REPLICAS`], scaled down in
/// proportion when they are more. A source may say anything; the import
/// must still validate. `sources[i]` names the file of `services[i]`.
/// Returns the warnings, with their file.
fn fit_replicas(services: &mut [Service], sources: &[String]) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    let source = |i: usize| sources.get(i).cloned().unwrap_or_default();
    for (i, service) in services.iter_mut().enumerate() {
        if service.replicas > MAX_REPLICAS {
            warnings.push((
                source(i),
                format!(
                    "{}: {} replicas are more than archsim simulates for one service; imported with {MAX_REPLICAS}",
                    service.name, service.replicas
                ),
            ));
            service.replicas = MAX_REPLICAS;
        }
        if let Some(autoscale) = &mut service.autoscale
            && autoscale.max > MAX_REPLICAS
        {
            warnings.push((
                source(i),
                format!(
                    "{}: autoscale maximum {} is more than archsim simulates for one service; imported with {MAX_REPLICAS}",
                    service.name, autoscale.max
                ),
            ));
            autoscale.max = MAX_REPLICAS;
            autoscale.min = autoscale.min.min(MAX_REPLICAS);
        }
    }
    let most = |s: &Service| {
        s.autoscale
            .as_ref()
            .map_or(s.replicas, |a| a.max.max(s.replicas))
    };
    // At most 100,000 services of at most 100,000 replicas: no overflow.
    let total: u64 = services.iter().map(most).sum();
    if total <= MAX_TOTAL_REPLICAS {
        return warnings;
    }
    // Every service keeps at least one replica: share what is left over.
    let count = services.len() as u64;
    let budget = MAX_TOTAL_REPLICAS.saturating_sub(count);
    let scale = |n: u64| {
        let scaled = u128::from(n) * u128::from(budget) / u128::from(total);
        u64::try_from(scaled).unwrap_or(MAX_REPLICAS).max(1)
    };
    for service in services.iter_mut() {
        service.replicas = scale(service.replicas);
        if let Some(autoscale) = &mut service.autoscale {
            autoscale.min = scale(autoscale.min);
            autoscale.max = scale(autoscale.max);
        }
    }
    warnings.push((
        String::new(),
        format!(
            "the sources ask for {total} replicas together, more than archsim simulates \
             ({MAX_TOTAL_REPLICAS}); every service's replicas were scaled down in proportion"
        ),
    ));
    warnings
}

fn leave_out_observability(draft: &mut Draft, settings: &Settings, summary: &mut ImportSummary) {
    if settings.keep_observability {
        return;
    }
    let removed: Vec<String> = draft
        .services
        .iter()
        .filter(|s| s.role == Role::Observability)
        .map(|s| s.name.clone())
        .collect();
    if removed.is_empty() {
        return;
    }
    let gone = |name: &str| removed.iter().any(|r| r == name);
    let edge_count = draft
        .edges
        .iter()
        .filter(|e| gone(&e.from) || gone(&e.to))
        .count();
    draft.services.retain(|s| !gone(&s.name));
    draft.edges.retain(|e| !gone(&e.from) && !gone(&e.to));
    draft.entries.retain(|e| !gone(&e.to));
    for service in &mut draft.services {
        for op in &mut service.traced {
            op.calls = retain_calls(std::mem::take(&mut op.calls), |c| !gone(&c.to));
        }
    }
    summary.left_out.push(format!(
        "{} observability service(s) and their {edge_count} edge(s): {} (pass --keep-observability to keep them)",
        removed.len(),
        removed.join(", ")
    ));
}

fn retain_calls(specs: Vec<CallSpec>, keep: impl Fn(&Call) -> bool) -> Vec<CallSpec> {
    specs
        .into_iter()
        .filter_map(|spec| match spec {
            CallSpec::Single(call) => keep(&call).then_some(CallSpec::Single(call)),
            CallSpec::Parallel(calls) => {
                let mut kept: Vec<Call> = calls.into_iter().filter(|c| keep(c)).collect();
                match kept.len() {
                    0 => None,
                    1 => kept.pop().map(CallSpec::Single),
                    _ => Some(CallSpec::Parallel(kept)),
                }
            }
        })
        .collect()
}

fn edge_extension(edge: Option<&DraftEdge>) -> Value {
    match edge {
        Some(edge) => json!({
            "confidence": edge.confidence().as_str(),
            "evidence": edge.evidence.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        }),
        None => json!({ "confidence": "high" }),
    }
}

fn build_service(
    ds: &DraftService,
    draft: &Draft,
    names: &BTreeSet<String>,
    settings: &Settings,
) -> (Service, ServiceLine) {
    let (kind, kind_confidence, kind_why) = match (ds.role, &ds.kind) {
        (Role::LoadGenerator, _) => (
            ServiceKind::External,
            Some(Confidence::Low),
            "a load generator".to_owned(),
        ),
        (Role::Observability, _) => (
            ServiceKind::External,
            Some(Confidence::Low),
            "observability, kept with --keep-observability".to_owned(),
        ),
        (Role::App, Some(guess)) => (guess.value, Some(guess.confidence), guess.why.clone()),
        (Role::App, None) => (
            ServiceKind::Service,
            None,
            "nothing suggested another kind".to_owned(),
        ),
    };
    let max = settings.max_empirical_samples;
    let all_samples: Vec<f64> = ds
        .traced
        .iter()
        .flat_map(|op| op.self_times_ms.iter().copied())
        .collect();
    let (service_time, service_time_why) = match fit::fit(&all_samples, max) {
        Some(f) => (f.distribution, f.why),
        None => match &ds.service_time {
            Some(d) => (d.clone(), "given by the source".to_owned()),
            None if ds.role == Role::Observability => {
                let d = defaults::observability_service_time();
                let why = format!(
                    "default for kept observability (telemetry is exported in batches, cheap per request): {}",
                    describe(&d)
                );
                (d, why)
            }
            None => {
                let d = defaults::service_time(kind);
                let article = if kind == ServiceKind::External {
                    "an"
                } else {
                    "a"
                };
                let why = format!("default for {article} {}: {}", kind.as_str(), describe(&d));
                (d, why)
            }
        },
    };
    let mut service = Service::new(&ds.name, service_time);
    service.kind = kind;
    service.workers = defaults::workers(kind);
    let (replicas, replicas_why) = match &ds.replicas {
        Some(r) => (r.value, r.why.clone()),
        None => (1, "default".to_owned()),
    };
    service.replicas = replicas;
    let mut autoscale_why = None;
    if let Some(autoscale) = &ds.autoscale {
        service.replicas = replicas.clamp(autoscale.value.min, autoscale.value.max);
        service.autoscale = Some(autoscale.value.clone());
        autoscale_why = Some(autoscale.why.clone());
    }

    for op in &ds.traced {
        let fitted = fit::fit(&op.self_times_ms, max);
        let mut operation = Operation {
            name: op.name.clone(),
            service_time: fitted.as_ref().map(|f| f.distribution.clone()),
            calls: retain_calls(op.calls.clone(), |c| names.contains(&c.to)),
            extensions: Extensions::new(),
        };
        for spec in &mut operation.calls {
            for call in spec.calls_mut() {
                let edge = draft
                    .edges
                    .iter()
                    .find(|e| e.from == ds.name && e.to == call.to);
                call.extensions
                    .insert(EXTENSION_KEY.to_owned(), edge_extension(edge));
            }
        }
        operation.extensions.insert(
            EXTENSION_KEY.to_owned(),
            json!({
                "occurrences": op.occurrences,
                "service_time": fitted.map(|f| f.why).unwrap_or_default(),
            }),
        );
        service.operations.push(operation);
    }

    // Declared edges the traces do not already show.
    let traced_callees: BTreeSet<&str> = ds
        .traced
        .iter()
        .flat_map(|op| {
            op.calls
                .iter()
                .flat_map(|s| s.calls().iter().map(|c| c.to.as_str()))
        })
        .collect();
    let mut declared = Vec::new();
    for edge in draft.edges.iter().filter(|e| e.from == ds.name) {
        if !names.contains(&edge.to) || traced_callees.contains(edge.to.as_str()) {
            continue;
        }
        let mut call = Call::to(edge.to.clone());
        let target_role = draft
            .services
            .iter()
            .find(|s| s.name == edge.to)
            .map(|s| s.role);
        call.optional = target_role == Some(Role::Observability);
        call.extensions
            .insert(EXTENSION_KEY.to_owned(), edge_extension(Some(edge)));
        declared.push(CallSpec::Single(call));
    }
    if ds.role == Role::Observability && !declared.is_empty() {
        // A collector's own calls (scrapes, exports) are not made per request
        // it receives: keep them in an operation no request calls, so the
        // graph shows them without adding them to every request.
        if service.operations.is_empty() {
            service.operations.push(Operation {
                name: "default".to_owned(),
                service_time: None,
                calls: Vec::new(),
                extensions: Extensions::new(),
            });
        }
        let mut background = Operation {
            name: BACKGROUND_OPERATION.to_owned(),
            service_time: None,
            calls: declared,
            extensions: Extensions::new(),
        };
        background.extensions.insert(
            EXTENSION_KEY.to_owned(),
            json!({"why": "the service's own calls (scrapes, exports); no request calls this operation"}),
        );
        service.operations.push(background);
    } else if service.operations.is_empty() {
        service.calls = declared;
    } else if !declared.is_empty() {
        match service.operations.iter_mut().find(|o| o.name == "default") {
            Some(op) => op.calls.extend(declared),
            None => service.operations.push(Operation {
                name: "default".to_owned(),
                service_time: None,
                calls: declared,
                extensions: Extensions::new(),
            }),
        }
    }

    let mut extension = serde_json::Map::new();
    extension.insert("sources".into(), json!(ds.sources));
    if let Some(confidence) = kind_confidence {
        extension.insert(
            "kind".into(),
            json!({"confidence": confidence.as_str(), "why": kind_why}),
        );
    }
    if ds.replicas.is_some() {
        extension.insert("replicas".into(), json!(replicas_why));
    }
    if let Some(why) = &autoscale_why {
        extension.insert("autoscale".into(), json!(why));
    }
    if !ds.aliases.is_empty() {
        extension.insert("aliases".into(), json!(ds.aliases));
    }
    if let Some(image) = &ds.image {
        extension.insert("image".into(), json!(image));
    }
    if let Some(exposed) = &ds.exposed {
        extension.insert("exposed".into(), json!(exposed));
    }
    extension.insert("service_time".into(), json!(service_time_why));
    service
        .extensions
        .insert(EXTENSION_KEY.to_owned(), Value::Object(extension));

    let line = ServiceLine {
        name: ds.name.clone(),
        kind: kind.as_str().to_owned(),
        kind_confidence,
        kind_why,
        replicas: service.replicas,
        replicas_why,
        autoscale_why,
        operations: ds.traced.len(),
        service_time_why,
    };
    (service, line)
}

/// Adds operation `operation` to service `to` if calls or entries need it.
pub fn ensure_operation(topology: &mut Topology, to: &str, operation: &str) {
    let Some(service) = topology.services.iter_mut().find(|s| s.name == to) else {
        return;
    };
    if service.operations.iter().any(|o| o.name == operation) {
        return;
    }
    if service.operations.is_empty() {
        if operation == "default" {
            return;
        }
        service.operations.push(Operation {
            name: "default".to_owned(),
            service_time: None,
            calls: std::mem::take(&mut service.calls),
            extensions: Extensions::new(),
        });
    }
    service.operations.push(Operation {
        name: operation.to_owned(),
        service_time: None,
        calls: Vec::new(),
        extensions: Extensions::new(),
    });
}

/// Makes every called operation exist on its callee.
fn ensure_operations(topology: &mut Topology) {
    let mut needed: Vec<(String, String)> = Vec::new();
    for service in &topology.services {
        let specs = service
            .calls
            .iter()
            .chain(service.operations.iter().flat_map(|o| o.calls.iter()));
        for spec in specs {
            for call in spec.calls() {
                let pair = (call.to.clone(), call.operation.clone());
                if !needed.contains(&pair) {
                    needed.push(pair);
                }
            }
        }
    }
    for (to, operation) in needed {
        ensure_operation(topology, &to, &operation);
    }
}

/// The draft edges that are calls in the final topology, for the summary.
fn present_edges(edges: &[DraftEdge], topology: &Topology) -> Vec<EdgeLine> {
    let mut present: BTreeSet<(String, String)> = BTreeSet::new();
    for service in &topology.services {
        let specs = service
            .calls
            .iter()
            .chain(service.operations.iter().flat_map(|o| o.calls.iter()));
        for spec in specs {
            for call in spec.calls() {
                present.insert((service.name.clone(), call.to.clone()));
            }
        }
    }
    edges
        .iter()
        .filter(|e| present.contains(&(e.from.clone(), e.to.clone())))
        .map(|e| EdgeLine {
            from: e.from.clone(),
            to: e.to.clone(),
            confidence: e.confidence(),
            evidence: e.evidence.iter().map(|ev| ev.to_string()).collect(),
        })
        .collect()
}
