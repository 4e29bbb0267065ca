//! petgraph view of a topology: analysis and layout. No UI.

pub mod analysis;
mod deps;
pub mod export;
pub mod layout;
mod ops;
pub mod queueing;

pub use analysis::{
    Analysis, Bottleneck, Cycle, DependencyEdge, EntryAnalysis, PathStep, ServiceLoad,
    SinglePointOfFailure, Visit, analyze,
};
pub use export::{GraphDocument, GraphEdge, GraphNode};

use petgraph::graph::DiGraph;

use crate::model::Checked;

/// The service dependency graph of a checked topology: node `i` (weight
/// `i`) is `topology().services[i]`; an edge a → b means a calls b, with
/// weight the expected calls per visit of a (probability × count, averaged
/// over a's operations by how often the workload visits each; equally for
/// services without traffic). One edge per caller/callee pair.
pub fn dependency_graph(checked: &Checked) -> DiGraph<usize, f64> {
    let dag = ops::OpDag::build(checked);
    let rates = analysis::operation_rates(checked, &dag);
    let share = analysis::operation_shares(checked, &dag, &rates);
    deps::dependency_graph(&dag, checked.topology().services.len(), &share)
}
