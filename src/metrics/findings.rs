//! Findings: what went wrong over time that a run's totals hide, read from
//! a finished run's time series (the summary's `findings`).
//!
//! Every finding has a `kind`, a one-sentence `text` and its evidence. The
//! kinds and their thresholds (documented in docs/findings.md):
//!
//! - `metastable`: after a trigger (a fault window or a load spike) ended,
//!   goodput (successful responses per second, all entries) stayed below
//!   [`GOODPUT_SHARE`] of its mean before the trigger for at least
//!   [`OUTLIVES_S`] seconds, or for as long again as the trigger lasted if
//!   that is longer. Recovery is the first sustained stretch (the shared
//!   rule of [`sustained`](super::sustained)) of buckets back above that
//!   level. The evidence names the sustaining loop: each edge's attempts per
//!   first attempt before and after the trigger, and the queues that grew.
//! - `sustained_overload`: a service's workers were at least
//!   [`SATURATED_UTILIZATION`](sustained::SATURATED_UTILIZATION) busy for [`OVERLOAD_S`] seconds or more in a
//!   row.
//! - `breaker_flapping`: an edge's circuit breaker opened from closed at
//!   least [`FLAP_OPENINGS`] times within [`FLAP_WINDOW_S`] seconds.
//! - `autoscaler_thrash`: a service's autoscaler reversed direction (up
//!   after down, or down after up) at least [`THRASH_REVERSALS`] times with
//!   at most [`THRASH_WINDOW_S`] seconds between reversals.
//!
//! Findings are a pure function of the summary and the scenario's triggers,
//! so the same file, scenario and seed give the same findings.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::stability::{seconds, thousands};
use super::sustained;
use super::{FaultWindow, ScalingReason, Summary};

/// Goodput under this share of its level before a trigger counts as fallen.
pub const GOODPUT_SHARE: f64 = 0.8;
/// How long goodput must stay fallen after a trigger ended (at least) for
/// the failure to be metastable.
pub const OUTLIVES_S: f64 = 60.0;
/// How long a service must stay saturated to be overloaded.
pub const OVERLOAD_S: f64 = 30.0;
/// Openings of a breaker within [`FLAP_WINDOW_S`] that make it flap.
pub const FLAP_OPENINGS: u64 = 3;
/// See [`FLAP_OPENINGS`].
pub const FLAP_WINDOW_S: f64 = 60.0;
/// Reversals of an autoscaler that make it thrash.
pub const THRASH_REVERSALS: usize = 3;
/// Longest gap between two reversals of one thrashing episode.
pub const THRASH_WINDOW_S: f64 = 300.0;

/// Something that disturbs a run for a while and then ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// What and where, e.g. "slowdown of db".
    pub what: String,
    pub start_s: f64,
    pub end_s: f64,
}

impl Trigger {
    /// The trigger of a fault window.
    pub fn fault(window: &FaultWindow) -> Trigger {
        let target = &window.target;
        let what = match window.kind.as_str() {
            "crash" => format!("crash of {target}"),
            "latency" => format!("slowdown of {target}"),
            "errors" => format!("injected errors at {target}"),
            "zone_outage" => format!("outage of zone {target}"),
            "partition" => format!("partition {target}"),
            other => format!("{other} fault on {target}"),
        };
        Trigger {
            what,
            start_s: window.start_s,
            end_s: window.end_s,
        }
    }

    /// The trigger of a load spike that multiplies the load by `factor`.
    pub fn spike(factor: f64, start_s: f64, end_s: f64) -> Trigger {
        Trigger {
            what: format!("load spike ×{}", round(factor, 100.0)),
            start_s,
            end_s,
        }
    }
}

/// One finding (the summary's `findings`), tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    Metastable(Metastable),
    SustainedOverload(SustainedOverload),
    BreakerFlapping(BreakerFlapping),
    AutoscalerThrash(AutoscalerThrash),
}

