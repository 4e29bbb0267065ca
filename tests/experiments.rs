//! Replications, sweeps and capacity search against queueing theory: the
//! intervals cover the exact M/M/1 mean as often as they claim, max-load and
//! min-replicas find the closed-form answers, sweeps move the way theory
//! says, results do not depend on `--jobs`, and bad SPECs are refused
//! before anything runs. Runs are short; many seeds run in parallel.

use std::sync::atomic::AtomicBool;

use archsim::experiment::capacity::{self, Answer, Find, Options};
use archsim::experiment::sweep::{CsvWriter, JsonWriter, Sweep};
use archsim::experiment::{self, Control, Plan, ScenarioChoice, replication_seed};
use archsim::metrics::Summary;
use archsim::model::{self, Checked, Slo};
use rayon::prelude::*;
use serde_json::{Value, json};

use super::engine_fidelity::mmc_wait;

static NEVER: AtomicBool = AtomicBool::new(false);
static NOTHING: fn() = || {};

fn quiet() -> Control<'static> {
    Control {
        cancel: &NEVER,
        on_run_done: &NOTHING,
    }
}

fn checked(topology: Value) -> Checked {
    model::load_checked_str(&topology.to_string(), "test.json").expect("test topology is valid")
}

/// One exponential service (`workers` workers, mean `mean_ms`) fed Poisson
/// arrivals at `rate_rps`, with one scenario.
fn queue(workers: u64, mean_ms: f64, rate_rps: f64, duration_s: f64, warmup_s: f64) -> Value {
    json!({
        "name": "queue",
        "services": [{"name": "app", "workers": workers,
                      "service_time": {"dist": "exponential", "mean_ms": mean_ms}}],
        "workload": [{"name": "in", "to": "app", "rate_rps": rate_rps}],
        "scenarios": [{"name": "base", "duration_s": duration_s, "warmup_s": warmup_s, "seed": 1}]
    })
}

fn plan(replications: u64, jobs: usize) -> Plan {
    Plan {
        replications,
        confidence: 0.95,
        jobs,
        max_in_flight: archsim::sim::DEFAULT_MAX_IN_FLIGHT,
    }
}

fn scenario_of(c: &Checked, seed: u64) -> archsim::model::CheckedScenario {
    ScenarioChoice {
        name: None,
        seed: Some(seed),
        duration_s: None,
    }
    .resolve(c)
    .expect("scenario")
}

#[test]
fn replication_seeds_keep_the_first_and_differ() {
    assert_eq!(replication_seed(42, 0), 42);
    let seeds: std::collections::BTreeSet<u64> =
        (0..1000).map(|r| replication_seed(42, r)).collect();
    assert_eq!(seeds.len(), 1000);
    assert_ne!(replication_seed(42, 1), replication_seed(43, 1));
}

#[test]
fn mm1_mean_interval_covers_the_exact_mean_about_95_percent_of_the_time() {
    // M/M/1, μ = 1000/s, λ = 500/s: mean sojourn 1/(μ−λ) = 2 ms. 200
    // experiments of 5 replications (20 s, 2 s warm-up) at seeds 1..=200.
    let c = checked(queue(1, 1.0, 500.0, 20.0, 2.0));
    let exact_ms = 2.0;
    let covered: usize = (1..=200u64)
        .into_par_iter()
        .map(|seed| {
            let r = experiment::replicate(&scenario_of(&c, seed * 1000), &plan(5, 1), quiet())
                .expect("replicates");
            let [lo, hi] = r.entry_ci("in", "latency_ms.mean").expect("an interval");
            usize::from(lo <= exact_ms && exact_ms <= hi)
        })
        .sum();
    // Binomial(200, 0.95): 95% of outcomes fall in 184..=195. A z interval
    // in place of t (too narrow at 4 degrees of freedom) covers ~88%; s in
    // place of s/√n covers ~100%.
    assert!(
        (182..=197).contains(&covered),
        "covered {covered} of 200 (nominal 95%)"
    );
}

