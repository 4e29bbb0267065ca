//! The queueing estimate (`graph::queueing`): exact against closed forms
//! on M/M/1, M/M/c, M/G/1 and Jackson networks, inside the simulation's
//! replicated intervals there, and where it is shown (run and analyze
//! JSON, replicated too; the run table, with flags and reasons where the
//! simulation differs).

use std::process::Command;
use std::sync::atomic::AtomicBool;

use archsim::experiment;
use archsim::graph::{self, queueing};
use archsim::model::{self, Topology};
use serde_json::{Value, json};

use super::engine_fidelity::mmc_wait;

fn checked(topology: Value) -> model::Checked {
    let topology: Topology = serde_json::from_value(topology).expect("test topology parses");
    model::check(topology).expect("test topology is valid")
}

fn estimate(topology: Value) -> queueing::QueueingEstimate {
    queueing::estimate(&checked(topology), 1.0)
}

fn assert_rel(label: &str, got: f64, want: f64, tolerance: f64) {
    let rel = (got - want).abs() / want.abs();
    assert!(
        rel <= tolerance,
        "{label}: got {got}, want {want} (relative error {rel:.5} > {tolerance})"
    );
}

/// One service `s` with `workers` workers, exponential work of `mean_ms`,
/// Poisson arrivals at `rate_rps`.
fn mmc(workers: u64, replicas: u64, balancer: &str, mean_ms: f64, rate_rps: f64) -> Value {
    json!({
        "name": "mmc",
        "services": [{"name": "s", "workers": workers, "replicas": replicas,
                      "load_balancer": balancer,
                      "service_time": {"dist": "exponential", "mean_ms": mean_ms}}],
        "workload": [{"name": "in", "to": "s", "rate_rps": rate_rps}]
    })
}

#[test]
fn mm1_is_exact() {
    // ρ = 0.7, E[S] = 10 ms: Wq = ρ/(1 − ρ)·E[S], W = E[S]/(1 − ρ).
    let e = estimate(mmc(1, 1, "round_robin", 10.0, 70.0));
    let s = e.service("s").expect("s");
    assert_rel("utilization", s.utilization, 0.7, 1e-9);
    assert_rel("wait", s.wait_ms, 0.7 / 0.3 * 10.0, 1e-9);
    assert_rel("response", s.response_ms, 10.0 / 0.3, 1e-9);
    assert_rel(
        "latency",
        e.entry("in").expect("in").latency_ms,
        10.0 / 0.3,
        1e-9,
    );
    assert!(s.is_markovian());
}

#[test]
fn mmc_is_erlang_c() {
    // M/M/4 at ρ = 0.8, and the same pooled by least_outstanding over two
    // replicas of two workers.
    let want_ms = 1e3 * mmc_wait(4, 320.0, 0.010);
    for topology in [
        mmc(4, 1, "round_robin", 10.0, 320.0),
        mmc(2, 2, "least_outstanding", 10.0, 320.0),
    ] {
        let e = estimate(topology);
        let s = e.service("s").expect("s");
        assert_rel("M/M/4 wait", s.wait_ms, want_ms, 1e-9);
        assert_rel("M/M/4 response", s.response_ms, want_ms + 10.0, 1e-9);
    }
    // Random balancing splits Poisson arrivals into Poisson arrivals: three
    // M/M/2 queues at a third of the rate each.
    let e = estimate(mmc(2, 3, "random", 10.0, 450.0));
    let s = e.service("s").expect("s");
    assert_rel(
        "3 × M/M/2 wait",
        s.wait_ms,
        1e3 * mmc_wait(2, 150.0, 0.010),
        1e-9,
    );
    assert_rel("3 × M/M/2 utilization", s.utilization, 0.75, 1e-9);
}

#[test]
fn mg1_is_pollaczek_khinchine() {
    // M/G/1: Wq = λ·E[S²] / (2(1 − ρ)). Allen–Cunneen is exact for one server.
    let cases = [
        (json!({"dist": "constant", "ms": 10}), 100.0),
        (
            json!({"dist": "erlang", "k": 4, "mean_ms": 10}),
            100.0 + 25.0,
        ),
        (
            json!({"dist": "uniform", "min_ms": 0, "max_ms": 20}),
            100.0 + 400.0 / 12.0,
        ),
    ];
    for (dist, second_moment) in cases {
        let e = estimate(json!({
            "name": "mg1",
            "services": [{"name": "s", "service_time": dist}],
            "workload": [{"name": "in", "to": "s", "rate_rps": 60}]
        }));
        let lambda_per_ms = 0.06;
        let want = lambda_per_ms * second_moment / (2.0 * (1.0 - 0.6));
        assert_rel("M/G/1 wait", e.service("s").expect("s").wait_ms, want, 1e-9);
    }
}

