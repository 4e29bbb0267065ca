//! `archsim diff`: a declared topology against what traces, compose files
//! or manifests show. Exit 0 when they agree, 1 when they differ, 2 when a
//! file cannot be read or the command line is wrong (as diff(1) does).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::diff::{self, Diff};
use crate::import::{ImportOptions, defaults, import_paths};
use crate::report::format;
use crate::report::text::{Align, table};

const DIFF_EXAMPLES: &str = "\
Examples:
  archsim diff shop.json traces.json                 what the traces show that the design does not
  archsim diff shop.json k8s/ traces.json --json -   (JSON on standard output)
  archsim diff shop.json traces.json --threshold 0.5 (only flag times off by more than 50%)

Exit status: 0 when design and sources agree, 1 when they differ, 2 when a file cannot be
read or is invalid. See docs/diff.md for how operations are paired and drift is decided.";

#[derive(Debug, clap::Args)]
#[command(after_help = DIFF_EXAMPLES)]
pub struct DiffArgs {
    /// The declared topology (JSON).
    pub file: PathBuf,
    /// Traces (Jaeger or OTLP JSON), compose files or Kubernetes manifests.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,
    /// Write the comparison as JSON to this file; `-` writes to standard output.
    #[arg(long, value_name = "OUT.json")]
    pub json: Option<PathBuf>,
    /// Relative difference of a time or a call probability counted as drift.
    #[arg(long, value_name = "RATIO", default_value_t = diff::DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// Keep collectors, Jaeger, Prometheus and the like (left out by default, as in `import`).
    #[arg(long)]
    pub keep_observability: bool,
}

/// Exit code: design and sources differ.
const EXIT_DIFFER: u8 = 1;
/// Exit code: a file could not be read or is invalid.
const EXIT_TROUBLE: u8 = 2;

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    match compare(&args) {
        Ok(code) => Ok(code),
        Err(err) => {
            super::eprint_line(format_args!("error: {err:#}"));
            Ok(ExitCode::from(EXIT_TROUBLE))
        }
    }
}

fn compare(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    if !(args.threshold.is_finite() && args.threshold >= 0.0) {
        anyhow::bail!(
            "--threshold must be a ratio of 0 or more (0.25 = 25%), not {}",
            args.threshold
        );
    }
    let Some(checked) = super::validate::open_checked(&args.file) else {
        anyhow::bail!(
            "{} is not a valid topology; fix the problems above (archsim validate shows them too)",
            args.file.display()
        );
    };
    let options = ImportOptions {
        format: None,
        name: None,
        keep_observability: args.keep_observability,
        entry_rate_rps: defaults::ENTRY_RATE_RPS,
        max_empirical_samples: defaults::MAX_EMPIRICAL_SAMPLES,
        // A guess from names is not something the sources show.
        guess_from_names: false,
    };
    let observed = import_paths(&args.sources, &options).context("cannot read the sources")?;
    let result = diff::compare(checked.topology(), &observed, args.threshold);
    match args.json.as_deref() {
        Some(path) if path.as_os_str() == "-" => super::write_stdout(&result.to_json_pretty())?,
        Some(path) => {
            std::fs::write(path, result.to_json_pretty())
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::write_stdout(&text(&result, args))?;
            super::eprint_line(format_args!("wrote {}", path.display()));
        }
        None => super::write_stdout(&text(&result, args))?,
    }
    Ok(if result.agree {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DIFFER)
    })
}

