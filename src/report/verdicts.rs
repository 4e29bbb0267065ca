//! Judgements on a run: SLO verdicts against the file's `slo`, the
//! bottleneck (expected by the analysis, and seen in the run), failures,
//! and the headline figures of each scenario.

use crate::graph::{self, Analysis};
use crate::metrics::{EntrySummary, Summary};
use crate::model::{self, Checked, Slo, Topology};

use super::Run;
use super::document::{Cell, Header, Kpi, Line, Span, Table, Tone, name, text};
use super::format;
use super::words::peak_multiplier;

/// One SLO target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    P50Ms(f64),
    P95Ms(f64),
    P99Ms(f64),
    Availability(f64),
}

impl Target {
    pub fn label(self) -> String {
        match self {
            Target::P50Ms(v) => format!("p50 ≤ {} ms", format::trim(v)),
            Target::P95Ms(v) => format!("p95 ≤ {} ms", format::trim(v)),
            Target::P99Ms(v) => format!("p99 ≤ {} ms", format::trim(v)),
            Target::Availability(v) => format!("success ≥ {}", format::availability(v)),
        }
    }

    /// The measured value of `entry` for this target.
    pub fn measured(self, entry: &EntrySummary) -> f64 {
        match self {
            Target::P50Ms(_) => entry.latency_ms.p50,
            Target::P95Ms(_) => entry.latency_ms.p95,
            Target::P99Ms(_) => entry.latency_ms.p99,
            Target::Availability(_) => entry.success_ratio,
        }
    }

    /// The measured value, formatted.
    pub fn shown(self, entry: &EntrySummary) -> String {
        match self {
            Target::Availability(_) => format::availability(entry.success_ratio),
            _ => format!("{} ms", format::ms(self.measured(entry))),
        }
    }

    /// Whether `entry` meets it; `None` when the entry had no traffic.
    pub fn met(self, entry: &EntrySummary) -> Option<bool> {
        if entry.offered == 0 {
            return None;
        }
        Some(match self {
            Target::P50Ms(v) | Target::P95Ms(v) | Target::P99Ms(v) => {
                entry.completed > 0 && self.measured(entry) <= v
            }
            Target::Availability(v) => entry.success_ratio >= v,
        })
    }
}

/// The targets set in `slo`, in a fixed order.
pub fn target_list(slo: &Slo) -> Vec<Target> {
    let mut list = Vec::new();
    if let Some(v) = slo.latency_p50_ms {
        list.push(Target::P50Ms(v));
    }
    if let Some(v) = slo.latency_p95_ms {
        list.push(Target::P95Ms(v));
    }
    if let Some(v) = slo.latency_p99_ms {
        list.push(Target::P99Ms(v));
    }
    if let Some(v) = slo.availability {
        list.push(Target::Availability(v));
    }
    list
}

pub fn has_targets(slo: &Slo) -> bool {
    !target_list(slo).is_empty()
}

/// The targets in words.
pub fn targets(slo: &Slo) -> Vec<Line> {
    let list = target_list(slo);
    if list.is_empty() {
        return Vec::new();
    }
    let labels: Vec<String> = list.iter().map(|t| t.label()).collect();
    vec![vec![text(format!(
        "Every entry is held to: {}. Latency targets apply to successful requests; success is answered without error over all answered requests.",
        labels.join(", ")
    ))]]
}

/// Failed checks of one run: (entry, target).
pub fn misses<'a>(slo: &Slo, summary: &'a Summary) -> Vec<(&'a EntrySummary, Target)> {
    let targets = target_list(slo);
    summary
        .entrypoints
        .iter()
        .flat_map(|e| targets.iter().map(move |t| (e, *t)))
        .filter(|(e, t)| t.met(e) == Some(false))
        .collect()
}

