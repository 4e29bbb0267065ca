//! Facts about the distributions of the format: means and parameters,
//! shared by validation, analysis, the engine and the GUI.

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
}