/// The feed-forward Jackson network of the engine's fidelity tests: every
/// service async (no blocking), exponential work, Poisson arrivals.
fn jackson() -> Value {
    json!({
        "name": "network",
        "services": [
            {"name": "gw", "workers": 2, "blocking_calls": false,
             "service_time": {"dist": "exponential", "mean_ms": 4},
             "calls": [{"to": "a", "probability": 0.6}, {"to": "b", "probability": 0.5}]},
            {"name": "a", "workers": 2, "blocking_calls": false,
             "service_time": {"dist": "exponential", "mean_ms": 5},
             "calls": [{"to": "db", "probability": 0.5}]},
            {"name": "b", "blocking_calls": false,
             "service_time": {"dist": "exponential", "mean_ms": 3},
             "calls": [{"to": "db", "count": 2}]},
            {"name": "db", "workers": 3, "service_time": {"dist": "exponential", "mean_ms": 6}}
        ],
        "workload": [{"name": "in", "to": "gw", "rate_rps": 250}]
    })
}

/// (name, workers, mean service s, expected visits per request) of [`jackson`].
const JACKSON: [(&str, u32, f64, f64); 4] = [
    ("gw", 2, 0.004, 1.0),
    ("a", 2, 0.005, 0.6),
    ("b", 1, 0.003, 0.5),
    ("db", 3, 0.006, 1.3),
];

#[test]
fn jackson_network_is_exact() {
    let e = estimate(jackson());
    assert!(e.converged);
    let mut end_to_end_ms = 0.0;
    for (name, workers, mean_s, visits) in JACKSON {
        let s = e.service(name).expect("service");
        let rate = 250.0 * visits;
        let wait_ms = 1e3 * mmc_wait(workers, rate, mean_s);
        assert!(s.is_markovian(), "{name}: arrivals and work are Markovian");
        assert_rel(&format!("{name} arrivals"), s.arrival_rate_rps, rate, 1e-9);
        assert_rel(
            &format!("{name} utilization"),
            s.utilization,
            rate * mean_s / f64::from(workers),
            1e-9,
        );
        assert_rel(&format!("{name} wait"), s.wait_ms, wait_ms, 1e-9);
        end_to_end_ms += visits * (wait_ms + 1e3 * mean_s);
    }
    assert_rel(
        "end-to-end mean",
        e.entry("in").expect("in").latency_ms,
        end_to_end_ms,
        1e-9,
    );
}

static NEVER: AtomicBool = AtomicBool::new(false);
static NOTHING: fn() = || {};

/// Replicates `topology` (one scenario of `duration_s`, a tenth of it
/// warm-up) `replications` times with 99% intervals.
fn replicated(topology: Value, duration_s: f64, replications: u64) -> experiment::Replicated {
    let mut topology = topology;
    topology["scenarios"] = json!([{"name": "steady", "duration_s": duration_s,
                                    "warmup_s": duration_s / 10.0, "seed": 11}]);
    let run = checked(topology).scenario(None).expect("scenario runs");
    let plan = experiment::Plan {
        replications,
        confidence: 0.99,
        jobs: experiment::default_jobs(),
        max_in_flight: archsim::sim::DEFAULT_MAX_IN_FLIGHT,
    };
    let control = experiment::Control {
        cancel: &NEVER,
        on_run_done: &NOTHING,
    };
    experiment::replicate(&run, &plan, control).expect("replicates")
}

fn assert_within(label: &str, interval: Option<[f64; 2]>, exact: f64) {
    let [lo, hi] = interval.unwrap_or_else(|| panic!("{label}: no interval"));
    assert!(
        lo <= exact && exact <= hi,
        "{label}: the closed form {exact} is outside the simulation's 99% interval [{lo}, {hi}]"
    );
}