#[test]
fn mmc_replicated_mean_matches_erlang_c() {
    // M/M/4, mean 10 ms, λ = 320/s: wait 7.46 ms (Erlang C), sojourn 17.46 ms.
    let c = checked(queue(4, 10.0, 320.0, 200.0, 20.0));
    let r = experiment::replicate(&scenario_of(&c, 7), &plan(8, 2), quiet()).expect("runs");
    let exact_ms = 10.0 + mmc_wait(4, 320.0, 0.010) * 1000.0;
    let mean = r.summary.entrypoints[0].latency_ms.mean;
    let [lo, hi] = r.entry_ci("in", "latency_ms.mean").expect("interval");
    assert!(
        (mean - exact_ms).abs() / exact_ms < 0.03,
        "mean {mean}, exact {exact_ms}"
    );
    assert!(hi - lo < 0.1 * exact_ms, "interval [{lo}, {hi}] too wide");
    assert_eq!(r.replications, 8);
    assert!(r.service_ci("app", "utilization").is_some());
}

#[test]
fn replications_are_byte_identical_whatever_the_jobs() {
    let c = checked(queue(2, 5.0, 300.0, 10.0, 1.0));
    let s = scenario_of(&c, 3);
    let json = |jobs| {
        let mut r = experiment::replicate(&s, &plan(5, jobs), quiet()).expect("runs");
        r.summary.wall_s = 0.0;
        r.to_json_pretty()
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(4));
    let v: Value = serde_json::from_str(&one).expect("JSON");
    assert_eq!(v["replications"], 5);
    assert_eq!(v["confidence"], 0.95);
    for field in experiment::ENTRY_CI_FIELDS {
        let ci = &v["entrypoints"][0]["ci"][field];
        assert!(
            ci[0].as_f64().unwrap() <= ci[1].as_f64().unwrap(),
            "{field}: {ci}"
        );
    }
    for field in experiment::SERVICE_CI_FIELDS {
        assert!(v["services"][0]["ci"][field].is_array(), "{field}");
    }
    // Every key of a single run is still there.
    let single = archsim::sim::Simulation::new(&s).unwrap().run();
    let single: Value = serde_json::to_value(&single).unwrap();
    for key in single.as_object().unwrap().keys() {
        assert!(v.get(key).is_some(), "{key} is missing");
    }
}

#[test]
fn one_replication_is_the_plain_run() {
    let c = checked(queue(2, 5.0, 300.0, 10.0, 1.0));
    let s = scenario_of(&c, 3);
    let r = experiment::replicate(&s, &plan(1, 1), quiet()).expect("runs");
    let mut plain = archsim::sim::Simulation::new(&s).unwrap().run();
    plain.wall_s = r.summary.wall_s;
    assert_eq!(r.summary, plain);
    assert!(r.entry_ci[0].is_empty());
}

fn sweep_of(c: &Checked, specs: &[&str], replications: u64, jobs: usize) -> Sweep {
    let specs: Vec<String> = specs.iter().map(|s| (*s).to_owned()).collect();
    Sweep::new(
        c,
        ScenarioChoice::default(),
        &specs,
        plan(replications, jobs),
    )
    .expect("sweep is valid")
}

fn mean_latencies(sweep: &Sweep) -> Vec<f64> {
    let mut out = Vec::new();
    sweep
        .run(quiet(), |p| {
            out.push(p.result.summary.entrypoints[0].latency_ms.mean);
            Ok(())
        })
        .expect("sweep runs");
    out
}

#[test]
fn latency_rises_with_load_and_falls_with_replicas() {
    let c = checked(queue(1, 1.0, 200.0, 20.0, 2.0));
    let by_load = mean_latencies(&sweep_of(&c, &["load=0.5:4:0.5"], 2, 2));
    assert_eq!(by_load.len(), 8);
    assert!(by_load.windows(2).all(|w| w[0] < w[1]), "{by_load:?}");
    let c = checked(queue(1, 10.0, 150.0, 20.0, 2.0));
    let by_replicas = mean_latencies(&sweep_of(&c, &["replicas.app=2,3,4,6"], 2, 2));
    assert!(
        by_replicas.windows(2).all(|w| w[0] > w[1]),
        "{by_replicas:?}"
    );
}

