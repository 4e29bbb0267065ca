//! Validation: turns a raw [`Topology`] into a [`Checked`] one, or explains
//! every problem at once.

use super::types::Topology;

/// A topology that passed validation. The engine and the analysis take this
/// and rely on its invariants (names resolve, numbers in range, no blocking
/// call cycles) without checking again.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    topology: Topology,
}

impl Checked {
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn into_inner(self) -> Topology {
        self.topology
    }
}

/// One problem found in a topology.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Where, e.g. `services[3] "checkout" calls[1]`.
    pub path: String,
    pub message: String,
}

/// Validates a topology. (Placeholder: the real checks land with issue 2.)
pub fn check(topology: Topology) -> Result<Checked, Vec<Diagnostic>> {
    Ok(Checked { topology })
}
