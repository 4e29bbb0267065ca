//! Importers: docker-compose files, Kubernetes manifests and traces (Jaeger
//! and OTLP JSON) become a topology. No UI.
//!
//! Every source is read into a generic value tree (`source`), interpreted
//! by its importer into a `Draft` (services, edges with evidence
//! and confidence, entries, notes), drafts of several sources are merged
//! (services by name or alias, edges united), and `build` fills in
//! documented defaults and writes the topology. What cannot be understood
//! becomes a warning in the [`ImportSummary`], never a failure; malformed
//! YAML or JSON is an [`ImportError`] with file:line:column.
//!
//! ```no_run
//! use archsim::import::{ImportOptions, import_paths};
//! let outcome = import_paths(&["compose.yaml".into()], &ImportOptions::default())?;
//! println!("{}", outcome.summary);
//! # Ok::<(), archsim::import::ImportError>(())
//! ```

mod build;
mod compose;
mod cycles;
pub mod defaults;
mod draft;
mod entries;
mod error;
mod hints;
mod interp;
mod k8s;
mod naming;
mod source;
mod summary;
mod trace;
mod value;
mod walk;

use std::path::{Path, PathBuf};

use crate::model::Topology;

pub use build::EXTENSION_KEY;
pub use draft::{Confidence, Note, NoteLevel};
pub use error::ImportError;
pub use source::SourceFormat;
pub use summary::{EdgeLine, EntryLine, ImportSummary, ServiceLine, SourceLine};

/// What an import should do beyond reading its sources.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// Read every source as this format instead of detecting it (dotenv
    /// files are still read as dotenv).
    pub format: Option<SourceFormat>,
    /// The topology's name; by default the compose project directory or
    /// the first file's name.
    pub name: Option<String>,
    /// Keep telemetry services (collectors, Jaeger, Prometheus, Grafana,
    /// ...) as `external` services called optionally, instead of leaving
    /// them out.
    pub keep_observability: bool,
    /// Rate of each entry whose source gives no rate.
    pub entry_rate_rps: f64,
    /// Largest number of samples kept in an `empirical` service time.
    pub max_empirical_samples: usize,
    /// Without traces, add the low-confidence edges that service names
    /// imply where the sources declare none (datastores named after their
    /// owners, front doors, queue workers; see `naming`). Off where a guess
    /// must not count as an observation (`archsim diff`).
    pub guess_from_names: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            name: None,
            keep_observability: false,
            entry_rate_rps: defaults::ENTRY_RATE_RPS,
            max_empirical_samples: defaults::MAX_EMPIRICAL_SAMPLES,
            guess_from_names: true,
        }
    }
}

/// A successful import: the topology (already validated) and the account of
/// what was inferred from what.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub topology: Topology,
    pub summary: ImportSummary,
    /// The summary's warnings, one line each.
    pub warnings: Vec<String>,
    /// Every file that was read, including a `.env` found beside a compose
    /// file (so that a caller can refuse to overwrite one).
    pub files_read: Vec<PathBuf>,
    /// Own work of each operation as traces measured it (raw quantiles of
    /// the self-times, before any fitting); empty without traces.
    pub observed: Vec<ObservedTimes>,
}

/// Self-times of one operation as traces show them.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedTimes {
    pub service: String,
    pub operation: String,
    /// How many times the operation was seen.
    pub occurrences: usize,
    /// Median and 99th percentile of the self-times, in milliseconds
    /// (linearly interpolated between samples).
    pub median_ms: f64,
    pub p99_ms: f64,
}

/// The measured self-times of every traced operation in the draft.
fn observed_times(draft: &draft::Draft) -> Vec<ObservedTimes> {
    let mut out = Vec::new();
    for service in &draft.services {
        for op in &service.traced {
            let mut sorted: Vec<f64> = op
                .self_times_ms
                .iter()
                .copied()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .collect();
            if sorted.is_empty() {
                continue;
            }
            sorted.sort_by(f64::total_cmp);
            out.push(ObservedTimes {
                service: service.name.clone(),
                operation: op.name.clone(),
                occurrences: op.occurrences,
                median_ms: crate::model::quantile_sorted(&sorted, 0.5),
                p99_ms: crate::model::quantile_sorted(&sorted, 0.99),
            });
        }
    }
    out
}