/// Scenario × entry, each target with its measured value and verdict.
pub fn slo_table(slo: &Slo, runs: &[Run]) -> Table {
    let targets = target_list(slo);
    let mut headers = vec![Header::new("Scenario", false), Header::new("Entry", false)];
    headers.extend(targets.iter().map(|t| Header::new(&t.label(), true)));
    headers.push(Header::new("Verdict", false));
    let many = runs
        .iter()
        .any(|r| r.summary.entrypoints.len() > MAX_SLO_ROWS_PER_RUN);
    let mut rows = Vec::new();
    let mut left_out = 0usize;
    for run in runs {
        for entry in &run.summary.entrypoints {
            let mut row = vec![
                Cell::name(run.summary.scenario.clone()),
                Cell::name(entry.name.clone()),
            ];
            let mut verdict = Some(true);
            for t in &targets {
                let met = t.met(entry);
                let cell = Cell::number(t.shown(entry), t.measured(entry));
                row.push(match met {
                    Some(true) => cell.tone(Tone::Good),
                    Some(false) => cell.tone(Tone::Bad),
                    None => Cell::text("no traffic").tone(Tone::Muted),
                });
                verdict = match (verdict, met) {
                    (Some(v), Some(m)) => Some(v && m),
                    _ => None,
                };
            }
            if many && verdict == Some(true) {
                left_out += 1;
                continue;
            }
            row.push(match verdict {
                Some(true) => Cell::text("met").tone(Tone::Good),
                Some(false) => Cell::text("missed").tone(Tone::Bad),
                None => Cell::text("n/a").tone(Tone::Muted),
            });
            rows.push(row);
        }
    }
    Table {
        kind: "slo",
        caption: if many {
            "SLO verdicts: the entries that miss a target".to_owned()
        } else {
            "SLO verdicts per scenario and entry".to_owned()
        },
        headers,
        rows,
        note: many.then(|| {
            format!("{left_out} scenario–entry pairs that meet every target are left out.")
        }),
        full: None,
    }
}

/// Above this many entries, the SLO table lists only the misses.
const MAX_SLO_ROWS_PER_RUN: usize = 12;

/// Index of the first bucket at or after the warm-up.
fn first_measured_bucket(summary: &Summary) -> usize {
    summary
        .timeseries
        .t_s
        .iter()
        .position(|&t| t >= summary.warmup_s - 1e-9)
        .unwrap_or(summary.timeseries.t_s.len())
}

/// The highest per-bucket utilization of `service` after the warm-up.
pub fn peak_utilization(summary: &Summary, service: &str) -> Option<f64> {
    let start = first_measured_bucket(summary);
    summary
        .timeseries
        .services
        .get(service)
        .and_then(|s| s.utilization.get(start..))
        .and_then(|values| values.iter().copied().reduce(f64::max))
}

/// The service with the highest mean utilization in the run.
pub fn busiest(summary: &Summary) -> Option<&crate::metrics::ServiceSummary> {
    summary
        .services
        .iter()
        .filter(|s| s.arrivals > 0)
        .reduce(|a, b| if b.utilization > a.utilization { b } else { a })
}

/// Requests answered, failed and offered over all entries.
fn totals(summary: &Summary) -> (u64, u64, u64) {
    summary.entrypoints.iter().fold((0, 0, 0), |acc, e| {
        (acc.0 + e.completed, acc.1 + e.failed, acc.2 + e.offered)
    })
}

