//! `archsim report` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Input files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: ReportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`archsim report` is not available yet")
}
