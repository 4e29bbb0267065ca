//! The sustained-condition rule that the run's findings and the report's
//! "first to fail" share: a condition counts when it holds for
//! [`SUSTAINED_S`] seconds of consecutive buckets, not for one bucket.
//!
//! A service *fails* in a bucket when at least [`FAILING_ERROR_SHARE`] of
//! the requests that reached it failed, and it is *saturated* when its
//! workers were at least [`SATURATED_UTILIZATION`] busy. Either counts only
//! when it holds for [`SUSTAINED_S`] seconds of consecutive buckets (at
//! least two buckets), or from its start to the end of the run for at least
//! two buckets.

use std::ops::Range;

use super::ServiceSeries;

/// Share of a bucket's arrivals that failed for the bucket to count as failing.
pub const FAILING_ERROR_SHARE: f64 = 0.05;
/// Busy share of a bucket for it to count as saturated.
pub const SATURATED_UTILIZATION: f64 = 0.95;
/// How long a failure or saturation must last to count.
pub const SUSTAINED_S: f64 = 5.0;

/// Buckets of width `bucket_s` that a condition must hold for to last
/// `seconds` (at least two).
pub fn buckets_for(seconds: f64, bucket_s: f64) -> usize {
    if bucket_s > 0.0 {
        ((seconds / bucket_s - 1e-9).ceil() as usize).max(2)
    } else {
        2
    }
}

/// Buckets a condition must hold for (see [`SUSTAINED_S`]).
pub fn needed_buckets(bucket_s: f64) -> usize {
    buckets_for(SUSTAINED_S, bucket_s)
}

/// The sustained stretches of buckets where `holds` is true, in order: at
/// least `needed` buckets long, or at least two when they run to the end.
pub fn episodes(buckets: usize, needed: usize, holds: impl Fn(usize) -> bool) -> Vec<Range<usize>> {
    let mut list = Vec::new();
    let mut start = None;
    for k in 0..=buckets {
        match (start, k < buckets && holds(k)) {
            (None, true) => start = Some(k),
            (Some(s), false) => {
                let long_enough = k - s >= needed || (k == buckets && k - s >= 2);
                if long_enough {
                    list.push(s..k);
                }
                start = None;
            }
            _ => {}
        }
    }
    list
}

/// Whether the service failed at least [`FAILING_ERROR_SHARE`] of its
/// arrivals in bucket `k`.
pub fn failing(series: &ServiceSeries, k: usize) -> bool {
    let errors = series.errors.get(k).copied().unwrap_or(0);
    let arrivals = series.arrivals.get(k).copied().unwrap_or(0);
    errors > 0 && errors as f64 >= FAILING_ERROR_SHARE * arrivals as f64
}

/// Whether the service's workers were at least [`SATURATED_UTILIZATION`]
/// busy in bucket `k`.
pub fn saturated(series: &ServiceSeries, k: usize) -> bool {
    series.utilization.get(k).copied().unwrap_or(0.0) >= SATURATED_UTILIZATION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_failed_bucket_is_not_an_episode() {
        let list = episodes(10, 5, |k| k == 3);
        assert!(list.is_empty());
        let list = episodes(10, 5, |k| (2..8).contains(&k));
        assert_eq!(list, vec![2..8]);
    }

    #[test]
    fn a_failure_running_to_the_end_counts_from_two_buckets() {
        assert_eq!(episodes(10, 5, |k| k >= 8), vec![8..10]);
        assert!(episodes(10, 5, |k| k >= 9).is_empty());
    }

    #[test]
    fn sustained_means_five_seconds_of_buckets() {
        assert_eq!(needed_buckets(1.0), 5);
        assert_eq!(needed_buckets(10.0), 2);
        assert_eq!(needed_buckets(0.5), 10);
        assert_eq!(buckets_for(30.0, 1.0), 30);
    }
}
