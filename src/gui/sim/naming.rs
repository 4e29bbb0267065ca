//! Names of runs: the scenario, a number, and what changed since the
//! previous run of the same design (`black friday #2 · cartservice replicas
//! 2→4`), found by comparing the two topologies and scenarios field by
//! field as JSON.

use serde_json::Value;

use crate::model::{Scenario, Topology};

use super::RunRecord;

/// Changes named in a run's name; more are counted.
const MAX_NAMED_CHANGES: usize = 2;

/// `scenario #n`, followed by what changed since `previous` (if any).
pub fn run_name(
    scenario: &Scenario,
    number: usize,
    previous: Option<&RunRecord>,
    topology: &Topology,
) -> String {
    let base = format!("{} #{number}", scenario.name);
    let Some(previous) = previous else {
        return base;
    };
    let list = changes(&previous.topology, &previous.scenario, topology, scenario);
    if list.is_empty() {
        return base;
    }
    let mut named: Vec<String> = list.iter().take(MAX_NAMED_CHANGES).cloned().collect();
    if list.len() > MAX_NAMED_CHANGES {
        named.push(format!("+{} more", list.len() - MAX_NAMED_CHANGES));
    }
    format!("{base} · {}", named.join(", "))
}

/// What differs between two runs' inputs, in short words, in a fixed order:
/// the scenario (when it is the same scenario), the workload, the
/// services, the SLO. The layout is ignored.
pub fn changes(
    before: &Topology,
    before_scenario: &Scenario,
    after: &Topology,
    after_scenario: &Scenario,
) -> Vec<String> {
    let mut list = Vec::new();
    if before_scenario.name == after_scenario.name {
        object_changes(
            &mut list,
            "",
            &to_value(before_scenario),
            &to_value(after_scenario),
        );
    }
    for entry in &after.workload {
        let name = entry.display_name();
        match before.workload.iter().find(|e| e.display_name() == name) {
            Some(old) => object_changes(&mut list, &name, &to_value(old), &to_value(entry)),
            None => list.push(format!("+entry {name}")),
        }
    }
    for old in &before.workload {
        let name = old.display_name();
        if !after.workload.iter().any(|e| e.display_name() == name) {
            list.push(format!("−entry {name}"));
        }
    }
    for service in &after.services {
        match before.services.iter().find(|s| s.name == service.name) {
            Some(old) => {
                object_changes(&mut list, &service.name, &to_value(old), &to_value(service))
            }
            None => list.push(format!("+{}", service.name)),
        }
    }
    for old in &before.services {
        if !after.services.iter().any(|s| s.name == old.name) {
            list.push(format!("−{}", old.name));
        }
    }
    if before.slo != after.slo {
        list.push("SLO".to_owned());
    }
    list
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Adds `prefix key old→new` for each top-level key whose value differs
/// (`prefix key changed` for lists and objects).
fn object_changes(list: &mut Vec<String>, prefix: &str, before: &Value, after: &Value) {
    let (Value::Object(before), Value::Object(after)) = (before, after) else {
        if before != after {
            list.push(format!("{prefix} changed"));
        }
        return;
    };
    let mut keys: Vec<&String> = after.keys().collect();
    keys.extend(before.keys().filter(|k| !after.contains_key(*k)));
    for key in keys {
        let (old, new) = (before.get(key), after.get(key));
        if old == new {
            continue;
        }
        let label = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix} {key}")
        };
        let scalar = |v: Option<&Value>| match v {
            None | Some(Value::Null) => Some("–".to_owned()),
            Some(Value::Number(n)) => n.as_f64().map(crate::report::format::trim),
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(Value::String(s)) if s.chars().count() <= 16 => Some(s.clone()),
            _ => None,
        };
        match (scalar(old), scalar(new)) {
            (Some(a), Some(b)) => list.push(format!("{label} {a}→{b}")),
            _ => match (old, new) {
                (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() != b.len() => {
                    list.push(format!("{label} {}→{}", a.len(), b.len()))
                }
                _ => list.push(format!("{label} changed")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Distribution, Service};

    fn topology(replicas: u64) -> Topology {
        let mut service = Service::new("cart", Distribution::Constant { ms: 5.0 });
        service.replicas = replicas;
        let mut t = super::super::super::app::empty_topology();
        t.services.push(service);
        t
    }

    #[test]
    fn a_changed_field_is_named_with_old_and_new_values() {
        let scenario = Scenario::new("peak", 60.0);
        let list = changes(&topology(2), &scenario, &topology(4), &scenario);
        assert_eq!(list, vec!["cart replicas 2→4".to_owned()]);
        let mut longer = scenario.clone();
        longer.duration_s = 120.0;
        let list = changes(&topology(2), &scenario, &topology(2), &longer);
        assert_eq!(list, vec!["duration_s 60→120".to_owned()]);
    }
}
