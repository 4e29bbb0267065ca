//! The engine's behaviour and API: call semantics (sequential, parallel,
//! repeated, probabilistic, optional, blocking and async), rejections,
//! warm-up, load changes, load balancers, the time series, the streaming API
//! (run_until, snapshot, live, cancel), errors, and `archsim run`.

use std::process::Command;
use std::sync::atomic::AtomicBool;

use archsim::metrics::{RunStatus, Summary};
use archsim::model::{self, Scenario, Topology};
use archsim::sim::{Simulation, default_bucket_s};
use serde_json::{Value, json};

fn checked(topology: Value) -> model::Checked {
    let topology: Topology = serde_json::from_value(topology).expect("test topology parses");
    model::check(topology).expect("test topology is valid")
}

fn scenario(duration_s: f64, warmup_s: f64) -> Scenario {
    let mut s = Scenario::new("test", duration_s);
    s.warmup_s = warmup_s;
    s
}

fn run(topology: Value, duration_s: f64, warmup_s: f64) -> Summary {
    Simulation::new(
        &checked(topology)
            .check_scenario(scenario(duration_s, warmup_s))
            .expect("valid scenario"),
    )
    .expect("builds")
    .run()
}

fn constant(ms: f64) -> Value {
    json!({"dist": "constant", "ms": ms})
}

/// Evenly spaced arrivals, far enough apart that nothing ever queues.
fn quiet(services: Value, to: &str) -> Value {
    json!({"name": "t", "services": services,
           "workload": [{"name": "in", "to": to, "rate_rps": 10, "arrivals": "uniform"}]})
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= want.abs() * 0.01 + 1e-9
}

#[test]
fn sequential_calls_add_their_times() {
    let s = run(
        quiet(
            json!([{"name": "a", "service_time": constant(1.0), "calls": [{"to": "b"}, {"to": "c"}]},
                   {"name": "b", "service_time": constant(2.0)},
                   {"name": "c", "service_time": constant(3.0)}]),
            "a",
        ),
        10.0,
        0.0,
    );
    let entry = s.entry("in").expect("entry");
    assert_eq!(entry.completed, 100);
    assert!(close(entry.latency_ms.mean, 6.0), "{:?}", entry.latency_ms);
    assert!(close(entry.latency_ms.p99, 6.0) && close(entry.latency_ms.max, 6.0));
    assert!(close(s.service("a").expect("a").response_ms.mean, 6.0));
    assert!(close(s.service("b").expect("b").response_ms.mean, 2.0));
}

#[test]
fn a_parallel_group_waits_for_its_slowest_call() {
    let s = run(
        quiet(
            json!([{"name": "a", "service_time": constant(1.0),
                    "calls": [{"parallel": [{"to": "b"}, {"to": "c"}]}, {"to": "b"}]},
                   {"name": "b", "workers": 2, "service_time": constant(2.0)},
                   {"name": "c", "service_time": constant(5.0)}]),
            "a",
        ),
        10.0,
        0.0,
    );
    // 1 ms own work, max(2, 5) ms for the group, then 2 ms.
    assert!(close(s.entry("in").expect("entry").latency_ms.mean, 8.0));
    assert_eq!(s.service("b").expect("b").arrivals, 200);
}

#[test]
fn count_repeats_a_call_in_sequence() {
    let s = run(
        quiet(
            json!([{"name": "a", "service_time": constant(1.0), "calls": [{"to": "b", "count": 3}]},
                   {"name": "b", "service_time": constant(2.0)}]),
            "a",
        ),
        10.0,
        0.0,
    );
    assert!(close(s.entry("in").expect("entry").latency_ms.mean, 7.0));
    assert_eq!(s.service("b").expect("b").arrivals, 300);
    let edge = s
        .edges
        .iter()
        .find(|e| e.from == "a" && e.to == "b")
        .expect("edge a→b");
    assert_eq!(edge.calls, 300);
}