/// The headline figures of a run.
pub fn kpis(topology: &Topology, run: &Run) -> Vec<Kpi> {
    let summary = &run.summary;
    let slo = topology.slo.clone().unwrap_or_default();
    let mut kpis = Vec::new();
    let throughput: f64 = summary.entrypoints.iter().map(|e| e.throughput_rps).sum();
    let offered: f64 = summary.entrypoints.iter().map(|e| e.offered_rps).sum();
    kpis.push(Kpi {
        label: "Throughput".to_owned(),
        value: format!("{} rps", format::number(throughput)),
        detail: format!("of {} rps offered", format::number(offered)),
        tone: Tone::Plain,
    });
    let (completed, failed, _) = totals(summary);
    let success = if completed + failed == 0 {
        1.0
    } else {
        completed as f64 / (completed + failed) as f64
    };
    kpis.push(Kpi {
        label: "Success".to_owned(),
        value: format::availability(success),
        detail: format!("{} failed", format::count(failed)),
        tone: match slo.availability {
            Some(target) if success < target => Tone::Bad,
            Some(_) => Tone::Good,
            None => Tone::Plain,
        },
    });
    if let Some(worst) = summary
        .entrypoints
        .iter()
        .filter(|e| e.completed > 0)
        .reduce(|a, b| {
            if b.latency_ms.p99 > a.latency_ms.p99 {
                b
            } else {
                a
            }
        })
    {
        kpis.push(Kpi {
            label: "Worst p99".to_owned(),
            value: format!("{} ms", format::ms(worst.latency_ms.p99)),
            detail: worst.name.clone(),
            tone: match slo.latency_p99_ms {
                Some(target) if worst.latency_ms.p99 > target => Tone::Bad,
                Some(_) => Tone::Good,
                None => Tone::Plain,
            },
        });
    }
    if let Some(b) = busiest(summary) {
        kpis.push(Kpi {
            label: "Busiest service".to_owned(),
            value: format::percent(b.utilization, 0),
            detail: b.name.clone(),
            tone: utilization_tone(b.utilization),
        });
    }
    if has_targets(&slo) {
        let checks =
            summary.entrypoints.iter().filter(|e| e.offered > 0).count() * target_list(&slo).len();
        let missed = misses(&slo, summary).len();
        kpis.push(Kpi {
            label: "SLO".to_owned(),
            value: if missed == 0 { "met" } else { "missed" }.to_owned(),
            detail: format!(
                "{missed} of {}",
                format::counted(checks as u64, "check failed", "checks failed")
            ),
            tone: if missed == 0 { Tone::Good } else { Tone::Bad },
        });
    }
    kpis
}

/// Green, amber or red by utilization.
pub fn utilization_tone(utilization: f64) -> Tone {
    if utilization >= 0.85 {
        Tone::Bad
    } else if utilization >= 0.6 {
        Tone::Warn
    } else {
        Tone::Plain
    }
}

/// What the run shows, in sentences: the run's findings (metastable
/// failures first), SLO, bottleneck (run and analysis), failures, backlog.
pub fn findings(checked: &Checked, analysis: &Analysis, run: &Run) -> Vec<Line> {
    let topology = checked.topology();
    let summary = &run.summary;
    let mut lines: Vec<Line> = summary
        .findings
        .iter()
        .map(|f| {
            vec![
                Span::Bad(format!("{}: ", f.label())),
                text(format!(
                    "{} (shaded amber on the charts).",
                    f.text().trim_end_matches('.')
                )),
            ]
        })
        .collect();
    if let Some(slo) = topology.slo.as_ref().filter(|s| has_targets(s)) {
        let missed = misses(slo, summary);
        if missed.is_empty() {
            lines.push(vec![Span::Good("Every entry meets the SLO.".to_owned())]);
        } else {
            let mut line = vec![Span::Bad("SLO missed: ".to_owned())];
            for (i, (entry, target)) in missed.iter().take(6).enumerate() {
                if i > 0 {
                    line.push(text("; "));
                }
                line.push(name(entry.name.clone()));
                line.push(text(format!(
                    " {} (target {})",
                    target.shown(entry),
                    target.label()
                )));
            }
            if missed.len() > 6 {
                line.push(text(format!("; and {} more", missed.len() - 6)));
            }
            line.push(text("."));
            lines.push(line);
        }
    }
    if let Some(b) = busiest(summary) {
        let mut line = vec![text("Bottleneck in the run: "), name(b.name.clone())];
        line.push(text(format!(
            ", {} busy on average",
            format::percent(b.utilization, 0)
        )));
        if let Some(peak) = peak_utilization(summary, &b.name)
            && peak > b.utilization + 0.02
        {
            line.push(text(format!(
                " and {} in its busiest {} bucket",
                format::percent(peak, 0),
                format::duration(summary.timeseries.bucket_s)
            )));
        }
        line.push(text(format!(
            "; requests wait {} ms on average there ({} ms at p99), with up to {} queued",
            format::ms(b.wait_ms.mean),
            format::ms(b.wait_ms.p99),
            format::count(b.queue_length_max)
        )));
        line.push(text("."));
        if b.utilization >= 0.95 {
            line.push(Span::Bad(" It is saturated.".to_owned()));
        }
        lines.push(line);
    }
    if let Some(line) = expected_bottleneck(checked, analysis, run) {
        lines.push(line);
    }
    let (completed, failed, _) = totals(summary);
    if failed > 0 {
        let mut causes = crate::metrics::ErrorCounts::default();
        for e in &summary.entrypoints {
            causes.timeout += e.errors.timeout;
            causes.rejected += e.errors.rejected;
            causes.error += e.errors.error;
            causes.circuit_open += e.errors.circuit_open;
        }
        let mut line = vec![Span::Bad(format!(
            "{} ({} of those answered)",
            format::counted(failed, "request failed", "requests failed"),
            format::percent(failed as f64 / (completed + failed) as f64, 2)
        ))];
        line.push(text(format!(": {}.", cause_list(&causes))));
        let mut failing: Vec<_> = summary
            .services
            .iter()
            .filter(|s| s.errors.total() > 0)
            .collect();
        failing.sort_by_key(|s| std::cmp::Reverse(s.errors.total()));
        if let Some(first) = failing.first() {
            line.push(text(" Most failures arise at "));
            line.push(name(first.name.clone()));
            line.push(text(format!(
                " ({}).",
                format::counted(first.errors.total(), "failed response", "failed responses")
            )));
        }
        lines.push(line);
        if let Some(first) = super::failure::first_failure(topology, summary) {
            lines.push(vec![
                Span::Bad("First to fail: ".to_owned()),
                text(first.sentence()),
            ]);
        }
    } else if completed > 0 {
        lines.push(vec![text("No request failed.")]);
    }
    let in_flight: u64 = summary.entrypoints.iter().map(|e| e.in_flight).sum();
    if completed > 0 && in_flight as f64 > 0.01 * completed as f64 && in_flight > 10 {
        lines.push(vec![Span::Bad(format!(
            "{} still unanswered when the run ended: a backlog was building up.",
            format::counted(in_flight, "request was", "requests were")
        ))]);
    }
    lines
}

