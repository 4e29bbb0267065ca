//! Validation: every class of error and warning, with its message and
//! location, and the guarantee that no input makes load + check + analyze
//! panic.

use archsim::model::{self, Diagnostic, Severity};
use serde_json::{Value, json};

fn fast() -> Value {
    json!({"dist": "exponential", "mean_ms": 2})
}

/// A valid topology: gateway → checkout.PlaceOrder → payment.Charge, with a
/// workload and a scenario; tests break one thing at a time.
fn base() -> Value {
    json!({
        "name": "t",
        "services": [
            {"name": "gateway", "kind": "gateway", "zones": ["a", "b"], "replicas": 2, "service_time": fast(),
             "calls": [{"to": "checkout", "operation": "PlaceOrder"}]},
            {"name": "checkout", "replicas": 2, "service_time": fast(),
             "operations": [{"name": "PlaceOrder", "calls": [{"to": "payment", "operation": "Charge"}]},
                            {"name": "GetOrder"}]},
            {"name": "payment", "replicas": 2, "operations": [{"name": "Charge", "service_time": fast()}]}
        ],
        "workload": [{"name": "buy", "to": "gateway", "rate_rps": 10}],
        "scenarios": [{"name": "baseline", "duration_s": 60, "warmup_s": 5}]
    })
}

/// All diagnostics of a topology that must fail validation (or loading).
fn errors_of(topology: &Value) -> Vec<Diagnostic> {
    match model::load_checked_str(&topology.to_string(), "t.json") {
        Ok(_) => panic!("expected validation errors for {topology:#}"),
        Err(error) => error.diagnostics(),
    }
}

/// The warnings of a topology that must be valid.
fn warnings_of(topology: &Value) -> Vec<Diagnostic> {
    match model::load_checked_str(&topology.to_string(), "t.json") {
        Ok(checked) => checked.warnings().to_vec(),
        Err(error) => panic!("expected a valid topology, got:\n{error}"),
    }
}

/// The diagnostic at `path` whose message contains `fragment`.
fn find<'a>(diagnostics: &'a [Diagnostic], path: &str, fragment: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.path == path && d.message.contains(fragment))
        .unwrap_or_else(|| {
            panic!("no diagnostic at {path:?} containing {fragment:?} in:\n{diagnostics:#?}")
        })
}

/// Sets (or adds) the member at `pointer`; its parent must exist.
fn set(topology: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let parent = topology
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match parent {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("index")] = value,
        _ => panic!("{pointer}: parent is not a container"),
    }
}

#[test]
fn the_base_topology_is_valid() {
    assert!(warnings_of(&base()).is_empty());
}

#[test]
fn unknown_service_in_a_call_suggests_the_closest_name() {
    let mut t = base();
    let services = t["services"].as_array_mut().expect("services");
    services.push(json!({"name": "fraud", "service_time": fast()}));
    services[2]["operations"][0]["calls"] = json!([{"to": "fraud"}, {"to": "paymnt"}]);
    let errors = errors_of(&t);
    let d = find(
        &errors,
        "services[2] \"payment\" operations[0] \"Charge\" calls[1]",
        "unknown service",
    );
    assert_eq!(
        d.message,
        "unknown service \"paymnt\" (did you mean \"payment\"?)"
    );
    assert!(d.line.is_some() && d.column.is_some());
    assert_eq!(
        d.to_string(),
        "services[2] \"payment\" operations[0] \"Charge\" calls[1]: unknown service \"paymnt\" (did you mean \"payment\"?)"
    );
}

#[test]
fn the_issue_example_message_is_produced_verbatim() {
    let t = json!({
        "name": "t",
        "services": [
            {"name": "gateway", "service_time": fast()},
            {"name": "cart", "service_time": fast()},
            {"name": "payment", "service_time": fast()},
            {"name": "checkout", "service_time": fast(), "calls": [{"to": "cart"}, {"to": "paymnt"}]}
        ]
    });
    let errors = errors_of(&t);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "services[3] \"checkout\" calls[1]: unknown service \"paymnt\" (did you mean \"payment\"?)"
    );
    assert_eq!(
        errors[0].render("t.json"),
        format!(
            "t.json:1:{}: {}",
            errors[0].column.expect("column"),
            errors[0]
        )
    );
}