#[test]
fn probability_is_drawn_once_per_request() {
    // With count 2, a request makes both calls or none: b's arrivals are even.
    let topology = json!({"name": "t",
        "services": [{"name": "a", "workers": 8, "service_time": constant(0.1),
                      "calls": [{"to": "b", "probability": 0.3, "count": 2}]},
                     {"name": "b", "workers": 8, "service_time": constant(0.1)}],
        "workload": [{"name": "in", "to": "a", "rate_rps": 1000}]});
    let s = run(topology, 100.0, 0.0);
    let (a, b) = (
        s.service("a").expect("a").arrivals as f64,
        s.service("b").expect("b").arrivals as f64,
    );
    assert_eq!(s.service("b").expect("b").arrivals % 2, 0);
    // Binomial: 4 standard deviations of the share of requests calling b.
    let share = b / 2.0 / a;
    let sd = (0.3f64 * 0.7 / a).sqrt();
    assert!((share - 0.3).abs() < 4.0 * sd, "share {share}");
}

#[test]
fn async_services_free_their_worker_during_calls() {
    let topology = |blocking: bool| {
        json!({"name": "t",
            "services": [{"name": "a", "blocking_calls": blocking, "service_time": constant(1.0),
                          "calls": [{"to": "b"}]},
                         {"name": "b", "workers": 100, "service_time": constant(10.0)}],
            "workload": [{"name": "in", "to": "a", "rate_rps": 50, "arrivals": "uniform"}]})
    };
    let blocking = run(topology(true), 20.0, 0.0);
    let async_ = run(topology(false), 20.0, 0.0);
    let (ab, aa) = (
        blocking.service("a").expect("a"),
        async_.service("a").expect("a"),
    );
    assert!(
        close(ab.utilization, 0.55),
        "blocking utilization {}",
        ab.utilization
    );
    assert!(
        close(aa.utilization, 0.05),
        "async utilization {}",
        aa.utilization
    );
    // Either way the service answers after its calls.
    assert!(close(ab.response_ms.mean, 11.0) && close(aa.response_ms.mean, 11.0));
    // A single async worker serves requests whose calls overlap: 100 rps of
    // 1 ms work with 10 ms calls is fine async, impossible blocking.
    let faster = |blocking: bool| {
        let mut t = topology(blocking);
        t["workload"][0]["rate_rps"] = json!(200);
        run(t, 20.0, 0.0)
    };
    let (fb, fa) = (faster(true), faster(false));
    assert!(close(fa.entry("in").expect("entry").latency_ms.mean, 11.0));
    assert!(
        fb.entry("in").expect("entry").in_flight > 1000,
        "blocking backlog grows"
    );
}

#[test]
fn a_full_queue_rejects_and_the_caller_fails_unless_optional() {
    let topology = |optional: bool| {
        json!({"name": "t",
            "services": [{"name": "a", "workers": 10, "service_time": constant(0.5),
                          "calls": [{"to": "b", "optional": optional}]},
                         {"name": "b", "queue_capacity": 0, "service_time": constant(9.0)}],
            // One request every 5 ms; b is busy for 9 ms: every other call is rejected.
            "workload": [{"name": "in", "to": "a", "rate_rps": 200, "arrivals": "uniform"}]})
    };
    let s = run(topology(false), 10.0, 0.0);
    let (b, entry) = (s.service("b").expect("b"), s.entry("in").expect("entry"));
    assert_eq!(b.arrivals, 2000);
    assert_eq!(b.errors.rejected, 1000);
    assert_eq!(b.completed + b.errors.rejected + b.in_flight, b.arrivals);
    assert_eq!(entry.errors.rejected, 1000);
    assert_eq!(entry.failed, 1000);
    assert_eq!(
        s.service("a").expect("a").errors.rejected,
        1000,
        "the caller fails with the callee's cause"
    );
    assert!(close(entry.success_ratio, 0.5));
    // The failed requests do not count in the latency of successful ones.
    assert!(close(entry.latency_ms.mean, 9.5));

    let optional = run(topology(true), 10.0, 0.0);
    let entry = optional.entry("in").expect("entry");
    assert_eq!(optional.service("b").expect("b").errors.rejected, 1000);
    assert_eq!(entry.failed, 0);
    assert!(entry.completed >= 1999);
}

