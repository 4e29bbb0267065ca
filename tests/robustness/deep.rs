//! Deep graphs: every walk of a graph iterates, so chains far deeper than
//! any real system are validated, analysed, simulated, laid out and
//! exported on a thread with the 2 MB stack of the app's workers.

use archsim::graph::layout::{self, LayoutGraph, LayoutOptions, NodeSpec};
use archsim::report::{ExportKind, render_graph};
use archsim::{model, sim};

/// The stack of the app's worker threads (and of Rust's spawned threads).
const WORKER_STACK_BYTES: usize = 2 * 1024 * 1024;

/// Runs `work` on a thread with a 2 MB stack; a stack overflow aborts the
/// whole test binary, so a recursion left anywhere fails loudly.
fn on_small_stack(work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(WORKER_STACK_BYTES)
        .spawn(work)
        .expect("spawn")
        .join()
        .expect("the work panicked");
}

/// A chain of `services` services with two operations each, `a` calling
/// `b` and `b` calling the next service's `a`: a call chain of
/// 2 × `services` operations, and a dependency chain of `services`. Four
/// workers each: `a` holds a worker while its own service runs `b`, so a
/// single worker would deadlock the chain at its first service.
fn chain_topology(services: usize) -> String {
    let mut text = String::from("{\"archsim\": 1, \"name\": \"chain\", \"services\": [\n");
    for i in 0..services {
        let next = if i + 1 < services {
            format!(
                ", \"calls\": [{{\"to\": \"s{}\", \"operation\": \"a\"}}]",
                i + 1
            )
        } else {
            String::new()
        };
        text.push_str(&format!(
            "{{\"name\": \"s{i}\", \"workers\": 4, \"operations\": [\
             {{\"name\": \"a\", \"service_time\": {{\"dist\": \"constant\", \"ms\": 0.001}}, \
               \"calls\": [{{\"to\": \"s{i}\", \"operation\": \"b\"}}]}}, \
             {{\"name\": \"b\", \"service_time\": {{\"dist\": \"constant\", \"ms\": 0.001}}{next}}}]}}{}\n",
            if i + 1 < services { "," } else { "" }
        ));
    }
    text.push_str(
        "], \"workload\": [{\"name\": \"in\", \"to\": \"s0\", \"operation\": \"a\", \"rate_rps\": 5}],\n\
         \"scenarios\": [{\"name\": \"brief\", \"duration_s\": 2, \"seed\": 1}]}\n",
    );
    text
}

// Minutes in a debug build: `.ci/run` runs it in release with
// `cargo test --release --no-default-features --features cli --test integration deep -- --ignored`.
#[test]
#[ignore = "slow in debug builds; .ci/run runs it in release"]
fn a_call_chain_200000_operations_deep_does_not_overflow_a_2mb_stack() {
    on_small_stack(|| {
        // 100,000 services (the most a file may hold), 200,000 operations.
        let text = chain_topology(model::limits::MAX_SERVICES);
        let checked = model::load_checked_str(&text, "chain.json")
            .unwrap_or_else(|e| panic!("the chain is valid: {e}"));
        let analysis = archsim::graph::analyze(&checked);
        // Each service's `a` calls its own `b`: the analysis notes every
        // service as calling itself, and finds no longer cycle.
        assert_eq!(analysis.cycles.len(), model::limits::MAX_SERVICES);
        let run = checked
            .scenario(Some("brief"))
            .unwrap_or_else(|e| panic!("the scenario runs: {e}"));
        let summary = sim::Simulation::new(&run).expect("the plan compiles").run();
        let entry = summary.entry("in").expect("the entry is in the summary");
        assert!(
            entry.completed > 0,
            "no request went down the chain and back"
        );
        for kind in [
            ExportKind::GraphDot,
            ExportKind::GraphMermaid,
            ExportKind::GraphSvg,
        ] {
            let bytes = render_graph(&checked, kind).expect("export");
            assert!(
                bytes.len() > model::limits::MAX_SERVICES,
                "{kind:?} is too short"
            );
        }
    });
}

#[test]
fn a_cycle_closing_a_200000_deep_chain_is_reported_without_overflow() {
    on_small_stack(|| {
        // The last `b` calls the first `a`: one cycle through every operation.
        let services = model::limits::MAX_SERVICES;
        let text = chain_topology(services).replacen(
            "{\"name\": \"b\", \"service_time\": {\"dist\": \"constant\", \"ms\": 0.001}}]}",
            "{\"name\": \"b\", \"service_time\": {\"dist\": \"constant\", \"ms\": 0.001}, \"calls\": [{\"to\": \"s0\", \"operation\": \"a\"}]}]}",
            1,
        );
        let Err(error) = model::load_checked_str(&text, "ring.json") else {
            panic!("a ring of calls is refused");
        };
        assert!(error.to_string().contains("call cycle"), "{error}");
    });
}

#[test]
fn a_layout_of_a_200000_node_chain_does_not_overflow_a_2mb_stack() {
    on_small_stack(|| {
        let n = 200_000;
        let mut nodes: Vec<NodeSpec> = (0..n)
            .map(|i| NodeSpec::new(format!("n{i}"), 120.0, 40.0))
            .collect();
        nodes[0].source = true;
        let graph = LayoutGraph {
            nodes,
            edges: (1..n).map(|i| (i - 1, i)).collect(),
        };
        let options = LayoutOptions {
            sweeps: 1,
            ..LayoutOptions::default()
        };
        let result = layout::layered(&graph, &options);
        assert_eq!(result.positions.len(), n);
        assert_eq!(result.layers[n - 1], n - 1);
    });
}
