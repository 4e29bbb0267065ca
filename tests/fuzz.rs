//! Fuzzing on stable Rust: seeded, structure-aware mutations of a corpus
//! (the example scenarios and the import fixtures) fed to the topology
//! loader and to each importer (compose, Kubernetes, Jaeger and OTLP
//! traces). No input may panic; a valid result must stay valid on the way
//! through analysis, exports and a short simulation.
//!
//! The normal suite runs a bounded number of cases per target. Run longer
//! (see docs/fuzzing.md):
//!
//! ```text
//! ARCHSIM_FUZZ_CASES=100000 ARCHSIM_FUZZ_SEED=7 cargo test --release \
//!     --no-default-features --features cli --test integration -- fuzz:: --nocapture
//! ```
//!
//! A failing input is saved under `target/fuzz-failures/` and named in the
//! failure message; `fuzz::replay` runs the saved files again.

mod mutate;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use archsim::import::{ImportError, ImportOptions, SourceFormat, import_paths};
use archsim::{graph, model, report, sim};

use mutate::Rng;

/// Cases per target in the normal test suite (a few seconds each).
const DEFAULT_CASES: usize = 400;

/// A fuzz target: what it reads, and how it is exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Topology,
    Compose,
    Kubernetes,
    Jaeger,
    Otlp,
}

impl Target {
    const ALL: [Target; 5] = [
        Target::Topology,
        Target::Compose,
        Target::Kubernetes,
        Target::Jaeger,
        Target::Otlp,
    ];

    fn name(self) -> &'static str {
        match self {
            Target::Topology => "topology",
            Target::Compose => "compose",
            Target::Kubernetes => "k8s",
            Target::Jaeger => "jaeger",
            Target::Otlp => "otlp",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Target::Topology => "topology.json",
            Target::Compose => "compose.yaml",
            Target::Kubernetes => "manifests.yaml",
            Target::Jaeger => "trace.json",
            Target::Otlp => "otlp.json",
        }
    }

    fn format(self) -> Option<SourceFormat> {
        match self {
            Target::Topology => None,
            Target::Compose => Some(SourceFormat::Compose),
            Target::Kubernetes => Some(SourceFormat::K8s),
            Target::Jaeger => Some(SourceFormat::Jaeger),
            Target::Otlp => Some(SourceFormat::Otlp),
        }
    }

    /// The seed corpus: files of the repository this target reads.
    fn corpus(self) -> Vec<Vec<u8>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        let mut add_under = |dir: &Path, keep: &dyn Fn(&Path, &str) -> bool| {
            let mut stack = vec![dir.to_owned()];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if let Ok(text) = std::fs::read_to_string(&path)
                        && keep(&path, &text)
                    {
                        paths.push(path);
                    }
                }
            }
        };
        let yaml = |p: &Path| p.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let json = |p: &Path| p.extension().is_some_and(|e| e == "json");
        match self {
            Target::Topology => {
                add_under(&root.join("scenarios"), &|p, _| json(p));
            }
            Target::Compose => add_under(&root.join("tests/fixtures"), &|p, text| {
                yaml(p) && text.contains("services:")
            }),
            Target::Kubernetes => add_under(&root.join("tests/fixtures"), &|p, text| {
                yaml(p) && text.contains("apiVersion")
            }),
            Target::Jaeger => add_under(&root.join("tests/fixtures"), &|p, text| {
                json(p) && text.contains("\"spanID\"")
            }),
            Target::Otlp => add_under(&root.join("tests/fixtures"), &|p, text| {
                json(p) && text.contains("resourceSpans")
            }),
        }
        paths.sort();
        let mut corpus: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
        if self == Target::Topology {
            // Small hand-written seeds reach corners the examples do not.
            corpus.push(br#"{"name": "x", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}, "calls": [{"to": "a"}]}]}"#.to_vec());
            corpus.push(br#"{"name": "x", "services": [{"name": "a", "operations": [{"name": "o", "service_time": {"dist": "empirical", "samples_ms": [1, 2]}, "calls": [{"parallel": [{"to": "b"}, {"to": "b", "probability": 0.5}]}]}]}, {"name": "b", "service_time": {"dist": "erlang", "k": 3, "mean_ms": 2}}], "workload": [{"name": "w", "to": "a", "operation": "o", "rate_rps": 5}], "scenarios": [{"name": "s", "duration_s": 10, "faults": [{"kind": "crash", "service": "b", "at_s": 1, "duration_s": 2}]}]}"#.to_vec());
        }
        corpus
    }
}

/// How many cases and which seed: from the environment, else the defaults.
fn settings() -> (usize, u64, Option<Duration>) {
    let number = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let cases = number("ARCHSIM_FUZZ_CASES").map_or(DEFAULT_CASES, |n| n as usize);
    let seed = number("ARCHSIM_FUZZ_SEED").unwrap_or(1);
    let timeout = number("ARCHSIM_FUZZ_TIMEOUT_S").map(Duration::from_secs);
    (cases, seed, timeout)
}

/// Where failing inputs are kept.
fn failures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures")
}