#[test]
fn replicated_mm1_and_mmc_means_hold_the_closed_form_in_their_intervals() {
    // M/M/1 at ρ = 0.5 (E[S] = 1 ms): sojourn 2 ms. M/M/4 at ρ = 0.8
    // (E[S] = 10 ms): Erlang C wait 7.46 ms, sojourn 17.46 ms. The estimate
    // gives both exactly, and the simulation agrees within its noise.
    let cases = [
        ("M/M/1", mmc(1, 1, "round_robin", 1.0, 500.0), 30.0, 2.0),
        (
            "M/M/4",
            mmc(4, 1, "round_robin", 10.0, 320.0),
            60.0,
            10.0 + 1e3 * mmc_wait(4, 320.0, 0.010),
        ),
    ];
    for (label, topology, duration_s, exact_ms) in cases {
        let e = estimate(topology.clone());
        assert_rel(label, e.entry("in").expect("in").latency_ms, exact_ms, 1e-9);
        let r = replicated(topology, duration_s, 10);
        assert_within(
            &format!("{label} latency"),
            r.entry_ci("in", "latency_ms.mean"),
            exact_ms,
        );
        assert_within(
            &format!("{label} response"),
            r.service_ci("s", "response_ms.mean"),
            exact_ms,
        );
        assert_within(
            &format!("{label} wait"),
            r.service_ci("s", "wait_ms.mean"),
            exact_ms - e.service("s").expect("s").hold_ms,
        );
        // The averaged summary carries the estimate beside its figures.
        let attached = {
            let mut summary = r.summary.clone();
            e.attach(&mut summary);
            summary
        };
        assert_eq!(
            attached.entrypoints[0]
                .estimate
                .and_then(|x| x.latency_ms_mean),
            Some(e.entry("in").expect("in").latency_ms)
        );
    }
}

#[test]
fn replicated_jackson_network_holds_the_estimate_in_its_intervals() {
    // The estimate is exact here (see `jackson_network_is_exact`), so the
    // simulation's 99% intervals hold it: per service utilization and mean
    // response, and the end-to-end mean.
    let e = estimate(jackson());
    let r = replicated(jackson(), 120.0, 10);
    for (name, _, _, _) in JACKSON {
        let est = e.service(name).expect("estimate");
        assert_within(
            &format!("{name} utilization"),
            r.service_ci(name, "utilization"),
            est.utilization,
        );
        assert_within(
            &format!("{name} response"),
            r.service_ci(name, "response_ms.mean"),
            est.response_ms,
        );
    }
    assert_within(
        "end-to-end mean",
        r.entry_ci("in", "latency_ms.mean"),
        e.entry("in").expect("in").latency_ms,
    );
}

#[test]
fn blocking_callers_hold_workers_for_the_downstream_response() {
    // a: 2 workers, 2 ms own work, then b (5 ms exponential, ρ = 0.5): a
    // blocking worker is held for its own work plus b's whole response.
    let topology = |blocking: bool| {
        json!({
            "name": "blocking",
            "services": [
                {"name": "a", "workers": 2, "blocking_calls": blocking,
                 "service_time": {"dist": "constant", "ms": 2}, "calls": [{"to": "b"}]},
                {"name": "b", "service_time": {"dist": "exponential", "mean_ms": 5}}
            ],
            "workload": [{"name": "in", "to": "a", "rate_rps": 100}]
        })
    };
    let blocking = estimate(topology(true));
    let a = blocking.service("a").expect("a");
    let b = blocking.service("b").expect("b");
    assert_rel("held", a.hold_ms, 2.0 + b.response_ms, 1e-9);
    // a's queue smooths the calls into b, so b waits no longer than an
    // M/M/1 (response 10 ms), and not much less at this load.
    assert!(b.scv_arrival < 1.0 && b.response_ms <= 10.0, "{b:?}");
    assert_rel("b response near M/M/1", b.response_ms, 10.0, 0.05);
    assert_rel(
        "blocking utilization",
        a.utilization,
        100.0 * a.hold_ms / 1e3 / 2.0,
        1e-9,
    );
    let async_ = estimate(topology(false));
    assert_rel(
        "async utilization",
        async_.service("a").expect("a").utilization,
        0.1,
        1e-9,
    );
    // Holding workers longer makes the caller wait longer.
    assert!(a.wait_ms > async_.service("a").expect("a").wait_ms);
    // And the analysis' no-queueing utilization stays the lower bound.
    let analysis = graph::analyze(&checked(topology(true)));
    assert!(analysis.services[0].utilization < a.utilization);
}

