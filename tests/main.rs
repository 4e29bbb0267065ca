//! Integration tests, one module per topic.

#[cfg(feature = "gui")]
mod gui;
