//! Faults, resilience patterns and scaling, checked with numbers
//! from the summary and the time series: retries multiply callee arrivals,
//! breakers cut them to their probes, timeouts cap latency, crashes lose
//! capacity, zone outages, partitions, rate limits, load shedding, retry
//! budgets, scheduled scaling, the autoscaler, load profiles, errors by
//! cause, determinism.

use archsim::metrics::{ScalingReason, Summary};
use archsim::model::{self, Scenario, Topology};
use archsim::sim::{BreakerState, Simulation};
use serde_json::{Value, json};

/// Runs `services` (JSON array) with one entry `in` → `to` at `rate_rps`
/// (`arrivals` `uniform` or `poisson`) under `scenario` (JSON object without
/// a name).
fn run_with(services: Value, to: &str, rate_rps: f64, arrivals: &str, scenario: Value) -> Summary {
    let topology = json!({"name": "t", "services": services,
        "workload": [{"name": "in", "to": to, "rate_rps": rate_rps, "arrivals": arrivals}]});
    let mut scenario_json = scenario;
    scenario_json["name"] = json!("test");
    let scenario: Scenario = serde_json::from_value(scenario_json).expect("scenario parses");
    crate::engine_fidelity::run_scenario(topology, scenario)
}

fn constant(ms: f64) -> Value {
    json!({"dist": "constant", "ms": ms})
}

/// `front` (1 ms of own work, many workers) calls `back` with `call`'s
/// settings; `back` works `back_ms` with many workers.
fn front_back(call: Value, back_ms: f64) -> Value {
    let mut call = call;
    call["to"] = json!("back");
    json!([{"name": "front", "workers": 1000, "service_time": constant(1.0), "calls": [call]},
           {"name": "back", "workers": 1000, "service_time": constant(back_ms)}])
}

/// Time averages, rounded to 6 decimals (they are integrals divided by
/// the bucket width).
fn rounded(values: &[f64]) -> Vec<f64> {
    values.iter().map(|v| (v * 1e6).round() / 1e6).collect()
}

fn sum(values: &[u64], range: std::ops::Range<usize>) -> u64 {
    values[range].iter().sum()
}

#[test]
fn two_retries_triple_the_callee_arrivals_during_an_errors_fault() {
    let s = run_with(
        front_back(json!({"retries": {"max": 2, "backoff_ms": 10}}), 5.0),
        "front",
        100.0,
        "uniform",
        json!({"duration_s": 30,
               "faults": [{"kind": "errors", "service": "back", "probability": 1.0,
                           "at_s": 10, "duration_s": 10}]}),
    );
    let back = &s.timeseries.services["back"];
    let front = &s.timeseries.services["front"];
    // Before and after: one attempt per call; during: three (the last
    // bucket of the fault spills into the next by the backoff).
    assert_eq!(sum(&back.arrivals, 0..10), sum(&front.arrivals, 0..10));
    let during = sum(&back.arrivals, 11..19) as f64 / sum(&front.arrivals, 11..19) as f64;
    assert!(
        (during - 3.0).abs() < 0.02,
        "during the fault: {during}× the calls"
    );
    assert_eq!(sum(&back.arrivals, 21..30), sum(&front.arrivals, 21..30));
    // Every attempt during the fault fails with `error`, and so does every
    // request of the entry (all attempts failed).
    let failed = sum(&back.errors_error, 11..19) as i64;
    assert!(
        (failed - sum(&back.arrivals, 11..19) as i64).abs() <= 3,
        "{failed}"
    );
    let entry = s.entry("in").expect("entry");
    // (The last requests' retries go out after the fault and succeed.)
    assert!(
        (entry.errors.error as i64 - 1000).abs() <= 5,
        "{:?}",
        entry.errors
    );
    assert_eq!(entry.errors.total(), entry.failed);
    let edge = &s.edges[0];
    assert!(
        (edge.retries as i64 - 2000).abs() <= 4,
        "retries {}",
        edge.retries
    );
}

