//! `archsim import`: derive a topology from docker-compose files,
//! Kubernetes manifests and traces; print what was inferred from what.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::import::{ImportOptions, SourceFormat, defaults, import_paths};

/// Formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Compose,
    K8s,
    Jaeger,
    Otlp,
}

impl From<FormatArg> for SourceFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Compose => SourceFormat::Compose,
            FormatArg::K8s => SourceFormat::K8s,
            FormatArg::Jaeger => SourceFormat::Jaeger,
            FormatArg::Otlp => SourceFormat::Otlp,
        }
    }
}

const IMPORT_EXAMPLES: &str = "\
Examples:
  archsim import compose.yaml --out shop.json
  archsim import compose.yaml compose.full.yaml --out shop.json   (overlay, like docker compose -f ... -f ...)
  archsim import k8s/*.yaml traces.json --out shop.json           (manifests and traces merged)
  archsim import trace.json --format jaeger --out -               (JSON to standard output)

A .env beside the first compose file is read for ${VAR} interpolation; a .env given as a
SOURCE is used instead. The summary (with the evidence and confidence of every edge) goes
to standard error. See docs/import.md for the heuristics and defaults.";

#[derive(Debug, clap::Args)]
#[command(after_help = IMPORT_EXAMPLES)]
pub struct ImportArgs {
    /// Compose files, Kubernetes manifests, Jaeger or OTLP JSON traces, .env files.
    #[arg(required = true, value_name = "SOURCE")]
    pub files: Vec<PathBuf>,
    /// Where to write the topology (JSON); `-` writes to standard output.
    #[arg(long, short = 'o', value_name = "FILE.json")]
    pub out: PathBuf,
    /// Read every SOURCE as this format instead of detecting it.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The topology's name (default: the compose project directory or the first file's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Keep collectors, Jaeger, Prometheus, Grafana and the like as `external` services.
    #[arg(long)]
    pub keep_observability: bool,
    /// Rate of each entry the sources give no rate for, in requests per second.
    #[arg(long, value_name = "RPS", default_value_t = defaults::ENTRY_RATE_RPS)]
    pub entry_rate_rps: f64,
    /// Largest number of samples kept in an empirical service time.
    #[arg(long, value_name = "N", default_value_t = defaults::MAX_EMPIRICAL_SAMPLES)]
    pub max_samples: usize,
    /// Print only the one-line result and warnings, not the full summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let to_stdout = args.out.as_os_str() == "-";
    if !to_stdout {
        refuse_input_as_output(&args.out, &args.files)?;
    }
    let options = ImportOptions {
        format: args.format.map(SourceFormat::from),
        name: args.name,
        keep_observability: args.keep_observability,
        entry_rate_rps: args.entry_rate_rps,
        max_empirical_samples: args.max_samples,
        guess_from_names: true,
    };
    let outcome = import_paths(&args.files, &options)?;
    if !to_stdout {
        refuse_input_as_output(&args.out, &outcome.files_read)?;
    }
    if to_stdout {
        let text = crate::model::to_json_string(&outcome.topology);
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write to standard output")?;
    } else {
        crate::model::save_file(&args.out, &outcome.topology)?;
    }

    if args.quiet {
        let s = &outcome.summary;
        super::eprint_line(format_args!(
            "imported {} services, {} edges, {} entries",
            s.services.len(),
            s.edges.len(),
            s.entries.len()
        ));
        for warning in &outcome.warnings {
            super::eprint_line(format_args!("warning: {warning}"));
        }
    } else {
        // The summary quotes names and paths from the sources.
        let summary = outcome.summary.to_string();
        super::eprint_line(summary.strip_suffix('\n').unwrap_or(&summary));
    }
    if !to_stdout {
        super::eprint_line(format_args!("\nwrote {}", args.out.display()));
    }
    Ok(ExitCode::SUCCESS)
}

fn refuse_input_as_output(out: &Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    crate::model::refuse_overwriting_inputs(out, inputs).map_err(|e| {
        anyhow::anyhow!(
            "--out {} is one of the inputs ({}); choose another output file",
            e.out.display(),
            e.input.display()
        )
    })
}
