//! Exports that scale: the graph picture of a 50,000-service random DAG
//! took a minute when edge labels were placed by testing every label
//! against every node and label before it (quadratic). It is near-linear
//! now (figures and the benchmark that measures it: docs/performance.md);
//! this checks that such a graph is drawn whole.

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
fn svg_export_of_a_50000_service_random_dag_draws_every_node() {
    // Its speed (near-linear, seconds rather than the minute a quadratic
    // label placement took) is measured by `cargo bench --bench export`
    // (docs/performance.md), not asserted here: a loaded machine would fail it.
    let checked = model::load_checked_str(&random_dag(50_000), "dag.json").unwrap();
    let svg = render_graph(&checked, ExportKind::GraphSvg).unwrap();
    let text = String::from_utf8(svg).unwrap();
    assert_eq!(text.matches("class=\"node\"").count(), 50_000);
}