#[test]
fn an_open_breaker_cuts_callee_arrivals_to_its_probes() {
    let s = run_with(
        front_back(
            json!({"circuit_breaker": {"failure_ratio": 0.5, "window": 20, "open_s": 2,
                                       "half_open_probes": 2}}),
            5.0,
        ),
        "front",
        100.0,
        "uniform",
        json!({"duration_s": 30,
               "faults": [{"kind": "errors", "service": "back", "probability": 1.0,
                           "at_s": 10, "duration_s": 10}]}),
    );
    let back = &s.timeseries.services["back"];
    // The window of 20 holds 10 successes, so 10 failures open it.
    assert_eq!(back.arrivals[10], 10, "{:?}", back.arrivals);
    // Every 2 s the breaker lets probes through; the first one fails (5 ms
    // later, before the next call 10 ms later) and opens it again, so only
    // one of the 2 probes is sent each time.
    let probes = sum(&back.arrivals, 11..20);
    assert_eq!(probes, 4, "probes during the fault: {:?}", back.arrivals);
    assert_eq!(
        sum(&back.arrivals, 21..30),
        900,
        "closed again after the fault"
    );
    let edge_series = &s.timeseries.edges[0];
    for bucket in 11..20 {
        assert_eq!(edge_series.breaker_open[bucket], 1.0, "bucket {bucket}");
    }
    assert!(edge_series.breaker_open[..10].iter().all(|&x| x == 0.0));
    assert!(edge_series.breaker_open[21..].iter().all(|&x| x == 0.0));
    // Refused calls fail with circuit_open, counted at the callee and edge.
    let edge = &s.edges[0];
    assert!(edge.circuit_breaker && edge.breaker_opened == 1);
    assert!(
        (edge.breaker_open_s - 10.0).abs() < 2.1,
        "{}",
        edge.breaker_open_s
    );
    assert!(edge.errors.circuit_open > 950, "{:?}", edge.errors);
    assert_eq!(
        s.service("back").expect("back").errors.circuit_open,
        edge.errors.circuit_open
    );
    assert_eq!(
        sum(&back.errors_circuit_open, 11..20),
        sum(&back.errors, 11..20) - probes
    );
}

#[test]
fn a_timeout_caps_the_callers_latency_and_the_callee_keeps_working() {
    // The callee takes 1 s during the fault; the optional call gives up
    // after 3 attempts of 50 ms with 10 + 20 ms of backoff between them.
    let scenario = json!({"duration_s": 20, "warmup_s": 5,
        "faults": [{"kind": "latency", "service": "back", "add_ms": 995, "at_s": 0}]});
    let call = json!({"timeout_ms": 50, "optional": true,
                      "retries": {"max": 2, "backoff_ms": 10, "jitter": false}});
    let s = run_with(
        front_back(call, 5.0),
        "front",
        100.0,
        "uniform",
        scenario.clone(),
    );
    let entry = s.entry("in").expect("entry");
    assert_eq!(entry.failed, 0, "an optional call does not fail its caller");
    let cap_ms = 1.0 + 3.0 * 50.0 + 10.0 + 20.0;
    assert!(
        (entry.latency_ms.max - cap_ms).abs() < 0.01 * cap_ms,
        "{:?}",
        entry.latency_ms
    );
    assert!((entry.latency_ms.p50 - cap_ms).abs() < 0.01 * cap_ms);
    let back = s.service("back").expect("back");
    // All three attempts of each request time out (but those of the last
    // requests, still in progress at the end).
    assert!(back.errors.timeout > 3 * 1500 - 40, "{:?}", back.errors);
    // The abandoned work still occupies the callee: 3 attempts/request ×
    // 100 requests/s × 1 s = 300 busy workers.
    assert!(
        (back.busy_workers_mean - 300.0).abs() < 300.0 * 0.02,
        "{}",
        back.busy_workers_mean
    );
    // Late answers: the attempts that arrived from 5 s and answered by 20 s.
    assert!(
        (back.late as i64 - 14 * 300).abs() <= 10,
        "late answers {}",
        back.late
    );

    // With full jitter each backoff is uniform on [0, b]: mean latency is
    // 15 ms lower, and never above the cap.
    let call = json!({"timeout_ms": 50, "optional": true,
                      "retries": {"max": 2, "backoff_ms": 10, "jitter": true}});
    let s = run_with(front_back(call, 5.0), "front", 100.0, "uniform", scenario);
    let latency = &s.entry("in").expect("entry").latency_ms;
    assert!(latency.max <= cap_ms * 1.01, "{latency:?}");
    assert!((latency.mean - (cap_ms - 15.0)).abs() < 1.5, "{latency:?}");
}

