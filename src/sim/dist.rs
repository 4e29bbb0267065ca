//! Sampling of the six service-time distributions of the file format.
//!
//! A [`Sampler`] is compiled once from a [`Distribution`] (milliseconds in the
//! file) and draws durations in **seconds**, the engine's time unit.

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Exp1, Gamma, StandardNormal};

use crate::model::{Distribution, lognormal_sigma};

/// Why a distribution cannot be sampled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    #[error("{field} must be a finite number ≥ 0 (got {value})")]
    Negative { field: &'static str, value: f64 },
    #[error("uniform needs min_ms ≤ max_ms (got {min_ms} > {max_ms})")]
    UniformOrder { min_ms: f64, max_ms: f64 },
    #[error("lognormal needs 0 < median_ms ≤ p99_ms (got median {median_ms}, p99 {p99_ms})")]
    Lognormal { median_ms: f64, p99_ms: f64 },
    #[error("erlang needs k ≥ 1 phases")]
    ErlangK,
    #[error("empirical needs at least one sample")]
    EmptySamples,
}

/// A compiled distribution of durations, sampled in seconds.
#[derive(Debug, Clone)]
pub enum Sampler {
    Constant(f64),
    Exponential { mean_s: f64 },
    Uniform { min_s: f64, width_s: f64 },
    Lognormal { mu: f64, sigma: f64 },
    Erlang { gamma: Gamma<f64>, mean_s: f64 },
    Empirical(Vec<f64>),
}

fn non_negative(field: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(DistError::Negative { field, value })
    }
}

impl Sampler {
    /// Compiles `dist`, checking its parameters.
    pub fn new(dist: &Distribution) -> Result<Self, DistError> {
        Ok(match dist {
            Distribution::Constant { ms } => Sampler::Constant(non_negative("ms", *ms)? / 1e3),
            Distribution::Exponential { mean_ms } => {
                let mean_s = non_negative("mean_ms", *mean_ms)? / 1e3;
                if mean_s == 0.0 {
                    Sampler::Constant(0.0)
                } else {
                    Sampler::Exponential { mean_s }
                }
            }
            Distribution::Uniform { min_ms, max_ms } => {
                let min = non_negative("min_ms", *min_ms)?;
                let max = non_negative("max_ms", *max_ms)?;
                if min > max {
                    return Err(DistError::UniformOrder {
                        min_ms: min,
                        max_ms: max,
                    });
                }
                Sampler::Uniform {
                    min_s: min / 1e3,
                    width_s: (max - min) / 1e3,
                }
            }
            Distribution::Lognormal { median_ms, p99_ms } => {
                let (median, p99) = (*median_ms, *p99_ms);
                let valid = median.is_finite() && p99.is_finite() && median > 0.0 && p99 >= median;
                if !valid {
                    return Err(DistError::Lognormal {
                        median_ms: median,
                        p99_ms: p99,
                    });
                }
                Sampler::Lognormal {
                    mu: (median / 1e3).ln(),
                    sigma: lognormal_sigma(median, p99),
                }
            }
            Distribution::Erlang { k, mean_ms } => {
                let mean_s = non_negative("mean_ms", *mean_ms)? / 1e3;
                if *k == 0 {
                    return Err(DistError::ErlangK);
                }
                if mean_s == 0.0 {
                    Sampler::Constant(0.0)
                } else {
                    let k = *k as f64;
                    // Shape k ≥ 1 and a positive finite scale are valid Gamma parameters.
                    match Gamma::new(k, mean_s / k) {
                        Ok(gamma) => Sampler::Erlang { gamma, mean_s },
                        Err(_) => {
                            return Err(DistError::Negative {
                                field: "mean_ms",
                                value: *mean_ms,
                            });
                        }
                    }
                }
            }
            Distribution::Empirical { samples_ms } => {
                if samples_ms.is_empty() {
                    return Err(DistError::EmptySamples);
                }
                let mut samples_s = Vec::with_capacity(samples_ms.len());
                for &ms in samples_ms {
                    samples_s.push(non_negative("samples_ms[]", ms)? / 1e3);
                }
                Sampler::Empirical(samples_s)
            }
        })
    }

