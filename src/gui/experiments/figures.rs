//! What the Experiments tab shows, as plain data (no drawing, so tests read
//! it): the sweep chart's points with their intervals, the SLO line and the
//! knee; the capacity card's sentences; the confidence bands of a
//! replicated run's time series.
//!
//! **The knee** of a sweep chart (points sorted by the varied value) is the
//! first point where the metric turns bad:
//! - latency: the slope from the point before exceeds [`KNEE_FACTOR`] × the
//!   initial slope (points 0 → 1; an initial slope smaller than 5% of the
//!   first value over the whole range counts as that much, so that noise on
//!   a flat start is no knee);
//! - throughput: the slope falls below 1 / [`KNEE_FACTOR`] of the initial
//!   slope (the system stops taking the added load);
//! - success ratio: it falls more than 1 percentage point below the first point's;
//! - or, whichever comes first, the first point that breaks the SLO target
//!   of the metric.

use crate::experiment::Replicated;
use crate::experiment::capacity::{Answer, Capacity};
use crate::experiment::stats::t_interval;
use crate::experiment::sweep::PointResult;
use crate::metrics::{EntrySummary, Summary};
use crate::model::{Slo, Topology};
use crate::report::format;
use crate::report::verdicts::{Target, target_list};

/// How much steeper (or flatter, for throughput) than at the start the
/// curve must get to be the knee.
pub const KNEE_FACTOR: f64 = 3.0;

/// The metric a sweep chart shows, per entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    #[default]
    P99,
    P95,
    P50,
    Mean,
    Throughput,
    Success,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::P99,
        Metric::P95,
        Metric::P50,
        Metric::Mean,
        Metric::Throughput,
        Metric::Success,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Metric::P99 => "latency p99",
            Metric::P95 => "latency p95",
            Metric::P50 => "latency p50",
            Metric::Mean => "latency mean",
            Metric::Throughput => "throughput",
            Metric::Success => "success ratio",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Metric::Throughput => "rps",
            Metric::Success => "%",
            _ => "ms",
        }
    }

    /// The dotted field of the replications' intervals.
    pub fn field(self) -> &'static str {
        match self {
            Metric::P99 => "latency_ms.p99",
            Metric::P95 => "latency_ms.p95",
            Metric::P50 => "latency_ms.p50",
            Metric::Mean => "latency_ms.mean",
            Metric::Throughput => "throughput_rps",
            Metric::Success => "success_ratio",
        }
    }

    /// The value shown (success ratio in percent).
    pub fn value(self, e: &EntrySummary) -> f64 {
        self.scale()
            * match self {
                Metric::P99 => e.latency_ms.p99,
                Metric::P95 => e.latency_ms.p95,
                Metric::P50 => e.latency_ms.p50,
                Metric::Mean => e.latency_ms.mean,
                Metric::Throughput => e.throughput_rps,
                Metric::Success => e.success_ratio,
            }
    }

    fn scale(self) -> f64 {
        if self == Metric::Success { 100.0 } else { 1.0 }
    }

    /// The SLO target on this metric, in its shown unit.
    pub fn target(self, slo: &Slo) -> Option<f64> {
        match self {
            Metric::P99 => slo.latency_p99_ms,
            Metric::P95 => slo.latency_p95_ms,
            Metric::P50 => slo.latency_p50_ms,
            Metric::Success => slo.availability.map(|a| a * 100.0),
            Metric::Mean | Metric::Throughput => None,
        }
    }

    fn breaks(self, value: f64, target: f64) -> bool {
        if self == Metric::Success {
            value < target
        } else {
            value > target
        }
    }
}

/// Why a point is the knee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KneeReason {
    /// The curve bends (see the module documentation).
    Bend,
    /// The SLO target breaks here first.
    SloBreak,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knee {
    /// Index in [`SweepChart::points`].
    pub index: usize,
    pub reason: KneeReason,
}

