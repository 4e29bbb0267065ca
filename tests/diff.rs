//! Design against reality (`archsim diff`): a topology compared with the
//! traces in `tests/fixtures`, and the command line's output and exit codes.

use std::path::{Path, PathBuf};

use archsim::diff::{self, Diff};
use archsim::import::{ImportOptions, import_paths};
use archsim::model::{self, Call, CallSpec, Distribution, Service, Topology};

use super::cli::archsim;

const HOTROD_TRACE: &str = "tests/fixtures/hotrod/getTrace-response.json";

fn root(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn observed(relative: &str) -> archsim::import::ImportOutcome {
    import_paths(&[root(relative)], &ImportOptions::default()).expect("the fixture imports")
}

fn hotrod_design() -> Topology {
    model::load_checked_file(&root("scenarios/hotrod.json"))
        .expect("the example is valid")
        .into_inner()
}

fn pairs(items: &[[String; 2]]) -> Vec<(&str, &str)> {
    items
        .iter()
        .map(|[a, b]| (a.as_str(), b.as_str()))
        .collect()
}

#[test]
fn a_topology_imported_from_a_trace_agrees_with_that_trace() {
    for trace in [
        HOTROD_TRACE,
        "tests/fixtures/jaeger-ui-test-traces/spansAmongEachOtherGrouped.json",
        "tests/fixtures/opentelemetry-proto/trace.json",
        "tests/fixtures/jaeger-query-fixtures/otlp2jaeger-in.json",
    ] {
        let outcome = observed(trace);
        let result = diff::compare(&outcome.topology, &outcome, diff::DEFAULT_THRESHOLD);
        assert!(result.agree, "{trace}: {result:#?}");
        assert_eq!(result.differences(), 0);
        assert!(!result.service_times.is_empty(), "{trace}: times compared");
    }
}

#[test]
fn the_hotrod_design_differs_from_its_trace_where_it_should() {
    let outcome = observed(HOTROD_TRACE);
    let result: Diff = diff::compare(&hotrod_design(), &outcome, 0.25);
    assert!(!result.agree);
    // The design's cache-aside lookup never shows in the trace.
    assert_eq!(
        pairs(&result.edges.declared_not_observed),
        [("customer", "redis-manual")]
    );
    assert!(result.edges.observed_not_declared.is_empty());
    assert_eq!(
        pairs(&result.operations.declared_not_observed),
        [("redis-manual", "GetCustomer")]
    );
    assert!(result.services.observed_not_declared.is_empty());
    assert!(result.services.declared_not_observed.is_empty());

    let time = |service: &str, operation: &str| {
        result
            .service_times
            .iter()
            .find(|r| r.service == service && r.operation == operation)
            .unwrap_or_else(|| panic!("no row for {service} {operation}: {result:#?}"))
    };
    // 13 GetDriver spans: p99 38 ms against a declared 20 ms.
    let get_driver = time("redis-manual", "GetDriver");
    assert_eq!(get_driver.samples, 13);
    assert!(get_driver.drift);
    assert!(get_driver.observed_p99_ms > 30.0, "{get_driver:?}");
    // The sole declared operation of route pairs with the one span name.
    let route = time("route", "default");
    assert_eq!(route.observed_operation.as_deref(), Some("GET /route"));
    assert_eq!(route.samples, 10);
    // One mysql span at 257 ms: far off, but too few samples to call it drift.
    let mysql = time("mysql", "default");
    assert!(
        mysql.observed_median_ms > 200.0 && !mysql.drift,
        "{mysql:?}"
    );

    let call = |caller: &str, callee: &str| {
        result
            .call_probabilities
            .iter()
            .find(|r| r.caller == caller && r.callee == callee)
            .unwrap_or_else(|| panic!("no row for {caller} → {callee}"))
    };
    let db = call("customer", "mysql");
    assert!((db.declared_probability - 0.2).abs() < 1e-9, "{db:?}");
    assert!((db.observed_probability - 1.0).abs() < 1e-9, "{db:?}");
    assert!(db.drift);
    let routes = call("frontend", "route");
    assert!((routes.observed_calls - 10.0).abs() < 0.01, "{routes:?}");
    assert!(!routes.drift);
    assert!(call("driver", "redis-manual").drift, "11 declared, 14 seen");
    // An edge only one side has is listed once, not again as a call row.
    assert!(
        !result
            .call_probabilities
            .iter()
            .any(|r| r.caller == "customer" && r.callee == "redis-manual")
    );
}

#[test]
fn services_and_edges_on_one_side_only_are_named() {
    let outcome = observed(HOTROD_TRACE);
    let mut design = outcome.topology.clone();
    // The design forgets driver → redis-manual and adds a service the
    // traces never saw, called by the frontend.
    for service in &mut design.services {
        for op in &mut service.operations {
            op.calls.retain(|spec| {
                !spec
                    .calls()
                    .iter()
                    .any(|c| service.name == "driver" && c.to == "redis-manual")
            });
            if service.name == "frontend" {
                op.calls.push(CallSpec::Single(Call::to("audit")));
            }
        }
    }
    design
        .services
        .push(Service::new("audit", Distribution::Constant { ms: 1.0 }));
    let result = diff::compare(&design, &outcome, 0.25);
    assert_eq!(result.services.declared_not_observed, ["audit"]);
    assert_eq!(
        pairs(&result.edges.observed_not_declared),
        [("driver", "redis-manual")]
    );
    assert_eq!(
        pairs(&result.edges.declared_not_observed),
        [("frontend", "audit")]
    );
    assert_eq!(result.differences(), 3, "{result:#?}");
}

#[test]
fn a_tighter_threshold_flags_more_and_a_looser_one_fewer() {
    let outcome = observed(HOTROD_TRACE);
    let design = hotrod_design();
    let drifting = |threshold: f64| {
        diff::compare(&design, &outcome, threshold)
            .service_times
            .iter()
            .filter(|r| r.drift)
            .count()
    };
    assert!(drifting(0.05) >= drifting(0.25));
    assert!(drifting(0.25) > drifting(10.0));
    assert_eq!(drifting(10.0), 0);
}

#[test]
fn cli_diff_prints_the_differences_and_exits_1() {
    let output = archsim(&["diff", "scenarios/hotrod.json", HOTROD_TRACE]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("edges declared, never observed (1):\n  customer → redis-manual"));
    assert!(
        text.lines()
            .any(|l| l.contains("mysql") && l.ends_with("off, but too few samples to judge")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("GET /dispatch") && l.ends_with("1")),
        "a row within the threshold has no remark: {text}"
    );
    assert!(text.contains("differ: 6 differences"), "{text}");
}

#[test]
fn cli_diff_does_not_count_guesses_from_names_as_observed() {
    // The design is sock-shop as its compose file declares it (2 edges);
    // `import` guesses 11 more from the services' names, `diff` must not.
    let compose = "tests/fixtures/sock-shop/docker-compose.yml";
    let options = ImportOptions {
        guess_from_names: false,
        ..ImportOptions::default()
    };
    let declared = import_paths(&[root(compose)], &options).expect("the fixture imports");
    assert_eq!(declared.summary.edges.len(), 2);
    let dir = tempfile::tempdir().expect("temp dir");
    let design = dir.path().join("design.json");
    std::fs::write(&design, model::to_json_string(&declared.topology)).expect("written");
    let design = design.to_str().expect("a UTF-8 path");
    let output = archsim(&["diff", design, compose, "--json", "-"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        json["edges"]["observed_not_declared"],
        serde_json::json!([]),
        "{json}"
    );
    assert_eq!(output.status.code(), Some(0), "{json}");
}

#[test]
fn cli_diff_json_has_the_documented_shape() {
    let output = archsim(&["diff", "scenarios/hotrod.json", HOTROD_TRACE, "--json", "-"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["agree"], false);
    assert_eq!(json["threshold"], 0.25);
    assert_eq!(
        json["edges"]["declared_not_observed"],
        serde_json::json!([["customer", "redis-manual"]])
    );
    assert_eq!(
        json["edges"]["observed_not_declared"],
        serde_json::json!([])
    );
    let row = &json["service_times"][0];
    for key in [
        "service",
        "operation",
        "declared_median_ms",
        "observed_median_ms",
        "declared_p99_ms",
        "observed_p99_ms",
        "samples",
        "drift",
    ] {
        assert!(
            row.get(key).is_some(),
            "service_times[0] lacks {key}: {row}"
        );
    }
    assert!(json["call_probabilities"][0]["observed_probability"].is_number());
    // Same inputs, same bytes.
    let again = archsim(&["diff", "scenarios/hotrod.json", HOTROD_TRACE, "--json", "-"]);
    assert_eq!(output.stdout, again.stdout);
}

#[test]
fn cli_diff_of_an_import_with_its_own_trace_exits_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let imported = dir.path().join("hotrod.json");
    let imported = imported.to_str().expect("UTF-8 path");
    let import = archsim(&["import", HOTROD_TRACE, "--out", imported, "-q"]);
    assert_eq!(import.status.code(), Some(0));
    let output = archsim(&["diff", imported, HOTROD_TRACE]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("agree: nothing differs"));
}

#[test]
fn cli_diff_exits_2_naming_a_file_it_cannot_read() {
    let output = archsim(&["diff", "scenarios/hotrod.json", "no/such/trace.json"]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("no/such/trace.json"), "{err}");

    let output = archsim(&["diff", "no/such/design.json", HOTROD_TRACE]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("no/such/design.json"), "{err}");

    let output = archsim(&[
        "diff",
        "scenarios/hotrod.json",
        HOTROD_TRACE,
        "--threshold=-1",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--threshold"));
}