#[test]
fn sweep_points_are_point_major_in_the_order_written() {
    let c = checked(queue(1, 1.0, 100.0, 5.0, 0.0));
    let sweep = sweep_of(&c, &["load=1,2", "workers.app=1:3:1"], 3, 1);
    assert_eq!(sweep.point_count(), 6);
    assert_eq!(sweep.unit_count(), 18);
    assert_eq!(sweep.unit(7), (2, 1));
    assert_eq!(sweep.point_label(4), "load=2.0, workers.app=2");
}

/// The sweep's CSV and JSON from `Sweep::run` with `jobs` threads.
fn outputs(sweep: &Sweep) -> (String, String) {
    let (mut csv, mut json) = (Vec::new(), Vec::new());
    {
        let mut c = CsvWriter::new(&mut csv, sweep).unwrap();
        let mut j = JsonWriter::new(&mut json, sweep).unwrap();
        sweep
            .run(quiet(), |p| {
                c.point(&p)?;
                j.point(&p)
            })
            .unwrap();
        c.finish().unwrap();
        j.finish().unwrap();
    }
    (
        String::from_utf8(csv).unwrap(),
        String::from_utf8(json).unwrap(),
    )
}

#[test]
fn sweeps_are_identical_whatever_the_jobs_and_when_units_run_apart() {
    let c = checked(queue(1, 2.0, 100.0, 5.0, 0.5));
    let specs = ["load=1:2:0.5", "replicas.app=1,2"];
    let (csv1, json1) = outputs(&sweep_of(&c, &specs, 3, 1));
    let (csv3, json3) = outputs(&sweep_of(&c, &specs, 3, 3));
    assert_eq!(csv1, csv3);
    assert_eq!(json1, json3);

    // As a cluster would: every unit on its own, saved as JSON, read back,
    // aggregated per point in order, written by the same writers.
    let sweep = sweep_of(&c, &specs, 3, 1);
    let saved: Vec<String> = (0..sweep.unit_count())
        .map(|u| {
            let (p, r) = sweep.unit(u);
            serde_json::to_string(&sweep.run_unit(p, r, &NEVER).unwrap()).unwrap()
        })
        .collect();
    let units: Vec<Summary> = saved
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    let (mut csv, mut json) = (Vec::new(), Vec::new());
    {
        let mut cw = CsvWriter::new(&mut csv, &sweep).unwrap();
        let mut jw = JsonWriter::new(&mut json, &sweep).unwrap();
        for (p, chunk) in units.chunks(3).enumerate() {
            let point = sweep.aggregate(p, chunk).unwrap();
            cw.point(&point).unwrap();
            jw.point(&point).unwrap();
        }
        cw.finish().unwrap();
        jw.finish().unwrap();
    }
    assert_eq!(String::from_utf8(csv).unwrap(), csv1);
    assert_eq!(String::from_utf8(json).unwrap(), json1);

    let header = csv1.lines().next().unwrap();
    assert_eq!(
        header,
        "load,replicas.app,entry,throughput_rps,throughput_rps.lo,throughput_rps.hi,success_ratio,success_ratio.lo,success_ratio.hi,latency_ms.mean,latency_ms.mean.lo,latency_ms.mean.hi,latency_ms.p50,latency_ms.p50.lo,latency_ms.p50.hi,latency_ms.p99,latency_ms.p99.lo,latency_ms.p99.hi,slo_met"
    );
    assert_eq!(csv1.lines().count(), 1 + 6);
    let v: Value = serde_json::from_str(&json1).expect("the JSON parses");
    assert_eq!(v["sweep"]["points"], 6);
    assert_eq!(
        v["points"][5]["vary"],
        json!({"load": 2.0, "replicas.app": 2})
    );
    assert_eq!(v["points"][5]["summary"]["replications"], 3);
}