#[test]
fn parallel_groups_take_the_expected_maximum() {
    // Two parallel calls to two M/M/1 queues at 50/s: x (5 ms, ρ = 0.25)
    // answers in 5/0.75 ms, y (10 ms, ρ = 0.5) in 20 ms, both exponential:
    // E[max] = rx + ry − 1/(1/rx + 1/ry).
    let e = estimate(json!({
        "name": "fork",
        "services": [
            {"name": "gw", "workers": 100, "blocking_calls": false,
             "service_time": {"dist": "constant", "ms": 0},
             "calls": [{"parallel": [{"to": "x"}, {"to": "y"}]}]},
            {"name": "x", "service_time": {"dist": "exponential", "mean_ms": 5}},
            {"name": "y", "service_time": {"dist": "exponential", "mean_ms": 10}}
        ],
        "workload": [{"name": "in", "to": "gw", "rate_rps": 50}]
    }));
    let (rx, ry) = (5.0 / 0.75, 20.0);
    assert_rel(
        "x response",
        e.service("x").expect("x").response_ms,
        rx,
        1e-9,
    );
    assert_rel(
        "y response",
        e.service("y").expect("y").response_ms,
        ry,
        1e-9,
    );
    let want = rx + ry - 1.0 / (1.0 / rx + 1.0 / ry);
    assert_rel(
        "fork-join",
        e.entry("in").expect("in").latency_ms,
        want,
        1e-9,
    );
}

#[test]
fn overload_has_no_steady_state() {
    // ρ = 1.2 at b: no steady state at b, nor at its blocking caller.
    let e = estimate(json!({
        "name": "over",
        "services": [
            {"name": "a", "workers": 8, "service_time": {"dist": "constant", "ms": 1},
             "calls": [{"to": "b"}]},
            {"name": "b", "service_time": {"dist": "exponential", "mean_ms": 12}}
        ],
        "workload": [{"name": "in", "to": "a", "rate_rps": 100}]
    }));
    let b = e.service("b").expect("b").estimate();
    assert_rel("b offered load", b.utilization.expect("finite"), 1.2, 1e-9);
    assert_eq!(b.wait_ms_mean, None);
    assert_eq!(b.response_ms_mean, None);
    assert_eq!(e.service("a").expect("a").estimate().utilization, None);
    assert_eq!(e.entry("in").expect("in").estimate().latency_ms_mean, None);
}

#[test]
fn services_calling_each_other_converge() {
    // a.x → b.y → a.z: a cycle between services, not between operations.
    let e = estimate(json!({
        "name": "cycle",
        "services": [
            {"name": "a", "blocking_calls": false, "operations": [
                {"name": "x", "service_time": {"dist": "exponential", "mean_ms": 2},
                 "calls": [{"to": "b", "operation": "y"}]},
                {"name": "z", "service_time": {"dist": "exponential", "mean_ms": 3}}]},
            {"name": "b", "blocking_calls": false, "operations": [
                {"name": "y", "service_time": {"dist": "exponential", "mean_ms": 4},
                 "calls": [{"to": "a", "operation": "z"}]}]}
        ],
        "workload": [{"name": "in", "to": "a", "operation": "x", "rate_rps": 50}]
    }));
    assert!(e.converged);
    // a sees 100/s, half x (2 ms) and half z (3 ms), both exponential: a
    // hyperexponential mix, E[S] = 2.5 ms, E[S²] = 13 ms². With Poisson
    // arrivals Pollaczek–Khinchine gives Wq = λE[S²] / 2(1 − ρ); the
    // arrivals fed back through b are nearly Poisson (within 1%).
    let a = e.service("a").expect("a");
    assert_rel("a arrivals", a.arrival_rate_rps, 100.0, 1e-9);
    assert_rel("a utilization", a.utilization, 0.25, 1e-9);
    assert_rel("a wait", a.wait_ms, 0.1 * 13.0 / (2.0 * 0.75), 0.01);
}

