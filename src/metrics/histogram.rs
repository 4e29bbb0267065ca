//! Latency histograms: bounded memory, ≤ 1% relative error on percentiles,
//! exact count, mean and max.
//!
//! Values are recorded as integer microseconds in an auto-resizing
//! [`hdrhistogram`] with two significant digits (buckets at most 1/128 wide,
//! reported at their midpoint: ≤ 0.4% error above 100 µs). Memory grows with
//! the logarithm of the largest value, never with the number of values.

use hdrhistogram::Histogram;

/// Significant decimal digits kept by the histograms.
const SIGFIG: u8 = 2;

/// Largest value recorded, in microseconds (hdrhistogram resizes up to `i64::MAX / 2`).
const MAX_US: u64 = (i64::MAX / 4) as u64;

/// A histogram of durations with exact count, sum and max.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    hist: Histogram<u64>,
    count: u64,
    sum_s: f64,
    max_s: f64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    pub fn new() -> Self {
        // Invariant: `Histogram::new` fails only for more than 5 significant
        // digits; SIGFIG is 2.
        #[allow(clippy::expect_used)]
        let hist = Histogram::new(SIGFIG).expect("2 significant digits are valid");
        LatencyHistogram {
            hist,
            count: 0,
            sum_s: 0.0,
            max_s: 0.0,
        }
    }

    /// Records one duration given in seconds.
    #[inline]
    pub fn record_s(&mut self, duration_s: f64) {
        let duration_s = duration_s.max(0.0);
        self.count += 1;
        self.sum_s += duration_s;
        if duration_s > self.max_s {
            self.max_s = duration_s;
        }
        // Microseconds, rounded; capped where hdrhistogram stops resizing
        // (about 146,000 years), so `record` only fails on platforms whose
        // usize cannot index the counts, where clamping is the best we can do.
        let us = ((duration_s * 1e6 + 0.5) as u64).min(MAX_US);
        if self.hist.record(us).is_err() {
            self.hist.saturating_record(us);
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exact mean in milliseconds; 0 when empty.
    pub fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_s / self.count as f64 * 1e3
        }
    }

    /// Exact maximum in milliseconds; 0 when empty.
    pub fn max_ms(&self) -> f64 {
        self.max_s * 1e3
    }

    /// The values at the given quantiles (ascending, in `[0, 1]`), in
    /// milliseconds, in one pass; zeros when empty.
    pub fn quantiles_ms<const N: usize>(&self, quantiles: [f64; N]) -> [f64; N] {
        let mut out = [0.0; N];
        if self.count == 0 {
            return out;
        }
        for (slot, value) in out.iter_mut().zip(self.hist.value_at_quantiles(quantiles)) {
            // The bucket's midpoint halves the error of its upper edge; never
            // report more than the exact maximum.
            let us = self.hist.median_equivalent(value) as f64;
            *slot = (us / 1e3).min(self.max_ms());
        }
        out
    }

    /// One quantile in milliseconds; 0 when empty.
    pub fn quantile_ms(&self, quantile: f64) -> f64 {
        self.quantiles_ms([quantile])[0]
    }

    /// Empties the histogram, keeping its allocation.
    pub fn clear(&mut self) {
        if self.count > 0 {
            self.hist.reset();
            self.count = 0;
            self.sum_s = 0.0;
            self.max_s = 0.0;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_one_percent() {
        let mut h = LatencyHistogram::new();
        let values: Vec<f64> = (1..=100_000).map(|i| i as f64 * 1e-5).collect(); // 10 µs .. 1 s
        for &v in &values {
            h.record_s(v);
        }
        for q in [0.5, 0.9, 0.99, 0.999] {
            let exact = values[(q * values.len() as f64).ceil() as usize - 1] * 1e3;
            let got = h.quantile_ms(q);
            assert!(
                (got - exact).abs() <= exact * 0.01,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.count(), 100_000);
        assert!((h.mean_ms() - 500.005).abs() < 1e-6);
        assert_eq!(h.max_ms(), 1000.0);
    }

    #[test]
    fn empty_and_cleared_histograms_report_zero() {
        let mut h = LatencyHistogram::new();
        assert_eq!(h.quantiles_ms([0.5, 0.99]), [0.0, 0.0]);
        h.record_s(0.5);
        assert_eq!(h.quantile_ms(0.99), 500.0);
        h.clear();
        assert_eq!(h.quantile_ms(0.99), 0.0);
        assert_eq!(h.mean_ms(), 0.0);
    }
}
