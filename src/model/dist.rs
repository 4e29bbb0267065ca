//! Facts about the distributions of the format: means and parameters,
//! shared by validation, analysis, the engine and the GUI.

use super::limits::MAX_TIME_MS;
use super::types::Distribution;

/// The 99th percentile of the standard normal distribution, Φ⁻¹(0.99) =
/// 2.32634787404084110…, the one value the engine, validation, analysis and
/// the trace importer use. It is one ulp below the nearest `f64`: the value
/// the engine has always drawn lognormal service times with, kept so that
/// every run gives the same results as before.
pub const Z_99: f64 = 2.326_347_874_040_840_8;

impl Distribution {
    /// The mean, in milliseconds.
    ///
    /// - constant: `ms`; exponential and erlang: `mean_ms`;
    /// - uniform: `(min_ms + max_ms) / 2`;
    /// - lognormal with median m and 99th percentile p:
    ///   σ = ln(p / m) / Φ⁻¹(0.99), mean = m · exp(σ² / 2);
    /// - empirical: the average of the samples (0 when there are none).
    ///
    /// On a validated topology the result is finite and ≥ 0.
    pub fn mean_ms(&self) -> f64 {
        match self {
            Distribution::Constant { ms } => *ms,
            Distribution::Exponential { mean_ms } | Distribution::Erlang { mean_ms, .. } => {
                *mean_ms
            }
            Distribution::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
            Distribution::Lognormal { median_ms, p99_ms } => {
                let sigma = lognormal_sigma(*median_ms, *p99_ms);
                median_ms * (sigma * sigma / 2.0).exp()
            }
            Distribution::Empirical { samples_ms } => {
                if samples_ms.is_empty() {
                    0.0
                } else {
                    samples_ms.iter().sum::<f64>() / samples_ms.len() as f64
                }
            }
        }
    }
}

impl Distribution {
    /// The median, in milliseconds (see [`Distribution::p99_ms`]).
    pub fn median_ms(&self) -> f64 {
        self.quantile_pair().0
    }

    /// The 99th percentile, in milliseconds.
    ///
    /// - constant: `ms`; uniform: `min + q·(max − min)`;
    /// - exponential with mean m: `−m·ln(1 − q)`;
    /// - lognormal: the median and p99 it is written with;
    /// - erlang: the Gamma(k, mean/k) quantile;
    /// - empirical: the samples' quantile, linearly interpolated
    ///   ([`quantile_sorted`]).
    pub fn p99_ms(&self) -> f64 {
        self.quantile_pair().1
    }

    /// (median, p99) in milliseconds.
    fn quantile_pair(&self) -> (f64, f64) {
        let at = |q: f64| -> f64 {
            match self {
                Distribution::Constant { ms } => *ms,
                Distribution::Uniform { min_ms, max_ms } => min_ms + q * (max_ms - min_ms),
                Distribution::Exponential { mean_ms } => -mean_ms * (1.0 - q).ln(),
                Distribution::Lognormal { median_ms, p99_ms } => {
                    if q == 0.5 {
                        *median_ms
                    } else {
                        *p99_ms
                    }
                }
                Distribution::Erlang { k, mean_ms } => erlang_quantile(*k, *mean_ms, q),
                Distribution::Empirical { samples_ms } => {
                    let mut sorted: Vec<f64> = samples_ms
                        .iter()
                        .copied()
                        .filter(|x| x.is_finite())
                        .collect();
                    sorted.sort_by(f64::total_cmp);
                    quantile_sorted(&sorted, q)
                }
            }
        };
        (at(0.5), at(0.99))
    }
}

/// The `q` quantile (0..=1) of sorted samples, linearly interpolated
/// between neighbours; 0 for no samples.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = position.ceil() as usize;
    let weight = position - low as f64;
    sorted[low] * (1.0 - weight) + sorted[high] * weight
}

/// The `q` quantile of an Erlang distribution of `k` stages and the given
/// mean: a Gamma distribution of shape k and rate k / mean.
fn erlang_quantile(k: u64, mean_ms: f64, q: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Gamma};
    match Gamma::new(k.max(1) as f64, k.max(1) as f64 / mean_ms) {
        Ok(gamma) if mean_ms > 0.0 => gamma.inverse_cdf(q),
        _ => mean_ms.max(0.0),
    }
}

/// Why a median and a 99th percentile make no lognormal service time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoLognormal {
    /// The median is not above zero, or the p99 not above the median
    /// (rounded to microseconds): no spread to fit.
    NotIncreasing,
    /// Its mean would be longer than a day ([`MAX_TIME_MS`], the longest
    /// time a topology holds).
    MeanTooLong,
}