fn sweep_error(c: &Checked, spec: &str) -> String {
    Sweep::new(c, ScenarioChoice::default(), &[spec.to_owned()], plan(1, 1))
        .expect_err(spec)
        .to_string()
}

#[test]
fn bad_specs_are_refused_with_where_and_how_before_anything_runs() {
    let c = checked(json!({
        "name": "two",
        "services": [
            {"name": "api", "service_time": {"dist": "exponential", "mean_ms": 1}, "calls": [{"to": "db"}]},
            {"name": "db", "service_time": {"dist": "exponential", "mean_ms": 1}}
        ],
        "workload": [{"name": "in", "to": "api", "rate_rps": 10}]
    }));
    for (spec, expected) in [
        (
            "replicas.dbb=1,2",
            "unknown service \"dbb\" (did you mean \"db\"?)",
        ),
        ("load=3:1:1", "empty"),
        ("workers.api=1,0", "workers"),
        ("timeout_ms.db>api=10", "makes no call"),
        ("set:/services/7/workers=2", "not a place"),
        ("set:/services/0/workers=2,-1", "workers=-1"),
        ("retries.api>db=1,x", "\"x\" is not a whole number"),
    ] {
        let message = sweep_error(&c, spec);
        assert!(message.contains(expected), "{spec}: {message}");
        assert!(
            message.contains(spec) || message.contains("point"),
            "{spec}: {message}"
        );
    }
    // The good forms pass and change what they say.
    let sweep = sweep_of(
        &c,
        &[
            "timeout_ms.api>db=50",
            "retries.api>db=2",
            "set:/services/1/queue_capacity=5",
        ],
        1,
        1,
    );
    let variant = sweep.variant(0).unwrap();
    let call = &variant.topology().services[0].calls[0].calls()[0];
    assert_eq!(call.timeout_ms, Some(50.0));
    assert_eq!(call.retries.as_ref().map(|r| r.max), Some(2));
    assert_eq!(variant.topology().services[1].queue_capacity, Some(5));
}

#[test]
fn max_load_of_mm1_is_within_5_percent_of_the_exact_answer() {
    // M/M/1, μ = 1000/s, 100 rps at ×1; p99 of the sojourn is
    // ln(100)/(μ − λ), so p99 ≤ 20 ms holds up to λ = 1000 − ln(100)/0.02.
    let c = checked(queue(1, 1.0, 100.0, 30.0, 3.0));
    let exact = (1000.0 - 100f64.ln() / 0.02) / 100.0;
    let slo = Slo {
        latency_p99_ms: Some(20.0),
        ..Slo::default()
    };
    let found = capacity::search(
        &c,
        &ScenarioChoice::default(),
        &Find::MaxLoad,
        &Options::new(slo, plan(5, 2)),
        quiet(),
    )
    .expect("finds");
    let Answer::MaxLoad {
        load_multiplier,
        bracket,
        rate_rps,
    } = found.answer
    else {
        panic!("max-load answer expected");
    };
    assert!(
        (load_multiplier - exact).abs() / exact < 0.05,
        "found {load_multiplier}, exact {exact:.4} (bracket {bracket:?})"
    );
    assert!(bracket[0] < bracket[1]);
    assert!((rate_rps - 100.0 * load_multiplier).abs() < 1e-9);
    assert!(found.evaluations.iter().any(|e| !e.slo_met));
}

