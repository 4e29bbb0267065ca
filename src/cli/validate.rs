//! `archsim validate` (not yet built).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Input files.
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: ValidateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`archsim validate` is not available yet")
}