/// Exercises one input; `Err` describes a failure that is not a panic.
fn exercise(target: Target, bytes: &[u8], scratch: &Path) -> Result<(), String> {
    match target {
        Target::Topology => {
            exercise_topology(&String::from_utf8_lossy(bytes));
            Ok(())
        }
        _ => {
            let path = scratch.join(target.file_name());
            std::fs::write(&path, bytes).map_err(|e| format!("cannot write the case: {e}"))?;
            let options = ImportOptions {
                format: target.format(),
                ..ImportOptions::default()
            };
            match import_paths(&[path], &options) {
                Ok(outcome) => {
                    // The importer validates what it builds; it must load back.
                    let text = model::to_json_string(&outcome.topology);
                    if let Err(e) = model::load_checked_str(&text, "imported.json") {
                        return Err(format!("the imported topology does not load back: {e}"));
                    }
                    exercise_topology(&text);
                    Ok(())
                }
                Err(ImportError::Invalid(message)) => {
                    Err(format!("the importer built an invalid topology: {message}"))
                }
                Err(_) => Ok(()),
            }
        }
    }
}

/// Load, check, analyse, export and (when it is cheap) simulate briefly.
fn exercise_topology(text: &str) {
    let Ok(checked) = model::load_checked_str(text, "fuzz.json") else {
        return;
    };
    let analysis = graph::analyze(&checked);
    let document = graph::GraphDocument::new(&checked, &analysis);
    let _ = report::dot::to_dot(&document);
    let _ = report::mermaid::to_mermaid(&document);
    let canonical = model::to_json_string(checked.topology());
    assert!(
        model::load_checked_str(&canonical, "canonical.json").is_ok(),
        "a valid topology written in canonical form no longer loads"
    );
    if checked.topology().services.len() <= 200 {
        let _ = report::render_graph(&checked, report::ExportKind::GraphSvg);
    }
    let Ok(run) = checked.scenario(None) else {
        return;
    };
    let Ok(mut simulation) = sim::Simulation::new(&run) else {
        return;
    };
    // Only runs whose first tenth of a second costs little.
    let visits_per_s: f64 = analysis.services.iter().map(|s| s.arrival_rate_rps).sum();
    if visits_per_s.is_finite() && visits_per_s <= 20_000.0 {
        simulation.run_until(0.1_f64.min(run.scenario().duration_s));
    }
}

/// Runs `cases` mutations for `target`; panics naming the saved input on
/// the first failure.
fn fuzz(target: Target) {
    let (cases, seed, timeout) = settings();
    let corpus = target.corpus();
    assert!(!corpus.is_empty(), "no seed corpus for {}", target.name());
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng::new(seed ^ (target as u64).wrapping_mul(0x9E37_79B9));
    let mut slowest = (Duration::ZERO, 0usize);
    // The seeds themselves first, then mutations.
    for case in 0..corpus.len() + cases {
        let input = match corpus.get(case) {
            Some(seed_input) => seed_input.clone(),
            None => {
                let base = &corpus[rng.below(corpus.len())];
                mutate::mutate(&mut rng, base, &corpus)
            }
        };
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            exercise(target, &input, scratch.path())
        }));
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, case);
        }
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(message)) => Some(message),
            Err(panic) => Some(format!(
                "panic: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default()
            )),
        }
        .or_else(|| {
            timeout
                .filter(|limit| took > *limit)
                .map(|limit| format!("took {took:?}, more than {limit:?}"))
        });
        if let Some(message) = failure {
            let dir = failures_dir();
            let _ = std::fs::create_dir_all(&dir);
            let saved = dir.join(format!(
                "{}-seed{seed}-case{case}-{}",
                target.name(),
                target.file_name()
            ));
            let _ = std::fs::write(&saved, &input);
            panic!(
                "fuzz {} (seed {seed}, case {case}): {message}\ninput saved to {}",
                target.name(),
                saved.display()
            );
        }
    }
    eprintln!(
        "fuzz {}: {} cases (seed {seed}), slowest case {} took {:?}",
        target.name(),
        corpus.len() + cases,
        slowest.1,
        slowest.0
    );
}

#[test]
fn topology_loader_survives_mutated_inputs() {
    fuzz(Target::Topology);
}

#[test]
fn compose_importer_survives_mutated_inputs() {
    fuzz(Target::Compose);
}

#[test]
fn kubernetes_importer_survives_mutated_inputs() {
    fuzz(Target::Kubernetes);
}

#[test]
fn jaeger_importer_survives_mutated_inputs() {
    fuzz(Target::Jaeger);
}

#[test]
fn otlp_importer_survives_mutated_inputs() {
    fuzz(Target::Otlp);
}

/// Runs again every input saved under `target/fuzz-failures/` (after a fix,
/// before the regression test is written); nothing to do when there are none.
#[test]
fn replay() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let Ok(entries) = std::fs::read_dir(failures_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(target) = Target::ALL
            .into_iter()
            .find(|t| name.starts_with(&format!("{}-", t.name())))
        else {
            continue;
        };
        let bytes = std::fs::read(entry.path()).expect("reads");
        if let Err(message) = exercise(target, &bytes, scratch.path()) {
            panic!("{name}: {message}");
        }
    }
}
