//! Latency histograms: bounded memory, ≤ 1% relative error on percentiles,
//! exact count, mean and max.
//!
//! Values are recorded as integer microseconds in log-linear cells, the
//! layout of an HDR histogram: values below 64 µs exactly, above that 64
//! cells per power of two, so a cell is at most 1/64 of its value wide and
//! its midpoint, which is what a percentile reports, is within 0.8% of any
//! value in it. Memory grows with the logarithm of the largest value (about
//! 3 KB for values up to a second with 32-bit counts), never with the number
//! of values.
//!
//! Why not the `hdrhistogram` crate: the engine records one value per service
//! visit into one of thousands of histograms, so the cost is the cache misses
//! on their cells. hdrhistogram's smallest ≤1% layout has twice as many cells
//! (128 per power of two) of 64-bit counts, four times the memory touched;
//! with it the 1,000-service benchmark spent half its time recording. Here
//! the per-bucket histograms use 32-bit counts and the run's histograms
//! 64-bit ones.

/// Cells per power of two (and values recorded exactly below it).
const SUB: u64 = 64;
const SUB_BITS: u32 = 6;

/// A histogram cell counter: `u32` for short-lived histograms (saturates at
/// 4.29 billion values per cell), `u64` for whole runs.
pub trait Count: Copy + Default + std::fmt::Debug + Send + Sync + 'static {
    fn add(&mut self, n: u64);
    fn get(self) -> u64;
}

impl Count for u32 {
    #[inline]
    fn add(&mut self, n: u64) {
        *self = u32::try_from(u64::from(*self).saturating_add(n)).unwrap_or(u32::MAX);
    }
    #[inline]
    fn get(self) -> u64 {
        u64::from(self)
    }
}

impl Count for u64 {
    #[inline]
    fn add(&mut self, n: u64) {
        *self = self.saturating_add(n);
    }
    #[inline]
    fn get(self) -> u64 {
        self
    }
}

/// The cell of a value in microseconds.
#[inline]
fn cell_of(us: u64) -> usize {
    if us < SUB {
        us as usize
    } else {
        let shift = 63 - us.leading_zeros() - SUB_BITS;
        ((u64::from(shift) + 1) * SUB + ((us >> shift) - SUB)) as usize
    }
}

/// The value reported for a cell: its midpoint, in microseconds.
fn cell_value_us(cell: usize) -> f64 {
    let cell = cell as u64;
    if cell < SUB {
        cell as f64
    } else {
        let shift = cell / SUB - 1;
        let low = (SUB + cell % SUB) << shift;
        let width = 1u64 << shift;
        low as f64 + (width - 1) as f64 / 2.0
    }
}

/// A histogram of durations with exact count, sum and max.
#[derive(Debug, Clone)]
pub struct LatencyHistogram<C: Count = u64> {
    counts: Vec<C>,
    /// Lowest and highest cell recorded since the last clear (when `count > 0`):
    /// adding, clearing and quantiles only walk this range.
    lo: usize,
    hi: usize,
    count: u64,
    sum_s: f64,
    max_s: f64,
}

