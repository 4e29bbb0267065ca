//! The engine against queueing theory: closed-form results for M/M/1, M/M/c,
//! M/D/1, M/M/1/K, tandem and feed-forward (Jackson) networks, Little's law,
//! and the utilization of a blocking caller.
//!
//! Tolerances are the engine's accuracy goals (utilization ±0.01, means ±3%, p99 ±3%,
//! loss ±5%). Run lengths are chosen so that the statistical error is well
//! inside them: each test states the standard deviation of its estimates
//! over 20 seeds at its run length (tolerance ≥ 3 standard deviations, most
//! ≥ 4), so a failure means a bias, not bad luck.

use archsim::metrics::Summary;
use archsim::model::{self, Scenario, Topology};
use archsim::sim::Simulation;
use serde_json::{Value, json};

/// Runs `topology` (JSON) for `duration_s` after `warmup_s` of warm-up.
pub fn run_json(topology: Value, duration_s: f64, warmup_s: f64, seed: u64) -> Summary {
    let mut scenario = Scenario::new("test", duration_s);
    scenario.warmup_s = warmup_s;
    scenario.seed = seed;
    run_scenario(topology, scenario)
}

/// Runs `scenario` of `topology` (JSON) to the end.
pub fn run_scenario(topology: Value, scenario: Scenario) -> Summary {
    let topology: Topology = serde_json::from_value(topology).expect("test topology parses");
    let checked = model::check(topology).expect("test topology is valid");
    Simulation::new(&checked.check_scenario(scenario).expect("valid scenario"))
        .expect("simulation builds")
        .run()
}

/// Erlang C: probability that an arrival waits in an M/M/c queue with
/// offered load `a = λ/μ` (in erlangs).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by the stable recurrence, then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho + rho * b)
}

/// Mean wait in an M/M/c queue, in the unit of `mean_service`.
pub fn mmc_wait(c: u32, lambda: f64, mean_service: f64) -> f64 {
    let a = lambda * mean_service;
    erlang_c(c, a) * mean_service / (f64::from(c) - a)
}

fn assert_rel(label: &str, got: f64, want: f64, tolerance: f64) {
    let rel = (got - want).abs() / want.abs();
    assert!(
        rel <= tolerance,
        "{label}: got {got}, theory {want} (relative error {rel:.4} > {tolerance})"
    );
}

fn assert_abs(label: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{label}: got {got}, theory {want} (tolerance {tolerance})"
    );
}

fn single(workers: u64, service_time: Value, rate_rps: f64) -> Value {
    json!({
        "name": "single",
        "services": [{"name": "s", "workers": workers, "service_time": service_time}],
        "workload": [{"name": "in", "to": "s", "rate_rps": rate_rps}]
    })
}

#[test]
fn erlang_c_matches_known_values() {
    // M/M/1: P(wait) = ρ.
    assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
    // Textbook value: c = 2, a = 1 → 1/3.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn mm1_utilization_wait_response_and_p99() {
    // Sized for 20-seed standard deviations of 0.05% (utilization), 0.45%
    // (mean wait), 0.3% (mean response) and 0.75% (p99).
    // λ = 70/s, μ = 100/s, ρ = 0.7.
    let (lambda, mean_s) = (70.0, 0.010);
    let s = run_json(
        single(1, json!({"dist": "exponential", "mean_ms": 10}), lambda),
        50_000.0,
        100.0,
        11,
    );
    let svc = s.service("s").expect("service");
    let wait_ms = 1e3 * mmc_wait(1, lambda, mean_s);
    let response_ms = wait_ms + 10.0;
    assert_abs("M/M/1 utilization", svc.utilization, 0.7, 0.01);
    assert_rel("M/M/1 mean wait", svc.wait_ms.mean, wait_ms, 0.03);
    assert_rel(
        "M/M/1 mean response",
        svc.response_ms.mean,
        response_ms,
        0.03,
    );
    // The sojourn time is exponential with rate μ − λ: p99 = ln(100)/(μ − λ).
    let p99_ms = 1e3 * 100f64.ln() / (100.0 - lambda);
    assert_rel("M/M/1 response p99", svc.response_ms.p99, p99_ms, 0.03);
    let entry = s.entry("in").expect("entry");
    assert_rel("M/M/1 entry p99", entry.latency_ms.p99, p99_ms, 0.03);
    assert_rel("M/M/1 entry mean", entry.latency_ms.mean, response_ms, 0.03);
}

