//! Overload: the in-flight budget stops a run that would eat the machine
//! (status `diverged`), and every summary says whether the system kept up.

use std::process::Command;

use archsim::metrics::{RunStatus, Summary};
use archsim::model::{self, Scenario, Topology};
use archsim::sim::Simulation;
use serde_json::{Value, json};

/// One service of `workers` workers taking 10 ms per request, no queue
/// limit, no timeout: `rate_rps` above 100 × workers overloads it.
fn single(workers: u64, rate_rps: f64) -> Value {
    json!({
        "archsim": 1,
        "name": "single",
        "services": [{
            "name": "app",
            "workers": workers,
            "operations": [{"name": "get", "service_time": {"dist": "exponential", "mean_ms": 10.0}}]
        }],
        "workload": [{"name": "get", "to": "app", "operation": "get", "rate_rps": rate_rps}]
    })
}

fn simulation(topology: Value, duration_s: f64) -> Simulation {
    let topology: Topology = serde_json::from_value(topology).expect("test topology parses");
    let checked = model::check(topology).expect("test topology is valid");
    let mut scenario = Scenario::new("test", duration_s);
    scenario.warmup_s = 10.0;
    Simulation::new(&checked.check_scenario(scenario).expect("valid scenario")).expect("builds")
}

#[test]
fn overload_without_bounds_stops_at_the_in_flight_budget_instead_of_growing() {
    // 2,000 requests/s against a capacity of 100/s: 1,900 more in flight each second.
    let mut sim = simulation(single(1, 2000.0), 3600.0);
    sim.set_max_in_flight(50_000);
    let summary = sim.run();
    assert_eq!(summary.status, RunStatus::Diverged);
    // 50,000 in flight at 1,900/s: about 26 s.
    assert!(
        (20.0..40.0).contains(&summary.simulated_s),
        "{}",
        summary.simulated_s
    );
    assert!(!summary.stability.stable);
    let open: u64 = summary.entrypoints.iter().map(|e| e.in_flight).sum();
    assert!(open > 0);
}

#[test]
fn overload_is_unstable_with_growth_near_the_excess_load_and_says_so_first() {
    let summary = simulation(single(1, 200.0), 120.0).run();
    assert_eq!(summary.status, RunStatus::Complete);
    let s = summary.stability;
    assert!(!s.stable, "{s:?}");
    // Offered 200/s, served 100/s: the backlog grows by about 100/s.
    assert!(
        (80.0..120.0).contains(&s.backlog_growth_rps),
        "{}",
        s.backlog_growth_rps
    );
    assert!(s.unstable_from_s.is_some_and(|t| t <= 20.0), "{s:?}");
    let headline = archsim::metrics::Stability::headline(&summary).expect("a headline");
    assert!(
        headline.starts_with("unstable: the backlog grew by"),
        "{headline}"
    );
    assert!(headline.contains("never finished"), "{headline}");
}

#[test]
fn a_loaded_but_sufficient_system_is_stable() {
    // 80% busy on 2 workers.
    let summary: Summary = simulation(single(2, 160.0), 300.0).run();
    assert!(summary.stability.stable, "{:?}", summary.stability);
    assert_eq!(summary.stability.unstable_from_s, None);
    assert!(archsim::metrics::Stability::headline(&summary).is_none());
    assert_eq!(
        summary.timeseries.in_flight.len(),
        summary.timeseries.t_s.len()
    );
}

#[test]
fn run_table_puts_the_diverged_line_first_and_counts_in_flight_as_not_successful() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("overload.json");
    std::fs::write(&file, single(1, 2000.0).to_string()).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args([
            "run",
            file.to_str().expect("utf-8"),
            "--max-in-flight",
            "20000",
        ])
        .output()
        .expect("archsim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("diverged: stopped at t = "), "{text}");
    assert!(text.contains("in flight"), "{text}");
    assert!(!text.contains("100.00%"), "{text}");

    let json = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args([
            "run",
            file.to_str().expect("utf-8"),
            "--max-in-flight",
            "20000",
            "--json",
            "-",
        ])
        .output()
        .expect("archsim runs");
    let value: Value = serde_json::from_slice(&json.stdout).expect("JSON summary");
    assert_eq!(value["status"], "diverged");
    assert_eq!(value["stability"]["stable"], false);
    assert!(String::from_utf8_lossy(&json.stderr).contains("diverged:"));
}

#[test]
fn max_in_flight_of_zero_is_refused_with_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["run", "scenarios/shop.json", "--max-in-flight", "0"])
        .output()
        .expect("archsim runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-in-flight"));
}
