//! Fitting a service-time distribution to measured self-times: a lognormal
//! from the median and p99 when it describes the samples well (by the
//! Kolmogorov–Smirnov distance), otherwise the samples themselves.

use crate::model::limits::MAX_TIME_MS;
use crate::model::{Distribution, NoLognormal, lognormal_sigma};

/// Fewer samples than this are kept as they are: a median and a p99 of a
/// handful of values say little.
pub const MIN_SAMPLES_FOR_LOGNORMAL: usize = 10;

/// The fitted distribution and a sentence saying why it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub distribution: Distribution,
    pub why: String,
}

/// Rounds to microseconds (three decimals of a millisecond).
pub fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// The `q` quantile (0..=1) of sorted samples, linearly interpolated.
pub use crate::model::quantile_sorted as quantile;

/// Fits samples (milliseconds, at least one). `max_samples` caps the size
/// of an empirical distribution: more samples are thinned to evenly spaced
/// quantiles.
///
/// Self-times longer than a day ([`MAX_TIME_MS`], the longest time a
/// topology holds) count as a day, and a lognormal whose mean would be
/// longer than that is not chosen: the fit is always a valid distribution.
pub fn fit(samples_ms: &[f64], max_samples: usize) -> Option<Fit> {
    let mut too_long = 0usize;
    let mut sorted: Vec<f64> = samples_ms
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .map(|x| {
            if x > MAX_TIME_MS {
                too_long += 1;
                MAX_TIME_MS
            } else {
                x
            }
        })
        .collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let fitted = fit_sorted(&sorted, max_samples);
    Some(if too_long > 0 {
        Fit {
            why: format!(
                "{}; {too_long} self-time(s) longer than a day counted as a day",
                fitted.why
            ),
            ..fitted
        }
    } else {
        fitted
    })
}

/// [`fit`] of sorted samples, each within `0..=MAX_TIME_MS`.
fn fit_sorted(sorted: &[f64], max_samples: usize) -> Fit {
    let n = sorted.len();
    let (min, max) = (sorted[0], sorted[n - 1]);
    if max - min < 1e-9 {
        let ms = round_ms(min.max(0.001));
        return Fit {
            distribution: Distribution::Constant { ms },
            why: format!("constant: {n} self-time(s), all {ms} ms"),
        };
    }
    if n < MIN_SAMPLES_FOR_LOGNORMAL {
        return empirical(
            sorted,
            max_samples,
            format!("empirical: only {n} self-times"),
        );
    }
    let (raw_median, raw_p99) = (quantile(sorted, 0.5), quantile(sorted, 0.99));
    // Rounded as written, so that what is checked is what validates.
    let lognormal = match Distribution::lognormal_from_quantiles(raw_median, raw_p99) {
        Ok(lognormal) => lognormal,
        Err(NoLognormal::NotIncreasing) => {
            return empirical(
                sorted,
                max_samples,
                format!("empirical: {n} self-times whose median and p99 do not define a lognormal"),
            );
        }
        Err(NoLognormal::MeanTooLong) => {
            return empirical(
                sorted,
                max_samples,
                format!(
                    "empirical: {n} self-times whose lognormal would have a mean of more than a day"
                ),
            );
        }
    };
    let distance = ks_distance(sorted, raw_median, raw_p99);
    let critical = 1.36 / (n as f64).sqrt();
    if distance <= critical {
        Fit {
            distribution: lognormal,
            why: format!(
                "lognormal from the median and p99 of {n} self-times (KS distance {distance:.3} ≤ {critical:.3})"
            ),
        }
    } else {
        empirical(
            sorted,
            max_samples,
            format!(
                "empirical: a lognormal fits {n} self-times poorly (KS distance {distance:.3} > {critical:.3})"
            ),
        )
    }
}

fn empirical(sorted: &[f64], max_samples: usize, why: String) -> Fit {
    let cap = max_samples.max(2);
    let samples: Vec<f64> = if sorted.len() <= cap {
        sorted.to_vec()
    } else {
        (0..cap)
            .map(|i| sorted[i * (sorted.len() - 1) / (cap - 1)])
            .collect()
    };
    let note = if samples.len() < sorted.len() {
        format!(
            "{why}; thinned to {} evenly spaced quantiles",
            samples.len()
        )
    } else {
        why
    };
    Fit {
        distribution: Distribution::Empirical {
            samples_ms: samples.into_iter().map(|x| round_ms(x.max(0.0))).collect(),
        },
        why: note,
    }
}

