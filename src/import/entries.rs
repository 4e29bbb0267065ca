//! Where external traffic enters an imported topology. Traces say it (root
//! spans, with rates); declared sources do not, so the first of these that
//! finds any service wins, each entry at the default rate:
//!
//! 1. the services load generators call (the topmost ones, when one of
//!    them calls another);
//! 2. exposed gateways nobody calls;
//! 3. exposed services with a front-end name (frontend, ui, web, api, ...)
//!    nobody calls;
//! 4. gateways or front-end names nobody calls;
//! 5. exposed services nobody calls;
//! 6. services and gateways nobody calls;
//! 7. the first service.
//!
//! "Exposed": a published port (compose), a LoadBalancer or NodePort
//! Service or an Ingress backend (Kubernetes). "Nobody calls": no
//! application service calls it (load generators and observability do not
//! count).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{ServiceKind, Topology};

use super::draft::{Draft, DraftEntry, Role};
use super::hints;

/// The entries for a built topology.
pub fn choose(draft: &Draft, topology: &Topology, default_rate_rps: f64) -> Vec<DraftEntry> {
    let exists = |name: &str| topology.services.iter().any(|s| s.name == name);
    let traced: Vec<DraftEntry> = draft
        .entries
        .iter()
        .filter(|e| exists(&e.to))
        .cloned()
        .collect();
    if !traced.is_empty() {
        return traced;
    }
    if topology.services.is_empty() {
        return Vec::new();
    }

    let role = |name: &str| {
        draft
            .services
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.role)
            .unwrap_or_default()
    };
    let exposed = |name: &str| {
        draft
            .services
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.exposed.clone())
    };
    let kind = |name: &str| {
        topology
            .services
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.kind)
            .unwrap_or_default()
    };
    // caller → callees, service level.
    let mut callees: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for service in &topology.services {
        let specs = service
            .calls
            .iter()
            .chain(service.operations.iter().flat_map(|o| o.calls.iter()));
        let list = callees.entry(service.name.as_str()).or_default();
        for spec in specs {
            for call in spec.calls() {
                if !list.contains(&call.to.as_str()) {
                    list.push(call.to.as_str());
                }
            }
        }
    }
    let called_by_app: BTreeSet<&str> = callees
        .iter()
        .filter(|(caller, _)| role(caller) == Role::App)
        .flat_map(|(_, list)| list.iter().copied())
        .collect();
    let root = |name: &str| !called_by_app.contains(name);
    let servable = |name: &str| {
        role(name) == Role::App && matches!(kind(name), ServiceKind::Service | ServiceKind::Gateway)
    };

    let entry = |name: &str, why: String| DraftEntry {
        to: name.to_owned(),
        operation: "default".to_owned(),
        rate_rps: default_rate_rps,
        why: format!("{why}; default rate"),
    };
    let names: Vec<&str> = topology.services.iter().map(|s| s.name.as_str()).collect();

    // 1. Targets of load generators, keeping only the topmost.
    let mut targets: Vec<(&str, &str)> = Vec::new();
    for name in &names {
        if role(name) == Role::LoadGenerator {
            for callee in callees.get(name).into_iter().flatten() {
                if servable(callee) && !targets.iter().any(|(t, _)| t == callee) {
                    targets.push((callee, name));
                }
            }
        }
    }
    let reaches = |from: &str, to: &str| {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(node) = stack.pop() {
            for next in callees.get(node).into_iter().flatten() {
                if *next == to {
                    return true;
                }
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        false
    };
    let topmost: Vec<DraftEntry> = targets
        .iter()
        .filter(|(t, _)| {
            !targets
                .iter()
                .any(|(other, _)| other != t && reaches(other, t))
        })
        .map(|(t, generator)| entry(t, format!("called by load generator {generator}")))
        .collect();
    if !topmost.is_empty() {
        return topmost;
    }

    type Rule<'a> = (&'a str, Box<dyn Fn(&str) -> bool + 'a>);
    let rules: Vec<Rule> = vec![
        (
            "an exposed gateway nobody calls",
            Box::new(|n: &str| exposed(n).is_some() && kind(n) == ServiceKind::Gateway && root(n)),
        ),
        (
            "exposed, a front-end name, nobody calls it",
            Box::new(|n: &str| exposed(n).is_some() && hints::frontend_like(n) && root(n)),
        ),
        (
            "a gateway or front-end name nobody calls",
            Box::new(|n: &str| {
                (kind(n) == ServiceKind::Gateway || hints::frontend_like(n)) && root(n)
            }),
        ),
        (
            "exposed, nobody calls it",
            Box::new(|n: &str| exposed(n).is_some() && root(n)),
        ),
        ("nobody calls it", Box::new(|n: &str| root(n))),
    ];
    for (why, rule) in rules {
        let found: Vec<DraftEntry> = names
            .iter()
            .filter(|n| servable(n) && rule(n))
            .map(|n| {
                let reason = match exposed(n) {
                    Some(how) => format!("{why} ({how})"),
                    None => why.to_owned(),
                };
                entry(n, reason)
            })
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    let first = names
        .iter()
        .find(|n| role(n) == Role::App)
        .or_else(|| names.first())
        .copied()
        .unwrap_or_default();
    vec![entry(
        first,
        "no better candidate: the first service".to_owned(),
    )]
}