#[test]
fn exponential_backoff_is_capped() {
    // 4 retries with 10, 20, 40 → capped 25, 25 ms of backoff.
    let call = json!({"timeout_ms": 10, "optional": true,
        "retries": {"max": 4, "backoff_ms": 10, "multiplier": 2, "jitter": false,
                    "max_backoff_ms": 25}});
    let s = run_with(
        front_back(call, 100.0),
        "front",
        10.0,
        "uniform",
        json!({"duration_s": 10}),
    );
    let want = 1.0 + 5.0 * 10.0 + 10.0 + 20.0 + 25.0 + 25.0;
    let latency = &s.entry("in").expect("entry").latency_ms;
    assert!((latency.mean - want).abs() < 0.01 * want, "{latency:?}");
}

#[test]
fn a_retry_budget_caps_retries_at_its_ratio() {
    let mut services = front_back(json!({"retries": {"max": 3, "backoff_ms": 1}}), 5.0);
    services[0]["retry_budget"] = json!({"ratio": 0.2});
    let s = run_with(
        services,
        "front",
        200.0,
        "uniform",
        json!({"duration_s": 40,
               "faults": [{"kind": "errors", "service": "back", "probability": 1.0,
                           "at_s": 10, "duration_s": 20}]}),
    );
    let back = &s.timeseries.services["back"];
    let front = &s.timeseries.services["front"];
    // Without a budget 4× the calls; with it at most 1.2× over the 10 s window.
    let ratio = sum(&back.arrivals, 10..30) as f64 / sum(&front.arrivals, 10..30) as f64;
    assert!(
        ratio <= 1.2 + 0.01 && ratio > 1.15,
        "arrivals {ratio}× the calls"
    );
    let front_summary = s.service("front").expect("front");
    assert!(
        front_summary.retries_denied > 3000,
        "{}",
        front_summary.retries_denied
    );
    assert_eq!(sum(&back.arrivals, 31..40), sum(&front.arrivals, 31..40));
}

#[test]
fn a_crash_of_one_of_three_replicas_loses_a_third_of_the_capacity() {
    // 3 replicas × 100 requests/s, offered 400/s evenly: the service runs
    // at capacity and rejects the excess.
    let services = json!([{"name": "back", "replicas": 3, "queue_capacity": 10, "startup_s": 5,
                           "service_time": constant(10.0)}]);
    let s = run_with(
        services,
        "back",
        400.0,
        "uniform",
        json!({"duration_s": 60,
               "faults": [{"kind": "crash", "service": "back", "replicas": 1,
                           "at_s": 20, "duration_s": 20}]}),
    );
    let back = &s.timeseries.services["back"];
    let before = sum(&back.completed, 5..20) as f64 / 15.0;
    let during = sum(&back.completed, 21..40) as f64 / 19.0;
    let after = sum(&back.completed, 46..60) as f64 / 14.0;
    assert!((before - 300.0).abs() < 3.0, "before {before}");
    assert!(
        (during / before - 2.0 / 3.0).abs() < 0.02,
        "during {during}"
    );
    assert!((after - 300.0).abs() < 3.0, "after {after}");
    // Replicas: 3, then 2 during the fault and the restart (5 s), then 3.
    let replicas = rounded(&back.replicas);
    assert_eq!(replicas[19], 3.0);
    assert!(replicas[20..45].iter().all(|&r| r == 2.0), "{replicas:?}");
    assert_eq!(replicas[45], 3.0);
    // The crashed replica's requests (1 working, 10 queued) fail with `error`.
    assert_eq!(back.errors_error[20], 11);
    assert_eq!(back.errors_error.iter().sum::<u64>(), 11);
    assert_eq!(s.fault_windows.len(), 1);
    assert_eq!(
        (s.fault_windows[0].start_s, s.fault_windows[0].end_s),
        (20.0, 40.0)
    );
}

#[test]
fn a_service_with_no_live_replica_rejects_at_once() {
    let s = run_with(
        front_back(json!({}), 5.0),
        "front",
        100.0,
        "uniform",
        json!({"duration_s": 20,
               "faults": [{"kind": "crash", "service": "back", "at_s": 5, "duration_s": 5}]}),
    );
    let back = &s.timeseries.services["back"];
    assert!(
        back.errors_rejected[6..10].iter().all(|&n| n == 100),
        "{:?}",
        back.errors_rejected
    );
    let entry = &s.timeseries.entrypoints["in"];
    assert_eq!(sum(&entry.errors_rejected, 5..10), 500);
    // The crash killed the requests in progress at 5 s: none (5 ms work at
    // 10 ms spacing, the arrival at 5.0 s comes after the fault starts).
    assert_eq!(sum(&back.errors_error, 0..20), 0);
    assert_eq!(sum(&entry.errors, 10..20), 0, "no startup_s: back at once");
}

