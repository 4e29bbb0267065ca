//! The operations of a checked topology as a DAG, with the expected-value
//! recurrences the analysis is built on: visits per request, response time
//! without queueing, and the heaviest path of own work.

use std::collections::HashMap;

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{CallSpec, Checked};

/// One call from an operation, resolved to operation nodes.
#[derive(Debug, Clone)]
pub(crate) struct OpCall {
    pub to: usize,
    /// probability × count: expected calls per visit of the caller.
    pub expected: f64,
    /// Chance that the call is made at all (its `count` repeats follow).
    pub probability: f64,
    /// Made with probability 1 and not optional: every visit needs it.
    pub certain: bool,
}

/// One entry of an operation's `calls`: a call, or a parallel group.
#[derive(Debug, Clone)]
pub(crate) struct OpStep {
    pub parallel: bool,
    pub calls: Vec<OpCall>,
}

/// One operation node.
#[derive(Debug, Clone)]
pub(crate) struct OpNode {
    pub service: usize,
    pub name: String,
    /// Mean own work, ms.
    pub own_ms: f64,
    pub steps: Vec<OpStep>,
    /// Whether a worker is held while the calls run.
    pub blocking: bool,
}

/// All operations of a topology; nodes of service `s` are
/// `first[s]..first[s] + count`.
#[derive(Debug, Clone)]
pub(crate) struct OpDag {
    pub nodes: Vec<OpNode>,
    pub first: Vec<usize>,
    /// Callers before callees.
    pub order: Vec<usize>,
}

impl OpDag {
    pub fn build(checked: &Checked) -> Self {
        let topology = checked.topology();
        let mut first = Vec::with_capacity(topology.services.len());
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        let mut count = 0;
        for service in &topology.services {
            first.push(count);
            for op in service.operation_views() {
                index.insert((service.name.as_str(), op.name), count);
                count += 1;
            }
        }
        let mut nodes = Vec::with_capacity(count);
        for (s, service) in topology.services.iter().enumerate() {
            for op in service.operation_views() {
                let steps = op
                    .calls
                    .iter()
                    .map(|spec| OpStep {
                        parallel: matches!(spec, CallSpec::Parallel(_)),
                        calls: spec
                            .calls()
                            .iter()
                            // Checked guarantees that every call resolves.
                            .filter_map(|call| {
                                let to =
                                    *index.get(&(call.to.as_str(), call.operation.as_str()))?;
                                Some(OpCall {
                                    to,
                                    expected: call.probability * call.count as f64,
                                    probability: call.probability,
                                    certain: call.probability >= 1.0 && !call.optional,
                                })
                            })
                            .collect(),
                    })
                    .collect();
                nodes.push(OpNode {
                    service: s,
                    name: op.name.to_owned(),
                    own_ms: op.service_time.map_or(0.0, |d| d.mean_ms()),
                    steps,
                    blocking: service.blocking_calls,
                });
            }
        }
        let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(nodes.len(), 0);
        for _ in &nodes {
            graph.add_node(());
        }
        for (from, node) in nodes.iter().enumerate() {
            for call in node.steps.iter().flat_map(|s| &s.calls) {
                graph.add_edge(NodeIndex::new(from), NodeIndex::new(call.to), ());
            }
        }
        // Checked guarantees the operation graph is acyclic; should that
        // ever fail, the order is left empty and every recurrence gives 0.
        let order = toposort(&graph, None)
            .map(|order| order.into_iter().map(NodeIndex::index).collect())
            .unwrap_or_default();
        OpDag {
            nodes,
            first,
            order,
        }
    }

    /// The node of operation `name` of service `service`.
    pub fn node(&self, checked: &Checked, service: usize, name: &str) -> Option<usize> {
        Some(self.first[service] + checked.operation_index(service, name)?)
    }

    /// Expected visits of every operation per request entering at `entry`.
    pub fn visits(&self, entry: usize) -> Vec<f64> {
        let mut visits = vec![0.0; self.nodes.len()];
        visits[entry] = 1.0;
        for &node in &self.order {
            let here = visits[node];
            if here == 0.0 {
                continue;
            }
            for call in self.nodes[node].steps.iter().flat_map(|s| &s.calls) {
                visits[call.to] += here * call.expected;
            }
        }
        visits
    }

    /// Expected response time of every operation without queueing, ms:
    /// own work, plus each sequential call's expected response × expected
    /// calls, plus for each parallel group the largest of its members'.
    pub fn response_ms(&self) -> Vec<f64> {
        let mut response = vec![0.0; self.nodes.len()];
        for &node in self.order.iter().rev() {
            let op = &self.nodes[node];
            let mut total = op.own_ms;
            for step in &op.steps {
                let times = step.calls.iter().map(|c| c.expected * response[c.to]);
                total += if step.parallel {
                    times.fold(0.0, f64::max)
                } else {
                    times.sum()
                };
            }
            response[node] = total;
        }
        response
    }

    /// For every operation, the heaviest path of expected own work that
    /// starts there: own work plus the heaviest of its calls' paths, each
    /// scaled by that call's expected count. Returns the weights and, per
    /// node, the call the path continues with.
    pub fn heaviest_paths(&self) -> (Vec<f64>, Vec<Option<usize>>) {
        let mut weight = vec![0.0; self.nodes.len()];
        let mut next = vec![None; self.nodes.len()];
        for &node in self.order.iter().rev() {
            let op = &self.nodes[node];
            let mut best: Option<(f64, usize)> = None;
            for call in op.steps.iter().flat_map(|s| &s.calls) {
                let value = call.expected * weight[call.to];
                if best.is_none_or(|(b, _)| value > b) {
                    best = Some((value, call.to));
                }
            }
            weight[node] = op.own_ms + best.map_or(0.0, |(v, _)| v);
            next[node] = best.map(|(_, to)| to);
        }
        (weight, next)
    }

    /// Operations every request entering at `entry` visits: reached through
    /// calls made with probability 1 that are not optional.
    pub fn certain_from(&self, entry: usize) -> Vec<bool> {
        let mut needed = vec![false; self.nodes.len()];
        needed[entry] = true;
        for &node in &self.order {
            if !needed[node] {
                continue;
            }
            for call in self.nodes[node].steps.iter().flat_map(|s| &s.calls) {
                if call.certain {
                    needed[call.to] = true;
                }
            }
        }
        needed
    }
}