impl Distribution {
    /// The lognormal with this median and 99th percentile, both rounded to
    /// microseconds as a file writes them, so that what is returned is what
    /// validates: the median above zero, the p99 above the median and the
    /// mean at most a day. The trace importer fits measured self-times with
    /// it, and the app adopts a measured time into the model with it.
    pub fn lognormal_from_quantiles(median_ms: f64, p99_ms: f64) -> Result<Self, NoLognormal> {
        let round = |ms: f64| (ms * 1000.0).round() / 1000.0;
        let (median_ms, p99_ms) = (round(median_ms), round(p99_ms));
        // Written so that NaN fails too.
        if !(median_ms > 0.0 && p99_ms > median_ms) {
            return Err(NoLognormal::NotIncreasing);
        }
        let lognormal = Distribution::Lognormal { median_ms, p99_ms };
        let mean = lognormal.mean_ms();
        if !(mean.is_finite() && mean <= MAX_TIME_MS) {
            return Err(NoLognormal::MeanTooLong);
        }
        Ok(lognormal)
    }
}

/// σ of the lognormal distribution with the given median and 99th
/// percentile (μ = ln median).
pub fn lognormal_sigma(median_ms: f64, p99_ms: f64) -> f64 {
    (p99_ms / median_ms).ln() / Z_99
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means() {
        assert_eq!(Distribution::Constant { ms: 5.0 }.mean_ms(), 5.0);
        assert_eq!(Distribution::Constant { ms: 5.0 }.p99_ms(), 5.0);
        assert_eq!(
            Distribution::Uniform {
                min_ms: 1.0,
                max_ms: 9.0
            }
            .mean_ms(),
            5.0
        );
        assert_eq!(Distribution::Erlang { k: 3, mean_ms: 6.0 }.mean_ms(), 6.0);
        assert_eq!(
            Distribution::Empirical {
                samples_ms: vec![1.0, 2.0, 6.0]
            }
            .mean_ms(),
            3.0
        );
        // p99 = median · e^(σ·z): with p99/median = e^z, σ = 1 and mean = median · e^0.5.
        let d = Distribution::Lognormal {
            median_ms: 10.0,
            p99_ms: 10.0 * Z_99.exp(),
        };
        assert!((d.mean_ms() - 10.0 * 0.5f64.exp()).abs() < 1e-9);
    }

    #[test]
    fn a_lognormal_from_a_median_and_a_p99_has_them() {
        let fitted = Distribution::lognormal_from_quantiles(10.6, 38.04).unwrap();
        assert_eq!(
            fitted,
            Distribution::Lognormal {
                median_ms: 10.6,
                p99_ms: 38.04
            }
        );
        assert_eq!((fitted.median_ms(), fitted.p99_ms()), (10.6, 38.04));
        // σ = ln(p99 / median) / z₉₉, and the mean follows from it.
        let sigma = (38.04f64 / 10.6).ln() / Z_99;
        assert!((fitted.mean_ms() - 10.6 * (sigma * sigma / 2.0).exp()).abs() < 1e-9);
        // Rounded to microseconds, as a file holds them.
        assert_eq!(
            Distribution::lognormal_from_quantiles(1.234_56, 2.0).unwrap(),
            Distribution::Lognormal {
                median_ms: 1.235,
                p99_ms: 2.0
            }
        );
        for (median, p99) in [
            (5.0, 5.0),
            (5.0, 4.0),
            (0.0, 3.0),
            (5.0, 5.000_4),
            (f64::NAN, 1.0),
        ] {
            assert_eq!(
                Distribution::lognormal_from_quantiles(median, p99),
                Err(NoLognormal::NotIncreasing),
                "{median} {p99}"
            );
        }
        assert_eq!(
            Distribution::lognormal_from_quantiles(1.0, 8.6e7),
            Err(NoLognormal::MeanTooLong)
        );
    }

    #[test]
    fn medians_and_p99s() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b.max(1.0);
        let exp = Distribution::Exponential { mean_ms: 10.0 };
        assert!(close(exp.median_ms(), 10.0 * 2f64.ln()));
        assert!(close(exp.p99_ms(), 10.0 * 100f64.ln()));
        let uniform = Distribution::Uniform {
            min_ms: 2.0,
            max_ms: 4.0,
        };
        assert!(close(uniform.median_ms(), 3.0));
        assert!(close(uniform.p99_ms(), 3.98));
        let lognormal = Distribution::Lognormal {
            median_ms: 5.0,
            p99_ms: 40.0,
        };
        assert_eq!((lognormal.median_ms(), lognormal.p99_ms()), (5.0, 40.0));
        // Erlang with one stage is the exponential.
        let erlang = Distribution::Erlang {
            k: 1,
            mean_ms: 10.0,
        };
        assert!(
            (erlang.p99_ms() - exp.p99_ms()).abs() < 1e-3,
            "{}",
            erlang.p99_ms()
        );
        // Erlang-2 with mean 2 (rate 1 per stage): median 1.678347 (tables).
        let erlang2 = Distribution::Erlang { k: 2, mean_ms: 2.0 };
        assert!(
            (erlang2.median_ms() - 1.678_347).abs() < 1e-4,
            "{}",
            erlang2.median_ms()
        );
        let empirical = Distribution::Empirical {
            samples_ms: vec![3.0, 1.0, 2.0],
        };
        assert_eq!(empirical.median_ms(), 2.0);
        assert!(close(empirical.p99_ms(), 2.98));
    }
}
