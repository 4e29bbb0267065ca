//! The run's findings (`metrics::Finding`): a storm that outlives its
//! trigger is metastable, the same blip without retries or with a retry
//! budget is not, a calm run has none, and each other kind is found once
//! in a run made to show it.

use std::path::Path;

use archsim::metrics::{Finding, Summary};
use archsim::model;
use archsim::sim::Simulation;
use serde_json::{Value, json};

fn example(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let text = std::fs::read_to_string(path).expect("the example reads");
    serde_json::from_str(&text).expect("the example is JSON")
}

fn run(document: &Value, scenario: &str) -> Summary {
    let checked =
        model::load_checked_str(&document.to_string(), "test").expect("the document loads");
    let run = checked
        .scenario(Some(scenario))
        .expect("the scenario exists");
    Simulation::new(&run).expect("it compiles").run()
}

fn kinds(summary: &Summary) -> Vec<&'static str> {
    summary.findings.iter().map(Finding::kind).collect()
}

fn metastable(summary: &Summary) -> Vec<&archsim::metrics::Metastable> {
    summary
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::Metastable(m) => Some(m),
            _ => None,
        })
        .collect()
}

#[test]
fn a_ten_second_slowdown_with_unbudgeted_retries_is_metastable() {
    let summary = run(&example("metastable.json"), "unbudgeted retries");
    let found = metastable(&summary);
    assert_eq!(found.len(), 1, "{:?}", summary.findings);
    let m = found[0];
    assert_eq!(m.trigger, "slowdown of db");
    assert_eq!((m.trigger_start_s, m.trigger_end_s), (60.0, 70.0));
    assert!((60.0..70.0).contains(&m.from_s), "{m:?}");
    assert_eq!(m.recovered_s, None, "never recovers");
    assert!(
        m.goodput_before_rps > 500.0 && m.goodput_after_rps < 50.0,
        "{m:?}"
    );
    let edge = &m.retry_amplification[0];
    assert_eq!((edge.from.as_str(), edge.to.as_str()), ("api", "db"));
    assert!(edge.before < 1.1 && edge.after > 3.5, "{edge:?}");
    let queue = m.queue_growth.iter().find(|q| q.service == "db");
    assert!(queue.is_some_and(|q| q.at_end > q.at_trigger_end && q.growth_per_s > 0.0));
    assert!(m.text.contains("never recovered"), "{}", m.text);

    // In the JSON: top-level, tagged by kind, recovered_s null.
    let value: Value = serde_json::from_str(&summary.to_json_pretty()).expect("JSON");
    let first = &value["findings"][0];
    assert_eq!(first["kind"], "metastable");
    assert!(first["recovered_s"].is_null());
    assert!(first["retry_amplification"][0]["after"].as_f64() > Some(3.5));
}

#[test]
fn the_same_blip_without_retries_recovers() {
    let summary = run(&example("metastable.json"), "no retries");
    assert!(metastable(&summary).is_empty(), "{:?}", summary.findings);
    // The slowdown did hurt: the failures were real, then stopped.
    let errors = &summary.timeseries.entrypoints["requests"].errors;
    assert!(errors[60..70].iter().sum::<u64>() > 1000);
    // Afterwards only the odd timeout of a database at 69% (a tail query).
    let offered: u64 = summary.timeseries.entrypoints["requests"].offered[120..]
        .iter()
        .sum();
    assert!(errors[120..].iter().sum::<u64>() * 1000 < offered);
}

#[test]
fn the_same_blip_with_a_retry_budget_recovers() {
    let summary = run(&example("metastable.json"), "retry budget");
    assert!(metastable(&summary).is_empty(), "{:?}", summary.findings);
    let errors = &summary.timeseries.entrypoints["requests"].errors;
    assert_eq!(errors[120..].iter().sum::<u64>(), 0);
}

#[test]
fn a_calm_run_has_no_findings() {
    let document = example("three-tier.json");
    let name = document["scenarios"][0]["name"]
        .as_str()
        .expect("a scenario")
        .to_owned();
    let summary = run(&document, &name);
    assert_eq!(summary.findings, Vec::new());
    let value: Value = serde_json::from_str(&summary.to_json_pretty()).expect("JSON");
    assert_eq!(value["findings"], json!([]), "always present");
}