#[test]
fn unknown_operations_list_the_existing_ones() {
    let mut t = base();
    set(&mut t, "/services/0/calls/0/operation", json!("PlaceOrdr"));
    set(&mut t, "/workload/0/operation", json!("GET /"));
    let errors = errors_of(&t);
    let d = find(
        &errors,
        "services[0] \"gateway\" calls[0]",
        "has no operation",
    );
    assert_eq!(
        d.message,
        "service \"checkout\" has no operation \"PlaceOrdr\" (did you mean \"PlaceOrder\"?); its operations are: \"PlaceOrder\", \"GetOrder\""
    );
    find(
        &errors,
        "workload[0] \"buy\"",
        "service \"gateway\" has no operation \"GET /\"; its operations are: \"default\"",
    );
}

#[test]
fn duplicate_names_are_errors() {
    let mut t = base();
    t["services"]
        .as_array_mut()
        .expect("services")
        .push(json!({"name": "payment", "service_time": fast()}));
    set(&mut t, "/services/1/operations/1/name", json!("PlaceOrder"));
    t["workload"]
        .as_array_mut()
        .expect("workload")
        .push(json!({"name": "buy", "to": "gateway", "rate_rps": 1}));
    t["scenarios"]
        .as_array_mut()
        .expect("scenarios")
        .push(json!({"name": "baseline", "duration_s": 10}));
    let errors = errors_of(&t);
    find(
        &errors,
        "services[3] \"payment\" name",
        "duplicate service name \"payment\" (also services[2])",
    );
    find(
        &errors,
        "services[1] \"checkout\" operations[1] \"PlaceOrder\" name",
        "duplicate operation name \"PlaceOrder\" (also operations[0])",
    );
    find(
        &errors,
        "workload[1] \"buy\"",
        "another entry is also named \"buy\" (workload[0])",
    );
    find(
        &errors,
        "scenarios[1] \"baseline\" name",
        "duplicate scenario name \"baseline\" (also scenarios[0])",
    );
}

#[test]
fn unnamed_entries_to_the_same_operation_collide() {
    let mut t = base();
    t["workload"] = json!([{"to": "gateway", "rate_rps": 1}, {"to": "gateway", "rate_rps": 2}]);
    let errors = errors_of(&t);
    find(
        &errors,
        "workload[1]",
        "another entry is also named \"gateway default\"",
    );
}

#[test]
fn empty_names_are_errors() {
    let mut t = base();
    t["services"]
        .as_array_mut()
        .expect("services")
        .push(json!({"name": "", "service_time": fast()}));
    set(&mut t, "/scenarios/0/name", json!(""));
    let errors = errors_of(&t);
    find(
        &errors,
        "services[3] \"\" name",
        "a service needs a non-empty name",
    );
    find(
        &errors,
        "scenarios[0] \"\" name",
        "a scenario needs a non-empty name",
    );
}

#[test]
fn counts_must_be_in_range() {
    let mut t = base();
    set(&mut t, "/services/0/replicas", json!(0));
    set(&mut t, "/services/1/workers", json!(0));
    set(&mut t, "/services/2/replicas", json!(1_000_000_000u64));
    set(&mut t, "/services/0/calls/0/count", json!(0));
    let errors = errors_of(&t);
    find(
        &errors,
        "services[0] \"gateway\" replicas",
        "must be at least 1 (found 0)",
    );
    find(
        &errors,
        "services[1] \"checkout\" workers",
        "must be at least 1 (found 0)",
    );
    find(
        &errors,
        "services[2] \"payment\" replicas",
        "1000000000 is more than archsim accepts here (at most 100000)",
    );
    find(
        &errors,
        "services[0] \"gateway\" calls[0].count",
        "must be at least 1 (found 0)",
    );
}