#[test]
fn min_replicas_of_split_mm1_queues_is_the_exact_answer() {
    // Random balancing splits Poisson arrivals, so each of k replicas is an
    // M/M/1 queue at λ/k: p99 = ln(100)/(μ − λ/k). μ = 100/s, λ = 350/s,
    // p99 ≤ 200 ms: k = 4 gives 368 ms, k = 5 gives 153 ms.
    let mut t = queue(1, 10.0, 350.0, 60.0, 5.0);
    t["services"][0]["load_balancer"] = json!("random");
    let c = checked(t);
    let exact = (1..)
        .find(|&k| 100f64.ln() / (100.0 - 350.0 / k as f64) <= 0.2 && 350.0 / (k as f64) < 100.0)
        .unwrap();
    assert_eq!(exact, 5);
    let slo = Slo {
        latency_p99_ms: Some(200.0),
        ..Slo::default()
    };
    let found = capacity::search(
        &c,
        &ScenarioChoice::default(),
        &Find::MinReplicas { services: vec![] },
        &Options::new(slo, plan(4, 2)),
        quiet(),
    )
    .expect("finds");
    let Answer::MinReplicas { replicas } = &found.answer else {
        panic!("min-replicas answer expected");
    };
    assert_eq!(replicas.get("app"), Some(&(exact as u64)), "{found:?}");
    // It started from the analytic bound (utilization 3.5 → 4), not from 1.
    assert_eq!(found.evaluations[0].point["replicas"]["app"], 4);
}

#[test]
fn capacity_without_slo_says_how_to_give_one() {
    let c = checked(queue(1, 1.0, 100.0, 5.0, 0.0));
    let err = capacity::search(
        &c,
        &ScenarioChoice::default(),
        &Find::MaxLoad,
        &Options::new(Slo::default(), plan(2, 1)),
        quiet(),
    )
    .expect_err("no SLO");
    assert!(err.to_string().contains("--slo latency_p99_ms="), "{err}");
}

fn archsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("archsim runs")
}

fn without_wall_s(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("\"wall_s\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn cli_run_replications_is_the_same_for_any_jobs_and_shows_plus_minus() {
    let base = [
        "run",
        "scenarios/three-tier.json",
        "--duration-s",
        "30",
        "--replications",
        "3",
    ];
    let one = archsim(&[&base[..], &["--jobs", "1", "--json", "-"]].concat());
    let two = archsim(&[&base[..], &["--jobs", "2", "--json", "-"]].concat());
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let (a, b) = (
        String::from_utf8_lossy(&one.stdout),
        String::from_utf8_lossy(&two.stdout),
    );
    assert_eq!(without_wall_s(&a), without_wall_s(&b));
    assert!(a.contains("\"replications\": 3"));
    let table = archsim(&base);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("3 replications, 95% intervals"), "{text}");
    assert!(text.contains(" ±"), "{text}");
}