#[test]
fn warm_up_excludes_early_requests_from_statistics_but_not_from_the_series() {
    let topology = quiet(json!([{"name": "a", "service_time": constant(1.0)}]), "a");
    let s = run(topology, 10.0, 4.0);
    let entry = s.entry("in").expect("entry");
    assert_eq!(entry.offered, 60);
    assert_eq!(s.service("a").expect("a").arrivals, 60);
    assert_eq!(s.timeseries.t_s.len(), 10);
    assert_eq!(
        s.timeseries.entrypoints["in"].offered.iter().sum::<u64>(),
        100
    );
    assert_eq!(s.timeseries.services["a"].arrivals.iter().sum::<u64>(), 100);
    assert!((entry.throughput_rps - 10.0).abs() < 1e-9);
    // Utilization is time-averaged after warm-up: 1 ms every 100 ms.
    assert!(close(s.service("a").expect("a").utilization, 0.01));
}

#[test]
fn time_series_cover_the_run_with_equal_lengths() {
    let topology = json!({"name": "t",
        "services": [{"name": "a", "service_time": {"dist": "exponential", "mean_ms": 5}, "calls": [{"to": "b"}]},
                     {"name": "b", "replicas": 2, "service_time": {"dist": "uniform", "min_ms": 1, "max_ms": 3}}],
        "workload": [{"name": "in", "to": "a", "rate_rps": 100}]});
    let s = run(topology, 12.5, 2.0);
    let ts = &s.timeseries;
    assert_eq!(ts.bucket_s, 1.0);
    assert_eq!(ts.t_s, (0..13).map(f64::from).collect::<Vec<_>>());
    for series in ts.services.values() {
        for len in [
            series.arrivals.len(),
            series.completed.len(),
            series.errors.len(),
            series.utilization.len(),
            series.replicas.len(),
            series.queue_length.len(),
            series.p99_ms.len(),
        ] {
            assert_eq!(len, 13);
        }
        assert!(series.replicas.iter().all(|r| *r > 0.99));
    }
    for series in ts.entrypoints.values() {
        for len in [
            series.throughput_rps.len(),
            series.errors.len(),
            series.p50_ms.len(),
            series.p95_ms.len(),
            series.p99_ms.len(),
        ] {
            assert_eq!(len, 13);
        }
        for k in 0..13 {
            let (p50, p95, p99) = (series.p50_ms[k], series.p95_ms[k], series.p99_ms[k]);
            assert!(p50 <= p95 && p95 <= p99, "bucket {k}: {p50} {p95} {p99}");
        }
        assert!(series.p95_ms.iter().any(|p| *p > 0.0));
    }
    assert_eq!(ts.edges.len(), 1);
    assert_eq!(
        ts.edges[0].calls.iter().sum::<u64>(),
        ts.services["b"].arrivals.iter().sum::<u64>()
    );
    assert_eq!(ts.services["b"].replicas[0], 2.0);
    // The last, half-length bucket reports rates per second of its own length.
    let last = ts.entrypoints["in"].throughput_rps[12];
    assert!(last > 40.0 && last < 200.0, "last bucket throughput {last}");
}

#[test]
fn default_bucket_width_gives_at_most_600_buckets() {
    assert_eq!(default_bucket_s(60.0), 1.0);
    assert_eq!(default_bucket_s(600.0), 1.0);
    assert_eq!(default_bucket_s(601.0), 2.0);
    assert_eq!(default_bucket_s(3600.0), 10.0);
    assert_eq!(default_bucket_s(86_400.0), 300.0);
    for d in [1.0, 100.0, 1000.0, 7200.0, 1e6, 2.6e6] {
        assert!(d / default_bucket_s(d) <= 600.0, "{d}");
    }
}

#[test]
fn load_steps_and_ramps_scale_arrivals() {
    let mut topology = quiet(json!([{"name": "a", "service_time": constant(1.0)}]), "a");
    topology["scenarios"] = json!([{"name": "steps", "duration_s": 20,
        "load": [{"at_s": 5, "multiplier": 2}, {"at_s": 10, "ramp_s": 5, "multiplier": 0}]}]);
    let checked = checked(topology);
    let scenario = archsim::model::find_scenario(checked.topology(), Some("steps"))
        .cloned()
        .expect("scenario");
    let s = Simulation::new(
        &checked
            .check_scenario(scenario.clone())
            .expect("valid scenario"),
    )
    .expect("builds")
    .run();
    let offered = &s.timeseries.entrypoints["in"].offered;
    assert_eq!(&offered[..5], &[10, 10, 10, 10, 10]);
    assert_eq!(&offered[5..10], &[20, 20, 20, 20, 20]);
    // The ramp from 2 to 0 over 5 s carries 5 s × 10 rps × 1 on average.
    let ramp: u64 = offered[10..15].iter().sum();
    assert!((ramp as i64 - 50).abs() <= 1, "ramp {ramp}");
    assert!(offered[10] > offered[14]);
    assert_eq!(&offered[15..], &[0, 0, 0, 0, 0]);
}

