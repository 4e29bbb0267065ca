//! `archsim report FILE [--scenario NAME]... [--all-scenarios] [--seed N]
//! [--duration-s S] --out PATH.html|PATH.md`: simulate scenarios and write a
//! self-contained HTML report, or a Markdown report with its images in a
//! folder beside it. A progress bar shows on stderr when it is a terminal.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::model::Checked;
use crate::report::escape;
use crate::report::runs::{self, Progress};
use crate::report::{ExportInput, ExportKind, ReportOptions, Run};

/// Which scenarios to run, and how (shared with `archsim export`).
#[derive(Debug, Clone, clap::Args)]
pub struct ScenarioArgs {
    /// Scenario to include (repeat for several; default: the file's first).
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// Include every scenario of the file.
    #[arg(long, conflicts_with = "scenarios")]
    pub all_scenarios: bool,
    /// Random seed for every scenario (overrides the scenarios' seeds).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Simulated seconds of every scenario (overrides their duration_s).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file.
    Html,
    /// Markdown, with its graph and charts as SVG files in PATH-stem_files/.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Topology file (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub scenarios: ScenarioArgs,
    /// Output file: .html or .md (see --format).
    #[arg(long, short, value_name = "PATH")]
    pub out: PathBuf,
    /// Output format (default: from the extension of --out).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let kind = match (args.format, ExportKind::from_path(&args.out)) {
        (Some(ReportFormat::Html), _) | (None, Some(ExportKind::ReportHtml)) => {
            ExportKind::ReportHtml
        }
        (Some(ReportFormat::Markdown), _) | (None, Some(ExportKind::ReportMarkdown)) => {
            ExportKind::ReportMarkdown
        }
        _ => bail!(
            "--out {}: a report is written as .html or .md; name the file so, or give --format html|markdown",
            args.out.display()
        ),
    };
    crate::report::check_output(Some(&args.file), &args.out)?;
    let Some(checked) = super::validate::open_checked(&args.file) else {
        return Ok(ExitCode::from(super::EXIT_INVALID));
    };
    let runs = simulate(&checked, &args.file, &args.scenarios)?;
    let written = write(kind, &checked, &runs, &args.file, &args.out)?;
    report_written(&written)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the chosen scenarios with a progress bar on a terminal.
pub(super) fn simulate(
    checked: &Checked,
    file: &Path,
    args: &ScenarioArgs,
) -> anyhow::Result<Vec<Run>> {
    let chosen = runs::select_scenarios(checked.topology(), &args.scenarios, args.all_scenarios)
        .with_context(|| format!("{}", file.display()))?;
    let scenarios = chosen
        .into_iter()
        .map(|s| runs::adjust(s, args.seed, args.duration_s))
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut on_progress = |p: Progress<'_>| {
        if bar.is_none() && terminal && started.elapsed() > Duration::from_millis(500) {
            let b = indicatif::ProgressBar::new(1000);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} simulating [{bar:30}] {percent:>3}% {msg} (eta {eta})",
            ) {
                b.set_style(style.progress_chars("=> "));
            }
            bar = Some(b);
        }
        if let Some(b) = &bar {
            let fraction = if p.total_s > 0.0 {
                p.total_done_s / p.total_s
            } else {
                1.0
            };
            b.set_position((fraction * 1000.0).round() as u64);
            b.set_message(format!(
                "scenario {}/{} \"{}\" {:.0}/{} s",
                p.index + 1,
                p.count,
                escape::terminal(p.scenario),
                p.simulated_s,
                p.duration_s
            ));
        }
    };
    let result = runs::run_scenarios(checked, &scenarios, &mut on_progress, None);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let runs = result.with_context(|| format!("{}", file.display()))?;
    for run in &runs {
        for warning in &run.summary.warnings {
            super::eprint_line(format_args!(
                "warning: scenario \"{}\": {warning}",
                escape::terminal(&run.summary.scenario)
            ));
        }
    }
    Ok(runs)
}

/// Writes one export of the runs.
pub(super) fn write(
    kind: ExportKind,
    checked: &Checked,
    runs: &[Run],
    file: &Path,
    out: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let source_name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let options = ReportOptions::now(source_name)?;
    let input = ExportInput {
        checked,
        runs,
        options: &options,
        source: Some(file),
    };
    Ok(crate::report::export(kind, &input, out)?)
}

/// Prints the files written, one per line.
pub(super) fn report_written(written: &[PathBuf]) -> anyhow::Result<()> {
    let mut text = String::new();
    if let Some(main) = written.first() {
        text.push_str(&format!("wrote {}\n", main.display()));
    }
    if written.len() > 1 {
        text.push_str(&format!(
            "wrote {} image files beside it in {}\n",
            written.len() - 1,
            written[1]
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ));
    }
    super::write_stdout(&text)
}
