//! Small hand-made traces, one aspect of trace import each.

use archsim::model::{CallSpec, Distribution, ServiceKind};
use serde_json::{Value, json};

use super::*;

/// One Jaeger span: (trace, span id, parent id, service, operation, start µs, duration µs, tags).
type S<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    u64,
    u64,
    &'a [(&'a str, &'a str)],
);

fn jaeger(spans: &[S]) -> Value {
    let mut traces: Vec<Value> = Vec::new();
    let mut ids: Vec<&str> = spans.iter().map(|s| s.0).collect();
    ids.dedup();
    for trace in ids {
        let mut processes = serde_json::Map::new();
        let list: Vec<Value> = spans
            .iter()
            .filter(|s| s.0 == trace)
            .map(|&(t, id, parent, service, name, start, duration, tags)| {
                processes.insert(service.to_owned(), json!({"serviceName": service}));
                let references = if parent.is_empty() {
                    json!([])
                } else {
                    json!([{"refType": "CHILD_OF", "traceID": t, "spanID": parent}])
                };
                let tags: Vec<Value> = tags.iter().map(|(k, v)| json!({"key": k, "type": "string", "value": v})).collect();
                json!({"traceID": t, "spanID": id, "operationName": name, "references": references,
                       "startTime": start, "duration": duration, "tags": tags, "processID": service})
            })
            .collect();
        traces.push(json!({"traceID": trace, "spans": list, "processes": processes}));
    }
    json!({ "data": traces })
}

fn import_json(value: &Value) -> ImportOutcome {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "trace.json", &value.to_string());
    import(&[path])
}

#[test]
fn call_probability_counts_and_entry_rate() {
    let outcome = import_json(&jaeger(&[
        ("t1", "1", "", "api", "GET /", 0, 10_000, &[]),
        ("t1", "2", "1", "db", "query", 1_000, 1_000, &[]),
        ("t1", "3", "1", "db", "query", 3_000, 1_000, &[]),
        ("t2", "4", "", "api", "GET /", 9_990_000, 10_000, &[]),
    ]));
    let t = &outcome.topology;
    let api = service(t, "api");
    let op = &api.operations[0];
    assert_eq!(op.name, "GET /");
    let CallSpec::Single(call) = &op.calls[0] else {
        panic!("{:?}", op.calls)
    };
    // Two sequential queries in one of two requests.
    assert_eq!(
        (
            call.to.as_str(),
            call.operation.as_str(),
            call.count,
            call.probability
        ),
        ("db", "query", 2, 0.5)
    );
    // Two root spans over a 10 s window.
    assert_eq!(t.workload.len(), 1);
    assert!(
        (t.workload[0].rate_rps - 0.2).abs() < 1e-9,
        "{}",
        t.workload[0].rate_rps
    );
    assert_eq!(confidence(t, "api", "db"), "high");
}

#[test]
fn overlapping_children_are_parallel_and_self_time_excludes_them() {
    let outcome = import_json(&jaeger(&[
        ("t1", "1", "", "api", "GET /", 0, 10_000, &[]),
        // An internal span of api: its children still count as api's calls.
        ("t1", "2", "1", "api", "handler", 500, 9_000, &[]),
        ("t1", "3", "2", "b", "x", 2_000, 4_000, &[]),
        ("t1", "4", "2", "c", "y", 4_000, 4_000, &[]),
        ("t1", "5", "4", "c", "inner", 5_000, 1_000, &[]),
    ]));
    let t = &outcome.topology;
    let op = &service(t, "api").operations[0];
    assert_eq!(op.calls.len(), 1);
    let CallSpec::Parallel(group) = &op.calls[0] else {
        panic!("{:?}", op.calls)
    };
    let callees: Vec<&str> = group.iter().map(|c| c.to.as_str()).collect();
    assert_eq!(callees, ["b", "c"]);
    // 10 ms minus the union of [2, 6] and [4, 8] ms.
    assert_eq!(op.service_time, Some(Distribution::Constant { ms: 4.0 }));
    // c's own child is within c: c's self time is its whole span.
    assert_eq!(
        service(t, "c").operations[0].service_time,
        Some(Distribution::Constant { ms: 4.0 })
    );
}