/// The comparison as text: one section per kind of difference, then a
/// verdict line.
fn text(diff: &Diff, args: &DiffArgs) -> String {
    let sources: Vec<String> = args
        .sources
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut out = format!(
        "{} (declared) against {} (observed)\n",
        args.file.display(),
        sources.join(", ")
    );
    let list = |out: &mut String, title: &str, items: Vec<String>| {
        if !items.is_empty() {
            out.push_str(&format!("\n{title} ({}):\n", items.len()));
            for item in items {
                out.push_str(&format!("  {item}\n"));
            }
        }
    };
    list(
        &mut out,
        "services observed, not declared",
        diff.services.observed_not_declared.clone(),
    );
    list(
        &mut out,
        "services declared, never observed",
        diff.services.declared_not_observed.clone(),
    );
    let arrow = |e: &[String; 2]| format!("{} → {}", e[0], e[1]);
    list(
        &mut out,
        "edges observed, not declared",
        diff.edges.observed_not_declared.iter().map(arrow).collect(),
    );
    list(
        &mut out,
        "edges declared, never observed",
        diff.edges.declared_not_observed.iter().map(arrow).collect(),
    );
    let op = |e: &[String; 2]| format!("{} {}", e[0], e[1]);
    list(
        &mut out,
        "operations observed, not declared",
        diff.operations
            .observed_not_declared
            .iter()
            .map(op)
            .collect(),
    );
    list(
        &mut out,
        "operations declared, never observed",
        diff.operations
            .declared_not_observed
            .iter()
            .map(op)
            .collect(),
    );
    let flag = |drift: bool| if drift { "drift" } else { "" }.to_owned();
    let change = |declared: String, observed: String| format!("{declared} → {observed}");
    if !diff.service_times.is_empty() {
        out.push_str("\nservice times in ms (declared → observed):\n");
        let rows: Vec<Vec<String>> = diff
            .service_times
            .iter()
            .map(|r| {
                let operation = match &r.observed_operation {
                    Some(seen) => format!("{} = {seen}", r.operation),
                    None => r.operation.clone(),
                };
                vec![
                    r.service.clone(),
                    operation,
                    change(
                        format::ms(r.declared_median_ms),
                        format::ms(r.observed_median_ms),
                    ),
                    change(format::ms(r.declared_p99_ms), format::ms(r.observed_p99_ms)),
                    format::count(r.samples as u64),
                    if r.samples < diff::MIN_SAMPLES
                        && (diff::drifted(
                            r.declared_median_ms,
                            r.observed_median_ms,
                            diff.threshold,
                        ) || diff::drifted(
                            r.declared_p99_ms,
                            r.observed_p99_ms,
                            diff.threshold,
                        ))
                    {
                        "off, but too few samples to judge".to_owned()
                    } else {
                        flag(r.drift)
                    },
                ]
            })
            .collect();
        let align = [
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Right,
            Align::Right,
            Align::Left,
        ];
        out.push_str(&table(
            "  ",
            &["SERVICE", "OPERATION", "MEDIAN", "P99", "SAMPLES", ""],
            &align,
            &rows,
        ));
    }
    if !diff.call_probabilities.is_empty() {
        out.push_str("\ncalls (declared → observed):\n");
        let rows: Vec<Vec<String>> = diff
            .call_probabilities
            .iter()
            .map(|r| {
                vec![
                    format!("{} {} → {}", r.caller, r.operation, r.callee),
                    change(
                        format::fixed(r.declared_probability, 2),
                        format::fixed(r.observed_probability, 2),
                    ),
                    change(
                        format::fixed(r.declared_calls, 2),
                        format::fixed(r.observed_calls, 2),
                    ),
                    flag(r.drift),
                ]
            })
            .collect();
        out.push_str(&table(
            "  ",
            &["CALL", "PROBABILITY", "CALLS PER OCCURRENCE", ""],
            &[Align::Left, Align::Right, Align::Right, Align::Left],
            &rows,
        ));
    }
    let differences = diff.differences();
    if differences == 0 {
        out.push_str("\nagree: nothing differs\n");
    } else {
        out.push_str(&format!(
            "\ndiffer: {} (drift = more than {} off the declared value)\n",
            format::counted(differences as u64, "difference", "differences"),
            format::percent(diff.threshold, 0)
        ));
    }
    out
}
