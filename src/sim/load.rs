//! The scenario's load profile (a multiplier over time) and the arrival
//! processes of the workload entries that follow it.
//!
//! Steps and ramps set the *base* level in time order (a change starts from
//! the level reached when it begins); spikes and diurnal cycles multiply the
//! base while they are active:
//!
//! `m(t) = base(t) × Π spike factors active at t × Π (1 + amplitude·sin(2π(t−at)/period))`
//!
//! (clamped at 0). Poisson arrivals with a varying multiplier are generated
//! exactly by thinning over windows in which the multiplier is bounded; evenly
//! spaced arrivals fire each time the integrated rate reaches one more request.

use rand::{Rng, RngExt};
use rand_distr::{Distribution as _, Exp1};

use crate::model::{Arrivals, LoadChange, LoadKind};

/// Longest window over which a non-constant multiplier is bounded for thinning.
const MAX_WINDOW_S: f64 = 1.0;

/// Why a scenario's `load` list is not usable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadProfileError {
    #[error("load[{index}]: {message}")]
    Invalid { index: usize, message: String },
}

/// Piece of the base level: linear from `v0` at `t0` to `v1` at `t1`.
#[derive(Debug, Clone, Copy)]
struct Segment {
    t0: f64,
    t1: f64,
    v0: f64,
    v1: f64,
}

