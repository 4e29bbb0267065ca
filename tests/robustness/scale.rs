//! Exports that scale: the graph picture of a 50,000-service random DAG
//! took a minute when edge labels were placed by testing every label
//! against every node and label before it (quadratic). It is near-linear
//! now (figures: docs/performance.md); this keeps it so, with a bound far
//! above the linear time and far below the quadratic one.

use std::time::{Duration, Instant};

use archsim::model;
use archsim::report::{ExportKind, render_graph};

use super::Lcg;

/// `scripts/gen_scale.py dag N` in shape (not byte for byte): service `j`
/// is called by one random earlier service, and half the time optionally
/// by a second one.
fn random_dag(services: usize) -> String {
    let mut rng = Lcg(1);
    let mut calls: Vec<Vec<String>> = vec![Vec::new(); services];
    for j in 1..services {
        calls[rng.below(j)].push(format!("{{\"to\": \"s{j}\"}}"));
        if rng.below(2) == 0 {
            calls[rng.below(j)].push(format!(
                "{{\"to\": \"s{j}\", \"probability\": 0.1, \"optional\": true}}"
            ));
        }
    }
    let services: Vec<String> = calls
        .iter()
        .enumerate()
        .map(|(i, calls)| {
            format!(
                "{{\"name\": \"s{i}\", \"service_time\": {{\"dist\": \"constant\", \"ms\": 1}}, \"calls\": [{}]}}",
                calls.join(", ")
            )
        })
        .collect();
    format!(
        "{{\"name\": \"dag\", \"services\": [{}], \"workload\": [{{\"name\": \"in\", \"to\": \"s0\", \"rate_rps\": 10}}]}}",
        services.join(",\n")
    )
}

#[test]
fn svg_export_of_a_50000_service_random_dag_is_not_quadratic() {
    let checked = model::load_checked_str(&random_dag(50_000), "dag.json").unwrap();
    let started = Instant::now();
    let svg = render_graph(&checked, ExportKind::GraphSvg).unwrap();
    let took = started.elapsed();
    // About 2.5 s on the development machine (60 s when quadratic).
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let text = String::from_utf8(svg).unwrap();
    assert_eq!(text.matches("class=\"node\"").count(), 50_000);
}
