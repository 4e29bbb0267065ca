//! Validation of the workload, scenarios (load, faults, scaling,
//! overrides), `slo`, warnings and absurd sizes.

use archsim::model::{self, Severity};
use serde_json::{Value, json};

use super::{base, errors_of, fast, find, set, warnings_of};

#[test]
fn scenarios_are_checked() {
    let mut t = base();
    t["scenarios"] = json!([{
        "name": "s", "duration_s": 60, "warmup_s": 60, "bucket_s": 0.00001,
        "load": [{"at_s": 10}, {"kind": "ramp", "at_s": 5, "multiplier": 2}, {"kind": "diurnal", "at_s": 0, "period_s": 60, "amplitude": 2}],
        "faults": [
            {"kind": "crash", "service": "paymnt", "at_s": 1},
            {"kind": "latency", "service": "payment", "add_ms": -5, "at_s": 1},
            {"kind": "errors", "service": "payment", "probability": 2, "at_s": 1},
            {"kind": "zone_outage", "zone": "c", "at_s": 1},
            {"kind": "partition", "between": ["payment", "payment"], "at_s": 1}
        ],
        "scaling": [{"at_s": 1, "service": "nope", "replicas": 3}],
        "overrides": [{"service": "nope", "set": {"workers": 2}}]
    }]);
    let errors = errors_of(&t);
    let s = "scenarios[0] \"s\"";
    find(
        &errors,
        &format!("{s} warmup_s"),
        "must be shorter than duration_s (60) (found 60)",
    );
    find(&errors, &format!("{s} bucket_s"), "time-series buckets");
    find(
        &errors,
        &format!("{s} load[0]"),
        "a step load change needs \"multiplier\"",
    );
    find(
        &errors,
        &format!("{s} load[1]"),
        "a ramp load change needs \"ramp_s\"",
    );
    find(
        &errors,
        &format!("{s} load[2].amplitude"),
        "must be a probability from 0 to 1 (found 2)",
    );
    find(
        &errors,
        &format!("{s} faults[0]"),
        "unknown service \"paymnt\" (did you mean \"payment\"?)",
    );
    find(
        &errors,
        &format!("{s} faults[1].add_ms"),
        "must be a number of 0 or more",
    );
    find(
        &errors,
        &format!("{s} faults[2].probability"),
        "must be a probability from 0 to 1",
    );
    find(
        &errors,
        &format!("{s} faults[3].zone"),
        "no service is placed in zone \"c\"; the zones in use are: \"a\", \"b\"",
    );
    find(
        &errors,
        &format!("{s} faults[4].between"),
        "a partition separates two different services",
    );
    find(
        &errors,
        &format!("{s} scaling[0]"),
        "unknown service \"nope\"",
    );
    find(
        &errors,
        &format!("{s} overrides[0]"),
        "unknown service \"nope\"",
    );
}

#[test]
fn overrides_must_apply_cleanly() {
    let mut t = base();
    t["scenarios"] = json!([
        {"name": "typo", "duration_s": 60, "overrides": [{"service": "payment", "set": {"wrkers": 8}}]},
        {"name": "type", "duration_s": 60, "overrides": [{"service": "payment", "set": {"workers": "eight"}}]},
        {"name": "rename", "duration_s": 60, "overrides": [{"service": "payment", "set": {"name": "pay"}}]},
        {"name": "range", "duration_s": 60, "overrides": [{"service": "payment", "set": {"workers": 0}}]},
        {"name": "fine", "duration_s": 60, "overrides": [{"service": "payment", "set": {"workers": 8, "queue_capacity": null, "x-note": 1}}]}
    ]);
    let errors = errors_of(&t);
    find(
        &errors,
        "scenarios[0] \"typo\" overrides[0].set.wrkers",
        "unknown field \"wrkers\" (did you mean \"workers\"?)",
    );
    find(
        &errors,
        "scenarios[1] \"type\" overrides[0].set.workers",
        "expected a whole number",
    );
    find(
        &errors,
        "scenarios[2] \"rename\" overrides[0].set.name",
        "an override cannot rename a service",
    );
    find(
        &errors,
        "scenarios[3] \"range\" overrides[0]",
        "with this override, services[2] \"payment\" workers: must be at least 1 (found 0)",
    );
    assert!(
        !errors.iter().any(|d| d.path.contains("\"fine\"")),
        "{errors:#?}"
    );
}

#[test]
fn apply_overrides_changes_only_the_named_fields() {
    let mut t = base();
    t["scenarios"] = json!([{"name": "s", "duration_s": 60,
        "overrides": [{"service": "payment", "set": {"workers": 8}}, {"service": "payment", "set": {"replicas": 5}}]}]);
    let checked = model::load_checked_str(&t.to_string(), "t.json").expect("valid");
    let scenario = &checked.topology().scenarios[0];
    let changed = model::apply_overrides(checked.topology(), scenario).expect("applies");
    assert_eq!(changed.services[2].workers, 8);
    assert_eq!(changed.services[2].replicas, 5);
    assert_eq!(
        changed.services[2].operations,
        checked.topology().services[2].operations
    );
    assert_eq!(changed.services[0], checked.topology().services[0]);
}

