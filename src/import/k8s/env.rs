//! Edges from container environment (literal values, ConfigMap keys,
//! `envFrom`, `$(VAR)` references) and arguments, resolved through
//! Kubernetes Services to workloads.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Workload, containers};
use crate::import::draft::{Confidence, Draft, Evidence};
use crate::import::hints;
use crate::import::value::{at, scalar_text, str_at};

/// `(name, value, how)` of every environment variable of a container.
fn container_env(
    container: &Value,
    namespace: &str,
    config_maps: &BTreeMap<(String, String), &Value>,
) -> Vec<(String, String, String)> {
    let mut vars: Vec<(String, String, String)> = Vec::new();
    let lookup = |map: &str, key: &str| -> Option<String> {
        config_maps
            .get(&(namespace.to_owned(), map.to_owned()))
            .and_then(|data| data.get(key))
            .and_then(scalar_text)
    };
    for from in container
        .get("envFrom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(map) = str_at(from, &["configMapRef", "name"]) else {
            continue;
        };
        let prefix = from.get("prefix").and_then(Value::as_str).unwrap_or("");
        if let Some(Value::Object(data)) = config_maps.get(&(namespace.to_owned(), map.to_owned()))
        {
            for (key, value) in data {
                if let Some(value) = scalar_text(value) {
                    vars.push((
                        format!("{prefix}{key}"),
                        value,
                        format!(" (ConfigMap {map})"),
                    ));
                }
            }
        }
    }
    for entry in container
        .get("env")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = entry.get("name").and_then(Value::as_str) else {
            continue;
        };
        let value = match entry.get("value").and_then(scalar_text) {
            Some(value) => Some((expand_refs(&value, &vars), String::new())),
            None => at(entry, &["valueFrom", "configMapKeyRef"]).and_then(|r| {
                let map = r.get("name").and_then(Value::as_str)?;
                let key = r.get("key").and_then(Value::as_str)?;
                lookup(map, key).map(|v| (v, format!(" (ConfigMap {map} key {key})")))
            }),
        };
        if let Some((value, how)) = value {
            vars.push((name.to_owned(), value, how));
        }
    }
    vars
}

/// Expands `$(VAR)` references to earlier variables, as the kubelet does.
fn expand_refs(value: &str, vars: &[(String, String, String)]) -> String {
    if !value.contains("$(") {
        return value.to_owned();
    }
    let mut out = value.to_owned();
    for (name, val, _) in vars.iter().rev() {
        out = out.replace(&format!("$({name})"), val);
    }
    out
}

/// The topology services a host refers to: through a Kubernetes Service
/// (medium confidence) or a workload of that name (low).
fn resolve_host(
    host: &str,
    backends: &BTreeMap<String, Vec<String>>,
    draft: &Draft,
) -> Option<(Vec<String>, Confidence, String)> {
    for candidate in hints::host_candidates(host) {
        if let Some(targets) = backends.get(&candidate)
            && !targets.is_empty()
        {
            return Some((
                targets.clone(),
                Confidence::Medium,
                format!("Service {candidate}"),
            ));
        }
    }
    for candidate in hints::host_candidates(host) {
        if let Some(index) = draft.services.iter().position(|s| s.name == candidate) {
            let name = draft.services[index].name.clone();
            return Some((
                vec![name],
                Confidence::Low,
                "a workload of that name; no Service".to_owned(),
            ));
        }
    }
    None
}

pub(super) fn add_env_edges(
    workload: &Workload,
    backends: &BTreeMap<String, Vec<String>>,
    config_maps: &BTreeMap<(String, String), &Value>,
    draft: &mut Draft,
) {
    let object = &workload.object;
    let from = workload.service.clone();
    for (section, container) in containers(workload.pod_spec) {
        let container_name = container.get("name").and_then(Value::as_str).unwrap_or("?");
        let env = container_env(container, &object.namespace, config_maps);
        for (key, value, how) in &env {
            for (host, form) in hints::hosts_in_value(value, hints::is_address_name(key)) {
                match resolve_host(&host, backends, draft) {
                    Some((targets, confidence, via)) => {
                        let confidence = confidence.min(Confidence::Medium);
                        for to in targets {
                            let detail = format!(
                                "{} {}: {section}[{container_name}] env {key}={value}{how} ({}, {via})",
                                object.kind,
                                object.name,
                                form.as_str()
                            );
                            draft.add_edge(&from, &to, Evidence::new(confidence, &object.file, detail));
                        }
                    }
                    None if hints::is_address_name(key) && form != hints::HostForm::Bare => draft.info(
                        &object.file,
                        format!("{from}: {key} names `{host}`, which is not a Service or workload here; no edge"),
                    ),
                    None => {}
                }
            }
        }
        let args = ["command", "args"]
            .iter()
            .filter_map(|k| container.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(scalar_text)
            .map(|a| expand_refs(&a, &env));
        for arg in args {
            for (host, form) in hints::hosts_in_argument(&arg) {
                if let Some((targets, confidence, via)) = resolve_host(&host, backends, draft) {
                    let confidence = if form == hints::HostForm::Bare {
                        Confidence::Low
                    } else {
                        confidence.min(Confidence::Medium)
                    };
                    for to in targets {
                        let detail = format!(
                            "{} {}: {section}[{container_name}] argument `{}` ({}, {via})",
                            object.kind,
                            object.name,
                            hints::shorten(&arg),
                            form.as_str()
                        );
                        draft.add_edge(&from, &to, Evidence::new(confidence, &object.file, detail));
                    }
                }
            }
        }
    }
}
