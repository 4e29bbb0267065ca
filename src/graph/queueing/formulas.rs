//! The closed forms the queueing estimate is built from: Erlang C, the
//! Allen–Cunneen G/G/c wait, Whitt's departure variability, the squared
//! coefficient of variation of the file's distributions, and the expected
//! maximum of a parallel group.

use crate::model::{Distribution, lognormal_sigma};

/// Largest number of servers for which Erlang C is computed exactly by the
/// Erlang B recursion (O(servers) steps); larger pools are split into their
/// replicas by the caller.
pub const MAX_EXACT_SERVERS: u64 = 1_000_000;

/// Erlang C: the probability that an arrival to an M/M/c queue with `c`
/// servers and offered load `a = λ·E[S]` (erlangs) has to wait. 1 when
/// `a ≥ c` (no steady state); 0 without load.
///
/// Computed with the numerically stable Erlang B recursion
/// `B(k) = a·B(k−1) / (k + a·B(k−1))`, then `C = c·B / (c − a·(1 − B))`.
pub fn erlang_c(c: u64, a: f64) -> f64 {
    if a.is_nan() || a <= 0.0 {
        return 0.0;
    }
    let servers = c as f64;
    if a >= servers {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
        // Past k > a the recursion falls faster than geometrically; once it
        // is below any representable share of a wait it stays there.
        if b < 1e-300 {
            return 0.0;
        }
    }
    servers * b / (servers - a * (1.0 - b))
}

/// Mean wait in queue of a G/G/c station by the Allen–Cunneen
/// approximation: the M/M/c wait `C(c, a)·E[S] / (c − a)` times
/// `(c_a² + c_s²) / 2`. Exact for M/M/c (both SCVs 1). Infinite when the
/// station is overloaded (`λ·E[S] ≥ c`).
pub fn allen_cunneen_wait(
    servers: u64,
    arrival_rate: f64,
    mean_service: f64,
    scv_arrival: f64,
    scv_service: f64,
) -> f64 {
    let a = arrival_rate * mean_service;
    if a.is_nan() || a <= 0.0 {
        return 0.0;
    }
    let c = servers as f64;
    if a >= c {
        return f64::INFINITY;
    }
    erlang_c(servers, a) * mean_service / (c - a) * (scv_arrival + scv_service) / 2.0
}

/// Squared coefficient of variation of the departures of a G/G/c station
/// (Whitt's QNA): `1 + (1 − ρ²)(c_a² − 1) + ρ²(c_s² − 1)/√c`. 1 for M/M/c.
pub fn departure_scv(servers: u64, utilization: f64, scv_arrival: f64, scv_service: f64) -> f64 {
    let rho2 = utilization.clamp(0.0, 1.0).powi(2);
    let c = (servers.max(1) as f64).sqrt();
    (1.0 + (1.0 - rho2) * (scv_arrival - 1.0) + rho2 * (scv_service - 1.0) / c).max(0.0)
}

/// The variance of a distribution of the file, in ms²: constant 0,
/// exponential mean², uniform width²/12, lognormal (e^{σ²} − 1)·mean²,
/// erlang mean²/k, empirical the population variance of the samples.
pub fn variance_ms2(dist: &Distribution) -> f64 {
    let mean = dist.mean_ms();
    match dist {
        Distribution::Constant { .. } => 0.0,
        Distribution::Exponential { .. } => mean * mean,
        Distribution::Uniform { min_ms, max_ms } => (max_ms - min_ms).powi(2) / 12.0,
        Distribution::Lognormal { median_ms, p99_ms } => {
            let sigma = lognormal_sigma(*median_ms, *p99_ms);
            ((sigma * sigma).exp() - 1.0) * mean * mean
        }
        Distribution::Erlang { k, .. } => mean * mean / (*k).max(1) as f64,
        Distribution::Empirical { samples_ms } => {
            if samples_ms.is_empty() {
                0.0
            } else {
                samples_ms.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / samples_ms.len() as f64
            }
        }
    }
}

/// Largest parallel group summed exactly by inclusion–exclusion (2ⁿ
/// terms); larger ones are integrated numerically.
const MAX_EXACT_MEMBERS: usize = 12;

/// Intervals of the numeric integral in [`expected_max`].
const MAX_STEPS: usize = 2048;