#[test]
fn errors_appear_only_inside_fault_windows_plus_straddling_timeouts() {
    let call = json!({"timeout_ms": 200, "retries": {"max": 1, "backoff_ms": 20}});
    // Plenty of workers: the slowdown builds no backlog that would outlast it.
    let mut services = front_back(call, 5.0);
    services[1]["service_time"] = json!({"dist": "exponential", "mean_ms": 5});
    let s = run_with(
        services,
        "front",
        200.0,
        "poisson",
        json!({"duration_s": 60, "seed": 3,
               "faults": [{"kind": "latency", "service": "back", "add_ms": 300,
                           "at_s": 20.5, "duration_s": 10},
                          {"kind": "errors", "service": "back", "probability": 0.5,
                           "at_s": 40, "duration_s": 5}]}),
    );
    let entry = &s.timeseries.entrypoints["in"];
    // A request may fail up to 2 × 200 + 20 ms after the fault ends.
    let allowed = |t: f64| (20.5..31.0).contains(&t) || (40.0..45.5).contains(&t);
    for (i, &t) in s.timeseries.t_s.iter().enumerate() {
        let errors = entry.errors[i];
        if !(allowed(t) || allowed(t + 1.0 - 1e-9)) {
            assert_eq!(errors, 0, "errors at {t} s outside the faults");
        }
    }
    assert!(sum(&entry.errors_timeout, 21..30) > 1500);
    assert!(sum(&entry.errors_error, 40..45) > 200);
    // By cause per bucket adds up to the total.
    for (i, &total) in entry.errors.iter().enumerate() {
        let by_cause = entry.errors_timeout[i]
            + entry.errors_rejected[i]
            + entry.errors_error[i]
            + entry.errors_circuit_open[i];
        assert_eq!(by_cause, total);
    }
    let windows: Vec<(String, f64, f64)> = s
        .fault_windows
        .iter()
        .map(|w| (w.kind.clone(), w.start_s, w.end_s))
        .collect();
    assert_eq!(
        windows,
        vec![
            ("latency".into(), 20.5, 30.5),
            ("errors".into(), 40.0, 45.0)
        ]
    );
}

#[test]
fn a_partition_fails_at_once_or_hangs_until_the_timeout() {
    let run_mode = |mode: &str| {
        run_with(
            front_back(json!({"timeout_ms": 300}), 5.0),
            "front",
            100.0,
            "uniform",
            json!({"duration_s": 20,
                   "faults": [{"kind": "partition", "between": ["back", "front"], "mode": mode,
                               "at_s": 10, "duration_s": 5}]}),
        )
    };
    let fail = run_mode("fail");
    let entry = fail.entry("in").expect("entry");
    assert_eq!(entry.errors.error, 500);
    assert_eq!(entry.errors.timeout, 0);
    assert_eq!(sum(&fail.timeseries.services["back"].arrivals, 10..15), 0);
    let hang = run_mode("hang");
    let entry = hang.entry("in").expect("entry");
    assert_eq!(entry.errors.timeout, 500);
    assert_eq!(entry.errors.error, 0);
    // The hanging requests fail 300 ms later.
    let series = &hang.timeseries.entrypoints["in"];
    assert_eq!(series.errors_timeout[10], 70);
    assert_eq!(series.errors_timeout[15], 30);
    assert_eq!(sum(&hang.timeseries.services["back"].arrivals, 10..15), 0);
}

#[test]
fn a_zone_outage_is_survived_with_three_zones_not_with_one() {
    let run_zones = |zones: Value| {
        let services = json!([{"name": "back", "zones": zones, "replicas": 3, "workers": 4,
                               "startup_s": 2, "service_time": constant(10.0)}]);
        run_with(
            services,
            "back",
            200.0,
            "uniform",
            json!({"duration_s": 30,
                   "faults": [{"kind": "zone_outage", "zone": "a", "at_s": 10, "duration_s": 10}]}),
        )
    };
    let spread = run_zones(json!(["a", "b", "c"]));
    let replicas = rounded(&spread.timeseries.services["back"].replicas);
    assert!(replicas[10..22].iter().all(|&r| r == 2.0), "{replicas:?}");
    assert_eq!(replicas[22], 3.0);
    // Only the requests in progress in zone a when it went out fail.
    let entry = spread.entry("in").expect("entry");
    assert!(
        entry.failed <= 4 && entry.failed == entry.errors.error,
        "{:?}",
        entry.errors
    );
    let single = run_zones(json!(["a"]));
    let replicas = rounded(&single.timeseries.services["back"].replicas);
    assert!(replicas[10..22].iter().all(|&r| r == 0.0), "{replicas:?}");
    let entry = single.entry("in").expect("entry");
    // 200/s rejected for the 10 s outage and the 2 s restart.
    assert_eq!(entry.errors.rejected, 2400);
}

