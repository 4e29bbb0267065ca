//! Graph analysis, checked against numbers computed by hand.

use archsim::graph::{self, Analysis};
use archsim::model;
use serde_json::json;

/// The topology of the hand computation below.
///
/// ```text
/// gw (gateway, 2×4, async):  GET /a → api.read;  POST /b → api.write;  own 1 ms (constant)
/// api (1×10, blocking):      read:  own 4 ms (exponential); cache.get; db.query p=0.5 count=3
///                            write: own 6 ms (constant); parallel[db.insert, audit.log optional]
/// cache (1×1):               get 0.8 ms (constant)
/// db (2×5, zones [a, a]):    query 2 ms (uniform 1..3); insert 8 ms (erlang k=2)
/// audit (3×1, zones a,b,c):  log 3 ms (constant)
/// workload: read = gw GET /a at 100 rps; write = gw POST /b at 20 rps
/// ```
fn hand_topology() -> serde_json::Value {
    let constant = |ms: f64| json!({"dist": "constant", "ms": ms});
    json!({
        "name": "hand",
        "services": [
            {"name": "gw", "kind": "gateway", "replicas": 2, "workers": 4, "blocking_calls": false,
             "service_time": constant(1.0),
             "operations": [
                {"name": "GET /a", "calls": [{"to": "api", "operation": "read"}]},
                {"name": "POST /b", "calls": [{"to": "api", "operation": "write"}]}]},
            {"name": "api", "workers": 10, "operations": [
                {"name": "read", "service_time": {"dist": "exponential", "mean_ms": 4},
                 "calls": [{"to": "cache", "operation": "get"},
                           {"to": "db", "operation": "query", "probability": 0.5, "count": 3}]},
                {"name": "write", "service_time": constant(6.0),
                 "calls": [{"parallel": [{"to": "db", "operation": "insert"},
                                         {"to": "audit", "operation": "log", "optional": true}]}]}]},
            {"name": "cache", "kind": "cache", "operations": [{"name": "get", "service_time": constant(0.8)}]},
            {"name": "db", "kind": "database", "replicas": 2, "workers": 5, "zones": ["a", "a"], "operations": [
                {"name": "query", "service_time": {"dist": "uniform", "min_ms": 1, "max_ms": 3}},
                {"name": "insert", "service_time": {"dist": "erlang", "k": 2, "mean_ms": 8}}]},
            {"name": "audit", "replicas": 3, "zones": ["a", "b", "c"], "operations": [{"name": "log", "service_time": constant(3.0)}]}
        ],
        "workload": [
            {"name": "read", "to": "gw", "operation": "GET /a", "rate_rps": 100},
            {"name": "write", "to": "gw", "operation": "POST /b", "rate_rps": 20}
        ]
    })
}

fn analyze(topology: &serde_json::Value) -> Analysis {
    let checked = model::load_checked_str(&topology.to_string(), "hand.json").expect("valid");
    graph::analyze(&checked)
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{actual} is not {expected}"
    );
}

#[test]
fn visits_rates_and_utilization_match_the_hand_computation() {
    let a = analyze(&hand_topology());
    // Response without queueing, innermost first:
    //   cache.get 0.8; db.query 2; db.insert 8; audit.log 3
    //   api.read  = 4 + 0.8 + (0.5×3)×2 = 7.8
    //   api.write = 6 + max(8, 3)       = 14
    //   gw.GET /a = 1 + 7.8 = 8.8;  gw.POST /b = 1 + 14 = 15
    close(a.entries[0].latency_ms, 8.8);
    close(a.entries[1].latency_ms, 15.0);
    // Arrival rates: gw 120; api 120; cache 100; db 100×1.5 + 20 = 170; audit 20.
    // Busy workers (λ × hold; gw is async so it holds 1 ms, api is blocking):
    //   gw    120 × 1 ms                 = 0.12 erlang / 8  workers → ρ = 0.015
    //   api   100 × 7.8 + 20 × 14 ms     = 1.06 erlang / 10 workers → ρ = 0.106
    //   cache 100 × 0.8 ms               = 0.08 erlang / 1  worker  → ρ = 0.08
    //   db    150 × 2 + 20 × 8 ms        = 0.46 erlang / 10 workers → ρ = 0.046
    //   audit 20 × 3 ms                  = 0.06 erlang / 3  workers → ρ = 0.02
    let expected = [
        ("gw", 120.0, 1.0, 0.015),
        ("api", 120.0, 1060.0 / 120.0, 0.106),
        ("cache", 100.0, 0.8, 0.08),
        ("db", 170.0, 460.0 / 170.0, 0.046),
        ("audit", 20.0, 3.0, 0.02),
    ];
    for ((name, rate, hold, rho), s) in expected.iter().zip(&a.services) {
        assert_eq!(&s.name, name);
        close(s.arrival_rate_rps, *rate);
        close(s.hold_ms, *hold);
        close(s.utilization, *rho);
        assert!(!s.overloaded);
    }
    // api's own work averaged over its visits: (100×4 + 20×6) / 120.
    close(a.services[1].own_ms, 520.0 / 120.0);
    // Visits per request of "read": gw 1, api 1, cache 1, db 1.5.
    let visits: Vec<(&str, f64)> = a.entries[0]
        .visits
        .iter()
        .map(|v| (v.service.as_str(), v.visits))
        .collect();
    assert_eq!(
        visits,
        [("gw", 1.0), ("api", 1.0), ("cache", 1.0), ("db", 1.5)]
    );
    close(a.total_rate_rps, 120.0);
}

