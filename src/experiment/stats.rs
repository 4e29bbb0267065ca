//! Confidence intervals on replication means: Student-t intervals.
//!
//! With `n` independent replications giving values `x₁…xₙ`, the interval
//! is `x̄ ± t(1 − α/2, n − 1) · s / √n`, where `s` is the sample standard
//! deviation and `t` the Student-t quantile (from `statrs`).

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The two-sided Student-t quantile `t(1 − (1 − confidence)/2, n − 1)`;
/// `None` for fewer than two values or a confidence outside (0, 1).
pub fn t_quantile(confidence: f64, n: usize) -> Option<f64> {
    if n < 2 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let freedom = (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, freedom).ok()?;
    let q = t.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    q.is_finite().then_some(q)
}

/// Mean of `values` (0 for none), summed in order.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// The Student-t interval `[lo, hi]` around the mean of `values`; `None`
/// with fewer than two values.
pub fn t_interval(values: &[f64], confidence: f64) -> Option<[f64; 2]> {
    let t = t_quantile(confidence, values.len())?;
    let n = values.len() as f64;
    let m = mean(values);
    let variance = values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    let half = t * (variance / n).sqrt();
    Some([m - half, m + half])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // Two-sided 95%: 12.706 (1 df), 2.776 (4), 2.262 (9), 2.045 (29).
        for (n, expected) in [(2, 12.706), (5, 2.776), (10, 2.262), (30, 2.045)] {
            let t = t_quantile(0.95, n).unwrap();
            assert!((t - expected).abs() < 1e-3, "n = {n}: {t}");
        }
        assert!((t_quantile(0.99, 10).unwrap() - 3.250).abs() < 1e-3);
        assert_eq!(t_quantile(0.95, 1), None);
        assert_eq!(t_quantile(1.0, 10), None);
    }

    #[test]
    fn interval_is_centred_on_the_mean() {
        let [lo, hi] = t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        // s = 1.5811, s/√5 = 0.7071, t = 2.7764.
        assert!((lo - (3.0 - 1.9632)).abs() < 1e-3 && (hi - (3.0 + 1.9632)).abs() < 1e-3);
        assert_eq!(t_interval(&[7.0, 7.0, 7.0], 0.95), Some([7.0, 7.0]));
        assert_eq!(t_interval(&[7.0], 0.95), None);
    }
}
