//! `archsim run` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Input files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`archsim run` is not available yet")
}
