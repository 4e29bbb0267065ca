//! Edges a careful reader infers from names when compose files or manifests
//! declare few: many projects wire their services in configuration baked
//! into the images (Spring config, service discovery), so the deployment
//! files show a pile of services and hardly a dependency. What the names
//! still say, each rule giving **low**-confidence edges with their reason:
//!
//! 1. **A datastore named after its owner**: `carts-db`, `ts-auth-mongo`,
//!    `user-timeline-redis`, `mongodb-geo` belong to `carts`,
//!    `ts-auth-service`, `user-timeline-service`, `geo`: the name without
//!    its store word is the owner's name without a generic suffix
//!    (`service`, `svc`, `server`, `api`, `app`). Only for a database or
//!    cache no application service calls yet, and only when exactly one
//!    service matches.
//! 2. **A front end named after its back end**: `media-frontend` calls
//!    `media-service`, when it calls no application service yet.
//! 3. **A queue and its workers**: a queue nobody uses is used by the
//!    services whose names say they work a queue (`queue-master`,
//!    `email-worker`, `order-consumer`).
//! 4. **The front door**: a gateway that calls nothing forwards to the one
//!    front end nobody calls and that is not exposed itself (`edge-router` → `front-end`); then the one
//!    front door that still calls no application service (a gateway or a
//!    front-end name, exposed when there are several) calls every
//!    application service nobody calls. Datastores, queues and service
//!    registries (Consul, etcd, ZooKeeper, Eureka, Nacos) do not count as
//!    calls here: a front end that only asks Consul where to go still goes
//!    somewhere.
//!
//! None of this runs when traces are among the sources: traces show the
//! real calls, and guessing beside them would only add noise.

use std::collections::BTreeSet;

use crate::model::ServiceKind;

use super::draft::{Confidence, Draft, DraftService, Evidence, Role};
use super::hints;

/// Words that make a service a datastore in its name (kind words of
/// databases and caches).
pub(super) const STORE_WORDS: &[&str] = &[
    "db",
    "database",
    "mongo",
    "mongodb",
    "mysql",
    "mariadb",
    "postgres",
    "postgresql",
    "pg",
    "redis",
    "memcached",
    "memcache",
    "cache",
    "valkey",
    "cassandra",
    "couchdb",
    "neo4j",
    "elasticsearch",
    "es",
    "sql",
];

/// Words that say nothing about what a service owns.
pub(super) const GENERIC_WORDS: &[&str] = &[
    "service",
    "svc",
    "server",
    "srv",
    "api",
    "app",
    "ms",
    "microservice",
];

/// Words of a front end's name that say it is a front end.
const FRONT_WORDS: &[&str] = &["frontend", "front", "end", "ui", "web", "webapp", "portal"];

/// Words that say a service works a queue.
const WORKER_WORDS: &[&str] = &[
    "queue",
    "worker",
    "workers",
    "consumer",
    "producer",
    "publisher",
    "subscriber",
    "listener",
    "messaging",
    "mq",
];

/// Service registries: the place services ask where to go.
const REGISTRY_WORDS: &[&str] = &["consul", "etcd", "zookeeper", "eureka", "nacos"];

/// What part a service plays for these rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// A database or a cache.
    Store,
    Queue,
    Registry,
    Gateway,
    Service,
    /// Load generators, observability and external services: left alone.
    Other,
}

fn part_of(service: &DraftService) -> Part {
    if service.role != Role::App {
        return Part::Other;
    }
    let words = name_and_image_words(service);
    if words.iter().any(|w| REGISTRY_WORDS.contains(&w.as_str())) {
        return Part::Registry;
    }
    match service.kind.as_ref().map(|k| k.value) {
        Some(ServiceKind::Database | ServiceKind::Cache) => Part::Store,
        Some(ServiceKind::Queue) => Part::Queue,
        Some(ServiceKind::Gateway) => Part::Gateway,
        Some(ServiceKind::External) => Part::Other,
        _ => Part::Service,
    }
}

fn name_and_image_words(service: &DraftService) -> Vec<String> {
    let mut words = hints::words(&service.name);
    if let Some(image) = &service.image {
        words.extend(hints::image_words(image));
    }
    words
}