/// The largest gap between the samples' empirical CDF and the lognormal
/// with this median and p99.
pub fn ks_distance(sorted: &[f64], median: f64, p99: f64) -> f64 {
    let mu = median.ln();
    let sigma = lognormal_sigma(median, p99);
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let cdf = if x <= 0.0 {
                0.0
            } else {
                normal_cdf((x.ln() - mu) / sigma)
            };
            let below = i as f64 / n;
            let above = (i + 1) as f64 / n;
            (cdf - below).abs().max((above - cdf).abs())
        })
        .fold(0.0, f64::max)
}

/// The standard normal CDF (Abramowitz & Stegun 7.1.26; error below 1e-7).
pub fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(crate::model::Z_99) - 0.99).abs() < 1e-6);
        assert!((normal_cdf(-1.0) - 0.158_655_25).abs() < 1e-6);
    }

    #[test]
    fn lognormal_samples_fit_lognormal() {
        // Exact quantiles of a lognormal with median 5 and sigma 0.8.
        let samples: Vec<f64> = (1..200)
            .map(|i| {
                let p = i as f64 / 200.0;
                // Invert normal_cdf by bisection.
                let (mut lo, mut hi) = (-10.0, 10.0);
                for _ in 0..100 {
                    let mid = (lo + hi) / 2.0;
                    if normal_cdf(mid) < p {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                5.0 * (0.8 * lo).exp()
            })
            .collect();
        let fit = fit(&samples, 100).unwrap();
        match fit.distribution {
            Distribution::Lognormal { median_ms, p99_ms } => {
                assert!((median_ms - 5.0).abs() < 0.05, "{median_ms}");
                assert!(p99_ms > 25.0 && p99_ms < 35.0, "{p99_ms}");
            }
            other => panic!("expected lognormal, got {other:?}: {}", fit.why),
        }
    }

    #[test]
    fn bimodal_samples_stay_empirical_and_are_capped() {
        let samples: Vec<f64> = (0..500)
            .map(|i| if i % 2 == 0 { 1.0 } else { 100.0 })
            .collect();
        let fit = fit(&samples, 50).unwrap();
        match fit.distribution {
            Distribution::Empirical { samples_ms } => {
                assert_eq!(samples_ms.len(), 50);
                assert_eq!(samples_ms[0], 1.0);
                assert_eq!(samples_ms[49], 100.0);
            }
            other => panic!("expected empirical, got {other:?}"),
        }
    }

    #[test]
    fn few_or_equal_samples() {
        assert!(matches!(
            fit(&[2.0, 3.0], 10).unwrap().distribution,
            Distribution::Empirical { .. }
        ));
        assert_eq!(
            fit(&[4.0; 20], 10).unwrap().distribution,
            Distribution::Constant { ms: 4.0 }
        );
        assert!(fit(&[], 10).is_none());
        assert!(fit(&[f64::NAN], 10).is_none());
    }

    /// Found by fuzzing: spans of 10^12 ms, and self-times so spread that
    /// the lognormal's mean is more than a day, gave service times that do
    /// not validate.
    #[test]
    fn self_times_beyond_a_day_still_fit_a_valid_distribution() {
        let valid = |d: &Distribution| {
            let topology = crate::model::Topology {
                services: vec![crate::model::Service::new("a", d.clone())],
                ..crate::model::from_json_str(r#"{"name": "t", "services": []}"#)
                    .unwrap_or_else(|e| panic!("{e}"))
            };
            crate::model::check(topology).is_ok()
        };
        let huge = fit(&[1.5e12, 2.0, 9.0e12], 10).unwrap();
        assert!(valid(&huge.distribution), "{huge:?}");
        assert!(
            huge.why.contains("2 self-time(s) longer than a day"),
            "{}",
            huge.why
        );
        assert_eq!(
            fit(&[1.5e12; 3], 10).unwrap().distribution,
            Distribution::Constant { ms: MAX_TIME_MS }
        );
        // Median 1 ms, p99 near a day: a lognormal's mean would be ~10^13 ms.
        let mut spread = vec![1.0; 98];
        spread.extend([8.0e7, 8.6e7]);
        let spread = fit(&spread, 200).unwrap();
        assert!(valid(&spread.distribution), "{spread:?}");
    }
}
