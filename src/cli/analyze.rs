//! `archsim analyze` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Input files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`archsim analyze` is not available yet")
}