#[test]
fn the_rate_limiter_admits_its_rate() {
    let services = json!([{"name": "back", "workers": 100, "rate_limit_rps": 50,
                           "service_time": constant(5.0)}]);
    let s = run_with(
        services,
        "back",
        200.0,
        "poisson",
        json!({"duration_s": 200, "warmup_s": 10}),
    );
    let back = s.service("back").expect("back");
    assert!(
        (back.throughput_rps - 50.0).abs() < 1.0,
        "{}",
        back.throughput_rps
    );
    assert_eq!(
        back.errors.rejected + back.completed + back.in_flight,
        back.arrivals
    );
    assert_eq!(back.errors.total(), back.errors.rejected);
}

#[test]
fn load_shedding_bounds_the_queue_wait_and_the_requests_in_flight() {
    let services = json!([{"name": "back", "workers": 2,
        "load_shedding": {"max_wait_ms": 20},
        "service_time": {"dist": "exponential", "mean_ms": 10}}]);
    let s = run_with(
        services,
        "back",
        400.0,
        "poisson",
        json!({"duration_s": 100}),
    );
    let back = s.service("back").expect("back");
    assert!(back.wait_ms.max <= 20.0 * 1.01, "{:?}", back.wait_ms);
    assert!(back.errors.rejected > 10_000, "{:?}", back.errors);
    // Every worker is kept busy: the throughput is the capacity.
    assert!(
        (back.throughput_rps - 200.0).abs() < 6.0,
        "{}",
        back.throughput_rps
    );

    let services = json!([{"name": "back", "workers": 2,
        "load_shedding": {"max_in_flight": 5},
        "service_time": {"dist": "exponential", "mean_ms": 10}}]);
    let s = run_with(
        services,
        "back",
        400.0,
        "poisson",
        json!({"duration_s": 100}),
    );
    let back = s.service("back").expect("back");
    assert!(back.queue_length_max <= 3, "{}", back.queue_length_max);
    assert!(back.errors.rejected > 10_000, "{:?}", back.errors);
}

#[test]
fn scheduled_scaling_starts_after_startup_and_drains_on_scale_down() {
    let services = json!([{"name": "back", "replicas": 2, "startup_s": 3,
                           "service_time": constant(500.0)}]);
    let s = run_with(
        services,
        "back",
        2.0,
        "uniform",
        json!({"duration_s": 30,
               "scaling": [{"at_s": 5, "service": "back", "replicas": 4},
                           {"at_s": 20.25, "service": "back", "replicas": 1}]}),
    );
    let replicas = rounded(&s.timeseries.services["back"].replicas);
    assert_eq!(
        replicas[5..8],
        [2.0, 2.0, 2.0],
        "starting replicas do not serve"
    );
    assert_eq!(replicas[8..20], [4.0; 12]);
    // At 20.25 s three replicas are told to go; the ones with a request in
    // progress (started at 20.0 s, 500 ms of work) drain until 20.5 s.
    assert!(replicas[20] > 1.0 && replicas[20] < 4.0, "{}", replicas[20]);
    assert_eq!(replicas[21..30], [1.0; 9]);
    let events: Vec<(f64, u64, u64, ScalingReason)> = s
        .scaling_events
        .iter()
        .map(|e| (e.t_s, e.from, e.to, e.reason))
        .collect();
    assert_eq!(
        events,
        vec![
            (5.0, 2, 4, ScalingReason::Scheduled),
            (20.25, 4, 1, ScalingReason::Scheduled)
        ]
    );
    // Draining lost nothing.
    assert_eq!(s.entry("in").expect("entry").failed, 0);
    assert_eq!(s.timeseries.services["back"].replicas_desired[25], 1);
}