/// The name's words without the ones in `drop`, joined by `-`.
pub(super) fn stem(name: &str, drop: &[&str]) -> String {
    hints::words(name)
        .into_iter()
        .filter(|w| !drop.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join("-")
}

/// Adds the edges the names imply (see the module documentation).
pub fn infer_edges(draft: &mut Draft) {
    let parts: Vec<Part> = draft.services.iter().map(part_of).collect();
    let mut inferred: Vec<(usize, usize, String)> = Vec::new();

    owned_stores(draft, &parts, &mut inferred);
    commit(draft, &mut inferred);
    named_front_ends(draft, &parts, &mut inferred);
    commit(draft, &mut inferred);
    queue_workers(draft, &parts, &mut inferred);
    commit(draft, &mut inferred);
    front_door(draft, &parts, &mut inferred);
    commit(draft, &mut inferred);
}

fn commit(draft: &mut Draft, inferred: &mut Vec<(usize, usize, String)>) {
    for (from, to, why) in inferred.drain(..) {
        let source = draft.services[from]
            .sources
            .first()
            .cloned()
            .unwrap_or_default();
        let (from, to) = (
            draft.services[from].name.clone(),
            draft.services[to].name.clone(),
        );
        draft.add_edge(&from, &to, Evidence::new(Confidence::Low, &source, why));
    }
}

/// Indexes of the application services (not load generators or
/// observability) that call service `index`.
fn app_callers(draft: &Draft, index: usize) -> Vec<usize> {
    let name = &draft.services[index].name;
    draft
        .edges
        .iter()
        .filter(|e| &e.to == name)
        .filter_map(|e| draft.find(&e.from))
        .filter(|&i| draft.services[i].role == Role::App)
        .collect()
}

/// Whether service `index` calls a service of a part that counts as going
/// somewhere (an application service or a gateway).
fn calls_onward(draft: &Draft, parts: &[Part], index: usize) -> bool {
    let name = &draft.services[index].name;
    draft
        .edges
        .iter()
        .filter(|e| &e.from == name)
        .filter_map(|e| draft.find(&e.to))
        .any(|i| matches!(parts[i], Part::Service | Part::Gateway))
}

/// The one index among `candidates` whose stem is `wanted`, or else the
/// one whose stem shares all but the last letter of the shorter
/// (`reserve` ~ `reservation`), at least four letters.
pub(super) fn unique_match(wanted: &str, candidates: &[(usize, String)]) -> Option<usize> {
    if wanted.is_empty() {
        return None;
    }
    let exact: Vec<usize> = candidates
        .iter()
        .filter(|(_, s)| s == wanted)
        .map(|(i, _)| *i)
        .collect();
    if let [one] = exact[..] {
        return Some(one);
    }
    if !exact.is_empty() {
        return None;
    }
    let close: Vec<usize> = candidates
        .iter()
        .filter(|(_, s)| {
            let common = s
                .chars()
                .zip(wanted.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let shorter = s.chars().count().min(wanted.chars().count());
            common >= 4 && common + 1 >= shorter
        })
        .map(|(i, _)| *i)
        .collect();
    match close[..] {
        [one] => Some(one),
        _ => None,
    }
}

fn owned_stores(draft: &Draft, parts: &[Part], out: &mut Vec<(usize, usize, String)>) {
    let owners: Vec<(usize, String)> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p, Part::Service))
        .map(|(i, _)| (i, stem(&draft.services[i].name, GENERIC_WORDS)))
        .collect();
    for (store, part) in parts.iter().enumerate() {
        if *part != Part::Store || !app_callers(draft, store).is_empty() {
            continue;
        }
        let name = &draft.services[store].name;
        let wanted = stem(name, STORE_WORDS);
        if let Some(owner) = unique_match(&wanted, &owners) {
            out.push((
                owner,
                store,
                format!(
                    "naming: {name} is a datastore named after {} and no other service uses it",
                    draft.services[owner].name
                ),
            ));
        }
    }
}

