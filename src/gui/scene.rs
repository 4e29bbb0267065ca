//! The scene the canvas draws is the core's [`crate::report::scene`] (the
//! report's SVG draws the same one): built off the UI thread from the
//! topology, the view filter and the analysis' figures; the canvas only
//! transforms it to screen coordinates and paints it.

pub use crate::report::scene::{Figures, NodeId, Scene, SceneEdge, SceneNode, SceneOptions};
