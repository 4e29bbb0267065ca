//! Kubernetes manifests (multi-document YAML, one or many files):
//! Deployments, StatefulSets, DaemonSets, ReplicaSets and Pods become
//! services; Services are resolved to the workloads they select; container
//! environment (also from ConfigMaps and `$(VAR)` references) and arguments
//! give edges; HorizontalPodAutoscalers give `autoscale`; LoadBalancer and
//! NodePort Services and Ingress backends mark where traffic enters.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::Autoscale;

use crate::import::draft::{Confidence, Draft, DraftService, Guess, Role};
use crate::import::hints;
use crate::import::source::Source;
use crate::import::value::{as_count, as_f64, at, scalar_text, str_at};

mod env;

const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
];

/// One Kubernetes object and where it came from.
struct Object<'a> {
    file: String,
    value: &'a Value,
    kind: String,
    name: String,
    namespace: String,
}

struct Workload<'a> {
    object: Object<'a>,
    /// Name in the topology (the object name, or `name.namespace` on a clash).
    service: String,
    labels: Map<String, Value>,
    pod_spec: &'a Value,
}

struct K8sService<'a> {
    object: Object<'a>,
    selector: Map<String, Value>,
    service_type: String,
}

/// Imports the objects of every document of every file.
pub fn import(files: &[&Source]) -> Draft {
    let mut draft = Draft::default();
    let mut objects = Vec::new();
    for file in files {
        let name = file.display_name();
        for doc in &file.documents {
            collect(doc, &name, &mut objects, &mut draft);
        }
    }

    let mut workloads: Vec<Workload> = Vec::new();
    let mut services: Vec<K8sService> = Vec::new();
    let mut config_maps: BTreeMap<(String, String), &Value> = BTreeMap::new();
    let mut hpas: Vec<Object> = Vec::new();
    let mut ingresses: Vec<Object> = Vec::new();
    let mut ignored: BTreeMap<String, usize> = BTreeMap::new();
    for object in objects {
        match object.kind.as_str() {
            kind if WORKLOAD_KINDS.contains(&kind) => {
                if let Some(workload) = workload(object, &workloads, &mut draft) {
                    workloads.push(workload);
                }
            }
            "Service" => services.push(K8sService {
                selector: at(object.value, &["spec", "selector"])
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
                service_type: str_at(object.value, &["spec", "type"])
                    .unwrap_or("ClusterIP")
                    .to_owned(),
                object,
            }),
            "ConfigMap" => {
                if let Some(data) = object.value.get("data") {
                    config_maps.insert((object.namespace.clone(), object.name.clone()), data);
                }
            }
            "HorizontalPodAutoscaler" => hpas.push(object),
            "Ingress" => ingresses.push(object),
            other => *ignored.entry(other.to_owned()).or_default() += 1,
        }
    }
    if !ignored.is_empty() {
        let list: Vec<String> = ignored
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        draft.info(
            "",
            format!("ignored Kubernetes objects: {}", list.join(", ")),
        );
    }

    for workload in &workloads {
        add_workload(workload, &mut draft);
    }
    // Service name → topology services it selects.
    let mut backends: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for service in &services {
        let selected = resolve_service(service, &workloads, &mut draft);
        backends
            .entry(service.object.name.clone())
            .or_default()
            .extend(selected);
    }
    for ingress in &ingresses {
        mark_ingress(ingress, &services, &workloads, &mut draft);
    }
    for workload in &workloads {
        env::add_env_edges(workload, &backends, &config_maps, &mut draft);
    }
    for hpa in &hpas {
        add_autoscale(hpa, &workloads, &mut draft);
    }
    draft
}

fn collect<'a>(doc: &'a Value, file: &str, out: &mut Vec<Object<'a>>, draft: &mut Draft) {
    let Some(kind) = doc.get("kind").and_then(Value::as_str) else {
        draft.warn(file, "a document without `kind` was skipped");
        return;
    };
    if kind == "List" || kind.ends_with("List") && doc.get("items").is_some() {
        for item in doc
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(item, file, out, draft);
        }
        return;
    }
    let Some(name) = str_at(doc, &["metadata", "name"]) else {
        draft.warn(file, format!("a {kind} without metadata.name was skipped"));
        return;
    };
    out.push(Object {
        file: file.to_owned(),
        value: doc,
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: str_at(doc, &["metadata", "namespace"])
            .unwrap_or("default")
            .to_owned(),
    });
}