#[test]
fn client_spans_naming_an_untraced_peer_become_services() {
    let outcome = import_json(&jaeger(&[
        (
            "t1",
            "1",
            "",
            "shop",
            "POST /pay",
            0,
            20_000,
            &[("span.kind", "server")],
        ),
        (
            "t1",
            "2",
            "1",
            "shop",
            "charge",
            1_000,
            15_000,
            &[("span.kind", "client"), ("peer.service", "stripe")],
        ),
        (
            "t1",
            "3",
            "1",
            "shop",
            "SELECT",
            16_500,
            2_000,
            &[("span.kind", "client"), ("db.system", "postgresql")],
        ),
    ]));
    let t = &outcome.topology;
    assert_eq!(
        edges(t),
        pairs(&[("shop", "stripe"), ("shop", "postgresql")])
    );
    assert_eq!(service(t, "stripe").kind, ServiceKind::External);
    assert_eq!(service(t, "postgresql").kind, ServiceKind::Database);
    let stripe = &service(t, "stripe").operations[0];
    assert_eq!(stripe.name, "charge");
    assert_eq!(
        stripe.service_time,
        Some(Distribution::Constant { ms: 15.0 })
    );
    // shop's own work: 20 ms minus 15 ms and 2 ms of calls.
    assert_eq!(
        service(t, "shop").operations[0].service_time,
        Some(Distribution::Constant { ms: 3.0 })
    );
}

/// `n` traces of api → db whose api self-times are `self_ms(i)`.
fn traces_with_self_times(n: usize, self_ms: impl Fn(usize) -> f64) -> Value {
    let mut spans = Vec::new();
    for i in 0..n {
        let own_us = (self_ms(i) * 1000.0).round() as u64;
        let start = i as u64 * 1_000_000;
        spans.push(
            json!({"traceID": format!("t{i}"), "spanID": format!("a{i}"), "operationName": "GET /",
            "references": [], "startTime": start, "duration": own_us + 1_000, "processID": "p1"}),
        );
        spans.push(
            json!({"traceID": format!("t{i}"), "spanID": format!("b{i}"), "operationName": "q",
            "references": [{"refType": "FOLLOWS_FROM", "spanID": format!("a{i}")}],
            "startTime": start + own_us, "duration": 1_000, "processID": "p2"}),
        );
    }
    json!({"traceID": "many", "spans": spans,
           "processes": {"p1": {"serviceName": "api"}, "p2": {"serviceName": "db"}}})
}

