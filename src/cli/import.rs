//! `archsim import` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Input files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`archsim import` is not available yet")
}