/// A failure that outlived its trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metastable {
    pub text: String,
    /// What triggered it and where, e.g. "slowdown of db".
    pub trigger: String,
    pub trigger_start_s: f64,
    pub trigger_end_s: f64,
    /// Start of the bucket in which goodput fell.
    pub from_s: f64,
    /// Start of the first bucket of the sustained recovery (`null`: never).
    pub recovered_s: Option<f64>,
    /// Mean goodput (successful responses per second) before the trigger.
    pub goodput_before_rps: f64,
    /// Mean goodput from the trigger's end to the recovery (or the end).
    pub goodput_after_rps: f64,
    /// Edges that retried after the trigger ended.
    pub retry_amplification: Vec<RetryAmplification>,
    /// Services whose queues were at least twice as long after the trigger.
    pub queue_growth: Vec<QueueGrowth>,
}

/// Attempts per first attempt on an edge (1: no retries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryAmplification {
    pub from: String,
    pub to: String,
    /// Before the trigger.
    pub before: f64,
    /// From the trigger's end to the recovery (or the end of the run).
    pub after: f64,
}

/// Waiting requests at a service (time-average per bucket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueGrowth {
    pub service: String,
    /// Mean before the trigger.
    pub before: f64,
    /// In the first bucket after the trigger ended.
    pub at_trigger_end: f64,
    /// In the last bucket before the recovery (or of the run).
    pub at_end: f64,
    /// `(at_end − at_trigger_end)` per second between them.
    pub growth_per_s: f64,
}

/// A service saturated for long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SustainedOverload {
    pub text: String,
    pub service: String,
    pub from_s: f64,
    pub to_s: f64,
    /// Mean busy share over the window.
    pub utilization: f64,
    /// Waiting requests in the window's first and last bucket, and the
    /// most in any of its buckets (bucket means).
    pub queue_start: f64,
    pub queue_end: f64,
    pub queue_peak: f64,
    /// Failed responses over arrivals in the window.
    pub error_share: f64,
}

/// A circuit breaker that keeps opening and closing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakerFlapping {
    pub text: String,
    pub from: String,
    pub to: String,
    pub from_s: f64,
    pub to_s: f64,
    /// Openings from closed in the window.
    pub openings: u64,
    /// Share of the window the breaker was open or half-open.
    pub open_share: f64,
}

/// An autoscaler that keeps changing direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoscalerThrash {
    pub text: String,
    pub service: String,
    pub from_s: f64,
    pub to_s: f64,
    /// Autoscaler decisions in the window.
    pub changes: u64,
    /// Changes of direction among them.
    pub reversals: u64,
    pub replicas_min: u64,
    pub replicas_max: u64,
}

impl Finding {
    /// The `kind` as the JSON spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Metastable(_) => "metastable",
            Finding::SustainedOverload(_) => "sustained_overload",
            Finding::BreakerFlapping(_) => "breaker_flapping",
            Finding::AutoscalerThrash(_) => "autoscaler_thrash",
        }
    }

    /// The kind in words, e.g. "Metastable failure".
    pub fn label(&self) -> &'static str {
        match self {
            Finding::Metastable(_) => "Metastable failure",
            Finding::SustainedOverload(_) => "Sustained overload",
            Finding::BreakerFlapping(_) => "Breaker flapping",
            Finding::AutoscalerThrash(_) => "Autoscaler thrash",
        }
    }

    /// The sentence.
    pub fn text(&self) -> &str {
        match self {
            Finding::Metastable(f) => &f.text,
            Finding::SustainedOverload(f) => &f.text,
            Finding::BreakerFlapping(f) => &f.text,
            Finding::AutoscalerThrash(f) => &f.text,
        }
    }

    /// What the finding is about, with its kind: two findings with the
    /// same key are the same finding of two replications.
    pub fn key(&self) -> String {
        let subject = match self {
            Finding::Metastable(f) => f.trigger.clone(),
            Finding::SustainedOverload(f) => f.service.clone(),
            Finding::BreakerFlapping(f) => format!("{} → {}", f.from, f.to),
            Finding::AutoscalerThrash(f) => f.service.clone(),
        };
        format!("{}: {subject}", self.kind())
    }

    /// The time window it covers, seconds; a metastable failure that never
    /// recovered runs to `end_s` (the end of the run).
    pub fn window_s(&self, end_s: f64) -> (f64, f64) {
        match self {
            Finding::Metastable(f) => (f.from_s, f.recovered_s.unwrap_or(end_s)),
            Finding::SustainedOverload(f) => (f.from_s, f.to_s),
            Finding::BreakerFlapping(f) => (f.from_s, f.to_s),
            Finding::AutoscalerThrash(f) => (f.from_s, f.to_s),
        }
    }

    /// The findings of a finished run, given the scenario's triggers (in
    /// time order): metastable failures first, then overloads, flapping
    /// breakers and thrashing autoscalers, each in the summary's order.
    pub fn of(summary: &Summary, triggers: &[Trigger]) -> Vec<Finding> {
        let run = Run::new(summary);
        let mut list = Vec::new();
        list.extend(
            triggers
                .iter()
                .filter_map(|t| run.metastable(t))
                .map(Finding::Metastable),
        );
        list.extend(run.overloads().into_iter().map(Finding::SustainedOverload));
        list.extend(run.flapping().into_iter().map(Finding::BreakerFlapping));
        list.extend(run.thrash().into_iter().map(Finding::AutoscalerThrash));
        list
    }
}