impl Segment {
    fn at(&self, t: f64) -> f64 {
        if self.t1 <= self.t0 || !self.t1.is_finite() || self.v0 == self.v1 {
            self.v0
        } else {
            self.v0 + (self.v1 - self.v0) * ((t - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0)
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Spike {
    start_s: f64,
    end_s: f64,
    factor: f64,
}

#[derive(Debug, Clone, Copy)]
struct Diurnal {
    start_s: f64,
    period_s: f64,
    amplitude: f64,
}

/// The load multiplier of a scenario as a function of time.
#[derive(Debug, Clone)]
pub struct LoadProfile {
    /// Contiguous, covering `[0, ∞)`; the last one ends at infinity.
    segments: Vec<Segment>,
    spikes: Vec<Spike>,
    diurnals: Vec<Diurnal>,
    /// Every time at which the shape of `m` changes, sorted.
    breakpoints: Vec<f64>,
    /// The multiplier when it never changes.
    constant: Option<f64>,
}

/// A stretch of time in which the multiplier is at most `bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub end_s: f64,
    pub bound: f64,
    /// The multiplier is the same everywhere in the window.
    pub constant: bool,
}

fn finite_non_negative(
    value: Option<f64>,
    index: usize,
    field: &str,
    kind: &str,
) -> Result<f64, LoadProfileError> {
    match value {
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Some(v) => Err(LoadProfileError::Invalid {
            index,
            message: format!("{field} must be a finite number ≥ 0 (got {v})"),
        }),
        None => Err(LoadProfileError::Invalid {
            index,
            message: format!("a {kind} needs \"{field}\""),
        }),
    }
}

impl LoadProfile {
    /// The spikes: `(factor, start_s, end_s)`, in the scenario's order.
    pub fn spikes(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        self.spikes.iter().map(|s| (s.factor, s.start_s, s.end_s))
    }

    /// A constant multiplier of 1.
    pub fn flat() -> Self {
        LoadProfile {
            segments: vec![Segment {
                t0: 0.0,
                t1: f64::INFINITY,
                v0: 1.0,
                v1: 1.0,
            }],
            spikes: Vec::new(),
            diurnals: Vec::new(),
            breakpoints: Vec::new(),
            constant: Some(1.0),
        }
    }

    /// Builds the profile of a scenario's `load` list.
    pub fn new(changes: &[LoadChange]) -> Result<Self, LoadProfileError> {
        let mut profile = LoadProfile::flat();
        let mut order: Vec<usize> = (0..changes.len()).collect();
        // Stable: changes at the same time apply in file order.
        order.sort_by(|&a, &b| changes[a].at_s.total_cmp(&changes[b].at_s));
        for index in order {
            let change = &changes[index];
            let kind = change.effective_kind();
            let kind_name = kind.name();
            let at_s = finite_non_negative(Some(change.at_s), index, "at_s", kind_name)?;
            match kind {
                LoadKind::Step => {
                    let m = finite_non_negative(change.multiplier, index, "multiplier", kind_name)?;
                    profile.set_base(at_s, 0.0, m);
                }
                LoadKind::Ramp => {
                    let m = finite_non_negative(change.multiplier, index, "multiplier", kind_name)?;
                    let ramp_s = finite_non_negative(change.ramp_s, index, "ramp_s", kind_name)?;
                    profile.set_base(at_s, ramp_s, m);
                }
                LoadKind::Spike => {
                    let factor =
                        finite_non_negative(change.multiplier, index, "multiplier", kind_name)?;
                    let duration_s =
                        finite_non_negative(change.duration_s, index, "duration_s", kind_name)?;
                    profile.spikes.push(Spike {
                        start_s: at_s,
                        end_s: at_s + duration_s,
                        factor,
                    });
                }
                LoadKind::Diurnal => {
                    let period_s =
                        finite_non_negative(change.period_s, index, "period_s", kind_name)?;
                    if period_s == 0.0 {
                        return Err(LoadProfileError::Invalid {
                            index,
                            message: "period_s must be > 0".into(),
                        });
                    }
                    let amplitude = match change.amplitude {
                        Some(a) if a.is_finite() => a,
                        Some(a) => {
                            return Err(LoadProfileError::Invalid {
                                index,
                                message: format!("amplitude must be a finite number (got {a})"),
                            });
                        }
                        None => {
                            return Err(LoadProfileError::Invalid {
                                index,
                                message: "a diurnal needs \"amplitude\"".into(),
                            });
                        }
                    };
                    profile.diurnals.push(Diurnal {
                        start_s: at_s,
                        period_s,
                        amplitude,
                    });
                }
            }
        }
        let mut breakpoints: Vec<f64> = Vec::new();
        for seg in &profile.segments {
            breakpoints.push(seg.t0);
            breakpoints.push(seg.t1);
        }
        for spike in &profile.spikes {
            breakpoints.push(spike.start_s);
            breakpoints.push(spike.end_s);
        }
        for diurnal in &profile.diurnals {
            breakpoints.push(diurnal.start_s);
        }
        breakpoints.retain(|t| t.is_finite() && *t > 0.0);
        breakpoints.sort_by(f64::total_cmp);
        breakpoints.dedup();
        profile.constant = (profile.breakpoints.is_empty()
            && breakpoints.is_empty()
            && profile.diurnals.iter().all(|d| d.amplitude == 0.0))
        .then(|| profile.multiplier(0.0));
        profile.breakpoints = breakpoints;
        Ok(profile)
    }

    /// From `at_s`, the base moves linearly to `target` over `ramp_s` (at once when 0).
    fn set_base(&mut self, at_s: f64, ramp_s: f64, target: f64) {
        let from = self.base(at_s);
        // Cut the segments at `at_s`.
        self.segments.retain(|seg| seg.t0 < at_s);
        if let Some(last) = self.segments.last_mut() {
            let end_value = last.at(at_s);
            last.t1 = at_s;
            last.v1 = end_value;
        }
        if ramp_s > 0.0 {
            self.segments.push(Segment {
                t0: at_s,
                t1: at_s + ramp_s,
                v0: from,
                v1: target,
            });
        }
        let t0 = at_s + ramp_s;
        self.segments.push(Segment {
            t0,
            t1: f64::INFINITY,
            v0: target,
            v1: target,
        });
    }

    fn segment(&self, t: f64) -> &Segment {
        // The segments cover [0, ∞) in order; find the last starting at or before t.
        let i = self.segments.partition_point(|seg| seg.t0 <= t);
        &self.segments[i.saturating_sub(1).min(self.segments.len() - 1)]
    }

    fn base(&self, t: f64) -> f64 {
        self.segment(t).at(t)
    }

    fn factors(&self, t: f64) -> f64 {
        let mut f = 1.0;
        for spike in &self.spikes {
            if t >= spike.start_s && t < spike.end_s {
                f *= spike.factor;
            }
        }
        for d in &self.diurnals {
            if t >= d.start_s {
                let phase = std::f64::consts::TAU * (t - d.start_s) / d.period_s;
                f *= (1.0 + d.amplitude * phase.sin()).max(0.0);
            }
        }
        f
    }

    /// The multiplier at time `t_s`.
    pub fn multiplier(&self, t_s: f64) -> f64 {
        (self.base(t_s) * self.factors(t_s)).max(0.0)
    }

    /// The window starting at `t_s`: up to the next breakpoint (at most
    /// `MAX_WINDOW_S` when the multiplier varies), with a bound on `m`.
    pub fn window(&self, t_s: f64) -> Window {
        if let Some(bound) = self.constant {
            return Window {
                end_s: f64::INFINITY,
                bound,
                constant: true,
            };
        }
        let i = self.breakpoints.partition_point(|&b| b <= t_s);
        let next = self.breakpoints.get(i).copied().unwrap_or(f64::INFINITY);
        let seg = self.segment(t_s);
        let ramping = seg.v0 != seg.v1 && seg.t1.is_finite();
        let diurnal = self
            .diurnals
            .iter()
            .any(|d| t_s >= d.start_s && d.amplitude != 0.0);
        if !ramping && !diurnal {
            return Window {
                end_s: next,
                bound: self.multiplier(t_s),
                constant: true,
            };
        }
        let mut end_s = next.min(t_s + MAX_WINDOW_S);
        for d in &self.diurnals {
            if t_s >= d.start_s {
                end_s = end_s.min(t_s + d.period_s / 16.0);
            }
        }
        let base_max = seg.at(t_s).max(seg.at(end_s));
        let mut factor = 1.0;
        for spike in &self.spikes {
            if t_s >= spike.start_s && t_s < spike.end_s {
                factor *= spike.factor;
            }
        }
        for d in &self.diurnals {
            if t_s >= d.start_s {
                factor *= 1.0 + d.amplitude.abs();
            }
        }
        Window {
            end_s,
            bound: (base_max * factor).max(0.0),
            constant: false,
        }
    }
}

/// The arrival process of one workload entry.
#[derive(Debug, Clone)]
pub struct ArrivalProcess {
    rate_rps: f64,
    kind: Arrivals,
    /// Evenly spaced: share of a request still to accumulate before the next arrival.
    phase_left: f64,
    /// Evenly spaced in a constant window: arrivals at `anchor_s + k / rate`
    /// (computed by division, so 10 rps puts the 10th arrival at exactly
    /// 1.0 s, not at an accumulated 0.9999999 s).
    grid: Option<Grid>,
    /// Poisson at a constant rate: (rate, 1 / rate).
    mean_gap_s: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Copy)]
struct Grid {
    anchor_s: f64,
    rate: f64,
    k: u64,
    window_end_s: f64,
}

impl ArrivalProcess {
    pub fn new(rate_rps: f64, kind: Arrivals) -> Self {
        ArrivalProcess {
            rate_rps,
            kind,
            phase_left: 0.0,
            grid: None,
            mean_gap_s: None,
        }
    }

    /// The first arrival at or after `t_s` (strictly after the previous one),
    /// or `None` when there is none before `horizon_s`.
    #[inline]
    pub fn next<R: Rng + ?Sized>(
        &mut self,
        t_s: f64,
        profile: &LoadProfile,
        horizon_s: f64,
        rng: &mut R,
    ) -> Option<f64> {
        if self.rate_rps <= 0.0 {
            return None;
        }
        match self.kind {
            Arrivals::Poisson => self.next_poisson(t_s, profile, horizon_s, rng),
            Arrivals::Uniform => self.next_even(t_s, profile, horizon_s),
        }
    }

    #[inline]
    fn next_poisson<R: Rng + ?Sized>(
        &mut self,
        mut t: f64,
        profile: &LoadProfile,
        horizon_s: f64,
        rng: &mut R,
    ) -> Option<f64> {
        if let Some(m) = profile.constant {
            let rate = self.rate_rps * m;
            if rate <= 0.0 {
                return None;
            }
            // The mean gap, divided once (a division per arrival shows).
            let mean_gap_s = match self.mean_gap_s {
                Some((r, gap)) if r == rate => gap,
                _ => {
                    let gap = 1.0 / rate;
                    self.mean_gap_s = Some((rate, gap));
                    gap
                }
            };
            let e: f64 = Exp1.sample(rng);
            let next = t + e * mean_gap_s;
            return (next < horizon_s).then_some(next);
        }
        while t < horizon_s {
            let w = profile.window(t);
            let rate_bar = self.rate_rps * w.bound;
            if rate_bar <= 0.0 {
                t = w.end_s;
                continue;
            }
            let gap: f64 = Exp1.sample(rng);
            let candidate = t + gap / rate_bar;
            if candidate >= w.end_s {
                t = w.end_s;
                continue;
            }
            if w.constant || rng.random::<f64>() * w.bound < profile.multiplier(candidate) {
                return (candidate < horizon_s).then_some(candidate);
            }
            t = candidate;
        }
        None
    }

    fn next_even(&mut self, mut t: f64, profile: &LoadProfile, horizon_s: f64) -> Option<f64> {
        while t < horizon_s {
            let w = profile.window(t);
            let span = w.end_s - t;
            if w.constant {
                let rate = self.rate_rps * w.bound;
                if rate > 0.0 {
                    let arrival = match self.grid {
                        Some(g) if g.rate == rate && g.window_end_s == w.end_s => {
                            let next = g.anchor_s + (g.k + 1) as f64 / rate;
                            (next < w.end_s).then(|| {
                                self.grid = Some(Grid { k: g.k + 1, ..g });
                                next
                            })
                        }
                        _ => {
                            let dt = self.phase_left / rate;
                            (dt < span).then(|| {
                                self.grid = Some(Grid {
                                    anchor_s: t + dt,
                                    rate,
                                    k: 0,
                                    window_end_s: w.end_s,
                                });
                                t + dt
                            })
                        }
                    };
                    if let Some(a) = arrival {
                        self.phase_left = 1.0;
                        return Some(a).filter(|&a| a < horizon_s);
                    }
                    self.phase_left -= rate * span;
                }
                self.grid = None;
                t = w.end_s;
                continue;
            }
            self.grid = None;
            // Varying multiplier: steps of at most 1/16 of the window, the
            // integral over each step by the midpoint rule (exact for ramps).
            let h = (span / 16.0).max(1e-9).min(span);
            let rate = self.rate_rps * profile.multiplier(t + h / 2.0);
            if rate * h >= self.phase_left && rate > 0.0 {
                let mut dt = self.phase_left / rate;
                // Refine with the rate at the middle of the partial step.
                let mid_rate = self.rate_rps * profile.multiplier(t + dt / 2.0);
                if mid_rate > 0.0 {
                    dt = (self.phase_left / mid_rate).min(h);
                }
                self.phase_left = 1.0;
                return Some(t + dt).filter(|&a| a < horizon_s);
            }
            self.phase_left -= rate * h;
            t += h;
        }
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::sim::rng::{Purpose, stream};

    fn change(kind: Option<LoadKind>, at_s: f64, multiplier: f64) -> LoadChange {
        LoadChange {
            kind,
            at_s,
            multiplier: Some(multiplier),
            ramp_s: None,
            duration_s: None,
            period_s: None,
            amplitude: None,
        }
    }

    #[test]
    fn steps_and_ramps_set_the_base_in_time_order() {
        let mut ramp = change(None, 20.0, 4.0);
        ramp.ramp_s = Some(10.0);
        let profile = LoadProfile::new(&[ramp, change(None, 10.0, 2.0)]).expect("valid");
        assert_eq!(profile.multiplier(0.0), 1.0);
        assert_eq!(profile.multiplier(9.99), 1.0);
        assert_eq!(profile.multiplier(10.0), 2.0);
        assert_eq!(profile.multiplier(20.0), 2.0);
        assert!((profile.multiplier(25.0) - 3.0).abs() < 1e-12);
        assert_eq!(profile.multiplier(30.0), 4.0);
        assert_eq!(profile.multiplier(1e6), 4.0);
    }

    #[test]
    fn a_step_during_a_ramp_cuts_it() {
        let mut ramp = change(Some(LoadKind::Ramp), 0.0, 3.0);
        ramp.ramp_s = Some(10.0);
        let profile = LoadProfile::new(&[ramp, change(None, 5.0, 1.0)]).expect("valid");
        assert!((profile.multiplier(4.0) - 1.8).abs() < 1e-12);
        assert_eq!(profile.multiplier(5.0), 1.0);
        assert_eq!(profile.multiplier(8.0), 1.0);
    }

    #[test]
    fn spikes_multiply_and_end() {
        let mut spike = change(Some(LoadKind::Spike), 10.0, 5.0);
        spike.duration_s = Some(2.0);
        let profile = LoadProfile::new(&[change(None, 0.0, 2.0), spike]).expect("valid");
        assert_eq!(profile.multiplier(9.0), 2.0);
        assert_eq!(profile.multiplier(11.0), 10.0);
        assert_eq!(profile.multiplier(12.0), 2.0);
    }

    #[test]
    fn missing_fields_are_errors() {
        let mut ramp = change(Some(LoadKind::Ramp), 0.0, 3.0);
        ramp.ramp_s = None;
        assert!(LoadProfile::new(&[ramp]).is_err());
        let mut step = change(None, 0.0, 1.0);
        step.multiplier = Some(-1.0);
        assert!(LoadProfile::new(&[step]).is_err());
    }

    /// Arrivals counted over an interval match ∫ rate·m(t) dt.
    fn count(kind: Arrivals, profile: &LoadProfile, rate: f64, from: f64, to: f64) -> usize {
        let mut process = ArrivalProcess::new(rate, kind);
        let mut rng = stream(3, "entry", 0, Purpose::Arrivals);
        let mut t = 0.0;
        let mut n = 0;
        while let Some(a) = process.next(t, profile, to, &mut rng) {
            assert!(a >= t);
            if a >= from {
                n += 1;
            }
            t = a;
        }
        n
    }

    #[test]
    fn arrivals_follow_a_ramp() {
        let mut ramp = change(None, 10.0, 3.0);
        ramp.ramp_s = Some(10.0);
        let profile = LoadProfile::new(&[ramp]).expect("valid");
        // 0..10 at 1×, 10..20 ramping 1→3 (mean 2), 20..30 at 3×: 60 × rate.
        let even = count(Arrivals::Uniform, &profile, 100.0, 0.0, 30.0);
        assert!((even as f64 - 6000.0).abs() <= 2.0, "even {even}");
        let ramp_only = count(Arrivals::Uniform, &profile, 100.0, 10.0, 20.0);
        assert!((ramp_only as f64 - 2000.0).abs() <= 2.0, "ramp {ramp_only}");
        let poisson = count(Arrivals::Poisson, &profile, 1000.0, 0.0, 30.0);
        // Poisson with mean 60000: 4 standard deviations ≈ 980.
        assert!(
            (poisson as f64 - 60000.0).abs() < 980.0,
            "poisson {poisson}"
        );
    }

    #[test]
    fn even_arrivals_start_at_zero_and_are_evenly_spaced() {
        let profile = LoadProfile::flat();
        let mut process = ArrivalProcess::new(4.0, Arrivals::Uniform);
        let mut rng = stream(3, "entry", 0, Purpose::Arrivals);
        let mut t = 0.0;
        let mut times = Vec::new();
        while let Some(a) = process.next(t, &profile, 2.0, &mut rng) {
            times.push(a);
            t = a;
        }
        assert_eq!(times, vec![0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75]);
    }

    #[test]
    fn zero_load_stops_arrivals_until_it_returns() {
        let profile =
            LoadProfile::new(&[change(None, 1.0, 0.0), change(None, 2.0, 1.0)]).expect("valid");
        assert_eq!(count(Arrivals::Uniform, &profile, 10.0, 1.0, 2.0), 0);
        assert_eq!(count(Arrivals::Poisson, &profile, 10.0, 1.0, 2.0), 0);
        assert_eq!(count(Arrivals::Uniform, &profile, 10.0, 0.0, 3.0), 20);
    }
}