#[test]
fn mmc_matches_erlang_c() {
    // 20-seed standard deviation of the mean wait: 0.75%.
    // c = 4, μ = 100/s per worker, λ = 320/s: ρ = 0.8.
    let (lambda, mean_s) = (320.0, 0.010);
    let s = run_json(
        single(4, json!({"dist": "exponential", "mean_ms": 10}), lambda),
        12_000.0,
        50.0,
        12,
    );
    let svc = s.service("s").expect("service");
    let wait_ms = 1e3 * mmc_wait(4, lambda, mean_s);
    assert_abs("M/M/4 utilization", svc.utilization, 0.8, 0.01);
    assert_rel("M/M/4 mean wait", svc.wait_ms.mean, wait_ms, 0.03);
    assert_rel(
        "M/M/4 mean response",
        svc.response_ms.mean,
        wait_ms + 10.0,
        0.03,
    );
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    // 20-seed standard deviation of the mean wait: 0.75%.
    // Deterministic 10 ms service, λ = 80/s: Wq = ρ / (2μ(1 − ρ)).
    let s = run_json(
        single(1, json!({"dist": "constant", "ms": 10}), 80.0),
        18_000.0,
        50.0,
        13,
    );
    let svc = s.service("s").expect("service");
    let wait_ms = 0.8 / (2.0 * 100.0 * 0.2) * 1e3;
    assert_abs("M/D/1 utilization", svc.utilization, 0.8, 0.01);
    assert_rel("M/D/1 mean wait", svc.wait_ms.mean, wait_ms, 0.03);
    assert_rel(
        "M/D/1 mean response",
        svc.response_ms.mean,
        wait_ms + 10.0,
        0.03,
    );
}

#[test]
fn mm1k_loss_probability() {
    // 20-seed standard deviation of the loss ratio: 0.85% (tolerance 5%).
    // K = 5 places (1 in service + 4 waiting), ρ = 0.9:
    // P(loss) = (1 − ρ) ρ^K / (1 − ρ^(K+1)).
    let rho: f64 = 0.9;
    let k = 5;
    let topology = json!({
        "name": "mm1k",
        "services": [{"name": "s", "queue_capacity": k - 1,
                      "service_time": {"dist": "exponential", "mean_ms": 10}}],
        "workload": [{"name": "in", "to": "s", "rate_rps": 90}]
    });
    let s = run_json(topology, 5_000.0, 10.0, 14);
    let svc = s.service("s").expect("service");
    let loss = (1.0 - rho) * rho.powi(k) / (1.0 - rho.powi(k + 1));
    let measured = svc.errors.rejected as f64 / svc.arrivals as f64;
    assert_rel("M/M/1/K loss probability", measured, loss, 0.05);
    // A rejected request fails its entry at once with the cause "rejected".
    let entry = s.entry("in").expect("entry");
    assert_eq!(entry.errors.rejected, svc.errors.rejected);
    assert_eq!(entry.failed, entry.errors.rejected);
}

#[test]
fn littles_law_links_queue_length_and_wait() {
    // Holds on every sample path up to edge effects: agreement to 0.01%.
    // M/M/2 at ρ = 0.85: L_q = λ W_q and L = λ W, from the run's own numbers.
    let s = run_json(
        single(2, json!({"dist": "exponential", "mean_ms": 10}), 170.0),
        3_000.0,
        20.0,
        15,
    );
    let svc = s.service("s").expect("service");
    let lambda = svc.arrivals_rps;
    assert_rel(
        "L_q = λ W_q",
        svc.queue_length_mean,
        lambda * svc.wait_ms.mean / 1e3,
        0.01,
    );
    let in_system = svc.queue_length_mean + svc.busy_workers_mean;
    assert_rel(
        "L = λ W",
        in_system,
        lambda * svc.response_ms.mean / 1e3,
        0.01,
    );
}

