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
//! the engine's response and latency histograms are [`BucketedHistogram`]s
//! (the run's and the open time-series bucket's counts in one 16-byte cell,
//! so a visit touches one cell and closing a bucket touches none), the wait
//! histograms plain [`LatencyHistogram`]s with 64-bit counts.

/// Cells per power of two (and values recorded exactly below it).
const SUB: u64 = 64;
const SUB_BITS: u32 = 6;

/// A histogram cell counter: `u32` for short-lived histograms (saturates at
/// 4.29 billion values per cell), `u64` for whole runs.
pub trait Count: Copy + Default + std::fmt::Debug + Send + Sync + 'static {
    fn add(&mut self, n: u64);
    fn increment(&mut self);
    fn get(self) -> u64;
}

impl Count for u32 {
    #[inline]
    fn increment(&mut self) {
        *self = self.saturating_add(1);
    }
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
    // Plain additions: 2^64 values in one cell cannot happen (at a billion
    // values a second it would take 584 years), and plain adds let the
    // compiler vectorize adding one histogram to another.
    #[inline]
    fn increment(&mut self) {
        *self = self.wrapping_add(1);
    }
    #[inline]
    fn add(&mut self, n: u64) {
        *self = self.wrapping_add(n);
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
    #[inline(always)]
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
        self.counts[cell].increment();
        self.lo = self.lo.min(cell);
        self.hi = self.hi.max(cell);
    }