/// λ = 300/s, E[S] = 10 ms, 1 worker per replica, target 0.7:
/// ceil(λ·E[S] / (workers × target)) = ceil(4.29) = 5.
fn autoscaled(initial: u64, load: Value) -> Summary {
    let services = json!([{"name": "back", "replicas": initial,
        "service_time": {"dist": "exponential", "mean_ms": 10},
        "autoscale": {"min": 1, "max": 10, "target_utilization": 0.7, "interval_s": 15,
                      "startup_s": 10, "cooldown_s": 30}}]);
    run_with(
        services,
        "back",
        300.0,
        "poisson",
        json!({"duration_s": 300, "load": load}),
    )
}

#[test]
fn the_autoscaler_settles_at_the_needed_replicas() {
    // interval + startup + cooldown = 55 s.
    for initial in [4, 10] {
        let s = autoscaled(initial, json!([]));
        let replicas = rounded(&s.timeseries.services["back"].replicas);
        assert!(
            replicas[55..].iter().all(|&r| r == 5.0),
            "from {initial}: {replicas:?} {:?}",
            s.scaling_events
        );
        assert!(
            s.scaling_events
                .iter()
                .all(|e| e.t_s <= 55.0 && e.reason == ScalingReason::Autoscale)
        );
        let last = s.scaling_events.last().expect("scaled");
        assert_eq!(last.to, 5);
        assert!(last.utilization.is_some());
    }
    // From 4: decides at 15 s, the new replica serves from 25 s.
    let s = autoscaled(4, json!([]));
    let replicas = rounded(&s.timeseries.services["back"].replicas);
    assert_eq!(replicas[24], 4.0);
    assert_eq!(replicas[25], 5.0);
    assert_eq!(s.timeseries.services["back"].replicas_desired[15], 5);
}

#[test]
fn the_autoscaler_waits_for_its_cooldown_before_scaling_down() {
    // 10 → 5 at 15 s; the load drops to 40% at 60 s (needs 2); the
    // cooldown (30 s from 15 s) has passed, so the 75 s decision scales down.
    let s = autoscaled(10, json!([{"at_s": 60, "multiplier": 0.4}]));
    let events: Vec<(f64, u64, u64)> = s
        .scaling_events
        .iter()
        .map(|e| (e.t_s, e.from, e.to))
        .collect();
    assert_eq!(events, vec![(15.0, 10, 5), (75.0, 5, 2)]);
    // With a 100 s cooldown the scale-down waits for 120 s.
    let services = json!([{"name": "back", "replicas": 10,
        "service_time": {"dist": "exponential", "mean_ms": 10},
        "autoscale": {"min": 1, "max": 10, "target_utilization": 0.7, "interval_s": 15,
                      "startup_s": 10, "cooldown_s": 100}}]);
    let s = run_with(
        services,
        "back",
        300.0,
        "poisson",
        json!({"duration_s": 200, "load": [{"at_s": 60, "multiplier": 0.4}]}),
    );
    let events: Vec<(f64, u64, u64)> = s
        .scaling_events
        .iter()
        .map(|e| (e.t_s, e.from, e.to))
        .collect();
    assert_eq!(events, vec![(15.0, 10, 5), (120.0, 5, 2)]);
}

#[test]
fn load_spikes_and_diurnal_cycles_compose_with_steps() {
    let services = json!([{"name": "back", "workers": 1000, "service_time": constant(1.0)}]);
    let s = run_with(
        services,
        "back",
        100.0,
        "uniform",
        json!({"duration_s": 80, "load": [
            {"at_s": 10, "multiplier": 2},
            {"kind": "spike", "at_s": 20, "duration_s": 5, "multiplier": 3},
            {"kind": "diurnal", "at_s": 40, "period_s": 20, "amplitude": 0.5}]}),
    );
    let offered = &s.timeseries.entrypoints["in"].offered;
    let near = |got: u64, want: f64| (got as f64 - want).abs() <= 1.0 + want * 0.001;
    assert!(near(sum(offered, 0..10), 1000.0));
    assert!(near(sum(offered, 10..20), 2000.0), "step to 2×");
    assert!(
        near(sum(offered, 20..25), 3000.0),
        "spike 3× on top of the step"
    );
    assert!(near(sum(offered, 25..40), 3000.0), "back to the step");
    // Diurnal on 2×: the first half-period is above (1 + 2A/π on average),
    // the second below; a whole period averages to the base.
    let high = 200.0 * 10.0 * (1.0 + 0.5 * 2.0 / std::f64::consts::PI);
    assert!(near(sum(offered, 40..50), high), "{}", sum(offered, 40..50));
    assert!(
        near(sum(offered, 40..60), 4000.0),
        "{}",
        sum(offered, 40..60)
    );
}

