//! The service dependency graph: services as nodes, calls as edges
//! weighted by expected calls per visit of the caller; its cycles and
//! layers.

use std::collections::{BTreeMap, VecDeque};

use petgraph::algo::{condensation, kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use super::ops::OpDag;

/// Builds the dependency graph. Node `i` is service `i` (its weight is the
/// index); the weight of edge a → b is the expected number of calls a
/// makes to b per visit of a: Σ over a's operations of (share of a's
/// visits that go to that operation) × (probability × count of its calls
/// to b). `share` gives each operation's share of its service's visits.
pub fn dependency_graph(dag: &OpDag, services: usize, share: &[f64]) -> DiGraph<usize, f64> {
    let mut weights: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (node, op) in dag.nodes.iter().enumerate() {
        for call in op.steps.iter().flat_map(|s| &s.calls) {
            let to = dag.nodes[call.to].service;
            *weights.entry((op.service, to)).or_insert(0.0) += share[node] * call.expected;
        }
    }
    let mut graph = DiGraph::with_capacity(services, weights.len());
    for s in 0..services {
        graph.add_node(s);
    }
    for ((from, to), weight) in weights {
        graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), weight);
    }
    graph
}

/// The call cycles between services: each strongly connected group of
/// services (or a service calling itself), with one shortest cycle through
/// its first member, e.g. `[a, b, a]`.
pub fn cycles(graph: &DiGraph<usize, f64>) -> Vec<(Vec<usize>, Vec<usize>)> {
    // Kosaraju iterates; petgraph's Tarjan recurses per node of a chain.
    let mut found: Vec<(Vec<usize>, Vec<usize>)> = kosaraju_scc(graph)
        .into_iter()
        .filter_map(|scc| {
            let mut members: Vec<usize> = scc.iter().map(|n| graph[*n]).collect();
            members.sort_unstable();
            let start = NodeIndex::new(members[0]);
            let self_loop = graph.contains_edge(start, start);
            if members.len() < 2 && !self_loop {
                return None;
            }
            let example = shortest_cycle(graph, start, &members);
            Some((members, example))
        })
        .collect();
    found.sort();
    found
}

fn shortest_cycle(graph: &DiGraph<usize, f64>, start: NodeIndex, members: &[usize]) -> Vec<usize> {
    let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start.index()]);
    while let Some(node) = queue.pop_front() {
        let mut targets: Vec<usize> = graph
            .edges(NodeIndex::new(node))
            .map(|e| e.target().index())
            .collect();
        targets.sort_unstable();
        for to in targets {
            if to == start.index() {
                let mut path = vec![node];
                let mut current = node;
                while current != start.index() {
                    match parent.get(&current) {
                        Some(&p) => current = p,
                        None => break,
                    }
                    path.push(current);
                }
                path.reverse();
                path.push(start.index());
                return path;
            }
            if members.binary_search(&to).is_ok() && !parent.contains_key(&to) {
                parent.insert(to, node);
                queue.push_back(to);
            }
        }
    }
    vec![start.index(), start.index()]
}

/// The layer of each service: 0 for services nobody calls, otherwise one
/// more than the deepest caller, where services in a cycle share a layer
/// (computed on the graph with each cycle collapsed to one node).
pub fn layers(graph: &DiGraph<usize, f64>) -> Vec<usize> {
    let condensed = condensation(graph.clone(), true);
    let mut layer_of_component = vec![0usize; condensed.node_count()];
    // The condensed graph is acyclic by construction.
    let order = toposort(&condensed, None).unwrap_or_default();
    for node in order {
        let here = layer_of_component[node.index()];
        for edge in condensed.edges(node) {
            let target = edge.target().index();
            layer_of_component[target] = layer_of_component[target].max(here + 1);
        }
    }
    let mut layers = vec![0usize; graph.node_count()];
    for component in condensed.node_indices() {
        for &service in &condensed[component] {
            layers[service] = layer_of_component[component.index()];
        }
    }
    layers
}

/// Distinct callers (fan-in) and callees (fan-out) of each service, not
/// counting calls to itself.
pub fn fan_in_out(graph: &DiGraph<usize, f64>) -> Vec<(usize, usize)> {
    let mut fans = vec![(0usize, 0usize); graph.node_count()];
    for edge in graph.edge_references() {
        let (from, to) = (edge.source().index(), edge.target().index());
        if from != to {
            fans[from].1 += 1;
            fans[to].0 += 1;
        }
    }
    fans
}