#[test]
fn absurd_sizes_are_refused_with_a_message() {
    let mut t = base();
    set(&mut t, "/workload/0/rate_rps", json!(1e12));
    let errors = errors_of(&t);
    find(
        &errors,
        "workload[0] \"buy\" rate_rps",
        "1e12 is more than archsim accepts here (at most 10000000)",
    );

    let mut t = base();
    set(&mut t, "/workload/0/rate_rps", json!(1e6));
    set(&mut t, "/scenarios/0/duration_s", json!(2e6));
    let errors = errors_of(&t);
    find(
        &errors,
        "scenarios[0] \"baseline\" duration_s",
        "service visits",
    );

    // a → b → c → d → e, each call made 1000 times: 10^12 visits per request.
    let chain: Vec<Value> = ["a", "b", "c", "d", "e"]
        .windows(2)
        .map(|w| json!({"name": w[0], "service_time": fast(), "calls": [{"to": w[1], "count": 1000}]}))
        .chain([json!({"name": "e", "service_time": fast()})])
        .collect();
    let t = json!({"name": "chain", "services": chain, "workload": [{"to": "a", "rate_rps": 1}]});
    let errors = errors_of(&t);
    find(
        &errors,
        "workload[0]",
        "each request would cause about 1.001001001001e12 service visits",
    );

    let many: Vec<Value> = (0..100_001)
        .map(|i| json!({"name": format!("s{i}"), "service_time": fast()}))
        .collect();
    let t = json!({"name": "big", "services": many});
    let errors = errors_of(&t);
    find(
        &errors,
        "services",
        "100001 services is more than archsim handles (100000)",
    );

    let mut t = base();
    for i in 0..3 {
        set(&mut t, &format!("/services/{i}/replicas"), json!(100_000));
        set(
            &mut t,
            &format!("/services/{i}/autoscale"),
            json!({"min": 1, "max": 100000, "target_utilization": 0.5}),
        );
    }
    let mut more = t.clone();
    let extra: Vec<Value> = (0..8)
        .map(|i| json!({"name": format!("x{i}"), "replicas": 100_000, "service_time": fast()}))
        .collect();
    more["services"]
        .as_array_mut()
        .expect("services")
        .extend(extra);
    let errors = errors_of(&more);
    find(&errors, "services", "replicas together");
}

#[test]
fn a_topology_needs_a_service() {
    let errors = errors_of(&json!({"name": "t", "services": []}));
    find(&errors, "services", "a topology needs at least one service");
}

#[test]
fn slo_values_are_checked() {
    let mut t = base();
    t["slo"] = json!({"latency_p99_ms": -1, "availability": 1.5});
    let errors = errors_of(&t);
    find(
        &errors,
        "slo.latency_p99_ms",
        "must be a number greater than 0",
    );
    find(
        &errors,
        "slo.availability",
        "must be a probability from 0 to 1",
    );
}

#[test]
fn warnings_do_not_fail_validation() {
    let mut t = base();
    set(&mut t, "/services/0/calls/0/probability", json!(0));
    t["scenarios"][0]["faults"] =
        json!([{"kind": "crash", "service": "payment", "replicas": 5, "at_s": 100}]);
    t["scenarios"][0]["load"] = json!([{"at_s": 5, "multiplier": 2, "period_s": 3}]);
    t["layout"] = json!({"nodes": {"ghost": {"x": 0, "y": 0}}, "collapsed_groups": ["nobody"]});
    set(&mut t, "/services/0/zones", json!(["a", "a"]));
    t["services"][1]["load_shedding"] = json!({});
    let warnings = warnings_of(&t);
    assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
    find(
        &warnings,
        "services[0] \"gateway\" calls[0].probability",
        "is 0, so this call is never made",
    );
    find(
        &warnings,
        "scenarios[0] \"baseline\" faults[0].at_s",
        "at or after the end of the run",
    );
    find(
        &warnings,
        "scenarios[0] \"baseline\" faults[0].replicas",
        "has at most 2 replicas, so all of them crash",
    );
    find(
        &warnings,
        "scenarios[0] \"baseline\" load[0].period_s",
        "is not used by a step load change",
    );
    find(
        &warnings,
        "layout.nodes.ghost",
        "\"ghost\" is not a service",
    );
    find(
        &warnings,
        "layout.collapsed_groups[0]",
        "no service is in group \"nobody\"",
    );
    find(
        &warnings,
        "services[0] \"gateway\" zones[1]",
        "zone \"a\" is listed twice",
    );
    find(
        &warnings,
        "services[1] \"checkout\" load_shedding",
        "sheds nothing",
    );
    assert!(warnings[0].to_string().starts_with("warning: "));
}