#[test]
fn least_outstanding_beats_round_robin_beats_random() {
    let run_with = |balancer: &str| {
        let topology = json!({"name": "t",
            "services": [{"name": "s", "replicas": 4, "load_balancer": balancer,
                          "service_time": {"dist": "exponential", "mean_ms": 10}}],
            "workload": [{"name": "in", "to": "s", "rate_rps": 280}]});
        let mut sc = scenario(3_000.0, 20.0);
        sc.seed = 5;
        Simulation::new(
            &checked(topology)
                .check_scenario(sc.clone())
                .expect("valid scenario"),
        )
        .expect("builds")
        .run()
    };
    let wait = |s: &Summary| s.service("s").expect("s").wait_ms.mean;
    let (random, round_robin, least) = (
        run_with("random"),
        run_with("round_robin"),
        run_with("least_outstanding"),
    );
    // Random splitting of Poisson traffic: four independent M/M/1 queues at ρ = 0.7.
    let mm1_wait_ms = 0.7 / (100.0 - 70.0) * 1e3;
    assert!(
        (wait(&random) / mm1_wait_ms - 1.0).abs() < 0.05,
        "random {}",
        wait(&random)
    );
    assert!(
        wait(&round_robin) < 0.8 * wait(&random),
        "round robin {}",
        wait(&round_robin)
    );
    assert!(
        wait(&least) < 0.5 * wait(&round_robin),
        "least outstanding {}",
        wait(&least)
    );
    for s in [&random, &round_robin, &least] {
        assert!((s.service("s").expect("s").utilization - 0.7).abs() < 0.01);
    }
}

#[test]
fn stepping_gives_the_same_result_as_running() {
    let text = include_str!("../scenarios/three-tier.json");
    let checked = model::check(model::from_json_str(text).expect("parses")).expect("valid");
    let mut sc = archsim::model::find_scenario(checked.topology(), None)
        .cloned()
        .expect("scenario");
    // 150 one-second buckets: more than the engine stages before moving
    // them into the series (64), twice.
    sc.duration_s = 150.0;
    sc.warmup_s = 3.0;
    let whole = Simulation::new(&checked.check_scenario(sc.clone()).expect("valid scenario"))
        .expect("builds")
        .run();
    let mut stepped = Simulation::new(&checked.check_scenario(sc.clone()).expect("valid scenario"))
        .expect("builds");
    let mut kept = stepped.snapshot();
    let mut t = 0.0;
    while !stepped.is_finished() {
        t += 0.97;
        stepped.run_until(t);
        let snapshot = stepped.snapshot();
        // Refreshing a kept summary in place gives the same as a fresh one.
        stepped.snapshot_into(&mut kept);
        assert_eq!(kept, snapshot);
        // The live view's utilization is the last closed bucket's.
        for (live, (_, series)) in stepped
            .live()
            .services
            .iter()
            .zip(&snapshot.timeseries.services)
        {
            assert_eq!(
                live.utilization,
                series.utilization.last().copied().unwrap_or(0.0)
            );
        }
        assert_eq!(
            snapshot.timeseries.t_s.len(),
            (stepped.now_s() / sc.bucket_s.unwrap_or(1.0)).floor() as usize
        );
        assert!(snapshot.status == RunStatus::Running || stepped.is_finished());
        if t > 70.0 && t < 70.97 {
            let live = stepped.live();
            assert_eq!(live.services.len(), checked.topology().services.len());
            assert!(live.edges.iter().any(|e| e.calls > 0));
            assert!(live.services.iter().any(|s| s.arrivals > 0));
            assert!((stepped.progress() - t / 150.0).abs() < 1e-9);
        }
    }
    // A summary of another run is replaced, not extended.
    let mut other = whole.clone();
    stepped.snapshot_into(&mut other);
    assert_eq!(other, stepped.snapshot());
    let stepped = stepped.finish(true);
    let strip = |s: &Summary| {
        let mut v = serde_json::to_value(s).expect("json");
        v.as_object_mut().expect("object").remove("wall_s");
        v
    };
    assert_eq!(strip(&whole), strip(&stepped));
}

