//! The graph of operations (nodes) and the calls between them (edges), for
//! finding call cycles and for estimating how many visits a request causes.

use std::collections::{HashMap, VecDeque};

use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use super::super::diagnostic::Place;
use super::super::types::{CallSpec, Topology};
use super::Ctx;

/// One resolved call: from an operation node to another.
pub(super) struct Edge {
    pub to: usize,
    /// Expected calls per visit of the caller: probability × count.
    pub expected: f64,
    pub place: Place,
}

/// Operations as nodes `0..n`, in service order then operation order.
pub(super) struct OpGraph {
    /// `"service.operation"` of each node, for messages.
    pub labels: Vec<String>,
    /// Node of the first operation of each service.
    pub first: Vec<usize>,
    pub edges: Vec<Vec<Edge>>,
}

impl OpGraph {
    /// Builds the graph; calls whose target does not resolve are left out
    /// (they are reported elsewhere).
    pub fn build(topology: &Topology) -> Self {
        let mut labels = Vec::new();
        let mut first = Vec::with_capacity(topology.services.len());
        let mut node_of: HashMap<(&str, &str), usize> = HashMap::new();
        for service in &topology.services {
            first.push(labels.len());
            for op in service.operation_views() {
                node_of
                    .entry((service.name.as_str(), op.name))
                    .or_insert(labels.len());
                labels.push(format!("{}.{}", service.name, op.name));
            }
        }
        let mut edges: Vec<Vec<Edge>> = (0..labels.len()).map(|_| Vec::new()).collect();
        for (i, service) in topology.services.iter().enumerate() {
            let service_place = Place::root().item("services", i).named(&service.name);
            for op in service.operation_views() {
                let from = first[i] + op.index;
                let owner = if op.implicit {
                    service_place.clone()
                } else {
                    service_place.item("operations", op.index).named(op.name)
                };
                for (k, spec) in op.calls.iter().enumerate() {
                    let spec_place = owner.item("calls", k);
                    for (m, call) in spec.calls().iter().enumerate() {
                        let Some(&to) = node_of.get(&(call.to.as_str(), call.operation.as_str()))
                        else {
                            continue;
                        };
                        let place = match spec {
                            CallSpec::Single(_) => spec_place.clone(),
                            CallSpec::Parallel(_) => spec_place.item("parallel", m),
                        };
                        edges[from].push(Edge {
                            to,
                            expected: call.probability * call.count as f64,
                            place,
                        });
                    }
                }
            }
        }
        OpGraph {
            labels,
            first,
            edges,
        }
    }

    fn petgraph(&self) -> DiGraph<(), ()> {
        let mut graph = DiGraph::with_capacity(self.labels.len(), 0);
        for _ in 0..self.labels.len() {
            graph.add_node(());
        }
        for (from, edges) in self.edges.iter().enumerate() {
            for edge in edges {
                graph.add_edge(NodeIndex::new(from), NodeIndex::new(edge.to), ());
            }
        }
        graph
    }

    /// Nodes in topological order (callers before callees), or `None` when
    /// the calls form a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        toposort(&self.petgraph(), None)
            .ok()
            .map(|order| order.into_iter().map(NodeIndex::index).collect())
    }

    /// Expected visits of every operation per request that enters at `entry`;
    /// `order` is [`OpGraph::topological_order`].
    pub fn visits(&self, order: &[usize], entry: usize) -> Vec<f64> {
        let mut visits = vec![0.0; self.labels.len()];
        visits[entry] = 1.0;
        for &node in order {
            let here = visits[node];
            if here == 0.0 {
                continue;
            }
            for edge in &self.edges[node] {
                visits[edge.to] += here * edge.expected;
            }
        }
        visits
    }
}

/// Reports every cycle of calls between operations, naming it.
pub(super) fn check_cycles(ctx: &mut Ctx, graph: &OpGraph) {
    // Kosaraju, not Tarjan: petgraph's Tarjan recurses once per node of a
    // chain and overflows the stack on deep call chains; this one iterates.
    let mut components: Vec<Vec<usize>> = kosaraju_scc(&graph.petgraph())
        .into_iter()
        .map(|scc| {
            let mut nodes: Vec<usize> = scc.into_iter().map(NodeIndex::index).collect();
            nodes.sort_unstable();
            nodes
        })
        .filter(|nodes| nodes.len() > 1 || graph.edges[nodes[0]].iter().any(|e| e.to == nodes[0]))
        .collect();
    components.sort();
    for component in components {
        let Some((cycle, place)) = find_cycle(graph, &component) else {
            continue;
        };
        let names: Vec<&str> = cycle.iter().map(|&n| graph.labels[n].as_str()).collect();
        ctx.error(
            &place,
            format!(
                "call cycle {}: callers wait for their calls, so a request would call itself again and again \
                 (and could deadlock workers); archsim needs the calls between operations to form no cycle — \
                 remove one of these calls or point it at another operation",
                names.join(" → ")
            ),
        );
    }
}

/// A shortest cycle through the smallest node of a strongly connected
/// component: the nodes (first repeated at the end) and the place of its
/// first call.
fn find_cycle(graph: &OpGraph, component: &[usize]) -> Option<(Vec<usize>, Place)> {
    let start = *component.first()?;
    let inside = |n: usize| component.binary_search(&n).is_ok();
    let mut parent: HashMap<usize, usize> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for edge in &graph.edges[node] {
            if edge.to == start {
                let mut cycle = vec![node];
                let mut current = node;
                while current != start {
                    current = *parent.get(&current)?;
                    cycle.push(current);
                }
                cycle.reverse();
                cycle.push(start);
                let second = cycle[1];
                let place = graph.edges[start]
                    .iter()
                    .find(|e| e.to == second)?
                    .place
                    .clone();
                return Some((cycle, place));
            }
            if inside(edge.to) && edge.to != start && !parent.contains_key(&edge.to) {
                parent.insert(edge.to, node);
                queue.push_back(edge.to);
            }
        }
    }
    None
}
