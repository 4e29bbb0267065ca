//! Importing topologies from docker-compose files, Kubernetes manifests and
//! traces: the real fixtures in `tests/fixtures` (see SOURCES.md there),
//! small hand-written inputs for each heuristic, malformed inputs, and the
//! `archsim import` command line.

mod cli;
mod compose;
mod errors;
mod fixtures;
mod k8s;
mod naming;
mod traces;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use archsim::import::{EXTENSION_KEY, ImportOptions, ImportOutcome, import_paths};
use archsim::model::{Call, Service, Topology};

/// A file under `tests/fixtures`.
pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

/// Imports with default options; the topology must pass `model::check`.
pub fn import(paths: &[PathBuf]) -> ImportOutcome {
    import_with(paths, &ImportOptions::default())
}

/// Imports with the given options; the topology must pass `model::check`
/// and survive a save and load.
pub fn import_with(paths: &[PathBuf], options: &ImportOptions) -> ImportOutcome {
    let outcome = import_paths(paths, options).unwrap_or_else(|e| panic!("import failed: {e}"));
    assert_valid(&outcome.topology);
    outcome
}

/// The topology passes validation and reads back from its JSON.
pub fn assert_valid(topology: &Topology) {
    if let Err(diagnostics) = archsim::model::check(topology.clone()) {
        let lines: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect();
        panic!("imported topology is invalid:\n{}", lines.join("\n"));
    }
    let text = archsim::model::to_json_string(topology);
    let reloaded = archsim::model::from_json_str(&text)
        .unwrap_or_else(|e| panic!("saved topology does not load: {e}"));
    assert_eq!(reloaded.services.len(), topology.services.len());
}

/// Every call of a service, from every operation and parallel group.
pub fn calls(service: &Service) -> Vec<&Call> {
    service
        .calls
        .iter()
        .chain(service.operations.iter().flat_map(|o| o.calls.iter()))
        .flat_map(|spec| spec.calls().iter())
        .collect()
}

/// Every caller → callee pair of the topology.
pub fn edges(topology: &Topology) -> BTreeSet<(String, String)> {
    topology
        .services
        .iter()
        .flat_map(|s| {
            calls(s)
                .into_iter()
                .map(move |c| (s.name.clone(), c.to.clone()))
        })
        .collect()
}

/// A set of pairs from string slices.
pub fn pairs(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

pub fn service<'a>(topology: &'a Topology, name: &str) -> &'a Service {
    topology
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}; have {:?}", names(topology)))
}

pub fn names(topology: &Topology) -> Vec<&str> {
    topology.services.iter().map(|s| s.name.as_str()).collect()
}

/// The confidence the importer recorded on the call `from → to`.
pub fn confidence(topology: &Topology, from: &str, to: &str) -> String {
    let call = calls(service(topology, from))
        .into_iter()
        .find(|c| c.to == to)
        .unwrap_or_else(|| panic!("no call {from} → {to}"));
    call.extensions[EXTENSION_KEY]["confidence"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The evidence lines the summary gives for `from → to`.
pub fn evidence(outcome: &ImportOutcome, from: &str, to: &str) -> Vec<String> {
    outcome
        .summary
        .edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .map(|e| e.evidence.clone())
        .unwrap_or_default()
}

/// Writes a file into a test directory and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