/// Imports the given files into one topology. Formats are detected from
/// content (and `.env` names) unless `options.format` says otherwise. A
/// folder stands for the YAML, JSON and `.env` files under it (sorted by
/// path; files of no known format are skipped with a warning).
pub fn import_paths(
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    if paths.is_empty() {
        return Err(ImportError::Empty("no source files given".to_owned()));
    }
    if !(options.entry_rate_rps.is_finite() && options.entry_rate_rps > 0.0) {
        return Err(ImportError::Empty(format!(
            "the entry rate must be a positive number of requests per second, not {}",
            options.entry_rate_rps
        )));
    }
    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    for (path, from_folder) in walk::expand(paths)? {
        let forced = options.format.filter(|_| !source::load_is_dotenv(&path));
        match source::load(&path, forced) {
            Ok(source) => sources.push(source),
            // A folder may hold files that are none of the formats (a README
            // in YAML, a package.json): skip them with a warning.
            Err(ImportError::UnknownFormat { path, why }) if from_folder => {
                skipped.push((path, why));
            }
            Err(e) => return Err(e),
        }
    }
    if sources.is_empty() {
        return Err(ImportError::Empty(format!(
            "no compose file, manifest or trace among the files in {}",
            display_list(paths)
        )));
    }
    let of = |formats: &[SourceFormat]| -> Vec<&source::Source> {
        sources
            .iter()
            .filter(|s| formats.contains(&s.format))
            .collect()
    };
    let compose_files = of(&[SourceFormat::Compose]);
    let k8s_files = of(&[SourceFormat::K8s]);
    let trace_files = of(&[SourceFormat::Jaeger, SourceFormat::Otlp]);
    let env_files = of(&[SourceFormat::DotEnv]);

    let mut files_read: Vec<PathBuf> = sources.iter().map(|s| s.path.clone()).collect();
    let mut merged = draft::Draft::default();
    for (path, why) in &skipped {
        merged.warn(
            &source::display_name(path),
            format!("skipped: not a compose file, manifest or trace ({why})"),
        );
    }
    if !compose_files.is_empty() {
        if env_files.is_empty()
            && let Some(dir) = compose_files[0].path.parent()
        {
            let dotenv = dir.join(".env");
            if dotenv.is_file() {
                files_read.push(dotenv);
            }
        }
        merged.absorb(compose::import(&compose_files, &env_files));
    } else if !env_files.is_empty() {
        merged.warn("", "dotenv files are only used with compose files; ignored");
    }
    if !k8s_files.is_empty() {
        merged.absorb(k8s::import(&k8s_files));
    }
    if !trace_files.is_empty() {
        merged.absorb(trace::import(&trace_files)?);
    } else if options.guess_from_names {
        // Traces show the real calls; without them, names still say some.
        naming::infer_edges(&mut merged);
    }
    if merged.services.is_empty() {
        let names: Vec<String> = sources.iter().map(|s| s.display_name()).collect();
        return Err(ImportError::Empty(format!(
            "no services found in {}",
            names.join(", ")
        )));
    }

    let name = options
        .name
        .clone()
        .unwrap_or_else(|| default_name(&sources));
    let settings = build::Settings {
        name,
        keep_observability: options.keep_observability,
        entry_rate_rps: options.entry_rate_rps,
        max_empirical_samples: options.max_empirical_samples.max(2),
    };
    let lines = sources
        .iter()
        .map(|s| SourceLine {
            path: s.path.display().to_string(),
            format: s.format.as_str().to_owned(),
        })
        .collect();
    for path in &merged.files_read {
        if !files_read.contains(path) {
            files_read.push(path.clone());
        }
    }
    let mut observed = observed_times(&merged);
    let (topology, mut summary) = build::build(merged, &settings, lines);
    observed.retain(|o| topology.services.iter().any(|s| s.name == o.service));
    if topology.services.is_empty() {
        // Everything found was telemetry, and it was left out.
        return Err(ImportError::Empty(format!(
            "every service found was left out: {}",
            summary.left_out.join("; ")
        )));
    }
    let topology = match crate::model::check(topology) {
        Ok(checked) => {
            for warning in checked.warnings() {
                summary.notes.push(Note {
                    level: NoteLevel::Warning,
                    source: "validation".to_owned(),
                    message: warning.to_string(),
                });
            }
            checked.into_inner()
        }
        Err(diagnostics) => {
            let lines: Vec<String> = diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.to_string())
                .collect();
            return Err(ImportError::Invalid(lines.join("; ")));
        }
    };
    let warnings = summary.warnings();
    Ok(ImportOutcome {
        topology,
        summary,
        warnings,
        files_read,
        observed,
    })
}

/// "a, b and c" for error messages.
fn display_list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// The compose project name (its directory) or the first file's stem.
fn default_name(sources: &[source::Source]) -> String {
    let first = sources
        .iter()
        .find(|s| s.format == SourceFormat::Compose)
        .or_else(|| sources.first());
    let Some(first) = first else {
        return "imported".to_owned();
    };
    if first.format == SourceFormat::Compose
        && let Some(dir) = first
            .path
            .canonicalize()
            .ok()
            .as_deref()
            .and_then(Path::parent)
            .and_then(Path::file_name)
    {
        return dir.to_string_lossy().into_owned();
    }
    first
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".to_owned())
}
