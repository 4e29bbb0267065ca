//! "First to fail" finds the sustained failure of a run, not the first
//! stray error: the shared rule of the app's results and the report's
//! findings (`report::failure`).

use std::path::Path;

use archsim::metrics::Summary;
use archsim::model::{self, Topology};
use archsim::report::failure::{FirstFailure, first_failure};
use archsim::sim::Simulation;

fn run_example(file: &str, scenario: &str) -> (Topology, Summary) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let checked = model::load_checked_file(&path).expect("the example loads");
    let run = checked
        .scenario(Some(scenario))
        .expect("the scenario exists");
    let summary = Simulation::new(&run).expect("it compiles").run();
    (run.topology().clone(), summary)
}

fn first(file: &str, scenario: &str) -> FirstFailure {
    let (topology, summary) = run_example(file, scenario);
    first_failure(&topology, &summary).expect("something fails in this scenario")
}

#[test]
fn the_retry_storm_starts_at_the_database_when_it_slows_down() {
    let found = first("retry-storm.json", "retry storm");
    assert_eq!(found.service, "db", "{found:?}");
    // The slowdown starts at 60 s; a stray error before it is not a failure.
    assert!(
        (55.0..=75.0).contains(&found.t_s),
        "first to fail at t = {} s: {found:?}",
        found.t_s
    );
    assert!(found.lasted_s >= 5.0, "{found:?}");
    assert!(!found.sentence().contains("1 failed responses"));
}

#[test]
fn the_zone_outage_names_the_ledger_database_not_a_single_error() {
    let found = first("payments.json", "zone a outage");
    let named = found
        .failures_from
        .as_ref()
        .map(|(service, _)| service.as_str())
        .unwrap_or(&found.service);
    assert!(
        found.service == "ledger-db" || named == "ledger-db",
        "{found:?}"
    );
    assert_ne!(found.service, "ml-model", "{found:?}");
}

#[test]
fn a_calm_run_has_no_first_failure() {
    let (topology, summary) = run_example("payments.json", "baseline");
    assert_eq!(first_failure(&topology, &summary), None);
}