/// A stretch of a run covered by one or more findings: what the app's
/// charts and the report's charts shade.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingWindow {
    pub start_s: f64,
    pub end_s: f64,
    /// The kinds in words ([`Finding::label`]), each once, in time order.
    pub labels: Vec<&'static str>,
}

impl FindingWindow {
    /// "Metastable failure", "Metastable failure + Sustained overload".
    pub fn label(&self) -> String {
        self.labels.join(" + ")
    }
}

/// The windows of `findings` ([`Finding::window_s`], a run that ended at
/// `end_s`) in time order, overlapping ones merged so that a stretch is
/// shaded once and named by every kind found in it.
pub fn finding_windows(findings: &[Finding], end_s: f64) -> Vec<FindingWindow> {
    let mut windows: Vec<(f64, f64, &'static str)> = findings
        .iter()
        .map(|f| {
            let (start_s, end_s) = f.window_s(end_s);
            (start_s, end_s, f.label())
        })
        .collect();
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<FindingWindow> = Vec::new();
    for (start_s, end_s, label) in windows {
        match merged.last_mut() {
            Some(last) if start_s <= last.end_s => {
                last.end_s = last.end_s.max(end_s);
                if !last.labels.contains(&label) {
                    last.labels.push(label);
                }
            }
            _ => merged.push(FindingWindow {
                start_s,
                end_s,
                labels: vec![label],
            }),
        }
    }
    merged
}

/// The run's series, with goodput per bucket.
struct Run<'a> {
    summary: &'a Summary,
    t_s: &'a [f64],
    bucket_s: f64,
    goodput: Vec<f64>,
    end_s: f64,
}