/// Expected time until every member of a parallel group has answered,
/// each member `(p, m)` being present with probability `p` and taking an
/// exponentially distributed time of mean `m` when present:
/// `∫₀^∞ 1 − Π (1 − p·e^{−t/m}) dt`. Up to 12 members it is summed exactly
/// by inclusion–exclusion (`Σ_S (−1)^{|S|+1} Π_S p / Σ_S 1/m`); larger
/// groups are integrated by Simpson's rule up to 40 × the largest mean
/// (the rest is below e^{−40}). One member gives `p·m`; members with
/// `m = 0` add nothing; an infinite mean gives infinity.
pub fn expected_max(members: &[(f64, f64)]) -> f64 {
    let present: Vec<(f64, f64)> = members
        .iter()
        .copied()
        .filter(|&(p, m)| p > 0.0 && m > 0.0)
        .collect();
    match present.as_slice() {
        [] => return 0.0,
        [(p, m)] => return p * m,
        _ => {}
    }
    let longest = present.iter().fold(0.0f64, |acc, &(_, m)| acc.max(m));
    if !longest.is_finite() {
        return f64::INFINITY;
    }
    if present.len() <= MAX_EXACT_MEMBERS {
        // Per subset (a bit mask): the product of its p and the sum of its
        // rates, each from the subset without its lowest member.
        let n = present.len();
        let mut product = vec![1.0; 1 << n];
        let mut rate = vec![0.0; 1 << n];
        let mut total = 0.0;
        for mask in 1usize..(1 << n) {
            let low = mask.trailing_zeros() as usize;
            let rest = mask & (mask - 1);
            let (p, m) = present[low];
            product[mask] = product[rest] * p;
            rate[mask] = rate[rest] + 1.0 / m;
            let sign = if mask.count_ones() % 2 == 1 {
                1.0
            } else {
                -1.0
            };
            total += sign * product[mask] / rate[mask];
        }
        return total;
    }
    let end = 40.0 * longest;
    let h = end / MAX_STEPS as f64;
    let tail = |t: f64| {
        1.0 - present
            .iter()
            .fold(1.0, |acc, &(p, m)| acc * (1.0 - p * (-t / m).exp()))
    };
    let mut sum = tail(0.0) + tail(end);
    for i in 1..MAX_STEPS {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * tail(i as f64 * h);
    }
    sum * h / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tolerance: f64) {
        assert!(
            (got - want).abs() <= tolerance * want.abs().max(1e-12),
            "got {got}, want {want}"
        );
    }

    #[test]
    fn erlang_c_known_values() {
        // M/M/1: P(wait) = ρ.
        close(erlang_c(1, 0.8), 0.8, 1e-12);
        // M/M/2 at a = 1: 1/3.
        close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12);
        // M/M/4 at a = 3.2 from the textbook sum formula.
        let (c, a) = (4u64, 3.2f64);
        let mut sum = 0.0;
        let mut term = 1.0;
        for k in 0..c {
            if k > 0 {
                term *= a / k as f64;
            }
            sum += term;
        }
        let last = term * a / c as f64 * c as f64 / (c as f64 - a);
        close(erlang_c(c, a), last / (sum + last), 1e-12);
        assert_eq!(erlang_c(3, 0.0), 0.0);
        assert_eq!(erlang_c(3, 3.0), 1.0);
        // A huge pool at low load waits with probability 0, without a huge loop.
        assert_eq!(erlang_c(MAX_EXACT_SERVERS, 10.0), 0.0);
    }

    #[test]
    fn allen_cunneen_is_mm1_and_md1_where_they_are_exact() {
        // M/M/1 at ρ = 0.5, E[S] = 10: Wq = ρ/(1−ρ)·E[S] = 10.
        close(allen_cunneen_wait(1, 0.05, 10.0, 1.0, 1.0), 10.0, 1e-12);
        // M/D/1 (Pollaczek–Khinchine): half the M/M/1 wait.
        close(allen_cunneen_wait(1, 0.05, 10.0, 1.0, 0.0), 5.0, 1e-12);
        assert!(allen_cunneen_wait(1, 0.1, 10.0, 1.0, 1.0).is_infinite());
        assert_eq!(allen_cunneen_wait(2, 0.0, 10.0, 1.0, 1.0), 0.0);
    }

    #[test]
    fn departures_of_mmc_are_poisson() {
        close(departure_scv(4, 0.9, 1.0, 1.0), 1.0, 1e-12);
        // Constant work smooths the output of a busy single server.
        assert!(departure_scv(1, 0.9, 1.0, 0.0) < 0.3);
    }

    #[test]
    fn variances_of_the_distributions() {
        close(
            variance_ms2(&Distribution::Exponential { mean_ms: 4.0 }),
            16.0,
            1e-12,
        );
        close(
            variance_ms2(&Distribution::Erlang { k: 4, mean_ms: 4.0 }),
            4.0,
            1e-12,
        );
        close(
            variance_ms2(&Distribution::Uniform {
                min_ms: 0.0,
                max_ms: 6.0,
            }),
            3.0,
            1e-12,
        );
        close(
            variance_ms2(&Distribution::Empirical {
                samples_ms: vec![1.0, 3.0],
            }),
            1.0,
            1e-12,
        );
        assert_eq!(variance_ms2(&Distribution::Constant { ms: 3.0 }), 0.0);
    }

    #[test]
    fn expected_max_of_exponentials() {
        // Two i.i.d. exponentials of mean 1: H₂ = 1.5.
        close(expected_max(&[(1.0, 1.0), (1.0, 1.0)]), 1.5, 1e-6);
        // Three: H₃ = 11/6.
        close(
            expected_max(&[(1.0, 2.0), (1.0, 2.0), (1.0, 2.0)]),
            2.0 * 11.0 / 6.0,
            1e-6,
        );
        // Rates 1 and 2: 1 + 1/2 − 1/3.
        close(
            expected_max(&[(1.0, 1.0), (1.0, 0.5)]),
            1.0 + 0.5 - 1.0 / 3.0,
            1e-6,
        );
        // Inclusion–exclusion with presence probabilities 0.5 and 1.
        close(
            expected_max(&[(0.5, 1.0), (1.0, 1.0)]),
            0.5 + 1.0 - 0.5 * 0.5,
            1e-6,
        );
        close(expected_max(&[(0.3, 7.0)]), 2.1, 1e-12);
        // Fourteen i.i.d. members (integrated numerically): m·H₁₄.
        let harmonic: f64 = (1..=14).map(|k| 1.0 / f64::from(k)).sum();
        close(expected_max(&[(1.0, 3.0); 14]), 3.0 * harmonic, 1e-6);
        assert_eq!(expected_max(&[]), 0.0);
    }
}