#[test]
fn a_cancelled_run_reports_what_it_simulated() {
    let text = include_str!("../scenarios/three-tier.json");
    let checked = model::check(model::from_json_str(text).expect("parses")).expect("valid");
    let sc = archsim::model::find_scenario(checked.topology(), None)
        .cloned()
        .expect("scenario");
    let mut sim = Simulation::new(&checked.check_scenario(sc.clone()).expect("valid scenario"))
        .expect("builds");
    sim.run_until(5.0);
    let cancel = AtomicBool::new(true);
    let summary = sim.run_with_cancel(&cancel);
    assert_eq!(summary.status, RunStatus::Cancelled);
    assert!(summary.simulated_s >= 4.9 && summary.simulated_s < sc.duration_s);
    assert_eq!(summary.timeseries.t_s.len(), 5);
}

#[test]
fn errors_name_the_problem_and_the_fix() {
    let no_workload =
        checked(json!({"name": "t", "services": [{"name": "a", "service_time": constant(1.0)}]}));
    let err = no_workload.scenario(None).expect_err("no workload");
    assert!(err.message.contains("has no workload"), "{err}");
    let err = no_workload
        .check_scenario(scenario(10.0, 0.0))
        .expect_err("no workload");
    assert!(err[0].message.contains("has no workload"), "{}", err[0]);

    let mut topology = quiet(json!([{"name": "a", "service_time": constant(1.0)}]), "a");
    topology["scenarios"] =
        json!([{"name": "base", "duration_s": 10}, {"name": "peak", "duration_s": 10}]);
    let checked = checked(topology);
    let err = checked
        .scenario(Some("paek"))
        .expect_err("unknown scenario");
    assert_eq!(
        err.to_string(),
        "scenarios: no scenario named \"paek\" (did you mean \"peak\"?); the scenarios are: \"base\", \"peak\""
    );
    assert_eq!(
        checked.scenario(None).expect("first").scenario().name,
        "base"
    );

    let err = checked
        .check_scenario(scenario(10.0, 10.0))
        .expect_err("warm-up too long");
    assert!(err[0].path.ends_with("warmup_s"), "{}", err[0]);
    let mut tiny = scenario(100.0, 0.0);
    tiny.bucket_s = Some(1e-6);
    let err = checked.check_scenario(tiny).expect_err("too many buckets");
    assert!(err[0].path.ends_with("bucket_s"), "{}", err[0]);
    // A changed duration is checked again.
    let run = checked.scenario(Some("base")).expect("base");
    let err = run
        .clone()
        .with_duration_s(-1.0)
        .expect_err("negative duration");
    assert!(err[0].path.ends_with("duration_s"), "{}", err[0]);
    assert_eq!(
        run.with_seed(9)
            .with_duration_s(20.0)
            .expect("longer run")
            .scenario()
            .seed,
        9
    );
}

#[test]
fn a_zone_outage_on_a_zone_its_overrides_remove_is_refused_by_validation() {
    // The engine used to find this out itself, after validation said yes.
    let mut topology = quiet(
        json!([{"name": "a", "zones": ["z1"], "service_time": constant(1.0)}]),
        "a",
    );
    topology["scenarios"] = json!([{"name": "moved", "duration_s": 10,
        "overrides": [{"service": "a", "set": {"zones": ["z2"]}}],
        "faults": [{"kind": "zone_outage", "zone": "z1", "at_s": 1}]}]);
    let topology: Topology = serde_json::from_value(topology).expect("parses");
    let errors = model::check(topology).expect_err("the outage hits no zone");
    assert!(
        errors
            .iter()
            .any(|e| e.path.contains("faults[0]") && e.message.contains("zone \"z1\"")),
        "{errors:?}"
    );
}

fn archsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .output()
        .expect("archsim runs")
}