#[test]
fn tandem_queues_add_up() {
    // 20-seed standard deviation of A's mean wait (the noisiest): 0.75%.
    // A → B, both M/M/1 (A async, so its worker is free while B works: by
    // Burke's theorem B sees Poisson arrivals). λ = 60/s, μA = 100/s, μB = 125/s.
    let topology = json!({
        "name": "tandem",
        "services": [
            {"name": "a", "blocking_calls": false, "service_time": {"dist": "exponential", "mean_ms": 10},
             "calls": [{"to": "b"}]},
            {"name": "b", "service_time": {"dist": "exponential", "mean_ms": 8}}
        ],
        "workload": [{"name": "in", "to": "a", "rate_rps": 60}]
    });
    let s = run_json(topology, 18_000.0, 50.0, 16);
    let wait_a_ms = 1e3 * mmc_wait(1, 60.0, 0.010);
    let wait_b_ms = 1e3 * mmc_wait(1, 60.0, 0.008);
    let a = s.service("a").expect("a");
    let b = s.service("b").expect("b");
    assert_abs("A utilization", a.utilization, 0.6, 0.01);
    assert_abs("B utilization", b.utilization, 0.48, 0.01);
    assert_rel("A mean wait", a.wait_ms.mean, wait_a_ms, 0.03);
    assert_rel("B mean wait", b.wait_ms.mean, wait_b_ms, 0.03);
    let end_to_end_ms = wait_a_ms + 10.0 + wait_b_ms + 8.0;
    assert_rel(
        "end-to-end mean",
        s.entry("in").expect("entry").latency_ms.mean,
        end_to_end_ms,
        0.03,
    );
}

#[test]
fn feed_forward_async_network_matches_erlang_c_per_service() {
    // 20-seed standard deviation of the worst of the four mean waits: 1%;
    // of the end-to-end mean: 0.15%.
    // gw calls a (p = 0.6) then b (p = 0.5); a calls db (p = 0.5); b calls db.
    // All async with exponential times: each service is an M/M/c queue at
    // its derived arrival rate (product form), and the end-to-end mean is
    // the sum over services of expected visits × mean response time there.
    let topology = json!({
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
             "calls": [{"to": "db"}]},
            {"name": "db", "workers": 3, "service_time": {"dist": "exponential", "mean_ms": 6}}
        ],
        "workload": [{"name": "in", "to": "gw", "rate_rps": 300}]
    });
    let s = run_json(topology, 8_000.0, 20.0, 17);
    let lambda = 300.0;
    // (name, workers, mean service s, expected visits per request)
    let nodes = [
        ("gw", 2, 0.004, 1.0),
        ("a", 2, 0.005, 0.6),
        ("b", 1, 0.003, 0.5),
        ("db", 3, 0.006, 0.8),
    ];
    let mut end_to_end_ms = 0.0;
    for (name, workers, mean_s, visits) in nodes {
        let svc = s.service(name).expect("service");
        let rate = lambda * visits;
        let wait_ms = 1e3 * mmc_wait(workers, rate, mean_s);
        assert_rel(
            &format!("{name} arrival rate"),
            svc.arrivals_rps,
            rate,
            0.02,
        );
        assert_abs(
            &format!("{name} utilization"),
            svc.utilization,
            rate * mean_s / f64::from(workers),
            0.01,
        );
        assert_rel(
            &format!("{name} mean wait"),
            svc.wait_ms.mean,
            wait_ms,
            0.03,
        );
        end_to_end_ms += visits * (wait_ms + 1e3 * mean_s);
    }
    assert_rel(
        "end-to-end mean",
        s.entry("in").expect("entry").latency_ms.mean,
        end_to_end_ms,
        0.03,
    );
}

