//! `archsim validate FILE...`: load and check topology files; report every
//! problem on stderr as `file:line:col: path: message`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::model::{self, Checked};
use crate::report::words::plural;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Topology files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print only problems, not a line per valid file.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut invalid = 0usize;
    let mut unread = 0usize;
    for path in &args.files {
        let shown = path.display().to_string();
        match model::load_checked_file(path) {
            Ok(checked) => {
                for warning in checked.warnings() {
                    super::eprint_line(warning.render(&shown));
                }
                if !args.quiet {
                    let topology = checked.topology();
                    super::write_stdout(&format!(
                        "{shown}: ok: {}, {}, {}{}\n",
                        plural(topology.services.len(), "service", "services"),
                        plural(
                            topology.workload.len(),
                            "workload entry",
                            "workload entries"
                        ),
                        plural(topology.scenarios.len(), "scenario", "scenarios"),
                        match checked.warnings().len() {
                            0 => String::new(),
                            1 => ", 1 warning".to_owned(),
                            n => format!(", {n} warnings"),
                        }
                    ))?;
                }
            }
            // A file that could not be read says so once; it is not "invalid".
            Err(error @ model::LoadError::Io { .. }) => {
                unread += 1;
                super::eprint_line(&error);
            }
            Err(error) => {
                invalid += 1;
                let diagnostics = error.diagnostics();
                for diagnostic in &diagnostics {
                    super::eprint_line(diagnostic.render(error.origin()));
                }
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                super::eprint_line(format_args!(
                    "{shown}: invalid: {}",
                    plural(errors, "error", "errors")
                ));
            }
        }
    }
    if invalid + unread > 0 {
        let files = args.files.len();
        if files > 1 {
            let mut parts = Vec::new();
            if invalid > 0 {
                parts.push(format!(
                    "{invalid} of {files} files {}",
                    if invalid == 1 {
                        "is invalid"
                    } else {
                        "are invalid"
                    }
                ));
            }
            if unread > 0 {
                parts.push(format!("{unread} of {files} could not be read"));
            }
            super::eprint_line(parts.join("; "));
        }
        return Ok(ExitCode::from(super::EXIT_INVALID));
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads and checks a file for a command that needs a valid topology:
/// prints its warnings, or its problems, on stderr; `None` when it is invalid.
pub(super) fn open_checked(path: &Path) -> Option<Checked> {
    match model::load_checked_file(path) {
        Ok(checked) => {
            let shown = path.display().to_string();
            for warning in checked.warnings() {
                super::eprint_line(warning.render(&shown));
            }
            Some(checked)
        }
        Err(error) => {
            print_load_error(&error);
            None
        }
    }
}

/// Prints why a file did not load: a read error as one line, otherwise
/// every problem located in the file.
pub(super) fn print_load_error(error: &model::LoadError) {
    if let model::LoadError::Io { .. } = error {
        super::eprint_line(error);
        return;
    }
    for diagnostic in error.diagnostics() {
        super::eprint_line(diagnostic.render(error.origin()));
    }
}