    /// Records `n` durations of zero: the same as `n` calls of
    /// [`record_s(0.0)`](Self::record_s), in one step.
    pub fn record_zeros(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.grow(0);
        }
        self.counts[0].add(n);
        self.count += n;
        // Cell 0 is the lowest: `hi` (at least 0) stays.
        self.lo = 0;
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
        if self.count == 0 {
            return [0.0; N];
        }
        quantiles_of(
            self.count,
            self.lo,
            self.hi,
            self.max_ms(),
            |i| self.counts[i].get(),
            quantiles,
        )
    }

    /// Like [`quantiles_ms`](Self::quantiles_ms) for the values of this
    /// histogram and `other` together, without merging them.
    pub fn quantiles_ms_with<D: Count, const N: usize>(
        &self,
        other: &LatencyHistogram<D>,
        quantiles: [f64; N],
    ) -> [f64; N] {
        match (self.count, other.count) {
            (0, 0) => [0.0; N],
            (_, 0) => self.quantiles_ms(quantiles),
            (0, _) => other.quantiles_ms(quantiles),
            _ => {
                let at = |i: usize| {
                    self.counts.get(i).map_or(0, |c| c.get())
                        + other.counts.get(i).map_or(0, |c| c.get())
                };
                let max_ms = self.max_ms().max(other.max_ms());
                let (lo, hi) = (self.lo.min(other.lo), self.hi.max(other.hi));
                quantiles_of(self.count + other.count, lo, hi, max_ms, at, quantiles)
            }
        }
    }

    /// Exact mean of this histogram's and `other`'s values together, in ms.
    pub fn mean_ms_with<D: Count>(&self, other: &LatencyHistogram<D>) -> f64 {
        let count = self.count + other.count;
        if count == 0 {
            0.0
        } else {
            (self.sum_s + other.sum_s) / count as f64 * 1e3
        }
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
            mine.add(theirs.get());
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

/// One cell of a [`BucketedHistogram`]: the run's count, the open bucket's
/// count, and the bucket that count belongs to.
#[derive(Debug, Clone, Copy, Default)]
struct BucketCell {
    run: u64,
    bucket: u32,
    /// The bucket `bucket` was last counted in; an older stamp means zero.
    stamp: u32,
}

/// The histogram of a whole run and that of its open time-series bucket in
/// one array of cells (the same cells as [`LatencyHistogram`]).
///
/// Recording touches one cell, which holds both counts; closing the bucket
/// costs the bucket's quantiles and a new stamp, not a pass over its cells
/// nor an addition into the run's histogram: with a thousand services and
/// one-second buckets, adding each bucket's histogram into the run's cost a
/// tenth of the engine's time, in cache misses.
///
/// Values are *counted* (after warm-up: in the run's figures and the
/// bucket's) or not (only in the bucket's).
#[derive(Debug, Clone)]
#[repr(align(64))]
pub struct BucketedHistogram {
    cells: Vec<BucketCell>,
    /// The open bucket's stamp (cells start at 0, so they start stale).
    stamp: u32,
    // The open bucket, all values: lowest and highest cell, count, max.
    lo: u32,
    hi: u32,
    bucket_count: u64,
    max_s: f64,
    // The run, counted values (the open bucket's included); the cells of
    // the closed buckets' values are within `run_lo..=run_hi` (a wider
    // range than the counted values' changes no quantile: it only adds
    // empty cells at its ends).
    run_lo: u32,
    run_hi: u32,
    run_count: u64,
    run_max_s: f64,
    /// Sum of the counted values of the closed buckets, and of the open one
    /// (kept apart so that the mean is the same sum as buckets added up).
    closed_sum_s: f64,
    open_sum_s: f64,
}

impl Default for BucketedHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl BucketedHistogram {
    pub fn new() -> Self {
        BucketedHistogram {
            cells: Vec::new(),
            stamp: 1,
            lo: u32::MAX,
            hi: 0,
            bucket_count: 0,
            max_s: 0.0,
            run_lo: u32::MAX,
            run_hi: 0,
            run_count: 0,
            run_max_s: 0.0,
            closed_sum_s: 0.0,
            open_sum_s: 0.0,
        }
    }

    /// Records one duration given in seconds; `counted` ones count in the
    /// run's figures too.
    #[inline(always)]
    pub fn record_s(&mut self, duration_s: f64, counted: bool) {
        let duration_s = duration_s.max(0.0);
        // Microseconds, rounded (the `as` conversion saturates).
        let cell = cell_of((duration_s * 1e6 + 0.5) as u64);
        if cell >= self.cells.len() {
            self.grow(cell);
        }
        let c = &mut self.cells[cell];
        if c.stamp != self.stamp {
            c.stamp = self.stamp;
            c.bucket = 0;
        }
        c.bucket = c.bucket.saturating_add(1);
        let cell32 = cell as u32;
        self.bucket_count += 1;
        if duration_s > self.max_s {
            self.max_s = duration_s;
        }
        self.lo = self.lo.min(cell32);
        self.hi = self.hi.max(cell32);
        if counted {
            c.run += 1;
            self.run_count += 1;
            self.open_sum_s += duration_s;
            if duration_s > self.run_max_s {
                self.run_max_s = duration_s;
            }
        }
    }

    #[cold]
    fn grow(&mut self, cell: usize) {
        // Whole powers of two at a time (cells never exceed u32 indices:
        // the largest value has cell 3,776).
        let len = (cell / SUB as usize + 1) * SUB as usize;
        self.cells.reserve_exact(len - self.cells.len());
        self.cells.resize(len, BucketCell::default());
    }

    /// The open bucket's values at the given quantiles (ascending), in ms,
    /// counted or not; zeros when it is empty.
    pub fn bucket_quantiles_ms<const N: usize>(&self, quantiles: [f64; N]) -> [f64; N] {
        if self.bucket_count == 0 {
            return [0.0; N];
        }
        let stamp = self.stamp;
        quantiles_of(
            self.bucket_count,
            self.lo as usize,
            self.hi as usize,
            self.max_s * 1e3,
            |i| {
                let c = &self.cells[i];
                if c.stamp == stamp {
                    u64::from(c.bucket)
                } else {
                    0
                }
            },
            quantiles,
        )
    }

    /// Closes the open bucket: the next values go to a new one.
    pub fn close_bucket(&mut self) {
        self.closed_sum_s += self.open_sum_s;
        self.open_sum_s = 0.0;
        if self.bucket_count > 0 {
            self.run_lo = self.run_lo.min(self.lo);
            self.run_hi = self.run_hi.max(self.hi);
            self.stamp += 1;
            self.lo = u32::MAX;
            self.hi = 0;
            self.bucket_count = 0;
            self.max_s = 0.0;
        }
    }

    /// Counted values so far.
    pub fn count(&self) -> u64 {
        self.run_count
    }

    /// Exact mean of the counted values, in ms; 0 when there are none.
    pub fn mean_ms(&self) -> f64 {
        if self.run_count == 0 {
            0.0
        } else {
            (self.closed_sum_s + self.open_sum_s) / self.run_count as f64 * 1e3
        }
    }

    /// Exact maximum of the counted values, in ms; 0 when there are none.
    pub fn max_ms(&self) -> f64 {
        self.run_max_s * 1e3
    }

    /// The counted values at the given quantiles (ascending), in ms, in one
    /// pass; zeros when there are none.
    pub fn quantiles_ms<const N: usize>(&self, quantiles: [f64; N]) -> [f64; N] {
        if self.run_count == 0 {
            return [0.0; N];
        }
        // The open bucket's cells too.
        let (lo, hi) = (self.run_lo.min(self.lo), self.run_hi.max(self.hi));
        quantiles_of(
            self.run_count,
            lo as usize,
            hi as usize,
            self.max_ms(),
            |i| self.cells[i].run,
            quantiles,
        )
    }
}

/// Quantiles over the cells `lo..=hi` holding `total` values, the count of
/// cell `i` being `count_at(i)`.
fn quantiles_of<const N: usize>(
    total: u64,
    lo: usize,
    hi: usize,
    max_ms: f64,
    count_at: impl Fn(usize) -> u64,
    quantiles: [f64; N],
) -> [f64; N] {
    let mut out = [0.0; N];
    if N == 1 && quantiles[0] > 0.5 {
        // A high quantile alone (the series' p99): count down from the top,
        // which walks only the few cells above it.
        let rank = (quantiles[0].clamp(0.0, 1.0) * total as f64)
            .ceil()
            .max(1.0) as u64;
        let above = total - rank.min(total);
        let mut seen: u64 = 0;
        let mut cell = hi;
        loop {
            seen += count_at(cell);
            if seen > above || cell == lo {
                break;
            }
            cell -= 1;
        }
        out[0] = (cell_value_us(cell) / 1e3).min(max_ms);
        return out;
    }
    let mut seen: u64 = 0;
    let mut cell = lo;
    let mut next = lo;
    for (slot, q) in out.iter_mut().zip(quantiles) {
        let rank = (q.clamp(0.0, 1.0) * total as f64).ceil().max(1.0) as u64;
        while seen < rank && next <= hi {
            seen += count_at(next);
            cell = next;
            next += 1;
        }
        // Never report more than the exact maximum.
        *slot = (cell_value_us(cell) / 1e3).min(max_ms);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn recording_zeros_at_once_is_recording_them_one_by_one() {
        let (mut one_by_one, mut at_once) = (
            LatencyHistogram::<u32>::new(),
            LatencyHistogram::<u32>::new(),
        );
        for value_s in [0.004, 0.0, 0.250, 0.0, 0.0, 0.001] {
            one_by_one.record_s(value_s);
        }
        at_once.record_zeros(0);
        assert!(at_once.is_empty());
        for value_s in [0.004, 0.250, 0.001] {
            at_once.record_s(value_s);
        }
        at_once.record_zeros(3);
        assert_eq!(at_once.count(), one_by_one.count());
        assert_eq!(at_once.mean_ms(), one_by_one.mean_ms());
        assert_eq!(at_once.max_ms(), one_by_one.max_ms());
        let q = [0.0, 0.25, 0.5, 0.75, 1.0];
        assert_eq!(at_once.quantiles_ms(q), one_by_one.quantiles_ms(q));
        assert_eq!(at_once.quantile_ms(0.4), 0.0);
        // Clearing must clear cell 0 too.
        at_once.clear();
        at_once.record_s(0.002);
        assert_eq!(at_once.quantiles_ms([0.0, 1.0]), [2.0, 2.0]);
        // Zeros alone, in a histogram with no cells yet.
        let mut zeros = LatencyHistogram::<u64>::new();
        zeros.record_zeros(5);
        assert_eq!((zeros.count(), zeros.max_ms()), (5, 0.0));
        assert_eq!(zeros.quantiles_ms([0.5, 0.99]), [0.0, 0.0]);
    }

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
        let qs = [0.1, 0.5, 0.99];
        assert_eq!(a.quantiles_ms_with(&b, qs), both.quantiles_ms(qs));
        assert!((a.mean_ms_with(&b) - both.mean_ms()).abs() < 1e-9);
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
    fn a_bucketed_histogram_is_a_run_histogram_and_a_bucket_histogram() {
        let mut bucketed = BucketedHistogram::new();
        let mut run = LatencyHistogram::<u64>::new();
        assert_eq!(bucketed.quantiles_ms([0.5]), [0.0]);
        assert_eq!(bucketed.bucket_quantiles_ms([0.5]), [0.0]);
        let mut x: u64 = 12345;
        for bucket in 0..6u64 {
            let mut open = LatencyHistogram::<u32>::new();
            // Bucket 3 is empty; the first two have uncounted values (warm-up).
            let n = if bucket == 3 { 0 } else { 40 + 30 * bucket };
            for i in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let value_s = (x % 50_000) as f64 * 1e-6 * (1 + bucket % 3) as f64;
                let counted = bucket >= 2 || i % 2 == 0;
                bucketed.record_s(value_s, counted);
                open.record_s(value_s);
                if counted {
                    run.record_s(value_s);
                }
            }
            let q = [0.0, 0.5, 0.95, 0.99, 1.0];
            assert_eq!(bucketed.bucket_quantiles_ms(q), open.quantiles_ms(q));
            assert_eq!(
                bucketed.bucket_quantiles_ms([0.99]),
                open.quantiles_ms([0.99])
            );
            assert_eq!(bucketed.quantiles_ms(q), run.quantiles_ms(q));
            assert_eq!(bucketed.quantiles_ms([0.999]), run.quantiles_ms([0.999]));
            assert_eq!(bucketed.count(), run.count());
            assert_eq!(bucketed.max_ms(), run.max_ms());
            assert!((bucketed.mean_ms() - run.mean_ms()).abs() <= 1e-9 * run.mean_ms());
            bucketed.close_bucket();
            assert_eq!(bucketed.bucket_quantiles_ms([0.5, 0.99]), [0.0, 0.0]);
        }
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
