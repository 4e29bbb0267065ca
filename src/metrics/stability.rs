//! Whether a run kept up with its load: the trend of the backlog (requests
//! in progress in all services) over the run's buckets.
//!
//! A stable system's backlog goes up and down around a level; an overloaded
//! one's grows without end (until queues fill, callers time out or memory
//! runs out). The verdict fits a least-squares line to the backlog at the end
//! of every bucket after warm-up and calls the run unstable when that line
//! rises by at least [`GROWTH_SHARE`] of the offered rate and the backlog at
//! least doubled over the measured time (plus [`NOISE_REQUESTS`], so a small
//! backlog's wobble is not a trend). A run the engine stopped because its
//! requests in flight passed the budget (status `diverged`) is unstable.

use serde::{Deserialize, Serialize};

use super::{RunStatus, Summary};

/// Growth of the backlog, as a share of the offered rate, from which a run
/// is unstable.
pub const GROWTH_SHARE: f64 = 0.01;

/// Backlog growth smaller than this many requests over the measured time is
/// noise, whatever its slope.
pub const NOISE_REQUESTS: f64 = 100.0;

/// Share of the final backlog under which the backlog counts as not yet
/// growing (see [`Stability::unstable_from_s`]).
const START_SHARE: f64 = 0.05;

/// Whether a run kept up with its load (the summary's `stability`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub stable: bool,
    /// Slope of the backlog over the measured buckets, in requests per
    /// second (negative when it shrank).
    pub backlog_growth_rps: f64,
    /// When unstable: the end of the last bucket at which the backlog was
    /// still under 5% of its final value, i.e. when the climb began.
    pub unstable_from_s: Option<f64>,
}

impl Default for Stability {
    fn default() -> Self {
        Stability {
            stable: true,
            backlog_growth_rps: 0.0,
            unstable_from_s: None,
        }
    }
}

impl Stability {
    /// The verdict for a run: bucket starts `t_s` of width `bucket_s`, the
    /// backlog at each bucket's end (`in_flight`), requests offered per
    /// second, and whether the engine stopped it at the in-flight budget
    /// (`diverged_at_s`).
    pub fn of(
        t_s: &[f64],
        bucket_s: f64,
        in_flight: &[u64],
        warmup_s: f64,
        offered_rps: f64,
        diverged_at_s: Option<f64>,
    ) -> Stability {
        let points: Vec<(f64, f64)> = t_s
            .iter()
            .zip(in_flight)
            .map(|(&start, &backlog)| (start + bucket_s, backlog as f64))
            .filter(|&(end, _)| end > warmup_s)
            .collect();
        let slope = slope(&points);
        let grew = match (points.first(), points.last()) {
            (Some(&(t0, first)), Some(&(t1, last))) if points.len() >= 3 => {
                slope >= GROWTH_SHARE * offered_rps
                    && slope * (t1 - t0) >= NOISE_REQUESTS
                    && last >= 2.0 * first + NOISE_REQUESTS
            }
            _ => false,
        };
        let stable = !grew && diverged_at_s.is_none();
        let unstable_from_s = if stable {
            None
        } else {
            let last = points.last().map_or(0.0, |p| p.1);
            let floor = START_SHARE * last;
            let start = points
                .iter()
                .rev()
                .find(|&&(_, backlog)| backlog <= floor)
                .map_or(warmup_s, |&(end, _)| end);
            Some(start)
        };
        Stability {
            stable,
            backlog_growth_rps: slope,
            unstable_from_s,
        }
    }

    /// The line a reader must see first when a run was unstable or
    /// diverged (`None` for a stable run), e.g. "unstable: the backlog grew
    /// by 1,130 requests/s from t = 12 s; 95% of requests never finished".
    pub fn headline(summary: &Summary) -> Option<String> {
        let s = &summary.stability;
        if s.stable && summary.status != RunStatus::Diverged {
            return None;
        }
        let offered: u64 = summary.entrypoints.iter().map(|e| e.offered).sum();
        let open: u64 = summary.entrypoints.iter().map(|e| e.in_flight).sum();
        let share = if offered == 0 {
            0.0
        } else {
            open as f64 / offered as f64 * 100.0
        };
        let from = s
            .unstable_from_s
            .map(|t| format!(" from t = {} s", seconds(t)))
            .unwrap_or_default();
        let mut line = if summary.status == RunStatus::Diverged {
            format!(
                "diverged: stopped at t = {} of {} s, when the requests in flight passed the budget; the backlog grew by {} requests/s{from}",
                seconds(summary.simulated_s),
                seconds(summary.duration_s),
                thousands(s.backlog_growth_rps),
            )
        } else {
            format!(
                "unstable: the backlog grew by {} requests/s{from}",
                thousands(s.backlog_growth_rps)
            )
        };
        line.push_str(&format!(
            "; {share:.0}% of requests never finished ({open} of {offered} still in flight at the end)"
        ));
        Some(line)
    }
}

/// Least-squares slope of `points` (0 with fewer than two).
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if points.len() < 2 {
        return 0.0;
    }
    let mean_t = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for &(t, y) in points {
        num += (t - mean_t) * (y - mean_y);
        den += (t - mean_t) * (t - mean_t);
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// Seconds without needless decimals: `12`, `12.5`.
pub(super) fn seconds(t: f64) -> String {
    if (t - t.round()).abs() < 0.05 {
        format!("{t:.0}")
    } else {
        format!("{t:.1}")
    }
}

/// A rate rounded to a whole number with thousands separators: `1,130`.
pub(super) fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < -0.5 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(backlog: &[u64], offered_rps: f64) -> Stability {
        let t: Vec<f64> = (0..backlog.len()).map(|i| i as f64).collect();
        Stability::of(&t, 1.0, backlog, 0.0, offered_rps, None)
    }

    #[test]
    fn a_backlog_that_wobbles_around_a_level_is_stable() {
        let backlog: Vec<u64> = (0..300).map(|i| 40 + (i * 37 % 23)).collect();
        let s = verdict(&backlog, 1000.0);
        assert!(s.stable, "{s:?}");
        assert_eq!(s.unstable_from_s, None);
    }

    #[test]
    fn a_backlog_climbing_from_t_60_is_unstable_from_about_then() {
        let backlog: Vec<u64> = (0..300u64)
            .map(|i| if i < 60 { 20 } else { 20 + (i - 60) * 500 })
            .collect();
        let s = verdict(&backlog, 2000.0);
        assert!(!s.stable);
        assert!(s.backlog_growth_rps > 300.0, "{s:?}");
        let from = s.unstable_from_s.unwrap_or(f64::NAN);
        assert!((60.0..=80.0).contains(&from), "{from}");
    }

    #[test]
    fn slow_growth_under_one_percent_of_the_load_is_not_a_verdict() {
        // 5 requests/s more each second against 1,000 offered per second.
        let backlog: Vec<u64> = (0..300).map(|i| 1000 + i * 5).collect();
        assert!(verdict(&backlog, 1000.0).stable);
    }

    #[test]
    fn a_diverged_run_is_unstable_whatever_its_buckets() {
        let s = Stability::of(&[0.0], 1.0, &[5], 0.0, 10.0, Some(0.5));
        assert!(!s.stable);
        assert_eq!(s.unstable_from_s, Some(0.0));
    }

    #[test]
    fn thousands_separates_groups() {
        assert_eq!(thousands(1130.4), "1,130");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-2500.0), "-2,500");
    }
}