#[test]
fn cli_sweep_refuses_a_bad_spec_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let output = archsim(&[
        "sweep",
        "scenarios/three-tier.json",
        "--vary",
        "replicas.nope=1,2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("--vary \"replicas.nope=1,2\": unknown service \"nope\""),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn cli_sweep_writes_csv_and_capacity_answers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep.csv");
    let output = archsim(&[
        "sweep",
        "scenarios/three-tier.json",
        "--duration-s",
        "30",
        "--vary",
        "load=1,2",
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("load,entry,throughput_rps,throughput_rps.lo"),
        "{csv}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("2 points × 2 replications"));

    let output = archsim(&[
        "capacity",
        "scenarios/three-tier.json",
        "--duration-s",
        "30",
        "--find",
        "max-load",
        "--slo",
        "latency_p99_ms=500",
        "--replications",
        "2",
        "--tolerance",
        "0.1",
        "--json",
        "-",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let v: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(v["find"], "max-load");
    let [meets, fails] =
        [&v["answer"]["bracket"][0], &v["answer"]["bracket"][1]].map(|x| x.as_f64().unwrap());
    assert!(meets < fails && fails <= meets * 1.1 + 1e-9, "{v}");
    assert!(v["evaluations"].as_array().unwrap().len() >= 3);

    let output = archsim(&[
        "capacity",
        "scenarios/three-tier.json",
        "--find",
        "max-load",
        "--slo",
        "p99=3",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("latency_p99_ms"));
}

#[test]
fn replications_keep_status_and_stability_and_the_in_flight_guard() {
    // λ = 2μ: the queue grows without end, so a small budget stops every
    // replication as diverged, and the average says so.
    let c = checked(queue(1, 10.0, 200.0, 20.0, 1.0));
    let mut p = plan(3, 2);
    p.max_in_flight = 50;
    let r = experiment::replicate(&scenario_of(&c, 5), &p, quiet()).expect("runs");
    assert_eq!(r.summary.status, archsim::metrics::RunStatus::Diverged);
    assert!(!r.summary.stability.stable);
    let v: Value = serde_json::from_str(&r.to_json_pretty()).expect("JSON");
    assert_eq!(v["status"], "diverged");
    assert_eq!(v["stability"]["stable"], false);
    // A queue that keeps up stays complete and stable.
    let c = checked(queue(2, 5.0, 100.0, 20.0, 1.0));
    let r = experiment::replicate(&scenario_of(&c, 5), &plan(3, 2), quiet()).expect("runs");
    assert_eq!(r.summary.status, archsim::metrics::RunStatus::Complete);
    assert!(r.summary.stability.stable);
}

#[test]
fn the_worst_status_and_the_earliest_instability_win_the_average() {
    let c = checked(queue(2, 5.0, 100.0, 20.0, 1.0));
    let run = scenario_of(&c, 5);
    let one = |i| {
        experiment::run_replication(&run, i, archsim::sim::DEFAULT_MAX_IN_FLIGHT, &NEVER)
            .expect("runs")
    };
    let (a, mut b, mut d) = (one(0), one(1), one(2));
    b.status = archsim::metrics::RunStatus::Diverged;
    b.stability.stable = false;
    b.stability.unstable_from_s = Some(12.0);
    b.stability.backlog_growth_rps = 3.0;
    d.stability.stable = false;
    d.stability.unstable_from_s = Some(8.0);
    d.stability.backlog_growth_rps = 0.0;
    let mut acc = experiment::Accumulator::new();
    for s in [&a, &b, &d] {
        acc.add(s).expect("same shape");
    }
    let r = acc.finish(0.95).expect("three");
    assert_eq!(r.summary.status, archsim::metrics::RunStatus::Diverged);
    assert!(!r.summary.stability.stable);
    assert_eq!(r.summary.stability.unstable_from_s, Some(8.0));
    let mean = (a.stability.backlog_growth_rps + 3.0) / 3.0;
    assert!((r.summary.stability.backlog_growth_rps - mean).abs() < 1e-9);
    d.status = archsim::metrics::RunStatus::Cancelled;
    let mut acc = experiment::Accumulator::new();
    for s in [&a, &d, &b] {
        acc.add(s).expect("same shape");
    }
    let r = acc.finish(0.95).expect("three");
    assert_eq!(r.summary.status, archsim::metrics::RunStatus::Cancelled);
}

#[test]
fn cli_bad_numeric_options_exit_1_and_name_the_option() {
    for (args, expected) in [
        (
            &["run", "scenarios/three-tier.json", "--replications", "0"][..],
            "--replications must be at least 1",
        ),
        (
            &[
                "run",
                "scenarios/three-tier.json",
                "--replications",
                "3",
                "--confidence",
                "1.5",
            ][..],
            "--confidence must be between 0 and 1",
        ),
        (
            &[
                "sweep",
                "scenarios/three-tier.json",
                "--vary",
                "load=1,2",
                "--jobs",
                "0",
                "--out",
                "-",
            ][..],
            "--jobs must be at least 1",
        ),
        (
            &[
                "capacity",
                "scenarios/three-tier.json",
                "--find",
                "max-load",
                "--tolerance=0",
            ][..],
            "--tolerance must be a share between 0 and 1",
        ),
        (
            &[
                "capacity",
                "scenarios/three-tier.json",
                "--find",
                "max-load",
                "--replications",
                "5",
                "--max-replications",
                "2",
            ][..],
            "--max-replications (2) must be at least --replications (5)",
        ),
    ] {
        let output = archsim(args);
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(output.stdout.is_empty(), "{args:?}: ran anyway");
    }
}
