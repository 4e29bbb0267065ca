//! `archsim graph` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Input files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: GraphArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`archsim graph` is not available yet")
}
