//! petgraph view of a topology: analysis and layout. No UI.

pub mod layout;