#[test]
fn blocking_caller_utilization_includes_downstream_time() {
    // A: 2 workers, 2 ms of own work, then a call to B (5 ms mean, never
    // queues). Blocking: a worker is held 2 + 5 ms; async: 2 ms.
    let topology = |blocking: bool| {
        json!({
            "name": "blocking",
            "services": [
                {"name": "a", "workers": 2, "blocking_calls": blocking,
                 "service_time": {"dist": "constant", "ms": 2}, "calls": [{"to": "b"}]},
                {"name": "b", "workers": 64, "service_time": {"dist": "exponential", "mean_ms": 5}}
            ],
            "workload": [{"name": "in", "to": "a", "rate_rps": 100}]
        })
    };
    let blocking = run_json(topology(true), 2_000.0, 10.0, 18);
    assert_abs(
        "blocking caller utilization",
        blocking.service("a").expect("a").utilization,
        0.35,
        0.01,
    );
    let async_ = run_json(topology(false), 2_000.0, 10.0, 18);
    assert_abs(
        "async caller utilization",
        async_.service("a").expect("a").utilization,
        0.10,
        0.01,
    );
    // The callee is the same either way.
    assert_abs(
        "callee utilization",
        blocking.service("b").expect("b").utilization,
        100.0 * 0.005 / 64.0,
        0.001,
    );
}

/// The summary as JSON without the wall-clock field.
fn json_without_wall_clock(summary: &Summary) -> String {
    let mut value = serde_json::to_value(summary).expect("summary serializes");
    value.as_object_mut().expect("object").remove("wall_s");
    serde_json::to_string(&value).expect("json")
}

#[test]
fn same_file_scenario_and_seed_give_identical_json() {
    let text = include_str!("../scenarios/shop.json");
    let run = || {
        let topology = model::from_json_str(text).expect("shop.json parses");
        let checked = model::check(topology).expect("shop.json is valid");
        let scenario = archsim::model::find_scenario(checked.topology(), None)
            .cloned()
            .expect("scenario");
        let mut scenario = scenario;
        scenario.duration_s = 60.0;
        scenario.warmup_s = 5.0;
        Simulation::new(
            &checked
                .check_scenario(scenario.clone())
                .expect("valid scenario"),
        )
        .expect("builds")
        .run()
    };
    let (first, second) = (run(), run());
    assert!(first.events > 100_000);
    assert_eq!(
        json_without_wall_clock(&first),
        json_without_wall_clock(&second)
    );
}

#[test]
fn adding_an_unrelated_service_does_not_change_the_others() {
    let base = json!({
        "name": "streams",
        "services": [
            {"name": "front", "workers": 2, "service_time": {"dist": "exponential", "mean_ms": 5},
             "calls": [{"to": "back", "probability": 0.7}]},
            {"name": "back", "load_balancer": "random", "replicas": 3,
             "service_time": {"dist": "lognormal", "median_ms": 3, "p99_ms": 20}}
        ],
        "workload": [{"name": "in", "to": "front", "rate_rps": 150}]
    });
    let mut extended = base.clone();
    extended["services"].as_array_mut().expect("array").insert(
        0,
        json!({"name": "other", "service_time": {"dist": "exponential", "mean_ms": 2}, "workers": 3}),
    );
    extended["workload"]
        .as_array_mut()
        .expect("array")
        .push(json!({"name": "other in", "to": "other", "rate_rps": 50.0}));
    let a = run_json(base, 200.0, 0.0, 19);
    let b = run_json(extended, 200.0, 0.0, 19);
    assert!(b.service("other").expect("other").completed > 9_000);
    for name in ["front", "back"] {
        let (x, y) = (
            a.service(name).expect("service"),
            b.service(name).expect("service"),
        );
        assert_eq!(x.arrivals, y.arrivals, "{name}");
        assert_eq!(x.response_ms, y.response_ms, "{name}");
        assert_eq!(x.utilization, y.utilization, "{name}");
    }
    assert_eq!(
        a.entry("in").expect("entry").latency_ms,
        b.entry("in").expect("entry").latency_ms
    );
}