#[test]
fn faults_and_jitter_are_deterministic() {
    let topology = json!([
        {"name": "front", "workers": 50, "service_time": {"dist": "exponential", "mean_ms": 2},
         "retry_budget": {"ratio": 0.3, "min_per_s": 5},
         "calls": [{"to": "back", "timeout_ms": 40,
                    "retries": {"max": 3, "backoff_ms": 5, "jitter": true},
                    "circuit_breaker": {"failure_ratio": 0.5, "window": 10, "open_s": 1}},
                   {"to": "cache", "optional": true, "timeout_ms": 10}]},
        {"name": "back", "zones": ["a", "b"], "replicas": 3, "workers": 4, "startup_s": 1,
         "load_balancer": "least_outstanding", "queue_capacity": 50,
         "service_time": {"dist": "lognormal", "median_ms": 8, "p99_ms": 40},
         "autoscale": {"min": 2, "max": 6, "target_utilization": 0.6, "interval_s": 5,
                       "startup_s": 3, "cooldown_s": 10}},
        {"name": "cache", "replicas": 2, "load_balancer": "random", "rate_limit_rps": 250,
         "service_time": {"dist": "exponential", "mean_ms": 1}}]);
    let scenario = |seed: u64| {
        json!({"duration_s": 60, "seed": seed,
               "faults": [{"kind": "latency", "service": "back", "add_ms": 30, "at_s": 10, "duration_s": 10},
                          {"kind": "crash", "service": "back", "replicas": 1, "at_s": 25, "duration_s": 5},
                          {"kind": "errors", "service": "cache", "probability": 0.3, "at_s": 30, "duration_s": 10},
                          {"kind": "zone_outage", "zone": "b", "at_s": 40, "duration_s": 5},
                          {"kind": "partition", "between": ["front", "cache"], "mode": "hang", "at_s": 50, "duration_s": 3}],
               "scaling": [{"at_s": 45, "service": "cache", "replicas": 3}]})
    };
    let json_of = |seed: u64| {
        let mut s = run_with(topology.clone(), "front", 300.0, "poisson", scenario(seed));
        s.wall_s = 0.0;
        s.to_json_pretty()
    };
    let first = json_of(7);
    assert_eq!(first, json_of(7));
    assert_ne!(first, json_of(8));
}

#[test]
fn live_state_shows_replicas_breakers_and_faults() {
    let topology = json!({"name": "t", "services": [
        {"name": "front", "workers": 100, "service_time": constant(1.0),
         "calls": [{"to": "back", "circuit_breaker": {"failure_ratio": 0.5, "window": 10, "open_s": 30}}]},
        {"name": "back", "replicas": 3, "workers": 10, "startup_s": 5, "service_time": constant(5.0)}],
        "workload": [{"name": "in", "to": "front", "rate_rps": 100, "arrivals": "uniform"}]});
    let topology: Topology = serde_json::from_value(topology).expect("parses");
    let checked = model::check(topology).expect("valid");
    let scenario: Scenario = serde_json::from_value(json!({"name": "s", "duration_s": 40,
        "faults": [{"kind": "crash", "service": "back", "replicas": 1, "at_s": 5, "duration_s": 10},
                   {"kind": "errors", "service": "back", "probability": 1.0, "at_s": 10, "duration_s": 2}]}))
    .expect("parses");
    let mut sim = Simulation::new(
        &checked
            .check_scenario(scenario.clone())
            .expect("valid scenario"),
    )
    .expect("builds");
    sim.run_until(11.0);
    let live = sim.live();
    let back = &live.services[1];
    assert_eq!(
        (back.replicas_up, back.replicas_down, back.replicas_desired),
        (2, 1, 3)
    );
    assert_eq!(back.error_probability, 1.0);
    assert_eq!(live.active_faults, vec![0, 1]);
    assert_eq!(live.edges[0].breaker, Some(BreakerState::Open));
    sim.run_until(16.0);
    let live = sim.live();
    assert_eq!(
        (
            live.services[1].replicas_up,
            live.services[1].replicas_starting
        ),
        (2, 1)
    );
    assert!(live.active_faults.is_empty());
}