fn named_front_ends(draft: &Draft, parts: &[Part], out: &mut Vec<(usize, usize, String)>) {
    let back_ends: Vec<(usize, String)> = parts
        .iter()
        .enumerate()
        .filter(|(i, p)| **p == Part::Service && !hints::frontend_like(&draft.services[*i].name))
        .map(|(i, _)| (i, stem(&draft.services[i].name, GENERIC_WORDS)))
        .collect();
    for (front, part) in parts.iter().enumerate() {
        let name = &draft.services[front].name;
        if !matches!(part, Part::Service | Part::Gateway)
            || !hints::frontend_like(name)
            || calls_onward(draft, parts, front)
        {
            continue;
        }
        let wanted = stem(name, FRONT_WORDS);
        if wanted == stem(name, &[]) {
            continue; // no front-end word to take away: "api", "edge" alone
        }
        if let Some(back) = unique_match(&wanted, &back_ends) {
            out.push((
                front,
                back,
                format!(
                    "naming: {name} is the front end of {}",
                    draft.services[back].name
                ),
            ));
        }
    }
}

fn queue_workers(draft: &Draft, parts: &[Part], out: &mut Vec<(usize, usize, String)>) {
    let queues: Vec<usize> = parts
        .iter()
        .enumerate()
        .filter(|(i, p)| **p == Part::Queue && app_callers(draft, *i).is_empty())
        .map(|(i, _)| i)
        .collect();
    let [queue] = queues[..] else {
        return; // none, or several: which worker uses which cannot be told
    };
    for (worker, part) in parts.iter().enumerate() {
        let words = hints::words(&draft.services[worker].name);
        if *part == Part::Service && words.iter().any(|w| WORKER_WORDS.contains(&w.as_str())) {
            out.push((
                worker,
                queue,
                format!(
                    "naming: {} works a queue and {} is the only queue nobody uses",
                    draft.services[worker].name, draft.services[queue].name
                ),
            ));
        }
    }
}

fn front_door(draft: &Draft, parts: &[Part], out: &mut Vec<(usize, usize, String)>) {
    let door_like = |i: usize| {
        matches!(parts[i], Part::Gateway | Part::Service)
            && (parts[i] == Part::Gateway || hints::frontend_like(&draft.services[i].name))
    };
    // A gateway that calls nothing forwards to the one front end nobody calls.
    let idle_gateways: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i] == Part::Gateway && !calls_onward(draft, parts, i))
        .collect();
    let uncalled_fronts: Vec<usize> = (0..parts.len())
        .filter(|&i| {
            parts[i] == Part::Service
                && hints::frontend_like(&draft.services[i].name)
                && draft.services[i].exposed.is_none()
                && app_callers(draft, i).is_empty()
        })
        .collect();
    let mut forwarded: BTreeSet<usize> = BTreeSet::new();
    if let ([gateway], [front]) = (&idle_gateways[..], &uncalled_fronts[..]) {
        out.push((
            *gateway,
            *front,
            format!(
                "naming: {} is a gateway that calls nothing declared, and {} is the only front end nobody calls",
                draft.services[*gateway].name, draft.services[*front].name
            ),
        ));
        forwarded.insert(*gateway);
    }

    // The front door that still goes nowhere calls what nobody calls.
    let mut doors: Vec<usize> = (0..parts.len())
        .filter(|&i| door_like(i) && !forwarded.contains(&i) && !calls_onward(draft, parts, i))
        .collect();
    if doors.len() > 1 {
        doors.retain(|&i| draft.services[i].exposed.is_some());
    }
    let [door] = doors[..] else {
        return;
    };
    let forwarded_to: BTreeSet<usize> = out.iter().map(|(_, to, _)| *to).collect();
    let works_a_queue = |i: usize| {
        hints::words(&draft.services[i].name)
            .iter()
            .any(|w| WORKER_WORDS.contains(&w.as_str()))
            && draft
                .edges
                .iter()
                .filter(|e| e.from == draft.services[i].name)
                .filter_map(|e| draft.find(&e.to))
                .any(|q| parts[q] == Part::Queue)
    };
    let targets: Vec<usize> = (0..parts.len())
        .filter(|&i| {
            i != door
                && parts[i] == Part::Service
                && !door_like(i)
                && !forwarded_to.contains(&i)
                && app_callers(draft, i).is_empty()
                && !works_a_queue(i)
        })
        .collect();
    let door_name = &draft.services[door].name;
    for target in targets {
        out.push((
            door,
            target,
            format!(
                "naming: {door_name} is the front door and calls no application service declared; {} is called by nobody",
                draft.services[target].name
            ),
        ));
    }
}
