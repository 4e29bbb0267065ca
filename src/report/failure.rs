//! Where and when a run first failed, by one rule shared by the app's
//! Results tab and the report's findings.
//!
//! A failure is sustained, not one error: a service *fails* in a bucket when
//! at least [`FAILING_ERROR_SHARE`] of the requests that reached it failed,
//! and it is *saturated* when its workers were at least
//! [`SATURATED_UTILIZATION`] busy. Either counts only when it holds for
//! [`SUSTAINED_S`] seconds of consecutive buckets (at least two buckets), or
//! from its start to the end of the run for at least two buckets. The first
//! to fail is the service whose sustained failure starts first; among the
//! services failing from that bucket, the walk goes down to a callee that is
//! failing or saturated then, so the origin is named, not its callers. With
//! no sustained request failures, the first service to be saturated for
//! that long is named instead.

use std::ops::Range;

pub use crate::metrics::sustained::{FAILING_ERROR_SHARE, SATURATED_UTILIZATION, SUSTAINED_S};
use crate::metrics::sustained::{episodes, failing, needed_buckets, saturated};
use crate::metrics::{ServiceSeries, Summary};
use crate::model::{CallSpec, Topology};

use super::format;

/// The first sustained failure of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstFailure {
    /// The service where it started.
    pub service: String,
    /// When its failure (or saturation) started, seconds.
    pub t_s: f64,
    /// How long it lasted, seconds (to the end of its last bucket).
    pub lasted_s: f64,
    /// The service was saturated rather than failing requests itself.
    pub saturated: bool,
    /// Failed responses of the service while it was failing (0 when saturated).
    pub errors: u64,
    /// `errors` over the requests that arrived meanwhile.
    pub error_share: f64,
    /// When the origin was saturated: the service whose requests failed
    /// first (sustained) and when, if any did.
    pub failures_from: Option<(String, f64)>,
}

impl FirstFailure {
    /// The finding in words, after "First to fail: ".
    pub fn sentence(&self) -> String {
        let lasted = format::duration(self.lasted_s);
        if !self.saturated {
            return format!(
                "{} from t = {} s: {} of the requests reaching it failed over {lasted} ({}).",
                self.service,
                format::trim(self.t_s),
                format::percent(self.error_share, 0),
                format::counted(self.errors, "failed response", "failed responses")
            );
        }
        let mut text = format!(
            "{} was saturated ({} busy or more) from t = {} s for {lasted}",
            self.service,
            format::percent(SATURATED_UTILIZATION, 0),
            format::trim(self.t_s)
        );
        match &self.failures_from {
            Some((service, t_s)) => text.push_str(&format!(
                "; requests failed from t = {} s at {service}.",
                format::trim(*t_s)
            )),
            None => text.push_str("; no service failed requests for long."),
        }
        text
    }
}

/// One service's sustained failures and saturations.
struct Trouble<'a> {
    name: &'a str,
    series: &'a ServiceSeries,
    failing: Vec<Range<usize>>,
    saturated: Vec<Range<usize>>,
}

impl Trouble<'_> {
    fn failing_at(&self, k: usize) -> Option<&Range<usize>> {
        self.failing.iter().find(|r| r.contains(&k))
    }

    fn saturated_at(&self, k: usize) -> Option<&Range<usize>> {
        self.saturated.iter().find(|r| r.contains(&k))
    }
}

/// Finds the [`FirstFailure`] of a run (`None`: nothing failed or
/// saturated for long enough).
pub fn first_failure(topology: &Topology, summary: &Summary) -> Option<FirstFailure> {
    let series = &summary.timeseries;
    let buckets = series.t_s.len();
    let bucket_s = series.bucket_s;
    let needed = needed_buckets(bucket_s);
    let troubles: Vec<Trouble> = series
        .services
        .iter()
        .map(|(name, s)| Trouble {
            name,
            series: s,
            failing: episodes(buckets, needed, |k| failing(s, k)),
            saturated: episodes(buckets, needed, |k| saturated(s, k)),
        })
        .filter(|t| !t.failing.is_empty() || !t.saturated.is_empty())
        .collect();
    let first_start = |pick: fn(&Trouble) -> Option<usize>| troubles.iter().filter_map(pick).min();
    let end_s = |range: &Range<usize>| series.t_s.get(range.end - 1).map_or(0.0, |t| t + bucket_s);
    if let Some(k) = first_start(|t| t.failing.first().map(|r| r.start)) {
        // The services failing from bucket `k`; walk down to the origin.
        let start = troubles
            .iter()
            .find(|t| t.failing.first().is_some_and(|r| r.start == k))?;
        let origin = walk_down(topology, &troubles, start, |t| {
            t.failing_at(k).is_some() || t.saturated_at(k).is_some()
        });
        if let Some(range) = origin.failing_at(k) {
            let errors: u64 = origin.series.errors[range.clone()].iter().sum();
            let arrivals: u64 = origin.series.arrivals[range.clone()].iter().sum();
            return Some(FirstFailure {
                service: origin.name.to_owned(),
                t_s: series.t_s[range.start],
                lasted_s: end_s(range) - series.t_s[range.start],
                saturated: false,
                errors,
                error_share: if arrivals > 0 {
                    (errors as f64 / arrivals as f64).min(1.0)
                } else {
                    1.0
                },
                failures_from: None,
            });
        }
        let range = origin.saturated_at(k)?;
        return Some(FirstFailure {
            service: origin.name.to_owned(),
            t_s: series.t_s[range.start],
            lasted_s: end_s(range) - series.t_s[range.start],
            saturated: true,
            errors: 0,
            error_share: 0.0,
            failures_from: Some((start.name.to_owned(), series.t_s[k])),
        });
    }
    let k = first_start(|t| t.saturated.first().map(|r| r.start))?;
    let start = troubles
        .iter()
        .find(|t| t.saturated.first().is_some_and(|r| r.start == k))?;
    let origin = walk_down(topology, &troubles, start, |t| t.saturated_at(k).is_some());
    let range = origin.saturated_at(k)?;
    Some(FirstFailure {
        service: origin.name.to_owned(),
        t_s: series.t_s[range.start],
        lasted_s: end_s(range) - series.t_s[range.start],
        saturated: true,
        errors: 0,
        error_share: 0.0,
        failures_from: None,
    })
}

/// From `start`, follows callees in trouble (by `in_trouble`) while there is one.
fn walk_down<'a, 'b>(
    topology: &Topology,
    troubles: &'b [Trouble<'a>],
    start: &'b Trouble<'a>,
    in_trouble: impl Fn(&Trouble) -> bool,
) -> &'b Trouble<'a> {
    let mut current = start;
    let mut seen = vec![start.name];
    while let Some(next) = callees(topology, current.name)
        .into_iter()
        .find_map(|callee| {
            troubles
                .iter()
                .find(|t| t.name == callee && !seen.contains(&t.name) && in_trouble(t))
        })
    {
        seen.push(next.name);
        current = next;
    }
    current
}

/// Services that `name` calls directly (any operation).
fn callees<'a>(topology: &'a Topology, name: &str) -> Vec<&'a str> {
    let Some(service) = topology.services.iter().find(|s| s.name == name) else {
        return Vec::new();
    };
    service
        .calls
        .iter()
        .chain(service.operations.iter().flat_map(|o| o.calls.iter()))
        .flat_map(CallSpec::calls)
        .map(|c| c.to.as_str())
        .collect()
}