/// One point of a sweep chart: the varied value, the mean and its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    pub x: f64,
    pub y: f64,
    /// The interval (`[y, y]` with one replication).
    pub lo: f64,
    pub hi: f64,
    /// Whether the entry met the whole SLO of the file at this point.
    pub slo_met: Option<bool>,
}

/// The chart of one metric of one entry against the varied value.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepChart {
    pub metric: Metric,
    pub entry: String,
    /// Sorted by `x`.
    pub points: Vec<ChartPoint>,
    /// The SLO target on the metric, when there is one.
    pub slo: Option<f64>,
    pub knee: Option<Knee>,
}

/// The chart data of `entry` (the first entry when `None` or unknown).
pub fn sweep_chart(
    points: &[PointResult],
    name: &str,
    entry: Option<&str>,
    metric: Metric,
    slo: Option<&Slo>,
) -> Option<SweepChart> {
    let first = points.first()?;
    let entry_name = entry
        .filter(|e| {
            first
                .result
                .summary
                .entrypoints
                .iter()
                .any(|x| x.name == *e)
        })
        .or_else(|| {
            first
                .result
                .summary
                .entrypoints
                .first()
                .map(|e| e.name.as_str())
        })?
        .to_owned();
    let mut out: Vec<ChartPoint> = points
        .iter()
        .filter_map(|p| {
            let x = p.vary.get(name)?.as_f64()?;
            let i = p
                .result
                .summary
                .entrypoints
                .iter()
                .position(|e| e.name == entry_name)?;
            let e = &p.result.summary.entrypoints[i];
            let y = metric.value(e);
            let [lo, hi] = p
                .result
                .entry_ci(&entry_name, metric.field())
                .map_or([y, y], |[lo, hi]| {
                    [lo * metric.scale(), hi * metric.scale()]
                });
            Some(ChartPoint {
                x,
                y,
                lo,
                hi,
                slo_met: p.slo_met().get(i).copied().flatten(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.x.total_cmp(&b.x));
    let target = slo.and_then(|s| metric.target(s));
    let knee = knee(&out, metric, target);
    Some(SweepChart {
        metric,
        entry: entry_name,
        points: out,
        slo: target,
        knee,
    })
}

/// The knee of `points` (sorted by x); see the module documentation.
pub fn knee(points: &[ChartPoint], metric: Metric, target: Option<f64>) -> Option<Knee> {
    let slo_break = target.and_then(|t| points.iter().position(|p| metric.breaks(p.y, t)));
    let bend = bend(points, metric);
    match (bend, slo_break) {
        (Some(b), Some(s)) if s <= b => Some(Knee {
            index: s,
            reason: KneeReason::SloBreak,
        }),
        (Some(b), _) => Some(Knee {
            index: b,
            reason: KneeReason::Bend,
        }),
        (None, Some(s)) => Some(Knee {
            index: s,
            reason: KneeReason::SloBreak,
        }),
        (None, None) => None,
    }
}

fn bend(points: &[ChartPoint], metric: Metric) -> Option<usize> {
    let slope = |i: usize| {
        let (a, b) = (points[i - 1], points[i]);
        (b.y - a.y) / (b.x - a.x)
    };
    let (first, last) = (points.first()?, points.last()?);
    match metric {
        Metric::Success => points.iter().position(|p| p.y < first.y - 1.0),
        _ if points.len() < 3 => None,
        Metric::Throughput => {
            let s0 = slope(1);
            if !(s0.is_finite() && s0 > 0.0) {
                return None;
            }
            (2..points.len()).find(|&i| slope(i) < s0 / KNEE_FACTOR)
        }
        _ => {
            let span = last.x - first.x;
            let floor = if span > 0.0 {
                0.05 * first.y.abs() / span
            } else {
                0.0
            };
            let s0 = slope(1).max(floor);
            if !(s0.is_finite() && s0 > 0.0) {
                return None;
            }
            (2..points.len()).find(|&i| slope(i) > KNEE_FACTOR * s0)
        }
    }
}

/// A target as the words of its breaking: `p99 > 200 ms`, `availability < 99.9%`.
pub fn broken(target: Target) -> String {
    match target {
        Target::P50Ms(v) => format!("p50 > {} ms", format::trim(v)),
        Target::P95Ms(v) => format!("p95 > {} ms", format::trim(v)),
        Target::P99Ms(v) => format!("p99 > {} ms", format::trim(v)),
        Target::Availability(v) => format!("availability < {}", format::availability(v)),
    }
}

/// A load multiplier for people: floored to two decimals (never more than was found to hold).
pub fn multiplier(m: f64) -> String {
    format::trim((m * 100.0).floor() / 100.0)
}

/// The sentences of the capacity card: the answer first.
pub fn capacity_lines(capacity: &Capacity, topology: &Topology) -> Vec<String> {
    let targets: Vec<String> = target_list(&capacity.slo).into_iter().map(broken).collect();
    let mut lines = Vec::new();
    match &capacity.answer {
        Answer::MaxLoad {
            load_multiplier,
            bracket,
            rate_rps,
        } => {
            lines.push(format!(
                "max load {}× ({} rps) before {}",
                multiplier(*load_multiplier),
                format::count(rate_rps.max(0.0).round() as u64),
                targets.join(" or ")
            ));
            lines.push(format!(
                "met at {}×, broken at {}× (the search stops when these are within 1%)",
                format::trim(bracket[0]),
                format::trim(bracket[1])
            ));
        }
        Answer::MinReplicas { replicas } => {
            let list = |f: &dyn Fn(&str, u64) -> u64| {
                replicas
                    .iter()
                    .map(|(name, n)| format!("{name} {}", f(name, *n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(format!(
                "needs replicas: {} for {}",
                list(&|_, n| n),
                target_list(&capacity.slo)
                    .into_iter()
                    .map(Target::label)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
            let now = |name: &str, _| {
                topology
                    .services
                    .iter()
                    .find(|s| s.name == name)
                    .map_or(0, |s| s.replicas)
            };
            lines.push(format!("the model has: {}", list(&now)));
        }
        Answer::MinCost {
            replicas,
            cost_per_hour,
            currency,
            cost,
        } => {
            let list: Vec<String> = replicas
                .iter()
                .map(|(name, n)| format!("{name} {n}"))
                .collect();
            lines.push(format!(
                "cheapest replicas: {} ({} per hour for these services) for {}",
                list.join(", "),
                format::money(*cost_per_hour, currency),
                target_list(&capacity.slo)
                    .into_iter()
                    .map(Target::label)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
            if let Some(cost) = cost {
                lines.push(format!(
                    "its run cost {} ({} replica-hours, every service)",
                    format::money(cost.total, &cost.currency),
                    format::short(cost.replica_hours)
                ));
            }
        }
    }
    let runs: u64 = capacity.evaluations.iter().map(|e| e.replications).sum();
    lines.push(format!(
        "{} evaluations, {} runs",
        capacity.evaluations.len(),
        format::count(runs)
    ));
    lines
}

/// How to give the capacity search a target when the file has none.
pub const NO_SLO_HELP: &str = "The file has no SLO. Add one to it, e.g. \"slo\": {\"latency_p99_ms\": 200}, or type a p99 target here:";

/// One bucket of a band: the mean over the replications and its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub t_s: f64,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

/// The confidence bands of one entry's time series over the replications.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryBands {
    pub entry: String,
    pub throughput_rps: Vec<Band>,
    pub p99_ms: Vec<Band>,
}

/// A replicated run: the averaged summary with its intervals, and the bands.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicatedRun {
    pub result: Replicated,
    pub bands: Vec<EntryBands>,
}

/// Collects the per-bucket values of every replication, in order.
#[derive(Debug, Default)]
pub struct BandCollector {
    t_s: Vec<f64>,
    /// Per entry: name, then per replication the throughput and p99 series.
    entries: Vec<EntryRuns>,
}

/// One entry's name and, per replication, its throughput and p99 series.
type EntryRuns = (String, Vec<Vec<f64>>, Vec<Vec<f64>>);

impl BandCollector {
    pub fn add(&mut self, summary: &Summary) {
        if self.t_s.is_empty() {
            self.t_s = summary.timeseries.t_s.clone();
        }
        for (name, series) in &summary.timeseries.entrypoints {
            let slot = match self.entries.iter().position(|(n, _, _)| n == name) {
                Some(i) => i,
                None => {
                    self.entries.push((name.clone(), Vec::new(), Vec::new()));
                    self.entries.len() - 1
                }
            };
            let (_, throughput, p99) = &mut self.entries[slot];
            throughput.push(series.throughput_rps.clone());
            p99.push(series.p99_ms.clone());
        }
    }

    /// The bands at `confidence`: a bucket without an interval (fewer than
    /// two replications with a value there) is its mean.
    pub fn finish(&self, confidence: f64) -> Vec<EntryBands> {
        let band = |runs: &[Vec<f64>]| -> Vec<Band> {
            self.t_s
                .iter()
                .enumerate()
                .filter_map(|(b, t)| {
                    let values: Vec<f64> = runs
                        .iter()
                        .filter_map(|r| r.get(b).copied())
                        .filter(|v| v.is_finite())
                        .collect();
                    if values.is_empty() {
                        return None;
                    }
                    let mean = crate::experiment::stats::mean(&values);
                    let [lo, hi] = t_interval(&values, confidence).unwrap_or([mean, mean]);
                    Some(Band {
                        t_s: *t,
                        mean,
                        lo,
                        hi,
                    })
                })
                .collect()
        };
        self.entries
            .iter()
            .map(|(name, throughput, p99)| EntryBands {
                entry: name.clone(),
                throughput_rps: band(throughput),
                p99_ms: band(p99),
            })
            .collect()
    }
}

/// `value ± half-width` of an interval, or the value alone.
pub fn plus_minus(value: f64, ci: Option<[f64; 2]>, show: impl Fn(f64) -> String) -> String {
    match ci {
        Some([lo, hi]) => format!("{} ± {}", show(value), show((hi - lo) / 2.0)),
        None => show(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(ys: &[f64]) -> Vec<ChartPoint> {
        ys.iter()
            .enumerate()
            .map(|(i, &y)| ChartPoint {
                x: 1.0 + i as f64,
                y,
                lo: y,
                hi: y,
                slo_met: None,
            })
            .collect()
    }

    #[test]
    fn the_knee_is_where_latency_bends() {
        // Slopes 1, 1, 2, 10: the last exceeds 3 × the first.
        let k = knee(&pts(&[10.0, 11.0, 12.0, 14.0, 24.0]), Metric::P99, None);
        assert_eq!(
            k,
            Some(Knee {
                index: 4,
                reason: KneeReason::Bend
            })
        );
    }

    #[test]
    fn an_slo_break_before_the_bend_is_the_knee() {
        let k = knee(
            &pts(&[10.0, 11.0, 12.0, 14.0, 24.0]),
            Metric::P99,
            Some(11.5),
        );
        assert_eq!(
            k,
            Some(Knee {
                index: 2,
                reason: KneeReason::SloBreak
            })
        );
    }

    #[test]
    fn a_flat_noisy_start_is_no_knee() {
        assert_eq!(
            knee(&pts(&[10.0, 10.0, 10.05, 10.02]), Metric::P99, None),
            None
        );
    }

    #[test]
    fn throughput_knee_is_where_it_stops_growing() {
        let k = knee(
            &pts(&[100.0, 200.0, 300.0, 310.0]),
            Metric::Throughput,
            None,
        );
        assert_eq!(k.map(|k| k.index), Some(3));
    }

    #[test]
    fn multipliers_never_round_up() {
        assert_eq!(multiplier(3.41797), "3.41");
        assert_eq!(multiplier(2.0), "2");
    }

    #[test]
    fn broken_targets_read_as_their_breaking() {
        assert_eq!(broken(Target::P99Ms(200.0)), "p99 > 200 ms");
        assert_eq!(broken(Target::Availability(0.999)), "availability < 99.90%");
    }
}