fn workload<'a>(
    object: Object<'a>,
    existing: &[Workload],
    draft: &mut Draft,
) -> Option<Workload<'a>> {
    let (labels, pod_spec) = if object.kind == "Pod" {
        (
            at(object.value, &["metadata", "labels"]),
            object.value.get("spec"),
        )
    } else {
        (
            at(object.value, &["spec", "template", "metadata", "labels"]),
            at(object.value, &["spec", "template", "spec"]),
        )
    };
    let Some(pod_spec) = pod_spec else {
        draft.warn(
            &object.file,
            format!("{} {} has no pod spec; skipped", object.kind, object.name),
        );
        return None;
    };
    let mut service = object.name.clone();
    if let Some(other) = existing.iter().find(|w| w.service == service) {
        if other.object.namespace == object.namespace {
            draft.warn(
                &object.file,
                format!(
                    "{} {} has the same name as {} {}; imported as one service",
                    object.kind, object.name, other.object.kind, other.object.name
                ),
            );
        } else {
            service = format!("{}.{}", object.name, object.namespace);
            draft.warn(
                &object.file,
                format!(
                    "{} exists in two namespaces; this one is imported as {service}",
                    object.name
                ),
            );
        }
    }
    Some(Workload {
        labels: labels
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        pod_spec,
        service,
        object,
    })
}