impl<C: Count> Default for LatencyHistogram<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: Count> LatencyHistogram<C> {
    pub fn new() -> Self {
        LatencyHistogram {
            counts: Vec::new(),
            lo: usize::MAX,
            hi: 0,
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
        // Microseconds, rounded (the `as` conversion saturates).
        let cell = cell_of((duration_s * 1e6 + 0.5) as u64);
        if cell >= self.counts.len() {
            self.grow(cell);
        }
        self.counts[cell].add(1);
        self.lo = self.lo.min(cell);
        self.hi = self.hi.max(cell);
    }

    #[cold]
    fn grow(&mut self, cell: usize) {
        // Whole powers of two at a time.
        let len = (cell / SUB as usize + 1) * SUB as usize;
        self.counts.reserve_exact(len - self.counts.len());
        self.counts.resize(len, C::default());
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bytes of cells allocated.
    pub fn memory_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<C>()
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
    /// milliseconds, in one pass; zeros when empty. The value at quantile `q`
    /// is the smallest recorded value with at least `q × count` values at or
    /// below it (within the cell's width).
    pub fn quantiles_ms<const N: usize>(&self, quantiles: [f64; N]) -> [f64; N] {
        let mut out = [0.0; N];
        if self.count == 0 {
            return out;
        }
        let total = self.count as f64;
        let mut cells = self.counts[self.lo..=self.hi].iter().enumerate();
        let mut seen: u64 = 0;
        let mut cell = 0;
        for (slot, q) in out.iter_mut().zip(quantiles) {
            let rank = (q.clamp(0.0, 1.0) * total).ceil().max(1.0) as u64;
            while seen < rank {
                match cells.next() {
                    Some((i, c)) => {
                        seen += c.get();
                        cell = self.lo + i;
                    }
                    None => break,
                }
            }
            // Never report more than the exact maximum.
            *slot = (cell_value_us(cell) / 1e3).min(self.max_ms());
        }
        out
    }

    /// One quantile in milliseconds; 0 when empty.
    pub fn quantile_ms(&self, quantile: f64) -> f64 {
        self.quantiles_ms([quantile])[0]
    }

    /// Adds every value of `other` to this histogram.
    pub fn add<D: Count>(&mut self, other: &LatencyHistogram<D>) {
        if other.count == 0 {
            return;
        }
        let (lo, hi) = (other.lo, other.hi);
        if hi >= self.counts.len() {
            self.grow(hi);
        }
        for (mine, theirs) in self.counts[lo..=hi].iter_mut().zip(&other.counts[lo..=hi]) {
            let n = theirs.get();
            if n > 0 {
                mine.add(n);
            }
        }
        self.lo = self.lo.min(lo);
        self.hi = self.hi.max(hi);
        self.count += other.count;
        self.sum_s += other.sum_s;
        self.max_s = self.max_s.max(other.max_s);
    }

    /// Empties the histogram, keeping its allocation.
    pub fn clear(&mut self) {
        if self.count > 0 {
            self.counts[self.lo..=self.hi].fill(C::default());
            self.lo = usize::MAX;
            self.hi = 0;
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
    fn cells_are_contiguous_and_at_most_one_64th_wide() {
        let mut previous = 0;
        for us in 1..100_000u64 {
            let cell = cell_of(us);
            assert!(cell == previous || cell == previous + 1, "gap at {us}");
            previous = cell;
            let mid = cell_value_us(cell);
            assert!(
                (mid - us as f64).abs() <= us as f64 / 128.0 + 1e-9,
                "{us} → {mid}"
            );
        }
        assert_eq!(cell_of(63), 63);
        assert_eq!(cell_of(64), 64);
        assert_eq!(cell_of(127), 127);
        assert_eq!(cell_of(128), 128);
        assert_eq!(cell_of(129), 128);
        // The largest value has a cell, and its midpoint is near it.
        let top = cell_of(u64::MAX);
        assert!((cell_value_us(top) / u64::MAX as f64 - 1.0).abs() < 0.01);
    }

    #[test]
    fn quantiles_are_within_one_percent() {
        let mut h = LatencyHistogram::<u32>::new();
        let values: Vec<f64> = (1..=100_000).map(|i| i as f64 * 1e-5).collect(); // 10 µs .. 1 s
        for &v in &values {
            h.record_s(v);
        }
        for q in [0.0, 0.001, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let rank = ((q * values.len() as f64).ceil() as usize).max(1);
            let exact = values[rank - 1] * 1e3;
            let got = h.quantile_ms(q);
            assert!(
                (got - exact).abs() <= exact * 0.01,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.count(), 100_000);
        assert!((h.mean_ms() - 500.005).abs() < 1e-6);
        assert_eq!(h.max_ms(), 1000.0);
        assert!(h.memory_bytes() < 4096, "{} bytes", h.memory_bytes());
    }

    #[test]
    fn small_values_are_exact() {
        let mut h = LatencyHistogram::<u64>::new();
        for _ in 0..90 {
            h.record_s(0.0);
        }
        for i in 1..=10 {
            h.record_s(i as f64 * 1e-6);
        }
        let q = h.quantiles_ms([0.5, 0.9, 0.91, 0.95, 1.0]);
        for (got, want) in q.iter().zip([0.0, 0.0, 0.001, 0.005, 0.01]) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn adding_merges_values_and_exact_stats() {
        let mut a = LatencyHistogram::<u64>::new();
        let mut b = LatencyHistogram::<u32>::new();
        let mut both = LatencyHistogram::<u64>::new();
        for i in 1..=1000 {
            let v = i as f64 * 1e-4;
            if i % 3 == 0 {
                a.record_s(v);
                both.record_s(v);
            } else {
                b.record_s(v * 50.0);
                both.record_s(v * 50.0);
            }
        }
        a.add(&b);
        assert_eq!(a.count(), both.count());
        assert_eq!(a.max_ms(), both.max_ms());
        assert!((a.mean_ms() - both.mean_ms()).abs() < 1e-9);
        assert_eq!(
            a.quantiles_ms([0.1, 0.5, 0.99]),
            both.quantiles_ms([0.1, 0.5, 0.99])
        );
    }

    #[test]
    fn empty_and_cleared_histograms_report_zero() {
        let mut h = LatencyHistogram::<u32>::new();
        assert_eq!(h.quantiles_ms([0.5, 0.99]), [0.0, 0.0]);
        h.record_s(0.5);
        assert!((h.quantile_ms(0.99) - 500.0).abs() <= 500.0 * 0.008);
        h.clear();
        assert_eq!(h.quantile_ms(0.99), 0.0);
        assert_eq!(h.mean_ms(), 0.0);
        assert_eq!(h.count(), 0);
    }

    #[test]
    fn u32_cells_saturate_instead_of_wrapping() {
        let mut c: u32 = u32::MAX - 1;
        c.add(5);
        assert_eq!(c, u32::MAX);
    }
}