#[test]
fn scenarios_apply_their_overrides_and_average_their_load() {
    let topology: Topology = serde_json::from_value(json!({
        "name": "scenario",
        "services": [{"name": "s", "service_time": {"dist": "exponential", "mean_ms": 10}}],
        "workload": [{"name": "in", "to": "s", "rate_rps": 40}],
        "scenarios": [
            {"name": "double", "duration_s": 100,
             "load": [{"at_s": 0, "multiplier": 2}]},
            {"name": "two workers", "duration_s": 100,
             "overrides": [{"service": "s", "set": {"workers": 2}}]}
        ]
    }))
    .expect("parses");
    let checked = model::check(topology).expect("valid");
    let scenario = |name: &str| checked.scenario(Some(name)).expect("scenario runs");
    let double = queueing::estimate_scenario(&scenario("double")).expect("estimate");
    assert_rel("multiplier", double.load_multiplier, 2.0, 1e-9);
    assert_rel(
        "utilization at 2×",
        double.service("s").expect("s").utilization,
        0.8,
        1e-9,
    );
    let two = queueing::estimate_scenario(&scenario("two workers")).expect("estimate");
    assert_rel(
        "wait with two workers",
        two.service("s").expect("s").wait_ms,
        1e3 * mmc_wait(2, 40.0, 0.010),
        1e-9,
    );
}

fn archsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("archsim runs")
}

#[test]
fn run_and_analyze_json_carry_the_estimate() {
    let output = archsim(&[
        "run",
        "scenarios/three-tier.json",
        "--duration-s",
        "30",
        "--json",
        "-",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let run: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for service in run["services"].as_array().expect("services") {
        let estimate = &service["estimate"];
        for key in ["utilization", "wait_ms_mean", "response_ms_mean"] {
            assert!(estimate[key].is_f64(), "{service}: estimate.{key}");
        }
    }
    for entry in run["entrypoints"].as_array().expect("entries") {
        assert!(entry["estimate"]["latency_ms_mean"].is_f64(), "{entry}");
    }
    let output = archsim(&["analyze", "scenarios/three-tier.json", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let analysis: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for service in analysis["services"].as_array().expect("services") {
        assert!(service["estimate"]["utilization"].is_f64(), "{service}");
        assert!(
            service["estimate"]["response_ms_mean"].is_f64(),
            "{service}"
        );
    }
    for entry in analysis["entries"].as_array().expect("entries") {
        assert!(entry["estimate"]["latency_ms_mean"].is_f64(), "{entry}");
    }
}

#[test]
fn the_run_table_flags_retries_and_timeouts_as_the_likely_reason() {
    let output = archsim(&[
        "run",
        "scenarios/retry-storm.json",
        "--scenario",
        "retry storm",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let section = text
        .split("Queueing estimate vs simulation")
        .nth(1)
        .expect("the estimate section");
    let flagged: Vec<&str> = section.lines().filter(|l| l.contains("! ")).collect();
    assert!(!flagged.is_empty(), "{section}");
    assert!(
        flagged
            .iter()
            .any(|l| l.contains("retries") || l.contains("timeouts") || l.contains("overload")),
        "{section}"
    );
}

#[test]
fn a_calm_markovian_run_agrees_with_its_estimate() {
    // M/M/2 at ρ = 0.6 for 300 s: nothing to flag.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mm2.json");
    std::fs::write(&path, mmc(2, 1, "round_robin", 10.0, 120.0).to_string()).expect("writes");
    let output = archsim(&["run", path.to_str().expect("UTF-8"), "--duration-s", "300"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let section = text
        .split("Queueing estimate vs simulation")
        .nth(1)
        .expect("the estimate section");
    // Below the heading (which explains `!`), no row is flagged.
    assert!(
        section.lines().skip(1).all(|l| !l.contains("! ")),
        "{section}"
    );
    assert!(section.contains("entry in"), "{section}");
}

#[test]
fn replicated_run_json_carries_the_same_estimate_beside_the_averages() {
    let json = |extra: &[&str]| -> Value {
        let mut args = vec![
            "run",
            "scenarios/three-tier.json",
            "--duration-s",
            "40",
            "--json",
            "-",
        ];
        args.extend_from_slice(extra);
        let output = archsim(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON")
    };
    let single = json(&[]);
    let replicated = json(&["--replications", "3", "--jobs", "2"]);
    assert_eq!(replicated["replications"], json!(3));
    for list in ["services", "entrypoints"] {
        let one = single[list].as_array().expect("list");
        let many = replicated[list].as_array().expect("list");
        assert_eq!(one.len(), many.len());
        for (a, b) in one.iter().zip(many) {
            assert!(b["ci"].is_object(), "{b}");
            assert!(b["estimate"].is_object(), "{b}");
            // The estimate does not depend on the seed.
            assert_eq!(a["estimate"], b["estimate"], "{list}: {}", a["name"]);
        }
    }
}