/// Main containers, then init containers.
fn containers(pod_spec: &Value) -> impl Iterator<Item = (&'static str, &Value)> {
    let main = pod_spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let init = pod_spec
        .get("initContainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    main.map(|c| ("containers", c))
        .chain(init.map(|c| ("initContainers", c)))
}

fn add_workload(workload: &Workload, draft: &mut Draft) {
    let object = &workload.object;
    if draft.find(&workload.service).is_some() {
        return;
    }
    let mut service = DraftService::new(&workload.service, &object.file);
    let image = containers(workload.pod_spec)
        .find(|(section, _)| *section == "containers")
        .and_then(|(_, c)| c.get("image"))
        .and_then(scalar_text);
    service.kind = hints::guess_kind(&object.name, image.as_deref());
    let (role, why) = hints::guess_role(&object.name, image.as_deref());
    service.role = role;
    if let Some(why) = why {
        let label = if role == Role::LoadGenerator {
            "load generator"
        } else {
            "observability"
        };
        draft.info(
            &object.file,
            format!("{}: {label} ({why})", workload.service),
        );
    }
    service.image = image;
    if workload.service != object.name {
        service.add_alias(&object.name);
    }
    match object.kind.as_str() {
        "DaemonSet" => draft.info(
            &object.file,
            format!(
                "DaemonSet {} runs one replica per node; imported with 1",
                object.name
            ),
        ),
        "Pod" => {}
        _ => {
            if let Some(replicas) = object.value.get("spec").and_then(|s| s.get("replicas")) {
                match as_count(replicas) {
                    Some(n) if n >= 1 => {
                        service.replicas = Some(Guess::new(
                            n,
                            Confidence::High,
                            format!(
                                "{}: {} {} spec.replicas",
                                object.file, object.kind, object.name
                            ),
                        ))
                    }
                    _ => draft.warn(
                        &object.file,
                        format!(
                            "{} {}: replicas is not a whole number ≥ 1; imported with 1",
                            object.kind, object.name
                        ),
                    ),
                }
            }
        }
    }
    draft.services.push(service);
}

fn selects(selector: &Map<String, Value>, labels: &Map<String, Value>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The topology services a Kubernetes Service selects; adds its name as an
/// alias and marks them exposed for LoadBalancer and NodePort Services.
fn resolve_service(service: &K8sService, workloads: &[Workload], draft: &mut Draft) -> Vec<String> {
    let object = &service.object;
    if service.service_type == "ExternalName" {
        let host = str_at(object.value, &["spec", "externalName"]).unwrap_or("?");
        let external = draft.service_mut(&object.name, &object.file);
        external.kind = Some(Guess::new(
            crate::model::ServiceKind::External,
            Confidence::High,
            format!(
                "{}: Service {} type ExternalName ({host})",
                object.file, object.name
            ),
        ));
        return vec![object.name.clone()];
    }
    let selected: Vec<&Workload> = workloads
        .iter()
        .filter(|w| w.object.namespace == object.namespace && selects(&service.selector, &w.labels))
        .collect();
    if selected.is_empty() {
        draft.info(
            &object.file,
            format!("Service {} selects no workload in these files", object.name),
        );
    }
    let mut names = Vec::new();
    for workload in selected {
        if let Some(index) = draft.find(&workload.service) {
            let target = &mut draft.services[index];
            target.add_alias(&object.name);
            if matches!(service.service_type.as_str(), "LoadBalancer" | "NodePort")
                && target.exposed.is_none()
            {
                target.exposed = Some(format!(
                    "Service {} type {}",
                    object.name, service.service_type
                ));
            }
            names.push(target.name.clone());
        }
    }
    names
}

fn mark_ingress(
    ingress: &Object,
    services: &[K8sService],
    workloads: &[Workload],
    draft: &mut Draft,
) {
    let mut backends: Vec<String> = Vec::new();
    let spec = ingress.value.get("spec");
    let default_backend = spec.and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend")));
    let rules = spec
        .and_then(|s| s.get("rules"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    let paths = rules.flat_map(|r| {
        at(r, &["http", "paths"])
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    });
    for backend in default_backend
        .into_iter()
        .chain(paths.filter_map(|p| p.get("backend")))
    {
        let name =
            str_at(backend, &["service", "name"]).or_else(|| str_at(backend, &["serviceName"]));
        if let Some(name) = name
            && !backends.iter().any(|b| b == name)
        {
            backends.push(name.to_owned());
        }
    }
    for backend in backends {
        let service = services
            .iter()
            .find(|s| s.object.name == backend && s.object.namespace == ingress.namespace);
        let selected = workloads.iter().filter(|w| {
            service.is_some_and(|s| {
                w.object.namespace == s.object.namespace && selects(&s.selector, &w.labels)
            })
        });
        for workload in selected {
            if let Some(index) = draft.find(&workload.service)
                && draft.services[index].exposed.is_none()
            {
                draft.services[index].exposed =
                    Some(format!("Ingress {} → Service {backend}", ingress.name));
            }
        }
    }
}

fn add_autoscale(hpa: &Object, workloads: &[Workload], draft: &mut Draft) {
    let spec = hpa.value.get("spec").cloned().unwrap_or(Value::Null);
    let target_name = str_at(&spec, &["scaleTargetRef", "name"]).unwrap_or("");
    let target_kind = str_at(&spec, &["scaleTargetRef", "kind"]).unwrap_or("");
    let Some(workload) = workloads.iter().find(|w| {
        w.object.name == target_name
            && w.object.namespace == hpa.namespace
            && (target_kind.is_empty() || w.object.kind == target_kind)
    }) else {
        draft.warn(
            &hpa.file,
            format!("HorizontalPodAutoscaler {}: target {target_kind} {target_name} is not in these files", hpa.name),
        );
        return;
    };
    let Some(max) = spec
        .get("maxReplicas")
        .and_then(as_count)
        .filter(|m| *m >= 1)
    else {
        draft.warn(
            &hpa.file,
            format!(
                "HorizontalPodAutoscaler {}: no maxReplicas; ignored",
                hpa.name
            ),
        );
        return;
    };
    let min = spec
        .get("minReplicas")
        .and_then(as_count)
        .unwrap_or(1)
        .clamp(1, max);
    let cpu_metric = spec
        .get("metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|m| str_at(m, &["resource", "name"]) == Some("cpu"));
    let percent = spec
        .get("targetCPUUtilizationPercentage")
        .and_then(as_f64)
        .or_else(|| {
            cpu_metric
                .and_then(|m| at(m, &["resource", "target", "averageUtilization"]))
                .and_then(as_f64)
        })
        .or_else(|| {
            cpu_metric
                .and_then(|m| at(m, &["resource", "targetAverageUtilization"]))
                .and_then(as_f64)
        });
    let (percent, target_why) = match percent {
        Some(p) if p > 0.0 && p <= 100.0 => (p, format!("CPU target {p}%")),
        _ => (
            80.0,
            "no CPU utilization target; Kubernetes' default 80%".to_owned(),
        ),
    };
    let cooldown_s = at(
        &spec,
        &["behavior", "scaleDown", "stabilizationWindowSeconds"],
    )
    .and_then(as_f64)
    .unwrap_or(300.0);
    let autoscale = Autoscale {
        min,
        max,
        target_utilization: percent / 100.0,
        interval_s: 15.0,
        startup_s: None,
        cooldown_s,
    };
    let why = format!(
        "{}: HorizontalPodAutoscaler {} (min {min}, max {max}, {target_why}, scale-down window {cooldown_s} s)",
        hpa.file, hpa.name
    );
    if let Some(index) = draft.find(&workload.service) {
        draft.services[index].autoscale = Some(Guess::new(autoscale, Confidence::High, why));
    }
}