#[test]
fn probabilities_and_times_must_be_in_range() {
    let mut t = base();
    set(&mut t, "/services/0/calls/0/probability", json!(1.5));
    set(
        &mut t,
        "/services/1/operations/0/calls/0/timeout_ms",
        json!(0),
    );
    set(&mut t, "/workload/0/rate_rps", json!(-3));
    let errors = errors_of(&t);
    find(
        &errors,
        "services[0] \"gateway\" calls[0].probability",
        "must be a probability from 0 to 1 (found 1.5)",
    );
    find(
        &errors,
        "services[1] \"checkout\" operations[0] \"PlaceOrder\" calls[0].timeout_ms",
        "must be a number greater than 0 (found 0)",
    );
    find(
        &errors,
        "workload[0] \"buy\" rate_rps",
        "must be a number of 0 or more (found -3)",
    );
}

#[test]
fn distributions_are_checked() {
    let cases = [
        (
            json!({"dist": "lognormal", "median_ms": 5, "p99_ms": 5}),
            "service_time.p99_ms",
            "must be greater than median_ms (5) (found 5)",
        ),
        (
            json!({"dist": "lognormal", "median_ms": 0, "p99_ms": 5}),
            "service_time.median_ms",
            "must be a number greater than 0",
        ),
        (
            json!({"dist": "uniform", "min_ms": 5, "max_ms": 1}),
            "service_time.max_ms",
            "must be at least min_ms (5) (found 1)",
        ),
        (
            json!({"dist": "erlang", "k": 0, "mean_ms": 5}),
            "service_time.k",
            "must be at least 1 (found 0)",
        ),
        (
            json!({"dist": "empirical", "samples_ms": []}),
            "service_time.samples_ms",
            "needs at least one sample",
        ),
        (
            json!({"dist": "empirical", "samples_ms": [1, -2]}),
            "service_time.samples_ms[1]",
            "samples must be times from 0",
        ),
        (
            json!({"dist": "exponential", "mean_ms": 0}),
            "service_time.mean_ms",
            "must be a number greater than 0 (found 0)",
        ),
        (
            json!({"dist": "constant", "ms": -1}),
            "service_time.ms",
            "must be a number of 0 or more (found -1)",
        ),
        (
            json!({"dist": "constant", "ms": 1e12}),
            "service_time.ms",
            "is more than archsim accepts here",
        ),
        (
            json!({"dist": "lognormal", "median_ms": 1, "p99_ms": 80000000}),
            "service_time",
            "more than a day",
        ),
    ];
    for (dist, path, message) in cases {
        let mut t = base();
        set(&mut t, "/services/0/service_time", dist.clone());
        let errors = errors_of(&t);
        find(&errors, &format!("services[0] \"gateway\" {path}"), message);
    }
}

#[test]
fn service_time_is_required_for_every_operation() {
    let mut t = base();
    t["services"][0]
        .as_object_mut()
        .expect("object")
        .remove("service_time");
    t["services"][2]["operations"] =
        json!([{"name": "Charge"}, {"name": "Refund", "service_time": fast()}]);
    let errors = errors_of(&t);
    find(
        &errors,
        "services[0] \"gateway\"",
        "no service_time: give the service one",
    );
    find(
        &errors,
        "services[2] \"payment\" operations[0] \"Charge\"",
        "no service_time: give this operation (or the whole service) one",
    );
}

#[test]
fn service_level_calls_conflict_with_operations() {
    let mut t = base();
    t["services"][1]["calls"] = json!([{"to": "payment", "operation": "Charge"}]);
    let errors = errors_of(&t);
    find(
        &errors,
        "services[1] \"checkout\" calls",
        "move these calls into one of its operations",
    );
}