/// Runs scenario `scenario` of `scenarios/FILE`.
fn story(file: &str, scenario: &str) -> Summary {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let checked = model::load_checked_file(&path).expect("example loads");
    let scenario = archsim::model::find_scenario(checked.topology(), Some(scenario))
        .cloned()
        .expect("scenario");
    Simulation::new(
        &checked
            .check_scenario(scenario.clone())
            .expect("valid scenario"),
    )
    .expect("builds")
    .run()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn story_a_retry_storm_outlasts_the_slowdown_unless_contained() {
    // The slowdown is from 60 s to 80 s.
    let storm = story("retry-storm.json", "retry storm");
    let entry = &storm.timeseries.entrypoints["requests"];
    let db = &storm.timeseries.services["db"];
    assert_eq!(sum(&entry.errors, 0..60), 0);
    // Long after the fault: still (almost) every request fails, by timeout,
    // and the database still gets 4 attempts per request at 100%.
    let late_errors = sum(&entry.errors_timeout, 200..300) as f64;
    let late_offered = sum(&entry.offered, 200..300) as f64;
    assert!(
        late_errors > 0.95 * late_offered,
        "{late_errors} of {late_offered}"
    );
    assert!(mean(&db.utilization[200..300]) > 0.99);
    let attempts = sum(&db.arrivals, 200..300) as f64 / late_offered;
    assert!(attempts > 3.8, "{attempts} attempts per request");

    let contained = story("retry-storm.json", "breaker and budget");
    let entry = &contained.timeseries.entrypoints["requests"];
    let db = &contained.timeseries.services["db"];
    assert!(sum(&entry.errors_circuit_open, 60..90) > 5000);
    assert_eq!(sum(&entry.errors, 100..300), 0, "recovered within 20 s");
    let utilization = mean(&db.utilization[100..300]);
    assert!((0.65..0.75).contains(&utilization), "{utilization}");
    let breaker = &contained.timeseries.edges[0].breaker_open;
    assert!(mean(&breaker[60..80]) > 0.5 && mean(&breaker[100..300]) == 0.0);

    let budget = story("retry-storm.json", "budget only");
    let entry = &budget.timeseries.entrypoints["requests"];
    assert!(sum(&entry.errors, 100..130) > 10_000, "slow to recover");
    assert_eq!(sum(&entry.errors, 150..300), 0, "but it recovers");
}

#[test]
fn story_an_autoscaler_follows_a_ramp_but_not_a_spike() {
    let ramp = story("autoscaling.json", "ramp");
    assert_eq!(ramp.entry("requests").expect("entry").failed, 0);
    let app = &ramp.timeseries.services["app"];
    assert_eq!(rounded(&app.replicas)[299], 8.0);
    assert!(app.utilization.iter().all(|&u| u < 0.9));
    assert!(ramp.scaling_events.iter().all(|e| e.to == e.from + 1));

    let spike = story("autoscaling.json", "spike");
    let entry = &spike.timeseries.entrypoints["requests"];
    let rejected = sum(&entry.errors_rejected, 60..100);
    assert!(rejected > 5000, "{rejected}");
    assert_eq!(sum(&entry.errors, 0..60) + sum(&entry.errors, 100..300), 0);
    let events: Vec<(f64, u64, u64)> = spike
        .scaling_events
        .iter()
        .map(|e| (e.t_s, e.from, e.to))
        .collect();
    assert_eq!(events, vec![(75.0, 3, 5), (105.0, 5, 7), (165.0, 7, 3)]);
}

#[test]
fn story_three_zones_survive_a_zone_outage_one_zone_does_not() {
    let three = story("zones.json", "three zones");
    let entry = three.entry("orders").expect("entry");
    assert!(
        entry.failed <= 10 && entry.success_ratio > 0.9999,
        "{:?}",
        entry.errors
    );
    let orders = rounded(&three.timeseries.services["orders"].replicas);
    assert_eq!(
        (orders[59], orders[61], orders[134], orders[136]),
        (3.0, 2.0, 2.0, 3.0)
    );

    let one = story("zones.json", "one zone");
    let entry = one.entry("orders").expect("entry");
    assert!(entry.errors.rejected > 40_000, "{:?}", entry.errors);
    assert!(entry.success_ratio < 0.7);
    let series = &one.timeseries.entrypoints["orders"];
    assert_eq!(sum(&series.errors, 136..240), 0, "back after the restart");
}