/// `4 timed out, 1 error, 6 rejected` (causes with a count).
pub fn cause_list(causes: &crate::metrics::ErrorCounts) -> String {
    let parts: Vec<String> = [
        (causes.timeout, "timed out"),
        (causes.rejected, "rejected"),
        (causes.error, "errors"),
        (causes.circuit_open, "circuit open"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, label)| match *label {
        "errors" => format::counted(*n, "error", "errors"),
        _ => format!("{} {label}", format::count(*n)),
    })
    .collect();
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(", ")
    }
}

/// What the analysis expects at the scenario's peak load (with its
/// overrides applied).
fn expected_bottleneck(checked: &Checked, base: &Analysis, run: &Run) -> Option<Line> {
    let scenario = &run.scenario;
    let overridden;
    let analysis = if scenario.overrides.is_empty() {
        base
    } else {
        let topology = model::apply_overrides(checked.topology(), scenario).ok()?;
        let checked = model::check(topology).ok()?;
        overridden = graph::analyze(&checked);
        &overridden
    };
    let b = analysis.bottleneck.as_ref()?;
    let (peak, _) = peak_multiplier(scenario, run.summary.duration_s).unwrap_or((1.0, 0.0));
    let expected = b.utilization * peak;
    let mut line = vec![text("The analysis expects "), name(b.service.clone())];
    if (peak - 1.0).abs() > 1e-9 {
        line.push(text(format!(
            " to limit the system, at {} utilization at the peak load ({}×)",
            format::percent(expected, 0),
            format::short(peak)
        )));
    } else {
        line.push(text(format!(
            " to limit the system, at {} utilization",
            format::percent(expected, 0)
        )));
    }
    if expected >= 1.0 {
        line.push(Span::Bad(": more than it can serve".to_owned()));
    }
    let agrees = busiest(&run.summary).is_some_and(|s| s.name == b.service);
    line.push(text(if agrees {
        "; the run agrees."
    } else {
        "; in the run another service was busier (faults, timeouts and queueing are outside the analysis)."
    }));
    Some(line)
}
