//! `"x-..."` keys: taken out of a parsed document before it is deserialized
//! (so that `deny_unknown_fields` does not reject them), kept in the
//! `extensions` field of the six objects that have one, and written back on
//! save.
//!
//! Kept: the top level, services, operations, calls (also inside parallel
//! groups), workload entries and scenarios. Anywhere else (distributions,
//! retries, faults, `slo`, ...) `x-` keys are ignored and not saved. Keys of
//! `layout.nodes` are service names, not fields, so they are never treated
//! as `x-` keys.

use serde_json::{Map, Value};

use super::types::{CallSpec, Extensions, Operation, Service, Topology};

/// Whether a key is an extension key.
pub fn is_extension_key(key: &str) -> bool {
    key.starts_with("x-")
}

/// Removes and returns the `x-` keys of one object.
fn take(map: &mut Map<String, Value>) -> Extensions {
    let keys: Vec<String> = map
        .keys()
        .filter(|k| is_extension_key(k))
        .cloned()
        .collect();
    keys.into_iter()
        .filter_map(|key| map.remove(&key).map(|value| (key, value)))
        .collect()
}

/// Drops `x-` keys everywhere below `value`, except the keys of
/// `layout.nodes` (`skip_keys` is true for that one map).
fn strip(value: &mut Value, skip_keys: bool) {
    match value {
        Value::Object(map) => {
            if !skip_keys {
                map.retain(|key, _| !is_extension_key(key));
            }
            for (key, child) in map.iter_mut() {
                strip(child, !skip_keys && key == "nodes");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| strip(item, false)),
        _ => {}
    }
}

/// Extensions of one `calls` list: per entry, one map per call (a single
/// call has one, a parallel group one per member).
pub type CallsExtensions = Vec<Vec<Extensions>>;

/// Extensions of one service document.
#[derive(Debug, Default)]
pub struct ServiceExtensions {
    own: Extensions,
    calls: CallsExtensions,
    operations: Vec<(Extensions, CallsExtensions)>,
}

/// Takes the extensions out of a `calls` array.
fn take_calls(calls: Option<&mut Value>) -> CallsExtensions {
    let Some(Value::Array(specs)) = calls else {
        return Vec::new();
    };
    specs
        .iter_mut()
        .map(|spec| match spec {
            Value::Object(map) if map.contains_key("parallel") => match map.get_mut("parallel") {
                Some(Value::Array(members)) => members
                    .iter_mut()
                    .map(|member| match member {
                        Value::Object(call) => take(call),
                        _ => Extensions::new(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            Value::Object(call) => vec![take(call)],
            _ => Vec::new(),
        })
        .collect()
}

/// Takes the kept extensions out of a service document and drops the others.
pub fn take_service(value: &mut Value) -> ServiceExtensions {
    let mut out = ServiceExtensions::default();
    if let Value::Object(map) = value {
        out.own = take(map);
        out.calls = take_calls(map.get_mut("calls"));
        if let Some(Value::Array(operations)) = map.get_mut("operations") {
            for operation in operations {
                if let Value::Object(op) = operation {
                    let own = take(op);
                    let calls = take_calls(op.get_mut("calls"));
                    out.operations.push((own, calls));
                } else {
                    out.operations.push(Default::default());
                }
            }
        }
    }
    strip(value, false);
    out
}

/// Takes the extensions of a plain object (top level, entry, scenario) and
/// drops the others below it. The top level's `services`, `workload` and
/// `scenarios` must have been taken out before.
pub fn take_object(value: &mut Value) -> Extensions {
    let own = match value {
        Value::Object(map) => take(map),
        _ => Extensions::new(),
    };
    strip(value, false);
    own
}

fn attach_calls(specs: &mut [CallSpec], extensions: CallsExtensions) {
    for (spec, mut maps) in specs.iter_mut().zip(extensions) {
        for (call, map) in spec.calls_mut().iter_mut().zip(maps.drain(..)) {
            call.extensions = map;
        }
    }
}

/// Puts the extensions taken by [`take_service`] into the deserialized service.
pub fn attach_service(service: &mut Service, extensions: ServiceExtensions) {
    service.extensions = extensions.own;
    attach_calls(&mut service.calls, extensions.calls);
    for (operation, (own, calls)) in service.operations.iter_mut().zip(extensions.operations) {
        operation.extensions = own;
        attach_calls(&mut operation.calls, calls);
    }
}

/// Appends `extensions` to a serialized object (after its fields).
fn put(value: &mut Value, extensions: &Extensions) {
    if let Value::Object(map) = value {
        for (key, extension) in extensions {
            map.insert(key.clone(), extension.clone());
        }
    }
}

fn put_calls(value: Option<&mut Value>, specs: &[CallSpec]) {
    let Some(Value::Array(values)) = value else {
        return;
    };
    for (value, spec) in values.iter_mut().zip(specs) {
        match spec {
            CallSpec::Single(call) => put(value, &call.extensions),
            CallSpec::Parallel(calls) => {
                if let Some(Value::Array(members)) = value.get_mut("parallel") {
                    for (member, call) in members.iter_mut().zip(calls) {
                        put(member, &call.extensions);
                    }
                }
            }
        }
    }
}

fn put_operation(value: &mut Value, operation: &Operation) {
    put(value, &operation.extensions);
    put_calls(value.get_mut("calls"), &operation.calls);
}

/// Writes every kept extension of `topology` into its serialized form.
pub fn put_all(value: &mut Value, topology: &Topology) {
    put(value, &topology.extensions);
    if let Some(Value::Array(services)) = value.get_mut("services") {
        for (value, service) in services.iter_mut().zip(&topology.services) {
            put(value, &service.extensions);
            put_calls(value.get_mut("calls"), &service.calls);
            if let Some(Value::Array(operations)) = value.get_mut("operations") {
                for (value, operation) in operations.iter_mut().zip(&service.operations) {
                    put_operation(value, operation);
                }
            }
        }
    }
    if let Some(Value::Array(entries)) = value.get_mut("workload") {
        for (value, entry) in entries.iter_mut().zip(&topology.workload) {
            put(value, &entry.extensions);
        }
    }
    if let Some(Value::Array(scenarios)) = value.get_mut("scenarios") {
        for (value, scenario) in scenarios.iter_mut().zip(&topology.scenarios) {
            put(value, &scenario.extensions);
        }
    }
}
