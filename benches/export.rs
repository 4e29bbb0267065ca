//! Export speed on large graphs: the SVG picture of a random DAG of 10,000
//! and 50,000 services (`archsim export FILE --format svg`: analysis, scene
//! layout, label placement, writing the SVG), the same graph as DOT, and
//! the SVG picture of a 20,000-service chain. The topologies are those of
//! `scripts/gen_scale.py` (same generator, same seed). Figures:
//! docs/performance.md.
//!
//!     cargo bench --no-default-features --bench export

// A benchmark whose model does not load should stop at once.
#![allow(clippy::expect_used)]

use std::hint::black_box;

use archsim::model::{self, Checked};
use archsim::report::{ExportKind, render_graph};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

/// SplitMix64, as in scripts/gen_scale.py.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

fn service(i: usize, calls: Vec<Value>) -> Value {
    let mut s = json!({"name": format!("s{i}"), "service_time": {"dist": "constant", "ms": 1}});
    if !calls.is_empty() {
        s["calls"] = Value::Array(calls);
    }
    s
}

/// `gen_scale.py dag N`.
fn dag(n: usize) -> Checked {
    let mut rng = SplitMix64(1);
    let mut calls: Vec<Vec<Value>> = vec![Vec::new(); n];
    for j in 1..n {
        calls[rng.below(j)].push(json!({"to": format!("s{j}")}));
        if rng.below(2) == 0 {
            calls[rng.below(j)]
                .push(json!({"to": format!("s{j}"), "probability": 0.1, "optional": true}));
        }
    }
    let topology = json!({
        "name": format!("Random DAG of {n} services"),
        "services": calls.into_iter().enumerate().map(|(i, c)| service(i, c)).collect::<Vec<_>>(),
        "workload": [{"name": "in", "to": "s0", "rate_rps": 10}],
    });
    model::load_checked_str(&topology.to_string(), "dag").expect("the DAG is valid")
}

/// `gen_scale.py chain N`.
fn chain(n: usize) -> Checked {
    let services: Vec<Value> = (0..n)
        .map(|i| {
            let calls = if i + 1 < n {
                vec![json!({"to": format!("s{}", i + 1)})]
            } else {
                Vec::new()
            };
            service(i, calls)
        })
        .collect();
    let topology = json!({
        "name": format!("Chain of {n} services"),
        "services": services,
        "workload": [{"name": "in", "to": "s0", "rate_rps": 1}],
        "scenarios": [{"name": "short", "duration_s": 10}],
    });
    model::load_checked_str(&topology.to_string(), "chain").expect("the chain is valid")
}

fn export(c: &mut Criterion) {
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    for n in [10_000, 50_000] {
        let checked = dag(n);
        group.bench_function(format!("svg, random DAG of {n}"), |b| {
            b.iter(|| black_box(render_graph(&checked, ExportKind::GraphSvg)))
        });
        group.bench_function(format!("dot, random DAG of {n}"), |b| {
            b.iter(|| black_box(render_graph(&checked, ExportKind::GraphDot)))
        });
    }
    let checked = chain(20_000);
    group.bench_function("svg, chain of 20000", |b| {
        b.iter(|| black_box(render_graph(&checked, ExportKind::GraphSvg)))
    });
    group.finish();
}

criterion_group!(benches, export);
criterion_main!(benches);