impl<'a> Run<'a> {
    fn new(summary: &'a Summary) -> Self {
        let ts = &summary.timeseries;
        let goodput = (0..ts.t_s.len())
            .map(|k| {
                ts.entrypoints
                    .values()
                    .map(|e| e.throughput_rps.get(k).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect();
        Run {
            summary,
            t_s: &ts.t_s,
            bucket_s: ts.bucket_s,
            goodput,
            end_s: ts.t_s.last().map_or(0.0, |t| t + ts.bucket_s),
        }
    }

    fn buckets(&self) -> usize {
        self.t_s.len()
    }

    fn metastable(&self, trigger: &Trigger) -> Option<Metastable> {
        let eps = 1e-9;
        if trigger.end_s >= self.end_s - eps || self.bucket_s <= 0.0 {
            return None;
        }
        let warmup_s = self.summary.warmup_s;
        let before: Vec<usize> = (0..self.buckets())
            .filter(|&k| {
                self.t_s[k] >= warmup_s - eps
                    && self.t_s[k] + self.bucket_s <= trigger.start_s + eps
            })
            .collect();
        if before.len() < 2 {
            return None;
        }
        let before = before[0]..before[before.len() - 1] + 1;
        let baseline = mean(&self.goodput[before.clone()]);
        if baseline <= 0.0 {
            return None;
        }
        let low = |k: usize| self.goodput[k] < GOODPUT_SHARE * baseline;
        let k_start =
            (0..self.buckets()).find(|&k| self.t_s[k] + self.bucket_s > trigger.start_s + eps)?;
        let k_end = (0..self.buckets()).find(|&k| self.t_s[k] >= trigger.end_s - eps)?;
        let needed = sustained::needed_buckets(self.bucket_s);
        let recovery = sustained::episodes(self.buckets(), needed, |k| !low(k))
            .into_iter()
            .find(|r| r.end > k_end);
        if recovery.as_ref().is_some_and(|r| r.start <= k_end) {
            return None;
        }
        let recovered_k = recovery.map(|r| r.start);
        let until_s = recovered_k.map_or(self.end_s, |k| self.t_s[k]);
        let lasted_s = trigger.end_s - trigger.start_s;
        if until_s - trigger.end_s < OUTLIVES_S.max(lasted_s) - eps {
            return None;
        }
        let from_k = (k_start..self.buckets()).find(|&k| low(k)).unwrap_or(k_end);
        let after = k_end..recovered_k.unwrap_or(self.buckets());
        let goodput_after = mean(&self.goodput[after.clone()]);
        let retry_amplification = self.amplification(&before, &after);
        let queue_growth = self.queue_growth(&before, &after);
        let recovered_s = recovered_k.map(|k| self.t_s[k]);

        let mut text = format!(
            "The {} from t = {} to {} s ended but the failure did not: goodput stayed at {}/s ({} of the {}/s before) and ",
            trigger.what,
            seconds(trigger.start_s),
            seconds(trigger.end_s),
            thousands(goodput_after),
            percent(goodput_after / baseline),
            thousands(baseline),
        );
        match recovered_s {
            Some(t) => text.push_str(&format!(
                "recovered only at t = {} s, {} s after the trigger ended",
                seconds(t),
                seconds(t - trigger.end_s)
            )),
            None => text.push_str("never recovered"),
        }
        if let Some(worst) = retry_amplification
            .iter()
            .max_by(|a, b| a.after.total_cmp(&b.after))
        {
            text.push_str(&format!(
                "; {} → {} sent {} attempts per call ({} before)",
                worst.from, worst.to, worst.after, worst.before
            ));
        }
        if let Some(queue) = queue_growth
            .iter()
            .max_by(|a, b| a.at_end.total_cmp(&b.at_end))
        {
            text.push_str(&format!(
                " and the queue at {} grew to {}",
                queue.service,
                thousands(queue.at_end)
            ));
        }
        text.push('.');
        Some(Metastable {
            text,
            trigger: trigger.what.clone(),
            trigger_start_s: trigger.start_s,
            trigger_end_s: trigger.end_s,
            from_s: self.t_s[from_k],
            recovered_s,
            goodput_before_rps: round(baseline, 10.0),
            goodput_after_rps: round(goodput_after, 10.0),
            retry_amplification,
            queue_growth,
        })
    }

    /// Attempts per first attempt on every edge that retried in `after`.
    fn amplification(
        &self,
        before: &Range<usize>,
        after: &Range<usize>,
    ) -> Vec<RetryAmplification> {
        let ratio = |calls: &[u64], retries: &[u64], range: &Range<usize>| {
            let attempts: u64 = calls.get(range.clone()).unwrap_or(&[]).iter().sum();
            let retried: u64 = retries.get(range.clone()).unwrap_or(&[]).iter().sum();
            let first = attempts.saturating_sub(retried);
            if first == 0 {
                1.0
            } else {
                round(attempts as f64 / first as f64, 100.0)
            }
        };
        self.summary
            .timeseries
            .edges
            .iter()
            .filter(|e| {
                e.retries
                    .get(after.clone())
                    .is_some_and(|r| r.iter().any(|&n| n > 0))
            })
            .map(|e| RetryAmplification {
                from: e.from.clone(),
                to: e.to.clone(),
                before: ratio(&e.calls, &e.retries, before),
                after: ratio(&e.calls, &e.retries, after),
            })
            .collect()
    }

    /// Services whose mean queue in `after` is at least twice (plus one
    /// request) its mean in `before`.
    fn queue_growth(&self, before: &Range<usize>, after: &Range<usize>) -> Vec<QueueGrowth> {
        self.summary
            .timeseries
            .services
            .iter()
            .filter_map(|(name, s)| {
                let q = &s.queue_length;
                let was = mean(q.get(before.clone())?);
                let during = q.get(after.clone())?;
                if during.is_empty() || mean(during) < 2.0 * was + 1.0 {
                    return None;
                }
                let (first, last) = (during[0], during[during.len() - 1]);
                let span_s = (after.len() - 1) as f64 * self.bucket_s;
                Some(QueueGrowth {
                    service: name.clone(),
                    before: round(was, 10.0),
                    at_trigger_end: round(first, 10.0),
                    at_end: round(last, 10.0),
                    growth_per_s: if span_s > 0.0 {
                        round((last - first) / span_s, 10.0)
                    } else {
                        0.0
                    },
                })
            })
            .collect()
    }

    fn overloads(&self) -> Vec<SustainedOverload> {
        let needed = sustained::buckets_for(OVERLOAD_S, self.bucket_s);
        let warmup_s = self.summary.warmup_s;
        self.summary
            .timeseries
            .services
            .iter()
            .filter_map(|(name, s)| {
                let range = sustained::episodes(self.buckets(), needed, |k| {
                    self.t_s[k] + self.bucket_s > warmup_s && sustained::saturated(s, k)
                })
                .into_iter()
                .find(|r| r.len() >= needed)?;
                let from_s = self.t_s[range.start];
                let to_s = self.t_s[range.end - 1] + self.bucket_s;
                let utilization = mean(&s.utilization[range.clone()]);
                let errors: u64 = s.errors.get(range.clone()).unwrap_or(&[]).iter().sum();
                let arrivals: u64 = s.arrivals.get(range.clone()).unwrap_or(&[]).iter().sum();
                let error_share = if arrivals > 0 {
                    (errors as f64 / arrivals as f64).min(1.0)
                } else {
                    0.0
                };
                let queue_start = s.queue_length.get(range.start).copied().unwrap_or(0.0);
                let queue_end = s.queue_length.get(range.end - 1).copied().unwrap_or(0.0);
                let queue_peak = s
                    .queue_length
                    .get(range.clone())
                    .unwrap_or(&[])
                    .iter()
                    .fold(queue_start.max(queue_end), |a, &b| a.max(b));
                // The peak when the queue rose and fell within the window.
                let peak = if queue_peak > 1.5 * queue_start.max(queue_end).max(1.0) {
                    format!(" (up to {})", thousands(queue_peak))
                } else {
                    String::new()
                };
                let until = if range.end == self.buckets() {
                    " (to the end of the run)".to_owned()
                } else {
                    String::new()
                };
                let text = format!(
                    "{name} was overloaded from t = {} s for {} s{until}: its workers were {} busy on average and its queue went from {} to {} waiting requests{peak}; {} of its requests failed.",
                    seconds(from_s),
                    seconds(to_s - from_s),
                    percent(utilization),
                    thousands(queue_start),
                    thousands(queue_end),
                    percent(error_share),
                );
                Some(SustainedOverload {
                    text,
                    service: name.clone(),
                    from_s,
                    to_s,
                    utilization: round(utilization, 1000.0),
                    queue_start: round(queue_start, 10.0),
                    queue_end: round(queue_end, 10.0),
                    queue_peak: round(queue_peak, 10.0),
                    error_share: round(error_share, 1000.0),
                })
            })
            .collect()
    }

    fn flapping(&self) -> Vec<BreakerFlapping> {
        self.summary
            .timeseries
            .edges
            .iter()
            .filter_map(|e| {
                // One time per opening: the start of its bucket.
                let times: Vec<(usize, f64)> = e
                    .breaker_opened
                    .iter()
                    .enumerate()
                    .flat_map(|(k, &n)| {
                        std::iter::repeat_n((k, self.t_s.get(k).copied().unwrap_or(0.0)), n as usize)
                    })
                    .collect();
                let needed = FLAP_OPENINGS as usize;
                let (first, last) = cluster(&times, needed, FLAP_WINDOW_S)?;
                let (k0, from_s) = times[first];
                let (k1, last_s) = times[last];
                let to_s = last_s + self.bucket_s;
                let open_share = mean(e.breaker_open.get(k0..k1 + 1).unwrap_or(&[]));
                let openings = (last - first + 1) as u64;
                let text = format!(
                    "The circuit breaker on {} → {} flapped: it opened {openings} times between t = {} and {} s and was open {} of that time, so calls failed fast in bursts while {} was neither down nor healthy.",
                    e.from,
                    e.to,
                    seconds(from_s),
                    seconds(to_s),
                    percent(open_share),
                    e.to,
                );
                Some(BreakerFlapping {
                    text,
                    from: e.from.clone(),
                    to: e.to.clone(),
                    from_s,
                    to_s,
                    openings,
                    open_share: round(open_share, 1000.0),
                })
            })
            .collect()
    }

    fn thrash(&self) -> Vec<AutoscalerThrash> {
        let services = self.summary.timeseries.services.keys();
        services
            .filter_map(|name| {
                let decisions: Vec<_> = self
                    .summary
                    .scaling_events
                    .iter()
                    .filter(|e| e.reason == ScalingReason::Autoscale && &e.service == name && e.to != e.from)
                    .collect();
                // (index of the decision, time) of every change of direction.
                let reversals: Vec<(usize, f64)> = decisions
                    .windows(2)
                    .enumerate()
                    .filter(|(_, w)| (w[0].to > w[0].from) != (w[1].to > w[1].from))
                    .map(|(i, w)| (i + 1, w[1].t_s))
                    .collect();
                let (first, last) = cluster(&reversals, THRASH_REVERSALS, THRASH_WINDOW_S)?;
                let window = &decisions[reversals[first].0 - 1..=reversals[last].0];
                let from_s = window[0].t_s;
                let to_s = reversals[last].1;
                let replicas = window.iter().flat_map(|e| [e.from, e.to]);
                let replicas_min = replicas.clone().min().unwrap_or(0);
                let replicas_max = replicas.max().unwrap_or(0);
                let count = (last - first + 1) as u64;
                let text = format!(
                    "The autoscaler of {name} thrashed: it changed direction {count} times between t = {} and {} s ({} decisions between {replicas_min} and {replicas_max} replicas).",
                    seconds(from_s),
                    seconds(to_s),
                    window.len(),
                );
                Some(AutoscalerThrash {
                    text,
                    service: name.clone(),
                    from_s,
                    to_s,
                    changes: window.len() as u64,
                    reversals: count,
                    replicas_min,
                    replicas_max,
                })
            })
            .collect()
    }
}

/// The first run of at least `needed` events (index, time) in which each
/// `needed` consecutive ones span at most `window_s`, extended while the
/// next event is within `window_s` of the previous: `(first, last)` indices.
fn cluster(events: &[(usize, f64)], needed: usize, window_s: f64) -> Option<(usize, usize)> {
    if needed == 0 || events.len() < needed {
        return None;
    }
    let first = (0..=events.len() - needed)
        .find(|&i| events[i + needed - 1].1 - events[i].1 <= window_s)?;
    let mut last = first + needed - 1;
    while last + 1 < events.len() && events[last + 1].1 - events[last].1 <= window_s {
        last += 1;
    }
    Some((first, last))
}

/// A share as a whole percentage, with one decimal near the ends so that
/// 99.7% is not printed as 100% (nor 0.3% as 0%).
fn percent(share: f64) -> String {
    let whole = (share * 100.0).round();
    if (whole >= 100.0 && share < 1.0) || (whole <= 0.0 && share > 0.0) {
        format!("{:.1}%", (share * 1000.0).floor() / 10.0)
    } else {
        format!("{whole:.0}%")
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// `value` rounded to `1 / per` (e.g. `per` 100: two decimals).
fn round(value: f64, per: f64) -> f64 {
    (value * per).round() / per
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_needs_its_events_close_together() {
        let far = [(0, 0.0), (1, 100.0), (2, 200.0)];
        assert_eq!(cluster(&far, 3, 60.0), None);
        let close = [(0, 0.0), (1, 10.0), (2, 20.0), (3, 70.0), (4, 500.0)];
        assert_eq!(cluster(&close, 3, 60.0), Some((0, 3)));
    }

    #[test]
    fn a_share_short_of_all_is_not_printed_as_all() {
        assert_eq!(percent(0.997), "99.7%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.001), "0.1%");
    }

    #[test]
    fn a_fault_window_names_its_trigger() {
        let window = FaultWindow {
            kind: "latency".into(),
            target: "db".into(),
            start_s: 60.0,
            end_s: 70.0,
        };
        assert_eq!(Trigger::fault(&window).what, "slowdown of db");
        assert_eq!(Trigger::spike(1.5, 1.0, 2.0).what, "load spike ×1.5");
    }
}