/// The standard normal quantile, by bisection on the error function.
fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-8.0f64, 8.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        // Φ(x) = (1 + erf(x/√2)) / 2, erf by its series (|x| ≤ 8 is fine in f64).
        let x = mid / std::f64::consts::SQRT_2;
        let mut term = x;
        let mut sum = x;
        for k in 1..200 {
            term *= -x * x / k as f64;
            sum += term / (2 * k + 1) as f64;
        }
        let cdf = 0.5 * (1.0 + sum * 2.0 / std::f64::consts::PI.sqrt());
        if cdf < p { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

#[test]
fn lognormal_self_times_fit_a_lognormal() {
    let n = 60;
    let value = traces_with_self_times(n, |i| {
        5.0 * (0.6 * normal_quantile((i as f64 + 0.5) / n as f64)).exp()
    });
    let t = import_json(&value).topology;
    match &service(&t, "api").operations[0].service_time {
        Some(Distribution::Lognormal { median_ms, p99_ms }) => {
            assert!((median_ms - 5.0).abs() < 0.3, "{median_ms}");
            assert!(*p99_ms > 12.0 && *p99_ms < 25.0, "{p99_ms}");
        }
        other => panic!("expected a lognormal, got {other:?}"),
    }
    // The FOLLOWS_FROM child still makes an edge.
    assert_eq!(edges(&t), pairs(&[("api", "db")]));
}

#[test]
fn bimodal_self_times_stay_empirical_and_capped() {
    let value = traces_with_self_times(300, |i| {
        if i % 3 == 0 {
            50.0
        } else {
            1.0 + (i % 7) as f64 * 0.01
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "trace.json", &value.to_string());
    let options = archsim::import::ImportOptions {
        max_empirical_samples: 40,
        ..Default::default()
    };
    let t = import_with(&[path], &options).topology;
    match &service(&t, "api").operations[0].service_time {
        Some(Distribution::Empirical { samples_ms }) => {
            assert_eq!(samples_ms.len(), 40);
            assert!(samples_ms.contains(&50.0));
        }
        other => panic!("expected empirical samples, got {other:?}"),
    }
}

#[test]
fn otlp_spellings_are_understood() {
    let value = json!({"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "web"}}]},
         "instrumentationLibrarySpans": [{"spans": [
            {"traceId": "AB", "spanId": "01", "name": "GET /", "kind": "SPAN_KIND_SERVER",
             "startTimeUnixNano": 1_000_000_000u64, "endTimeUnixNano": "1005000000"},
            {"traceId": "AB", "spanId": "02", "parentSpanId": "01", "name": "call api", "kind": 3,
             "startTimeUnixNano": "1001000000", "endTimeUnixNano": "1004000000"}]}]},
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
         "scopeSpans": [{"spans": [
            {"traceId": "ab", "spanId": "03", "parentSpanId": "02", "name": "GET /api", "kind": 2,
             "startTimeUnixNano": "1001500000", "endTimeUnixNano": "1003500000"}]}]}
    ]});
    let t = import_json(&value).topology;
    assert_eq!(edges(&t), pairs(&[("web", "api")]));
    let call = calls(service(&t, "web"))[0];
    assert_eq!(call.operation, "GET /api");
    assert_eq!(
        service(&t, "web").operations[0].service_time,
        Some(Distribution::Constant { ms: 3.0 })
    );
}

#[test]
fn declared_edges_and_traces_agree_on_names_through_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let compose = write(
        dir.path(),
        "compose.yaml",
        "services:\n  web:\n    image: x/web\n    environment: [OTEL_SERVICE_NAME=web-frontend, API_URL=http://api:80]\n  api: {image: x/api}\n",
    );
    let trace = write(
        dir.path(),
        "trace.json",
        &jaeger(&[
            ("t1", "1", "", "web-frontend", "GET /", 0, 5_000, &[]),
            ("t1", "2", "1", "api", "list", 1_000, 2_000, &[]),
        ])
        .to_string(),
    );
    let outcome = import(&[compose, trace]);
    let t = &outcome.topology;
    assert_eq!(names(t), ["web", "api"]);
    assert_eq!(edges(t), pairs(&[("web", "api")]));
    let found = evidence(&outcome, "web", "api");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(t.workload[0].to, "web");
}

/// Found by fuzzing: spans with an empty operation name, an empty service
/// name or a blank `peer.service` built operations or services named "",
/// which do not validate (`ImportError::Invalid`).
#[test]
fn spans_with_empty_names_import_as_unnamed_and_unknown_service() {
    let outcome = import_json(&jaeger(&[
        ("t1", "1", "", "api", "", 0, 10_000, &[]),
        (
            "t1",
            "2",
            "1",
            "api",
            "call",
            1_000,
            1_000,
            &[("span.kind", "client"), ("peer.service", " ")],
        ),
        ("t1", "3", "1", "", "query", 3_000, 1_000, &[]),
    ]));
    let t = &outcome.topology;
    assert_eq!(service(t, "api").operations[0].name, "unnamed");
    assert!(names(t).contains(&"unknown_service"), "{:?}", names(t));
    assert!(!names(t).contains(&""), "{:?}", names(t));

    let otlp = json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": ""}}]},
        "scopeSpans": [{"spans": [{"traceId": "aa", "spanId": "01", "name": "",
            "startTimeUnixNano": "1000", "endTimeUnixNano": "2000",
            "attributes": [{"key": "peer.service", "value": {"stringValue": ""}}]}]}]
    }]});
    let outcome = import_json(&otlp);
    let t = &outcome.topology;
    assert_eq!(names(t), vec!["unknown_service"]);
    assert_eq!(service(t, "unknown_service").operations[0].name, "unnamed");
}
