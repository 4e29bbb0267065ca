//! `archsim analyze FILE [--json]`: the static analysis of a topology as
//! readable tables, or as JSON.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::graph::{self, Analysis};
use crate::report::escape;
use crate::report::text::{self, Align};
use crate::report::words::plural;

/// Services listed in the table unless `--all` is given.
const DEFAULT_SERVICE_ROWS: usize = 25;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Topology file to analyse.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the analysis as JSON on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
    /// List every service (by default the 25 most utilized).
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let Some(checked) = super::validate::open_checked(&args.file) else {
        return Ok(ExitCode::from(super::EXIT_INVALID));
    };
    let analysis = graph::analyze(&checked);
    if args.json {
        let mut text =
            serde_json::to_string_pretty(&analysis).context("cannot write the analysis as JSON")?;
        text.push('\n');
        super::write_stdout(&text)?;
    } else {
        super::write_stdout(&render(&analysis, args.all))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The analysis as text tables.
pub fn render(analysis: &Analysis, all_services: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", clean(&analysis.topology));
    let _ = writeln!(
        out,
        "  {}, {}, {} requests/s in total\n",
        plural(analysis.services.len(), "service", "services"),
        plural(analysis.entries.len(), "workload entry", "workload entries"),
        num(analysis.total_rate_rps, 1)
    );
    match &analysis.bottleneck {
        Some(b) => {
            let _ = writeln!(
                out,
                "Bottleneck: {} at {} utilization; the workload can grow {}x (to {} requests/s) before it saturates.",
                clean(&b.service),
                percent(b.utilization),
                num(b.max_load_factor, 2),
                num(b.max_total_rate_rps, 1)
            );
        }
        None => out.push_str("Bottleneck: none (no workload, so no load).\n"),
    }
    if analysis.overloaded.is_empty() {
        out.push_str("Overloaded (utilization >= 100%): none\n");
    } else {
        let names: Vec<String> = analysis.overloaded.iter().map(|n| clean(n)).collect();
        let _ = writeln!(
            out,
            "Overloaded (utilization >= 100%): {}",
            names.join(", ")
        );
    }

    let mut order: Vec<usize> = (0..analysis.services.len()).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&analysis.services[a], &analysis.services[b]);
        sb.utilization.total_cmp(&sa.utilization).then(a.cmp(&b))
    });
    let shown = if all_services {
        order.len()
    } else {
        order.len().min(DEFAULT_SERVICE_ROWS)
    };
    let _ = writeln!(out, "\nServices (by utilization)");
    let rows = order[..shown]
        .iter()
        .map(|&s| {
            let s = &analysis.services[s];
            vec![
                clean(&s.name),
                s.kind.clone(),
                s.layer.to_string(),
                s.fan_in.to_string(),
                s.fan_out.to_string(),
                format!("{}x{}", s.replicas, s.workers),
                num(s.arrival_rate_rps, 1),
                num(s.hold_ms, 2),
                percent(s.utilization),
                estimate_ms(s.estimate.wait_ms_mean),
                estimate_ms(s.estimate.response_ms_mean),
                if s.overloaded {
                    "OVERLOADED".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "SERVICE",
            "KIND",
            "LAYER",
            "IN",
            "OUT",
            "REPLICASxWORKERS",
            "ARRIVALS/S",
            "HOLD MS",
            "UTIL",
            "EST WAIT MS",
            "EST RESP MS",
            "",
        ],
        rows,
        &[
            false, false, true, true, true, true, true, true, true, true, true, false,
        ],
    ));
    if shown < order.len() {
        let _ = writeln!(
            out,
            "  ... {} more (use --all to list every service)",
            order.len() - shown
        );
    }

    if !analysis.entries.is_empty() {
        out.push_str("\nEntries\n");
        let rows = analysis
            .entries
            .iter()
            .map(|e| {
                vec![
                    clean(&e.name),
                    clean(&format!("{} {}", e.service, e.operation)),
                    num(e.rate_rps, 1),
                    num(e.latency_ms, 1),
                    estimate_ms(e.estimate.latency_ms_mean),
                    e.max_rate_rps.map_or("-".into(), |r| num(r, 1)),
                    e.bottleneck.as_deref().map_or("-".into(), clean),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "ENTRY",
                "TARGET",
                "RATE/S",
                "LATENCY MS",
                "EST LATENCY MS",
                "MAX RATE/S",
                "LIMITED BY",
            ],
            rows,
            &[false, false, true, true, true, true, false],
        ));
        out.push_str("\nCritical paths (heaviest chain of expected own work per request)\n");
        for e in &analysis.entries {
            let steps: Vec<String> = e
                .critical_path
                .iter()
                .map(|step| {
                    let times = if (step.calls - 1.0).abs() > 1e-9 {
                        format!(" x{}", num(step.calls, 2))
                    } else {
                        String::new()
                    };
                    format!(
                        "{} {}{times} ({} ms)",
                        clean(&step.service),
                        clean(&step.operation),
                        num(step.expected_ms, 2)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "  {}: {} ms: {}",
                clean(&e.name),
                num(e.critical_path_ms, 2),
                steps.join(" -> ")
            );
        }
    }

    out.push_str("\nSingle points of failure\n");
    if analysis.single_points_of_failure.is_empty() {
        out.push_str("  none\n");
    }
    for spof in &analysis.single_points_of_failure {
        let entries: Vec<String> = spof.entries.iter().map(|e| clean(e)).collect();
        let _ = writeln!(
            out,
            "  {} ({}): needed by {}",
            clean(&spof.service),
            clean(&spof.reason),
            entries.join(", ")
        );
    }
    out.push_str("\nCycles between services\n");
    if analysis.cycles.is_empty() {
        out.push_str("  none\n");
    }
    for cycle in &analysis.cycles {
        let example: Vec<String> = cycle.example.iter().map(|s| clean(s)).collect();
        let _ = writeln!(
            out,
            "  {} services, e.g. {}",
            cycle.services.len(),
            example.join(" -> ")
        );
    }
    out.push_str("\nLayers\n");
    for (layer, names) in analysis.layers.iter().enumerate() {
        let listed: Vec<String> = names.iter().take(12).map(|n| clean(n)).collect();
        let more = if names.len() > 12 {
            format!(" ... and {} more", names.len() - 12)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {layer}: {}{more}", listed.join(", "));
    }
    out.push_str(
        "\nUTIL, HOLD MS and LATENCY MS are mean-value estimates without queueing; the EST columns add queueing \
         (Erlang C / Allen-Cunneen, \"-\" = no steady state; see docs/engine.md). `archsim run` simulates them.\n",
    );
    out
}

/// Rows as aligned columns, indented by two; `right` marks the
/// right-aligned columns.
fn table(headers: &[&str], rows: Vec<Vec<String>>, right: &[bool]) -> String {
    let align: Vec<Align> = right
        .iter()
        .map(|&r| if r { Align::Right } else { Align::Left })
        .collect();
    text::table("  ", headers, &align, &rows)
}

/// A user string made safe for a terminal: control characters escaped.
fn clean(text: &str) -> String {
    escape::terminal(text).into_owned()
}

fn num(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

/// A queueing estimate in ms, or `-` without steady state.
fn estimate_ms(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| num(v, 2))
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}