#[test]
fn cli_run_prints_a_table_or_the_json_contract() {
    let out = archsim(&[
        "run",
        "scenarios/three-tier.json",
        "--duration-s",
        "30",
        "--seed",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("seed 3, 30 s"), "{table}");
    for header in ["entry", "offered", "p99", "service", "util", "queue"] {
        assert!(table.contains(header), "{header} missing from\n{table}");
    }

    let out = archsim(&[
        "run",
        "scenarios/three-tier.json",
        "--duration-s",
        "30",
        "--json",
        "-",
    ]);
    assert!(out.status.success());
    let value: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let keys: Vec<&str> = value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        &keys[..7],
        &[
            "topology",
            "scenario",
            "seed",
            "duration_s",
            "warmup_s",
            "events",
            "wall_s"
        ]
    );
    assert!(
        keys.contains(&"entrypoints") && keys.contains(&"services") && keys.contains(&"timeseries")
    );
    let summary: Summary = serde_json::from_value(value).expect("the JSON is a Summary");
    assert_eq!(summary.duration_s, 30.0);
    assert_eq!(summary.timeseries.t_s.len(), 30);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.json");
    let out = archsim(&[
        "run",
        "scenarios/three-tier.json",
        "--duration-s",
        "25",
        "--json",
        path.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("JSON summary written to"));
    let written: Summary =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("JSON");
    assert_eq!(written.duration_s, 25.0);
}

#[test]
fn cli_run_errors_are_clear() {
    let out = archsim(&["run", "scenarios/three-tier.json", "--scenario", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no scenario named \"nope\""), "{err}");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("no-workload.json");
    std::fs::write(&path, r#"{"name": "t", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}}]}"#)
        .expect("write");
    let out = archsim(&["run", path.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot simulate: no workload"));

    let out = archsim(&["run", "scenarios/three-tier.json", "--duration-s", "-3"]);
    assert_ne!(out.status.code(), Some(0));
    let out = archsim(&["run", "does-not-exist.json"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn cli_run_without_scenarios_runs_the_default_for_60_s() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plain.json");
    std::fs::write(
        &path,
        r#"{"name": "plain", "services": [{"name": "a", "service_time": {"dist": "constant", "ms": 1}}],
            "workload": [{"to": "a", "rate_rps": 5}]}"#,
    )
    .expect("write");
    let out = archsim(&["run", path.to_str().expect("utf-8"), "--json", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Summary = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (summary.scenario.as_str(), summary.duration_s, summary.seed),
        ("default", 60.0, 1)
    );
}

#[test]
fn a_simulation_can_run_on_another_thread() {
    fn send<T: Send + 'static>() {}
    send::<Simulation>();
    send::<Summary>();
    send::<archsim::sim::LiveState>();
    let text = include_str!("../scenarios/three-tier.json");
    let checked = model::check(model::from_json_str(text).expect("parses")).expect("valid");
    let mut sc = archsim::model::find_scenario(checked.topology(), None)
        .cloned()
        .expect("scenario");
    sc.duration_s = 25.0;
    let sim = Simulation::new(&checked.check_scenario(sc.clone()).expect("valid scenario"))
        .expect("builds");
    let summary = std::thread::spawn(move || sim.run())
        .join()
        .expect("the run thread ends");
    assert_eq!(summary.status, RunStatus::Complete);
}

/// `RunId`'s `==` said every pair of ids was equal (so that `Summary` could
/// derive `PartialEq`); now ids compare for real and `Summary`'s `==` leaves
/// its id out.
#[test]
fn run_ids_of_different_simulations_compared_equal() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/three-tier.json");
    let checked = model::load_checked_file(&path).expect("example loads");
    let run = checked.scenario(None).expect("its first scenario runs");
    let a = Simulation::new(&run).expect("builds").snapshot();
    let mut b = Simulation::new(&run).expect("builds").snapshot();
    assert_ne!(a.run_id, b.run_id, "two simulations, two ids");
    assert_eq!(a.run_id, a.clone().run_id);
    b.wall_s = a.wall_s;
    assert_eq!(a, b, "the same contents are equal whatever the ids");
}

/// `LoadProfile::new` returned a `LoadError` that was not exported (and
/// whose name clashed with `model::LoadError`).
#[test]
fn load_profile_error_was_not_exported() {
    let changes: Vec<model::LoadChange> =
        serde_json::from_value(json!([{"at_s": -1, "multiplier": 2}])).expect("parses");
    let error: archsim::sim::LoadProfileError =
        archsim::sim::LoadProfile::new(&changes).expect_err("a negative at_s");
    assert!(error.to_string().contains("load[0]"), "{error}");
}