#[test]
fn a_service_saturated_for_long_is_a_sustained_overload() {
    let summary = run(&example("metastable.json"), "unbudgeted retries");
    let overloads: Vec<_> = summary
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::SustainedOverload(o) => Some(o),
            _ => None,
        })
        .collect();
    assert_eq!(overloads.len(), 1, "{:?}", summary.findings);
    assert_eq!(overloads[0].service, "db");
    assert_eq!(overloads[0].to_s, 300.0, "to the end of the run");
    assert!(overloads[0].utilization > 0.95);
}

#[test]
fn a_breaker_tripped_by_intermittent_errors_flaps() {
    let errors = |at_s: f64| json!({"kind": "errors", "service": "db", "probability": 1.0, "at_s": at_s, "duration_s": 2.0});
    let document = json!({
        "archsim": 1,
        "name": "flapping",
        "services": [
            {"name": "api", "workers": 100,
             "service_time": {"dist": "constant", "ms": 1.0},
             "calls": [{"to": "db", "timeout_ms": 100,
                        "circuit_breaker": {"failure_ratio": 0.5, "window": 20, "open_s": 1}}]},
            {"name": "db", "workers": 20, "service_time": {"dist": "constant", "ms": 5.0}}
        ],
        "workload": [{"name": "requests", "to": "api", "rate_rps": 200.0}],
        "scenarios": [{"name": "blinking", "duration_s": 120.0,
                       "faults": [errors(30.0), errors(40.0), errors(50.0), errors(60.0)]}]
    });
    let summary = run(&document, "blinking");
    assert_eq!(
        kinds(&summary),
        vec!["breaker_flapping"],
        "{:?}",
        summary.findings
    );
    let Finding::BreakerFlapping(f) = &summary.findings[0] else {
        unreachable!("checked above")
    };
    assert_eq!((f.from.as_str(), f.to.as_str()), ("api", "db"));
    assert!(f.openings >= 3, "{f:?}");
    assert!(
        (30.0..=31.0).contains(&f.from_s) && (60.0..=64.0).contains(&f.to_s),
        "{f:?}"
    );
}

#[test]
fn an_autoscaler_chasing_a_fast_wave_thrashes() {
    let document = json!({
        "archsim": 1,
        "name": "thrash",
        "services": [
            {"name": "app", "replicas": 2, "workers": 4,
             "service_time": {"dist": "constant", "ms": 20.0},
             "autoscale": {"min": 1, "max": 10, "target_utilization": 0.6,
                           "interval_s": 5, "startup_s": 0, "cooldown_s": 0}}
        ],
        "workload": [{"name": "requests", "to": "app", "rate_rps": 200.0}],
        "scenarios": [{"name": "wave", "duration_s": 300.0,
                       "load": [{"kind": "diurnal", "at_s": 0, "period_s": 40, "amplitude": 0.8}]}]
    });
    let summary = run(&document, "wave");
    let thrash: Vec<_> = summary
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::AutoscalerThrash(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(thrash.len(), 1, "{:?}", summary.findings);
    assert_eq!(thrash[0].service, "app");
    assert!(thrash[0].reversals >= 3 && thrash[0].changes > thrash[0].reversals);
    assert!(thrash[0].replicas_max > thrash[0].replicas_min);
}

#[test]
fn findings_are_the_same_for_the_same_seed() {
    let document = example("metastable.json");
    let a = run(&document, "unbudgeted retries");
    let b = run(&document, "unbudgeted retries");
    assert_eq!(a.findings, b.findings);
}

#[test]
fn an_average_over_replications_keeps_the_findings_of_a_majority() {
    let document = example("metastable.json");
    let storm = run(&document, "unbudgeted retries");
    let calm = run(&document, "no retries");
    assert!(calm.findings.is_empty(), "{:?}", calm.findings);
    let two_of_three =
        archsim::experiment::aggregate([&storm, &storm, &calm], 0.95).expect("same shape");
    assert_eq!(two_of_three.summary.findings, storm.findings);
    let one_of_three =
        archsim::experiment::aggregate([&storm, &calm, &calm], 0.95).expect("same shape");
    assert_eq!(one_of_three.summary.findings, Vec::new());
}
