//! Validation: every class of error and warning, with its message and
//! location. Services, calls and distributions here; workload, scenarios,
//! overrides and sizes in `scenarios`.

mod scenarios;

use archsim::model::{self, Diagnostic};
use serde_json::{Value, json};

pub fn fast() -> Value {
    json!({"dist": "exponential", "mean_ms": 2})
}

/// A valid topology: gateway → checkout.PlaceOrder → payment.Charge, with a
/// workload and a scenario; tests break one thing at a time.
pub fn base() -> Value {
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
pub fn errors_of(topology: &Value) -> Vec<Diagnostic> {
    match model::load_checked_str(&topology.to_string(), "t.json") {
        Ok(_) => panic!("expected validation errors for {topology:#}"),
        Err(error) => error.diagnostics(),
    }
}

/// The warnings of a topology that must be valid.
pub fn warnings_of(topology: &Value) -> Vec<Diagnostic> {
    match model::load_checked_str(&topology.to_string(), "t.json") {
        Ok(checked) => checked.warnings().to_vec(),
        Err(error) => panic!("expected a valid topology, got:\n{error}"),
    }
}

/// The diagnostic at `path` whose message contains `fragment`.
pub fn find<'a>(diagnostics: &'a [Diagnostic], path: &str, fragment: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.path == path && d.message.contains(fragment))
        .unwrap_or_else(|| {
            panic!("no diagnostic at {path:?} containing {fragment:?} in:\n{diagnostics:#?}")
        })
}

/// Sets (or adds) the member at `pointer`; its parent must exist.
pub fn set(topology: &mut Value, pointer: &str, value: Value) {
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