#[test]
fn retries_breakers_and_autoscaling_are_checked() {
    let mut t = base();
    set(
        &mut t,
        "/services/0/calls/0/retries",
        json!({"max": 1000, "backoff_ms": -1, "multiplier": 0}),
    );
    set(
        &mut t,
        "/services/0/calls/0/circuit_breaker",
        json!({"failure_ratio": 0, "window": 10, "open_s": 0, "half_open_probes": 11}),
    );
    set(
        &mut t,
        "/services/1/autoscale",
        json!({"min": 4, "max": 2, "target_utilization": 1.5}),
    );
    set(
        &mut t,
        "/services/2/autoscale",
        json!({"min": 0, "max": 2, "target_utilization": 0.5}),
    );
    let errors = errors_of(&t);
    let call = "services[0] \"gateway\" calls[0]";
    find(
        &errors,
        &format!("{call}.retries.max"),
        "1000 is more than archsim accepts here (at most 100)",
    );
    find(
        &errors,
        &format!("{call}.retries.backoff_ms"),
        "must be a number of 0 or more",
    );
    find(
        &errors,
        &format!("{call}.retries.multiplier"),
        "must be a number greater than 0",
    );
    find(
        &errors,
        &format!("{call}.circuit_breaker.failure_ratio"),
        "must be a fraction greater than 0 and at most 1 (found 0)",
    );
    find(
        &errors,
        &format!("{call}.circuit_breaker.open_s"),
        "must be a number greater than 0",
    );
    find(
        &errors,
        &format!("{call}.circuit_breaker.half_open_probes"),
        "11 is more than archsim accepts here (at most 10)",
    );
    find(
        &errors,
        "services[1] \"checkout\" autoscale.max",
        "must be at least min (4) (found 2)",
    );
    find(
        &errors,
        "services[1] \"checkout\" autoscale.target_utilization",
        "must be a fraction greater than 0 and at most 1 (found 1.5)",
    );
    find(
        &errors,
        "services[2] \"payment\" autoscale.min",
        "must be at least 1 (found 0)",
    );
}

#[test]
fn empty_parallel_groups_are_errors() {
    let mut t = base();
    t["services"][0]["calls"] = json!([{"parallel": []}]);
    let errors = errors_of(&t);
    find(
        &errors,
        "services[0] \"gateway\" calls[0].parallel",
        "a parallel group needs at least one call",
    );
}

#[test]
fn call_cycles_are_named() {
    let mut t = base();
    t["services"][2]["operations"][0]["calls"] = json!([{"to": "gateway"}]);
    let errors = errors_of(&t);
    let d = find(&errors, "services[0] \"gateway\" calls[0]", "call cycle");
    assert!(
        d.message.starts_with(
            "call cycle gateway.default → checkout.PlaceOrder → payment.Charge → gateway.default:"
        ),
        "{}",
        d.message
    );
    assert_eq!(
        errors
            .iter()
            .filter(|d| d.message.contains("call cycle"))
            .count(),
        1
    );
}

#[test]
fn a_service_calling_its_own_operation_is_a_cycle() {
    let mut t = base();
    t["services"][1]["operations"][1]["calls"] =
        json!([{"to": "checkout", "operation": "GetOrder", "probability": 0.1}]);
    let errors = errors_of(&t);
    find(
        &errors,
        "services[1] \"checkout\" operations[1] \"GetOrder\" calls[0]",
        "call cycle checkout.GetOrder → checkout.GetOrder:",
    );
}

#[test]
fn calls_between_different_operations_of_two_services_are_not_a_cycle() {
    let mut t = base();
    // payment.Charge calls checkout.GetOrder: services call each other, operations do not loop.
    t["services"][2]["operations"][0]["calls"] =
        json!([{"to": "checkout", "operation": "GetOrder"}]);
    assert!(warnings_of(&t).is_empty());
}

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

#[test]
fn a_file_without_workload_is_valid_but_cannot_be_simulated() {
    let mut t = base();
    t.as_object_mut().expect("object").remove("workload");
    let checked = model::load_checked_str(&t.to_string(), "t.json").expect("valid for viewing");
    let error = checked.require_workload().expect_err("nothing to simulate");
    assert!(
        error
            .message
            .contains("has no workload, so there is nothing to simulate"),
        "{}",
        error.message
    );
    assert!(error.message.contains("\"to\": \"gateway\""));
}

#[test]
fn scenarios_are_found_by_name_with_suggestions() {
    let checked = model::load_checked_str(&base().to_string(), "t.json").expect("valid");
    assert_eq!(checked.find_scenario(None).expect("first").name, "baseline");
    let error = checked
        .find_scenario(Some("baseln"))
        .expect_err("no such scenario");
    assert_eq!(
        error.message,
        "no scenario named \"baseln\" (did you mean \"baseline\"?); the scenarios are: \"baseline\""
    );
}