    /// One duration, in seconds.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(s) => *s,
            Sampler::Exponential { mean_s } => {
                let e: f64 = Exp1.sample(rng);
                mean_s * e
            }
            Sampler::Uniform { min_s, width_s } => min_s + width_s * rng.random::<f64>(),
            Sampler::Lognormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Sampler::Erlang { gamma, .. } => gamma.sample(rng),
            Sampler::Empirical(samples) => samples[rng.random_range(0..samples.len())],
        }
    }

    /// The mean duration, in seconds.
    pub fn mean_s(&self) -> f64 {
        match self {
            Sampler::Constant(s) => *s,
            Sampler::Exponential { mean_s } => *mean_s,
            Sampler::Uniform { min_s, width_s } => min_s + width_s / 2.0,
            Sampler::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Sampler::Erlang { mean_s, .. } => *mean_s,
            Sampler::Empirical(samples) => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::sim::rng::{Purpose, stream};

    fn sample_mean(dist: Distribution, n: usize) -> (f64, Vec<f64>) {
        let sampler = Sampler::new(&dist).expect("valid distribution");
        let mut rng = stream(1, "test", 0, Purpose::ServiceTime);
        let mut xs: Vec<f64> = (0..n).map(|_| sampler.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        xs.sort_by(f64::total_cmp);
        (mean, xs)
    }

    #[test]
    fn means_match_parameters() {
        let n = 200_000;
        let (m, _) = sample_mean(Distribution::Exponential { mean_ms: 5.0 }, n);
        assert!((m - 0.005).abs() < 0.005 * 0.01, "exponential mean {m}");
        let (m, _) = sample_mean(
            Distribution::Uniform {
                min_ms: 1.0,
                max_ms: 9.0,
            },
            n,
        );
        assert!((m - 0.005).abs() < 0.005 * 0.01, "uniform mean {m}");
        let (m, _) = sample_mean(Distribution::Erlang { k: 3, mean_ms: 5.0 }, n);
        assert!((m - 0.005).abs() < 0.005 * 0.01, "erlang mean {m}");
        let (m, _) = sample_mean(Distribution::Constant { ms: 5.0 }, 10);
        assert!((m - 0.005).abs() < 1e-15, "constant mean {m}");
    }

    #[test]
    fn lognormal_has_the_given_median_and_p99() {
        let (_, xs) = sample_mean(
            Distribution::Lognormal {
                median_ms: 5.0,
                p99_ms: 40.0,
            },
            400_000,
        );
        let median = xs[xs.len() / 2];
        let p99 = xs[xs.len() * 99 / 100];
        assert!((median - 0.005).abs() < 0.005 * 0.01, "median {median}");
        assert!((p99 - 0.040).abs() < 0.040 * 0.02, "p99 {p99}");
    }

    #[test]
    fn empirical_draws_only_given_samples_uniformly() {
        let (m, xs) = sample_mean(
            Distribution::Empirical {
                samples_ms: vec![1.0, 2.0, 6.0],
            },
            90_000,
        );
        assert!(xs.iter().all(|x| [0.001, 0.002, 0.006].contains(x)));
        assert!((m - 0.003).abs() < 0.003 * 0.01, "empirical mean {m}");
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(Sampler::new(&Distribution::Exponential { mean_ms: -1.0 }).is_err());
        assert!(Sampler::new(&Distribution::Constant { ms: f64::NAN }).is_err());
        assert!(
            Sampler::new(&Distribution::Uniform {
                min_ms: 3.0,
                max_ms: 1.0
            })
            .is_err()
        );
        assert!(
            Sampler::new(&Distribution::Lognormal {
                median_ms: 5.0,
                p99_ms: 4.0
            })
            .is_err()
        );
        assert!(Sampler::new(&Distribution::Erlang { k: 0, mean_ms: 4.0 }).is_err());
        assert!(Sampler::new(&Distribution::Empirical { samples_ms: vec![] }).is_err());
    }
}