#[test]
fn bottleneck_and_sustainable_rates_match_the_hand_computation() {
    let a = analyze(&hand_topology());
    let b = a.bottleneck.as_ref().expect("a bottleneck");
    assert_eq!(b.service, "api");
    close(b.utilization, 0.106);
    // The mix can grow until api reaches ρ = 1: factor 1/0.106, i.e. 120/0.106 rps in total.
    close(b.max_load_factor, 1.0 / 0.106);
    close(b.max_total_rate_rps, 120.0 / 0.106);
    // "read" alone, per 1 rps: api 7.8 ms/10 workers = 0.00078, cache 0.8 ms/1 = 0.0008 → cache
    // limits it at 1/0.0008 = 1250 rps.
    assert_eq!(a.entries[0].bottleneck.as_deref(), Some("cache"));
    close(a.entries[0].max_rate_rps.expect("limit"), 1250.0);
    // "write" alone: api 14/10 = 0.0014, audit 3/3 = 0.001, db 8/10 = 0.0008 → api at 714.28 rps.
    assert_eq!(a.entries[1].bottleneck.as_deref(), Some("api"));
    close(a.entries[1].max_rate_rps.expect("limit"), 1.0 / 0.0014);
    assert!(a.overloaded.is_empty());
}

#[test]
fn overload_is_flagged() {
    let mut t = hand_topology();
    t["workload"][0]["rate_rps"] = json!(2000); // cache: 2000 × 0.8 ms = 1.6 erlang on 1 worker
    let a = analyze(&t);
    assert_eq!(a.overloaded, ["api", "cache"]);
    let b = a.bottleneck.expect("bottleneck");
    assert_eq!(b.service, "cache");
    close(b.utilization, 1.6);
    assert!(b.max_load_factor < 1.0);
}

#[test]
fn dependency_edges_layers_and_fans() {
    let a = analyze(&hand_topology());
    // Edge weights: expected calls per visit of the caller, averaged over its operations by
    // visits (api: read 100/120, write 20/120).
    //   gw→api 1; api→cache 100/120; api→db (100×1.5 + 20×1)/120 = 170/120; api→audit 20/120
    let edges: Vec<(&str, &str, f64, f64)> = a
        .edges
        .iter()
        .map(|e| {
            (
                e.from.as_str(),
                e.to.as_str(),
                e.calls_per_visit,
                e.rate_rps,
            )
        })
        .collect();
    let expected = [
        ("gw", "api", 1.0, 120.0),
        ("api", "cache", 100.0 / 120.0, 100.0),
        ("api", "db", 170.0 / 120.0, 170.0),
        ("api", "audit", 20.0 / 120.0, 20.0),
    ];
    assert_eq!(edges.len(), expected.len());
    for ((from, to, weight, rate), (ef, et, ew, er)) in edges.iter().zip(expected) {
        assert_eq!((*from, *to), (ef, et));
        close(*weight, ew);
        close(*rate, er);
    }
    assert_eq!(
        a.layers,
        [vec!["gw"], vec!["api"], vec!["cache", "db", "audit"]]
    );
    let fans: Vec<(usize, usize)> = a.services.iter().map(|s| (s.fan_in, s.fan_out)).collect();
    assert_eq!(fans, [(0, 1), (1, 3), (1, 0), (1, 0), (1, 0)]);
    assert!(a.cycles.is_empty());

    let checked =
        model::load_checked_str(&hand_topology().to_string(), "hand.json").expect("valid");
    let g = graph::dependency_graph(&checked);
    assert_eq!((g.node_count(), g.edge_count()), (5, 4));
}

