//! Breaking call cycles. Environment values and traces can describe calls
//! that go round (a collector that scrapes the service that exports to it);
//! a topology's calls must not. Nodes are (service, operation); while a
//! cycle exists, its weakest call is removed: lowest confidence first, then
//! the call that closes the cycle.

use std::collections::BTreeMap;

use crate::model::{CallSpec, Service, Topology};

use super::draft::Confidence;

/// Where one call sits in a topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CallAt {
    service: usize,
    /// Index into `operations`, or `None` for the service-level calls.
    operation: Option<usize>,
    spec: usize,
    call: usize,
}

type Node = (usize, String);

/// A removed call: `(from, to, why)`.
pub type Dropped = (String, String, String);

fn operation_names(service: &Service) -> Vec<String> {
    if service.operations.is_empty() {
        vec!["default".to_owned()]
    } else {
        service.operations.iter().map(|o| o.name.clone()).collect()
    }
}

fn calls_of<'a>(service: &'a Service, operation: &str) -> (Option<usize>, &'a [CallSpec]) {
    if service.operations.is_empty() {
        return (None, &service.calls);
    }
    match service.operations.iter().position(|o| o.name == operation) {
        Some(i) => (Some(i), &service.operations[i].calls),
        None => (None, &[]),
    }
}

/// The confidence recorded in a call's `x-import` extension (high if none).
pub fn call_confidence(call: &crate::model::Call) -> Confidence {
    match call
        .extensions
        .get("x-import")
        .and_then(|x| x.get("confidence"))
        .and_then(|c| c.as_str())
    {
        Some("low") => Confidence::Low,
        Some("medium") => Confidence::Medium,
        _ => Confidence::High,
    }
}

/// Finds one cycle: the calls along it, in order.
fn find_cycle(topology: &Topology) -> Option<Vec<CallAt>> {
    let index: BTreeMap<&str, usize> = topology
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut nodes: Vec<Node> = Vec::new();
    for (i, service) in topology.services.iter().enumerate() {
        for op in operation_names(service) {
            nodes.push((i, op));
        }
    }
    let node_index: BTreeMap<&Node, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n, i)).collect();
    // Adjacency: node → [(target node, call location)].
    let mut edges: Vec<Vec<(usize, CallAt)>> = vec![Vec::new(); nodes.len()];
    for (n, (service_index, op)) in nodes.iter().enumerate() {
        let service = &topology.services[*service_index];
        let (operation, specs) = calls_of(service, op);
        for (spec_index, spec) in specs.iter().enumerate() {
            for (call_index, call) in spec.calls().iter().enumerate() {
                let Some(&target_service) = index.get(call.to.as_str()) else {
                    continue;
                };
                let target_op = if topology.services[target_service].operations.is_empty() {
                    "default".to_owned()
                } else {
                    call.operation.clone()
                };
                if let Some(&target) = node_index.get(&(target_service, target_op)) {
                    let at = CallAt {
                        service: *service_index,
                        operation,
                        spec: spec_index,
                        call: call_index,
                    };
                    edges[n].push((target, at));
                }
            }
        }
    }
    // Iterative DFS with colours; on a back edge, read the cycle off the stack.
    let mut colour = vec![0u8; nodes.len()]; // 0 new, 1 on stack, 2 done
    for start in 0..nodes.len() {
        if colour[start] != 0 {
            continue;
        }
        // (node, next edge index, call that led here)
        let mut stack: Vec<(usize, usize, Option<CallAt>)> = vec![(start, 0, None)];
        colour[start] = 1;
        while let Some(top) = stack.last_mut() {
            let (node, next) = (top.0, top.1);
            if next >= edges[node].len() {
                colour[node] = 2;
                stack.pop();
                continue;
            }
            top.1 += 1;
            let (target, at) = edges[node][next];
            match colour[target] {
                0 => {
                    colour[target] = 1;
                    stack.push((target, 0, Some(at)));
                }
                1 => {
                    let from = stack.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                    let mut cycle: Vec<CallAt> = stack[from + 1..]
                        .iter()
                        .filter_map(|(_, _, a)| *a)
                        .collect();
                    cycle.push(at);
                    return Some(cycle);
                }
                _ => {}
            }
        }
    }
    None
}

fn call_at(topology: &Topology, at: CallAt) -> Option<&crate::model::Call> {
    let service = topology.services.get(at.service)?;
    let specs = match at.operation {
        Some(i) => &service.operations.get(i)?.calls,
        None => &service.calls,
    };
    specs.get(at.spec)?.calls().get(at.call)
}

fn remove(topology: &mut Topology, at: CallAt) {
    let Some(service) = topology.services.get_mut(at.service) else {
        return;
    };
    let specs = match at.operation {
        Some(i) => match service.operations.get_mut(i) {
            Some(op) => &mut op.calls,
            None => return,
        },
        None => &mut service.calls,
    };
    let Some(spec) = specs.get_mut(at.spec) else {
        return;
    };
    match spec {
        CallSpec::Single(_) => {
            specs.remove(at.spec);
        }
        CallSpec::Parallel(calls) => {
            if at.call < calls.len() {
                calls.remove(at.call);
            }
            match calls.len() {
                0 => {
                    specs.remove(at.spec);
                }
                1 => {
                    let only = calls.remove(0);
                    specs[at.spec] = CallSpec::Single(only);
                }
                _ => {}
            }
        }
    }
}

/// Removes calls until no cycle is left; returns what was removed and why.
pub fn break_cycles(topology: &mut Topology) -> Vec<Dropped> {
    let mut dropped = Vec::new();
    // Each round removes one call, so this ends; the bound is a safeguard.
    let limit = topology
        .services
        .iter()
        .map(|s| s.calls.len() + s.operations.iter().map(|o| o.calls.len()).sum::<usize>())
        .sum::<usize>()
        * 4
        + 1;
    for _ in 0..limit {
        let Some(cycle) = find_cycle(topology) else {
            break;
        };
        let mut described: Vec<String> = cycle
            .iter()
            .map(|at| topology.services[at.service].name.clone())
            .chain(
                cycle
                    .first()
                    .map(|at| topology.services[at.service].name.clone()),
            )
            .collect();
        if described.len() > 9 {
            let hidden = described.len() - 8;
            described.splice(4..described.len() - 4, [format!("… {hidden} more …")]);
        }
        // Weakest call: lowest confidence, then an optional one (a call
        // into observability), then the last one (it closes the cycle).
        let strength = |at: CallAt| match call_at(topology, at) {
            Some(call) => (call_confidence(call), !call.optional),
            None => (Confidence::High, true),
        };
        let mut weakest = cycle[cycle.len() - 1];
        for at in cycle.iter().rev() {
            if strength(*at) < strength(weakest) {
                weakest = *at;
            }
        }
        let weakest_confidence = strength(weakest).0;
        if let Some(call) = call_at(topology, weakest) {
            let from = topology.services[weakest.service].name.clone();
            let why = format!(
                "{weakest_confidence}-confidence call {from} → {} removed to break the call cycle {}",
                call.to,
                described.join(" → ")
            );
            dropped.push((from, call.to.clone(), why));
        }
        remove(topology, weakest);
    }
    dropped
}