#[test]
fn validation_errors_are_located_in_the_source() {
    let text = "{\n  \"name\": \"t\",\n  \"services\": [\n    {\"name\": \"a\", \"replicas\": 0,\n     \"service_time\": {\"dist\": \"constant\", \"ms\": 1}}\n  ]\n}\n";
    let error = model::load_checked_str(text, "f.json").expect_err("invalid");
    let rendered = error.to_string();
    assert_eq!(
        rendered,
        "f.json:4:19: services[0] \"a\" replicas: must be at least 1 (found 0)"
    );
}

/// A tiny deterministic generator for the mutation tests.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Load, check and analyse: must never panic, whatever the input.
fn exercise(text: &str) {
    if let Ok(checked) = model::load_checked_str(text, "fuzz.json") {
        let analysis = archsim::graph::analyze(&checked);
        let document = archsim::graph::GraphDocument::new(&checked, &analysis);
        let _ = archsim::report::dot::to_dot(&document);
        let _ = archsim::report::mermaid::to_mermaid(&document);
        let _ = model::to_json_string(checked.topology());
    }
}

#[test]
fn malformed_inputs_never_panic() {
    let deep_array = "[".repeat(100_000);
    let deep_object = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let deep_value = format!(
        "{{\"name\": \"x\", \"services\": [{{\"name\": \"a\", \"service_time\": {}}}]}}",
        "[".repeat(120) + &"]".repeat(120)
    );
    let fixed = [
        "",
        " ",
        "null",
        "0",
        "\"text\"",
        "[]",
        "{}",
        "{\"name\": 1}",
        "{\"name\": \"x\", \"services\": {}}",
        "{\"name\": \"x\", \"services\": [1, \"a\", null, [], {}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"replicas\": 1e400}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"replicas\": 18446744073709551616}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"replicas\": -1}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"constant\", \"ms\": \"NaN\"}}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"constant\", \"ms\": 1.7976931348623157e308}}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 1e-300, \"p99_ms\": 1e300}}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"calls\": [{\"parallel\": {}}]}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"calls\": [{\"parallel\": [], \"to\": \"b\"}]}]}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"calls\": [1, [], null]}]}",
        "{\"archsim\": -1}",
        "{\"archsim\": 1.5, \"name\": \"x\", \"services\": []}",
        "\u{0}\u{1}\u{2}\u{fffd}\u{fffd}",
        "{\"name\": \"x\", \"services\": [{\"name\": \"a\", \"service_time\": {\"dist\": \"constant\", \"ms\": 1}}], \"layout\": {\"nodes\": {\"a\": {\"x\": 1e308, \"y\": -1e308}}}}",
        &deep_array,
        &deep_object,
        &deep_value,
    ];
    for text in fixed {
        exercise(text);
    }
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    exercise(&String::from_utf8_lossy(&garbage));
}

#[test]
fn mutated_examples_never_panic() {
    let replacements = [
        "-1",
        "0",
        "1e308",
        "-1e308",
        "1e-308",
        "18446744073709551615",
        "0.5",
        "\"x\"",
        "null",
        "[]",
        "{}",
        "true",
        "\"\"",
        "[1, 2]",
        "{\"parallel\": []}",
    ];
    let mut rng = Lcg(7);
    for path in super::format::example_paths() {
        if path.ends_with("large-1000.json") {
            continue; // large: one mutation run takes long; the small ones cover the same code
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let lines: Vec<&str> = text.lines().collect();
        for _ in 0..120 {
            let mutated = match rng.below(5) {
                0 => {
                    // truncate at a character boundary
                    let mut cut = rng.below(text.len());
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text[..cut].to_owned()
                }
                1 => {
                    let mut copy = lines.clone();
                    copy.remove(rng.below(copy.len()));
                    copy.join("\n")
                }
                2 => {
                    let mut copy = lines.clone();
                    let i = rng.below(copy.len());
                    copy.insert(i, lines[i]);
                    copy.join("\n")
                }
                _ => {
                    // replace one value after a key with something else
                    let mut copy: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                    let i = rng.below(copy.len());
                    if let Some(colon) = copy[i].find(": ") {
                        let comma = if copy[i].ends_with(',') { "," } else { "" };
                        let value = replacements[rng.below(replacements.len())];
                        copy[i] = format!("{}: {value}{comma}", &copy[i][..colon]);
                    }
                    copy.join("\n")
                }
            };
            exercise(&mutated);
        }
    }
}