#[test]
fn critical_paths_follow_the_heaviest_expected_own_work() {
    let a = analyze(&hand_topology());
    // read:  gw 1 → api.read 4 → max(cache 1×0.8, db.query 1.5×2 = 3) → db.query: 1 + 4 + 3 = 8
    let read = &a.entries[0];
    let steps: Vec<(&str, &str, f64, f64)> = read
        .critical_path
        .iter()
        .map(|s| {
            (
                s.service.as_str(),
                s.operation.as_str(),
                s.calls,
                s.expected_ms,
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("gw", "GET /a", 1.0, 1.0),
            ("api", "read", 1.0, 4.0),
            ("db", "query", 1.5, 3.0)
        ]
    );
    close(read.critical_path_ms, 8.0);
    // write: gw 1 → api.write 6 → the heavier parallel branch, db.insert 8: 15
    let write = &a.entries[1];
    let names: Vec<&str> = write
        .critical_path
        .iter()
        .map(|s| s.service.as_str())
        .collect();
    assert_eq!(names, ["gw", "api", "db"]);
    close(write.critical_path_ms, 15.0);
}

#[test]
fn single_points_of_failure_are_what_every_request_needs() {
    let a = analyze(&hand_topology());
    // read certainly needs gw, api, cache (db.query only with p = 0.5);
    // write needs gw, api, db (audit is optional).
    // gw has 2 replicas and no zones; api and cache have 1 replica; db's 2 replicas are both in zone a.
    let spofs: Vec<(&str, &str, Vec<&str>)> = a
        .single_points_of_failure
        .iter()
        .map(|s| {
            (
                s.service.as_str(),
                s.reason.as_str(),
                s.entries.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        spofs,
        [
            ("api", "1 replica", vec!["read", "write"]),
            ("cache", "1 replica", vec!["read"]),
            ("db", "all 2 replicas in zone a", vec!["write"]),
        ]
    );
    assert_eq!(a.services[4].needed_by, Vec::<String>::new());
}

#[test]
fn cycles_between_services_through_different_operations_are_reported() {
    // a.x → b.y → a.z: valid (no operation loops), but a and b call each other.
    let fast = json!({"dist": "constant", "ms": 1});
    let t = json!({
        "name": "loop",
        "services": [
            {"name": "a", "service_time": fast, "operations": [
                {"name": "x", "calls": [{"to": "b", "operation": "y"}]}, {"name": "z"}]},
            {"name": "b", "service_time": fast, "operations": [
                {"name": "y", "calls": [{"to": "a", "operation": "z"}, {"to": "c"}]}]},
            {"name": "c", "service_time": fast}
        ],
        "workload": [{"to": "a", "operation": "x", "rate_rps": 10}]
    });
    let a = analyze(&t);
    assert_eq!(a.cycles.len(), 1);
    assert_eq!(a.cycles[0].services, ["a", "b"]);
    assert_eq!(a.cycles[0].example, ["a", "b", "a"]);
    // a and b share a layer (the cycle is collapsed); c is below them.
    assert_eq!(a.layers, [vec!["a", "b"], vec!["c"]]);
    // Visits: a.x 1, b.y 1, a.z 1, c 1 → a is visited twice per request.
    let visits: Vec<f64> = a.entries[0].visits.iter().map(|v| v.visits).collect();
    assert_eq!(visits, [2.0, 1.0, 1.0]);
}

#[test]
fn a_topology_without_workload_has_structure_but_no_load() {
    let mut t = hand_topology();
    t.as_object_mut().expect("object").remove("workload");
    let a = analyze(&t);
    assert!(a.bottleneck.is_none());
    assert!(a.entries.is_empty());
    // Not -0.0 (an empty f64 sum), which would print as "-0.0 requests/s".
    assert!(a.total_rate_rps == 0.0 && a.total_rate_rps.is_sign_positive());
    assert!(a.single_points_of_failure.is_empty());
    assert!(a.services.iter().all(|s| s.utilization == 0.0));
    // Edge weights fall back to equal operation shares: api→db = (1.5 + 1) / 2.
    let api_db = a
        .edges
        .iter()
        .find(|e| e.from == "api" && e.to == "db")
        .expect("edge");
    close(api_db.calls_per_visit, 1.25);
    assert_eq!(a.layers.len(), 3);
}

#[test]
fn the_examples_are_healthy_at_their_base_rate() {
    for path in super::format::example_paths() {
        let checked = model::load_checked_file(&path).expect("valid");
        let a = graph::analyze(&checked);
        let b = a.bottleneck.as_ref().expect("examples have traffic");
        assert!(
            b.utilization < 0.7,
            "{}: {} at ρ = {}",
            path.display(),
            b.service,
            b.utilization
        );
        assert!(
            b.utilization > 0.2,
            "{}: so idle that a peak shows nothing",
            path.display()
        );
        let json = serde_json::to_value(&a).expect("serializes");
        assert!(json["services"].as_array().is_some_and(|s| !s.is_empty()));
    }
}
